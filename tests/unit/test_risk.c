/*
 * test_risk.c - the risk policy (src/risk.c): the exact points of every
 * rule at the published weights (DF_CONFIG_MAP) and with weights changed
 * through df_config_set; the reason's words (partner, flag, place, date),
 * event type and id; the watchlist_match event built from matches; and the
 * ties rule: a vessel that met a listed or DPRK-flagged vessel is credited
 * once per encounter, whether the encounter or the screening of its
 * partner comes first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "darkfleet.h"

#define T0 1740787200000LL /* 2025-03-01T00:00:00Z */
#define HOUR 3600000LL

static void make_ev(struct df_event *ev, enum df_event_type type,
                    uint32_t a, uint32_t b, const char *evidence)
{
    memset(ev, 0, sizeof *ev);
    ev->type = type;
    ev->nvessels = b ? 2 : 1;
    ev->vessels[0] = a;
    ev->vessels[1] = b;
    ev->start_ms = T0;
    ev->end_ms = T0 + 3 * HOUR + 42 * 60000; /* 3.7 h */
    ev->lat = 31 * 600000;
    ev->lon = 124 * 600000;
    ev->score = 0.9;
    snprintf(ev->evidence, sizeof ev->evidence, "%s", evidence);
}

/* The single reason of a one-vessel event. */
static struct df_reason one(const struct df_config *cfg,
                            enum df_event_type type, const char *evidence)
{
    struct df_event ev;
    struct df_risk out[DF_RISK_MAX];

    make_ev(&ev, type, 412000001, 0, evidence);
    assert_int_equal(df_risk_event(cfg, &ev, 17, out), 1);
    assert_int_equal(out[0].mmsi, 412000001);
    assert_string_equal(out[0].r.event_type, df_event_name(type));
    return out[0].r;
}

static void expect_points(const struct df_reason *r, double points,
                          const char *words)
{
    if (r->points != points)
        fail_msg("'%s': %g points, want %g", r->text, r->points, points);
    if (words && !strstr(r->text, words))
        fail_msg("'%s' does not say '%s'", r->text, words);
}

