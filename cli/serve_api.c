/*
 * serve_api.c - the JSON API of `darkfleet serve`, every answer read from
 * the store through darkfleet.h's queries (section 17), each request in
 * one read transaction of a store connection of its own:
 *
 *   GET /api/stats                  what the store holds: vessels, events
 *                                   by type, days, first and last
 *                                   position, last scan and last write;
 *                                   "generation" changes when it changed
 *   GET /api/vessels?q=&limit=&offset=
 *                                   vessels found by name (earlier ones
 *                                   too), call sign, MMSI or IMO, ranked
 *                                   by risk, with their top reasons
 *   GET /api/vessels/MMSI?from=&to=&zoom=&points=
 *                                   one vessel: identities over time,
 *                                   reasons, events, encounter partners
 *                                   and its track (/track: the track
 *                                   alone), between from and to, thinned
 *                                   to zoom's pixels and at most points
 *   GET /api/events?type=&from=&to=&bbox=&min_score=&mmsi=&sort=
 *                   &brief=&limit=&offset=
 *                                   events in a box and a time
 *   GET /api/events/ID?points=      one event, its vessels, and both
 *                                   vessels' tracks around it
 *
 * Parameters are checked before the store is touched: a parameter this
 * endpoint does not take, one given twice, one holding a NUL, a number
 * that is not one or is out of range, a date that does not parse, a box
 * that is not four numbers in range, an unknown event type: 400, with a
 * JSON error naming it.  Unknown paths: 404.  Values reach SQL only as
 * bound parameters (darkfleet.h's queries).  Times are UTC ISO 8601
 * with 'Z' (from and to take "YYYY-MM-DD[THH:MM[:SS[.fff]]][Z]"), positions
 * decimal degrees, track points [time, lon, lat, knots, degrees].  Every
 * string from the store (names, call signs, reasons, evidence) is
 * written by df_buf_json_utf8_str: valid UTF-8, control characters
 * escaped.
 */
#include "serve.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define VESSELS_LIMIT 50            /* default and most a page of */
#define VESSELS_MAX 200             /* vessels */
#define EVENTS_LIMIT 100            /* ... and of events */
#define EVENTS_MAX 5000
#define TRACK_POINTS 2000           /* ... and of a track's points */
#define TRACK_MAX 20000
#define VESSEL_EVENTS 1000          /* a vessel's events shown */
#define VESSEL_PARTNERS 500         /* ... and its partners */
#define LIST_REASONS 5              /* reasons beside a listed vessel */
#define OFFSET_MAX 1000000000ULL
#define EVENT_PAD_MS (6 * 3600000LL) /* tracks around an event */
#define ECHO 40                     /* bytes of a bad value said back */

/* ---- parameters ------------------------------------------------------- */

static const struct serve_arg *find_arg(const struct serve_args *a,
                                        const char *key)
{
    unsigned i;

    for (i = 0; i < a->n; i++)
        if (strcmp(a->a[i].key, key) == 0)
            return &a->a[i];
    return NULL;
}

/* Every parameter is one of known (NULL-ended) or "token", none is given
 * twice and none holds a NUL.  0, else -1 with the 400 in r. */
static int check_args(const struct serve_args *a, const char *const *known,
                      struct serve_reply *r)
{
    unsigned i, j;
    const char *const *k;

    for (i = 0; i < a->n; i++) {
        const struct serve_arg *x = &a->a[i];
        int ok = strcmp(x->key, "token") == 0;

        if (x->key_len != strlen(x->key) || x->len != strlen(x->value)) {
            serve_error(r, 400, "%.*s: a NUL byte in a parameter", ECHO,
                        x->key);
            return -1;
        }
        for (k = known; !ok && *k; k++)
            ok = strcmp(x->key, *k) == 0;
        if (!ok) {
            serve_error(r, 400, "unknown parameter '%.*s'", ECHO, x->key);
            return -1;
        }
        for (j = 0; j < i; j++)
            if (strcmp(a->a[j].key, x->key) == 0) {
                serve_error(r, 400, "%.*s: given twice", ECHO, x->key);
                return -1;
            }
    }
    return 0;
}

/* A whole number in [lo, hi] (def when absent) into *out.  0, else -1. */
static int arg_uint(const struct serve_args *a, const char *key,
                    uint64_t lo, uint64_t hi, uint64_t def, uint64_t *out,
                    struct serve_reply *r)
{
    const struct serve_arg *x = find_arg(a, key);
    uint64_t v = 0;
    size_t i;

