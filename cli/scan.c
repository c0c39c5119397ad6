/*
 * scan.c - `darkfleet scan`: the whole pipeline (DESIGN.md, "Command
 * line").  Every input is read as messages (NMEA) or rows (CSV), turned
 * into records, put back in time order (df_reorder) and run through the
 * tracks and detectors (df_scan).  Each event is printed as one JSON line
 * on standard output (DESIGN.md, "Events") and written, with the vessels,
 * their identities and their downsampled tracks, to the SQLite store.
 *
 * Risk (src/risk.c): every stored event adds points with a reason to its
 * vessels; a vessel flagged to North Korea gets the flag reason when it is
 * flushed.  With --watchlist, each flushed vessel is screened against the
 * lists: a match is a watchlist_match event (printed, stored, scored like
 * any other).  A vessel that met a listed or DPRK-flagged vessel gets the
 * "met" reason, whether the encounter or the screening of its partner
 * comes first (df_ties: the last TIES_PAIRS encounters are remembered).
 * The store keeps each reason once, so scanning the same input again
 * leaves every score as it was.
 *
 * Thresholds start at the published defaults (DF_CONFIG_MAP), then each
 * --config file in order, then every --set, whatever its place on the
 * command line.  Exit status: 0; 1 when an input, a zones, ports or config
 * file, or the database could not be used (events found before are kept);
 * 2 for a bad command line.
 */
#include "scan_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DB "darkfleet.db"
#define DEFAULT_REORDER_S 300.0
#define DEFAULT_CHECKPOINT_S 60.0
#define TIES_PAIRS 100000       /* encounters remembered for ties */
#define TIES_MARKED 65536       /* listed/DPRK vessels remembered */
#define MAX_MATCHES 16          /* list entries reported per vessel */


/* ---- pipeline callbacks ----------------------------------------------- */

static int store_failed(struct scan_run *r)
{
    cli_err("%s", df_store_error(r->store));
    r->failed = 1;
    return 1;
}

/* One reason for a vessel, into the store. */
static int on_reason(uint32_t mmsi, const struct df_reason *rs, void *ud)
{
    struct scan_run *r = ud;

    if (!r->store)
        return 0;
    r->reasons++;
    if (df_store_risk_add(r->store, mmsi, rs) != DF_OK)
        return store_failed(r);
    return 0;
}

static int on_event(const struct df_event *ev, void *ud)
{
    struct scan_run *r = ud;
    struct df_risk risk[DF_RISK_MAX];
    int64_t id;
    size_t i, n;
    int rc;

    df_event_json(&r->out, ev);
    df_buf_append(&r->out, "\n", 1);
    if (cli_out_flush(&r->out, 0) != 0) {
        r->failed = 1;
        return 1;
    }
    r->events++;
    if (!r->store)
        return 0;   /* risk lives in the store only */
    if (df_store_event(r->store, ev) != DF_OK)
        return store_failed(r);
    id = df_store_last_event_id(r->store);
    n = df_risk_event(r->cfg, ev, id, risk);
    for (i = 0; i < n; i++)
        if ((rc = on_reason(risk[i].mmsi, &risk[i].r, r)) != 0)
            return rc;
    rc = df_ties_encounter(r->ties, r->cfg, ev, id, on_reason, r);
    if (rc < 0) {
        cli_err("out of memory");
        r->failed = 1;
    }
    return rc != 0;
}

/* A vessel flushed: stored, screened, its flag and ties scored. */
static int on_vessel(const struct df_vessel *v, void *ud)
{
    struct scan_run *r = ud;
    struct df_match m[MAX_MATCHES];
    const struct df_match *best = NULL;
    struct df_reason own[DF_RISK_VESSEL_MAX];
    size_t n = 0, i;
    int rc;

    r->vessels++;
    if (r->store && df_store_vessel(r->store, v) != DF_OK)
        return store_failed(r);
    if (r->wl)
        n = df_watchlist_screen(r->wl, v, r->cfg->watch_min_name_score, m,
                                MAX_MATCHES);
    if (n > 0) {
        struct df_event ev;

        best = &m[df_risk_match_event(v, m, n, &ev)];
        r->matches++;
        if ((rc = on_event(&ev, r)) != 0)
            return rc;
    }
    n = df_risk_vessel(r->cfg, v, own);
    for (i = 0; i < n; i++)
        if ((rc = on_reason(v->mmsi, &own[i], r)) != 0)
            return rc;
    if (!r->store)
        return 0;
    return df_ties_vessel(r->ties, r->cfg, v->mmsi, best, on_reason, r);
}

