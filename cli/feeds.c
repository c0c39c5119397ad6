/*
 * feeds.c - live inputs read all at once until SIGINT or SIGTERM: tcp://
 * clients and udp:// listeners (net.c), files followed as they grow (as
 * tail -F does), and standard input.  Used by `listen` and `watch`.
 *
 * One poll(2) loop serves every feed.  Each feed has its own NMEA framer
 * (a followed file or standard input may be a CSV table instead, told by
 * its first bytes), so multipart messages from two receivers never mix,
 * and a new framer per TCP connection, so a fragment cut off by a drop
 * never joins the next connection's.  A TCP feed that closes, fails, or
 * sends nothing for idle_ms is dropped and reconnected with exponential
 * backoff: 1 s doubling to 60 s, each wait drawn from 80-120% of the
 * step, and back to 1 s once a connection delivers data.  Each drop and
 * each reconnect is one line on standard error.  UDP listeners stay bound
 * for the whole run.
 *
 * A followed file is read to its end, then looked at every FOLLOW_MS: what
 * was appended is read; a file that shrank was truncated and is read
 * again from its start; a file replaced under its name (rotated) is read
 * to its end and the new one from its start.  A compressed file cannot
 * grow a line at a time: it is read once.  Standard input ends the feed at
 * its end; the run ends when no feed is left that could still send.
 *
 * Bounds: one read block per feed per round (a flooding feed cannot starve
 * the others; TCP flow control slows it down), at most CLI_FEEDS_MAX feeds.
 * Messages without a receive time of their own (no tag block or timestamp)
 * get the wall-clock time they arrived, when asked.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BLOCK (1u << 16)
#define CONNECT_MS 5000
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000
#define FOLLOW_MS 250
#define SNIFF 4096

enum kind { K_TCP, K_UDP, K_FILE, K_STDIN };

struct feed {
    const char *name;
    enum kind kind;
    int fds[CLI_NET_MAX_FDS];
    int nfd;                 /* 0 while disconnected or closed */
    struct df_nmea *nm;      /* NULL until the format is known */
    struct cli_csv csv;      /* a CSV table instead (csv.csv != NULL) */
    int ended;               /* will not send again */
    /* Files: the position, the file's identity, and a compressed one. */
    int64_t pos;
    dev_t dev;
    ino_t ino;
    struct df_input *in;     /* compressed: read once through df_input */
    char sniff[SNIFF];       /* the first bytes, until the format is told */
    size_t nsniff;
    struct df_stats st;      /* counters of readers already freed */
    int64_t last_ms;         /* last data, or the connect */
    int64_t retry_ms;        /* when to reconnect */
    int64_t backoff_ms;      /* the next wait's step */
    uint64_t connects, drops;
};

struct cli_feeds {
    struct feed f[CLI_FEEDS_MAX];
    int n;
    struct cli_feeds_opts o;
    struct df_nmea_opts no;
    struct cli_sink sink;    /* the caller's, with msg stamped */
    const struct cli_sink *user;
    char *buf;
    int stop;                /* the sink asked to stop */
};

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Messages without a time get the wall clock's, then go to the caller. */
static int stamped(const struct df_msg *m, void *ud)
{
    struct cli_feeds *fs = ud;
    int rc;

    if (m->rx_ms == DF_TIME_NONE && fs->o.stamp) {
        struct df_msg s = *m;

        s.rx_ms = wall_ms();
        rc = fs->user->msg ? fs->user->msg(&s, fs->user->ud) : 0;
    } else {
        rc = fs->user->msg ? fs->user->msg(m, fs->user->ud) : 0;
    }
    if (rc)
        fs->stop = 1;
    return rc;
}

static int rec_through(const struct df_rec *r, void *ud)
{
    struct cli_feeds *fs = ud;
    int rc = fs->user->rec ? fs->user->rec(r, fs->user->ud) : 0;

    if (rc)
        fs->stop = 1;
    return rc;
}

