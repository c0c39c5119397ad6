/*
 * test_store_query.c - the queries of a workspace over the store
 * (store_query.c, `darkfleet serve`), and what schema 5 adds for them:
 *
 *  - the triggers keep events_rtree (every event, positionless ones at
 *    (1000, 1000), times in seconds; an upsert moves it, a dropped
 *    provisional event leaves it); df_store_vessel writes vessel_search
 *    (one row per vessel, name and call sign, however often written);
 *  - vessel search by any part of a name (old names too, any case, beyond
 *    ASCII), call sign, MMSI, an MMSI's start, IMO; a short text by a
 *    name's start; ranked by score then MMSI, paged, counted; no text is
 *    every vessel by rank; bad text is refused;
 *  - events by box (also across 180 degrees), by time (overlap), type,
 *    score, vessel and id, in either order, paged and counted, the same
 *    through the R*Tree and without it (a schema 4 store, read-only);
 *  - tracks in a time range, thinned by a stride and by grid cells, the
 *    first and last point kept;
 *  - the summary and the days;
 *  - a read transaction sees one snapshot while another connection
 *    commits, and the time limit interrupts a read.
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
#include <time.h>
#include <unistd.h>

#include "darkfleet.h"

#define T0 1740787200000LL /* 2025-03-01T00:00:00Z */
#define HOUR 3600000LL
#define DEG 600000          /* 1/10000 min in a degree */

struct fixture {
    char dir[64];
    char path[128];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);

    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/df_test_query.XXXXXX");
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

static struct df_store *open_rw(const char *path)
{
    struct df_store *st = NULL;
    char err[512];

    if (df_store_open(&st, path, err, sizeof err) != DF_OK)
        fail_msg("df_store_open: %s", err);
    return st;
}

static struct df_store *open_ro(const char *path)
{
    struct df_store *st = NULL;
    char err[512];

    if (df_store_open_ro(&st, path, err, sizeof err) != DF_OK)
        fail_msg("df_store_open_ro: %s", err);
    return st;
}

static int64_t q_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    int64_t v;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static void exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *msg = NULL;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(db);
}

/* A vessel with names (oldest first), an IMO and a call sign. */
static void put_vessel(struct df_store *st, uint32_t mmsi,
                       const char *const *names, uint32_t imo,
                       const char *call, double score)
{
    struct df_vessel v;
    struct df_reason r;
    unsigned i;

    memset(&v, 0, sizeof v);
    v.mmsi = mmsi;
    v.mid = (uint16_t)(mmsi / 1000000);
    v.first_ms = T0;
    v.last_ms = T0 + 10 * HOUR;
    v.positions = 10;
    v.last_lat = 38 * DEG;
    v.last_lon = 124 * DEG;
    for (i = 0; names[i]; i++) {
        struct df_identity *id = &v.identities[v.nidentities++];

        id->first_ms = T0 + i * HOUR;
        id->last_ms = T0 + (i + 1) * HOUR;
        id->imo = imo;
        snprintf(id->shipname, sizeof id->shipname, "%s", names[i]);
        snprintf(id->callsign, sizeof id->callsign, "%s", call);
        id->shiptype = 80;
        id->draught = (uint8_t)(50 + i);
    }
    /* The same identity at another draught: no new search row. */
    v.identities[v.nidentities] = v.identities[v.nidentities - 1];
    v.identities[v.nidentities].draught = 99;
    v.nidentities++;
    assert_int_equal(df_store_vessel(st, &v), DF_OK);
    if (score > 0) {
        memset(&r, 0, sizeof r);
        r.points = score;
        strcpy(r.event_type, "flag");
        strcpy(r.text, "a reason");
        assert_int_equal(df_store_risk_add(st, mmsi, &r), DF_OK);
    }
}

/* An event of type t for vessel a (and b, if not 0), at (lat, lon)
 * degrees (NAN: none), hours [h0, h1] after T0, with score. */
