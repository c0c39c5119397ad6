/*
 * test_csv.c - the CSV table reader: every MarineCadastre variant in
 * ../shared/data/csv (row counts exact, first rows checked field by field
 * against hand-computed wire values), a DMA table written here with DMA's
 * real column names, quoting, NA values, negative COG, bad rows and fields,
 * unknown headers, and a truncated zstd table read through df_input.
 *
 * Wire values: degrees * 600000 (1/10000 min), knots * 10, COG * 10
 * (negative MarineCadastre COG c -> 4096 + 10c), metres * 10.
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
#include "testutil.h"

#define KEEP 4

static char tmpdir[64];

struct feed {
    struct df_csv *c;
    uint64_t records, pos, stat;   /* rows kept; with DF_REC_POS; STATIC */
    uint64_t limit;                /* stop after this many (0: all) */
    struct df_rec keep[KEEP];      /* the first rows */
    long rc;                       /* last df_input_read() */
    int csv_rc;                    /* -1 if the header was refused */
    char err[512];
};

static int setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/dftest_csvXXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static int one_line(struct feed *f, const char *p, size_t n)
{
    struct df_rec r;
    int k = df_csv_line(f->c, p, n, &r);

    if (k < 0) {
        f->csv_rc = -1;
        return -1;
    }
    if (k > 0) {
        if (f->records < KEEP)
            f->keep[f->records] = r;
        f->records++;
        f->pos += (r.has & DF_REC_POS) != 0;
        f->stat += (r.has & DF_REC_STATIC) != 0;
        if (f->limit && f->records >= f->limit)
            return -1;
    }
    return 0;
}

/* Feeds a buffer of lines; the last may lack its '\n'. */
static void feed_buf(struct feed *f, const char *buf, size_t len)
{
    const char *p = buf, *end = buf + len, *nl;

    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (one_line(f, p, nl ? (size_t)(nl - p) : (size_t)(end - p)) < 0)
            return;
        if (nl == NULL)
            break;
        p = nl + 1;
    }
}

static void feed_init(struct feed *f)
{
    memset(f, 0, sizeof(*f));
    f->c = df_csv_new();
    assert_non_null(f->c);
}

/* Reads a file through df_input and the CSV reader. */
static void feed_path(struct feed *f, const char *path)
{
    struct df_input *in;
    size_t cap = 1 << 20, have = 0;
    char *buf = malloc(cap + 65536);
    long n;

    assert_non_null(buf);
    assert_int_equal(df_input_open(&in, path, f->err, sizeof(f->err)),
                     DF_OK);
    for (;;) {
        const char *p, *end, *nl;

        n = df_input_read(in, buf + have, cap);
        if (n <= 0)
            break;
        p = buf;
        end = buf + have + (size_t)n;
        while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            if (one_line(f, p, (size_t)(nl - p)) < 0)
                goto done;
            p = nl + 1;
        }
        have = (size_t)(end - p);
        assert_true(have < 65536);
        memmove(buf, p, have);
    }
    if (n == 0 && have > 0)
        one_line(f, buf, have);
done:
    f->rc = n;
    if (n < 0)
        snprintf(f->err, sizeof(f->err), "%s", df_input_error(in));
    df_input_free(in);
    free(buf);
}

static void feed_str(struct feed *f, const char *s)
{
    feed_buf(f, s, strlen(s));
}

static void check_pos(const struct df_rec *r, uint32_t mmsi, int64_t t_ms,
                      int32_t lon, int32_t lat, unsigned speed,
                      unsigned course, unsigned heading)
{
    assert_int_equal(r->mmsi, mmsi);
    assert_int_equal(r->msgtype, 0);
    assert_true(r->t_ms == t_ms);
    assert_true(r->has & DF_REC_POS);
    assert_int_equal(r->lon, lon);
    assert_int_equal(r->lat, lat);
    assert_int_equal(r->speed, speed);
    assert_int_equal(r->course, course);
    assert_int_equal(r->heading, heading);
}

static const struct df_stats *st(const struct feed *f)
{
    return df_csv_stats(f->c);
}

/* ---- real MarineCadastre files -------------------------------------- */