static int on_point(uint32_t mmsi, const struct df_point *p, void *ud)
{
    struct scan_run *r = ud;

    r->points++;
    if (r->store && df_store_point(r->store, mmsi, p) != DF_OK)
        return store_failed(r);
    return 0;
}

/* A record back in time order: into the detectors. */
static int on_ordered(const struct df_rec *rec, void *ud)
{
    struct scan_run *r = ud;

    return df_scan_rec(r->scan, rec);
}

static int to_pipe(const struct df_rec *rec, void *ud);

/* A row of a table, in input order: back in time order, then into the
 * detectors, or to the calling thread when reading on a second one. */
static int on_rec(const struct df_rec *rec, void *ud)
{
    struct scan_run *r = ud;

    if (r->store && scan_state_rec(r, rec))
        return 0;
    /* A live feed makes its checkpoints between records (a file's, after
     * each block: piped_fed). */
    if (!r->pipe && r->store && (++r->live_recs & 0xfff) == 0 &&
        scan_state_maybe(r, 0) != 0)
        return 1;
    return df_reorder_push(r->reorder, rec, r->pipe ? to_pipe : on_ordered,
                           r);
}

/* A decoded message: only positions and identities become records. */
static int on_msg(const struct df_msg *m, void *ud)
{
    struct df_rec rec;

    if (!df_rec_from_msg(m, &rec))
        return 0;
    return on_rec(&rec, ud);
}

/* ---- reading on a second thread (cli_pipe_run) ------------------------
 * The reader thread owns the readers and the reorder buffer; the calling
 * thread owns everything from df_scan_rec() on. */

static int to_pipe(const struct df_rec *rec, void *ud)
{
    struct scan_run *r = ud;

    return cli_pipe_put(r->pipe, rec);
}

static void prefetch(const struct df_rec *rec, int stage, void *ud)
{
    struct scan_run *r = ud;

    df_scan_prefetch(r->scan, rec, stage);
}

struct produce_args {
    struct scan_run *run;
    char **inputs;
    int ninputs;
    const struct cli_reader_opts *ro;
    struct df_stats *st;
};

/* A block of input went through: pass its records on now. */
static int piped_fed(void *ud)
{
    struct scan_run *r = ud;

    if (scan_state_maybe(r, 0) != 0)
        return 1;
    return cli_pipe_flush(r->pipe);
}

static int produce(struct cli_pipe *p, void *ud)
{
    struct produce_args *a = ud;
    struct cli_reader_opts ro = *a->ro;
    struct cli_sink sink;
    int rc;

    a->run->pipe = p;
    sink.msg = on_msg;
    sink.rec = on_rec;
    sink.ud = a->run;
    ro.fed = piped_fed;
    rc = cli_read_inputs(a->inputs, a->ninputs, &ro, &sink, a->st);
    /* What was read stands even if an input failed (cli_pipe_put drops
     * it once the consumer has stopped): the state is saved as it is,
     * then what the reorder buffer holds goes through. */
    if (scan_state_maybe(a->run, 1) == 0)
        df_reorder_flush(a->run->reorder, to_pipe, a->run);
    return rc;
}

/* A live feed has nothing waiting: show what was found so far. */
static int on_idle(void *ud)
{
    struct scan_run *r = ud;

    if (cli_out_flush(&r->out, 1) != 0) {
        r->failed = 1;
        return 1;
    }
    if (r->store && df_store_commit(r->store) != DF_OK)
        return store_failed(r);
    return scan_state_maybe(r, 0);
}

/* ---- options ----------------------------------------------------------- */

static void help_option(const char *name, double value, double def,
                        const char *doc, void *ud)
{
    FILE *f = ud;

    (void)value;
    fprintf(f, "    %-31s %-9g %s\n", name, def, doc);
}

