/*
 * test_track.c - the track store and the scan's bookkeeping: the hash
 * table and silence heap directly (src/track.h), then through df_scan:
 * silent vessels flushed (200,000 vessels seen once), the vessel cap,
 * identity history (type 24 parts A and B merged, 20 renames keep the
 * newest DF_MAX_IDENTITIES), the downsampled track (hourly for a vessel
 * that does not move), out-of-order and unusable positions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "darkfleet.h"
#include "track.h"

#define T0 1735689600000LL      /* 2025-01-01T00:00:00Z */
#define MIN_MS 60000LL
#define HOUR_MS 3600000LL

struct sink {
    unsigned events, vessels, points;
    unsigned identity_changes;
    struct df_vessel last;      /* the last vessel flushed */
    const struct df_scan *s;
    uint64_t max_held;
};

static int on_event(const struct df_event *ev, void *ud)
{
    struct sink *k = ud;

    k->events++;
    if (ev->type == DF_EV_IDENTITY_CHANGE)
        k->identity_changes++;
    return 0;
}

static int on_vessel(const struct df_vessel *v, void *ud)
{
    struct sink *k = ud;

    k->vessels++;
    k->last = *v;
    return 0;
}

static int on_point(uint32_t mmsi, const struct df_point *p, void *ud)
{
    struct sink *k = ud;

    (void)mmsi;
    (void)p;
    k->points++;
    return 0;
}

static struct df_scan *scan_new(struct sink *k, struct df_config *cfg)
{
    struct df_scan_cbs cbs;
    struct df_scan *s;

    memset(&cbs, 0, sizeof cbs);
    cbs.event = on_event;
    cbs.vessel = on_vessel;
    cbs.point = on_point;
    cbs.ud = k;
    s = df_scan_new(cfg, NULL, &cbs);
    assert_non_null(s);
    k->s = s;
    return s;
}

static struct df_rec posrec(uint32_t mmsi, int64_t t_ms, double lat,
                            double lon)
{
    struct df_rec r;

    memset(&r, 0, sizeof r);
    r.t_ms = t_ms;
    r.mmsi = mmsi;
    r.msgtype = 1;
    r.has = DF_REC_POS;
    r.lon = (int32_t)(lon * 600000.0);
    r.lat = (int32_t)(lat * 600000.0);
    r.speed = 100;
    r.course = 900;
    r.heading = DF_HEADING_NA;
    return r;
}

static struct df_rec s24(uint32_t mmsi, int64_t t_ms, int part)
{
    struct df_rec r;

    memset(&r, 0, sizeof r);
    r.t_ms = t_ms;
    r.mmsi = mmsi;
    r.msgtype = 24;
    r.has = DF_REC_STATIC;
    r.cls = 'B';
    r.lon = DF_LON_NA;
    r.lat = DF_LAT_NA;
    r.speed = DF_SPEED_NA;
    r.course = DF_COURSE_NA;
    if (part == 0) {
        strcpy(r.shipname, "SEABIRD");
    } else {
        strcpy(r.callsign, "ABC123");
        r.shiptype = 37;
        r.to_bow = 8;
        r.to_stern = 4;
        r.to_port = 2;
        r.to_starboard = 2;
    }
    return r;
}

static void rec(struct df_scan *s, struct df_rec r)
{
    assert_int_equal(df_scan_rec(s, &r), 0);
}

/* ---- the store itself --------------------------------------------- */

static void test_store_hash(void **state)
{
    struct df__tracks *ts = df__tracks_new(100000, 24 * HOUR_MS);
    struct df__track *t;
    uint32_t i;
    int created;

    (void)state;
    assert_non_null(ts);
    for (i = 0; i < 50000; i++) {
        t = df__tracks_get(ts, 200000000u + i * 7919u, &created);
        assert_non_null(t);
        assert_int_equal(created, 1);
        df__tracks_touch(ts, t, T0 + i);
    }
    /* Remove every other one: the rest stay reachable through the
     * backward-shifted clusters. */
    for (i = 0; i < 50000; i += 2) {
        t = df__tracks_find(ts, 200000000u + i * 7919u);
        assert_non_null(t);
        df__tracks_remove(ts, t, 1);
    }
    for (i = 0; i < 50000; i++) {
        t = df__tracks_find(ts, 200000000u + i * 7919u);
        if (i % 2)
            assert_true(t && t->mmsi == 200000000u + i * 7919u);
        else
            assert_null(t);
    }
    assert_int_equal(df__tracks_stats(ts)->held, 25000);
    /* The least recently seen is the oldest one left. */
    t = df__tracks_lru(ts);
    assert_int_equal(t->mmsi, 200000000u + 1 * 7919u);
    /* Touching it makes the next one the oldest. */
    df__tracks_touch(ts, t, T0 + 60000);
    assert_int_equal(df__tracks_lru(ts)->mmsi, 200000000u + 3 * 7919u);
    assert_null(df__tracks_silent(ts, T0 + 24 * HOUR_MS - 1));
    t = df__tracks_silent(ts, T0 + 24 * HOUR_MS + 3);
    assert_non_null(t);
    assert_int_equal(t->mmsi, 200000000u + 3 * 7919u);
    df__tracks_free(ts);
}