static void test_delaware(void **state)
{
    char *p = tu_data_path("csv/marinecadastre_2020-01-01/"
                           "subset_delaware_bay_2020-01-01.csv");
    struct feed f;
    const struct df_rec *r = &f.keep[0];

    (void)state;
    if (p == NULL) {
        skip();
        return;
    }
    feed_init(&f);
    feed_path(&f, p);
    assert_int_equal(f.rc, 0);
    assert_int_equal(f.records, 77890);
    assert_int_equal(f.pos, 77890);
    assert_int_equal(df_csv_dialect(f.c), DF_FMT_CSV_MC);
    assert_int_equal(st(&f)->drop_csv_row, 0);
    assert_int_equal(st(&f)->drop_csv_field, 0);
    assert_int_equal(st(&f)->records, 77890);
    assert_int_equal(st(&f)->lines, 77891);
    /* 247289800,2020-01-01T00:00:00,38.97312,-75.1248,16.4,335.6,337.0,
     * GRANDE CAMEROON,IMO9377482,ICEW,70.0 */
    check_pos(r, 247289800, 1577836800000LL, -45074880, 23383872, 164, 3356,
              337);
    assert_true(r->has & DF_REC_STATIC);
    assert_string_equal(r->shipname, "GRANDE CAMEROON");
    assert_int_equal(r->imo, 9377482);
    assert_string_equal(r->callsign, "ICEW");
    assert_int_equal(r->shiptype, 70);
    assert_int_equal(r->status, 15);
    assert_int_equal(r->cls, 0);
    assert_int_equal(r->length_dm, 0);
    df_csv_free(f.c);
    free(p);
}

static void test_mississippi_gz(void **state)
{
    char *p = tu_data_path("csv/marinecadastre_2020-01-01/"
                           "subset_lower_mississippi_2020-01-01.csv.gz");
    struct feed f;
    const struct df_rec *r = &f.keep[1];

    (void)state;
    if (p == NULL) {
        skip();
        return;
    }
    feed_init(&f);
    feed_path(&f, p);
    assert_int_equal(f.rc, 0);
    assert_int_equal(f.records, 266519);
    assert_int_equal(st(&f)->drop_csv_row, 0);
    /* 366996240,2020-01-01T00:00:00,29.95567,-90.02406,0.1,194.4,511.0,
     * DIXIE COURAGE,,WDC2671,31.0 */
    check_pos(r, 366996240, 1577836800000LL, -54014436, 17973402, 1, 1944,
              511);
    assert_int_equal(r->imo, 0);
    assert_string_equal(r->shipname, "DIXIE COURAGE");
    assert_string_equal(r->callsign, "WDC2671");
    assert_int_equal(r->shiptype, 31);
    df_csv_free(f.c);
    free(p);
}

static void test_2022_all_columns(void **state)
{
    char *p = tu_data_path("csv/marinecadastre_2022-01-03_sample/"
                           "AISdata_2022-01-03_first99999.csv");
    struct feed f;
    const struct df_rec *r;

    (void)state;
    if (p == NULL) {
        skip();
        return;
    }
    feed_init(&f);
    feed_path(&f, p);
    assert_int_equal(f.records, 99999);
    assert_int_equal(st(&f)->drop_csv_row, 0);
    /* heading 360 (7751005, six rows) is not a heading */
    assert_int_equal(st(&f)->drop_csv_field, 6);
    /* 338148873,2022-01-03T00:00:00,33.60716,-117.91483,0.0,280.0,511,
     * CAZADOR,,,37,,14,,,,B */
    r = &f.keep[0];
    check_pos(r, 338148873, 1641168000000LL, -70748898, 20164296, 0, 2800,
              511);
    assert_string_equal(r->shipname, "CAZADOR");
    assert_int_equal(r->imo, 0);
    assert_string_equal(r->callsign, "");
    assert_int_equal(r->shiptype, 37);
    assert_int_equal(r->status, 15);
    assert_int_equal(r->length_dm, 140);
    assert_int_equal(r->width_dm, 0);
    assert_int_equal(r->draught, 0);
    assert_int_equal(r->cls, 'B');
    /* 367379190,2022-01-03T00:00:00,30.3706,-88.56408,0.0,336.2,511,
     * EAGLE,IMO8207721,WTD4583,31,0,28,11,3.3,52,A */
    r = &f.keep[1];
    check_pos(r, 367379190, 1641168000000LL, -53138448, 18222360, 0, 3362,
              511);
    assert_int_equal(r->imo, 8207721);
    assert_string_equal(r->callsign, "WTD4583");
    assert_int_equal(r->status, 0);
    assert_int_equal(r->length_dm, 280);
    assert_int_equal(r->width_dm, 110);
    assert_int_equal(r->draught, 33);
    assert_int_equal(r->cls, 'A');
    df_csv_free(f.c);
    free(p);
}

