/*
 * test_state.c - saved state (darkfleet.h, "Saved state"): a scan saved
 * at any point and loaded into a new one goes on exactly as if it had
 * never stopped.  The property is checked on simulated traffic with every
 * planted behaviour: the events, vessel states and track points of one
 * run equal those of runs cut at several points, byte for byte, with the
 * stream read back in small pieces; a stream cut short, altered, or
 * loaded under other settings is refused with DF_FORMAT.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "darkfleet.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

/* ---- what a run reports, as text ------------------------------------- */

struct out {
    struct df_buf b;
    uint64_t events;
};

static int on_event(const struct df_event *ev, void *ud)
{
    struct out *o = ud;

    df_event_json(&o->b, ev);
    df_buf_append(&o->b, "\n", 1);
    o->events++;
    return 0;
}

static int on_vessel(const struct df_vessel *v, void *ud)
{
    struct out *o = ud;
    unsigned i;

    df_buf_printf(&o->b, "vessel %u %llu %lld %lld", (unsigned)v->mmsi,
                  (unsigned long long)v->positions, (long long)v->first_ms,
                  (long long)v->last_ms);
    for (i = 0; i < v->nidentities && i < DF_MAX_IDENTITIES; i++)
        df_buf_printf(&o->b, " [%.20s %u %lld]", v->identities[i].shipname,
                      (unsigned)v->identities[i].imo,
                      (long long)v->identities[i].last_ms);
    df_buf_append(&o->b, "\n", 1);
    return 0;
}

static int on_point(uint32_t mmsi, const struct df_point *p, void *ud)
{
    struct out *o = ud;

    df_buf_printf(&o->b, "point %u %lld %d %d\n", (unsigned)mmsi,
                  (long long)p->t_ms, (int)p->lon, (int)p->lat);
    return 0;
}

/* ---- the traffic ------------------------------------------------------- */

struct recs {
    struct df_rec *v;
    size_t n, cap;
};

static int keep_msg(const struct df_msg *m, void *ud)
{
    struct recs *rs = ud;
    struct df_rec rec;

    if (!df_rec_from_msg(m, &rec))
        return 0;
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 4096;
        rs->v = realloc(rs->v, rs->cap * sizeof *rs->v);
        assert_non_null(rs->v);
    }
    rs->v[rs->n++] = rec;
    return 0;
}

static struct recs traffic;
static struct df_geo *geo;

