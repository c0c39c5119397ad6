/*
 * report.c - the static report of DESIGN.md ("darkfleet report"): a
 * folder that opens from disk with no network.
 *
 *   index.html          ranked vessels and their reasons; every event on a
 *                       map over Natural Earth land; filters by type
 *   data.js             window.DARKFLEET = {vessels: [...], events: [...]}
 *   assets/             app.js, style.css, MapLibre GL (UMD) and land.js,
 *                       all built into the library (report_assets.h)
 *   v/<mmsi>.html       a page per top vessel (vessel.html with its number)
 *   v/<mmsi>.js         window.DARKFLEET_VESSEL = {track, identities,
 *                       reasons, events, others}
 *
 * The pages never fetch: every datum is in a script file beside them, so
 * file:// works.  Names, call signs and destinations are whatever a
 * transponder or a file said, so every string is written with
 * df_buf_json_script_str (a JSON literal in which '<' is \u003c: it can
 * neither end a script nor open a comment), and the stored evidence
 * objects are parsed and written again the same way rather than pasted;
 * app.js then puts every string into the page with textContent.  Numbers
 * are written by printf, non-finite ones as null.
 *
 * The store is read in passes (vessels, then reasons, events and points
 * per vessel), never with two queries open at once.  Limits keep a report
 * small whatever the store holds: vessel pages for the top N, points per
 * track (evenly downsampled, first and last kept), vessels listed and
 * events on the overview map (struct df_report_opts).
 */
#include "darkfleet.h"
#include "util/alloc.h"
#include "util/grow.h"
#include "report_assets.h"

#include <jansson.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define PATH_MAX_LEN 4096
#define EVIDENCE_DEPTH 8     /* nesting kept when rewriting evidence */

/* A listed vessel: what the index shows. */
struct row {
    uint32_t mmsi;
    double score;
    char flag[3];
    int64_t first_ms, last_ms;
    uint64_t positions;
    int32_t last_lon, last_lat;
    unsigned nidentities;
    struct df_identity id;      /* the identity seen last */
    struct df_vessel *full;     /* top vessels: everything, else NULL */
};

struct report {
    struct df_store *st;
    const char *dir;
    struct df_report_opts opts;
    struct row *rows;
    size_t nrows, cap;
    uint64_t total;             /* vessels in the store */
    uint32_t *by_mmsi;          /* row indexes sorted by MMSI */
    int oom;
    char *err;
    size_t errlen;
};

void df_report_opts_init(struct df_report_opts *opts)
{
    opts->top = DF_REPORT_TOP_DEFAULT;
    opts->track_max = DF_REPORT_TRACK_MAX;
    opts->list_max = DF_REPORT_LIST_MAX;
    opts->events_max = DF_REPORT_EVENTS_MAX;
}

static void set_err(struct report *r, const char *what, const char *path,
                    int errnum)
{
    if (r->errlen == 0)
        return;
    if (errnum)
        snprintf(r->err, r->errlen, "%s %s: %s", what, path,
                 strerror(errnum));
    else
        snprintf(r->err, r->errlen, "%s%s%s", what, path[0] ? " " : "",
                 path);
}

/* ---- files ------------------------------------------------------------- */

/* dir/name into out; DF_INVAL if it does not fit. */
static enum df_err join(struct report *r, char *out, const char *name)
{
    int n = snprintf(out, PATH_MAX_LEN, "%s/%s", r->dir, name);

    if (n < 0 || n >= PATH_MAX_LEN) {
        set_err(r, "path too long:", name, 0);
        return DF_INVAL;
    }
    return DF_OK;
}

/* Creates a directory (and its parents); an existing directory is fine. */
static enum df_err make_dir(struct report *r, const char *path)
{
    char tmp[PATH_MAX_LEN];
    size_t i, n = strlen(path);
    struct stat sb;

    if (n == 0 || n >= sizeof tmp) {
        set_err(r, "bad output directory", "", 0);
        return DF_INVAL;
    }
    memcpy(tmp, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0')
            continue;
        tmp[i] = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST) {
            set_err(r, "cannot create", tmp, errno);
            return DF_IO;
        }
        if (i < n)
            tmp[i] = '/';
    }
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        set_err(r, "not a directory:", path, 0);
        return DF_IO;
    }
    return DF_OK;
}