/* ---- readers ---------------------------------------------------------- */

/* Ends a feed's reader after its last partial line. */
static void end_reader(struct cli_feeds *fs, struct feed *f)
{
    if (f->nm) {
        df_nmea_flush(f->nm, stamped, fs);
        df_stats_add(&f->st, df_nmea_stats(f->nm));
        df_nmea_free(f->nm);
        f->nm = NULL;
    }
    if (f->csv.csv) {
        cli_csv_feed(&f->csv, "", 0, 1);
        cli_csv_fini(&f->csv, &f->st);
    }
    f->nsniff = 0;
}

/* Hands bytes to the feed's reader; the format of a file or standard
 * input is told from its first bytes (NMEA unless they are a table). */
static void feed_bytes(struct cli_feeds *fs, struct feed *f, const char *p,
                       size_t n, int at_end)
{
    if (!f->nm && !f->csv.csv) {
        enum df_format fmt;
        size_t k = n < SNIFF - f->nsniff ? n : SNIFF - f->nsniff;

        memcpy(f->sniff + f->nsniff, p, k);
        f->nsniff += k;
        p += k;
        n -= k;
        if (f->nsniff < SNIFF && !at_end && !memchr(f->sniff, '\n',
                                                    f->nsniff))
            return;             /* not one whole line yet */
        fmt = df_detect_format(f->sniff, f->nsniff);
        if (fmt == DF_FMT_CSV_MC || fmt == DF_FMT_CSV_DMA) {
            if (cli_csv_init(&f->csv, &fs->sink) != 0) {
                cli_err("out of memory");
                fs->stop = 1;
                return;
            }
        } else if (!(f->nm = df_nmea_new(&fs->no))) {
            cli_err("out of memory");
            fs->stop = 1;
            return;
        }
        feed_bytes(fs, f, f->sniff, f->nsniff, 0);
        f->nsniff = 0;
    }
    if (n == 0)
        return;
    if (f->nm)
        df_nmea_feed(f->nm, p, n, stamped, fs);
    else if (f->csv.csv)
        cli_csv_feed(&f->csv, p, n, 0);
}

/* ---- network ---------------------------------------------------------- */

static int64_t schedule(struct feed *f, int64_t now)
{
    int64_t wait = f->backoff_ms * (80 + rand() % 41) / 100;

    if (wait > BACKOFF_MAX_MS)
        wait = BACKOFF_MAX_MS;
    f->retry_ms = now + wait;
    f->backoff_ms *= 2;
    if (f->backoff_ms > BACKOFF_MAX_MS)
        f->backoff_ms = BACKOFF_MAX_MS;
    return wait;
}

static void close_fds(struct feed *f)
{
    int i;

    for (i = 0; i < f->nfd; i++)
        close(f->fds[i]);
    f->nfd = 0;
}

/* Drops a TCP connection and schedules a reconnect. */
static void drop(struct cli_feeds *fs, struct feed *f, const char *why)
{
    int64_t wait;

    end_reader(fs, f);
    close_fds(f);
    f->drops++;
    wait = schedule(f, cli_now_ms());
    cli_err("%s: %s: %s; reconnecting in %.1f s", fs->o.who, f->name, why,
            (double)wait / 1000.0);
}

static int connect_net(struct cli_feeds *fs, struct feed *f)
{
    char err[512];
    int n = cli_net_open(f->name, f->fds, CLI_NET_MAX_FDS, CONNECT_MS, err,
                         sizeof err);

    if (n < 0) {
        if (f->kind == K_TCP) {
            int64_t wait = schedule(f, cli_now_ms());

            cli_err("%s: %s; retrying in %.1f s", fs->o.who, err,
                    (double)wait / 1000.0);
        } else {
            cli_err("%s: %s", fs->o.who, err);
        }
        return -1;
    }
    f->nm = df_nmea_new(&fs->no);
    if (!f->nm) {
        f->nfd = n;
        close_fds(f);
        cli_err("out of memory");
        return -1;
    }
    f->nfd = n;
    f->last_ms = cli_now_ms();
    if (f->connects++ > 0)
        cli_err("%s: %s: reconnected", fs->o.who, f->name);
    return 0;
}

