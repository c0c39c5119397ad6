/*
 * serve.c - `darkfleet serve [--db FILE] [--port 8080] [--bind 127.0.0.1]
 * [--token TOKEN] [--threads N] [--timeout SECONDS]`: the analyst's
 * workspace over a store, live: the web app (web/serve.html, sharing the
 * report's map and pages in web/common.js) and a JSON API (serve_api.c),
 * from the store opened read-only while a scan or watch may write it.
 *
 * HTTP is libmicrohttpd's (Debian's 0.9.75), loaded when serve starts
 * (mhd.c), on a listening socket opened here so that a port in use is one
 * clear line.  It runs --threads threads, each polling its connections
 * (epoll), so a slow client holds no thread; connections are limited (256,
 * 64 from one address), a connection idle --timeout seconds is closed, a
 * request's line and headers must fit 32 KiB and its query string 2 KiB,
 * and a request's reads stop after 5 s (serve.h).  Each request reads
 * through a store connection of its own for its duration, in one read
 * transaction: WAL lets the writer go on and the request sees its last
 * commit before the request began, never part of one.
 *
 * Security: it binds to 127.0.0.1 unless told otherwise.  On a loopback
 * address without a token it answers only requests whose Host is this
 * machine's (a page elsewhere cannot reach it through DNS rebinding).  On
 * any other address it needs a token: --token's, or one made from
 * /dev/urandom and printed in the URL at start; a request without it gets
 * 401 (serve_http.c says how it may be given).
 *
 * Prints the URL on standard output once listening.  SIGINT and SIGTERM
 * stop it cleanly.  Exit status: 0 when stopped by a signal; 1 when the
 * store cannot be read (a missing file is not created), the port cannot
 * be had, or libmicrohttpd cannot be loaded; 2 for a bad command line.
 */
#include "serve.h"
#include "mhd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_DB "darkfleet.db"
#define DEFAULT_PORT 8080
#define DEFAULT_THREADS 4
#define DEFAULT_TIMEOUT 15

static void usage(FILE *f)
{
    fprintf(f,
            "usage: darkfleet serve [--db FILE] [--port N] [--bind ADDR] "
            "[--token TOKEN]\n"
            "                       [--threads N] [--timeout SECONDS]\n"
            "  The analyst's workspace over a store, in a browser: search "
            "vessels, ranked\n"
            "  with their reasons; every event on a map, filtered by "
            "type, score and time;\n"
            "  a page per vessel and per event; following a scan or "
            "watch that writes the\n"
            "  store.  And a JSON API: /api/vessels?q=, /api/vessels/MMSI, "
            "/api/events,\n"
            "  /api/events/ID, /api/stats.  The store is only read.\n"
            "\n"
            "options:\n"
            "  --db FILE          the store to read (default %s)\n"
            "  --port N           the TCP port (default %d; 0: any free "
            "one)\n"
            "  --bind ADDR        the address to listen on (default "
            "127.0.0.1); any but\n"
            "                     a loopback one needs a token\n"
            "  --token TOKEN      the token requests must carry (16-64 "
            "letters, digits,\n"
            "                     '-' or '_'); made up and printed when "
            "needed and not given\n"
            "  --threads N        threads answering requests (default "
            "%d)\n"
            "  --timeout SECONDS  close a connection idle this long "
            "(default %d)\n"
            "  -h, --help         this help\n",
            DEFAULT_DB, DEFAULT_PORT, DEFAULT_THREADS, DEFAULT_TIMEOUT);
}

enum {
    OPT_DB = CLI_OPT_OWN, OPT_PORT, OPT_BIND, OPT_TOKEN, OPT_THREADS,
    OPT_TIMEOUT
};