static int setup(void **state)
{
    struct df_sim_opts o;
    struct df_sim_cbs cbs = {keep_msg, NULL, &traffic};

    (void)state;
    memset(&o, 0, sizeof o);
    o.seed = 7;
    o.hours = 30;
    o.vessels = 20;
    o.start_ms = 1740787200000LL;
    o.scenarios = (1u << DF_SIM_COUNT) - 1;
    assert_int_equal(df_sim_run(&o, &cbs), DF_OK);
    assert_true(traffic.n > 10000);
    geo = df_geo_new();
    assert_non_null(geo);
    assert_int_equal(df_geo_load_builtin_dprk(geo), DF_OK);
    assert_int_equal(df_geo_load_builtin_places(geo), DF_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(traffic.v);
    df_geo_free(geo);
    return 0;
}

/* ---- one run, cut where asked ------------------------------------------ */

/* The saved stream, in chunks as the sink got them. */
struct stream {
    unsigned char *data;
    size_t n, cap;
    size_t piece;               /* the source hands out this much at once */
    size_t off;
    int fail_sink;
};

static int sink(const void *p, size_t n, void *ud)
{
    struct stream *s = ud;

    if (s->fail_sink)
        return -1;
    if (s->n + n > s->cap) {
        s->cap = (s->n + n) * 2;
        s->data = realloc(s->data, s->cap);
        assert_non_null(s->data);
    }
    memcpy(s->data + s->n, p, n);
    s->n += n;
    return 0;
}

static int source(const void **p, size_t *n, void *ud)
{
    struct stream *s = ud;
    size_t k = s->n - s->off;

    if (k == 0)
        return 0;
    if (k > s->piece)
        k = s->piece;
    *p = s->data + s->off;
    *n = k;
    s->off += k;
    return 1;
}

static int feed(const struct df_rec *rec, void *ud)
{
    return df_scan_rec(ud, rec);
}

struct run {
    struct df_config cfg;
    struct df_scan_cbs cbs;
    struct df_scan *scan;
    struct df_reorder *ro;
};

static void run_new(struct run *r, struct out *o)
{
    df_config_defaults(&r->cfg);
    memset(&r->cbs, 0, sizeof r->cbs);
    r->cbs.event = on_event;
    r->cbs.vessel = on_vessel;
    r->cbs.point = on_point;
    r->cbs.ud = o;
    r->scan = df_scan_new(&r->cfg, geo, &r->cbs);
    r->ro = df_reorder_new(300000, 0);
    assert_non_null(r->scan);
    assert_non_null(r->ro);
}

static void run_free(struct run *r)
{
    df_scan_free(r->scan);
    df_reorder_free(r->ro);
}

/* Saves r into s, frees it and makes a new one from s. */
static void cut(struct run *r, struct out *o, struct stream *s)
{
    struct df_state_out *w;
    struct df_state_in *in;

    s->n = s->off = 0;
    w = df_state_out_new(sink, s);
    assert_non_null(w);
    assert_int_equal(df_reorder_save(r->ro, w), DF_OK);
    assert_int_equal(df_scan_save(r->scan, w), DF_OK);
    assert_int_equal(df_state_out_end(w), DF_OK);
    assert_int_equal(df_state_out_bytes(w), s->n);
    df_state_out_free(w);
    run_free(r);

    run_new(r, o);
    in = df_state_in_new(source, s);
    assert_non_null(in);
    assert_int_equal(df_reorder_load(r->ro, in), DF_OK);
    assert_int_equal(df_scan_load(r->scan, in), DF_OK);
    assert_int_equal(df_state_in_error(in), DF_OK);
    assert_int_equal(s->off, s->n);       /* read to its end */
    df_state_in_free(in);
}

/* Runs the traffic, cut before each record index in cuts[0..ncuts). */
static void run(const size_t *cuts, size_t ncuts, size_t piece,
                struct out *o)
{
    struct run r;
    struct stream s = {NULL, 0, 0, piece, 0, 0};
    size_t i, k = 0;

    memset(o, 0, sizeof *o);
    run_new(&r, o);
    for (i = 0; i < traffic.n; i++) {
        if (k < ncuts && cuts[k] == i) {
            cut(&r, o, &s);
            k++;
        }
        assert_int_equal(df_reorder_push(r.ro, &traffic.v[i], feed, r.scan),
                         0);
    }
    df_reorder_flush(r.ro, feed, r.scan);
    df_scan_finish(r.scan);
    assert_int_equal(df_scan_error(r.scan), DF_OK);
    run_free(&r);
    free(s.data);
    assert_false(o->b.oom);
}

static void test_cut_anywhere(void **state)
{
    struct out whole, part;
    size_t n = traffic.n;
    size_t one[1], many[7];
    size_t i;

    (void)state;
    run(NULL, 0, 0, &whole);
    /* Every planted behaviour is there to be carried across a cut. */
    assert_true(whole.events >= 15);

    /* One cut at a time, at several places (with the stream read back
     * in pieces of every size from 1 byte to all of it). */
    for (i = 1; i < 10; i++) {
        static const size_t pieces[] = {1, 7, 4096, (size_t)1 << 30};

        one[0] = n * i / 10 + i * 13;
        run(one, 1, pieces[i % 4], &part);
        assert_int_equal(part.events, whole.events);
        assert_int_equal(part.b.len, whole.b.len);
        assert_memory_equal(part.b.data, whole.b.data, whole.b.len);
        df_buf_free(&part.b);
    }
    /* Many cuts in one run, the first before anything was fed. */
    for (i = 0; i < 7; i++)
        many[i] = i == 0 ? 0 : n * i / 7 + 3;
    run(many, 7, 65536, &part);
    assert_int_equal(part.b.len, whole.b.len);
    assert_memory_equal(part.b.data, whole.b.data, whole.b.len);
    df_buf_free(&part.b);
    df_buf_free(&whole.b);
}

/* ---- streams that are not a state of this build ------------------------ */

/* Saves a run fed half the traffic into s. */
static void half(struct stream *s)
{
    struct out o;
    struct run r;
    struct df_state_out *w;
    size_t i;

    memset(&o, 0, sizeof o);
    run_new(&r, &o);
    for (i = 0; i < traffic.n / 2; i++)
        df_reorder_push(r.ro, &traffic.v[i], feed, r.scan);
    w = df_state_out_new(sink, s);
    assert_non_null(w);
    assert_int_equal(df_reorder_save(r.ro, w), DF_OK);
    assert_int_equal(df_scan_save(r.scan, w), DF_OK);
    assert_int_equal(df_state_out_end(w), DF_OK);
    df_state_out_free(w);
    run_free(&r);
    df_buf_free(&o.b);
}

/* Loads s into a new run with cfg; returns the error. */
static enum df_err load(struct stream *s, const struct df_config *cfg)
{
    struct out o;
    struct run r;
    struct df_state_in *in;
    enum df_err e;

    memset(&o, 0, sizeof o);
    run_new(&r, &o);
    if (cfg) {
        df_scan_free(r.scan);
        r.cfg = *cfg;
        r.scan = df_scan_new(&r.cfg, geo, &r.cbs);
        assert_non_null(r.scan);
    }
    s->off = 0;
    in = df_state_in_new(source, s);
    assert_non_null(in);
    e = df_reorder_load(r.ro, in);
    if (e == DF_OK)
        e = df_scan_load(r.scan, in);
    assert_int_equal(e, df_state_in_error(in));
    df_state_in_free(in);
    run_free(&r);
    df_buf_free(&o.b);
    return e;
}

static void test_refused(void **state)
{
    struct stream s = {NULL, 0, 0, 1 << 20, 0, 0};
    struct df_config cfg;
    size_t full, cuts[] = {0, 1, 20, 47, 48, 1000};
    unsigned i;

    (void)state;
    half(&s);
    full = s.n;
    assert_int_equal(load(&s, NULL), DF_OK);

    /* Cut short anywhere: refused, never misread. */
    for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        s.n = cuts[i];
        assert_int_equal(load(&s, NULL), DF_FORMAT);
    }
    s.n = full - 1;
    assert_int_equal(load(&s, NULL), DF_FORMAT);
    s.n = full;

    /* Another version in the header, another byte order. */
    s.data[20] ^= 0x01;
    assert_int_equal(load(&s, NULL), DF_FORMAT);
    s.data[20] ^= 0x01;
    s.data[12] ^= 0xff;
    assert_int_equal(load(&s, NULL), DF_FORMAT);
    s.data[12] ^= 0xff;
    /* A tag altered (the reorder buffer's, just after the header). */
    s.data[48] ^= 0x20;
    assert_int_equal(load(&s, NULL), DF_FORMAT);
    s.data[48] ^= 0x20;
    assert_int_equal(load(&s, NULL), DF_OK);

    /* Saved under other settings: the detectors would not be the same. */
    df_config_defaults(&cfg);
    assert_int_equal(df_config_set(&cfg, "encounter_resample_min", "5"),
                     DF_OK);
    assert_int_equal(load(&s, &cfg), DF_FORMAT);
    df_config_defaults(&cfg);
    assert_int_equal(df_config_set(&cfg, "track_silence_hours", "12"),
                     DF_OK);
    assert_int_equal(load(&s, &cfg), DF_FORMAT);
    free(s.data);
}

