/*
 * mhd.c - libmicrohttpd's functions for serve (mhd.h): opened with
 * dlopen() by its SONAME, read off the library by CMake, the first time
 * serve starts; or, in a build with -DDF_MHD_LINKED=ON, taken from the
 * linked library.
 */
#include "mhd.h"

#ifdef DF_HAVE_MHD
#include <stddef.h>

#include "cli.h"

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
const char *cli_mhd_load(void)
{
#define X(f) {#f, offsetof(struct cli_mhd_funcs, f)},
    static const struct cli_dlsym syms[] = {MHD_FUNCS(X)};
#undef X
    static char why[300];
    static int loaded;

    if (loaded)
        return NULL;
    if (cli_dl_load(DF_MHD_SONAME, "apt-get install libmicrohttpd12", syms,
                    sizeof syms / sizeof syms[0], &cli_mhd, why,
                    sizeof why) != NULL)
        return why;
    loaded = 1;
    return NULL;
}
#endif
#else
/* Built without libmicrohttpd's header: serve.c says so when run. */
typedef int cli_mhd_unused;
#endif