static void test_nyharbor_column_order(void **state)
{
    char *p = tu_data_path("csv/marinecadastre_tracktable/"
                           "NYHarbor_2020_06_30_first_hour.csv");
    struct feed f;
    const struct df_rec *r;

    (void)state;
    if (p == NULL) {
        skip();
        return;
    }
    feed_init(&f);
    feed_path(&f, p);
    assert_int_equal(f.records, 8689);
    assert_int_equal(st(&f)->drop_csv_row, 0);
    /* BaseDateTime,LON,LAT,MMSI,...,TranscieverClass,ETA:
     * 2020-06-30T00:00:00,-74.07157,40.64409,367000140,0.0,-60.6,246.0,
     * SAMUEL I NEWHOUSE,IMO7702774,WYR3371,60.0,0.0,94.0,21.0,,69.0,B,... */
    r = &f.keep[0];
    check_pos(r, 367000140, 1593475200000LL, -44442942, 24386454, 0,
              4096 - 606, 246);
    assert_string_equal(r->shipname, "SAMUEL I NEWHOUSE");
    assert_int_equal(r->imo, 7702774);
    assert_int_equal(r->shiptype, 60);
    assert_int_equal(r->status, 0);
    assert_int_equal(r->length_dm, 940);
    assert_int_equal(r->width_dm, 210);
    assert_int_equal(r->draught, 0);
    assert_int_equal(r->cls, 'B');
    /* ...,19.0,-61.8,349.0,CG SHRIKE,,NPBG,90.0,0.0,26.0,5.0,,,B */
    r = &f.keep[1];
    assert_int_equal(r->mmsi, 366999618);
    assert_int_equal(r->speed, 190);
    assert_int_equal(r->course, 3478);   /* 347.8 degrees, heading 349 */
    df_csv_free(f.c);
    free(p);
}

static void test_points_files(void **state)
{
    static const struct {
        const char *rel;
        uint64_t rows;
    } tab[] = {
        {"csv/marinecadastre_tracktable/NYHarbor_2020_12_08_points.csv",
         9091},
        {"csv/marinecadastre_tracktable/"
         "VirginiaBeach_2020_06_04_to_06_filtered_points.csv",
         39822},
    };
    unsigned i;

    (void)state;
    for (i = 0; i < 2; i++) {
        char *p = tu_data_path(tab[i].rel);
        struct feed f;

        if (p == NULL) {
            skip();
            return;
        }
        feed_init(&f);
        feed_path(&f, p);
        assert_int_equal(f.records, tab[i].rows);
        assert_int_equal(f.pos, tab[i].rows);
        assert_int_equal(f.stat, 0);
        assert_int_equal(st(&f)->drop_csv_row, 0);
        df_csv_free(f.c);
        free(p);
    }
}

/* The whole 2020 day is too slow for a unit test: the first 100k rows. */
static void test_day_zst_head(void **state)
{
    char *p = tu_data_path("csv/marinecadastre_2020-01-01/"
                           "AIS_2020_01_01_named_vessels.csv.zst");
    struct feed f;
    const struct df_rec *r = &f.keep[0];

    (void)state;
    if (p == NULL) {
        skip();
        return;
    }
    feed_init(&f);
    f.limit = 100000;
    feed_path(&f, p);
    assert_int_equal(f.records, 100000);
    assert_int_equal(st(&f)->drop_csv_row, 0);
    /* 212911000,2020-01-01T00:00:00,49.28918,-123.06809,0.0,285.4,180.0,
     * LEMESSOS QUEEN,IMO9464417,5BVR4,70.0 */
    check_pos(r, 212911000, 1577836800000LL, -73840854, 29573508, 0, 2854,
              180);
    assert_string_equal(r->shipname, "LEMESSOS QUEEN");
    assert_int_equal(r->imo, 9464417);
    assert_string_equal(r->callsign, "5BVR4");
    assert_int_equal(r->shiptype, 70);
    df_csv_free(f.c);
    free(p);
}

