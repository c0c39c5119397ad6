/*
 * test_escape.c - every writer of attacker-controlled strings: JSON, JSON
 * inside <script>, HTML, XML (KML), CSV and a terminal's plain text, on
 * names a transponder or a list could carry.
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

/* Text read back from a store, which may hold any bytes. */
static void test_json_utf8(void **state)
{
    (void)state;
    check(df_buf_json_utf8_str, "SEA \"STAR\" \\ 1",
          "\"SEA \\\"STAR\\\" \\\\ 1\"");
    /* ESC [ 2 J (clear screen), DEL, a C1 CSI (U+009B). */
    check(df_buf_json_utf8_str, "\x1b[2J\x7f\xc2\x9b""31m",
          "\"\\u001b[2J\\u007f\\u009b31m\"");
    /* Valid UTF-8 passes; a lone 0x9B byte, a truncated sequence, an
     * overlong '/' and a surrogate become U+FFFD. */
    check(df_buf_json_utf8_str, "\xc3\x85LESUND \xe2\x9c\x93",
          "\"\xc3\x85LESUND \xe2\x9c\x93\"");
    check(df_buf_json_utf8_str, "A\x9b" "B\xe2\x9c",
          "\"A\xef\xbf\xbd" "B\xef\xbf\xbd\xef\xbf\xbd\"");
    check(df_buf_json_utf8_str, "\xc0\xaf\xed\xa0\x80",
          "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    check(df_buf_json_utf8_str, "", "\"\"");
}

static void test_term(void **state)
{
    struct df_buf b = {0};

    (void)state;
    check(df_buf_term_str, "ROYAL LUCKY", "ROYAL LUCKY");
    check(df_buf_term_str, "\x1b]0;pwned\x07X\x1b[2J", "?]0;pwned?X?[2J");
    check(df_buf_term_str, "a\tb\nc\rd\x7f", "a?b?c?d?");
    /* C1 controls, as UTF-8 (U+009B CSI, U+0085 NEL) and as raw bytes
     * (an 8-bit terminal reads 0x9B as CSI); printable non-ASCII stays. */
    check(df_buf_term_str, "\xc2\x9b" "1m\xc2\x85\x9b" "2m",
          "?1m??2m");
    check(df_buf_term_str, "\xc2\xa0\xc3\x85 \xe5\x8f\xb7 \xe2\x9c",
          "\xc2\xa0\xc3\x85 \xe5\x8f\xb7 ??");
    /* A NUL inside is a control character too. */
    df_buf_term_str(&b, "A\0B", 3);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "A?B", 3);
    df_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json),  cmocka_unit_test(test_json_script),
        cmocka_unit_test(test_html),  cmocka_unit_test(test_xml),
        cmocka_unit_test(test_csv),   cmocka_unit_test(test_json_utf8),
        cmocka_unit_test(test_term),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
