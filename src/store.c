/*
 * store.c - the SQLite store: vessels, their identity history, events and
 * downsampled tracks, in one file an analyst can open with sqlite3, QGIS
 * or pandas.  This file holds the schema and its migrations, opens and
 * closes the store, and runs its transactions; store_write.c writes the
 * rows and store_read.c reads them back.  These three, through their
 * private header store_int.h, are the only files that include sqlite3.h.
 *
 * Schema version 5 (PRAGMA user_version; PRAGMA application_id marks the
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
 *   risk(mmsi PRIMARY KEY, score): the vessel's reasons combined by
 *          df_risk_combine(), recomputed when a reason is added
 *   version 3 adds reasons.contribution: each reason's share of the score
 *          (a version 2 store is rescored as it is opened read-write)
 *   version 4 adds what lets a scan go on in a later run (store_state.c):
 *   events.provisional: 1 for an event reported at a scan's end that the
 *          next scan drops and reports again once final
 *   scan_state(seq PRIMARY KEY, data): the saved state, in chunks
 *   scan_inputs(path PRIMARY KEY, size, mtime_ns, head_hash, records,
 *          done, scanned_at): the input files the state has read
 *   version 5 adds what a workspace looks things up by (serve,
 *   store_query.c), kept by triggers so that no writer has to know:
 *   events_extent: a view of each event's box for the R*Tree: its
 *          position (1000, 1000 when it has none or one out of range:
 *          outside every box asked) and its times in seconds since the
 *          epoch (start and end, each standing in for the other when
 *          unknown; -10^12 when both are)
 *   events_rtree(id, minlon, maxlon, minlat, maxlat, mint, maxt): an
 *          R*Tree over events_extent, kept by triggers on events (its
 *          32-bit bounds are rounded outwards: queries check the events'
 *          own columns after it)
 *   vessel_search(mmsi UNINDEXED, name, callsign): FTS5 with the trigram
 *          tokenizer, one row per vessel, name and call sign it gave,
 *          written by df_store_vessel beside the identity that first gave
 *          them (never removed: a name once given stays findable).  Not
 *          by a trigger: FTS5 flushes its index at every savepoint, and a
 *          trigger's statement opens one per row (0.26 s more on the real
 *          day's 12,670 identities, against 0.03 s written directly).  A
 *          writer of its own (sqlite3, a script) adds to it likewise
 *
 * A new file is created at the latest version; an older one is migrated
 * in place when opened read-write (df_store_open), never when opened
 * read-only (df_store_open_ro), which reads a version 1 store as one with
 * no risk: every score 0, no reasons.  A new table is a new migration at
 * the end of migrations[] (tests/cli/export.sh and tests/browser/mkdb.py
 * build their stores from it and from the two #defines below).
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
 * WAL mode lets a report or an analyst read while a scan writes.
 * df_store_close() commits; a caller that wants the error message of that
 * last commit calls df_store_commit() first.
 */