/* ---- synthetic tables ----------------------------------------------- */

static const char mc_head[] =
    "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,"
    "VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass\n";

static void test_na_values(void **state)
{
    struct feed f;
    const struct df_rec *r = &f.keep[0];

    (void)state;
    feed_init(&f);
    feed_str(&f, mc_head);
    feed_str(&f, "123456789,2024-02-29T23:59:59,NA,NA,NA,NA,NA,NA,NA,NA,NA,"
                 "NA,NA,NA,NA,NA,NA\r\n");
    feed_str(&f, "123456789,2024-03-01T00:00:00,91,181,102.3,360,511,,,,,"
                 ",,,,,\n");
    assert_int_equal(f.records, 2);
    assert_int_equal(st(&f)->drop_csv_field, 0);
    assert_int_equal(r->mmsi, 123456789);
    assert_true(r->t_ms == 1709251199000LL);
    assert_int_equal(r->has, 0);
    assert_int_equal(r->lat, DF_LAT_NA);
    assert_int_equal(r->lon, DF_LON_NA);
    assert_int_equal(r->speed, DF_SPEED_NA);
    assert_int_equal(r->course, DF_COURSE_NA);
    assert_int_equal(r->heading, DF_HEADING_NA);
    assert_int_equal(r->status, 15);
    assert_string_equal(r->shipname, "");
    assert_int_equal(r->cls, 0);
    r = &f.keep[1];
    assert_true(r->t_ms == 1709251200000LL);
    assert_int_equal(r->has, 0);
    assert_int_equal(r->lat, DF_LAT_NA);
    assert_int_equal(r->lon, DF_LON_NA);
    assert_int_equal(r->speed, DF_SPEED_NA);
    assert_int_equal(r->course, DF_COURSE_NA);
    df_csv_free(f.c);
}

static void test_cog_and_ranges(void **state)
{
    static const struct {
        const char *cog;
        unsigned want;
        int bad;
    } tab[] = {
        {"-60.6", 3490, 0},   {"-204.8", 2048, 0}, {"-49.6", 3600, 0},
        {"-10.0", 3600, 1},   {"-204.9", 3600, 1}, {"360.0", 3600, 0},
        {"359.9", 3599, 0},   {"0", 0, 0},         {"400", 3600, 1},
        {"12.34", 123, 0},    {"12.35", 124, 0},   {"1e3", 3600, 1},
        {"", 3600, 0},        {"-", 3600, 1},      {".5", 5, 0},
    };
    unsigned i;

    (void)state;
    for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
        struct feed f;
        char line[256];

        feed_init(&f);
        feed_str(&f, "MMSI,BaseDateTime,LAT,LON,COG\n");
        snprintf(line, sizeof(line),
                 "1,2020-01-01T00:00:00,-0.000001,-180,%s", tab[i].cog);
        feed_str(&f, line);
        assert_int_equal(f.records, 1);
        assert_int_equal(f.keep[0].course, tab[i].want);
        assert_int_equal(st(&f)->drop_csv_field, (uint64_t)tab[i].bad);
        /* -0.000001 deg = -0.6 units: rounds to -1 (half away from 0) */
        assert_int_equal(f.keep[0].lat, -1);
        assert_int_equal(f.keep[0].lon, -180 * 600000);
        df_csv_free(f.c);
    }
}