/* ---- files and standard input ------------------------------------------ */

/* Opens a followed file at its start.  -1 when it cannot be opened yet
 * (it may appear later: tail -F waits for it too). */
static int open_file(struct cli_feeds *fs, struct feed *f, int quiet)
{
    struct stat sb;
    unsigned char magic[6];
    ssize_t got;
    int fd;

    do
        fd = open(f->name, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (!quiet)
            cli_err("%s: %s: %s; waiting for it", fs->o.who, f->name,
                    strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    f->dev = sb.st_dev;
    f->ino = sb.st_ino;
    f->pos = 0;
    got = pread(fd, magic, sizeof magic, 0);
    if (got >= 2 && ((magic[0] == 0x1f && magic[1] == 0x8b) ||
                     (got >= 4 && !memcmp(magic, "\x28\xb5\x2f\xfd", 4)) ||
                     (got >= 6 && !memcmp(magic, "\xfd" "7zXZ", 5)) ||
                     (got >= 3 && !memcmp(magic, "BZh", 3)) ||
                     (got >= 4 && !memcmp(magic, "PK\x03\x04", 4)))) {
        char err[512];

        close(fd);
        if (df_input_open(&f->in, f->name, err, sizeof err) != DF_OK) {
            cli_err("%s", err);
            f->ended = 1;
            return -1;
        }
        return 0;
    }
    f->fds[0] = fd;
    f->nfd = 1;
    f->last_ms = cli_now_ms();
    return 0;
}

/* Reads one block of a followed file, or looks whether it grew, shrank or
 * was replaced.  Returns 1 if it read something. */
static int read_file(struct cli_feeds *fs, struct feed *f)
{
    struct stat sb, now;
    long n;

    if (f->in) {                /* compressed: once, to its end */
        n = df_input_read(f->in, fs->buf, BLOCK);
        if (n > 0) {
            feed_bytes(fs, f, fs->buf, (size_t)n, 0);
            return 1;
        }
        if (n < 0)
            cli_err("%s", df_input_error(f->in));
        end_reader(fs, f);
        df_input_free(f->in);
        f->in = NULL;
        f->ended = 1;
        return 0;
    }
    if (f->nfd == 0) {
        if (cli_now_ms() < f->retry_ms)
            return 0;
        f->retry_ms = cli_now_ms() + FOLLOW_MS;
        return open_file(fs, f, 1) == 0;
    }
    do
        n = (long)read(f->fds[0], fs->buf, BLOCK);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        f->pos += n;
        f->last_ms = cli_now_ms();
        feed_bytes(fs, f, fs->buf, (size_t)n, 0);
        return 1;
    }
    if (n < 0) {
        cli_err("%s: %s: %s", fs->o.who, f->name, strerror(errno));
        end_reader(fs, f);
        close_fds(f);
        f->ended = 1;
        return 0;
    }
    /* At the end: has the file been truncated or replaced? */
    if (cli_now_ms() < f->retry_ms)
        return 0;
    f->retry_ms = cli_now_ms() + FOLLOW_MS;
    if (fstat(f->fds[0], &sb) == 0 && sb.st_size < f->pos) {
        cli_err("%s: %s: truncated; reading it from its start", fs->o.who,
                f->name);
        end_reader(fs, f);
        lseek(f->fds[0], 0, SEEK_SET);
        f->pos = 0;
        return 0;
    }
    if (stat(f->name, &now) == 0 &&
        (now.st_ino != f->ino || now.st_dev != f->dev)) {
        cli_err("%s: %s: replaced; reading the new file", fs->o.who,
                f->name);
        end_reader(fs, f);
        close_fds(f);
        open_file(fs, f, 0);
    }
    return 0;
}

static void read_stdin(struct cli_feeds *fs, struct feed *f)
{
    long n;

    do
        n = (long)read(f->fds[0], fs->buf, BLOCK);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        f->last_ms = cli_now_ms();
        feed_bytes(fs, f, fs->buf, (size_t)n, 0);
        return;
    }
    if (n < 0)
        cli_err("%s: standard input: %s", fs->o.who, strerror(errno));
    feed_bytes(fs, f, "", 0, 1);
    end_reader(fs, f);
    f->nfd = 0;                 /* not ours to close */
    f->ended = 1;
}

