/*
 * test_meet.c - the encounter and loitering detectors (src/meet.c,
 * detect_encounter.c, detect_loiter.c, anchorage.c) on synthetic tracks
 * with known truth, a dense port, and a real day of MarineCadastre data
 * from Delaware Bay.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>

#include <cmocka.h>

#include "darkfleet.h"
#include "meet.h"
#include "testutil.h"

#define T0 1577836800000LL   /* 2020-01-01T00:00:00Z */
#define MIN_MS 60000LL
#define H_MS 3600000LL
#define U 600000.0           /* 1/10000 min per degree */
#define M_PER_DEG 111195.08
#define MAX_EVENTS 4096
#define PI_ 3.14159265358979323846

struct sink {
    struct df_event ev[MAX_EVENTS];
    size_t n;
};

static int collect(const struct df_event *ev, void *ud)
{
    struct sink *s = ud;

    if (s->n < MAX_EVENTS)
        s->ev[s->n++] = *ev;
    return 0;
}

static size_t count_type(const struct sink *s, enum df_event_type t)
{
    size_t i, n = 0;

    for (i = 0; i < s->n; i++)
        n += s->ev[i].type == t;
    return n;
}

static const struct df_event *first_type(const struct sink *s,
                                         enum df_event_type t)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (s->ev[i].type == t)
            return &s->ev[i];
    fail_msg("no %s event", df_event_name(t));
    return &s->ev[0];
}

/* The number after "key": in ev's evidence, or NAN. */
static double evnum(const struct df_event *ev, const char *key)
{
    char pat[64];
    const char *p;

    snprintf(pat, sizeof(pat), "\"%s\":", key);
    p = strstr(ev->evidence, pat);
    if (p == NULL)
        return NAN;
    return strtod(p + strlen(pat), NULL);
}

/* ------------------------------------------------------------------ */
/* Synthetic vessels                                                  */
/* ------------------------------------------------------------------ */

/* A vessel at (lat, lon) + velocity, reporting every period_s within
 * [t0, t1) except inside [gap0, gap1); path, when set, overrides. */
struct tv {
    uint32_t mmsi;
    double lat, lon;         /* degrees at t0 */
    double vn_kn, ve_kn;     /* velocity north and east */
    int64_t t0, t1;          /* ms relative to T0 */
    int64_t gap0, gap1;
    int period_s;
    void (*path)(const struct tv *v, int64_t t, double *lat, double *lon);
    double arg;              /* for path */
    uint8_t shiptype;        /* AIS ship type given at the start, or 0 */
};

static void pos_of(const struct tv *v, int64_t t, double *lat, double *lon)
{
    double h = (double)(t - v->t0) / (double)H_MS;

    if (v->path) {
        v->path(v, t, lat, lon);
        return;
    }
    *lat = v->lat + v->vn_kn * 1852.0 * h / M_PER_DEG;
    *lon = v->lon + v->ve_kn * 1852.0 * h /
                        (M_PER_DEG * cos(v->lat * PI_ / 180.0));
}

static void feed_rec(struct df__meet *m, uint32_t mmsi, int64_t t,
                     double lat, double lon, double sog)
{
    struct df_rec r;

    memset(&r, 0, sizeof(r));
    r.t_ms = t;
    r.mmsi = mmsi;
    r.has = 1;
    r.lon = (int32_t)lrint(lon * U);
    r.lat = (int32_t)lrint(lat * U);
    r.speed = (uint16_t)lrint(sog * 10);
    r.course = DF_COURSE_NA;
    r.heading = DF_HEADING_NA;
    /* As scan.c does: every tick due first, then the record. */
    assert_int_equal(df__meet_advance(m, t), 0);
    assert_int_equal(df__meet_position(m, &r), 0);
}

/* Runs vessels through a detector from T0 + from to T0 + to, one minute at
 * a time; each vessel reports when (t/1s + mmsi) % period == 0. */