static void put_event(struct df_store *st, enum df_event_type t, uint32_t a,
                      uint32_t b, double lat, double lon, int h0, int h1,
                      double score)
{
    struct df_event ev;

    memset(&ev, 0, sizeof ev);
    ev.type = t;
    ev.vessels[0] = a;
    ev.vessels[1] = b;
    ev.nvessels = b ? 2 : 1;
    ev.start_ms = T0 + h0 * HOUR;
    ev.end_ms = T0 + h1 * HOUR;
    ev.lat = isnan(lat) ? DF_LAT_NA : (int32_t)llround(lat * DEG);
    ev.lon = isnan(lon) ? DF_LON_NA : (int32_t)llround(lon * DEG);
    ev.score = score;
    strcpy(ev.evidence, "{\"k\":1}");
    assert_int_equal(df_store_event(st, &ev), DF_OK);
}

/* ---- collecting what the queries hand out ---------------------------- */

struct got {
    unsigned n;
    uint32_t mmsi[64];
    double score[64];
    int64_t id[64];
};

static int on_vessel(const struct df_vessel *v, double score, void *ud)
{
    struct got *g = ud;

    assert_true(g->n < 64);
    assert_true(v->nidentities >= 1);
    g->mmsi[g->n] = v->mmsi;
    g->score[g->n++] = score;
    return 0;
}

static int on_event(const struct df_event_row *r, void *ud)
{
    struct got *g = ud;

    assert_true(g->n < 64);
    g->id[g->n] = r->id;
    g->score[g->n] = r->ev.score;
    g->mmsi[g->n++] = r->ev.vessels[0];
    return 0;
}

/* The MMSIs q finds, as "m1 m2 ..." (after the offset, up to limit). */
static const char *search(struct df_store *st, const char *q,
                          uint64_t offset, unsigned limit, uint64_t *total)
{
    static char out[512];
    struct got g = {0};
    size_t n = 0;
    unsigned i;

    assert_int_equal(df_store_search_vessels(st, q, offset, limit, total,
                                             on_vessel, &g),
                     0);
    out[0] = '\0';
    for (i = 0; i < g.n; i++)
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%lu",
                              i ? " " : "", (unsigned long)g.mmsi[i]);
    return out;
}

/* The ids q gives, as "1 2 ...", and the total into *total. */
static const char *events(struct df_store *st,
                          const struct df_event_query *q, uint64_t *total)
{
    static char out[512];
    struct got g = {0};
    size_t n = 0;
    unsigned i;

    assert_int_equal(df_store_query_events(st, q, total, on_event, &g), 0);
    out[0] = '\0';
    for (i = 0; i < g.n; i++)
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%lld",
                              i ? " " : "", (long long)g.id[i]);
    return out;
}

/* ---- the fixture ------------------------------------------------------- */

#define VA 412000001u   /* SEA VENUS, then ROYAL LUCKY; score 60 */
#define VB 445000002u   /* CHON MA SAN; score 80 */
#define VC 273000003u   /* ΑΘΗΝΑ ΣΤΑΡ; score 60 */
#define VD 412345678u   /* VENUSIA; no score */
#define VE 636000005u   /* RO; score 10 */

/* Events, ids 1-7 in this order. */
static void fill(struct df_store *st)
{
    static const char *const na[] = {"SEA VENUS", "ROYAL LUCKY", NULL};
    static const char *const nb[] = {"CHON MA SAN", NULL};
    static const char *const nc[] = {"\xce\x91\xce\x98\xce\x97\xce\x9d\xce\x91"
                                     " \xce\xa3\xce\xa4\xce\x91\xce\xa1",
                                     NULL};
    static const char *const nd[] = {"VENUSIA", NULL};
    static const char *const ne[] = {"RO", NULL};

    put_vessel(st, VA, na, 9948035, "HMYM", 60);
    put_vessel(st, VB, nb, 9074729, "HMZZ", 80);
    put_vessel(st, VC, nc, 0, "SVAB", 60);
    put_vessel(st, VD, nd, 0, "", 0);
    put_vessel(st, VE, ne, 9321483, "V7RO", 10);
    /* 1: Yellow Sea, hours 0-4 */
    put_event(st, DF_EV_ENCOUNTER, VA, VB, 37.5, 124.0, 0, 4, 0.9);
    /* 2: Yellow Sea, hours 10-30 (a long gap) */
    put_event(st, DF_EV_GAP, VA, 0, 36.0, 123.0, 10, 30, 0.7);
    /* 3: no position */
    put_event(st, DF_EV_IDENTITY_CHANGE, VA, 0, NAN, NAN, 12, 12, 0.5);
    /* 4: Bering Sea, west of 180 */
    put_event(st, DF_EV_LOITERING, VC, 0, 60.0, 179.5, 20, 24, 0.4);
    /* 5: Bering Sea, east of -180 */
    put_event(st, DF_EV_LOITERING, VD, 0, 60.0, -179.5, 40, 44, 0.2);
    /* 6: off Nampo, hours 50-51 */
    put_event(st, DF_EV_ZONE_ENTRY, VB, 0, 38.7, 125.1, 50, 51, 0.6);
    /* 7: an encounter of B with A, hours 60-62 */
    put_event(st, DF_EV_ENCOUNTER, VB, VA, 37.4, 124.2, 60, 62, 0.8);
}

