/*
 * fuzz_csvrec.c - the CSV splitter under every table darkfleet reads
 * (src/util/csvrec.c).  The first byte picks the scratch size (0-255
 * bytes, so that cuts happen) and the one-line mode; the rest is the text,
 * copied into an exact-size heap block so that ASan catches a read past
 * it.
 *
 * Properties checked (abort() on failure):
 *  - every record moves the cursor forward, and the cursor never passes
 *    the end: splitting terminates;
 *  - every field lies inside the text or inside the scratch buffer's used
 *    part, and an unquoted field holds no ',' or '\n';
 *  - round trip: a record read without flags, written back as RFC 4180
 *    (every field quoted) and split again, gives the same fields, and so
 *    does the same record written unquoted where no field needs quotes;
 *  - df__csv_colkey() writes only [a-z0-9] and fits its buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/csvrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXF 16

static int inside(const char *p, size_t n, const char *base, size_t len)
{
    return p >= base && n <= len && (size_t)(p - base) <= len - n;
}

/* Writes the fields quoted, or bare when quote is 0; returns the length. */
static size_t join(const struct df__csvf *f, size_t nf, int quote,
                   char *out)
{
    size_t o = 0, i, k;

    for (i = 0; i < nf; i++) {
        if (i)
            out[o++] = ',';
        if (quote)
            out[o++] = '"';
        for (k = 0; k < f[i].n; k++) {
            if (f[i].s[k] == '"')
                out[o++] = '"';
            out[o++] = f[i].s[k];
        }
        if (quote)
            out[o++] = '"';
    }
    out[o++] = '\n';
    return o;
}

static void round_trip(const struct df__csvf *f, size_t nf, size_t total)
{
    char *text = malloc(2 * total + 3 * nf + 2);
    char *scratch = malloc(total + 1);
    struct df__csvf g[MAXF];
    int quote;

    if (!text || !scratch)
        abort();
    for (quote = 1; quote >= 0; quote--) {
        struct df__csv c = {0};
        size_t i, n, k;

        if (!quote) {
            /* Bare only when no field needs quotes. */
            for (i = 0; i < nf; i++)
                for (k = 0; k < f[i].n; k++)
                    if (strchr(",\"\r\n", f[i].s[k]) && f[i].s[k])
                        goto done;
        }
        c.s = text;
        c.len = join(f, nf, quote, text);
        c.scratch = scratch;
        c.cap = total + 1;
        n = df__csv_record(&c, g, MAXF);
        if (n != nf || c.flags != 0 || c.pos != c.len)
            abort();
        for (i = 0; i < nf; i++)
            if (g[i].n != f[i].n || memcmp(g[i].s, f[i].s, f[i].n) != 0)
                abort();
    }
done:
    free(text);
    free(scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct df__csvf f[MAXF];
    struct df__csv c = {0};
    char *text, *scratch;
    size_t nf, i;
    char key[12];

    if (size < 1 || size > (1u << 16))
        return 0;
    text = malloc(size - 1 ? size - 1 : 1);
    scratch = malloc(data[0] ? data[0] : 1);
    if (!text || !scratch)
        abort();
    memcpy(text, data + 1, size - 1);
    c.s = text;
    c.len = size - 1;
    c.scratch = scratch;
    c.cap = data[0] & 0x7f;
    c.oneline = data[0] >> 7;
    while (c.pos < c.len) {
        size_t before = c.pos, total = 0;

        nf = df__csv_record(&c, f, MAXF);
        if (nf == 0 || c.pos <= before || c.pos > c.len)
            abort();
        if (c.used > c.cap || (nf > MAXF) != ((c.flags & DF__CSV_MANY) != 0))
            abort();
        for (i = 0; i < nf && i < MAXF; i++) {
            total += f[i].n;
            if (inside(f[i].s, f[i].n, text, c.len)) {
                if (memchr(f[i].s, ',', f[i].n) ||
                    memchr(f[i].s, '\n', f[i].n))
                    abort();
            } else if (!inside(f[i].s, f[i].n, scratch, c.used)) {
                abort();
            }
        }
        if (c.flags == 0 && nf <= MAXF)
            round_trip(f, nf, total);
    }
    for (i = 0; i + 1 < size && i < 64; i += 7) {
        int n = df__csv_colkey(text + i, size - 1 - i, key, sizeof(key));
        size_t k;

        if (n >= (int)sizeof(key) || (n < 0 && key[0] != '\0'))
            abort();
        for (k = 0; key[k]; k++)
            if (!((key[k] >= 'a' && key[k] <= 'z') ||
                  (key[k] >= '0' && key[k] <= '9')))
                abort();
    }
    free(text);
    free(scratch);
    return 0;
}
