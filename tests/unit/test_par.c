/*
 * test_par.c - a scan split by MMSI (df_scan_new_jobs, scan_par.c) finds
 * the events one scan finds, for any number of shards: on simulated
 * traffic with every planted behaviour and a dense background, the events
 * (as JSON lines), the vessel states and the track points of one scan and
 * of the split scan with 1 to 5 shards (threads from 2) are the same sets;
 * a split scan's state saved midway and loaded goes on to the same; and a
 * state saved with another number of shards is refused.  The same for a
 * scan split as a cluster splits it (df_scan_new_parts, dist.c: workers
 * and a coordinator that exchange only messages), whose coordinator's
 * encounter detector also holds, byte for byte, what one scan's holds,
 * and which arms the draught comparison an encounter starts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkfleet.h"
#include "scan_par.h"
#include "dist.h"
#include "meet.h"
#include "util/ser.h"
#include "testutil.h"

/* ---- what a run reports, one line per callback, sorted at the end ----- */

struct lines {
    char **v;
    size_t n, cap;
};

static void add_line(struct lines *l, struct df_buf *b)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        assert_non_null(l->v);
    }
    l->v[l->n] = strdup(b->data ? b->data : "");
    assert_non_null(l->v[l->n]);
    l->n++;
    b->len = 0;
}

struct out {
    struct lines ev, ves, pts;
    struct df_buf b;
};

static int on_event(const struct df_event *ev, void *ud)
{
    struct out *o = ud;

    df_event_json(&o->b, ev);
    add_line(&o->ev, &o->b);
    return 0;
}

static int on_vessel(const struct df_vessel *v, void *ud)
{
    struct out *o = ud;
    unsigned i;

    df_buf_printf(&o->b, "%u %llu %lld %lld", (unsigned)v->mmsi,
                  (unsigned long long)v->positions, (long long)v->first_ms,
                  (long long)v->last_ms);
    for (i = 0; i < v->nidentities && i < DF_MAX_IDENTITIES; i++)
        df_buf_printf(&o->b, " [%.20s %u %lld %lld]",
                      v->identities[i].shipname,
                      (unsigned)v->identities[i].imo,
                      (long long)v->identities[i].first_ms,
                      (long long)v->identities[i].last_ms);
    add_line(&o->ves, &o->b);
    return 0;
}

static int on_point(uint32_t mmsi, const struct df_point *p, void *ud)
{
    struct out *o = ud;

    df_buf_printf(&o->b, "%u %lld %d %d", (unsigned)mmsi, (long long)p->t_ms,
                  (int)p->lon, (int)p->lat);
    add_line(&o->pts, &o->b);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_lines(struct lines *l)
{
    qsort(l->v, l->n, sizeof *l->v, cmp_str);
}

static void free_lines(struct lines *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static void free_out(struct out *o)
{
    free_lines(&o->ev);
    free_lines(&o->ves);
    free_lines(&o->pts);
    df_buf_free(&o->b);
}

static void same_lines(const struct lines *a, const struct lines *b,
                       const char *what, unsigned n)
{
    size_t i;

    if (a->n != b->n)
        fail_msg("%u shards: %zu %s, one scan %zu", n, b->n, what, a->n);
    for (i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i]) != 0)
            fail_msg("%u shards: %s differ:\n  one: %s\n  split: %s", n,
                     what, a->v[i], b->v[i]);
}

/* ---- the traffic ----------------------------------------------------- */

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
    o.seed = 9;
    o.hours = 36;
    o.vessels = 120;
    o.start_ms = 1740787200000LL;
    o.scenarios = (1u << DF_SIM_COUNT) - 1;
    assert_int_equal(df_sim_run(&o, &cbs), DF_OK);
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

static int feed(const struct df_rec *rec, void *ud)
{
    return df_scan_rec(ud, rec);
}

/* n == 0: one scan; else a split one of n shards (threads, scan_par.c),
 * or of n partitions that exchange only messages (dist.c). */
static struct df_scan *make(unsigned n, int dist, const struct df_config *cfg,
                            struct out *o)
{
    struct df_scan_cbs cbs;
    struct df_scan *s;

    memset(&cbs, 0, sizeof cbs);
    cbs.event = on_event;
    cbs.vessel = on_vessel;
    cbs.point = on_point;
    cbs.ud = o;
    s = n == 0  ? df_scan_new(cfg, geo, &cbs)
        : dist ? df_scan_new_parts(cfg, geo, &cbs, n)
               : df__scan_new_par(cfg, geo, &cbs, n);
    assert_non_null(s);
    return s;
}

