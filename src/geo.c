/*
 * geo.c - zones (GeoJSON polygons) and ports or anchorages (points with a
 * radius, from CSV or GeoJSON), and great-circle distance.
 *
 * Sources: GeoJSON is RFC 7946 (positions are [longitude, latitude];
 * a Polygon is an outer ring and its holes; MultiPolygon a list of
 * them), parsed with jansson.  The CSV readers follow RFC 4180 quoting and
 * name their columns as the NGA World Port Index extracts and Global
 * Fishing Watch's anchorages_pipeline (anchorage_overrides.csv) do.
 * Distance: the haversine formula on a sphere of the IUGG mean Earth
 * radius R1 = 6371008.8 m (Moritz, Geodetic Reference System 1980).
 *
 * A zone is any number of rings; a position is inside when a ray from it
 * crosses the zone's rings an odd number of times (the even-odd rule, so
 * holes and the parts of a MultiPolygon need no bookkeeping).  Zones are
 * few and checked by bounding box, then ring by ring.  Ports are many
 * (60,410 GFW anchorages): they sit in a hash of 0.1-degree cells with a
 * chain through each bucket, so a lookup reads a few cells.  Zones that
 * cross the antimeridian are not supported (split them at 180 degrees).
 * Every container has a cap; a file that would pass one fails with
 * DF_LIMIT and keeps what it added so far.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "darkfleet.h"
#include "util/alloc.h"
#include "util/csvrec.h"
#include "util/geodesy.h"
#include "util/hash.h"
#include "util/hmap.h"
#include "util/slurp.h"
#include "geo.h"
#include "mid.h"

#define U DF__E4MIN_PER_DEG
#define PI DF__PI
#define KM_PER_DEG DF__KM_PER_DEG

#define MAX_ZONES 10000
_Static_assert(MAX_ZONES <= INT16_MAX, "vessels keep zone indices in int16_t");
#define MAX_RINGS 100000
#define MAX_VERTS 1000000
#define MAX_PORTS 1000000
#define MAX_POOL (64u << 20)      /* bytes of names and countries */
#define MAX_FILE (256u << 20)     /* bytes of one GeoJSON file */
#define MAX_LINE 4096             /* bytes of one CSV line */
#define MAX_FIELDS 64

#define PORT_KM 3.0               /* default radius of a port */
#define ANCHORAGE_KM 2.0          /* default radius of an anchorage */

#define CELL 60000                /* port cells: 0.1 degree */
#define NCX 3600                  /* cells around the globe */
#define NONE DF__HMAP_NONE

struct ring {
    uint32_t v0, nv;              /* vertices, open (no repeated first) */
    int32_t box[4];               /* min lon, min lat, max lon, max lat */
};

struct zone {
    uint32_t name;                /* offset in the pool */
    uint32_t ring0, nrings;
    int interest;
    int32_t box[4];
};

struct port {
    int32_t lon, lat;
    float radius_km;
    uint8_t anchorage;
    uint8_t reference;            /* a reference place (places.csv): used
                                   * to tell berths and anchorages, never
                                   * a port to call at */
    uint32_t name, country;       /* offsets in the pool */
    uint32_t next;                /* next port in its cell, or NONE */
};

struct df_geo {
    struct zone *zones;
    uint32_t nzones, zcap;
    struct ring *rings;
    uint32_t nrings, rcap;
    int32_t *verts;               /* lon, lat pairs */
    uint32_t nverts, vcap;
    struct port *ports;
    uint32_t nports, pcap;
    struct df__hmap cells;        /* port cell -> first port in it */
    double max_radius_km;         /* of any port */
    char *pool;
    size_t npool, poolcap;
    struct df__geo_counts counts;
};

/* ---- small helpers ----------------------------------------------------- */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Grows *p (of *cap elements of size sz) to hold need elements, up to max.
 * Returns 0, or -1 when out of memory or over the cap. */
static int grow(void **p, uint32_t *cap, size_t sz, uint32_t need,
                uint32_t max)
{
    uint32_t n;
    void *np;

    if (need <= *cap)
        return 0;
    if (need > max)
        return -1;
    n = *cap ? *cap : 16;
    while (n < need)
        n = n > max / 2 ? max : n * 2;
    np = df__realloc(*p, (size_t)n * sz);
    if (!np)
        return -1;
    *p = np;
    *cap = n;
    return 0;
}

/* Copies s (at most 255 bytes of it) into the pool; returns its offset,
 * or NONE when out of memory or over the cap.  Offset 0 is "". */
