/*
 * reader.c - every input an analyst has, as one stream of messages and
 * records: files and standard input, plain or compressed (detected by
 * df_input from magic bytes), NMEA or CSV (detected by df_detect_format
 * from the first bytes).  Lines are cut here and handed to the framer or
 * the CSV reader; the caps on line length live in those.
 *
 * tcp:// and udp:// inputs are live feeds (net.c).  They skip the format
 * sniff (a feed may send one line a minute; they are NMEA by assumption)
 * and df_input (its 16-byte magic peek would cut a UDP datagram and block
 * past a signal): each read is handed to the framer as it arrives, and
 * memory stays at one read block however fast the peer sends.
 */
#include "cli.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_BLOCK (1u << 20)
#define SNIFF_BYTES 8192

#define CSV_MAX_LINE 65536

int cli_csv_init(struct cli_csv *cs, const struct cli_sink *sink)
{
    memset(cs, 0, sizeof *cs);
    cs->csv = df_csv_new();
    cs->cap = CSV_MAX_LINE;
    cs->carry = malloc(cs->cap);
    cs->sink = sink;
    if (!cs->csv || !cs->carry) {
        cli_csv_fini(cs, NULL);
        return -1;
    }
    return 0;
}

void cli_csv_fini(struct cli_csv *cs, struct df_stats *st)
{
    cli_csvpar_free(cs->par, st);
    if (cs->csv) {
        if (st)
            df_stats_add(st, df_csv_stats(cs->csv));
        df_csv_free(cs->csv);
    }
    free(cs->carry);
    memset(cs, 0, sizeof *cs);
}

void cli_csv_feed(struct cli_csv *cs, const char *buf, size_t len,
                  int final)
{
    const char *p = buf, *end = buf + len;
    struct df_rec rec;

    if (cs->par) {
        if (cli_csvpar_feed(cs->par, buf, len, final, cs->sink) != 0) {
            if (cli_csvpar_oom(cs->par))
                cs->oom = 1;
            else
                cs->stop = 1;
        }
        return;
    }

    while (p < end && !cs->failed && !cs->stop) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line = p;
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        enum df_format before;
        int rc;

        if (!nl && !final) {
            if (cs->overlong || cs->ncarry + n > CSV_MAX_LINE) {
                cs->overlong = 1;
                cs->ncarry = 0;
            } else {
                memcpy(cs->carry + cs->ncarry, p, n);
                cs->ncarry += n;
            }
            return;
        }
        p = nl ? nl + 1 : end;
        /* A line over the cap is dropped wherever it falls, inside a
         * block or across two (so that csvpar.c's chunks drop the same). */
        if (cs->overlong || cs->ncarry + n > CSV_MAX_LINE) {
            cs->overlong = 0;
            cs->ncarry = 0;
            ((struct df_stats *)df_csv_stats(cs->csv))->drop_line_too_long++;
            continue;
        }
        if (cs->ncarry) {
            memcpy(cs->carry + cs->ncarry, line, n);
            n += cs->ncarry;
            line = cs->carry;
            cs->ncarry = 0;
        }
        before = df_csv_dialect(cs->csv);
        rc = df_csv_line(cs->csv, line, n, &rec);
        if (rc < 0)
            cs->failed = 1;
        else if (rc == 1 && cs->sink->rec &&
                 cs->sink->rec(&rec, cs->sink->ud))
            cs->stop = 1;
        else if (rc == 0 && before == DF_FMT_UNKNOWN &&
                 df_csv_dialect(cs->csv) != DF_FMT_UNKNOWN && cs->jobs > 1 &&
                 (cs->par = cli_csvpar_new(cs->jobs, line, n)) != NULL) {
            /* The header is read: the rows on several threads. */
            cli_csv_feed(cs, p, (size_t)(end - p), final);
            return;
        }
    }
    if (final && cs->ncarry && !cs->failed && !cs->stop) {
        int rc = df_csv_line(cs->csv, cs->carry, cs->ncarry, &rec);
        cs->ncarry = 0;
        if (rc < 0)
            cs->failed = 1;
        else if (rc == 1 && cs->sink->rec)
            cs->sink->rec(&rec, cs->sink->ud);
    }
}

/*
 * If the input's first line looks like a CSV header (printable text with
 * commas), runs it through the CSV reader to get its message about the
 * columns it needs.  Returns 1 with the message in err.
 */
static int csv_header_error(const char *buf, size_t len, char *err,
                            size_t errlen)
{
    const char *nl = memchr(buf, '\n', len);
    size_t n = nl ? (size_t)(nl - buf) : len, i, commas = 0;
    struct df_csv *csv;
    struct df_rec rec;
    int rc;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == ',')
            commas++;
        else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
            return 0;
    }
    if (commas == 0 || !(csv = df_csv_new()))
        return 0;
    rc = df_csv_line(csv, buf, n, &rec);
    if (rc < 0)
        snprintf(err, errlen, "%s", df_csv_error(csv));
    df_csv_free(csv);
    return rc < 0;
}