/* ---- the loop --------------------------------------------------------- */

struct cli_feeds *cli_feeds_new(char **names, int n,
                                const struct cli_feeds_opts *o,
                                const struct cli_sink *sink)
{
    struct cli_feeds *fs;
    int i;

    if (n > CLI_FEEDS_MAX) {
        cli_err("%s: at most %d feeds", o->who, CLI_FEEDS_MAX);
        return NULL;
    }
    fs = calloc(1, sizeof *fs);
    if (!fs || !(fs->buf = malloc(BLOCK + 1))) {
        cli_err("out of memory");
        free(fs);
        return NULL;
    }
    fs->o = *o;
    fs->no.skip_checksum = o->skip_checksum;
    fs->no.dedup_window_ms = o->dedup_ms;
    fs->user = sink;
    fs->sink.msg = stamped;
    fs->sink.rec = rec_through;
    fs->sink.ud = fs;
    srand((unsigned)(wall_ms() ^ (int64_t)getpid()));
    for (i = 0; i < n; i++) {
        struct feed *f = &fs->f[fs->n++];

        f->name = names[i];
        f->backoff_ms = BACKOFF_MIN_MS;
        switch (cli_net_kind(names[i])) {
        case CLI_NET_TCP:
            f->kind = K_TCP;
            break;
        case CLI_NET_UDP:
            f->kind = K_UDP;
            break;
        default:
            f->kind = strcmp(names[i], "-") == 0 ? K_STDIN : K_FILE;
            break;
        }
    }
    return fs;
}

int cli_feeds_open(struct cli_feeds *fs)
{
    int i;

    for (i = 0; i < fs->n; i++) {
        struct feed *f = &fs->f[i];

        switch (f->kind) {
        case K_TCP:
            connect_net(fs, f);
            break;
        case K_UDP:
            /* A port that cannot be bound will not heal. */
            if (connect_net(fs, f) != 0)
                return 1;
            break;
        case K_FILE:
            open_file(fs, f, 0);
            break;
        case K_STDIN:
            f->fds[0] = 0;
            f->nfd = 1;
            break;
        }
    }
    return 0;
}

/* 1 while some feed could still send. */
static int alive(const struct cli_feeds *fs)
{
    int i;

    for (i = 0; i < fs->n; i++)
        if (!fs->f[i].ended)
            return 1;
    return 0;
}

