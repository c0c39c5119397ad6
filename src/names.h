/*
 * names.h - private interface of names.c (text decoding and name
 * matching).  The public half is df_name_normalize() and
 * df_jaro_winkler() in darkfleet.h.  The two helpers that the name scan
 * (screen.c) runs for every list name it looks at are inline here.
 */
#ifndef DF_NAMES_H
#define DF_NAMES_H

#include <stddef.h>
#include <stdint.h>

#define DF__NORM_MAX 64            /* normalized name buffer */
#define DF__CS_MAX 16              /* normalized call sign buffer */

/*
 * Decodes one character at s[0..n) (n > 0) into *cp and returns its length
 * in bytes.  A valid UTF-8 sequence gives its code point; any other byte
 * is one Windows-1252 character.
 */
size_t df__decode_char(const unsigned char *s, size_t n, uint32_t *cp);

/* 1 if s[0..n) is valid UTF-8. */
int df__utf8_valid(const char *s, size_t n);

/* Writes cp as UTF-8 into out (4 bytes room); returns the length. */
size_t df__utf8_encode(uint32_t cp, char *out);

/* 1 for ASCII white space. */
int df__is_space(int c);

/* Narrows (s, n) to drop leading and trailing ASCII white space. */
void df__trim(const char **s, size_t *n);

/*
 * Jaro-Winkler similarity of (a, la) and (b, lb) as bytes, with no
 * normalization; at most 255 bytes of each are compared.
 */
double df__jaro_winkler_n(const char *a, size_t la, const char *b,
                          size_t lb);

/* Call sign for matching: letters and digits only, upper case; at most n
 * bytes of s are read, up to a NUL. */
void df__callsign_normalize(const char *s, size_t n, char out[DF__CS_MAX]);

/* The symbols of a normalized name as a bit mask: A-Z, 0-9, space. */
uint64_t df__char_mask(const char *s, size_t n);

/* Winkler's boost of a Jaro similarity j with a common prefix of l. */
static inline double df__winkler(double j, size_t l)
{
    return j > 0.7 ? j + 0.1 * (double)l * (1.0 - j) : j;
}

/* Bits set in x (SWAR unless the target has a popcount instruction). */
static inline unsigned df__popcount64(uint64_t x)
{
#if defined(__POPCNT__) || defined(__ARM_NEON)
    return (unsigned)__builtin_popcountll(x);
#endif
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

#endif /* DF_NAMES_H */
