/*
 * test_detect_vessel.c - the per-vessel detectors through df_scan: hand-
 * made record streams with one planted behaviour each, and the exact
 * events expected (gap, draught_change, spoofing, mmsi_collision,
 * identity_change, invalid_identity, zone_entry, port_call).  Positions
 * are in open ocean, far from any coast, so the result is the same with
 * or without the built-in land.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "darkfleet.h"

#define T0 1735689600000LL      /* 2025-01-01T00:00:00Z */
#define MIN_MS 60000LL
#define HOUR_MS 3600000LL
#define MAXEV 512

struct sink {
    struct df_event *ev;
    int n;
    unsigned vessels;
};

static int on_event(const struct df_event *ev, void *ud)
{
    struct sink *k = ud;

    if (k->n < MAXEV)
        k->ev[k->n] = *ev;
    k->n++;
    return 0;
}

static int on_vessel(const struct df_vessel *v, void *ud)
{
    struct sink *k = ud;

    (void)v;
    k->vessels++;
    return 0;
}

static int32_t u(double deg)
{
    return (int32_t)(deg * 600000.0 + (deg < 0 ? -0.5 : 0.5));
}

static struct df_rec posrec(uint32_t mmsi, int64_t t_ms, double lat,
                            double lon, double kn)
{
    struct df_rec r;

    memset(&r, 0, sizeof r);
    r.t_ms = t_ms;
    r.mmsi = mmsi;
    r.msgtype = 1;
    r.has = DF_REC_POS;
    r.cls = 'A';
    r.status = 0;
    r.lon = u(lon);
    r.lat = u(lat);
    r.speed = (uint16_t)(kn * 10 + 0.5);
    r.course = 900;
    r.heading = DF_HEADING_NA;
    return r;
}

static struct df_rec statrec(uint32_t mmsi, int64_t t_ms, const char *name,
                             uint32_t imo, unsigned draught_dm)
{
    struct df_rec r;

    memset(&r, 0, sizeof r);
    r.t_ms = t_ms;
    r.mmsi = mmsi;
    r.msgtype = 5;
    r.has = DF_REC_STATIC;
    r.cls = 'A';
    r.lon = DF_LON_NA;
    r.lat = DF_LAT_NA;
    r.speed = DF_SPEED_NA;
    r.course = DF_COURSE_NA;
    r.heading = DF_HEADING_NA;
    r.imo = imo;
    snprintf(r.shipname, sizeof r.shipname, "%s", name);
    snprintf(r.callsign, sizeof r.callsign, "CS%u", (unsigned)(mmsi % 1000));
    r.shiptype = 80;
    r.to_bow = 100;
    r.to_stern = 20;
    r.to_port = 10;
    r.to_starboard = 10;
    r.draught = (uint8_t)draught_dm;
    return r;
}

struct fix {
    struct sink k;
    struct df_config cfg;
    struct df_geo *geo;
    struct df_scan *s;
    char zpath[64];
};

static int setup(void **state)
{
    static const char *zone =
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":"
        "\"Feature\",\"properties\":{\"name\":\"TESTZONE\"},\"geometry\":"
        "{\"type\":\"Polygon\",\"coordinates\":[[[-30,10],[-29,10],[-29,11],"
        "[-30,11],[-30,10]]]}},{\"type\":\"Feature\",\"properties\":"
        "{\"name\":\"INNER\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[-29.6,10.4],[-29.4,10.4],[-29.4,10.6],"
        "[-29.6,10.6],[-29.6,10.4]]]}}]}";
    struct fix *f = calloc(1, sizeof *f);
    struct df_scan_cbs cbs;
    char err[256];
    int fd;
    FILE *fp;

    assert_non_null(f);
    f->k.ev = calloc(MAXEV, sizeof *f->k.ev);
    assert_non_null(f->k.ev);
    df_config_defaults(&f->cfg);
    f->geo = df_geo_new();
    assert_non_null(f->geo);
    snprintf(f->zpath, sizeof f->zpath, "/tmp/df_test_zoneXXXXXX");
    fd = mkstemp(f->zpath);
    assert_true(fd >= 0);
    fp = fdopen(fd, "w");
    assert_non_null(fp);
    fputs(zone, fp);
    fclose(fp);
    assert_int_equal(df_geo_load_zones(f->geo, f->zpath, err, sizeof err),
                     DF_OK);
    assert_true(df_geo_add_port(f->geo, "TESTPORT", "XX", u(-50), u(20), 3.0,
                                0) >= 0);
    memset(&cbs, 0, sizeof cbs);
    cbs.event = on_event;
    cbs.vessel = on_vessel;
    cbs.ud = &f->k;
    f->s = df_scan_new(&f->cfg, f->geo, &cbs);
    assert_non_null(f->s);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;

    df_scan_free(f->s);
    df_geo_free(f->geo);
    unlink(f->zpath);
    free(f->k.ev);
    free(f);
    return 0;
}

