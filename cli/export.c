/*
 * export.c - `darkfleet export`: the events and tracks of a store as
 * GeoJSON, GeoJSONSeq, KML or CSV for QGIS, Google Earth and pandas
 * (the formats are described in src/export_geojson.c, src/export_kml.c
 * and src/export_csv.c).
 *
 * The store is read back in one pass per section: events by start time,
 * then vessels in rank order, each with its track.  Output is rendered
 * into a buffer written out every megabyte, so memory stays bounded by
 * the longest track, plus one name per vessel when events are exported
 * (for the names on event features).
 *
 * Exit status: 0; 1 when the database cannot be read or the output
 * cannot be written (an -o file is then removed); 2 for a bad command
 * line.  Each failure prints one line on standard error.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>


#define DEFAULT_DB "darkfleet.db"
#define FLUSH_BYTES (1u << 20)

struct name_ent {
    uint32_t mmsi;
    char name[21];
};

struct export_run {
    struct df_store *store;
    struct df_export *x;
    struct df_buf out;
    FILE *f;
    const char *path;           /* output path, or NULL for stdout */
    uint32_t mmsi;              /* --mmsi, or 0 */
    int failed;                 /* already reported: stop */
    struct name_ent *names;     /* sorted by mmsi */
    size_t nnames, capnames;
};

static void usage(FILE *f)
{
    fputs("usage: darkfleet export [--db FILE] --format FORMAT "
          "[--what WHAT] [--mmsi N]\n"
          "                        [-o FILE]\n"
          "  Writes the events and vessel tracks of a database for GIS "
          "tools.\n"
          "\n"
          "  --db FILE        the database (default " DEFAULT_DB ")\n"
          "  -f, --format FORMAT\n"
          "                   geojson     RFC 7946 FeatureCollection (QGIS)\n"
          "                   geojsonseq  RFC 8142: one feature per record\n"
          "                   kml         KML 2.2 for Google Earth (tracks "
          "play on the\n"
          "                               time slider)\n"
          "                   csv         one table: events, or track "
          "points with\n"
          "                               MarineCadastre's columns\n"
          "  --what WHAT      events, tracks or all (default all; csv: "
          "events)\n"
          "  --mmsi N         only the events and the track of one vessel\n"
          "  -o, --output FILE\n"
          "                   write to FILE instead of standard output\n",
          f);
}

/* ---- output ----------------------------------------------------------------- */

/* Writes the buffer out when it holds a megabyte (or always, with
 * force).  Returns 0, or -1 after printing why. */
static int flush_out(struct export_run *r, int force)
{
    struct df_buf *b = &r->out;

    if (b->oom) {
        cli_err("export: out of memory");
        return -1;
    }
    if (b->len == 0 || (!force && b->len < FLUSH_BYTES))
        return 0;
    if (fwrite(b->data, 1, b->len, r->f) != b->len) {
        cli_err("export: writing %s: %s", r->path ? r->path : "output",
                strerror(errno));
        return -1;
    }
    b->len = 0;
    if (force && fflush(r->f) != 0) {
        cli_err("export: writing %s: %s", r->path ? r->path : "output",
                strerror(errno));
        return -1;
    }
    return 0;
}

/* After a writer call: reports a failure, flushes when due.  Returns
 * non-zero to stop the store's iteration. */
static int after(struct export_run *r, enum df_err e)
{
    if (e != DF_OK) {
        cli_err("export: %s", df_strerror(e));
        r->failed = 1;
        return 1;
    }
    if (flush_out(r, 0) != 0) {
        r->failed = 1;
        return 1;
    }
    return 0;
}

/* ---- vessel names for events ---------------------------------------------- */

static int cmp_name(const void *a, const void *b)
{
    uint32_t x = ((const struct name_ent *)a)->mmsi;
    uint32_t y = ((const struct name_ent *)b)->mmsi;

    return x < y ? -1 : x > y;
}