/* Writes len bytes to dir/name, replacing it. */
static enum df_err write_file(struct report *r, const char *name,
                              const void *data, size_t len)
{
    char path[PATH_MAX_LEN];
    FILE *f;
    int e = 0;
    enum df_err rc = join(r, path, name);

    if (rc != DF_OK)
        return rc;
    f = fopen(path, "wb");
    if (!f) {
        set_err(r, "cannot write", path, errno);
        return DF_IO;
    }
    if (len && fwrite(data, 1, len, f) != len)
        e = errno ? errno : EIO;
    if (fclose(f) != 0 && !e)
        e = errno ? errno : EIO;
    if (e) {
        set_err(r, "cannot write", path, e);
        return DF_IO;
    }
    return DF_OK;
}

/* Writes a buffer (and frees it); DF_NOMEM if building it failed. */
static enum df_err write_buf(struct report *r, const char *name,
                             struct df_buf *b)
{
    enum df_err rc;

    if (b->oom) {
        df_buf_free(b);
        set_err(r, "out of memory writing", name, 0);
        return DF_NOMEM;
    }
    rc = write_file(r, name, b->data ? b->data : "", b->len);
    df_buf_free(b);
    return rc;
}

/* ---- JSON pieces --------------------------------------------------------- */

static void jstr(struct df_buf *b, const char *s, size_t cap)
{
    df_buf_json_script_str(b, s, strnlen(s, cap));
}

/* A fixed char field as "key":"value". */
#define JFIELD(b, key, field) \
    (df_buf_puts(b, ",\"" key "\":"), jstr(b, field, sizeof(field)))

static void jtime(struct df_buf *b, int64_t ms)
{
    if (ms == DF_TIME_NONE)
        df_buf_puts(b, "null");
    else
        df_buf_printf(b, "%lld", (long long)ms);
}

static void jnum(struct df_buf *b, double v)
{
    if (isfinite(v))
        df_buf_printf(b, "%.6g", v == 0 ? 0.0 : v);
    else
        df_buf_puts(b, "null");
}

/* A wire coordinate (1/10000 min) as degrees, null when na/out of range. */
static void jcoord(struct df_buf *b, int32_t v, int32_t na, int32_t max)
{
    if (v == na || v > max || v < -max)
        df_buf_puts(b, "null");
    else
        df_buf_printf(b, "%.5f", v / 600000.0);
}

/* 1 if the event has a position the map can draw. */
static int placed(const struct df_event *ev)
{
    return ev->lat != DF_LAT_NA && ev->lat <= 90 * 600000 &&
           ev->lat >= -90 * 600000 && ev->lon != DF_LON_NA &&
           ev->lon <= 180 * 600000 && ev->lon >= -180 * 600000;
}

static void jlat(struct df_buf *b, int32_t v)
{
    jcoord(b, v, DF_LAT_NA, 90 * 600000);
}

static void jlon(struct df_buf *b, int32_t v)
{
    jcoord(b, v, DF_LON_NA, 180 * 600000);
}

