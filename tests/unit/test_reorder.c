/*
 * test_reorder.c - df_reorder: in-order input passes through in order, a
 * stream shuffled within the window comes out sorted (stable on equal
 * times), stragglers beyond the window are counted and dropped, a full
 * buffer releases its oldest early, untimed records pass straight through,
 * and a million records stream through a small fixed buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "darkfleet.h"

struct sink {
    int64_t *t;               /* times handed out, up to cap */
    uint32_t *mmsi;
    size_t n, cap;
    int64_t last;
    int sorted;               /* every release >= the one before */
    uint64_t count;
    int stop_at;              /* return 1 on this release (1-based), or 0 */
};

static int on_rec(const struct df_rec *rec, void *ud)
{
    struct sink *s = ud;

    if (rec->t_ms != DF_TIME_NONE) {
        if (s->count > 0 && s->last != DF_TIME_NONE && rec->t_ms < s->last)
            s->sorted = 0;
        s->last = rec->t_ms;
    }
    if (s->n < s->cap) {
        s->t[s->n] = rec->t_ms;
        s->mmsi[s->n] = rec->mmsi;
        s->n++;
    }
    s->count++;
    return s->stop_at != 0 && s->count == (uint64_t)s->stop_at;
}

static void sink_init(struct sink *s, size_t cap)
{
    memset(s, 0, sizeof(*s));
    s->cap = cap;
    s->t = calloc(cap ? cap : 1, sizeof(*s->t));
    s->mmsi = calloc(cap ? cap : 1, sizeof(*s->mmsi));
    s->sorted = 1;
    s->last = DF_TIME_NONE;
    assert_non_null(s->t);
    assert_non_null(s->mmsi);
}

static void sink_fini(struct sink *s)
{
    free(s->t);
    free(s->mmsi);
}

static void push(struct df_reorder *r, int64_t t, uint32_t mmsi,
                 struct sink *s)
{
    struct df_rec rec;

    memset(&rec, 0, sizeof(rec));
    rec.t_ms = t;
    rec.mmsi = mmsi;
    assert_int_equal(df_reorder_push(r, &rec, on_rec, s), 0);
}

static void test_in_order(void **state)
{
    struct df_reorder *r = df_reorder_new(5000, 100);
    struct sink s;
    int i;

    (void)state;
    assert_non_null(r);
    sink_init(&s, 1000);
    for (i = 0; i < 1000; i++)
        push(r, 1000000 + i * 1000, (uint32_t)i, &s);
    /* Everything at least 5 s older than the newest is out already. */
    assert_int_equal(s.n, 995);
    assert_int_equal(df_reorder_flush(r, on_rec, &s), 0);
    assert_int_equal(s.n, 1000);
    for (i = 0; i < 1000; i++) {
        assert_int_equal(s.t[i], 1000000 + i * 1000);
        assert_int_equal(s.mmsi[i], (uint32_t)i);
    }
    assert_int_equal(df_reorder_stats(r)->drop_out_of_order, 0);
    df_reorder_free(r);
    sink_fini(&s);
}

static void test_shuffled_within_window(void **state)
{
    struct df_reorder *r = df_reorder_new(10000, 1000);
    struct sink s;
    int64_t t[2000];
    int i;

    (void)state;
    assert_non_null(r);
    sink_init(&s, 2000);
    /* Times 0..1998 s, two records per even second, shuffled within
     * blocks of 8 (at most 8 s apart: within the 10 s window). */
    srand(42);
    for (i = 0; i < 2000; i++)
        t[i] = (int64_t)(i / 2) * 2000;
    for (i = 0; i < 2000; i++) {
        int j = (i / 8) * 8 + rand() % 8;
        int64_t x = t[i];
        t[i] = t[j];
        t[j] = x;
    }
    for (i = 0; i < 2000; i++)
        push(r, t[i], (uint32_t)i, &s);
    assert_int_equal(df_reorder_flush(r, on_rec, &s), 0);
    assert_int_equal(s.n, 2000);
    assert_true(s.sorted);
    for (i = 0; i < 2000; i++) {
        assert_int_equal(s.t[i], (int64_t)(i / 2) * 2000);
        /* Equal times come out in arrival order. */
        if (i > 0 && s.t[i] == s.t[i - 1])
            assert_true(s.mmsi[i] > s.mmsi[i - 1]);
    }
    assert_int_equal(df_reorder_stats(r)->drop_out_of_order, 0);
    df_reorder_free(r);
    sink_fini(&s);
}

