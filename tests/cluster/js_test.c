/*
 * js_test.c - drives cli/js.c against a live NATS cluster, one step per
 * run, for tests/cluster/transport.sh and bench/js.sh:
 *
 *   js_test stream  URLS STREAM SUBJECTS REPLICAS
 *   js_test delete  URLS STREAM
 *   js_test count   URLS STREAM              prints the stream's messages
 *   js_test pub     URLS N [-a] [-f FROM] [-s SIZE] [-p PREFIX] [-r RATE]
 *       publishes messages FROM..FROM+N-1: message i is "i" (padded with
 *       '.' to SIZE bytes) with msgid PREFIX-i on subject ais.<i%3>, one
 *       by one (waiting for each ack) or, with -a, asynchronously; at
 *       most RATE a second; prints "published N dups D in S s = R msg/s".
 *   js_test consume URLS STREAM DURABLE SUBJECT OUT N [-b BATCH] [-w MS]
 *                   [-d MS] [-f SEQ] [-r] [-k K]
 *       pulls until OUT holds N distinct payloads: each batch is appended
 *       to OUT (a line a message), fsync'd, then acked (then a pause of
 *       -d ms, standing for work), so the process can be SIGKILLed at any
 *       point and started again; -w is the consumer's ack wait; -f
 *       (re)makes the durable to start at stream sequence SEQ; -r resumes
 *       the durable at its ack floor (cli_js_pull_resume) and, when a
 *       fetch brings nothing while the server counts messages delivered
 *       and not held, rewinds it (cli_js_sub_rewind); -k exits 3 at
 *       the K-th message fetched, before writing it (a crash: that batch
 *       delivered, partly written, not acked).  OUT "-" writes
 *       nothing and stops after N messages.  Prints "consumed F (D
 *       distinct) in S s = R msg/s, rewinds W".  Gives up after 30 s
 *       without a message.
 *   js_test kv      URLS BUCKET REPLICAS put KEY VALUE | get KEY
 *
 * Exit 0 on success, 1 on failure (with the reason on stderr), 2 on bad
 * usage.  URLS is a comma list of nats:// URLs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "js.h"

#define TIMEOUT_MS 2000        /* one request */
#define RETRY_MS 30000         /* retries through elections */
#define MAX_SEEN 10000000      /* payloads consume can track */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    struct timespec ts;

    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL);
}

/* Parses a whole decimal in [lo, hi] or exits with usage. */
static long num(const char *s, long lo, long hi)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "js_test: bad number \"%s\"\n", s);
        exit(2);
    }
    return v;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: js_test stream URLS STREAM SUBJECTS REPLICAS\n"
            "       js_test delete URLS STREAM\n"
            "       js_test count URLS STREAM\n"
            "       js_test pub URLS N [-a] [-f FROM] [-s SIZE] [-p PREFIX] "
            "[-r RATE]\n"
            "       js_test consume URLS STREAM DURABLE SUBJECT OUT N "
            "[-b BATCH] [-w ACKWAIT_MS] [-d PAUSE_MS] [-f SEQ] [-r] [-k K]\n"
            "       js_test kv URLS BUCKET REPLICAS put KEY VALUE | get KEY\n");
    return 2;
}

static int die(const char *what, const char *err)
{
    fprintf(stderr, "js_test %s: %s\n", what, err);
    return 1;
}

static int cmd_pub(struct cli_js *js, int argc, char **argv)
{
    const char *prefix = "run1";
    long n, from = 0, size = 0, rate = 0, i;
    int async = 0, dup, a;
    uint64_t dups = 0;
    char err[300], subj[16], id[64], data[4096];
    double t0;

    if (argc < 1)
        return usage();
    n = num(argv[0], 0, 100000000);
    for (a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "-a"))
            async = 1;
        else if (!strcmp(argv[a], "-f") && a + 1 < argc)
            from = num(argv[++a], 0, 1000000000);
        else if (!strcmp(argv[a], "-s") && a + 1 < argc)
            size = num(argv[++a], 0, (long)sizeof data);
        else if (!strcmp(argv[a], "-p") && a + 1 < argc)
            prefix = argv[++a];
        else if (!strcmp(argv[a], "-r") && a + 1 < argc)
            rate = num(argv[++a], 1, 100000000);
        else
            return usage();
    }
    t0 = now_s();
    for (i = from; i < from + n; i++) {
        int len = snprintf(data, sizeof data, "%ld", i);

        if (len < size) {
            memset(data + len, '.', (size_t)(size - len));
            len = (int)size;
        }
        if (rate && (i - from) % 50 == 0) {
            double ahead = (double)(i - from) / rate - (now_s() - t0);

            if (ahead > 0)
                sleep_s(ahead);
        }
        snprintf(subj, sizeof subj, "ais.%ld", i % 3);
        snprintf(id, sizeof id, "%s-%ld", prefix, i);
        if (async) {
            if (cli_js_publish_async(js, subj, id, data, (size_t)len, err,
                                     sizeof err) != 0)
                return die("pub", err);
        } else {
            if (cli_js_publish(js, subj, id, data, (size_t)len, RETRY_MS,
                               &dup, err, sizeof err) != 0)
                return die("pub", err);
            dups += (uint64_t)dup;
        }
    }
    if (async) {
        uint64_t d = 0;

        if (cli_js_publish_wait(js, RETRY_MS, &d, err, sizeof err) != 0)
            return die("pub", err);
        dups += d;
    }
    t0 = now_s() - t0;
    printf("published %ld dups %llu in %.3f s = %.0f msg/s\n", n,
           (unsigned long long)dups, t0, t0 > 0 ? n / t0 : 0.0);
    return 0;
}

