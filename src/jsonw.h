/*
 * jsonw.h - the JSON writer's primitives, shared by every JSON writer of
 * messages and records (json.c, ais_app.c, rec_json.c) so that a number is
 * formatted one way everywhere.  All append to a struct df_buf.  The
 * digit writers are inline here: they are most of `darkfleet decode`.
 */
#ifndef DF_JSONW_H
#define DF_JSONW_H

#include <stdint.h>
#include <string.h>

#include "darkfleet.h"
#include "util/hint.h"

/* ,"k": (k needs no escaping: a key of ours). */
void df__put_key(struct df_buf *b, const char *k);
/* The decimal digits of v. */
void df__put_u(struct df_buf *b, uint64_t v);

/* Appends n bytes: a copy when there is room (the common case, inlined),
 * else df_buf_append, which grows the buffer.  The NUL terminator is
 * written once, at the end of df_msg_json(). */
static inline void app(struct df_buf *b, const char *s, size_t n)
{
    if (n < b->cap - b->len) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
    } else {
        df_buf_append(b, s, n);
    }
}

#define LIT(b, s) app((b), (s), sizeof(s) - 1)
#define KEY(b, k) LIT((b), ",\"" k "\":")

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/* Returns where n more bytes can be written (growing the buffer if it
 * must), or NULL when out of memory, now or before (appends after a
 * failed one are no-ops).  The caller adds what it wrote to b->len. */
static inline char *room(struct df_buf *b, size_t n)
{
    if ((b->oom || n >= b->cap - b->len) && df_buf_reserve(b, n) != 0)
        return NULL;
    return b->data + b->len;
}

/*
 * The decimal digits of v, two at a time from the left, with one multiply
 * a pair (James Anhalt's method, as in jeaiii/itoa): t holds v / 10^k as
 * a 32.32 fixed-point number; its integer part is the leading one or two
 * digits, and each multiplication of the fraction by 100 brings the next
 * two into the integer part.  The constants are 2^n / 10^k rounded up
 * (for 10^6 one more, for the 16 bits shifted out), exact for every 32-bit
 * v in their range: test_jsonfmt checks them against a digit-by-digit
 * reference, and every 32-bit value was checked once.  A division loop
 * needed a chain of dependent multiplies a pair from the right, and was a
 * tenth of `decode --unscaled`.  w_u may write one byte past the end it
 * returns (see w_lead): callers leave room for it.
 */
#define W_PAIR(o, t)                                                       \
    ((t) = (uint64_t)(uint32_t)(t) * 100,                                  \
     memcpy((o), digit_pairs + 2 * ((t) >> 32), 2), (o) += 2)

#define W_PAIR57(o, t)                                                     \
    ((t) = ((t) & ((UINT64_C(1) << 57) - 1)) * 100,                        \
     memcpy((o), digit_pairs + 2 * ((t) >> 57), 2), (o) += 2)

/* One or two digits of d < 100 without a branch (which digit count comes
 * next is a coin toss for speeds, seconds and headings): the pair of d,
 * from its second character when d < 10.  Writes two bytes either way;
 * the second is overwritten by whatever follows. */
static DF__ALWAYS_INLINE char *w_lead(char *o, uint32_t d)
{
    unsigned one = d < 10;

    memcpy(o, digit_pairs + 2 * d + one, 2);
    return o + 2 - one;
}

static DF__ALWAYS_INLINE char *w_u(char *o, uint32_t v)
{
    uint64_t t;

    if (v < 100)
        return w_lead(o, v);
    if (v < 1000000) {
        if (v < 10000) {
            t = (uint64_t)v * 42949673u;            /* 2^32 / 10^2 */
            o = w_lead(o, (uint32_t)(t >> 32));
            W_PAIR(o, t);
            return o;
        }
        t = (uint64_t)v * 429497u;                  /* 2^32 / 10^4 */
        o = w_lead(o, (uint32_t)(t >> 32));
        W_PAIR(o, t);
        W_PAIR(o, t);
        return o;
    }
    if (v < 100000000) {
        t = (uint64_t)v * 281474978u >> 16;         /* 2^48 / 10^6 */
        o = w_lead(o, (uint32_t)(t >> 32));
        W_PAIR(o, t);
        W_PAIR(o, t);
        W_PAIR(o, t);
        return o;
    }
    /* 32 bits of fraction are too few for eight more digits: this one
     * keeps all 57 (7.57 fixed point). */
    t = (uint64_t)v * 1441151881u;                  /* 2^57 / 10^8 */
    o = w_lead(o, (uint32_t)(t >> 57));
    W_PAIR57(o, t);
    W_PAIR57(o, t);
    W_PAIR57(o, t);
    W_PAIR57(o, t);
    return o;
}

/* The decimal digits of v, with its sign. */
static inline void df__put_i(struct df_buf *b, int64_t v)
{
    if (v < 0) {
        LIT(b, "-");
        df__put_u(b, (uint64_t)(-(v + 1)) + 1);
    } else {
        df__put_u(b, (uint64_t)v);
    }
}

/* Appends v / 10^dec with exactly dec (<= 7) decimals: "%.<dec>f" of an
 * exact value, without printf. */
static inline void df__put_fixed(struct df_buf *b, int64_t v, unsigned dec)
{
    static const uint64_t p10[] = {1, 10, 100, 1000, 10000, 100000,
                                   1000000, 10000000};
    char tmp[24];
    uint64_t u, ip, fp;
    unsigned i;

    if (v < 0) {
        LIT(b, "-");
        u = (uint64_t)(-(v + 1)) + 1;
    } else {
        u = (uint64_t)v;
    }
    ip = u / p10[dec];
    fp = u % p10[dec];
    df__put_u(b, ip);
    if (dec == 0)
        return;
    tmp[0] = '.';
    for (i = dec; i > 0; i--) {
        tmp[i] = (char)('0' + fp % 10);
        fp /= 10;
    }
    app(b, tmp, dec + 1);
}

#endif