static void test_encounter(void **state)
{
    struct df_config cfg;
    struct df_event ev;
    struct df_risk out[DF_RISK_MAX];

    (void)state;
    df_config_defaults(&cfg);
    make_ev(&ev, DF_EV_ENCOUNTER, 445000002, 412000001,
            "{\"median_distance_m\":56,\"at_anchorage\":false}");
    assert_int_equal(df_risk_event(&cfg, &ev, 5, out), 2);
    assert_int_equal(out[0].mmsi, 445000002);
    assert_int_equal(out[1].mmsi, 412000001);
    expect_points(&out[0].r, 30, NULL);
    expect_points(&out[1].r, 30, NULL);
    assert_string_equal(out[1].r.text, "encounter with 445000002 (KP) for "
                                       "3.7 h at open sea, 2025-03-01 "
                                       "00:00 UTC");
    assert_string_equal(out[0].r.text, "encounter with 412000001 (CN) for "
                                       "3.7 h at open sea, 2025-03-01 "
                                       "00:00 UTC");
    assert_string_equal(out[0].r.event_type, "encounter");
    assert_true(out[0].r.event_id == 5 && out[1].r.event_id == 5);

    make_ev(&ev, DF_EV_ENCOUNTER, 412000001, 413000002,
            "{\"at_anchorage\":true,\"anchorage\":\"Lianyungang\"}");
    assert_int_equal(df_risk_event(&cfg, &ev, 6, out), 2);
    expect_points(&out[0].r, 10, "at anchorage Lianyungang");
    expect_points(&out[1].r, 10, "encounter with 412000001 (CN)");

    /* Out from the anchorage the weight rises to the open sea's at
     * min_anchorage_km: 8 km of 10 gives 10 + 20 * 0.8; at 0.5 km still
     * "at" it; 12 km out is open sea's weight. */
    make_ev(&ev, DF_EV_ENCOUNTER, 412000001, 413000002,
            "{\"at_anchorage\":true,\"anchorage\":\"VIR-19\","
            "\"anchorage_km\":8.0,\"min_anchorage_km\":10}");
    assert_int_equal(df_risk_event(&cfg, &ev, 7, out), 2);
    expect_points(&out[0].r, 26, "8 km from anchorage VIR-19");
    make_ev(&ev, DF_EV_ENCOUNTER, 412000001, 413000002,
            "{\"at_anchorage\":true,\"anchorage_km\":0.5,"
            "\"min_anchorage_km\":10}");
    assert_int_equal(df_risk_event(&cfg, &ev, 8, out), 2);
    expect_points(&out[0].r, 11, "at an anchorage");
    make_ev(&ev, DF_EV_ENCOUNTER, 412000001, 413000002,
            "{\"at_anchorage\":true,\"anchorage_km\":12,"
            "\"min_anchorage_km\":10}");
    assert_int_equal(df_risk_event(&cfg, &ev, 9, out), 2);
    expect_points(&out[0].r, 30, "12 km from an anchorage");
    /* Without min_anchorage_km in the evidence, the config's (10). */
    make_ev(&ev, DF_EV_ENCOUNTER, 412000001, 413000002,
            "{\"at_anchorage\":true,\"anchorage_km\":5}");
    assert_int_equal(df_risk_event(&cfg, &ev, 10, out), 2);
    expect_points(&out[0].r, 20, "5 km from an anchorage");

    /* Weights come from the config. */
    assert_int_equal(df_config_set(&cfg, "risk_encounter", "7.5"), DF_OK);
    make_ev(&ev, DF_EV_ENCOUNTER, 412000001, 413000002, "{}");
    assert_int_equal(df_risk_event(&cfg, &ev, 0, out), 2);
    expect_points(&out[0].r, 7.5, "at open sea");
}

static void test_single_vessel_rules(void **state)
{
    struct df_config cfg;
    struct df_reason r;

    (void)state;
    df_config_defaults(&cfg);
    r = one(&cfg, DF_EV_LOITERING,
            "{\"duration_h\":6.00,\"distance_to_shore_km\":140.2}");
    expect_points(&r, 10, "loitering for 3.7 h, 140 km from shore");
    assert_true(r.event_id == 17);
    r = one(&cfg, DF_EV_GAP,
            "{\"rule\":\"offshore\",\"hours\":14.25,"
            "\"distance_to_shore_km\":120.0}");
    expect_points(&r, 20, "AIS off for 14.2 h, 120 km from shore, from "
                          "2025-03-01 00:00 UTC");
    r = one(&cfg, DF_EV_GAP,
            "{\"rule\":\"zone\",\"hours\":7,\"distance_to_zone_km\":12}");
    expect_points(&r, 20, "12 km from a zone of interest");
    r = one(&cfg, DF_EV_DRAUGHT_CHANGE,
            "{\"across\":\"gap\",\"before_m\":7.5,\"after_m\":12.0}");
    expect_points(&r, 15, "draught changed from 7.5 m to 12.0 m across a "
                          "gap");
    r = one(&cfg, DF_EV_SPOOFING,
            "{\"kind\":\"jump\",\"max_implied_speed_kn\":310.4}");
    expect_points(&r, 25, "jumps at up to 310 kn");
    r = one(&cfg, DF_EV_SPOOFING,
            "{\"kind\":\"jump\",\"positions\":1,\"max_distance_km\":12.9,"
            "\"max_implied_speed_kn\":73.1}");
    expect_points(&r, 7.5, "one impossible position, 13 km off at 73 kn");
    r = one(&cfg, DF_EV_SPOOFING,
            "{\"kind\":\"jump\",\"positions\":2,\"max_distance_km\":12.9,"
            "\"max_implied_speed_kn\":73.1}");
    expect_points(&r, 25, "jumps at up to 73 kn");
    r = one(&cfg, DF_EV_SPOOFING, "{\"kind\":\"on_land\"}");
    expect_points(&r, 25, "on land");
    r = one(&cfg, DF_EV_MMSI_COLLISION, "{\"distance_km\":812.3}");
    expect_points(&r, 20, "MMSI 412000001 used by two ships 812 km apart");
    r = one(&cfg, DF_EV_IDENTITY_CHANGE,
            "{\"fields\":[\"name\"],\"name\":{\"old\":\"CHON MA SAN\","
            "\"new\":\"XIN HAI\"}}");
    expect_points(&r, 10, "name changed from 'CHON MA SAN' to 'XIN HAI'");
    r = one(&cfg, DF_EV_INVALID_IDENTITY,
            "{\"reason\":\"imo_check_digit\",\"imo\":9074728}");
    expect_points(&r, 10, "IMO 9074728, whose check digit is wrong");
    r = one(&cfg, DF_EV_INVALID_IDENTITY,
            "{\"reason\":\"mid_unallocated\",\"mid\":299}");
    expect_points(&r, 10, "unallocated");
    r = one(&cfg, DF_EV_ZONE_ENTRY, "{\"zone\":\"DPRK waters\"}");
    expect_points(&r, 15, "entered DPRK waters, 2025-03-01 00:00 UTC");
}

