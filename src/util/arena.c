/*
 * arena.c - see arena.h.
 */
#include "util/arena.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/alloc.h"

#define BLOCK 65536

struct df__arena_blk {
    struct df__arena_blk *next;
    size_t used, cap;
    alignas(max_align_t) char data[];
};

void *df__arena_alloc(struct df__arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    struct df__arena_blk *b = a->head;
    size_t off;

    if (n > SIZE_MAX - align - sizeof(*b))
        return NULL;
    n = (n + align - 1) & ~(align - 1);
    if (b == NULL || b->cap - b->used < n) {
        size_t cap = n > BLOCK ? n : BLOCK;

        b = df__malloc(sizeof(*b) + cap);
        if (b == NULL)
            return NULL;
        b->used = 0;
        b->cap = cap;
        b->next = a->head;
        a->head = b;
    }
    off = b->used;
    b->used += n;
    return b->data + off;
}

char *df__arena_strndup(struct df__arena *a, const char *s, size_t n)
{
    char *p = df__arena_alloc(a, n + 1);

    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void df__arena_free(struct df__arena *a)
{
    struct df__arena_blk *b = a->head, *next;

    for (; b != NULL; b = next) {
        next = b->next;
        df__free(b);
    }
    a->head = NULL;
}
