/*
 * test_land.c - the Natural Earth land built in (src/land.c): open sea,
 * inland points, a harbour quay, the antimeridian, distance to shore
 * against a brute-force search over every coastline edge, and the speed
 * of both queries (printed, not asserted).  Skips when the build has no
 * land (no node or node_modules/world-atlas when CMake ran).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <time.h>

#include "darkfleet.h"
#include "land.h"

#define W(deg) ((int32_t)lrint((deg) * 600000.0))

static const struct df_land *land;

static int setup(void **state)
{
    (void)state;
    land = df_land_default();
    if (!land)
        fprintf(stderr, "skip: this build has no land (run `npm ci`)\n");
    else
        fprintf(stderr, "land: %s, %u points, %d cells per degree\n",
                land->source, (unsigned)land->npts, land->cells_per_deg);
    return 0;
}

static int on_land(double lat, double lon)
{
    return df_land_contains(land, W(lon), W(lat));
}

static double shore(double lat, double lon, double max_km)
{
    return df_land_shore_km(land, W(lon), W(lat), max_km);
}

static void test_null(void **state)
{
    (void)state;
    assert_int_equal(df_land_contains(NULL, 0, 0), 0);
    assert_true(df_land_shore_km(NULL, 0, 0, 123.0) == 123.0);
    if (!land)
        return;
    /* Not-available positions are at sea, far from shore. */
    assert_int_equal(df_land_contains(land, DF_LON_NA, DF_LAT_NA), 0);
    assert_true(df_land_shore_km(land, DF_LON_NA, DF_LAT_NA, 50) == 50);
}

static void test_sea_and_land(void **state)
{
    (void)state;
    if (!land)
        skip();
    /* East China Sea, a reported STS area. */
    assert_false(on_land(31.0, 124.5));
    assert_true(shore(31.0, 124.5, 500) > 100);
    assert_false(on_land(0, -30));          /* mid Atlantic */
    assert_false(on_land(-40, 90));         /* Indian Ocean */
    assert_false(on_land(38.5, 124.8));     /* West Sea off DPRK */
    assert_false(on_land(40.0, 129.5));     /* East Sea off Kimchaek */
    assert_true(on_land(40.0, 100.0));      /* Gobi */
    assert_true(on_land(39.03, 125.75));    /* Pyongyang */
    assert_true(on_land(48.85, 2.35));      /* Paris */
    assert_true(on_land(-80, 0));           /* Antarctica */
    assert_true(on_land(-89.5, 45));
    assert_true(on_land(-25, 135));         /* Australia */
    assert_true(on_land(65.5, 179.5));      /* Chukotka, both sides */
    assert_true(on_land(65.5, -179.5));     /* of the antimeridian */
    assert_false(on_land(64.0, 179.9));     /* Gulf of Anadyr */
    assert_false(on_land(85, 0));           /* Arctic Ocean */
    assert_true(shore(40.0, 100.0, 100) == 100);
}

static void test_busan(void **state)
{
    double d;

    (void)state;
    if (!land)
        skip();
    d = shore(35.10, 129.04, 50);
    fprintf(stderr, "Busan quay 35.10N 129.04E: %.2f km to shore, %s\n", d,
            on_land(35.10, 129.04) ? "on land" : "at sea");
    assert_true(d < 2.0);
}

/* The nearest edge over the whole data set, measured like the library:
 * plane tangent at the query, then haversine to the nearest point. */
static double brute(double lat, double lon)
{
    double qx = W(lon), qy = W(lat);
    double ky = 111.19508 / 600000, kx = ky * cos(lat * 3.14159265358979323846 / 180);
    double best = INFINITY, bx = 0, by = 0;
    uint32_t r, i;

    for (r = 0; r < land->nrings; r++)
        for (i = land->rings[r]; i + 1 < land->rings[r + 1]; i++) {
            const int32_t *p = land->pts + 2 * i;
            double ax = (p[0] - qx) * kx, ay = (p[1] - qy) * ky;
            double dx = (p[2] - qx) * kx - ax, dy = (p[3] - qy) * ky - ay;
            double dd = dx * dx + dy * dy, t = 0, x, y;

            if (p[0] == p[2] && (p[0] == 108000000 || p[0] == -108000000))
                continue;                    /* antimeridian cut */
            if (dd > 0) {
                t = -(ax * dx + ay * dy) / dd;
                t = t < 0 ? 0 : t > 1 ? 1 : t;
            }
            x = ax + t * dx;
            y = ay + t * dy;
            if (x * x + y * y < best) {
                best = x * x + y * y;
                bx = qx + x / kx;
                by = qy + y / ky;
            }
        }
    return df_distance_m(W(lon), W(lat), (int32_t)lrint(bx),
                         (int32_t)lrint(by)) / 1000;
}

static void test_shore_vs_brute(void **state)
{
    static const double pts[][2] = {
        {31.0, 124.5}, {38.5, 124.8}, {40.0, 129.5}, {36.0, 126.0},
        {60.0, 3.0}, {-34.5, 18.0}, {1.2, 103.9}, {29.0, -89.0},
        {71.0, -179.0}, {64.0, 179.9}, {-60.0, -60.0}, {51.0, 1.5},
    };
    size_t i;

    (void)state;
    if (!land)
        skip();
    for (i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        double d = shore(pts[i][0], pts[i][1], 2000);
        double b = brute(pts[i][0], pts[i][1]);

        fprintf(stderr, "%7.2f %8.2f: grid %8.2f km, brute force %8.2f km\n",
                pts[i][0], pts[i][1], d, b);
        assert_true(fabs(d - b) <= 0.10 * b + 0.05);
    }
}

static void test_speed(void **state)
{
    uint64_t x = 88172645463325252ull;
    int n = 1000000, i, hits = 0;
    double sum = 0, t0, t1, t2;
    struct timespec a, b, c;

    (void)state;
    if (!land)
        skip();
    /* Random positions in the North Pacific and its Asian coasts. */
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        hits += df_land_contains(land, W(100 + (x % 6000000) / 1e5),
                                 W(10 + (x >> 32) % 5000000 / 1e5));
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    for (i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        sum += df_land_shore_km(land, W(100 + (x % 6000000) / 1e5),
                                W(10 + (x >> 32) % 5000000 / 1e5), 100);
    }
    clock_gettime(CLOCK_MONOTONIC, &c);
    t0 = a.tv_sec + a.tv_nsec / 1e9;
    t1 = b.tv_sec + b.tv_nsec / 1e9;
    t2 = c.tv_sec + c.tv_nsec / 1e9;
    fprintf(stderr, "1e6 df_land_contains: %.3f s (%d on land); "
            "1e6 df_land_shore_km(100 km): %.3f s (mean %.1f km)\n",
            t1 - t0, hits, t2 - t1, sum / n);
    assert_true(hits > 0 && hits < n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null),
        cmocka_unit_test(test_sea_and_land),
        cmocka_unit_test(test_busan),
        cmocka_unit_test(test_shore_vs_brute),
        cmocka_unit_test(test_speed),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
