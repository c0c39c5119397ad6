/*
 * test_geo.c - zones, ports and distances (src/geo.c): haversine against
 * values worked out by hand with R = 6371008.8 m (and the textbook
 * London-Paris and JFK-LAX distances), the compiled-in DPRK zones and
 * ports, the NGA World Port Index and the 60,410 Global Fishing Watch
 * anchorages from ../shared/data/geo (skipped when absent), bad CSV rows,
 * and the errors of missing or unusable files.
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
#include <time.h>
#include <unistd.h>

#include "darkfleet.h"
#include "geo.h"
#include "testutil.h"

#define W(deg) ((int32_t)lrint((deg) * 600000.0))

static void near_rel(double got, double want, double rel)
{
    if (fabs(got - want) > rel * want) {
        fprintf(stderr, "got %.3f, want %.3f\n", got, want);
        fail();
    }
}

static void test_distance(void **state)
{
    (void)state;
    /* One degree of a great circle: 2 pi R / 360. */
    near_rel(df_distance_m(0, 0, W(1), 0), 111195.08, 1e-6);
    near_rel(df_distance_m(0, 0, 0, W(1)), 111195.08, 1e-6);
    /* Across the antimeridian. */
    near_rel(df_distance_m(W(179.5), 0, W(-179.5), 0), 111195.08, 1e-6);
    /* London - Paris, about 343.5 km; JFK - LAX, about 3974 km. */
    near_rel(df_distance_m(W(-0.1278), W(51.5074), W(2.3522), W(48.8566)),
             343556.5, 1e-3);
    near_rel(df_distance_m(W(-73.7781), W(40.6413), W(-118.4085),
                           W(33.9416)),
             3974341.7, 1e-3);
    /* Nampo - Pyongyang. */
    near_rel(df_distance_m(W(125.4), W(38.717), W(125.75), W(39.03)),
             46144.9, 1e-3);
    assert_true(df_distance_m(W(10), W(10), W(10), W(10)) == 0);
}

static void test_dprk(void **state)
{
    struct df_geo *g = df_geo_new();
    int z, p;
    double km;

    (void)state;
    assert_non_null(g);
    assert_int_equal(df_geo_load_builtin_dprk(g), DF_OK);
    assert_int_equal(df__geo_nzones(g), 2);
    assert_int_equal(df__geo_nports(g), 8);

    /* West Sea: off the Ongjin peninsula, and the Nampo approaches. */
    z = df_geo_zone_at(g, W(124.8), W(38.5));
    assert_true(z >= 0);
    assert_string_equal(df_geo_zone_name(g, z),
                        "DPRK coastal waters (West Sea)");
    assert_int_equal(df_geo_zone_at(g, W(125.2), W(38.7)), z);
    assert_true(df__geo_zone_interest(g, z));
    /* East Sea: off Kimchaek and off Wonsan. */
    z = df_geo_zone_at(g, W(128.9), W(40.0));
    assert_true(z >= 0);
    assert_string_equal(df_geo_zone_name(g, z),
                        "DPRK coastal waters (East Sea)");
    assert_int_equal(df_geo_zone_at(g, W(127.8), W(39.3)), z);
    /* Not DPRK: Baengnyeong (South Korea), Sokcho, Vladivostok, the
     * Chinese coast off Dalian, the East China Sea. */
    assert_int_equal(df_geo_zone_at(g, W(124.68), W(37.95)), -1);
    assert_int_equal(df_geo_zone_at(g, W(128.7), W(38.2)), -1);
    assert_int_equal(df_geo_zone_at(g, W(131.9), W(43.0)), -1);
    assert_int_equal(df_geo_zone_at(g, W(121.8), W(38.9)), -1);
    assert_int_equal(df_geo_zone_at(g, W(124.5), W(31.0)), -1);

    assert_true(df_geo_zone_km(g, W(124.8), W(38.5), 100) == 0);
    km = df_geo_zone_km(g, W(124.5), W(37.5), 500);
    assert_true(km > 20 && km < 100);
    assert_true(df_geo_zone_km(g, W(124.5), W(31.0), 100) == 100);

    /* Nampo, found from 2 km away. */
    p = df_geo_port_near(g, W(125.38), W(38.70), 5, &km);
    assert_true(p >= 0);
    assert_string_equal(df_geo_port_name(g, p), "Nampo");
    assert_string_equal(df_geo_port_country(g, p), "KP");
    assert_false(df_geo_port_is_anchorage(g, p));
    assert_true(km < 5);
    assert_true(df__geo_port_radius_km(g, p) == 5);
    p = df_geo_port_near(g, W(130.3), W(42.233), 1, &km);
    assert_string_equal(df_geo_port_name(g, p), "Najin");
    assert_true(km < 0.01);
    assert_int_equal(df_geo_port_near(g, W(124.5), W(31.0), 5, &km), -1);
    assert_true(km == 5);
    df_geo_free(g);
}