static void run(const struct df_config *cfg, const struct df_geo *geo,
                const struct df_land *land, const struct tv *vs, size_t n,
                int64_t from, int64_t to, struct sink *out)
{
    struct df__meet *m = df__meet_new(cfg, geo, land, collect, out);
    int64_t t;
    size_t i;

    assert_non_null(m);
    out->n = 0;
    for (i = 0; i < n; i++) {
        struct df_rec r;

        if (vs[i].shiptype == 0)
            continue;
        memset(&r, 0, sizeof(r));
        r.mmsi = vs[i].mmsi;
        r.shiptype = vs[i].shiptype;
        df__meet_identity(m, &r);
    }
    for (t = from; t <= to; t += MIN_MS) {
        for (i = 0; i < n; i++) {
            const struct tv *v = &vs[i];
            double lat, lon, sog;
            int64_t s = t / 1000;

            if (t < v->t0 || t >= v->t1 || (t >= v->gap0 && t < v->gap1))
                continue;
            if ((s / 60 + v->mmsi) % (uint64_t)(v->period_s / 60) != 0)
                continue;
            pos_of(v, t, &lat, &lon);
            sog = hypot(v->vn_kn, v->ve_kn);
            feed_rec(m, v->mmsi, T0 + t, lat, lon, sog);
        }
        assert_int_equal(df__meet_advance(m, T0 + t), 0);
    }
    assert_int_equal(df__meet_finish(m), 0);
    df__meet_free(m);
}

static void print_events(const char *name, const struct sink *s)
{
    size_t i;

    for (i = 0; i < s->n && i < 8; i++) {
        const struct df_event *e = &s->ev[i];

        printf("  %s: %s [%u,%u] %.2fh %.5f,%.5f score %.2f %s\n", name,
               df_event_name(e->type), e->vessels[0], e->vessels[1],
               (double)(e->end_ms - e->start_ms) / H_MS, e->lat / U,
               e->lon / U, e->score, e->evidence);
    }
}

/* Two vessels 80 m apart drifting north at 0.3 kn for hours h, from
 * 00:00, at 31.0N 124.5E (East China Sea STS area). */
static void pair_at(struct tv *v, double lat, double lon, double hours,
                    uint32_t a, uint32_t b, double sep_m, double kn)
{
    memset(v, 0, 2 * sizeof(*v));
    v[0].mmsi = a;
    v[0].lat = lat;
    v[0].lon = lon;
    v[0].vn_kn = kn;
    v[0].t1 = (int64_t)(hours * H_MS);
    v[0].period_s = 120;
    v[1] = v[0];
    v[1].mmsi = b;
    v[1].lon = lon + sep_m / (M_PER_DEG * cos(lat * PI_ / 180.0));
}

/* ------------------------------------------------------------------ */
/* Tests                                                              */
/* ------------------------------------------------------------------ */

static struct sink sink_a, sink_b;

static void test_open_sea_3h(void **state)
{
    struct df_config cfg;
    struct tv v[2];
    const struct df_event *e;
    double tlat, tlon, d;

    (void)state;
    df_config_defaults(&cfg);
    /* The DPRK vessel has the higher MMSI but comes first. */
    pair_at(v, 31.0, 124.5, 3.0, 412000001, 445000002, 80, 0.3);
    v[0].shiptype = v[1].shiptype = 80;
    run(&cfg, NULL, NULL, v, 2, 0, 6 * H_MS, &sink_a);
    print_events("open sea 3h", &sink_a);
    assert_int_equal(count_type(&sink_a, DF_EV_ENCOUNTER), 1);
    assert_int_equal(count_type(&sink_a, DF_EV_LOITERING), 0);
    e = first_type(&sink_a, DF_EV_ENCOUNTER);
    assert_int_equal(e->nvessels, 2);
    assert_int_equal(e->vessels[0], 445000002);
    assert_int_equal(e->vessels[1], 412000001);
    assert_true(llabs(e->start_ms - T0) <= 10 * MIN_MS);
    assert_true(llabs(e->end_ms - (T0 + 3 * H_MS)) <= 10 * MIN_MS);
    /* Truth: the midpoint at 1.5 h. */
    tlat = 31.0 + 0.3 * 1852.0 * 1.5 / M_PER_DEG;
    tlon = 124.5 + 40 / (M_PER_DEG * cos(31.0 * PI_ / 180.0));
    d = df_distance_m(e->lon, e->lat, (int32_t)lrint(tlon * U),
                      (int32_t)lrint(tlat * U));
    assert_true(d < 1000);
    assert_true(fabs(evnum(e, "median_distance_m") - 80) <= 3);
    assert_true(fabs(evnum(e, "median_speed_kn") - 0.3) <= 0.05);
    assert_true(fabs(evnum(e, "duration_h") - 3.0) <= 0.34);
    assert_true(evnum(e, "n_points") >= 17);
    assert_non_null(strstr(e->evidence, "\"at_anchorage\":false"));
    assert_non_null(strstr(e->evidence, "\"median_speed_kn_vessels\":["));
    assert_true(fabs(evnum(e, "max_distance_m") - 500) < 1e-9);
    /* Two tankers: what a transfer looks like, at full weight. */
    assert_true(fabs(e->score - 0.9) < 1e-9);
    assert_true(fabs(evnum(e, "relevance") - 1.0) < 1e-9);
    assert_non_null(strstr(e->evidence, "\"relevance_reason\":\"two tankers\""));
    assert_non_null(strstr(e->evidence, "\"clump\":false"));
}

