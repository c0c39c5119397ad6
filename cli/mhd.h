/*
 * mhd.h - libmicrohttpd for `darkfleet serve`, through a table of its
 * functions: loaded with dlopen() when serve starts (mhd.c), so that the
 * library and the GnuTLS it brings (ten shared objects, about 1 ms of
 * loading and relocation) are not loaded by every other command; or
 * linked, with -DDF_MHD_LINKED=ON, to compare.  Built only when
 * libmicrohttpd's header was found (DF_HAVE_MHD).
 */
#ifndef DF_CLI_MHD_H
#define DF_CLI_MHD_H

#ifdef DF_HAVE_MHD
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <stdint.h>
#include <microhttpd.h>

/* The functions serve calls. */
#define MHD_FUNCS(X)                                                       \
    X(MHD_start_daemon)                                                    \
    X(MHD_stop_daemon)                                                     \
    X(MHD_create_response_from_buffer)                                     \
    X(MHD_add_response_header)                                             \
    X(MHD_queue_response)                                                  \
    X(MHD_destroy_response)                                                \
    X(MHD_lookup_connection_value)                                         \
    X(MHD_get_connection_values_n)

struct cli_mhd_funcs {
#define X(f) __typeof__(f) *f;
    MHD_FUNCS(X)
#undef X
};
/* Filled by cli_mhd_load(). */
extern struct cli_mhd_funcs cli_mhd;

/* Loads libmicrohttpd (once): NULL when it is usable, else why not (a
 * static string). */
const char *cli_mhd_load(void);
#endif

#endif