static void test_wpi(void **state)
{
    char *path = tu_data_path("geo/ports_wpi/WPI_ports_gfw_simple.csv");
    struct df_geo *g;
    char err[256];
    double km;
    int p;

    (void)state;
    if (!path)
        skip();
    g = df_geo_new();
    assert_int_equal(df_geo_load_ports(g, path, err, sizeof err), DF_OK);
    assert_int_equal(df__geo_nports(g), 3669);
    /* LIANYUNGANG 34.733333N 119.45E, from about 1 km. */
    p = df_geo_port_near(g, W(119.46), W(34.735), 10, &km);
    assert_true(p >= 0);
    assert_string_equal(df_geo_port_name(g, p), "LIANYUNGANG");
    assert_string_equal(df_geo_port_country(g, p), "CN");
    assert_false(df_geo_port_is_anchorage(g, p));
    assert_true(km < 2);
    assert_true(df__geo_port_radius_km(g, p) == 3);
    df_geo_free(g);
    free(path);
}

static void test_anchorages(void **state)
{
    char *path = tu_data_path("geo/anchorages_gfw/anchorage_overrides.csv");
    struct df_geo *g;
    char err[256];
    double km, t;
    int p, i, found = 0;
    struct timespec a, b;
    struct df__geo_counts c;

    (void)state;
    if (!path)
        skip();
    g = df_geo_new();
    assert_int_equal(df_geo_load_ports(g, path, err, sizeof err), DF_OK);
    /* One row (POINTE NOIRE, s2id 8efe7543) has longitude 1001. */
    assert_int_equal(df__geo_nports(g), 60409);
    df__geo_counts(g, &c);
    assert_int_equal(c.bad_rows, 1);
    assert_non_null(strstr(err, "skipped 1 bad rows"));
    /* ROTTERDAM 51.879846N 4.301330E (s2id 47c44bb9), from ~100 m. */
    p = df_geo_port_near(g, W(4.3025), W(51.8805), 10, &km);
    assert_true(p >= 0);
    assert_string_equal(df_geo_port_name(g, p), "ROTTERDAM");
    assert_string_equal(df_geo_port_country(g, p), "NL");
    assert_true(df_geo_port_is_anchorage(g, p));
    assert_true(km < 0.2);
    assert_true(df__geo_port_radius_km(g, p) == 2);
    /* TONGYEONG 34.839059N 128.420696E, the first row. */
    p = df_geo_port_near(g, W(128.4207), W(34.8391), 1, &km);
    assert_string_equal(df_geo_port_name(g, p), "TONGYEONG");
    assert_true(km < 0.01);

    clock_gettime(CLOCK_MONOTONIC, &a);
    for (i = 0; i < 100000; i++)
        found += df_geo_port_near(g, W(100 + (i % 400) * 0.1),
                                  W(20 + (i / 400) * 0.1), 10, &km) >= 0;
    clock_gettime(CLOCK_MONOTONIC, &b);
    t = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    fprintf(stderr, "1e5 df_geo_port_near(10 km) over the GFW anchorages: "
            "%.3f s, %d found\n", t, found);
    df_geo_free(g);
    free(path);
}