/* The same meeting weighs by what the two say they are: a tanker with a
 * tug, two tugs, two ships that give no type (relevance.c's table). */
static void test_relevance(void **state)
{
    static const struct {
        uint8_t a, b;
        double rel;
    } cases[] = {{80, 31, 0.5}, {31, 52, 0.05}, {0, 0, 0.4}, {70, 80, 0.9},
                 {80, 90, 0.3}, {30, 30, 0.2}};
    struct df_config cfg;
    struct tv v[2];
    size_t i;

    (void)state;
    df_config_defaults(&cfg);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct df_event *e;

        pair_at(v, 31.0, 124.5, 3.0, 412000001, 412000002, 80, 0.3);
        v[0].shiptype = cases[i].a;
        v[1].shiptype = cases[i].b;
        run(&cfg, NULL, NULL, v, 2, 0, 6 * H_MS, &sink_a);
        /* Harbour tugs (52), like pilots and yachts, never form one. */
        if (cases[i].b == 52) {
            assert_int_equal(count_type(&sink_a, DF_EV_ENCOUNTER), 0);
            continue;
        }
        e = first_type(&sink_a, DF_EV_ENCOUNTER);
        if (fabs(evnum(e, "relevance") - cases[i].rel) > 1e-9)
            fail_msg("types %u and %u: relevance %g, want %g", cases[i].a,
                     cases[i].b, evnum(e, "relevance"), cases[i].rel);
        assert_true(fabs(e->score - 0.9 * cases[i].rel) < 1e-9);
    }
}

/* A tender with six boats tied around it for hours is a clump, not six
 * transfers: each pair is still reported, marked, at a quarter of its
 * relevance; a pair alone is not. */
static void test_clump(void **state)
{
    struct df_config cfg;
    struct tv v[7];
    size_t i, n;

    (void)state;
    df_config_defaults(&cfg);
    memset(v, 0, sizeof(v));
    for (i = 0; i < 7; i++) {
        double a = i == 0 ? 0 : 2 * PI_ * (double)i / 6.0;

        v[i].mmsi = 412000001 + (uint32_t)i;
        v[i].lat = 31.0 + (i == 0 ? 0 : 150.0 * sin(a) / M_PER_DEG);
        v[i].lon = 124.5 + (i == 0 ? 0
                                   : 150.0 * cos(a) /
                                         (M_PER_DEG * cos(31.0 * PI_ / 180)));
        v[i].vn_kn = 0.3;
        v[i].t1 = 4 * H_MS;
        v[i].period_s = 120;
        v[i].shiptype = i == 0 ? 70 : 30;
    }
    run(&cfg, NULL, NULL, v, 7, 0, 8 * H_MS, &sink_a);
    n = count_type(&sink_a, DF_EV_ENCOUNTER);
    assert_true(n >= 6);
    for (i = 0; i < sink_a.n; i++) {
        const struct df_event *e = &sink_a.ev[i];

        if (e->type != DF_EV_ENCOUNTER)
            continue;
        assert_non_null(strstr(e->evidence, "\"clump\":true"));
        assert_true(evnum(e, "vessels_nearby") >= 3);
        assert_true(evnum(e, "relevance") <= 0.125 + 1e-9);
    }
}

