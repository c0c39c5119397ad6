/*
 * serve_load.c - a load generator for `darkfleet serve` (bench/serve.sh):
 * N clients, each a thread with one keep-alive HTTP/1.1 connection,
 * sending GETs from a list of paths as fast as the answers come, for a
 * number of seconds; then requests per second and latency percentiles,
 * over all and for each kind of request.
 *
 *   serve_load HOST PORT PATHS CLIENTS SECONDS
 *
 * PATHS holds one request a line, "KIND PATH" ("search /api/vessels?q=
 * SEA").  Client i starts at line i * (lines / CLIENTS) and goes round,
 * so the mix over the run is the file's.  Latency is from the request's
 * first byte written to the answer's last byte read (Content-Length
 * bodies; the server sends no other kind).  An answer that is not 200, or
 * a connection that fails, counts as an error (a failed connection is
 * made again).  Prints Markdown table rows to standard output:
 *
 *   | kind | requests | share | req/s | p50 ms | p90 ms | p99 ms | max ms |
 *
 * and a last line "errors N".  Plain C and POSIX, no dependencies.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_KINDS 16
#define BUF (1 << 16)

struct req {
    int kind;
    char *path;
};

struct sample {
    int kind;
    int64_t ns;
};

struct client {
    pthread_t th;
    int id;
    size_t next;                /* the next line of the paths */
    struct sample *s;
    size_t n, cap;
    long errors;
};

static const char *host, *port;
static struct req *reqs;
static size_t nreqs;
static char kinds[MAX_KINDS][32];
static int nkinds;
static int64_t deadline_ns;

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int dial(void)
{
    struct addrinfo hints, *ai = NULL;
    int fd = -1, one = 1;

    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &ai) != 0)
        return -1;
    fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    if (fd >= 0)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    freeaddrinfo(ai);
    return fd;
}

/* Sends one GET and reads its answer.  200 -> 0; another status -> 1;
 * the connection failed -> -1 (close it). */
static int one(int fd, const char *path, char *buf)
{
    char head[2048];
    int n = snprintf(head, sizeof head,
                     "GET %s HTTP/1.1\r\nHost: %s:%s\r\n\r\n", path, host,
                     port);
    size_t have = 0, need = 0, hlen = 0;
    long clen = -1;
    int status = 0;

    if (n <= 0 || (size_t)n >= sizeof head)
        return -1;
    for (int off = 0; off < n;) {
        ssize_t w = send(fd, head + off, (size_t)(n - off), MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        off += (int)w;
    }
    /* Headers, then Content-Length bytes of body. */
    for (;;) {
        ssize_t r = recv(fd, buf + have, BUF - have - 1, 0);
        char *end;

        if (r <= 0)
            return -1;
        have += (size_t)r;
        buf[have] = '\0';
        if (!hlen && (end = strstr(buf, "\r\n\r\n")) != NULL) {
            char *cl = strstr(buf, "Content-Length:");

            hlen = (size_t)(end - buf) + 4;
            if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1 || !cl)
                return -1;
            clen = strtol(cl + 15, NULL, 10);
            need = hlen + (size_t)clen;
        }
        if (hlen && have >= need)
            break;
        if (hlen && have > hlen) {  /* keep the headers, drop the body */
            need -= have - hlen;
            have = hlen;
        }
    }
    return status == 200 ? 0 : 1;
}

static void *run(void *ud)
{
    struct client *c = ud;
    char *buf = malloc(BUF);
    int fd = -1;

    while (buf && now_ns() < deadline_ns) {
        const struct req *q = &reqs[c->next++ % nreqs];
        int64_t t0;
        int rc;

        if (fd < 0 && (fd = dial()) < 0) {
            c->errors++;
            continue;
        }
        t0 = now_ns();
        rc = one(fd, q->path, buf);
        if (rc < 0) {
            close(fd);
            fd = -1;
            c->errors++;
            continue;
        }
        if (rc > 0)
            c->errors++;
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 4096;
            struct sample *s = realloc(c->s, cap * sizeof *s);

            if (!s)
                break;
            c->s = s;
            c->cap = cap;
        }
        c->s[c->n].kind = q->kind;
        c->s[c->n++].ns = now_ns() - t0;
    }
    if (fd >= 0)
        close(fd);
    free(buf);
    return NULL;
}

