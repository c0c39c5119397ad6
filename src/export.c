/*
 * export.c - events and tracks for QGIS, Google Earth and pandas, written
 * as a stream into a caller's struct df_buf (darkfleet.h has the contract).
 *
 * This file holds the writer's entry points, which check the order of the
 * calls, collect a track's points and hand each event and track to its
 * format: export_geojson.c (GeoJSON and GeoJSONSeq), export_kml.c (KML)
 * and export_csv.c (CSV), each described there.  A track is collected
 * (only the points with a position; for KML, with a time too) and
 * written as one feature, or in parts of max_track_points, each part
 * starting at the last point of the one before so that the parts join
 * up; CSV writes a row per point as it comes.
 *
 * It also holds what the formats share (export_int.h): strings from the
 * store with invalid UTF-8 replaced by U+FFFD before they are escaped for
 * the format, the evidence text checked as one JSON object (RFC 8259)
 * before it is embedded as one, coordinates as exact decimal degrees,
 * scores and times, and the identity a vessel used.
 */
#include "export_int.h"
#include "util/alloc.h"
#include "util/utf8.h"

#include <math.h>
#include <string.h>

#define DEFAULT_MAX_POINTS 1000000
#define JSON_MAX_DEPTH 32       /* nesting allowed in an evidence object */
#define E6_PER_WIRE_NUM 5       /* 1/10000 min = 1e6/600000 = 5/3 e6-deg */
#define E6_PER_WIRE_DEN 3
#define LON_MAX (180 * 600000)
#define LAT_MAX (90 * 600000)

/* ---- strings ------------------------------------------------------------ */

/* Returns s, or a copy in scratch with every invalid byte replaced by
 * U+FFFD; *n is updated.  Stops at a NUL (fixed-size fields). */
static const char *clean(struct df_buf *scratch, const char *s, size_t *n,
                         int xml)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i, k, len = strnlen(s, *n);

    *n = len;
    for (i = 0; i < len; i += k)
        if ((k = df__utf8_len(u + i, len - i, xml, NULL)) == 0)
            break;
    if (i == len)
        return s;
    scratch->len = 0;
    df_buf_append(scratch, s, i);
    while (i < len) {
        k = df__utf8_len(u + i, len - i, xml, NULL);
        if (k == 0) {
            df_buf_append(scratch, "\xEF\xBF\xBD", 3);
            i++;
        } else {
            df_buf_append(scratch, s + i, k);
            i += k;
        }
    }
    if (scratch->oom) {
        *n = 0;
        return "";
    }
    *n = scratch->len;
    return scratch->data;
}

void df__export_put_json(struct df_export *x, struct df_buf *b,
                         const char *s, size_t cap)
{
    s = clean(&x->s1, s, &cap, 0);
    df_buf_json_str(b, s, cap);
}

void df__export_put_xml(struct df_export *x, struct df_buf *b, const char *s,
                        size_t cap)
{
    s = clean(&x->s1, s, &cap, 1);
    df_buf_xml_str(b, s, cap);
}

void df__export_put_csv(struct df_export *x, struct df_buf *b, const char *s,
                        size_t cap)
{
    s = clean(&x->s1, s, &cap, 0);
    df_buf_csv_str(b, s, cap);
}

void df__export_put_html(struct df_export *x, const char *s, size_t cap)
{
    s = clean(&x->s1, s, &cap, 1);
    df_buf_html_str(&x->s2, s, cap);
}

/* ---- JSON validation (the evidence object) ------------------------------ */

struct jp {
    const unsigned char *s;
    size_t n, i;
};