static const struct cli_opt opts[] = {
    {OPT_DB, "--db", NULL, 1},
    {OPT_PORT, "--port", NULL, 1},
    {OPT_BIND, "--bind", NULL, 1},
    {OPT_TOKEN, "--token", NULL, 1},
    {OPT_THREADS, "--threads", NULL, 1},
    {OPT_TIMEOUT, "--timeout", NULL, 1},
    CLI_OPTS_HELP,
    CLI_OPTS_END};

/* A whole decimal number in [lo, hi] into *out: 0, else -1. */
static int number(const char *v, unsigned long lo, unsigned long hi,
                  unsigned long *out)
{
    char *end;

    if (v[0] < '0' || v[0] > '9' || strlen(v) > 10)
        return -1;
    errno = 0;
    *out = strtoul(v, &end, 10);
    return errno || *end || *out < lo || *out > hi ? -1 : 0;
}

/* ---- the store's connections ------------------------------------------- */

struct df_store *serve_pool_take(struct serve_pool *p, unsigned *idx)
{
    pthread_mutex_lock(&p->mu);
    while (p->nfree == 0)
        pthread_cond_wait(&p->cv, &p->mu);
    *idx = p->free[--p->nfree];
    pthread_mutex_unlock(&p->mu);
    return p->st[*idx];
}

void serve_pool_give(struct serve_pool *p, unsigned idx)
{
    pthread_mutex_lock(&p->mu);
    p->free[p->nfree++] = idx;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Opens n read-only connections to db.  0, or 1 after saying why; either
 * way pool_close() frees what was made. */
static int pool_open(struct serve_pool *p, const char *db, unsigned n)
{
    char err[512];
    unsigned i;

    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->st = calloc(n, sizeof *p->st);
    p->free = calloc(n, sizeof *p->free);
    if (!p->st || !p->free) {
        cli_err("serve: out of memory");
        return 1;
    }
    for (i = 0; i < n; i++) {
        if (df_store_open_ro(&p->st[i], db, err, sizeof err) != DF_OK) {
            cli_err("%s", err[0] ? err : "serve: cannot open the store");
            return 1;
        }
        df_store_set_time_limit(p->st[i], SERVE_QUERY_MS);
        df_store_set_cache(p->st[i], SERVE_CACHE_MIB);
        p->free[p->nfree++] = i;
        p->n++;
    }
    return 0;
}

static void pool_close(struct serve_pool *p)
{
    unsigned i;

    for (i = 0; i < p->n; i++)
        df_store_close(p->st[i]);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->st);
    free(p->free);
}

/* ---- the socket --------------------------------------------------------- */

/* The address to listen on, from --bind and --port. */
struct addr {
    struct sockaddr_storage ss;
    socklen_t len;
    int family;
    int loopback;
    char text[64];              /* as given, without brackets */
};

/* Parses a numeric IPv4 or IPv6 address (brackets allowed around the
 * latter).  0, else -1. */