/* A jansson value written again with script-safe strings. */
static void jvalue(struct df_buf *b, json_t *v, int depth)
{
    const char *key;
    json_t *item;
    size_t i;
    int first = 1;

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        if (depth >= EVIDENCE_DEPTH) {
            df_buf_puts(b, "{}");
            break;
        }
        df_buf_puts(b, "{");
        json_object_foreach(v, key, item) {
            if (!first)
                df_buf_puts(b, ",");
            first = 0;
            df_buf_json_script_str(b, key, strlen(key));
            df_buf_puts(b, ":");
            jvalue(b, item, depth + 1);
        }
        df_buf_puts(b, "}");
        break;
    case JSON_ARRAY:
        if (depth >= EVIDENCE_DEPTH) {
            df_buf_puts(b, "[]");
            break;
        }
        df_buf_puts(b, "[");
        json_array_foreach(v, i, item) {
            if (i)
                df_buf_puts(b, ",");
            jvalue(b, item, depth + 1);
        }
        df_buf_puts(b, "]");
        break;
    case JSON_STRING:
        df_buf_json_script_str(b, json_string_value(v),
                               json_string_length(v));
        break;
    case JSON_INTEGER:
        df_buf_printf(b, "%lld", (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        if (isfinite(json_real_value(v)))
            df_buf_printf(b, "%.10g", json_real_value(v));
        else
            df_buf_puts(b, "null");
        break;
    case JSON_TRUE:
        df_buf_puts(b, "true");
        break;
    case JSON_FALSE:
        df_buf_puts(b, "false");
        break;
    default:
        df_buf_puts(b, "null");
        break;
    }
}

/* A stored evidence object, parsed and written again: the store is a file
 * anyone may have edited, so its text is never pasted into a script.  Text
 * that is not a JSON object is kept as {"text": "..."}. */
static void jevidence(struct df_buf *b, const char *ev, size_t cap)
{
    size_t n = strnlen(ev, cap);
    json_t *v = n ? json_loadb(ev, n, JSON_REJECT_DUPLICATES, NULL) : NULL;

    if (v && json_is_object(v)) {
        jvalue(b, v, 0);
    } else if (n) {
        df_buf_puts(b, "{\"text\":");
        df_buf_json_script_str(b, ev, n);
        df_buf_puts(b, "}");
    } else {
        df_buf_puts(b, "{}");
    }
    json_decref(v);
}

static void jevent(struct df_buf *b, int64_t id, const struct df_event *ev)
{
    unsigned i, nv = ev->nvessels > 2 ? 2 : ev->nvessels;

    df_buf_printf(b, "{\"id\":%lld,\"type\":", (long long)id);
    df_buf_json_script_str(b, df_event_name(ev->type),
                           strlen(df_event_name(ev->type)));
    df_buf_puts(b, ",\"vessels\":[");
    for (i = 0; i < nv; i++)
        df_buf_printf(b, i ? ",%lu" : "%lu", (unsigned long)ev->vessels[i]);
    df_buf_puts(b, "],\"start\":");
    jtime(b, ev->start_ms);
    df_buf_puts(b, ",\"end\":");
    jtime(b, ev->end_ms);
    df_buf_puts(b, ",\"lat\":");
    jlat(b, ev->lat);
    df_buf_puts(b, ",\"lon\":");
    jlon(b, ev->lon);
    df_buf_puts(b, ",\"score\":");
    jnum(b, ev->score);
    df_buf_puts(b, ",\"evidence\":");
    jevidence(b, ev->evidence, sizeof ev->evidence);
    df_buf_puts(b, "}");
}

static void jidentity(struct df_buf *b, const struct df_identity *id)
{
    df_buf_puts(b, "{\"first\":");
    jtime(b, id->first_ms);
    df_buf_puts(b, ",\"last\":");
    jtime(b, id->last_ms);
    df_buf_printf(b, ",\"imo\":%lu", (unsigned long)id->imo);
    JFIELD(b, "name", id->shipname);
    JFIELD(b, "callsign", id->callsign);
    JFIELD(b, "destination", id->destination);
    df_buf_printf(b, ",\"shiptype\":%u,\"length\":%u,\"width\":%u,"
                  "\"draught\":",
                  id->shiptype, id->length_m, id->width_m);
    if (id->draught)
        df_buf_printf(b, "%.1f", id->draught / 10.0);
    else
        df_buf_puts(b, "null");
    df_buf_puts(b, "}");
}

/* ---- reading the store ---------------------------------------------------- */

/* The identity seen last (the first if none has a time). */
static const struct df_identity *latest(const struct df_vessel *v)
{
    const struct df_identity *best = NULL;
    unsigned i, n = v->nidentities;

    if (n > DF_MAX_IDENTITIES)
        n = DF_MAX_IDENTITIES;
    for (i = 0; i < n; i++)
        if (!best || (v->identities[i].last_ms != DF_TIME_NONE &&
                      (best->last_ms == DF_TIME_NONE ||
                       v->identities[i].last_ms >= best->last_ms)))
            best = &v->identities[i];
    return best;
}

static int on_vessel(const struct df_vessel *v, double score, void *ud)
{
    struct report *r = ud;
    struct row *row;
    const struct df_identity *id;

    r->total++;
    if (r->nrows >= r->opts.list_max)
        return 0;   /* counted, not listed */
    if (r->nrows == r->cap &&
        df__grow(&r->rows, &r->cap, sizeof *r->rows, 256) != 0) {
        r->oom = 1;
        return 1;
    }
    row = &r->rows[r->nrows];
    memset(row, 0, sizeof *row);
    row->mmsi = v->mmsi;
    row->score = isfinite(score) ? score : 0;
    memcpy(row->flag, v->flag, sizeof row->flag);
    row->flag[sizeof row->flag - 1] = '\0';
    row->first_ms = v->first_ms;
    row->last_ms = v->last_ms;
    row->positions = v->positions;
    row->last_lon = v->last_lon;
    row->last_lat = v->last_lat;
    row->nidentities = v->nidentities > DF_MAX_IDENTITIES
                           ? DF_MAX_IDENTITIES : v->nidentities;
    id = latest(v);
    if (id)
        row->id = *id;
    if (r->nrows < r->opts.top) {
        row->full = df__malloc(sizeof *row->full);
        if (!row->full) {
            r->oom = 1;
            return 1;
        }
        *row->full = *v;
        row->full->nidentities = row->nidentities;
    }
    r->nrows++;
    return 0;
}

/* An MMSI and its row, sorted to find rows by MMSI. */
struct pair {
    uint32_t mmsi, idx;
};

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;

    return x->mmsi < y->mmsi ? -1 : x->mmsi > y->mmsi;
}

