/*
 * test_nmea.c - the framer: receive times from every place sources put
 * them, checksums, multipart reassembly and its bounds, de-duplication,
 * and the counters that say what was dropped and why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "darkfleet.h"
#include "testutil.h"

/* A type 1 from gpsd's sample.aivdm: MMSI 371798000. */
#define T1 "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"
/* A two-part type 5 from the same file: MMSI 351759000, EVER DIADEM. */
#define T5A "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C"
#define T5B "!AIVDM,2,2,1,A,88888888880,2*25"

static int line(struct df_nmea *nm, const char *s, struct df_msg *m)
{
    memset(m, 0, sizeof *m);
    return df_nmea_line(nm, s, strlen(s), m);
}

static void test_plain_sentence(void **state)
{
    struct df_nmea *nm = df_nmea_new(NULL);
    struct df_msg m;

    (void)state;
    assert_int_equal(line(nm, T1, &m), 1);
    assert_int_equal(m.type, 1);
    assert_int_equal(m.mmsi, 371798000);
    assert_int_equal(m.u.pos.speed, 123);
    assert_int_equal(m.u.pos.lon, -74037230);
    assert_int_equal(m.u.pos.lat, 29028980);
    assert_int_equal(m.u.pos.course, 2240);
    assert_int_equal(m.u.pos.heading, 215);
    assert_int_equal(m.channel, 'A');
    assert_true(m.rx_ms == DF_TIME_NONE);
    /* Any talker, VDO too; CRLF endings. */
    assert_int_equal(
        line(nm, "!ABVDM,1,1,,B,15RTgt0PAso;90TKcjM8h6g208CQ,0*42\r", &m), 1);
    assert_int_equal(m.channel, 'B');
    assert_int_equal(df_nmea_stats(nm)->messages, 2);
    df_nmea_free(nm);
}

static void test_receive_times(void **state)
{
    struct df_nmea *nm = df_nmea_new(NULL);
    struct df_msg m;

    (void)state;
    /* Tag block, seconds. */
    assert_int_equal(line(nm, "\\s:rEV02,c:1334337317*58\\" T1, &m), 1);
    assert_true(m.rx_ms == 1334337317000LL);
    /* Tag block, milliseconds. */
    assert_int_equal(line(nm, "\\c:1334337317123*68\\" T1, &m), 1);
    assert_true(m.rx_ms == 1334337317123LL);
    /* A "<unix time> " prefix with a fraction (simpleais). */
    assert_int_equal(line(nm, "1452468552.938 " T1, &m), 1);
    assert_true(m.rx_ms == 1452468552938LL);
    /* An ISO 8601 prefix. */
    assert_int_equal(line(nm, "2016-01-10T23:30:41Z " T1, &m), 1);
    assert_true(m.rx_ms == 1452468641000LL);
    /* A USCG-style tail: the first bare epoch field after the checksum. */
    assert_int_equal(line(nm, T1 ",s28089,d-103,r08TPHI1,1242958962", &m), 1);
    assert_true(m.rx_ms == 1242958962000LL);
    /* AMSA: trailing milliseconds. */
    assert_int_equal(line(nm, T1 ",1327992119173", &m), 1);
    assert_true(m.rx_ms == 1327992119173LL);
    /* A Gatehouse $PGHP header dates the sentence after it, and only it. */
    assert_int_equal(
        line(nm, "$PGHP,1,2010,6,11,11,46,11,929,244,0,,1,72*21", &m), 0);
    assert_int_equal(line(nm, T1, &m), 1);
    assert_true(m.rx_ms == 1276256771929LL);
    assert_int_equal(line(nm, T1, &m), 1);
    assert_true(m.rx_ms == DF_TIME_NONE);
    df_nmea_free(nm);
}