/* A new NMEA framer with the reader's options (checksum, dedup window);
 * NULL when out of memory.  The caller frees it with df_nmea_free(). */
static struct df_nmea *new_framer(const struct cli_reader_opts *opts)
{
    struct df_nmea_opts no;

    memset(&no, 0, sizeof no);
    no.skip_checksum = opts->skip_checksum;
    no.dedup_window_ms = opts->dedup_ms;
    return df_nmea_new(&no);
}

/* Reads one file or standard input; *complete is set when it was read
 * to its end (no error, no stop). */
static int read_one(const char *path, const struct cli_reader_opts *opts,
                    const struct cli_sink *sink, struct df_stats *st,
                    char *buf, int *complete)
{
    struct df_input *in = NULL;
    struct cli_readahead *ra = NULL;
    struct df_nmea *nm = NULL;
    struct cli_csv cs;
    const char *data;
    uint64_t pos;
    char err[512];
    size_t have = 0;
    long n;
    enum df_format fmt;
    int rc = 0, eof = 0, stop = 0;

    *complete = 0;
    memset(&cs, 0, sizeof cs);
    if (df_input_open(&in, path, err, sizeof err) != DF_OK) {
        cli_err("%s", err);
        return 1;
    }
    /* Sniff the format from the first bytes. */
    while (have < SNIFF_BYTES) {
        n = df_input_read(in, buf + have, SNIFF_BYTES - have);
        if (n <= 0) {
            eof = n == 0 ? 1 : -1;
            break;
        }
        have += (size_t)n;
    }
    fmt = df_detect_format(buf, have);
    if (fmt == DF_FMT_UNKNOWN) {
        if (have == 0 && eof == 1) {
            *complete = 1;
            goto done;          /* an empty input is not an error */
        }
        if (eof < 0) {
            cli_err("%s", df_input_error(in));
        } else if (csv_header_error(buf, have, err, sizeof err)) {
            /* A table, but not one darkfleet knows: say what it needs. */
            cli_err("%s: %s", path, err);
        } else {
            cli_err("%s: unknown input format (expected NMEA 0183 AIS, "
                    "MarineCadastre CSV or DMA CSV)",
                    strcmp(path, "-") == 0 ? "standard input" : path);
        }
        rc = 1;
        goto done;
    }
    if (fmt == DF_FMT_NMEA) {
        nm = new_framer(opts);
        if (!nm) {
            cli_err("out of memory");
            rc = 1;
            goto done;
        }
    } else {
        if (cli_csv_init(&cs, sink) != 0) {
            cli_err("out of memory");
            rc = 1;
            goto done;
        }
        cs.jobs = opts->parse_jobs;
    }
    /* A regular file is decompressed on its own thread when the caller
     * asks (scan); a pipe or a terminal is not: a thread blocked reading
     * a quiet one could not be stopped. */
    data = buf;
    pos = df_input_pos(in);     /* before the thread moves it */
    if (opts->readahead && df_input_size(in) > 0 && !eof)
        ra = cli_readahead_start(in, READ_BLOCK);
    for (;;) {
        if (have) {
            if (nm)
                stop = df_nmea_feed(nm, data, have, sink->msg, sink->ud);
            else
                cli_csv_feed(&cs, data, have, 0);
            have = 0;
            if (opts->fed && opts->fed(sink->ud))
                stop = 1;
            if (opts->stop_on_signal && cli_stop_requested())
                stop = 1;
            if (stop || cs.stop)
                break;
            if (cs.failed || cs.oom) {
                cli_err("%s: %s", path,
                        cs.oom ? "out of memory" : df_csv_error(cs.csv));
                rc = 1;
                break;
            }
        }
        if (eof)
            break;
        if (opts->progress) {
            const struct df_stats *now =
                nm ? df_nmea_stats(nm) : df_csv_stats(cs.csv);
            cli_progress_update(opts->progress,
                                st->messages + st->records + now->messages +
                                    now->records +
                                    (cs.par ? cli_csvpar_records(cs.par) : 0),
                                pos, df_input_size(in));
        }
        if (ra) {
            n = cli_readahead_next(ra, &data, &pos);
        } else {
            n = df_input_read(in, buf, READ_BLOCK);
            pos = df_input_pos(in);
        }
        if (n < 0) {
            eof = -1;
            continue;
        }
        if (n == 0) {
            eof = 1;
            continue;
        }
        have = (size_t)n;
    }
    /* The thread is done with the input before anyone reads its error. */
    cli_readahead_stop(ra);
    ra = NULL;
    if (nm && !stop)
        df_nmea_flush(nm, sink->msg, sink->ud);
    if (cs.csv && !cs.stop && !cs.failed && !cs.oom) {
        cli_csv_feed(&cs, "", 0, 1);
        if (cs.failed || cs.oom) {
            cli_err("%s: %s", path,
                    cs.oom ? "out of memory" : df_csv_error(cs.csv));
            rc = 1;
        }
    }
    if (eof < 0) {
        cli_err("%s", df_input_error(in));
        rc = 1;
    }
    *complete = rc == 0 && !stop && !cs.stop;
done:
    if (nm) {
        df_stats_add(st, df_nmea_stats(nm));
        df_nmea_free(nm);
    }
    cli_csv_fini(&cs, st);
    df_input_free(in);
    return rc;
}