static void feed(struct fix *f, struct df_rec r)
{
    assert_int_equal(df_scan_rec(f->s, &r), 0);
}

static void finish(struct fix *f)
{
    assert_int_equal(df_scan_finish(f->s), 0);
}

static int count(const struct fix *f, enum df_event_type t)
{
    int i, n = 0;

    for (i = 0; i < f->k.n && i < MAXEV; i++)
        n += f->k.ev[i].type == t;
    return n;
}

static const struct df_event *first(const struct fix *f,
                                    enum df_event_type t)
{
    int i;

    for (i = 0; i < f->k.n && i < MAXEV; i++)
        if (f->k.ev[i].type == t)
            return &f->k.ev[i];
    return NULL;
}

/* Fails with the evidence printed when it lacks s. */
static void has(const struct df_event *ev, const char *s)
{
    if (!strstr(ev->evidence, s)) {
        print_error("evidence %s lacks %s\n", ev->evidence, s);
        fail();
    }
}

/* A vessel sailing east from (lat, lon) at 10 kn, a report every 5 min
 * from t0 for n reports.  Returns the longitude reached. */
static double sail(struct fix *f, uint32_t mmsi, int64_t t0, double lat,
                   double lon, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        feed(f, posrec(mmsi, t0 + i * 5 * MIN_MS, lat, lon, 10.0));
        if (i + 1 < n)
            lon += 0.0167 * 5 / 60 * 10 / 0.866; /* ~10 kn at 30N */
    }
    return lon;
}

static void test_gap_14h(void **state)
{
    struct fix *f = *state;
    const struct df_event *ev;
    double lon = sail(f, 538000001, T0, 30, -40, 25);
    int64_t dark = T0 + 24 * 5 * MIN_MS, back = dark + 14 * HOUR_MS;
    double km = df_distance_m(u(lon), u(30), u(lon + 1.0), u(30)) / 1000.0;
    char want[64];

    sail(f, 538000001, back, 30, lon + 1.0, 5);
    finish(f);
    assert_int_equal(count(f, DF_EV_GAP), 1);
    ev = first(f, DF_EV_GAP);
    assert_int_equal(ev->vessels[0], 538000001);
    assert_int_equal(ev->start_ms, dark);
    assert_int_equal(ev->end_ms, back);
    assert_int_equal(ev->lon, u(lon));
    assert_int_equal(ev->lat, u(30));
    has(ev, "\"rule\":\"offshore\"");
    has(ev, "\"hours\":14.00");
    snprintf(want, sizeof want, "\"implied_speed_kn\":%.2f",
             km * 1000.0 / 1852.0 / 14.0);
    has(ev, want);
    snprintf(want, sizeof want, "\"distance_km\":%.1f", km);
    has(ev, want);
    has(ev, "\"min_hours\":12");
    assert_int_equal(count(f, DF_EV_SPOOFING), 0);
    assert_int_equal(count(f, DF_EV_DRAUGHT_CHANGE), 0);
}