/* ---- schema 5's triggers ------------------------------------------------ */

static void test_triggers(void **state)
{
    struct fixture *f = *state;
    struct df_store *st = open_rw(f->path);
    uint64_t dropped = 0;

    fill(st);
    assert_int_equal(df_store_commit(st), DF_OK);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM events_rtree"), 7);
    /* Positionless: outside every box; times in seconds. */
    assert_int_equal(q_int(f->path, "SELECT minlon FROM events_rtree"
                                    " WHERE id = 3"),
                     1000);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM events_rtree"
                                    " WHERE id = 2 AND mint <= 1740823200"
                                    " AND maxt >= 1740895200"
                                    " AND minlat < 36.01 AND maxlat > 35.99"),
                     1);
    /* One search row per vessel, name and call sign (A: two names; the
     * second draught of each adds none). */
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM vessel_search"), 6);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM vessel_search"
                                    " WHERE mmsi = 412000001"),
                     2);
    /* The same vessels written again (a scan's next checkpoint): no row
     * more. */
    fill(st);
    assert_int_equal(df_store_commit(st), DF_OK);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM vessel_search"), 6);
    /* The same event again, moved: the R*Tree follows. */
    put_event(st, DF_EV_GAP, VA, 0, 10.0, 20.0, 10, 31, 0.7);
    assert_int_equal(df_store_commit(st), DF_OK);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM events_rtree"), 7);
    assert_int_equal(q_int(f->path, "SELECT round(minlat) FROM events_rtree"
                                    " WHERE id = 2"),
                     10);
    /* A provisional event dropped leaves the R*Tree. */
    df_store_set_provisional(st, 1);
    put_event(st, DF_EV_GAP, VE, 0, 1.0, 1.0, 70, 80, 0.1);
    df_store_set_provisional(st, 0);
    assert_int_equal(df_store_commit(st), DF_OK);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM events_rtree"), 8);
    assert_int_equal(df_store_drop_provisional(st, &dropped), DF_OK);
    assert_int_equal(dropped, 1);
    assert_int_equal(df_store_commit(st), DF_OK);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM events_rtree"), 7);
    assert_int_equal(df_store_close(st), DF_OK);

    /* A schema 4 store is brought to 5: both filled from what it holds. */
    exec(f->path, "DROP TRIGGER events_rtree_insert;"
                  "DROP TRIGGER events_rtree_update;"
                  "DROP TRIGGER events_rtree_delete; DROP TABLE events_rtree;"
                  "DROP VIEW events_extent;"
                  "DROP TABLE vessel_search; PRAGMA user_version = 4");
    st = open_rw(f->path);
    assert_int_equal(df_store_close(st), DF_OK);
    assert_int_equal(q_int(f->path, "PRAGMA user_version"), 5);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM events_rtree"), 7);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM vessel_search"), 6);
}

/* ---- vessel search ------------------------------------------------------ */