/* ---- through the scan --------------------------------------------- */

static void test_silence_flush(void **state)
{
    struct df_config cfg;
    struct sink k;
    struct df_scan *s;
    uint32_t i;

    (void)state;
    memset(&k, 0, sizeof k);
    df_config_defaults(&cfg);
    s = scan_new(&k, &cfg);
    for (i = 0; i < 200000; i++)
        rec(s, posrec(201000000u + i, T0 + i * 100, 30 + (i % 1000) * 0.01,
                      -40 - (i / 1000) * 0.01));
    assert_int_equal(df__scan_track_stats(s)->held, 200000);
    assert_int_equal(k.vessels, 0);
    /* 31 h later one more vessel: everyone else fell silent. */
    rec(s, posrec(538000001, T0 + 31 * HOUR_MS, 30, -40));
    assert_int_equal(k.vessels, 200000);
    assert_int_equal(df__scan_track_stats(s)->held, 1);
    assert_int_equal(df__scan_track_stats(s)->silent, 200000);
    assert_int_equal(df_scan_finish(s), 0);
    assert_int_equal(k.vessels, 200001);
    assert_int_equal(df__scan_track_stats(s)->held, 0);
    assert_int_equal(df__scan_track_stats(s)->peak, 200000);
    df_scan_free(s);
}

static void test_cap(void **state)
{
    struct df_config cfg;
    struct sink k;
    struct df_scan *s;
    uint32_t i;

    (void)state;
    memset(&k, 0, sizeof k);
    df_config_defaults(&cfg);
    cfg.track_max_vessels = 1000;
    s = scan_new(&k, &cfg);
    for (i = 0; i < 5000; i++) {
        rec(s, posrec(201000000u + i, T0 + i * 1000, 30, -40 - i * 0.01));
        assert_true(df__scan_track_stats(s)->held <= 1000);
    }
    assert_int_equal(df__scan_track_stats(s)->peak, 1000);
    assert_int_equal(df__scan_track_stats(s)->evicted, 4000);
    assert_int_equal(k.vessels, 4000);
    /* The least recently seen went first: the oldest 4000. */
    assert_int_equal(k.last.mmsi, 201000000u + 3999);
    assert_int_equal(df_scan_finish(s), 0);
    assert_int_equal(k.vessels, 5000);
    df_scan_free(s);
}

static void test_identity_ab_merge(void **state)
{
    struct df_config cfg;
    struct sink k;
    struct df_scan *s;
    int i;

    (void)state;
    memset(&k, 0, sizeof k);
    df_config_defaults(&cfg);
    s = scan_new(&k, &cfg);
    for (i = 0; i < 6; i++)
        rec(s, s24(538000002, T0 + i * 6 * MIN_MS, i % 2));
    assert_int_equal(df_scan_finish(s), 0);
    assert_int_equal(k.vessels, 1);
    assert_int_equal(k.identity_changes, 0);
    assert_int_equal(k.last.nidentities, 1);
    assert_string_equal(k.last.identities[0].shipname, "SEABIRD");
    assert_string_equal(k.last.identities[0].callsign, "ABC123");
    assert_int_equal(k.last.identities[0].shiptype, 37);
    assert_int_equal(k.last.identities[0].length_m, 12);
    assert_int_equal(k.last.identities[0].width_m, 4);
    assert_int_equal(k.last.identities[0].first_ms, T0);
    assert_int_equal(k.last.identities[0].last_ms, T0 + 30 * MIN_MS);
    assert_string_equal(k.last.flag, "MH");
    assert_int_equal(k.last.mid, 538);
    df_scan_free(s);
}

static void test_identity_renames(void **state)
{
    struct df_config cfg;
    struct sink k;
    struct df_scan *s;
    struct df_rec r;
    unsigned i, j;

    (void)state;
    memset(&k, 0, sizeof k);
    df_config_defaults(&cfg);
    s = scan_new(&k, &cfg);
    for (i = 0; i < 20; i++) {
        r = s24(538000003, T0 + i * HOUR_MS, 0);
        r.msgtype = 5;
        r.cls = 'A';
        snprintf(r.shipname, sizeof r.shipname, "NAME%02u", i);
        rec(s, r);
    }
    /* Back to a known name: no new entry, no new change. */
    snprintf(r.shipname, sizeof r.shipname, "NAME18");
    r.t_ms += HOUR_MS;
    rec(s, r);
    assert_int_equal(df_scan_finish(s), 0);
    assert_int_equal(k.identity_changes, 19);
    assert_int_equal(k.last.nidentities, DF_MAX_IDENTITIES);
    for (i = 0; i < 20; i++) {
        char name[8];
        int found = 0;
        snprintf(name, sizeof name, "NAME%02u", i);
        for (j = 0; j < k.last.nidentities; j++)
            found |= strcmp(k.last.identities[j].shipname, name) == 0;
        assert_int_equal(found, i >= 20 - DF_MAX_IDENTITIES);
    }
    /* The oldest kept absorbed the first times of those merged away. */
    assert_int_equal(k.last.identities[0].first_ms, T0);
    df_scan_free(s);
}