static void test_sink_fails(void **state)
{
    struct stream s = {NULL, 0, 0, 1 << 20, 0, 1};
    struct out o;
    struct run r;
    struct df_state_out *w;
    size_t i;

    (void)state;
    memset(&o, 0, sizeof o);
    run_new(&r, &o);
    for (i = 0; i < traffic.n / 3; i++)
        df_reorder_push(r.ro, &traffic.v[i], feed, r.scan);
    w = df_state_out_new(sink, &s);
    assert_non_null(w);
    df_reorder_save(r.ro, w);
    df_scan_save(r.scan, w);
    assert_int_equal(df_state_out_end(w), DF_IO);
    df_state_out_free(w);
    run_free(&r);
    df_buf_free(&o.b);
}

/* Ties: the encounters and marks remembered come back. */
static int count_reason(uint32_t mmsi, const struct df_reason *r, void *ud)
{
    (void)mmsi;
    (void)r;
    (*(int *)ud)++;
    return 0;
}

static void test_ties(void **state)
{
    struct stream s = {NULL, 0, 0, 3, 0, 0};
    struct df_config cfg;
    struct df_ties *t = df_ties_new(8, 8), *u;
    struct df_state_out *w;
    struct df_state_in *in;
    struct df_event ev;
    struct df_match m;
    struct df_list_entry e;
    int n = 0;

    (void)state;
    df_config_defaults(&cfg);
    memset(&ev, 0, sizeof ev);
    ev.type = DF_EV_ENCOUNTER;
    ev.nvessels = 2;
    ev.vessels[0] = 412000001;
    ev.vessels[1] = 413000002;
    ev.start_ms = 1740787200000LL;
    ev.end_ms = ev.start_ms + 3 * 3600000;
    strcpy(ev.evidence, "{\"relevance\":1}");
    assert_non_null(t);
    assert_int_equal(df_ties_encounter(t, &cfg, &ev, 9, count_reason, &n),
                     0);
    assert_int_equal(n, 0);
    w = df_state_out_new(sink, &s);
    assert_int_equal(df_ties_save(t, w), DF_OK);
    assert_int_equal(df_state_out_end(w), DF_OK);
    df_state_out_free(w);
    df_ties_free(t);

    u = df_ties_new(8, 8);
    in = df_state_in_new(source, &s);
    assert_int_equal(df_ties_load(u, in), DF_OK);
    df_state_in_free(in);
    /* Its partner is found listed later: the loaded ties credit it. */
    memset(&m, 0, sizeof m);
    memset(&e, 0, sizeof e);
    e.name = "LISTED";
    e.list = "test";
    m.entry = &e;
    m.by = DF_MATCH_IMO;
    m.score = 1;
    assert_int_equal(df_ties_vessel(u, &cfg, 413000002, &m, count_reason,
                                    &n),
                     0);
    assert_int_equal(n, 1);
    df_ties_free(u);

    /* Other caps: refused. */
    u = df_ties_new(16, 8);
    s.off = 0;
    in = df_state_in_new(source, &s);
    assert_int_equal(df_ties_load(u, in), DF_FORMAT);
    df_state_in_free(in);
    df_ties_free(u);
    free(s.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cut_anywhere),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_sink_fails),
        cmocka_unit_test(test_ties),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
