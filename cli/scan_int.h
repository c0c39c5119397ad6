/*
 * scan_int.h - what cli/scan.c (the scan command: options, inputs, the
 * pipeline's callbacks) shares with cli/scan_state.c (its saved state:
 * loading it, checkpoints, the inputs already read).
 *
 * Threads: with files, a reader thread runs the readers, the reorder
 * buffer and the input bookkeeping (cur, skip, prog, the reader's
 * counters), and the calling thread everything from df_scan_rec() on,
 * the store included; a checkpoint crosses from one to the other as a
 * mark in the pipe (cli_pipe_mark).  With live feeds both halves run on
 * the calling thread.
 */
#ifndef DF_CLI_SCAN_INT_H
#define DF_CLI_SCAN_INT_H

#include "cli.h"

/* A checkpoint: a place in the ordered stream where the state is saved,
 * with what only the reader knew there.  The reader makes it; the
 * consumer saves it and frees its buffers; the run frees the rest. */
struct ckpt {
    struct ckpt *next;
    unsigned char *ro;          /* the reorder buffer, saved (a stream) */
    size_t nro, capro;
    struct df_input_mark *marks; /* the inputs the state has read */
    size_t nmarks;
    int final;                  /* the end of the run's input */
    int err;                    /* the reorder buffer could not be saved */
};

/* What the reader knows of one input of the command line. */
struct input_prog {
    struct df_input_mark m;     /* path: its real path; records read */
    struct df_input_mark saved; /* the store's mark of it, if any */
    int known;                  /* a file whose identity was read */
    int has_saved;              /* the store had a mark for it */
    int begun;                  /* reading it started in this run */
};

struct scan_run {
    struct df_buf out;
    struct df_store *store;     /* NULL with --no-db */
    struct df_reorder *reorder;
    struct df_scan *scan;
    const struct df_config *cfg;
    struct df_watchlist *wl;    /* NULL without --watchlist */
    struct df_ties *ties;       /* met a listed or DPRK vessel */
    struct cli_pipe *pipe;      /* set while reading on a second thread */
    int failed;                 /* output or store failed: stop */
    uint64_t events, vessels, points, matches, reasons;
    /* watch: events are printed (and alerted) once final only; alert, if
     * set, gets each final event with its stored id (0 without a store)
     * and returns non-zero to stop. */
    int final_only;
    int provisional;            /* past the final checkpoint */
    int (*alert)(struct scan_run *r, const struct df_event *ev, int64_t id);
    void *alert_ud;

    /* Saved state (scan_state.c).  Reader side: */
    int64_t ckpt_every_ms;      /* --checkpoint; 0: after every block */
    int64_t last_ckpt_ms;       /* wall clock of the last one */
    struct ckpt *ckpts;         /* every checkpoint made, newest first */
    struct input_prog *prog;    /* per input of the command line */
    int nprog;
    int cur;                    /* the input being read, or -1 */
    uint64_t live_recs;         /* records of live feeds (checkpoints) */
    uint64_t skip;              /* its records read into the state before */
    int64_t state_ms;           /* input older than this is dropped */
    struct df_stats rst;        /* the reader's counters */
    /* Consumer side: */
    const struct df_geo *geo;
    int64_t reorder_ms;         /* --reorder-window */
    char fingerprint[128];      /* settings the state is valid under */
    unsigned jobs;              /* threads the scan is split over */
    unsigned parts;             /* or partitions (--partitions) */
    struct cli_cluster *cluster; /* --nats: the cluster's transport */
    int no_state;               /* no state saved (a cluster's run) */
    int loaded;                 /* the run began from a saved state */
    uint64_t saves, state_bytes, provisional_dropped;
};

/* ---- what scan and watch share (scan.c) -------------------------------- */

/* The options both take; a command numbers its own from SCAN_OPT_OWN. */
enum {
    SCAN_OPT_DB = CLI_OPT_OWN, SCAN_OPT_ZONES, SCAN_OPT_PORTS,
    SCAN_OPT_CONFIG, SCAN_OPT_SET, SCAN_OPT_REORDER_WINDOW, SCAN_OPT_DEDUP,
    SCAN_OPT_WATCHLIST, SCAN_OPT_NO_DB, SCAN_OPT_NO_DPRK,
    SCAN_OPT_NO_PLACES, SCAN_OPT_FRESH, SCAN_OPT_CHECKPOINT, SCAN_OPT_JOBS,
    SCAN_OPT_PARTS, SCAN_OPT_NATS, SCAN_OPT_WORKERS, SCAN_OPT_RUN,
    SCAN_OPT_REPLICAS, SCAN_OPT_OWN
};
#define SCAN_OPTS                                                          \
    {SCAN_OPT_DB, "--db", NULL, 1}, {SCAN_OPT_ZONES, "--zones", NULL, 1},  \
    {SCAN_OPT_PORTS, "--ports", NULL, 1},                                  \
    {SCAN_OPT_CONFIG, "--config", NULL, 1},                                \
    {SCAN_OPT_SET, "--set", NULL, 1},                                      \
    {SCAN_OPT_REORDER_WINDOW, "--reorder-window", NULL, 1},                \
    {SCAN_OPT_DEDUP, "--dedup", NULL, 1},                                  \
    {SCAN_OPT_WATCHLIST, "--watchlist", NULL, 1},                          \
    {SCAN_OPT_NO_DB, "--no-db", NULL, 0},                                  \
    {SCAN_OPT_NO_DPRK, "--no-dprk", NULL, 0},                              \
    {SCAN_OPT_NO_PLACES, "--no-places", NULL, 0},                          \
    {SCAN_OPT_FRESH, "--fresh", NULL, 0},                                  \
    {SCAN_OPT_CHECKPOINT, "--checkpoint", NULL, 1},                        \
    {SCAN_OPT_JOBS, "--jobs", "-j", 1},                                    \
    {SCAN_OPT_PARTS, "--partitions", NULL, 1},                             \
    CLI_OPTS_READ

