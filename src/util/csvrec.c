/*
 * csvrec.c - see csvrec.h.
 */
#include "util/csvrec.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

/* Appends a byte of quoted text to the scratch buffer, or flags the cut. */
static void put(struct df__csv *c, char ch)
{
    if (c->used < c->cap)
        c->scratch[c->used++] = ch;
    else
        c->flags |= DF__CSV_TRUNC;
}

/* Reads past the field's terminator: 1 after a ',', 0 after a '\n' or at
 * the end.  A '\r' just before the '\n' (or the end) is skipped. */
static int end_field(struct df__csv *c)
{
    if (c->pos < c->len && c->s[c->pos] == ',') {
        c->pos++;
        return 1;
    }
    if (c->pos < c->len && c->s[c->pos] == '\r')
        c->pos++;
    if (c->pos < c->len) {
        assert(c->s[c->pos] == '\n');
        c->pos++;
    }
    return 0;
}

/* 1 if the byte at i is a '\r' that ends the record. */
static int cr_at_end(const struct df__csv *c, size_t i)
{
    return c->s[i] == '\r' && (i + 1 == c->len || c->s[i + 1] == '\n');
}

int df__csv_field(struct df__csv *c, struct df__csvf *f)
{
    const char *s = c->s;
    size_t i = c->pos, start;

    assert(c->pos <= c->len && c->used <= c->cap);
    if (i < c->len && s[i] == '"') {
        start = c->used;
        for (i++;; i++) {
            if (i >= c->len || (c->oneline && s[i] == '\n')) {
                c->flags |= DF__CSV_OPEN;
                break;
            }
            if (s[i] == '"') {
                if (i + 1 < c->len && s[i + 1] == '"') {
                    i++;
                } else {
                    i++;
                    break;
                }
            }
            put(c, s[i]);
        }
        /* Text after the closing quote is kept, as most readers do. */
        for (; i < c->len && s[i] != ',' && s[i] != '\n'; i++) {
            if (cr_at_end(c, i))
                break;
            c->flags |= DF__CSV_JUNK;
            put(c, s[i]);
        }
        f->s = c->scratch + start;
        f->n = c->used - start;
        c->pos = i;
        return end_field(c);
    }
    start = i;
    while (i < c->len && s[i] != ',' && s[i] != '\n')
        i++;
    f->s = s + start;
    f->n = i - start;
    if (f->n > 0 && i < c->len && s[i] == '\n' && s[i - 1] == '\r')
        f->n--;
    else if (f->n > 0 && i == c->len && s[i - 1] == '\r')
        f->n--;
    c->pos = i;
    return end_field(c);
}

size_t df__csv_record(struct df__csv *c, struct df__csvf *f, size_t max)
{
    size_t nf = 0;
    struct df__csvf tmp;
    int more = 1;

    c->used = 0;
    c->flags = 0;
    if (c->pos >= c->len)
        return 0;
    while (more) {
        more = df__csv_field(c, nf < max ? &f[nf] : &tmp);
        if (nf >= max)
            c->flags |= DF__CSV_MANY;
        nf++;
    }
    return nf;
}

size_t df__csv_comma(const char *s, size_t pos, size_t len)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t highs = 0x8080808080808080ULL;

    for (; pos + 8 <= len; pos += 8) {
        uint64_t w, x, z;

        memcpy(&w, s + pos, 8);
        x = w ^ (ones * ',');
        /* The lowest high bit set marks the first zero byte exactly
         * (bits above it may be false). */
        z = (x - ones) & ~x & highs;
        if (z)
            return pos + ((unsigned)__builtin_ctzll(z) >> 3);
    }
#endif
    while (pos < len && s[pos] != ',')
        pos++;
    return pos;
}

int df__csv_colkey(const char *s, size_t n, char *out, size_t cap)
{
    size_t i, o = 0;

    assert(cap > 0);
    for (i = 0; i < n; i++) {
        unsigned ch = (unsigned char)s[i];

        if (ch >= 'A' && ch <= 'Z')
            ch += 'a' - 'A';
        else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')))
            continue;
        if (o + 1 >= cap) {
            out[0] = '\0';
            return -1;
        }
        out[o++] = (char)ch;
    }
    out[o] = '\0';
    return (int)o;
}
