/*
 * buf.c - the growable byte buffer that every text writer in darkfleet
 * renders into (JSON lines, CSV, KML, HTML).  An append that cannot grow
 * the buffer sets b->oom and turns later appends into no-ops, so writers
 * check once at the end instead of after every call (as curl's dynbuf).
 */
#include "darkfleet.h"
#include "util/alloc.h"
#include "util/utf8.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void df_buf_free(struct df_buf *b)
{
    df__free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

/* Makes room for extra more bytes plus a NUL.  Returns 0, or -1 (and sets
 * b->oom) when out of memory. */
int df_buf_reserve(struct df_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (b->oom)
        return -1;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    p = df__realloc(b->data, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    assert(need <= b->cap);
    return 0;
}

void df_buf_append(struct df_buf *b, const char *s, size_t n)
{
    if (df_buf_reserve(b, n) != 0)
        return;
    if (n)      /* s may be NULL with n 0 (an empty blob): no memcpy */
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void df_buf_puts(struct df_buf *b, const char *s)
{
    df_buf_append(b, s, strlen(s));
}

void df_buf_printf(struct df_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (df_buf_reserve(b, 64) != 0)
        return;
    va_start(ap, fmt);
    n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= b->cap - b->len) {
        if (df_buf_reserve(b, (size_t)n) != 0)
            return;
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

/* The inside of a JSON string literal (RFC 8259): quote, backslash and
 * control characters are escaped; bytes >= 0x80 pass through. */
static void json_body(struct df_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;
    char *o;

    if (df_buf_reserve(b, n * 6) != 0)
        return;
    o = b->data + b->len;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            *o++ = '\\';
            switch (c) {
            case '\n': *o++ = 'n'; break;
            case '\r': *o++ = 'r'; break;
            case '\t': *o++ = 't'; break;
            default:
                *o++ = 'u';
                *o++ = '0';
                *o++ = '0';
                *o++ = hex[c >> 4];
                *o++ = hex[c & 15];
            }
        } else {
            *o++ = (char)c;
        }
    }
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
}

/* JSON string escaping (RFC 8259): quote, backslash and control characters
 * are escaped; bytes >= 0x80 pass through (callers hand in UTF-8 or
 * Latin-1 already converted). */
void df_buf_json_str(struct df_buf *b, const char *s, size_t n)
{
    df_buf_append(b, "\"", 1);
    json_body(b, s, n);
    df_buf_append(b, "\"", 1);
}

/* JSON string escaping for text that may not be UTF-8 (names and
 * evidence read back from a store): as df_buf_json_str, with invalid bytes
 * written as U+FFFD and DEL and the C1 controls (U+0080-U+009F) escaped,
 * so that a terminal showing the JSON sees no control character. */
void df_buf_json_utf8_str(struct df_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t i, k, run = 0;
    uint32_t cp = 0;

    df_buf_append(b, "\"", 1);
    for (i = 0; i < n; i += k) {
        k = u[i] < 0x80 ? 1 : df__utf8_len(u + i, n - i, 0, &cp);
        if (k == 1 && u[i] >= 0x20 && u[i] != 0x7f && u[i] != '"' &&
            u[i] != '\\') {
            run++;      /* plain ASCII: copied in runs */
            continue;
        }
        if (k > 1 && cp > 0x9f) {
            run += k;   /* a printable character beyond ASCII */
            continue;
        }
        json_body(b, s + i - run, run);
        run = 0;
        if (k == 0) {
            df_buf_append(b, "\xEF\xBF\xBD", 3);   /* U+FFFD */
            k = 1;
        } else if (k > 1 || u[i] == 0x7f) {
            char esc[6] = {'\\', 'u', '0', '0', 0, 0};
            uint32_t c = k > 1 ? cp : 0x7f;

            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            df_buf_append(b, esc, sizeof esc);
        } else {
            json_body(b, s + i, 1);
        }
    }
    json_body(b, s + i - run, run);
    df_buf_append(b, "\"", 1);
}

/* Plain text for a terminal: anything that could start a control
 * sequence becomes '?'. */
void df_buf_term_str(struct df_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i, k, run = 0;
    uint32_t cp = 0;

    for (i = 0; i < n; i += k) {
        k = u[i] < 0x80 ? 1 : df__utf8_len(u + i, n - i, 0, &cp);
        if ((k == 1 && u[i] >= 0x20 && u[i] != 0x7f) ||
            (k > 1 && cp > 0x9f)) {
            run += k;
            continue;
        }
        df_buf_append(b, s + i - run, run);
        run = 0;
        df_buf_append(b, "?", 1);
        if (k == 0)
            k = 1;  /* one byte that is not UTF-8 */
    }
    df_buf_append(b, s + i - run, run);
}

/* HTML text and attribute values: the five characters that matter. */
void df_buf_html_str(struct df_buf *b, const char *s, size_t n)
{
    size_t i, run = 0;

    for (i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (!rep && s[i] != '\0')
            continue;
        df_buf_append(b, s + run, i - run);
        if (rep)
            df_buf_puts(b, rep);
        run = i + 1;
    }
    df_buf_append(b, s + run, n - run);
}

/* A JSON string that cannot end a <script> element or open a comment:
 * every '<' becomes \u003c (and U+2028/2029 are escaped, which JSON allows
 * raw but older JavaScript does not). */
void df_buf_json_script_str(struct df_buf *b, const char *s, size_t n)
{
    struct df_buf tmp = {0};
    size_t i;

    df_buf_json_str(&tmp, s, n);
    if (tmp.oom) {
        b->oom = 1;
        df_buf_free(&tmp);
        return;
    }
    for (i = 0; i < tmp.len; i++) {
        unsigned char c = (unsigned char)tmp.data[i];
        if (c == '<') {
            df_buf_puts(b, "\\u003c");
        } else if (c == 0xE2 && i + 2 < tmp.len &&
                   (unsigned char)tmp.data[i + 1] == 0x80 &&
                   ((unsigned char)tmp.data[i + 2] == 0xA8 ||
                    (unsigned char)tmp.data[i + 2] == 0xA9)) {
            df_buf_puts(b, (unsigned char)tmp.data[i + 2] == 0xA8
                               ? "\\u2028" : "\\u2029");
            i += 2;
        } else {
            df_buf_append(b, tmp.data + i, 1);
        }
    }
    df_buf_free(&tmp);
}

/* XML 1.0 character data for KML: entities for the five specials; control
 * characters that XML 1.0 forbids are dropped. */
void df_buf_xml_str(struct df_buf *b, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '&': df_buf_puts(b, "&amp;"); break;
        case '<': df_buf_puts(b, "&lt;"); break;
        case '>': df_buf_puts(b, "&gt;"); break;
        case '"': df_buf_puts(b, "&quot;"); break;
        case '\'': df_buf_puts(b, "&apos;"); break;
        default:
            if (c >= 0x20 || c == '\t' || c == '\n')
                df_buf_append(b, s + i, 1);
        }
    }
}

/* One CSV field per RFC 4180, guarded against spreadsheet formulas. */
void df_buf_csv_str(struct df_buf *b, const char *s, size_t n)
{
    int quote = 0, formula = n > 0 && (s[0] == '=' || s[0] == '+' ||
                                       s[0] == '-' || s[0] == '@');
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
            quote = 1;
    if (quote)
        df_buf_append(b, "\"", 1);
    if (formula)
        df_buf_append(b, "'", 1);
    for (i = 0; i < n; i++) {
        if (s[i] == '"')
            df_buf_append(b, "\"", 1);
        df_buf_append(b, s + i, 1);
    }
    if (quote)
        df_buf_append(b, "\"", 1);
}