static void test_bad_rows_and_fields(void **state)
{
    struct feed f;

    (void)state;
    feed_init(&f);
    feed_str(&f, mc_head);
    /* bad MMSI, bad time, Feb 30, too few fields, unclosed quote */
    feed_str(&f, "12x,2020-01-01T00:00:00,1,1,,,,,,,,,,,,,\n"
                 "1,2020-01-01 00:00,1,1,,,,,,,,,,,,,\n"
                 "1,2020-02-30T00:00:00,1,1,,,,,,,,,,,,,\n"
                 "1,2020-01-01T00:00:00,1,1\n"
                 "1,2020-01-01T00:00:00,1,1,,,,\"OPEN,,,,,,,,,\n");
    assert_int_equal(f.records, 0);
    assert_int_equal(st(&f)->drop_csv_row, 5);
    /* bad lat (95), SOG -1, heading 400, status 16, type 300, IMO junk */
    feed_str(&f, "2,2020-01-01T00:00:00,95,10,-1,10,400,X,IMOX,C,300,16,"
                 "1,1,1,,A\n");
    assert_int_equal(f.records, 1);
    assert_int_equal(st(&f)->drop_csv_field, 6);
    assert_int_equal(f.keep[0].has, DF_REC_STATIC);
    assert_int_equal(f.keep[0].lat, DF_LAT_NA);
    assert_int_equal(f.keep[0].lon, 6000000);
    assert_int_equal(f.keep[0].speed, DF_SPEED_NA);
    assert_int_equal(f.keep[0].heading, DF_HEADING_NA);
    assert_int_equal(f.keep[0].status, 15);
    assert_int_equal(f.keep[0].shiptype, 0);
    assert_int_equal(f.keep[0].imo, 0);
    assert_int_equal(f.keep[0].length_dm, 10);
    assert_int_equal(f.keep[0].draught, 10);
    assert_int_equal(f.keep[0].cls, 'A');
    /* blank lines are skipped, not dropped */
    feed_str(&f, "\n\r\n");
    assert_int_equal(st(&f)->skip_blank, 2);
    df_csv_free(f.c);
}

static void test_quoted(void **state)
{
    struct feed f;

    (void)state;
    feed_init(&f);
    feed_str(&f, "\"MMSI\",\"BaseDateTime\",\"LAT\",\"LON\",\"VesselName\","
                 "\"CallSign\"\n");
    feed_str(&f, "\"367704390\",2022-01-03T00:00:24,30.22025,-93.26768,"
                 "\"RAY \"\"CHIEF\"\" TONEY\",WDI5024\n"
                 "1,2022-01-03T00:00:24,1,1,\"SMITH, JOHN, & SONS\",\"\"\n"
                 "2,2022-01-03T00:00:24,1,1,"
                 "\"A VERY LONG NAME, LONGER THAN TWENTY\",X\n"
                 "3,2022-01-03T00:00:24,1,1,\"A\\B \"\"Q\"\" <b>\",Y\n"
                 /* junk after a closing quote: the row is dropped */
                 "4,2022-01-03T00:00:24,1,1,\"A\\\"B\",Y\n");
    assert_int_equal(f.records, 4);
    assert_int_equal(f.keep[0].mmsi, 367704390);
    assert_string_equal(f.keep[0].shipname, "RAY \"CHIEF\" TONEY");
    assert_string_equal(f.keep[0].callsign, "WDI5024");
    assert_string_equal(f.keep[1].shipname, "SMITH, JOHN, & SONS");
    assert_string_equal(f.keep[1].callsign, "");
    assert_string_equal(f.keep[2].shipname, "A VERY LONG NAME, LO");
    assert_string_equal(f.keep[2].callsign, "X");
    assert_string_equal(f.keep[3].shipname, "A\\B \"Q\" <b>");
    assert_int_equal(st(&f)->drop_csv_row, 1);
    df_csv_free(f.c);
}

