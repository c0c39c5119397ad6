/*
 * nats.c - libnats' functions for the cluster transport (nats.h): opened
 * with dlopen() by its SONAME, read off the library by CMake, the first
 * time a JetStream connection is opened (js.c); or, in a build with
 * -DDF_NATS_LINKED=ON, taken from the linked library.
 */
#include "nats.h"

#ifdef DF_HAVE_NATS
#include <stdio.h>
#include <string.h>

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
#include <dlfcn.h>

const char *cli_nats_load(void)
{
    static char why[300];
    static int loaded;
    void *h;

    if (loaded)
        return NULL;
    h = dlopen(DF_NATS_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(why, sizeof why, "%s (apt-get install libnats3.4)",
                 dlerror());
        return why;
    }
    /* ISO C has no cast from void * to a function pointer; dlsym's POSIX
     * contract makes the copy through memcpy well defined. */
#define X(f)                                                               \
    {                                                                      \
        void *sym = dlsym(h, #f);                                          \
        if (!sym) {                                                        \
            snprintf(why, sizeof why, DF_NATS_SONAME " lacks " #f);        \
            dlclose(h);                                                    \
            return why;                                                    \
        }                                                                  \
        memcpy(&cli_nats.f, &sym, sizeof sym);                             \
    }
    NATS_FUNCS(X)
#undef X
    loaded = 1;
    return NULL;
}
#endif
#else
/* Built without libnats' header: js.c compiles to nothing too. */
typedef int cli_nats_unused;
#endif
