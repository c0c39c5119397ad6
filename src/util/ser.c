/*
 * ser.c - the saved state's byte stream (ser.h): a buffer handed to the
 * sink in chunks on the way out, chunks pulled from the source on the way
 * in, and the header that keeps another build's state from being misread.
 */
#include "util/ser.h"
#include "util/alloc.h"

#include <string.h>

/* The header: magic, format, byte order, version (zero-padded). */
#define MAGIC "DFSTATE"
#define VERSION_LEN 32
#define ORDER 0x01020304u

static void header(unsigned char out[8 + 4 + 4 + VERSION_LEN])
{
    uint32_t v = DF__STATE_FORMAT, order = ORDER;

    memset(out, 0, 8 + 4 + 4 + VERSION_LEN);
    memcpy(out, MAGIC, sizeof MAGIC);
    memcpy(out + 8, &v, 4);
    memcpy(out + 12, &order, 4);
    strncpy((char *)out + 16, DF_VERSION_STRING, VERSION_LEN - 1);
}

/* ---- writing ---------------------------------------------------------- */

struct df_state_out *df_state_out_new(df_state_sink sink, void *ud)
{
    struct df_state_out *w = df__calloc(1, sizeof *w);
    unsigned char h[8 + 4 + 4 + VERSION_LEN];

    if (!w)
        return NULL;
    w->buf = df__malloc(DF__STATE_CHUNK);
    if (!w->buf) {
        df__free(w);
        return NULL;
    }
    w->sink = sink;
    w->ud = ud;
    header(h);
    df__so_put(w, h, sizeof h);
    return w;
}

/* Hands the buffer to the sink. */
static void drain(struct df_state_out *w)
{
    if (w->n == 0 || w->err != DF_OK)
        return;
    if (!w->sink || w->sink(w->buf, w->n, w->ud) != 0)
        w->err = DF_IO;
    w->n = 0;
}

void df__so_put(struct df_state_out *w, const void *p, size_t n)
{
    const unsigned char *s = p;

    if (w->err != DF_OK)
        return;
    w->total += n;
    while (n > 0) {
        size_t k = DF__STATE_CHUNK - w->n;

        if (k > n)
            k = n;
        memcpy(w->buf + w->n, s, k);
        w->n += k;
        s += k;
        n -= k;
        if (w->n == DF__STATE_CHUNK) {
            drain(w);
            if (w->err != DF_OK)
                return;
        }
    }
}

void df__so_arr(struct df_state_out *w, const void *p, size_t elem,
                size_t n)
{
    df__so_u64(w, elem);
    df__so_u64(w, n);
    if (n > 0)
        df__so_put(w, p, elem * n);
}

void df_state_put(struct df_state_out *w, const void *p, size_t n)
{
    if (w)
        df__so_put(w, p, n);
}

enum df_err df_state_out_end(struct df_state_out *w)
{
    if (!w)
        return DF_INVAL;
    drain(w);
    return w->err;
}

uint64_t df_state_out_bytes(const struct df_state_out *w)
{
    return w ? w->total : 0;
}

void df_state_out_free(struct df_state_out *w)
{
    if (!w)
        return;
    df__free(w->buf);
    df__free(w);
}

/* ---- reading ---------------------------------------------------------- */

struct df_state_in *df_state_in_new(df_state_source source, void *ud)
{
    struct df_state_in *r = df__calloc(1, sizeof *r);

    if (!r)
        return NULL;
    r->source = source;
    r->ud = ud;
    return r;
}

int df__si_bad(struct df_state_in *r)
{
    if (r->err == DF_OK)
        r->err = DF_FORMAT;
    return -1;
}

/* Reads n bytes without the header check. */
static int get_raw(struct df_state_in *r, void *p, size_t n)
{
    unsigned char *d = p;

    while (n > 0) {
        size_t k;

        if (r->off == r->n) {
            const void *chunk = NULL;
            size_t len = 0;
            int rc = r->source ? r->source(&chunk, &len, r->ud) : 0;

            if (rc < 0) {
                r->err = DF_IO;
                return -1;
            }
            if (rc == 0 || len == 0 || !chunk)
                return df__si_bad(r);     /* cut short */
            r->p = chunk;
            r->n = len;
            r->off = 0;
        }
        k = r->n - r->off;
        if (k > n)
            k = n;
        memcpy(d, r->p + r->off, k);
        r->off += k;
        d += k;
        n -= k;
        r->total += k;
    }
    return 0;
}

int df__si_get(struct df_state_in *r, void *p, size_t n)
{
    if (r->err != DF_OK)
        return -1;
    if (!r->header) {
        unsigned char want[8 + 4 + 4 + VERSION_LEN];
        unsigned char got[sizeof want];

        r->header = 1;
        header(want);
        if (get_raw(r, got, sizeof got) != 0)
            return -1;
        if (memcmp(want, got, sizeof want) != 0)
            return df__si_bad(r);
    }
    return n ? get_raw(r, p, n) : 0;
}

int df_state_get(struct df_state_in *r, void *p, size_t n)
{
    return r ? df__si_get(r, p, n) : -1;
}

int df__si_tag(struct df_state_in *r, uint32_t want)
{
    uint32_t got;

    if (df__si_u32(r, &got) != 0)
        return -1;
    return got == want ? 0 : df__si_bad(r);
}

/* The header of an array: its count, checked against elem and max. */
static int arr_head(struct df_state_in *r, size_t elem, size_t max,
                    size_t *n)
{
    uint64_t e, c;

    if (df__si_u64(r, &e) != 0 || df__si_u64(r, &c) != 0)
        return -1;
    if (e != elem || c > max)
        return df__si_bad(r);
    *n = (size_t)c;
    return 0;
}

int df__si_arr(struct df_state_in *r, size_t elem, size_t max,
               size_t min_cap, void **out, size_t *n)
{
    size_t cap;
    unsigned char *p = NULL;

    *out = NULL;
    *n = 0;
    if (arr_head(r, elem, max, n) != 0)
        return -1;
    cap = *n > min_cap ? *n : min_cap;
    if (cap > 0) {
        if (cap > SIZE_MAX / elem || !(p = df__calloc(cap, elem))) {
            if (r->err == DF_OK)
                r->err = DF_NOMEM;
            *n = 0;
            return -1;
        }
        if (*n > 0 && get_raw(r, p, *n * elem) != 0) {
            df__free(p);
            *n = 0;
            return -1;
        }
    }
    *out = p;
    return 0;
}

int df__si_arr_into(struct df_state_in *r, void *p, size_t elem, size_t n)
{
    size_t got;

    if (arr_head(r, elem, n, &got) != 0)
        return -1;
    if (got != n)
        return df__si_bad(r);
    return n ? get_raw(r, p, n * elem) : 0;
}

enum df_err df_state_in_error(const struct df_state_in *r)
{
    return r ? r->err : DF_INVAL;
}

void df_state_in_free(struct df_state_in *r)
{
    df__free(r);
}
