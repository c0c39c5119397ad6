/*
 * test_alloc.c - every allocation of the library fails in turn (curl's
 * torture mode, SQLite's OOM tests): a decode of NMEA and CSV to JSON, a
 * scan of a small simulated scenario with the built-in zones, and a
 * watchlist load followed by screening.  For each run the Nth allocation
 * fails, in one pass with every later one, in another alone
 * (util/alloc.h); the run must end
 * with a clean error (a NULL from a constructor, DF_NOMEM, a buffer's oom
 * flag, or df_scan_error() == DF_NOMEM) and must not crash or leak: CI
 * runs this test under AddressSanitizer with leak detection.  A last run
 * without injection checks that each loop covered every allocation of its
 * workload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "darkfleet.h"
#include "util/alloc.h"

/* A workload: returns 0 when it completed, 1 when it ended on a clean
 * out-of-memory error. */
typedef int (*workload_fn)(void *ud);

/* Runs fn with the Nth allocation failing, for every N up to the count
 * of a clean run, and checks each ends cleanly.  Returns that count. */
static long torture(workload_fn fn, void *ud, const char *what)
{
    long total, n;
    int rc;

    df__alloc_fail(1L << 40, 0);        /* count only */
    rc = fn(ud);
    total = df__alloc_count();
    df__alloc_fail(0, 0);
    assert_int_equal(rc, 0);
    assert_true(total > 0);
    for (n = 1; n <= 2 * total; n++) {
        /* Odd passes fail every allocation from the Nth on; even ones
         * only the Nth, so later ones meet the state it left. */
        int persist = n <= total;
        long nth = persist ? n : n - total;

        df__alloc_fail(nth, persist);
        rc = fn(ud);
        df__alloc_fail(0, 0);
        if (rc != 1) {
            fprintf(stderr, "%s: allocation %ld of %ld failed%s, yet the "
                    "run reported no error\n", what, nth, total,
                    persist ? " (and all after it)" : "");
            fail();
        }
    }
    fprintf(stderr, "%s: %ld allocations failed in turn\n", what, total);
    return total;
}

/* ---- decode ------------------------------------------------------------- */

static const char nmea[] =
    "!AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0*5C\n"
    "\\s:rORBCOMM,c:1577836800*5E\\!AIVDM,1,1,,B,13u?etPv2;0n:dDPwUM1U1Cb069D,0*23\n"
    "!AIVDM,2,1,3,B,55P5TL01VIaAL@7WKO@mBplU@<PDhh000000001S;AJ::4A80?4i@E53,0*3E\n"
    "!AIVDM,2,2,3,B,1@0000000000000,2*55\n"
    "!AIVDM,1,1,,B,B52K>;h00Fc>jpUlNV@ikwpUoP06,0*4C\n"
    "!AIVDM,1,1,,A,H42O55i18tMET00000000000000,2*6D\n"
    "garbage line\n"
    "!AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0*00\n";

static const char csv[] =
    "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,"
    "VesselType\n"
    "367000001,2020-01-01T00:00:01,29.1,-94.5,0.1,212.0,511,\"ZENITH, S\","
    "IMO9213820,9HA2479,80\n"
    "367000002,2020-01-01T00:00:02,29.1,-94.5,12.3,-45.0,90,NA,NA,NA,NA\n";

static int json_msg(const struct df_msg *m, void *ud)
{
    df_msg_json(ud, m, DF_JSON_SCALED | DF_JSON_TEXT);
    return 0;
}

static const char *path;       /* a file holding nmea[] or the list */

static int decode_work(void *ud)
{
    struct df_buf b = {0};
    struct df_input *in;
    struct df_nmea *nm;
    struct df_csv *c;
    struct df_rec rec;
    const char *p, *e;
    char err[256], chunk[64];
    enum df_err rc;
    long n;
    int oom;

    (void)ud;
    rc = df_input_open(&in, path, err, sizeof(err));
    if (rc != DF_OK) {
        assert_int_equal(rc, DF_NOMEM);
        return 1;
    }
    nm = df_nmea_new(NULL);
    if (nm == NULL) {
        df_input_free(in);
        return 1;
    }
    while ((n = df_input_read(in, chunk, sizeof(chunk))) > 0)
        df_nmea_feed(nm, chunk, (size_t)n, json_msg, &b);
    df_nmea_flush(nm, json_msg, &b);
    df_nmea_free(nm);
    df_input_free(in);
    c = df_csv_new();
    if (c == NULL) {
        df_buf_free(&b);
        return 1;
    }
    for (p = csv; *p; p = e + 1) {
        e = strchr(p, '\n');
        if (df_csv_line(c, p, (size_t)(e - p), &rec) == 1)
            df_rec_json(&b, &rec, DF_JSON_SCALED);
    }
    df_csv_free(c);
    oom = b.oom;
    assert_true(oom || b.len > 500);
    df_buf_free(&b);
    return oom;
}

/* Writes len bytes to a new temporary file and sets path to it. */
static void write_tmp(char *tmpl, const char *data, size_t len)
{
    int fd = mkstemp(tmpl);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (long)len);
    close(fd);
    path = tmpl;
}

static void test_decode(void **state)
{
    char tmpl[] = "/tmp/df_alloc_XXXXXX";

    (void)state;
    write_tmp(tmpl, nmea, sizeof(nmea) - 1);
    torture(decode_work, NULL, "decode");
    unlink(tmpl);
}

/* ---- scan ------------------------------------------------------------- */

struct msgs {
    struct df_msg *v;
    size_t n, cap;
};

