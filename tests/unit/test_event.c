/*
 * test_event.c - event names both ways and the exact JSON line of
 * DESIGN.md's event format: key order, degrees with five decimals from
 * wire units (rounded half away from zero, no "-0"), ISO 8601 times with
 * milliseconds only when non-zero, null for unknown values, evidence
 * pasted as is and {} when empty.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "darkfleet.h"

static void test_names(void **state)
{
    int i;

    (void)state;
    for (i = 0; i < DF_EV_COUNT; i++) {
        const char *n = df_event_name((enum df_event_type)i);
        assert_non_null(n);
        assert_int_equal(df_event_type_from_name(n), i);
    }
    assert_string_equal(df_event_name(DF_EV_ENCOUNTER), "encounter");
    assert_string_equal(df_event_name(DF_EV_MMSI_COLLISION),
                        "mmsi_collision");
    assert_string_equal(df_event_name(DF_EV_WATCHLIST_MATCH),
                        "watchlist_match");
    assert_int_equal(df_event_type_from_name("gap"), DF_EV_GAP);
    assert_int_equal(df_event_type_from_name("Gap"), -1);
    assert_int_equal(df_event_type_from_name(""), -1);
    assert_int_equal(df_event_type_from_name("gap "), -1);
    assert_int_equal(df_event_type_from_name(NULL), -1);
    assert_non_null(df_event_name((enum df_event_type)DF_EV_COUNT));
}

/* Renders ev and compares with want. */
static void expect_json(const struct df_event *ev, const char *want)
{
    struct df_buf b;

    memset(&b, 0, sizeof b);
    df_event_json(&b, ev);
    assert_false(b.oom);
    assert_non_null(b.data);
    assert_string_equal(b.data, want);
    df_buf_free(&b);
}

static void test_design_example(void **state)
{
    struct df_event ev;

    (void)state;
    memset(&ev, 0, sizeof ev);
    ev.type = DF_EV_ENCOUNTER;
    ev.nvessels = 2;
    ev.vessels[0] = 412000001;
    ev.vessels[1] = 445000002;
    ev.start_ms = 1740807000000;         /* 2025-03-01T05:30:00Z */
    ev.end_ms = 1740820200000;           /* 2025-03-01T09:10:00Z */
    ev.lat = 23107404;                   /* 38.51234 deg */
    ev.lon = 74101926;                   /* 123.50321 deg */
    ev.score = 0.9;
    strcpy(ev.evidence, "{\"median_distance_m\":88,\"median_speed_kn\":0.4,"
                        "\"distance_to_shore_km\":61}");
    expect_json(&ev,
                "{\"type\":\"encounter\",\"vessels\":[412000001,445000002],"
                "\"start\":\"2025-03-01T05:30:00Z\","
                "\"end\":\"2025-03-01T09:10:00Z\","
                "\"lat\":38.51234,\"lon\":123.50321,\"score\":0.9,"
                "\"evidence\":{\"median_distance_m\":88,"
                "\"median_speed_kn\":0.4,\"distance_to_shore_km\":61}}");
}

static void test_one_vessel_south_west(void **state)
{
    struct df_event ev;

    (void)state;
    memset(&ev, 0, sizeof ev);
    ev.type = DF_EV_GAP;
    ev.nvessels = 1;
    ev.vessels[0] = 273123456;
    ev.vessels[1] = 999;                 /* ignored: nvessels is 1 */
    ev.start_ms = 1740807000250;         /* with milliseconds */
    ev.end_ms = 1740850200000;
    ev.lat = -20320710;                  /* -33.86785 */
    ev.lon = -42300000;                  /* -70.5 */
    ev.score = 1;
    expect_json(&ev,
                "{\"type\":\"gap\",\"vessels\":[273123456],"
                "\"start\":\"2025-03-01T05:30:00.250Z\","
                "\"end\":\"2025-03-01T17:30:00Z\","
                "\"lat\":-33.86785,\"lon\":-70.50000,\"score\":1,"
                "\"evidence\":{}}");
}

static void test_unknowns_and_rounding(void **state)
{
    struct df_event ev;

    (void)state;
    memset(&ev, 0, sizeof ev);
    ev.type = DF_EV_INVALID_IDENTITY;
    ev.nvessels = 1;
    ev.vessels[0] = 1;
    ev.start_ms = DF_TIME_NONE;
    ev.end_ms = DF_TIME_NONE;
    ev.lat = DF_LAT_NA;
    ev.lon = DF_LON_NA;
    ev.score = NAN;
    expect_json(&ev,
                "{\"type\":\"invalid_identity\",\"vessels\":[1],"
                "\"start\":null,\"end\":null,\"lat\":null,\"lon\":null,"
                "\"score\":null,\"evidence\":{}}");

    /* -2/600000 deg rounds to zero: no "-0.00000"; -3 is -0.000005,
     * which rounds away from zero. */
    ev.start_ms = 0;
    ev.end_ms = 0;
    ev.lat = -2;
    ev.lon = -3;
    ev.score = 0.125;
    strcpy(ev.evidence, "{\"name\":\"A \\\"B\\\"\"}");
    expect_json(&ev,
                "{\"type\":\"invalid_identity\",\"vessels\":[1],"
                "\"start\":\"1970-01-01T00:00:00Z\","
                "\"end\":\"1970-01-01T00:00:00Z\","
                "\"lat\":0.00000,\"lon\":-0.00001,\"score\":0.125,"
                "\"evidence\":{\"name\":\"A \\\"B\\\"\"}}");

    /* The extremes of the range, and one past it. */
    ev.lat = 90 * 600000;
    ev.lon = -180 * 600000;
    ev.score = -1;            /* a decoy of the simulator */
    ev.evidence[0] = '\0';
    expect_json(&ev,
                "{\"type\":\"invalid_identity\",\"vessels\":[1],"
                "\"start\":\"1970-01-01T00:00:00Z\","
                "\"end\":\"1970-01-01T00:00:00Z\","
                "\"lat\":90.00000,\"lon\":-180.00000,\"score\":-1,"
                "\"evidence\":{}}");
    ev.lat = 90 * 600000 + 1;
    ev.nvessels = 0;
    expect_json(&ev,
                "{\"type\":\"invalid_identity\",\"vessels\":[],"
                "\"start\":\"1970-01-01T00:00:00Z\","
                "\"end\":\"1970-01-01T00:00:00Z\","
                "\"lat\":null,\"lon\":-180.00000,\"score\":-1,"
                "\"evidence\":{}}");
}

static void test_appends(void **state)
{
    struct df_event ev;
    struct df_buf b;

    (void)state;
    memset(&ev, 0, sizeof ev);
    memset(&b, 0, sizeof b);
    ev.type = DF_EV_PORT_CALL;
    ev.nvessels = 1;
    ev.vessels[0] = 445000002;
    /* An evidence buffer with no NUL in it is not trusted. */
    memset(ev.evidence, 'x', sizeof ev.evidence);
    df_buf_puts(&b, "[");
    df_event_json(&b, &ev);
    df_buf_puts(&b, ",");
    df_event_json(&b, &ev);
    df_buf_puts(&b, "]");
    assert_false(b.oom);
    assert_non_null(strstr(b.data, "\"evidence\":{}},{\"type\":\"port_call\""));
    assert_int_equal(b.data[b.len - 1], ']');
    df_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_design_example),
        cmocka_unit_test(test_one_vessel_south_west),
        cmocka_unit_test(test_unknowns_and_rounding),
        cmocka_unit_test(test_appends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