static void test_snake_case_2025(void **state)
{
    struct feed f;
    const struct df_rec *r = &f.keep[0];

    (void)state;
    feed_init(&f);
    feed_str(&f, "mmsi,base_date_time,longitude,latitude,sog,cog,heading,"
                 "vessel_name,imo,call_sign,vessel_type,status,length,width,"
                 "draft,cargo,transceiver\n"
                 "538007214,2025-01-01T00:00:07,-90.10,29.5,12.05,-0.05,"
                 "12,ATLANTIC STAR,IMO9464417,V7ABC,80,0,183.0,32.2,11.6,80,"
                 "A\n");
    assert_int_equal(df_csv_dialect(f.c), DF_FMT_CSV_MC);
    assert_int_equal(f.records, 1);
    /* 12.05 kn -> 120.5 -> 121; -0.05 deg -> -0.5 -> -1 -> 4095: n/a */
    check_pos(r, 538007214, 1735689607000LL, -54060000, 17700000, 121,
              DF_COURSE_NA, 12);
    assert_int_equal(st(&f)->drop_csv_field, 1);
    assert_string_equal(r->callsign, "V7ABC");
    assert_int_equal(r->shiptype, 80);
    assert_int_equal(r->length_dm, 1830);
    assert_int_equal(r->width_dm, 322);
    assert_int_equal(r->draught, 116);
    assert_int_equal(r->cls, 'A');
    df_csv_free(f.c);
}

static void test_unknown_header(void **state)
{
    struct feed f;
    struct df_rec r;

    (void)state;
    feed_init(&f);
    feed_str(&f, "foo,bar,baz\n1,2,3\n");
    assert_int_equal(f.csv_rc, -1);
    assert_int_equal(f.records, 0);
    assert_string_equal(df_csv_error(f.c),
                        "CSV header names none of MMSI, "
                        "BaseDateTime/base_date_time, LAT, LON "
                        "(MarineCadastre) or # Timestamp, MMSI, Latitude, "
                        "Longitude (DMA)");
    assert_int_equal(df_csv_line(f.c, "1,2,3", 5, &r), -1);
    assert_int_equal(df_csv_dialect(f.c), DF_FMT_UNKNOWN);
    df_csv_free(f.c);

    /* Some but not all: the message says which are missing. */
    feed_init(&f);
    feed_str(&f, "MMSI,LAT,LON,SOG\n");
    assert_int_equal(f.csv_rc, -1);
    assert_non_null(strstr(df_csv_error(f.c), "lacks BaseDateTime"));
    assert_non_null(strstr(df_csv_error(f.c), "# Timestamp"));
    df_csv_free(f.c);
}

static const char dma_text[] =
    "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational "
    "status,ROT,SOG,COG,Heading,IMO,Callsign,Name,Ship type,Cargo type,"
    "Width,Length,Type of position fixing device,Draught,Destination,ETA,"
    "Data source type,A,B,C,D\n"
    "01/01/2023 00:00:00,Class A,219000123,55.676100,12.568300,Under way "
    "using engine,0.0,12.3,45.6,46,9235517,OXAB2,\"NIELS, JUEL\",Cargo,No "
    "additional information,32,225,GPS,12.2,AARHUS,02/01/2023 06:00:00,AIS,"
    "200,25,16,16\n"
    "31/12/2023 23:59:59,Class B,219000456,91.000000,181.000000,Unknown "
    "value,,,,,Unknown,Unknown,Unknown,Undefined,,,,Undefined,,Unknown,,"
    "AIS,,,,\n"
    "15/06/2023 12:30:00,Base Station,2190047,55.5,10.0,Moored,,,,,Unknown,"
    "Unknown,Unknown,Tanker,,,,GPS,,Unknown,,AIS,,,,\n"
    "15/06/2023 12:30:00,Class A,219000789,55.5,10.0,Sleeping,,,,,Unknown,"
    "Unknown,Unknown,Spaceship,,,,GPS,,Unknown,,AIS,,,,\n"
    "32/06/2023 12:30:00,Class A,219000789,55.5,10.0,Moored,,,,,Unknown,"
    "Unknown,Unknown,Tanker,,,,GPS,,Unknown,,AIS,,,,\n";

