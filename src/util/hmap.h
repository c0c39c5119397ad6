/*
 * hmap.h - the one hash table of the library: 64-bit keys to 32-bit
 * values, open addressing with linear probing and backward-shift deletion
 * (Knuth 6.4, algorithm R), a power-of-two table kept at most half full,
 * so a probe ends within a cache line or two.
 *
 * Keys are any 64-bit value (an MMSI, a pair of MMSIs, a grid cell, a
 * tagged identifier); the value DF__HMAP_NONE marks a free slot and may
 * not be stored.  Callers keep their records in an array of their own and
 * map keys to indices, so the table stays 16 bytes a slot.  Nothing here
 * is thread-safe; lookups on a table no one writes to may run in parallel.
 */
#ifndef DF_UTIL_HMAP_H
#define DF_UTIL_HMAP_H

#include <stddef.h>
#include <stdint.h>

#include "util/hash.h"
#include "util/hint.h"

#define DF__HMAP_NONE UINT32_MAX

struct df__hslot {
    uint64_t key;
    uint32_t val;               /* DF__HMAP_NONE: the slot is free */
};

/* Zero-initialise; df__hmap_fini() frees. */
struct df__hmap {
    struct df__hslot *slots;
    size_t cap;                 /* a power of two, or 0 */
    size_t n;                   /* keys held */
};

/* The slot holding key, or NULL.  Inline: it is on the per-record path of
 * the track store and the encounter detector. */
static inline struct df__hslot *df__hmap_find(const struct df__hmap *m,
                                              uint64_t key)
{
    size_t mask, j;

    if (m->cap == 0)
        return NULL;
    mask = m->cap - 1;
    for (j = df__mix64(key) & mask; m->slots[j].val != DF__HMAP_NONE;
         j = (j + 1) & mask)
        if (m->slots[j].key == key)
            return &m->slots[j];
    return NULL;
}

/* The value of key, or DF__HMAP_NONE. */
static inline uint32_t df__hmap_get(const struct df__hmap *m, uint64_t key)
{
    const struct df__hslot *s = df__hmap_find(m, key);

    return s ? s->val : DF__HMAP_NONE;
}

/* Starts fetching key's home slot into the cache (a hint; see hint.h). */
static inline void df__hmap_prefetch(const struct df__hmap *m, uint64_t key)
{
    if (m->cap != 0)
        DF__PREFETCH(&m->slots[df__mix64(key) & (m->cap - 1)]);
}

/* Inserts key or replaces its value; val must not be DF__HMAP_NONE.
 * Returns 0, or -1 when the table could not grow (nothing changed). */
int df__hmap_put(struct df__hmap *m, uint64_t key, uint32_t val);
/* Removes key if present. */
void df__hmap_del(struct df__hmap *m, uint64_t key);
/* Makes room for n keys without growing again.  Returns 0 or -1. */
int df__hmap_reserve(struct df__hmap *m, size_t n);
/* Removes every key, keeping the table's memory. */
void df__hmap_clear(struct df__hmap *m);
void df__hmap_fini(struct df__hmap *m);

/* Saved state (util/ser.h): the table as it is, so that a loaded table
 * probes, and is walked, in the same order.  load replaces m's table:
 * 0, or -1 with the stream's error set (m unchanged).  Values are the
 * callers' indices: a table holding one at or past `limit` (the length of
 * the array it indexes) is refused as corrupt. */
struct df_state_out;
struct df_state_in;
void df__hmap_save(const struct df__hmap *m, struct df_state_out *w);
int df__hmap_load(struct df__hmap *m, struct df_state_in *r, size_t limit);

#endif