static void test_short_and_passing(void **state)
{
    struct df_config cfg;
    struct tv v[2];

    (void)state;
    df_config_defaults(&cfg);
    pair_at(v, 31.0, 124.5, 1.5, 412000001, 412000002, 80, 0.3);
    run(&cfg, NULL, NULL, v, 2, 0, 6 * H_MS, &sink_a);
    assert_int_equal(count_type(&sink_a, DF_EV_ENCOUNTER), 0);

    /* Opposite courses at 12 kn, 200 m apart abeam, meeting at 1.5 h. */
    pair_at(v, 31.0, 124.5, 3.0, 412000001, 412000002, 200, 12);
    v[1].lat = 31.0 + 12 * 1852.0 * 3.0 / M_PER_DEG;
    v[1].vn_kn = -12;
    run(&cfg, NULL, NULL, v, 2, 0, 6 * H_MS, &sink_a);
    assert_int_equal(count_type(&sink_a, DF_EV_ENCOUNTER), 0);

    /* In convoy at 12 kn, 200 m apart, for 3 h: close but not slow. */
    pair_at(v, 31.0, 124.5, 3.0, 412000001, 412000002, 200, 12);
    run(&cfg, NULL, NULL, v, 2, 0, 6 * H_MS, &sink_a);
    assert_int_equal(count_type(&sink_a, DF_EV_ENCOUNTER), 0);
}

static void test_quay(void **state)
{
    struct df_config cfg;
    struct tv v[2];
    const struct df_land *land = df_land_default();

    (void)state;
    df_config_defaults(&cfg);
    if (land == NULL) {
        printf("skip: no land in this build, the quay test needs shore\n");
        return;
    }
    /* Busan, moored 40 m apart for 30 h. */
    pair_at(v, 35.104, 129.040, 30.0, 440000001, 440000002, 40, 0);
    printf("  Busan quay: %.2f km from shore\n",
           df_land_shore_km(land, (int32_t)lrint(129.040 * U),
                            (int32_t)lrint(35.104 * U), 100));
    run(&cfg, NULL, land, v, 2, 0, 32 * H_MS, &sink_a);
    print_events("quay", &sink_a);
    assert_int_equal(count_type(&sink_a, DF_EV_ENCOUNTER), 0);
    assert_int_equal(count_type(&sink_a, DF_EV_LOITERING), 0);
}

static void test_anchorage(void **state)
{
    struct df_config cfg;
    struct tv v[2];
    struct df_geo *geo = df_geo_new();
    const struct df_event *e;

    (void)state;
    assert_non_null(geo);
    df_config_defaults(&cfg);
    assert_true(df_geo_add_port(geo, "Test \"Roads\"", "CN",
                                (int32_t)lrint(124.52 * U),
                                (int32_t)lrint(31.01 * U), 3.0, 1) >= 0);
    pair_at(v, 31.0, 124.5, 3.0, 412000001, 412000002, 80, 0.3);
    run(&cfg, geo, NULL, v, 2, 0, 6 * H_MS, &sink_b);
    print_events("anchorage", &sink_b);
    assert_int_equal(count_type(&sink_b, DF_EV_ENCOUNTER), 1);
    e = first_type(&sink_b, DF_EV_ENCOUNTER);
    assert_non_null(strstr(e->evidence, "\"at_anchorage\":true"));
    assert_non_null(
        strstr(e->evidence, "\"anchorage\":\"Test \\\"Roads\\\"\""));
    assert_true(e->score < 0.9);
    assert_true(evnum(e, "anchorage_km") < 3);
    df_geo_free(geo);
}

/* Vessel b of a pair: away (5 km east) during [arg h, arg h + 2 h). */
static void away_path(const struct tv *v, int64_t t, double *lat, double *lon)
{
    double h = (double)t / (double)H_MS;

    *lat = v->lat;
    *lon = v->lon;
    if (h >= v->arg && h < v->arg + 2)
        *lon += 5000 / (M_PER_DEG * cos(v->lat * PI_ / 180.0));
}

