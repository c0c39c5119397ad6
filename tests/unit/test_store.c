/*
 * test_store.c - the SQLite store: a new file gets schema version 5 in WAL
 * mode (a version 1 file is migrated in place by a read-write open, read
 * as it is by a read-only one: score 0, no reasons); every write is an upsert (the same event, vessel, identity or
 * point written twice is one row; vessels widen their span and add the
 * positions of a span that does not overlap); attacker-controlled text
 * (SQL, quotes, newlines, UTF-8 and invalid UTF-8) is stored and read back
 * byte for byte; 100,000 points go through in batched transactions and
 * are all there after reopening; unusable paths give one clear line.
 * Every reader gives back what was written (events, vessels with their
 * identities, points, reasons), in its documented order; a reason added
 * again changes no score; df_store_open_ro fails with DF_IO and one line
 * for a missing file or a file that is not a darkfleet store.  The
 * lookups of one vessel's history find vessels by MMSI, by every IMO and
 * name they gave (as given, in upper case, by prefix), fold identities
 * that differ only in draught, and sum up encounter partners.
 *
 * The test reads the file back with SQLite itself, as an analyst would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "darkfleet.h"

#define T0 1740807000000LL /* 2025-03-01T05:30:00Z */
#define HOUR 3600000LL

struct fixture {
    char dir[64];
    char path[128];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);

    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/df_test_store.XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[160];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    free(f);
    return 0;
}

static struct df_store *open_ok(const char *path)
{
    struct df_store *st = NULL;
    char err[512];
    enum df_err e = df_store_open(&st, path, err, sizeof err);

    if (e != DF_OK)
        fail_msg("df_store_open: %s", err);
    assert_non_null(st);
    return st;
}

static sqlite3 *db_open(const char *path)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    return db;
}

/* The first column of the first row of sql, as an integer. */
static int64_t q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    int64_t v;

    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* The first column of the first row as text, copied into out (or "NULL"). */
static void q_text(sqlite3 *db, const char *sql, char *out, size_t len)
{
    sqlite3_stmt *s = NULL;
    const unsigned char *t;

    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    t = sqlite3_column_text(s, 0);
    snprintf(out, len, "%s", t ? (const char *)t : "NULL");
    sqlite3_finalize(s);
}

static int64_t count(const char *path, const char *table)
{
    sqlite3 *db = db_open(path);
    char sql[128];
    int64_t n;

    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    n = q_int(db, sql);
    sqlite3_close(db);
    return n;
}

/* Takes a store back from schema 5 to 4, and from 4 to 3. */
#define V5_UNDO                                                            \
    "DROP TRIGGER events_rtree_insert; DROP TRIGGER events_rtree_update;"  \
    "DROP TRIGGER events_rtree_delete; DROP TABLE events_rtree;"           \
    "DROP VIEW events_extent; DROP TABLE vessel_search;"
#define V4_UNDO                                                            \
    V5_UNDO                                                                \
    "DROP INDEX events_provisional;"                                       \
    "ALTER TABLE events DROP COLUMN provisional;"                          \
    "DROP TABLE scan_state; DROP TABLE scan_inputs;"

static void test_create(void **state)
{
    struct fixture *f = *state;
    struct df_store *st = open_ok(f->path);
    sqlite3 *db;
    char buf[128];
    struct stat sb;

    assert_string_equal(df_store_error(st), "no error");
    assert_int_equal(df_store_commit(st), DF_OK);
    assert_int_equal(df_store_close(st), DF_OK);
    assert_int_equal(df_store_close(NULL), DF_OK);
    assert_int_equal(stat(f->path, &sb), 0);

    db = db_open(f->path);
    assert_int_equal(q_int(db, "PRAGMA user_version"), 5);
    q_text(db, "PRAGMA journal_mode", buf, sizeof buf);
    assert_string_equal(buf, "wal");
    q_text(db, "SELECT value FROM meta WHERE key = 'schema_version'", buf,
           sizeof buf);
    assert_string_equal(buf, "5");
    q_text(db, "SELECT value FROM meta WHERE key = 'darkfleet_version'",
           buf, sizeof buf);
    assert_string_equal(buf, DF_VERSION_STRING);
    q_text(db, "SELECT value FROM meta WHERE key = 'last_scan'", buf,
           sizeof buf);
    assert_int_equal(strlen(buf), 24); /* 2025-03-01T05:30:00.000Z */
    assert_int_equal(buf[23], 'Z');
    assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_schema WHERE "
                               "type = 'table' AND name IN ('meta', "
                               "'vessels', 'identities', 'events', "
                               "'track_points', 'risk', 'reasons', "
                               "'scan_state', 'scan_inputs')"),
                     9);
    assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_schema WHERE "
                               "type = 'index' AND tbl_name = 'events'"),
                     5);
    /* Version 5: the R*Tree of events (kept by three triggers) and the
     * trigram index of names, each with its shadow tables. */
    assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_schema WHERE "
                               "type = 'table' AND (name LIKE "
                               "'events_rtree%' OR name LIKE "
                               "'vessel_search%')"),
                     10);
    assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_schema WHERE "
                               "type = 'trigger'"),
                     3);
    assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_schema WHERE "
                               "type = 'view' AND name = 'events_extent'"),
                     1);
    sqlite3_close(db);

    /* Reopening an existing store migrates nothing and keeps "created". */
    db = db_open(f->path);
    q_text(db, "SELECT value FROM meta WHERE key = 'created'", buf,
           sizeof buf);
    sqlite3_close(db);
    {
        char again[128];
        st = open_ok(f->path);
        assert_int_equal(df_store_close(st), DF_OK);
        db = db_open(f->path);
        q_text(db, "SELECT value FROM meta WHERE key = 'created'", again,
               sizeof again);
        assert_int_equal(q_int(db, "PRAGMA user_version"), 5);
        sqlite3_close(db);
        assert_string_equal(buf, again);
    }
}

static void make_event(struct df_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->type = DF_EV_ENCOUNTER;
    ev->nvessels = 2;
    ev->vessels[0] = 412000001;
    ev->vessels[1] = 445000002;
    ev->start_ms = T0;
    ev->end_ms = T0 + 3 * HOUR;
    ev->lat = 23107404;
    ev->lon = 74101926;
    ev->score = 0.9;
    strcpy(ev->evidence, "{\"median_distance_m\":88}");
}

static void test_event_upsert(void **state)
{
    struct fixture *f = *state;
    struct df_store *st = open_ok(f->path);
    struct df_event ev, gap, untimed;
    sqlite3 *db;
    char buf[256];

    make_event(&ev);
    assert_int_equal(df_store_event(st, &ev), DF_OK);
    assert_int_equal(df_store_event(st, &ev), DF_OK);
    /* The same event seen longer: one row, updated. */
    ev.end_ms = T0 + 4 * HOUR + 500;
    ev.score = 0.95;
    assert_int_equal(df_store_event(st, &ev), DF_OK);
    /* A single-vessel event (vessel2 NULL) twice, and one with no time. */
    memset(&gap, 0, sizeof gap);
    gap.type = DF_EV_GAP;
    gap.nvessels = 1;
    gap.vessels[0] = 412000001;
    gap.start_ms = T0;
    gap.end_ms = T0 + 13 * HOUR;
    gap.lat = DF_LAT_NA;
    gap.lon = DF_LON_NA;
    assert_int_equal(df_store_event(st, &gap), DF_OK);
    assert_int_equal(df_store_event(st, &gap), DF_OK);
    untimed = gap;
    untimed.type = DF_EV_INVALID_IDENTITY;
    untimed.start_ms = untimed.end_ms = DF_TIME_NONE;
    assert_int_equal(df_store_event(st, &untimed), DF_OK);
    assert_int_equal(df_store_event(st, &untimed), DF_OK);
    /* Another start is another event. */
    ev.start_ms += HOUR * 24;
    assert_int_equal(df_store_event(st, &ev), DF_OK);
    assert_int_equal(df_store_close(st), DF_OK);

    /* Written again after reopening (a second scan of the same input). */
    st = open_ok(f->path);
    assert_int_equal(df_store_event(st, &gap), DF_OK);
    assert_int_equal(df_store_event(st, &untimed), DF_OK);
    assert_int_equal(df_store_close(st), DF_OK);

    db = db_open(f->path);
    assert_int_equal(q_int(db, "SELECT count(*) FROM events"), 4);
    assert_int_equal(q_int(db, "SELECT count(*) FROM events WHERE "
                               "type = 'encounter'"),
                     2);
    q_text(db,
           "SELECT type || '|' || vessel1 || '|' || vessel2 || '|' || start "
           "|| '|' || end || '|' || printf('%.5f|%.5f|%.2f|', lat, lon, "
           "score) || evidence FROM events ORDER BY id LIMIT 1",
           buf, sizeof buf);
    assert_string_equal(buf, "encounter|412000001|445000002|"
                             "2025-03-01T05:30:00.000Z|"
                             "2025-03-01T09:30:00.500Z|"
                             "38.51234|123.50321|0.95|"
                             "{\"median_distance_m\":88}");
    assert_int_equal(q_int(db, "SELECT count(*) FROM events WHERE type = "
                               "'gap' AND vessel2 IS NULL AND lat IS NULL "
                               "AND evidence = '{}'"),
                     1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM events WHERE start "
                               "IS NULL"),
                     1);
    /* Evidence is JSON SQLite can query. */
    assert_int_equal(q_int(db, "SELECT json_extract(evidence, "
                               "'$.median_distance_m') FROM events "
                               "WHERE type = 'encounter' LIMIT 1"),
                     88);
    sqlite3_close(db);
}

