/*
 * test_escape.c - every writer of attacker-controlled strings: JSON, JSON
 * inside <script>, HTML, XML (KML) and CSV, on names a transponder or a
 * list could carry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "darkfleet.h"

typedef void (*writer)(struct df_buf *, const char *, size_t);

static void check(writer w, const char *in, const char *want)
{
    struct df_buf b = {0};

    w(&b, in, strlen(in));
    assert_false(b.oom);
    assert_string_equal(b.data ? b.data : "", want);
    df_buf_free(&b);
}

static void test_json(void **state)
{
    (void)state;
    check(df_buf_json_str, "SEA \"STAR\" \\ 1", "\"SEA \\\"STAR\\\" \\\\ 1\"");
    check(df_buf_json_str, "a\nb\x01", "\"a\\nb\\u0001\"");
}

static void test_json_script(void **state)
{
    (void)state;
    check(df_buf_json_script_str, "</script><script>alert(1)</script>",
          "\"\\u003c/script>\\u003cscript>alert(1)\\u003c/script>\"");
    check(df_buf_json_script_str, "<!--", "\"\\u003c!--\"");
    check(df_buf_json_script_str, "a\xE2\x80\xA8z", "\"a\\u2028z\"");
}

static void test_html(void **state)
{
    (void)state;
    check(df_buf_html_str, "<img src=x onerror='a()'> & \"q\"",
          "&lt;img src=x onerror=&#39;a()&#39;&gt; &amp; &quot;q&quot;");
    check(df_buf_html_str, "PLAIN NAME", "PLAIN NAME");
}

static void test_xml(void **state)
{
    (void)state;
    check(df_buf_xml_str, "]]><x>&'\"\x01\tok",
          "]]&gt;&lt;x&gt;&amp;&apos;&quot;\tok");
}

static void test_csv(void **state)
{
    (void)state;
    check(df_buf_csv_str, "PLAIN", "PLAIN");
    check(df_buf_csv_str, "A, \"B\"", "\"A, \"\"B\"\"\"");
    check(df_buf_csv_str, "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"");
    check(df_buf_csv_str, "@SUM(1)", "'@SUM(1)");
    check(df_buf_csv_str, "line\nbreak", "\"line\nbreak\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json),  cmocka_unit_test(test_json_script),
        cmocka_unit_test(test_html),  cmocka_unit_test(test_xml),
        cmocka_unit_test(test_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