static void check_dma(struct feed *f)
{
    const struct df_rec *r = &f->keep[0];

    assert_int_equal(df_csv_dialect(f->c), DF_FMT_CSV_DMA);
    assert_int_equal(f->records, 4);
    assert_int_equal(st(f)->drop_csv_row, 1);     /* 32 June */
    assert_int_equal(st(f)->drop_csv_field, 2);   /* Sleeping, Spaceship */
    check_pos(r, 219000123, 1672531200000LL, 7540980, 33405660, 123, 456,
              46);
    assert_int_equal(r->status, 0);
    assert_int_equal(r->imo, 9235517);
    assert_string_equal(r->callsign, "OXAB2");
    assert_string_equal(r->shipname, "NIELS, JUEL");
    assert_string_equal(r->destination, "AARHUS");
    assert_int_equal(r->shiptype, 70);
    assert_int_equal(r->width_dm, 320);
    assert_int_equal(r->length_dm, 2250);
    assert_int_equal(r->draught, 122);
    assert_int_equal(r->to_bow, 200);
    assert_int_equal(r->to_stern, 25);
    assert_int_equal(r->to_port, 16);
    assert_int_equal(r->to_starboard, 16);
    assert_int_equal(r->cls, 'A');
    assert_int_equal(r->has, DF_REC_POS | DF_REC_STATIC);

    r = &f->keep[1];
    assert_int_equal(r->mmsi, 219000456);
    assert_true(r->t_ms == 1704067199000LL);
    assert_int_equal(r->has, 0);
    assert_int_equal(r->cls, 'B');
    assert_int_equal(r->status, 15);
    assert_string_equal(r->shipname, "");
    assert_int_equal(r->imo, 0);

    r = &f->keep[2];
    assert_int_equal(r->mmsi, 2190047);
    assert_int_equal(r->cls, 0);
    assert_int_equal(r->status, 5);
    assert_int_equal(r->shiptype, 80);
    assert_int_equal(r->lat, 33300000);
    assert_int_equal(r->lon, 6000000);
}

static void test_dma(void **state)
{
    struct feed f;
    char path[128], cmd[300];
    FILE *fp;

    (void)state;
    feed_init(&f);
    feed_str(&f, dma_text);
    check_dma(&f);
    df_csv_free(f.c);

    /* The same table as a gzip file read through df_input. */
    snprintf(path, sizeof(path), "%s/aisdk-2023-01-01.csv", tmpdir);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(dma_text, fp);
    fclose(fp);
    snprintf(cmd, sizeof(cmd), "gzip '%s'", path);
    assert_int_equal(system(cmd), 0);
    strcat(path, ".gz");
    feed_init(&f);
    feed_path(&f, path);
    assert_int_equal(f.rc, 0);
    check_dma(&f);
    df_csv_free(f.c);
}

/* A zstd table cut in half: every row before the damage, then the error. */
static void test_truncated_zst(void **state)
{
    char *p = tu_data_path("csv/marinecadastre_2020-01-01/"
                           "subset_delaware_bay_2020-01-01.csv");
    char cut[128], cmd[600];
    struct feed f;

    (void)state;
    if (p == NULL) {
        skip();
        return;
    }
    snprintf(cut, sizeof(cut), "%s/cut.zst", tmpdir);
    snprintf(cmd, sizeof(cmd),
             "zstd -q -c '%s' > '%s.full' && "
             "head -c $(( $(stat -c %%s '%s.full') / 2 )) '%s.full' > '%s'",
             p, cut, cut, cut, cut);
    assert_int_equal(system(cmd), 0);
    feed_init(&f);
    feed_path(&f, cut);
    assert_int_equal(f.rc, -1);
    assert_non_null(strstr(f.err, "cut.zst: truncated zstd stream"));
    /* About half the rows, all good (libarchive may hold back one
     * output block of at most 128 KiB, about 1,300 rows). */
    assert_true(f.records > 77890 / 2 - 3000);
    assert_true(f.records < 77890);
    assert_int_equal(st(&f)->drop_csv_field, 0);
    assert_true(st(&f)->drop_csv_row <= 1);
    assert_int_equal(f.keep[0].mmsi, 247289800);
    df_csv_free(f.c);
    free(p);
}

/* ---- df_rec_json ---------------------------------------------------- */

static void expect_json(const struct df_rec *r, unsigned flags,
                        const char *want)
{
    struct df_buf b = {0};

    df_rec_json(&b, r, flags);
    assert_false(b.oom);
    assert_non_null(b.data);
    assert_string_equal(b.data, want);
    df_buf_free(&b);
}

