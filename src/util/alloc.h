/*
 * alloc.h - the one door every allocation of src/ goes through (zstd: "no
 * direct malloc in lib/"), so that a test can make the Nth allocation fail
 * and check that each path out of it ends in DF_NOMEM with nothing leaked
 * (curl's torture mode, SQLite's OOM tests).
 *
 * The functions behave exactly as their C library namesakes; df__free is
 * free(), so memory may be released by either.  Failure injection is off
 * unless a test turns it on; when off, an allocation costs one relaxed
 * atomic load more than the C library's.
 */
#ifndef DF_UTIL_ALLOC_H
#define DF_UTIL_ALLOC_H

#include <stddef.h>

void *df__malloc(size_t n);
void *df__calloc(size_t n, size_t size);
void *df__realloc(void *p, size_t n);
/* aligned_alloc(): n is rounded up to a multiple of align here. */
void *df__aligned_alloc(size_t align, size_t n);
void df__free(void *p);

/*
 * Failure injection, for tests.  After df__alloc_fail(nth, persist) the
 * nth allocation from now (1 is the next one) returns NULL, and with
 * persist every one after it too.  df__alloc_fail(0, 0) turns injection
 * off.  Either call restarts the count that df__alloc_count() returns:
 * the allocations attempted since (counted only while injection is on;
 * arm with a large nth to count a run's allocations).  Safe to call from
 * any thread, but meant for single-threaded tests.
 */
void df__alloc_fail(long nth, int persist);
long df__alloc_count(void);

#endif
