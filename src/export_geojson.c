/*
 * export_geojson.c - events and tracks as GeoJSON (RFC 7946), one feature
 * per line:
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
 * The writer's entry points and the helpers shared with the other formats
 * are in export.c.
 */
#include "export_int.h"

#include <math.h>
#include <string.h>

/* Degrees as a double (interpolated points), six decimals, no "-0". */
static void degd(struct df_buf *b, double d)
{
    if (fabs(d) < 5e-7)
        d = 0;
    df_buf_printf(b, "%.6f", d);
}

/* A JSON time string, or null. */
static void time_json(struct df_buf *b, int64_t ms)
{
    char t[32];
    size_t n = df__export_iso(ms, t);

    if (n == 0) {
        df_buf_puts(b, "null");
        return;
    }
    df_buf_append(b, "\"", 1);
    df_buf_append(b, t, n);
    df_buf_append(b, "\"", 1);
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

void df__export_geojson_begin(struct df_export *x, struct df_buf *b)
{
    if (x->o.format == DF_EXPORT_GEOJSON)
        df_buf_puts(b, "{\"type\":\"FeatureCollection\",\"features\":[\n");
}

void df__export_geojson_event(struct df_export *x, struct df_buf *b,
                              int64_t id, const struct df_event *ev)
{
    unsigned i, nv = ev->nvessels > 2 ? 2 : ev->nvessels;

    feature_open(x, b);
    df_buf_printf(b, "{\"type\":\"Feature\",\"id\":%lld,\"geometry\":",
                  (long long)id);
    if (df__export_pos_ok(ev->lon, ev->lat)) {
        df_buf_puts(b, "{\"type\":\"Point\",\"coordinates\":[");
        df__export_lonlat(b, ev->lon, ev->lat, ',');
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
        const char *name = df__export_vessel_name(x, ev->vessels[i]);
        if (i)
            df_buf_append(b, ",", 1);
        if (*name)
            df__export_put_json(x, b, name, strlen(name));
        else
            df_buf_puts(b, "null");
    }
    df_buf_puts(b, "],\"start\":");
    time_json(b, ev->start_ms);
    df_buf_puts(b, ",\"end\":");
    time_json(b, ev->end_ms);
    df_buf_puts(b, ",\"score\":");
    df__export_score(b, ev->score, "null");
    df_buf_puts(b, ",\"evidence\":");
    df__export_evidence_json(x, b, ev);
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
    df__export_lonlat(b, p->lon, p->lat, ',');
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

void df__export_geojson_track(struct df_export *x, struct df_buf *b)
{
    const struct df_identity *id = df__export_latest(&x->v);
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
        df__export_put_json(x, b, id->shipname, sizeof id->shipname);
    else
        df_buf_puts(b, "null");
    df_buf_puts(b, ",\"callsign\":");
    if (id && id->callsign[0])
        df__export_put_json(x, b, id->callsign, sizeof id->callsign);
    else
        df_buf_puts(b, "null");
    if (id && id->imo)
        df_buf_printf(b, ",\"imo\":%lu", (unsigned long)id->imo);
    else
        df_buf_puts(b, ",\"imo\":null");
    df_buf_puts(b, ",\"flag\":");
    if (x->v.flag[0])
        df__export_put_json(x, b, x->v.flag, sizeof x->v.flag);
    else
        df_buf_puts(b, "null");
    df_buf_puts(b, ",\"score\":");
    df__export_score(b, x->score, "null");
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


void df__export_geojson_end(struct df_export *x, struct df_buf *b)
{
    if (x->o.format == DF_EXPORT_GEOJSON)
        df_buf_puts(b, x->features ? "\n]}\n" : "]}\n");
}
