/*
 * alert.c - watch's alerts: each alert (one JSON object) goes to a command
 * (--alert-exec: run by /bin/sh with the alert on its standard input) and
 * to a URL (--alert-url: an HTTP POST with libcurl, loaded on first use),
 * without holding the detectors up.
 *
 * Commands: at most ALERT_KIDS run at once; the others wait in a queue of
 * ALERT_QUEUE.  Each gets the alert on standard input and DF_ALERT_TYPE,
 * DF_ALERT_VESSELS, DF_ALERT_RISK and DF_ALERT_ID in its environment; one
 * that exits non-zero is counted and said in one line.
 *
 * URL: a thread of its own posts the queue in order (Content-Type
 * application/json, 10 s a try).  A try that fails (no connection, a
 * timeout, HTTP 429 or 5xx) is tried again after 1, 2 and 4 s, then given
 * up with one line; a 4xx other than 429 is not tried again.
 *
 * Both queues are bounded: when one is full the oldest alert gives way,
 * counted (and said once).  At the end the queues are given up to
 * ALERT_DRAIN_MS to empty.  Latency (from the record that completed the
 * event to the alert delivered: the command started, the POST answered
 * 2xx) is kept in a reservoir for --stats.
 */
#include "alert.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef DF_HAVE_CURL
/* Plain prototypes: the type-checking macros would rename the fields. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#endif

#define ALERT_KIDS 4
#define ALERT_QUEUE 1024
#define ALERT_DRAIN_MS 10000
#define LAT_MAX 65536           /* latencies kept (a reservoir) */
#define POST_TRIES 4            /* one, then after 1, 2 and 4 s */

struct item {
    char *json;
    size_t len;
    int64_t made_ms;            /* the completing record (cli_now_ms) */
    char type[24];
    char vessels[24];
    char risk[16];
    char id[24];
};

/* A bounded FIFO of items. */
struct queue {
    struct item *v;
    size_t head, n, cap;
};

struct kid {
    pid_t pid;
    struct item it;
};

struct alerts {
    struct alerts_opts o;
    struct queue eq;            /* waiting to be run (commands) */
    struct kid kids[ALERT_KIDS];
    int nkids;

    /* The poster thread and what it shares, under mu. */
    pthread_t th;
    int th_on;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct queue uq;
    int quit, busy;

    /* Counters: the commands' on the caller's thread, the URL's under
     * mu. */
    struct alerts_stats st;
    double lat[LAT_MAX];
    uint64_t nlat;              /* latencies seen; LAT_MAX kept at most */
    unsigned seed;
};

/* ---- queues -------------------------------------------------------------- */

static int q_init(struct queue *q, size_t cap)
{
    q->v = calloc(cap, sizeof *q->v);
    q->cap = cap;
    q->head = q->n = 0;
    return q->v ? 0 : -1;
}

static void item_free(struct item *it)
{
    free(it->json);
    it->json = NULL;
}

/* Adds a copy of it; the oldest gives way when full (returns 1 then). */
static int q_push(struct queue *q, const struct item *it)
{
    int dropped = 0;

    if (q->n == q->cap) {
        item_free(&q->v[q->head]);
        q->head = (q->head + 1) % q->cap;
        q->n--;
        dropped = 1;
    }
    q->v[(q->head + q->n) % q->cap] = *it;
    q->n++;
    return dropped;
}