/* Reads one live feed until it ends; see cli_read_inputs(). */
static int read_net(const char *url, const struct cli_reader_opts *opts,
                    const struct cli_sink *sink, struct df_stats *st,
                    char *buf)
{
    int udp = cli_net_kind(url) == CLI_NET_UDP;
    int fds[CLI_NET_MAX_FDS], nfd, i, rc = 0, stop = 0, done = 0;
    struct df_nmea *nm;
    char err[512];
    int64_t last;

    cli_net_catch_signals();
    nfd = cli_net_open(url, fds, CLI_NET_MAX_FDS, 0, err, sizeof err);
    if (nfd < 0) {
        cli_err("%s", err);
        return 1;
    }
    nm = new_framer(opts);
    if (!nm) {
        cli_err("out of memory");
        for (i = 0; i < nfd; i++)
            close(fds[i]);
        return 1;
    }
    last = cli_now_ms();
    while (!done && !stop && !cli_stop_requested()) {
        struct pollfd p[CLI_NET_MAX_FDS];
        int timeout = 1000, r;

        if (opts->idle_ms > 0) {
            int64_t left = last + opts->idle_ms - cli_now_ms();
            if (left <= 0) {
                cli_err("%s: no data for %d s", url,
                        (opts->idle_ms + 999) / 1000);
                rc = 1;
                break;
            }
            if (left < timeout)
                timeout = (int)left;
        }
        for (i = 0; i < nfd; i++) {
            p[i].fd = fds[i];
            p[i].events = POLLIN;
            p[i].revents = 0;
        }
        r = poll(p, (nfds_t)nfd, timeout);
        if (r < 0 && errno != EINTR) {
            cli_err("%s: %s", url, strerror(errno));
            rc = 1;
            break;
        }
        if (r <= 0) {
            if (opts->idle && opts->idle(sink->ud))
                stop = 1;
            continue;
        }
        for (i = 0; i < nfd && !done && !stop; i++) {
            long n;

            if (!p[i].revents)
                continue;
            n = cli_net_read(fds[i], udp, buf, READ_BLOCK);
            if (n == -2)
                continue;
            if (n < 0) {
                cli_err("%s: %s", url, strerror(errno));
                rc = 1;
                done = 1;
            } else if (n == 0) {
                done = 1;       /* the peer closed */
            } else {
                last = cli_now_ms();
                stop = df_nmea_feed(nm, buf, (size_t)n, sink->msg,
                                    sink->ud);
            }
        }
    }
    if (!stop)
        df_nmea_flush(nm, sink->msg, sink->ud);
    df_stats_add(st, df_nmea_stats(nm));
    df_nmea_free(nm);
    for (i = 0; i < nfd; i++)
        close(fds[i]);
    return rc;
}

int cli_read_opt(int id, struct cli_reader_opts *ro, int *stats)
{
    if (id == CLI_OPT_STATS)
        *stats = 1;
    else if (id == CLI_OPT_NO_CHECKSUM)
        ro->skip_checksum = 1;
    else
        return 0;
    return 1;
}

int cli_read_inputs(char **inputs, int ninputs,
                    const struct cli_reader_opts *opts,
                    const struct cli_sink *sink, struct df_stats *st)
{
    static char *stdin_only[] = {"-"};
    /* Page-aligned, as the page cache is: the kernel copies a read into a
     * buffer at malloc's usual page + 16 four times slower on this AMD
     * host (11% of decoding a 25 MB file, 4% aligned; perf record). */
    char *buf = aligned_alloc(4096, READ_BLOCK);
    int i, rc = 0;

    if (!buf) {
        cli_err("out of memory");
        return 1;
    }
    if (ninputs == 0) {
        inputs = stdin_only;
        ninputs = 1;
    }
    for (i = 0; i < ninputs && !cli_stop_requested(); i++) {
        int complete = 0;

        if (opts->begin && opts->begin(sink->ud, i, inputs[i]))
            continue;
        if (cli_net_kind(inputs[i]) != CLI_NET_NONE) {
            if (read_net(inputs[i], opts, sink, st, buf) != 0)
                rc = 1;
        } else if (read_one(inputs[i], opts, sink, st, buf, &complete) !=
                   0) {
            rc = 1;
        }
        if (opts->end)
            opts->end(sink->ud, i, inputs[i], complete);
    }
    free(buf);
    return rc;
}