static void make_vessel(struct df_vessel *v, uint32_t mmsi)
{
    memset(v, 0, sizeof *v);
    v->mmsi = mmsi;
    v->mid = (uint16_t)(mmsi / 1000000);
    strcpy(v->flag, "KP");
    v->first_ms = T0;
    v->last_ms = T0 + 10 * HOUR;
    v->positions = 10;
    v->last_lat = 23107404;
    v->last_lon = 74101926;
    v->nidentities = 2;
    v->identities[0].first_ms = T0;
    v->identities[0].last_ms = T0 + HOUR;
    v->identities[0].imo = 9074729;
    strcpy(v->identities[0].shipname, "CHON MA SAN");
    strcpy(v->identities[0].callsign, "HMYM");
    strcpy(v->identities[0].destination, "NAMPO");
    v->identities[0].shiptype = 80;
    v->identities[0].length_m = 120;
    v->identities[0].width_m = 20;
    v->identities[0].draught = 75;
    v->identities[1] = v->identities[0];
    strcpy(v->identities[1].shipname, "XIN HAI");
    v->identities[1].first_ms = T0 + 2 * HOUR;
    v->identities[1].last_ms = T0 + 9 * HOUR;
}

static void test_vessel_merge(void **state)
{
    struct fixture *f = *state;
    struct df_store *st = open_ok(f->path);
    struct df_vessel v, later, again;
    sqlite3 *db;
    char buf[256];

    make_vessel(&v, 445000002);
    assert_int_equal(df_store_vessel(st, &v), DF_OK);
    /* The same vessel after it fell silent: a span that does not overlap
     * adds its positions; the last position moves to it. */
    later = v;
    later.first_ms = T0 + 30 * HOUR;
    later.last_ms = T0 + 40 * HOUR;
    later.positions = 5;
    later.last_lat = 600000;
    later.last_lon = -600000;
    later.flag[0] = '\0';     /* unknown: keeps the stored flag */
    later.nidentities = 1;
    later.identities[0] = v.identities[1];
    later.identities[0].first_ms = T0 + 30 * HOUR;
    later.identities[0].last_ms = T0 + 40 * HOUR;
    assert_int_equal(df_store_vessel(st, &later), DF_OK);
    /* The first span again (the same input scanned twice): no change. */
    again = v;
    assert_int_equal(df_store_vessel(st, &again), DF_OK);
    assert_int_equal(df_store_commit(st), DF_OK);
    assert_int_equal(df_store_vessel(st, &again), DF_OK);
    /* A vessel with no time and no position at all. */
    make_vessel(&again, 1);
    again.mid = 0;
    again.flag[0] = '\0';
    again.first_ms = again.last_ms = DF_TIME_NONE;
    again.last_lat = DF_LAT_NA;
    again.last_lon = DF_LON_NA;
    again.positions = 0;
    again.nidentities = 0;
    assert_int_equal(df_store_vessel(st, &again), DF_OK);
    assert_int_equal(df_store_vessel(st, &again), DF_OK);
    assert_int_equal(df_store_close(st), DF_OK);

    db = db_open(f->path);
    assert_int_equal(q_int(db, "SELECT count(*) FROM vessels"), 2);
    q_text(db,
           "SELECT mid || '|' || flag || '|' || first_seen || '|' || "
           "last_seen || '|' || positions || '|' || "
           "printf('%.5f|%.5f', last_lat, last_lon) FROM vessels "
           "WHERE mmsi = 445000002",
           buf, sizeof buf);
    assert_string_equal(buf, "445|KP|2025-03-01T05:30:00.000Z|"
                             "2025-03-02T21:30:00.000Z|15|1.00000|"
                             "-1.00000");
    assert_int_equal(q_int(db, "SELECT count(*) FROM vessels WHERE mmsi = 1 "
                               "AND mid IS NULL AND flag IS NULL AND "
                               "first_seen IS NULL AND last_lat IS NULL"),
                     1);
    /* Two identities, the second extended to the later span. */
    assert_int_equal(q_int(db, "SELECT count(*) FROM identities"), 2);
    q_text(db,
           "SELECT first_seen || '|' || last_seen || '|' || imo || '|' || "
           "callsign || '|' || destination || '|' || shiptype || '|' || "
           "length_m || '|' || width_m || '|' || draught_m FROM identities "
           "WHERE name = 'XIN HAI'",
           buf, sizeof buf);
    assert_string_equal(buf, "2025-03-01T07:30:00.000Z|"
                             "2025-03-02T21:30:00.000Z|9074729|HMYM|NAMPO|"
                             "80|120|20|7.5");
    /* Identities belong to their vessel (foreign key). */
    assert_int_equal(q_int(db, "SELECT count(*) FROM pragma_foreign_key_list"
                               "('identities') WHERE \"table\" = "
                               "'vessels'"),
                     1);
    sqlite3_close(db);
}

