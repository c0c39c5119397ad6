/*
 * listen.c - `darkfleet listen URL...`: reads live feeds (tcp:// clients,
 * udp:// listeners; see net.c) all at once and prints one JSON object per
 * AIS message, as `decode` does, until SIGINT or SIGTERM.
 *
 * One poll(2) loop serves every feed.  Each feed has its own NMEA framer,
 * so multipart messages from two receivers never mix, and a new framer
 * per TCP connection, so a fragment cut off by a drop never joins the next
 * connection's.  A TCP feed that closes, fails, or sends nothing for
 * --idle seconds is dropped and reconnected with exponential backoff: 1 s
 * doubling to 60 s, each wait drawn from 80-120% of the step, and back to
 * 1 s once a connection delivers data.  Each drop and each reconnect is one
 * line on standard error.  UDP listeners stay bound for the whole run.
 *
 * Bounds: one read block per feed per round (a flooding feed cannot starve
 * the others; TCP flow control slows it down), output flushed every round,
 * at most LISTEN_MAX_FEEDS feeds.  Messages without a receive time of
 * their own (no tag block or timestamp) get the wall-clock time they
 * arrived.  Connecting is synchronous, at most LISTEN_CONNECT_MS per
 * address, during which other feeds wait (their data queues in the
 * kernel).
 */
#include "cli.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LISTEN_MAX_FEEDS 64
#define LISTEN_BLOCK (1u << 16)
#define LISTEN_CONNECT_MS 5000
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000
#define IDLE_DEFAULT_S 120

struct feed {
    const char *url;
    int udp;
    int fds[CLI_NET_MAX_FDS];
    int nfd;                 /* 0 while disconnected */
    struct df_nmea *nm;      /* NULL while disconnected */
    struct df_stats st;      /* counters of framers already freed */
    int64_t last_ms;         /* last data, or the connect */
    int64_t retry_ms;        /* when to reconnect */
    int64_t backoff_ms;      /* the next wait's step */
    uint64_t connects, drops;
};

struct listen {
    struct df_buf out;
    unsigned flags;
    struct df_nmea_opts no;
    int failed;
};

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int on_msg(const struct df_msg *m, void *ud)
{
    struct listen *l = ud;

    if (m->rx_ms == DF_TIME_NONE) {
        struct df_msg stamped = *m;
        stamped.rx_ms = wall_ms();
        df_msg_json(&l->out, &stamped, l->flags);
    } else {
        df_msg_json(&l->out, m, l->flags);
    }
    df_buf_append(&l->out, "\n", 1);
    if (cli_out_flush(&l->out, 0) != 0) {
        l->failed = 1;
        return 1;
    }
    return 0;
}

/* Frees a feed's framer after framing its last partial line. */
static void end_framer(struct listen *l, struct feed *f)
{
    if (f->nm == NULL)
        return;
    df_nmea_flush(f->nm, on_msg, l);
    df_stats_add(&f->st, df_nmea_stats(f->nm));
    df_nmea_free(f->nm);
    f->nm = NULL;
}

/* Schedules the next connection attempt and grows the backoff. */
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

/* Drops a TCP connection and schedules a reconnect. */
static void drop(struct listen *l, struct feed *f, const char *why)
{
    int64_t wait;
    int i;

    end_framer(l, f);
    for (i = 0; i < f->nfd; i++)
        close(f->fds[i]);
    f->nfd = 0;
    f->drops++;
    wait = schedule(f, cli_now_ms());
    cli_err("listen: %s: %s; reconnecting in %.1f s", f->url, why,
            (double)wait / 1000.0);
}

/* Opens a feed.  Returns 0, or -1 after printing why (a TCP feed is then
 * scheduled for another try). */
static int connect_feed(struct listen *l, struct feed *f)
{
    char err[512];
    int n = cli_net_open(f->url, f->fds, CLI_NET_MAX_FDS, LISTEN_CONNECT_MS,
                         err, sizeof(err));

    if (n < 0) {
        if (!f->udp) {
            int64_t wait = schedule(f, cli_now_ms());
            cli_err("listen: %s; retrying in %.1f s", err,
                    (double)wait / 1000.0);
        } else {
            cli_err("listen: %s", err);
        }
        return -1;
    }
    f->nm = df_nmea_new(&l->no);
    if (f->nm == NULL) {
        int i;
        for (i = 0; i < n; i++)
            close(f->fds[i]);
        cli_err("out of memory");
        return -1;
    }
    f->nfd = n;
    f->last_ms = cli_now_ms();
    if (f->connects++ > 0)
        cli_err("listen: %s: reconnected", f->url);
    return 0;
}

