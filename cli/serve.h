/*
 * serve.h - what the files of `darkfleet serve` share:
 *
 *   serve.c        the command: options, the listening socket, the token,
 *                  the store's connections, libmicrohttpd started and
 *                  stopped, signals
 *   serve_http.c   one request: limits, the token and Host checks,
 *                  routing, the web app's files, responses and errors
 *   serve_api.c    the JSON API over the store (/api/...)
 *   mhd.c          libmicrohttpd, loaded with dlopen() when serve starts
 *                  (or linked, -DDF_MHD_LINKED=ON)
 *
 * libmicrohttpd runs a pool of threads, each polling its own connections
 * (epoll): a request is handled on the thread that read it, with a store
 * connection taken from the pool below for that request only.
 */
#ifndef DF_CLI_SERVE_H
#define DF_CLI_SERVE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "mhd.h"

#define SERVE_QUERY_MAX 2048        /* bytes of a request's query string */
#define SERVE_QUERY_MS 5000         /* work one request's reads may take */
#define SERVE_MAX_CONN 256          /* connections at once */
#define SERVE_MAX_CONN_IP 64        /* of them, from one address */
#define SERVE_CONN_MEMORY 32768     /* a connection's buffer: request line
                                     * and headers must fit */
#define SERVE_CACHE_MIB 32          /* pages a store connection may keep */

/* The store's read-only connections, one per request at a time. */
struct serve_pool {
    struct df_store **st;
    unsigned n, nfree;
    unsigned *free;             /* indexes of the free ones */
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* An embedded file with its validator (ETag). */
struct serve_file {
    const char *name;           /* "serve.html", "assets/app.js", ... */
    const unsigned char *data;
    size_t len;
    char etag[24];              /* "\"<16 hex>\"" */
    const char *type;           /* Content-Type */
};

struct serve {
    const char *db;             /* the store's path */
    struct serve_pool pool;
    /* The summary for /api/stats, made again when the store changed
     * (PRAGMA data_version of a connection of its own). */
    pthread_mutex_t stats_mu;
    struct df_store *watch;
    int64_t data_version;
    uint64_t generation;
    char *stats;                /* JSON without the closing brace */
    size_t stats_len;
    /* Security. */
    char token[65];             /* "" when none is needed */
    int check_host;             /* loopback without a token: only Host
                                 * names of this machine (DNS rebinding) */
    unsigned port;
    struct serve_file *files;
    size_t nfiles;
};

/* One request, made when its URI arrives (MHD's URI log callback). */
struct serve_req {
    size_t query_len;           /* bytes after '?' in the URI as sent */
    int headers_seen;           /* the access handler's first call came */
};

/* A response being built: status, JSON or a file. */
struct serve_reply {
    unsigned status;
    struct df_buf body;
    const char *type;           /* Content-Type */
    const char *cookie;         /* Set-Cookie, or NULL */
    const char *location;       /* Location, or NULL */
};

/* ---- serve_http.c ------------------------------------------------------- */

#ifdef DF_HAVE_MHD
/* libmicrohttpd's callbacks (serve.c registers them): a request begins
 * (its URI as received), is answered, ends. */
void *serve_uri_log(void *cls, const char *uri, struct MHD_Connection *c);
enum MHD_Result serve_access(void *cls, struct MHD_Connection *c,
                             const char *url, const char *method,
                             const char *version, const char *upload,
                             size_t *upload_size, void **req_cls);
void serve_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                     enum MHD_RequestTerminationCode toe);
#endif
/* Fills s->files from the library's web files (df_web_asset). */
int serve_files_init(struct serve *s);

/* A JSON error: {"error": msg, "status": status}.  msg is plain text. */
void serve_error(struct serve_reply *r, unsigned status, const char *fmt,
                 ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- serve_api.c -------------------------------------------------------- */

/* The query parameters of a request, as libmicrohttpd parsed them. */
struct serve_arg {
    const char *key, *value;
    size_t key_len, len;        /* their bytes (either may hold a NUL) */
};
#define SERVE_ARGS_MAX 16
struct serve_args {
    struct serve_arg a[SERVE_ARGS_MAX];
    unsigned n;
    int too_many;
};

/* Answers GET path (below "/api/") into r, reading through a store
 * connection of the pool. */
void serve_api(struct serve *s, const char *path,
               const struct serve_args *args, struct serve_reply *r);

/* Takes a free store connection (waits for one); gives it back. */
struct df_store *serve_pool_take(struct serve_pool *p, unsigned *idx);
void serve_pool_give(struct serve_pool *p, unsigned idx);

#endif
