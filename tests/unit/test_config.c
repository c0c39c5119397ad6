/*
 * test_config.c - the configuration table: defaults equal the published
 * values of METHODS.md, df_config_set parses numbers strictly (the whole
 * string, finite, decimal only), df_config_load reads "name = value" lines
 * with comments and reports "path:line: message", leaving the
 * configuration untouched on any error, and df_config_each walks every
 * option in table order.
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

static void test_published_defaults(void **state)
{
    struct df_config c;

    (void)state;
    memset(&c, 0xff, sizeof c);
    df_config_defaults(&c);
    /* Global Fishing Watch encounters. */
    assert_true(c.encounter_max_distance_m == 500.0);
    assert_true(c.encounter_min_hours == 2.0);
    assert_true(c.encounter_max_median_speed_kn == 2.0);
    assert_true(c.encounter_min_anchorage_km == 10.0);
    assert_true(c.encounter_resample_min == 10.0);
    assert_true(c.encounter_max_interp_hours == 1.0);
    assert_true(c.encounter_merge_hours == 4.0);
    /* GFW loitering. */
    assert_true(c.loitering_max_speed_kn == 2.0);
    assert_true(c.loitering_min_hours == 4.0);
    assert_true(c.loitering_min_shore_nm == 20.0);
    /* Welch et al. 2022 gaps; candidate gaps of GFW and Skylight. */
    assert_true(c.gap_min_hours == 12.0);
    assert_true(c.gap_min_shore_nm == 50.0);
    assert_true(c.gap_zone_min_hours == 6.0);
    /* AISdb spoofing; GFW port visits and anchorages. */
    assert_true(c.spoof_max_speed_kn == 50.0);
    assert_true(c.port_entry_km == 3.0);
    assert_true(c.port_exit_km == 4.0);
    assert_true(c.anchorage_min_vessels == 20.0);
    assert_true(c.anchorage_min_stay_hours == 12.0);
}

struct walk {
    int n;
    int order_ok;
    int defaults_ok;
    int docs_ok;
    double seen_gap;
};

static void walk_fn(const char *name, double value, double def,
                    const char *doc, void *ud)
{
    struct walk *w = ud;

    if (w->n == 0 && strcmp(name, "encounter_max_distance_m") != 0)
        w->order_ok = 0;
    if (strcmp(name, "gap_min_hours") == 0)
        w->seen_gap = value;
    else if (value != def)
        w->defaults_ok = 0;
    if (!doc || !doc[0])
        w->docs_ok = 0;
    w->n++;
}

static void test_each(void **state)
{
    struct df_config c;
    struct walk w = {0, 1, 1, 1, 0};
    int count = 0;

    (void)state;
#define XX(name, def, doc) count++;
    DF_CONFIG_MAP(XX)
#undef XX
    df_config_defaults(&c);
    c.gap_min_hours = 6;
    df_config_each(&c, walk_fn, &w);
    assert_int_equal(w.n, count);
    assert_true(w.order_ok);
    assert_true(w.defaults_ok);
    assert_true(w.docs_ok);
    assert_true(w.seen_gap == 6.0);
}

static void test_set(void **state)
{
    struct df_config c, before;

    (void)state;
    df_config_defaults(&c);
    assert_int_equal(df_config_set(&c, "encounter_max_distance_m", "250"),
                     DF_OK);
    assert_true(c.encounter_max_distance_m == 250.0);
    assert_int_equal(df_config_set(&c, "gap_min_hours", " 6.5 "), DF_OK);
    assert_true(c.gap_min_hours == 6.5);
    assert_int_equal(df_config_set(&c, "gap_min_hours", "1e1"), DF_OK);
    assert_true(c.gap_min_hours == 10.0);
    assert_int_equal(df_config_set(&c, "spoof_max_speed_kn", "-.5"), DF_OK);
    assert_true(c.spoof_max_speed_kn == -0.5);

    before = c;
    assert_int_equal(df_config_set(&c, "no_such_option", "1"), DF_INVAL);
    assert_int_equal(df_config_set(&c, "gap_min_hours ", "1"), DF_INVAL);
    assert_int_equal(df_config_set(&c, "", "1"), DF_INVAL);
    {
        static const char *const bad[] = {
            "", " ", "500m", "2,5", "1 2", "abc", "inf", "-inf", "nan",
            "NAN", "infinity", "0x10", "0x1p3", "1e999", "-1e999", "1e",
            "--1", ".", "+", "5\n6", NULL};
        int i;
        for (i = 0; bad[i]; i++) {
            if (df_config_set(&c, "gap_min_hours", bad[i]) != DF_INVAL)
                fail_msg("'%s' was accepted", bad[i]);
        }
    }
    assert_int_equal(df_config_set(NULL, "gap_min_hours", "1"), DF_INVAL);
    assert_int_equal(df_config_set(&c, NULL, "1"), DF_INVAL);
    assert_int_equal(df_config_set(&c, "gap_min_hours", NULL), DF_INVAL);
    assert_memory_equal(&c, &before, sizeof c);
}

