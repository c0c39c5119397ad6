/*
 * arena.h - a bump allocator for objects that live and die together (the
 * strings and entries of a watchlist): blocks of 64 KiB or more, one
 * pointer bump per allocation, everything freed by one call.
 */
#ifndef DF_UTIL_ARENA_H
#define DF_UTIL_ARENA_H

#include <stddef.h>

struct df__arena_blk;

/* Zero-initialise; df__arena_free() releases every block. */
struct df__arena {
    struct df__arena_blk *head;
};

/* Returns n bytes aligned for any object, valid until df__arena_free(),
 * or NULL when out of memory. */
void *df__arena_alloc(struct df__arena *a, size_t n);
/* Copies n bytes of s and a NUL into the arena; NULL when out of
 * memory. */
char *df__arena_strndup(struct df__arena *a, const char *s, size_t n);
/* Frees every block; the arena is empty and usable again. */
void df__arena_free(struct df__arena *a);

#endif