static void test_port_calls(void **state)
{
    struct df_config cfg;
    struct df_reason r;

    (void)state;
    df_config_defaults(&cfg);
    r = one(&cfg, DF_EV_PORT_CALL,
            "{\"port\":\"Busan\",\"country\":\"KR\","
            "\"duration_hours\":30.5}");
    expect_points(&r, 5, "port call at Busan (KR) for 30.5 h");
    /* North Korean by country... */
    r = one(&cfg, DF_EV_PORT_CALL,
            "{\"port\":\"Some Pier\",\"country\":\"KP\","
            "\"duration_hours\":12}");
    expect_points(&r, 60, "port call at Some Pier, North Korea");
    /* ...or by name, whatever the country says. */
    r = one(&cfg, DF_EV_PORT_CALL,
            "{\"port\":\"NAM-PO anchorage\",\"country\":\"\"}");
    expect_points(&r, 60, "North Korea");
    r = one(&cfg, DF_EV_PORT_CALL, "{\"port\":\"Chongjin\"}");
    expect_points(&r, 60, NULL);
    r = one(&cfg, DF_EV_PORT_CALL, "{\"port\":\"Vladivostok\","
                                   "\"country\":\"RU\"}");
    expect_points(&r, 5, NULL);
    /* A hostile port name in evidence is only a string. */
    r = one(&cfg, DF_EV_PORT_CALL,
            "{\"port\":\"x\\\",\\\"country\\\":\\\"KP\",\"country\":\"CN\"}");
    expect_points(&r, 5, NULL);
}

