/*
 * test_sim.c - the simulator checked against its own output: the same
 * seed gives the same bytes; every message survives NMEA encoding and
 * framing; messages come in receive-time order; every truth line is well
 * formed and names vessels that are in the traffic; the planted vessels'
 * reports satisfy the rule each scenario claims (within 500 m for 2 h at
 * under 2 kn, silent through a gap, positions jumping at 500+ kn, ...);
 * and a 2,000-vessel day streams with the vessels held bounded by the
 * vessels active.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkfleet.h"
#include "sim.h"

#define T0 1740787200000LL
#define PI 3.14159265358979323846
#define ALL ((1u << DF_SIM_COUNT) - 1)

static void opts_init(struct df_sim_opts *o, unsigned vessels, double hours,
                      uint32_t scenarios, uint64_t seed)
{
    memset(o, 0, sizeof *o);
    o->seed = seed;
    o->hours = hours;
    o->vessels = vessels;
    o->start_ms = T0;
    o->scenarios = scenarios;
}

/* ---- determinism, framing, order ------------------------------------- */

struct stream {
    uint64_t hash;             /* FNV-1a over the NMEA text */
    uint64_t n, bad, unordered;
    int64_t last;
    struct df_nmea *nm;
    struct df_buf b;
    unsigned seq;
};

static int on_stream(const struct df_msg *m, void *ud)
{
    struct stream *s = ud;
    struct df_msg got;
    size_t at = 0, i;
    int done = 0;

    if (s->n > 0 && m->rx_ms < s->last)
        s->unordered++;
    s->last = m->rx_ms;
    s->n++;
    s->b.len = 0;
    df_msg_nmea(&s->b, m, s->seq++);
    for (i = 0; i < s->b.len; i++)
        s->hash = (s->hash ^ (unsigned char)s->b.data[i]) *
                  0x100000001b3ULL;
    while (at < s->b.len) {
        char *nl = memchr(s->b.data + at, '\n', s->b.len - at);
        size_t len = (size_t)(nl - (s->b.data + at));
        done = df_nmea_line(s->nm, s->b.data + at, len, &got);
        at += len + 1;
    }
    if (!done || got.mmsi != m->mmsi || got.type != m->type ||
        got.rx_ms != m->rx_ms)
        s->bad++;
    else if ((m->type <= 3 && (got.u.pos.lat != m->u.pos.lat ||
                               got.u.pos.lon != m->u.pos.lon ||
                               got.u.pos.speed != m->u.pos.speed)) ||
             (m->type == 5 && (got.u.stat.imo != m->u.stat.imo ||
                               strcmp(got.u.stat.shipname,
                                      m->u.stat.shipname) != 0 ||
                               got.u.stat.draught != m->u.stat.draught)) ||
             (m->type == 18 && got.u.cb.lat != m->u.cb.lat))
        s->bad++;
    return 0;
}

static void run_stream(uint64_t seed, struct stream *s)
{
    struct df_sim_opts o;
    struct df_sim_cbs cbs = {on_stream, NULL, s};

    memset(s, 0, sizeof *s);
    s->hash = 0xcbf29ce484222325ULL;
    s->nm = df_nmea_new(NULL);
    assert_non_null(s->nm);
    opts_init(&o, 40, 48, ALL, seed);
    assert_int_equal(df_sim_run(&o, &cbs), DF_OK);
    df_nmea_free(s->nm);
    df_buf_free(&s->b);
}

static void test_deterministic_framed_ordered(void **state)
{
    struct stream a, b, c;

    (void)state;
    run_stream(7, &a);
    run_stream(7, &b);
    run_stream(8, &c);
    assert_true(a.n > 100000);
    assert_true(a.hash == b.hash);
    assert_true(a.n == b.n);
    assert_true(a.hash != c.hash);
    assert_int_equal(a.bad, 0);
    assert_int_equal(a.unordered, 0);
    assert_int_equal(c.bad, 0);
    assert_int_equal(c.unordered, 0);
}

/* ---- the truth against the traffic ------------------------------------ */

struct obs {
    int64_t t;
    uint8_t type;
    uint8_t draught, shiptype;
    uint32_t imo;
    double lat, lon, sog;
    char name[21];
};

struct track {
    uint32_t mmsi;
    struct obs *o;
    size_t n, cap;
};

#define MAX_TRUTH 64

struct world {
    struct df_event ev[MAX_TRUTH];
    int nev;
    struct track tr[MAX_TRUTH * 2];
    int ntr;
    int collect;               /* second pass: keep planted tracks */
    uint32_t seen[4096];       /* planted MMSIs seen in the traffic */
    int nseen;
};

