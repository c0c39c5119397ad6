/*
 * utf8.h - the UTF-8 validator (RFC 3629) of the writers that clean text
 * from transponders and the store before they escape it: export.c (U+FFFD
 * for invalid bytes) and buf.c (the JSON and terminal writers).  names.c
 * has its own decoder, which reads other bytes as Windows-1252.
 */
#ifndef DF_UTIL_UTF8_H
#define DF_UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (n > 0 bytes left), or 0 if the
 * bytes there are not one; its code point into *cp when cp is not NULL.
 * Surrogates, overlong forms and code points past U+10FFFF are invalid;
 * with xml, so are U+FFFE and U+FFFF, which XML 1.0 does not allow. */
static inline size_t df__utf8_len(const unsigned char *s, size_t n, int xml,
                                  uint32_t *cp)
{
    unsigned c = s[0];
    uint32_t v;
    size_t len, i;

    if (c < 0x80) {
        if (cp)
            *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, v = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, v = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, v = c & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
        v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ||
        (xml && (v == 0xFFFE || v == 0xFFFF)))
        return 0;
    if (cp)
        *cp = v;
    return len;
}

#endif
