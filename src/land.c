/*
 * land.c - on-land tests and distance to shore over the Natural Earth land
 * polygons built into the library (see land.h and tools/mkland.mjs).
 *
 * On land: point in polygon by crossing parity, local to one grid cell.
 * Each cell stores whether its reference point is on land; a query walks
 * from the reference point to the query point along an L (across at the
 * reference latitude, then up or down at the query longitude) and flips
 * that answer at each coastline edge of the cell the walk crosses.  The
 * walk stays inside the cell, so only the cell's edges can cross it.  A
 * cell without coastline is all land or all sea.  Vertices on the query
 * longitude count as lying just west of it (the half-open rule of
 * W. R. Franklin's PNPOLY), so a walk through a vertex is counted once.
 *
 * Distance to shore: the nearest coastline edge, searching rings of cells
 * outward from the query's cell until no unvisited cell can be nearer than
 * the best edge or max_km.  Edges are measured in a plane tangent at the
 * query (an equirectangular projection scaled by cos(latitude)); the
 * nearest point found is then measured again on the sphere (haversine,
 * df_distance_m), so the value returned is a great-circle distance.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "darkfleet.h"
#include "land.h"
#include "util/geodesy.h"

#define U DF__LAND_UNITS
#define KM_PER_DEG DF__KM_PER_DEG
#define MIN_COS 0.02              /* clamp near the poles (88.9 deg) */
#define PI DF__PI