static void test_straggler(void **state)
{
    struct df_reorder *r = df_reorder_new(5000, 100);
    struct sink s;
    int i;

    (void)state;
    assert_non_null(r);
    sink_init(&s, 100);
    for (i = 0; i <= 20; i++)
        push(r, i * 1000, 1, &s);     /* 0..15 s released */
    assert_int_equal(s.n, 16);
    push(r, 3000, 2, &s);             /* 17 s late: a straggler */
    push(r, 14999, 3, &s);            /* older than the last release */
    push(r, 15000, 4, &s);            /* equal to it: kept */
    push(r, 17500, 5, &s);            /* within the window: kept */
    assert_int_equal(df_reorder_stats(r)->drop_out_of_order, 2);
    assert_int_equal(df_reorder_flush(r, on_rec, &s), 0);
    assert_int_equal(s.n, 23);
    assert_true(s.sorted);
    for (i = 0; i < (int)s.n; i++)
        assert_true(s.mmsi[i] != 2 && s.mmsi[i] != 3);
    df_reorder_free(r);
    sink_fini(&s);
}

static void test_cap_overflow(void **state)
{
    /* A window of an hour, but room for only 10 records. */
    struct df_reorder *r = df_reorder_new(3600000, 10);
    struct sink s;
    int i;

    (void)state;
    assert_non_null(r);
    sink_init(&s, 100);
    for (i = 0; i < 10; i++)
        push(r, 100000 - i * 1000, (uint32_t)i, &s);
    assert_int_equal(s.n, 0);         /* all held */
    push(r, 200000, 10, &s);          /* full: the oldest (91 s) goes */
    assert_int_equal(s.n, 1);
    assert_int_equal(s.t[0], 91000);
    push(r, 50000, 11, &s);           /* older than that: a straggler */
    assert_int_equal(df_reorder_stats(r)->drop_out_of_order, 1);
    push(r, 91000, 12, &s);           /* the oldest of all: passes on */
    assert_int_equal(s.n, 2);
    assert_int_equal(s.t[1], 91000);
    assert_int_equal(s.mmsi[1], 12);
    assert_int_equal(df_reorder_flush(r, on_rec, &s), 0);
    assert_int_equal(s.n, 12);
    assert_true(s.sorted);
    df_reorder_free(r);
    sink_fini(&s);
}

static void test_untimed_and_stop(void **state)
{
    struct df_reorder *r = df_reorder_new(1000, 16);
    struct df_rec rec;
    struct sink s;

    (void)state;
    assert_non_null(r);
    sink_init(&s, 16);
    push(r, 5000, 1, &s);
    push(r, DF_TIME_NONE, 2, &s);     /* straight through */
    assert_int_equal(s.n, 1);
    assert_int_equal(s.mmsi[0], 2);
    push(r, 5500, 3, &s);
    /* fn's non-zero value comes back; the record is kept. */
    s.stop_at = 2;
    memset(&rec, 0, sizeof(rec));
    rec.t_ms = 9000;
    rec.mmsi = 4;
    assert_int_equal(df_reorder_push(r, &rec, on_rec, &s), 1);
    assert_int_equal(s.n, 2);
    s.stop_at = 0;
    assert_int_equal(df_reorder_flush(r, on_rec, &s), 0);
    assert_int_equal(s.n, 4);
    assert_int_equal(s.mmsi[1], 1);
    assert_int_equal(s.mmsi[2], 3);
    assert_int_equal(s.mmsi[3], 4);
    df_reorder_free(r);
    df_reorder_free(NULL);
    sink_fini(&s);
}

static void test_million(void **state)
{
    /* 10^6 records, jittered by up to 30 s, through a 60 s window and a
     * 4096-record buffer: memory is what df_reorder_new took, and output
     * stays sorted. */
    struct df_reorder *r = df_reorder_new(60000, 4096);
    struct sink s;
    uint64_t x = 88172645463325252ull;
    int i;

    (void)state;
    assert_non_null(r);
    sink_init(&s, 0);
    for (i = 0; i < 1000000; i++) {
        int64_t t = (int64_t)i * 10;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        push(r, 1700000000000 + t + (int64_t)(x % 30000), 1, &s);
    }
    assert_int_equal(df_reorder_flush(r, on_rec, &s), 0);
    assert_true(s.sorted);
    assert_int_equal(s.count + df_reorder_stats(r)->drop_out_of_order,
                     1000000);
    print_message("1e6 records: %llu out, %llu stragglers\n",
                  (unsigned long long)s.count,
                  (unsigned long long)df_reorder_stats(r)->drop_out_of_order);
    df_reorder_free(r);
    sink_fini(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),
        cmocka_unit_test(test_shuffled_within_window),
        cmocka_unit_test(test_straggler),
        cmocka_unit_test(test_cap_overflow),
        cmocka_unit_test(test_untimed_and_stop),
        cmocka_unit_test(test_million),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