static void test_rec_json(void **state)
{
    struct feed f;

    (void)state;
    feed_init(&f);
    feed_str(&f, mc_head);
    feed_str(&f, "247289800,2020-01-01T00:00:00,38.97312,-75.1248,16.4,"
                 "335.6,337.0,GRANDE CAMEROON,IMO9377482,ICEW,70.0,NA,NA,NA,"
                 "NA,NA,NA\n"
                 "1,2020-01-01T00:00:01,-0.5,179.9999999,102.3,-60.6,511,"
                 "\"Q\"\"\\\x01<\",,,,,24.5,6,,,B\n");
    assert_int_equal(f.records, 2);
    expect_json(&f.keep[0], 0,
                "{\"class\":\"AIS\",\"mmsi\":247289800,"
                "\"time\":\"2020-01-01T00:00:00Z\",\"status\":15,"
                "\"speed\":164,\"lon\":-45074880,\"lat\":23383872,"
                "\"course\":3356,\"heading\":337,\"imo\":9377482,"
                "\"callsign\":\"ICEW\",\"shipname\":\"GRANDE CAMEROON\","
                "\"shiptype\":70}");
    expect_json(&f.keep[0], DF_JSON_SCALED,
                "{\"class\":\"AIS\",\"mmsi\":247289800,"
                "\"time\":\"2020-01-01T00:00:00Z\",\"status\":15,"
                "\"speed\":16.4,\"lon\":-75.1248000,\"lat\":38.9731200,"
                "\"course\":335.6,\"heading\":337,\"imo\":9377482,"
                "\"callsign\":\"ICEW\",\"shipname\":\"GRANDE CAMEROON\","
                "\"shiptype\":70}");
    /* n/a speed, 179.9999999 deg = 107999999.94 units -> 108000000,
     * length and width in metres, an escaped name, class B */
    expect_json(&f.keep[1], DF_JSON_SCALED,
                "{\"class\":\"AIS\",\"mmsi\":1,"
                "\"time\":\"2020-01-01T00:00:01Z\",\"status\":15,"
                "\"speed\":\"nan\",\"lon\":180.0000000,"
                "\"lat\":-0.5000000,\"course\":349.0,\"heading\":511,"
                "\"shipname\":\"Q\\\"\\\\\\u0001<\","
                "\"length\":24.5,\"width\":6.0,\"cls\":\"B\"}");
    df_csv_free(f.c);

    /* DMA: antenna offsets, draught, destination; a message type. */
    feed_init(&f);
    feed_str(&f, dma_text);
    f.keep[0].msgtype = 5;
    f.keep[0].t_ms = DF_TIME_NONE;
    expect_json(&f.keep[0], DF_JSON_SCALED,
                "{\"class\":\"AIS\",\"type\":5,\"mmsi\":219000123,"
                "\"status\":0,\"speed\":12.3,\"lon\":12.5683000,"
                "\"lat\":55.6761000,\"course\":45.6,\"heading\":46,"
                "\"imo\":9235517,\"callsign\":\"OXAB2\","
                "\"shipname\":\"NIELS, JUEL\",\"shiptype\":70,"
                "\"to_bow\":200,\"to_stern\":25,\"to_port\":16,"
                "\"to_starboard\":16,\"draught\":12.2,"
                "\"destination\":\"AARHUS\",\"cls\":\"A\"}");
    df_csv_free(f.c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delaware),
        cmocka_unit_test(test_mississippi_gz),
        cmocka_unit_test(test_2022_all_columns),
        cmocka_unit_test(test_nyharbor_column_order),
        cmocka_unit_test(test_points_files),
        cmocka_unit_test(test_day_zst_head),
        cmocka_unit_test(test_na_values),
        cmocka_unit_test(test_cog_and_ranges),
        cmocka_unit_test(test_bad_rows_and_fields),
        cmocka_unit_test(test_quoted),
        cmocka_unit_test(test_snake_case_2025),
        cmocka_unit_test(test_unknown_header),
        cmocka_unit_test(test_dma),
        cmocka_unit_test(test_truncated_zst),
        cmocka_unit_test(test_rec_json),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
