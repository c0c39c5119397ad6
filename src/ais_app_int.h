/*
 * ais_app_int.h - what the decoders of binary application messages share
 * (ais_app.c: the international DAC 1 messages; ais_app_inland.c: Inland
 * AIS, DAC 200, and the GLA AtoN message): the message as gpsd addresses
 * it, the bit readers and the JSON key writers.  See ais_app.c.
 */
#ifndef DF_AIS_APP_INT_H
#define DF_AIS_APP_INT_H

#include <stdint.h>
#include <string.h>

#include "ais_app.h"
#include "jsonw.h"
#include "sixbit.h"

/* Absolute bit offset where the application data starts. */
#define T6_BASE 88
#define T8_BASE 56

/* The whole message as gpsd addresses it: header bits that the application
 * data refers to, then the data.  Bits past the end read as zero. */
struct view {
    uint8_t bits[T6_BASE / 8 + sizeof(((struct df_binary *)0)->data) + 4];
    unsigned bitlen;       /* the message length, gpsd's bitlen */
};

/* ------------------------------------------------------------------ */
/* Bit readers                                                        */
/* ------------------------------------------------------------------ */

/* Reads width (<= 64) bits at start, MSB first; bits past the buffer are
 * zero. */
static inline uint64_t ubits64(const struct view *v, unsigned start, unsigned width)
{
    uint64_t r = 0;
    unsigned i;

    /* Eight bytes at once where they are all inside the buffer (start % 8
     * + width <= 63 bits of them are used). */
    if (width > 0 && width <= 56 && start / 8 + 8 <= sizeof(v->bits))
        return df__load_be64(v->bits + start / 8) << (start % 8) >>
               (64 - width);

    for (i = 0; i < width; i++) {
        unsigned pos = start + i;
        unsigned bit = 0;

        if (pos / 8 < sizeof(v->bits))
            bit = (v->bits[pos / 8] >> (7 - pos % 8)) & 1u;
        r = (r << 1) | bit;
    }
    return r;
}

static inline unsigned ubits(const struct view *v, unsigned start, unsigned width)
{
    return (unsigned)ubits64(v, start, width);
}

/* Reads a two's complement field of width (<= 32) bits. */
static inline int sbits(const struct view *v, unsigned start, unsigned width)
{
    uint64_t r = ubits64(v, start, width);

    if (width > 0 && (r >> (width - 1)) & 1u)
        return (int)((int64_t)r - ((int64_t)1 << width));
    return (int)r;
}

/* Writes width bits of val at start (header reconstruction only). */
static inline void put_bits(struct view *v, unsigned start, unsigned width,
                     uint32_t val)
{
    unsigned i;

    for (i = 0; i < width; i++) {
        unsigned pos = start + i;

        if ((val >> (width - 1 - i)) & 1u)
            v->bits[pos / 8] |= (uint8_t)(0x80u >> (pos % 8));
    }
}

/*
 * Unpacks count six-bit characters at start into out (outsz bytes, count
 * capped to fit), the way gpsd's from_sixbit() does: stop at the first '@',
 * then strip trailing spaces and '@'.
 */
static inline void sixbit(const struct view *v, unsigned start, unsigned count,
                   char *out, size_t outsz)
{
    static const char chars[] =
        "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";
    unsigned i;

    if (count > outsz - 1)
        count = (unsigned)(outsz - 1);
    for (i = 0; i < count; i++) {
        char c = chars[ubits(v, start + 6 * i, 6)];

        if (c == '@')
            break;
        out[i] = c;
    }
    out[i] = '\0';
    while (i > 0 && (out[i - 1] == ' ' || out[i - 1] == '@'))
        out[--i] = '\0';
}

/* Six-bit text from start to the end of the message (gpsd's endchars). */
static inline void endtext(const struct view *v, unsigned start, char *out,
                    size_t outsz)
{
    if (v->bitlen <= start) {
        out[0] = '\0';
        return;
    }
    sixbit(v, start, (v->bitlen - start) / 6, out, outsz);
}

/* ------------------------------------------------------------------ */
/* Key writers: each appends ,"key":value                             */
/* ------------------------------------------------------------------ */

static inline void key_u(struct df_buf *b, const char *k, unsigned val)
{
    df__put_key(b, k);
    df__put_u(b, val);
}

static inline void key_d(struct df_buf *b, const char *k, int val)
{
    df__put_key(b, k);
    df__put_i(b, val);
}

static inline void key_f(struct df_buf *b, const char *k, int prec, double val)
{
    df_buf_printf(b, ",\"%s\":%.*f", k, prec, val);
}

static inline void key_b(struct df_buf *b, const char *k, unsigned val)
{
    df__put_key(b, k);
    df_buf_puts(b, val ? "true" : "false");
}

static inline void key_s(struct df_buf *b, const char *k, const char *s)
{
    df__put_key(b, k);
    df_buf_json_str(b, s, strlen(s));
}

/* A *_text label: written only under DF_JSON_TEXT. */
static inline void key_label(struct df_buf *b, unsigned flags, const char *k,
                      const char *s)
{
    if (flags & DF_JSON_TEXT)
        key_s(b, k, s);
}

/* A value that is an integer unscaled and a fixed-point number scaled. */
static inline void key_uf(struct df_buf *b, unsigned flags, const char *k,
                   unsigned raw, int prec, double scaled)
{
    if (flags & DF_JSON_SCALED)
        key_f(b, k, prec, scaled);
    else
        key_u(b, k, raw);
}

/* Drops a trailing ',' (closing a JSON array of objects, as gpsd does). */
static inline void rstrip_comma(struct df_buf *b)
{
    if (b->len > 0 && !b->oom && b->data[b->len - 1] == ',')
        b->data[--b->len] = '\0';
}

/* gpsd's lat/lon divisors: 1/10000 min, 1/1000 min, and 1/10000 min for
 * the 28/27-bit waypoints. */
#define LL_DIV 600000.0
#define LL3_DIV 60000.0
#define LL4_DIV 600000.0

/* A lon/lat pair: scaled with prec decimals, or wire integers. */
static inline void key_ll(struct df_buf *b, unsigned flags, const char *klon,
                   int lon, const char *klat, int lat, double div, int prec)
{
    if (flags & DF_JSON_SCALED) {
        key_f(b, klon, prec, lon / div);
        key_f(b, klat, prec, lat / div);
    } else {
        key_d(b, klon, lon);
        key_d(b, klat, lat);
    }
}

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))
/* Label n of table t, or dflt when n is out of range. */
#define LABEL(t, n, dflt) ((n) < NITEMS(t) ? (t)[(n)] : (dflt))

/* The decoders of ais_app_inland.c: each appends its keys and returns 1,
 * or returns 0 when gpsd would not decode the message (then it is shown in
 * the generic "data" form). */
int df__app_t6_dac200(struct df_buf *b, const struct view *v,
                      const struct df_msg *m, unsigned flags);
int df__app_t6_gla(struct df_buf *b, const struct view *v,
                   const struct df_msg *m, unsigned flags);
int df__app_t8_dac200(struct df_buf *b, const struct view *v,
                      const struct df_msg *m, unsigned flags);

#endif