static void test_points(void **state)
{
    struct df_config cfg;
    struct sink k;
    struct df_scan *s;
    int i;

    (void)state;
    memset(&k, 0, sizeof k);
    df_config_defaults(&cfg);
    s = scan_new(&k, &cfg);
    /* 1 h at one report every 10 s: a point every 10 min. */
    for (i = 0; i < 360; i++)
        rec(s, posrec(538000004, T0 + i * 10000, 30, -40 + i * 0.0001));
    assert_int_equal(k.points, 6);
    /* After a 2 h gap: the last fix before it and the first after. */
    rec(s, posrec(538000004, T0 + 3 * HOUR_MS, 30, -39.9));
    assert_int_equal(k.points, 8);
    assert_int_equal(df_scan_finish(s), 0);
    assert_int_equal(k.last.positions, 361);
    assert_int_equal(k.last.last_lon, (int32_t)(-39.9 * 600000.0));
    df_scan_free(s);
}

/* A vessel that does not move (a berth, GNSS jitter of a few metres) gets
 * a point an hour; once it moves, one every 10 minutes again; a gap keeps
 * both its ends and the track ends on the last position. */
static void test_points_still(void **state)
{
    struct df_config cfg;
    struct sink k;
    struct df_scan *s;
    int i;

    (void)state;
    memset(&k, 0, sizeof k);
    df_config_defaults(&cfg);
    s = scan_new(&k, &cfg);
    /* 3 h at one report every 3 min, jittering by about 20 m. */
    for (i = 0; i <= 60; i++)
        rec(s, posrec(538000005, T0 + i * 3 * MIN_MS,
                      30 + (i % 2) * 0.0002, -40 - (i % 3) * 0.0002));
    assert_int_equal(k.points, 4);      /* 0, 1, 2 and 3 h */
    /* Then 1 h under way (100 m a minute): 6 more. */
    for (i = 1; i <= 60; i++)
        rec(s, posrec(538000005, T0 + 3 * HOUR_MS + i * MIN_MS, 30,
                      -40 + i * 0.001));
    assert_int_equal(k.points, 10);
    /* Moored again for 30 min (nothing new), silent for 30 min, then
     * heard at the same spot: both ends of the gap are kept. */
    for (i = 1; i <= 10; i++)
        rec(s, posrec(538000005, T0 + 4 * HOUR_MS + i * 3 * MIN_MS, 30,
                      -39.94));
    assert_int_equal(k.points, 10);
    rec(s, posrec(538000005, T0 + 5 * HOUR_MS, 30, -39.94));
    assert_int_equal(k.points, 12);
    /* One more report, not due: the track still ends on it. */
    rec(s, posrec(538000005, T0 + 5 * HOUR_MS + 3 * MIN_MS, 30, -39.94));
    assert_int_equal(k.points, 12);
    assert_int_equal(df_scan_finish(s), 0);
    assert_int_equal(k.points, 13);
    df_scan_free(s);
}

static void test_order_and_bad(void **state)
{
    struct df_config cfg;
    struct sink k;
    struct df_scan *s;
    struct df_rec r;

    (void)state;
    memset(&k, 0, sizeof k);
    df_config_defaults(&cfg);
    s = scan_new(&k, &cfg);
    rec(s, posrec(538000005, T0 + MIN_MS, 30, -40));
    rec(s, posrec(538000005, T0, 30, -40.01));        /* older */
    r = posrec(538000005, T0 + 2 * MIN_MS, 30, -40);
    r.lon = DF_LON_NA;
    rec(s, r);
    r = posrec(538000005, T0 + 3 * MIN_MS, 0, 0);     /* no GNSS */
    rec(s, r);
    r = posrec(538000005, DF_TIME_NONE, 30, -40);     /* no time */
    rec(s, r);
    assert_int_equal(df_scan_stats(s)->drop_out_of_order, 1);
    assert_int_equal(df__scan_track_stats(s)->bad_positions, 2);
    assert_int_equal(df_scan_finish(s), 0);
    assert_int_equal(k.last.positions, 1);
    assert_int_equal(k.last.first_ms, T0 + MIN_MS);
    assert_int_equal(k.last.last_ms, T0 + 3 * MIN_MS);
    df_scan_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_hash),
        cmocka_unit_test(test_silence_flush),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_identity_ab_merge),
        cmocka_unit_test(test_identity_renames),
        cmocka_unit_test(test_points),
        cmocka_unit_test(test_points_still),
        cmocka_unit_test(test_order_and_bad),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
