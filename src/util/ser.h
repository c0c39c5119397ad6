/*
 * ser.h - the saved state's byte stream (darkfleet.h, "Saved state"):
 * what every stage writes of itself when a scan saves its state, and
 * reads back.
 *
 * The format is this build's memory image: fixed-size fields and whole
 * arrays of plain structs as they are in memory, each array preceded by
 * its element size and count, each stage's part by a tag.  That keeps
 * saving a memcpy and loading exact (a loaded scan is the scan that was
 * saved, down to the order of its hash tables); the header (darkfleet's
 * version, DF__STATE_FORMAT, byte order) and the element sizes make a
 * state from another build fail with DF_FORMAT instead of being misread.
 * Bump DF__STATE_FORMAT when a saved struct changes its fields.
 *
 * Writes go to a buffer handed to the sink in chunks of DF__STATE_CHUNK;
 * reads pull chunks from the source.  Errors are sticky: after the first,
 * puts do nothing and gets return -1, and df_state_out_end() or
 * df_state_in_error() say what it was.
 */
#ifndef DF_UTIL_SER_H
#define DF_UTIL_SER_H

#include <stddef.h>
#include <stdint.h>

#include "darkfleet.h"

#define DF__STATE_FORMAT 4
#define DF__STATE_CHUNK (8u << 20)

struct df_state_out {
    unsigned char *buf;
    size_t n;                   /* bytes in buf */
    df_state_sink sink;
    void *ud;
    enum df_err err;            /* the first failure, or DF_OK */
    uint64_t total;             /* bytes written, header included */
};

struct df_state_in {
    const unsigned char *p;     /* the chunk in hand */
    size_t n, off;
    df_state_source source;
    void *ud;
    enum df_err err;
    int header;                 /* the header was read and checked */
    uint64_t total;             /* bytes read */
};

/* Tags: four characters as a number, in the stream before each part. */
#define DF__TAG(a, b, c, d)                                                  \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 |             \
     (uint32_t)(d) << 24)

void df__so_put(struct df_state_out *w, const void *p, size_t n);
/* An array: its element size and count, then the elements. */
void df__so_arr(struct df_state_out *w, const void *p, size_t elem,
                size_t n);

/* Reads n bytes into p: 0, or -1 (err set: DF_FORMAT when the stream
 * ends early). */
int df__si_get(struct df_state_in *r, void *p, size_t n);
/* Reads a tag and checks it is want: 0, or -1 (DF_FORMAT). */
int df__si_tag(struct df_state_in *r, uint32_t want);
/*
 * Reads an array written by df__so_arr whose elements are elem bytes and
 * whose count is at most max: a new allocation of max(count, min_cap)
 * elements (zeroed past count) in *out, the count in *n.  0, or -1 with
 * err set (DF_FORMAT for another element size or too many elements,
 * DF_NOMEM).  *out is NULL when both count and min_cap are 0.
 */
int df__si_arr(struct df_state_in *r, size_t elem, size_t max,
               size_t min_cap, void **out, size_t *n);
/* Reads an array into the caller's memory: exactly n elements of elem
 * bytes.  0, or -1 (DF_FORMAT when the count or size differ). */
int df__si_arr_into(struct df_state_in *r, void *p, size_t elem, size_t n);

static inline void df__so_u32(struct df_state_out *w, uint32_t v)
{
    df__so_put(w, &v, sizeof v);
}

static inline void df__so_u64(struct df_state_out *w, uint64_t v)
{
    df__so_put(w, &v, sizeof v);
}

static inline void df__so_i64(struct df_state_out *w, int64_t v)
{
    df__so_put(w, &v, sizeof v);
}

static inline void df__so_tag(struct df_state_out *w, uint32_t tag)
{
    df__so_u32(w, tag);
}

static inline int df__si_u32(struct df_state_in *r, uint32_t *v)
{
    return df__si_get(r, v, sizeof *v);
}

static inline int df__si_u64(struct df_state_in *r, uint64_t *v)
{
    return df__si_get(r, v, sizeof *v);
}

static inline int df__si_i64(struct df_state_in *r, int64_t *v)
{
    return df__si_get(r, v, sizeof *v);
}

/* Marks the stream bad (a value that cannot be: a count past a cap, an
 * index out of range); returns -1. */
int df__si_bad(struct df_state_in *r);

#endif