static void test_watchlist(void **state)
{
    struct df_config cfg;
    struct df_reason r;
    struct df_event ev;
    struct df_risk out[DF_RISK_MAX];

    (void)state;
    df_config_defaults(&cfg);
    r = one(&cfg, DF_EV_WATCHLIST_MATCH,
            "{\"list\":\"sdn.csv\",\"entry_id\":\"36001\","
            "\"entry_name\":\"CHON MA SAN\",\"matched_by\":\"imo\","
            "\"matched_value\":\"8660313\",\"score\":1.000,"
            "\"program\":\"DPRK3\",\"entry_imo\":8660313}");
    expect_points(&r, 100, NULL);
    assert_string_equal(r.text, "listed on sdn.csv as CHON MA SAN (IMO "
                                "8660313) -- matched by IMO");
    /* Once per vessel, not per span: no event id. */
    assert_true(r.event_id == 0);
    r = one(&cfg, DF_EV_WATCHLIST_MATCH,
            "{\"list\":\"sdn.csv\",\"entry_name\":\"X\","
            "\"matched_by\":\"mmsi\",\"score\":0.95}");
    expect_points(&r, 100, "matched by MMSI");
    /* A name match whose type and size fit the listing: the weight times
     * its score; with one of the two only, half of that. */
    r = one(&cfg, DF_EV_WATCHLIST_MATCH,
            "{\"list\":\"un.csv\",\"entry_name\":\"CHON MA SAN\","
            "\"matched_by\":\"name\",\"matched_value\":\"CHONMA SAN\","
            "\"score\":0.75,\"fit\":2,\"fit_why\":\"AIS type 80\"}");
    expect_points(&r, 30, "matched by name 'CHONMA SAN' (0.75); AIS type 80");
    r = one(&cfg, DF_EV_WATCHLIST_MATCH,
            "{\"list\":\"un.csv\",\"entry_name\":\"A\","
            "\"matched_by\":\"callsign\",\"score\":0.8,\"fit\":1}");
    expect_points(&r, 16, "matched by call sign");
    /* An event with no vessel gives nothing. */
    make_ev(&ev, DF_EV_GAP, 1, 0, "{}");
    ev.nvessels = 0;
    assert_int_equal(df_risk_event(&cfg, &ev, 0, out), 0);
}

static void test_flag(void **state)
{
    struct df_config cfg;
    struct df_reason r[DF_RISK_VESSEL_MAX];
    struct df_vessel v;

    (void)state;
    df_config_defaults(&cfg);
    memset(&v, 0, sizeof v);
    v.mmsi = 445123456;
    assert_int_equal(df_risk_vessel(&cfg, &v, r), 1);
    expect_points(&r[0], 40, "flagged to North Korea");
    assert_string_equal(r[0].event_type, "flag");
    assert_true(r[0].event_id == 0);
    v.mmsi = 412000001;
    assert_int_equal(df_risk_vessel(&cfg, &v, r), 0);
    v.mmsi = 4451234;                   /* not a ship */
    assert_int_equal(df_risk_vessel(&cfg, &v, r), 0);
    /* A registry with a record of false flags (Palau 511), and a tanker
     * with no IMO number. */
    v.mmsi = 511000001;
    v.nidentities = 1;
    v.identities[0].shiptype = 80;
    v.identities[0].length_m = 180;
    assert_int_equal(df_risk_vessel(&cfg, &v, r), 2);
    expect_points(&r[0], 15, "record of false flags");
    expect_points(&r[1], 10, "no valid IMO");
    assert_string_equal(r[1].event_type, "identity");
    v.identities[0].imo = 9074729;      /* a valid IMO */
    assert_int_equal(df_risk_vessel(&cfg, &v, r), 1);
}