static char *write_tmp(const char *text, const char *suffix)
{
    char *path = malloc(64);
    FILE *f;

    snprintf(path, 64, "/tmp/df_test_geo_%ld%s", (long)getpid(), suffix);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* A user's zone inside North Korean waters is a zone of its own, found
 * beside the built-in one; df_geo_zone_at still gives the first. */
static void test_zones_nested(void **state)
{
    struct df_geo *g = df_geo_new();
    char err[256], *path;
    int z[4], n, dprk;

    (void)state;
    assert_non_null(g);
    assert_int_equal(df_geo_load_builtin_dprk(g), DF_OK);
    path = write_tmp("{\"type\":\"FeatureCollection\",\"features\":["
                     "{\"type\":\"Feature\",\"properties\":{\"name\":"
                     "\"Ongjin box\"},\"geometry\":{\"type\":\"Polygon\","
                     "\"coordinates\":[[[124.7,38.4],[124.9,38.4],[124.9,"
                     "38.6],[124.7,38.6],[124.7,38.4]]]}},"
                     "{\"type\":\"Feature\",\"properties\":{\"name\":"
                     "\"Across the line\"},\"geometry\":{\"type\":"
                     "\"Polygon\",\"coordinates\":[[[124.5,37.8],[124.85,"
                     "37.8],[124.85,38.55],[124.5,38.55],[124.5,37.8]]]}}]}",
                     ".geojson");
    assert_int_equal(df_geo_load_zones(g, path, err, sizeof err), DF_OK);
    unlink(path);
    free(path);
    dprk = df_geo_zone_at(g, W(124.8), W(38.5));
    assert_string_equal(df_geo_zone_name(g, dprk),
                        "DPRK coastal waters (West Sea)");

    /* Inside all three, in load order. */
    n = df_geo_zones_at(g, W(124.8), W(38.5), z, 4);
    assert_int_equal(n, 3);
    assert_int_equal(z[0], dprk);
    assert_string_equal(df_geo_zone_name(g, z[1]), "Ongjin box");
    assert_string_equal(df_geo_zone_name(g, z[2]), "Across the line");
    /* The count goes on past max. */
    assert_int_equal(df_geo_zones_at(g, W(124.8), W(38.5), z, 1), 3);
    assert_int_equal(z[0], dprk);
    /* The overlapping zone's part off Baengnyeong (South Korea). */
    n = df_geo_zones_at(g, W(124.68), W(37.95), z, 4);
    assert_int_equal(n, 1);
    assert_string_equal(df_geo_zone_name(g, z[0]), "Across the line");
    assert_int_equal(df_geo_zones_at(g, W(124.5), W(31.0), z, 4), 0);
    assert_int_equal(df_geo_zones_at(NULL, W(124.8), W(38.5), z, 4), 0);
    df_geo_free(g);
}

static void test_bad_rows(void **state)
{
    struct df_geo *g = df_geo_new();
    struct df__geo_counts c;
    char err[256];
    char *path = write_tmp(
        "\xef\xbb\xbfName,LAT,Lng,Kind,radius_km,iso3\r\n"
        "\"Port, Alpha\",10.5,20.25,port,4,KOR\r\n"
        "Beta,x,20,port,,\r\n"
        "Gamma,95,20,port,,\r\n"
        "Delta,10\r\n"
        "Eps,10.6,20.3,anchorage,,\r\n"
        "\r\n"
        "Zeta,10.7,20.4,port,-1,\r\n",
        ".csv");
    int p;
    double km;

    (void)state;
    assert_int_equal(df_geo_load_ports(g, path, err, sizeof err), DF_OK);
    assert_int_equal(df__geo_nports(g), 2);
    df__geo_counts(g, &c);
    assert_int_equal(c.bad_rows, 4);
    assert_non_null(strstr(err, "skipped 4 bad rows"));
    p = df_geo_port_near(g, W(20.25), W(10.5), 1, &km);
    assert_string_equal(df_geo_port_name(g, p), "Port, Alpha");
    assert_string_equal(df_geo_port_country(g, p), "KR");
    assert_true(df__geo_port_radius_km(g, p) == 4);
    p = df_geo_port_near(g, W(20.3), W(10.6), 1, &km);
    assert_true(df_geo_port_is_anchorage(g, p));
    assert_true(df__geo_port_radius_km(g, p) == 2);
    unlink(path);
    free(path);

    /* A header without positions; no rows at all. */
    path = write_tmp("name,x,y\na,1,2\n", ".csv");
    assert_int_equal(df_geo_load_ports(g, path, err, sizeof err),
                     DF_FORMAT);
    unlink(path);
    free(path);
    df_geo_free(g);
}

static void test_errors(void **state)
{
    struct df_geo *g = df_geo_new();
    char err[256];
    char *path;

    (void)state;
    assert_int_equal(df_geo_load_zones(g, "/nonexistent/z.geojson", err,
                                       sizeof err),
                     DF_IO);
    assert_non_null(strstr(err, "/nonexistent/z.geojson"));
    assert_null(strchr(err, '\n'));
    assert_int_equal(df_geo_load_ports(g, "/nonexistent/p.csv", err,
                                       sizeof err),
                     DF_IO);

    path = write_tmp("{\"type\":\"FeatureCollection\",\"features\":[{"
                     "\"type\":\"Feature\",\"properties\":{},\"geometry\":"
                     "{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1]]"
                     "}}]}", ".geojson");
    assert_int_equal(df_geo_load_zones(g, path, err, sizeof err), DF_FORMAT);
    assert_non_null(strstr(err, "no Polygon"));
    unlink(path);
    free(path);

    path = write_tmp("{\"type\": \"Feature\", [", ".geojson");
    assert_int_equal(df_geo_load_zones(g, path, err, sizeof err), DF_FORMAT);
    unlink(path);
    free(path);

    /* A MultiPolygon with a hole, not of interest; a bare Polygon. */
    path = write_tmp(
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
        "\"properties\":{\"name\":\"donut\",\"interest\":false},"
        "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":["
        "[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],"
        "[4,4]]],[[[20,0],[21,0],[21,1],[20,0]]]]}}]}",
        ".geojson");
    assert_int_equal(df_geo_load_zones(g, path, err, sizeof err), DF_OK);
    assert_int_equal(df_geo_zone_at(g, W(2), W(2)), 0);
    assert_int_equal(df_geo_zone_at(g, W(5), W(5)), -1);   /* the hole */
    assert_int_equal(df_geo_zone_at(g, W(20.8), W(0.5)), 0);
    assert_int_equal(df_geo_zone_at(g, W(15), W(5)), -1);
    assert_string_equal(df_geo_zone_name(g, 0), "donut");
    assert_false(df__geo_zone_interest(g, 0));
    assert_true(df_geo_zone_km(g, W(2), W(2), 50) == 50); /* no interest */
    unlink(path);
    free(path);

    path = write_tmp("{\"type\":\"Polygon\",\"coordinates\":[[[30,30],"
                     "[31,30],[31,31],[30,31]]]}", ".geojson");
    assert_int_equal(df_geo_load_zones(g, path, err, sizeof err), DF_OK);
    assert_int_equal(df_geo_zone_at(g, W(30.5), W(30.5)), 1);
    assert_string_equal(df_geo_zone_name(g, 1), "zone 2");
    near_rel(df_geo_zone_km(g, W(30.5), W(29.5), 500), 55.6, 0.01);
    unlink(path);
    free(path);

    assert_int_equal(df_geo_add_port(g, "learned", "", W(1), W(1), 0, 1),
                     0);
    assert_true(df_geo_port_is_anchorage(g, 0));
    assert_int_equal(df_geo_add_port(g, "bad", "", W(181), W(1), 0, 1), -1);
    assert_null(df_geo_port_name(g, 5));
    df_geo_free(g);
    df_geo_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_dprk),
        cmocka_unit_test(test_zones_nested),
        cmocka_unit_test(test_wpi),
        cmocka_unit_test(test_anchorages),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