static uint32_t intern(struct df_geo *g, const char *s)
{
    size_t n = s ? strnlen(s, 255) : 0, need;
    uint32_t off;

    if (!n)
        return 0;
    need = g->npool + n + 1;
    if (need > MAX_POOL)
        return NONE;
    if (need > g->poolcap) {
        size_t cap = g->poolcap * 2 > need ? g->poolcap * 2 : need + 4096;
        char *np;

        if (cap > MAX_POOL)
            cap = MAX_POOL;
        np = df__realloc(g->pool, cap);
        if (!np)
            return NONE;
        g->pool = np;
        g->poolcap = cap;
    }
    off = (uint32_t)g->npool;
    memcpy(g->pool + off, s, n);
    g->pool[off + n] = '\0';
    g->npool = need;
    return off;
}

static int valid_deg(double lon, double lat)
{
    return isfinite(lon) && isfinite(lat) && lon >= -180 && lon <= 180 &&
           lat >= -90 && lat <= 90;
}

double df_distance_m(int32_t lon1, int32_t lat1, int32_t lon2, int32_t lat2)
{
    double k = PI / 180 / U;

    return df__haversine_m(lat1 * k, lat2 * k, (lat2 - (double)lat1) * k,
                           (lon2 - (double)lon1) * k);
}

/* ---- lifecycle --------------------------------------------------------- */

struct df_geo *df_geo_new(void)
{
    struct df_geo *g = df__calloc(1, sizeof *g);

    if (!g)
        return NULL;
    g->pool = df__malloc(4096);
    if (!g->pool) {
        df__free(g);
        return NULL;
    }
    g->pool[0] = '\0';
    g->npool = 1;
    g->poolcap = 4096;
    return g;
}

void df_geo_free(struct df_geo *g)
{
    if (!g)
        return;
    df__free(g->zones);
    df__free(g->rings);
    df__free(g->verts);
    df__free(g->ports);
    df__hmap_fini(&g->cells);
    df__free(g->pool);
    df__free(g);
}

void df__geo_counts(const struct df_geo *g, struct df__geo_counts *out)
{
    *out = g->counts;
}

int df__geo_nports(const struct df_geo *g)
{
    return g ? (int)g->nports : 0;
}

int df__geo_nzones(const struct df_geo *g)
{
    return g ? (int)g->nzones : 0;
}

/* ---- ports ------------------------------------------------------------- */

static uint32_t cell_x(int32_t lon)
{
    int64_t cx = ((int64_t)lon + 180 * 600000) / CELL;

    return (uint32_t)(((cx % NCX) + NCX) % NCX);
}

static uint32_t cell_y(int32_t lat)
{
    return (uint32_t)(((int64_t)lat + 90 * 600000) / CELL);
}

/* The hash key of a port cell. */
static uint64_t cell_key(uint32_t cx, uint32_t cy)
{
    return (uint64_t)cy * NCX + cx;
}

/* Adds a port; returns its index, -1 when out of memory, -2 at the cap or
 * for a position out of range. */
static int add_port(struct df_geo *g, const char *name, const char *country,
                    int32_t lon, int32_t lat, double radius_km, int anchorage,
                    int reference)
{
    struct port *p;
    uint32_t nm, co;
    uint64_t key;
    char cc[4];

    if (lon < -180 * 600000 || lon > 180 * 600000 || lat < -90 * 600000 ||
        lat > 90 * 600000)
        return -2;
    if (g->nports >= MAX_PORTS)
        return -2;
    if (grow((void **)&g->ports, &g->pcap, sizeof *p, g->nports + 1,
             MAX_PORTS) < 0)
        return -1;
    if (df__hmap_reserve(&g->cells, g->nports + 1) < 0)
        return -1;
    nm = intern(g, name);
    co = intern(g, df__country_alpha2(country, cc));
    if (nm == NONE || co == NONE)
        return -1;
    p = &g->ports[g->nports];
    p->lon = lon;
    p->lat = lat;
    p->radius_km = (float)(radius_km > 0 && isfinite(radius_km)
                               ? radius_km
                               : anchorage ? ANCHORAGE_KM : PORT_KM);
    p->anchorage = anchorage ? 1 : 0;
    p->reference = reference ? 1 : 0;
    if (p->radius_km > g->max_radius_km)
        g->max_radius_km = p->radius_km;
    p->name = nm;
    p->country = co;
    key = cell_key(cell_x(lon), cell_y(lat));
    p->next = df__hmap_get(&g->cells, key);
    df__hmap_put(&g->cells, key, g->nports); /* room was made */
    g->counts.ports++;
    return (int)g->nports++;
}

int df_geo_add_port(struct df_geo *g, const char *name, const char *country,
                    int32_t lon, int32_t lat, double radius_km, int anchorage)
{
    int r;

    if (!g)
        return -1;
    r = add_port(g, name, country, lon, lat, radius_km, anchorage, 0);
    return r < 0 ? -1 : r;
}