static int keep_msg(const struct df_msg *m, void *ud)
{
    struct msgs *ms = ud;

    if (ms->n == ms->cap) {
        ms->cap = ms->cap ? 2 * ms->cap : 1024;
        ms->v = realloc(ms->v, ms->cap * sizeof(*ms->v));
        assert_non_null(ms->v);
    }
    ms->v[ms->n++] = *m;
    return 0;
}

struct counts {
    size_t events, vessels, points;
};

static int on_event(const struct df_event *ev, void *ud)
{
    (void)ev;
    ((struct counts *)ud)->events++;
    return 0;
}

static int on_vessel(const struct df_vessel *v, void *ud)
{
    (void)v;
    ((struct counts *)ud)->vessels++;
    return 0;
}

static int on_point(uint32_t mmsi, const struct df_point *p, void *ud)
{
    (void)mmsi;
    (void)p;
    ((struct counts *)ud)->points++;
    return 0;
}

static int feed(const struct df_rec *rec, void *ud)
{
    return df_scan_rec(ud, rec);
}

static int scan_work(void *ud)
{
    const struct msgs *ms = ud;
    struct counts n = {0, 0, 0};
    struct df_scan_cbs cbs = {on_event, on_vessel, on_point, &n};
    struct df_reorder *ro;
    struct df_config cfg;
    struct df_scan *s;
    struct df_geo *g;
    struct df_rec rec;
    enum df_err err;
    size_t i;

    df_config_defaults(&cfg);
    g = df_geo_new();
    if (g == NULL)
        return 1;
    if (df_geo_load_builtin_dprk(g) != DF_OK) {
        df_geo_free(g);
        return 1;
    }
    s = df_scan_new(&cfg, g, &cbs);
    if (s == NULL) {
        df_geo_free(g);
        return 1;
    }
    ro = df_reorder_new(300000, 0);
    if (ro == NULL) {
        df_scan_free(s);
        df_geo_free(g);
        return 1;
    }
    for (i = 0; i < ms->n; i++)
        if (df_rec_from_msg(&ms->v[i], &rec))
            df_reorder_push(ro, &rec, feed, s);
    df_reorder_flush(ro, feed, s);
    df_scan_finish(s);
    err = df_scan_error(s);
    df_reorder_free(ro);
    df_scan_free(s);
    df_geo_free(g);
    if (err == DF_OK)
        assert_true(n.events > 0 && n.vessels > 0 && n.points > 0);
    else
        assert_int_equal(err, DF_NOMEM);
    return err == DF_NOMEM;
}

static void test_scan(void **state)
{
    struct msgs ms = {NULL, 0, 0};
    struct df_sim_opts o;
    struct df_sim_cbs cbs = {keep_msg, NULL, &ms};

    (void)state;
    memset(&o, 0, sizeof(o));
    o.seed = 3;
    o.hours = 26;
    o.vessels = 6;
    o.start_ms = 1740787200000LL;
    o.scenarios = 1u << DF_SIM_ENCOUNTER | 1u << DF_SIM_GAP |
                  1u << DF_SIM_ZONE_ENTRY | 1u << DF_SIM_LOITERING |
                  1u << DF_SIM_IDENTITY_CHANGE | 1u << DF_SIM_SPOOFING |
                  1u << DF_SIM_PORT_CALL | 1u << DF_SIM_DRAUGHT_CHANGE;
    assert_int_equal(df_sim_run(&o, &cbs), DF_OK);
    assert_true(ms.n > 1000);
    torture(scan_work, &ms, "scan");
    free(ms.v);
}

/* ---- watchlist -------------------------------------------------------- */

static const char sdn[] =
    "36216,\"CHON MA SAN\",\"vessel\",\"DPRK2\",-0- ,\"HMZF\",\"Oil Tanker "
    "\",\"3150\",\"2000\",\"Korea, North\",\"KOREA ACHIM SHIPPING CO\","
    "\"Vessel Registration Identification IMO 8660313; MMSI 445539000; "
    "f.k.a. 'XIN HE'.\"\n"
    "12345,\"PERSON, ONE\",\"individual\",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,"
    "-0- ,-0- ,\"DOB 1960.\"\n"
    "40000,\"SAM MA 2\",\"vessel\",\"DPRK3\",-0- ,-0- ,\"General Cargo\","
    "-0- ,-0- ,\"Korea, North\",-0- ,\"Vessel Registration Identification "
    "IMO 8106496.\"\n";

static int list_work(void *ud)
{
    struct df_watchlist *wl = df_watchlist_new();
    struct df_vessel v;
    struct df_match m[4];
    enum df_err e;
    char err[256];

    (void)ud;
    if (wl == NULL)
        return 1;
    e = df_watchlist_load(wl, path, err, sizeof(err));
    if (e != DF_OK) {
        assert_int_equal(e, DF_NOMEM);
        df_watchlist_free(wl);
        return 1;
    }
    assert_int_equal(df_watchlist_count(wl), 2);
    memset(&v, 0, sizeof(v));
    v.mmsi = 445539000;
    v.nidentities = 1;
    strcpy(v.identities[0].shipname, "XIN HE");
    assert_true(df_watchlist_screen(wl, &v, 0.9, m, 4) >= 1);
    df_watchlist_free(wl);
    return 0;
}

static void test_watchlist(void **state)
{
    char tmpl[] = "/tmp/df_alloc_XXXXXX";

    (void)state;
    write_tmp(tmpl, sdn, sizeof(sdn) - 1);
    torture(list_work, NULL, "watchlist");
    unlink(tmpl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_scan),
        cmocka_unit_test(test_watchlist),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
