/*
 * export.c - events and tracks for QGIS, Google Earth and pandas, written
 * as a stream into a caller's struct df_buf (darkfleet.h has the contract).
 *
 * GeoJSON (RFC 7946), one feature per line:
 *   {"type":"FeatureCollection","features":[
 *   {"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":
 *    [lon,lat]},"properties":{"kind":"event","id":7,"type":"encounter",
 *    "vessels":[..],"names":[..],"start":..,"end":..,"score":..,
 *    "evidence":{..}}},
 *   {"type":"Feature","geometry":{"type":"LineString","coordinates":[..]},
 *    "properties":{"kind":"track","mmsi":..,"name":..,"callsign":..,
 *    "imo":..,"flag":..,"score":..,"first":..,"last":..,"points":N,
 *    "part":1,"times":[..]}}
 *   ]}
 * Positions are [lon, lat] in degrees with six decimals, computed from
 * the wire integers so the text is exact.  A position that is not
 * available gives an event a null geometry and is left out of a track.
 * A track of one position is a Point.  A track that crosses the
 * antimeridian (consecutive longitudes more than 180 degrees apart) is cut
 * there, as RFC 7946 section 3.1.9 asks, into a MultiLineString whose
 * parts end and start on +-180 at the interpolated latitude; "times" has
 * the shape of "coordinates" without the innermost level (an array of
 * arrays for a MultiLineString), interpolated times included.
 * GeoJSONSeq (RFC 8142) writes the same features, each after an RS
 * (0x1E) and ending with LF, with no collection around them.
 *
 * KML 2.2: a Document with one Style per event type and one for tracks,
 * a Folder "Events" (a Placemark per event: name, an HTML description,
 * TimeSpan, styleUrl, ExtendedData, Point) and a Folder "Tracks" (a
 * Placemark per vessel with a gx:Track: every <when>, then every
 * <gx:coord>, as the gx schema orders them; Google Earth's time slider
 * plays it).  Text goes through df_buf_xml_str(); the description is
 * HTML that Google Earth renders, so its data is HTML-escaped first and
 * the result XML-escaped (a name such as "<b>x</b>" shows as typed).
 *
 * CSV (RFC 4180, LF line ends, header first), fields through
 * df_buf_csv_str() (quoted as needed, formula-guarded):
 *   events: id,type,vessel1,vessel2,start,end,lat,lon,score,evidence,
 *           vessel1_name,vessel2_name
 *   tracks: MMSI,BaseDateTime,LAT,LON,SOG,COG,VesselName,IMO,CallSign
 *           (BaseDateTime 2020-01-01T00:00:00 UTC, IMO as "IMO9464417",
 *           empty when not available; the name and call sign are those
 *           the vessel used at that time), which darkfleet's own CSV
 *           reader, QGIS and pandas read back.
 */
#include "darkfleet.h"
#include "util/alloc.h"
#include "util/timeutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_POINTS 1000000
#define JSON_MAX_DEPTH 32       /* nesting allowed in an evidence object */
#define E6_PER_WIRE_NUM 5       /* 1/10000 min = 1e6/600000 = 5/3 e6-deg */
#define E6_PER_WIRE_DEN 3
#define LON_MAX (180 * 600000)
#define LAT_MAX (90 * 600000)

enum stage { ST_NEW, ST_EVENTS, ST_TRACKS, ST_DONE };

struct df_export {
    struct df_export_opts o;
    enum stage stage;
    int in_track;
    int folder;                 /* KML: 0 none open, 1 Events, 2 Tracks */
    unsigned folders_done;      /* KML: DF_EXPORT_* folders written */
    uint64_t features;          /* GeoJSON: features so far (commas) */
    /* The track being collected. */
    struct df_vessel v;
    double score;
    unsigned part;
    struct df_point *pts;
    size_t npts, cap;
    /* Scratch for cleaned and double-escaped strings. */
    struct df_buf s1, s2;
};

/* ---- strings ------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 if the
 * bytes there are not one.  Surrogates, overlong forms and code points
 * past U+10FFFF are invalid; with xml, so are U+FFFE and U+FFFF, which
 * XML 1.0 does not allow. */
static size_t utf8_len(const unsigned char *s, size_t n, int xml)
{
    unsigned c = s[0];
    uint32_t cp;
    size_t len, i;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
        (xml && (cp == 0xFFFE || cp == 0xFFFF)))
        return 0;
    return len;
}

