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
#include "cluster.h"

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

    /* watch prints an event once, when it is final. */
    if (!(r->final_only && r->provisional)) {
        df_event_json(&r->out, ev);
        df_buf_append(&r->out, "\n", 1);
        if (cli_out_flush(&r->out, 0) != 0) {
            r->failed = 1;
            return 1;
        }
    }
    r->events++;
    if (r->cluster && cli_cluster_event(r->cluster, ev) != 0) {
        r->failed = 1;
        return 1;
    }
    if (!r->store)
        return r->alert && !r->provisional ? r->alert(r, ev, 0) : 0;
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
        return 1;
    }
    if (rc == 0 && r->alert && !r->provisional)
        rc = r->alert(r, ev, id);
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

int scan_on_msg(const struct df_msg *m, void *ud)
{
    return on_msg(m, ud);
}

int scan_on_rec(const struct df_rec *rec, void *ud)
{
    return on_rec(rec, ud);
}

int scan_flush_store(struct scan_run *r)
{
    if (cli_out_flush(&r->out, 1) != 0) {
        r->failed = 1;
        return 1;
    }
    if (r->store && df_store_commit(r->store) != DF_OK)
        return store_failed(r);
    return 0;
}

int scan_end_live(struct scan_run *r)
{
    /* What was read stands even if an input failed: save the state, then
     * finish the scan (what it reports now is provisional). */
    if (!r->failed && scan_state_maybe(r, 1) == 0)
        df_reorder_flush(r->reorder, on_ordered, r);
    return 0;
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

void scan_cmd_usage(FILE *f)
{
    fputs("  --db FILE              the database (default " DEFAULT_DB ")\n"
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
          "  -j, --jobs N           split the work by MMSI over N threads "
          "(default: the\n"
          "                         saved state's, or the cores less 2, at "
          "least 1); the\n"
          "                         same events whatever N\n"
          "  --partitions N         split the work as a cluster does, into N "
          "partitions\n"
          "                         that exchange only messages, on one "
          "thread (to check\n"
          "                         that a cluster finds one scan's "
          "events)\n",
          f);
}

void scan_cmd_thresholds(FILE *f)
{
    struct df_config cfg;

    df_config_defaults(&cfg);
    fputs("\n  Thresholds (NAME, default, source of the default; see "
          "METHODS.md):\n",
          f);
    df_config_each(&cfg, help_option, f);
}

static void usage(FILE *f)
{
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
          "\n",
          f);
    scan_cmd_usage(f);
    fputs("  --nats URL[,URL...]    scan over a cluster on NATS JetStream: "
          "this process\n"
          "                         reads, runs the encounter detector and "
          "stores;\n"
          "                         workers (darkfleet worker) hold the "
          "vessels, split\n"
          "                         into --partitions (default: --workers, "
          "or 1); the\n"
          "                         same events as one scan.  A run starts "
          "from nothing\n"
          "                         and saves no state in the database "
          "(as --fresh,\n"
          "                         it clears the state saved there)\n"
          "  --workers N            start N local workers (default 0: "
          "workers join with\n"
          "                         darkfleet worker --nats URL --run NAME "
          "--take I/N);\n"
          "                         one that dies is started again and goes "
          "on from its\n"
          "                         checkpoint\n"
          "  --run NAME             the run's name on the cluster (default "
          "darkfleet)\n"
          "  --replicas N           servers holding each of the run's "
          "streams (1-5,\n"
          "                         default 1; 3 rides out the loss of one "
          "of three)\n",
          f);
    scan_cmd_thresholds(f);
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

/* ---- what scan and watch share ----------------------------------------- */

int scan_cmd_init(struct scan_cmd *c, const char *who, int argc)
{
    memset(c, 0, sizeof *c);
    c->who = who;
    c->db = DEFAULT_DB;
    c->reorder_s = DEFAULT_REORDER_S;
    c->checkpoint_s = DEFAULT_CHECKPOINT_S;
    c->run = "darkfleet";
    c->replicas = 1;
    df_config_defaults(&c->cfg);
    c->inputs = calloc((size_t)argc + 1, sizeof *c->inputs);
    c->rep = calloc((size_t)argc + 1, sizeof *c->rep);
    if (!c->inputs || !c->rep) {
        cli_err("out of memory");
        return 1;
    }
    return 0;
}

int scan_cmd_opt(struct scan_cmd *c, int id, const char *val)
{
    if (cli_read_opt(id, &c->ro, &c->stats))
        return 1;
    switch (id) {
    case SCAN_OPT_DB:
        c->db = val;
        return 1;
    case SCAN_OPT_ZONES:
    case SCAN_OPT_PORTS:
    case SCAN_OPT_CONFIG:
    case SCAN_OPT_SET:
    case SCAN_OPT_WATCHLIST:
        c->rep[c->nrep].id = id;
        c->rep[c->nrep++].val = val;
        return 1;
    case SCAN_OPT_REORDER_WINDOW:
        return seconds_opt("--reorder-window", val, &c->reorder_s) ? 2 : 1;
    case SCAN_OPT_DEDUP:
        return seconds_opt("--dedup", val, &c->dedup_s) ? 2 : 1;
    case SCAN_OPT_CHECKPOINT:
        return seconds_opt("--checkpoint", val, &c->checkpoint_s) ? 2 : 1;
    case SCAN_OPT_JOBS: {
        char *end;
        long n = strtol(val, &end, 10);

        if (*end != '\0' || end == val || n < 1 || n > 256) {
            cli_err("%s: --jobs wants a number of threads (1-256), not "
                    "'%s'",
                    c->who, val);
            return 2;
        }
        c->jobs = (unsigned)n;
        return 1;
    }
    case SCAN_OPT_NATS:
        c->nats = val;
        return 1;
    case SCAN_OPT_RUN:
        if (!cli_cluster_name_ok(val)) {
            cli_err("%s: --run wants a name of letters, digits, _ and - "
                    "(up to 48), not '%s'",
                    c->who, val);
            return 2;
        }
        c->run = val;
        return 1;
    case SCAN_OPT_WORKERS:
    case SCAN_OPT_REPLICAS: {
        char *end;
        long n = strtol(val, &end, 10);
        int w = id == SCAN_OPT_WORKERS;

        if (*end != '\0' || end == val || n < (w ? 0 : 1) ||
            n > (w ? 256 : 5)) {
            cli_err("%s: %s wants a number (%s), not '%s'", c->who,
                    w ? "--workers" : "--replicas", w ? "0-256" : "1-5",
                    val);
            return 2;
        }
        if (w)
            c->workers = (unsigned)n;
        else
            c->replicas = (int)n;
        return 1;
    }
    case SCAN_OPT_PARTS: {
        char *end;
        long n = strtol(val, &end, 10);

        if (*end != '\0' || end == val || n < 1 || n > 256) {
            cli_err("%s: --partitions wants a number (1-256), not '%s'",
                    c->who, val);
            return 2;
        }
        c->parts = (unsigned)n;
        return 1;
    }
    case SCAN_OPT_NO_DB:
        c->no_db = 1;
        return 1;
    case SCAN_OPT_NO_DPRK:
        c->no_dprk = 1;
        return 1;
    case SCAN_OPT_NO_PLACES:
        c->no_places = 1;
        return 1;
    case SCAN_OPT_FRESH:
        c->fresh = 1;
        return 1;
    case CLI_OPERAND:
        c->inputs[c->ninputs++] = (char *)val;
        return 1;
    default:
        return 0;
    }
}

int scan_cmd_setup(struct scan_cmd *c)
{
    char err[512];
    int i, rc;

    /* The command line is checked whole before any file is touched. */
    for (i = 0; i < c->nrep; i++) {
        struct df_config probe = c->cfg;
        if (c->rep[i].id == SCAN_OPT_SET &&
            (rc = apply_set(&probe, c->rep[i].val)))
            return rc;
    }
    for (i = 0; i < c->nrep; i++) {
        if (c->rep[i].id == SCAN_OPT_CONFIG &&
            df_config_load(&c->cfg, c->rep[i].val, err, sizeof err) !=
                DF_OK) {
            cli_err("%s", err);
            return 1;
        }
    }
    for (i = 0; i < c->nrep; i++)
        if (c->rep[i].id == SCAN_OPT_SET)
            apply_set(&c->cfg, c->rep[i].val);
    c->ro.dedup_ms = (int64_t)llround(c->dedup_s * 1000.0);

    c->geo = df_geo_new();
    if (!c->geo) {
        cli_err("out of memory");
        return 1;
    }
    if (!c->no_dprk && df_geo_load_builtin_dprk(c->geo) != DF_OK) {
        cli_err("loading the built-in North Korea zone failed");
        return 1;
    }
    if (!c->no_places && df_geo_load_builtin_places(c->geo) != DF_OK) {
        cli_err("loading the built-in harbours and anchorages failed");
        return 1;
    }
    /* Every zones file, then every ports file. */
    for (i = 0; i < c->nrep; i++)
        if (c->rep[i].id == SCAN_OPT_ZONES &&
            (rc = load_geo(c->geo, c->rep[i].val, 0)))
            return rc;
    for (i = 0; i < c->nrep; i++)
        if (c->rep[i].id == SCAN_OPT_PORTS &&
            (rc = load_geo(c->geo, c->rep[i].val, 1)))
            return rc;
    return 0;
}

int scan_cmd_open(struct scan_cmd *c, struct scan_run *r)
{
    struct df_scan_cbs cbs;
    char err[512];
    int i, rc;

    if (c->nats && c->parts == 0)
        c->parts = c->workers > 0 ? c->workers : 1;
    if (!c->nats && (c->workers || strcmp(c->run, "darkfleet") != 0 ||
                     c->replicas != 1)) {
        cli_err("%s: --workers, --run and --replicas go with --nats",
                c->who);
        return 2;
    }
    if ((rc = scan_cmd_setup(c)) != 0)
        return rc;
    for (i = 0; i < c->nrep; i++) {
        if (c->rep[i].id != SCAN_OPT_WATCHLIST)
            continue;
        if (!r->wl && !(r->wl = df_watchlist_new())) {
            cli_err("out of memory");
            return 1;
        }
        if ((rc = load_list(r->wl, c->rep[i].val)) != 0)
            return rc;
    }
    r->cfg = &c->cfg;
    r->ties = df_ties_new(TIES_PAIRS, TIES_MARKED);
    if (!r->ties) {
        cli_err("out of memory");
        return 1;
    }
    if (!c->no_db &&
        df_store_open(&r->store, c->db, err, sizeof err) != DF_OK) {
        cli_err("%s", err);
        return 1;
    }
    df_store_set_config(r->store, &c->cfg);
    r->jobs = c->jobs ? c->jobs : scan_state_jobs(r, c->fresh);
    c->ro.parse_jobs = r->jobs;     /* a table's rows, too */
    r->reorder = df_reorder_new((int64_t)llround(c->reorder_s * 1000.0), 0);
    cbs.event = on_event;
    cbs.vessel = on_vessel;
    cbs.point = on_point;
    cbs.ud = r;
    if (c->nats) {
        struct df_cluster_io io;

        /* A cluster's run starts from nothing and saves no state: its
         * workers checkpoint themselves. */
        r->jobs = c->parts;
        r->parts = c->parts;
        r->no_state = 1;
        c->fresh = 1;
        if ((rc = cli_cluster_open(&r->cluster, c, c->parts, &io)) != 0)
            return rc;
        r->scan = df_scan_new_cluster(&c->cfg, c->geo, &cbs, c->parts, &io);
    } else if (c->parts) {
        /* A cluster's split in one process (a check, not for speed). */
        r->jobs = c->parts;
        r->parts = c->parts;
        r->scan = df_scan_new_parts(&c->cfg, c->geo, &cbs, c->parts);
    } else {
        r->scan = df_scan_new_jobs(&c->cfg, c->geo, &cbs, r->jobs);
    }
    if (!r->reorder || !r->scan) {
        cli_err("out of memory");
        return 1;
    }
    r->geo = c->geo;
    r->reorder_ms = (int64_t)llround(c->reorder_s * 1000.0);
    r->ckpt_every_ms = (int64_t)llround(c->checkpoint_s * 1000.0);
    if ((rc = scan_state_open(r, c->inputs, c->ninputs, c->fresh, c->db)))
        return rc;
    if (r->store) {
        /* SIGINT and SIGTERM end the reading; the state is saved. */
        cli_net_catch_signals();
        c->ro.stop_on_signal = 1;
        c->ro.begin = scan_state_begin;
        c->ro.end = scan_state_end;
    }
    return 0;
}

int scan_cmd_end(struct scan_cmd *c, struct scan_run *r, int rc,
                 struct df_stats *st)
{
    if (!r->failed)
        df_scan_finish(r->scan);
    if (df_scan_error(r->scan) != DF_OK) {
        /* What was found stands, but the run was not whole. */
        cli_err("%s: %s: events may be missing", c->who,
                df_strerror(df_scan_error(r->scan)));
        rc = 1;
    }
    if (cli_out_flush(&r->out, 1) != 0)
        r->failed = 1;
    if (r->store && !r->failed && df_store_commit(r->store) != DF_OK)
        store_failed(r);
    if (r->failed)
        rc = 1;
    if (r->rst.drop_older_than_state > 0) {
        char when[32];

        df_time_iso(r->state_ms, when);
        cli_err("%s: %llu records older than the state saved in %s (%s) "
                "were dropped: %s in time order, or --fresh to start over",
                c->who, (unsigned long long)r->rst.drop_older_than_state,
                c->db, when, c->who);
    }
    if (c->stats) {
        df_stats_add(st, &r->rst);
        df_stats_add(st, df_reorder_stats(r->reorder));
        df_stats_add(st, df_scan_stats(r->scan));
        cli_print_stats(st);
        print_count(r->events, "events", "events found");
        print_count(r->vessels, "vessels", "vessel states written");
        print_count(r->points, "track_points", "track points kept");
        if (r->wl)
            print_count(r->matches, "watchlist_matches",
                        "vessels found on a list");
        if (r->store) {
            print_count(r->reasons, "risk_reasons", "risk reasons given");
            print_count(r->loaded, "state_loaded",
                        "went on from the saved state (1) or not (0)");
            print_count(r->provisional_dropped, "provisional_dropped",
                        "events of the last scan's end, dropped");
            print_count(r->saves, "state_saves",
                        "times the state was saved");
            print_count(r->state_bytes, "state_bytes",
                        "bytes of the last state saved");
        }
    }
    return rc;
}

int scan_cmd_free(struct scan_cmd *c, struct scan_run *r, int rc)
{
    scan_state_free(r);
    if (r->store && df_store_close(r->store) != DF_OK && rc == 0) {
        cli_err("%s: closing the database failed", c->db);
        rc = 1;
    }
    df_scan_free(r->scan);
    cli_cluster_close(r->cluster, rc == 0 && !r->failed);
    df_reorder_free(r->reorder);
    df_geo_free(c->geo);
    df_watchlist_free(r->wl);
    df_ties_free(r->ties);
    df_buf_free(&r->out);
    free(c->inputs);
    free(c->rep);
    return rc;
}

/* ---- the command ------------------------------------------------------- */

static const struct cli_opt opts[] = {
    SCAN_OPTS,
    {SCAN_OPT_NATS, "--nats", NULL, 1},
    {SCAN_OPT_WORKERS, "--workers", NULL, 1},
    {SCAN_OPT_RUN, "--run", NULL, 1},
    {SCAN_OPT_REPLICAS, "--replicas", NULL, 1},
    CLI_OPTS_READ,
    CLI_OPTS_HELP,
    CLI_OPTS_END};

int cmd_scan(int argc, char **argv)
{
    struct scan_run run;
    struct scan_cmd c;
    struct cli_sink sink;
    struct df_stats st;
    struct cli_progress progress;
    struct cli_args args;
    const char *val;
    int rc = 0, i, id, taken, live = 0;

    memset(&run, 0, sizeof run);
    memset(&st, 0, sizeof st);
    if ((rc = scan_cmd_init(&c, "scan", argc)) != 0)
        goto done;
    cli_args_init(&args, "scan", argc, argv);
    while ((id = cli_args_next(&args, opts, &val)) != CLI_END) {
        if (id == CLI_OPT_HELP) {
            usage(stdout);
            goto done;
        }
        taken = scan_cmd_opt(&c, id, val);
        if (taken == 2) {
            rc = 2;
            goto done;
        }
        if (!taken) {
            rc = cli_args_bad(&args, id, val);
            goto done;
        }
    }
    if ((rc = scan_cmd_open(&c, &run)) != 0)
        goto done;

    sink.msg = on_msg;
    sink.rec = on_rec;
    sink.ud = &run;
    c.ro.idle = on_idle;
    cli_progress_init(&progress, 0);
    c.ro.progress = &progress;
    for (i = 0; i < c.ninputs && !live; i++)
        live = cli_net_kind(c.inputs[i]) != CLI_NET_NONE;
    if (live) {
        /* A live feed flushes its output when idle: one thread. */
        rc = cli_read_inputs(c.inputs, c.ninputs, &c.ro, &sink, &st);
        scan_end_live(&run);
    } else {
        struct produce_args pa = {&run, c.inputs, c.ninputs, &c.ro, &st};
        struct cli_consumer cc = {on_ordered, prefetch, &run,
                                  scan_state_save};
        c.ro.readahead = 1;
        rc = cli_pipe_run(produce, &pa, &cc);
        run.pipe = NULL;
    }
    cli_progress_end(&progress);
    rc = scan_cmd_end(&c, &run, rc, &st);
    /* Stopped by a signal before the end of a file: the state is saved,
     * and the same command goes on from there. */
    if (rc == 0 && run.store && cli_stop_requested() &&
        scan_state_interrupted(&run)) {
        cli_err("scan: interrupted; the state is saved in %s: run the same "
                "command to go on",
                c.db);
        rc = 130;
    }

done:
    return scan_cmd_free(&c, &run, rc);
}