/* consume's state: the payloads seen (OUT's, then the new ones). */
struct seen {
    unsigned char *bit;        /* one a payload number */
    long nbits;
    long distinct, fetched;
    int fd;                    /* OUT, or -1 */
    long crash_at;             /* -k: the message to die at, or 0 */
    uint64_t maxseq;           /* of the batch */
};

static void mark(struct seen *sn, const char *p, size_t len)
{
    long v = 0;
    size_t i;

    for (i = 0; i < len && p[i] >= '0' && p[i] <= '9'; i++)
        v = v * 10 + (p[i] - '0');
    if (i == 0 || v >= sn->nbits)
        return;
    if (!(sn->bit[v >> 3] & (1u << (v & 7)))) {
        sn->bit[v >> 3] |= (unsigned char)(1u << (v & 7));
        sn->distinct++;
    }
}

/* cli_js_fetch's callback: the payload as one line of OUT. */
static int on_msg(const void *data, size_t len, uint64_t seq,
                  const char *msgid, void *ud)
{
    struct seen *sn = ud;
    char line[4200];
    size_t n = len < sizeof line - 1 ? len : sizeof line - 1;

    (void)msgid;
    if (sn->crash_at && sn->fetched + 1 == sn->crash_at)
        _exit(3);              /* -k: a crash, this batch not all written
                                * and none of it acked */
    memcpy(line, data, n);
    line[n++] = '\n';
    if (sn->fd >= 0 && write(sn->fd, line, n) != (ssize_t)n)
        return -1;
    mark(sn, data, len);
    sn->fetched++;
    if (seq > sn->maxseq)
        sn->maxseq = seq;
    return 0;
}

