/*
 * sixbit.h - AIS payload armoring (ITU-R M.1371-5 / IEC 61162-1 section
 * 8.2.4): each payload character carries six bits; a message is a big-endian
 * bit string.  These helpers are inline because they sit on the hot path of
 * every message.
 *
 * Bit buffers are byte arrays, MSB first, that must stay readable (and
 * zero) for DF_BITS_PAD bytes past the last payload byte, so that df__ubits
 * can always load eight bytes at once.
 */
#ifndef DF_SIXBIT_H
#define DF_SIXBIT_H

#include <stddef.h>
#include <stdint.h>

#define DF_BITS_PAD 8

/* Armor value of each byte (0-63), or -1 for a byte that is not a
 * payload character: '0'-'W' are 0-39, '`'-'w' are 40-63. */
static const int8_t df__armor_tab[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
    32, 33, 34, 35, 36, 37, 38, 39, -1, -1, -1, -1, -1, -1, -1, -1,
    40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55,
    56, 57, 58, 59, 60, 61, 62, 63, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

static inline int df__armor(unsigned char c)
{
    return df__armor_tab[c];
}

/* Six-bit ASCII as used in AIS text fields. */
static const char df__sixchr[64] =
    "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";

static inline uint64_t df__load_be64(const uint8_t *p)
{
    return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 |
           (uint64_t)p[2] << 40 | (uint64_t)p[3] << 32 |
           (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
           (uint64_t)p[6] << 8 | (uint64_t)p[7];
}

/* The width (1-32) bits starting at bit start, as an unsigned value. */
static inline uint32_t df__ubits(const uint8_t *bits, unsigned start,
                                 unsigned width)
{
    uint64_t v = df__load_be64(bits + (start >> 3)) << (start & 7);
    return (uint32_t)(v >> (64 - width));
}

/* The same bits read as a two's complement signed value. */
static inline int32_t df__sbits(const uint8_t *bits, unsigned start,
                                unsigned width)
{
    uint64_t v = df__load_be64(bits + (start >> 3)) << (start & 7);
    return (int32_t)((int64_t)v >> (64 - width));
}

/*
 * Unpacks count six-bit characters from bit start into to (count + 1
 * bytes), trimmed as gpsd trims them: cut at the first '@', then trailing
 * spaces and '@' removed.  Reads no bit at or past nbits: a field cut short
 * by the payload ends there.
 */
static inline void df__text(const uint8_t *bits, size_t nbits,
                            unsigned start, unsigned count, char *to)
{
    unsigned i, n = 0;

    for (i = 0; i < count && start + 6 * i + 6 <= nbits; i++) {
        char c = df__sixchr[df__ubits(bits, start + 6 * i, 6)];
        if (c == '@')
            break;
        to[n++] = c;
    }
    while (n > 0 && to[n - 1] == ' ')
        n--;
    to[n] = '\0';
}

#endif /* DF_SIXBIT_H */