static struct track *track_of(struct world *w, uint32_t mmsi)
{
    int i;

    for (i = 0; i < w->ntr; i++)
        if (w->tr[i].mmsi == mmsi)
            return &w->tr[i];
    return NULL;
}

static int on_truth(const struct df_event *ev, void *ud)
{
    struct world *w = ud;

    if (!w->collect && w->nev < MAX_TRUTH)
        w->ev[w->nev++] = *ev;
    return 0;
}

static int on_msg(const struct df_msg *m, void *ud)
{
    struct world *w = ud;
    struct track *t;
    struct obs *o;

    if (!w->collect || !(t = track_of(w, m->mmsi)))
        return 0;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->o = realloc(t->o, t->cap * sizeof *t->o);
        assert_non_null(t->o);
    }
    o = &t->o[t->n++];
    memset(o, 0, sizeof *o);
    o->t = m->rx_ms;
    o->type = m->type;
    o->lat = o->lon = NAN;
    if (m->type <= 3) {
        o->lat = m->u.pos.lat / 600000.0;
        o->lon = m->u.pos.lon / 600000.0;
        o->sog = m->u.pos.speed / 10.0;
    } else if (m->type == 18 || m->type == 19) {
        o->lat = m->u.cb.lat / 600000.0;
        o->lon = m->u.cb.lon / 600000.0;
        o->sog = m->u.cb.speed / 10.0;
    } else if (m->type == 5) {
        o->draught = m->u.stat.draught;
        o->imo = m->u.stat.imo;
        o->shiptype = m->u.stat.shiptype;
        memcpy(o->name, m->u.stat.shipname, sizeof o->name);
    } else if (m->type == 24 && m->u.s24.partno == 1) {
        o->shiptype = m->u.s24.shiptype;
    }
    return 0;
}

static double dist_m(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * PI / 180, p2 = lat2 * PI / 180;
    double dp = p2 - p1, dl = (lon2 - lon1) * PI / 180;
    double a = sin(dp / 2) * sin(dp / 2) +
               cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    return 2 * 6371008.8 * asin(sqrt(a));
}

static int is_pos(const struct obs *o)
{
    return !isnan(o->lat);
}

