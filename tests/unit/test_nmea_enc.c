/*
 * test_nmea_enc.c - df_msg_nmea(): random messages of every type the
 * simulator sends (1, 2, 3, 5, 18, 19, 24 A and B, 27) come back field for
 * field through the framer and decoder; sentences have the right shape
 * (fragments of at most 60 characters, 82-character sentences, correct
 * sentence and tag block checksums); and real sentences decoded then
 * encoded again give the same payload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkfleet.h"

static uint64_t rng = 12345;

static uint32_t rnd(uint32_t n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng >> 33) % n;
}

static int32_t srnd(int32_t lo, int32_t hi)
{
    return lo + (int32_t)rnd((uint32_t)(hi - lo + 1));
}

/* Random six-bit text of up to max characters that the decoder gives
 * back unchanged: no '@', no trailing space. */
static void text(char *s, unsigned max)
{
    static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -./";
    unsigned n = rnd(max + 1), i;

    for (i = 0; i < n; i++)
        s[i] = set[rnd(sizeof set - 1)];
    while (n > 0 && s[n - 1] == ' ')
        n--;
    s[n] = '\0';
}

static void random_msg(unsigned type, unsigned part, struct df_msg *m)
{
    memset(m, 0, sizeof *m);
    m->type = (uint8_t)type;
    m->repeat = (uint8_t)rnd(4);
    m->mmsi = 200000000 + rnd(600000000);
    m->rx_ms = rnd(4) ? (int64_t)(1500000000 + rnd(300000000)) * 1000
                      : DF_TIME_NONE;
    m->channel = rnd(2) ? 'A' : 'B';
    switch (type) {
    case 1:
    case 2:
    case 3:
        m->u.pos.status = (uint8_t)rnd(16);
        m->u.pos.turn = (int8_t)srnd(-128, 127);
        m->u.pos.speed = (uint16_t)rnd(1024);
        m->u.pos.accuracy = (uint8_t)rnd(2);
        m->u.pos.lon = srnd(-108000000, 108600000);
        m->u.pos.lat = srnd(-54000000, 54600000);
        m->u.pos.course = (uint16_t)rnd(3601);
        m->u.pos.heading = (uint16_t)rnd(512);
        m->u.pos.second = (uint8_t)rnd(64);
        m->u.pos.maneuver = (uint8_t)rnd(3);
        m->u.pos.raim = (uint8_t)rnd(2);
        m->u.pos.radio = rnd(1u << 19);
        break;
    case 5:
        m->u.stat.ais_version = (uint8_t)rnd(4);
        m->u.stat.imo = rnd(1u << 30);
        text(m->u.stat.callsign, 7);
        text(m->u.stat.shipname, 20);
        m->u.stat.shiptype = (uint8_t)rnd(256);
        m->u.stat.to_bow = (uint16_t)rnd(512);
        m->u.stat.to_stern = (uint16_t)rnd(512);
        m->u.stat.to_port = (uint8_t)rnd(64);
        m->u.stat.to_starboard = (uint8_t)rnd(64);
        m->u.stat.epfd = (uint8_t)rnd(16);
        m->u.stat.month = (uint8_t)rnd(13);
        m->u.stat.day = (uint8_t)rnd(32);
        m->u.stat.hour = (uint8_t)rnd(25);
        m->u.stat.minute = (uint8_t)rnd(61);
        m->u.stat.draught = (uint8_t)rnd(256);
        text(m->u.stat.destination, 20);
        m->u.stat.dte = (uint8_t)rnd(2);
        break;
    case 18:
    case 19:
        m->u.cb.reserved = (uint8_t)rnd(256);
        m->u.cb.speed = (uint16_t)rnd(1024);
        m->u.cb.accuracy = (uint8_t)rnd(2);
        m->u.cb.lon = srnd(-108000000, 108600000);
        m->u.cb.lat = srnd(-54000000, 54600000);
        m->u.cb.course = (uint16_t)rnd(3601);
        m->u.cb.heading = (uint16_t)rnd(512);
        m->u.cb.second = (uint8_t)rnd(64);
        m->u.cb.raim = (uint8_t)rnd(2);
        m->u.cb.assigned = (uint8_t)rnd(2);
        if (type == 18) {
            m->u.cb.regional = (uint8_t)rnd(4);
            m->u.cb.cs = (uint8_t)rnd(2);
            m->u.cb.display = (uint8_t)rnd(2);
            m->u.cb.dsc = (uint8_t)rnd(2);
            m->u.cb.band = (uint8_t)rnd(2);
            m->u.cb.msg22 = (uint8_t)rnd(2);
            m->u.cb.radio = rnd(1u << 20);
        } else {
            m->u.cb.regional = (uint8_t)rnd(16);
            text(m->u.cb.shipname, 20);
            m->u.cb.shiptype = (uint8_t)rnd(256);
            m->u.cb.to_bow = (uint16_t)rnd(512);
            m->u.cb.to_stern = (uint16_t)rnd(512);
            m->u.cb.to_port = (uint8_t)rnd(64);
            m->u.cb.to_starboard = (uint8_t)rnd(64);
            m->u.cb.epfd = (uint8_t)rnd(16);
            m->u.cb.dte = (uint8_t)rnd(2);
        }
        break;
    case 24:
        m->u.s24.partno = (uint8_t)part;
        if (part == 0) {
            text(m->u.s24.shipname, 20);
        } else {
            if (rnd(4) == 0)
                m->mmsi = 980000000 + rnd(10000000);  /* auxiliary */
            m->u.s24.shiptype = (uint8_t)rnd(256);
            if (rnd(2)) {
                strcpy(m->u.s24.vendorid, "SRT");
                m->u.s24.model = (uint8_t)(1 + rnd(15));
                m->u.s24.serial = rnd(1u << 20);
            } else {
                strcpy(m->u.s24.vendorid, "ABCDEFG");
            }
            text(m->u.s24.callsign, 7);
            if (m->mmsi / 10000000 == 98) {
                m->u.s24.mothership_mmsi = rnd(1u << 30);
            } else {
                m->u.s24.to_bow = (uint16_t)rnd(512);
                m->u.s24.to_stern = (uint16_t)rnd(512);
                m->u.s24.to_port = (uint8_t)rnd(64);
                m->u.s24.to_starboard = (uint8_t)rnd(64);
            }
        }
        break;
    case 27:
        m->u.lr.accuracy = (uint8_t)rnd(2);
        m->u.lr.raim = (uint8_t)rnd(2);
        m->u.lr.status = (uint8_t)rnd(16);
        m->u.lr.lon = srnd(-108000, 108600);
        m->u.lr.lat = srnd(-54000, 54600);
        m->u.lr.speed = (uint16_t)rnd(64);
        m->u.lr.course = (uint16_t)rnd(512);
        m->u.lr.gnss = (uint8_t)rnd(2);
        break;
    default:
        break;
    }
}

