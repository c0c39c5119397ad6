/*
 * cli.h - shared pieces of the darkfleet command line: output buffering,
 * error reporting and the reader that turns every input (files, standard
 * input, compressed streams, archives) into messages or records.
 * Only cli/ prints, exits or opens sockets.
 */
#ifndef DF_CLI_H
#define DF_CLI_H

#include <stdio.h>

#include "darkfleet.h"

/* Prints "darkfleet: <msg>" on standard error. */
void cli_err(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* ---- Options (args.c) --------------------------------------------- */

/* One option of a command: its long name ("--db"), an optional short or
 * second spelling ("-o"; NULL if none) and whether it takes a value.  A
 * table of them ends with CLI_OPTS_END; ids are >= 0 and may repeat (two
 * names for one option). */
struct cli_opt {
    int id;
    const char *name;
    const char *alias;
    int has_arg;
};

/* Options several commands take, with one id everywhere; a command
 * numbers its own from CLI_OPT_OWN.  Handling them is up to each. */
enum {
    CLI_OPT_HELP,               /* -h, --help: print the usage, exit 0 */
    CLI_OPT_STATS,              /* --stats: counters on standard error */
    CLI_OPT_NO_CHECKSUM,        /* --no-checksum: accept bad sentences */
    CLI_OPT_UNSCALED,           /* -u, --unscaled: JSON as gpsdecode -u */
    CLI_OPT_TEXT,               /* --text: JSON with gpsd's *_text */
    CLI_OPT_OWN
};
#define CLI_OPTS_HELP {CLI_OPT_HELP, "--help", "-h", 0}
/* What a command that reads inputs takes (cli_read_inputs). */
#define CLI_OPTS_READ                                                      \
    {CLI_OPT_STATS, "--stats", NULL, 0},                                   \
    {CLI_OPT_NO_CHECKSUM, "--no-checksum", NULL, 0}
/* What a command that prints messages as JSON takes (df_msg_json). */
#define CLI_OPTS_JSON                                                      \
    {CLI_OPT_UNSCALED, "--unscaled", "-u", 0},                             \
    {CLI_OPT_TEXT, "--text", NULL, 0}
#define CLI_OPTS_END {0, NULL, NULL, 0}

/* The state of one walk over a command's argv (argv[0]: the command). */
struct cli_args {
    const char *cmd;            /* the command's name, for messages */
    int argc;
    char **argv;
    int i;                      /* the next argument to read */
    int rest;                   /* after "--": only operands */
};

#define CLI_END (-1)            /* no arguments left */
#define CLI_OPERAND (-2)        /* an operand, in *val */
#define CLI_BAD (-3)            /* a usage error, already printed */

void cli_args_init(struct cli_args *a, const char *cmd, int argc,
                   char **argv);
/*
 * Reads the next argument against opts (the rules are in args.c).  Returns
 * the option's id (its value, if it takes one, in *val: never empty),
 * CLI_OPERAND (the operand in *val), CLI_END, or CLI_BAD after printing
 * one error line via cli_err().  *val points into argv.
 */
int cli_args_next(struct cli_args *a, const struct cli_opt *opts,
                  const char **val);
/*
 * Ends a walk at a return of cli_args_next() that the command does not
 * take: CLI_BAD (already reported) or CLI_OPERAND in a command that takes
 * none (reported here: "CMD: unexpected argument 'VAL' (see darkfleet CMD
 * --help)").  Returns 2, the exit status of a usage error.
 */
int cli_args_bad(const struct cli_args *a, int id, const char *val);

/* Output: a buffer flushed to standard output when it grows past a
 * threshold and at the end.  Returns -1 if writing failed. */
int cli_out_flush(struct df_buf *b, int force);
/* Output is written in pieces of this many bytes (unless forced). */
#define CLI_OUT_CHUNK (1u << 18)

/* What a reader hands to its consumer, one call per item. */
struct cli_sink {
    /* A decoded NMEA message; return non-zero to stop. */
    int (*msg)(const struct df_msg *m, void *ud);
    /* A table row (CSV); return non-zero to stop. */
    int (*rec)(const struct df_rec *r, void *ud);
    void *ud;
};

/* A progress meter on standard error, drawn only on a terminal. */
struct cli_progress {
    int on, drawn;
    double start, last;
};
/* force draws even when standard error is not a terminal (tests). */
void cli_progress_init(struct cli_progress *p, int force);
/* records so far; pos and size: input bytes read and total (0 unknown). */
void cli_progress_update(struct cli_progress *p, uint64_t records,
                         uint64_t pos, uint64_t size);
void cli_progress_end(struct cli_progress *p);

struct cli_reader_opts {
    int skip_checksum;
    int64_t dedup_ms;       /* drop a sentence heard again within this
                             * (several stations); 0: keep every one */
    int idle_ms;            /* network inputs: give up after this long
                             * without data (0: wait for ever) */
    /* If set, called with the sink's ud whenever a network input has
     * nothing waiting, so that live output can be flushed. */
    int (*idle)(void *ud);
    /* If set, updated after every block read from a file. */
    struct cli_progress *progress;
    /* Decompress files on a thread of their own (readahead.c). */
    int readahead;
    /* Parse a CSV table's rows on this many threads (csvpar.c); 0 or 1:
     * on the reading thread. */
    unsigned parse_jobs;
    /* If set, called with the sink's ud after each block read from a file
     * or standard input has gone through the sink (a slow pipe's records
     * are then passed on at once; see cli_pipe_flush); non-zero stops
     * reading, as the sink's return does. */
    int (*fed)(void *ud);
    /* If set, called with the sink's ud before each input, with its index
     * and name: non-zero skips the input (scan: read into the store
     * before).  Then, if set, end is called after it: complete is 1 when
     * it was read to its end without an error or a stop. */
    int (*begin)(void *ud, int index, const char *input);
    void (*end)(void *ud, int index, const char *input, int complete);
    /* Stop reading files, too, when SIGINT or SIGTERM arrives (the
     * caller installed cli_net_catch_signals()): scan saves its state. */
    int stop_on_signal;
};

/* A CSV table (MarineCadastre, DMA) fed in blocks: cut into lines (at most
 * 64 KiB; longer ones are counted and dropped), parsed, and each record
 * handed to sink->rec.  failed: the header names no known columns
 * (df_csv_error says so); stop: the sink asked to stop. */
struct cli_csvpar;
struct cli_csv {
    struct df_csv *csv;
    const struct cli_sink *sink;
    char *carry;
    size_t ncarry, cap;
    int overlong;
    int failed;
    int stop;
    int oom;                    /* the rows' threads ran out of memory */
    unsigned jobs;              /* > 1: the rows parsed on this many
                                 * threads (csvpar.c), once the header is
                                 * read */
    struct cli_csvpar *par;
};
/* 0, or -1 when out of memory (cs is then empty). */
int cli_csv_init(struct cli_csv *cs, const struct cli_sink *sink);
/* Feeds len bytes; final: the table ends after them. */
void cli_csv_feed(struct cli_csv *cs, const char *buf, size_t len,
                  int final);
/* Adds the reader's counters to st (if not NULL) and frees it. */
void cli_csv_fini(struct cli_csv *cs, struct df_stats *st);

/* The rows of a table on nw threads (csvpar.c): each thread's parser is
 * given header first.  NULL when they cannot start.  feed hands the
 * records to sink in the order of the text; 1 when the sink stopped (or
 * out of memory: cli_csvpar_oom).  free adds the counters to st (if not
 * NULL); NULL is a no-op. */
struct cli_csvpar *cli_csvpar_new(unsigned nw, const char *header,
                                  size_t len);
int cli_csvpar_feed(struct cli_csvpar *cp, const char *buf, size_t len,
                    int final, const struct cli_sink *sink);
void cli_csvpar_free(struct cli_csvpar *cp, struct df_stats *st);
int cli_csvpar_oom(struct cli_csvpar *cp);
/* Records handed to the sink so far (for the progress meter). */
uint64_t cli_csvpar_records(const struct cli_csvpar *cp);

/* Takes an option of CLI_OPTS_READ: --no-checksum into ro, --stats into
 * *stats.  Returns 1 if id is one of them, else 0. */
int cli_read_opt(int id, struct cli_reader_opts *ro, int *stats);

/*
 * Reads every input in turn ("-" or none: standard input), detecting the
 * format of each from its content, and calls the sink.  A tcp:// or udp://
 * input is a live NMEA feed (see net.c): read until the peer closes (TCP),
 * opts->idle_ms passes without data, or SIGINT/SIGTERM arrives (which
 * also skips the inputs after it, and is not an error).  Adds the readers'
 * counters to *st.  Returns 0, or 1 after printing one error line for an
 * input that could not be used (missing, unknown format, damaged).
 */
int cli_read_inputs(char **inputs, int ninputs,
                    const struct cli_reader_opts *opts,
                    const struct cli_sink *sink, struct df_stats *st);

/* Reads in ahead, in blocks of size bytes, on a new thread; NULL when no
 * thread could be started.  _next returns the next block's length (0 at
 * the end, -1 on an error: df_input_error(in) after _stop) with the block
 * in *data, valid until the next call, and the input position after it in
 * *pos.  _stop ends the thread and frees; NULL is a no-op. */
struct cli_readahead;
struct cli_readahead *cli_readahead_start(struct df_input *in, size_t size);
long cli_readahead_next(struct cli_readahead *ra, const char **data,
                        uint64_t *pos);
void cli_readahead_stop(struct cli_readahead *ra);

/*
 * Reading on a second thread (pipe.c).  cli_pipe_run() runs produce on a
 * new thread; every record it hands to cli_pipe_put() reaches c->consume
 * on the calling thread, in order, in batches.  cli_pipe_put() returns 1
 * once consume has returned non-zero (stop reading).  Without a thread (its
 * creation failed) the same happens on the calling thread.  Returns
 * produce's return.
 */
struct cli_pipe;
struct cli_consumer {
    int (*consume)(const struct df_rec *r, void *ud);
    /* If set, called for records consume will see soon: stage 0 about
     * 16 records ahead, stage 1 about 4 ahead (df_scan_prefetch). */
    void (*prefetch)(const struct df_rec *r, int stage, void *ud);
    void *ud;
    /* If set, called with each mark given to cli_pipe_mark(), once every
     * record put before it has been consumed (and none after); non-zero
     * stops, as consume's does. */
    int (*mark)(void *mark, void *ud);
};
int cli_pipe_run(int (*produce)(struct cli_pipe *p, void *ud), void *pud,
                 const struct cli_consumer *c);
int cli_pipe_put(struct cli_pipe *p, const struct df_rec *r);
/* Hands the records put so far to the consumer without waiting for a full
 * batch (after each block read: a quiet pipe's records are not held).
 * Returns 1 once the consumer has stopped, as cli_pipe_put() does. */
int cli_pipe_flush(struct cli_pipe *p);
/* Hands the records put so far to the consumer, followed by mark: a place
 * in the stream (a checkpoint) where the consumer has seen exactly what
 * was put before.  The mark stays the caller's to free.  Returns 1 once
 * the consumer has stopped (the mark may then never be seen). */
int cli_pipe_mark(struct cli_pipe *p, void *mark);

/* Prints every non-zero counter of st on standard error. */
void cli_print_stats(const struct df_stats *st);

/* A function of a library opened on first use (libcurl, libmicrohttpd,
 * libnats): its name, and where its pointer goes in the caller's table of
 * them (offsetof). */
struct cli_dlsym {
    const char *name;
    size_t off;
};
/* Opens soname with dlopen() and writes each of syms' n functions into
 * table.  NULL when done, else why not, in why[whylen]: dlerror() and
 * hint (how to install it; may be NULL), or the function missing (the
 * library is closed again). */
const char *cli_dl_load(const char *soname, const char *hint,
                        const struct cli_dlsym *syms, size_t n, void *table,
                        char *why, size_t whylen);

int cmd_decode(int argc, char **argv);
int cmd_listen(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_vessel(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_worker(int argc, char **argv);

/* ---- Live feeds (net.c) ------------------------------------------- */

enum cli_net_kind {
    CLI_NET_NONE = 0,       /* not a URL: a file or "-" */
    CLI_NET_TCP,            /* tcp://HOST:PORT, a client */
    CLI_NET_UDP             /* udp://[HOST]:PORT, a listener */
};

#define CLI_NET_MAX_FDS 4      /* sockets one URL may open */
#define CLI_NET_CONNECT_MS 10000 /* default connect timeout per address */
#define CLI_NET_DGRAM_MAX 65536 /* largest datagram read whole */

/* Says which kind of input a name is, from its scheme. */
enum cli_net_kind cli_net_kind(const char *input);

/*
 * Opens a feed: connects to a tcp:// URL (every address in turn, each
 * within timeout_ms, or CLI_NET_CONNECT_MS if <= 0; port 2947 is taken to
 * be gpsd and asked for raw sentences) or binds a udp:// URL (udp://:PORT:
 * every address, IPv4 and IPv6).  Fills fds with up to maxfds non-blocking
 * descriptors, which the caller closes, and returns how many; or returns -1
 * and writes a one-line message naming the URL into err.
 */
int cli_net_open(const char *url, int *fds, int maxfds, int timeout_ms,
                 char *err, size_t errlen);

/*
 * Reads what is waiting on a feed's descriptor into buf: for UDP one
 * datagram, ended with a newline if it lacks one (so len must leave room
 * for it).  Returns the byte count, 0 when a TCP peer closed, -2 when
 * nothing is waiting, or -1 on error (errno set).
 */
long cli_net_read(int fd, int udp, char *buf, size_t len);

/* ---- Live inputs read all at once (feeds.c) ------------------------ */

#define CLI_FEEDS_MAX 64

struct cli_feeds_opts {
    const char *who;        /* the command, for messages ("listen") */
    int skip_checksum;
    int64_t dedup_ms;       /* df_nmea_opts.dedup_window_ms */
    int64_t idle_ms;        /* reconnect a TCP feed silent this long; 0:
                             * never */
    int stamp;              /* give messages without a time the wall
                             * clock's */
    int round_ms;           /* a round at least this often, data or not
                             * (0: when a feed needs one, within 1 s) */
};
struct cli_feeds;
/* Feeds for names: tcp:// and udp:// URLs, "-" (standard input) or files
 * (followed as they grow).  NULL after printing a line (too many, out of
 * memory).  Messages and CSV records go to sink. */
struct cli_feeds *cli_feeds_new(char **names, int n,
                                const struct cli_feeds_opts *o,
                                const struct cli_sink *sink);
/* Connects, binds and opens every feed (a TCP feed or a file that cannot
 * be opened yet is tried again later).  1 when a UDP port cannot be
 * bound, after printing why; else 0. */
int cli_feeds_open(struct cli_feeds *fs);
/* Reads until SIGINT or SIGTERM, the sink or round asks to stop, or no
 * feed could still send (standard input ended, a compressed file read).
 * round (if set) runs after every poll round.  1 on a poll failure. */
int cli_feeds_run(struct cli_feeds *fs, int (*round)(void *ud), void *ud);
/* Ends every reader (its last partial line goes through) and adds the
 * readers' counters to st. */
void cli_feeds_stats(struct cli_feeds *fs, struct df_stats *st);
/* Ends every reader, closes, prints each TCP feed's drops when asked, and
 * frees.  NULL is a no-op. */
void cli_feeds_free(struct cli_feeds *fs, int print_drops);

/* Makes SIGINT and SIGTERM set a flag (and interrupt poll) instead of
 * killing the process; ignores SIGPIPE. */
void cli_net_catch_signals(void);
/* Whether SIGINT or SIGTERM arrived since cli_net_catch_signals(). */
int cli_stop_requested(void);
/* A monotonic clock in milliseconds. */
int64_t cli_now_ms(void);

#endif