static void test_gap_3h_none(void **state)
{
    struct fix *f = *state;
    double lon = sail(f, 538000002, T0, 30, -40, 25);

    sail(f, 538000002, T0 + 24 * 5 * MIN_MS + 3 * HOUR_MS, 30, lon + 0.3, 5);
    finish(f);
    assert_int_equal(f->k.n, 0);
}

/* The DPRK variant: 7 h dark starting 50 km from the zone. */
static void test_gap_zone(void **state)
{
    struct fix *f = *state;
    const struct df_event *ev;
    double lon = sail(f, 538000003, T0, 10.5, -30.8, 3);

    sail(f, 538000003, T0 + 10 * MIN_MS + 7 * HOUR_MS, 10.5, lon + 0.2, 3);
    finish(f);
    assert_int_equal(count(f, DF_EV_GAP), 1);
    ev = first(f, DF_EV_GAP);
    has(ev, "\"rule\":\"zone\"");
    has(ev, "\"hours\":7.00");
}

static void test_gap_draught(void **state)
{
    struct fix *f = *state;
    const struct df_event *ev;
    double lon;
    int64_t back = T0 + 2 * HOUR_MS + 14 * HOUR_MS;

    feed(f, statrec(538000004, T0, "OCEAN STAR", 9074729, 120));
    lon = sail(f, 538000004, T0, 30, -40, 25);
    sail(f, 538000004, back, 30, lon + 1, 3);
    feed(f, statrec(538000004, back + 11 * MIN_MS, "OCEAN STAR", 9074729,
                    75));
    finish(f);
    assert_int_equal(count(f, DF_EV_GAP), 1);
    assert_int_equal(count(f, DF_EV_DRAUGHT_CHANGE), 1);
    ev = first(f, DF_EV_DRAUGHT_CHANGE);
    has(ev, "\"across\":\"gap\"");
    has(ev, "\"before_m\":12.0");
    has(ev, "\"after_m\":7.5");
    has(ev, "\"min_change_m\":1");
    assert_int_equal(ev->start_ms, T0 + 2 * HOUR_MS);
    assert_int_equal(ev->end_ms, back);
    assert_int_equal(count(f, DF_EV_IDENTITY_CHANGE), 0);
    assert_int_equal(count(f, DF_EV_INVALID_IDENTITY), 0);
}

/* One report 300 km away, then back on track. */
static void test_spoof_jump(void **state)
{
    struct fix *f = *state;
    const struct df_event *ev;
    int i;

    for (i = 0; i < 120; i++) {
        double lon = -40 + i * 0.0003;
        if (i == 30)
            lon += 300.0 / (111.32 * 0.866);
        feed(f, posrec(538000005, T0 + i * MIN_MS, 30, lon, 10));
    }
    finish(f);
    assert_int_equal(count(f, DF_EV_SPOOFING), 1);
    assert_int_equal(count(f, DF_EV_MMSI_COLLISION), 0);
    assert_int_equal(count(f, DF_EV_GAP), 0);
    ev = first(f, DF_EV_SPOOFING);
    has(ev, "\"kind\":\"jump\"");
    has(ev, "\"positions\":1");
    has(ev, "\"max_speed_kn\":50");
    assert_int_equal(ev->start_ms, T0 + 30 * MIN_MS);
}

/* Two ships on one MMSI, 400 km apart, interleaved for 6 h. */
static void test_collision(void **state)
{
    struct fix *f = *state;
    const struct df_event *ev;
    double off = 400.0 / (111.32 * 0.866);
    int i;

    for (i = 0; i < 180; i++) {
        int64_t t = T0 + i * 2 * MIN_MS;
        if (i % 10 == 0)
            feed(f, statrec(538000006, t, "NORTH", 0, 0));
        if (i % 10 == 5)
            feed(f, statrec(538000006, t, "SOUTH", 0, 0));
        feed(f, posrec(538000006, t, 30, -40 + i * 0.001, 8));
        feed(f, posrec(538000006, t + MIN_MS, 30, -40 + off - i * 0.001, 8));
    }
    finish(f);
    assert_int_equal(count(f, DF_EV_MMSI_COLLISION), 1);
    assert_true(count(f, DF_EV_SPOOFING) <= 1);
    ev = first(f, DF_EV_MMSI_COLLISION);
    has(ev, "\"min_km\":50");
    has(ev, "\"name_a\"");
    has(ev, "\"name_b\"");
    /* The alternating names make one change, not ninety. */
    assert_int_equal(count(f, DF_EV_IDENTITY_CHANGE), 1);
}