static void test_merge_and_gaps(void **state)
{
    struct df_config cfg;
    struct tv v[2];
    const struct df_event *e;

    (void)state;
    df_config_defaults(&cfg);

    /* Two 3 h bursts, 2 h apart: merged into one. */
    pair_at(v, 31.0, 124.5, 8.0, 412000001, 412000002, 80, 0);
    v[1].path = away_path;
    v[1].arg = 3.0;
    run(&cfg, NULL, NULL, v, 2, 0, 14 * H_MS, &sink_a);
    print_events("bursts", &sink_a);
    assert_int_equal(count_type(&sink_a, DF_EV_ENCOUNTER), 1);
    e = first_type(&sink_a, DF_EV_ENCOUNTER);
    assert_true(llabs(e->start_ms - T0) <= 10 * MIN_MS);
    assert_true(llabs(e->end_ms - (T0 + 8 * H_MS)) <= 10 * MIN_MS);

    /* Two bursts 5 h apart (more than merge_hours): two encounters. */
    pair_at(v, 31.0, 124.5, 11.0, 412000001, 412000002, 80, 0);
    v[0].gap0 = v[1].gap0 = 3 * H_MS; /* both silent for 5 h */
    v[0].gap1 = v[1].gap1 = 8 * H_MS;
    run(&cfg, NULL, NULL, v, 2, 0, 16 * H_MS, &sink_a);
    print_events("apart", &sink_a);
    assert_int_equal(count_type(&sink_a, DF_EV_ENCOUNTER), 2);

    /* A 30 min gap of both inside: interpolated, one encounter. */
    pair_at(v, 31.0, 124.5, 3.0, 412000001, 412000002, 80, 0.3);
    v[0].gap0 = v[1].gap0 = 1 * H_MS;
    v[0].gap1 = v[1].gap1 = 1 * H_MS + 30 * MIN_MS;
    run(&cfg, NULL, NULL, v, 2, 0, 6 * H_MS, &sink_a);
    print_events("gap 30 min", &sink_a);
    assert_int_equal(count_type(&sink_a, DF_EV_ENCOUNTER), 1);
    e = first_type(&sink_a, DF_EV_ENCOUNTER);
    assert_true(llabs(e->start_ms - T0) <= 10 * MIN_MS);
    assert_true(llabs(e->end_ms - (T0 + 3 * H_MS)) <= 10 * MIN_MS);
    assert_true(evnum(e, "n_points") >= 17); /* the gap was filled */

    /* A 3 h gap: no interpolation (over 1 h), so two raw encounters of
     * 3 h each; they are 3 h apart, under merge_hours (4 h): one event
     * spanning both, as GFW's merge step does. */
    pair_at(v, 31.0, 124.5, 9.0, 412000001, 412000002, 80, 0.3);
    v[0].gap0 = v[1].gap0 = 3 * H_MS;
    v[0].gap1 = v[1].gap1 = 6 * H_MS;
    run(&cfg, NULL, NULL, v, 2, 0, 14 * H_MS, &sink_a);
    print_events("gap 3 h", &sink_a);
    assert_int_equal(count_type(&sink_a, DF_EV_ENCOUNTER), 1);
    e = first_type(&sink_a, DF_EV_ENCOUNTER);
    assert_true(llabs(e->end_ms - (T0 + 9 * H_MS)) <= 10 * MIN_MS);
    assert_true(evnum(e, "n_points") <= 40); /* the gap was not filled */

    /* The same with merging off: two. */
    cfg.encounter_merge_hours = 1;
    run(&cfg, NULL, NULL, v, 2, 0, 14 * H_MS, &sink_a);
    assert_int_equal(count_type(&sink_a, DF_EV_ENCOUNTER), 2);
}