static int q_pop(struct queue *q, struct item *it)
{
    if (q->n == 0)
        return 0;
    *it = q->v[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    return 1;
}

static void q_free(struct queue *q)
{
    struct item it;

    while (q_pop(q, &it))
        item_free(&it);
    free(q->v);
    q->v = NULL;
}

/* ---- latency ------------------------------------------------------------- */

/* Keeps a uniform sample of every latency seen (Vitter's algorithm R). */
static void keep_latency(struct alerts *a, int64_t made_ms)
{
    double ms = (double)(cli_now_ms() - made_ms);
    uint64_t k;

    if (made_ms <= 0)
        return;
    if (a->nlat < LAT_MAX) {
        a->lat[a->nlat++] = ms;
        return;
    }
    k = (uint64_t)rand_r(&a->seed) * (uint64_t)RAND_MAX +
        (uint64_t)rand_r(&a->seed);
    k %= ++a->nlat;
    if (k < LAT_MAX)
        a->lat[k] = ms;
}

void alerts_latency(struct alerts *a, int64_t made_ms)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->mu);
    keep_latency(a, made_ms);
    pthread_mutex_unlock(&a->mu);
}

/* ---- commands ------------------------------------------------------------ */

extern char **environ;

/* The environment of a command: ours, then the alert's fields (set here,
 * before fork: the child of a process with threads may only call
 * async-signal-safe functions).  NULL when out of memory. */
static char **kid_env(const struct item *it, char vars[4][64])
{
    size_t n = 0, i, k = 0;
    char **env;

    while (environ && environ[n])
        n++;
    if (!(env = malloc((n + 5) * sizeof *env)))
        return NULL;
    for (i = 0; i < n; i++)
        if (strncmp(environ[i], "DF_ALERT_", 9) != 0)
            env[k++] = environ[i];
    snprintf(vars[0], 64, "DF_ALERT_TYPE=%s", it->type);
    snprintf(vars[1], 64, "DF_ALERT_VESSELS=%s", it->vessels);
    snprintf(vars[2], 64, "DF_ALERT_RISK=%s", it->risk);
    snprintf(vars[3], 64, "DF_ALERT_ID=%s", it->id);
    for (i = 0; i < 4; i++)
        env[k++] = vars[i];
    env[k] = NULL;
    return env;
}