static void jp_ws(struct jp *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
                           p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static int jp_string(struct jp *p)
{
    size_t k;

    p->i++; /* the opening quote */
    while (p->i < p->n) {
        unsigned c = p->s[p->i];
        if (c == '"') {
            p->i++;
            return 1;
        }
        if (c < 0x20)
            return 0;
        if (c == '\\') {
            if (++p->i >= p->n)
                return 0;
            c = p->s[p->i];
            if (c == 'u') {
                for (k = 1; k <= 4; k++)
                    if (p->i + k >= p->n ||
                        !strchr("0123456789abcdefABCDEF",
                                p->s[p->i + k]) ||
                        p->s[p->i + k] == '\0')
                        return 0;
                p->i += 5;
            } else if (c && strchr("\"\\/bfnrt", (int)c)) {
                p->i++;
            } else {
                return 0;
            }
            continue;
        }
        k = df__utf8_len(p->s + p->i, p->n - p->i, 0, NULL);
        if (k == 0)
            return 0;
        p->i += k;
    }
    return 0;
}

static int jp_digits(struct jp *p)
{
    size_t start = p->i;

    while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
        p->i++;
    return p->i > start;
}

static int jp_number(struct jp *p)
{
    if (p->s[p->i] == '-')
        p->i++;
    if (p->i < p->n && p->s[p->i] == '0')
        p->i++;
    else if (!jp_digits(p))
        return 0;
    if (p->i < p->n && p->s[p->i] == '.') {
        p->i++;
        if (!jp_digits(p))
            return 0;
    }
    if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
        p->i++;
        if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
            p->i++;
        if (!jp_digits(p))
            return 0;
    }
    return 1;
}

static int jp_value(struct jp *p, int depth)
{
    static const char *const lits[] = {"true", "false", "null"};
    unsigned c;
    int k;

    jp_ws(p);
    if (p->i >= p->n || depth > JSON_MAX_DEPTH)
        return 0;
    c = p->s[p->i];
    if (c == '"')
        return jp_string(p);
    if (c == '-' || (c >= '0' && c <= '9'))
        return jp_number(p);
    if (c == '{' || c == '[') {
        unsigned close = c == '{' ? '}' : ']';
        p->i++;
        jp_ws(p);
        if (p->i < p->n && p->s[p->i] == close) {
            p->i++;
            return 1;
        }
        for (;;) {
            if (c == '{') {
                jp_ws(p);
                if (p->i >= p->n || p->s[p->i] != '"' || !jp_string(p))
                    return 0;
                jp_ws(p);
                if (p->i >= p->n || p->s[p->i] != ':')
                    return 0;
                p->i++;
            }
            if (!jp_value(p, depth + 1))
                return 0;
            jp_ws(p);
            if (p->i >= p->n)
                return 0;
            if (p->s[p->i] == close) {
                p->i++;
                return 1;
            }
            if (p->s[p->i] != ',')
                return 0;
            p->i++;
        }
    }
    for (k = 0; k < 3; k++) {
        size_t len = strlen(lits[k]);
        if (p->n - p->i >= len && memcmp(p->s + p->i, lits[k], len) == 0) {
            p->i += len;
            return 1;
        }
    }
    return 0;
}

/* 1 if s[0..n) is exactly one JSON object (RFC 8259, UTF-8), with
 * surrounding white space allowed. */
static int json_object_ok(const char *s, size_t n)
{
    struct jp p;

    p.s = (const unsigned char *)s;
    p.n = n;
    p.i = 0;
    jp_ws(&p);
    if (p.i >= n || s[p.i] != '{' || !jp_value(&p, 0))
        return 0;
    jp_ws(&p);
    return p.i == n;
}

const char *df__export_evidence(const struct df_event *ev, size_t *n)
{
    *n = strnlen(ev->evidence, sizeof ev->evidence);
    if (*n == 0) {
        *n = 2;
        return "{}";
    }
    return ev->evidence;
}

void df__export_evidence_json(struct df_export *x, struct df_buf *b,
                              const struct df_event *ev)
{
    size_t n;
    const char *e = df__export_evidence(ev, &n);

    if (json_object_ok(e, n)) {
        df_buf_append(b, e, n);
        return;
    }
    df_buf_puts(b, "{\"unparsed\":");
    df__export_put_json(x, b, e, n);
    df_buf_puts(b, "}");
}

