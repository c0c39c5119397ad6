/*
 * cluster.c - a scan over a cluster on NATS JetStream: the coordinator's
 * transport (`scan --nats URLS`) and `darkfleet worker`.
 *
 * The scan itself is the library's (df_scan_new_cluster, df_worker:
 * src/dist.c says why its events are one scan's); this file carries its
 * messages.  Run R has, on the cluster:
 *
 *   stream DF_R_IN    subjects df.R.in.<p>: partition p's messages from
 *                     the coordinator (records, barriers, answers), each
 *                     in an envelope with its number in the partition,
 *                     published with Nats-Msg-Id "p.number";
 *   stream DF_R_REP   subjects df.R.rep.<p>: the workers' reports, in
 *                     chunks, Nats-Msg-Id "p.report.chunk";
 *   bucket DF_R       "config" (the run: partitions, settings), and each
 *                     partition's checkpoint ("ck.p" and its chunks).
 *
 * A worker takes partitions (--take I/N: those p with p % N == I), reads
 * each one's stream through a durable pull consumer, and every
 * CKPT_MS saves the partition's whole state to the bucket, then acks what
 * it covers.  A worker that starts (again) loads the checkpoint and reads
 * on from the message after it: the reports it makes again are the same
 * bytes under the same ids, which the stream drops as duplicates (and the
 * coordinator, past the window, by number).  The coordinator starts its
 * local workers (--workers N) and starts again any that dies.  Losing one
 * of three servers with replicas 3 is JetStream's: js.c retries every
 * call through an election with the same message ids.
 */
#include "cluster.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "js.h"
#include "scan_int.h"

#define CL_FORMAT 2
#define ENV_MAGIC DF_STATE_TAG4('D', 'F', 'E', 'V')
#define CHK_MAGIC DF_STATE_TAG4('D', 'F', 'C', 'K')
#define CKP_MAGIC DF_STATE_TAG4('D', 'F', 'C', 'P')
#define DF_STATE_TAG4(a, b, c, d)                                          \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 |           \
     (uint32_t)(d) << 24)

#define CHUNK (512u << 10)      /* a message or a value, under 1 MiB */
#define CKPT_MS 2000            /* a worker's checkpoints */
#define ACK_WAIT_MS 120000      /* longer than between two checkpoints */
#define DUP_WINDOW_MS (3600 * 1000LL)
#define PUB_DEADLINE_MS 120000
#define OPEN_TIMEOUT_MS 5000
#define RETRY_MS 60000
#define REPORT_MAX (1024u << 20) /* a report: a tick's outputs */
#define ACK_EVERY 1024          /* publishes between two waits for acks */
#define STASH_MAX 8192          /* a worker's messages held back; beyond:
                                 * read again from the checkpoint */
#define STALL_MS 500            /* quiet this long: ask if some was lost */
#define STALL_MAX_MS 4000       /* asking less often while nothing was */

/* Every message of a partition's stream: its number there. */
struct env {
    uint32_t magic, pad;
    uint64_t mno;
};

/* A report in chunks: chunk idx of count, of report k of partition p. */
struct chunk {
    uint32_t magic, part;
    uint64_t k;
    uint32_t idx, count;
};

/* A checkpoint: its chunks' generation and count, what it covers. */
struct ckpt_head {
    uint32_t magic, format, gen, count;
    uint64_t bytes;
    uint64_t sum;               /* FNV-1a of the bytes */
    uint64_t floor;             /* the consumer's ack floor before it: all
                                 * up to there is in it */
    uint64_t mno;               /* the next envelope number */
};

static uint64_t fnv1a(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 14695981039346656037ULL;

    while (n--) {
        h ^= *b++;
        h *= 1099511628211ULL;
    }
    return h;
}

struct names {
    char in[96], rep[96], bucket[96], events[96];
    char in_subj[128], rep_subj[128], ev_subj[128];
};

static void names_of(struct names *n, const char *run)
{
    snprintf(n->in, sizeof n->in, "DF_%s_IN", run);
    snprintf(n->rep, sizeof n->rep, "DF_%s_REP", run);
    snprintf(n->bucket, sizeof n->bucket, "DF_%s", run);
    snprintf(n->in_subj, sizeof n->in_subj, "df.%s.in", run);
    snprintf(n->rep_subj, sizeof n->rep_subj, "df.%s.rep", run);
    snprintf(n->events, sizeof n->events, "DF_%s_EVENTS", run);
    snprintf(n->ev_subj, sizeof n->ev_subj, "df.%s.events", run);
}

/* What the run is: every worker must find the same. */
static void config_text(char *out, size_t n, unsigned parts,
                        const struct df_config *cfg, const struct df_geo *geo)
{
    snprintf(out, n, "darkfleet cluster %d dist %u parts %u config %016llx "
                     "geo %016llx",
             CL_FORMAT, (unsigned)sizeof(struct df_rec), parts,
             (unsigned long long)df_config_fingerprint(cfg),
             (unsigned long long)df_geo_fingerprint(geo));
}