/* Checks one sentence line: the tag block checksum, the sentence
 * checksum, the fragment length and the 82-character limit. */
static void check_line(const char *line, size_t len, int tagged)
{
    const char *s = line, *star, *p;
    unsigned x = 0, want, commas = 0;
    char hex[3] = {0};

    if (tagged) {
        const char *close;
        assert_true(line[0] == '\\');
        close = memchr(line + 1, '\\', len - 1);
        assert_non_null(close);
        star = memchr(line + 1, '*', (size_t)(close - line - 1));
        assert_non_null(star);
        for (p = line + 1; p < star; p++)
            x ^= (unsigned char)*p;
        memcpy(hex, star + 1, 2);
        hex[2] = '\0';
        want = (unsigned)strtoul(hex, NULL, 16);
        assert_int_equal(x, want);
        assert_true(strncmp(line + 1, "c:", 2) == 0);
        s = close + 1;
    }
    assert_true(s[0] == '!');
    assert_true((size_t)(line + len - s) <= 82);
    star = memchr(s, '*', (size_t)(line + len - s));
    assert_non_null(star);
    x = 0;
    for (p = s + 1; p < star; p++) {
        x ^= (unsigned char)*p;
        if (*p == ',') {
            commas++;
            if (commas == 5) {
                const char *e = memchr(p + 1, ',', (size_t)(star - p - 1));
                assert_non_null(e);
                assert_true(e - p - 1 <= 60);
            }
        }
    }
    assert_int_equal(commas, 6);
    memcpy(hex, star + 1, 2);
    want = (unsigned)strtoul(hex, NULL, 16);
    assert_int_equal(x, want);
}

