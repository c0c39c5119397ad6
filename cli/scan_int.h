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
    char fingerprint[96];       /* settings the state is valid under */
    int loaded;                 /* the run began from a saved state */
    uint64_t saves, state_bytes, provisional_dropped;
};

/* After the store, scan, reorder buffer and ties are made: reads each
 * input file's identity, then starts afresh (fresh: the saved state, the
 * inputs and the provisional events are forgotten) or from the saved
 * state, dropping the provisional events first.  Returns 0, or 1 after
 * printing one error line. */
int scan_state_open(struct scan_run *r, char **inputs, int ninputs,
                    int fresh, const char *db);
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