static void test_identity_change(void **state)
{
    struct fix *f = *state;
    const struct df_event *ev;

    feed(f, statrec(538000007, T0, "ALPHA", 9074729, 0));
    feed(f, statrec(538000007, T0 + MIN_MS, "alpha ", 9074729, 0));
    feed(f, statrec(538000007, T0 + 2 * MIN_MS, "BETA", 9074729, 0));
    finish(f);
    assert_int_equal(count(f, DF_EV_IDENTITY_CHANGE), 1);
    ev = first(f, DF_EV_IDENTITY_CHANGE);
    has(ev, "\"name\":{\"old\":\"ALPHA\",\"new\":\"BETA\"}");
    assert_int_equal(ev->end_ms, T0 + 2 * MIN_MS);
}

static void test_invalid_identity(void **state)
{
    struct fix *f = *state;
    const struct df_event *ev;

    /* MID 299 is unallocated; 1234568 fails the IMO check digit. */
    feed(f, posrec(299123456, T0, 30, -40, 5));
    feed(f, posrec(299123456, T0 + MIN_MS, 30, -40.001, 5));
    feed(f, statrec(538000008, T0 + 2 * MIN_MS, "GAMMA", 1234568, 0));
    feed(f, statrec(538000008, T0 + 3 * MIN_MS, "GAMMA", 1234568, 0));
    feed(f, posrec(12345, T0 + 4 * MIN_MS, 30, -41, 5));
    feed(f, posrec(970123456, T0 + 5 * MIN_MS, 30, -42, 5));
    finish(f);
    assert_int_equal(count(f, DF_EV_INVALID_IDENTITY), 3);
    ev = &f->k.ev[0];
    assert_int_equal(ev->vessels[0], 299123456);
    has(ev, "\"reason\":\"mid_unallocated\"");
    has(ev, "\"mid\":299");
    ev = &f->k.ev[1];
    assert_int_equal(ev->vessels[0], 538000008);
    has(ev, "\"reason\":\"imo_check_digit\"");
    has(ev, "\"imo\":1234568");
    ev = &f->k.ev[2];
    assert_int_equal(ev->vessels[0], 12345);
    has(ev, "\"reason\":\"mmsi_range\"");
}

static void test_zone_entry(void **state)
{
    struct fix *f = *state;
    const struct df_event *ev;
    int i, first_in = -1;

    for (i = 0; i < 20; i++) {
        double lon = -30.3 + i * 0.0274;
        if (first_in < 0 && u(lon) > u(-30))
            first_in = i;
        feed(f, posrec(538000009, T0 + i * 10 * MIN_MS, 10.5, lon, 9.7));
    }
    finish(f);
    assert_int_equal(count(f, DF_EV_ZONE_ENTRY), 1);
    ev = first(f, DF_EV_ZONE_ENTRY);
    has(ev, "\"zone\":\"TESTZONE\"");
    assert_int_equal(ev->start_ms, T0 + first_in * 10 * MIN_MS);
    assert_int_equal(ev->lon, u(-30.3 + first_in * 0.0274));
}

/* Zones inside zones: each is entered on its own; re-entering the inner
 * one within the hour is not reported again, after it is. */