/* The position report of t nearest in time to when, or NULL. */
static const struct obs *nearest(const struct track *t, int64_t when)
{
    const struct obs *best = NULL;
    size_t i;

    for (i = 0; i < t->n; i++)
        if (is_pos(&t->o[i]) &&
            (!best || llabs(t->o[i].t - when) < llabs(best->t - when)))
            best = &t->o[i];
    return best;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Encounter rules: within 500 m for the window, and the window's length
 * and median speed returned. */
static void pair_stats(const struct track *a, const struct track *b,
                       const struct df_event *ev, double *max_d,
                       double *median_sog, double *min_sog)
{
    double *sogs = calloc(a->n + 1, sizeof *sogs);
    size_t i, n = 0;

    assert_non_null(sogs);
    *max_d = 0;
    *min_sog = 1e9;
    for (i = 0; i < a->n; i++) {
        const struct obs *o = &a->o[i], *q;
        double d;
        if (!is_pos(o) || o->t < ev->start_ms || o->t > ev->end_ms)
            continue;
        q = nearest(b, o->t);
        assert_non_null(q);
        if (llabs(q->t - o->t) > 200000)
            continue;
        /* the partner moved up to its speed times the time apart */
        d = dist_m(o->lat, o->lon, q->lat, q->lon) -
            q->sog * 0.5144 * (double)llabs(q->t - o->t) / 1000;
        if (d > *max_d)
            *max_d = d;
        if (o->sog < *min_sog)
            *min_sog = o->sog;
        sogs[n++] = o->sog;
    }
    assert_true(n > 0);
    qsort(sogs, n, sizeof *sogs, cmp_double);
    *median_sog = sogs[n / 2];
    free(sogs);
}

static int has(const struct df_event *ev, const char *s)
{
    return strstr(ev->evidence, s) != NULL;
}

static double hours_of(const struct df_event *ev)
{
    return (double)(ev->end_ms - ev->start_ms) / 3600000.0;
}

static void check_event(struct world *w, const struct df_event *ev)
{
    const struct track *a = track_of(w, ev->vessels[0]);
    const struct track *b = ev->nvessels > 1 ? track_of(w, ev->vessels[1])
                                             : NULL;
    double max_d, med, min_sog;
    size_t i, n;

    assert_non_null(a);
    assert_true(a->n > 0);
    switch (ev->type) {
    case DF_EV_ENCOUNTER:
        assert_non_null(b);
        pair_stats(a, b, ev, &max_d, &med, &min_sog);
        assert_true(max_d <= 520);
        if (ev->score > 0) {
            assert_true(hours_of(ev) >= 2.0);
            assert_true(med < 2.0);
            if (has(ev, "\"at_anchorage\":true"))
                assert_true(dist_m(ev->lat / 600000.0, ev->lon / 600000.0,
                                   34.75, 119.60) < 5000);
        } else if (has(ev, "decoy_passing")) {
            assert_true(min_sog > 10);
            assert_true(hours_of(ev) < 0.5);
        } else {
            /* a berth next to the quay */
            assert_true(has(ev, "decoy_berth"));
            assert_true(hours_of(ev) >= 29);
            for (i = 0; i < a->n; i++)
                if (is_pos(&a->o[i]) && a->o[i].t > ev->start_ms + 3600000 &&
                    a->o[i].t < ev->end_ms - 3600000)
                    assert_true(dist_m(a->o[i].lat, a->o[i].lon, 35.114,
                                       129.060) < 200 &&
                                a->o[i].sog < 0.2);
        }
        break;
    case DF_EV_LOITERING: {
        double sum = 0;
        n = 0;
        for (i = 0; i < a->n; i++)
            if (is_pos(&a->o[i]) && a->o[i].t >= ev->start_ms &&
                a->o[i].t <= ev->end_ms) {
                sum += a->o[i].sog;
                n++;
                if (ev->score > 0)
                    assert_true(a->o[i].sog < 2.0);
                else
                    assert_true(a->o[i].sog > 1.5);
            }
        assert_true(n > 100);
        if (ev->score > 0) {
            assert_true(hours_of(ev) >= 7.5);
        } else {
            assert_true(sum / (double)n > 2.0);
            for (i = 0; i < a->n; i++)
                if (a->o[i].type == 24 && a->o[i].shiptype)
                    assert_int_equal(a->o[i].shiptype, 30);
        }
        break;
    }
    case DF_EV_GAP: {
        const struct obs *p0 = NULL, *p1 = NULL;
        for (i = 0; i < a->n; i++) {
            assert_false(a->o[i].t > ev->start_ms &&
                         a->o[i].t < ev->end_ms);
            if (is_pos(&a->o[i]) && a->o[i].t == ev->start_ms)
                p0 = &a->o[i];
            if (is_pos(&a->o[i]) && a->o[i].t == ev->end_ms && !p1)
                p1 = &a->o[i];
        }
        assert_non_null(p0);
        assert_non_null(p1);
        if (ev->score > 0) {
            double kn = dist_m(p0->lat, p0->lon, p1->lat, p1->lon) / 1852 /
                        hours_of(ev);
            assert_true(hours_of(ev) >= 12);
            assert_true(kn > 1 && kn < 20);
        } else {
            assert_true(hours_of(ev) < 6);
        }
        break;
    }
    case DF_EV_DRAUGHT_CHANGE: {
        int before = 0, after = 0;
        for (i = 0; i < a->n; i++) {
            if (a->o[i].type != 5)
                continue;
            if (a->o[i].t <= ev->start_ms) {
                assert_int_equal(a->o[i].draught, 120);
                before++;
            } else if (a->o[i].t >= ev->end_ms) {
                assert_int_equal(a->o[i].draught, 75);
                after++;
            }
        }
        assert_true(before > 0 && after > 0);
        break;
    }
    case DF_EV_SPOOFING: {
        const struct obs *prev = NULL;
        double fastest = 0;
        for (i = 0; i < a->n; i++) {
            const struct obs *o = &a->o[i];
            if (!is_pos(o))
                continue;
            if (prev && o->t > prev->t && o->t >= ev->start_ms - 60000 &&
                o->t <= ev->end_ms + 60000) {
                double kn = dist_m(prev->lat, prev->lon, o->lat, o->lon) /
                            1852 / ((double)(o->t - prev->t) / 3600000.0);
                if (kn > fastest)
                    fastest = kn;
            }
            prev = o;
        }
        assert_true(fastest > 500);
        break;
    }
    case DF_EV_MMSI_COLLISION: {
        /* two positions minutes apart, hundreds of km apart */
        int found = 0;
        for (i = 1; i < a->n && !found; i++) {
            size_t k;
            if (!is_pos(&a->o[i]) || a->o[i].t < ev->start_ms ||
                a->o[i].t > ev->end_ms)
                continue;
            for (k = i; k-- > 0 && a->o[i].t - a->o[k].t < 600000;)
                if (is_pos(&a->o[k]) &&
                    dist_m(a->o[i].lat, a->o[i].lon, a->o[k].lat,
                           a->o[k].lon) > 300000)
                    found = 1;
        }
        assert_true(found);
        assert_true(hours_of(ev) >= 5.5);
        break;
    }
    case DF_EV_IDENTITY_CHANGE: {
        const char *old = NULL, *new = NULL;
        for (i = 0; i < a->n; i++) {
            if (a->o[i].type != 5)
                continue;
            if (a->o[i].t < ev->start_ms)
                old = a->o[i].name;
            else if (!new)
                new = a->o[i].name;
        }
        assert_non_null(old);
        assert_non_null(new);
        assert_string_not_equal(old, new);
        break;
    }
    case DF_EV_INVALID_IDENTITY:
        if (has(ev, "\"mmsi\"")) {
            assert_int_equal(ev->vessels[0] / 1000000, 299);
        } else {
            uint32_t imo = 0, d;
            unsigned s = 0, wt;
            for (i = 0; i < a->n; i++)
                if (a->o[i].type == 5)
                    imo = a->o[i].imo;
            assert_true(imo >= 1000000 && imo <= 9999999);
            d = imo / 10;
            for (wt = 2; wt <= 7; wt++) {
                s += d % 10 * wt;
                d /= 10;
            }
            assert_int_not_equal(s % 10, imo % 10);
        }
        break;
    case DF_EV_ZONE_ENTRY: {
        /* outside the shipped DPRK zone before, inside during */
        struct df_geo *g = df_geo_new();
        int outside = 0, inside = 0;
        assert_non_null(g);
        assert_int_equal(df_geo_load_builtin_dprk(g), DF_OK);
        for (i = 0; i < a->n; i++) {
            int32_t lon = (int32_t)lround(a->o[i].lon * 600000);
            int32_t lat = (int32_t)lround(a->o[i].lat * 600000);
            if (!is_pos(&a->o[i]))
                continue;
            if (a->o[i].t < ev->start_ms) {
                assert_true(df_geo_zone_at(g, lon, lat) < 0);
                outside++;
            }
            if (a->o[i].t == ev->start_ms || a->o[i].t == ev->end_ms) {
                assert_true(df_geo_zone_at(g, lon, lat) >= 0);
                inside++;
            }
        }
        assert_true(outside > 0 && inside > 0);
        df_geo_free(g);
        break;
    }
    case DF_EV_PORT_CALL: {
        int64_t s0 = 0, s1 = 0;
        for (i = 0; i < a->n; i++) {
            const struct obs *o = &a->o[i];
            if (!is_pos(o) || o->t < ev->start_ms || o->t > ev->end_ms)
                continue;
            assert_true(dist_m(o->lat, o->lon, 38.716667, 125.4) < 4000);
            if (o->sog < 0.2) {
                if (!s0)
                    s0 = o->t;
                s1 = o->t;
            }
        }
        assert_true(s1 - s0 >= 4 * 3600000LL);
        break;
    }
    default:
        fail();
    }
}

static void test_truth_matches_traffic(void **state)
{
    struct df_sim_opts o;
    static struct world w;
    struct df_sim_cbs cbs = {on_msg, on_truth, &w};
    int i, seed, counts[DF_EV_COUNT];
    int decoys;

    (void)state;
    for (seed = 1; seed <= 3; seed++) {
        memset(&w, 0, sizeof w);
        memset(counts, 0, sizeof counts);
        opts_init(&o, 10, 48, ALL, (uint64_t)seed);
        assert_int_equal(df_sim_run(&o, &cbs), DF_OK);
        /* every scenario planted its truth */
        assert_int_equal(w.nev, 19);
        for (i = 0; i < w.nev; i++) {
            const struct df_event *ev = &w.ev[i];
            int k;
            assert_true(ev->start_ms <= ev->end_ms);
            assert_true(ev->start_ms >= T0);
            assert_true(ev->nvessels == 1 || ev->nvessels == 2);
            assert_true(ev->score == 1.0 || ev->score == -1.0);
            assert_true(ev->evidence[0] == '{');
            assert_non_null(strstr(ev->evidence, "\"scenario\":\""));
            counts[ev->type]++;
            for (k = 0; k < ev->nvessels; k++)
                if (!track_of(&w, ev->vessels[k]))
                    w.tr[w.ntr++].mmsi = ev->vessels[k];
        }
        assert_int_equal(counts[DF_EV_ENCOUNTER], 4);
        assert_int_equal(counts[DF_EV_GAP], 3);
        assert_int_equal(counts[DF_EV_SPOOFING], 2);
        assert_int_equal(counts[DF_EV_INVALID_IDENTITY], 2);
        assert_int_equal(counts[DF_EV_ZONE_ENTRY], 2);
        /* the second pass keeps the planted vessels' reports */
        w.collect = 1;
        assert_int_equal(df_sim_run(&o, &cbs), DF_OK);
        decoys = 0;
        for (i = 0; i < w.nev; i++) {
            check_event(&w, &w.ev[i]);
            decoys += w.ev[i].score < 0;
        }
        assert_int_equal(decoys, 4);
        for (i = 0; i < w.ntr; i++)
            free(w.tr[i].o);
    }
}

/* Each scenario alone plants only its own truth. */
static void test_one_scenario_each(void **state)
{
    struct df_sim_opts o;
    static struct world w;
    struct df_sim_cbs cbs = {on_msg, on_truth, &w};
    int sc;

    (void)state;
    for (sc = 0; sc < DF_SIM_COUNT; sc++) {
        const char *name = df_sim_scenario_name((enum df_sim_scenario)sc);
        char want[64];
        int i;
        memset(&w, 0, sizeof w);
        opts_init(&o, 0, 4, 1u << sc, 99);
        assert_int_equal(df_sim_scenario_from_name(name), sc);
        assert_int_equal(df_sim_run(&o, &cbs), DF_OK);
        assert_true(w.nev >= 1 && w.nev <= 2);
        snprintf(want, sizeof want, "\"scenario\":\"%s\"", name);
        for (i = 0; i < w.nev; i++)
            assert_non_null(strstr(w.ev[i].evidence, want));
    }
    assert_int_equal(df_sim_scenario_from_name("nope"), -1);
}

/* ---- bounded memory ----------------------------------------------------- */

struct counter {
    uint64_t n;
    int64_t last;
    uint64_t stop_at;          /* return 1 on this message, or 0 */
};

static int on_count(const struct df_msg *m, void *ud)
{
    struct counter *c = ud;

    c->n++;
    c->last = m->rx_ms;
    return c->stop_at && c->n == c->stop_at;
}

static void test_bounded(void **state)
{
    struct df_sim_opts o;
    struct counter c = {0, 0, 0};
    struct df_sim_cbs cbs = {on_count, NULL, &c};
    struct df__sim_stats st;

    (void)state;
    /* background only: every vessel is active all day */
    opts_init(&o, 2000, 24, 0, 5);
    assert_int_equal(df__sim_run_ext(&o, 30, &cbs, &st), DF_OK);
    assert_int_equal(st.peak_live, 2000);
    assert_true(c.n == st.messages);
    /* 2880 reports a vessel a day, plus static data */
    assert_true(c.n > 2000ULL * 2800);
    assert_true(c.last <= T0 + 24 * 3600000LL);
    /* with every scenario: at most their 21 vessels more */
    c.n = 0;
    opts_init(&o, 2000, 24, ALL, 5);
    assert_int_equal(df__sim_run_ext(&o, 30, &cbs, &st), DF_OK);
    assert_true(st.peak_live >= 2000 && st.peak_live <= 2021);
    assert_int_equal(st.truths, 19);
    /* a stop from the callback ends the run */
    c.n = 0;
    c.stop_at = 1000;
    assert_int_equal(df_sim_run(&o, &cbs), DF_OK);
    assert_int_equal(c.n, 1000);
}

static void test_bad_options(void **state)
{
    struct df_sim_opts o;
    struct counter c = {0, 0, 0};
    struct df_sim_cbs cbs = {on_count, NULL, &c};

    (void)state;
    opts_init(&o, 10, 0, ALL, 1);
    assert_int_equal(df_sim_run(&o, &cbs), DF_INVAL);
    opts_init(&o, 10, -3, ALL, 1);
    assert_int_equal(df_sim_run(&o, &cbs), DF_INVAL);
    assert_int_equal(df_sim_run(NULL, &cbs), DF_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic_framed_ordered),
        cmocka_unit_test(test_truth_matches_traffic),
        cmocka_unit_test(test_one_scenario_each),
        cmocka_unit_test(test_bounded),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
