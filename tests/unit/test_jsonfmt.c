/*
 * test_jsonfmt.c - the number writers of the JSON output (src/json.c)
 * against plain digit-by-digit references: integers of every length and
 * at every power-of-ten boundary, ten million consecutive values and ten
 * million pseudo-random ones, positions in degrees, which the fast path
 * of df_msg_json() writes with the same fixed-point digit pairs, and the
 * zero-padded fields of a timestamp.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "darkfleet.h"
#include "jsonw.h"

/* The reference: one digit at a time, by division. */
static size_t ref_u(char *out, uint64_t v)
{
    char tmp[24], *e = tmp + sizeof tmp, *p = e;

    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = '\0';
    return (size_t)(e - p);
}

/* Returns 0 when df__put_u(v) writes what the reference does. */
static int put_u_ok(struct df_buf *b, uint64_t v)
{
    char want[24];
    size_t n = ref_u(want, v);

    b->len = 0;
    df__put_u(b, v);
    if (b->len != n || memcmp(b->data, want, n) != 0 || b->data[n] != '\0') {
        print_error("df__put_u(%llu) wrote '%.*s'\n", (unsigned long long)v,
                    (int)b->len, b->data);
        return 1;
    }
    return 0;
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s;
}

static void test_put_u(void **state)
{
    struct df_buf b = {0};
    uint64_t v, p10 = 1, s = 42;
    unsigned bad = 0, k;
    long d;

    (void)state;
    /* Every length: each range of w_u and the 64-bit tail. */
    for (v = 0; v < 10000000 && bad < 5; v++)
        bad += (unsigned)put_u_ok(&b, v);
    for (k = 0; k < 20; k++, p10 *= 10)
        for (d = -3; d <= 3; d++)
            if ((int64_t)p10 + d >= 0)
                bad += (unsigned)put_u_ok(&b, p10 + (uint64_t)d);
    for (k = 1; k < 64; k++)
        for (d = -2; d <= 2; d++)
            bad += (unsigned)put_u_ok(&b, (UINT64_C(1) << k) + (uint64_t)d);
    bad += (unsigned)put_u_ok(&b, UINT32_MAX);
    bad += (unsigned)put_u_ok(&b, UINT64_MAX);
    /* Random 32-bit values (nine and ten digits are most of them), then
     * random values of every bit length. */
    for (k = 0; k < 10000000 && bad < 5; k++)
        bad += (unsigned)put_u_ok(&b, lcg(&s) >> 32);
    for (k = 0; k < 1000000 && bad < 5; k++)
        bad += (unsigned)put_u_ok(&b, lcg(&s) >> (lcg(&s) >> 58));
    assert_int_equal(bad, 0);
    df_buf_free(&b);
}

/* What df_msg_json writes for "lon" of a scaled type 1 message. */
static void json_lon(struct df_buf *b, int32_t lon, char *out, size_t n)
{
    struct df_msg m;
    const char *k, *e;

    memset(&m, 0, sizeof m);
    m.type = 1;
    m.mmsi = 211000000;
    m.rx_ms = DF_TIME_NONE;
    m.u.pos.lon = lon;
    b->len = 0;
    df_msg_json(b, &m, DF_JSON_SCALED);
    k = strstr(b->data, "\"lon\":");
    assert_non_null(k);
    k += 6;
    e = strchr(k, ',');
    assert_non_null(e);
    assert_true((size_t)(e - k) < n);
    memcpy(out, k, (size_t)(e - k));
    out[e - k] = '\0';
}

/* The reference for degrees: gpsd prints lon / 600000.0 with "%.6f";
 * exactly, that is the 1/10000-minute value times 10/6 rounded half up
 * to millionths of a degree (no tie can occur), with printf's sign. */
static void ref_deg6(int32_t v, char *out, size_t n)
{
    int64_t a = v < 0 ? -(int64_t)v : v;
    int64_t micro = (10 * a + 3) / 6;

    snprintf(out, n, "%s%lld.%06lld", v < 0 ? "-" : "",
             (long long)(micro / 1000000), (long long)(micro % 1000000));
}

static void test_deg6(void **state)
{
    struct df_buf b = {0};
    char got[32], want[32], pf[32];
    unsigned bad = 0;
    int64_t v;

    (void)state;
    /* Every value within 1.67 degrees of 0 (every six-digit fraction,
     * both signs), then a stride over the whole range and its ends. */
    for (v = -1000000; v <= 1000000 && bad < 5; v++) {
        json_lon(&b, (int32_t)v, got, sizeof got);
        ref_deg6((int32_t)v, want, sizeof want);
        if (strcmp(got, want) != 0 && bad++ < 5)
            print_error("lon %lld: '%s', want '%s'\n", (long long)v, got,
                        want);
    }
    for (v = -108600000; v <= 108600000 && bad < 5; v += 997) {
        json_lon(&b, (int32_t)v, got, sizeof got);
        ref_deg6((int32_t)v, want, sizeof want);
        /* The reference is the rounding of the exact quotient, which is
         * what printf does with the double gpsd passes it. */
        snprintf(pf, sizeof pf, "%.6f", (double)v / 600000.0);
        if ((strcmp(got, want) != 0 || strcmp(got, pf) != 0) && bad++ < 5)
            print_error("lon %lld: '%s', want '%s' (printf '%s')\n",
                        (long long)v, got, want, pf);
    }
    assert_int_equal(bad, 0);
    df_buf_free(&b);
}

/* Type 4's timestamp is "%04u-%02u-%02uT%02u:%02u:%02uZ" of its fields,
 * which the wire lets reach five digits (year) and two (the others). */
static void test_timestamp(void **state)
{
    static const unsigned years[] = {0, 7, 99, 999, 2026, 9999, 10000, 16383};
    struct df_buf b = {0};
    struct df_msg m;
    char want[64];
    size_t i;
    unsigned v;

    (void)state;
    for (i = 0; i < sizeof years / sizeof years[0]; i++) {
        for (v = 0; v < 64; v += 7) {
            memset(&m, 0, sizeof m);
            m.type = 4;
            m.rx_ms = DF_TIME_NONE;
            m.u.base.year = (uint16_t)years[i];
            m.u.base.month = (uint8_t)(v & 15);
            m.u.base.day = (uint8_t)(v & 31);
            m.u.base.hour = (uint8_t)(v & 31);
            m.u.base.minute = (uint8_t)v;
            m.u.base.second = (uint8_t)(63 - v);
            b.len = 0;
            df_msg_json(&b, &m, 0);
            snprintf(want, sizeof want,
                     "\"timestamp\":\"%04u-%02u-%02uT%02u:%02u:%02uZ\"",
                     years[i], v & 15, v & 31, v & 31, v, 63 - v);
            if (strstr(b.data, want) == NULL)
                fail_msg("%s lacks %s", b.data, want);
        }
    }
    df_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_u),
        cmocka_unit_test(test_deg6),
        cmocka_unit_test(test_timestamp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
