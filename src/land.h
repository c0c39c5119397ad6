/*
 * land.h - the land polygons and their grid index, shared by src/land.c
 * and the file tools/mkland.mjs generates from Natural Earth (npm
 * world-atlas) at build time.  Private to the library; the unit tests use
 * it to check the index against a brute-force search over every edge.
 */
#ifndef DF_LAND_H
#define DF_LAND_H

#include <stdint.h>

#include "darkfleet.h"

#define DF__LAND_UNITS 600000     /* wire units (1/10000 min) per degree */

/* Cell flags (cell_flag[]). */
#define DF__LAND_REF 0x01         /* the cell's reference point is land */
#define DF__LAND_EDGES 0x02       /* coastline passes through the cell */

/*
 * Rings are closed (last point = first), so edge i runs from pts[2i],
 * pts[2i+1] to pts[2i+2], pts[2i+3] for every i below rings[r + 1] - 1 in
 * ring r.  The grid has cells_per_deg cells per degree from -180 and -90;
 * cell k = row * ncols + col lists its edges in cell_edges[cell_start[k] ..
 * cell_start[k + 1]).  The reference point of a cell is its centre plus
 * half a unit in each direction (never a vertex, never level with one).
 * Cut lines on the antimeridian and along the poles are edges of the
 * rings but are in no cell list.
 */
struct df_land {
    const char *source;           /* what the data is, for --version */
    int cells_per_deg, ncols, nrows;
    uint32_t npts, nrings, nedges;
    const int32_t *pts;           /* lon, lat pairs, wire units */
    const uint32_t *rings;        /* nrings + 1 offsets into pts (points) */
    const uint32_t *cell_start;   /* ncols * nrows + 1 */
    const uint32_t *cell_edges;
    const uint8_t *cell_flag;     /* DF__LAND_* */
};

/* Defined by the generated file (absent from a build without land). */
extern const struct df_land df__land_builtin;

#endif