int cli_cluster_name_ok(const char *run)
{
    size_t i, n = strlen(run);

    if (n == 0 || n > 48)
        return 0;
    for (i = 0; i < n; i++) {
        char ch = run[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

#ifdef DF_HAVE_NATS

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/*
 * A message a server delivered that never arrived (the server died with
 * its answer to a fetch in flight) comes again only after the ack wait,
 * ACK_WAIT_MS; meanwhile its reader waits, and the whole run with it.  So
 * a reader that has fetched nothing for STALL_MS asks the server whether
 * its consumer delivered more than the reader holds (again and again, less
 * often while nothing was, up to every STALL_MAX_MS).  If so, it has its
 * consumer rewound to its ack floor, and what was lost comes again at once
 * (repeats of what it had are dropped by their numbers).  A message late
 * rather than lost only costs a rewind.  This is best effort: when the
 * server does not answer, the reader waits on as before.
 */
struct stall {
    int64_t quiet_since, asked, every;
};

/* After a fetch that returned n: 1 when sub was rewound, 0, or -1 with
 * err set when a rewind was cut short. */
static int stall_check(struct stall *st, struct cli_js_sub *sub, int n,
                       char *err, size_t errlen)
{
    int64_t now = cli_now_ms(), lost;

    if (n != 0) {
        if (n > 0) {
            st->quiet_since = 0;
            st->every = STALL_MS;
        }
        return 0;
    }
    if (st->quiet_since == 0) {
        st->quiet_since = now;
        st->every = STALL_MS;
        return 0;
    }
    if (now - st->quiet_since < STALL_MS || now - st->asked < st->every)
        return 0;
    st->asked = now;
    if (cli_js_sub_state(sub, NULL, &lost, err, errlen) != 0 || lost <= 0) {
        st->every = st->every * 2 > STALL_MAX_MS ? STALL_MAX_MS
                                                 : st->every * 2;
        return 0;
    }
    st->every = STALL_MS;
    /* Failing, it leaves the consumer to be made by the next fetch. */
    return cli_js_sub_rewind(sub, err, errlen) != 0 ? -1 : 1;
}

/* ---- the coordinator ----------------------------------------------------- */

struct asm_rep {
    struct df_buf b;            /* the report: chunk i at i * CHUNK (they
                                 * may come in any order after a rewind) */
    unsigned char *in;          /* which chunks are in */
    uint64_t want;              /* its number */
    uint32_t got, count;        /* chunks in, of */
    int ready;
};

static void asm_clear(struct asm_rep *a)
{
    free(a->in);
    a->in = NULL;
    a->got = a->count = 0;
}

struct cli_cluster {
    struct cli_js *js;
    struct cli_js_sub *rsub;
    struct names nm;
    unsigned parts;
    uint64_t *mno;              /* next envelope number per partition */
    struct asm_rep *asm_;
    struct df_buf buf;
    /* Local workers. */
    unsigned nworkers;
    pid_t *pid;
    char **argv;                /* a worker's command line (the index is
                                 * written into take[]) */
    char take[32];
    pid_t parent;               /* this process, for its workers */
    int64_t last_note_ms;
    int unacked;                /* asynchronous publishes not waited for */
    unsigned since_wait;        /* publishes since the last wait */
    uint64_t nevents;           /* published to the run's events */
    struct stall stall;         /* of the reports' consumer */
    int failed;
};

static void spawn(struct cli_cluster *cl, unsigned i)
{
    pid_t pid;

    snprintf(cl->take, sizeof cl->take, "%u/%u", i, cl->nworkers);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        /* A local worker ends with its coordinator (SIGTERM: it stops at
         * its next message, its checkpoint kept). */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != cl->parent)
            _exit(130);
        execv("/proc/self/exe", cl->argv);
        {
            /* No stdio after fork in a process with threads. */
            static const char m[] = "darkfleet: scan: a worker could not "
                                    "be started\n";
            ssize_t unused = write(2, m, sizeof m - 1);
            (void)unused;
        }
        _exit(127);
    }
    cl->pid[i] = pid;
    if (pid < 0) {
        cli_err("scan: starting a worker: %s", strerror(errno));
        cl->failed = 1;
    }
}

/* Local workers that died are started again: each goes on from its
 * partitions' checkpoints. */
static void tend_workers(struct cli_cluster *cl)
{
    unsigned i;

    for (i = 0; i < cl->nworkers; i++) {
        int st;
        pid_t r;

        if (cl->pid[i] <= 0 || cli_stop_requested())
            continue;
        r = waitpid(cl->pid[i], &st, WNOHANG);
        if (r != cl->pid[i])
            continue;
        cl->pid[i] = 0;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
            continue;           /* its partitions are done */
        if (WIFEXITED(st) && WEXITSTATUS(st) != 130) {
            /* It said why (1), or could not start (127): starting it
             * again would do the same. */
            cli_err("scan: worker %u/%u failed (exit %d)", i, cl->nworkers,
                    WEXITSTATUS(st));
            cl->failed = 1;
            continue;
        }
        cli_err("scan: worker %u/%u ended (%s %d); starting it again", i,
                cl->nworkers, WIFSIGNALED(st) ? "signal" : "exit",
                WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
        spawn(cl, i);
    }
}

static int cl_send(unsigned p, const void *msg, size_t len, void *ud)
{
    struct cli_cluster *cl = ud;
    struct env e = {ENV_MAGIC, 0, cl->mno[p]};
    char subj[160], id[64], err[512];

    cl->buf.len = 0;
    df_buf_append(&cl->buf, (const char *)&e, sizeof e);
    df_buf_append(&cl->buf, msg, len);
    if (cl->buf.oom) {
        cli_err("out of memory");
        return -1;
    }
    snprintf(subj, sizeof subj, "%s.%u", cl->nm.in_subj, p);
    snprintf(id, sizeof id, "%u.%llu", p, (unsigned long long)cl->mno[p]);
    /* Not waiting for the ack: the workers put a partition's messages
     * back in order by their numbers; every publish is acked before the
     * next report is awaited (cl_report). */
    if (cli_js_publish_async(cl->js, subj, id, cl->buf.data, cl->buf.len,
                             err, sizeof err) != 0) {
        cli_err("scan: %s", err);
        return -1;
    }
    cl->unacked = 1;
    cl->mno[p]++;
    /* A publish that failed is sent again by the next wait, so it lands
     * behind what was published meanwhile: a wait every ACK_EVERY keeps
     * that within what a worker holds back (STASH_MAX). */
    if (++cl->since_wait >= ACK_EVERY) {
        cl->since_wait = 0;
        cl->unacked = 0;
        if (cli_js_publish_wait(cl->js, PUB_DEADLINE_MS, NULL, err,
                                sizeof err) != 0) {
            cli_err("scan: %s", err);
            return -1;
        }
    }
    return 0;
}

int cli_cluster_event(struct cli_cluster *cl, const struct df_event *ev)
{
    char subj[192], id[48], err[512];

    cl->buf.len = 0;
    df_event_json(&cl->buf, ev);
    df_buf_append(&cl->buf, "\n", 1);
    if (cl->buf.oom) {
        cli_err("out of memory");
        return -1;
    }
    snprintf(subj, sizeof subj, "%s.%s", cl->nm.ev_subj,
             df_event_name(ev->type));
    snprintf(id, sizeof id, "e.%llu", (unsigned long long)cl->nevents++);
    if (cli_js_publish_async(cl->js, subj, id, cl->buf.data, cl->buf.len,
                             err, sizeof err) != 0) {
        cli_err("scan: %s", err);
        return -1;
    }
    cl->unacked = 1;
    return 0;
}

/* A chunk of a report: kept when it is one of the report awaited.  Every
 * chunk but the last is CHUNK bytes (publish_report). */
static int on_chunk(const void *data, size_t len, uint64_t sseq,
                    const char *msgid, void *ud)
{
    struct cli_cluster *cl = ud;
    struct chunk ch;
    struct asm_rep *a;
    size_t n, off;

    (void)sseq;
    (void)msgid;
    if (len < sizeof ch)
        return 0;
    memcpy(&ch, data, sizeof ch);
    n = len - sizeof ch;
    if (ch.magic != CHK_MAGIC || ch.part >= cl->parts || ch.count == 0 ||
        ch.count > REPORT_MAX / CHUNK || ch.idx >= ch.count || n > CHUNK ||
        (ch.idx + 1 < ch.count && n != CHUNK))
        return 0;
    a = &cl->asm_[ch.part];
    if (a->ready || ch.k != a->want)
        return 0;               /* a repeat, or not yet awaited */
    if (!a->in) {
        if (!(a->in = calloc(ch.count, 1))) {
            cli_err("out of memory");
            cl->failed = 1;
            return 0;
        }
        a->count = ch.count;
        a->b.len = 0;
    } else if (ch.count != a->count) {
        return 0;
    }
    if (a->in[ch.idx])
        return 0;               /* a repeat */
    off = (size_t)ch.idx * CHUNK;
    if (df_buf_reserve(&a->b, off + n > a->b.len ? off + n - a->b.len : 0) !=
        0) {
        cli_err("out of memory");
        cl->failed = 1;
        return 0;
    }
    memcpy(a->b.data + off, (const char *)data + sizeof ch, n);
    if (off + n > a->b.len)
        a->b.len = off + n;
    a->in[ch.idx] = 1;
    if (++a->got < a->count)
        return 0;
    asm_clear(a);
    a->ready = 1;
    return 0;
}

static int cl_report(unsigned p, uint64_t k, const void **msg, size_t *len,
                     void *ud)
{
    struct cli_cluster *cl = ud;
    struct asm_rep *a = &cl->asm_[p];
    int64_t since = cli_now_ms(), fail_since = -1;
    char err[512];

    if (a->want != k) {
        /* Reports come in order: k follows the one handed on last. */
        cli_err("scan: partition %u: report %llu asked, %llu awaited", p,
                (unsigned long long)k, (unsigned long long)a->want);
        return -1;
    }
    if (cl->unacked) {
        if (cli_js_publish_wait(cl->js, PUB_DEADLINE_MS, NULL, err,
                                sizeof err) != 0) {
            cli_err("scan: %s", err);
            return -1;
        }
        cl->unacked = 0;
    }
    while (!a->ready) {
        int n;

        if (cli_stop_requested() || cl->failed)
            return -1;
        n = cli_js_fetch(cl->rsub, 64, 500, on_chunk, cl, err, sizeof err);
        if (n < 0) {
            if (fail_since < 0)
                fail_since = cli_now_ms();
            if (cli_now_ms() - fail_since > RETRY_MS) {
                cli_err("scan: %s", err);
                return -1;
            }
            continue;
        }
        fail_since = -1;
        if (n > 0)
            cli_js_ack_upto(cl->rsub, UINT64_MAX, err, sizeof err);
        switch (stall_check(&cl->stall, cl->rsub, n, err, sizeof err)) {
        case -1:                /* the next fetch tries again */
            cli_err("scan: %s", err);
            break;
        case 1:
            cli_err("scan: reports lost on the way; read again");
            break;
        }
        tend_workers(cl);
        if (cli_now_ms() - since > 30000 &&
            cli_now_ms() - cl->last_note_ms > 30000) {
            cl->last_note_ms = cli_now_ms();
            cli_err("scan: waiting for partition %u's report %llu (is a "
                    "worker taking it?)",
                    p, (unsigned long long)k);
        }
    }
    if (a->b.oom) {
        cli_err("out of memory");
        return -1;
    }
    *msg = a->b.data;
    *len = a->b.len;
    a->ready = 0;
    a->want = k + 1;
    return 0;
}

/* A local worker's command line: the run, its share, and the settings
 * that make the run's configuration and geography. */
static char **worker_argv(const struct scan_cmd *c, char *take)
{
    size_t n = 0, cap = 16 + 2 * (size_t)c->nrep;
    char **a = calloc(cap, sizeof *a);
    int i;

    if (!a)
        return NULL;
    a[n++] = "darkfleet";
    a[n++] = "worker";
    a[n++] = "--nats";
    a[n++] = (char *)c->nats;
    a[n++] = "--run";
    a[n++] = (char *)c->run;
    a[n++] = "--take";
    a[n++] = take;
    if (c->no_dprk)
        a[n++] = "--no-dprk";
    if (c->no_places)
        a[n++] = "--no-places";
    for (i = 0; i < c->nrep; i++) {
        const char *opt = c->rep[i].id == SCAN_OPT_CONFIG  ? "--config"
                          : c->rep[i].id == SCAN_OPT_SET   ? "--set"
                          : c->rep[i].id == SCAN_OPT_ZONES ? "--zones"
                          : c->rep[i].id == SCAN_OPT_PORTS ? "--ports"
                                                           : NULL;
        if (!opt)
            continue;
        a[n++] = (char *)opt;
        a[n++] = (char *)c->rep[i].val;
    }
    a[n] = NULL;
    return a;
}

int cli_cluster_open(struct cli_cluster **out, const struct scan_cmd *c,
                     unsigned parts, struct df_cluster_io *io)
{
    struct cli_cluster *cl = calloc(1, sizeof *cl);
    struct cli_js_kv *kv = NULL;
    char err[512], conf[256], kvs[128], subj[160];
    unsigned i;

    *out = NULL;
    if (!cl) {
        cli_err("out of memory");
        return 1;
    }
    cl->parts = parts;
    names_of(&cl->nm, c->run);
    cl->mno = calloc(parts, sizeof *cl->mno);
    cl->asm_ = calloc(parts, sizeof *cl->asm_);
    if (!cl->mno || !cl->asm_)
        goto nomem;
    if (cli_js_open(&cl->js, c->nats, OPEN_TIMEOUT_MS, RETRY_MS, err,
                    sizeof err) != 0)
        goto fail;
    /* A run starts from nothing: what an earlier run of the name left
     * (messages, checkpoints) goes. */
    snprintf(kvs, sizeof kvs, "KV_%s", cl->nm.bucket);
    if (cli_js_stream_delete(cl->js, cl->nm.in, err, sizeof err) != 0 ||
        cli_js_stream_delete(cl->js, cl->nm.rep, err, sizeof err) != 0 ||
        cli_js_stream_delete(cl->js, cl->nm.events, err, sizeof err) != 0 ||
        cli_js_stream_delete(cl->js, kvs, err, sizeof err) != 0)
        goto fail;
    snprintf(subj, sizeof subj, "%s.>", cl->nm.ev_subj);
    if (cli_js_stream(cl->js, cl->nm.events, subj, c->replicas,
                      DUP_WINDOW_MS, err, sizeof err) != 0)
        goto fail;
    snprintf(subj, sizeof subj, "%s.>", cl->nm.in_subj);
    if (cli_js_stream(cl->js, cl->nm.in, subj, c->replicas, DUP_WINDOW_MS,
                      err, sizeof err) != 0)
        goto fail;
    snprintf(subj, sizeof subj, "%s.>", cl->nm.rep_subj);
    if (cli_js_stream(cl->js, cl->nm.rep, subj, c->replicas, DUP_WINDOW_MS,
                      err, sizeof err) != 0 ||
        cli_js_pull(cl->js, cl->nm.rep, "coordinator", subj, ACK_WAIT_MS,
                    &cl->rsub, err, sizeof err) != 0)
        goto fail;
    config_text(conf, sizeof conf, parts, &c->cfg, c->geo);
    if (cli_js_kv(cl->js, cl->nm.bucket, c->replicas, &kv, err,
                  sizeof err) != 0 ||
        cli_js_kv_put(kv, "config", conf, strlen(conf), err, sizeof err) !=
            0)
        goto fail;
    cli_js_kv_free(kv);
    kv = NULL;
    cl->nworkers = c->workers;
    cl->parent = getpid();
    if (cl->nworkers > 0) {
        cl->pid = calloc(cl->nworkers, sizeof *cl->pid);
        cl->argv = worker_argv(c, cl->take);
        if (!cl->pid || !cl->argv)
            goto nomem;
        for (i = 0; i < cl->nworkers; i++)
            spawn(cl, i);
    }
    io->send = cl_send;
    io->report = cl_report;
    io->ud = cl;
    *out = cl;
    return 0;
nomem:
    snprintf(err, sizeof err, "out of memory");
fail:
    cli_err("scan: %s: %s", c->nats, err);
    cli_js_kv_free(kv);
    cli_cluster_close(cl, 0);
    return 1;
}

void cli_cluster_close(struct cli_cluster *cl, int ok)
{
    char err[512], kvs[128];
    unsigned i;
    int64_t until = cli_now_ms() + (ok ? 30000 : 0);

    if (!cl)
        return;
    /* The workers end once their partitions' last reports are made. */
    for (i = 0; cl->pid && i < cl->nworkers; i++) {
        while (cl->pid[i] > 0) {
            int st;
            pid_t r = waitpid(cl->pid[i], &st, WNOHANG);

            if (r == cl->pid[i] || r < 0) {
                cl->pid[i] = 0;
                break;
            }
            if (cli_now_ms() > until || cl->failed || cli_stop_requested())
                kill(cl->pid[i], SIGKILL);
            else
                sleep_ms(20);
        }
    }
    if (cl->js) {
        /* The events' last publishes; their stream stays for readers. */
        if (cl->unacked &&
            cli_js_publish_wait(cl->js, PUB_DEADLINE_MS, NULL, err,
                                sizeof err) != 0)
            cli_err("scan: events: %s", err);
        cli_js_sub_free(cl->rsub);
        snprintf(kvs, sizeof kvs, "KV_%s", cl->nm.bucket);
        cli_js_stream_delete(cl->js, cl->nm.in, err, sizeof err);
        cli_js_stream_delete(cl->js, cl->nm.rep, err, sizeof err);
        cli_js_stream_delete(cl->js, kvs, err, sizeof err);
        cli_js_close(cl->js);
    }
    for (i = 0; cl->asm_ && i < cl->parts; i++) {
        asm_clear(&cl->asm_[i]);
        df_buf_free(&cl->asm_[i].b);
    }
    df_buf_free(&cl->buf);
    free(cl->asm_);
    free(cl->mno);
    free(cl->pid);
    free(cl->argv);
    free(cl);
}

/* ---- the worker ------------------------------------------------------------ */

struct wpart {
    unsigned p;
    struct df_worker *w;
    struct cli_js_sub *sub;
    uint64_t mno;               /* the next envelope number */
    uint64_t ck_mno;            /* the one after what the checkpoint holds */
    uint32_t gen;               /* the next checkpoint's chunks */
    int64_t ck_ms;
    struct stall stall;
    int done, reset;
    /* Messages that came before their turn (a publish the coordinator
     * made again after a failure lands after later ones): kept until the
     * ones before them come. */
    struct stashed {
        uint64_t mno, sseq;
        void *data;
        size_t len;
    } *stash;
    size_t nstash, capstash;
};

static void stash_clear(struct wpart *wp)
{
    size_t i;

    for (i = 0; i < wp->nstash; i++)
        free(wp->stash[i].data);
    free(wp->stash);
    wp->stash = NULL;
    wp->nstash = wp->capstash = 0;
}

struct wrk {
    struct cli_js *js;
    struct cli_js_kv *kv;
    struct names nm;
    const struct df_config *cfg;
    const struct df_geo *geo;
    unsigned parts;
    struct wpart *wp;
    unsigned nwp;
    struct df_buf rep, buf;
    int fatal;
    int rc;                     /* a partition thread's end */
    const char *urls;
    atomic_int *stop;           /* every partition stops */
};

static int buf_sink(const void *p, size_t n, void *ud)
{
    struct df_buf *b = ud;

    df_buf_append(b, p, n);
    return b->oom ? -1 : 0;
}

struct src {
    const unsigned char *p;
    size_t n;
    int given;
};

static int buf_source(const void **p, size_t *n, void *ud)
{
    struct src *s = ud;

    if (s->given)
        return 0;
    s->given = 1;
    *p = s->p;
    *n = s->n;
    return s->n > 0;
}

/* Acks the messages wp holds that its saved checkpoint has: all but the
 * ones held back, which it has not, and those after the first of them in
 * the stream, so that the ack floor stays before them.  (The ones held
 * that are not held back were taken, and are in the checkpoint when it is
 * up to date (wp->mno == wp->ck_mno), or were repeats of what it has.) */
static int ack_saved(struct wpart *wp, char *err, size_t errlen)
{
    uint64_t upto = UINT64_MAX;
    size_t j;

    wp->ck_ms = cli_now_ms();
    for (j = 0; j < wp->nstash; j++)
        if (wp->stash[j].sseq <= upto)
            upto = wp->stash[j].sseq - 1;
    return cli_js_ack_upto(wp->sub, upto, err, errlen);
}

/* Saves partition wp's state to the bucket, then acks what it holds. */
static int checkpoint(struct wrk *k, struct wpart *wp)
{
    struct df_state_out *o;
    struct ckpt_head h;
    char key[64], err[512];
    uint32_t i;
    enum df_err e;

    k->buf.len = 0;
    o = df_state_out_new(buf_sink, &k->buf);
    if (!o) {
        cli_err("out of memory");
        return -1;
    }
    df_worker_save(wp->w, o);
    e = df_state_out_end(o);
    df_state_out_free(o);
    if (e != DF_OK) {
        cli_err("worker: partition %u: saving: %s", wp->p, df_strerror(e));
        return -1;
    }
    memset(&h, 0, sizeof h);
    h.magic = CKP_MAGIC;
    h.format = CL_FORMAT;
    h.gen = wp->gen;
    h.count = (uint32_t)((k->buf.len + CHUNK - 1) / CHUNK);
    h.bytes = k->buf.len;
    h.sum = fnv1a(k->buf.data, k->buf.len);
    h.mno = wp->mno;
    /* What was acked is in an earlier checkpoint, so in this one: should
     * this head be read when a later one was acked, the worker reads on
     * from here, not from the floor then. */
    if (cli_js_sub_state(wp->sub, &h.floor, NULL, err, sizeof err) != 0)
        goto fail;
    for (i = 0; i < h.count; i++) {
        size_t off = (size_t)i * CHUNK;
        size_t n = k->buf.len - off < CHUNK ? k->buf.len - off : CHUNK;

        snprintf(key, sizeof key, "ck.%u.%u.%u", wp->p, h.gen, i);
        if (cli_js_kv_put(k->kv, key, k->buf.data + off, n, err,
                          sizeof err) != 0)
            goto fail;
    }
    /* The head last: a checkpoint cut short leaves the one before. */
    snprintf(key, sizeof key, "ck.%u", wp->p);
    if (cli_js_kv_put(k->kv, key, &h, sizeof h, err, sizeof err) != 0)
        goto fail;
    wp->gen ^= 1;
    wp->ck_mno = wp->mno;
    if (ack_saved(wp, err, sizeof err) != 0)
        goto fail;
    return 0;
fail:
    cli_err("worker: partition %u: checkpoint: %s", wp->p, err);
    return -1;
}

/* Loads partition wp's checkpoint, if it has one, into a new state:
 * 0, 1 when what was read does not hang together (a head and chunks of
 * different checkpoints: read again), or -1 with err set. */
static int load_checkpoint(struct wrk *k, struct wpart *wp,
                           uint64_t *at_most, char *err, size_t errlen)
{
    char key[64];
    void *v = NULL;
    size_t n = 0;
    int found = 0;
    uint32_t i;
    struct ckpt_head h;
    struct df_state_in *in;
    struct src s;
    enum df_err e;

    df_worker_free(wp->w);
    wp->w = df_worker_new(k->cfg, k->geo, k->parts, wp->p);
    if (!wp->w) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    wp->mno = wp->ck_mno = 0;
    wp->done = 0;
    *at_most = 0;               /* nothing saved: the stream from its start */
    snprintf(key, sizeof key, "ck.%u", wp->p);
    if (cli_js_kv_get(k->kv, key, &v, &n, &found, err, errlen) != 0)
        return -1;
    if (!found)
        return 0;
    if (n != sizeof h) {
        free(v);
        snprintf(err, errlen, "a damaged checkpoint");
        return -1;
    }
    memcpy(&h, v, sizeof h);
    free(v);
    if (h.magic != CKP_MAGIC || h.format != CL_FORMAT || h.gen > 1) {
        snprintf(err, errlen, "a checkpoint of another build");
        return -1;
    }
    k->buf.len = 0;
    for (i = 0; i < h.count; i++) {
        snprintf(key, sizeof key, "ck.%u.%u.%u", wp->p, h.gen, i);
        if (cli_js_kv_get(k->kv, key, &v, &n, &found, err, errlen) != 0)
            return -1;
        if (!found)
            return 1;
        df_buf_append(&k->buf, v, n);
        free(v);
    }
    if (k->buf.oom) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (k->buf.len != h.bytes || fnv1a(k->buf.data, k->buf.len) != h.sum)
        return 1;
    s.p = (const unsigned char *)k->buf.data;
    s.n = k->buf.len;
    s.given = 0;
    if (!(in = df_state_in_new(buf_source, &s))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    df_worker_load(wp->w, in);
    e = df_state_in_error(in);
    df_state_in_free(in);
    if (e != DF_OK) {
        snprintf(err, errlen, "loading its checkpoint: %s", df_strerror(e));
        return -1;
    }
    wp->mno = wp->ck_mno = h.mno;
    wp->gen = h.gen ^ 1;
    wp->done = df_worker_done(wp->w);
    *at_most = h.floor;
    return 0;
}

/* (Re)starts partition wp from its checkpoint, or from nothing, and
 * reads its stream on from the message after it. */
static int part_start(struct wrk *k, struct wpart *wp)
{
    char err[512], durable[32], subj[160];
    uint64_t at_most;
    int r, tries = 0;

    cli_js_sub_free(wp->sub);
    wp->sub = NULL;
    memset(&wp->stall, 0, sizeof wp->stall);
    wp->reset = 0;
    stash_clear(wp);
    /* The chunks of a checkpoint being written as it is read: again. */
    while ((r = load_checkpoint(k, wp, &at_most, err, sizeof err)) == 1 &&
           ++tries < 20)
        sleep_ms(500);
    if (r == 1)
        snprintf(err, sizeof err, "a damaged checkpoint");
    if (r != 0)
        goto fail;
    if (wp->done)
        return 0;
    snprintf(durable, sizeof durable, "w%u", wp->p);
    snprintf(subj, sizeof subj, "%s.%u", k->nm.in_subj, wp->p);
    /* From the consumer's ack floor, or the one the checkpoint was saved
     * at if lower: all up to there is in the checkpoint; what comes after
     * comes again at once, and repeats are dropped by their numbers. */
    if (cli_js_pull_resume(k->js, k->nm.in, durable, subj, ACK_WAIT_MS,
                           at_most, &wp->sub, err, sizeof err) != 0)
        goto fail;
    wp->ck_ms = cli_now_ms();
    return 0;
fail:
    cli_err("worker: partition %u: %s", wp->p, err);
    return -1;
}

/* Publishes the report in k->rep, in chunks. */
static int publish_report(struct wrk *k, struct wpart *wp, uint64_t no)
{
    uint32_t count = (uint32_t)((k->rep.len + CHUNK - 1) / CHUNK), i;
    char subj[160], id[96], err[512];

    if (count == 0)
        count = 1;
    snprintf(subj, sizeof subj, "%s.%u", k->nm.rep_subj, wp->p);
    for (i = 0; i < count; i++) {
        struct chunk ch = {CHK_MAGIC, wp->p, no, i, count};
        size_t off = (size_t)i * CHUNK;
        size_t n = k->rep.len - off < CHUNK ? k->rep.len - off : CHUNK;

        k->buf.len = 0;
        df_buf_append(&k->buf, (const char *)&ch, sizeof ch);
        df_buf_append(&k->buf, k->rep.data + off, n);
        if (k->buf.oom) {
            cli_err("out of memory");
            return -1;
        }
        snprintf(id, sizeof id, "%u.%llu.%u", wp->p, (unsigned long long)no,
                 i);
        if (cli_js_publish(k->js, subj, id, k->buf.data, k->buf.len,
                           PUB_DEADLINE_MS, NULL, err, sizeof err) != 0) {
            cli_err("worker: partition %u: %s", wp->p, err);
            return -1;
        }
    }
    return 0;
}

struct take_ctx {
    struct wrk *k;
    struct wpart *wp;
};


/* Message wp->mno of the partition (its envelope off). */
static int take(struct take_ctx *t, const void *body, size_t len)
{
    struct wpart *wp = t->wp;
    int r = df_worker_msg(wp->w, body, len, &t->k->rep);

    if (r >= 0 && df_worker_error(wp->w) != DF_OK) {
        /* Something was lost: the run must not end as if whole. */
        cli_err("worker: partition %u: out of memory", wp->p);
        t->k->fatal = 1;
        return -1;
    }
    if (r < 0) {
        cli_err("worker: partition %u: message %llu is not the next of "
                "this run (another build, or another run of the name?)",
                wp->p, (unsigned long long)wp->mno);
        t->k->fatal = 1;
        return -1;
    }
    wp->mno++;
    if (r == 1 &&
        publish_report(t->k, wp, df_worker_reports(wp->w) - 1) != 0) {
        t->k->fatal = 1;
        return -1;
    }
    if (df_worker_done(wp->w))
        wp->done = 1;
    return 0;
}

static int on_msg(const void *data, size_t len, uint64_t sseq,
                  const char *msgid, void *ud)
{
    struct take_ctx *t = ud;
    struct wpart *wp = t->wp;
    struct env e;
    size_t i;

    (void)msgid;
    if (wp->done || wp->reset)
        return 0;
    if (len < sizeof e)
        goto bad;
    memcpy(&e, data, sizeof e);
    if (e.magic != ENV_MAGIC)
        goto bad;
    /* By number, not by stream sequence: a message lost on the way comes
     * again after later ones (cli_js_sub_rewind), and one published again
     * lands after later ones. */
    if (e.mno < wp->mno)
        return 0;               /* delivered or published again */
    if (e.mno > wp->mno) {
        for (i = 0; i < wp->nstash; i++)
            if (wp->stash[i].mno == e.mno)
                return 0;
        if (wp->nstash == STASH_MAX) {
            wp->reset = 1;
            return 0;
        }
        if (wp->nstash == wp->capstash) {
            size_t cap = wp->capstash ? wp->capstash * 2 : 16;
            void *a = realloc(wp->stash, cap * sizeof *wp->stash);

            if (!a)
                goto nomem;
            wp->stash = a;
            wp->capstash = cap;
        }
        if (!(wp->stash[wp->nstash].data = malloc(len - sizeof e)))
            goto nomem;
        memcpy(wp->stash[wp->nstash].data, (const char *)data + sizeof e,
               len - sizeof e);
        wp->stash[wp->nstash].len = len - sizeof e;
        wp->stash[wp->nstash].mno = e.mno;
        wp->stash[wp->nstash].sseq = sseq;
        wp->nstash++;
        return 0;
    }
    if (take(t, (const char *)data + sizeof e, len - sizeof e) != 0)
        return -1;
    /* The ones kept for after it. */
    for (i = 0; i < wp->nstash;) {
        if (wp->stash[i].mno != wp->mno) {
            i++;
            continue;
        }
        if (take(t, wp->stash[i].data, wp->stash[i].len) != 0)
            return -1;
        free(wp->stash[i].data);
        wp->stash[i] = wp->stash[--wp->nstash];
        i = 0;
    }
    return 0;
nomem:
    cli_err("out of memory");
    t->k->fatal = 1;
    return -1;
bad:
    cli_err("worker: partition %u: stream message %llu is not one of this "
            "run's (another build, or another run of the name?)",
            wp->p, (unsigned long long)sseq);
    t->k->fatal = 1;
    return -1;
}

/* Waits for the run's configuration and checks it is this one's. */
static int wait_config(struct wrk *k, unsigned *parts)
{
    char err[512], mine[256], kvs[128];
    int64_t until = cli_now_ms() + RETRY_MS * 5;
    void *v = NULL;
    size_t n;
    int found;

    snprintf(kvs, sizeof kvs, "KV_%s", k->nm.bucket);
    for (;;) {
        uint64_t msgs;

        if (cli_stop_requested())
            return 130;
        if (cli_js_stream_msgs(k->js, kvs, &msgs, err, sizeof err) == 0 &&
            (k->kv || cli_js_kv_bind(k->js, k->nm.bucket, &k->kv, err,
                                     sizeof err) == 0) &&
            cli_js_kv_get(k->kv, "config", &v, &n, &found, err,
                          sizeof err) == 0 &&
            found)
            break;
        if (cli_now_ms() > until) {
            cli_err("worker: no run '%s' on the cluster", k->nm.bucket + 3);
            return 1;
        }
        sleep_ms(200);
    }
    if (sscanf(v, "darkfleet cluster %*d dist %*u parts %u", parts) != 1 ||
        *parts < 1 || *parts > 4096) {
        free(v);
        cli_err("worker: the run's configuration is not one this build "
                "reads");
        return 1;
    }
    config_text(mine, sizeof mine, *parts, k->cfg, k->geo);
    if (strcmp(mine, v) != 0) {
        cli_err("worker: the run is '%s'; this worker's settings make '%s': "
                "give it the scan's --config, --set, --zones and --ports",
                (char *)v, mine);
        free(v);
        return 1;
    }
    free(v);
    return 0;
}

/* One partition, on a thread of its own with a connection of its own:
 * a worker's partitions wait on their streams independently. */
static void *part_main(void *arg)
{
    struct wrk *k = arg;
    struct wpart *wp = &k->wp[0];
    int64_t fail_since = -1;
    char err[512];
    int n;

    k->rc = 1;
    if (cli_js_open(&k->js, k->urls, OPEN_TIMEOUT_MS, RETRY_MS, err,
                    sizeof err) != 0 ||
        cli_js_kv_bind(k->js, k->nm.bucket, &k->kv, err, sizeof err) != 0) {
        cli_err("worker: partition %u: %s", wp->p, err);
        goto done;
    }
    if (part_start(k, wp) != 0)
        goto done;
    while (!wp->done) {
        struct take_ctx t = {k, wp};

        if (atomic_load(k->stop) || cli_stop_requested()) {
            k->rc = 130;
            goto done;
        }
        /* js.c rides out errors for its retry time: a failure here is
         * tried again at the next turn, for a while. */
        n = cli_js_fetch(wp->sub, 256, 200, on_msg, &t, err, sizeof err);
        if (k->fatal)
            goto done;
        if (n < 0) {
            if (fail_since < 0)
                fail_since = cli_now_ms();
            if (cli_now_ms() - fail_since > 5 * RETRY_MS) {
                cli_err("worker: partition %u: %s", wp->p, err);
                goto done;
            }
        } else {
            fail_since = -1;
        }
        if (wp->reset && part_start(k, wp) != 0)
            goto done;
        if (!wp->done && !wp->reset) {
            int r = stall_check(&wp->stall, wp->sub, n, err, sizeof err);

            if (r < 0)          /* the next fetch tries again */
                cli_err("worker: partition %u: %s", wp->p, err);
            if (r > 0)
                cli_err("worker: partition %u: messages lost on the way; "
                        "read again from message %llu on",
                        wp->p, (unsigned long long)wp->mno);
        }
        /* Done: no checkpoint (the coordinator, which has the last report,
         * may be deleting the run's bucket already). */
        if (wp->done || cli_now_ms() - wp->ck_ms < CKPT_MS)
            continue;
        if (wp->mno > wp->ck_mno) {
            if (checkpoint(k, wp) != 0)
                goto done;
        } else if (ack_saved(wp, err, sizeof err) != 0) {
            /* Only repeats of what the checkpoint has (after a rewind or
             * a restart) are held: acked, or they would pile up. */
            cli_err("worker: partition %u: %s (going on)", wp->p, err);
        }
    }
    k->rc = 0;
done:
    if (k->rc == 1)
        atomic_store(k->stop, 1);
    return NULL;
}

static void wrk_free(struct wrk *k)
{
    unsigned i;

    for (i = 0; k->wp && i < k->nwp; i++) {
        cli_js_sub_free(k->wp[i].sub);
        df_worker_free(k->wp[i].w);
        stash_clear(&k->wp[i]);
    }
    free(k->wp);
    df_buf_free(&k->rep);
    df_buf_free(&k->buf);
    cli_js_kv_free(k->kv);
    cli_js_close(k->js);
}

int cli_worker_run(const struct scan_cmd *c, unsigned take_i,
                   unsigned take_n)
{
    struct wrk k, *pk = NULL;
    pthread_t *th = NULL;
    atomic_int stop;
    unsigned p, n = 0, i, started = 0;
    char err[512];
    int rc = 1;

    memset(&k, 0, sizeof k);
    atomic_init(&stop, 0);
    names_of(&k.nm, c->run);
    k.cfg = &c->cfg;
    k.geo = c->geo;
    k.urls = c->nats;
    k.stop = &stop;
    if (cli_js_open(&k.js, c->nats, OPEN_TIMEOUT_MS, RETRY_MS, err,
                    sizeof err) != 0) {
        cli_err("worker: %s: %s", c->nats, err);
        return 1;
    }
    if ((rc = wait_config(&k, &k.parts)) != 0)
        goto done;
    rc = 1;
    for (p = take_i; p < k.parts; p += take_n)
        n++;
    pk = calloc(n ? n : 1, sizeof *pk);
    th = calloc(n ? n : 1, sizeof *th);
    if (!pk || !th) {
        cli_err("out of memory");
        goto done;
    }
    for (i = 0, p = take_i; i < n; i++, p += take_n) {
        pk[i] = k;
        pk[i].js = NULL;
        pk[i].kv = NULL;
        pk[i].wp = calloc(1, sizeof *pk[i].wp);
        if (!pk[i].wp) {
            cli_err("out of memory");
            goto join;
        }
        pk[i].wp[0].p = p;
        pk[i].nwp = 1;
    }
    for (started = 0; started < n; started++)
        if (pthread_create(&th[started], NULL, part_main, &pk[started]) !=
            0) {
            cli_err("worker: no thread for a partition");
            atomic_store(&stop, 1);
            break;
        }
join:
    for (i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    rc = started == n ? 0 : 1;
    for (i = 0; i < started; i++)
        if (pk[i].rc != 0 && (rc == 0 || pk[i].rc == 1))
            rc = pk[i].rc;
done:
    for (i = 0; pk && i < n; i++)
        wrk_free(&pk[i]);
    free(pk);
    free(th);
    wrk_free(&k);
    return rc;
}

#else /* !DF_HAVE_NATS */

int cli_cluster_open(struct cli_cluster **out, const struct scan_cmd *c,
                     unsigned parts, struct df_cluster_io *io)
{
    (void)c;
    (void)parts;
    (void)io;
    *out = NULL;
    cli_err("scan: --nats: this darkfleet was built without libnats "
            "(apt-get install libnats-dev, then build again)");
    return 1;
}

void cli_cluster_close(struct cli_cluster *cl, int ok)
{
    (void)cl;
    (void)ok;
}

int cli_cluster_event(struct cli_cluster *cl, const struct df_event *ev)
{
    (void)cl;
    (void)ev;
    return 0;
}

int cli_worker_run(const struct scan_cmd *c, unsigned take_i,
                   unsigned take_n)
{
    (void)c;
    (void)take_i;
    (void)take_n;
    cli_err("worker: this darkfleet was built without libnats "
            "(apt-get install libnats-dev, then build again)");
    return 1;
}

#endif

/* ---- the command ------------------------------------------------------------ */

enum { WORKER_OPT_TAKE = SCAN_OPT_OWN };

static const struct cli_opt worker_opts[] = {
    {SCAN_OPT_NATS, "--nats", NULL, 1},
    {SCAN_OPT_RUN, "--run", NULL, 1},
    {WORKER_OPT_TAKE, "--take", NULL, 1},
    {SCAN_OPT_CONFIG, "--config", NULL, 1},
    {SCAN_OPT_SET, "--set", NULL, 1},
    {SCAN_OPT_ZONES, "--zones", NULL, 1},
    {SCAN_OPT_PORTS, "--ports", NULL, 1},
    {SCAN_OPT_NO_DPRK, "--no-dprk", NULL, 0},
    {SCAN_OPT_NO_PLACES, "--no-places", NULL, 0},
    CLI_OPTS_HELP,
    CLI_OPTS_END};

static void worker_usage(FILE *f)
{
    fputs("usage: darkfleet worker --nats URL[,URL...] [OPTIONS]\n"
          "\n"
          "Takes partitions of a scan over a cluster (darkfleet scan --nats) "
          "and runs\n"
          "them: their vessels' tracks and rules, with checkpoints in the "
          "cluster, so\n"
          "that a worker started again goes on where the last one stopped.  "
          "Ends when\n"
          "its partitions are done.\n"
          "\n"
          "options:\n"
          "  --nats URL[,URL...]    the NATS servers "
          "(nats://HOST:PORT)\n"
          "  --run NAME             the run to work for (default "
          "darkfleet)\n"
          "  --take I/N             the partitions p with p % N == I "
          "(default 0/1: all)\n"
          "  --config FILE, --set NAME=VALUE, --zones FILE, --ports FILE,\n"
          "  --no-dprk, --no-places\n"
          "                         the scan's own: a worker must be given "
          "the same\n"
          "                         (the run refuses one whose settings "
          "differ)\n",
          f);
}

int cmd_worker(int argc, char **argv)
{
    struct scan_cmd c;
    struct cli_args args;
    const char *val;
    unsigned ti = 0, tn = 1;
    int id, rc = 0, taken;

    if ((rc = scan_cmd_init(&c, "worker", argc)) != 0)
        return rc;
    cli_args_init(&args, "worker", argc, argv);
    while ((id = cli_args_next(&args, worker_opts, &val)) != CLI_END) {
        if (id == CLI_OPT_HELP) {
            worker_usage(stdout);
            goto done;
        }
        if (id == WORKER_OPT_TAKE) {
            char *end;
            unsigned long i = strtoul(val, &end, 10), n = 0;

            if (*end == '/')
                n = strtoul(end + 1, &end, 10);
            if (*end != '\0' || n < 1 || n > 4096 || i >= n) {
                cli_err("worker: --take wants I/N with 0 <= I < N, not "
                        "'%s'",
                        val);
                rc = 2;
                goto done;
            }
            ti = (unsigned)i;
            tn = (unsigned)n;
            continue;
        }
        taken = id == CLI_OPERAND || id == CLI_BAD ? 0 : scan_cmd_opt(&c, id, val);
        if (taken == 2) {
            rc = 2;
            goto done;
        }
        if (!taken) {
            rc = cli_args_bad(&args, id, val);
            goto done;
        }
    }
    if (!c.nats) {
        cli_err("worker: --nats URL is needed");
        rc = 2;
        goto done;
    }
    if ((rc = scan_cmd_setup(&c)) != 0)
        goto done;
    cli_net_catch_signals();
    rc = cli_worker_run(&c, ti, tn);
done:
    df_geo_free(c.geo);
    free(c.inputs);
    free(c.rep);
    return rc;
}