/* Returns s, or a copy in scratch with every invalid byte replaced by
 * U+FFFD; *n is updated.  Stops at a NUL (fixed-size fields). */
static const char *clean(struct df_buf *scratch, const char *s, size_t *n,
                         int xml)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i, k, len = strnlen(s, *n);

    *n = len;
    for (i = 0; i < len; i += k)
        if ((k = utf8_len(u + i, len - i, xml)) == 0)
            break;
    if (i == len)
        return s;
    scratch->len = 0;
    df_buf_append(scratch, s, i);
    while (i < len) {
        k = utf8_len(u + i, len - i, xml);
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

static void put_json(struct df_export *x, struct df_buf *b, const char *s,
                     size_t cap)
{
    s = clean(&x->s1, s, &cap, 0);
    df_buf_json_str(b, s, cap);
}

static void put_xml(struct df_export *x, struct df_buf *b, const char *s,
                    size_t cap)
{
    s = clean(&x->s1, s, &cap, 1);
    df_buf_xml_str(b, s, cap);
}

static void put_csv(struct df_export *x, struct df_buf *b, const char *s,
                    size_t cap)
{
    s = clean(&x->s1, s, &cap, 0);
    df_buf_csv_str(b, s, cap);
}

/* Appends s HTML-escaped to the HTML being built in x->s2. */
static void put_html(struct df_export *x, const char *s, size_t cap)
{
    s = clean(&x->s1, s, &cap, 1);
    df_buf_html_str(&x->s2, s, cap);
}

/* ---- JSON validation (the evidence object) ------------------------------- */

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
        k = utf8_len(p->s + p->i, p->n - p->i, 0);
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

/* The evidence text of ev and its length ("{}" when empty). */
static const char *evidence(const struct df_event *ev, size_t *n)
{
    *n = strnlen(ev->evidence, sizeof ev->evidence);
    if (*n == 0) {
        *n = 2;
        return "{}";
    }
    return ev->evidence;
}

/* Appends the evidence as a JSON object: as is when it is one, else
 * wrapped as {"unparsed":"..."}. */
static void evidence_json(struct df_export *x, struct df_buf *b,
                          const struct df_event *ev)
{
    size_t n;
    const char *e = evidence(ev, &n);

    if (json_object_ok(e, n)) {
        df_buf_append(b, e, n);
        return;
    }
    df_buf_puts(b, "{\"unparsed\":");
    put_json(x, b, e, n);
    df_buf_puts(b, "}");
}

/* ---- numbers and times ---------------------------------------------------- */

static int pos_ok(int32_t lon, int32_t lat)
{
    return lon != DF_LON_NA && lat != DF_LAT_NA && lon <= LON_MAX &&
           lon >= -LON_MAX && lat <= LAT_MAX && lat >= -LAT_MAX;
}

/* A wire coordinate (1/10000 min) as degrees with six decimals, exact
 * (rounded half away from zero). */
static void deg6(struct df_buf *b, int32_t v)
{
    int64_t a = v < 0 ? -(int64_t)v : (int64_t)v;
    int64_t e6 = (a * 2 * E6_PER_WIRE_NUM + E6_PER_WIRE_DEN) /
                 (2 * E6_PER_WIRE_DEN);

    df_buf_printf(b, "%s%lld.%06lld", v < 0 && e6 ? "-" : "",
                  (long long)(e6 / 1000000), (long long)(e6 % 1000000));
}

/* Degrees as a double (interpolated points), six decimals, no "-0". */
static void degd(struct df_buf *b, double d)
{
    if (fabs(d) < 5e-7)
        d = 0;
    df_buf_printf(b, "%.6f", d);
}

static void score_num(struct df_buf *b, double s, const char *na)
{
    if (isfinite(s))
        df_buf_printf(b, "%.6g", s == 0 ? 0.0 : s);
    else
        df_buf_puts(b, na);
}

/* ISO 8601 UTC with 'Z' into out (>= 32 bytes); 0 when unknown. */
static size_t iso(int64_t ms, char *out)
{
    if (ms == DF_TIME_NONE) {
        out[0] = '\0';
        return 0;
    }
    return df_time_iso(ms, out);
}

/* A JSON time string, or null. */
static void time_json(struct df_buf *b, int64_t ms)
{
    char t[32];
    size_t n = iso(ms, t);

    if (n == 0) {
        df_buf_puts(b, "null");
        return;
    }
    df_buf_append(b, "\"", 1);
    df_buf_append(b, t, n);
    df_buf_append(b, "\"", 1);
}

/* ---- vessels ---------------------------------------------------------------- */

/* The identity the vessel used last, or NULL if it has none. */
static const struct df_identity *latest(const struct df_vessel *v)
{
    const struct df_identity *best = NULL;
    unsigned i, n = v->nidentities > DF_MAX_IDENTITIES ? DF_MAX_IDENTITIES
                                                       : v->nidentities;

    for (i = 0; i < n; i++)
        if (!best || v->identities[i].last_ms >= best->last_ms)
            best = &v->identities[i];
    return best;
}

/* The identity in use at t: the one begun most recently at or before t,
 * else the latest. */
static const struct df_identity *identity_at(const struct df_vessel *v,
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
    return best ? best : latest(v);
}

/* The name of an event's vessel from the caller, or "". */
static const char *vessel_name(struct df_export *x, uint32_t mmsi)
{
    const char *s = x->o.vessel_name ? x->o.vessel_name(mmsi, x->o.ud)
                                     : NULL;
    return s ? s : "";
}

/* ---- GeoJSON ------------------------------------------------------------------ */

static int is_geojson(const struct df_export *x)
{
    return x->o.format == DF_EXPORT_GEOJSON ||
           x->o.format == DF_EXPORT_GEOJSONSEQ;
}

/* What goes before a feature: a separator or the RS of RFC 8142. */
static void feature_open(struct df_export *x, struct df_buf *b)
{
    if (x->o.format == DF_EXPORT_GEOJSONSEQ)
        df_buf_append(b, "\x1e", 1);
    else if (x->features > 0)
        df_buf_append(b, ",\n", 2);
    x->features++;
}

static void feature_close(struct df_export *x, struct df_buf *b)
{
    if (x->o.format == DF_EXPORT_GEOJSONSEQ)
        df_buf_append(b, "\n", 1);
}

static void geojson_event(struct df_export *x, struct df_buf *b, int64_t id,
                          const struct df_event *ev)
{
    unsigned i, nv = ev->nvessels > 2 ? 2 : ev->nvessels;

    feature_open(x, b);
    df_buf_printf(b, "{\"type\":\"Feature\",\"id\":%lld,\"geometry\":",
                  (long long)id);
    if (pos_ok(ev->lon, ev->lat)) {
        df_buf_puts(b, "{\"type\":\"Point\",\"coordinates\":[");
        deg6(b, ev->lon);
        df_buf_append(b, ",", 1);
        deg6(b, ev->lat);
        df_buf_puts(b, "]}");
    } else {
        df_buf_puts(b, "null");
    }
    df_buf_printf(b,
                  ",\"properties\":{\"kind\":\"event\",\"id\":%lld,"
                  "\"type\":\"%s\",\"vessels\":[",
                  (long long)id, df_event_name(ev->type));
    for (i = 0; i < nv; i++)
        df_buf_printf(b, i ? ",%lu" : "%lu", (unsigned long)ev->vessels[i]);
    df_buf_puts(b, "],\"names\":[");
    for (i = 0; i < nv; i++) {
        const char *name = vessel_name(x, ev->vessels[i]);
        if (i)
            df_buf_append(b, ",", 1);
        if (*name)
            put_json(x, b, name, strlen(name));
        else
            df_buf_puts(b, "null");
    }
    df_buf_puts(b, "],\"start\":");
    time_json(b, ev->start_ms);
    df_buf_puts(b, ",\"end\":");
    time_json(b, ev->end_ms);
    df_buf_puts(b, ",\"score\":");
    score_num(b, ev->score, "null");
    df_buf_puts(b, ",\"evidence\":");
    evidence_json(x, b, ev);
    df_buf_puts(b, "}}");
    feature_close(x, b);
}

/* Where a line from a to b crosses the antimeridian: 0 if it does not,
 * else +1 (eastward, leaving at +180) or -1 (westward, at -180); *lat
 * and *t get the crossing's latitude (degrees) and time. */
static int crossing(const struct df_point *a, const struct df_point *b,
                    double *lat, int64_t *t)
{
    double lon1 = a->lon / 600000.0, lon2 = b->lon / 600000.0;
    double lat1 = a->lat / 600000.0, lat2 = b->lat / 600000.0;
    double edge, f;
    int dir;

    if (lon2 - lon1 < -180) {
        dir = 1;
        lon2 += 360;
        edge = 180;
    } else if (lon2 - lon1 > 180) {
        dir = -1;
        lon2 -= 360;
        edge = -180;
    } else {
        return 0;
    }
    f = lon2 == lon1 ? 0 : (edge - lon1) / (lon2 - lon1);
    if (f < 0)
        f = 0;
    if (f > 1)
        f = 1;
    *lat = lat1 + f * (lat2 - lat1);
    if (a->t_ms != DF_TIME_NONE && b->t_ms != DF_TIME_NONE)
        *t = a->t_ms + (int64_t)llround((double)(b->t_ms - a->t_ms) * f);
    else
        *t = DF_TIME_NONE;
    return dir;
}

/* One element of the coordinates (times 0) or times (times 1) array. */
static void elem_point(struct df_buf *b, const struct df_point *p, int times)
{
    if (times) {
        time_json(b, p->t_ms);
        return;
    }
    df_buf_append(b, "[", 1);
    deg6(b, p->lon);
    df_buf_append(b, ",", 1);
    deg6(b, p->lat);
    df_buf_append(b, "]", 1);
}

static void elem_edge(struct df_buf *b, double lon, double lat, int64_t t,
                      int times)
{
    if (times) {
        time_json(b, t);
        return;
    }
    df_buf_append(b, "[", 1);
    degd(b, lon);
    df_buf_append(b, ",", 1);
    degd(b, lat);
    df_buf_append(b, "]", 1);
}

/* The positions of the track (all valid), as a LineString's array
 * (multi 0) or a MultiLineString's (multi 1); times 1 writes the times
 * in the same shape instead. */
static void line_arrays(struct df_buf *b, const struct df_point *p,
                        size_t n, int multi, int times)
{
    size_t i;

    df_buf_puts(b, multi ? "[[" : "[");
    elem_point(b, &p[0], times);
    for (i = 1; i < n; i++) {
        double lat;
        int64_t t;
        int dir = multi ? crossing(&p[i - 1], &p[i], &lat, &t) : 0;

        df_buf_append(b, ",", 1);
        if (dir) {
            elem_edge(b, dir > 0 ? 180.0 : -180.0, lat, t, times);
            df_buf_puts(b, "],[");
            elem_edge(b, dir > 0 ? -180.0 : 180.0, lat, t, times);
            df_buf_append(b, ",", 1);
        }
        elem_point(b, &p[i], times);
    }
    df_buf_puts(b, multi ? "]]" : "]");
}

/* Writes the collected points (x->pts holds only valid positions) as one
 * feature. */
static void geojson_track(struct df_export *x, struct df_buf *b)
{
    const struct df_identity *id = latest(&x->v);
    const struct df_point *p = x->pts;
    size_t i, n = x->npts;
    int multi = 0;
    double lat;
    int64_t t;

    for (i = 1; i < n && !multi; i++)
        multi = crossing(&p[i - 1], &p[i], &lat, &t) != 0;
    feature_open(x, b);
    df_buf_puts(b, "{\"type\":\"Feature\",\"geometry\":{\"type\":");
    if (n == 1) {
        df_buf_puts(b, "\"Point\",\"coordinates\":");
        elem_point(b, &p[0], 0);
    } else {
        df_buf_puts(b, multi ? "\"MultiLineString\"" : "\"LineString\"");
        df_buf_puts(b, ",\"coordinates\":");
        line_arrays(b, p, n, multi, 0);
    }
    df_buf_printf(b, "},\"properties\":{\"kind\":\"track\",\"mmsi\":%lu,"
                     "\"name\":",
                  (unsigned long)x->v.mmsi);
    if (id && id->shipname[0])
        put_json(x, b, id->shipname, sizeof id->shipname);
    else
        df_buf_puts(b, "null");
    df_buf_puts(b, ",\"callsign\":");
    if (id && id->callsign[0])
        put_json(x, b, id->callsign, sizeof id->callsign);
    else
        df_buf_puts(b, "null");
    if (id && id->imo)
        df_buf_printf(b, ",\"imo\":%lu", (unsigned long)id->imo);
    else
        df_buf_puts(b, ",\"imo\":null");
    df_buf_puts(b, ",\"flag\":");
    if (x->v.flag[0])
        put_json(x, b, x->v.flag, sizeof x->v.flag);
    else
        df_buf_puts(b, "null");
    df_buf_puts(b, ",\"score\":");
    score_num(b, x->score, "null");
    df_buf_puts(b, ",\"first\":");
    time_json(b, p[0].t_ms);
    df_buf_puts(b, ",\"last\":");
    time_json(b, p[n - 1].t_ms);
    df_buf_printf(b, ",\"points\":%lu,\"part\":%u,\"times\":",
                  (unsigned long)n, x->part);
    if (n == 1) {
        df_buf_append(b, "[", 1);
        time_json(b, p[0].t_ms);
        df_buf_append(b, "]", 1);
    } else {
        line_arrays(b, p, n, multi, 1);
    }
    df_buf_puts(b, "}}");
    feature_close(x, b);
}

/* ---- KML ---------------------------------------------------------------------- */

/* Icon colours per event type, KML's aabbggrr. */
static const char *const kml_colors[DF_EV_COUNT] = {
    "ff0000ff", /* encounter: red */
    "ff00a5ff", /* loitering: orange */
    "ff808080", /* gap: grey */
    "ffff00ff", /* draught_change: magenta */
    "ff00ffff", /* spoofing: yellow */
    "ff2a2aa5", /* mmsi_collision: brown */
    "ffffff00", /* identity_change: cyan */
    "ff800080", /* invalid_identity: purple */
    "ff0000b0", /* zone_entry: dark red */
    "ff00ff00", /* port_call: green */
    "ff000000", /* watchlist_match: black */
};

static void kml_begin(struct df_buf *b)
{
    int i;

    df_buf_puts(b,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<kml xmlns=\"http://www.opengis.net/kml/2.2\" "
                "xmlns:gx=\"http://www.google.com/kml/ext/2.2\">\n"
                "<Document>\n<name>darkfleet</name>\n");
    for (i = 0; i < DF_EV_COUNT; i++)
        df_buf_printf(b,
                      "<Style id=\"ev-%s\"><IconStyle><color>%s</color>"
                      "<scale>1.1</scale><Icon><href>http://maps.google.com/"
                      "mapfiles/kml/shapes/placemark_circle.png</href>"
                      "</Icon></IconStyle></Style>\n",
                      df_event_name((enum df_event_type)i), kml_colors[i]);
    df_buf_puts(b,
                "<Style id=\"track\"><IconStyle><Icon><href>http://"
                "maps.google.com/mapfiles/kml/shapes/sailing.png</href>"
                "</Icon></IconStyle><LineStyle><color>ffffaa00</color>"
                "<width>2</width></LineStyle></Style>\n");
}

/* Opens the folder for section (1 events, 2 tracks), closing the other
 * and writing an empty Events folder first if it was asked for. */
static void kml_folder(struct df_export *x, struct df_buf *b, int section)
{
    if (x->folder == section)
        return;
    if (x->folder)
        df_buf_puts(b, "</Folder>\n");
    x->folder = 0;
    if (section == 2 && (x->o.what & DF_EXPORT_EVENTS) &&
        !(x->folders_done & DF_EXPORT_EVENTS)) {
        df_buf_puts(b, "<Folder><name>Events</name></Folder>\n");
        x->folders_done |= DF_EXPORT_EVENTS;
    }
    if (section == 0)
        return;
    df_buf_puts(b, section == 1 ? "<Folder><name>Events</name>\n"
                                : "<Folder><name>Tracks</name>\n");
    x->folders_done |= section == 1 ? DF_EXPORT_EVENTS : DF_EXPORT_TRACKS;
    x->folder = section;
}

static void kml_data(struct df_buf *b, const char *name, const char *value)
{
    df_buf_printf(b, "<Data name=\"%s\"><value>%s</value></Data>", name,
                  value);
}

static void kml_time(struct df_buf *b, const char *tag, int64_t ms)
{
    char t[32];

    if (iso(ms, t))
        df_buf_printf(b, "<%s>%s</%s>", tag, t, tag);
}

static void kml_event(struct df_export *x, struct df_buf *b, int64_t id,
                      const struct df_event *ev)
{
    const char *type = df_event_name(ev->type);
    unsigned i, nv = ev->nvessels > 2 ? 2 : ev->nvessels;
    char num[64], t0[32], t1[32];
    size_t elen;
    const char *e = evidence(ev, &elen);

    kml_folder(x, b, 1);
    df_buf_printf(b, "<Placemark id=\"ev%lld\"><name>%s", (long long)id,
                  type);
    for (i = 0; i < nv; i++) {
        const char *name = vessel_name(x, ev->vessels[i]);
        df_buf_printf(b, "%s%lu", i ? " / " : " ",
                      (unsigned long)ev->vessels[i]);
        if (*name) {
            df_buf_append(b, " ", 1);
            put_xml(x, b, name, strlen(name));
        }
    }
    df_buf_puts(b, "</name>\n<description>");
    /* HTML for the balloon: data HTML-escaped here, all XML-escaped. */
    x->s2.len = 0;
    df_buf_printf(&x->s2, "<b>%s</b><br>", type);
    for (i = 0; i < nv; i++) {
        const char *name = vessel_name(x, ev->vessels[i]);
        df_buf_printf(&x->s2, "MMSI %lu", (unsigned long)ev->vessels[i]);
        if (*name) {
            df_buf_puts(&x->s2, " ");
            put_html(x, name, strlen(name));
        }
        df_buf_puts(&x->s2, "<br>");
    }
    iso(ev->start_ms, t0);
    iso(ev->end_ms, t1);
    df_buf_printf(&x->s2, "from %s to %s<br>score ", t0[0] ? t0 : "?",
                  t1[0] ? t1 : "?");
    score_num(&x->s2, ev->score, "n/a");
    df_buf_puts(&x->s2, "<br>evidence: ");
    put_html(x, e, elen);
    if (x->s2.oom)
        b->oom = 1;
    else
        df_buf_xml_str(b, x->s2.data, x->s2.len);
    df_buf_puts(b, "</description>\n");
    if (t0[0] || t1[0]) {
        df_buf_puts(b, "<TimeSpan>");
        kml_time(b, "begin", ev->start_ms);
        kml_time(b, "end", ev->end_ms);
        df_buf_puts(b, "</TimeSpan>");
    }
    df_buf_printf(b, "<styleUrl>#ev-%s</styleUrl>\n<ExtendedData>", type);
    snprintf(num, sizeof num, "%lld", (long long)id);
    kml_data(b, "id", num);
    kml_data(b, "type", type);
    for (i = 0; i < nv; i++) {
        snprintf(num, sizeof num, "%lu", (unsigned long)ev->vessels[i]);
        kml_data(b, i ? "vessel2" : "vessel1", num);
    }
    kml_data(b, "start", t0);
    kml_data(b, "end", t1);
    x->s2.len = 0;
    score_num(&x->s2, ev->score, "");
    kml_data(b, "score", x->s2.data ? x->s2.data : "");
    df_buf_puts(b, "<Data name=\"evidence\"><value>");
    put_xml(x, b, e, elen);
    df_buf_puts(b, "</value></Data></ExtendedData>\n");
    if (pos_ok(ev->lon, ev->lat)) {
        df_buf_puts(b, "<Point><coordinates>");
        deg6(b, ev->lon);
        df_buf_append(b, ",", 1);
        deg6(b, ev->lat);
        df_buf_puts(b, "</coordinates></Point>");
    }
    df_buf_puts(b, "</Placemark>\n");
}

/* The collected track as a Placemark with a gx:Track (points without a
 * time were not kept: <when> needs one). */
static void kml_track(struct df_export *x, struct df_buf *b)
{
    const struct df_identity *id = latest(&x->v);
    size_t i;
    char num[64];

    df_buf_printf(b, "<Placemark id=\"track%lu-%u\"><name>%lu",
                  (unsigned long)x->v.mmsi, x->part,
                  (unsigned long)x->v.mmsi);
    if (id && id->shipname[0]) {
        df_buf_append(b, " ", 1);
        put_xml(x, b, id->shipname, sizeof id->shipname);
    }
    df_buf_puts(b, "</name>\n<styleUrl>#track</styleUrl><ExtendedData>");
    snprintf(num, sizeof num, "%lu", (unsigned long)x->v.mmsi);
    kml_data(b, "mmsi", num);
    df_buf_puts(b, "<Data name=\"name\"><value>");
    if (id)
        put_xml(x, b, id->shipname, sizeof id->shipname);
    df_buf_puts(b, "</value></Data><Data name=\"callsign\"><value>");
    if (id)
        put_xml(x, b, id->callsign, sizeof id->callsign);
    df_buf_puts(b, "</value></Data><Data name=\"imo\"><value>");
    if (id && id->imo)
        df_buf_printf(b, "%lu", (unsigned long)id->imo);
    df_buf_puts(b, "</value></Data><Data name=\"flag\"><value>");
    put_xml(x, b, x->v.flag, sizeof x->v.flag);
    df_buf_puts(b, "</value></Data><Data name=\"score\"><value>");
    score_num(b, x->score, "");
    df_buf_printf(b, "</value></Data><Data name=\"part\"><value>%u</value>"
                     "</Data></ExtendedData>\n<gx:Track>",
                  x->part);
    for (i = 0; i < x->npts; i++) {
        char t[32];
        iso(x->pts[i].t_ms, t);
        df_buf_printf(b, "\n<when>%s</when>", t);
    }
    for (i = 0; i < x->npts; i++) {
        df_buf_puts(b, "\n<gx:coord>");
        deg6(b, x->pts[i].lon);
        df_buf_append(b, " ", 1);
        deg6(b, x->pts[i].lat);
        df_buf_puts(b, " 0</gx:coord>");
    }
    df_buf_puts(b, "\n</gx:Track></Placemark>\n");
}

/* ---- CSV ------------------------------------------------------------------------- */

static void csv_coord(struct df_buf *b, int32_t lon, int32_t lat)
{
    if (pos_ok(lon, lat)) {
        deg6(b, lat);
        df_buf_append(b, ",", 1);
        deg6(b, lon);
    } else {
        df_buf_append(b, ",", 1);
    }
}

static void csv_event(struct df_export *x, struct df_buf *b, int64_t id,
                      const struct df_event *ev)
{
    char t[32];
    size_t n, elen;
    unsigned i, nv = ev->nvessels > 2 ? 2 : ev->nvessels;
    const char *e = evidence(ev, &elen);

    df_buf_printf(b, "%lld,%s,", (long long)id, df_event_name(ev->type));
    if (nv >= 1)
        df_buf_printf(b, "%lu", (unsigned long)ev->vessels[0]);
    df_buf_append(b, ",", 1);
    if (nv >= 2)
        df_buf_printf(b, "%lu", (unsigned long)ev->vessels[1]);
    df_buf_append(b, ",", 1);
    n = iso(ev->start_ms, t);
    df_buf_append(b, t, n);
    df_buf_append(b, ",", 1);
    n = iso(ev->end_ms, t);
    df_buf_append(b, t, n);
    df_buf_append(b, ",", 1);
    csv_coord(b, ev->lon, ev->lat);
    df_buf_append(b, ",", 1);
    score_num(b, ev->score, "");
    df_buf_append(b, ",", 1);
    put_csv(x, b, e, elen);
    for (i = 0; i < 2; i++) {
        df_buf_append(b, ",", 1);
        if (i < nv) {
            const char *name = vessel_name(x, ev->vessels[i]);
            put_csv(x, b, name, strlen(name));
        }
    }
    df_buf_append(b, "\n", 1);
}

static void csv_point(struct df_export *x, struct df_buf *b,
                      const struct df_point *p)
{
    const struct df_identity *id = identity_at(&x->v, p->t_ms);
    struct df__tm tm;

    df_buf_printf(b, "%lu,", (unsigned long)x->v.mmsi);
    if (p->t_ms != DF_TIME_NONE) {
        df__civil(p->t_ms, &tm);
        if (tm.year >= 0 && tm.year <= 9999)
            df_buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d", tm.year,
                          tm.month, tm.day, tm.hour, tm.minute, tm.second);
    }
    df_buf_append(b, ",", 1);
    csv_coord(b, p->lon, p->lat);
    df_buf_append(b, ",", 1);
    if (p->speed < DF_SPEED_NA)
        df_buf_printf(b, "%u.%u", p->speed / 10u, p->speed % 10u);
    df_buf_append(b, ",", 1);
    if (p->course < DF_COURSE_NA)
        df_buf_printf(b, "%u.%u", p->course / 10u, p->course % 10u);
    df_buf_append(b, ",", 1);
    if (id)
        put_csv(x, b, id->shipname, sizeof id->shipname);
    df_buf_append(b, ",", 1);
    if (id && id->imo)
        df_buf_printf(b, "IMO%07lu", (unsigned long)id->imo);
    df_buf_append(b, ",", 1);
    if (id)
        put_csv(x, b, id->callsign, sizeof id->callsign);
    df_buf_append(b, "\n", 1);
}