/* The port of layer reference (0: the user's and the built-in DPRK
 * ports, 1: the reference places) nearest to the position within max_km,
 * by the distance to its centre, or with edge to its edge (the centre's
 * minus its radius: negative inside).  Returns its index, or -1; *km gets
 * the distance (max_km when none). */
static int nearest(const struct df_geo *g, int32_t lon, int32_t lat,
                   double max_km, int reference, int edge, double *km)
{
    double best = max_km * 1000, reach = max_km, d, c, span;
    int found = -1;
    uint32_t i;
    int64_t cy0, cy1, cx0, cx1, cx, cy, ncells;

    if (km)
        *km = max_km;
    if (!g || !g->nports || !(max_km >= 0) || lon < -180 * 600000 ||
        lon > 180 * 600000 || lat < -90 * 600000 || lat > 90 * 600000)
        return -1;
    if (edge)
        reach += g->max_radius_km;
    /* The cells a port within reach can be in.  Longitude degrees are
     * shortest at the poleward edge of the window. */
    span = reach / KM_PER_DEG;
    c = cos(fmin(90, fabs(lat / U) + span) * (PI / 180));
    cy0 = (int64_t)floor((lat / U - span + 90) * 10);
    cy1 = (int64_t)floor((lat / U + span + 90) * 10);
    if (c < 1e-3 || span / c >= 180) {
        cx0 = 0;
        cx1 = NCX - 1;
    } else {
        cx0 = (int64_t)floor((lon / U - span / c + 180) * 10);
        cx1 = (int64_t)floor((lon / U + span / c + 180) * 10);
    }
    cy0 = cy0 < 0 ? 0 : cy0;
    cy1 = cy1 > 1800 ? 1800 : cy1;
    ncells = (cy1 - cy0 + 1) * (cx1 - cx0 + 1);

    if (ncells > (int64_t)g->nports) {
        for (i = 0; i < g->nports; i++) {
            const struct port *p = &g->ports[i];

            if (p->reference != reference)
                continue;
            d = df_distance_m(lon, lat, p->lon, p->lat) -
                (edge ? p->radius_km * 1000.0 : 0);
            if (d <= best) {
                best = d;
                found = (int)i;
            }
        }
    } else {
        for (cy = cy0; cy <= cy1; cy++)
            for (cx = cx0; cx <= cx1; cx++) {
                uint32_t wx = (uint32_t)(((cx % NCX) + NCX) % NCX);

                for (i = df__hmap_get(&g->cells,
                                      cell_key(wx, (uint32_t)cy));
                     i != NONE; i = g->ports[i].next) {
                    const struct port *p = &g->ports[i];

                    if (p->reference != reference)
                        continue;
                    d = df_distance_m(lon, lat, p->lon, p->lat) -
                        (edge ? p->radius_km * 1000.0 : 0);
                    if (d < best || (d == best && (int)i < found)) {
                        best = d;
                        found = (int)i;
                    }
                }
            }
    }
    if (found >= 0 && km)
        *km = best / 1000;
    return found;
}

int df_geo_port_near(const struct df_geo *g, int32_t lon, int32_t lat,
                     double max_km, double *km)
{
    return nearest(g, lon, lat, max_km, 0, 0, km);
}

int df__geo_place_near(const struct df_geo *g, int32_t lon, int32_t lat,
                       double max_km, double *edge_km)
{
    return nearest(g, lon, lat, max_km, 1, 1, edge_km);
}

const char *df_geo_port_name(const struct df_geo *g, int port)
{
    if (!g || port < 0 || (uint32_t)port >= g->nports)
        return NULL;
    return g->pool + g->ports[port].name;
}

const char *df_geo_port_country(const struct df_geo *g, int port)
{
    if (!g || port < 0 || (uint32_t)port >= g->nports)
        return NULL;
    return g->pool + g->ports[port].country;
}

int df_geo_port_is_anchorage(const struct df_geo *g, int port)
{
    if (!g || port < 0 || (uint32_t)port >= g->nports)
        return 0;
    return g->ports[port].anchorage;
}

double df__geo_port_radius_km(const struct df_geo *g, int port)
{
    if (!g || port < 0 || (uint32_t)port >= g->nports)
        return 0;
    return g->ports[port].radius_km;
}

/* ---- zones ------------------------------------------------------------- */

static int ring_contains(const struct df_geo *g, const struct ring *r,
                         double qx, double qy)
{
    const int32_t *v = g->verts + 2 * (size_t)r->v0;
    uint32_t i, j;
    int in = 0;

    for (i = 0, j = r->nv - 1; i < r->nv; j = i++) {
        double ax = v[2 * i], ay = v[2 * i + 1];
        double bx = v[2 * j], by = v[2 * j + 1];

        if ((ay > qy) != (by > qy) &&
            qx < ax + (qy - ay) * (bx - ax) / (by - ay))
            in ^= 1;
    }
    return in;
}

