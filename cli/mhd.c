/*
 * mhd.c - libmicrohttpd's functions for serve (mhd.h): opened with
 * dlopen() by its SONAME, read off the library by CMake, the first time
 * serve starts; or, in a build with -DDF_MHD_LINKED=ON, taken from the
 * linked library.
 */
#include "mhd.h"

#ifdef DF_HAVE_MHD
#include <stdio.h>
#include <string.h>

struct cli_mhd_funcs cli_mhd;

#ifdef DF_MHD_LINKED
const char *cli_mhd_load(void)
{
#define X(f) cli_mhd.f = f;
    MHD_FUNCS(X)
#undef X
    return NULL;
}
#else
#include <dlfcn.h>

const char *cli_mhd_load(void)
{
    static char why[300];
    static int loaded;
    void *h;

    if (loaded)
        return NULL;
    h = dlopen(DF_MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(why, sizeof why, "%s (apt-get install libmicrohttpd12)",
                 dlerror());
        return why;
    }
    /* ISO C has no cast from void * to a function pointer; dlsym's POSIX
     * contract makes the copy through memcpy well defined. */
#define X(f)                                                               \
    {                                                                      \
        void *sym = dlsym(h, #f);                                          \
        if (!sym) {                                                        \
            snprintf(why, sizeof why, DF_MHD_SONAME " lacks " #f);         \
            dlclose(h);                                                    \
            return why;                                                    \
        }                                                                  \
        memcpy(&cli_mhd.f, &sym, sizeof sym);                              \
    }
    MHD_FUNCS(X)
#undef X
    loaded = 1;
    return NULL;
}
#endif
#else
/* Built without libmicrohttpd's header: serve.c says so when run. */
typedef int cli_mhd_unused;
#endif
