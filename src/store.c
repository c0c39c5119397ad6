/*
 * store.c - the SQLite store: vessels, their identity history, events and
 * downsampled tracks, in one file an analyst can open with sqlite3, QGIS
 * or pandas.  This is the only file that includes sqlite3.h.
 *
 * Schema version 2 (PRAGMA user_version; PRAGMA application_id marks the
 * file as darkfleet's so that a foreign database is never written to):
 *
 *   meta(key PRIMARY KEY, value)         schema_version, darkfleet_version,
 *                                        created, last_scan
 *   vessels(mmsi PRIMARY KEY, mid, flag, first_seen, last_seen, positions,
 *           last_lat, last_lon)
 *   identities(mmsi -> vessels, first_seen, last_seen, imo, name, callsign,
 *              destination, shiptype, length_m, width_m, draught_m,
 *              UNIQUE(mmsi, imo, name, ... draught_m))
 *   events(id INTEGER PRIMARY KEY, type, vessel1, vessel2, start, end, lat,
 *          lon, score, evidence), unique on (type, vessel1, vessel2, start)
 *   track_points(mmsi, t, lat, lon, speed, course, PRIMARY KEY(mmsi, t))
 *          WITHOUT ROWID
 *   version 2 adds the risk score and the reasons behind it:
 *   reasons(id INTEGER PRIMARY KEY, mmsi, points, text, event_type,
 *          event_id, UNIQUE(mmsi, event_type, event_id, text)); event_id
 *          is 0 for a reason with no stored event behind it (written so,
 *          not NULL, which the UNIQUE key would take as always distinct;
 *          NULL from other writers reads as 0)
 *   risk(mmsi PRIMARY KEY, score): always the sum of the vessel's reasons'
 *          points, recomputed when a reason is added
 *
 * A new file is created at the latest version; an older one is migrated
 * in place when opened read-write (df_store_open), never when opened
 * read-only (df_store_open_ro), which reads a version 1 store as one with
 * no risk: every score 0, no reasons.
 *
 * Units for analysts, not AIS wire units: lat/lon in decimal degrees
 * (REAL), speed in knots, course in degrees, draught and size in metres.
 * Times are ISO 8601 UTC text, always with milliseconds
 * ("2025-03-01T05:30:00.000Z"), so that text order is time order and
 * SQLite's date functions read them; NULL when unknown.  Not-available
 * values are NULL, except in identities, where they are 0 or '' as AIS
 * sends them (SQLite treats NULLs as distinct in a UNIQUE key).  A
 * single-vessel event has vessel2 NULL; its unique key reads it as 0.
 *
 * Every write is an upsert, so scanning the same input again changes
 * nothing: events are keyed by (type, vessels, start); identities extend
 * their first/last seen; vessels widen their time span, add the
 * positions of a span that does not overlap the stored one (a vessel
 * flushed when it fell silent and seen again) and keep the larger count
 * of an overlapping one (the same input scanned twice); a reason already
 * there (same vessel, event type, event id and text) is not added again,
 * so the score, their sum, does not grow either.  A vessel keeps at most
 * MAX_REASONS reasons: the highest points (the oldest among equals), so
 * that a hundred port calls cannot push out a sanctions listing.
 *
 * Writes go through statements prepared once, with every value bound
 * (names and destinations are attacker-controlled), inside explicit
 * transactions of up to BATCH writes.  Track points are held in memory
 * (up to POINT_BATCH, 16 MiB) and written sorted by key, then committed:
 * they arrive in time order across all vessels, and written as they come
 * each would dirty a different page.  A full batch is written by a thread
 * of the store's own while the caller goes on (two buffers, 32 MiB; see
 * "Track points on a thread").  WAL mode lets a report or an analyst
 * read while a scan writes.  df_store_close() commits; a caller that wants
 * the error message of that last commit calls df_store_commit() first.
 */
#include "darkfleet.h"
#include "util/alloc.h"
#include "util/timeutil.h"

#include <sqlite3.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SCHEMA_VERSION 2
#define APPLICATION_ID 0x44466C74 /* "DFlt" */
#define BATCH 50000               /* writes per transaction */
#ifdef DF_POINT_BATCH                /* smaller in the ThreadSanitizer build */
#define POINT_BATCH DF_POINT_BATCH
#else
#define POINT_BATCH 524288        /* track points held to write sorted */
#endif
#define MAX_REASONS 64            /* reasons kept per vessel (darkfleet.h) */