static int in_box(const int32_t *b, int32_t lon, int32_t lat)
{
    return lon >= b[0] && lat >= b[1] && lon <= b[2] && lat <= b[3];
}

static int zone_contains(const struct df_geo *g, const struct zone *z,
                         int32_t lon, int32_t lat)
{
    uint32_t i;
    int in = 0;

    if (!in_box(z->box, lon, lat))
        return 0;
    for (i = 0; i < z->nrings; i++) {
        const struct ring *r = &g->rings[z->ring0 + i];

        if (in_box(r->box, lon, lat))
            in ^= ring_contains(g, r, lon, lat);
    }
    return in;
}

int df_geo_zone_at(const struct df_geo *g, int32_t lon, int32_t lat)
{
    uint32_t i;

    if (!g)
        return -1;
    for (i = 0; i < g->nzones; i++)
        if (zone_contains(g, &g->zones[i], lon, lat))
            return (int)i;
    return -1;
}

int df_geo_zones_at(const struct df_geo *g, int32_t lon, int32_t lat,
                    int *out, int max)
{
    uint32_t i;
    int n = 0;

    if (!g)
        return 0;
    for (i = 0; i < g->nzones; i++)
        if (zone_contains(g, &g->zones[i], lon, lat)) {
            if (n < max)
                out[n] = (int)i;
            n++;
        }
    return n;
}

const char *df_geo_zone_name(const struct df_geo *g, int zone)
{
    if (!g || zone < 0 || (uint32_t)zone >= g->nzones)
        return NULL;
    return g->pool + g->zones[zone].name;
}

int df__geo_zone_interest(const struct df_geo *g, int zone)
{
    if (!g || zone < 0 || (uint32_t)zone >= g->nzones)
        return 0;
    return g->zones[zone].interest;
}

/* Squared plane distance (km) from the query to a box, in a plane
 * tangent at the query (kx, ky km per unit). */
static double box_d2(const int32_t *b, double qx, double qy, double kx,
                     double ky)
{
    double dx = qx < b[0] ? b[0] - qx : qx > b[2] ? qx - b[2] : 0;
    double dy = qy < b[1] ? b[1] - qy : qy > b[3] ? qy - b[3] : 0;

    dx *= kx;
    dy *= ky;
    return dx * dx + dy * dy;
}

double df_geo_zone_km(const struct df_geo *g, int32_t lon, int32_t lat,
                      double max_km)
{
    double ky = KM_PER_DEG / U, kx, best2 = max_km * max_km;
    double px = 0, py = 0, d;
    uint32_t zi, ri, i, j;
    int found = 0;

    if (!g || !(max_km > 0))
        return max_km;
    kx = ky * fmax(cos(lat / U * (PI / 180)), 0.01);
    for (zi = 0; zi < g->nzones; zi++) {
        const struct zone *z = &g->zones[zi];

        if (!z->interest || box_d2(z->box, lon, lat, kx, ky) >= best2)
            continue;
        if (zone_contains(g, z, lon, lat))
            return 0;
        for (ri = 0; ri < z->nrings; ri++) {
            const struct ring *r = &g->rings[z->ring0 + ri];
            const int32_t *v = g->verts + 2 * (size_t)r->v0;

            if (box_d2(r->box, lon, lat, kx, ky) >= best2)
                continue;
            for (i = 0, j = r->nv - 1; i < r->nv; j = i++) {
                double ax = (v[2 * j] - (double)lon) * kx;
                double ay = (v[2 * j + 1] - (double)lat) * ky;
                double dx = (v[2 * i] - (double)lon) * kx - ax;
                double dy = (v[2 * i + 1] - (double)lat) * ky - ay;
                double dd = dx * dx + dy * dy, t = 0, x, y;

                if (dd > 0) {
                    t = -(ax * dx + ay * dy) / dd;
                    t = t < 0 ? 0 : t > 1 ? 1 : t;
                }
                x = ax + t * dx;
                y = ay + t * dy;
                if (x * x + y * y < best2) {
                    best2 = x * x + y * y;
                    px = lon + x / kx;
                    py = lat + y / ky;
                    found = 1;
                }
            }
        }
    }
    if (!found)
        return max_km;
    d = df_distance_m(lon, lat, (int32_t)lrint(px), (int32_t)lrint(py)) /
        1000;
    return d < max_km ? d : max_km;
}

/* ---- GeoJSON ----------------------------------------------------------- */

/* Loading state for one file. */
struct load {
    struct df_geo *g;
    const char *name;             /* the file, for messages */
    char *err;
    size_t errlen;
    enum df_err rc;               /* first hard error */
    uint32_t added;               /* zones and ports added */
};

