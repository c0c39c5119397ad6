/*
 * store_int.h - the inside of struct df_store, shared by the store's files
 * and by no other:
 *
 *   store.c        the schema and its migrations, open and close,
 *                  transactions, errors, the time format
 *   store_write.c  events, vessels, risk reasons and track points (with
 *                  the point writer thread)
 *   store_read.c   the df_store_each_* readers and the lookups of one
 *                  vessel (df_store_find_vessels, df_store_get_vessel)
 *   store_query.c  a workspace's queries (serve): snapshots, a time limit,
 *                  vessel search, events in a box and a time, tracks at
 *                  a scale, the summary
 *
 * It includes sqlite3.h, so nothing outside these files includes it.
 *
 * A new table is a migration at the end of store.c's migrations[]; its
 * statements are fields of struct df_store, their SQL in store_write.c's
 * stmts[] (prepared and finalized from there), its writers in
 * store_write.c and its readers in store_read.c, or a store_<job>.c of
 * its own that includes this header when the job is large.
 */
#ifndef DF_STORE_INT_H
#define DF_STORE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "darkfleet.h"

/* Track points held in memory to be written sorted: 32 bytes each, 16 MiB
 * a buffer (two with the writer thread).  Smaller in the ThreadSanitizer
 * build, so that the writer runs often. */
#ifdef DF_POINT_BATCH
#define DF__POINT_BATCH DF_POINT_BATCH
#else
#define DF__POINT_BATCH 524288
#endif

/* A track point waiting in memory to be written in key order. */
struct df__pending_point {
    uint32_t mmsi;
    uint32_t seq;           /* arrival order: the later of equal keys wins */
    struct df_point p;
};

struct df_store {
    sqlite3 *db;
    /* Prepared once by df_store_open: meta, begin and commit in store.c,
     * the others with their SQL in store_write.c.  NULL in a store
     * opened read-only, whose readers prepare their own. */
    sqlite3_stmt *event, *vessel, *identity, *point, *meta;
    sqlite3_stmt *reason, *evict, *risk, *reasons_of, *share;
    sqlite3_stmt *name_count, *name_add;    /* vessel_search */
    sqlite3_stmt *begin, *commit;
    int readonly;           /* opened by df_store_open_ro */
    int rescore;            /* migrated from version 2: rescore all */
    struct df_config cfg;   /* the risk policy (df_store_set_config) */
    int version;            /* the file's schema version */
    int64_t last_event_id;  /* id of the event last stored, or 0 */
    unsigned pending;       /* writes in the open transaction */
    struct df__pending_point *pts; /* up to DF__POINT_BATCH, written sorted */
    unsigned npts;
    int in_txn;

    /* Saved state (store_state.c): events written now are provisional;
     * the next chunk's number; the chunk reader; statements prepared on
     * first use. */
    int provisional;
    int64_t state_seq;

    /* Reads for a workspace (store_query.c): a read transaction is open
     * (df_store_read_begin); the time limit of reads in it, in ms (0:
     * none), and when it began (CLOCK_MONOTONIC ms); a read stopped by
     * the limit. */
    int in_read;
    unsigned limit_ms;
    int64_t read_t0;
    int interrupted;
    sqlite3_stmt *state_ins, *state_rd, *input_put, *input_get;

    /* The point writer: a thread that sorts and inserts a full batch
     * (jpts) inside the open transaction while the caller goes on; see
     * "Track points on a thread" in store_write.c.  writer is 0 when no
     * thread runs (it could not start, or SQLite was built without
     * threads): then batches are written in the caller's thread. */
    int writer;
    pthread_t wth;
    pthread_mutex_t wmu;
    pthread_cond_t wcv;
    struct df__pending_point *jpts;
    unsigned njpts;
    int wjob;               /* jpts is handed over, not yet written */
    int wquit;
    enum df_err wrc;        /* the first failure of a handed batch */
    char werr[256];         /* its message (the writer's: st->err is the
                             * caller's until df__store_points_wait) */
    char err[512];
};

/* ---- store.c ------------------------------------------------------------ */

/* Writes a one-line message into st->err: the context, then SQLite's
 * message for the last failure (newlines flattened). */