static void test_loitering(void **state)
{
    struct df_config cfg;
    struct tv v[2];
    const struct df_event *e;

    (void)state;
    df_config_defaults(&cfg);
    /* Alone, 8 h at 0.5 kn, far offshore (31N 124.5E is ~250 km out). */
    pair_at(v, 31.0, 124.5, 8.0, 412000001, 412000002, 80, 0.5);
    run(&cfg, NULL, df_land_default(), v, 1, 0, 10 * H_MS, &sink_a);
    print_events("loitering", &sink_a);
    assert_int_equal(count_type(&sink_a, DF_EV_ENCOUNTER), 0);
    assert_int_equal(count_type(&sink_a, DF_EV_LOITERING), 1);
    e = first_type(&sink_a, DF_EV_LOITERING);
    assert_int_equal(e->nvessels, 1);
    assert_int_equal(e->vessels[0], 412000001);
    assert_true(fabs(evnum(e, "mean_speed_kn") - 0.5) < 0.1);
    assert_true(evnum(e, "duration_h") >= 7.5);
    assert_true(llabs(e->start_ms - T0) <= 10 * MIN_MS);
    if (df_land_default() != NULL)
        assert_true(evnum(e, "distance_to_shore_km") > 37);
    else
        printf("skip: no land, distance to shore not checked\n");

    /* The same with a partner alongside: an encounter, no loitering. */
    run(&cfg, NULL, df_land_default(), v, 2, 0, 10 * H_MS, &sink_a);
    assert_int_equal(count_type(&sink_a, DF_EV_ENCOUNTER), 1);
    assert_int_equal(count_type(&sink_a, DF_EV_LOITERING), 0);

    /* Slow fishing, moving on at 3 kn: not loitering. */
    pair_at(v, 31.0, 124.5, 8.0, 412000001, 412000002, 80, 3.0);
    run(&cfg, NULL, df_land_default(), v, 1, 0, 10 * H_MS, &sink_a);
    assert_int_equal(count_type(&sink_a, DF_EV_LOITERING), 0);

    /* 3 h only: under loitering_min_hours. */
    pair_at(v, 31.0, 124.5, 3.0, 412000001, 412000002, 80, 0.5);
    run(&cfg, NULL, df_land_default(), v, 1, 0, 10 * H_MS, &sink_a);
    assert_int_equal(count_type(&sink_a, DF_EV_LOITERING), 0);
}

/* A crude deterministic generator. */
static uint64_t rng = 88172645463325252ULL;

static double urand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static void test_dense_port(void **state)
{
    enum { N = 2000 };
    struct df_config cfg;
    struct df_geo *geo = df_geo_new();
    static struct tv v[N];
    struct timespec a, b;
    double secs;
    size_t i;

    (void)state;
    assert_non_null(geo);
    df_config_defaults(&cfg);
    assert_true(df_geo_add_port(geo, "Busan", "KR",
                                (int32_t)lrint(129.04 * U),
                                (int32_t)lrint(35.10 * U), 3.0, 0) >= 0);
    /* 2,000 ships moored inside a disc of 2.5 km radius (5 km across)
     * for 30 h, reporting every 10 min. */
    for (i = 0; i < N; i++) {
        double r = 2500 * sqrt(urand()), th = 2 * PI_ * urand();

        memset(&v[i], 0, sizeof(v[i]));
        v[i].mmsi = 440000000 + (uint32_t)i;
        v[i].lat = 35.10 + r * sin(th) / M_PER_DEG;
        v[i].lon = 129.04 +
                   r * cos(th) / (M_PER_DEG * cos(35.10 * PI_ / 180.0));
        v[i].t1 = 30 * H_MS;
        v[i].period_s = 600;
    }
    clock_gettime(CLOCK_MONOTONIC, &a);
    run(&cfg, geo, df_land_default(), v, N, 0, 31 * H_MS, &sink_a);
    clock_gettime(CLOCK_MONOTONIC, &b);
    secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    printf("  dense port: %d vessels x 30 h (%d records) in %.2f s, "
           "%zu events\n", N, N * 180, secs, sink_a.n);
    print_events("dense port", &sink_a);
    assert_int_equal(count_type(&sink_a, DF_EV_ENCOUNTER), 0);
    assert_int_equal(count_type(&sink_a, DF_EV_LOITERING), 0);
    df_geo_free(geo);
}

/* The antimeridian: two vessels either side of 180 deg, 100 m apart. */
static void test_antimeridian(void **state)
{
    struct df_config cfg;
    struct tv v[2];
    const struct df_event *e;

    (void)state;
    df_config_defaults(&cfg);
    pair_at(v, 10.0, 179.9995, 3.0, 412000001, 412000002, 0, 0.2);
    v[1].lon = -179.9995; /* ~110 m east across the antimeridian */
    run(&cfg, NULL, NULL, v, 2, 0, 6 * H_MS, &sink_a);
    print_events("antimeridian", &sink_a);
    assert_int_equal(count_type(&sink_a, DF_EV_ENCOUNTER), 1);
    e = first_type(&sink_a, DF_EV_ENCOUNTER);
    assert_true(fabs(fabs(e->lon / U) - 180) < 0.01);
}