int cli_feeds_run(struct cli_feeds *fs, int (*round)(void *ud), void *ud)
{
    struct pollfd p[CLI_FEEDS_MAX * CLI_NET_MAX_FDS];
    int who[CLI_FEEDS_MAX * CLI_NET_MAX_FDS];
    int i, j;

    while (!cli_stop_requested() && !fs->stop && alive(fs)) {
        int64_t now = cli_now_ms();
        int np = 0, timeout = 1000, r, busy = 0;

        /* Files are always ready: read a block of each that has one. */
        for (i = 0; i < fs->n && !fs->stop; i++)
            if (fs->f[i].kind == K_FILE && !fs->f[i].ended)
                busy |= read_file(fs, &fs->f[i]);
        for (i = 0; i < fs->n; i++) {
            struct feed *f = &fs->f[i];
            int64_t left = 1000;

            if (f->ended || f->kind == K_FILE)
                continue;
            if (f->nfd == 0) {
                left = f->retry_ms - now;
            } else {
                for (j = 0; j < f->nfd; j++) {
                    p[np].fd = f->fds[j];
                    p[np].events = POLLIN;
                    p[np].revents = 0;
                    who[np++] = i;
                }
                if (f->kind == K_TCP && fs->o.idle_ms > 0)
                    left = f->last_ms + fs->o.idle_ms - now;
            }
            if (left < 0)
                left = 0;
            if (left < timeout)
                timeout = (int)left;
        }
        if (fs->o.round_ms > 0 && timeout > fs->o.round_ms)
            timeout = fs->o.round_ms;
        if (busy)
            timeout = 0;
        else
            for (i = 0; i < fs->n; i++)
                if (fs->f[i].kind == K_FILE && !fs->f[i].ended &&
                    timeout > FOLLOW_MS)
                    timeout = FOLLOW_MS;
        r = poll(p, (nfds_t)np, timeout);
        if (r < 0 && errno != EINTR) {
            cli_err("%s: poll: %s", fs->o.who, strerror(errno));
            return 1;
        }
        for (j = 0; r > 0 && j < np && !fs->stop; j++) {
            struct feed *f = &fs->f[who[j]];
            long n;

            if (!p[j].revents || f->nfd == 0)
                continue;
            if (f->kind == K_STDIN) {
                read_stdin(fs, f);
                continue;
            }
            n = cli_net_read(p[j].fd, f->kind == K_UDP, fs->buf, BLOCK);
            if (n == -2)
                continue;
            if (n < 0 && f->kind == K_TCP) {
                drop(fs, f, strerror(errno));
            } else if (n < 0) {
                continue;       /* e.g. an ICMP error; stay bound */
            } else if (n == 0) {
                drop(fs, f, "connection closed");
            } else {
                f->last_ms = cli_now_ms();
                f->backoff_ms = BACKOFF_MIN_MS; /* this one works */
                feed_bytes(fs, f, fs->buf, (size_t)n, 0);
            }
        }
        now = cli_now_ms();
        for (i = 0; i < fs->n && !cli_stop_requested(); i++) {
            struct feed *f = &fs->f[i];

            if (f->kind != K_TCP)
                continue;
            if (f->nfd > 0 && fs->o.idle_ms > 0 &&
                now - f->last_ms >= fs->o.idle_ms) {
                char why[64];

                snprintf(why, sizeof why, "no data for %lld s",
                         (long long)(fs->o.idle_ms / 1000));
                drop(fs, f, why);
            } else if (f->nfd == 0 && now >= f->retry_ms) {
                connect_net(fs, f);
                now = cli_now_ms();
            }
        }
        if (round && round(ud) != 0)
            fs->stop = 1;
    }
    return 0;
}

void cli_feeds_stats(struct cli_feeds *fs, struct df_stats *st)
{
    int i;

    for (i = 0; fs && i < fs->n; i++) {
        end_reader(fs, &fs->f[i]);
        df_stats_add(st, &fs->f[i].st);
        memset(&fs->f[i].st, 0, sizeof fs->f[i].st);
    }
}

void cli_feeds_free(struct cli_feeds *fs, int print_drops)
{
    int i;

    if (!fs)
        return;
    for (i = 0; i < fs->n; i++) {
        struct feed *f = &fs->f[i];

        end_reader(fs, f);
        if (f->kind != K_STDIN)
            close_fds(f);
        if (f->in)
            df_input_free(f->in);
        if (print_drops && f->kind == K_TCP)
            fprintf(stderr, "%12llu  %-22s %s\n",
                    (unsigned long long)f->drops, "feed_drops", f->name);
    }
    free(fs->buf);
    free(fs);
}
