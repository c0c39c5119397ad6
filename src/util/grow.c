/*
 * grow.c - see grow.h.
 */
#include "util/grow.h"
#include "util/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int df__grow(void *pp, size_t *cap, size_t elem, size_t first)
{
    size_t n = *cap ? *cap * 2 : first;
    void *p, *q;

    if (elem == 0 || n < *cap || n > SIZE_MAX / elem)
        return -1;
    /* pp points at a T *: copied as bytes, never read through a void *
     * lvalue of another type. */
    memcpy(&p, pp, sizeof p);
    q = df__realloc(p, n * elem);
    if (q == NULL)
        return -1;
    memcpy(pp, &q, sizeof q);
    *cap = n;
    return 0;
}