static void test_zone_nested(void **state)
{
    struct fix *f = *state;
    const struct df_event *evs[8];
    int64_t t = T0;
    int i, k, n = 0;

    /* East through TESTZONE into INNER and out of it (-29.4) to -29.36,
     * back into INNER within the hour, out again, and back after 2 h. */
    for (k = 0; k <= 42; k++, t += 10 * MIN_MS)
        feed(f, posrec(538000010, t, 10.5, -30.2 + 0.02 * k, 13));
    for (k = 1; k <= 6; k++, t += 10 * MIN_MS)
        feed(f, posrec(538000010, t, 10.5, -29.36 - 0.02 * k, 13));
    for (k = 1; k <= 6; k++, t += 10 * MIN_MS)
        feed(f, posrec(538000010, t, 10.5, -29.48 + 0.02 * k, 13));
    t += 2 * 60 * MIN_MS;
    for (k = 1; k <= 6; k++, t += 10 * MIN_MS)
        feed(f, posrec(538000010, t, 10.5, -29.36 - 0.02 * k, 13));
    finish(f);
    for (i = 0; i < f->k.n; i++)
        if (f->k.ev[i].type == DF_EV_ZONE_ENTRY && n < 8)
            evs[n++] = &f->k.ev[i];
    assert_int_equal(n, 3);
    has(evs[0], "\"zone\":\"TESTZONE\"");
    has(evs[1], "\"zone\":\"INNER\"");
    has(evs[2], "\"zone\":\"INNER\"");
    assert_true(evs[1]->lon >= u(-29.6) && evs[1]->lon < u(-29.55));
    assert_true(evs[2]->start_ms > evs[1]->start_ms + 3 * 60 * MIN_MS);
}

static void test_port_call(void **state)
{
    struct fix *f = *state;
    const struct df_event *ev;
    const double km = 1 / 111.32;
    int64_t t = T0;
    int i;

    feed(f, posrec(538000010, t, 20 - 9 * km, -50, 10));
    feed(f, posrec(538000010, t + 10 * MIN_MS, 20 - 6 * km, -50, 10));
    feed(f, posrec(538000010, t + 20 * MIN_MS, 20 - 3.5 * km, -50, 8));
    feed(f, posrec(538000010, t + 30 * MIN_MS, 20 - 2.5 * km, -50, 5));
    for (i = 0; i <= 36; i++)
        feed(f, posrec(538000010, t + (40 + i * 10) * MIN_MS, 20 - 0.2 * km,
                       -50, 0));
    feed(f, posrec(538000010, t + 410 * MIN_MS, 20 + 2.5 * km, -50, 8));
    feed(f, posrec(538000010, t + 420 * MIN_MS, 20 + 3.8 * km, -50, 8));
    feed(f, posrec(538000010, t + 430 * MIN_MS, 20 + 5 * km, -50, 8));
    feed(f, posrec(538000010, t + 440 * MIN_MS, 20 + 8 * km, -50, 8));
    assert_int_equal(count(f, DF_EV_PORT_CALL), 1);
    finish(f);
    assert_int_equal(count(f, DF_EV_PORT_CALL), 1);
    ev = first(f, DF_EV_PORT_CALL);
    has(ev, "\"port\":\"TESTPORT\"");
    has(ev, "\"anchorage\":false");
    has(ev, "\"duration_hours\":6.50");
    assert_int_equal(ev->start_ms, T0 + 30 * MIN_MS);
    assert_int_equal(ev->end_ms, T0 + 420 * MIN_MS);
}

/* Passing by the port without stopping is no call. */
static void test_port_passing(void **state)
{
    struct fix *f = *state;
    const double km = 1 / 111.32;
    int i;

    for (i = 0; i < 12; i++)
        feed(f, posrec(538000011, T0 + i * 6 * MIN_MS,
                       20 - 10 * km + i * 1.85 * km, -50, 10));
    finish(f);
    assert_int_equal(count(f, DF_EV_PORT_CALL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_gap_14h, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gap_3h_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gap_zone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gap_draught, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spoof_jump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_collision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identity_change, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_invalid_identity, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_zone_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zone_nested, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_passing, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