static int collect_name(const struct df_vessel *v, double score, void *ud)
{
    struct export_run *r = ud;
    const struct df_identity *best = NULL;
    unsigned i, n = v->nidentities > DF_MAX_IDENTITIES ? DF_MAX_IDENTITIES
                                                       : v->nidentities;
    struct name_ent *e;

    (void)score;
    for (i = 0; i < n; i++)
        if (v->identities[i].shipname[0] &&
            (!best || v->identities[i].last_ms >= best->last_ms))
            best = &v->identities[i];
    if (!best)
        return 0;
    if (r->nnames == r->capnames) {
        size_t cap = r->capnames ? r->capnames * 2 : 1024;
        struct name_ent *p = realloc(r->names, cap * sizeof *p);
        if (!p) {
            cli_err("export: out of memory");
            r->failed = 1;
            return 1;
        }
        r->names = p;
        r->capnames = cap;
    }
    e = &r->names[r->nnames++];
    e->mmsi = v->mmsi;
    memcpy(e->name, best->shipname, sizeof e->name);
    e->name[sizeof e->name - 1] = '\0';
    return 0;
}

static const char *lookup_name(uint32_t mmsi, void *ud)
{
    struct export_run *r = ud;
    struct name_ent key, *e;

    if (r->nnames == 0)
        return NULL;
    key.mmsi = mmsi;
    e = bsearch(&key, r->names, r->nnames, sizeof *r->names, cmp_name);
    return e ? e->name : NULL;
}

/* ---- store callbacks ------------------------------------------------------ */

static int on_event(int64_t id, const struct df_event *ev, void *ud)
{
    struct export_run *r = ud;

    return after(r, df_export_event(r->x, &r->out, id, ev));
}

static int on_point(uint32_t mmsi, const struct df_point *p, void *ud)
{
    struct export_run *r = ud;

    (void)mmsi;
    return after(r, df_export_track_point(r->x, &r->out, p));
}

/* One vessel: its track.  Reads the points from inside the vessel
 * iteration (a second statement on the same connection). */
static int on_vessel(const struct df_vessel *v, double score, void *ud)
{
    struct export_run *r = ud;
    int rc;

    if (r->mmsi && v->mmsi != r->mmsi)
        return 0;
    if (after(r, df_export_track_begin(r->x, &r->out, v, score)))
        return 1;
    rc = df_store_each_point(r->store, v->mmsi, on_point, r);
    if (rc != 0)
        return rc;
    return after(r, df_export_track_end(r->x, &r->out));
}

/* After an iteration over the store: 0, or 1 after one error line. */
static int read_done(struct export_run *r, int rc, const char *db)
{
    if (r->failed)
        return 1;
    if (rc != 0) {
        cli_err("export: reading %s: %s", db, df_store_error(r->store));
        r->failed = 1;
        return 1;
    }
    return 0;
}

/* ---- options ---------------------------------------------------------------- */