/* ---- the writer --------------------------------------------------------------- */

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

static enum df_err status(const struct df_export *x, const struct df_buf *b)
{
    return b->oom || x->s1.oom || x->s2.oom ? DF_NOMEM : DF_OK;
}

enum df_err df_export_begin(struct df_export *x, struct df_buf *b)
{
    if (!x || !b || x->stage != ST_NEW)
        return DF_INVAL;
    x->stage = ST_EVENTS;
    switch (x->o.format) {
    case DF_EXPORT_GEOJSON:
        df_buf_puts(b, "{\"type\":\"FeatureCollection\",\"features\":[\n");
        break;
    case DF_EXPORT_GEOJSONSEQ:
        break;
    case DF_EXPORT_KML:
        kml_begin(b);
        break;
    case DF_EXPORT_CSV_EVENTS:
        df_buf_puts(b, "id,type,vessel1,vessel2,start,end,lat,lon,score,"
                       "evidence,vessel1_name,vessel2_name\n");
        break;
    case DF_EXPORT_CSV_TRACKS:
        df_buf_puts(b, "MMSI,BaseDateTime,LAT,LON,SOG,COG,VesselName,IMO,"
                       "CallSign\n");
        break;
    }
    return status(x, b);
}

enum df_err df_export_event(struct df_export *x, struct df_buf *b,
                            int64_t id, const struct df_event *ev)
{
    if (!x || !b || !ev || x->stage != ST_EVENTS ||
        x->o.format == DF_EXPORT_CSV_TRACKS)
        return DF_INVAL;
    if (is_geojson(x))
        geojson_event(x, b, id, ev);
    else if (x->o.format == DF_EXPORT_KML)
        kml_event(x, b, id, ev);
    else
        csv_event(x, b, id, ev);
    return status(x, b);
}