void df__store_set_err(struct df_store *st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Formats ms since the epoch as "YYYY-MM-DDTHH:MM:SS.sssZ" into out (at
 * least 32 bytes).  Returns the length, or 0 for DF_TIME_NONE or a year
 * outside 0-9999 (stored as NULL: text order must stay time order). */
int df__store_iso_ms(int64_t ms, char *out);

/* Parses a stored time ("YYYY-MM-DDTHH:MM:SS[.sss]Z", as
 * df__store_iso_ms writes it, or with a space for the T) back to ms;
 * DF_TIME_NONE for NULL or anything else. */
int64_t df__store_parse_iso(const unsigned char *t);

/* Steps a bound statement that returns no row, then resets it.  Returns
 * SQLite's result code (SQLITE_DONE on success). */
int df__store_run(sqlite3_stmt *s);

/* Opens a transaction if none is open.  DF_DB, with the message in
 * st->err, when it cannot, or when a failure (the point writer's) rolled
 * the open one back. */
enum df_err df__store_begin(struct df_store *st);

/* Commits the open transaction, if any; points held in memory are not
 * written (df_store_commit writes them first). */
enum df_err df__store_commit_txn(struct df_store *st);

/* ---- store_read.c: what the readers share ------------------------------ */

/* A column in degrees back to 1/10000 min; na when NULL. */
int32_t df__store_col_coord(sqlite3_stmt *s, int i, int32_t na);
/* A column as text copied into a fixed-size field (cut to fit). */
void df__store_col_str(sqlite3_stmt *s, int i, char *out, size_t cap);
/* An events row (columns 1-9: type, vessel1, vessel2, start, end, lat,
 * lon, score, evidence, as both readers select them) into *ev; 0 when its
 * type is unknown (ev untouched), else 1.  Evidence too long for ev is
 * {"truncated":true}. */
int df__store_event_cols(sqlite3_stmt *s, struct df_event *ev);
/* Prepares a reader's statement; sets the error on failure (returns -1).
 * A store being written commits first, so that what is read is
 * everything written. */
int df__store_prepare_read(struct df_store *st, const char *sql,
                           sqlite3_stmt **s, const char *what);
/* Ends a reader: finalizes s and returns rc (fn's stop value), or -1
 * with the error set when the last step was neither a row nor the end. */
int df__store_end_read(struct df_store *st, sqlite3_stmt *s, int rc,
                       int step, const char *what);
/* The newest DF_MAX_IDENTITIES identities of the vessel ?1, for
 * df__store_read_identities. */
extern const char df__store_sql_ids[];
/* Fills v's identities (v->mmsi set) with s, prepared from
 * df__store_sql_ids, and resets s: 0, or -1 with the error set. */
int df__store_read_identities(struct df_store *st, sqlite3_stmt *s,
                              struct df_vessel *v);
/* The vessel of a row of SQL_VESSEL_*: its fields but the identities. */
void df__store_read_vessel(sqlite3_stmt *s, struct df_vessel *v);
/* A vessel's fields (df__store_read_vessel) and score (column 9), all
 * or one (WHERE...); V1 for a store with no risk tables. */
#define SQL_VESSEL_V2                                                      \
    "SELECT v.mmsi, v.mid, v.flag, v.first_seen, v.last_seen,"             \
    " v.positions, v.last_lat, v.last_lon, coalesce(r.score, 0)"           \
    " FROM vessels v LEFT JOIN risk r ON r.mmsi = v.mmsi"
#define SQL_VESSEL_V1                                                      \
    "SELECT mmsi, mid, flag, first_seen, last_seen, positions,"            \
    " last_lat, last_lon, 0.0 FROM vessels"
/* value as a number of decimal digits (at most 10, up to UINT32_MAX);
 * -1 when it is not one. */
int64_t df__store_parse_digits(const char *value);
/* Binds the range [s, the first string past every one starting with s)
 * to parameters lo and lo + 2: s with its last byte below 0xFF increased
 * by one and what follows it cut.  s's bytes are changed.  A string of
 * 0xFF bytes alone (not UTF-8) has no such bound: NULL matches nothing. */
void df__store_bind_prefix(sqlite3_stmt *s, int lo, char *p, size_t n);

/* ---- store_state.c ------------------------------------------------------ */

/* Finalizes the saved state's statements (destroy). */
void df__store_state_fini(struct df_store *st);

/* ---- store_write.c ------------------------------------------------------ */

/* Prepares the write statements of a store opened read-write.  Returns
 * SQLITE_OK, or SQLite's code for the first that fails (the caller sets
 * the message); the ones prepared are finalized by
 * df__store_finalize_writes either way. */
int df__store_prepare_writes(struct df_store *st);

/* Makes mmsi's score again from its reasons (df_risk_combine with
 * st->cfg) and stores each reason's share, inside the open transaction. */
enum df_err df__store_rescore(struct df_store *st, uint32_t mmsi);

/* Finalizes the write statements (NULL ones are no-ops). */
void df__store_finalize_writes(struct df_store *st);

/* Starts the point writer thread; without it (it could not start),
 * batches are written in the caller's thread. */
void df__store_writer_start(struct df_store *st);

/* Stops and joins the point writer, if it runs (a batch being written is
 * finished first), and frees both point buffers: points held in memory
 * and not flushed are dropped. */
void df__store_points_free(struct df_store *st);

/* Waits until no batch is being written; returns the failure of one
 * written since the last call, if any (its message into st->err). */
enum df_err df__store_points_wait(struct df_store *st);

/* Writes the points held in memory inside the open transaction (opening
 * one): handed to the writer with async (the caller goes on), else here.
 * Waits for the batch handed before either way. */
enum df_err df__store_points_flush(struct df_store *st, int async);

#endif