#include "store_int.h"
#include "util/alloc.h"
#include "util/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SCHEMA_VERSION 5
#define APPLICATION_ID 0x44466C74 /* "DFlt" */

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
    /* 2 -> 3: each reason's share of the score (df_risk_combine). */
    "ALTER TABLE reasons ADD COLUMN contribution REAL NOT NULL DEFAULT 0;",
    /* 3 -> 4: the scan's saved state, the inputs it read, and the events
     * reported at a scan's end that a later one may still extend. */
    "ALTER TABLE events ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX events_provisional ON events(provisional)"
    "  WHERE provisional != 0;"
    "CREATE TABLE scan_state("
    "  seq INTEGER PRIMARY KEY,"
    "  data BLOB NOT NULL"
    ");"
    "CREATE TABLE scan_inputs("
    "  path TEXT PRIMARY KEY,"
    "  size INTEGER NOT NULL,"
    "  mtime_ns INTEGER NOT NULL,"
    "  head_hash INTEGER NOT NULL,"
    "  records INTEGER NOT NULL,"
    "  done INTEGER NOT NULL,"
    "  scanned_at TEXT"
    ") WITHOUT ROWID;",
    /* 4 -> 5: what a workspace over the store looks things up by
     * (serve): every event in an R*Tree by position and time (through
     * the view events_extent, kept by triggers), and the names and call
     * signs vessels gave in an FTS5 table of trigrams, for search by any
     * part of them (one row per vessel, name and call sign; filled here,
     * then written by df_store_vessel). */
    "CREATE VIEW events_extent AS SELECT id,"
    "  CASE WHEN lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180"
    "    THEN lon ELSE 1000 END AS lon,"
    "  CASE WHEN lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180"
    "    THEN lat ELSE 1000 END AS lat,"
    "  coalesce(CAST(strftime('%s', start) AS INTEGER),"
    "    CAST(strftime('%s', end) AS INTEGER), -1000000000000) AS t0,"
    "  coalesce(CAST(strftime('%s', end) AS INTEGER),"
    "    CAST(strftime('%s', start) AS INTEGER), -1000000000000) AS t1"
    "  FROM events;"
    "CREATE VIRTUAL TABLE events_rtree USING rtree(id, minlon, maxlon,"
    "  minlat, maxlat, mint, maxt);"
    "CREATE TRIGGER events_rtree_insert AFTER INSERT ON events BEGIN"
    "  INSERT OR REPLACE INTO events_rtree SELECT id, lon, lon, lat, lat,"
    "    min(t0, t1), max(t0, t1) FROM events_extent WHERE id = new.id;"
    "END;"
    "CREATE TRIGGER events_rtree_update AFTER UPDATE OF id, start, end,"
    "  lat, lon ON events BEGIN"
    "  DELETE FROM events_rtree WHERE id = old.id;"
    "  INSERT OR REPLACE INTO events_rtree SELECT id, lon, lon, lat, lat,"
    "    min(t0, t1), max(t0, t1) FROM events_extent WHERE id = new.id;"
    "END;"
    "CREATE TRIGGER events_rtree_delete AFTER DELETE ON events BEGIN"
    "  DELETE FROM events_rtree WHERE id = old.id;"
    "END;"
    "INSERT INTO events_rtree SELECT id, lon, lon, lat, lat, min(t0, t1),"
    "  max(t0, t1) FROM events_extent;"
    "CREATE VIRTUAL TABLE vessel_search USING fts5(mmsi UNINDEXED, name,"
    "  callsign, tokenize = 'trigram');"
    "INSERT INTO vessel_search(mmsi, name, callsign)"
    "  SELECT mmsi, name, callsign FROM identities"
    "  WHERE name != '' OR callsign != '' GROUP BY mmsi, name, callsign;",
};

/* The meta table's upsert (the rows' own statements are in store_write.c). */
static const char sql_meta[] =
    "INSERT INTO meta(key, value) VALUES(?1, ?2)"
    " ON CONFLICT(key) DO UPDATE SET value = excluded.value";

/* ---- errors and times --------------------------------------------------- */

void df__store_set_err(struct df_store *st, const char *fmt, ...)
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

int df__store_iso_ms(int64_t ms, char *out)
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

int64_t df__store_parse_iso(const unsigned char *t)
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

/* ---- statements and transactions ---------------------------------------- */

int df__store_run(sqlite3_stmt *s)
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

enum df_err df__store_begin(struct df_store *st)
{
    if (st->in_txn) {
        enum df_err e;

        if (!sqlite3_get_autocommit(st->db))
            return DF_OK;
        /* Only a failure rolls a transaction back behind our back (the
         * point writer's, seen here before its batch is collected):
         * writing on would commit every statement on its own. */
        e = df__store_points_wait(st);
        st->in_txn = 0;
        if (e == DF_OK)
            snprintf(st->err, sizeof st->err,
                     "the transaction was rolled back");
        return DF_DB;
    }
    if (df__store_run(st->begin) != SQLITE_DONE) {
        df__store_set_err(st, "starting a transaction");
        return DF_DB;
    }
    st->in_txn = 1;
    return DF_OK;
}

enum df_err df__store_commit_txn(struct df_store *st)
{
    if (!st->in_txn)
        return DF_OK;
    if (df__store_run(st->commit) != SQLITE_DONE) {
        df__store_set_err(st, "committing");
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
    if ((e = df__store_points_flush(st, 0)) != DF_OK)
        return e;
    return df__store_commit_txn(st);
}

/* ---- opening and closing ------------------------------------------------ */

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
    if (df__store_run(st->meta) != SQLITE_DONE) {
        df__store_set_err(st, "writing meta '%s'", key);
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
        df__store_set_err(st, "%s: reading the schema version", path);
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
    /* Version 3 shares the score among the reasons: a version 2 store's
     * scores are made again once the statements are ready. */
    st->rescore = version == 2;
    while (version < SCHEMA_VERSION) {
        char pragma[96];

        snprintf(pragma, sizeof pragma,
                 "PRAGMA user_version = %d; PRAGMA application_id = %d;",
                 (int)version + 1, APPLICATION_ID);
        if (exec(st, "BEGIN IMMEDIATE") != SQLITE_OK) {
            df__store_set_err(st, "%s: creating the schema", path);
            return DF_DB;
        }
        if (exec(st, migrations[version]) != SQLITE_OK ||
            exec(st, pragma) != SQLITE_OK) {
            df__store_set_err(st,
                              "%s: migrating the schema to version %d", path,
                              (int)version + 1);
            exec(st, "ROLLBACK");
            return DF_DB;
        }
        if (exec(st, "COMMIT") != SQLITE_OK) {
            df__store_set_err(st, "%s: committing the schema", path);
            exec(st, "ROLLBACK");
            return DF_DB;
        }
        version++;
    }
    return DF_OK;
}

/* Makes every vessel's score again from its reasons. */
static enum df_err rescore_all(struct df_store *st)
{
    sqlite3_stmt *s;
    enum df_err e = DF_OK;
    int step;