static void run(unsigned n, int dist, struct out *o)
{
    struct df_config cfg;
    struct df_reorder *ro = df_reorder_new(300000, 0);
    struct df_scan *s;
    size_t i;

    df_config_defaults(&cfg);
    memset(o, 0, sizeof *o);
    s = make(n, dist, &cfg, o);
    assert_non_null(ro);
    for (i = 0; i < traffic.n; i++)
        df_reorder_push(ro, &traffic.v[i], feed, s);
    df_reorder_flush(ro, feed, s);
    assert_int_equal(df_scan_finish(s), 0);
    assert_int_equal(df_scan_error(s), DF_OK);
    df_scan_free(s);
    df_reorder_free(ro);
    sort_lines(&o->ev);
    sort_lines(&o->ves);
    sort_lines(&o->pts);
}

static void same_events(int dist)
{
    struct out one, split;
    unsigned n;

    run(0, 0, &one);
    /* Every planted behaviour is in it. */
    assert_true(one.ev.n >= 16);
    for (n = 1; n <= 5; n++) {
        run(n, dist, &split);
        same_lines(&one.ev, &split.ev, "events", n);
        same_lines(&one.ves, &split.ves, "vessel states", n);
        same_lines(&one.pts, &split.pts, "track points", n);
        free_out(&split);
    }
    free_out(&one);
}

static void test_same_events(void **state)
{
    (void)state;
    same_events(0);
}

/* The cluster's split (dist.c), all in one process. */
static void test_dist_same_events(void **state)
{
    (void)state;
    same_events(1);
}

/* ---- saved state -------------------------------------------------------- */

struct stream {
    unsigned char *data;
    size_t n, cap, off;
};

static int sink(const void *p, size_t n, void *ud)
{
    struct stream *s = ud;

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

    if (s->off == s->n)
        return 0;
    *p = s->data + s->off;
    *n = s->n - s->off;
    s->off = s->n;
    return 1;
}

static void state_run(int dist)
{
    struct df_config cfg;
    struct out one, split;
    struct stream st = {NULL, 0, 0, 0};
    struct df_reorder *ro = df_reorder_new(300000, 0);
    struct df_state_out *w;
    struct df_state_in *in;
    struct df_scan *s, *t;
    size_t i, cut = traffic.n / 2;

    run(0, 0, &one);
    df_config_defaults(&cfg);
    memset(&split, 0, sizeof split);
    s = make(3, dist, &cfg, &split);
    for (i = 0; i < cut; i++)
        df_reorder_push(ro, &traffic.v[i], feed, s);
    w = df_state_out_new(sink, &st);
    assert_int_equal(df_scan_save(s, w), DF_OK);
    assert_int_equal(df_state_out_end(w), DF_OK);
    df_state_out_free(w);
    df_scan_free(s);

    /* Another number of shards: refused. */
    t = make(2, dist, &cfg, &split);
    in = df_state_in_new(source, &st);
    assert_int_equal(df_scan_load(t, in), DF_FORMAT);
    df_state_in_free(in);
    df_scan_free(t);

    st.off = 0;
    t = make(3, dist, &cfg, &split);
    in = df_state_in_new(source, &st);
    assert_int_equal(df_scan_load(t, in), DF_OK);
    df_state_in_free(in);
    for (i = cut; i < traffic.n; i++)
        df_reorder_push(ro, &traffic.v[i], feed, t);
    df_reorder_flush(ro, feed, t);
    assert_int_equal(df_scan_finish(t), 0);
    df_scan_free(t);
    df_reorder_free(ro);
    sort_lines(&split.ev);
    same_lines(&one.ev, &split.ev, "events after a state", 3);
    free_out(&one);
    free_out(&split);
    free(st.data);
}

/* After the last record, the coordinator's encounter detector holds what
 * one scan's holds, to the byte: every refused position left out, every
 * vessel flushed for silence forgotten.  (Where a vessel is forgotten at
 * its partition's next record and a new vessel comes in between, the two
 * take other slots than in one scan: that orders output only, and this
 * traffic has no such case.) */
static struct stream meet_bytes(struct df_scan *s)
{
    struct stream st = {NULL, 0, 0, 0};
    struct df_state_out *w = df_state_out_new(sink, &st);