/* Hostile text: SQL, quotes, newlines, UTF-8, invalid UTF-8. */
static void test_hostile_text(void **state)
{
    static const char sql_name[] = "'); DROP TABLE x;--";   /* 19 bytes */
    static const char quotes[] = "O'BRIEN \"X\"\n\r\tZ";
    static const char utf8[] = "\xc3\x86GIR \xe5\x8f\xb7 \xf0\x9f\x9a\xa2";
    static const char bad_utf8[] = "\xff\xfe\x80 A\x01\x7f";
    static const char call[] = "A'\"\n;--";                /* 7 bytes */
    static const char evidence[] =
        "{\"name\":\"'); DROP TABLE events;--\",\"x\":\"\\\"\\n\"}";
    struct fixture *f = *state;
    struct df_store *st = open_ok(f->path);
    struct df_vessel v;
    struct df_event ev;
    sqlite3 *db;
    sqlite3_stmt *s;
    int rows = 0;

    make_vessel(&v, 412000001);
    v.nidentities = 3;
    v.identities[2] = v.identities[0];
    strcpy(v.identities[0].shipname, sql_name);
    strcpy(v.identities[0].destination, quotes);
    strcpy(v.identities[0].callsign, call);
    strcpy(v.identities[1].shipname, utf8);
    strcpy(v.identities[2].shipname, bad_utf8);
    strcpy(v.identities[2].destination, sql_name);
    strcpy(v.flag, "'");
    assert_int_equal(df_store_vessel(st, &v), DF_OK);
    make_event(&ev);
    strcpy(ev.evidence, evidence);
    assert_int_equal(df_store_event(st, &ev), DF_OK);
    assert_int_equal(df_store_close(st), DF_OK);

    db = db_open(f->path);
    assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_schema WHERE "
                               "type = 'table' AND name NOT LIKE "
                               "'sqlite%'"),
                     19);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT name, destination, callsign "
                                        "FROM identities ORDER BY rowid",
                                        -1, &s, NULL),
                     SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *want_name[] = {sql_name, utf8, bad_utf8};
        const char *want_dest[] = {quotes, "NAMPO", sql_name};
        const char *want_call[] = {call, "HMYM", "HMYM"};
        int i;

        assert_true(rows < 3);
        for (i = 0; i < 3; i++) {
            const char *want = i == 0   ? want_name[rows]
                               : i == 1 ? want_dest[rows]
                                        : want_call[rows];
            const void *got = sqlite3_column_blob(s, i);
            int n = sqlite3_column_bytes(s, i);

            assert_int_equal(n, (int)strlen(want));
            assert_memory_equal(got, want, (size_t)n);
        }
        rows++;
    }
    sqlite3_finalize(s);
    assert_int_equal(rows, 3);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT evidence, "
                                            "(SELECT flag FROM vessels) "
                                            "FROM events",
                                        -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), evidence);
    assert_string_equal((const char *)sqlite3_column_text(s, 1), "'");
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static void test_many_points(void **state)
{
    struct fixture *f = *state;
    struct df_store *st = open_ok(f->path);
    struct df_point p;
    struct timespec a, b;
    double secs;
    uint32_t m;
    int i;

    clock_gettime(CLOCK_MONOTONIC, &a);
    for (i = 0; i < 1000; i++) {
        for (m = 0; m < 100; m++) {
            p.t_ms = T0 + (int64_t)i * 600000;
            p.lat = 23107404 + i * 10 + (int32_t)m;
            p.lon = 74101926 - i * 10;
            p.speed = (uint16_t)(i % 200);
            p.course = (uint16_t)(i % 3600);
            if (df_store_point(st, 412000000 + m, &p) != DF_OK)
                fail_msg("df_store_point: %s", df_store_error(st));
        }
    }
    /* No time: not stored; not available speed and course: NULL. */
    p.t_ms = DF_TIME_NONE;
    assert_int_equal(df_store_point(st, 1, &p), DF_OK);
    p.t_ms = T0;
    p.speed = DF_SPEED_NA;
    p.course = DF_COURSE_NA;
    p.lat = DF_LAT_NA;
    assert_int_equal(df_store_point(st, 2, &p), DF_OK);
    assert_int_equal(df_store_close(st), DF_OK);
    clock_gettime(CLOCK_MONOTONIC, &b);
    secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    fprintf(stderr, "100000 points stored in %.3f s (%.0f/s)\n", secs,
            100000 / secs);

    assert_int_equal(count(f->path, "track_points"), 100001);
    /* The same points again (a second scan): no new rows. */
    st = open_ok(f->path);
    for (i = 0; i < 1000; i += 7) {
        p.t_ms = T0 + (int64_t)i * 600000;
        p.lat = 0;
        p.lon = 0;
        p.speed = 10;
        p.course = 900;
        assert_int_equal(df_store_point(st, 412000042, &p), DF_OK);
    }
    assert_int_equal(df_store_close(st), DF_OK);
    assert_int_equal(count(f->path, "track_points"), 100001);
    {
        sqlite3 *db = db_open(f->path);
        assert_int_equal(q_int(db, "SELECT count(*) FROM track_points "
                                   "WHERE mmsi = 2 AND speed IS NULL AND "
                                   "course IS NULL AND lat IS NULL"),
                         1);
        assert_int_equal(q_int(db, "SELECT count(*) FROM track_points "
                                   "WHERE mmsi = 412000042 AND course = "
                                   "90.0"),
                         144);
        assert_int_equal(q_int(db, "SELECT count(DISTINCT mmsi) FROM "
                                   "track_points"),
                         101);
        sqlite3_close(db);
    }
}

