/*
 * nats.c - libnats' functions for the cluster transport (nats.h): opened
 * with dlopen() by its SONAME, read off the library by CMake, the first
 * time a JetStream connection is opened (js.c); or, in a build with
 * -DDF_NATS_LINKED=ON, taken from the linked library.
 */
#include "nats.h"

#ifdef DF_HAVE_NATS
#include <stddef.h>

#include "cli.h"

#ifndef DF_NATS_SONAME
#define DF_NATS_SONAME "libnats.so.3.4"
#endif

struct cli_nats_funcs cli_nats;

#ifdef DF_NATS_LINKED
const char *cli_nats_load(void)
{
#define X(f) cli_nats.f = f;
    NATS_FUNCS(X)
#undef X
    return NULL;
}
#else
const char *cli_nats_load(void)
{
#define X(f) {#f, offsetof(struct cli_nats_funcs, f)},
    static const struct cli_dlsym syms[] = {NATS_FUNCS(X)};
#undef X
    static char why[300];
    static int loaded;

    if (loaded)
        return NULL;
    if (cli_dl_load(DF_NATS_SONAME, "apt-get install libnats3.4", syms,
                    sizeof syms / sizeof syms[0], &cli_nats, why,
                    sizeof why) != NULL)
        return why;
    loaded = 1;
    return NULL;
}
#endif
#else
/* Built without libnats' header: js.c compiles to nothing too. */
typedef int cli_nats_unused;
#endif