/* Migration i takes the schema from version i to i + 1. */
static const char *const migrations[SCHEMA_VERSION] = {
    /* 0 -> 1: the first schema. */
    "CREATE TABLE meta("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE vessels("
    "  mmsi INTEGER PRIMARY KEY,"
    "  mid INTEGER,"
    "  flag TEXT,"
    "  first_seen TEXT,"
    "  last_seen TEXT,"
    "  positions INTEGER NOT NULL DEFAULT 0,"
    "  last_lat REAL,"
    "  last_lon REAL"
    ");"
    "CREATE TABLE identities("
    "  mmsi INTEGER NOT NULL REFERENCES vessels(mmsi) ON DELETE CASCADE,"
    "  first_seen TEXT,"
    "  last_seen TEXT,"
    "  imo INTEGER NOT NULL DEFAULT 0,"
    "  name TEXT NOT NULL DEFAULT '',"
    "  callsign TEXT NOT NULL DEFAULT '',"
    "  destination TEXT NOT NULL DEFAULT '',"
    "  shiptype INTEGER NOT NULL DEFAULT 0,"
    "  length_m INTEGER NOT NULL DEFAULT 0,"
    "  width_m INTEGER NOT NULL DEFAULT 0,"
    "  draught_m REAL NOT NULL DEFAULT 0,"
    "  UNIQUE(mmsi, imo, name, callsign, destination, shiptype, length_m,"
    "         width_m, draught_m)"
    ");"
    "CREATE INDEX identities_imo ON identities(imo) WHERE imo != 0;"
    "CREATE INDEX identities_name ON identities(name);"
    "CREATE TABLE events("
    "  id INTEGER PRIMARY KEY,"
    "  type TEXT NOT NULL,"
    "  vessel1 INTEGER NOT NULL,"
    "  vessel2 INTEGER,"
    "  start TEXT,"
    "  end TEXT,"
    "  lat REAL,"
    "  lon REAL,"
    "  score REAL,"
    "  evidence TEXT NOT NULL DEFAULT '{}'"
    ");"
    "CREATE UNIQUE INDEX events_key ON events(type, vessel1,"
    "  ifnull(vessel2, 0), ifnull(start, ''));"
    "CREATE INDEX events_vessel1 ON events(vessel1, start);"
    "CREATE INDEX events_vessel2 ON events(vessel2, start)"
    "  WHERE vessel2 IS NOT NULL;"
    "CREATE INDEX events_start ON events(start);"
    "CREATE TABLE track_points("
    "  mmsi INTEGER NOT NULL,"
    "  t TEXT NOT NULL,"
    "  lat REAL,"
    "  lon REAL,"
    "  speed REAL,"
    "  course REAL,"
    "  PRIMARY KEY(mmsi, t)"
    ") WITHOUT ROWID;",
    /* 1 -> 2: risk scores and their reasons. */
    "CREATE TABLE reasons("
    "  id INTEGER PRIMARY KEY,"
    "  mmsi INTEGER NOT NULL,"
    "  points REAL NOT NULL,"
    "  text TEXT NOT NULL,"
    "  event_type TEXT NOT NULL DEFAULT '',"
    "  event_id INTEGER DEFAULT 0,"
    "  UNIQUE(mmsi, event_type, event_id, text)"
    ");"
    "CREATE INDEX reasons_points ON reasons(mmsi, points DESC);"
    "CREATE TABLE risk("
    "  mmsi INTEGER PRIMARY KEY,"
    "  score REAL NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX risk_score ON risk(score DESC);",
};

static const char sql_event[] =
    "INSERT INTO events(type, vessel1, vessel2, start, end, lat, lon,"
    " score, evidence) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    " ON CONFLICT(type, vessel1, ifnull(vessel2, 0), ifnull(start, ''))"
    " DO UPDATE SET end = excluded.end, lat = excluded.lat,"
    " lon = excluded.lon, score = excluded.score,"
    " evidence = excluded.evidence RETURNING id";

/* min/max that ignore a NULL side (SQLite's return NULL if any is). */
#define MIN2(a, b) "min(coalesce(" a ", " b "), coalesce(" b ", " a "))"
#define MAX2(a, b) "max(coalesce(" a ", " b "), coalesce(" b ", " a "))"

static const char sql_vessel[] =
    "INSERT INTO vessels(mmsi, mid, flag, first_seen, last_seen, positions,"
    " last_lat, last_lon) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    " ON CONFLICT(mmsi) DO UPDATE SET"
    " mid = coalesce(excluded.mid, mid),"
    " flag = coalesce(excluded.flag, flag),"
    " positions = CASE WHEN excluded.first_seen > last_seen"
    "   OR excluded.last_seen < first_seen"
    "   THEN positions + excluded.positions"
    "   ELSE max(positions, excluded.positions) END,"
    " last_lat = CASE WHEN last_seen IS NULL"
    "   OR excluded.last_seen >= last_seen"
    "   THEN coalesce(excluded.last_lat, last_lat) ELSE last_lat END,"
    " last_lon = CASE WHEN last_seen IS NULL"
    "   OR excluded.last_seen >= last_seen"
    "   THEN coalesce(excluded.last_lon, last_lon) ELSE last_lon END,"
    " first_seen = " MIN2("first_seen", "excluded.first_seen") ","
    " last_seen = " MAX2("last_seen", "excluded.last_seen");

static const char sql_identity[] =
    "INSERT INTO identities(mmsi, first_seen, last_seen, imo, name,"
    " callsign, destination, shiptype, length_m, width_m, draught_m)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    " ON CONFLICT(mmsi, imo, name, callsign, destination, shiptype,"
    " length_m, width_m, draught_m) DO UPDATE SET"
    " first_seen = " MIN2("first_seen", "excluded.first_seen") ","
    " last_seen = " MAX2("last_seen", "excluded.last_seen");

static const char sql_point[] =
    "INSERT INTO track_points(mmsi, t, lat, lon, speed, course)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT(mmsi, t) DO UPDATE SET lat = excluded.lat,"
    " lon = excluded.lon, speed = excluded.speed, course = excluded.course";

/* A reason: added once; the same reason again only updates its points
 * (a re-scan with other weights). */
static const char sql_reason[] =
    "INSERT INTO reasons(mmsi, points, text, event_type, event_id)"
    " VALUES(?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT(mmsi, event_type, event_id, text) DO UPDATE SET"
    " points = excluded.points";

/* Keeps the MAX_REASONS highest-point reasons of a vessel (the oldest of
 * equal points: a re-added one is the newest and goes first). */
static const char sql_evict[] =
    "DELETE FROM reasons WHERE id IN (SELECT id FROM reasons WHERE"
    " mmsi = ?1 ORDER BY points DESC, id LIMIT -1 OFFSET ?2)";

/* The score is the sum of the reasons. */
static const char sql_risk[] =
    "INSERT INTO risk(mmsi, score) SELECT ?1, total(points) FROM reasons"
    " WHERE mmsi = ?1"
    " ON CONFLICT(mmsi) DO UPDATE SET score = excluded.score";

static const char sql_meta[] =
    "INSERT INTO meta(key, value) VALUES(?1, ?2)"
    " ON CONFLICT(key) DO UPDATE SET value = excluded.value";

/* A track point waiting in memory to be written in key order. */
struct pending_point {
    uint32_t mmsi;
    uint32_t seq;           /* arrival order: the later of equal keys wins */
    struct df_point p;
};

struct df_store {
    sqlite3 *db;
    sqlite3_stmt *event, *vessel, *identity, *point, *meta;
    sqlite3_stmt *reason, *evict, *risk;
    sqlite3_stmt *begin, *commit;
    int readonly;           /* opened by df_store_open_ro */
    int version;            /* the file's schema version */
    int64_t last_event_id;  /* id of the event last stored, or 0 */
    unsigned pending;       /* writes in the open transaction */
    struct pending_point *pts; /* up to POINT_BATCH, written sorted */
    unsigned npts;
    int in_txn;

    /* The point writer: a thread that sorts and inserts a full batch
     * (jpts) inside the open transaction while the caller goes on; see
     * "Track points on a thread" below.  writer is 0 when no thread runs
     * (it could not start, or SQLite was built without threads): then
     * batches are written in the caller's thread. */
    int writer;
    pthread_t wth;
    pthread_mutex_t wmu;
    pthread_cond_t wcv;
    struct pending_point *jpts;
    unsigned njpts;
    int wjob;               /* jpts is handed over, not yet written */
    int wquit;
    enum df_err wrc;        /* the first failure of a handed batch */
    char werr[256];         /* its message (the writer's; see points_wait) */
    char err[512];
};

/* Writes a one-line message into st->err: the context, then SQLite's
 * message for the last failure (newlines flattened). */
static void set_err(struct df_store *st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void set_err(struct df_store *st, const char *fmt, ...)
{
    va_list ap;
    size_t n;
    char *p;

    va_start(ap, fmt);
    vsnprintf(st->err, sizeof st->err, fmt, ap);
    va_end(ap);
    n = strlen(st->err);
    if (st->db && n < sizeof st->err)
        snprintf(st->err + n, sizeof st->err - n, ": %s",
                 sqlite3_errmsg(st->db));
    for (p = st->err; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

/* Formats ms since the epoch as "YYYY-MM-DDTHH:MM:SS.sssZ" into out (at
 * least 32 bytes).  Returns the length, or 0 for DF_TIME_NONE or a year
 * outside 0-9999 (stored as NULL: text order must stay time order). */
static int iso_ms(int64_t ms, char *out)
{
    struct df__tm tm;
    int v[7], w[7] = {4, 2, 2, 2, 2, 2, 3}, i, k, n = 0;
    static const char sep[] = "--T::.Z";

    if (ms == DF_TIME_NONE)
        return 0;
    df__civil(ms, &tm);
    if (tm.year < 0 || tm.year > 9999)
        return 0;
    /* By hand rather than snprintf: this runs for every track point. */
    v[0] = tm.year;
    v[1] = tm.month;
    v[2] = tm.day;
    v[3] = tm.hour;
    v[4] = tm.minute;
    v[5] = tm.second;
    v[6] = tm.ms;
    for (i = 0; i < 7; i++) {
        for (k = w[i] - 1; k >= 0; k--) {
            out[n + k] = (char)('0' + v[i] % 10);
            v[i] /= 10;
        }
        n += w[i];
        out[n++] = sep[i];
    }
    out[n] = '\0';
    return n;
}

/* Binds a time (NULL when unknown); buf must live until the step. */
static int bind_time(sqlite3_stmt *s, int i, int64_t ms, char *buf)
{
    int n = iso_ms(ms, buf);

    if (n == 0)
        return sqlite3_bind_null(s, i);
    return sqlite3_bind_text(s, i, buf, n, SQLITE_STATIC);
}

/* Binds a fixed-size char field, up to its first NUL. */
static int bind_str(sqlite3_stmt *s, int i, const char *str, size_t cap)
{
    return sqlite3_bind_text(s, i, str, (int)strnlen(str, cap),
                             SQLITE_STATIC);
}

/* Binds a wire coordinate (1/10000 min) as degrees, NULL when na or out
 * of range. */
static int bind_coord(sqlite3_stmt *s, int i, int32_t v, int32_t na,
                      int32_t max)
{
    if (v == na || v > max || v < -max)
        return sqlite3_bind_null(s, i);
    return sqlite3_bind_double(s, i, v / 600000.0);
}

/* Steps a bound statement that returns no row, then resets it.  Returns
 * SQLite's result code (SQLITE_DONE on success). */
static int run(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);

    sqlite3_reset(s);
    return rc;
}

/* Runs SQL text with no parameters (schema, pragmas). */
static int exec(struct df_store *st, const char *sql)
{
    return sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

static enum df_err points_wait(struct df_store *st);

/* Opens a transaction if none is open. */
static enum df_err begin(struct df_store *st)
{
    if (st->in_txn) {
        enum df_err e;

        if (!sqlite3_get_autocommit(st->db))
            return DF_OK;
        /* Only a failure rolls a transaction back behind our back (the
         * point writer's, seen here before its batch is collected):
         * writing on would commit every statement on its own. */
        e = points_wait(st);
        st->in_txn = 0;
        if (e == DF_OK)
            snprintf(st->err, sizeof st->err,
                     "the transaction was rolled back");
        return DF_DB;
    }
    if (run(st->begin) != SQLITE_DONE) {
        set_err(st, "starting a transaction");
        return DF_DB;
    }
    st->in_txn = 1;
    return DF_OK;
}

/* Counts n writes; commits when the batch is full. */
static enum df_err wrote(struct df_store *st, unsigned n)
{
    st->pending += n;
    if (st->pending >= BATCH)
        return df_store_commit(st);
    return DF_OK;
}

/* After a failed write: SQLite may have rolled the transaction back. */
static enum df_err failed(struct df_store *st, const char *what)
{
    /* The writer stops at the rollback too (write_points); wait for it,
     * so that nothing begins a transaction under a running batch. */
    (void)points_wait(st);
    set_err(st, "storing %s", what);
    if (sqlite3_get_autocommit(st->db))
        st->in_txn = 0;
    return DF_DB;
}

static int point_cmp(const void *a, const void *b)
{
    const struct pending_point *x = a, *y = b;

    if (x->mmsi != y->mmsi)
        return x->mmsi < y->mmsi ? -1 : 1;
    if (x->p.t_ms != y->p.t_ms)
        return x->p.t_ms < y->p.t_ms ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Writes n points, sorted first.  Points arrive in time order across all
 * vessels but are keyed by (mmsi, t): written as they come, each lands in
 * a different page of the table.  Sorted, a batch walks the table once,
 * which makes storing tracks several times faster.  Inside the open
 * transaction; on failure writes the message into msg (msglen bytes) and
 * returns DF_DB (the caller sees to the transaction's state).  Stops when
 * the transaction is gone (the other thread's failure rolled it back)
 * rather than go on one autocommitted row at a time.
 */
static enum df_err write_points(struct df_store *st,
                                struct pending_point *pts, unsigned n,
                                char *msg, size_t msglen)
{
    sqlite3_stmt *s = st->point;
    unsigned i;
    int rc;

    qsort(pts, n, sizeof *pts, point_cmp);
    for (i = 0; i < n; i++) {
        const struct df_point *p = &pts[i].p;
        char t[32];
        int len = iso_ms(p->t_ms, t);

        if (i % 1024 == 0 && sqlite3_get_autocommit(st->db)) {
            snprintf(msg, msglen, "storing track points: the transaction "
                                  "was rolled back");
            return DF_DB;
        }
        sqlite3_bind_int64(s, 1, pts[i].mmsi);
        sqlite3_bind_text(s, 2, t, len, SQLITE_STATIC);
        bind_coord(s, 3, p->lat, DF_LAT_NA, 90 * 600000);
        bind_coord(s, 4, p->lon, DF_LON_NA, 180 * 600000);
        if (p->speed < DF_SPEED_NA)
            sqlite3_bind_double(s, 5, p->speed / 10.0);
        else
            sqlite3_bind_null(s, 5);
        if (p->course < DF_COURSE_NA)
            sqlite3_bind_double(s, 6, p->course / 10.0);
        else
            sqlite3_bind_null(s, 6);
        if ((rc = run(s)) != SQLITE_DONE) {
            /* errstr, not errmsg: the other thread may have used the
             * connection since; msg, not st->err: it may be writing it */
            snprintf(msg, msglen, "storing a track point: %s",
                     sqlite3_errstr(rc));
            return DF_DB;
        }
    }
    return DF_OK;
}

/*
 * Track points on a thread.  A day holds over a million display points,
 * and inserting them is most of what the store costs; the scan need not
 * wait for it.  When the buffer fills, the caller commits the batch
 * written before, opens a transaction and hands the full buffer to the
 * writer thread, which sorts and inserts it while the caller fills the
 * other buffer and writes vessels and events into the same transaction.
 * The connection is opened in SQLite's serialized mode, so the two
 * threads' statements interleave safely (each uses its own statements);
 * only the caller begins and commits, and never while a batch is being
 * written: every commit waits for the writer first (points_wait).
 */
static void *writer_main(void *arg)
{
    struct df_store *st = arg;

    pthread_mutex_lock(&st->wmu);
    for (;;) {
        enum df_err e;

        while (!st->wjob && !st->wquit)
            pthread_cond_wait(&st->wcv, &st->wmu);
        if (!st->wjob)
            break;
        pthread_mutex_unlock(&st->wmu);
        e = write_points(st, st->jpts, st->njpts, st->werr,
                         sizeof st->werr);
        pthread_mutex_lock(&st->wmu);
        if (e != DF_OK && st->wrc == DF_OK)
            st->wrc = e;
        st->wjob = 0;
        pthread_cond_broadcast(&st->wcv);
    }
    pthread_mutex_unlock(&st->wmu);
    return NULL;
}

/* Starts the writer; without it, batches are written in the caller. */
static void writer_start(struct df_store *st)
{
    if (!sqlite3_threadsafe())
        return;
    st->jpts = df__malloc(POINT_BATCH * sizeof *st->jpts);
    if (!st->jpts)
        return;
    if (pthread_mutex_init(&st->wmu, NULL) != 0)
        goto fail;
    if (pthread_cond_init(&st->wcv, NULL) != 0) {
        pthread_mutex_destroy(&st->wmu);
        goto fail;
    }
    if (pthread_create(&st->wth, NULL, writer_main, st) != 0) {
        pthread_cond_destroy(&st->wcv);
        pthread_mutex_destroy(&st->wmu);
        goto fail;
    }
    st->writer = 1;
    return;
fail:
    df__free(st->jpts);
    st->jpts = NULL;
}

/* Waits until no batch is being written; returns the failure of one
 * written since the last call, if any. */
static enum df_err points_wait(struct df_store *st)
{
    enum df_err e;

    if (!st->writer)
        return DF_OK;
    pthread_mutex_lock(&st->wmu);
    while (st->wjob)
        pthread_cond_wait(&st->wcv, &st->wmu);
    e = st->wrc;
    st->wrc = DF_OK;
    if (e != DF_OK)
        snprintf(st->err, sizeof st->err, "%s", st->werr);
    pthread_mutex_unlock(&st->wmu);
    if (e != DF_OK && sqlite3_get_autocommit(st->db))
        st->in_txn = 0;       /* SQLite rolled the transaction back */
    return e;
}

static void writer_stop(struct df_store *st)
{
    if (!st->writer)
        return;
    pthread_mutex_lock(&st->wmu);
    st->wquit = 1;
    pthread_cond_broadcast(&st->wcv);
    pthread_mutex_unlock(&st->wmu);
    pthread_join(st->wth, NULL);
    pthread_cond_destroy(&st->wcv);
    pthread_mutex_destroy(&st->wmu);
    st->writer = 0;
}

/*
 * Writes the points held in memory inside the open transaction: handed
 * to the writer with async (the caller goes on), else here.  Waits for
 * the batch handed before either way.
 */
static enum df_err flush_points(struct df_store *st, int async)
{
    unsigned n = st->npts;
    enum df_err e;

    if ((e = points_wait(st)) != DF_OK)
        return e;
    if (n == 0)
        return DF_OK;
    st->npts = 0;
    if ((e = begin(st)) != DF_OK)
        return e;
    if (async && st->writer) {
        struct pending_point *full = st->pts;

        st->pts = st->jpts;
        pthread_mutex_lock(&st->wmu);
        st->jpts = full;
        st->njpts = n;
        st->wjob = 1;
        pthread_cond_broadcast(&st->wcv);
        pthread_mutex_unlock(&st->wmu);
        return DF_OK;
    }
    if ((e = write_points(st, st->pts, n, st->err, sizeof st->err)) !=
            DF_OK &&
        sqlite3_get_autocommit(st->db))
        st->in_txn = 0;
    return e;
}

/* Commits the open transaction, if any (points not flushed). */
static enum df_err commit_txn(struct df_store *st)
{
    if (!st->in_txn)
        return DF_OK;
    if (run(st->commit) != SQLITE_DONE) {
        set_err(st, "committing");
        if (sqlite3_get_autocommit(st->db))
            st->in_txn = 0;
        return DF_DB;
    }
    st->in_txn = 0;
    st->pending = 0;
    return DF_OK;
}

enum df_err df_store_commit(struct df_store *st)
{
    enum df_err e;

    if (!st)
        return DF_INVAL;
    if (st->readonly)
        return DF_OK;
    if ((e = flush_points(st, 0)) != DF_OK)
        return e;
    return commit_txn(st);
}

/* Reads one integer from a pragma or query with no parameters; -1 on
 * failure. */
static int64_t query_int(struct df_store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    int64_t v = -1;

    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static enum df_err set_meta(struct df_store *st, const char *key,
                            const char *value)
{
    sqlite3_bind_text(st->meta, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st->meta, 2, value, -1, SQLITE_STATIC);
    if (run(st->meta) != SQLITE_DONE) {
        set_err(st, "writing meta '%s'", key);
        return DF_DB;
    }
    return DF_OK;
}

/* Brings the schema from its version to SCHEMA_VERSION, each step in its
 * own transaction.  path is for messages. */
static enum df_err migrate(struct df_store *st, const char *path)
{
    int64_t version = query_int(st, "PRAGMA user_version");
    int64_t appid = query_int(st, "PRAGMA application_id");
    int64_t tables;

    if (version < 0 || appid < 0) {
        set_err(st, "%s: reading the schema version", path);
        return DF_DB;
    }
    if (version > SCHEMA_VERSION) {
        snprintf(st->err, sizeof st->err,
                 "%s: database schema version %lld is newer than this "
                 "darkfleet's (%d)",
                 path, (long long)version, SCHEMA_VERSION);
        return DF_DB;
    }
    if (appid != 0 && appid != APPLICATION_ID) {
        snprintf(st->err, sizeof st->err,
                 "%s: not a darkfleet database (application_id %lld)",
                 path, (long long)appid);
        return DF_DB;
    }
    if (version == 0) {
        tables = query_int(st, "SELECT count(*) FROM sqlite_schema");
        if (tables != 0) {
            snprintf(st->err, sizeof st->err,
                     "%s: not a darkfleet database (it has tables but no "
                     "darkfleet schema version)",
                     path);
            return DF_DB;
        }
    }
    while (version < SCHEMA_VERSION) {
        char pragma[96];

        snprintf(pragma, sizeof pragma,
                 "PRAGMA user_version = %d; PRAGMA application_id = %d;",
                 (int)version + 1, APPLICATION_ID);
        if (exec(st, "BEGIN IMMEDIATE") != SQLITE_OK) {
            set_err(st, "%s: creating the schema", path);
            return DF_DB;
        }
        if (exec(st, migrations[version]) != SQLITE_OK ||
            exec(st, pragma) != SQLITE_OK) {
            set_err(st, "%s: migrating the schema to version %d", path,
                    (int)version + 1);
            exec(st, "ROLLBACK");
            return DF_DB;
        }
        if (exec(st, "COMMIT") != SQLITE_OK) {
            set_err(st, "%s: committing the schema", path);
            exec(st, "ROLLBACK");
            return DF_DB;
        }
        version++;
    }
    return DF_OK;
}

static void now_iso(char *out)
{
    int64_t ms = (int64_t)time(NULL) * 1000;

    if (iso_ms(ms, out) == 0)
        strcpy(out, "");
}

/* Frees everything of st without committing. */
static void destroy(struct df_store *st)
{
    writer_stop(st);
    sqlite3_finalize(st->event);
    sqlite3_finalize(st->vessel);
    sqlite3_finalize(st->identity);
    sqlite3_finalize(st->point);
    sqlite3_finalize(st->meta);
    sqlite3_finalize(st->reason);
    sqlite3_finalize(st->evict);
    sqlite3_finalize(st->risk);
    sqlite3_finalize(st->begin);
    sqlite3_finalize(st->commit);
    sqlite3_close(st->db);
    df__free(st->pts);
    df__free(st->jpts);
    df__free(st);
}

enum df_err df_store_open(struct df_store **out, const char *path,
                          char *err, size_t errlen)
{
    struct df_store *st;
    char now[32], version[8];
    int rc;

    if (errlen)
        err[0] = '\0';
    if (!out || !path) {
        snprintf(err, errlen, "df_store_open: no path");
        return DF_INVAL;
    }
    *out = NULL;
    st = df__calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, errlen, "%s: out of memory", path);
        return DF_NOMEM;
    }
    st->pts = df__malloc(POINT_BATCH * sizeof *st->pts);
    if (!st->pts) {
        snprintf(err, errlen, "%s: out of memory", path);
        df__free(st);
        return DF_NOMEM;
    }
    rc = sqlite3_open_v2(path, &st->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                             SQLITE_OPEN_FULLMUTEX,
                         NULL);
    if (rc != SQLITE_OK) {
        if (!st->db) {
            snprintf(err, errlen, "%s: out of memory", path);
            df__free(st->pts);
            df__free(st);
            return DF_NOMEM;
        }
        set_err(st, "%s: cannot open database", path);
        goto fail;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, 5000);
    /* SQLite opens a file it may not write read-only without a word;
     * a scan must know now, not at its first commit. */
    if (sqlite3_db_readonly(st->db, "main") == 1) {
        snprintf(st->err, sizeof st->err,
                 "%s: cannot write the database (read-only)", path);
        goto fail;
    }
    /* journal_mode answers with the mode it took: "memory" for an
     * in-memory database, which cannot use WAL and need not. */
    /* 16 KiB pages (a new file only; WAL fixes the size): a commit
     * writes a quarter as many WAL frames (measured on 1.5 M rows of a
     * MarineCadastre day: commits took 0.2 s instead of 1.3 s). */
    if (exec(st, "PRAGMA page_size = 16384") != SQLITE_OK ||
        exec(st, "PRAGMA journal_mode = WAL") != SQLITE_OK ||
        exec(st, "PRAGMA synchronous = NORMAL") != SQLITE_OK ||
        exec(st, "PRAGMA foreign_keys = ON") != SQLITE_OK ||
        exec(st, "PRAGMA cache_size = -65536") != SQLITE_OK) {
        set_err(st, "%s: cannot open database", path);
        goto fail;
    }
    if (migrate(st, path) != DF_OK)
        goto fail;
    st->version = SCHEMA_VERSION;
    if (sqlite3_prepare_v3(st->db, sql_event, -1, SQLITE_PREPARE_PERSISTENT,
                           &st->event, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(st->db, sql_vessel, -1,
                           SQLITE_PREPARE_PERSISTENT, &st->vessel,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(st->db, sql_identity, -1,
                           SQLITE_PREPARE_PERSISTENT, &st->identity,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(st->db, sql_point, -1, SQLITE_PREPARE_PERSISTENT,
                           &st->point, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(st->db, sql_meta, -1, SQLITE_PREPARE_PERSISTENT,
                           &st->meta, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(st->db, sql_reason, -1,
                           SQLITE_PREPARE_PERSISTENT, &st->reason,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(st->db, sql_evict, -1, SQLITE_PREPARE_PERSISTENT,
                           &st->evict, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(st->db, sql_risk, -1, SQLITE_PREPARE_PERSISTENT,
                           &st->risk, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(st->db, "BEGIN IMMEDIATE", -1,
                           SQLITE_PREPARE_PERSISTENT, &st->begin,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(st->db, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT,
                           &st->commit, NULL) != SQLITE_OK) {
        set_err(st, "%s: preparing statements", path);
        goto fail;
    }
    snprintf(version, sizeof version, "%d", SCHEMA_VERSION);
    now_iso(now);
    if (begin(st) != DF_OK ||
        set_meta(st, "schema_version", version) != DF_OK ||
        set_meta(st, "darkfleet_version", DF_VERSION_STRING) != DF_OK)
        goto fail;
    /* "created" only once: an upsert would move it. */
    if (query_int(st, "SELECT count(*) FROM meta WHERE key = 'created'") ==
            0 &&
        set_meta(st, "created", now) != DF_OK)
        goto fail;
    if (df_store_commit(st) != DF_OK)
        goto fail;
    writer_start(st);
    *out = st;
    return DF_OK;
fail:
    snprintf(err, errlen, "%s", st->err);
    destroy(st);
    return DF_DB;
}

enum df_err df_store_event(struct df_store *st, const struct df_event *ev)
{
    sqlite3_stmt *s;
    char t0[32], t1[32];
    size_t elen;
    enum df_err e;

    if (!st || !ev || st->readonly)
        return DF_INVAL;
    if ((e = begin(st)) != DF_OK)
        return e;
    s = st->event;
    sqlite3_bind_text(s, 1, df_event_name(ev->type), -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, ev->nvessels >= 1 ? ev->vessels[0] : 0);
    if (ev->nvessels >= 2)
        sqlite3_bind_int64(s, 3, ev->vessels[1]);
    else
        sqlite3_bind_null(s, 3);
    bind_time(s, 4, ev->start_ms, t0);
    bind_time(s, 5, ev->end_ms, t1);
    bind_coord(s, 6, ev->lat, DF_LAT_NA, 90 * 600000);
    bind_coord(s, 7, ev->lon, DF_LON_NA, 180 * 600000);
    if (!isnan(ev->score))
        sqlite3_bind_double(s, 8, ev->score);
    else
        sqlite3_bind_null(s, 8);
    elen = strnlen(ev->evidence, sizeof ev->evidence);
    if (elen == 0 || elen == sizeof ev->evidence)
        sqlite3_bind_text(s, 9, "{}", 2, SQLITE_STATIC);
    else
        sqlite3_bind_text(s, 9, ev->evidence, (int)elen, SQLITE_STATIC);
    /* RETURNING gives the row's id whether it was inserted or updated
     * (sqlite3_last_insert_rowid() misses the update). */
    st->last_event_id = 0;
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return failed(st, "an event");
    }
    st->last_event_id = sqlite3_column_int64(s, 0);
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_reset(s);
        st->last_event_id = 0;
        return failed(st, "an event");
    }
    sqlite3_reset(s);
    return wrote(st, 1);
}

enum df_err df_store_vessel(struct df_store *st, const struct df_vessel *v)
{
    sqlite3_stmt *s;
    char t0[32], t1[32];
    unsigned i, n;
    enum df_err e;

    if (!st || !v || st->readonly)
        return DF_INVAL;
    if ((e = begin(st)) != DF_OK)
        return e;
    s = st->vessel;
    sqlite3_bind_int64(s, 1, v->mmsi);
    if (v->mid)
        sqlite3_bind_int(s, 2, v->mid);
    else
        sqlite3_bind_null(s, 2);
    if (v->flag[0])
        bind_str(s, 3, v->flag, sizeof v->flag);
    else
        sqlite3_bind_null(s, 3);
    bind_time(s, 4, v->first_ms, t0);
    bind_time(s, 5, v->last_ms, t1);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)v->positions);
    bind_coord(s, 7, v->last_lat, DF_LAT_NA, 90 * 600000);
    bind_coord(s, 8, v->last_lon, DF_LON_NA, 180 * 600000);
    if (run(s) != SQLITE_DONE)
        return failed(st, "a vessel");

    n = v->nidentities > DF_MAX_IDENTITIES ? DF_MAX_IDENTITIES
                                           : v->nidentities;
    s = st->identity;
    for (i = 0; i < n; i++) {
        const struct df_identity *id = &v->identities[i];

        sqlite3_bind_int64(s, 1, v->mmsi);
        bind_time(s, 2, id->first_ms, t0);
        bind_time(s, 3, id->last_ms, t1);
        sqlite3_bind_int64(s, 4, id->imo);
        bind_str(s, 5, id->shipname, sizeof id->shipname);
        bind_str(s, 6, id->callsign, sizeof id->callsign);
        bind_str(s, 7, id->destination, sizeof id->destination);
        sqlite3_bind_int(s, 8, id->shiptype);
        sqlite3_bind_int(s, 9, id->length_m);
        sqlite3_bind_int(s, 10, id->width_m);
        sqlite3_bind_double(s, 11, id->draught / 10.0);
        if (run(s) != SQLITE_DONE)
            return failed(st, "an identity");
    }
    return wrote(st, 1 + n);
}

enum df_err df_store_point(struct df_store *st, uint32_t mmsi,
                           const struct df_point *p)
{
    struct pending_point *pp;
    char t[32];

    if (!st || !p || st->readonly)
        return DF_INVAL;
    if (iso_ms(p->t_ms, t) == 0)
        return DF_OK;   /* a track point without a time cannot be keyed */
    if (st->npts == POINT_BATCH) {
        /* Commit the batch written before, then hand this one over.
         * Before adding: on failure the buffer stays full, and a caller
         * that goes on (scan.c's KEEP) must not write past it. */
        enum df_err e = points_wait(st);
        if (e == DF_OK)
            e = commit_txn(st);
        if (e == DF_OK)
            e = flush_points(st, 1);
        if (e != DF_OK)
            return e;
    }
    pp = &st->pts[st->npts];
    pp->mmsi = mmsi;
    pp->seq = st->npts;
    pp->p = *p;
    st->npts++;
    return DF_OK;
}

const char *df_store_error(const struct df_store *st)
{
    if (!st)
        return "no store";
    return st->err[0] ? st->err : "no error";
}

enum df_err df_store_close(struct df_store *st)
{
    enum df_err e = DF_OK;
    char now[32];

    if (!st)
        return DF_OK;
    if (st->readonly) {    /* nothing to commit, nothing to write */
        destroy(st);
        return DF_OK;
    }
    now_iso(now);
    if (begin(st) != DF_OK || set_meta(st, "last_scan", now) != DF_OK ||
        df_store_commit(st) != DF_OK)
        e = DF_DB;
    if (e == DF_OK)
        exec(st, "PRAGMA optimize");
    destroy(st);
    return e;
}

int64_t df_store_last_event_id(const struct df_store *st)
{
    return st ? st->last_event_id : 0;
}

/* ---- risk --------------------------------------------------------------- */

enum df_err df_store_risk_add(struct df_store *st, uint32_t mmsi,
                              const struct df_reason *r)
{
    sqlite3_stmt *s;
    enum df_err e;

    if (!st || !r || st->readonly || isnan(r->points))
        return DF_INVAL;
    if ((e = begin(st)) != DF_OK)
        return e;
    s = st->reason;
    sqlite3_bind_int64(s, 1, mmsi);
    sqlite3_bind_double(s, 2, r->points);
    bind_str(s, 3, r->text, sizeof r->text);
    bind_str(s, 4, r->event_type, sizeof r->event_type);
    sqlite3_bind_int64(s, 5, r->event_id);
    if (run(s) != SQLITE_DONE)
        return failed(st, "a risk reason");
    sqlite3_bind_int64(st->evict, 1, mmsi);
    sqlite3_bind_int(st->evict, 2, MAX_REASONS);
    if (run(st->evict) != SQLITE_DONE)
        return failed(st, "a risk reason");
    sqlite3_bind_int64(st->risk, 1, mmsi);
    if (run(st->risk) != SQLITE_DONE)
        return failed(st, "a risk score");
    return wrote(st, 2);
}

/* ---- reading back --------------------------------------------------------- */

enum df_err df_store_open_ro(struct df_store **out, const char *path,
                             char *err, size_t errlen)
{
    struct df_store *st;
    int64_t version, appid;
    int rc;

    if (errlen)
        err[0] = '\0';
    if (!out || !path) {
        snprintf(err, errlen, "df_store_open_ro: no path");
        return DF_INVAL;
    }
    *out = NULL;
    st = df__calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, errlen, "%s: out of memory", path);
        return DF_NOMEM;
    }
    st->readonly = 1;
    rc = sqlite3_open_v2(path, &st->db,
                         SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        if (!st->db) {
            snprintf(err, errlen, "%s: out of memory", path);
            df__free(st);
            return DF_NOMEM;
        }
        /* SQLite says "unable to open database file" for a missing one. */
        set_err(st, "%s: cannot open database (missing or unreadable)",
                path);
        goto fail;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, 5000);
    version = query_int(st, "PRAGMA user_version");
    appid = query_int(st, "PRAGMA application_id");
    if (version < 0 || appid < 0) {
        /* Not a database at all: SQLite fails on the first read. */
        set_err(st, "%s: not a darkfleet database", path);
        goto fail;
    }
    if ((appid != 0 && appid != APPLICATION_ID) || version == 0) {
        snprintf(st->err, sizeof st->err,
                 "%s: not a darkfleet database (run darkfleet scan "
                 "--db %s first)",
                 path, path);
        goto fail;
    }
    if (version > SCHEMA_VERSION) {
        snprintf(st->err, sizeof st->err,
                 "%s: database schema version %lld is newer than this "
                 "darkfleet's (%d)",
                 path, (long long)version, SCHEMA_VERSION);
        goto fail;
    }
    st->version = (int)version;
    *out = st;
    return DF_OK;
fail:
    snprintf(err, errlen, "%s", st->err);
    destroy(st);
    return DF_IO;
}

/* Parses a stored time ("YYYY-MM-DDTHH:MM:SS[.sss]Z", as iso_ms writes
 * it, or with a space for the T) back to ms; DF_TIME_NONE for NULL or
 * anything else. */
static int64_t parse_iso(const unsigned char *t)
{
    int v[7] = {0, 0, 0, 0, 0, 0, 0}, w[6] = {4, 2, 2, 2, 2, 2}, i, k;
    static const char sep[] = "--T::";
    const unsigned char *p = t;

    if (!p)
        return DF_TIME_NONE;
    for (i = 0; i < 6; i++) {
        for (k = 0; k < w[i]; k++, p++) {
            if (*p < '0' || *p > '9')
                return DF_TIME_NONE;
            v[i] = v[i] * 10 + (*p - '0');
        }
        if (i < 5) {
            if (*p != sep[i] && !(i == 2 && *p == ' '))
                return DF_TIME_NONE;
            p++;
        }
    }
    if (*p == '.') {
        for (p++, k = 0; *p >= '0' && *p <= '9'; p++, k++)
            if (k < 3)
                v[6] = v[6] * 10 + (*p - '0');
        for (; k < 3; k++)
            v[6] *= 10;
    }
    if (*p == 'Z')
        p++;
    if (*p != '\0')
        return DF_TIME_NONE;
    return df__utc_ms(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
}

/* A column in degrees back to 1/10000 min; na when NULL. */
static int32_t col_coord(sqlite3_stmt *s, int i, int32_t na)
{
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return na;
    return (int32_t)llround(sqlite3_column_double(s, i) * 600000.0);
}

/* A column as text copied into a fixed-size field (cut to fit). */
static void col_str(sqlite3_stmt *s, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    size_t n = t ? (size_t)sqlite3_column_bytes(s, i) : 0;

    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(out, t, n);
    out[n] = '\0';
}

/* Prepares a reader's statement; sets the error on failure.  A store being
 * written commits first, so that what is read is everything written. */
static int prepare_read(struct df_store *st, const char *sql,
                        sqlite3_stmt **s, const char *what)
{
    *s = NULL;
    if (!st->readonly && df_store_commit(st) != DF_OK)
        return -1;
    if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK) {
        set_err(st, "reading %s", what);
        return -1;
    }
    return 0;
}

/* Ends a reader: fn's stop value, 0 at the end, -1 on a database error. */
static int end_read(struct df_store *st, sqlite3_stmt *s, int rc, int step,
                    const char *what)
{
    if (rc == 0 && step != SQLITE_DONE) {
        set_err(st, "reading %s", what);
        rc = -1;
    }
    sqlite3_finalize(s);
    return rc;
}

/* Fills v's identities from the statement prepared in each_vessel. */
static int read_identities(struct df_store *st, sqlite3_stmt *s,
                           struct df_vessel *v)
{
    int step;
    unsigned n = 0;

    sqlite3_bind_int64(s, 1, v->mmsi);
    while ((step = sqlite3_step(s)) == SQLITE_ROW && n < DF_MAX_IDENTITIES) {
        struct df_identity *id = &v->identities[n++];

        id->first_ms = parse_iso(sqlite3_column_text(s, 0));
        id->last_ms = parse_iso(sqlite3_column_text(s, 1));
        id->imo = (uint32_t)sqlite3_column_int64(s, 2);
        col_str(s, 3, id->shipname, sizeof id->shipname);
        col_str(s, 4, id->callsign, sizeof id->callsign);
        col_str(s, 5, id->destination, sizeof id->destination);
        id->shiptype = (uint8_t)sqlite3_column_int(s, 6);
        id->length_m = (uint16_t)sqlite3_column_int(s, 7);
        id->width_m = (uint16_t)sqlite3_column_int(s, 8);
        id->draught = (uint8_t)llround(sqlite3_column_double(s, 9) * 10.0);
    }
    sqlite3_reset(s);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        set_err(st, "reading identities");
        return -1;
    }
    /* Selected newest first (the newest DF_MAX_IDENTITIES); handed out
     * oldest first, as the tracker keeps them. */
    v->nidentities = n;
    for (unsigned i = 0; i < n / 2; i++) {
        struct df_identity tmp = v->identities[i];
        v->identities[i] = v->identities[n - 1 - i];
        v->identities[n - 1 - i] = tmp;
    }
    return 0;
}

/*
 * Vessels by score (descending), then MMSI.  Each comes with its
 * identities, oldest first (by first seen; the newest DF_MAX_IDENTITIES
 * when more are stored).  A version 1 store has no risk: every score 0.
 */
int df_store_each_vessel(struct df_store *st,
                         int (*fn)(const struct df_vessel *v, double score,
                                   void *ud),
                         void *ud)
{
    static const char sql_v2[] =
        "SELECT v.mmsi, v.mid, v.flag, v.first_seen, v.last_seen,"
        " v.positions, v.last_lat, v.last_lon, coalesce(r.score, 0)"
        " FROM vessels v LEFT JOIN risk r ON r.mmsi = v.mmsi"
        " ORDER BY 9 DESC, v.mmsi";
    static const char sql_v1[] =
        "SELECT mmsi, mid, flag, first_seen, last_seen, positions,"
        " last_lat, last_lon, 0.0 FROM vessels ORDER BY mmsi";
    static const char sql_ids[] =
        "SELECT first_seen, last_seen, imo, name, callsign, destination,"
        " shiptype, length_m, width_m, draught_m FROM identities"
        " WHERE mmsi = ?1 ORDER BY first_seen DESC, rowid DESC LIMIT 16";
    sqlite3_stmt *s, *ids = NULL;
    struct df_vessel *v;
    int rc = 0, step = SQLITE_DONE;

    if (!st || !fn)
        return -1;
    if (prepare_read(st, st->version >= 2 ? sql_v2 : sql_v1, &s,
                     "vessels") != 0)
        return -1;
    if (sqlite3_prepare_v2(st->db, sql_ids, -1, &ids, NULL) != SQLITE_OK) {
        set_err(st, "reading identities");
        sqlite3_finalize(s);
        return -1;
    }
    v = df__malloc(sizeof *v);
    if (!v) {
        snprintf(st->err, sizeof st->err, "reading vessels: out of memory");
        sqlite3_finalize(ids);
        sqlite3_finalize(s);
        return -1;
    }
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        memset(v, 0, sizeof *v);
        v->mmsi = (uint32_t)sqlite3_column_int64(s, 0);
        v->mid = (uint16_t)sqlite3_column_int(s, 1);
        col_str(s, 2, v->flag, sizeof v->flag);
        v->first_ms = parse_iso(sqlite3_column_text(s, 3));
        v->last_ms = parse_iso(sqlite3_column_text(s, 4));
        v->positions = (uint64_t)sqlite3_column_int64(s, 5);
        v->last_lat = col_coord(s, 6, DF_LAT_NA);
        v->last_lon = col_coord(s, 7, DF_LON_NA);
        if (read_identities(st, ids, v) != 0) {
            rc = -1;
            break;
        }
        rc = fn(v, sqlite3_column_double(s, 8), ud);
    }
    df__free(v);
    sqlite3_finalize(ids);
    return end_read(st, s, rc, step, "vessels");
}

/* Reasons by points (descending), then in the order they were added. */
int df_store_each_reason(struct df_store *st, uint32_t mmsi,
                         int (*fn)(const struct df_reason *r, void *ud),
                         void *ud)
{
    sqlite3_stmt *s;
    struct df_reason r;
    int rc = 0, step = SQLITE_DONE;

    if (!st || !fn)
        return -1;
    if (st->version < 2)
        return 0;   /* a version 1 store: no risk yet */
    if (prepare_read(st,
                     "SELECT points, text, event_type, event_id FROM reasons"
                     " WHERE mmsi = ?1 ORDER BY points DESC, id",
                     &s, "reasons") != 0)
        return -1;
    sqlite3_bind_int64(s, 1, mmsi);
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        memset(&r, 0, sizeof r);
        r.points = sqlite3_column_double(s, 0);
        col_str(s, 1, r.text, sizeof r.text);
        col_str(s, 2, r.event_type, sizeof r.event_type);
        r.event_id = sqlite3_column_int64(s, 3);
        rc = fn(&r, ud);
    }
    return end_read(st, s, rc, step, "reasons");
}

/* Events by start (unknown starts first), then id; rows of a type this
 * darkfleet does not know are skipped. */
int df_store_each_event(struct df_store *st, uint32_t mmsi,
                        int (*fn)(int64_t id, const struct df_event *ev,
                                  void *ud),
                        void *ud)
{
    static const char sql_all[] =
        "SELECT id, type, vessel1, vessel2, start, end, lat, lon, score,"
        " evidence FROM events ORDER BY start, id";
    static const char sql_one[] =
        "SELECT id, type, vessel1, vessel2, start, end, lat, lon, score,"
        " evidence FROM events WHERE vessel1 = ?1 OR vessel2 = ?1"
        " ORDER BY start, id";
    sqlite3_stmt *s;
    struct df_event *ev;
    int rc = 0, step = SQLITE_DONE;

    if (!st || !fn)
        return -1;
    if (prepare_read(st, mmsi ? sql_one : sql_all, &s, "events") != 0)
        return -1;
    if (mmsi)
        sqlite3_bind_int64(s, 1, mmsi);
    ev = df__malloc(sizeof *ev);
    if (!ev) {
        snprintf(st->err, sizeof st->err, "reading events: out of memory");
        sqlite3_finalize(s);
        return -1;
    }
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        int type = df_event_type_from_name(
            (const char *)sqlite3_column_text(s, 1));
        int elen;

        if (type < 0)
            continue;
        memset(ev, 0, sizeof *ev);
        ev->type = (enum df_event_type)type;
        ev->vessels[0] = (uint32_t)sqlite3_column_int64(s, 2);
        ev->nvessels = 1;
        if (sqlite3_column_type(s, 3) != SQLITE_NULL) {
            ev->vessels[1] = (uint32_t)sqlite3_column_int64(s, 3);
            ev->nvessels = 2;
        }
        ev->start_ms = parse_iso(sqlite3_column_text(s, 4));
        ev->end_ms = parse_iso(sqlite3_column_text(s, 5));
        ev->lat = col_coord(s, 6, DF_LAT_NA);
        ev->lon = col_coord(s, 7, DF_LON_NA);
        ev->score = sqlite3_column_type(s, 8) == SQLITE_NULL
                        ? NAN
                        : sqlite3_column_double(s, 8);
        elen = sqlite3_column_bytes(s, 9);
        if (elen >= (int)sizeof ev->evidence)
            snprintf(ev->evidence, sizeof ev->evidence,
                     "{\"truncated\":true}");
        else
            col_str(s, 9, ev->evidence, sizeof ev->evidence);
        rc = fn(sqlite3_column_int64(s, 0), ev, ud);
    }
    df__free(ev);
    return end_read(st, s, rc, step, "events");
}

/* Points by MMSI, then time. */
int df_store_each_point(struct df_store *st, uint32_t mmsi,
                        int (*fn)(uint32_t mmsi, const struct df_point *p,
                                  void *ud),
                        void *ud)
{
    static const char sql_all[] =
        "SELECT mmsi, t, lat, lon, speed, course FROM track_points"
        " ORDER BY mmsi, t";
    static const char sql_one[] =
        "SELECT mmsi, t, lat, lon, speed, course FROM track_points"
        " WHERE mmsi = ?1 ORDER BY t";
    sqlite3_stmt *s;
    struct df_point p;
    int rc = 0, step = SQLITE_DONE;

    if (!st || !fn)
        return -1;
    if (prepare_read(st, mmsi ? sql_one : sql_all, &s, "track points") != 0)
        return -1;
    if (mmsi)
        sqlite3_bind_int64(s, 1, mmsi);
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        memset(&p, 0, sizeof p);
        p.t_ms = parse_iso(sqlite3_column_text(s, 1));
        p.lat = col_coord(s, 2, DF_LAT_NA);
        p.lon = col_coord(s, 3, DF_LON_NA);
        p.speed = sqlite3_column_type(s, 4) == SQLITE_NULL
                      ? DF_SPEED_NA
                      : (uint16_t)llround(sqlite3_column_double(s, 4) * 10);
        p.course = sqlite3_column_type(s, 5) == SQLITE_NULL
                       ? DF_COURSE_NA
                       : (uint16_t)llround(sqlite3_column_double(s, 5) * 10);
        rc = fn((uint32_t)sqlite3_column_int64(s, 0), &p, ud);
    }
    return end_read(st, s, rc, step, "track points");
}