static void usage(FILE *f)
{
    struct df_config cfg;

    df_config_defaults(&cfg);
    fputs("usage: darkfleet scan [OPTIONS] [INPUT...]\n"
          "  Tracks every vessel in the inputs and reports the behaviours of "
          "sanctions\n"
          "  evasion: one JSON event per line on standard output; events, "
          "vessels, their\n"
          "  identities and tracks in an SQLite database.  INPUT is a file "
          "(NMEA,\n"
          "  MarineCadastre or DMA CSV; plain, .gz, .zst, .xz, .bz2 or .zip), "
          "- for\n"
          "  standard input (the default), tcp://HOST:PORT or "
          "udp://[HOST]:PORT.\n"
          "\n"
          "  The database keeps the scan's state: the next scan into it goes "
          "on where\n"
          "  this one stopped, so that files scanned one after the other find "
          "what one\n"
          "  scan of them all would.  Files read before are skipped, a file "
          "read in part\n"
          "  (a scan killed or stopped by SIGINT/SIGTERM) is read on from "
          "there, input\n"
          "  older than the state is dropped.  Events still open at the end "
          "are stored as\n"
          "  provisional and replaced once final.\n"
          "\n"
          "  --db FILE              the database (default " DEFAULT_DB ")\n"
          "  --no-db                write no database, only the events\n"
          "  --zones FILE           add the zones (and ports) of a GeoJSON "
          "file; repeatable\n"
          "  --ports FILE           add ports or anchorages from a CSV "
          "file; repeatable\n"
          "  --no-dprk              leave out the built-in North Korea "
          "zone and ports\n"
          "  --no-places            leave out the built-in harbours and "
          "anchorages (GFW,\n"
          "                         World Port Index) that tell berths "
          "from anchorages\n"
          "  --watchlist FILE       screen every vessel against a sanctions "
          "list (OFAC\n"
          "                         sdn.csv, OpenSanctions CSV or a CSV "
          "with name, imo,\n"
          "                         mmsi, call sign columns); "
          "repeatable\n"
          "  --config FILE          read thresholds from 'name = value' "
          "lines; repeatable\n"
          "  --set NAME=VALUE       set one threshold (after every "
          "--config); repeatable\n"
          "  --reorder-window SECONDS\n"
          "                         hold records this long to put them "
          "back in time order\n"
          "                         (default 300)\n"
          "  --dedup SECONDS        drop a sentence heard again within "
          "this time by another\n"
          "                         station (default 0: off)\n"
          "  --no-checksum          accept sentences whose checksum "
          "fails\n"
          "  --stats                print counts of what was read, dropped "
          "and stored on\n"
          "                         standard error\n"
          "  --fresh                forget the state the last scan into the "
          "database saved\n"
          "                         (its events stay) and start from "
          "nothing\n"
          "  --checkpoint SECONDS   save the state this often while reading "
          "(default 60;\n"
          "                         0: after every block of input)\n"
          "\n"
          "  Thresholds (NAME, default, source of the default; see "
          "METHODS.md):\n",
          f);
    df_config_each(&cfg, help_option, f);
}

struct find_opt {
    const char *name;
    int found;
};

static void find_option(const char *name, double value, double def,
                        const char *doc, void *ud)
{
    struct find_opt *fo = ud;

    (void)value;
    (void)def;
    (void)doc;
    if (strcmp(name, fo->name) == 0)
        fo->found = 1;
}

/* Parses a number of seconds: finite, not negative, the whole string. */
static int parse_seconds(const char *s, double *out)
{
    char *end;
    double v;

    if (*s == '\0' || strspn(s, "0123456789.eE+-") != strlen(s))
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v) ||
        v < 0 || v > 1e9)
        return -1;
    *out = v;
    return 0;
}

/* The seconds of option opt; prints the error and returns 2 if bad. */
static int seconds_opt(const char *opt, const char *val, double *out)
{
    if (parse_seconds(val, out) == 0)
        return 0;
    cli_err("scan: %s: '%s' is not a number of seconds", opt, val);
    return 2;
}

/* Applies one --set NAME=VALUE; prints the error and returns 2 if bad. */
static int apply_set(struct df_config *cfg, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char name[128];
    struct find_opt fo;
    size_t n;

    if (!eq || eq == arg) {
        cli_err("scan: --set expects NAME=VALUE, not '%s'", arg);
        return 2;
    }
    n = (size_t)(eq - arg);
    if (n >= sizeof name)
        n = sizeof name - 1;
    memcpy(name, arg, n);
    name[n] = '\0';
    fo.name = name;
    fo.found = 0;
    df_config_each(cfg, find_option, &fo);
    if (!fo.found) {
        cli_err("scan: --set: unknown option '%s' (see darkfleet scan "
                "--help)",
                name);
        return 2;
    }
    if (df_config_set(cfg, name, eq + 1) != DF_OK) {
        cli_err("scan: --set %s: '%s' is not a finite number", name,
                eq + 1);
        return 2;
    }
    return 0;
}

