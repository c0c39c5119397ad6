/*
 * listen.c - `darkfleet listen URL...`: reads live feeds (tcp:// clients,
 * udp:// listeners; see net.c) all at once and prints one JSON object per
 * AIS message, as `decode` does, until SIGINT or SIGTERM.  The feeds, their
 * framers and reconnects are feeds.c's: a TCP feed that closes, fails, or
 * sends nothing for --idle seconds is reconnected with backoff (1 s
 * doubling to 60 s), each drop and reconnect one line on standard error.
 * Messages without a receive time of their own (no tag block or
 * timestamp) get the wall-clock time they arrived.  Output is flushed
 * every round.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define IDLE_DEFAULT_S 120

struct listen {
    struct df_buf out;
    unsigned flags;
    int failed;
};

static int on_msg(const struct df_msg *m, void *ud)
{
    struct listen *l = ud;

    df_msg_json(&l->out, m, l->flags);
    df_buf_append(&l->out, "\n", 1);
    if (cli_out_flush(&l->out, 0) != 0) {
        l->failed = 1;
        return 1;
    }
    return 0;
}

/* After every round: what was printed goes out. */
static int on_round(void *ud)
{
    struct listen *l = ud;

    if (cli_out_flush(&l->out, 1) != 0)
        l->failed = 1;
    return l->failed;
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
    struct cli_feeds *fs = NULL;
    struct cli_feeds_opts fo;
    struct cli_sink sink;
    struct df_stats st;
    struct cli_args args;
    const char *val;
    char **urls;
    int id, n = 0, stats = 0, rc = 0;

    memset(&l, 0, sizeof(l));
    memset(&fo, 0, sizeof(fo));
    l.flags = DF_JSON_SCALED;
    fo.who = "listen";
    fo.idle_ms = (int64_t)IDLE_DEFAULT_S * 1000;
    fo.stamp = 1;
    urls = calloc((size_t)argc + 1, sizeof(*urls));
    if (urls == NULL) {
        cli_err("out of memory");
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
            fo.skip_checksum = 1;
            break;
        case OPT_IDLE: {
            char *end;
            double s = strtod(val, &end);
            if (*end != '\0' || end == val || s < 0 || s > 86400 * 365) {
                cli_err("listen: --idle wants seconds, not '%s'", val);
                rc = 2;
                goto out;
            }
            fo.idle_ms = (int64_t)(s * 1000);
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
            if (n == CLI_FEEDS_MAX) {
                cli_err("listen: at most %d feeds", CLI_FEEDS_MAX);
                rc = 2;
                goto out;
            }
            urls[n++] = (char *)val;
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
    cli_net_catch_signals();
    sink.msg = on_msg;
    sink.rec = NULL;
    sink.ud = &l;
    fs = cli_feeds_new(urls, n, &fo, &sink);
    if (fs == NULL) {
        rc = 1;
        goto out;
    }
    if ((rc = cli_feeds_open(fs)) != 0)
        goto out;
    rc = cli_feeds_run(fs, on_round, &l);
    if (l.failed)
        rc = 1;
out:
    memset(&st, 0, sizeof(st));
    cli_feeds_stats(fs, &st);
    if (cli_out_flush(&l.out, 1) != 0)
        rc = 1;
    if (stats && fs)
        cli_print_stats(&st);
    cli_feeds_free(fs, stats);
    df_buf_free(&l.out);
    free(urls);
    return rc;
}
