/*
 * names.c - text decoding and name matching for sanctions screening:
 * df_name_normalize() and df_jaro_winkler() of darkfleet.h, and the
 * helpers of names.h.
 *
 * Text that is not valid UTF-8 is taken as Windows-1252 (OFAC's sdn.csv
 * is Latin-1, in practice Windows-1252): a valid UTF-8 sequence decodes as
 * such, any other byte as one Windows-1252 character.  watchlist.c stores
 * list strings converted to UTF-8 with these decoders.
 *
 * Names are compared normalized: letters and digits upper-cased, the
 * accented Latin letters of U+00C0-U+017F transliterated, everything else
 * a word break, and the prefixes MV, MT, SS, FV (or M/V, M/T, S/S, F/V)
 * and THE dropped from the front while a word is left.  Similarity is
 * Jaro-Winkler (Winkler 1990: prefix scale 0.1, at most 4 characters,
 * boost above 0.7).  Call signs are compared as their letters and digits.
 * The 64-bit mask of the characters a normalized name holds lets the name
 * scan (screen.c) bound a score without computing it.
 */
#include "names.h"
#include "darkfleet.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Text: UTF-8, Windows-1252, transliteration                          */
/* ------------------------------------------------------------------ */

/* Windows-1252 0x80-0x9F as code points; 0xFFFD where undefined. */
static const uint16_t cp1252[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

/* Base letters of U+00C0-U+017F; \1 AE, \2 TH, \3 SS, \4 OE, \5 IJ. */
static const char translit_c0[] =
    "AAAAAA\1CEEEEIIIIDNOOOOO OUUUUY\2\3"
    "AAAAAA\1CEEEEIIIIDNOOOOO OUUUUY\2Y"
    "AAAAAACCCCCCCCDD" "DDEEEEEEEEEEGGGG" "GGGGHHHHIIIIIIII"
    "II\5\5JJKKKLLLLLLL" "LLLNNNNNNNNNOOOO" "OO\4\4RRRRRRSSSSSS"
    "SSTTTTTTUUUUUUUU" "UUUUWWYYYZZZZZZS";

size_t df__decode_char(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned c = s[0];
    uint32_t v;
    size_t len, i;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
    } else {
        goto single;
    }
    if (len > n)
        goto single;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            goto single;
        v = v << 6 | (s[i] & 0x3F);
    }
    if ((len == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) ||
        (len == 4 && (v < 0x10000 || v > 0x10FFFF)))
        goto single;
    *cp = v;
    return len;
single:
    *cp = c >= 0xA0 ? c : cp1252[c - 0x80];
    return 1;
}

int df__utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, k;
    uint32_t cp;

    while (i < n) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        k = df__decode_char(u + i, n - i, &cp);
        if (k == 1)
            return 0;
        i += k;
    }
    return 1;
}

size_t df__utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | cp >> 12);
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

int df__is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
           c == '\f';
}