static void check_search(struct df_store *st, int v5)
{
    uint64_t total = 0;
    char big[DF_SEARCH_MAX + 2];
    struct got g = {0};

    /* Every vessel, by score then MMSI; paged across the scored and the
     * unscored. */
    assert_string_equal(search(st, NULL, 0, 0, &total),
                        "445000002 273000003 412000001 636000005 412345678");
    assert_int_equal(total, 5);
    assert_string_equal(search(st, "  ", 3, 2, &total),
                        "636000005 412345678");
    assert_string_equal(search(st, "", 4, 10, NULL), "412345678");
    assert_string_equal(search(st, "", 1, 1, NULL), "273000003");
    assert_string_equal(search(st, "", 9, 10, &total), "");
    assert_int_equal(total, 5);
    /* MMSI, its start, IMO. */
    assert_string_equal(search(st, "412000001", 0, 10, &total), "412000001");
    assert_int_equal(total, 1);
    assert_string_equal(search(st, "412", 0, 10, &total),
                        "412000001 412345678");
    assert_string_equal(search(st, "9074729", 0, 10, NULL), "445000002");
    assert_string_equal(search(st, "999999999", 0, 10, &total), "");
    assert_int_equal(total, 0);
    /* A name's start, as given or in upper case; an earlier name. */
    assert_string_equal(search(st, "sea v", 0, 10, NULL), "412000001");
    assert_string_equal(search(st, "ROYAL", 0, 10, NULL), "412000001");
    assert_string_equal(search(st, "RO", 0, 10, NULL),
                        "412000001 636000005");
    if (v5) {
        /* Any part of a name or call sign, any case, beyond ASCII. */
        assert_string_equal(search(st, "venus", 0, 10, &total),
                            "412000001 412345678");
        assert_int_equal(total, 2);
        assert_string_equal(search(st, " VENUS ", 1, 10, &total),
                            "412345678");
        assert_string_equal(search(st, "MA S", 0, 10, NULL), "445000002");
        assert_string_equal(search(st, "LUCK", 0, 10, NULL), "412000001");
        assert_string_equal(search(st, "hmz", 0, 10, NULL), "445000002");
        assert_string_equal(search(st, "\xce\xb8\xce\xb7\xce\xbd", 0, 10,
                                   NULL),
                            "273000003");
        assert_string_equal(search(st, "\"VENUS\" OR x*", 0, 10, NULL), "");
    } else {
        /* Schema 4: names by their start only. */
        assert_string_equal(search(st, "VENUS", 0, 10, NULL), "412345678");
    }
    /* Refused: control characters, too long. */
    assert_int_equal(df_store_search_vessels(st, "A\nB", 0, 10, NULL,
                                             on_vessel, &g),
                     -1);
    assert_non_null(strstr(df_store_error(st), "control"));
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(df_store_search_vessels(st, big, 0, 10, NULL,
                                             on_vessel, &g),
                     -1);
    assert_int_equal(df_store_search_vessels(NULL, "A", 0, 10, NULL,
                                             on_vessel, &g),
                     -1);
    assert_int_equal(g.n, 0);
}

static void test_search(void **state)
{
    struct fixture *f = *state;
    struct df_store *st = open_rw(f->path);

    fill(st);
    check_search(st, 1);
    assert_int_equal(df_store_close(st), DF_OK);
    st = open_ro(f->path);
    assert_int_equal(df_store_schema_version(st), 5);
    check_search(st, 1);
    df_store_close(st);
    /* Read-only and never migrated, a schema 4 store. */
    exec(f->path, "DROP TABLE vessel_search; DROP TABLE events_rtree;"
                  "DROP VIEW events_extent; PRAGMA user_version = 4");
    st = open_ro(f->path);
    assert_int_equal(df_store_schema_version(st), 4);
    check_search(st, 0);
    df_store_close(st);
}

/* ---- events ------------------------------------------------------------- */

static void box(struct df_event_query *q, double w, double s, double e,
                double n)
{
    q->box = 1;
    q->minlon = (int32_t)llround(w * DEG);
    q->minlat = (int32_t)llround(s * DEG);
    q->maxlon = (int32_t)llround(e * DEG);
    q->maxlat = (int32_t)llround(n * DEG);
}

