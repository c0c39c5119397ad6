/*
 * jsonw.c - the number and key writers of jsonw.h that are not inline.
 */
#include "jsonw.h"

/* Appends the decimal digits of v, two at a time, straight into the
 * buffer: numbers are most of every object. */
void df__put_u(struct df_buf *b, uint64_t v)
{
    char *o = room(b, 24), tmp[48], *e = tmp + 24, *t = e;

    if (!o)
        return;
    if (v <= UINT32_MAX) {
        char *end = w_u(o, (uint32_t)v);
        *end = '\0';           /* as df_buf_append leaves it */
        b->len += (size_t)(end - o);
        return;
    }
    while (v > UINT32_MAX) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        t -= 2;
        memcpy(t, digit_pairs + 2 * r, 2);
    }
    {
        /* The leading ten or fewer digits, then the pairs under them. */
        char head[12];
        size_t nh = (size_t)(w_u(head, (uint32_t)v) - head);

        t -= nh;
        memcpy(t, head, nh);
    }
    /* A fixed-size copy (inlined, no library call); only e - t bytes of
     * it count.  room() made 24 bytes writable and tmp is 48 long. */
    memcpy(o, t, 24);
    o[e - t] = '\0';        /* as df_buf_append leaves it */
    b->len += (size_t)(e - t);
}

/* ,"k": */
void df__put_key(struct df_buf *b, const char *k)
{
    size_t n = strlen(k);

    if (df_buf_reserve(b, n + 4) != 0)
        return;
    b->data[b->len++] = ',';
    b->data[b->len++] = '"';
    memcpy(b->data + b->len, k, n);
    b->len += n;
    b->data[b->len++] = '"';
    b->data[b->len++] = ':';
    b->data[b->len] = '\0';
}