/* Writes text to a temporary file; returns its malloc'd path. */
static char *write_tmp(const char *text, size_t len)
{
    char *path = strdup("/tmp/df_test_config.XXXXXX");
    int fd;

    assert_non_null(path);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

/* Loads text; returns the result and leaves the message in err. */
static enum df_err load_text(struct df_config *c, const char *text,
                             size_t len, char *err, size_t errlen,
                             char **pathp)
{
    char *path = write_tmp(text, len);
    enum df_err e = df_config_load(c, path, err, errlen);

    if (pathp)
        *pathp = path;
    else {
        unlink(path);
        free(path);
    }
    return e;
}

static void test_load(void **state)
{
    static const char text[] =
        "# darkfleet thresholds\n"
        "\n"
        "encounter_max_distance_m = 250   # Skylight\n"
        "  encounter_min_hours=0.5\r\n"
        "\tgap_min_hours\t=\t6\n"
        "# gap_min_shore_nm = 1\n"
        "loitering_min_hours = 48";   /* no newline at the end */
    struct df_config c;
    char err[256];

    (void)state;
    df_config_defaults(&c);
    assert_int_equal(load_text(&c, text, sizeof text - 1, err, sizeof err,
                               NULL),
                     DF_OK);
    assert_string_equal(err, "");
    assert_true(c.encounter_max_distance_m == 250.0);
    assert_true(c.encounter_min_hours == 0.5);
    assert_true(c.gap_min_hours == 6.0);
    assert_true(c.gap_min_shore_nm == 50.0);
    assert_true(c.loitering_min_hours == 48.0);
    /* An empty file changes nothing. */
    assert_int_equal(load_text(&c, "", 0, err, sizeof err, NULL), DF_OK);
    assert_true(c.gap_min_hours == 6.0);
    /* A UTF-8 byte order mark is skipped. */
    {
        static const char bom[] = "\xef\xbb\xbfgap_min_hours = 3\n";
        assert_int_equal(load_text(&c, bom, sizeof bom - 1, err, sizeof err,
                                   NULL),
                         DF_OK);
    }
    assert_true(c.gap_min_hours == 3.0);
}

/* Loads text that must fail with "PATH:suffix". */
static void expect_error(const char *text, size_t len, const char *suffix)
{
    struct df_config c, before;
    char err[256], want[512];
    char *path = NULL;

    df_config_defaults(&c);
    before = c;
    assert_int_equal(load_text(&c, text, len, err, sizeof err, &path),
                     DF_INVAL);
    snprintf(want, sizeof want, "%s:%s", path, suffix);
    assert_string_equal(err, want);
    /* Nothing of a bad file is applied, not even its good lines. */
    assert_memory_equal(&c, &before, sizeof c);
    unlink(path);
    free(path);
}

/* A literal, with its length (it may hold a NUL). */
#define EXPECT(lit, suffix) expect_error(lit, sizeof(lit) - 1, suffix)

static void test_load_errors(void **state)
{
    char big[5000];

    (void)state;
    EXPECT("gap_min_hours = 6\n\nbogus_option = 1\n",
           "3: unknown option 'bogus_option'");
    EXPECT("# x\ngap_min_hours = 6h\n",
           "2: option 'gap_min_hours': '6h' is not a finite number");
    EXPECT("gap_min_hours =\n",
           "1: option 'gap_min_hours': '' is not a finite number");
    EXPECT("gap_min_hours = nan\n",
           "1: option 'gap_min_hours': 'nan' is not a finite number");
    EXPECT("\n\ngap_min_hours 6\n",
           "3: expected 'name = value'");
    EXPECT("= 6\n", "1: missing option name before '='");
    EXPECT("gap_min_hours = 6\ngap\0_min = 1\n",
           "2: NUL byte in line");
    memset(big, ' ', sizeof big);
    memcpy(big, "gap_min_hours = 6\n", 18);
    big[sizeof big - 1] = '\n';
    expect_error(big, sizeof big, "2: line too long");
}

static void test_load_missing(void **state)
{
    struct df_config c;
    char err[256];

    (void)state;
    df_config_defaults(&c);
    assert_int_equal(df_config_load(&c, "/nonexistent/df.conf", err,
                                    sizeof err),
                     DF_IO);
    assert_string_equal(err,
                        "/nonexistent/df.conf: No such file or directory");
    /* A short buffer truncates, never overflows. */
    assert_int_equal(df_config_load(&c, "/nonexistent/df.conf", err, 5),
                     DF_IO);
    assert_string_equal(err, "/non");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_defaults),
        cmocka_unit_test(test_each),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_load_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