    if (sqlite3_prepare_v2(st->db, "SELECT mmsi FROM risk", -1, &s,
                           NULL) != SQLITE_OK) {
        df__store_set_err(st, "rescoring");
        return DF_DB;
    }
    while (e == DF_OK && (step = sqlite3_step(s)) == SQLITE_ROW)
        e = df__store_rescore(st, (uint32_t)sqlite3_column_int64(s, 0));
    sqlite3_finalize(s);
    return e;
}

static void now_iso(char *out)
{
    int64_t ms = (int64_t)time(NULL) * 1000;

    if (df__store_iso_ms(ms, out) == 0)
        strcpy(out, "");
}

/* Frees everything of st without committing. */
static void destroy(struct df_store *st)
{
    df__store_points_free(st);
    df__store_finalize_writes(st);
    df__store_state_fini(st);
    sqlite3_finalize(st->meta);
    sqlite3_finalize(st->begin);
    sqlite3_finalize(st->commit);
    sqlite3_close(st->db);
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
    df_config_defaults(&st->cfg);
    st->pts = df__malloc(DF__POINT_BATCH * sizeof *st->pts);
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
        df__store_set_err(st, "%s: cannot open database", path);
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
        df__store_set_err(st, "%s: cannot open database", path);
        goto fail;
    }
    if (migrate(st, path) != DF_OK)
        goto fail;
    st->version = SCHEMA_VERSION;
    if (df__store_prepare_writes(st) != SQLITE_OK ||
        sqlite3_prepare_v3(st->db, sql_meta, -1, SQLITE_PREPARE_PERSISTENT,
                           &st->meta, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(st->db, "BEGIN IMMEDIATE", -1,
                           SQLITE_PREPARE_PERSISTENT, &st->begin,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(st->db, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT,
                           &st->commit, NULL) != SQLITE_OK) {
        df__store_set_err(st, "%s: preparing statements", path);
        goto fail;
    }
    snprintf(version, sizeof version, "%d", SCHEMA_VERSION);
    now_iso(now);
    if (df__store_begin(st) != DF_OK ||
        set_meta(st, "schema_version", version) != DF_OK ||
        set_meta(st, "darkfleet_version", DF_VERSION_STRING) != DF_OK)
        goto fail;
    /* "created" only once: an upsert would move it. */
    if (query_int(st, "SELECT count(*) FROM meta WHERE key = 'created'") ==
            0 &&
        set_meta(st, "created", now) != DF_OK)
        goto fail;
    if (st->rescore && rescore_all(st) != DF_OK)
        goto fail;
    if (df_store_commit(st) != DF_OK)
        goto fail;
    df__store_writer_start(st);
    *out = st;
    return DF_OK;
fail:
    snprintf(err, errlen, "%s", st->err);
    destroy(st);
    return DF_DB;
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
    if (df__store_begin(st) != DF_OK ||
        set_meta(st, "last_scan", now) != DF_OK ||
        df_store_commit(st) != DF_OK)
        e = DF_DB;
    if (e == DF_OK)
        exec(st, "PRAGMA optimize");
    destroy(st);
    return e;
}

/* ---- opening to read ---------------------------------------------------- */

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
        df__store_set_err(st,
                          "%s: cannot open database (missing or unreadable)",
                          path);
        goto fail;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, 5000);
    version = query_int(st, "PRAGMA user_version");
    appid = query_int(st, "PRAGMA application_id");
    if (version < 0 || appid < 0) {
        /* Not a database at all: SQLite fails on the first read. */
        df__store_set_err(st, "%s: not a darkfleet database", path);
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