static void check_events(struct df_store *st)
{
    struct df_event_query q;
    struct got g = {0};
    uint64_t total = 0;

    df_event_query_init(&q);
    assert_string_equal(events(st, &q, &total), "1 2 3 4 5 6 7");
    assert_int_equal(total, 7);
    q.by_score = 1;
    assert_string_equal(events(st, &q, NULL), "1 7 2 6 3 4 5");
    q.offset = 2;
    q.limit = 3;
    assert_string_equal(events(st, &q, &total), "2 6 3");
    assert_int_equal(total, 7);

    /* A box: the Yellow Sea, no positionless event; a small one. */
    df_event_query_init(&q);
    box(&q, 120, 30, 130, 40);
    assert_string_equal(events(st, &q, &total), "1 2 6 7");
    assert_int_equal(total, 4);
    box(&q, 123.9, 37.4, 124.1, 37.6);
    assert_string_equal(events(st, &q, NULL), "1");
    /* Edges are in. */
    box(&q, 124.0, 37.5, 124.0, 37.5);
    assert_string_equal(events(st, &q, NULL), "1");
    /* Across 180 degrees: both sides; a whole-world box. */
    box(&q, 179, 55, -179, 65);
    assert_string_equal(events(st, &q, NULL), "4 5");
    box(&q, 170, 55, 179.9, 65);
    assert_string_equal(events(st, &q, NULL), "4");
    box(&q, -180, -90, 180, 90);
    assert_string_equal(events(st, &q, &total), "1 2 4 5 6 7");
    assert_int_equal(total, 6);

    /* Time: events that overlap [from, to]. */
    df_event_query_init(&q);
    q.from_ms = T0 + 20 * HOUR;
    q.to_ms = T0 + 21 * HOUR;
    assert_string_equal(events(st, &q, NULL), "2 4");
    q.from_ms = T0 + 4 * HOUR;              /* event 1 ends at 4 */
    q.to_ms = T0 + 10 * HOUR;               /* event 2 starts at 10 */
    assert_string_equal(events(st, &q, NULL), "1 2");
    q.from_ms = T0 + 45 * HOUR;
    q.to_ms = DF_TIME_NONE;
    assert_string_equal(events(st, &q, NULL), "6 7");
    q.from_ms = DF_TIME_NONE;
    q.to_ms = T0 + 11 * HOUR;
    assert_string_equal(events(st, &q, NULL), "1 2");
    /* Time and box together. */
    q.from_ms = T0 + 40 * HOUR;
    q.to_ms = DF_TIME_NONE;
    box(&q, 120, 30, 130, 40);
    assert_string_equal(events(st, &q, NULL), "6 7");

    /* Types, score, vessel, id. */
    df_event_query_init(&q);
    q.types = 1u << DF_EV_ENCOUNTER | 1u << DF_EV_LOITERING;
    assert_string_equal(events(st, &q, &total), "1 4 5 7");
    assert_int_equal(total, 4);
    q.min_score = 0.5;
    assert_string_equal(events(st, &q, NULL), "1 7");
    df_event_query_init(&q);
    q.mmsi = VA;
    assert_string_equal(events(st, &q, &total), "1 2 3 7");
    q.mmsi = VB;
    q.from_ms = T0 + 55 * HOUR;
    assert_string_equal(events(st, &q, NULL), "7");
    df_event_query_init(&q);
    q.id = 6;
    assert_string_equal(events(st, &q, &total), "6");
    assert_int_equal(total, 1);
    q.id = 99;
    assert_string_equal(events(st, &q, NULL), "");

    /* A box upside down or out of range is refused. */
    df_event_query_init(&q);
    box(&q, 0, 10, 1, 5);
    assert_int_equal(df_store_query_events(st, &q, NULL, on_event, &g), -1);
    box(&q, 0, 10, 1, 95);
    assert_int_equal(df_store_query_events(st, &q, NULL, on_event, &g), -1);
    assert_int_equal(g.n, 0);
}

static void test_events(void **state)
{
    struct fixture *f = *state;
    struct df_store *st = open_rw(f->path);

    fill(st);
    check_events(st);
    assert_int_equal(df_store_close(st), DF_OK);
    st = open_ro(f->path);
    check_events(st);
    df_store_close(st);
    /* Without the R*Tree (schema 4, read-only): the same answers. */
    exec(f->path, "DROP TABLE vessel_search; DROP TABLE events_rtree;"
                  "DROP VIEW events_extent; PRAGMA user_version = 4");
    st = open_ro(f->path);
    check_events(st);
    df_store_close(st);
}

/* ---- tracks ------------------------------------------------------------- */