static int position(json_t *p, double *lon, double *lat)
{
    if (!json_is_array(p) || json_array_size(p) < 2 ||
        !json_is_number(json_array_get(p, 0)) ||
        !json_is_number(json_array_get(p, 1)))
        return -1;
    *lon = json_number_value(json_array_get(p, 0));
    *lat = json_number_value(json_array_get(p, 1));
    return valid_deg(*lon, *lat) ? 0 : -1;
}

static void fail(struct load *ld, enum df_err rc, const char *what)
{
    if (ld->rc == DF_OK) {
        ld->rc = rc;
        set_err(ld->err, ld->errlen, "%s: %s", ld->name, what);
    }
}

/* Adds one ring (an array of positions) to the zone being built. */
static void add_ring(struct load *ld, struct zone *z, json_t *ring)
{
    struct df_geo *g = ld->g;
    size_t n = json_is_array(ring) ? json_array_size(ring) : 0, i;
    struct ring *r;
    double lon, lat;

    if (ld->rc != DF_OK)
        return;
    if (n >= 2) {
        /* Drop the closing position, which repeats the first. */
        double a, b, c, d;

        if (position(json_array_get(ring, 0), &a, &b) == 0 &&
            position(json_array_get(ring, n - 1), &c, &d) == 0 && a == c &&
            b == d)
            n--;
    }
    if (n < 3 || n > MAX_VERTS) {
        g->counts.bad_features++;
        return;
    }
    if (g->nrings >= MAX_RINGS || g->nverts + n > MAX_VERTS) {
        fail(ld, DF_LIMIT, "zone ring or vertex cap reached");
        return;
    }
    if (grow((void **)&g->rings, &g->rcap, sizeof *r, g->nrings + 1,
             MAX_RINGS) < 0 ||
        grow((void **)&g->verts, &g->vcap, 2 * sizeof *g->verts,
             g->nverts + (uint32_t)n, MAX_VERTS) < 0) {
        fail(ld, DF_NOMEM, "out of memory");
        return;
    }
    r = &g->rings[g->nrings];
    r->v0 = g->nverts;
    r->nv = (uint32_t)n;
    for (i = 0; i < n; i++) {
        int32_t x, y;

        if (position(json_array_get(ring, i), &lon, &lat) < 0) {
            g->counts.bad_features++;
            return;              /* nothing committed yet */
        }
        x = (int32_t)lrint(lon * U);
        y = (int32_t)lrint(lat * U);
        g->verts[2 * (r->v0 + i)] = x;
        g->verts[2 * (r->v0 + i) + 1] = y;
        if (i == 0 || x < r->box[0])
            r->box[0] = x;
        if (i == 0 || y < r->box[1])
            r->box[1] = y;
        if (i == 0 || x > r->box[2])
            r->box[2] = x;
        if (i == 0 || y > r->box[3])
            r->box[3] = y;
    }
    g->nverts += (uint32_t)n;
    if (z->nrings == 0) {
        memcpy(z->box, r->box, sizeof z->box);
    } else {
        z->box[0] = r->box[0] < z->box[0] ? r->box[0] : z->box[0];
        z->box[1] = r->box[1] < z->box[1] ? r->box[1] : z->box[1];
        z->box[2] = r->box[2] > z->box[2] ? r->box[2] : z->box[2];
        z->box[3] = r->box[3] > z->box[3] ? r->box[3] : z->box[3];
    }
    g->nrings++;
    z->nrings++;
    g->counts.rings++;
    g->counts.vertices += n;
}

static void add_polygon(struct load *ld, struct zone *z, json_t *rings)
{
    size_t i;

    if (!json_is_array(rings)) {
        ld->g->counts.bad_features++;
        return;
    }
    for (i = 0; i < json_array_size(rings); i++)
        add_ring(ld, z, json_array_get(rings, i));
}

/* Adds the polygons of a geometry to z (recursing into collections). */
static void add_geometry(struct load *ld, struct zone *z, json_t *geom,
                         int depth)
{
    const char *type = json_string_value(json_object_get(geom, "type"));
    json_t *coords = json_object_get(geom, "coordinates");
    size_t i;

    if (!type || depth > 8)
        return;
    if (!strcmp(type, "Polygon")) {
        add_polygon(ld, z, coords);
    } else if (!strcmp(type, "MultiPolygon") && json_is_array(coords)) {
        for (i = 0; i < json_array_size(coords); i++)
            add_polygon(ld, z, json_array_get(coords, i));
    } else if (!strcmp(type, "GeometryCollection")) {
        json_t *gs = json_object_get(geom, "geometries");

        for (i = 0; i < json_array_size(gs); i++)
            add_geometry(ld, z, json_array_get(gs, i), depth + 1);
    }
}

static const char *prop_str(json_t *props, const char *a, const char *b)
{
    const char *s = json_string_value(json_object_get(props, a));

    if (!s && b)
        s = json_string_value(json_object_get(props, b));
    return s;
}