static void usage(FILE *out)
{
    fputs("usage: darkfleet listen [--unscaled] [--text] [--stats] "
          "[--no-checksum]\n"
          "                        [--idle SECONDS] URL...\n"
          "  Reads live AIS feeds and prints one JSON object per message, "
          "as decode does,\n"
          "  until interrupted (SIGINT or SIGTERM: output is flushed, exit "
          "status 0).\n"
          "  URL is tcp://HOST:PORT (a receiver or relay: AIS-catcher, "
          "rtl_ais, OpenCPN;\n"
          "  port 2947 is taken to be gpsd) or udp://[HOST]:PORT (a "
          "listener; udp://:PORT\n"
          "  takes IPv4 and IPv6).  A TCP feed that closes or stalls is "
          "reconnected with\n"
          "  backoff (1 s doubling to 60 s).  Messages without a time of "
          "their own get the\n"
          "  time they arrived.\n"
          "  --idle SECONDS reconnect a TCP feed silent this long "
          "(default 120; 0: never)\n"
          "  --stats        print counts of what was read and dropped on "
          "standard error\n",
          out);
}

static int run(struct listen *l, struct feed *feeds, int nfeeds,
               int64_t idle_ms, char *buf)
{
    struct pollfd p[LISTEN_MAX_FEEDS * CLI_NET_MAX_FDS];
    int who[LISTEN_MAX_FEEDS * CLI_NET_MAX_FDS];
    int i, j;

    while (!cli_stop_requested() && !l->failed) {
        int64_t now = cli_now_ms();
        int np = 0, timeout = 1000, r;

        for (i = 0; i < nfeeds; i++) {
            struct feed *f = &feeds[i];
            int64_t left;

            if (f->nfd == 0) {
                left = f->retry_ms - now;
            } else {
                for (j = 0; j < f->nfd; j++) {
                    p[np].fd = f->fds[j];
                    p[np].events = POLLIN;
                    p[np].revents = 0;
                    who[np++] = i;
                }
                left = f->udp || idle_ms <= 0 ? 1000
                                              : f->last_ms + idle_ms - now;
            }
            if (left < 0)
                left = 0;
            if (left < timeout)
                timeout = (int)left;
        }
        r = poll(p, (nfds_t)np, timeout);
        if (r < 0 && errno != EINTR) {
            cli_err("listen: poll: %s", strerror(errno));
            return 1;
        }
        for (j = 0; r > 0 && j < np && !l->failed; j++) {
            struct feed *f = &feeds[who[j]];
            long n;

            if (!p[j].revents || f->nfd == 0)
                continue;
            n = cli_net_read(p[j].fd, f->udp, buf, LISTEN_BLOCK);
            if (n == -2)
                continue;
            if (n < 0 && !f->udp) {
                drop(l, f, strerror(errno));
            } else if (n < 0) {
                continue;       /* e.g. an ICMP error; stay bound */
            } else if (n == 0) {
                drop(l, f, "connection closed");
            } else {
                f->last_ms = cli_now_ms();
                f->backoff_ms = BACKOFF_MIN_MS; /* this one works */
                df_nmea_feed(f->nm, buf, (size_t)n, on_msg, l);
            }
        }
        now = cli_now_ms();
        for (i = 0; i < nfeeds && !cli_stop_requested(); i++) {
            struct feed *f = &feeds[i];

            if (f->nfd > 0 && !f->udp && idle_ms > 0 &&
                now - f->last_ms >= idle_ms) {
                char why[64];
                snprintf(why, sizeof(why), "no data for %lld s",
                         (long long)(idle_ms / 1000));
                drop(l, f, why);
            } else if (f->nfd == 0 && now >= f->retry_ms) {
                connect_feed(l, f);
                now = cli_now_ms();
            }
        }
        if (cli_out_flush(&l->out, 1) != 0)
            l->failed = 1;
    }
    return l->failed ? 1 : 0;
}