    *out = def;
    if (!x)
        return 0;
    for (i = 0; i < x->len && i < 20; i++) {
        if (x->value[i] < '0' || x->value[i] > '9')
            break;
        v = v * 10 + (uint64_t)(x->value[i] - '0');
    }
    if (x->len == 0 || i != x->len || x->len > 19) {
        serve_error(r, 400, "%s: not a whole number: '%.*s'", key, ECHO,
                    x->value);
        return -1;
    }
    if (v < lo || v > hi) {
        serve_error(r, 400, "%s: %llu is out of range (%llu to %llu)", key,
                    (unsigned long long)v, (unsigned long long)lo,
                    (unsigned long long)hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* A finite decimal number in [lo, hi] into *out (*set 1), or nothing
 * when absent (*set 0).  0, else -1. */
static int arg_num(const char *key, const char *v, size_t n, double lo,
                   double hi, double *out, struct serve_reply *r)
{
    char buf[48], *end;
    size_t i;

    /* Digits, one point, a sign, an exponent: strtod's hex, inf and
     * nan are not numbers here. */
    for (i = 0; i < n; i++)
        if (!strchr("0123456789.+-eE", v[i]))
            break;
    if (n == 0 || i != n || n >= sizeof buf) {
        serve_error(r, 400, "%s: not a number: '%.*s'", key, ECHO, v);
        return -1;
    }
    memcpy(buf, v, n);
    buf[n] = '\0';
    *out = strtod(buf, &end);
    if (*end || !isfinite(*out)) {
        serve_error(r, 400, "%s: not a number: '%.*s'", key, ECHO, v);
        return -1;
    }
    if (*out < lo || *out > hi) {
        serve_error(r, 400, "%s: %g is out of range (%g to %g)", key, *out,
                    lo, hi);
        return -1;
    }
    return 0;
}

/* A time (df_time_parse) into *out, DF_TIME_NONE when absent. */
static int arg_time(const struct serve_args *a, const char *key,
                    int64_t *out, struct serve_reply *r)
{
    const struct serve_arg *x = find_arg(a, key);

    *out = DF_TIME_NONE;
    if (!x)
        return 0;
    *out = df_time_parse(x->value, x->len);
    if (*out != DF_TIME_NONE) {
        /* df_time_parse takes days up to 31 in any month: a date that
         * does not come back as given (February 30) is none. */
        char t[32];

        df_time_iso(*out, t);
        if (memcmp(t, x->value, 10) != 0)
            *out = DF_TIME_NONE;
    }
    if (*out == DF_TIME_NONE) {
        serve_error(r, 400,
                    "%s: not a date: '%.*s' (YYYY-MM-DD, with "
                    "THH:MM[:SS[.fff]][Z] if wanted; UTC)",
                    key, ECHO, x->value);
        return -1;
    }
    return 0;
}

/* bbox=minlon,minlat,maxlon,maxlat into q (a minlon east of maxlon
 * crosses 180).  0, else -1. */
static int arg_bbox(const struct serve_args *a, struct df_event_query *q,
                    struct serve_reply *r)
{
    static const double lim[4] = {180, 90, 180, 90};
    const struct serve_arg *x = find_arg(a, "bbox");
    double v[4];
    const char *p, *end;
    int i;

    if (!x)
        return 0;
    p = x->value;
    end = p + x->len;
    for (i = 0; i < 4; i++) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;

        if ((i < 3) != (comma != NULL)) {
            serve_error(r, 400, "bbox: not four numbers "
                                "minlon,minlat,maxlon,maxlat: '%.*s'",
                        ECHO, x->value);
            return -1;
        }
        if (arg_num("bbox", p, (size_t)(stop - p), -lim[i], lim[i], &v[i],
                    r) != 0)
            return -1;
        p = stop + 1;
    }
    if (v[1] > v[3]) {
        serve_error(r, 400, "bbox: minlat %g is north of maxlat %g", v[1],
                    v[3]);
        return -1;
    }
    q->box = 1;
    q->minlon = (int32_t)floor(v[0] * 600000.0);
    q->minlat = (int32_t)floor(v[1] * 600000.0);
    q->maxlon = (int32_t)ceil(v[2] * 600000.0);
    q->maxlat = (int32_t)ceil(v[3] * 600000.0);
    return 0;
}

/* type=a,b,... into a mask of event types.  0, else -1. */
static int arg_types(const struct serve_args *a, uint32_t *mask,
                     struct serve_reply *r)
{
    const struct serve_arg *x = find_arg(a, "type");
    const char *p, *end;

    *mask = 0;
    if (!x)
        return 0;
    p = x->value;
    end = p + x->len;
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        size_t n = (size_t)((comma ? comma : end) - p);
        char name[32];
        int t = -1;

        if (n > 0 && n < sizeof name) {
            memcpy(name, p, n);
            name[n] = '\0';
            t = df_event_type_from_name(name);
        }
        if (t < 0) {
            serve_error(r, 400, "type: unknown event type '%.*s'",
                        (int)(n < ECHO ? n : ECHO), p);
            return -1;
        }
        *mask |= 1u << t;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

/* from and to (from not after to).  0, else -1. */
static int arg_range(const struct serve_args *a, int64_t *from, int64_t *to,
                     struct serve_reply *r)
{
    if (arg_time(a, "from", from, r) != 0 || arg_time(a, "to", to, r) != 0)
        return -1;
    if (*from != DF_TIME_NONE && *to != DF_TIME_NONE && *from > *to) {
        serve_error(r, 400, "from is after to");
        return -1;
    }
    return 0;
}

/* ---- JSON --------------------------------------------------------------- */

static void jstr(struct df_buf *b, const char *s, size_t cap)
{
    df_buf_json_utf8_str(b, s, strnlen(s, cap));
}

#define JFIELD(b, key, field) \
    (df_buf_puts(b, ",\"" key "\":"), jstr(b, field, sizeof(field)))

static void jtime(struct df_buf *b, int64_t ms)
{
    char t[32];

    if (ms == DF_TIME_NONE) {
        df_buf_puts(b, "null");
        return;
    }
    df_time_iso(ms, t);
    df_buf_printf(b, "\"%s\"", t);
}

static void jnum(struct df_buf *b, double v)
{
    if (isfinite(v))
        df_buf_printf(b, "%.6g", v == 0 ? 0.0 : v);
    else
        df_buf_puts(b, "null");
}

/* A wire coordinate (1/10000 min) in degrees, null when na/out of range. */
static void jcoord(struct df_buf *b, int32_t v, int32_t na, int32_t max)
{
    if (v == na || v > max || v < -max)
        df_buf_puts(b, "null");
    else
        df_buf_printf(b, "%.5f", v / 600000.0);
}

static void jlatlon(struct df_buf *b, int32_t lat, int32_t lon)
{
    df_buf_puts(b, ",\"lat\":");
    jcoord(b, lat, DF_LAT_NA, 90 * 600000);
    df_buf_puts(b, ",\"lon\":");
    jcoord(b, lon, DF_LON_NA, 180 * 600000);
}

/* The identity seen last that gives field f (0 name, 1 IMO, 2 call
 * sign, 3 type, 4 length, 5 destination), or NULL. */
static const struct df_identity *latest(const struct df_vessel *v, int f)
{
    const struct df_identity *best = NULL;
    unsigned i;

    for (i = 0; i < v->nidentities && i < DF_MAX_IDENTITIES; i++) {
        const struct df_identity *id = &v->identities[i];
        int has = f == 0   ? id->shipname[0] != '\0'
                  : f == 1 ? id->imo != 0
                  : f == 2 ? id->callsign[0] != '\0'
                  : f == 3 ? id->shiptype != 0
                  : f == 4 ? id->length_m != 0
                           : id->destination[0] != '\0';

        if (has && (!best || id->last_ms >= best->last_ms))
            best = id;
    }
    return best;
}

/* A vessel's fields, without the closing brace. */
static void jvessel(struct df_buf *b, const struct df_vessel *v,
                    double score)
{
    const struct df_identity *id;

    df_buf_printf(b, "{\"mmsi\":%lu,\"score\":", (unsigned long)v->mmsi);
    jnum(b, score);
    JFIELD(b, "flag", v->flag);
    df_buf_printf(b, ",\"mid\":%u,\"name\":", v->mid);
    if ((id = latest(v, 0)))
        jstr(b, id->shipname, sizeof id->shipname);
    else
        df_buf_puts(b, "null");
    df_buf_puts(b, ",\"imo\":");
    if ((id = latest(v, 1)))
        df_buf_printf(b, "%lu", (unsigned long)id->imo);
    else
        df_buf_puts(b, "null");
    df_buf_puts(b, ",\"callsign\":");
    if ((id = latest(v, 2)))
        jstr(b, id->callsign, sizeof id->callsign);
    else
        df_buf_puts(b, "null");
    df_buf_puts(b, ",\"shiptype\":");
    if ((id = latest(v, 3)))
        df_buf_printf(b, "%u,\"shiptype_text\":\"%s\"", id->shiptype,
                      df_shiptype_text(id->shiptype));
    else
        df_buf_puts(b, "null,\"shiptype_text\":null");
    df_buf_puts(b, ",\"length_m\":");
    if ((id = latest(v, 4)))
        df_buf_printf(b, "%u", id->length_m);
    else
        df_buf_puts(b, "null");
    df_buf_puts(b, ",\"destination\":");
    if ((id = latest(v, 5)))
        jstr(b, id->destination, sizeof id->destination);
    else
        df_buf_puts(b, "null");
    df_buf_puts(b, ",\"first_seen\":");
    jtime(b, v->first_ms);
    df_buf_puts(b, ",\"last_seen\":");
    jtime(b, v->last_ms);
    df_buf_printf(b, ",\"positions\":%llu",
                  (unsigned long long)v->positions);
    jlatlon(b, v->last_lat, v->last_lon);
}

static void jreason(struct df_buf *b, const struct df_reason *re, int comma)
{
    df_buf_puts(b, comma ? ",{\"points\":" : "{\"points\":");
    jnum(b, re->points);
    df_buf_puts(b, ",\"contribution\":");
    jnum(b, re->contribution);
    JFIELD(b, "text", re->text);
    JFIELD(b, "event_type", re->event_type);
    df_buf_printf(b, ",\"event_id\":%lld}", (long long)re->event_id);
}

/* One event; brief leaves out the summary and the evidence. */
static void jevent(struct df_buf *b, const struct df_event_row *row,
                   int brief, struct df_buf *tmp)
{
    const struct df_event *ev = &row->ev;
    unsigned i;

    df_buf_printf(b, "{\"id\":%lld,\"type\":\"%s\",\"vessels\":[",
                  (long long)row->id, df_event_name(ev->type));
    for (i = 0; i < ev->nvessels && i < 2; i++)
        df_buf_printf(b, i ? ",%lu" : "%lu", (unsigned long)ev->vessels[i]);
    df_buf_puts(b, "],\"start\":");
    jtime(b, ev->start_ms);
    df_buf_puts(b, ",\"end\":");
    jtime(b, ev->end_ms);
    jlatlon(b, ev->lat, ev->lon);
    df_buf_puts(b, ",\"score\":");
    jnum(b, ev->score);
    df_buf_printf(b, ",\"provisional\":%s",
                  row->provisional ? "true" : "false");
    if (!brief) {
        tmp->len = 0;
        df_event_summary(tmp, ev);
        df_buf_puts(b, ",\"summary\":");
        df_buf_json_utf8_str(b, tmp->data ? tmp->data : "", tmp->len);
        df_buf_puts(b, ",\"evidence\":");
        df_event_evidence_json(b, ev);
        if (tmp->oom)
            b->oom = 1;
    }
    df_buf_puts(b, "}");
}

static void jpoint(struct df_buf *b, const struct df_point *p, int comma)
{
    df_buf_puts(b, comma ? ",[" : "[");
    jtime(b, p->t_ms);
    df_buf_puts(b, ",");
    jcoord(b, p->lon, DF_LON_NA, 180 * 600000);
    df_buf_puts(b, ",");
    jcoord(b, p->lat, DF_LAT_NA, 90 * 600000);
    if (p->speed < DF_SPEED_NA)
        df_buf_printf(b, ",%.1f", p->speed / 10.0);
    else
        df_buf_puts(b, ",null");
    if (p->course < DF_COURSE_NA)
        df_buf_printf(b, ",%.1f]", p->course / 10.0);
    else
        df_buf_puts(b, ",null]");
}

/* ---- readers' callbacks ------------------------------------------------- */

/* Items written so far into b (for commas), and a scratch buffer. */
struct out {
    struct df_buf *b;
    struct df_buf tmp;
    unsigned n, max;
    int brief;
};

static int out_reason(const struct df_reason *re, void *ud)
{
    struct out *o = ud;

    if (o->max && o->n >= o->max)
        return 1;
    jreason(o->b, re, o->n++ > 0);
    return o->b->oom ? 2 : 0;
}

static int out_event(const struct df_event_row *row, void *ud)
{
    struct out *o = ud;

    if (o->n++)
        df_buf_puts(o->b, ",");
    jevent(o->b, row, o->brief, &o->tmp);
    return o->b->oom ? 2 : 0;
}

static int out_point(uint32_t mmsi, const struct df_point *p, void *ud)
{
    struct out *o = ud;

    (void)mmsi;
    jpoint(o->b, p, o->n++ > 0);
    return o->b->oom ? 2 : 0;
}

static int out_identity(const struct df_identity *id, void *ud)
{
    struct out *o = ud;
    struct df_buf *b = o->b;

    df_buf_puts(b, o->n++ ? ",{\"first_seen\":" : "{\"first_seen\":");
    jtime(b, id->first_ms);
    df_buf_puts(b, ",\"last_seen\":");
    jtime(b, id->last_ms);
    JFIELD(b, "name", id->shipname);
    df_buf_printf(b, ",\"imo\":%lu", (unsigned long)id->imo);
    JFIELD(b, "callsign", id->callsign);
    JFIELD(b, "destination", id->destination);
    df_buf_printf(b, ",\"shiptype\":%u,\"shiptype_text\":\"%s\","
                     "\"length_m\":%u,\"width_m\":%u,\"draught_m\":",
                  id->shiptype, df_shiptype_text(id->shiptype),
                  id->length_m, id->width_m);
    if (id->draught)
        df_buf_printf(b, "%.1f}", id->draught / 10.0);
    else
        df_buf_puts(b, "null}");
    return b->oom ? 2 : 0;
}

static int out_partner(const struct df_partner *p, void *ud)
{
    struct out *o = ud;
    struct df_buf *b = o->b;

    if (o->max && o->n >= o->max)
        return 1;
    df_buf_printf(b, "%s{\"mmsi\":%lu", o->n++ ? "," : "",
                  (unsigned long)p->mmsi);
    JFIELD(b, "name", p->name);
    df_buf_printf(b, ",\"encounters\":%u,\"first_met\":", p->encounters);
    jtime(b, p->first_ms);
    df_buf_puts(b, ",\"last_met\":");
    jtime(b, p->last_ms);
    df_buf_puts(b, "}");
    return b->oom ? 2 : 0;
}

/* A reader returned rc != 0: 1 is a stop asked by the callback (a cap),
 * 2 out of memory, -1 the store.  Sets r's error; 0 when nothing is
 * wrong. */
static int failed(struct df_store *st, int rc, struct serve_reply *r)
{
    if (rc == 0 || rc == 1)
        return 0;
    if (rc > 0 || r->body.oom) {
        serve_error(r, 500, "out of memory");
    } else if (df_store_interrupted(st)) {
        serve_error(r, 503, "the query took longer than %d ms",
                    SERVE_QUERY_MS);
    } else {
        cli_err("serve: %s", df_store_error(st));
        serve_error(r, 500, "the store could not be read");
    }
    return 1;
}

/* ---- /api/stats --------------------------------------------------------- */

static int out_day(int64_t day_ms, uint64_t events, void *ud)
{
    struct out *o = ud;
    char t[32];

    df_time_iso(day_ms, t);
    t[10] = '\0';
    df_buf_printf(o->b, "%s{\"day\":\"%s\",\"events\":%llu}",
                  o->n++ ? "," : "", t, (unsigned long long)events);
    return o->b->oom ? 2 : 0;
}

/* The summary's JSON, without its closing brace, into b. */
static int stats_json(struct serve *s, struct df_buf *b)
{
    struct df_store_summary sum;
    struct out o = {b, {0}, 0, 0, 0};
    const char *base = strrchr(s->db, '/');
    int64_t days = 0;
    int rc, t;

    if (df_store_read_begin(s->watch) != DF_OK)
        return -1;
    rc = df_store_summary(s->watch, &sum);
    if (rc == 0) {
        df_buf_printf(b, "{\"version\":\"%s\",\"schema\":%d,\"store\":",
                      DF_VERSION_STRING, sum.schema_version);
        base = base ? base + 1 : s->db;
        df_buf_json_utf8_str(b, base, strlen(base));
        df_buf_printf(b, ",\"vessels\":%llu,\"scored\":%llu,"
                         "\"positions\":%llu,\"events\":%llu,"
                         "\"provisional\":%llu,\"events_by_type\":{",
                      (unsigned long long)sum.vessels,
                      (unsigned long long)sum.scored,
                      (unsigned long long)sum.positions,
                      (unsigned long long)sum.events,
                      (unsigned long long)sum.provisional);
        for (t = 0; t < DF_EV_COUNT; t++)
            df_buf_printf(b, "%s\"%s\":%llu", t ? "," : "",
                          df_event_name((enum df_event_type)t),
                          (unsigned long long)sum.by_type[t]);
        df_buf_puts(b, "},\"first_seen\":");
        jtime(b, sum.first_ms);
        df_buf_puts(b, ",\"last_seen\":");
        jtime(b, sum.last_ms);
        if (sum.first_ms != DF_TIME_NONE && sum.last_ms != DF_TIME_NONE &&
            sum.last_ms >= sum.first_ms)
            days = sum.last_ms / 86400000 - sum.first_ms / 86400000 + 1;
        df_buf_printf(b, ",\"days\":%lld,\"created\":", (long long)days);
        jtime(b, sum.created_ms);
        df_buf_puts(b, ",\"last_scan\":");
        jtime(b, sum.last_scan_ms);
        df_buf_puts(b, ",\"event_days\":[");
        rc = df_store_each_day(s->watch, out_day, &o);
        df_buf_puts(b, "]");
    }
    df_store_read_end(s->watch);
    return rc;
}

/* The later modification time of the store and its WAL, or DF_TIME_NONE. */
static int64_t last_write(const char *db)
{
    char wal[4096];
    struct stat sb;
    int64_t best = DF_TIME_NONE, t;

    if (stat(db, &sb) == 0)
        best = (int64_t)sb.st_mtim.tv_sec * 1000 +
               sb.st_mtim.tv_nsec / 1000000;
    if (snprintf(wal, sizeof wal, "%s-wal", db) < (int)sizeof wal &&
        stat(wal, &sb) == 0) {
        t = (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
        if (t > best)
            best = t;
    }
    return best;
}

static void api_stats(struct serve *s, struct serve_reply *r)
{
    int64_t dv;
    int rc = 0;

    pthread_mutex_lock(&s->stats_mu);
    dv = df_store_data_version(s->watch);
    if (dv >= 0 && (!s->stats || dv != s->data_version)) {
        struct df_buf b = {0};

        rc = stats_json(s, &b);
        if (rc == 0 && !b.oom) {
            free(s->stats);
            s->stats = b.data;
            s->stats_len = b.len;
            s->data_version = dv;
            s->generation++;
        } else {
            df_buf_free(&b);
        }
    }
    if (dv < 0 || rc != 0 || !s->stats) {
        failed(s->watch, rc ? rc : -1, r);
    } else {
        df_buf_append(&r->body, s->stats, s->stats_len);
        df_buf_printf(&r->body, ",\"generation\":%llu,\"last_write\":",
                      (unsigned long long)s->generation);
        jtime(&r->body, last_write(s->db));
        df_buf_puts(&r->body, "}\n");
    }
    pthread_mutex_unlock(&s->stats_mu);
}

/* ---- /api/vessels ------------------------------------------------------- */

struct hits {
    struct df_vessel *v;
    double *score;
    unsigned n, cap;
};

static int on_hit(const struct df_vessel *v, double score, void *ud)
{
    struct hits *h = ud;

    if (h->n == h->cap)
        return 1;
    h->v[h->n] = *v;
    h->score[h->n++] = score;
    return 0;
}

/* The other names a vessel gave, as a JSON array (its newest 16). */
static void jnames(struct df_buf *b, const struct df_vessel *v)
{
    const struct df_identity *now = latest(v, 0);
    unsigned i, j, k = 0;

    df_buf_puts(b, ",\"names\":[");
    for (i = v->nidentities; i-- > 0;) {
        const char *n = v->identities[i].shipname;
        int seen = n[0] == '\0' ||
                   (now && strncmp(n, now->shipname, 21) == 0);

        for (j = i + 1; !seen && j < v->nidentities; j++)
            seen = strncmp(n, v->identities[j].shipname, 21) == 0;
        if (seen)
            continue;
        if (k++)
            df_buf_puts(b, ",");
        jstr(b, n, sizeof v->identities[i].shipname);
    }
    df_buf_puts(b, "]");
}

static void api_vessels(struct df_store *st, const struct serve_args *a,
                        struct serve_reply *r)
{
    static const char *const known[] = {"q", "limit", "offset", NULL};
    const struct serve_arg *q;
    struct hits h = {0};
    struct df_buf *b = &r->body;
    uint64_t limit, offset, total = 0;
    unsigned i;
    int rc;

    if (check_args(a, known, r) != 0 ||
        arg_uint(a, "limit", 1, VESSELS_MAX, VESSELS_LIMIT, &limit, r) ||
        arg_uint(a, "offset", 0, OFFSET_MAX, 0, &offset, r))
        return;
    q = find_arg(a, "q");
    if (q && q->len > DF_SEARCH_MAX) {
        serve_error(r, 400, "q: longer than %d bytes", DF_SEARCH_MAX);
        return;
    }
    for (i = 0; q && i < q->len; i++)
        if ((unsigned char)q->value[i] < 0x20 || q->value[i] == 0x7F) {
            serve_error(r, 400, "q: a control character");
            return;
        }
    h.cap = (unsigned)limit;
    h.v = malloc(h.cap * sizeof *h.v);
    h.score = malloc(h.cap * sizeof *h.score);
    if (!h.v || !h.score) {
        serve_error(r, 500, "out of memory");
        goto out;
    }
    rc = df_store_search_vessels(st, q ? q->value : NULL, offset,
                                 (unsigned)limit, &total, on_hit, &h);
    if (failed(st, rc, r))
        goto out;
    df_buf_puts(b, "{\"query\":");
    if (q)
        df_buf_json_utf8_str(b, q->value, q->len);
    else
        df_buf_puts(b, "null");
    df_buf_printf(b, ",\"total\":%llu,\"offset\":%llu,\"limit\":%llu,"
                     "\"vessels\":[",
                  (unsigned long long)total, (unsigned long long)offset,
                  (unsigned long long)limit);
    for (i = 0; i < h.n; i++) {
        struct out o = {b, {0}, 0, LIST_REASONS, 0};

        if (i)
            df_buf_puts(b, ",\n");
        jvessel(b, &h.v[i], h.score[i]);
        df_buf_printf(b, ",\"rank\":%llu",
                      (unsigned long long)(offset + i + 1));
        jnames(b, &h.v[i]);
        df_buf_puts(b, ",\"reasons\":[");
        rc = df_store_each_reason(st, h.v[i].mmsi, out_reason, &o);
        df_buf_puts(b, "]}");
        if (failed(st, rc, r))
            goto out;
    }
    df_buf_puts(b, "]}\n");
out:
    free(h.v);
    free(h.score);
}

/* The track part of a vessel's answer ("track":{...}). */
static int track_json(struct df_store *st, struct df_buf *b, uint32_t mmsi,
                      int64_t from, int64_t to, int64_t zoom,
                      unsigned points)
{
    struct out o = {b, {0}, 0, 0, 0};
    uint64_t total = 0;
    int32_t cell = 0;
    int rc;

    /* Two pixels of a 256-pixel tile at the zoom asked. */
    if (zoom >= 0)
        cell = (int32_t)(360.0 * 600000.0 / (256.0 * ldexp(1.0, (int)zoom)) *
                         2.0);
    df_buf_puts(b, "{\"from\":");
    jtime(b, from);
    df_buf_puts(b, ",\"to\":");
    jtime(b, to);
    df_buf_puts(b, ",\"zoom\":");
    if (zoom >= 0)
        df_buf_printf(b, "%lld", (long long)zoom);
    else
        df_buf_puts(b, "null");
    df_buf_puts(b, ",\"points\":[");
    rc = df_store_track(st, mmsi, from, to, cell, points, &total, out_point,
                        &o);
    df_buf_printf(b, "],\"shown\":%u,\"total\":%llu}", o.n,
                  (unsigned long long)total);
    return rc;
}

/* from, to, zoom and points of a track request. */
struct track_args {
    int64_t from, to, zoom;
    uint64_t points;
};

static int track_args(const struct serve_args *a, struct track_args *t,
                      struct serve_reply *r)
{
    uint64_t z;

    if (arg_range(a, &t->from, &t->to, r) != 0 ||
        arg_uint(a, "points", 2, TRACK_MAX, TRACK_POINTS, &t->points, r) ||
        arg_uint(a, "zoom", 0, 24, 99, &z, r))
        return -1;
    t->zoom = z == 99 ? -1 : (int64_t)z;
    return 0;
}

/* An MMSI or event id from a path: digits, no leading zero, in [1, max]. */
static int path_number(const char *p, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (n == 0 || n > 19 || p[0] == '0')
        return -1;
    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

static void api_vessel(struct df_store *st, uint32_t mmsi, int track_only,
                       const struct serve_args *a, struct serve_reply *r)
{
    static const char *const known[] = {"from", "to", "zoom", "points",
                                        NULL};
    struct df_buf *b = &r->body;
    struct df_vessel *v = NULL;
    struct track_args t;
    struct df_event_query eq;
    struct out o = {b, {0}, 0, 0, 0};
    double score = 0;
    uint64_t total = 0;
    int rc;

    if (check_args(a, known, r) != 0 || track_args(a, &t, r) != 0)
        return;
    v = malloc(sizeof *v);
    if (!v) {
        serve_error(r, 500, "out of memory");
        return;
    }
    rc = df_store_get_vessel(st, mmsi, v, &score);
    if (rc == 0) {
        serve_error(r, 404, "no vessel %lu in the store",
                    (unsigned long)mmsi);
        goto out;
    }
    if (failed(st, rc, r))
        goto out;
    if (track_only) {
        df_buf_printf(b, "{\"mmsi\":%lu,\"track\":", (unsigned long)mmsi);
        rc = track_json(st, b, mmsi, t.from, t.to, t.zoom,
                        (unsigned)t.points);
        df_buf_puts(b, "}\n");
        failed(st, rc, r);
        goto out;
    }
    jvessel(b, v, score);
    df_buf_puts(b, ",\"identities\":[");
    rc = df_store_each_identity(st, mmsi, out_identity, &o);
    if (failed(st, rc, r))
        goto out;
    df_buf_puts(b, "],\"reasons\":[");
    o.n = 0;
    rc = df_store_each_reason(st, mmsi, out_reason, &o);
    if (failed(st, rc, r))
        goto out;
    df_buf_puts(b, "],\"events\":[");
    o.n = 0;
    df_event_query_init(&eq);
    eq.mmsi = mmsi;
    eq.limit = VESSEL_EVENTS;
    rc = df_store_query_events(st, &eq, &total, out_event, &o);
    if (failed(st, rc, r))
        goto out;
    df_buf_printf(b, "],\"events_total\":%llu,\"partners\":[",
                  (unsigned long long)total);
    o.n = 0;
    o.max = VESSEL_PARTNERS;
    rc = df_store_each_partner(st, mmsi, out_partner, &o);
    if (failed(st, rc, r))
        goto out;
    df_buf_puts(b, "],\"track\":");
    rc = track_json(st, b, mmsi, t.from, t.to, t.zoom, (unsigned)t.points);
    if (failed(st, rc, r))
        goto out;
    df_buf_puts(b, "}\n");
out:
    df_buf_free(&o.tmp);
    free(v);
}

/* ---- /api/events -------------------------------------------------------- */

static void api_events(struct df_store *st, const struct serve_args *a,
                       struct serve_reply *r)
{
    static const char *const known[] = {"type", "from", "to", "bbox",
                                        "min_score", "mmsi", "sort",
                                        "brief", "limit", "offset", NULL};
    struct df_event_query q;
    struct df_buf *b = &r->body;
    struct out o = {b, {0}, 0, 0, 0};
    const struct serve_arg *x;
    uint64_t limit, offset, mmsi, brief, total = 0;
    int rc;

    df_event_query_init(&q);
    if (check_args(a, known, r) != 0 || arg_types(a, &q.types, r) != 0 ||
        arg_range(a, &q.from_ms, &q.to_ms, r) != 0 ||
        arg_bbox(a, &q, r) != 0 ||
        arg_uint(a, "mmsi", 1, UINT32_MAX, 0, &mmsi, r) ||
        arg_uint(a, "brief", 0, 1, 0, &brief, r) ||
        arg_uint(a, "limit", 1, EVENTS_MAX, EVENTS_LIMIT, &limit, r) ||
        arg_uint(a, "offset", 0, OFFSET_MAX, 0, &offset, r))
        return;
    if ((x = find_arg(a, "min_score")) &&
        arg_num("min_score", x->value, x->len, -1e9, 1e9, &q.min_score,
                r) != 0)
        return;
    if ((x = find_arg(a, "sort"))) {
        if (strcmp(x->value, "score") == 0) {
            q.by_score = 1;
        } else if (strcmp(x->value, "start") != 0) {
            serve_error(r, 400, "sort: 'start' or 'score', not '%.*s'",
                        ECHO, x->value);
            return;
        }
    }
    q.mmsi = (uint32_t)mmsi;
    q.limit = (unsigned)limit;
    q.offset = offset;
    q.brief = o.brief = (int)brief;
    df_buf_puts(b, "{\"events\":[");
    rc = df_store_query_events(st, &q, &total, out_event, &o);
    df_buf_free(&o.tmp);
    if (failed(st, rc, r))
        return;
    df_buf_printf(b, "],\"total\":%llu,\"offset\":%llu,\"limit\":%llu}\n",
                  (unsigned long long)total, (unsigned long long)offset,
                  (unsigned long long)limit);
}

/* Keeps the event handed out (api_event). */
static int keep_row(const struct df_event_row *row, void *ud)
{
    *(struct df_event_row *)ud = *row;
    return 1;
}

/* One event, its vessels, and their tracks from EVENT_PAD_MS (or half
 * the event's length, if longer) before it to as long after. */
static void api_event(struct df_store *st, int64_t id,
                      const struct serve_args *a, struct serve_reply *r)
{
    static const char *const known[] = {"points", NULL};
    struct df_event_query q;
    struct df_event_row *row = NULL;
    struct df_vessel *v = NULL;
    struct df_buf *b = &r->body, tmp = {0};
    const struct df_event *ev;
    uint64_t points;
    int64_t from = DF_TIME_NONE, to = DF_TIME_NONE, pad;
    unsigned i;
    int rc;

    if (check_args(a, known, r) != 0 ||
        arg_uint(a, "points", 2, TRACK_MAX, TRACK_POINTS, &points, r))
        return;
    row = malloc(sizeof *row);
    v = malloc(sizeof *v);
    if (!row || !v) {
        serve_error(r, 500, "out of memory");
        goto out;
    }
    df_event_query_init(&q);
    q.id = id;
    rc = df_store_query_events(st, &q, NULL, keep_row, row);
    if (rc == 0) {
        serve_error(r, 404, "no event %lld in the store", (long long)id);
        goto out;
    }
    if (failed(st, rc, r))
        goto out;
    ev = &row->ev;
    if (ev->start_ms != DF_TIME_NONE) {
        int64_t end = ev->end_ms != DF_TIME_NONE && ev->end_ms > ev->start_ms
                          ? ev->end_ms : ev->start_ms;

        pad = (end - ev->start_ms) / 2;
        if (pad < EVENT_PAD_MS)
            pad = EVENT_PAD_MS;
        from = ev->start_ms - pad;
        to = end + pad;
    }
    df_buf_puts(b, "{\"event\":");
    jevent(b, row, 0, &tmp);
    df_buf_puts(b, ",\"from\":");
    jtime(b, from);
    df_buf_puts(b, ",\"to\":");
    jtime(b, to);
    df_buf_puts(b, ",\"vessels\":[");
    for (i = 0; i < ev->nvessels && i < 2; i++) {
        double score = 0;

        if (i)
            df_buf_puts(b, ",");
        rc = df_store_get_vessel(st, ev->vessels[i], v, &score);
        if (rc < 0) {
            failed(st, -1, r);
            goto out;
        }
        if (rc == 0) {
            df_buf_printf(b, "{\"mmsi\":%lu,\"name\":null,"
                             "\"track\":null}",
                          (unsigned long)ev->vessels[i]);
            continue;
        }
        jvessel(b, v, score);
        df_buf_puts(b, ",\"track\":");
        rc = track_json(st, b, ev->vessels[i], from, to, -1,
                        (unsigned)points);
        df_buf_puts(b, "}");
        if (failed(st, rc, r))
            goto out;
    }
    df_buf_puts(b, "]}\n");
out:
    df_buf_free(&tmp);
    free(row);
    free(v);
}

/* ---- routing ------------------------------------------------------------ */

void serve_api(struct serve *s, const char *path,
               const struct serve_args *args, struct serve_reply *r)
{
    struct df_store *st;
    const char *slash;
    uint64_t n = 0;
    unsigned idx;
    enum { STATS, VESSELS, VESSEL, TRACK, EVENTS, EVENT } what;

    if (strcmp(path, "stats") == 0) {
        static const char *const none[] = {NULL};

        if (check_args(args, none, r) == 0)
            api_stats(s, r);
        return;
    }
    if (strcmp(path, "vessels") == 0) {
        what = VESSELS;
    } else if (strcmp(path, "events") == 0) {
        what = EVENTS;
    } else if (strncmp(path, "vessels/", 8) == 0) {
        path += 8;
        slash = strchr(path, '/');
        what = slash && strcmp(slash, "/track") == 0 ? TRACK : VESSEL;
        if (slash && what == VESSEL) {
            serve_error(r, 404, "no such page");
            return;
        }
        if (path_number(path, slash ? (size_t)(slash - path) : strlen(path),
                        UINT32_MAX, &n) != 0) {
            serve_error(r, 400, "not an MMSI: '%.*s'", ECHO, path);
            return;
        }
    } else if (strncmp(path, "events/", 7) == 0) {
        path += 7;
        what = EVENT;
        if (path_number(path, strlen(path), INT64_MAX, &n) != 0) {
            serve_error(r, 400, "not an event id: '%.*s'", ECHO, path);
            return;
        }
    } else {
        serve_error(r, 404, "no such page");
        return;
    }
    st = serve_pool_take(&s->pool, &idx);
    if (df_store_read_begin(st) != DF_OK) {
        failed(st, -1, r);
    } else {
        switch (what) {
        case VESSELS:
            api_vessels(st, args, r);
            break;
        case VESSEL:
        case TRACK:
            api_vessel(st, (uint32_t)n, what == TRACK, args, r);
            break;
        case EVENTS:
            api_events(st, args, r);
            break;
        case EVENT:
            api_event(st, (int64_t)n, args, r);
            break;
        case STATS:
            break;
        }
    }
    df_store_read_end(st);
    serve_pool_give(&s->pool, idx);
}