static int cmd_consume(struct cli_js *js, int argc, char **argv)
{
    struct cli_js_sub *sub;
    struct seen sn = {0};
    long n, batch = 100, ackwait = 0, pause = 0, start = 0, rewinds = 0;
    double t0, idle;
    char err[300];
    int a, got, resume = 0;

    if (argc < 6)
        return usage();
    n = num(argv[5], 1, MAX_SEEN);
    for (a = 6; a < argc; a++) {
        if (!strcmp(argv[a], "-b") && a + 1 < argc)
            batch = num(argv[++a], 1, 10000);
        else if (!strcmp(argv[a], "-w") && a + 1 < argc)
            ackwait = num(argv[++a], 1, 3600000);
        else if (!strcmp(argv[a], "-d") && a + 1 < argc)
            pause = num(argv[++a], 0, 60000);
        else if (!strcmp(argv[a], "-f") && a + 1 < argc)
            start = num(argv[++a], 1, 1000000000);
        else if (!strcmp(argv[a], "-r"))
            resume = 1;
        else if (!strcmp(argv[a], "-k") && a + 1 < argc)
            sn.crash_at = num(argv[++a], 1, MAX_SEEN);
        else
            return usage();
    }
    sn.nbits = MAX_SEEN;
    sn.fd = -1;
    if (!(sn.bit = calloc(MAX_SEEN / 8 + 1, 1)))
        return die("consume", "out of memory");
    if (strcmp(argv[4], "-")) {
        FILE *f = fopen(argv[4], "r");
        char line[4200];

        /* What an earlier run wrote (and fsync'd, or the page cache
         * kept: a SIGKILL loses neither). */
        while (f && fgets(line, sizeof line, f))
            mark(&sn, line, strlen(line));
        if (f)
            fclose(f);
        sn.fd = open(argv[4], O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (sn.fd < 0)
            return die("consume", strerror(errno));
    }
    if ((resume ? cli_js_pull_resume(js, argv[1], argv[2], argv[3],
                                     (int)ackwait, UINT64_MAX, &sub, err,
                                     sizeof err)
                : cli_js_pull_from(js, argv[1], argv[2], argv[3],
                                   (int)ackwait, (uint64_t)start, &sub, err,
                                   sizeof err)) != 0)
        return die("consume", err);
    t0 = idle = now_s();
    while (sn.fd >= 0 ? sn.distinct < n : sn.fetched < n) {
        sn.maxseq = 0;
        got = cli_js_fetch(sub, (int)batch, 1000, on_msg, &sn, err,
                           sizeof err);
        if (got < 0)
            fprintf(stderr, "js_test consume: %s (going on)\n", err);
        if (got == 0 && resume) {
            /* -r: what was delivered and lost on the way comes again at
             * once, not after the ack wait. */
            int64_t lost;

            if (cli_js_sub_state(sub, NULL, &lost, err, sizeof err) != 0)
                fprintf(stderr, "js_test consume: %s (going on)\n", err);
            else if (lost > 0 &&
                     cli_js_sub_rewind(sub, err, sizeof err) == 0)
                rewinds++;
        }
        if (got <= 0) {
            if (now_s() - idle > 30) {
                fprintf(stderr, "js_test consume: nothing for 30 s, %ld of "
                        "%ld\n", sn.distinct, n);
                return 1;
            }
            continue;
        }
        idle = now_s();
        if (sn.fd >= 0 && fsync(sn.fd) != 0)
            return die("consume", strerror(errno));
        if (cli_js_ack_upto(sub, sn.maxseq, err, sizeof err) != 0)
            fprintf(stderr, "js_test consume: %s (going on)\n", err);
        if (pause)
            sleep_s(pause / 1000.0);
    }
    t0 = now_s() - t0;
    printf("consumed %ld (%ld distinct) in %.3f s = %.0f msg/s, rewinds "
           "%ld\n",
           sn.fetched, sn.distinct, t0, t0 > 0 ? sn.fetched / t0 : 0.0,
           rewinds);
    cli_js_sub_free(sub);
    if (sn.fd >= 0)
        close(sn.fd);
    free(sn.bit);
    return 0;
}

static int cmd_kv(struct cli_js *js, int argc, char **argv)
{
    struct cli_js_kv *kv;
    char err[300];
    void *val;
    size_t len;
    int found, rc = 0;

    if (argc < 4)
        return usage();
    if (cli_js_kv(js, argv[0], (int)num(argv[1], 1, 5), &kv, err,
                  sizeof err) != 0)
        return die("kv", err);
    if (!strcmp(argv[2], "put") && argc == 5) {
        if (cli_js_kv_put(kv, argv[3], argv[4], strlen(argv[4]), err,
                          sizeof err) != 0)
            rc = die("kv put", err);
    } else if (!strcmp(argv[2], "get") && argc == 4) {
        if (cli_js_kv_get(kv, argv[3], &val, &len, &found, err,
                          sizeof err) != 0)
            rc = die("kv get", err);
        else if (!found)
            printf("(absent)\n");
        else
            printf("%s\n", (char *)val);
        if (rc == 0)
            free(val);
    } else {
        rc = usage();
    }
    cli_js_kv_free(kv);
    return rc;
}

int main(int argc, char **argv)
{
    struct cli_js *js;
    char err[300];
    uint64_t msgs;
    int rc = 0;

    if (argc < 3)
        return usage();
    if (cli_js_open(&js, argv[2], TIMEOUT_MS, RETRY_MS, err, sizeof err))
        return die("open", err);
    if (!strcmp(argv[1], "stream") && argc == 6) {
        if (cli_js_stream(js, argv[3], argv[4], (int)num(argv[5], 1, 5),
                          120000, err, sizeof err) != 0)
            rc = die("stream", err);
    } else if (!strcmp(argv[1], "delete") && argc == 4) {
        if (cli_js_stream_delete(js, argv[3], err, sizeof err) != 0)
            rc = die("delete", err);
    } else if (!strcmp(argv[1], "count") && argc == 4) {
        if (cli_js_stream_msgs(js, argv[3], &msgs, err, sizeof err) != 0)
            rc = die("count", err);
        else
            printf("%llu\n", (unsigned long long)msgs);
    } else if (!strcmp(argv[1], "pub")) {
        rc = cmd_pub(js, argc - 3, argv + 3);
    } else if (!strcmp(argv[1], "consume")) {
        rc = cmd_consume(js, argc - 2, argv + 2);
    } else if (!strcmp(argv[1], "kv")) {
        rc = cmd_kv(js, argc - 3, argv + 3);
    } else {
        rc = usage();
    }
    cli_js_close(js);
    return rc;
}
