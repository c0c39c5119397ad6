/*
 * store_write.c - writing the store: events, vessels with their
 * identities, risk reasons with the score they add up to, and track
 * points, the last written by a thread of the store's own.  The schema
 * they write into is in store.c.
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
 * (up to DF__POINT_BATCH, 16 MiB) and written sorted by key, then
 * committed: they arrive in time order across all vessels, and written as
 * they come each would dirty a different page.  A full batch is written by
 * a thread of the store's own while the caller goes on (two buffers,
 * 32 MiB; see "Track points on a thread").
 */
#include "store_int.h"
#include "util/alloc.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 50000               /* writes per transaction */
#define MAX_REASONS 64            /* reasons kept per vessel (darkfleet.h) */

static const char sql_event[] =
    "INSERT INTO events(type, vessel1, vessel2, start, end, lat, lon,"
    " score, evidence, provisional)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    " ON CONFLICT(type, vessel1, ifnull(vessel2, 0), ifnull(start, ''))"
    " DO UPDATE SET end = excluded.end, lat = excluded.lat,"
    " lon = excluded.lon, score = excluded.score,"
    " evidence = excluded.evidence,"
    " provisional = min(provisional, excluded.provisional) RETURNING id";

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

/* A name and call sign a vessel gave for the first time, for search
 * (schema 5's vessel_search: see store.c on why not a trigger). */
static const char sql_name_count[] =
    "SELECT count(*) FROM identities WHERE mmsi = ?1 AND name = ?2"
    " AND callsign = ?3";
static const char sql_name_add[] =
    "INSERT INTO vessel_search(mmsi, name, callsign) VALUES(?1, ?2, ?3)";

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

/* The score, as df_risk_combine() makes it of the reasons. */
static const char sql_risk[] =
    "INSERT INTO risk(mmsi, score) VALUES(?1, ?2)"
    " ON CONFLICT(mmsi) DO UPDATE SET score = excluded.score";

/* A vessel's reasons, to be combined; and each one's share. */
static const char sql_reasons_of[] =
    "SELECT id, points, event_type, text FROM reasons WHERE mmsi = ?1";
static const char sql_share[] =
    "UPDATE reasons SET contribution = ?2 WHERE id = ?1";

