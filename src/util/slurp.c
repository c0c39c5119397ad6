/*
 * slurp.c - see slurp.h.
 */
#include "util/slurp.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"

#define FIRST (1u << 16)

static enum df_err fail(FILE *f, char *buf, enum df_err rc, char *err,
                        size_t errlen, const char *path, const char *why)
{
    if (f != NULL)
        fclose(f);
    df__free(buf);
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s: %s", path, why);
    return rc;
}

enum df_err df__slurp(const char *path, size_t max, char **out, size_t *len,
                      char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL, why[64];
    size_t cap = 0, n = 0, r;

    *out = NULL;
    *len = 0;
    if (f == NULL)
        return fail(NULL, NULL, DF_IO, err, errlen, path, strerror(errno));
    assert(max < SIZE_MAX / 4);
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : FIRST;
            char *nb;

            if (cap > max)
                break;           /* over the limit: said below */
            if (ncap > max + 1)
                ncap = max + 1;
            nb = df__realloc(buf, ncap + 1);
            if (nb == NULL)
                return fail(f, buf, DF_NOMEM, err, errlen, path,
                            "out of memory");
            buf = nb;
            cap = ncap;
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    if (ferror(f))
        return fail(f, buf, DF_IO, err, errlen, path, "read error");
    if (n > max) {
        snprintf(why, sizeof(why), "larger than %zu MiB", max >> 20);
        return fail(f, buf, DF_LIMIT, err, errlen, path, why);
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return DF_OK;
}