/* ---- numbers and times -------------------------------------------------- */

int df__export_pos_ok(int32_t lon, int32_t lat)
{
    return lon != DF_LON_NA && lat != DF_LAT_NA && lon <= LON_MAX &&
           lon >= -LON_MAX && lat <= LAT_MAX && lat >= -LAT_MAX;
}

void df__export_deg6(struct df_buf *b, int32_t v)
{
    int64_t a = v < 0 ? -(int64_t)v : (int64_t)v;
    int64_t e6 = (a * 2 * E6_PER_WIRE_NUM + E6_PER_WIRE_DEN) /
                 (2 * E6_PER_WIRE_DEN);

    df_buf_printf(b, "%s%lld.%06lld", v < 0 && e6 ? "-" : "",
                  (long long)(e6 / 1000000), (long long)(e6 % 1000000));
}

void df__export_lonlat(struct df_buf *b, int32_t lon, int32_t lat, char sep)
{
    df__export_deg6(b, lon);
    df_buf_append(b, &sep, 1);
    df__export_deg6(b, lat);
}

void df__export_score(struct df_buf *b, double s, const char *na)
{
    if (isfinite(s))
        df_buf_printf(b, "%.6g", s == 0 ? 0.0 : s);
    else
        df_buf_puts(b, na);
}

size_t df__export_iso(int64_t ms, char *out)
{
    if (ms == DF_TIME_NONE) {
        out[0] = '\0';
        return 0;
    }
    return df_time_iso(ms, out);
}

/* ---- vessels ------------------------------------------------------------ */

const struct df_identity *df__export_latest(const struct df_vessel *v)
{
    const struct df_identity *best = NULL;
    unsigned i, n = v->nidentities > DF_MAX_IDENTITIES ? DF_MAX_IDENTITIES
                                                       : v->nidentities;

    for (i = 0; i < n; i++)
        if (!best || v->identities[i].last_ms >= best->last_ms)
            best = &v->identities[i];
    return best;
}

const struct df_identity *df__export_identity_at(const struct df_vessel *v,
                                                 int64_t t)
{
    const struct df_identity *best = NULL;
    unsigned i, n = v->nidentities > DF_MAX_IDENTITIES ? DF_MAX_IDENTITIES
                                                       : v->nidentities;

    if (t != DF_TIME_NONE)
        for (i = 0; i < n; i++) {
            const struct df_identity *id = &v->identities[i];
            if (id->first_ms != DF_TIME_NONE && id->first_ms <= t &&
                (!best || id->first_ms >= best->first_ms))
                best = id;
        }
    return best ? best : df__export_latest(v);
}

const char *df__export_vessel_name(struct df_export *x, uint32_t mmsi)
{
    const char *s = x->o.vessel_name ? x->o.vessel_name(mmsi, x->o.ud)
                                     : NULL;
    return s ? s : "";
}

/* ---- the writer --------------------------------------------------------- */

struct df_export *df_export_new(const struct df_export_opts *opts)
{
    struct df_export *x;

    if (!opts || (unsigned)opts->format > DF_EXPORT_CSV_TRACKS)
        return NULL;
    x = df__calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->o = *opts;
    if (x->o.max_track_points == 0)
        x->o.max_track_points = DEFAULT_MAX_POINTS;
    if (x->o.max_track_points < 2)
        x->o.max_track_points = 2;
    return x;
}

void df_export_free(struct df_export *x)
{
    if (!x)
        return;
    df__free(x->pts);
    df_buf_free(&x->s1);
    df_buf_free(&x->s2);
    df__free(x);
}

static int is_geojson(const struct df_export *x)
{
    return x->o.format == DF_EXPORT_GEOJSON ||
           x->o.format == DF_EXPORT_GEOJSONSEQ;
}

static enum df_err status(const struct df_export *x, const struct df_buf *b)
{
    return b->oom || x->s1.oom || x->s2.oom ? DF_NOMEM : DF_OK;
}