/* Opening must fail with one line that names the path. */
static void expect_open_error(const char *path, const char *what)
{
    struct df_store *st = (struct df_store *)1;
    char err[512];

    err[0] = '\0';
    assert_int_not_equal(df_store_open(&st, path, err, sizeof err), DF_OK);
    assert_null(st);
    if (!strstr(err, path) || !strstr(err, what))
        fail_msg("'%s' does not name '%s' and say '%s'", err, path, what);
    assert_null(strchr(err, '\n'));
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");

    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_bad_paths(void **state)
{
    struct fixture *f = *state;
    char path[192];
    sqlite3 *db;

    expect_open_error("/nonexistent/dir/t.db", "cannot open");
    expect_open_error(f->dir, "cannot open");   /* a directory */
    snprintf(path, sizeof path, "%s/text.db", f->dir);
    write_file(path, "this is not a database, it is a text file of some "
                     "length so that SQLite reads a header from it\n");
    expect_open_error(path, "not a database");
    /* Someone else's database is never written to. */
    snprintf(path, sizeof path, "%s/other.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE mine(x)", NULL, NULL,
                                  NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    expect_open_error(path, "not a darkfleet database");
    /* A store from a newer darkfleet. */
    snprintf(path, sizeof path, "%s/newer.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    expect_open_error(path, "newer");
    /* A read-only file (root writes anyway: checked only as a user). */
    if (geteuid() != 0) {
        struct df_store *st = open_ok(f->path);
        assert_int_equal(df_store_close(st), DF_OK);
        assert_int_equal(chmod(f->path, 0444), 0);
        expect_open_error(f->path, "read-only");
        assert_int_equal(chmod(f->path, 0644), 0);
    }
    /* A NULL path or output is refused, not crashed on. */
    {
        struct df_store *st = NULL;
        char err[64];
        assert_int_equal(df_store_open(&st, NULL, err, sizeof err),
                         DF_INVAL);
        assert_int_equal(df_store_open(NULL, f->path, err, sizeof err),
                         DF_INVAL);
        assert_int_equal(df_store_event(NULL, NULL), DF_INVAL);
        assert_string_equal(df_store_error(NULL), "no store");
    }
}

static void test_memory_db(void **state)
{
    struct df_store *st = NULL;
    struct df_event ev;
    char err[256];

    (void)state;
    assert_int_equal(df_store_open(&st, ":memory:", err, sizeof err),
                     DF_OK);
    make_event(&ev);
    assert_int_equal(df_store_event(st, &ev), DF_OK);
    assert_int_equal(df_store_close(st), DF_OK);
}

/* ---- reading back (schema version 2) -------------------------------- */

static struct df_store *open_ro_ok(const char *path)
{
    struct df_store *st = NULL;
    char err[512];

    if (df_store_open_ro(&st, path, err, sizeof err) != DF_OK)
        fail_msg("df_store_open_ro: %s", err);
    assert_non_null(st);
    return st;
}

struct got_events {
    unsigned n;
    int64_t ids[8];
    struct df_event ev[8];
};

static int on_got_event(int64_t id, const struct df_event *ev, void *ud)
{
    struct got_events *g = ud;

    assert_true(g->n < 8);
    g->ids[g->n] = id;
    g->ev[g->n++] = *ev;
    return 0;
}

static void assert_event_equal(const struct df_event *a,
                               const struct df_event *b)
{
    assert_int_equal(a->type, b->type);
    assert_int_equal(a->nvessels, b->nvessels);
    assert_int_equal(a->vessels[0], b->vessels[0]);
    if (a->nvessels > 1)
        assert_int_equal(a->vessels[1], b->vessels[1]);
    assert_true(a->start_ms == b->start_ms);
    assert_true(a->end_ms == b->end_ms);
    assert_int_equal(a->lat, b->lat);
    assert_int_equal(a->lon, b->lon);
    if (isnan(b->score))
        assert_true(isnan(a->score));
    else
        assert_true(fabs(a->score - b->score) < 1e-12);
    assert_string_equal(a->evidence, b->evidence);
}

struct got_vessels {
    unsigned n;
    struct df_vessel v[4];
    double score[4];
};

static int on_got_vessel(const struct df_vessel *v, double score, void *ud)
{
    struct got_vessels *g = ud;

    assert_true(g->n < 4);
    g->score[g->n] = score;
    g->v[g->n++] = *v;
    return 0;
}

struct got_points {
    unsigned n;
    uint32_t mmsi[8];
    struct df_point p[8];
};

static int on_got_point(uint32_t mmsi, const struct df_point *p, void *ud)
{
    struct got_points *g = ud;

    assert_true(g->n < 8);
    g->mmsi[g->n] = mmsi;
    g->p[g->n++] = *p;
    return 0;
}

struct got_reasons {
    unsigned n;
    struct df_reason r[80];
};

static int on_got_reason(const struct df_reason *r, void *ud)
{
    struct got_reasons *g = ud;

    assert_true(g->n < 80);
    g->r[g->n++] = *r;
    return 0;
}

static int stop_at_first(const struct df_vessel *v, double score, void *ud)
{
    (void)v;
    (void)score;
    ++*(int *)ud;
    return 7;
}

static void make_reason(struct df_reason *r, double points, const char *type,
                        int64_t id, const char *text)
{
    memset(r, 0, sizeof *r);
    r->points = points;
    snprintf(r->event_type, sizeof r->event_type, "%s", type);
    r->event_id = id;
    snprintf(r->text, sizeof r->text, "%s", text);
}

/* Checks what test_readers wrote, through st (read-write or read-only). */
static void check_readback(struct df_store *st, const struct df_event *evs,
                           const struct df_vessel *v, int64_t enc_id)
{
    struct got_events ge;
    struct got_vessels gv;
    struct got_points gp;
    struct got_reasons gr;
    int calls = 0;

    /* Events: all, by start (the untimed one first), then one vessel's. */
    memset(&ge, 0, sizeof ge);
    assert_int_equal(df_store_each_event(st, 0, on_got_event, &ge), 0);
    assert_int_equal(ge.n, 3);
    assert_event_equal(&ge.ev[0], &evs[2]);     /* no start: first */
    assert_event_equal(&ge.ev[1], &evs[0]);     /* T0 */
    assert_event_equal(&ge.ev[2], &evs[1]);     /* T0 + 1 h */
    assert_true(ge.ids[1] == enc_id);
    assert_true(isnan(ge.ev[0].score));
    memset(&ge, 0, sizeof ge);
    assert_int_equal(df_store_each_event(st, 445000002, on_got_event, &ge),
                     0);
    assert_int_equal(ge.n, 1);                  /* as vessel2 */
    assert_event_equal(&ge.ev[0], &evs[0]);
    memset(&ge, 0, sizeof ge);
    assert_int_equal(df_store_each_event(st, 412000001, on_got_event, &ge),
                     0);
    assert_int_equal(ge.n, 3);
    memset(&ge, 0, sizeof ge);
    assert_int_equal(df_store_each_event(st, 999, on_got_event, &ge), 0);
    assert_int_equal(ge.n, 0);

    /* Vessels by score, then MMSI; identities oldest first. */
    memset(&gv, 0, sizeof gv);
    assert_int_equal(df_store_each_vessel(st, on_got_vessel, &gv), 0);
    assert_int_equal(gv.n, 3);
    assert_int_equal(gv.v[0].mmsi, 445000002);
    /* Encounters 60 and 30 (the second at half weight), the flag 40:
     * 100 (1 - (1 - 0.75)(1 - 0.4)) (df_risk_combine). */
    assert_true(fabs(gv.score[0] - 85.0) < 1e-9);
    assert_int_equal(gv.v[1].mmsi, 412000001);
    assert_true(gv.score[1] == 30.0);
    assert_int_equal(gv.v[2].mmsi, 412000003);  /* no risk row: 0 */
    assert_true(gv.score[2] == 0.0);
    {
        const struct df_vessel *g = &gv.v[0];
        unsigned i;

        assert_int_equal(g->mid, v->mid);
        assert_string_equal(g->flag, v->flag);
        assert_true(g->first_ms == v->first_ms);
        assert_true(g->last_ms == v->last_ms);
        assert_true(g->positions == v->positions);
        assert_int_equal(g->last_lat, v->last_lat);
        assert_int_equal(g->last_lon, v->last_lon);
        assert_int_equal(g->nidentities, 2);
        for (i = 0; i < 2; i++) {
            const struct df_identity *a = &g->identities[i];
            const struct df_identity *b = &v->identities[i];

            assert_true(a->first_ms == b->first_ms);
            assert_true(a->last_ms == b->last_ms);
            assert_int_equal(a->imo, b->imo);
            assert_string_equal(a->shipname, b->shipname);
            assert_string_equal(a->callsign, b->callsign);
            assert_string_equal(a->destination, b->destination);
            assert_int_equal(a->shiptype, b->shiptype);
            assert_int_equal(a->length_m, b->length_m);
            assert_int_equal(a->width_m, b->width_m);
            assert_int_equal(a->draught, b->draught);
        }
    }
    assert_int_equal(gv.v[2].nidentities, 0);
    assert_int_equal(gv.v[2].mid, 0);
    assert_string_equal(gv.v[2].flag, "");
    assert_true(gv.v[2].first_ms == DF_TIME_NONE);
    assert_int_equal(gv.v[2].last_lat, DF_LAT_NA);
    assert_int_equal(gv.v[2].last_lon, DF_LON_NA);
    /* A non-zero return stops the walk and is returned. */
    assert_int_equal(df_store_each_vessel(st, stop_at_first, &calls), 7);
    assert_int_equal(calls, 1);

    /* Points: one vessel by time; all by MMSI then time. */
    memset(&gp, 0, sizeof gp);
    assert_int_equal(df_store_each_point(st, 412000001, on_got_point, &gp),
                     0);
    assert_int_equal(gp.n, 2);
    assert_true(gp.p[0].t_ms == T0);
    assert_true(gp.p[1].t_ms == T0 + 600000 + 250);
    assert_int_equal(gp.p[0].lat, 23107404);
    assert_int_equal(gp.p[0].lon, -74101926);
    assert_int_equal(gp.p[0].speed, 123);
    assert_int_equal(gp.p[0].course, 3599);
    assert_int_equal(gp.p[1].speed, DF_SPEED_NA);
    assert_int_equal(gp.p[1].course, DF_COURSE_NA);
    assert_int_equal(gp.p[1].lat, DF_LAT_NA);
    memset(&gp, 0, sizeof gp);
    assert_int_equal(df_store_each_point(st, 0, on_got_point, &gp), 0);
    assert_int_equal(gp.n, 3);
    assert_int_equal(gp.mmsi[0], 412000001);
    assert_int_equal(gp.mmsi[1], 412000001);
    assert_int_equal(gp.mmsi[2], 445000002);

    /* Reasons by points, highest first, as written. */
    memset(&gr, 0, sizeof gr);
    assert_int_equal(df_store_each_reason(st, 445000002, on_got_reason, &gr),
                     0);
    assert_int_equal(gr.n, 3);
    assert_true(gr.r[0].points == 60.0);
    assert_string_equal(gr.r[0].text, "met a listed vessel");
    assert_string_equal(gr.r[0].event_type, "encounter");
    assert_true(gr.r[0].event_id == enc_id);
    assert_true(gr.r[1].points == 40.0);
    assert_string_equal(gr.r[1].event_type, "flag");
    assert_true(gr.r[1].event_id == 0);
    assert_true(gr.r[2].points == 30.0);
    memset(&gr, 0, sizeof gr);
    assert_int_equal(df_store_each_reason(st, 1, on_got_reason, &gr), 0);
    assert_int_equal(gr.n, 0);
}

static void test_readers(void **state)
{
    struct fixture *f = *state;
    struct df_store *st = open_ok(f->path);
    struct df_event evs[3];
    struct df_vessel v, bare;
    struct df_point p;
    struct df_reason r;
    int64_t enc_id;

    make_event(&evs[0]);
    evs[0].start_ms = T0;
    evs[0].lon = -74101926;                     /* west, south */
    evs[0].lat = -23107404;
    assert_int_equal(df_store_event(st, &evs[0]), DF_OK);
    enc_id = df_store_last_event_id(st);
    assert_true(enc_id > 0);
    memset(&evs[1], 0, sizeof evs[1]);
    evs[1].type = DF_EV_PORT_CALL;
    evs[1].nvessels = 1;
    evs[1].vessels[0] = 412000001;
    evs[1].start_ms = T0 + HOUR;
    evs[1].end_ms = T0 + 5 * HOUR + 1;
    evs[1].lat = DF_LAT_NA;
    evs[1].lon = DF_LON_NA;
    evs[1].score = 0.3;
    strcpy(evs[1].evidence, "{\"port\":\"Nampo\",\"country\":\"KP\"}");
    assert_int_equal(df_store_event(st, &evs[1]), DF_OK);
    assert_true(df_store_last_event_id(st) != enc_id);
    evs[2] = evs[1];
    evs[2].type = DF_EV_INVALID_IDENTITY;
    evs[2].start_ms = evs[2].end_ms = DF_TIME_NONE;
    evs[2].score = NAN;
    evs[2].lat = 600000;
    evs[2].lon = 1;
    strcpy(evs[2].evidence, "{\"reason\":\"mmsi_range\"}");
    assert_int_equal(df_store_event(st, &evs[2]), DF_OK);
    /* The same event again keeps its id. */
    assert_int_equal(df_store_event(st, &evs[0]), DF_OK);
    assert_true(df_store_last_event_id(st) == enc_id);

    make_vessel(&v, 445000002);
    v.last_lat = -23107404;
    v.first_ms = T0 + 123;
    assert_int_equal(df_store_vessel(st, &v), DF_OK);
    make_vessel(&bare, 412000001);
    assert_int_equal(df_store_vessel(st, &bare), DF_OK);
    memset(&bare, 0, sizeof bare);
    bare.mmsi = 412000003;
    bare.first_ms = bare.last_ms = DF_TIME_NONE;
    bare.last_lat = DF_LAT_NA;
    bare.last_lon = DF_LON_NA;
    assert_int_equal(df_store_vessel(st, &bare), DF_OK);

    memset(&p, 0, sizeof p);
    p.t_ms = T0 + 600000 + 250;
    p.lat = DF_LAT_NA;
    p.lon = 5;
    p.speed = DF_SPEED_NA;
    p.course = DF_COURSE_NA;
    assert_int_equal(df_store_point(st, 412000001, &p), DF_OK);
    p.t_ms = T0;
    p.lat = 23107404;
    p.lon = -74101926;
    p.speed = 123;
    p.course = 3599;
    assert_int_equal(df_store_point(st, 445000002, &p), DF_OK);
    assert_int_equal(df_store_point(st, 412000001, &p), DF_OK);

    make_reason(&r, 30, "encounter", enc_id, "encounter with 412000001");
    assert_int_equal(df_store_risk_add(st, 445000002, &r), DF_OK);
    make_reason(&r, 30, "encounter", enc_id, "encounter with 445000002");
    assert_int_equal(df_store_risk_add(st, 412000001, &r), DF_OK);
    make_reason(&r, 40, "flag", 0, "flagged to North Korea");
    assert_int_equal(df_store_risk_add(st, 445000002, &r), DF_OK);
    make_reason(&r, 60, "encounter", enc_id, "met a listed vessel");
    assert_int_equal(df_store_risk_add(st, 445000002, &r), DF_OK);

    /* Read back while writing (the readers commit first), then after
     * closing, read-only. */
    check_readback(st, evs, &v, enc_id);
    assert_int_equal(df_store_close(st), DF_OK);
    st = open_ro_ok(f->path);
    check_readback(st, evs, &v, enc_id);
    /* Read-only: writes are refused, close writes nothing. */
    assert_int_equal(df_store_event(st, &evs[0]), DF_INVAL);
    assert_int_equal(df_store_risk_add(st, 1, &r), DF_INVAL);
    assert_int_equal(df_store_commit(st), DF_OK);
    assert_int_equal(df_store_close(st), DF_OK);
}

/* The score of mmsi as the store ranks it. */
static int find_score(const struct df_vessel *v, double score, void *ud)
{
    double *out = ud;

    if (v->mmsi == 445000002)
        *out = score;
    return 0;
}

static double score_of(struct df_store *st)
{
    double s = -1;

    assert_int_equal(df_store_each_vessel(st, find_score, &s), 0);
    return s;
}

static void test_reason_once(void **state)
{
    struct fixture *f = *state;
    struct df_store *st = open_ok(f->path);
    struct df_vessel v;
    struct df_reason r;
    struct got_reasons gr;
    char text[64];
    int i;

    make_vessel(&v, 445000002);
    assert_int_equal(df_store_vessel(st, &v), DF_OK);
    make_reason(&r, 60, "watchlist_match", 0, "listed on sdn.csv");
    assert_int_equal(df_store_risk_add(st, 445000002, &r), DF_OK);
    assert_int_equal(df_store_risk_add(st, 445000002, &r), DF_OK);
    assert_true(fabs(score_of(st) - 60.0) < 1e-9);
    /* Kinds combine as independent chances: 100 (1 - 0.4 x 0.6). */
    make_reason(&r, 40, "flag", 0, "flagged to North Korea");
    assert_int_equal(df_store_risk_add(st, 445000002, &r), DF_OK);
    assert_true(fabs(score_of(st) - 76.0) < 1e-9);
    assert_int_equal(df_store_close(st), DF_OK);

    /* A second scan gives the same reasons: nothing changes. */
    st = open_ok(f->path);
    make_reason(&r, 60, "watchlist_match", 0, "listed on sdn.csv");
    assert_int_equal(df_store_risk_add(st, 445000002, &r), DF_OK);
    make_reason(&r, 40, "flag", 0, "flagged to North Korea");
    assert_int_equal(df_store_risk_add(st, 445000002, &r), DF_OK);
    assert_true(fabs(score_of(st) - 76.0) < 1e-9);
    /* The same text for another event is another reason. */
    make_reason(&r, 40, "flag", 9, "flagged to North Korea");
    assert_int_equal(df_store_risk_add(st, 445000002, &r), DF_OK);
    /* A second reason of a kind counts half: flags 40 + 20. */
    assert_true(fabs(score_of(st) - 84.0) < 1e-9);
    /* Re-weighted (another config): the points are replaced. */
    make_reason(&r, 10, "flag", 9, "flagged to North Korea");
    assert_int_equal(df_store_risk_add(st, 445000002, &r), DF_OK);
    assert_true(fabs(score_of(st) - 78.0) < 1e-9);
    /* At most 64 reasons: the highest points stay. */
    for (i = 0; i < 70; i++) {
        snprintf(text, sizeof text, "port call %d", i);
        make_reason(&r, 1, "port_call", 100 + i, text);
        assert_int_equal(df_store_risk_add(st, 445000002, &r), DF_OK);
    }
    memset(&gr, 0, sizeof gr);
    assert_int_equal(df_store_each_reason(st, 445000002, on_got_reason, &gr),
                     0);
    assert_int_equal(gr.n, 64);
    assert_string_equal(gr.r[0].text, "listed on sdn.csv");
    assert_string_equal(gr.r[63].text, "port call 60");
    /* Sixty-one port calls of 1 point add up to under 2. */
    assert_true(score_of(st) > 78.0 && score_of(st) < 78.5);
    /* Risk for a vessel not (yet) stored is kept for when it is. */
    make_reason(&r, 5, "gap", 1, "AIS off");
    assert_int_equal(df_store_risk_add(st, 412999999, &r), DF_OK);
    assert_int_equal(df_store_risk_add(NULL, 1, &r), DF_INVAL);
    assert_int_equal(df_store_close(st), DF_OK);
    {
        sqlite3 *db = db_open(f->path);
        assert_int_equal(q_int(db, "SELECT count(*) FROM risk"), 2);
        assert_int_equal(q_int(db, "SELECT score FROM risk WHERE mmsi = "
                                   "412999999"),
                         5);
        sqlite3_close(db);
    }
}

/* Read-only opening fails with DF_IO and one line naming the path. */
static void expect_ro_error(const char *path, const char *what)
{
    struct df_store *st = (struct df_store *)1;
    char err[512];

    err[0] = '\0';
    assert_int_equal(df_store_open_ro(&st, path, err, sizeof err), DF_IO);
    assert_null(st);
    if (!strstr(err, path) || !strstr(err, what))
        fail_msg("'%s' does not name '%s' and say '%s'", err, path, what);
    assert_null(strchr(err, '\n'));
}

static void test_open_ro_errors(void **state)
{
    struct fixture *f = *state;
    char path[192];
    sqlite3 *db;
    struct stat sb;

    snprintf(path, sizeof path, "%s/missing.db", f->dir);
    expect_ro_error(path, "cannot open");
    assert_int_not_equal(stat(path, &sb), 0);   /* not created */
    snprintf(path, sizeof path, "%s/text.db", f->dir);
    write_file(path, "this is not a database, it is a text file of some "
                     "length so that SQLite reads a header from it\n");
    expect_ro_error(path, "not a darkfleet database");
    snprintf(path, sizeof path, "%s/other.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE mine(x)", NULL, NULL,
                                  NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    expect_ro_error(path, "not a darkfleet database");
    snprintf(path, sizeof path, "%s/newer.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA application_id = 1145465972;"
                                      "PRAGMA user_version = 99",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    expect_ro_error(path, "newer");
    {
        struct df_store *st = NULL;
        char err[64];
        assert_int_equal(df_store_open_ro(&st, NULL, err, sizeof err),
                         DF_INVAL);
    }
}

/* A version 1 store: read as it is read-only (no risk: score 0, no
 * reasons), migrated to version 2 by a read-write open. */
static void test_v1_store(void **state)
{
    struct fixture *f = *state;
    struct df_store *st = open_ok(f->path);
    struct df_vessel v;
    struct df_event ev;
    struct got_vessels gv;
    struct got_reasons gr;
    struct got_events ge;
    struct df_reason r;
    sqlite3 *db;

    make_vessel(&v, 445000002);
    assert_int_equal(df_store_vessel(st, &v), DF_OK);
    make_event(&ev);
    assert_int_equal(df_store_event(st, &ev), DF_OK);
    assert_int_equal(df_store_close(st), DF_OK);
    /* Back to version 1: its schema is version 2's without risk. */
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, V4_UNDO
                                      "DROP TABLE risk; DROP TABLE reasons;"
                                      "UPDATE meta SET value = '1' WHERE "
                                      "key = 'schema_version';"
                                      "PRAGMA user_version = 1",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);

    st = open_ro_ok(f->path);
    memset(&gv, 0, sizeof gv);
    assert_int_equal(df_store_each_vessel(st, on_got_vessel, &gv), 0);
    assert_int_equal(gv.n, 1);
    assert_true(gv.score[0] == 0.0);
    assert_int_equal(gv.v[0].nidentities, 2);
    {
        double score = -1;
        assert_int_equal(df_store_get_vessel(st, 445000002, &v, &score), 1);
        assert_true(score == 0.0);
        assert_int_equal(v.nidentities, 2);
    }
    memset(&gr, 0, sizeof gr);
    assert_int_equal(df_store_each_reason(st, 445000002, on_got_reason, &gr),
                     0);
    assert_int_equal(gr.n, 0);
    memset(&ge, 0, sizeof ge);
    assert_int_equal(df_store_each_event(st, 0, on_got_event, &ge), 0);
    assert_int_equal(ge.n, 1);
    assert_int_equal(df_store_close(st), DF_OK);
    db = db_open(f->path);
    assert_int_equal(q_int(db, "PRAGMA user_version"), 1);  /* untouched */
    sqlite3_close(db);

    st = open_ok(f->path);
    make_reason(&r, 40, "flag", 0, "flagged to North Korea");
    assert_int_equal(df_store_risk_add(st, 445000002, &r), DF_OK);
    assert_true(score_of(st) == 40.0);
    assert_int_equal(df_store_close(st), DF_OK);
    db = db_open(f->path);
    assert_int_equal(q_int(db, "PRAGMA user_version"), 5);
    assert_int_equal(q_int(db, "SELECT count(*) FROM events"), 1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM identities"), 2);
    sqlite3_close(db);
}

/* ---- one vessel's history (darkfleet vessel) ---- */

#define VA 538000001u   /* SEA VENUS, then ROYAL LUCKY (IMO 9781580) */
#define VB 667000002u   /* ROYAL LUCKY with the same IMO, later */
#define VC 412000003u   /* ROYAL STAR */
#define VD 445000004u   /* "Sea Venus", as a foreign writer might store it */

struct got_mmsis {
    uint32_t m[16];
    int n;
    int stop_at;                /* return 5 at this call (1-based), or 0 */
};

static int on_got_mmsi(uint32_t mmsi, void *ud)
{
    struct got_mmsis *g = ud;

    assert_true(g->n < 16);
    g->m[g->n++] = mmsi;
    return g->n == g->stop_at ? 5 : 0;
}

/* Finds value by key: the MMSIs found, in order, end with 0. */
static void expect_found(struct df_store *st, enum df_vessel_key key,
                         const char *value, const uint32_t *want)
{
    struct got_mmsis g;
    int i;

    memset(&g, 0, sizeof g);
    assert_int_equal(df_store_find_vessels(st, key, value, on_got_mmsi, &g),
                     0);
    for (i = 0; want[i]; i++) {
        if (i >= g.n)
            fail_msg("'%s': found %d, want more", value, g.n);
        assert_int_equal(g.m[i], want[i]);
    }
    if (g.n != i)
        fail_msg("'%s': found %d, want %d", value, g.n, i);
}

struct got_identities {
    struct df_identity id[8];
    int n;
};

static int on_got_identity(const struct df_identity *id, void *ud)
{
    struct got_identities *g = ud;

    assert_true(g->n < 8);
    g->id[g->n++] = *id;
    return 0;
}

struct got_partners {
    struct df_partner p[8];
    int n;
};

static int on_got_partner(const struct df_partner *p, void *ud)
{
    struct got_partners *g = ud;

    assert_true(g->n < 8);
    g->p[g->n++] = *p;
    return 0;
}

/* A vessel with one identity: name and imo from T0 + hour, for an hour. */
static void put_vessel(struct df_store *st, uint32_t mmsi, const char *name,
                       uint32_t imo, int hour)
{
    struct df_vessel v;

    make_vessel(&v, mmsi);
    v.nidentities = 1;
    strcpy(v.identities[0].shipname, name);
    v.identities[0].imo = imo;
    v.identities[0].first_ms = T0 + hour * HOUR;
    v.identities[0].last_ms = T0 + (hour + 1) * HOUR;
    assert_int_equal(df_store_vessel(st, &v), DF_OK);
}

static void put_encounter(struct df_store *st, uint32_t a, uint32_t b,
                          int hour)
{
    struct df_event ev;

    make_event(&ev);
    ev.vessels[0] = a;
    ev.vessels[1] = b;
    ev.start_ms = T0 + hour * HOUR;
    ev.end_ms = ev.start_ms + 3 * HOUR;
    assert_int_equal(df_store_event(st, &ev), DF_OK);
}

static void check_lookups(struct df_store *st)
{
    static const uint32_t a[] = {VA, 0}, ab[] = {VA, VB, 0},
                          acb[] = {VA, VC, VB, 0}, ad[] = {VA, VD, 0},
                          none[] = {0};
    struct got_mmsis g;
    struct got_identities gi;
    struct got_partners gp;
    struct df_vessel v;
    double score = -1;

    /* By MMSI, by IMO (every MMSI that gave it, in the order they began
     * to), by whole name as given and in upper case, by its start. */
    expect_found(st, DF_VKEY_MMSI, "538000001", a);
    expect_found(st, DF_VKEY_MMSI, "999999999", none);
    expect_found(st, DF_VKEY_IMO, "9781580", ab);
    expect_found(st, DF_VKEY_IMO, "9948035", a);
    expect_found(st, DF_VKEY_IMO, "9074729", none);
    expect_found(st, DF_VKEY_NAME, "ROYAL LUCKY", ab);
    expect_found(st, DF_VKEY_NAME, "royal Lucky", ab);
    expect_found(st, DF_VKEY_NAME, "ROYAL", none);
    expect_found(st, DF_VKEY_NAME_PREFIX, "ROYAL", acb);
    expect_found(st, DF_VKEY_NAME_PREFIX, "roy", acb);
    expect_found(st, DF_VKEY_NAME_PREFIX, "ROYAL S", (uint32_t[]){VC, 0});
    expect_found(st, DF_VKEY_NAME, "SEA venus", a);
    expect_found(st, DF_VKEY_NAME, "Sea Venus", ad);
    expect_found(st, DF_VKEY_NAME_PREFIX, "\xff\xff", none);
    expect_found(st, DF_VKEY_NAME_PREFIX, "ROYAL\xff", none);
    /* fn's return stops the walk and comes back. */
    memset(&g, 0, sizeof g);
    g.stop_at = 1;
    assert_int_equal(df_store_find_vessels(st, DF_VKEY_NAME_PREFIX, "ROYAL",
                                           on_got_mmsi, &g),
                     5);
    assert_int_equal(g.n, 1);
    /* Misuse. */
    assert_int_equal(df_store_find_vessels(st, DF_VKEY_NAME, "", on_got_mmsi,
                                           &g),
                     -1);
    assert_int_equal(df_store_find_vessels(st, DF_VKEY_MMSI, "12ab",
                                           on_got_mmsi, &g),
                     -1);
    assert_non_null(strstr(df_store_error(st), "not an MMSI"));
    assert_int_equal(df_store_find_vessels(st, DF_VKEY_IMO, "99999999999",
                                           on_got_mmsi, &g),
                     -1);
    assert_int_equal(df_store_find_vessels(NULL, DF_VKEY_MMSI, "1",
                                           on_got_mmsi, &g),
                     -1);

    /* One vessel, with its score. */
    assert_int_equal(df_store_get_vessel(st, VA, &v, &score), 1);
    assert_int_equal(v.mmsi, VA);
    assert_string_equal(v.flag, "KP");
    assert_true(score == 30.0);
    assert_int_equal(v.nidentities, 3);
    assert_string_equal(v.identities[2].shipname, "ROYAL LUCKY");
    assert_int_equal(df_store_get_vessel(st, VB, &v, NULL), 1);
    assert_int_equal(df_store_get_vessel(st, 999, &v, &score), 0);

    /* Identities: the two SEA VENUS rows (draughts 7.5 and 9.0 m) are
     * one, from the first's first to the second's last, the larger
     * draught. */
    memset(&gi, 0, sizeof gi);
    assert_int_equal(df_store_each_identity(st, VA, on_got_identity, &gi), 0);
    assert_int_equal(gi.n, 2);
    assert_string_equal(gi.id[0].shipname, "SEA VENUS");
    assert_int_equal(gi.id[0].imo, 9948035);
    assert_true(gi.id[0].first_ms == T0);
    assert_true(gi.id[0].last_ms == T0 + 3 * HOUR);
    assert_int_equal(gi.id[0].draught, 90);
    assert_string_equal(gi.id[0].callsign, "HMYM");
    assert_int_equal(gi.id[0].length_m, 120);
    assert_string_equal(gi.id[1].shipname, "ROYAL LUCKY");
    assert_true(gi.id[1].first_ms == T0 + 3 * HOUR);
    memset(&gi, 0, sizeof gi);
    assert_int_equal(df_store_each_identity(st, 999, on_got_identity, &gi),
                     0);
    assert_int_equal(gi.n, 0);

    /* Partners: B twice (as vessel2, then as vessel1), C once (as
     * vessel1); each with the name it gave last. */
    memset(&gp, 0, sizeof gp);
    assert_int_equal(df_store_each_partner(st, VA, on_got_partner, &gp), 0);
    assert_int_equal(gp.n, 2);
    assert_int_equal(gp.p[0].mmsi, VB);
    assert_int_equal(gp.p[0].encounters, 2);
    assert_true(gp.p[0].first_ms == T0 + 4 * HOUR);
    assert_true(gp.p[0].last_ms == T0 + 9 * HOUR);
    assert_string_equal(gp.p[0].name, "ROYAL LUCKY");
    assert_int_equal(gp.p[1].mmsi, VC);
    assert_int_equal(gp.p[1].encounters, 1);
    assert_string_equal(gp.p[1].name, "ROYAL STAR");
    memset(&gp, 0, sizeof gp);
    assert_int_equal(df_store_each_partner(st, VB, on_got_partner, &gp), 0);
    assert_int_equal(gp.n, 1);
    assert_int_equal(gp.p[0].mmsi, VA);
    assert_string_equal(gp.p[0].name, "ROYAL LUCKY");   /* its latest */
    memset(&gp, 0, sizeof gp);
    assert_int_equal(df_store_each_partner(st, VD, on_got_partner, &gp), 0);
    assert_int_equal(gp.n, 1);
    assert_int_equal(gp.p[0].mmsi, VC);
    memset(&gp, 0, sizeof gp);
    assert_int_equal(df_store_each_partner(st, 999, on_got_partner, &gp), 0);
    assert_int_equal(gp.n, 0);
}

static void test_vessel_lookups(void **state)
{
    static const char *const na[] = {"SEA VENUS", "SEA VENUS",
                                     "ROYAL LUCKY"};
    static const uint32_t ia[] = {9948035, 9948035, 9781580};
    static const int ha[] = {0, 2, 3};
    struct fixture *f = *state;
    struct df_store *st = open_ok(f->path);
    struct df_vessel v;
    struct df_event ev;
    struct df_reason r;
    int i;

    /* A: SEA VENUS at 7.5 m, again at 9.0 m (two rows), ROYAL LUCKY. */
    make_vessel(&v, VA);
    v.nidentities = 3;
    for (i = 0; i < 3; i++) {
        v.identities[i] = v.identities[0];
        strcpy(v.identities[i].shipname, na[i]);
        v.identities[i].imo = ia[i];
        v.identities[i].first_ms = T0 + ha[i] * HOUR;
        v.identities[i].last_ms = T0 + (ha[i] + 1) * HOUR;
    }
    v.identities[1].draught = 90;
    assert_int_equal(df_store_vessel(st, &v), DF_OK);
    put_vessel(st, VB, "ROYAL LUCKY", 9781580, 6);
    put_vessel(st, VC, "ROYAL STAR", 0, 4);
    put_vessel(st, VD, "Sea Venus", 0, 1);
    put_encounter(st, VA, VB, 4);
    put_encounter(st, VC, VA, 6);
    put_encounter(st, VB, VA, 9);
    put_encounter(st, VC, VD, 9);       /* not A's */
    make_event(&ev);                    /* a single-vessel event */
    ev.type = DF_EV_GAP;
    ev.nvessels = 1;
    ev.vessels[0] = VA;
    ev.vessels[1] = 0;
    assert_int_equal(df_store_event(st, &ev), DF_OK);
    make_reason(&r, 30, "flag", 0, "flagged to North Korea");
    assert_int_equal(df_store_risk_add(st, VA, &r), DF_OK);

    /* While writing, then read-only. */
    check_lookups(st);
    assert_int_equal(df_store_close(st), DF_OK);
    st = open_ro_ok(f->path);
    check_lookups(st);
    assert_int_equal(df_store_close(st), DF_OK);
}

/* A version 2 store (scores were sums) is rescored as it is migrated to
 * version 3 by a read-write open: each reason gets its share. */
static void test_v2_rescored(void **state)
{
    struct fixture *f = *state;
    struct df_store *st = open_ok(f->path);
    struct df_reason r;
    struct df_vessel v;
    struct got_reasons gr;
    sqlite3 *db;

    make_vessel(&v, 445000002);
    assert_int_equal(df_store_vessel(st, &v), DF_OK);
    make_reason(&r, 30, "encounter", 1, "encounter with 412000001");
    assert_int_equal(df_store_risk_add(st, 445000002, &r), DF_OK);
    make_reason(&r, 30, "encounter", 2, "encounter with 412000002");
    assert_int_equal(df_store_risk_add(st, 445000002, &r), DF_OK);
    assert_int_equal(df_store_close(st), DF_OK);
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, V4_UNDO
                                      "ALTER TABLE reasons DROP COLUMN "
                                      "contribution;"
                                      "UPDATE risk SET score = 60;"
                                      "PRAGMA user_version = 2",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);

    st = open_ok(f->path);
    assert_true(fabs(score_of(st) - 45.0) < 1e-9);
    memset(&gr, 0, sizeof gr);
    assert_int_equal(df_store_each_reason(st, 445000002, on_got_reason, &gr),
                     0);
    assert_int_equal(gr.n, 2);
    assert_true(fabs(gr.r[0].contribution - 30.0) < 1e-9);
    assert_true(fabs(gr.r[1].contribution - 15.0) < 1e-9);
    assert_true(gr.r[1].points == 30.0);
    assert_int_equal(df_store_close(st), DF_OK);
}

/* Saved state (schema 4): provisional events go with their reasons and
 * leave scores as if never given; the state's chunks come back in order;
 * input marks and meta values round-trip. */
static int collect_chunk(const void *p, size_t n, void *ud)
{
    struct df_buf *b = ud;

    df_buf_append(b, p, n);
    return 0;
}

static void test_state_tables(void **state)
{
    struct fixture *f = *state;
    struct df_store *st = open_ok(f->path);
    struct df_event ev;
    struct df_reason r;
    struct df_input_mark m, got;
    struct df_buf b = {0};
    const void *p;
    size_t n;
    uint64_t dropped;
    int64_t final_id, prov_id;
    char val[64];
    sqlite3 *db;
    int i;

    /* A final encounter, with a reason for each vessel. */
    make_event(&ev);
    assert_int_equal(df_store_event(st, &ev), DF_OK);
    final_id = df_store_last_event_id(st);
    make_reason(&r, 30, "encounter", final_id, "met A");
    assert_int_equal(df_store_risk_add(st, 412000001, &r), DF_OK);
    /* A provisional one; 445000002's only reason is for it. */
    df_store_set_provisional(st, 1);
    ev.start_ms += 10 * HOUR;
    ev.end_ms += 10 * HOUR;
    assert_int_equal(df_store_event(st, &ev), DF_OK);
    prov_id = df_store_last_event_id(st);
    assert_true(prov_id != final_id);
    make_reason(&r, 30, "encounter", prov_id, "met B");
    assert_int_equal(df_store_risk_add(st, 412000001, &r), DF_OK);
    make_reason(&r, 30, "encounter", prov_id, "met C");
    assert_int_equal(df_store_risk_add(st, 445000002, &r), DF_OK);
    /* The final event written again while provisional stays final. */
    ev.start_ms -= 10 * HOUR;
    ev.end_ms -= 10 * HOUR;
    assert_int_equal(df_store_event(st, &ev), DF_OK);
    assert_true(df_store_last_event_id(st) == final_id);
    df_store_set_provisional(st, 0);

    assert_int_equal(df_store_drop_provisional(st, &dropped), DF_OK);
    assert_int_equal(dropped, 1);
    assert_int_equal(df_store_commit(st), DF_OK);
    db = db_open(f->path);
    assert_int_equal(q_int(db, "SELECT count(*) FROM events"), 1);
    assert_int_equal(q_int(db, "SELECT id FROM events"), final_id);
    assert_int_equal(q_int(db, "SELECT count(*) FROM reasons"), 1);
    assert_int_equal(q_int(db, "SELECT score FROM risk WHERE mmsi = "
                               "412000001"),
                     30);
    assert_int_equal(q_int(db, "SELECT count(*) FROM risk WHERE mmsi = "
                               "445000002"),
                     0);
    sqlite3_close(db);

    /* Chunks in order, read again from the start after the end. */
    assert_int_equal(df_store_state_saved(st), 0);
    assert_int_equal(df_store_state_clear(st), DF_OK);
    assert_int_equal(df_store_state_chunk("abc", 3, st), 0);
    assert_int_equal(df_store_state_chunk("", 0, st), 0);
    assert_int_equal(df_store_state_chunk("defg", 4, st), 0);
    assert_int_equal(df_store_state_saved(st), 1);
    for (i = 0; i < 2; i++) {
        b.len = 0;
        while (df_store_state_read(&p, &n, st) == 1)
            collect_chunk(p, n, &b);
        assert_int_equal(b.len, 7);
        assert_memory_equal(b.data, "abcdefg", 7);
    }
    /* A read ended early starts again from the first chunk. */
    assert_int_equal(df_store_state_read(&p, &n, st), 1);
    assert_memory_equal(p, "abc", 3);
    df_store_state_read_end(st);
    assert_int_equal(df_store_state_read(&p, &n, st), 1);
    assert_int_equal(n, 3);
    assert_memory_equal(p, "abc", 3);
    df_store_state_read_end(st);
    /* Cleared: nothing; a new state starts at the first chunk again. */
    assert_int_equal(df_store_state_clear(st), DF_OK);
    assert_int_equal(df_store_state_read(&p, &n, st), 0);
    assert_int_equal(df_store_state_chunk("xy", 2, st), 0);
    assert_int_equal(df_store_state_read(&p, &n, st), 1);
    assert_int_equal(n, 2);
    assert_memory_equal(p, "xy", 2);
    assert_int_equal(df_store_state_read(&p, &n, st), 0);

    /* Input marks. */
    memset(&m, 0, sizeof m);
    strcpy(m.path, "/data/it's \"quoted\".csv");
    m.size = 123456789012LL;
    m.mtime_ns = 1700000000123456789LL;
    m.head_hash = 0xfedcba9876543210ULL;
    m.records = 42;
    assert_int_equal(df_store_input_get(st, m.path, &got), 0);
    assert_int_equal(df_store_input_put(st, &m), DF_OK);
    assert_int_equal(df_store_input_get(st, m.path, &got), 1);
    assert_string_equal(got.path, m.path);
    assert_true(got.size == m.size && got.mtime_ns == m.mtime_ns &&
                got.head_hash == m.head_hash && got.records == 42 &&
                !got.done);
    assert_true(df_input_mark_same(&m, &got));
    m.records = 99;
    m.done = 1;
    assert_int_equal(df_store_input_put(st, &m), DF_OK);
    assert_int_equal(df_store_input_get(st, m.path, &got), 1);
    assert_true(got.records == 99 && got.done);
    assert_int_equal(df_store_inputs_clear(st), DF_OK);
    assert_int_equal(df_store_input_get(st, m.path, &got), 0);

    assert_int_equal(df_store_meta_get(st, "state_fingerprint", val,
                                       sizeof val),
                     0);
    assert_int_equal(df_store_meta_set(st, "state_fingerprint", "x'y"),
                     DF_OK);
    assert_int_equal(df_store_meta_get(st, "state_fingerprint", val,
                                       sizeof val),
                     1);
    assert_string_equal(val, "x'y");
    assert_int_equal(df_store_close(st), DF_OK);
    df_buf_free(&b);
}

/* df_input_mark_read: a file's identity; another content, another mark. */
static void test_input_mark(void **state)
{
    struct fixture *f = *state;
    struct df_input_mark a, b;
    char path[600];
    FILE *fp;

    snprintf(path, sizeof path, "%s.in", f->path);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("hello\n", fp);
    fclose(fp);
    assert_int_equal(df_input_mark_read(path, &a), DF_OK);
    assert_int_equal(a.size, 6);
    assert_int_equal(a.path[0], '/');
    assert_int_equal(df_input_mark_read(path, &b), DF_OK);
    assert_true(df_input_mark_same(&a, &b));
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("hellO\n", fp);
    fclose(fp);
    assert_int_equal(df_input_mark_read(path, &b), DF_OK);
    assert_false(df_input_mark_same(&a, &b));   /* the head differs */
    unlink(path);
    assert_int_equal(df_input_mark_read(path, &b), DF_IO);
    assert_int_equal(df_input_mark_read("/dev/null", &b), DF_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_upsert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vessel_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_points, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_paths, setup, teardown),
        cmocka_unit_test(test_memory_db),
        cmocka_unit_test_setup_teardown(test_readers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reason_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_ro_errors, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_v1_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v2_rescored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_input_mark, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vessel_lookups, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