static void add_point(struct load *ld, json_t *geom, json_t *props)
{
    json_t *rad = json_object_get(props, "radius_km");
    const char *kind = prop_str(props, "kind", NULL);
    double lon, lat;
    int anch, r;

    if (!json_is_number(rad))
        return;                  /* a point without a radius: ignored */
    if (position(json_object_get(geom, "coordinates"), &lon, &lat) < 0) {
        ld->g->counts.bad_features++;
        return;
    }
    anch = json_is_true(json_object_get(props, "anchorage")) ||
           (kind && !strcmp(kind, "anchorage"));
    r = add_port(ld->g, prop_str(props, "name", "label"),
                 prop_str(props, "country", "iso3"), (int32_t)lrint(lon * U),
                 (int32_t)lrint(lat * U), json_number_value(rad), anch, 0);
    if (r == -1)
        fail(ld, DF_NOMEM, "out of memory");
    else if (r == -2)
        fail(ld, DF_LIMIT, "port cap reached");
    else
        ld->added++;
}

static void add_feature(struct load *ld, json_t *feat)
{
    struct df_geo *g = ld->g;
    json_t *geom = json_object_get(feat, "geometry");
    json_t *props = json_object_get(feat, "properties");
    json_t *interest = json_object_get(props, "interest");
    const char *type = json_string_value(json_object_get(geom, "type"));
    const char *name = prop_str(props, "name", NULL);
    char fallback[32];
    struct zone *z;

    if (!type) {
        g->counts.bad_features++;
        return;
    }
    if (!strcmp(type, "Point")) {
        add_point(ld, geom, props);
        return;
    }
    if (strcmp(type, "Polygon") && strcmp(type, "MultiPolygon") &&
        strcmp(type, "GeometryCollection"))
        return;                  /* lines and the like: not zones */
    if (g->nzones >= MAX_ZONES) {
        fail(ld, DF_LIMIT, "zone cap reached");
        return;
    }
    if (grow((void **)&g->zones, &g->zcap, sizeof *z, g->nzones + 1,
             MAX_ZONES) < 0) {
        fail(ld, DF_NOMEM, "out of memory");
        return;
    }
    z = &g->zones[g->nzones];
    memset(z, 0, sizeof *z);
    z->ring0 = g->nrings;
    z->interest = !json_is_false(interest);
    add_geometry(ld, z, geom, 0);
    if (ld->rc != DF_OK || z->nrings == 0) {
        /* Roll back a zone that failed or had no usable ring. */
        if (z->nrings) {
            g->nverts = g->rings[z->ring0].v0;
            g->nrings = z->ring0;
        }
        if (ld->rc == DF_OK)
            g->counts.bad_features++;
        return;
    }
    if (!name) {
        snprintf(fallback, sizeof fallback, "zone %u", g->nzones + 1);
        name = fallback;
    }
    z->name = intern(g, name);
    if (z->name == NONE) {
        g->nverts = g->rings[z->ring0].v0;
        g->nrings = z->ring0;
        fail(ld, DF_NOMEM, "out of memory");
        return;
    }
    g->nzones++;
    g->counts.zones++;
    ld->added++;
}

enum df_err df__geo_load_geojson(struct df_geo *g, const char *text,
                                 size_t len, const char *name, char *err,
                                 size_t errlen)
{
    struct load ld = {g, name, err, errlen, DF_OK, 0};
    json_error_t je;
    json_t *root;
    const char *type;

    set_err(err, errlen, "%s", "");
    if (!g || !text)
        return DF_INVAL;
    root = json_loadb(text, len, 0, &je);
    if (!root) {
        set_err(err, errlen, "%s:%d:%d: %s", name, je.line, je.column,
                je.text);
        return DF_FORMAT;
    }
    type = json_string_value(json_object_get(root, "type"));
    if (type && !strcmp(type, "FeatureCollection")) {
        json_t *fs = json_object_get(root, "features");
        size_t i;

        for (i = 0; i < json_array_size(fs) && ld.rc == DF_OK; i++)
            add_feature(&ld, json_array_get(fs, i));
    } else if (type && !strcmp(type, "Feature")) {
        add_feature(&ld, root);
    } else if (type) {
        /* A bare geometry: wrap it as a feature without properties. */
        json_t *f = json_pack("{s:s, s:O}", "type", "Feature", "geometry",
                              root);

        if (f)
            add_feature(&ld, f);
        else
            fail(&ld, DF_NOMEM, "out of memory");
        json_decref(f);
    }
    json_decref(root);
    if (ld.rc != DF_OK)
        return ld.rc;
    if (!ld.added) {
        set_err(err, errlen, "%s: no Polygon or MultiPolygon features "
                "(nor Points with radius_km)", name);
        return DF_FORMAT;
    }
    return DF_OK;
}