struct pts {
    unsigned n;
    int64_t t[2100];
};

static int on_point(uint32_t mmsi, const struct df_point *p, void *ud)
{
    struct pts *g = ud;

    (void)mmsi;
    assert_true(g->n < 2100);
    g->t[g->n++] = p->t_ms;
    return 0;
}

static void test_track(void **state)
{
    struct fixture *f = *state;
    struct df_store *st = open_rw(f->path);
    struct df_point p;
    struct pts *g = calloc(1, sizeof *g);
    uint64_t total = 0;
    int i;

    /* 1000 points a minute apart, along a parallel: 0.001 deg apart for
     * the first 500, then standing still for 500. */
    for (i = 0; i < 1000; i++) {
        memset(&p, 0, sizeof p);
        p.t_ms = T0 + i * 60000LL;
        p.lat = 38 * DEG;
        p.lon = 124 * DEG + (i < 500 ? i : 500) * 600;
        p.speed = 100;
        p.course = 900;
        assert_int_equal(df_store_point(st, VA, &p), DF_OK);
    }
    assert_int_equal(df_store_commit(st), DF_OK);

    assert_int_equal(df_store_track(st, VA, DF_TIME_NONE, DF_TIME_NONE, 0,
                                     0, &total, on_point, g),
                     0);
    assert_int_equal(g->n, 1000);
    assert_int_equal(total, 1000);
    /* A time range, ends in. */
    g->n = 0;
    assert_int_equal(df_store_track(st, VA, T0 + 10 * 60000LL,
                                    T0 + 19 * 60000LL, 0, 0, &total,
                                    on_point, g),
                     0);
    assert_int_equal(g->n, 10);
    assert_int_equal(total, 10);
    assert_true(g->t[0] == T0 + 10 * 60000LL);
    /* At most 100: every 11th and the last. */
    g->n = 0;
    assert_int_equal(df_store_track(st, VA, DF_TIME_NONE, DF_TIME_NONE, 0,
                                    100, &total, on_point, g),
                     0);
    assert_true(g->n <= 100 && g->n >= 90);
    assert_true(g->t[0] == T0);
    assert_true(g->t[g->n - 1] == T0 + 999 * 60000LL);
    assert_true(g->t[1] - g->t[0] == 11 * 60000LL);
    /* Cells of 0.01 degree: a point every 10 while moving, one for the
     * stay, and the last. */
    g->n = 0;
    assert_int_equal(df_store_track(st, VA, DF_TIME_NONE, DF_TIME_NONE,
                                    DEG / 100, 0, &total, on_point, g),
                     0);
    assert_true(g->n >= 50 && g->n <= 53);
    assert_true(g->t[g->n - 1] == T0 + 999 * 60000LL);
    assert_int_equal(total, 1000);
    /* Two points asked: the first and the last. */
    g->n = 0;
    assert_int_equal(df_store_track(st, VA, DF_TIME_NONE, DF_TIME_NONE, 0,
                                    2, NULL, on_point, g),
                     0);
    assert_int_equal(g->n, 2);
    assert_true(g->t[1] == T0 + 999 * 60000LL);
    /* No such vessel, or nothing in range. */
    g->n = 0;
    assert_int_equal(df_store_track(st, VB, DF_TIME_NONE, DF_TIME_NONE, 0,
                                    10, &total, on_point, g),
                     0);
    assert_int_equal(g->n, 0);
    assert_int_equal(total, 0);
    assert_int_equal(df_store_close(st), DF_OK);
    free(g);
}

/* ---- summary, days ------------------------------------------------------ */

static int on_day(int64_t day_ms, uint64_t n, void *ud)
{
    struct got *g = ud;

    g->id[g->n] = day_ms;
    g->mmsi[g->n++] = (uint32_t)n;
    return 0;
}