/* Parses an MMSI: 1-9 digits, not 0. */
static int parse_mmsi(const char *s, uint32_t *out)
{
    size_t n = strlen(s);
    unsigned long v;

    if (n == 0 || n > 9 || strspn(s, "0123456789") != n)
        return -1;
    v = strtoul(s, NULL, 10);
    if (v == 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

enum { OPT_DB = CLI_OPT_OWN, OPT_FORMAT, OPT_WHAT, OPT_MMSI, OPT_OUTPUT };

static const struct cli_opt opts[] = {
    {OPT_DB, "--db", NULL, 1},
    {OPT_FORMAT, "--format", "-f", 1},
    {OPT_WHAT, "--what", NULL, 1},
    {OPT_MMSI, "--mmsi", NULL, 1},
    {OPT_OUTPUT, "--output", "-o", 1},
    CLI_OPTS_HELP,
    CLI_OPTS_END};

int cmd_export(int argc, char **argv)
{
    struct export_run run;
    struct df_export_opts xo;
    const char *db = DEFAULT_DB, *format = NULL, *what = NULL;
    const char *mmsi_arg = NULL, *val;
    struct cli_args args;
    unsigned sections;
    int rc = 0, id;
    char err[512];

    memset(&run, 0, sizeof run);
    memset(&xo, 0, sizeof xo);
    cli_args_init(&args, "export", argc, argv);
    while ((id = cli_args_next(&args, opts, &val)) != CLI_END) {
        switch (id) {
        case OPT_DB: db = val; break;
        case OPT_FORMAT: format = val; break;
        case OPT_WHAT: what = val; break;
        case OPT_MMSI: mmsi_arg = val; break;
        case OPT_OUTPUT: run.path = val; break;
        case CLI_OPT_HELP:
            usage(stdout);
            return 0;
        default:
            return cli_args_bad(&args, id, val);
        }
    }

    /* The command line is checked whole before any file is touched. */
    if (!format) {
        cli_err("export: --format geojson|geojsonseq|kml|csv is required");
        return 2;
    }
    if (!what)
        sections = strcmp(format, "csv") == 0
                       ? DF_EXPORT_EVENTS
                       : DF_EXPORT_EVENTS | DF_EXPORT_TRACKS;
    else if (strcmp(what, "events") == 0)
        sections = DF_EXPORT_EVENTS;
    else if (strcmp(what, "tracks") == 0)
        sections = DF_EXPORT_TRACKS;
    else if (strcmp(what, "all") == 0)
        sections = DF_EXPORT_EVENTS | DF_EXPORT_TRACKS;
    else {
        cli_err("export: --what '%s': expected events, tracks or all",
                what);
        return 2;
    }
    if (strcmp(format, "geojson") == 0)
        xo.format = DF_EXPORT_GEOJSON;
    else if (strcmp(format, "geojsonseq") == 0)
        xo.format = DF_EXPORT_GEOJSONSEQ;
    else if (strcmp(format, "kml") == 0)
        xo.format = DF_EXPORT_KML;
    else if (strcmp(format, "csv") == 0) {
        if (sections == (DF_EXPORT_EVENTS | DF_EXPORT_TRACKS)) {
            cli_err("export: csv holds one table: --what events or "
                    "--what tracks");
            return 2;
        }
        xo.format = sections == DF_EXPORT_EVENTS ? DF_EXPORT_CSV_EVENTS
                                                 : DF_EXPORT_CSV_TRACKS;
    } else {
        cli_err("export: unknown format '%s': expected geojson, "
                "geojsonseq, kml or csv",
                format);
        return 2;
    }
    if (mmsi_arg && parse_mmsi(mmsi_arg, &run.mmsi) != 0) {
        cli_err("export: --mmsi '%s' is not an MMSI", mmsi_arg);
        return 2;
    }
    if (run.path && strcmp(run.path, "-") == 0)
        run.path = NULL;
    xo.what = sections;
    xo.vessel_name = lookup_name;
    xo.ud = &run;

    err[0] = '\0';
    if (df_store_open_ro(&run.store, db, err, sizeof err) != DF_OK) {
        cli_err("%s", err[0] ? err : "export: cannot open the database");
        return 1;
    }
    run.x = df_export_new(&xo);
    if (!run.x) {
        cli_err("export: out of memory");
        rc = 1;
        goto done;
    }
    if ((sections & DF_EXPORT_EVENTS) &&
        read_done(&run, df_store_each_vessel(run.store, collect_name, &run),
                  db)) {
        rc = 1;
        goto done;
    }
    if (run.nnames > 1)
        qsort(run.names, run.nnames, sizeof *run.names, cmp_name);

    if (run.path) {
        run.f = fopen(run.path, "wb");
        if (!run.f) {
            cli_err("export: %s: %s", run.path, strerror(errno));
            rc = 1;
            goto done;
        }
    } else {
        run.f = stdout;
    }
    if (after(&run, df_export_begin(run.x, &run.out)) ||
        ((sections & DF_EXPORT_EVENTS) &&
         read_done(&run,
                   df_store_each_event(run.store, run.mmsi, on_event, &run),
                   db)) ||
        ((sections & DF_EXPORT_TRACKS) &&
         read_done(&run, df_store_each_vessel(run.store, on_vessel, &run),
                   db)) ||
        after(&run, df_export_end(run.x, &run.out)) ||
        flush_out(&run, 1) != 0) {
        rc = 1;
        goto done;
    }

done:
    if (run.f && run.f != stdout) {
        if (fclose(run.f) != 0 && rc == 0) {
            cli_err("export: writing %s: %s", run.path, strerror(errno));
            rc = 1;
        }
        if (rc != 0)
            remove(run.path);
    }
    df_export_free(run.x);
    df_buf_free(&run.out);
    free(run.names);
    /* Read-only: closing cannot lose anything. */
    df_store_close(run.store);
    return rc;
}