static int parse_addr(const char *v, unsigned port, struct addr *a)
{
    char buf[64];
    size_t n = strlen(v);

    memset(a, 0, sizeof *a);
    if (n >= 2 && v[0] == '[' && v[n - 1] == ']' && n - 2 < sizeof buf) {
        memcpy(buf, v + 1, n - 2);
        buf[n - 2] = '\0';
    } else if (n < sizeof buf) {
        memcpy(buf, v, n + 1);
    } else {
        return -1;
    }
    memcpy(a->text, buf, sizeof a->text);
    {
        struct sockaddr_in *in4 = (struct sockaddr_in *)&a->ss;

        if (inet_pton(AF_INET, buf, &in4->sin_addr) == 1) {
            in4->sin_family = AF_INET;
            in4->sin_port = htons((uint16_t)port);
            a->len = sizeof *in4;
            a->family = AF_INET;
            a->loopback = (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
            return 0;
        }
    }
    {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->ss;

        if (inet_pton(AF_INET6, buf, &in6->sin6_addr) == 1) {
            static const unsigned char lo6[16] = {
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

            in6->sin6_family = AF_INET6;
            in6->sin6_port = htons((uint16_t)port);
            a->len = sizeof *in6;
            a->family = AF_INET6;
            a->loopback = memcmp(&in6->sin6_addr, lo6, 16) == 0;
            return 0;
        }
    }
    return -1;
}

#ifdef DF_HAVE_MHD
/* A listening socket on a; its port into *port.  -1 after saying why. */
static int listen_on(const struct addr *a, unsigned *port)
{
    int fd = socket(a->family, SOCK_STREAM, 0), one = 1;
    struct sockaddr_storage got;
    socklen_t glen = sizeof got;

    if (fd < 0) {
        cli_err("serve: cannot make a socket: %s", strerror(errno));
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (a->family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (const struct sockaddr *)&a->ss, a->len) != 0 ||
        listen(fd, 128) != 0) {
        cli_err("serve: cannot listen on %s port %u: %s", a->text, *port,
                strerror(errno));
        close(fd);
        return -1;
    }
    if (getsockname(fd, (struct sockaddr *)&got, &glen) == 0)
        *port = ntohs(got.ss_family == AF_INET6
                          ? ((struct sockaddr_in6 *)&got)->sin6_port
                          : ((struct sockaddr_in *)&got)->sin_port);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}
#endif

/* ---- the token ---------------------------------------------------------- */

/* 16-64 of [A-Za-z0-9_-]. */
static int token_ok(const char *t)
{
    size_t n = strlen(t);

    return n >= 16 && n <= 64 &&
           strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                     "0123456789-_") == n;
}

/* 32 hex digits from /dev/urandom into out (33 bytes).  0, else -1. */
static int make_token(char *out)
{
    unsigned char r[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, r, sizeof r) : -1;
    size_t i;

    if (fd >= 0)
        close(fd);
    if (got != (ssize_t)sizeof r)
        return -1;
    for (i = 0; i < sizeof r; i++)
        snprintf(out + 2 * i, 3, "%02x", r[i]);
    return 0;
}

/* ---- the command -------------------------------------------------------- */

#ifdef DF_HAVE_MHD
/* Starts libmicrohttpd on the socket fd; NULL when it will not. */
static struct MHD_Daemon *start(struct serve *s, int fd, unsigned threads,
                                unsigned timeout)
{
    return cli_mhd.MHD_start_daemon(
        MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
        serve_access, s,
        MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVE_MAX_CONN,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)SERVE_MAX_CONN_IP,
        MHD_OPTION_CONNECTION_TIMEOUT, timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVE_CONN_MEMORY,
        MHD_OPTION_URI_LOG_CALLBACK, serve_uri_log, s,
        MHD_OPTION_NOTIFY_COMPLETED, serve_completed, s,
        MHD_OPTION_END);
}
#endif