    assert_non_null(w);
    df__meet_save(df__scan_meet(s), w);
    assert_int_equal(df_state_out_end(w), DF_OK);
    df_state_out_free(w);
    return st;
}

static struct stream fed_meet(unsigned n)
{
    struct df_config cfg;
    struct out o;
    struct df_reorder *ro = df_reorder_new(300000, 0);
    struct df_scan *s;
    struct stream st;
    size_t i;

    df_config_defaults(&cfg);
    memset(&o, 0, sizeof o);
    s = make(n, 1, &cfg, &o);
    for (i = 0; i < traffic.n; i++)
        df_reorder_push(ro, &traffic.v[i], feed, s);
    df_reorder_flush(ro, feed, s);
    st = meet_bytes(s);
    df_scan_free(s);
    df_reorder_free(ro);
    free_out(&o);
    return st;
}

static void test_dist_meet(void **state)
{
    struct stream one = fed_meet(0), split;
    unsigned n;

    (void)state;
    for (n = 1; n <= 5; n++) {
        split = fed_meet(n);
        if (split.n != one.n || memcmp(split.data, one.data, one.n) != 0)
            fail_msg("%u partitions: the encounter detector differs from "
                     "one scan's (%zu bytes, one scan %zu)",
                     n, split.n, one.n);
        free(split.data);
    }
    free(one.data);
}

/* An encounter arms its vessels' draught comparison in their partitions
 * (the one thing that flows back): the traffic with one encounter vessel's
 * draught reported before the encounter and changed six hours after it. */
static int cmp_rec_t(const void *a, const void *b)
{
    const struct df_rec *x = a, *y = b;

    return (x->t_ms > y->t_ms) - (x->t_ms < y->t_ms);
}

static void test_dist_draught(void **state)
{
    struct recs saved = traffic, mine;
    struct out one, split;
    struct df_rec r;
    long long s0 = -1, e0 = -1;
    unsigned v = 0;
    size_t i;

    (void)state;
    run(0, 0, &one);
    for (i = 0; i < one.ev.n && s0 < 0; i++)
        if (strstr(one.ev.v[i], "\"type\":\"encounter\"") &&
            sscanf(strstr(one.ev.v[i], "\"vessels\":["),
                   "\"vessels\":[%u", &v) == 1) {
            const char *st = strstr(one.ev.v[i], "\"start\":\"");
            const char *en = strstr(one.ev.v[i], "\"end\":\"");
            assert_non_null(st);
            assert_non_null(en);
            s0 = df_time_parse(st + 9, 20);
            e0 = df_time_parse(en + 7, 20);
        }
    free_out(&one);
    assert_true(s0 > 0 && e0 > 0 && v != 0);
    mine.n = traffic.n + 2;
    mine.cap = mine.n;
    mine.v = malloc(mine.n * sizeof *mine.v);
    assert_non_null(mine.v);
    memcpy(mine.v, traffic.v, traffic.n * sizeof *mine.v);
    memset(&r, 0, sizeof r);
    r.mmsi = v;
    r.msgtype = 5;
    r.has = DF_REC_STATIC;
    r.cls = 'A';
    r.lon = DF_LON_NA;
    r.lat = DF_LAT_NA;
    r.draught = 50;
    r.t_ms = s0 - 7200000;
    mine.v[traffic.n] = r;
    r.draught = 120;
    r.t_ms = e0 + 6 * 3600000;
    mine.v[traffic.n + 1] = r;
    qsort(mine.v, mine.n, sizeof *mine.v, cmp_rec_t);
    traffic = mine;
    run(0, 0, &one);
    run(3, 1, &split);
    traffic = saved;
    free(mine.v);
    for (i = 0; i < one.ev.n; i++)
        if (strstr(one.ev.v[i], "\"across\":\"encounter\""))
            break;
    if (i == one.ev.n)
        fail_msg("one scan found no draught change across the encounter "
                 "of %u", v);
    same_lines(&one.ev, &split.ev, "events", 3);
    free_out(&one);
    free_out(&split);
}

static void test_state(void **state)
{
    (void)state;
    state_run(0);
}

static void test_dist_state(void **state)
{
    (void)state;
    state_run(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_events),
        cmocka_unit_test(test_state),
        cmocka_unit_test(test_dist_same_events),
        cmocka_unit_test(test_dist_state),
        cmocka_unit_test(test_dist_meet),
        cmocka_unit_test(test_dist_draught),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