/* After loading path (a list, zones or ports file) returned e with its
 * message, if any, in err: 0 if it loaded, or 1 after printing one line
 * that names it. */
static int load_failed(enum df_err e, const char *path, char *err,
                       size_t errlen)
{
    if (e == DF_OK)
        return 0;
    if (err[0] == '\0')
        snprintf(err, errlen, "%s", df_strerror(e));
    if (strstr(err, path))
        cli_err("%s", err);
    else
        cli_err("%s: %s", path, err);
    return 1;
}

/* Loads a sanctions list; prints one line naming it and returns 1 on
 * failure. */
static int load_list(struct df_watchlist *wl, const char *path)
{
    char err[512];

    err[0] = '\0';
    return load_failed(df_watchlist_load(wl, path, err, sizeof err), path,
                       err, sizeof err);
}

/* Loads a zones or ports file into geo; prints one line naming it and
 * returns 1 on failure. */
static int load_geo(struct df_geo *geo, const char *path, int ports)
{
    char err[512];
    enum df_err e;

    err[0] = '\0';
    e = ports ? df_geo_load_ports(geo, path, err, sizeof err)
              : df_geo_load_zones(geo, path, err, sizeof err);
    return load_failed(e, path, err, sizeof err);
}

static void print_count(uint64_t v, const char *name, const char *label)
{
    fprintf(stderr, "%12llu  %-22s %s\n", (unsigned long long)v, name,
            label);
}

/* ---- the command ------------------------------------------------------- */

enum { OPT_DB = CLI_OPT_OWN, OPT_ZONES, OPT_PORTS, OPT_CONFIG, OPT_SET,
       OPT_REORDER_WINDOW, OPT_DEDUP, OPT_WATCHLIST, OPT_NO_DB,
       OPT_NO_DPRK, OPT_NO_PLACES, OPT_FRESH, OPT_CHECKPOINT };

static const struct cli_opt opts[] = {
    {OPT_DB, "--db", NULL, 1},
    {OPT_ZONES, "--zones", NULL, 1},
    {OPT_PORTS, "--ports", NULL, 1},
    {OPT_CONFIG, "--config", NULL, 1},
    {OPT_SET, "--set", NULL, 1},
    {OPT_REORDER_WINDOW, "--reorder-window", NULL, 1},
    {OPT_DEDUP, "--dedup", NULL, 1},
    {OPT_WATCHLIST, "--watchlist", NULL, 1},
    {OPT_NO_DB, "--no-db", NULL, 0},
    {OPT_NO_DPRK, "--no-dprk", NULL, 0},
    {OPT_NO_PLACES, "--no-places", NULL, 0},
    {OPT_FRESH, "--fresh", NULL, 0},
    {OPT_CHECKPOINT, "--checkpoint", NULL, 1},
    CLI_OPTS_READ,
    CLI_OPTS_HELP,
    CLI_OPTS_END};

/* A value of an option that may be given again (--zones, --ports,
 * --config, --set, --watchlist): each is used in command-line order. */
struct rep {
    int id;
    const char *val;
};

