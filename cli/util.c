/* util.c - output buffering, error lines, --stats and optional libraries
 * (dlopen) for the CLI. */
#include "cli.h"

#include <dlfcn.h>
#include <stdio.h>

#include <errno.h>
#include <stdarg.h>
#include <string.h>

void cli_err(const char *fmt, ...)
{
    va_list ap;

    flockfile(stderr);      /* one line, whole, from any thread (serve) */
    fputs("darkfleet: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    funlockfile(stderr);
}

int cli_out_flush(struct df_buf *b, int force)
{
    if (b->oom) {
        cli_err("out of memory");
        return -1;
    }
    if (b->len == 0 || (!force && b->len < CLI_OUT_CHUNK))
        return 0;
    if (fwrite(b->data, 1, b->len, stdout) != b->len) {
        cli_err("writing output: %s", strerror(errno));
        return -1;
    }
    b->len = 0;
    if (force && fflush(stdout) != 0) {
        cli_err("writing output: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static void print_one(const char *name, const char *label, uint64_t v,
                      void *ud)
{
    (void)ud;
    if (v || strcmp(name, "lines") == 0 || strcmp(name, "messages") == 0)
        fprintf(stderr, "%12llu  %-22s %s\n", (unsigned long long)v, name,
                label);
}

void cli_print_stats(const struct df_stats *st)
{
    df_stats_each(st, print_one, NULL);
}

const char *cli_dl_load(const char *soname, const char *hint,
                        const struct cli_dlsym *syms, size_t n, void *table,
                        char *why, size_t whylen)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    size_t i;

    if (!h) {
        snprintf(why, whylen, "%s%s%s%s", dlerror(), hint ? " (" : "",
                 hint ? hint : "", hint ? ")" : "");
        return why;
    }
    for (i = 0; i < n; i++) {
        void *sym = dlsym(h, syms[i].name);

        if (!sym) {
            snprintf(why, whylen, "%s lacks %s", soname, syms[i].name);
            dlclose(h);
            return why;
        }
        /* ISO C has no cast from void * to a function pointer; dlsym's
         * POSIX contract makes the copy through memcpy well defined. */
        memcpy((char *)table + syms[i].off, &sym, sizeof sym);
    }
    return NULL;
}