static int valid(int32_t lon, int32_t lat)
{
    return lon >= -180 * U && lon <= 180 * U && lat >= -90 * U &&
           lat <= 90 * U;
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The column and row of the cell holding a valid position. */
static void cell_of(const struct df_land *l, int32_t lon, int32_t lat,
                    int *col, int *row)
{
    int cu = U / l->cells_per_deg;

    *col = clampi((int)(((int64_t)lon + 180 * U) / cu), 0, l->ncols - 1);
    *row = clampi((int)(((int64_t)lat + 90 * U) / cu), 0, l->nrows - 1);
}

int df_land_contains(const struct df_land *land, int32_t lon, int32_t lat)
{
    int col, row, cu, inside;
    size_t k;
    uint32_t i, end;
    double xr, yr, qx = lon, qy = lat;

    if (!land || !valid(lon, lat))
        return 0;
    cell_of(land, lon, lat, &col, &row);
    k = (size_t)row * (size_t)land->ncols + (size_t)col;
    inside = land->cell_flag[k] & DF__LAND_REF;
    if (!(land->cell_flag[k] & DF__LAND_EDGES))
        return inside;

    cu = U / land->cells_per_deg;
    xr = -180.0 * U + (double)col * cu + cu / 2 + 0.5;
    yr = -90.0 * U + (double)row * cu + cu / 2 + 0.5;
    end = land->cell_start[k + 1];
    for (i = land->cell_start[k]; i < end; i++) {
        const int32_t *p = land->pts + 2 * (size_t)land->cell_edges[i];
        double ax = p[0], ay = p[1], bx = p[2], by = p[3], x, y;

        /* Across: from (xr, yr) to (qx, yr).  yr is never level with a
         * vertex, so a crossing is unambiguous. */
        if ((ay > yr) != (by > yr)) {
            x = ax + (yr - ay) * (bx - ax) / (by - ay);
            if (qx >= xr ? (x > xr && x <= qx) : (x > qx && x < xr))
                inside ^= 1;
        }
        /* Up or down: from (qx, yr) to (qx, qy). */
        if ((ax > qx) != (bx > qx)) {
            y = ay + (qx - ax) * (by - ay) / (bx - ax);
            if (qy >= yr ? (y > yr && y < qy) : (y > qy && y < yr))
                inside ^= 1;
        }
    }
    return inside;
}

/* The nearest search's state: the query in wire units, the plane's scale
 * in km per unit, the best squared distance and where it was found. */
struct near {
    double qx, qy, kx, ky;
    double best2;
    double px, py;                /* nearest point, wire units (unwrapped) */
    int found;
};

/* Measures every edge of cell k, whose longitudes are shifted by shift
 * units (a multiple of 360 degrees, for cells across the antimeridian). */
static void scan_cell(const struct df_land *l, size_t k, double shift,
                      struct near *n)
{
    uint32_t i, end = l->cell_start[k + 1];

    for (i = l->cell_start[k]; i < end; i++) {
        const int32_t *p = l->pts + 2 * (size_t)l->cell_edges[i];
        double ax = (p[0] + shift - n->qx) * n->kx;
        double ay = (p[1] - n->qy) * n->ky;
        double dx = (p[2] + shift - n->qx) * n->kx - ax;
        double dy = (p[3] - n->qy) * n->ky - ay;
        double dd = dx * dx + dy * dy, t = 0, x, y, d2;

        if (dd > 0) {
            t = -(ax * dx + ay * dy) / dd;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
        }
        x = ax + t * dx;
        y = ay + t * dy;
        d2 = x * x + y * y;
        if (d2 < n->best2) {
            n->best2 = d2;
            n->px = n->qx + x / n->kx;
            n->py = n->qy + y / n->ky;
            n->found = 1;
        }
    }
}

/* Squared plane distance from the query to a cell's rectangle. */
static double cell_d2(const struct near *n, double x0, double y0, double cu)
{
    double dx = n->qx < x0 ? x0 - n->qx : n->qx > x0 + cu ? n->qx - x0 - cu
                                                           : 0;
    double dy = n->qy < y0 ? y0 - n->qy : n->qy > y0 + cu ? n->qy - y0 - cu
                                                           : 0;

    dx *= n->kx;
    dy *= n->ky;
    return dx * dx + dy * dy;
}

double df_land_shore_km(const struct df_land *land, int32_t lon, int32_t lat,
                        double max_km)
{
    struct near n;
    int col, row, k, cu, half;
    double x0, y0, c;

    if (!land || !valid(lon, lat) || !(max_km > 0))
        return max_km;
    cell_of(land, lon, lat, &col, &row);
    cu = U / land->cells_per_deg;
    half = land->ncols / 2;
    c = cos((double)lat / U * (PI / 180));
    n.qx = lon;
    n.qy = lat;
    n.ky = KM_PER_DEG / U;
    n.kx = n.ky * (c > MIN_COS ? c : MIN_COS);
    n.best2 = max_km * max_km;
    n.found = 0;
    n.px = n.py = 0;
    x0 = -180.0 * U + (double)col * cu;   /* the query cell's corner */
    y0 = -90.0 * U + (double)row * cu;

    for (k = 0;; k++) {
        int dr, dc;

        if (k > 0) {
            /* Nothing in ring k or beyond is nearer than the border of
             * the block of rings 0 .. k-1 around the query. */
            double ext = (double)(k - 1) * cu;
            double s = n.qy - (y0 - ext), nn = y0 + cu + ext - n.qy;
            double w = n.qx - (x0 - ext), e = x0 + cu + ext - n.qx;
            double lb = fmin(fmin(s, nn) * n.ky, fmin(w, e) * n.kx);

            if (lb * lb >= n.best2)
                break;
            if (row - k < 0 && row + k >= land->nrows && k > half)
                break;
        }
        for (dr = -k; dr <= k; dr++) {
            int r = row + dr, step;

            if (r < 0 || r >= land->nrows)
                continue;
            /* Whole rows at the top and bottom of the ring, the two ends
             * elsewhere; columns beyond half the globe repeat. */
            step = (dr == -k || dr == k || k == 0) ? 1 : 2 * k;
            for (dc = -k; dc <= k; dc += step) {
                int cc, wrap;
                size_t cell;
                double shift;

                if (dc < -half || dc >= half)
                    continue;
                cc = col + dc;
                wrap = cc < 0 ? -1 : cc >= land->ncols ? 1 : 0;
                cc -= wrap * land->ncols;
                cell = (size_t)r * (size_t)land->ncols + (size_t)cc;
                if (!(land->cell_flag[cell] & DF__LAND_EDGES))
                    continue;
                shift = (double)wrap * 360.0 * U;
                if (cell_d2(&n, -180.0 * U + (double)cc * cu + shift,
                            -90.0 * U + (double)r * cu, cu) >= n.best2)
                    continue;
                scan_cell(land, cell, shift, &n);
            }
        }
    }
    if (!n.found)
        return max_km;
    {
        /* The nearest point on the sphere; unwrap it to [-180, 180]. */
        double px = n.px, d;

        if (px > 180.0 * U)
            px -= 360.0 * U;
        else if (px < -180.0 * U)
            px += 360.0 * U;
        d = df_distance_m(lon, lat, (int32_t)lrint(px),
                          (int32_t)lrint(n.py)) / 1000;
        return d < max_km ? d : max_km;
    }
}