static void test_match_event(void **state)
{
    static const char *const aliases[] = {"KUM UN SAN"};
    struct df_list_entry e1, e2;
    struct df_match m[2];
    struct df_vessel v;
    struct df_event ev;
    struct df_config cfg;
    struct df_risk out[DF_RISK_MAX];

    (void)state;
    df_config_defaults(&cfg);
    memset(&e1, 0, sizeof e1);
    e1.list = "un.csv";
    e1.id = "KPe.1";
    e1.name = "CHON MA SAN";
    e1.aliases = aliases;
    e1.naliases = 1;
    e1.program = "";
    e2 = e1;
    e2.list = "sdn.csv";
    e2.id = "36001";
    e2.imo = 8660313;
    e2.program = "DPRK3";
    memset(m, 0, sizeof m);
    m[0].entry = &e1;
    m[0].by = DF_MATCH_NAME;
    m[0].score = 0.75;
    strcpy(m[0].matched, "CHON MA SAN");
    m[1].entry = &e2;
    m[1].by = DF_MATCH_IMO;
    m[1].score = 1.0;
    strcpy(m[1].matched, "8660313");
    memset(&v, 0, sizeof v);
    v.mmsi = 445123456;
    v.first_ms = T0;
    v.last_ms = T0 + 5 * HOUR;
    v.last_lat = 31 * 600000;
    v.last_lon = 124 * 600000;

    assert_int_equal(df_risk_match_event(&v, m, 2, &ev), 1);
    assert_int_equal(ev.type, DF_EV_WATCHLIST_MATCH);
    assert_int_equal(ev.nvessels, 1);
    assert_int_equal(ev.vessels[0], 445123456);
    assert_true(ev.start_ms == T0 && ev.end_ms == T0 + 5 * HOUR);
    assert_int_equal(ev.lat, 31 * 600000);
    assert_true(ev.score == 1.0);
    assert_string_equal(ev.evidence,
                        "{\"list\":\"sdn.csv\",\"entry_id\":\"36001\","
                        "\"entry_name\":\"CHON MA SAN\",\"matched_by\":"
                        "\"imo\",\"matched_value\":\"8660313\",\"score\":"
                        "1.000,\"program\":\"DPRK3\",\"entry_imo\":8660313,"
                        "\"entry_mmsi\":0,\"also\":[{\"list\":\"un.csv\","
                        "\"entry_id\":\"KPe.1\",\"entry_name\":"
                        "\"CHON MA SAN\",\"matched_by\":\"name\","
                        "\"score\":0.750}]}");
    /* The event scores as the rule says. */
    assert_int_equal(df_risk_event(&cfg, &ev, 3, out), 1);
    expect_points(&out[0].r, 100, "listed on sdn.csv as CHON MA SAN (IMO "
                                  "8660313) -- matched by IMO");
}

/* ---- ties --------------------------------------------------------- */

struct got {
    unsigned n;
    uint32_t mmsi[8];
    struct df_reason r[8];
};

static int collect(uint32_t mmsi, const struct df_reason *r, void *ud)
{
    struct got *g = ud;

    assert_true(g->n < 8);
    g->mmsi[g->n] = mmsi;
    g->r[g->n++] = *r;
    return 0;
}

