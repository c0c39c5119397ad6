/*
 * test_format.c - df_detect_format() on the first bytes of real NMEA logs
 * (gpsd, AISHub, AMSA, DMA, simpleais, pyais, libais, AISdb, GFW, USCG)
 * and MarineCadastre tables from ../shared/data, read through df_input so
 * compressed files count too, and on small made-up heads: DMA headers,
 * [timestamp] prefixes, JSON, binary, empty input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "darkfleet.h"
#include "testutil.h"

/* Detects the format of a data file from its first 8 KiB, decompressed. */
static enum df_format detect_file(const char *rel, int *skipped)
{
    char *p = tu_data_path(rel);
    struct df_input *in;
    char err[512], buf[8192];
    size_t have = 0;
    long n;
    enum df_format f;

    if (p == NULL) {
        *skipped = 1;
        return DF_FMT_UNKNOWN;
    }
    assert_int_equal(df_input_open(&in, p, err, sizeof(err)), DF_OK);
    while (have < sizeof(buf) &&
           (n = df_input_read(in, buf + have, sizeof(buf) - have)) > 0)
        have += (size_t)n;
    df_input_free(in);
    free(p);
    f = df_detect_format(buf, have);
    if (f == DF_FMT_UNKNOWN)
        print_error("%s: detected as unknown\n", rel);
    return f;
}

static void test_real_nmea(void **state)
{
    static const char *const files[] = {
        "nmea/aisdb/test_data_20211101.nm4",
        "nmea/aisdb/test_data_201201.nmea",
        "nmea/aishub/ais-nmea-sample.log",
        "nmea/amsa/amsa_exact-earth-augmented.txt",
        "nmea/amsa/amsa_exact-earth-with-tag-block.txt",
        "nmea/amsa/amsa_nmea-timestamped.txt",
        "nmea/amsa/amsa_terrestrial_2012-01-27.txt.gz",
        "nmea/dma/stream_example.txt",
        "nmea/dma/small_cb_example.txt",
        "nmea/dma_gatehouse/AisAbnormal_212123000_drift_1.ais",
        "nmea/dma_gatehouse/AisAbnormal_ais-sample_2013-11-12.txt.gz",
        "nmea/gfw/type1-bad-bitcount.nmea",
        "nmea/gpsd/ais-nmea.log",
        "nmea/gpsd/sample.aivdm",
        "nmea/libais/test.aivdm",
        "nmea/libais/tagblock.nmea",
        "nmea/misc/knapply-maritime_uscg_20181101.log",
        "nmea/misc/signalk_gofree-merrimac.log",
        "nmea/pyais/messages.ais",
        "nmea/pyais/gatehouse.nmea",
        "nmea/simpleais/sample.ais",
        "bench/bench_base.nmea",
    };
    unsigned i;
    int skipped = 0;

    (void)state;
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        enum df_format f = detect_file(files[i], &skipped);

        if (skipped) {
            skip();
            return;
        }
        assert_int_equal(f, DF_FMT_NMEA);
    }
}

static void test_real_csv(void **state)
{
    static const char *const files[] = {
        "csv/marinecadastre_2020-01-01/AIS_2020_01_01_named_vessels.csv.zst",
        "csv/marinecadastre_2020-01-01/subset_delaware_bay_2020-01-01.csv",
        "csv/marinecadastre_2020-01-01/"
        "subset_lower_mississippi_2020-01-01.csv.gz",
        "csv/marinecadastre_2022-01-03_sample/"
        "AISdata_2022-01-03_first99999.csv",
        "csv/marinecadastre_tracktable/NYHarbor_2020_06_30_first_hour.csv",
        "csv/marinecadastre_tracktable/NYHarbor_2020_12_08_points.csv",
    };
    unsigned i;
    int skipped = 0;

    (void)state;
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        enum df_format f = detect_file(files[i], &skipped);

        if (skipped) {
            skip();
            return;
        }
        assert_int_equal(f, DF_FMT_CSV_MC);
    }
}

static enum df_format det(const char *s)
{
    return df_detect_format(s, strlen(s));
}

static void test_made_up(void **state)
{
    (void)state;
    /* NMEA with prefixes, comments, tag blocks */
    assert_int_equal(det("!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23\n"),
                     DF_FMT_NMEA);
    assert_int_equal(det("# comment\n\n$GPRMC,1,2\n"), DF_FMT_NMEA);
    assert_int_equal(det("\\s:42809,c:1635731889*6A\\!AIVDM,1,1,,,4,0*7B\n"),
                     DF_FMT_NMEA);
    assert_int_equal(det("[2021-03-01 12:00:00.123] !AIVDM,1,1,,B,x,0*00\n"),
                     DF_FMT_NMEA);
    assert_int_equal(det("1452468552.938 !ABVDM,1,1,,B,14Wt,0*6E\n"),
                     DF_FMT_NMEA);
    assert_int_equal(det("2021-03-01T12:00:00Z,!AIVDO,1,1,,B,x,0*00\r\n"),
                     DF_FMT_NMEA);
    assert_int_equal(det("\xef\xbb\xbf!AIVDM,1,1,,A,1,0*23\n"), DF_FMT_NMEA);

    /* MarineCadastre headers, old and 2025, any order, with CRLF */
    assert_int_equal(det("MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading\r\n1,"),
                     DF_FMT_CSV_MC);
    assert_int_equal(det("base_date_time,longitude,latitude,mmsi\n"),
                     DF_FMT_CSV_MC);
    /* DMA, which starts with '#' */
    assert_int_equal(det("# Timestamp,Type of mobile,MMSI,Latitude,"
                         "Longitude,Navigational status,ROT,SOG,COG\n"),
                     DF_FMT_CSV_DMA);

    /* Neither */
    assert_int_equal(det(""), DF_FMT_UNKNOWN);
    assert_int_equal(df_detect_format(NULL, 0), DF_FMT_UNKNOWN);
    assert_int_equal(det("{\"class\":\"AIS\",\"mmsi\":1}\n"), DF_FMT_UNKNOWN);
    assert_int_equal(det("a,b,c\n1,2,3\n"), DF_FMT_UNKNOWN);
    assert_int_equal(det("# Timestamp only\n"), DF_FMT_UNKNOWN);
    assert_int_equal(det("MMSI,LAT,LON\n"), DF_FMT_UNKNOWN);
    assert_int_equal(df_detect_format("\x00\x01\x02\xff", 4), DF_FMT_UNKNOWN);
    /* Never reads past len. */
    assert_int_equal(df_detect_format("!AIVDM", 0), DF_FMT_UNKNOWN);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(df_format_name(DF_FMT_NMEA), "nmea");
    assert_string_equal(df_format_name(DF_FMT_CSV_MC), "marinecadastre");
    assert_string_equal(df_format_name(DF_FMT_CSV_DMA), "dma");
    assert_string_equal(df_format_name(DF_FMT_UNKNOWN), "unknown");
    assert_string_equal(df_format_name((enum df_format)99), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_nmea),
        cmocka_unit_test(test_real_csv),
        cmocka_unit_test(test_made_up),
        cmocka_unit_test(test_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