int cmd_scan(int argc, char **argv)
{
    struct scan_run run;
    struct df_config cfg;
    struct cli_reader_opts ro;
    struct cli_sink sink;
    struct df_scan_cbs cbs;
    struct df_stats st;
    struct cli_progress progress;
    struct df_geo *geo = NULL;
    struct cli_args args;
    struct rep *rep = NULL;
    const char *db = DEFAULT_DB, *val;
    char **inputs = NULL;
    int ninputs = 0, nrep = 0;
    int no_db = 0, no_dprk = 0, no_places = 0, stats = 0, rc = 0, i, id;
    int live = 0, fresh = 0;
    double reorder_s = DEFAULT_REORDER_S, dedup_s = 0;
    double checkpoint_s = DEFAULT_CHECKPOINT_S;
    char err[512];

    memset(&run, 0, sizeof run);
    memset(&ro, 0, sizeof ro);
    memset(&st, 0, sizeof st);
    df_config_defaults(&cfg);
    inputs = calloc((size_t)argc + 1, sizeof *inputs);
    rep = calloc((size_t)argc + 1, sizeof *rep);
    if (!inputs || !rep) {
        cli_err("out of memory");
        rc = 1;
        goto done;
    }

    cli_args_init(&args, "scan", argc, argv);
    while ((id = cli_args_next(&args, opts, &val)) != CLI_END) {
        if (cli_read_opt(id, &ro, &stats))
            continue;
        switch (id) {
        case OPT_DB:
            db = val;
            break;
        case OPT_ZONES:
        case OPT_PORTS:
        case OPT_CONFIG:
        case OPT_SET:
        case OPT_WATCHLIST:
            rep[nrep].id = id;
            rep[nrep++].val = val;
            break;
        case OPT_REORDER_WINDOW:
            if ((rc = seconds_opt("--reorder-window", val, &reorder_s)))
                goto done;
            break;
        case OPT_DEDUP:
            if ((rc = seconds_opt("--dedup", val, &dedup_s)))
                goto done;
            break;
        case OPT_NO_DB:
            no_db = 1;
            break;
        case OPT_NO_DPRK:
            no_dprk = 1;
            break;
        case OPT_NO_PLACES:
            no_places = 1;
            break;
        case OPT_FRESH:
            fresh = 1;
            break;
        case OPT_CHECKPOINT:
            if ((rc = seconds_opt("--checkpoint", val, &checkpoint_s)))
                goto done;
            break;
        case CLI_OPT_HELP:
            usage(stdout);
            goto done;
        case CLI_OPERAND:
            inputs[ninputs++] = (char *)val;
            break;
        default:
            rc = cli_args_bad(&args, id, val);
            goto done;
        }
    }
    /* The command line is checked whole before any file is touched. */
    for (i = 0; i < nrep; i++) {
        struct df_config probe = cfg;
        if (rep[i].id == OPT_SET && (rc = apply_set(&probe, rep[i].val)))
            goto done;
    }
    for (i = 0; i < nrep; i++) {
        if (rep[i].id == OPT_CONFIG &&
            df_config_load(&cfg, rep[i].val, err, sizeof err) != DF_OK) {
            cli_err("%s", err);
            rc = 1;
            goto done;
        }
    }
    for (i = 0; i < nrep; i++)
        if (rep[i].id == OPT_SET)
            apply_set(&cfg, rep[i].val);
    ro.dedup_ms = (int64_t)llround(dedup_s * 1000.0);

    geo = df_geo_new();
    if (!geo) {
        cli_err("out of memory");
        rc = 1;
        goto done;
    }
    if (!no_dprk && df_geo_load_builtin_dprk(geo) != DF_OK) {
        cli_err("loading the built-in North Korea zone failed");
        rc = 1;
        goto done;
    }
    if (!no_places && df_geo_load_builtin_places(geo) != DF_OK) {
        cli_err("loading the built-in harbours and anchorages failed");
        rc = 1;
        goto done;
    }
    /* Every zones file, then every ports file. */
    for (i = 0; i < nrep; i++)
        if (rep[i].id == OPT_ZONES && (rc = load_geo(geo, rep[i].val, 0)))
            goto done;
    for (i = 0; i < nrep; i++)
        if (rep[i].id == OPT_PORTS && (rc = load_geo(geo, rep[i].val, 1)))
            goto done;
    for (i = 0; i < nrep; i++) {
        if (rep[i].id != OPT_WATCHLIST)
            continue;
        if (!run.wl && !(run.wl = df_watchlist_new())) {
            cli_err("out of memory");
            rc = 1;
            goto done;
        }
        if ((rc = load_list(run.wl, rep[i].val)) != 0)
            goto done;
    }
    run.cfg = &cfg;
    run.ties = df_ties_new(TIES_PAIRS, TIES_MARKED);
    if (!run.ties) {
        cli_err("out of memory");
        rc = 1;
        goto done;
    }

    if (!no_db && df_store_open(&run.store, db, err, sizeof err) != DF_OK) {
        cli_err("%s", err);
        rc = 1;
        goto done;
    }
    df_store_set_config(run.store, &cfg);
    run.reorder = df_reorder_new((int64_t)llround(reorder_s * 1000.0), 0);
    cbs.event = on_event;
    cbs.vessel = on_vessel;
    cbs.point = on_point;
    cbs.ud = &run;
    run.scan = df_scan_new(&cfg, geo, &cbs);
    if (!run.reorder || !run.scan) {
        cli_err("out of memory");
        rc = 1;
        goto done;
    }
    run.geo = geo;
    run.reorder_ms = (int64_t)llround(reorder_s * 1000.0);
    run.ckpt_every_ms = (int64_t)llround(checkpoint_s * 1000.0);
    if ((rc = scan_state_open(&run, inputs, ninputs, fresh, db)) != 0)
        goto done;
    if (run.store) {
        /* SIGINT and SIGTERM end the reading; the state is saved. */
        cli_net_catch_signals();
        ro.stop_on_signal = 1;
        ro.begin = scan_state_begin;
        ro.end = scan_state_end;
    }

    sink.msg = on_msg;
    sink.rec = on_rec;
    sink.ud = &run;
    ro.idle = on_idle;
    cli_progress_init(&progress, 0);
    ro.progress = &progress;
    for (i = 0; i < ninputs && !live; i++)
        live = cli_net_kind(inputs[i]) != CLI_NET_NONE;
    if (live) {
        /* A live feed flushes its output when idle: one thread. */
        rc = cli_read_inputs(inputs, ninputs, &ro, &sink, &st);
        /* What was read stands even if an input failed: save the state,
         * then finish the scan. */
        if (!run.failed && scan_state_maybe(&run, 1) == 0)
            df_reorder_flush(run.reorder, on_ordered, &run);
    } else {
        struct produce_args pa = {&run, inputs, ninputs, &ro, &st};
        struct cli_consumer cc = {on_ordered, prefetch, &run,
                                  scan_state_save};
        ro.readahead = 1;
        rc = cli_pipe_run(produce, &pa, &cc);
        run.pipe = NULL;
    }
    cli_progress_end(&progress);
    if (!run.failed)
        df_scan_finish(run.scan);
    if (df_scan_error(run.scan) != DF_OK) {
        /* What was found stands, but the run was not whole. */
        cli_err("scan: %s: events may be missing",
                df_strerror(df_scan_error(run.scan)));
        rc = 1;
    }
    if (cli_out_flush(&run.out, 1) != 0)
        run.failed = 1;
    if (run.store && !run.failed && df_store_commit(run.store) != DF_OK)
        store_failed(&run);
    if (run.failed)
        rc = 1;
    if (run.rst.drop_older_than_state > 0) {
        char when[32];

        df_time_iso(run.state_ms, when);
        cli_err("scan: %llu records older than the state saved in %s (%s) "
                "were dropped: scan in time order, or --fresh to start over",
                (unsigned long long)run.rst.drop_older_than_state, db, when);
    }
    /* Stopped by a signal before the end of a file: the state is saved,
     * and the same command goes on from there. */
    if (rc == 0 && run.store && cli_stop_requested() &&
        scan_state_interrupted(&run)) {
        cli_err("scan: interrupted; the state is saved in %s: run the same "
                "command to go on",
                db);
        rc = 130;
    }
    if (stats) {
        df_stats_add(&st, &run.rst);
        df_stats_add(&st, df_reorder_stats(run.reorder));
        df_stats_add(&st, df_scan_stats(run.scan));
        cli_print_stats(&st);
        print_count(run.events, "events", "events found");
        print_count(run.vessels, "vessels", "vessel states written");
        print_count(run.points, "track_points", "track points kept");
        if (run.wl)
            print_count(run.matches, "watchlist_matches",
                        "vessels found on a list");
        if (run.store) {
            print_count(run.reasons, "risk_reasons", "risk reasons given");
            print_count(run.loaded, "state_loaded",
                        "went on from the saved state (1) or not (0)");
            print_count(run.provisional_dropped, "provisional_dropped",
                        "events of the last scan's end, dropped");
            print_count(run.saves, "state_saves", "times the state was saved");
            print_count(run.state_bytes, "state_bytes",
                        "bytes of the last state saved");
        }
    }

done:
    scan_state_free(&run);
    if (run.store && df_store_close(run.store) != DF_OK && rc == 0) {
        cli_err("%s: closing the database failed", db);
        rc = 1;
    }
    df_scan_free(run.scan);
    df_reorder_free(run.reorder);
    df_geo_free(geo);
    df_watchlist_free(run.wl);
    df_ties_free(run.ties);
    df_buf_free(&run.out);
    free(inputs);
    free(rep);
    return rc;
}