static void test_ties(void **state)
{
    struct df_config cfg;
    struct df_ties *t = df_ties_new(4, 4);
    struct df_event ev;
    struct df_list_entry e;
    struct df_match m;
    struct got g;

    (void)state;
    assert_non_null(t);
    df_config_defaults(&cfg);
    memset(&e, 0, sizeof e);
    e.list = "sdn.csv";
    e.id = "36001";
    e.name = "CHON MA SAN";
    memset(&m, 0, sizeof m);
    m.entry = &e;
    m.by = DF_MATCH_IMO;
    m.score = 1.0;

    /* Encounter first, screening later: credited at the screening. */
    memset(&g, 0, sizeof g);
    make_ev(&ev, DF_EV_ENCOUNTER, 445123456, 412000001, "{}");
    assert_int_equal(df_ties_encounter(t, &cfg, &ev, 11, collect, &g), 0);
    assert_int_equal(g.n, 0);
    assert_int_equal(df_ties_vessel(t, &cfg, 412000001, NULL, collect, &g),
                     0);
    assert_int_equal(g.n, 0);          /* neither listed nor DPRK */
    assert_int_equal(df_ties_vessel(t, &cfg, 445123456, &m, collect, &g),
                     0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.mmsi[0], 412000001);
    expect_points(&g.r[0], 60, NULL);
    assert_string_equal(g.r[0].text, "met a listed vessel, 445123456 CHON "
                                     "MA SAN (sdn.csv) in an encounter, "
                                     "2025-03-01 00:00 UTC");
    /* Its own kind: routine encounters do not dilute it. */
    assert_string_equal(g.r[0].event_type, "met_listed");
    assert_true(g.r[0].event_id == 11);
    /* Screened again (flushed twice): no second credit. */
    assert_int_equal(df_ties_vessel(t, &cfg, 445123456, &m, collect, &g),
                     0);
    assert_int_equal(g.n, 1);

    /* Marked first, encounter later: credited at the encounter. */
    make_ev(&ev, DF_EV_ENCOUNTER, 413000009, 445123456, "{}");
    ev.start_ms += 24 * HOUR;
    assert_int_equal(df_ties_encounter(t, &cfg, &ev, 12, collect, &g), 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.mmsi[1], 413000009);
    assert_true(g.r[1].event_id == 12);
    assert_non_null(strstr(g.r[1].text, "2025-03-02 00:00 UTC"));

    /* A DPRK-flagged vessel, no list needed; both sides DPRK: both. */
    memset(&g, 0, sizeof g);
    make_ev(&ev, DF_EV_ENCOUNTER, 445000001, 445000002, "{}");
    assert_int_equal(df_ties_encounter(t, &cfg, &ev, 13, collect, &g), 0);
    assert_int_equal(df_ties_vessel(t, &cfg, 445000001, NULL, collect, &g),
                     0);
    assert_int_equal(df_ties_vessel(t, &cfg, 445000002, NULL, collect, &g),
                     0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.mmsi[0], 445000002);
    assert_string_equal(g.r[0].text, "met a DPRK-flagged vessel, 445000001 "
                                     "in an encounter, 2025-03-01 00:00 "
                                     "UTC");
    assert_int_equal(g.mmsi[1], 445000001);

    /* A name-only match spreads only when type and size both fit the
     * listing, and then scaled by its score. */
    memset(&g, 0, sizeof g);
    m.by = DF_MATCH_NAME;
    m.score = 0.5;
    m.fit = 1;
    make_ev(&ev, DF_EV_ENCOUNTER, 412000077, 413000088, "{}");
    assert_int_equal(df_ties_encounter(t, &cfg, &ev, 14, collect, &g), 0);
    assert_int_equal(df_ties_vessel(t, &cfg, 413000088, &m, collect, &g),
                     0);
    assert_int_equal(g.n, 0);
    m.fit = 2;
    assert_int_equal(df_ties_vessel(t, &cfg, 413000088, &m, collect, &g),
                     0);
    assert_int_equal(g.n, 1);
    expect_points(&g.r[0], 30, "met a listed vessel, 413000088");
    /* The encounter's relevance weighs it too. */
    memset(&g, 0, sizeof g);
    make_ev(&ev, DF_EV_ENCOUNTER, 412000078, 413000088,
            "{\"relevance\":0.5}");
    assert_int_equal(df_ties_encounter(t, &cfg, &ev, 16, collect, &g), 0);
    assert_int_equal(g.n, 1);
    expect_points(&g.r[0], 15, "met a listed vessel, 413000088");

    /* Bounded: only the last 4 encounters are remembered. */
    memset(&g, 0, sizeof g);
    make_ev(&ev, DF_EV_ENCOUNTER, 412000100, 412000200, "{}");
    assert_int_equal(df_ties_encounter(t, &cfg, &ev, 15, collect, &g), 0);
    for (int i = 0; i < 4; i++) {
        make_ev(&ev, DF_EV_ENCOUNTER, 412000300 + (uint32_t)i, 412000400,
                "{}");
        assert_int_equal(df_ties_encounter(t, &cfg, &ev, 16, collect, &g),
                         0);
    }
    m.by = DF_MATCH_IMO;
    assert_int_equal(df_ties_vessel(t, &cfg, 412000200, &m, collect, &g),
                     0);
    assert_int_equal(g.n, 0);          /* forgotten */
    /* Other events are not encounters. */
    make_ev(&ev, DF_EV_GAP, 445123456, 0, "{}");
    assert_int_equal(df_ties_encounter(t, &cfg, &ev, 17, collect, &g), 0);
    assert_int_equal(g.n, 0);
    df_ties_free(t);
    df_ties_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encounter),
        cmocka_unit_test(test_single_vessel_rules),
        cmocka_unit_test(test_port_calls),
        cmocka_unit_test(test_watchlist),
        cmocka_unit_test(test_flag),
        cmocka_unit_test(test_match_event),
        cmocka_unit_test(test_ties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