/* Starts the command for it.  0, or -1 (counted, said). */
static int start_kid(struct alerts *a, struct item *it)
{
    char vars[4][64], **env = kid_env(it, vars);
    char *argv[] = {"sh", "-c", (char *)a->o.exec, NULL};
    int fds[2];
    pid_t pid;

    /* Close-on-exec, as every descriptor watch opens (the store's, the
     * feeds' sockets and files), so that a command that outlives watch
     * holds none of them: not the other alerts' pipes either. */
    if (!env || pipe(fds) != 0) {
        cli_err("watch: alert command: %s", env ? strerror(errno)
                                                : "out of memory");
        free(env);
        return -1;
    }
    if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
        cli_err("watch: alert command: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        free(env);
        return -1;
    }
    pid = fork();
    if (pid < 0) {
        cli_err("watch: alert command: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        free(env);
        return -1;
    }
    if (pid == 0) {
        /* The child: the alert on standard input; SIGINT, SIGTERM and
         * SIGPIPE as a shell would have them. */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        setpgid(0, 0);          /* a group of its own, to end it whole */
        dup2(fds[0], 0);        /* the copy is not close-on-exec */
        execve("/bin/sh", argv, env);
        _exit(127);
    }
    setpgid(pid, pid);          /* as the child does: whoever runs first */
    free(env);
    close(fds[0]);
    /* The alert fits the pipe (at most a few KiB: the evidence is capped
     * at DF_EVIDENCE_MAX), so this never waits on a child that does not
     * read. */
    {
        const char *p = it->json;
        size_t left = it->len;

        while (left > 0) {
            ssize_t w = write(fds[1], p, left);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break;
            p += w;
            left -= (size_t)w;
        }
    }
    close(fds[1]);
    a->kids[a->nkids].pid = pid;
    a->kids[a->nkids].it = *it;
    a->nkids++;
    alerts_latency(a, it->made_ms);
    return 0;
}

/* Collects the commands that ended. */
static void reap(struct alerts *a, int wait_all)
{
    int i = 0;

    while (i < a->nkids) {
        int status;
        pid_t p = waitpid(a->kids[i].pid, &status, wait_all ? 0 : WNOHANG);

        if (p == 0 || (p < 0 && errno == EINTR)) {
            i++;
            continue;
        }
        if (p > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            a->st.exec_ok++;
        } else {
            a->st.exec_failed++;
            if (p > 0 && WIFEXITED(status))
                cli_err("watch: alert command exited %d for event %s",
                        WEXITSTATUS(status), a->kids[i].it.id);
            else
                cli_err("watch: alert command failed for event %s",
                        a->kids[i].it.id);
        }
        item_free(&a->kids[i].it);
        a->kids[i] = a->kids[--a->nkids];
    }
}

/* Signals a command and whatever it started (its process group). */
static void signal_kid(pid_t pid, int sig)
{
    if (kill(-pid, sig) != 0)
        kill(pid, sig);
}

/* At the end: commands still running after the drain are asked to stop
 * (SIGTERM), then made to (SIGKILL) a second later, so that a command that
 * hangs cannot keep watch from exiting. */
static void end_kids(struct alerts *a)
{
    int64_t end = cli_now_ms() + 1000;
    int i;

    reap(a, 0);
    if (a->nkids > 0)
        cli_err("watch: %d alert command%s still running at the end: "
                "stopped", a->nkids, a->nkids == 1 ? "" : "s");
    for (i = 0; i < a->nkids; i++)
        signal_kid(a->kids[i].pid, SIGTERM);
    while (a->nkids > 0 && cli_now_ms() < end) {
        struct timespec ts = {0, 20 * 1000 * 1000};

        nanosleep(&ts, NULL);
        reap(a, 0);
    }
    for (i = 0; i < a->nkids; i++)
        signal_kid(a->kids[i].pid, SIGKILL);
    reap(a, 1);
}

/* ---- the URL ------------------------------------------------------------- */

#ifdef DF_HAVE_CURL
#define CURL_FUNCS(X)                                                     \
    X(curl_global_init)                                                   \
    X(curl_easy_init)                                                     \
    X(curl_easy_setopt)                                                   \
    X(curl_easy_perform)                                                  \
    X(curl_easy_getinfo)                                                  \
    X(curl_easy_cleanup)                                                  \
    X(curl_easy_strerror)                                                 \
    X(curl_slist_append)                                                  \
    X(curl_slist_free_all)

struct curl_funcs {
#define X(f) __typeof__(f) *f;
    CURL_FUNCS(X)
#undef X
};
static struct curl_funcs cu;

/* Loads libcurl.  NULL when usable, else why not. */
static const char *curl_load(void)
{
#define X(f) {#f, offsetof(struct curl_funcs, f)},
    static const struct cli_dlsym syms[] = {CURL_FUNCS(X)};
#undef X
    static char why[300];

    if (cli_dl_load("libcurl.so.4", NULL, syms, sizeof syms / sizeof syms[0],
                    &cu, why, sizeof why) != NULL)
        return why;
    if (cu.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return "curl_global_init failed";
    return NULL;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* One POST: 2 done, 1 worth another try, 0 not (said). */
static int post(struct alerts *a, CURL *c, struct curl_slist *hdr,
                const struct item *it, int last)
{
    long code = 0;
    CURLcode rc;

    cu.curl_easy_setopt(c, CURLOPT_URL, a->o.url);
    cu.curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    cu.curl_easy_setopt(c, CURLOPT_POSTFIELDS, it->json);
    cu.curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)it->len);
    cu.curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    cu.curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    cu.curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    rc = cu.curl_easy_perform(c);
    if (rc == CURLE_OK)
        cu.curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (rc == CURLE_OK && code >= 200 && code < 300)
        return 2;
    if (rc == CURLE_OK && code >= 400 && code < 500 && code != 429) {
        cli_err("watch: %s: HTTP %ld for event %s; not tried again",
                a->o.url, code, it->id);
        return 0;
    }
    if (last) {
        if (rc != CURLE_OK)
            cli_err("watch: %s: %s for event %s; given up", a->o.url,
                    cu.curl_easy_strerror(rc), it->id);
        else
            cli_err("watch: %s: HTTP %ld for event %s; given up",
                    a->o.url, code, it->id);
    }
    return 1;
}

static void *poster(void *ud)
{
    struct alerts *a = ud;
    CURL *c = cu.curl_easy_init();
    struct curl_slist *hdr =
        cu.curl_slist_append(NULL, "Content-Type: application/json");

    pthread_mutex_lock(&a->mu);
    for (;;) {
        struct item it;
        int tries, got = 0;

        while (a->uq.n == 0 && !a->quit)
            pthread_cond_wait(&a->cv, &a->mu);
        if (!q_pop(&a->uq, &it))
            break;              /* quit, and nothing left */
        a->busy = 1;
        pthread_mutex_unlock(&a->mu);
        for (tries = 0; tries < POST_TRIES && c && !got; tries++) {
            int r;

            if (tries > 0) {
                /* Backing off; alerts_drain() ending the run ends it. */
                struct timespec ts;
                int stop;

                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_sec += 1 << (tries - 1);
                pthread_mutex_lock(&a->mu);
                while (!a->quit &&
                       pthread_cond_timedwait(&a->cv, &a->mu, &ts) !=
                           ETIMEDOUT)
                    ;
                stop = a->quit;
                pthread_mutex_unlock(&a->mu);
                if (stop)
                    break;
            }
            r = post(a, c, hdr, &it, tries == POST_TRIES - 1);
            if (r == 2)
                got = 1;
            else if (r == 0)
                break;
            pthread_mutex_lock(&a->mu);
            if (r == 1 && tries < POST_TRIES - 1)
                a->st.url_retries++;
            pthread_mutex_unlock(&a->mu);
        }
        pthread_mutex_lock(&a->mu);
        if (got) {
            a->st.url_ok++;
            keep_latency(a, it.made_ms);
        } else {
            a->st.url_failed++;
        }
        a->busy = 0;
        pthread_cond_broadcast(&a->cv);
        item_free(&it);
    }
    pthread_mutex_unlock(&a->mu);
    cu.curl_slist_free_all(hdr);
    if (c)
        cu.curl_easy_cleanup(c);
    return NULL;
}
#endif

/* ---- the interface --------------------------------------------------- */

struct alerts *alerts_new(const struct alerts_opts *o)
{
    struct alerts *a = calloc(1, sizeof *a);

    if (!a) {
        cli_err("out of memory");
        return NULL;
    }
    a->o = *o;
    a->seed = (unsigned)getpid();
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    if ((o->exec && q_init(&a->eq, ALERT_QUEUE) != 0) ||
        (o->url && q_init(&a->uq, ALERT_QUEUE) != 0)) {
        cli_err("out of memory");
        alerts_free(a);
        return NULL;
    }
    if (o->url) {
#ifdef DF_HAVE_CURL
        const char *why = curl_load();

        if (why) {
            cli_err("watch: --alert-url needs libcurl: %s", why);
            alerts_free(a);
            return NULL;
        }
        if (pthread_create(&a->th, NULL, poster, a) != 0) {
            cli_err("watch: cannot start the alert thread");
            alerts_free(a);
            return NULL;
        }
        a->th_on = 1;
#else
        cli_err("watch: --alert-url: this darkfleet was built without "
                "libcurl's header (apt-get install libcurl4-openssl-dev)");
        alerts_free(a);
        return NULL;
#endif
    }
    return a;
}

void alerts_push(struct alerts *a, const char *json, size_t len,
                 int64_t made_ms, const char *type, const char *vessels,
                 double risk, int64_t id)
{
    struct item it;

    if (!a || (!a->o.exec && !a->o.url))
        return;
    memset(&it, 0, sizeof it);
    it.len = len;
    it.made_ms = made_ms;
    snprintf(it.type, sizeof it.type, "%s", type);
    snprintf(it.vessels, sizeof it.vessels, "%s", vessels);
    snprintf(it.risk, sizeof it.risk, "%.2f", risk);
    snprintf(it.id, sizeof it.id, "%lld", (long long)id);
    if (a->o.exec) {
        if (!(it.json = malloc(len + 1)))
            goto nomem;
        memcpy(it.json, json, len);
        it.json[len] = '\0';
        if (q_push(&a->eq, &it) && a->st.dropped++ == 0)
            cli_err("watch: alerts come faster than the command takes "
                    "them: the oldest are dropped");
    }
    if (a->o.url) {
        if (!(it.json = malloc(len + 1)))
            goto nomem;
        memcpy(it.json, json, len);
        it.json[len] = '\0';
        pthread_mutex_lock(&a->mu);
        if (q_push(&a->uq, &it) && a->st.dropped++ == 0)
            cli_err("watch: alerts come faster than %s takes them: the "
                    "oldest are dropped",
                    a->o.url);
        pthread_cond_broadcast(&a->cv);
        pthread_mutex_unlock(&a->mu);
    }
    alerts_pump(a);
    return;
nomem:
    a->st.dropped++;
}

void alerts_pump(struct alerts *a)
{
    struct item it;

    if (!a || !a->o.exec)
        return;
    reap(a, 0);
    while (a->nkids < ALERT_KIDS && q_pop(&a->eq, &it))
        if (start_kid(a, &it) != 0) {
            a->st.exec_failed++;
            item_free(&it);
        }
}

void alerts_drain(struct alerts *a)
{
    int64_t end = cli_now_ms() + ALERT_DRAIN_MS;

    if (!a)
        return;
    while (a->o.exec && (a->eq.n > 0 || a->nkids > 0) &&
           cli_now_ms() < end) {
        struct timespec ts = {0, 20 * 1000 * 1000};

        alerts_pump(a);
        nanosleep(&ts, NULL);
    }
    if (a->o.exec)
        end_kids(a);
    if (a->th_on) {
        pthread_mutex_lock(&a->mu);
        while ((a->uq.n > 0 || a->busy) && cli_now_ms() < end) {
            struct timespec ts;

            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 50 * 1000 * 1000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&a->cv, &a->mu, &ts);
        }
        a->st.dropped += a->uq.n;   /* not posted in time */
        a->quit = 1;
        while (a->uq.n > 0) {
            struct item it;

            q_pop(&a->uq, &it);
            item_free(&it);
        }
        pthread_cond_broadcast(&a->cv);
        pthread_mutex_unlock(&a->mu);
        pthread_join(a->th, NULL);
        a->th_on = 0;
    }
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;

    return (a > b) - (a < b);
}

void alerts_get_stats(struct alerts *a, struct alerts_stats *st)
{
    size_t n;

    memset(st, 0, sizeof *st);
    if (!a)
        return;
    pthread_mutex_lock(&a->mu);
    *st = a->st;
    n = a->nlat < LAT_MAX ? (size_t)a->nlat : LAT_MAX;
    st->delivered_seen = a->nlat;
    if (n > 0) {
        qsort(a->lat, n, sizeof a->lat[0], cmp_double);
        st->lat_p50 = a->lat[n / 2];
        st->lat_p99 = a->lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
        st->lat_max = a->lat[n - 1];
    }
    pthread_mutex_unlock(&a->mu);
}

void alerts_free(struct alerts *a)
{
    int i;

    if (!a)
        return;
    if (a->th_on)
        alerts_drain(a);
    for (i = 0; i < a->nkids; i++)
        item_free(&a->kids[i].it);
    q_free(&a->eq);
    q_free(&a->uq);
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->cv);
    free(a);
}