enum df_err df_export_begin(struct df_export *x, struct df_buf *b)
{
    if (!x || !b || x->stage != DF__STAGE_NEW)
        return DF_INVAL;
    x->stage = DF__STAGE_EVENTS;
    if (is_geojson(x))
        df__export_geojson_begin(x, b);
    else if (x->o.format == DF_EXPORT_KML)
        df__export_kml_begin(b);
    else
        df__export_csv_begin(x, b);
    return status(x, b);
}

enum df_err df_export_event(struct df_export *x, struct df_buf *b,
                            int64_t id, const struct df_event *ev)
{
    if (!x || !b || !ev || x->stage != DF__STAGE_EVENTS ||
        x->o.format == DF_EXPORT_CSV_TRACKS)
        return DF_INVAL;
    if (is_geojson(x))
        df__export_geojson_event(x, b, id, ev);
    else if (x->o.format == DF_EXPORT_KML)
        df__export_kml_event(x, b, id, ev);
    else
        df__export_csv_event(x, b, id, ev);
    return status(x, b);
}

enum df_err df_export_track_begin(struct df_export *x, struct df_buf *b,
                                  const struct df_vessel *v, double score)
{
    if (!x || !b || !v || x->in_track ||
        (x->stage != DF__STAGE_EVENTS && x->stage != DF__STAGE_TRACKS) ||
        x->o.format == DF_EXPORT_CSV_EVENTS)
        return DF_INVAL;
    x->stage = DF__STAGE_TRACKS;
    x->in_track = 1;
    x->v = *v;
    x->score = score;
    x->part = 1;
    x->npts = 0;
    return status(x, b);
}

/* Writes the points collected so far as one feature. */
static void flush_track(struct df_export *x, struct df_buf *b)
{
    if (x->npts == 0)
        return;
    if (is_geojson(x))
        df__export_geojson_track(x, b);
    else if (x->o.format == DF_EXPORT_KML)
        df__export_kml_track(x, b);
}

enum df_err df_export_track_point(struct df_export *x, struct df_buf *b,
                                  const struct df_point *p)
{
    if (!x || !b || !p || !x->in_track)
        return DF_INVAL;
    if (x->o.format == DF_EXPORT_CSV_TRACKS) {
        df__export_csv_point(x, b, p);
        return status(x, b);
    }
    if (!df__export_pos_ok(p->lon, p->lat) ||
        (x->o.format == DF_EXPORT_KML && p->t_ms == DF_TIME_NONE))
        return DF_OK; /* nothing to draw */
    if (x->npts == x->o.max_track_points) {
        /* Full: write this part and continue from its last point, so
         * that the parts join up. */
        struct df_point last = x->pts[x->npts - 1];
        flush_track(x, b);
        x->part++;
        x->pts[0] = last;
        x->npts = 1;
    }
    if (x->npts == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 256;
        struct df_point *np;

        if (cap > x->o.max_track_points)
            cap = x->o.max_track_points;
        np = df__realloc(x->pts, cap * sizeof *np);
        if (!np)
            return DF_NOMEM;
        x->pts = np;
        x->cap = cap;
    }
    x->pts[x->npts++] = *p;
    return status(x, b);
}

enum df_err df_export_track_end(struct df_export *x, struct df_buf *b)
{
    if (!x || !b || !x->in_track)
        return DF_INVAL;
    flush_track(x, b);
    x->in_track = 0;
    x->npts = 0;
    return status(x, b);
}

enum df_err df_export_end(struct df_export *x, struct df_buf *b)
{
    if (!x || !b || x->in_track ||
        (x->stage != DF__STAGE_EVENTS && x->stage != DF__STAGE_TRACKS))
        return DF_INVAL;
    x->stage = DF__STAGE_DONE;
    if (is_geojson(x))
        df__export_geojson_end(x, b);
    else if (x->o.format == DF_EXPORT_KML)
        df__export_kml_end(x, b);
    return status(x, b);
}