static void test_bad_input_counted(void **state)
{
    struct df_nmea *nm = df_nmea_new(NULL);
    const struct df_stats *st = df_nmea_stats(nm);
    struct df_msg m;

    (void)state;
    assert_int_equal(line(nm, "", &m), 0);
    assert_int_equal(line(nm, "# a comment", &m), 0);
    assert_int_equal(
        line(nm, "$GPGSA,A,3,11,32,14,28,22,03,10,08,17,,,,2.02,1.03,1.74*00",
             &m), 0);
    assert_int_equal(line(nm, "$BSALR,,006,V,V,general failure*62", &m), 0);
    /* Checksum off by one. */
    assert_int_equal(
        line(nm, "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B", &m), 0);
    /* No checksum at all. */
    assert_int_equal(line(nm, "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0",
                          &m), 0);
    /* An extra field (signalk_gofree-merrimac.log). */
    assert_int_equal(
        line(nm, "!AIVDM,1,1,1,,13aI8e?P00PGpU:NR6s00?vT2000,0,0*1C", &m), 0);
    assert_int_equal(st->skip_blank, 1);
    assert_int_equal(st->skip_comment, 1);
    assert_int_equal(st->skip_not_ais, 2);
    assert_int_equal(st->drop_checksum, 1);
    assert_int_equal(st->drop_no_checksum, 1);
    assert_int_equal(st->drop_malformed, 1);
    assert_int_equal(st->messages, 0);
    /* The good one after all that still decodes. */
    assert_int_equal(line(nm, T1, &m), 1);
    df_nmea_free(nm);
}

static void test_multipart_interleaved(void **state)
{
    struct df_nmea *nm = df_nmea_new(NULL);
    struct df_msg m;

    (void)state;
    assert_int_equal(line(nm, T5A, &m), 0);
    assert_int_equal(line(nm, T1, &m), 1);      /* other traffic between */
    assert_int_equal(line(nm, T5B, &m), 1);
    assert_int_equal(m.type, 5);
    assert_int_equal(m.mmsi, 351759000);
    assert_string_equal(m.u.stat.shipname, "EVER DIADEM");
    assert_string_equal(m.u.stat.callsign, "3FOF8");
    assert_string_equal(m.u.stat.destination, "NEW YORK");
    assert_int_equal(m.u.stat.imo, 9134270);
    assert_int_equal(m.u.stat.draught, 122);
    /* A second part with no first part is dropped and counted. */
    assert_int_equal(line(nm, T5B, &m), 0);
    assert_int_equal(df_nmea_stats(nm)->drop_fragment_order, 1);
    df_nmea_free(nm);
}

static void test_tag_block_groups(void **state)
{
    struct df_nmea *nm = df_nmea_new(NULL);
    struct df_msg m;

    (void)state;
    /* AMSA satellite: the second fragment's tag block has only g:. */
    assert_int_equal(
        line(nm, "\\g:1-2-3985,s:rEV02,c:1334337317*2D\\!AIVDM,2,1,9,B,"
                 "58KvN<42ACikUKW77F1H4hF0<PTp622222222216`0`cF5BF0RT13H0T,"
                 "0*70", &m), 0);
    assert_int_equal(
        line(nm, "\\g:2-2-3985*5A\\!AIVDM,2,2,9,B,PFRC88888888880,2*29", &m),
        1);
    assert_int_equal(m.type, 5);
    assert_true(m.rx_ms == 1334337317000LL);
    df_nmea_free(nm);
}

static void test_orphans_bounded(void **state)
{
    struct df_nmea_opts o = {0};
    struct df_nmea *nm;
    struct df_msg m;
    unsigned i;

    (void)state;
    o.max_pending = 8;
    nm = df_nmea_new(&o);
    /* 100,000 first fragments that never complete, each with its own
     * sequence id and channel: the table never holds more than 8. */
    for (i = 0; i < 100000; i++) {
        char s[128];
        snprintf(s, sizeof s, "!AIVDM,2,1,%u,%c,55?MbV02;H;s<HtKR20EHE:0,0",
                 i % 10, "AB12"[(i / 10) % 4]);
        /* add the checksum */
        {
            unsigned sum = 0;
            const char *c;
            for (c = s + 1; *c; c++)
                sum ^= (unsigned char)*c;
            snprintf(s + strlen(s), 8, "*%02X", sum);
        }
        line(nm, s, &m);
    }
    /* 40 keys (10 ids x 4 channels) cycle through 8 slots: every restart
     * and eviction is counted; what is left is counted at flush. */
    assert_int_equal(line(nm, T1, &m), 1);
    df_nmea_flush(nm, NULL, NULL);
    assert_int_equal(df_nmea_stats(nm)->drop_fragment_orphan, 100000);
    df_nmea_free(nm);
}

