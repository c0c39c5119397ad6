/*
 * config.c - every detection threshold in one table (DF_CONFIG_MAP in
 * darkfleet.h), with the published defaults of METHODS.md, set by name
 * from the command line (--set name=value) or from a file of
 * "name = value" lines with '#' comments.
 *
 * Numbers are parsed strictly: strtod in the C locale must consume the
 * whole value (surrounding blanks aside), the result must be finite, and
 * hexadecimal, "inf" and "nan" spellings are refused, so that a typo such
 * as "500m" or "2,5" is an error rather than a silently different
 * threshold.
 */
#include "darkfleet.h"
#include "util/hash.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_CONF 4096 /* longest line of a config file */

void df_config_defaults(struct df_config *cfg)
{
#define XX(name, def, doc) cfg->name = (def);
    DF_CONFIG_MAP(XX)
#undef XX
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

/* Parses s (NUL-terminated) as a finite decimal number into *out.  Returns
 * 0, or -1 if s is empty, has characters strtod would not consume, is
 * written in hexadecimal or as inf/nan, or overflows. */
static int parse_number(const char *s, double *out)
{
    const char *p;
    char *end;
    double v;

    while (is_blank(*s))
        s++;
    if (*s == '\0')
        return -1;
    /* Only the characters of a decimal number; this refuses "0x1p3",
     * "inf" and "nan" before strtod can accept them. */
    for (p = s; *p && !is_blank(*p); p++)
        if (!strchr("0123456789+-.eE", *p))
            return -1;
    errno = 0;
    v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(v))
        return -1;
    while (is_blank(*end))
        end++;
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

/* Returns the field of cfg named name (len bytes), or NULL. */
static double *field(struct df_config *cfg, const char *name, size_t len)
{
#define XX(fname, def, doc)                                                \
    if (len == sizeof(#fname) - 1 && memcmp(name, #fname, len) == 0)        \
        return &cfg->fname;
    DF_CONFIG_MAP(XX)
#undef XX
    return NULL;
}

enum df_err df_config_set(struct df_config *cfg, const char *name,
                          const char *value)
{
    double *f, v;

    if (!cfg || !name || !value)
        return DF_INVAL;
    f = field(cfg, name, strlen(name));
    if (!f || parse_number(value, &v) != 0)
        return DF_INVAL;
    *f = v;
    return DF_OK;
}

enum df_err df_config_load(struct df_config *cfg, const char *path,
                           char *err, size_t errlen)
{
    char line[LINE_MAX_CONF + 1];
    struct df_config tmp;  /* cfg changes only if the whole file is good */
    unsigned lineno = 0;
    FILE *f;

    if (errlen)
        err[0] = '\0';
    if (!cfg || !path)
        return DF_INVAL;
    f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return DF_IO;
    }
    tmp = *cfg;
    for (;;) {
        size_t n = 0;
        int c, eof = 0;
        char *p = line, *eq, *name_end, *hash;
        double *fp, v;

        /* One line, without its terminator; a NUL byte or an overlong
         * line is an error rather than a silent cut. */
        while ((c = getc(f)) != EOF && c != '\n') {
            if (c == '\0' || n == LINE_MAX_CONF) {
                snprintf(err, errlen, "%s:%u: %s", path, lineno + 1,
                         c == '\0' ? "NUL byte in line"
                                   : "line too long");
                fclose(f);
                return DF_INVAL;
            }
            line[n++] = (char)c;
        }
        if (c == EOF) {
            if (ferror(f))
                break;
            eof = 1;
            if (n == 0)
                break;
        }
        line[n] = '\0';
        lineno++;
        hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        while (is_blank(*p))
            p++;
        if (*p == '\0')
            continue;
        eq = strchr(p, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%u: expected 'name = value'", path,
                     lineno);
            fclose(f);
            return DF_INVAL;
        }
        name_end = eq;
        while (name_end > p && is_blank(name_end[-1]))
            name_end--;
        if (name_end == p) {
            snprintf(err, errlen, "%s:%u: missing option name before '='",
                     path, lineno);
            fclose(f);
            return DF_INVAL;
        }
        if (lineno == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
            p += 3;     /* a UTF-8 byte order mark */
        fp = field(&tmp, p, (size_t)(name_end - p));
        if (!fp) {
            *name_end = '\0';
            snprintf(err, errlen, "%s:%u: unknown option '%.100s'", path,
                     lineno, p);
            fclose(f);
            return DF_INVAL;
        }
        if (parse_number(eq + 1, &v) != 0) {
            char *val = eq + 1, *ve;

            while (is_blank(*val))
                val++;
            ve = val + strlen(val);
            while (ve > val && is_blank(ve[-1]))
                ve--;
            *ve = '\0';
            *name_end = '\0';
            snprintf(err, errlen,
                     "%s:%u: option '%.100s': '%.100s' is not a finite "
                     "number",
                     path, lineno, p, val);
            fclose(f);
            return DF_INVAL;
        }
        *fp = v;
        if (eof)
            break;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        fclose(f);
        return DF_IO;
    }
    fclose(f);
    *cfg = tmp;
    return DF_OK;
}

void df_config_each(const struct df_config *cfg,
                    void (*fn)(const char *name, double value, double def,
                               const char *doc, void *ud),
                    void *ud)
{
#define XX(name, def, doc) fn(#name, cfg->name, (def), doc, ud);
    DF_CONFIG_MAP(XX)
#undef XX
}

uint64_t df_config_fingerprint(const struct df_config *cfg)
{
    uint64_t h = DF__FNV64_INIT;

    if (!cfg)
        return 0;
    /* Risk weights and list settings score what was found; they do not
     * change what the detectors hold. */
#define XX(name, def, doc)                                                   \
    if (strncmp(#name, "risk_", 5) != 0 && strncmp(#name, "watch_", 6) != 0) \
        h = df__fnv1a64(df__fnv1a64(h, #name, sizeof #name), &cfg->name,    \
                        sizeof cfg->name);
    DF_CONFIG_MAP(XX)
#undef XX
    return h;
}
