/*
 * grow.h - the growing array every container of the library keeps: one
 * realloc by doubling, in one place.
 */
#ifndef DF_UTIL_GROW_H
#define DF_UTIL_GROW_H

#include <stddef.h>

/*
 * Doubles the array at *(T **)pp of *cap elements of elem bytes (to first
 * elements when it has none).  Returns 0, or -1 when out of memory,
 * leaving the array and *cap as they were.  Call it when the array is
 * full: n == *cap.
 */
int df__grow(void *pp, size_t *cap, size_t elem, size_t first);

#endif