static int by_ns(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

/* One row: the percentiles of v (n values, sorted here). */
static void row(const char *kind, int64_t *v, size_t n, size_t total,
                double secs)
{
    if (n == 0)
        return;
    qsort(v, n, sizeof *v, by_ns);
    printf("| %s | %zu | %.0f%% | %.0f | %.2f | %.2f | %.2f | %.2f |\n", kind,
           n, 100.0 * (double)n / (double)total, (double)n / secs,
           v[n / 2] / 1e6, v[n * 9 / 10] / 1e6, v[n * 99 / 100] / 1e6,
           v[n - 1] / 1e6);
}

int main(int argc, char **argv)
{
    struct client *cs;
    int64_t *all, *mine, t0;
    size_t total = 0, cap = 0, i, k;
    long errors = 0;
    int nclients, secs;
    char line[4096];
    FILE *f;

    if (argc != 6) {
        fprintf(stderr, "usage: serve_load HOST PORT PATHS CLIENTS SECONDS\n");
        return 2;
    }
    host = argv[1];
    port = argv[2];
    nclients = atoi(argv[4]);
    secs = atoi(argv[5]);
    if (!(f = fopen(argv[3], "r")) || nclients < 1 || secs < 1) {
        fprintf(stderr, "serve_load: bad arguments\n");
        return 2;
    }
    while (fgets(line, sizeof line, f)) {
        char *sp = strchr(line, ' '), *nl = strchr(line, '\n');
        int kind;

        if (!sp)
            continue;
        if (nl)
            *nl = '\0';
        *sp = '\0';
        for (kind = 0; kind < nkinds && strcmp(kinds[kind], line); kind++)
            ;
        if (kind == nkinds) {
            if (nkinds == MAX_KINDS)
                continue;
            snprintf(kinds[nkinds++], sizeof kinds[0], "%.31s", line);
        }
        if (nreqs == cap) {
            cap = cap ? cap * 2 : 1024;
            reqs = realloc(reqs, cap * sizeof *reqs);
            if (!reqs)
                return 1;
        }
        reqs[nreqs].kind = kind;
        reqs[nreqs++].path = strdup(sp + 1);
    }
    fclose(f);
    if (!nreqs) {
        fprintf(stderr, "serve_load: no requests in %s\n", argv[3]);
        return 1;
    }
    cs = calloc((size_t)nclients, sizeof *cs);
    if (!cs)
        return 1;
    t0 = now_ns();
    deadline_ns = t0 + (int64_t)secs * 1000000000;
    for (i = 0; i < (size_t)nclients; i++) {
        cs[i].id = (int)i;
        cs[i].next = i * (nreqs / (size_t)nclients);
        pthread_create(&cs[i].th, NULL, run, &cs[i]);
    }
    for (i = 0; i < (size_t)nclients; i++) {
        pthread_join(cs[i].th, NULL);
        total += cs[i].n;
        errors += cs[i].errors;
    }
    {
        double elapsed = (double)(now_ns() - t0) / 1e9;

        all = malloc((total ? total : 1) * sizeof *all);
        mine = malloc((total ? total : 1) * sizeof *mine);
        if (!all || !mine)
            return 1;
        for (k = 0; k < (size_t)nkinds; k++) {
            size_t n = 0, j;

            for (i = 0; i < (size_t)nclients; i++)
                for (j = 0; j < cs[i].n; j++)
                    if (cs[i].s[j].kind == (int)k)
                        mine[n++] = cs[i].s[j].ns;
            row(kinds[k], mine, n, total, elapsed);
        }
        for (i = 0, total = 0; i < (size_t)nclients; i++)
            for (k = 0; k < cs[i].n; k++)
                all[total++] = cs[i].s[k].ns;
        row("**all**", all, total, total, elapsed);
    }
    printf("errors %ld\n", errors);
    return errors ? 1 : 0;
}