/* Encodes m, frames every line, and returns the number of sentences;
 * *out gets the message the last line completed. */
static int round_trip(const struct df_msg *m, struct df_msg *out)
{
    struct df_buf b = {0};
    struct df_nmea *nm = df_nmea_new(NULL);
    size_t at = 0;
    int lines = 0, got = 0;

    assert_non_null(nm);
    df_msg_nmea(&b, m, 7);
    assert_false(b.oom);
    assert_true(b.len > 0);
    while (at < b.len) {
        char *nl = memchr(b.data + at, '\n', b.len - at);
        size_t len;
        assert_non_null(nl);
        len = (size_t)(nl - (b.data + at));
        check_line(b.data + at, len, m->rx_ms != DF_TIME_NONE);
        memset(out, 0, sizeof *out);
        got = df_nmea_line(nm, b.data + at, len, out);
        at += len + 1;
        lines++;
    }
    assert_int_equal(got, 1);
    assert_int_equal(df_nmea_stats(nm)->drop_tag_block, 0);
    df_nmea_free(nm);
    df_buf_free(&b);
    return lines;
}

#define EQ(f) assert_int_equal(a->f, b->f)
#define STR(f) assert_string_equal(a->f, b->f)

static void compare(const struct df_msg *want, const struct df_msg *got)
{
    assert_int_equal(want->type, got->type);
    assert_int_equal(want->repeat, got->repeat);
    assert_int_equal(want->mmsi, got->mmsi);
    assert_int_equal(want->channel, got->channel);
    if (want->rx_ms != DF_TIME_NONE)
        assert_true(want->rx_ms / 1000 * 1000 == got->rx_ms);
    switch (want->type) {
    case 1:
    case 2:
    case 3: {
        const struct df_pos *a = &want->u.pos, *b = &got->u.pos;
        EQ(status); EQ(turn); EQ(speed); EQ(accuracy); EQ(lon); EQ(lat);
        EQ(course); EQ(heading); EQ(second); EQ(maneuver); EQ(raim);
        EQ(radio);
        assert_int_equal(got->nbits, 168);
        break;
    }
    case 5: {
        const struct df_static *a = &want->u.stat, *b = &got->u.stat;
        EQ(ais_version); EQ(imo); STR(callsign); STR(shipname);
        EQ(shiptype); EQ(to_bow); EQ(to_stern); EQ(to_port);
        EQ(to_starboard); EQ(epfd); EQ(month); EQ(day); EQ(hour);
        EQ(minute); EQ(draught); STR(destination); EQ(dte);
        assert_int_equal(got->nbits, 424);
        break;
    }
    case 18:
    case 19: {
        const struct df_classb *a = &want->u.cb, *b = &got->u.cb;
        EQ(reserved); EQ(speed); EQ(accuracy); EQ(lon); EQ(lat);
        EQ(course); EQ(heading); EQ(second); EQ(regional); EQ(raim);
        EQ(assigned);
        if (want->type == 18) {
            EQ(cs); EQ(display); EQ(dsc); EQ(band); EQ(msg22); EQ(radio);
            assert_int_equal(got->nbits, 168);
        } else {
            STR(shipname); EQ(shiptype); EQ(to_bow); EQ(to_stern);
            EQ(to_port); EQ(to_starboard); EQ(epfd); EQ(dte);
            assert_int_equal(got->nbits, 312);
        }
        break;
    }
    case 24: {
        const struct df_static24 *a = &want->u.s24, *b = &got->u.s24;
        EQ(partno);
        if (a->partno == 0) {
            STR(shipname);
            break;
        }
        EQ(shiptype); STR(callsign);
        if (strlen(a->vendorid) > 3) {
            STR(vendorid);
        } else {
            assert_memory_equal(a->vendorid, b->vendorid, 3);
            EQ(model); EQ(serial);
        }
        if (want->mmsi / 10000000 == 98) {
            EQ(mothership_mmsi);
        } else {
            EQ(to_bow); EQ(to_stern); EQ(to_port); EQ(to_starboard);
        }
        assert_int_equal(got->nbits, 168);
        break;
    }
    case 27: {
        const struct df_longrange *a = &want->u.lr, *b = &got->u.lr;
        EQ(accuracy); EQ(raim); EQ(status); EQ(lon); EQ(lat); EQ(speed);
        EQ(course); EQ(gnss);
        assert_int_equal(got->nbits, 96);
        break;
    }
    default:
        fail();
    }
}