/* Forgetting a loitering vessel reports its episode on the next call. */
static void test_forget(void **state)
{
    struct df_config cfg;
    struct df__meet *m;
    int64_t t;

    (void)state;
    df_config_defaults(&cfg);
    m = df__meet_new(&cfg, NULL, NULL, collect, &sink_a);
    assert_non_null(m);
    sink_a.n = 0;
    for (t = 0; t <= 6 * H_MS; t += 2 * MIN_MS) {
        feed_rec(m, 412000001, T0 + t, 31.0 + t * 1e-9, 124.5, 0.2);
        assert_int_equal(df__meet_advance(m, T0 + t), 0);
    }
    df__meet_forget(m, 412000001);
    assert_int_equal(df__meet_advance(m, T0 + 8 * H_MS), 0);
    assert_int_equal(count_type(&sink_a, DF_EV_LOITERING), 1);
    assert_int_equal(df__meet_finish(m), 0);
    assert_int_equal(count_type(&sink_a, DF_EV_LOITERING), 1);
    df__meet_free(m);
}

/* ------------------------------------------------------------------ */
/* Real data: a day of Delaware Bay                                   */
/* ------------------------------------------------------------------ */

struct recs {
    struct df_rec *r;
    size_t n, cap;
};

static int cmp_rec(const void *a, const void *b)
{
    const struct df_rec *x = a, *y = b;

    if (x->t_ms != y->t_ms)
        return x->t_ms < y->t_ms ? -1 : 1;
    return (x->mmsi > y->mmsi) - (x->mmsi < y->mmsi);
}

static void test_delaware_bay(void **state)
{
    char *path = tu_data_path("csv/marinecadastre_2020-01-01/"
                              "subset_delaware_bay_2020-01-01.csv");
    struct recs rs = {0};
    struct df_config cfg;
    struct df_csv *csv;
    struct df__meet *m;
    struct timespec a, b;
    char *buf, *p, *end;
    size_t len, i;

    (void)state;
    if (path == NULL)
        return;
    buf = tu_read_file(path, &len);
    assert_non_null(buf);
    csv = df_csv_new();
    assert_non_null(csv);
    for (p = buf, end = buf + len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
        struct df_rec r;

        if (df_csv_line(csv, p, ll, &r) == 1 && r.t_ms != DF_TIME_NONE &&
            r.lon != DF_LON_NA && r.lat != DF_LAT_NA) {
            if (rs.n == rs.cap) {
                rs.cap = rs.cap ? rs.cap * 2 : 65536;
                rs.r = realloc(rs.r, rs.cap * sizeof(*rs.r));
                assert_non_null(rs.r);
            }
            rs.r[rs.n++] = r;
        }
        p += ll + 1;
    }
    df_csv_free(csv);
    free(buf);
    qsort(rs.r, rs.n, sizeof(*rs.r), cmp_rec);

    df_config_defaults(&cfg);
    m = df__meet_new(&cfg, NULL, df_land_default(), collect, &sink_a);
    assert_non_null(m);
    sink_a.n = 0;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (i = 0; i < rs.n; i++) {
        assert_int_equal(df__meet_advance(m, rs.r[i].t_ms), 0);
        assert_int_equal(df__meet_position(m, &rs.r[i]), 0);
    }
    assert_int_equal(df__meet_finish(m), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("  Delaware Bay: %zu positions in %.3f s: %zu encounters, "
           "%zu loitering (land %s)\n",
           rs.n,
           (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9,
           count_type(&sink_a, DF_EV_ENCOUNTER),
           count_type(&sink_a, DF_EV_LOITERING),
           df_land_default() ? "built in" : "absent");
    print_events("delaware", &sink_a);
    if (df_land_default() == NULL)
        printf("skip: no land in this build: ships moored at the piers "
               "cannot be told from transfers, count not checked\n");
    else
        assert_true(count_type(&sink_a, DF_EV_ENCOUNTER) < 20);
    df__meet_free(m);
    free(rs.r);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_sea_3h),
        cmocka_unit_test(test_relevance),
        cmocka_unit_test(test_clump),
        cmocka_unit_test(test_short_and_passing),
        cmocka_unit_test(test_quay),
        cmocka_unit_test(test_anchorage),
        cmocka_unit_test(test_merge_and_gaps),
        cmocka_unit_test(test_loitering),
        cmocka_unit_test(test_dense_port),
        cmocka_unit_test(test_antimeridian),
        cmocka_unit_test(test_forget),
        cmocka_unit_test(test_delaware_bay),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
