/*
 * land_none.c - df_land_default() for a build without Natural Earth land
 * (no node or no node_modules/world-atlas when CMake ran; see
 * src/CMakeLists-geo.cmake).  Callers then treat every position as at sea
 * and far from shore.  Kept out of src/ so the library's glob skips it.
 */
#include <stddef.h>

#include "darkfleet.h"

const struct df_land *df_land_default(void)
{
    return NULL;
}