static void test_random_round_trip(void **state)
{
    static const unsigned types[][2] = {{1, 0}, {2, 0}, {3, 0}, {5, 0},
                                        {18, 0}, {19, 0}, {24, 0},
                                        {24, 1}, {27, 0}};
    unsigned k, i;

    (void)state;
    for (k = 0; k < sizeof types / sizeof types[0]; k++)
        for (i = 0; i < 2000; i++) {
            struct df_msg m, got;
            int lines;
            random_msg(types[k][0], types[k][1], &m);
            lines = round_trip(&m, &got);
            assert_int_equal(lines, m.type == 5 ? 2 : 1);
            compare(&m, &got);
        }
}

/* Real sentences (gpsd's sample.aivdm): decoded, encoded and decoded
 * again they give the same fields. */
static void test_real_sentences(void **state)
{
    static const char *const lines[] = {
        "!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C",
        "!AIVDM,1,1,,A,15N4cJ`005Jrek0H@9n`DW5608EP,0*13",
        "!AIVDM,1,1,,B,B6CdCm0t3`tba35f@V9faHi7kP06,0*58",
        ("!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0"
         "NSQEp6ClRp8,0*1C"),
        "!AIVDM,2,2,1,A,88888888880,2*25",
    };
    struct df_nmea *nm = df_nmea_new(NULL);
    struct df_msg m, again;
    unsigned i;

    (void)state;
    assert_non_null(nm);
    for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct df_buf b = {0};
        const char *want = lines[i];
        if (!df_nmea_line(nm, want, strlen(want), &m))
            continue;
        df_msg_nmea(&b, &m, 1);
        assert_non_null(b.data);
        /* Text fields were padded with spaces, which the decoder trims
         * and the encoder pads back with '@' (as M.1371 asks): compare
         * fields; and sentences without text must come back verbatim. */
        round_trip(&m, &again);
        compare(&m, &again);
        if (m.type != 5)
            assert_non_null(strstr(b.data, want));
        df_buf_free(&b);
    }
    df_nmea_free(nm);
}

static void test_tag_block_time(void **state)
{
    struct df_msg m, got;
    struct df_buf b = {0};

    (void)state;
    random_msg(1, 0, &m);
    m.rx_ms = 1740787200000LL;
    m.channel = 'B';
    df_msg_nmea(&b, &m, 0);
    assert_true(strncmp(b.data, "\\c:1740787200*", 14) == 0);
    df_buf_free(&b);
    assert_int_equal(round_trip(&m, &got), 1);
    assert_true(got.rx_ms == 1740787200000LL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_round_trip),
        cmocka_unit_test(test_real_sentences),
        cmocka_unit_test(test_tag_block_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
