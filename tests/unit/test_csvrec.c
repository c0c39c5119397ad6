/*
 * test_csvrec.c - the CSV splitter (src/util/csvrec.c) on the cases each
 * of its readers meets: plain and quoted fields, "" escapes, CRLF, line
 * breaks inside quotes (and the one-line mode that refuses them), text
 * after a closing quote, an unclosed quote, quoted text cut at the scratch
 * size, more fields than the caller's array, the comma finder at every
 * alignment, and header keys.  tests/fuzz/fuzz_csvrec.c checks the same
 * splitter on arbitrary bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/csvrec.h"

struct rec {
    size_t nf;
    unsigned flags;
    char f[8][64];
};

/* Splits text into records; returns how many. */
static size_t split(const char *text, size_t cap, int oneline,
                    struct rec *out, size_t max)
{
    char scratch[256];
    struct df__csv c = {0};
    struct df__csvf f[4];
    size_t n = 0, nf, i;

    c.s = text;
    c.len = strlen(text);
    c.scratch = scratch;
    c.cap = cap;
    c.oneline = oneline;
    while (n < max && (nf = df__csv_record(&c, f, 4)) != 0) {
        out[n].nf = nf;
        out[n].flags = c.flags;
        for (i = 0; i < nf && i < 4; i++) {
            assert_true(f[i].n < 64);
            memcpy(out[n].f[i], f[i].s, f[i].n);
            out[n].f[i][f[i].n] = '\0';
        }
        n++;
    }
    return n;
}

static void test_plain_and_quoted(void **state)
{
    struct rec r[4];

    (void)state;
    assert_int_equal(split("a,b,,c\n\"x,y\",\"say \"\"hi\"\"\"\n", 256, 0,
                           r, 4), 2);
    assert_int_equal(r[0].nf, 4);
    assert_string_equal(r[0].f[0], "a");
    assert_string_equal(r[0].f[2], "");
    assert_string_equal(r[0].f[3], "c");
    assert_int_equal(r[0].flags, 0);
    assert_int_equal(r[1].nf, 2);
    assert_string_equal(r[1].f[0], "x,y");
    assert_string_equal(r[1].f[1], "say \"hi\"");
    assert_int_equal(r[1].flags, 0);
}

static void test_crlf_and_last_line(void **state)
{
    struct rec r[4];

    (void)state;
    /* '\r' before '\n' (or the end) is not data; the last line needs no
     * line break; a blank line is a record of one empty field. */
    assert_int_equal(split("a,b\r\n\r\n\"q\"\r\nlast\r", 256, 0, r, 4), 4);
    assert_string_equal(r[0].f[1], "b");
    assert_int_equal(r[1].nf, 1);
    assert_string_equal(r[1].f[0], "");
    assert_string_equal(r[2].f[0], "q");
    assert_int_equal(r[2].flags, 0);
    assert_string_equal(r[3].f[0], "last");
}

static void test_line_break_in_quotes(void **state)
{
    struct rec r[4];

    (void)state;
    assert_int_equal(split("\"two\nlines\",x\ny\n", 256, 0, r, 4), 2);
    assert_string_equal(r[0].f[0], "two\nlines");
    assert_string_equal(r[0].f[1], "x");
    assert_string_equal(r[1].f[0], "y");
    /* One record a line: the quote ends with the line, flagged, and the
     * next line is a record of its own. */
    assert_int_equal(split("\"two\nlines\",x\ny\n", 256, 1, r, 4), 3);
    assert_true(r[0].flags & DF__CSV_OPEN);
    assert_string_equal(r[0].f[0], "two");
    assert_string_equal(r[1].f[0], "lines\"");
    assert_string_equal(r[2].f[0], "y");
}

static void test_flags(void **state)
{
    struct rec r[4];

    (void)state;
    assert_int_equal(split("\"a\"junk,b\n", 256, 0, r, 4), 1);
    assert_int_equal(r[0].flags, DF__CSV_JUNK);
    assert_string_equal(r[0].f[0], "ajunk");
    assert_string_equal(r[0].f[1], "b");

    assert_int_equal(split("x,\"never closed\n,y", 256, 0, r, 4), 1);
    assert_int_equal(r[0].flags, DF__CSV_OPEN);
    assert_string_equal(r[0].f[1], "never closed\n,y");

    assert_int_equal(split("\"abcdefgh\",\"ij\"\n", 5, 0, r, 4), 1);
    assert_true(r[0].flags & DF__CSV_TRUNC);
    assert_string_equal(r[0].f[0], "abcde");
    assert_string_equal(r[0].f[1], "");

    assert_int_equal(split("1,2,3,4,5,6\n7\n", 256, 0, r, 4), 2);
    assert_int_equal(r[0].nf, 6);
    assert_int_equal(r[0].flags, DF__CSV_MANY);
    assert_string_equal(r[0].f[3], "4");
    assert_int_equal(r[1].flags, 0);
    assert_string_equal(r[1].f[0], "7");
}

static void test_field_cursor(void **state)
{
    /* csv.c reads a line field by field, resetting the scratch buffer
     * before each quoted field. */
    const char *line = "\"a,b\",c";
    char scratch[8];
    struct df__csv c = {line, 7, 0, scratch, sizeof(scratch), 0, 0, 1};
    struct df__csvf f;

    (void)state;
    assert_int_equal(df__csv_field(&c, &f), 1);
    assert_int_equal(f.n, 3);
    assert_memory_equal(f.s, "a,b", 3);
    assert_int_equal(c.pos, 6);
    assert_int_equal(df__csv_field(&c, &f), 0);
    assert_int_equal(f.n, 1);
    assert_ptr_equal(f.s, line + 6);
    assert_int_equal(c.pos, 7);
}

static void test_comma(void **state)
{
    char s[40];
    size_t at, from;

    (void)state;
    for (at = 0; at < 32; at++) {
        memset(s, 'x', sizeof(s));
        s[at] = ',';
        for (from = 0; from <= at; from++)
            assert_int_equal(df__csv_comma(s, from, 32), at);
        assert_int_equal(df__csv_comma(s, at + 1, 32), 32);
    }
    memset(s, ',', sizeof(s));
    assert_int_equal(df__csv_comma(s, 5, 5), 5);
}

static void test_colkey(void **state)
{
    char key[16];

    (void)state;
    assert_int_equal(df__csv_colkey("Base Date_Time", 14, key, sizeof(key)),
                     12);
    assert_string_equal(key, "basedatetime");
    assert_int_equal(df__csv_colkey("# Timestamp", 11, key, sizeof(key)), 9);
    assert_string_equal(key, "timestamp");
    assert_int_equal(df__csv_colkey("radius_km", 9, key, sizeof(key)), 8);
    assert_string_equal(key, "radiuskm");
    /* 15 letters fit in 16 bytes, 16 do not. */
    assert_int_equal(df__csv_colkey("abcdefghijklmno", 15, key, 16), 15);
    assert_int_equal(df__csv_colkey("abcdefghijklmnop", 16, key, 16), -1);
    assert_string_equal(key, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_quoted),
        cmocka_unit_test(test_crlf_and_last_line),
        cmocka_unit_test(test_line_break_in_quotes),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_field_cursor),
        cmocka_unit_test(test_comma),
        cmocka_unit_test(test_colkey),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
