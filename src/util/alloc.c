/*
 * alloc.c - see alloc.h.
 */
#include "util/alloc.h"

#include <stdatomic.h>
#include <stdlib.h>

static atomic_long fail_at;   /* 0: injection off */
static atomic_long seen;      /* allocations since df__alloc_fail() */
static atomic_int fail_all;   /* fail every one from fail_at on */

/* 1 if this allocation is to fail. */
static int injected(void)
{
    long at = atomic_load_explicit(&fail_at, memory_order_relaxed), k;

    if (at == 0)
        return 0;
    k = atomic_fetch_add_explicit(&seen, 1, memory_order_relaxed) + 1;
    if (k == at)
        return 1;
    return k > at && atomic_load_explicit(&fail_all, memory_order_relaxed);
}

void *df__malloc(size_t n)
{
    return injected() ? NULL : malloc(n);
}

void *df__calloc(size_t n, size_t size)
{
    return injected() ? NULL : calloc(n, size);
}

void *df__realloc(void *p, size_t n)
{
    return injected() ? NULL : realloc(p, n);
}

void *df__aligned_alloc(size_t align, size_t n)
{
    if (injected())
        return NULL;
    if (n % align != 0)
        n += align - n % align;
    return aligned_alloc(align, n);
}

void df__free(void *p)
{
    free(p);
}

void df__alloc_fail(long nth, int persist)
{
    atomic_store(&fail_at, 0);
    atomic_store(&seen, 0);
    atomic_store(&fail_all, persist != 0);
    atomic_store(&fail_at, nth > 0 ? nth : 0);
}

long df__alloc_count(void)
{
    return atomic_load(&seen);
}