enum df_err df_geo_load_zones(struct df_geo *g, const char *path, char *err,
                              size_t errlen)
{
    char *text;
    size_t len;
    enum df_err rc;

    if (!g || !path)
        return DF_INVAL;
    rc = df__slurp(path, MAX_FILE, &text, &len, err, errlen);
    if (rc != DF_OK)
        return rc;
    rc = df__geo_load_geojson(g, text, len, path, err, errlen);
    df__free(text);
    return rc;
}

enum df_err df_geo_load_builtin_dprk(struct df_geo *g)
{
    return df__geo_load_geojson(g, df__dprk_geojson, df__dprk_geojson_len,
                                "dprk.geojson", NULL, 0);
}

/* ---- CSV ---------------------------------------------------------------- */

/* Copies a field into out (cap bytes, NUL-terminated) without the white
 * space around it; a longer field is cut. */
static char *field_str(const struct df__csvf *f, char *out, size_t cap)
{
    const char *s = f->s;
    size_t n = f->n;

    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

/* 1 if the column key is one of names. */
static int key_in(const char *key, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(key, *names) == 0)
            return 1;
    return 0;
}

static int parse_num(const char *s, double *out)
{
    char *end;

    if (!*s)
        return -1;
    errno = 0;
    *out = strtod(s, &end);
    return (end == s || *end || errno == ERANGE) ? -1 : 0;
}

/* Adds the ports of a CSV text of len bytes (its header names the
 * columns, see darkfleet.h); path labels messages; reference marks them as
 * places only (df__geo_place_near), not ports to call at. */
static enum df_err load_ports(struct df_geo *g, const char *buf, size_t len,
                              const char *path, int reference, char *err,
                              size_t errlen)
{
    static const char *const lat_names[] = {"latitude", "lat", NULL};
    static const char *const lon_names[] = {"longitude", "lon", "lng",
                                            "long", NULL};
    static const char *const name_names[] = {"name", "label", NULL};
    static const char *const country_names[] = {"country", "iso3", "iso2",
                                                "countrycode", NULL};
    static const char *const kind_names[] = {"kind", NULL};
    static const char *const radius_names[] = {"radiuskm", NULL};
    static const char *const s2_names[] = {"s2id", NULL};
    struct df__csvf f[MAX_FIELDS];
    struct df__csv cur;
    char name[256], country[64], num[64];
    size_t nf, i;
    int clat = -1, clon = -1, cname = -1, ccountry = -1, ckind = -1;
    int crad = -1, need, anchorages = 0;
    uint64_t bad = 0, added = 0;

    enum df_err rc = DF_OK;

    memset(&cur, 0, sizeof(cur));
    cur.s = buf;
    cur.len = len;
    cur.oneline = 1;
    cur.cap = MAX_LINE;
    cur.scratch = df__malloc(MAX_LINE);
    if (!cur.scratch) {
        set_err(err, errlen, "%s: out of memory", path);
        rc = DF_NOMEM;
        goto out;
    }
    /* The header: skip a UTF-8 byte order mark. */
    if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
        cur.pos = 3;
    nf = df__csv_record(&cur, f, MAX_FIELDS);
    if (nf == 0) {
        set_err(err, errlen, "%s: no header line", path);
        rc = DF_FORMAT;
        goto out;
    }
    for (i = 0; i < nf && i < MAX_FIELDS; i++) {
        char key[64];

        df__csv_colkey(f[i].s, f[i].n, key, sizeof(key));
        if (clat < 0 && key_in(key, lat_names))
            clat = (int)i;
        else if (clon < 0 && key_in(key, lon_names))
            clon = (int)i;
        else if (cname < 0 && key_in(key, name_names))
            cname = (int)i;
        else if (ccountry < 0 && key_in(key, country_names))
            ccountry = (int)i;
        else if (ckind < 0 && key_in(key, kind_names))
            ckind = (int)i;
        else if (crad < 0 && key_in(key, radius_names))
            crad = (int)i;
        else if (key_in(key, s2_names))
            anchorages = 1;       /* GFW anchorages: S2 cell ids */
    }
    if (clat < 0 || clon < 0) {
        set_err(err, errlen, "%s: header names no latitude and longitude "
                "columns", path);
        rc = DF_FORMAT;
        goto out;
    }
    need = clat > clon ? clat : clon;
    for (;;) {
        size_t start = cur.pos;
        double lat, lon, rad = 0;
        int anch = anchorages, r;

        if ((nf = df__csv_record(&cur, f, MAX_FIELDS)) == 0)
            break;
        if (cur.pos - start >= MAX_LINE ||
            (cur.flags & (DF__CSV_OPEN | DF__CSV_TRUNC))) {
            bad++;
            continue;
        }
        if (nf > MAX_FIELDS)
            nf = MAX_FIELDS;
        if (nf == 1 && !*field_str(&f[0], num, sizeof(num)))
            continue;             /* a blank line */
        if ((int)nf <= need ||
            parse_num(field_str(&f[clat], num, sizeof(num)), &lat) < 0 ||
            parse_num(field_str(&f[clon], num, sizeof(num)), &lon) < 0 ||
            !valid_deg(lon, lat)) {
            bad++;
            continue;
        }
        if (crad >= 0 && (size_t)crad < nf &&
            *field_str(&f[crad], num, sizeof(num)) &&
            (parse_num(num, &rad) < 0 || rad < 0)) {
            bad++;
            continue;
        }
        if (ckind >= 0 && (size_t)ckind < nf) {
            char key[16];

            df__csv_colkey(f[ckind].s, f[ckind].n, key, sizeof(key));
            if (strcmp(key, "anchorage") == 0)
                anch = 1;
            else if (strcmp(key, "port") == 0)
                anch = 0;
        }
        r = add_port(g,
                     cname >= 0 && (size_t)cname < nf
                         ? field_str(&f[cname], name, sizeof(name))
                         : NULL,
                     ccountry >= 0 && (size_t)ccountry < nf
                         ? field_str(&f[ccountry], country, sizeof(country))
                         : NULL,
                     (int32_t)lrint(lon * U), (int32_t)lrint(lat * U), rad,
                     anch, reference);
        if (r == -1) {
            set_err(err, errlen, "%s: out of memory", path);
            rc = DF_NOMEM;
            goto out;
        }
        if (r == -2) {
            set_err(err, errlen, "%s: port cap (%u) reached", path,
                    MAX_PORTS);
            rc = DF_LIMIT;
            goto out;
        }
        added++;
    }
    if (!added) {
        set_err(err, errlen, "%s: no usable rows", path);
        rc = DF_FORMAT;
    } else if (bad) {
        /* Success, with a note of what was skipped. */
        set_err(err, errlen, "%s: skipped %llu bad rows", path,
                (unsigned long long)bad);
    }
out:
    g->counts.bad_rows += bad;
    df__free(cur.scratch);
    return rc;
}