/* Binds a time (NULL when unknown); buf must live until the step. */
static int bind_time(sqlite3_stmt *s, int i, int64_t ms, char *buf)
{
    int n = df__store_iso_ms(ms, buf);

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

/* The write statements and their SQL, in the order they are prepared. */
static const struct {
    size_t off;             /* of the statement in struct df_store */
    const char *sql;
} stmts[] = {
    {offsetof(struct df_store, event), sql_event},
    {offsetof(struct df_store, vessel), sql_vessel},
    {offsetof(struct df_store, identity), sql_identity},
    {offsetof(struct df_store, point), sql_point},
    {offsetof(struct df_store, reason), sql_reason},
    {offsetof(struct df_store, evict), sql_evict},
    {offsetof(struct df_store, risk), sql_risk},
    {offsetof(struct df_store, reasons_of), sql_reasons_of},
    {offsetof(struct df_store, share), sql_share},
    {offsetof(struct df_store, name_count), sql_name_count},
    {offsetof(struct df_store, name_add), sql_name_add},
};

static sqlite3_stmt **stmt_at(struct df_store *st, size_t i)
{
    return (sqlite3_stmt **)(void *)((char *)st + stmts[i].off);
}

int df__store_prepare_writes(struct df_store *st)
{
    size_t i;
    int rc;

    for (i = 0; i < sizeof stmts / sizeof stmts[0]; i++)
        if ((rc = sqlite3_prepare_v3(st->db, stmts[i].sql, -1,
                                     SQLITE_PREPARE_PERSISTENT,
                                     stmt_at(st, i), NULL)) != SQLITE_OK)
            return rc;
    return SQLITE_OK;
}

void df__store_finalize_writes(struct df_store *st)
{
    size_t i;

    for (i = 0; i < sizeof stmts / sizeof stmts[0]; i++)
        sqlite3_finalize(*stmt_at(st, i));
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
    (void)df__store_points_wait(st);
    df__store_set_err(st, "storing %s", what);
    if (sqlite3_get_autocommit(st->db))
        st->in_txn = 0;
    return DF_DB;
}

/* ---- events and vessels ------------------------------------------------- */

enum df_err df_store_event(struct df_store *st, const struct df_event *ev)
{
    sqlite3_stmt *s;
    char t0[32], t1[32];
    size_t elen;
    enum df_err e;

    if (!st || !ev || st->readonly)
        return DF_INVAL;
    if ((e = df__store_begin(st)) != DF_OK)
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
    /* A final event stays final: only the next scan's drop of the
     * provisional ones may remove a row. */
    sqlite3_bind_int(s, 10, st->provisional != 0);
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

int64_t df_store_last_event_id(const struct df_store *st)
{
    return st ? st->last_event_id : 0;
}

/* Adds a new identity's name and call sign to vessel_search, unless an
 * earlier identity of the vessel gave both (it differed in another
 * field: a draught, a destination). */
static enum df_err add_name(struct df_store *st, uint32_t mmsi,
                            const struct df_identity *id)
{
    sqlite3_stmt *s = st->name_count;
    int64_t n = -1;

    sqlite3_bind_int64(s, 1, mmsi);
    bind_str(s, 2, id->shipname, sizeof id->shipname);
    bind_str(s, 3, id->callsign, sizeof id->callsign);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (n != 1)
        return n < 0 ? DF_DB : DF_OK;
    s = st->name_add;
    sqlite3_bind_int64(s, 1, mmsi);
    bind_str(s, 2, id->shipname, sizeof id->shipname);
    bind_str(s, 3, id->callsign, sizeof id->callsign);
    return df__store_run(s) == SQLITE_DONE ? DF_OK : DF_DB;
}

enum df_err df_store_vessel(struct df_store *st, const struct df_vessel *v)
{
    sqlite3_stmt *s;
    char t0[32], t1[32];
    unsigned i, n;
    enum df_err e;

    if (!st || !v || st->readonly)
        return DF_INVAL;
    if ((e = df__store_begin(st)) != DF_OK)
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
    if (df__store_run(s) != SQLITE_DONE)
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
        /* An upsert that updates leaves the last rowid alone; only
         * track points (WITHOUT ROWID, never setting it) are written
         * meanwhile, by the point writer. */
        sqlite3_set_last_insert_rowid(st->db, 0);
        if (df__store_run(s) != SQLITE_DONE)
            return failed(st, "an identity");
        if (sqlite3_last_insert_rowid(st->db) != 0 &&
            (id->shipname[0] || id->callsign[0]) &&
            add_name(st, v->mmsi, id) != DF_OK)
            return failed(st, "a name for search");
    }
    return wrote(st, 1 + n);
}

/* ---- risk --------------------------------------------------------------- */

enum df_err df_store_risk_add(struct df_store *st, uint32_t mmsi,
                              const struct df_reason *r)
{
    sqlite3_stmt *s;
    enum df_err e;

    if (!st || !r || st->readonly || isnan(r->points))
        return DF_INVAL;
    if ((e = df__store_begin(st)) != DF_OK)
        return e;
    s = st->reason;
    sqlite3_bind_int64(s, 1, mmsi);
    sqlite3_bind_double(s, 2, r->points);
    bind_str(s, 3, r->text, sizeof r->text);
    bind_str(s, 4, r->event_type, sizeof r->event_type);
    sqlite3_bind_int64(s, 5, r->event_id);
    if (df__store_run(s) != SQLITE_DONE)
        return failed(st, "a risk reason");
    sqlite3_bind_int64(st->evict, 1, mmsi);
    sqlite3_bind_int(st->evict, 2, MAX_REASONS);
    if (df__store_run(st->evict) != SQLITE_DONE)
        return failed(st, "a risk reason");
    if ((e = df__store_rescore(st, mmsi)) != DF_OK)
        return e;
    return wrote(st, 2);
}

enum df_err df__store_rescore(struct df_store *st, uint32_t mmsi)
{
    struct df_reason r[MAX_REASONS];
    int64_t id[MAX_REASONS];
    sqlite3_stmt *s = st->reasons_of;
    size_t n = 0, i, k;
    double score;
    int step;

    sqlite3_bind_int64(s, 1, mmsi);
    while (n < MAX_REASONS && (step = sqlite3_step(s)) == SQLITE_ROW) {
        const unsigned char *t;

        memset(&r[n], 0, sizeof r[n]);
        id[n] = sqlite3_column_int64(s, 0);
        r[n].points = sqlite3_column_double(s, 1);
        t = sqlite3_column_text(s, 2);
        snprintf(r[n].event_type, sizeof r[n].event_type, "%s",
                 t ? (const char *)t : "");
        t = sqlite3_column_text(s, 3);
        snprintf(r[n].text, sizeof r[n].text, "%s", t ? (const char *)t : "");
        /* The id rides along in event_id: combine reorders r. */
        r[n].event_id = (int64_t)n;
        n++;
    }
    sqlite3_reset(s);
    score = df_risk_combine(&st->cfg, r, n);
    for (i = 0; i < n; i++) {
        k = (size_t)r[i].event_id;
        sqlite3_bind_int64(st->share, 1, id[k]);
        sqlite3_bind_double(st->share, 2, r[i].contribution);
        if (df__store_run(st->share) != SQLITE_DONE)
            return failed(st, "a risk reason's share");
    }
    sqlite3_bind_int64(st->risk, 1, mmsi);
    sqlite3_bind_double(st->risk, 2, score);
    if (df__store_run(st->risk) != SQLITE_DONE)
        return failed(st, "a risk score");
    return DF_OK;
}

void df_store_set_config(struct df_store *st, const struct df_config *cfg)
{
    if (st && cfg)
        st->cfg = *cfg;
}

/* ---- track points ------------------------------------------------------- */

static int point_cmp(const void *a, const void *b)
{
    const struct df__pending_point *x = a, *y = b;

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
                                struct df__pending_point *pts, unsigned n,
                                char *msg, size_t msglen)
{
    sqlite3_stmt *s = st->point;
    unsigned i;
    int rc;

    qsort(pts, n, sizeof *pts, point_cmp);
    for (i = 0; i < n; i++) {
        const struct df_point *p = &pts[i].p;
        char t[32];
        int len = df__store_iso_ms(p->t_ms, t);

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
        if ((rc = df__store_run(s)) != SQLITE_DONE) {
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
 * written: every commit waits for the writer first
 * (df__store_points_wait).
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

void df__store_writer_start(struct df_store *st)
{
    if (!sqlite3_threadsafe())
        return;
    st->jpts = df__malloc(DF__POINT_BATCH * sizeof *st->jpts);
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

enum df_err df__store_points_wait(struct df_store *st)
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

void df__store_points_free(struct df_store *st)
{
    if (st->writer) {
        pthread_mutex_lock(&st->wmu);
        st->wquit = 1;
        pthread_cond_broadcast(&st->wcv);
        pthread_mutex_unlock(&st->wmu);
        pthread_join(st->wth, NULL);
        pthread_cond_destroy(&st->wcv);
        pthread_mutex_destroy(&st->wmu);
        st->writer = 0;
    }
    df__free(st->pts);
    df__free(st->jpts);
    st->pts = st->jpts = NULL;
}

enum df_err df__store_points_flush(struct df_store *st, int async)
{
    unsigned n = st->npts;
    enum df_err e;

    if ((e = df__store_points_wait(st)) != DF_OK)
        return e;
    if (n == 0)
        return DF_OK;
    st->npts = 0;
    if ((e = df__store_begin(st)) != DF_OK)
        return e;
    if (async && st->writer) {
        struct df__pending_point *full = st->pts;

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

enum df_err df_store_point(struct df_store *st, uint32_t mmsi,
                           const struct df_point *p)
{
    struct df__pending_point *pp;
    char t[32];

    if (!st || !p || st->readonly)
        return DF_INVAL;
    if (df__store_iso_ms(p->t_ms, t) == 0)
        return DF_OK;   /* a track point without a time cannot be keyed */
    if (st->npts == DF__POINT_BATCH) {
        /* Commit the batch written before, then hand this one over.
         * Before adding: on failure the buffer stays full, and a caller
         * that goes on (scan.c's KEEP) must not write past it. */
        enum df_err e = df__store_points_wait(st);
        if (e == DF_OK)
            e = df__store_commit_txn(st);
        if (e == DF_OK)
            e = df__store_points_flush(st, 1);
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