static int count_msg(const struct df_msg *m, void *ud)
{
    (void)m;
    (*(int *)ud)++;
    return 0;
}

static void test_feed_chunks_and_long_lines(void **state)
{
    struct df_nmea_opts o = {0};
    struct df_nmea *nm;
    struct df_buf b = {0};
    size_t i;
    int n = 0;

    (void)state;
    o.max_line = 200;
    nm = df_nmea_new(&o);
    df_buf_puts(&b, T1 "\n");
    for (i = 0; i < 1000; i++)       /* a line five times the cap */
        df_buf_puts(&b, "x");
    df_buf_puts(&b, "\n" T1 "\n" T5A "\r\n" T5B "\n" T1);
    /* Fed one byte at a time: line splits anywhere. */
    for (i = 0; i < b.len; i++)
        df_nmea_feed(nm, b.data + i, 1, count_msg, &n);
    df_nmea_flush(nm, count_msg, &n);
    assert_int_equal(n, 4);
    assert_int_equal(df_nmea_stats(nm)->drop_line_too_long, 1);
    df_buf_free(&b);
    df_nmea_free(nm);
}

static void test_dedup(void **state)
{
    struct df_nmea_opts o = {0};
    struct df_nmea *nm;
    struct df_msg m;

    (void)state;
    o.dedup_window_ms = 10000;
    nm = df_nmea_new(&o);
    /* The same payload heard by two stations 0.5 s apart: once. */
    assert_int_equal(line(nm, "1452468552.938 " T1, &m), 1);
    assert_int_equal(
        line(nm, "1452468553.438 !ABVDM,1,1,,B,15RTgt0PAso;90TKcjM8h6g208CQ,"
                 "0*42", &m), 0);
    /* Again 60 s later: a new report. */
    assert_int_equal(line(nm, "1452468612.938 " T1, &m), 1);
    assert_int_equal(df_nmea_stats(nm)->drop_duplicate, 1);
    assert_int_equal(df_nmea_stats(nm)->messages, 2);
    df_nmea_free(nm);
}

/* The payload character set, checked eight at a time on the fast path
 * and one at a time in the tail: every byte value at every position of a
 * 28-character payload is accepted exactly when it is an armor character
 * ('0'-'W', '`'-'w'), and an accepted one decodes to the same bits as
 * the table gives. */
/* "!" body "*" and the body's checksum. */
static void with_sum(char *out, size_t n, const char *body)
{
    unsigned x = 0;
    const char *c;

    for (c = body; *c && *c != '*'; c++)
        x ^= (unsigned char)*c;
    snprintf(out, n, "!%s*%02X", body, x);
}

static int hexd(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') ||
           (c >= 'a' && c <= 'f');
}

/* The one-pass scan for '*', checksum and commas (eight bytes a step),
 * with the '*' and each comma in every byte lane of its word. */