void df__trim(const char **s, size_t *n)
{
    while (*n > 0 && df__is_space((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && df__is_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* ------------------------------------------------------------------ */
/* Name normalization and Jaro-Winkler                                 */
/* ------------------------------------------------------------------ */

/*
 * Appends the ASCII folding of code point cp to out[*n] (capacity cap):
 * letters and digits upper-cased, accented Latin letters transliterated,
 * everything else a space.
 */
static void fold_char(uint32_t cp, char *out, size_t *n, size_t cap)
{
    const char *rep = " ";
    char one[2] = {0, 0};

    if (cp >= 'a' && cp <= 'z') {
        one[0] = (char)(cp - 'a' + 'A');
        rep = one;
    } else if ((cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
        one[0] = (char)cp;
        rep = one;
    } else if (cp >= 0xC0 && cp <= 0x17F) {
        switch (translit_c0[cp - 0xC0]) {
        case '\1': rep = "AE"; break;
        case '\2': rep = "TH"; break;
        case '\3': rep = "SS"; break;
        case '\4': rep = "OE"; break;
        case '\5': rep = "IJ"; break;
        default:
            one[0] = translit_c0[cp - 0xC0];
            rep = one;
        }
    }
    for (; *rep != '\0' && *n < cap; rep++)
        out[(*n)++] = *rep;
}

/* 1 if the word (w, n) equals the NUL-terminated s. */
static int word_is(const char *w, size_t n, const char *s)
{
    return strlen(s) == n && memcmp(w, s, n) == 0;
}

void df_name_normalize(const char *name, char *out, size_t outlen)
{
    char tmp[256];
    const char *word[64];
    size_t wlen[64];
    size_t n = 0, nw = 0, i = 0, len, o = 0, first = 0, w;
    uint32_t cp;

    if (out == NULL || outlen == 0)
        return;
    out[0] = '\0';
    if (name == NULL)
        return;
    len = strlen(name);
    while (i < len && n < sizeof(tmp)) {
        i += df__decode_char((const unsigned char *)name + i, len - i, &cp);
        fold_char(cp, tmp, &n, sizeof(tmp));
    }
    /* Split into words. */
    for (i = 0; i < n && nw < 64;) {
        while (i < n && tmp[i] == ' ')
            i++;
        if (i == n)
            break;
        word[nw] = tmp + i;
        while (i < n && tmp[i] != ' ')
            i++;
        wlen[nw] = (size_t)(tmp + i - word[nw]);
        nw++;
    }
    /* Strip the leading prefixes, keeping at least one word. */
    for (;;) {
        size_t left = nw - first;
        const char *a = word[first], *b = word[first + 1];
        size_t la = wlen[first], lb = wlen[first + 1];

        if (left >= 3 &&
            ((word_is(a, la, "M") &&
              (word_is(b, lb, "V") || word_is(b, lb, "T"))) ||
             (word_is(a, la, "F") && word_is(b, lb, "V")) ||
             (word_is(a, la, "S") && word_is(b, lb, "S"))))
            first += 2;
        else if (left >= 2 &&
                 (word_is(a, la, "MV") || word_is(a, la, "MT") ||
                  word_is(a, la, "SS") || word_is(a, la, "FV") ||
                  word_is(a, la, "THE")))
            first += 1;
        else
            break;
    }
    for (w = first; w < nw; w++) {
        if (o > 0) {
            if (o + 1 >= outlen)
                break;
            out[o++] = ' ';
        }
        for (i = 0; i < wlen[w] && o + 1 < outlen; i++)
            out[o++] = word[w][i];
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

double df__jaro_winkler_n(const char *a, size_t la, const char *b,
                          size_t lb)
{
    unsigned char fa[255], fb[255];
    size_t range, i, j, lo, hi, m = 0, t = 0, l = 0;
    double jaro;

    if (la > 255)
        la = 255;
    if (lb > 255)
        lb = 255;
    if (la == 0 || lb == 0)
        return la == lb ? 1.0 : 0.0;
    range = (la > lb ? la : lb) / 2;
    range = range > 0 ? range - 1 : 0;
    memset(fa, 0, la);
    memset(fb, 0, lb);
    for (i = 0; i < la; i++) {
        lo = i > range ? i - range : 0;
        hi = i + range + 1 < lb ? i + range + 1 : lb;
        for (j = lo; j < hi; j++) {
            if (!fb[j] && a[i] == b[j]) {
                fa[i] = fb[j] = 1;
                m++;
                break;
            }
        }
    }
    if (m == 0)
        return 0.0;
    for (i = 0, j = 0; i < la; i++) {
        if (!fa[i])
            continue;
        while (!fb[j])
            j++;
        if (a[i] != b[j])
            t++;
        j++;
    }
    jaro = ((double)m / (double)la + (double)m / (double)lb +
            (double)(m - t / 2) / (double)m) / 3.0;
    while (l < 4 && l < la && l < lb && a[l] == b[l])
        l++;
    return df__winkler(jaro, l);
}

double df_jaro_winkler(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return 0.0;
    return df__jaro_winkler_n(a, strlen(a), b, strlen(b));
}

/* ------------------------------------------------------------------ */
/* Call signs and character masks                                      */
/* ------------------------------------------------------------------ */

void df__callsign_normalize(const char *s, size_t n, char out[DF__CS_MAX])
{
    size_t i, o = 0;

    for (i = 0; i < n && s[i] != '\0' && o + 1 < DF__CS_MAX; i++) {
        unsigned c = (unsigned char)s[i];

        if (c >= 'a' && c <= 'z')
            out[o++] = (char)(c - 'a' + 'A');
        else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            out[o++] = (char)c;
    }
    out[o] = '\0';
}

uint64_t df__char_mask(const char *s, size_t n)
{
    uint64_t m = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i];

        if (c >= 'A' && c <= 'Z')
            m |= 1ull << (c - 'A');
        else if (c >= '0' && c <= '9')
            m |= 1ull << (26 + c - '0');
        else
            m |= 1ull << 36;
    }
    return m;
}
