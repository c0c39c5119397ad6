/*
 * hash.h - the hash functions of the library, each written once: a 64-bit
 * integer mixer for hash tables and random streams, and FNV-1a for
 * strings.
 */
#ifndef DF_UTIL_HASH_H
#define DF_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

/* SplitMix64's finalizer (Steele, Lea and Flood 2014): MMSIs share their
 * leading digits and come in arithmetic runs, so every input bit must
 * reach the low bits that pick a slot. */
static inline uint64_t df__mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

#define DF__FNV64_INIT 14695981039346656037ULL

/* 64-bit FNV-1a (Fowler, Noll, Vo) of n bytes, continuing from h (start
 * with DF__FNV64_INIT). */
static inline uint64_t df__fnv1a64(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ULL;
    return h;
}

#endif