/* An option given again (--zones, --ports, --config, --set, --watchlist):
 * each is used in command-line order. */
struct scan_rep {
    int id;
    const char *val;
};

/* What the shared options say, and what is loaded from them. */
struct scan_cmd {
    const char *who;            /* "scan" or "watch", for messages */
    const char *db;
    int no_db, no_dprk, no_places, fresh, stats;
    unsigned jobs;              /* --jobs; 0: the saved state's, or the
                                 * cores */
    unsigned parts;             /* --partitions: split as a cluster is */
    const char *nats;           /* --nats: the cluster's servers */
    const char *run;            /* --run: the run's name there */
    unsigned workers;           /* --workers: local workers to start */
    int replicas;               /* --replicas: of the run's streams */
    double reorder_s, dedup_s, checkpoint_s;
    struct scan_rep *rep;
    int nrep;
    char **inputs;              /* the operands */
    int ninputs;
    struct cli_reader_opts ro;  /* --no-checksum, --dedup, and the hooks */
    struct df_config cfg;
    struct df_geo *geo;
};

/* 0, or 1 after printing "out of memory". */
int scan_cmd_init(struct scan_cmd *c, const char *who, int argc);
/* The configuration (--config, --set) and geography (--zones, --ports,
 * the built-in ones) into c->cfg and c->geo: 0, or non-zero after one
 * error line (scan_cmd_open does it first). */
int scan_cmd_setup(struct scan_cmd *c);
/* Takes a shared option or an operand: 1 if it was one, 0 if not, 2 after
 * printing why its value is bad. */
int scan_cmd_opt(struct scan_cmd *c, int id, const char *val);
/* Thresholds, zones, ports, lists, the store, the scan and its saved
 * state, in that order: 0, or the exit status after one error line. */
int scan_cmd_open(struct scan_cmd *c, struct scan_run *r);
/* After the input: finishes the scan (what it closes now is provisional),
 * commits, warns of input older than the state, prints --stats.  Returns
 * rc, or 1 when the scan or the store failed. */
int scan_cmd_end(struct scan_cmd *c, struct scan_run *r, int rc,
                 struct df_stats *st);
/* Closes the store and frees everything; returns rc, or 1 when closing
 * failed. */
int scan_cmd_free(struct scan_cmd *c, struct scan_run *r, int rc);
/* The usage lines of the shared options, and the thresholds' table. */
void scan_cmd_usage(FILE *f);
void scan_cmd_thresholds(FILE *f);

/* A sink for the readers (cli_sink) on one thread: messages and records
 * go through the reorder buffer into the scan. */
int scan_on_msg(const struct df_msg *m, void *ud);
int scan_on_rec(const struct df_rec *rec, void *ud);
/* Flushes standard output and commits the store (what readers see). */
int scan_flush_store(struct scan_run *r);
/* The end of the input on one thread: the final checkpoint, then what the
 * reorder buffer holds goes into the scan. */
int scan_end_live(struct scan_run *r);

/* ---- the saved state (scan_state.c) ------------------------------------ */

/* After the store, scan, reorder buffer and ties are made: reads each
 * input file's identity, then starts afresh (fresh: the saved state, the
 * inputs and the provisional events are forgotten) or from the saved
 * state, dropping the provisional events first.  Returns 0, or 1 after
 * printing one error line. */
int scan_state_open(struct scan_run *r, char **inputs, int ninputs,
                    int fresh, const char *db);
/* The threads to split the scan over when --jobs is not given: the saved
 * state's (unless fresh), else the number of cores less the two that read
 * and decompress (at least 1, at most 64). */
unsigned scan_state_jobs(struct scan_run *r, int fresh);
/* A record from the readers, before the reorder buffer: 1 if it is to
 * be dropped (read into the state before, or older than it). */
int scan_state_rec(struct scan_run *r, const struct df_rec *rec);
/* The reader's hooks (cli_reader_opts begin and end). */
int scan_state_begin(void *ud, int index, const char *input);
void scan_state_end(void *ud, int index, const char *input, int complete);
/* Reader side: makes a checkpoint if one is due (always when final) and
 * hands it to the consumer: through the pipe when reading on a thread,
 * directly otherwise.  Returns 1 once the consumer has stopped. */
int scan_state_maybe(struct scan_run *r, int final);
/* Consumer side (cli_consumer mark): saves the state at the checkpoint
 * and commits; after the final one, the events written are provisional.
 * Returns 1 when the store failed (the error printed). */
int scan_state_save(void *mark, void *ud);
/* Frees the checkpoints and the input bookkeeping. */
void scan_state_free(struct scan_run *r);
/* 1 if an input file was left before its end (SIGINT or SIGTERM). */
int scan_state_interrupted(const struct scan_run *r);

#endif