enum { OPT_IDLE = CLI_OPT_OWN };

static const struct cli_opt opts[] = {
    CLI_OPTS_JSON,
    CLI_OPTS_READ,
    {OPT_IDLE, "--idle", NULL, 1},
    CLI_OPTS_HELP,
    CLI_OPTS_END};

int cmd_listen(int argc, char **argv)
{
    struct listen l;
    struct feed *feeds;
    struct df_stats st;
    struct cli_args args;
    const char *val;
    char *buf;
    int64_t idle_ms = (int64_t)IDLE_DEFAULT_S * 1000;
    int i, id, n = 0, stats = 0, rc = 0;

    memset(&l, 0, sizeof(l));
    l.flags = DF_JSON_SCALED;
    feeds = calloc(LISTEN_MAX_FEEDS, sizeof(*feeds));
    buf = malloc(LISTEN_BLOCK + 1);
    if (feeds == NULL || buf == NULL) {
        cli_err("out of memory");
        free(feeds);
        free(buf);
        return 1;
    }
    cli_args_init(&args, "listen", argc, argv);
    while ((id = cli_args_next(&args, opts, &val)) != CLI_END) {
        switch (id) {
        case CLI_OPT_UNSCALED:
            l.flags &= ~(unsigned)DF_JSON_SCALED;
            break;
        case CLI_OPT_TEXT:
            l.flags |= DF_JSON_TEXT;
            break;
        case CLI_OPT_STATS:
            stats = 1;
            break;
        case CLI_OPT_NO_CHECKSUM:
            l.no.skip_checksum = 1;
            break;
        case OPT_IDLE: {
            char *end;
            double s = strtod(val, &end);
            if (*end != '\0' || end == val || s < 0 || s > 86400 * 365) {
                cli_err("listen: --idle wants seconds, not '%s'", val);
                rc = 2;
                goto out;
            }
            idle_ms = (int64_t)(s * 1000);
            break;
        }
        case CLI_OPT_HELP:
            usage(stdout);
            goto out;
        case CLI_OPERAND:
            if (cli_net_kind(val) == CLI_NET_NONE) {
                cli_err("listen: '%s' is not tcp://HOST:PORT or "
                        "udp://[HOST]:PORT (see darkfleet listen --help)",
                        val);
                rc = 2;
                goto out;
            }
            if (n == LISTEN_MAX_FEEDS) {
                cli_err("listen: at most %d feeds", LISTEN_MAX_FEEDS);
                rc = 2;
                goto out;
            }
            feeds[n].url = val;
            feeds[n].udp = cli_net_kind(val) == CLI_NET_UDP;
            feeds[n].backoff_ms = BACKOFF_MIN_MS;
            n++;
            break;
        default:
            rc = cli_args_bad(&args, id, val);
            goto out;
        }
    }
    if (n == 0) {
        usage(stderr);
        rc = 2;
        goto out;
    }
    srand((unsigned)(wall_ms() ^ (int64_t)getpid()));
    cli_net_catch_signals();
    for (i = 0; i < n; i++) {
        if (connect_feed(&l, &feeds[i]) != 0 && feeds[i].udp) {
            rc = 1;             /* a port we cannot bind will not heal */
            goto out;
        }
    }
    rc = run(&l, feeds, n, idle_ms, buf);
out:
    memset(&st, 0, sizeof(st));
    for (i = 0; i < n; i++) {
        int j;
        end_framer(&l, &feeds[i]);
        for (j = 0; j < feeds[i].nfd; j++)
            close(feeds[i].fds[j]);
        df_stats_add(&st, &feeds[i].st);
    }
    if (cli_out_flush(&l.out, 1) != 0)
        rc = 1;
    if (stats && rc != 2) {
        cli_print_stats(&st);
        for (i = 0; i < n; i++)
            if (!feeds[i].udp)
                fprintf(stderr, "%12llu  %-22s %s\n",
                        (unsigned long long)feeds[i].drops, "feed_drops",
                        feeds[i].url);
    }
    df_buf_free(&l.out);
    free(feeds);
    free(buf);
    return rc;
}