static void test_body_scan(void **state)
{
    static const char pay[] = "15RTgt0PAso;90TKcjM8h6g208CQ";
    struct df_nmea *nm = df_nmea_new(NULL);
    const struct df_stats *st = df_nmea_stats(nm);
    char body[128], s[160];
    struct df_msg m;
    int k, len;

    (void)state;
    /* Sequence ids of 0-8 digits move every later comma and the '*'
     * through all eight lanes; a comma in the talker is not a field. */
    for (k = 0; k <= 8; k++) {
        snprintf(body, sizeof body, "AIVDM,1,1,%.*s,A,%s,0", k, "12345678",
                 pay);
        with_sum(s, sizeof s, body);
        assert_int_equal(line(nm, s, &m), 1);
        assert_int_equal(m.mmsi, 371798000);
        body[1] = ',';
        with_sum(s, sizeof s, body);
        assert_int_equal(line(nm, s, &m), 1);
    }
    /* A comma in place of any payload character is a seventh field. */
    for (k = 0; k < (int)sizeof pay - 1; k++) {
        uint64_t before = st->drop_malformed;

        snprintf(body, sizeof body, "AIVDM,1,1,,A,%s,0", pay);
        body[13 + k] = ',';
        with_sum(s, sizeof s, body);
        assert_int_equal(line(nm, s, &m), 0);
        assert_int_equal(st->drop_malformed, before + 1);
    }
    /* A '*' in place of any payload character ends the checksummed part
     * there: the two characters after it are the sum, or not hex. */
    for (k = 0; k < (int)sizeof pay - 1; k++) {
        uint64_t nock = st->drop_no_checksum, bad = st->drop_checksum;
        uint64_t mal = st->drop_malformed;
        unsigned x = 0;
        const char *c;
        char hx[3];

        snprintf(body, sizeof body, "AIVDM,1,1,,A,%s,0", pay);
        body[13 + k] = '*';
        with_sum(s, sizeof s, body);
        assert_int_equal(line(nm, s, &m), 0);
        for (c = body; *c != '*'; c++)
            x ^= (unsigned char)*c;
        hx[0] = body[14 + k];
        hx[1] = body[15 + k];
        hx[2] = '\0';
        if (!hexd(body[14 + k]) || !hexd(body[15 + k]))
            assert_int_equal(st->drop_no_checksum, nock + 1);
        else if ((unsigned)strtoul(hx, NULL, 16) != x)
            assert_int_equal(st->drop_checksum, bad + 1);
        else            /* the sum matched: four commas are too few */
            assert_int_equal(st->drop_malformed, mal + 1);
    }
    /* Every truncation: no '*' (or no two digits after it) is "no
     * checksum" once the "!AIVDM," is there. */
    with_sum(s, sizeof s, "AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0");
    for (len = 7; len < (int)strlen(s); len++) {
        uint64_t nock = st->drop_no_checksum;

        assert_int_equal(df_nmea_line(nm, s, (size_t)len, &m), 0);
        assert_int_equal(st->drop_no_checksum, nock + 1);
    }
    df_nmea_free(nm);
}

/* Frames line with a plain framer (which takes the fixed-field fast path
 * for one-part sentences) and with a de-duplicating one (which always
 * takes the general path): both must return, decode and count the same. */
static void same_both_ways(const char *line, int skip_checksum)
{
    struct df_nmea_opts fo, go;
    struct df_nmea *fast, *gen;
    struct df_msg mf, mg;
    int rf, rg;

    memset(&fo, 0, sizeof fo);
    fo.skip_checksum = skip_checksum;
    go = fo;
    go.dedup_window_ms = 1000;  /* fresh framer: nothing is a duplicate */
    fast = df_nmea_new(&fo);
    gen = df_nmea_new(&go);
    assert_non_null(fast);
    assert_non_null(gen);
    memset(&mf, 0, sizeof mf);
    memset(&mg, 0, sizeof mg);
    rf = df_nmea_line(fast, line, strlen(line), &mf);
    rg = df_nmea_line(gen, line, strlen(line), &mg);
    if (rf != rg ||
        memcmp(df_nmea_stats(fast), df_nmea_stats(gen),
               sizeof(struct df_stats)) != 0 ||
        (rf == 1 && memcmp(&mf, &mg, sizeof mf) != 0))
        fail_msg("fast and general framing differ on '%s' (%d, %d)", line,
                 rf, rg);
    df_nmea_free(fast);
    df_nmea_free(gen);
}

/* Every one-character change, deletion and insertion of T1 (checksum as
 * it was, and recomputed over the changed sentence), with and without
 * checksum checking. */