enum df_err df_export_track_begin(struct df_export *x, struct df_buf *b,
                                  const struct df_vessel *v, double score)
{
    if (!x || !b || !v || x->in_track ||
        (x->stage != ST_EVENTS && x->stage != ST_TRACKS) ||
        x->o.format == DF_EXPORT_CSV_EVENTS)
        return DF_INVAL;
    x->stage = ST_TRACKS;
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
        geojson_track(x, b);
    else if (x->o.format == DF_EXPORT_KML) {
        kml_folder(x, b, 2);
        kml_track(x, b);
    }
}

enum df_err df_export_track_point(struct df_export *x, struct df_buf *b,
                                  const struct df_point *p)
{
    if (!x || !b || !p || !x->in_track)
        return DF_INVAL;
    if (x->o.format == DF_EXPORT_CSV_TRACKS) {
        csv_point(x, b, p);
        return status(x, b);
    }
    if (!pos_ok(p->lon, p->lat) ||
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
        (x->stage != ST_EVENTS && x->stage != ST_TRACKS))
        return DF_INVAL;
    x->stage = ST_DONE;
    switch (x->o.format) {
    case DF_EXPORT_GEOJSON:
        df_buf_puts(b, x->features ? "\n]}\n" : "]}\n");
        break;
    case DF_EXPORT_KML:
        if ((x->o.what & DF_EXPORT_EVENTS) &&
            !(x->folders_done & DF_EXPORT_EVENTS))
            kml_folder(x, b, 1);
        if ((x->o.what & DF_EXPORT_TRACKS) &&
            !(x->folders_done & DF_EXPORT_TRACKS))
            kml_folder(x, b, 2);
        kml_folder(x, b, 0);
        df_buf_puts(b, "</Document>\n</kml>\n");
        break;
    default:
        break;
    }
    return status(x, b);
}