/* The row of a listed vessel, or NULL. */
static const struct row *find_row(const struct report *r, uint32_t mmsi)
{
    size_t lo = 0, hi = r->nrows;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t m = r->rows[r->by_mmsi[mid]].mmsi;
        if (m == mmsi)
            return &r->rows[r->by_mmsi[mid]];
        if (m < mmsi)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static enum df_err index_rows(struct report *r)
{
    struct pair *p;
    size_t i;

    r->by_mmsi = df__malloc((r->nrows ? r->nrows : 1) * sizeof *r->by_mmsi);
    p = df__malloc((r->nrows ? r->nrows : 1) * sizeof *p);
    if (!r->by_mmsi || !p) {
        df__free(p);
        return DF_NOMEM;
    }
    for (i = 0; i < r->nrows; i++) {
        p[i].mmsi = r->rows[i].mmsi;
        p[i].idx = (uint32_t)i;
    }
    if (r->nrows > 0)
        qsort(p, r->nrows, sizeof *p, cmp_pair);
    for (i = 0; i < r->nrows; i++)
        r->by_mmsi[i] = p[i].idx;
    df__free(p);
    return DF_OK;
}

/* Collects reasons as a JSON array into a buffer. */
struct reasons_ctx {
    struct df_buf *b;
    unsigned n;
};

static int on_reason(const struct df_reason *rs, void *ud)
{
    struct reasons_ctx *c = ud;

    df_buf_puts(c->b, c->n++ ? ",{\"points\":" : "{\"points\":");
    jnum(c->b, rs->points);
    JFIELD(c->b, "text", rs->text);
    JFIELD(c->b, "type", rs->event_type);
    df_buf_printf(c->b, ",\"event\":%lld}", (long long)rs->event_id);
    return c->b->oom;
}

static enum df_err reasons(struct report *r, struct df_buf *b, uint32_t mmsi)
{
    struct reasons_ctx c = {b, 0};
    int rc;

    df_buf_puts(b, "[");
    rc = df_store_each_reason(r->st, mmsi, on_reason, &c);
    df_buf_puts(b, "]");
    if (b->oom)
        return DF_NOMEM;
    if (rc != 0) {
        set_err(r, "reading reasons:", df_store_error(r->st), 0);
        return DF_DB;
    }
    return DF_OK;
}

/* Events as JSON objects, comma-separated, up to max; every one is
 * counted, with those without a position and those written with one. */
struct events_ctx {
    struct df_buf *b;
    uint64_t n, max;
    uint64_t unplaced;          /* of all n, without a position */
    uint64_t drawn;             /* of those written, with a position */
    uint32_t *others;           /* the other vessels met (vessel pages) */
    size_t nothers, cap;
    uint32_t self;
    int oom;
};

static int on_event(int64_t id, const struct df_event *ev, void *ud)
{
    struct events_ctx *c = ud;
    unsigned i;

    if (!placed(ev))
        c->unplaced++;
    if (c->n++ >= c->max)
        return 0;   /* counted only */
    if (placed(ev))
        c->drawn++;
    if (c->n > 1)
        df_buf_puts(c->b, ",\n");
    jevent(c->b, id, ev);
    for (i = 0; c->self && i < ev->nvessels && i < 2; i++) {
        if (ev->vessels[i] == c->self)
            continue;
        if (c->nothers == c->cap &&
            df__grow(&c->others, &c->cap, sizeof *c->others, 16) != 0) {
            c->oom = 1;
            return 1;
        }
        c->others[c->nothers++] = ev->vessels[i];
    }
    return c->b->oom;
}

static enum df_err events(struct report *r, struct events_ctx *c,
                          uint32_t mmsi)
{
    int rc = df_store_each_event(r->st, mmsi, on_event, c);

    if (c->b->oom || c->oom)
        return DF_NOMEM;
    if (rc != 0) {
        set_err(r, "reading events:", df_store_error(r->st), 0);
        return DF_DB;
    }
    return DF_OK;
}

/* A vessel's track, every point, for downsampling. */
struct track_ctx {
    struct df_point *p;
    size_t n, cap;
    int oom;
};

static int on_point(uint32_t mmsi, const struct df_point *p, void *ud)
{
    struct track_ctx *c = ud;

    (void)mmsi;
    if (c->n == c->cap && df__grow(&c->p, &c->cap, sizeof *c->p, 1024) != 0) {
        c->oom = 1;
        return 1;
    }
    c->p[c->n++] = *p;
    return 0;
}

static void jpoint(struct df_buf *b, const struct df_point *p)
{
    df_buf_puts(b, "[");
    jtime(b, p->t_ms);
    df_buf_puts(b, ",");
    jlon(b, p->lon);
    df_buf_puts(b, ",");
    jlat(b, p->lat);
    if (p->speed < DF_SPEED_NA)
        df_buf_printf(b, ",%.1f", p->speed / 10.0);
    else
        df_buf_puts(b, ",null");
    if (p->course < DF_COURSE_NA)
        df_buf_printf(b, ",%.1f]", p->course / 10.0);
    else
        df_buf_puts(b, ",null]");
}

/* ---- the pages ------------------------------------------------------------ */

/* The fields of the index's vessel list. */
static void jrow(struct df_buf *b, const struct row *row)
{
    df_buf_printf(b, "{\"mmsi\":%lu,\"score\":", (unsigned long)row->mmsi);
    jnum(b, row->score);
    df_buf_printf(b, ",\"page\":%s", row->full ? "true" : "false");
    JFIELD(b, "flag", row->flag);
    JFIELD(b, "name", row->id.shipname);
    df_buf_printf(b, ",\"imo\":%lu", (unsigned long)row->id.imo);
    JFIELD(b, "callsign", row->id.callsign);
    JFIELD(b, "destination", row->id.destination);
    df_buf_printf(b, ",\"shiptype\":%u,\"identities\":%u,\"positions\":%llu"
                  ",\"first\":",
                  row->id.shiptype, row->nidentities,
                  (unsigned long long)row->positions);
    jtime(b, row->first_ms);
    df_buf_puts(b, ",\"last\":");
    jtime(b, row->last_ms);
    df_buf_puts(b, ",\"lat\":");
    jlat(b, row->last_lat);
    df_buf_puts(b, ",\"lon\":");
    jlon(b, row->last_lon);
}

static enum df_err write_index(struct report *r)
{
    struct df_buf b = {0};
    struct events_ctx ec;
    enum df_err rc = DF_OK;
    size_t i;

    df_buf_printf(&b, "window.DARKFLEET = {\"version\":\"%s\","
                  "\"vessels_total\":%llu,\"top\":%u,\"vessels\":[\n",
                  DF_VERSION_STRING, (unsigned long long)r->total,
                  r->opts.top);
    for (i = 0; i < r->nrows && rc == DF_OK; i++) {
        if (i)
            df_buf_puts(&b, ",\n");
        jrow(&b, &r->rows[i]);
        df_buf_puts(&b, ",\"reasons\":");
        rc = reasons(r, &b, r->rows[i].mmsi);
        df_buf_puts(&b, "}");
    }
    if (rc != DF_OK) {
        df_buf_free(&b);
        return rc;
    }
    df_buf_puts(&b, "],\n\"events\":[\n");
    memset(&ec, 0, sizeof ec);
    ec.b = &b;
    ec.max = r->opts.events_max;
    rc = events(r, &ec, 0);
    if (rc != DF_OK) {
        df_buf_free(&b);
        return rc;
    }
    df_buf_printf(&b, "],\n\"events_total\":%llu,\"events_drawn\":%llu,"
                  "\"events_unplaced\":%llu,\"events_max\":%u};\n",
                  (unsigned long long)ec.n, (unsigned long long)ec.drawn,
                  (unsigned long long)ec.unplaced, r->opts.events_max);
    return write_buf(r, "data.js", &b);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/* v/<mmsi>.js */
static enum df_err write_vessel_data(struct report *r, const struct row *row)
{
    const struct df_vessel *v = row->full;
    struct df_buf b = {0};
    struct events_ctx ec;
    struct track_ctx tc;
    char name[64];
    enum df_err rc;
    size_t i, keep;
    unsigned k;
    int drc;

    df_buf_puts(&b, "window.DARKFLEET_VESSEL = ");
    jrow(&b, row);
    df_buf_printf(&b, ",\"mid\":%u,\"identity_history\":[", v->mid);
    for (k = 0; k < v->nidentities; k++) {
        if (k)
            df_buf_puts(&b, ",\n");
        jidentity(&b, &v->identities[k]);
    }
    df_buf_puts(&b, "],\n\"reasons\":");
    rc = reasons(r, &b, v->mmsi);
    if (rc != DF_OK)
        goto out;

    df_buf_puts(&b, ",\n\"events\":[\n");
    memset(&ec, 0, sizeof ec);
    ec.b = &b;
    ec.max = r->opts.events_max;
    ec.self = v->mmsi;
    rc = events(r, &ec, v->mmsi);
    if (rc != DF_OK) {
        df__free(ec.others);
        goto out;
    }
    df_buf_printf(&b, "],\"events_total\":%llu,\n\"others\":{",
                  (unsigned long long)ec.n);
    /* The vessels it met, with a name and whether they have a page. */
    if (ec.nothers > 0)         /* qsort(NULL, 0, ...) is undefined */
        qsort(ec.others, ec.nothers, sizeof *ec.others, cmp_u32);
    for (i = 0, k = 0; i < ec.nothers; i++) {
        const struct row *o;
        if (i && ec.others[i] == ec.others[i - 1])
            continue;
        o = find_row(r, ec.others[i]);
        df_buf_printf(&b, "%s\"%lu\":{\"name\":", k++ ? "," : "",
                      (unsigned long)ec.others[i]);
        if (o)
            jstr(&b, o->id.shipname, sizeof o->id.shipname);
        else
            df_buf_puts(&b, "\"\"");
        df_buf_printf(&b, ",\"page\":%s,\"score\":",
                      o && o->full ? "true" : "false");
        jnum(&b, o ? o->score : 0);
        df_buf_puts(&b, "}");
    }
    df__free(ec.others);
    df_buf_puts(&b, "},\n\"track\":[");

    memset(&tc, 0, sizeof tc);
    drc = df_store_each_point(r->st, v->mmsi, on_point, &tc);
    if (tc.oom) {
        rc = DF_NOMEM;
    } else if (drc != 0) {
        set_err(r, "reading track:", df_store_error(r->st), 0);
        rc = DF_DB;
    }
    if (rc == DF_OK) {
        keep = tc.n < r->opts.track_max ? tc.n : r->opts.track_max;
        for (i = 0; i < keep; i++) {
            /* evenly spaced, the first and the last kept */
            size_t j = keep > 1 ? i * (tc.n - 1) / (keep - 1) : 0;
            if (i)
                df_buf_puts(&b, ",\n");
            jpoint(&b, &tc.p[j]);
        }
        df_buf_printf(&b, "],\"track_total\":%llu};\n",
                      (unsigned long long)tc.n);
    }
    df__free(tc.p);
    if (rc != DF_OK)
        goto out;
    snprintf(name, sizeof name, "v/%lu.js", (unsigned long)v->mmsi);
    return write_buf(r, name, &b);
out:
    df_buf_free(&b);
    return rc;
}

static const struct df__report_asset *asset(const char *name)
{
    size_t i;

    for (i = 0; name && i < df__report_nassets; i++)
        if (strcmp(df__report_assets[i].name, name) == 0)
            return &df__report_assets[i];
    return NULL;
}

const unsigned char *df_web_asset(const char *name, size_t *len)
{
    const struct df__report_asset *a = asset(name);

    if (len)
        *len = a ? a->len : 0;
    return a ? a->data : NULL;
}

const char *df_web_asset_name(size_t i)
{
    return i < df__report_nassets ? df__report_assets[i].name : NULL;
}

/* The workspace's own files, which a report leaves out. */
static int serve_only(const char *name)
{
    return strcmp(name, "serve.html") == 0 ||
           strcmp(name, "assets/serve.js") == 0;
}

/* v/<mmsi>.html: the template with the number in place of @MMSI@. */
static enum df_err write_vessel_page(struct report *r,
                                     const struct df__report_asset *tpl,
                                     uint32_t mmsi)
{
    static const char mark[] = "@MMSI@";
    struct df_buf b = {0};
    const char *p = (const char *)tpl->data, *end = p + tpl->len;
    char name[64];

    while (p < end) {
        const char *q = p;
        while (q + sizeof mark - 1 <= end &&
               memcmp(q, mark, sizeof mark - 1) != 0)
            q++;
        if (q + sizeof mark - 1 > end) {
            df_buf_append(&b, p, (size_t)(end - p));
            break;
        }
        df_buf_append(&b, p, (size_t)(q - p));
        df_buf_printf(&b, "%lu", (unsigned long)mmsi);
        p = q + sizeof mark - 1;
    }
    snprintf(name, sizeof name, "v/%lu.html", (unsigned long)mmsi);
    return write_buf(r, name, &b);
}

static enum df_err write_assets(struct report *r)
{
    size_t i;
    enum df_err rc;

    for (i = 0; i < df__report_nassets; i++) {
        const struct df__report_asset *a = &df__report_assets[i];
        if (strcmp(a->name, "vessel.html") == 0 || serve_only(a->name))
            continue;
        rc = write_file(r, a->name, a->data, a->len);
        if (rc != DF_OK)
            return rc;
    }
    return DF_OK;
}

static enum df_err run(struct report *r)
{
    const struct df__report_asset *tpl = asset("vessel.html");
    char path[PATH_MAX_LEN];
    enum df_err rc;
    size_t i;
    int drc;

    if (!tpl || !asset("index.html")) {
        set_err(r, "report assets missing from this build", "", 0);
        return DF_INVAL;
    }
    if ((rc = make_dir(r, r->dir)) != DF_OK ||
        (rc = join(r, path, "assets")) != DF_OK ||
        (rc = make_dir(r, path)) != DF_OK ||
        (rc = join(r, path, "v")) != DF_OK ||
        (rc = make_dir(r, path)) != DF_OK)
        return rc;

    drc = df_store_each_vessel(r->st, on_vessel, r);
    if (r->oom)
        return DF_NOMEM;
    if (drc != 0) {
        set_err(r, "reading vessels:", df_store_error(r->st), 0);
        return DF_DB;
    }
    if ((rc = index_rows(r)) != DF_OK)
        return rc;
    if ((rc = write_assets(r)) != DF_OK)
        return rc;
    if ((rc = write_index(r)) != DF_OK)
        return rc;
    for (i = 0; i < r->nrows && r->rows[i].full; i++) {
        rc = write_vessel_data(r, &r->rows[i]);
        if (rc == DF_OK)
            rc = write_vessel_page(r, tpl, r->rows[i].mmsi);
        if (rc != DF_OK)
            return rc;
    }
    return DF_OK;
}

enum df_err df_report_write_opts(struct df_store *st, const char *dir,
                                 const struct df_report_opts *opts,
                                 char *err, size_t errlen)
{
    struct report r;
    enum df_err rc;
    size_t i;

    memset(&r, 0, sizeof r);
    r.st = st;
    r.dir = dir;
    r.err = err;
    r.errlen = errlen;
    if (errlen)
        err[0] = '\0';
    if (opts)
        r.opts = *opts;
    else
        df_report_opts_init(&r.opts);
    if (!st || !dir || !*dir) {
        set_err(&r, "df_report_write: no store or directory", "", 0);
        return DF_INVAL;
    }
    if (r.opts.top > r.opts.list_max)
        r.opts.top = r.opts.list_max;
    if (r.opts.track_max < 2)
        r.opts.track_max = 2;

    rc = run(&r);
    if (rc == DF_NOMEM && errlen && !err[0])
        set_err(&r, "out of memory", "", 0);
    for (i = 0; i < r.nrows; i++)
        df__free(r.rows[i].full);
    df__free(r.rows);
    df__free(r.by_mmsi);
    return rc;
}