static void test_single_fast_path(void **state)
{
    static const char subst[] = ",*0A !\\x67\r";
    const char *t = T1;
    size_t n = strlen(t), i, j;
    char s[160], body[128];
    int sk;

    (void)state;
    for (sk = 0; sk <= 1; sk++) {
        same_both_ways(t, sk);
        for (i = 0; i < n; i++) {
            for (j = 0; j <= sizeof subst - 1; j++) {
                /* j < len: substitute subst[j]; j == len: delete */
                memcpy(s, t, n + 1);
                if (j < sizeof subst - 1)
                    s[i] = subst[j];
                else
                    memmove(s + i, s + i + 1, n - i);
                same_both_ways(s, sk);
                /* The same change under a checksum that matches it. */
                if (i > 0 && i < n - 3) {
                    memcpy(body, s + 1, strlen(s) - 3);
                    body[strlen(s) - 4] = '\0';
                    if (strchr(body, '*') == NULL) {
                        with_sum(s, sizeof s, body);
                        same_both_ways(s, sk);
                    }
                }
            }
            /* An inserted ',' or '*'. */
            for (j = 0; j < 2; j++) {
                memcpy(s, t, i);
                s[i] = ",*"[j];
                memcpy(s + i + 1, t + i, n - i + 1);
                same_both_ways(s, sk);
            }
        }
        /* Fill bits 0-7, channels, a trailing time, a second part. */
        same_both_ways("!AIVDM,1,1,,B,15RTgt0PAso;90TKcjM8h6g208CQ,7*4D", sk);
        same_both_ways("!AIVDM,1,1,,2,15RTgt0PAso;90TKcjM8h6g208CQ,0*1E", sk);
        same_both_ways("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A,"
                       "1700000000", sk);
        same_both_ways(T5B, sk);
    }
}

static void test_every_payload_byte(void **state)
{
    static const char pay[] = "15RTgt0PAso;90TKcjM8h6g208CQ";
    struct df_nmea *nm;
    struct df_nmea_opts o;
    int pos, c;

    (void)state;
    memset(&o, 0, sizeof o);
    o.skip_checksum = 1;        /* the payload changes; the sum would */
    nm = df_nmea_new(&o);
    assert_non_null(nm);
    for (pos = 0; pos < (int)sizeof pay - 1; pos++) {
        for (c = 1; c < 256; c++) {
            char s[96];
            struct df_msg m;
            int valid = (c >= '0' && c <= 'W') || (c >= '`' && c <= 'w');
            int rc;

            if (c == ',' || c == '*' || c == '\n' || c == '\r')
                continue;       /* these end the field or the line */
            snprintf(s, sizeof s, "!AIVDM,1,1,,A,%s,0*00", pay);
            s[14 + pos] = (char)c;
            memset(&m, 0, sizeof m);
            rc = df_nmea_line(nm, s, strlen(s), &m);
            /* The first character is the type: another type may want a
             * longer payload, so only a refusal is certain there. */
            if (!valid ? rc != 0 : pos > 0 && rc != 1)
                fail_msg("byte 0x%02x at %d: %d", c, pos, rc);
            if (valid && pos >= 2 && pos <= 5) {
                /* Characters 2-5 (bits 12-35) lie inside the MMSI (bits
                 * 8-37): their value lands 6 * pos - 8 bits below its
                 * top. */
                int v = c <= 'W' ? c - '0' : c - '`' + 40;
                int sh = 30 - (6 * pos - 8) - 6;

                assert_int_equal((m.mmsi >> sh) & 63u, v);
            }
        }
    }
    df_nmea_free(nm);
}

static void test_real_logs_counts(void **state)
{
    char *path = tu_data_path("nmea/gpsd/sample.aivdm");
    struct df_nmea *nm;
    char *buf;
    size_t len;
    int n = 0;

    (void)state;
    if (!path)
        skip();
    buf = tu_read_file(path, &len);
    assert_non_null(buf);
    nm = df_nmea_new(NULL);
    df_nmea_feed(nm, buf, len, count_msg, &n);
    df_nmea_flush(nm, count_msg, &n);
    /* gpsd prints 97 objects for this file; darkfleet also prints the
     * two type 24 part A and the three lone part B messages. */
    assert_int_equal(n, 102);
    assert_int_equal(df_nmea_stats(nm)->sentences, 118);
    assert_int_equal(df_nmea_stats(nm)->skip_comment, 1001);
    df_nmea_free(nm);
    free(buf);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_sentence),
        cmocka_unit_test(test_receive_times),
        cmocka_unit_test(test_bad_input_counted),
        cmocka_unit_test(test_multipart_interleaved),
        cmocka_unit_test(test_tag_block_groups),
        cmocka_unit_test(test_orphans_bounded),
        cmocka_unit_test(test_feed_chunks_and_long_lines),
        cmocka_unit_test(test_dedup),
        cmocka_unit_test(test_body_scan),
        cmocka_unit_test(test_single_fast_path),
        cmocka_unit_test(test_every_payload_byte),
        cmocka_unit_test(test_real_logs_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