/* Runs the server until SIGINT or SIGTERM.  The exit status. */
static int run(struct serve *s, const struct addr *a, unsigned threads,
               unsigned timeout)
{
#ifdef DF_HAVE_MHD
    struct MHD_Daemon *d;
    const char *why;
    sigset_t sigs;
    int fd, sig;

    if ((why = cli_mhd_load()) != NULL) {
        cli_err("serve: cannot load libmicrohttpd: %s", why);
        return 1;
    }
    if ((fd = listen_on(a, &s->port)) < 0)
        return 1;
    /* The signals are taken here with sigwait(): blocked before the
     * server's threads start, so that they inherit the mask. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    d = start(s, fd, threads, timeout);
    if (!d) {
        cli_err("serve: libmicrohttpd did not start on %s port %u",
                a->text, s->port);
        close(fd);
        return 1;
    }
    printf("darkfleet serve: http://%s%s%s:%u/%s%s\n",
           a->family == AF_INET6 ? "[" : "", a->text,
           a->family == AF_INET6 ? "]" : "", s->port,
           s->token[0] ? "?token=" : "", s->token);
    fflush(stdout);
    while (sigwait(&sigs, &sig) == 0 && sig != SIGINT && sig != SIGTERM)
        ;
    cli_mhd.MHD_stop_daemon(d);
    close(fd);
    return 0;
#else
    (void)s;
    (void)a;
    (void)threads;
    (void)timeout;
    cli_err("serve: this darkfleet was built without libmicrohttpd "
            "(apt-get install libmicrohttpd-dev, then build it again)");
    return 1;
#endif
}

int cmd_serve(int argc, char **argv)
{
    const char *db = DEFAULT_DB, *bind_to = "127.0.0.1", *v;
    const char *token = NULL;
    unsigned long port = DEFAULT_PORT, threads = DEFAULT_THREADS;
    unsigned long timeout = DEFAULT_TIMEOUT;
    struct cli_args args;
    struct serve s;
    struct addr a;
    char err[512];
    int id, rc;

    memset(&s, 0, sizeof s);
    cli_args_init(&args, "serve", argc, argv);
    while ((id = cli_args_next(&args, opts, &v)) != CLI_END) {
        switch (id) {
        case CLI_OPT_HELP:
            usage(stdout);
            return 0;
        case OPT_DB:
            db = v;
            break;
        case OPT_PORT:
            if (number(v, 0, 65535, &port) != 0) {
                cli_err("serve: --port wants a number from 0 to 65535, "
                        "not '%s'", v);
                return 2;
            }
            break;
        case OPT_BIND:
            bind_to = v;
            break;
        case OPT_TOKEN:
            if (!token_ok(v)) {
                cli_err("serve: --token wants 16 to 64 letters, digits, "
                        "'-' or '_'");
                return 2;
            }
            token = v;
            break;
        case OPT_THREADS:
            if (number(v, 1, 64, &threads) != 0) {
                cli_err("serve: --threads wants a number from 1 to 64, "
                        "not '%s'", v);
                return 2;
            }
            break;
        case OPT_TIMEOUT:
            if (number(v, 1, 3600, &timeout) != 0) {
                cli_err("serve: --timeout wants seconds from 1 to 3600, "
                        "not '%s'", v);
                return 2;
            }
            break;
        default:
            return cli_args_bad(&args, id, v);
        }
    }
    if (parse_addr(bind_to, (unsigned)port, &a) != 0) {
        cli_err("serve: --bind wants an IPv4 or IPv6 address, not '%s'",
                bind_to);
        return 2;
    }
    if (token) {
        snprintf(s.token, sizeof s.token, "%s", token);
    } else if (!a.loopback && make_token(s.token) != 0) {
        cli_err("serve: cannot read /dev/urandom to make a token: give "
                "--token");
        return 1;
    }
    s.check_host = a.loopback && !s.token[0];
    s.port = (unsigned)port;
    s.db = db;

    /* The store: every connection read-only (a missing file is not
     * created), one per thread, and one to watch for changes. */
    if (df_store_open_ro(&s.watch, db, err, sizeof err) != DF_OK) {
        cli_err("%s", err[0] ? err : "serve: cannot open the store");
        return 1;
    }
    if (df_store_schema_version(s.watch) < 5)
        cli_err("serve: %s has schema version %d: names are searched by "
                "their start and boxes event by event (a scan into it "
                "upgrades it)",
                db, df_store_schema_version(s.watch));
    pthread_mutex_init(&s.stats_mu, NULL);
    rc = pool_open(&s.pool, db, (unsigned)threads);
    if (rc == 0 && serve_files_init(&s) != 0) {
        cli_err("serve: out of memory");
        rc = 1;
    }
    if (rc == 0)
        rc = run(&s, &a, (unsigned)threads, (unsigned)timeout);
    pool_close(&s.pool);
    df_store_close(s.watch);
    pthread_mutex_destroy(&s.stats_mu);
    free(s.stats);
    free(s.files);
    return rc;
}