static void test_summary(void **state)
{
    struct fixture *f = *state;
    struct df_store *st = open_rw(f->path);
    struct df_store_summary s;
    struct got g = {0};

    fill(st);
    df_store_set_provisional(st, 1);
    put_event(st, DF_EV_GAP, VE, 0, 1.0, 1.0, 70, 80, 0.1);
    df_store_set_provisional(st, 0);
    assert_int_equal(df_store_close(st), DF_OK);
    st = open_ro(f->path);
    assert_int_equal(df_store_summary(st, &s), 0);
    assert_int_equal(s.schema_version, 5);
    assert_int_equal(s.vessels, 5);
    assert_int_equal(s.scored, 4);
    assert_int_equal(s.positions, 50);
    assert_int_equal(s.events, 8);
    assert_int_equal(s.provisional, 1);
    assert_int_equal(s.by_type[DF_EV_ENCOUNTER], 2);
    assert_int_equal(s.by_type[DF_EV_GAP], 2);
    assert_int_equal(s.by_type[DF_EV_PORT_CALL], 0);
    assert_true(s.first_ms == T0);
    assert_true(s.last_ms == T0 + 10 * HOUR);
    assert_true(s.created_ms != DF_TIME_NONE);
    assert_true(s.last_scan_ms != DF_TIME_NONE);
    /* Days of the events' starts: four on day 0 (hours 0-20), one on
     * day 1 (40), three on day 2 (50, 60, 70). */
    assert_int_equal(df_store_each_day(st, on_day, &g), 0);
    assert_int_equal(g.n, 3);
    assert_true(g.id[0] == T0 && g.mmsi[0] == 4);
    assert_true(g.id[1] == T0 + 24 * HOUR && g.mmsi[1] == 1);
    assert_true(g.id[2] == T0 + 48 * HOUR && g.mmsi[2] == 3);
    df_store_close(st);
}

/* ---- snapshots and the time limit --------------------------------------- */

static void test_snapshot(void **state)
{
    struct fixture *f = *state;
    struct df_store *w = open_rw(f->path), *r;
    struct df_store_summary s;
    struct df_point p;
    struct pts *g = calloc(1, sizeof *g);
    int64_t dv;
    int i;

    fill(w);
    assert_int_equal(df_store_commit(w), DF_OK);
    r = open_ro(f->path);
    dv = df_store_data_version(r);
    assert_true(dv >= 0);
    assert_int_equal(df_store_read_begin(r), DF_OK);
    assert_int_equal(df_store_summary(r, &s), 0);
    assert_int_equal(s.events, 7);
    /* The writer commits while the read is open: it is not held up, and
     * the read goes on seeing its snapshot. */
    put_event(w, DF_EV_GAP, VE, 0, 1.0, 1.0, 70, 80, 0.1);
    assert_int_equal(df_store_commit(w), DF_OK);
    assert_int_equal(df_store_summary(r, &s), 0);
    assert_int_equal(s.events, 7);
    df_store_read_end(r);
    assert_true(df_store_data_version(r) != dv);
    assert_int_equal(df_store_read_begin(r), DF_OK);
    assert_int_equal(df_store_summary(r, &s), 0);
    assert_int_equal(s.events, 8);
    df_store_read_end(r);

    /* The time limit: a read begun longer ago than it is interrupted. */
    for (i = 0; i < 3000; i++) {
        memset(&p, 0, sizeof p);
        p.t_ms = T0 + i * 1000LL;
        p.lat = 38 * DEG;
        p.lon = 124 * DEG;
        assert_int_equal(df_store_point(w, VA, &p), DF_OK);
    }
    assert_int_equal(df_store_commit(w), DF_OK);
    df_store_set_time_limit(r, 1);
    assert_int_equal(df_store_read_begin(r), DF_OK);
    {
        struct timespec ts = {0, 20000000};

        nanosleep(&ts, NULL);
    }
    assert_int_equal(df_store_track(r, VA, DF_TIME_NONE, DF_TIME_NONE, 0, 0,
                                     NULL, on_point, g),
                     -1);
    assert_int_equal(g->n, 0);
    assert_int_equal(df_store_interrupted(r), 1);
    df_store_read_end(r);
    /* The next read starts the clock again. */
    df_store_set_time_limit(r, 60000);
    assert_int_equal(df_store_read_begin(r), DF_OK);
    assert_int_equal(df_store_interrupted(r), 0);
    assert_int_equal(df_store_summary(r, &s), 0);
    df_store_read_end(r);
    df_store_close(r);
    assert_int_equal(df_store_close(w), DF_OK);
    free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_triggers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_track, setup, teardown),
        cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