enum df_err df_geo_load_ports(struct df_geo *g, const char *path, char *err,
                              size_t errlen)
{
    enum df_err rc;
    char *buf;
    size_t len;

    if (!g || !path)
        return DF_INVAL;
    set_err(err, errlen, "%s", "");
    rc = df__slurp(path, MAX_FILE, &buf, &len, err, errlen);
    if (rc != DF_OK)
        return rc;
    rc = load_ports(g, buf, len, path, 0, err, errlen);
    df__free(buf);
    return rc;
}

enum df_err df_geo_load_builtin_places(struct df_geo *g)
{
    if (!g)
        return DF_INVAL;
    return load_ports(g, df__places_csv, df__places_csv_len, "places.csv", 1,
                      NULL, 0);
}

/* ---- fingerprint ------------------------------------------------------ */

uint64_t df_geo_fingerprint(const struct df_geo *g)
{
    uint64_t h = DF__FNV64_INIT;
    uint32_t i;

    if (!g)
        return 0;
    /* Zones with their names, rings and vertices; ports with theirs
     * (the cell index follows from the ports). */
    h = df__fnv1a64(h, &g->nzones, sizeof g->nzones);
    for (i = 0; i < g->nzones; i++) {
        const struct zone *z = &g->zones[i];
        const char *name = g->pool + z->name;

        h = df__fnv1a64(h, name, strlen(name) + 1);
        h = df__fnv1a64(h, &z->ring0, sizeof z->ring0);
        h = df__fnv1a64(h, &z->nrings, sizeof z->nrings);
        h = df__fnv1a64(h, &z->interest, sizeof z->interest);
    }
    h = df__fnv1a64(h, g->rings, (size_t)g->nrings * sizeof *g->rings);
    h = df__fnv1a64(h, g->verts, (size_t)g->nverts * 2 * sizeof *g->verts);
    h = df__fnv1a64(h, &g->nports, sizeof g->nports);
    for (i = 0; i < g->nports; i++) {
        const struct port *p = &g->ports[i];
        const char *name = g->pool + p->name;

        h = df__fnv1a64(h, name, strlen(name) + 1);
        h = df__fnv1a64(h, &p->lon, sizeof p->lon);
        h = df__fnv1a64(h, &p->lat, sizeof p->lat);
        h = df__fnv1a64(h, &p->radius_km, sizeof p->radius_km);
        h = df__fnv1a64(h, &p->anchorage, sizeof p->anchorage);
        h = df__fnv1a64(h, &p->reference, sizeof p->reference);
    }
    return h;
}
