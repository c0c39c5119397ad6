/*
 * test_event.c - event names both ways and the exact JSON line of
 * DESIGN.md's event format: key order, degrees with five decimals from
 * wire units (rounded half away from zero, no "-0"), ISO 8601 times with
 * milliseconds only when non-zero, null for unknown values, evidence
 * pasted as is and {} when empty; and the evidence read back from a
 * store: checked before it is embedded, summed up in a few words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
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

/* What fn appends for an event of type with evidence ev. */
static void expect_text(void (*fn)(struct df_buf *, const struct df_event *),
                        enum df_event_type type, const char *evidence,
                        const char *want)
{
    struct df_event ev;
    struct df_buf b;

    memset(&ev, 0, sizeof ev);
    memset(&b, 0, sizeof b);
    ev.type = type;
    snprintf(ev.evidence, sizeof ev.evidence, "%s", evidence);
    fn(&b, &ev);
    assert_false(b.oom);
    assert_string_equal(b.data ? b.data : "", want);
    df_buf_free(&b);
}

/* The evidence read back from a store: embedded when it is one JSON
 * object, on one line, with no raw control character; wrapped when not. */
static void test_evidence_json(void **state)
{
    (void)state;
    expect_text(df_event_evidence_json, DF_EV_GAP, "{\"hours\":14.01}",
                "{\"hours\":14.01}");
    expect_text(df_event_evidence_json, DF_EV_GAP, "", "{}");
    expect_text(df_event_evidence_json, DF_EV_GAP,
                "{\n\t\"a\": [1,\r\n2]}", "{  \"a\": [1,  2]}");
    /* DEL and a C1 CSI inside a string: escaped, same value. */
    expect_text(df_event_evidence_json, DF_EV_GAP,
                "{\"n\":\"X\x7f\xc2\x9b" "1m\xc3\xa9\"}",
                "{\"n\":\"X\\u007f\\u009b1m\xc3\xa9\"}");
    /* Not an object, not JSON, invalid UTF-8, trailing text. */
    expect_text(df_event_evidence_json, DF_EV_GAP, "[1]",
                "{\"unparsed\":\"[1]\"}");
    expect_text(df_event_evidence_json, DF_EV_GAP, "\"}];alert(6);//",
                "{\"unparsed\":\"\\\"}];alert(6);//\"}");
    expect_text(df_event_evidence_json, DF_EV_GAP, "{\"n\":\"\xff\x1b\"}",
                "{\"unparsed\":\"{\\\"n\\\":\\\"\xef\xbf\xbd\\u001b\\\"}\"}");
    expect_text(df_event_evidence_json, DF_EV_GAP, "{} {}",
                "{\"unparsed\":\"{} {}\"}");
}

/* A few words from each type's evidence, as the detectors write it. */
static void test_summary(void **state)
{
    (void)state;
    expect_text(df_event_summary, DF_EV_ENCOUNTER,
                "{\"median_distance_m\":101,\"duration_h\":4.17,"
                "\"at_anchorage\":false,\"clump\":false,"
                "\"relevance_reason\":\"two tankers\"}",
                "4.2 h, 101 m apart, two tankers");
    expect_text(df_event_summary, DF_EV_ENCOUNTER,
                "{\"median_distance_m\":112,\"duration_h\":5.0,"
                "\"at_anchorage\":true,\"anchorage\":\"LIANYUNGANG\","
                "\"clump\":true,\"relevance_reason\":\"two tankers\"}",
                "5.0 h, 112 m apart, two tankers, near anchorage "
                "LIANYUNGANG, in a clump");
    expect_text(df_event_summary, DF_EV_GAP,
                "{\"rule\":\"offshore\",\"hours\":14.01,"
                "\"distance_km\":99.9}",
                "dark 14.0 h, moved 100 km, offshore");
    expect_text(df_event_summary, DF_EV_LOITERING,
                "{\"duration_h\":6.83,\"mean_speed_kn\":0.5}",
                "6.8 h, at 0.5 kn");
    expect_text(df_event_summary, DF_EV_IDENTITY_CHANGE,
                "{\"fields\":[\"name\",\"callsign\",\"imo\"],"
                "\"name\":{\"old\":\"SEA VENUS\",\"new\":\"ROYAL LUCKY\"},"
                "\"callsign\":{\"old\":\"9LK7U\",\"new\":\"9L8BH\"},"
                "\"imo\":{\"old\":9948035,\"new\":9781580}}",
                "name SEA VENUS -> ROYAL LUCKY, callsign 9LK7U -> 9L8BH, "
                "imo 9948035 -> 9781580");
    expect_text(df_event_summary, DF_EV_PORT_CALL,
                "{\"port\":\"Nampo\",\"country\":\"KP\","
                "\"duration_hours\":6.55}",
                "Nampo, KP, 6.5 h");
    expect_text(df_event_summary, DF_EV_DRAUGHT_CHANGE,
                "{\"across\":\"gap\",\"before_m\":12.0,\"after_m\":7.5}",
                "from 12.0 m, to 7.5 m, across gap");
    expect_text(df_event_summary, DF_EV_WATCHLIST_MATCH,
                "{\"list\":\"OFAC SDN\",\"entry_name\":\"CHON MA SAN\","
                "\"matched_by\":\"imo\",\"score\":1}",
                "OFAC SDN, CHON MA SAN, by imo, score 1.00");
    /* Strings as they are (the caller escapes); values of another kind
     * left out; nothing from what is not an object. */
    expect_text(df_event_summary, DF_EV_ZONE_ENTRY,
                "{\"zone\":\"X\\u001b[2J\"}", "X\x1b[2J");
    expect_text(df_event_summary, DF_EV_GAP,
                "{\"hours\":null,\"distance_km\":{},\"rule\":\"zone\"}",
                "zone");
    expect_text(df_event_summary, DF_EV_GAP, "not json", "");
    expect_text(df_event_summary, DF_EV_GAP, "", "");
    expect_text(df_event_summary, DF_EV_IDENTITY_CHANGE,
                "{\"fields\":[\"name\",7],\"name\":{\"new\":\"B\"}}",
                "name - -> B");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_design_example),
        cmocka_unit_test(test_one_vessel_south_west),
        cmocka_unit_test(test_unknowns_and_rounding),
        cmocka_unit_test(test_appends),
        cmocka_unit_test(test_evidence_json),
        cmocka_unit_test(test_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
