/*
 * test_screen.c - sanctions lists (src/names.c, list_load.c, watchlist.c,
 * screen.c): Jaro-Winkler reference values, name normalization, OFAC
 * sdn.csv (the 2024-05-03 and 2021-07 snapshots in
 * ../shared/data/sanctions, the latter with its alt.csv), OpenSanctions
 * maritime.csv, the UN 1718 vessel CSV, plain CSVs, caps, hostile
 * strings, the screening rules, and the speed of screening 20,000 vessels
 * against the 2024 list (printed, never asserted).
 *
 * Fixtures other than the shared data are written into a fresh temporary
 * folder at run time.  The UN 1718 rows use three vessels designated by
 * the 1718 Committee whose names and IMO numbers also appear in the OFAC
 * 2024 file (CHON MA SAN 8660313, YU JONG 2 8604917, KUM UN SAN 3
 * 8705539); everything else in them is made up and says so.
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
#include "screen.h"
#include "testutil.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static char tmpdir[256];

/* Writes len bytes of data to tmpdir/name; returns the path (static). */
static const char *write_fixture(const char *name, const char *data,
                                 size_t len)
{
    static char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

static const char *write_text(const char *name, const char *text)
{
    return write_fixture(name, text, strlen(text));
}

/* A sub-folder of tmpdir, created. */
static const char *subdir(const char *name)
{
    static char path[512];
    char cmd[600];

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
    assert_int_equal(system(cmd), 0);
    return path;
}

static int setup_tmp(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/df_screen_XXXXXX");
    return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown_tmp(void **state)
{
    char cmd[300];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static const struct df_list_entry *by_imo(const struct df_watchlist *wl,
                                          uint32_t imo)
{
    size_t i;

    for (i = 0; i < df_watchlist_count(wl); i++)
        if (df_watchlist_entry(wl, i)->imo == imo)
            return df_watchlist_entry(wl, i);
    return NULL;
}

static const struct df_list_entry *by_id(const struct df_watchlist *wl,
                                         const char *id)
{
    size_t i;

    for (i = 0; i < df_watchlist_count(wl); i++)
        if (strcmp(df_watchlist_entry(wl, i)->id, id) == 0)
            return df_watchlist_entry(wl, i);
    return NULL;
}

static int has_alias(const struct df_list_entry *e, const char *a)
{
    unsigned i;

    for (i = 0; i < e->naliases; i++)
        if (strcmp(e->aliases[i], a) == 0)
            return 1;
    return 0;
}

/* A tanker (AIS type 80: the kind lists hold) with one identity per name
 * given (NULL-terminated), the first the oldest. */
static void vessel(struct df_vessel *v, uint32_t mmsi, uint32_t imo,
                   const char *callsign, ...)
{
    va_list ap;
    const char *name;

    memset(v, 0, sizeof(*v));
    v->mmsi = mmsi;
    va_start(ap, callsign);
    while ((name = va_arg(ap, const char *)) != NULL &&
           v->nidentities < DF_MAX_IDENTITIES) {
        struct df_identity *id = &v->identities[v->nidentities++];

        snprintf(id->shipname, sizeof(id->shipname), "%s", name);
        snprintf(id->callsign, sizeof(id->callsign), "%s",
                 callsign ? callsign : "");
        id->imo = imo;
        id->shiptype = 80;      /* a tanker: the kind lists hold */
    }
    va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Jaro-Winkler and normalization                                      */
/* ------------------------------------------------------------------ */

static void test_jaro_winkler(void **state)
{
    (void)state;
    /* Winkler (1990) / Wikipedia reference pairs. */
    assert_true(fabs(df_jaro_winkler("MARTHA", "MARHTA") - 0.9611) < 1e-4);
    assert_true(fabs(df_jaro_winkler("DWAYNE", "DUANE") - 0.84) < 1e-4);
    assert_true(fabs(df_jaro_winkler("DIXON", "DICKSONX") - 0.8133) < 1e-4);
    assert_true(fabs(df_jaro_winkler("DUANE", "DWAYNE") - 0.84) < 1e-4);
    assert_true(df_jaro_winkler("CHON MA SAN", "CHON MA SAN") == 1.0);
    assert_true(df_jaro_winkler("", "ABC") == 0.0);
    assert_true(df_jaro_winkler("ABC", "XYZ") == 0.0);
    assert_true(df_jaro_winkler(NULL, "ABC") == 0.0);
    /* Below 0.7 no prefix boost: "AB" vs "BA" is Jaro 0.0, and "ABCD" vs
     * "ABXY" is Jaro 0.667 (boost would give 0.733). */
    assert_true(fabs(df_jaro_winkler("ABCD", "ABXY") - 2.0 / 3.0) < 1e-9);
}

static void test_normalize(void **state)
{
    static const char *const cases[][2] = {
        {"M/V  Chon-Ma San", "CHON MA SAN"},
        {"M.V. YU JONG 2", "YU JONG 2"},
        {"mv kum un san 3", "KUM UN SAN 3"},
        {"MT. Ocean Star", "OCEAN STAR"},
        {"M/T ARTAVIL", "ARTAVIL"},
        {"SS Great Britain", "GREAT BRITAIN"},
        {"S.S. Great Britain", "GREAT BRITAIN"},
        {"F/V Lucky Star 7", "LUCKY STAR 7"},
        {"FV LUCKY", "LUCKY"},
        {"The M/V Explorer", "EXPLORER"},
        {"THE", "THE"},             /* a prefix alone is the name */
        {"MV", "MV"},
        {"M V", "M V"},
        {"MVP SEA", "MVP SEA"},     /* not a prefix */
        {"  a  b  ", "A B"},
        {"NAV\xC3\x8DO ESPA\xC3\x91" "A", "NAVIO ESPANA"}, /* UTF-8 */
        {"NAV\xCDO ESPA\xD1" "A", "NAVIO ESPANA"},         /* Latin-1 */
        {"\xC3\x86R\xC3\x98 \xC3\x9F", "AERO SS"},
        {"G\xC3\x9CL \xC5\x9E" "AH", "GUL SAH"},            /* Turkish */
        {"\xD0\x9C\xD0\x98\xD0\xA0 1", "1"},                /* Cyrillic */
        {"<b>EVIL</b>, \"Q\" & CO", "B EVIL B Q CO"},
        {"", ""},
    };
    char out[64], small[6];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        df_name_normalize(cases[i][0], out, sizeof(out));
        if (strcmp(out, cases[i][1]) != 0)
            fail_msg("normalize(\"%s\") = \"%s\", want \"%s\"", cases[i][0],
                     out, cases[i][1]);
    }
    df_name_normalize("KUM UN SAN 3", small, sizeof(small));
    assert_string_equal(small, "KUM U");
    df_name_normalize("A      B", small, 2);
    assert_string_equal(small, "A");
    df_name_normalize(NULL, out, sizeof(out));
    assert_string_equal(out, "");
}

/* ------------------------------------------------------------------ */
/* OFAC, real files                                                    */
/* ------------------------------------------------------------------ */

static void test_ofac_2024(void **state)
{
    char *path = tu_data_path("sanctions/ofac_sdn_2024-05-03/sdn.csv");
    struct df_watchlist *wl;
    struct df__wl_stats st;
    const struct df_list_entry *e;
    char err[256];
    size_t i, nimo = 0, nmmsi = 0, nalias = 0;

    (void)state;
    if (path == NULL)
        skip();
    wl = df_watchlist_new();
    assert_non_null(wl);
    assert_int_equal(df_watchlist_load(wl, path, err, sizeof(err)), DF_OK);
    /* grep -ac ',"vessel",' sdn.csv: 851; with 'IMO [0-9]': 842; with
     * 'MMSI [0-9]': 154 (PROVENANCE.md says the same). */
    assert_int_equal(df_watchlist_count(wl), 851);
    for (i = 0; i < df_watchlist_count(wl); i++) {
        e = df_watchlist_entry(wl, i);
        nimo += e->imo != 0;
        nmmsi += e->mmsi != 0;
        nalias += e->naliases;
        assert_true(e->name[0] != '\0');
        assert_string_equal(e->list, "sdn.csv");
        if (e->imo != 0 && !df_imo_valid(e->imo))
            fprintf(stderr, "note: %s %s lists IMO %u, check digit fails\n",
                    e->id, e->name, (unsigned)e->imo);
    }
    /* 842 rows match grep 'IMO [0-9]'; two more write "IMO  8730455" with
     * two spaces (37032 CHIZHOVKA, 37043 MEKHANIK BRILIN):
     * grep -cE 'IMO +[0-9]{7}' gives 844. */
    assert_int_equal(nimo, 844);
    assert_int_equal(nmmsi, 154);
    assert_null(df_watchlist_entry(wl, 851));
    df__watchlist_stats(wl, &st);
    assert_int_equal(st.rows, 14965);
    assert_int_equal(st.vessels, 851);
    assert_int_equal(st.not_vessel, 14965 - 851);
    assert_int_equal(st.malformed, 0);
    printf("ofac 2024: %zu vessels, %zu with IMO, %zu with MMSI, %zu "
           "aliases\n", df_watchlist_count(wl), nimo, nmmsi, nalias);

    /* 23729,"CHON MA SAN","vessel","DPRK4",... IMO 8660313. */
    e = by_imo(wl, 8660313);
    assert_non_null(e);
    assert_string_equal(e->name, "CHON MA SAN");
    assert_string_equal(e->id, "23729");
    assert_string_equal(e->program, "DPRK4");
    assert_string_equal(e->flag, "Democratic People's Republic of Korea");
    assert_string_equal(e->callsign, "");

    /* 15036,"ARTAVIL": call sign T2EU4, MMSI 572469210, f.k.a. 'ALPHA'. */
    e = by_imo(wl, 9187629);
    assert_non_null(e);
    assert_string_equal(e->name, "ARTAVIL");
    assert_string_equal(e->program, "IRAN");
    assert_string_equal(e->callsign, "T2EU4");
    assert_int_equal(e->mmsi, 572469210);
    assert_int_equal(e->naliases, 1);
    assert_string_equal(e->aliases[0], "ALPHA");

    /* 15037,"ARK III": four f.k.a. names. */
    e = by_id(wl, "15037");
    assert_non_null(e);
    assert_int_equal(e->imo, 9187655);
    assert_int_equal(e->naliases, 4);
    assert_true(has_alias(e, "ABADEH") && has_alias(e, "CRYSTAL") &&
                has_alias(e, "SUNDIAL") && has_alias(e, "ARK"));

    /* 30823,"FORTUNA": program "CAATSA - RUSSIA] [PEESA-EO14039". */
    e = by_id(wl, "30823");
    assert_non_null(e);
    assert_string_equal(e->program, "CAATSA - RUSSIA; PEESA-EO14039");
    assert_string_equal(e->callsign, "UBDP8");

    df_watchlist_free(wl);
    free(path);
}

static void test_ofac_2021_alt(void **state)
{
    char *path = tu_data_path("sanctions/ofac_sdn_2021-07/sdn.csv");
    struct df_watchlist *wl;
    struct df__wl_stats st;
    const struct df_list_entry *e;
    char err[256];
    size_t i, nimo = 0, nmmsi = 0, nalias = 0;

    (void)state;
    if (path == NULL)
        skip();
    wl = df_watchlist_new();
    assert_non_null(wl);
    assert_int_equal(df_watchlist_load(wl, path, err, sizeof(err)), DF_OK);
    /* grep: 406 vessels, 51 with MMSI, 400 with 'IMO [0-9]' of which one
     * is not an IMO number (23424 BONU 5, "IMO 15411", a Maltese
     * registration number in the 2024 file): 399. */
    assert_int_equal(df_watchlist_count(wl), 406);
    for (i = 0; i < df_watchlist_count(wl); i++) {
        e = df_watchlist_entry(wl, i);
        nimo += e->imo != 0;
        nmmsi += e->mmsi != 0;
        nalias += e->naliases;
    }
    assert_int_equal(nimo, 399);
    e = by_id(wl, "23424");
    assert_non_null(e);
    assert_int_equal(e->imo, 0);
    assert_int_equal(nmmsi, 51);
    df__watchlist_stats(wl, &st);
    assert_int_equal(st.rows, 8976);
    assert_int_equal(st.malformed, 0);
    assert_int_equal(st.alt_rows, 11910);
    printf("ofac 2021: %zu vessels, %zu with IMO, %zu with MMSI, %zu "
           "aliases (remarks and alt.csv)\n", df_watchlist_count(wl), nimo,
           nmmsi, nalias);

    /* 15036,"ARTAVIL": f.k.a. 'ALPHA' in Remarks; alt.csv rows
     * 15036,22153,"fka","ABADAN" and 15036,40680,"fka","SHONA". */
    e = by_id(wl, "15036");
    assert_non_null(e);
    assert_string_equal(e->name, "ARTAVIL");
    assert_int_equal(e->imo, 9187629);
    assert_int_equal(e->naliases, 3);
    assert_true(has_alias(e, "ALPHA"));
    assert_true(has_alias(e, "ABADAN"));
    assert_true(has_alias(e, "SHONA"));
    /* 15038: alt.csv only (AMOL, CASTOR, CHRISTINA, ARGO 1, SILVER
     * CLOUD). */
    e = by_id(wl, "15038");
    assert_non_null(e);
    assert_true(has_alias(e, "AMOL") && has_alias(e, "SILVER CLOUD") &&
                has_alias(e, "ARGO 1"));
    /* Aliases of companies in alt.csv are not attached to anything. */
    assert_null(by_id(wl, "36"));

    df_watchlist_free(wl);
    free(path);
}

/* ------------------------------------------------------------------ */
/* OFAC, synthetic: encoding, nulls, hostile strings, alt.csv          */
/* ------------------------------------------------------------------ */

static const char ofac_fixture[] =
    "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,"
    "-0- ,-0- ,-0- \r\n"
    /* Latin-1 I-acute, N-tilde, E-acute. */
    "9001,\"NAV\xCDO ESPA\xD1" "A\",\"vessel\",\"IRAN\",-0- ,\"9HA1234\","
    "\"Crude Oil Tanker\",-0- ,-0- ,\"Panama\",-0- ,\"Vessel Registration "
    "Identification IMO 9074729; MMSI 352001234; f.k.a. 'OLD \xC9TOILE'; "
    "Linked To: SOME SHIPPING CO.\"\r\n"
    /* Hostile: markup, a comma and quotes inside the quoted name. */
    "9002,\"<b>EVIL</b>, \"\"QUOTED\"\" & CO <script>x()</script>\","
    "\"vessel\",\"DPRK3] [SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"
    "\"a.k.a. 'A;B'\"\r\n"
    "9003,\"BROKEN ROW\",\"vessel\"\r\n"
    "9004,\"NO IMO TUG\",\"vessel\",\"CUBA\",-0-,\"CL2192\",\"Tug\",-0-,"
    "\"212\",\"Cuba\",-0-,-0-\r\n"
    "\x1a";

static const char ofac_alt_fixture[] =
    "9001,1,\"fka\",\"SEA PEARL\",-0- \r\n"
    "9001,2,\"aka\",\"Navio Espana\",-0- \r\n"   /* duplicate of the name */
    "9001,3,\"fka\",\"SEA PEARL\",-0- \r\n"      /* duplicate alias */
    "36,4,\"aka\",\"AERO-CARIBBEAN\",-0- \r\n"   /* not a vessel */
    "9004,5,\"fka\",-0- ,-0- \r\n"               /* null name */
    "\x1a";

static void test_ofac_synthetic(void **state)
{
    const char *dir = subdir("ofac");
    char path[600], err[256];
    struct df_watchlist *wl = df_watchlist_new();
    struct df__wl_stats st;
    const struct df_list_entry *e;

    (void)state;
    assert_non_null(wl);
    snprintf(path, sizeof(path), "%s/sdn.csv", dir);
    write_text("ofac/sdn.csv", ofac_fixture);
    write_text("ofac/alt.csv", ofac_alt_fixture);
    assert_int_equal(df_watchlist_load(wl, path, err, sizeof(err)), DF_OK);
    assert_int_equal(df_watchlist_count(wl), 3);
    df__watchlist_stats(wl, &st);
    assert_int_equal(st.rows, 5);
    assert_int_equal(st.not_vessel, 1);
    assert_int_equal(st.malformed, 1);

    e = by_id(wl, "9001");
    assert_non_null(e);
    assert_string_equal(e->name, "NAV\xC3\x8DO ESPA\xC3\x91" "A");
    assert_string_equal(e->program, "IRAN");
    assert_string_equal(e->callsign, "9HA1234");
    assert_string_equal(e->flag, "Panama");
    assert_int_equal(e->imo, 9074729);
    assert_int_equal(e->mmsi, 352001234);
    assert_int_equal(e->naliases, 2);
    assert_string_equal(e->aliases[0], "OLD \xC3\x89TOILE");
    assert_string_equal(e->aliases[1], "SEA PEARL");

    e = by_id(wl, "9002");
    assert_non_null(e);
    assert_string_equal(e->name, "<b>EVIL</b>, \"QUOTED\" & CO "
                                 "<script>x()</script>");
    assert_string_equal(e->program, "DPRK3; SDGT");
    assert_int_equal(e->naliases, 1);
    assert_string_equal(e->aliases[0], "A;B");
    assert_string_equal(e->flag, "");
    assert_string_equal(e->callsign, "");
    assert_int_equal(e->imo, 0);
    assert_int_equal(e->mmsi, 0);

    e = by_id(wl, "9004");
    assert_non_null(e);
    assert_string_equal(e->callsign, "CL2192");
    assert_int_equal(e->naliases, 0);

    df_watchlist_free(wl);
}

/* ------------------------------------------------------------------ */
/* OpenSanctions, UN 1718, plain CSV                                   */
/* ------------------------------------------------------------------ */

/* Shaped like OpenSanctions' maritime.csv; the ARTAVIL identifiers are
 * the ones OFAC lists, the ids and urls are made up. */
static const char os_fixture[] =
    "type,name,imo,risk,countries,flag,mmsi,id,url,datasets,aliases\n"
    "Vessel,ARTAVIL,IMO9187629,sanction,ir,ir,572469210,test-artavil,"
    "https://example.org/artavil,us_ofac_sdn,ALPHA;ABADAN;SHONA\n"
    "Company,NATIONAL IRANIAN TANKER COMPANY,,sanction,ir,,,test-nitc,,"
    "us_ofac_sdn,NITC\n"
    "Vessel,\"SEA, \"\"STAR\"\"\",,sanction,,pa,,test-star,,"
    "test_dataset;other,\n";

/* The OpenSanctions transcription of the 1718 Committee list: names and
 * IMO numbers are real; "KUMUNSAN 3" is a made-up second spelling to
 * exercise the "1: ... 2: ..." cells. */
static const char un_fixture[] =
    "vessel_name,imo_number,mmsi,flag,call_sign,type,other_information,"
    "date_of_designation,designated_owner\n"
    "CHON MA SAN,8660313,,Democratic People's Republic of Korea,,,,,\n"
    "YU JONG 2,8604917,,Democratic People's Republic of Korea,,,,,\n"
    "\"1: KUM UN SAN 3 2: KUMUNSAN 3\",\"1: 8705539\",,"
    "\"1: Democratic People's Republic of Korea\",,,,,\n";

static void test_opensanctions(void **state)
{
    const char *path = write_text("maritime.csv", os_fixture);
    struct df_watchlist *wl = df_watchlist_new();
    struct df__wl_stats st;
    const struct df_list_entry *e;
    char err[256];

    (void)state;
    assert_int_equal(df_watchlist_load(wl, path, err, sizeof(err)), DF_OK);
    assert_int_equal(df_watchlist_count(wl), 2);
    df__watchlist_stats(wl, &st);
    assert_int_equal(st.not_vessel, 1);
    e = df_watchlist_entry(wl, 0);
    assert_string_equal(e->list, "maritime.csv");
    assert_string_equal(e->name, "ARTAVIL");
    assert_string_equal(e->id, "test-artavil");
    assert_int_equal(e->imo, 9187629);
    assert_int_equal(e->mmsi, 572469210);
    assert_string_equal(e->flag, "ir");
    assert_string_equal(e->program, "us_ofac_sdn");
    assert_int_equal(e->naliases, 3);
    assert_string_equal(e->aliases[0], "ALPHA");
    assert_string_equal(e->aliases[2], "SHONA");
    e = df_watchlist_entry(wl, 1);
    assert_string_equal(e->name, "SEA, \"STAR\"");
    assert_string_equal(e->program, "test_dataset;other");
    assert_int_equal(e->naliases, 0);
    df_watchlist_free(wl);
}

static void test_un1718(void **state)
{
    const char *path = write_text("un_1718_vessels.csv", un_fixture);
    struct df_watchlist *wl = df_watchlist_new();
    const struct df_list_entry *e;
    char err[256];

    (void)state;
    assert_int_equal(df_watchlist_load(wl, path, err, sizeof(err)), DF_OK);
    assert_int_equal(df_watchlist_count(wl), 3);
    e = by_imo(wl, 8660313);
    assert_non_null(e);
    assert_string_equal(e->name, "CHON MA SAN");
    assert_string_equal(e->program, "UN 1718");
    assert_string_equal(e->flag, "Democratic People's Republic of Korea");
    e = by_imo(wl, 8705539);
    assert_non_null(e);
    assert_string_equal(e->name, "KUM UN SAN 3");
    assert_int_equal(e->naliases, 1);
    assert_string_equal(e->aliases[0], "KUMUNSAN 3");
    assert_string_equal(e->flag, "Democratic People's Republic of Korea");
    df_watchlist_free(wl);
}

static void test_plain_and_caps(void **state)
{
    char *csv = malloc(65536), *p;
    const char *path;
    struct df_watchlist *wl = df_watchlist_new();
    struct df__wl_stats st;
    const struct df_list_entry *e;
    char err[256];
    int i;

    (void)state;
    assert_non_null(csv);
    p = csv;
    p += sprintf(p, "Vessel Name,IMO,MMSI,Call Sign,Aliases,Program,Flag\n"
                    "Test Tanker One,9074729,352001234,3E1234,"
                    "OLD ONE|OLDER ONE,TEST,Panama\n"
                    "Many Names,,,,");
    for (i = 0; i < 70; i++)
        p += sprintf(p, "%sNAME %d", i ? "|" : "", i);
    p += sprintf(p, ",,\n\"");
    for (i = 0; i < 400; i++)
        *p++ = 'X';
    p += sprintf(p, "\",1234567,,,,,\n"
                    ",9999999,,,,,\n");          /* no name: malformed */
    *p = '\0';
    path = write_text("plain.csv", csv);
    assert_int_equal(df_watchlist_load(wl, path, err, sizeof(err)), DF_OK);
    assert_int_equal(df_watchlist_count(wl), 3);
    e = df_watchlist_entry(wl, 0);
    assert_string_equal(e->name, "Test Tanker One");
    assert_int_equal(e->imo, 9074729);
    assert_int_equal(e->mmsi, 352001234);
    assert_string_equal(e->callsign, "3E1234");
    assert_string_equal(e->program, "TEST");
    assert_string_equal(e->flag, "Panama");
    assert_string_equal(e->id, "1");
    assert_int_equal(e->naliases, 2);
    e = df_watchlist_entry(wl, 1);
    assert_int_equal(e->naliases, DF__WL_MAX_ALIASES);
    e = df_watchlist_entry(wl, 2);
    assert_int_equal(strlen(e->name), DF__WL_MAX_NAME);
    df__watchlist_stats(wl, &st);
    assert_int_equal(st.aliases_dropped, 70 - DF__WL_MAX_ALIASES);
    assert_int_equal(st.truncated, 1);
    assert_int_equal(st.malformed, 1);
    df_watchlist_free(wl);
    free(csv);
}

static void test_bad_input(void **state)
{
    struct df_watchlist *wl = df_watchlist_new();
    char err[256];
    const char *path;
    static const char junk[] = "\x00\x01\x02 binary \xff\xfe";

    (void)state;
    path = write_text("notes.txt", "hello world\nthis is not a list\n");
    assert_int_equal(df_watchlist_load(wl, path, err, sizeof(err)),
                     DF_FORMAT);
    assert_non_null(strstr(err, "notes.txt"));
    assert_null(strchr(err, '\n'));
    path = write_text("empty.csv", "");
    assert_int_equal(df_watchlist_load(wl, path, err, sizeof(err)),
                     DF_FORMAT);
    path = write_fixture("junk.bin", junk, sizeof(junk) - 1);
    assert_int_equal(df_watchlist_load(wl, path, err, sizeof(err)),
                     DF_FORMAT);
    /* A header without a name column is not a list. */
    path = write_text("ais.csv", "mmsi,imo,lat,lon\n1,2,3,4\n");
    assert_int_equal(df_watchlist_load(wl, path, err, sizeof(err)),
                     DF_FORMAT);
    /* Unterminated quote: counted, not fatal. */
    path = write_text("open.csv", "name,imo\n\"OPEN QUOTE,9074729\n");
    assert_int_equal(df_watchlist_load(wl, path, err, sizeof(err)), DF_OK);
    assert_int_equal(df_watchlist_load(wl, "/nonexistent/sdn.csv", err,
                                       sizeof(err)), DF_IO);
    assert_int_equal(df_watchlist_load(wl, NULL, err, sizeof(err)),
                     DF_INVAL);
    assert_int_equal(df_watchlist_count(wl), 0);
    df_watchlist_free(wl);
    df_watchlist_free(NULL);
}

/* ------------------------------------------------------------------ */
/* Screening                                                           */
/* ------------------------------------------------------------------ */

static struct df_watchlist *fixture_lists(void)
{
    struct df_watchlist *wl = df_watchlist_new();
    char err[256];

    assert_non_null(wl);
    assert_int_equal(df_watchlist_load(wl, write_text("un.csv", un_fixture),
                                       err, sizeof(err)), DF_OK);
    assert_int_equal(df_watchlist_load(wl,
                                       write_text("maritime.csv",
                                                  os_fixture),
                                       err, sizeof(err)), DF_OK);
    write_text("sdn.csv", ofac_fixture);
    assert_int_equal(df_watchlist_load(wl, write_text("sdn.csv",
                                                      ofac_fixture),
                                       err, sizeof(err)), DF_OK);
    assert_int_equal(df_watchlist_count(wl), 3 + 2 + 3);
    return wl;
}

static void test_screen_rules(void **state)
{
    struct df_watchlist *wl = fixture_lists();
    struct df_vessel v;
    struct df_match m[8];
    size_t n;

    (void)state;
    /* An earlier name matches an alias (f.k.a. ABADAN) though the current
     * name does not; nothing else links the vessel to the entry. */
    vessel(&v, 538000001, 0, NULL, "ABADAN", "OCEAN GLORY", NULL);
    v.identities[1].shiptype = 80;   /* a tanker, as listed ships are */
    n = df_watchlist_screen(wl, &v, 0.92, m, 8);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].by, DF_MATCH_NAME);
    assert_string_equal(m[0].entry->name, "ARTAVIL");
    assert_string_equal(m[0].matched, "ABADAN");
    assert_true(fabs(m[0].score - 0.75) < 1e-9);

    /* The IMO decides: a vessel broadcasting IMO 8660313 is CHON MA SAN,
     * whatever else it is called; YU JONG 2, listed with IMO 8604917, is
     * another ship. */
    vessel(&v, 445000001, 8660313, NULL, "YU JONG 2", "CHON MA SAN", NULL);
    v.identities[0].shiptype = v.identities[1].shiptype = 80;
    n = df_watchlist_screen(wl, &v, 0.92, m, 8);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].by, DF_MATCH_IMO);
    assert_true(m[0].score == 1.0);
    assert_string_equal(m[0].entry->name, "CHON MA SAN");
    assert_string_equal(m[0].matched, "8660313");
    assert_int_equal(m[0].fit, 0);
    /* Without an IMO of its own, the name stands when the type fits: IMO
     * beats the name of the same entry and ranks above it. */
    vessel(&v, 445000001, 0, NULL, "YU JONG 2", NULL);
    v.identities[0].shiptype = 80;
    n = df_watchlist_screen(wl, &v, 0.92, m, 8);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].by, DF_MATCH_NAME);
    assert_string_equal(m[0].entry->name, "YU JONG 2");
    assert_int_equal(m[0].fit, 1);
    assert_non_null(strstr(m[0].fit_why, "listed without type or size"));
    n = df_watchlist_screen(wl, &v, 0.92, m, 0);   /* max honoured */
    assert_int_equal(n, 0);
    /* A pleasure craft is not the listed crude oil tanker NAVIO ESPANA;
     * nor is a ship that gives no type (nothing to tell them apart). */
    vessel(&v, 366000001, 0, NULL, "NAVIO ESPANA", NULL);
    v.identities[0].shiptype = 37;
    assert_int_equal(df_watchlist_screen(wl, &v, 0.92, m, 8), 0);
    v.identities[0].shiptype = 0;
    assert_int_equal(df_watchlist_screen(wl, &v, 0.92, m, 8), 0);
    v.identities[0].shiptype = 81;
    assert_int_equal(df_watchlist_screen(wl, &v, 0.92, m, 8), 1);
    assert_non_null(strstr(m[0].fit_why, "fits Crude Oil Tanker"));
    /* Its length must fit the listed tonnage, when both are known. */
    {
        struct df_list_entry e;
        char why[96];

        memset(&e, 0, sizeof e);
        e.vessel_type = "Crude Oil Tanker";
        e.gross_tonnage = 56068;     /* L ~ 190 m: 95-380 m fit */
        v.identities[0].length_m = 12;
        assert_int_equal(df__listing_fit(&e, &v, why, sizeof why), -1);
        v.identities[0].length_m = 250;
        assert_int_equal(df__listing_fit(&e, &v, why, sizeof why), 2);
        assert_non_null(strstr(why, "250 m fits 56068 GT"));
    }

    /* A wrong check digit never matches by IMO. */
    vessel(&v, 0, 8660314, NULL, "NOTHING ALIKE", NULL);
    assert_int_equal(df_watchlist_screen(wl, &v, 0.92, m, 8), 0);

    /* MMSI. */
    vessel(&v, 572469210, 0, NULL, "SOMETHING", NULL);
    n = df_watchlist_screen(wl, &v, 0.92, m, 8);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].by, DF_MATCH_MMSI);
    assert_true(fabs(m[0].score - 0.95) < 1e-9);
    assert_string_equal(m[0].matched, "572469210");
    vessel(&v, 352001234, 0, NULL, "SOMETHING", NULL);
    n = df_watchlist_screen(wl, &v, 0.92, m, 8);
    assert_int_equal(n, 1);
    assert_string_equal(m[0].entry->id, "9001");

    /* Call sign, normalized; shorter than 4 never matches. */
    vessel(&v, 0, 0, "9ha1234", "SOMETHING", NULL);
    n = df_watchlist_screen(wl, &v, 0.92, m, 8);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].by, DF_MATCH_CALLSIGN);
    assert_true(fabs(m[0].score - 0.8) < 1e-9);
    assert_string_equal(m[0].entry->id, "9001");
    assert_string_equal(m[0].matched, "9ha1234");
    vessel(&v, 0, 0, "9HA", "SOMETHING", NULL);
    assert_int_equal(df_watchlist_screen(wl, &v, 0.92, m, 8), 0);

    /* Prefixes, punctuation, accents and Latin-1 list text. */
    vessel(&v, 0, 0, NULL, "M/V  Chon-Ma San", NULL);
    n = df_watchlist_screen(wl, &v, 0.92, m, 8);
    assert_int_equal(n, 1);
    assert_string_equal(m[0].entry->name, "CHON MA SAN");
    vessel(&v, 0, 0, NULL, "NAVIO ESPANA", NULL);
    n = df_watchlist_screen(wl, &v, 0.92, m, 8);
    assert_int_equal(n, 1);
    assert_string_equal(m[0].entry->id, "9001");
    vessel(&v, 0, 0, NULL, "OLD ETOILE", NULL);
    n = df_watchlist_screen(wl, &v, 0.92, m, 8);
    assert_int_equal(n, 1);
    assert_string_equal(m[0].entry->id, "9001");

    /* A near spelling matches with its Jaro-Winkler score scaled; the
     * threshold rules out weaker ones. */
    vessel(&v, 0, 0, NULL, "KUMUNSAN 3", NULL);
    n = df_watchlist_screen(wl, &v, 0.92, m, 8);
    assert_int_equal(n, 1);
    vessel(&v, 0, 0, NULL, "KUM UN SAM 3", NULL);
    n = df_watchlist_screen(wl, &v, 0.92, m, 8);
    assert_int_equal(n, 1);
    assert_true(m[0].score < 0.75 && m[0].score >= 0.75 * 0.92);
    assert_true(fabs(m[0].score -
                     0.75 * df_jaro_winkler("KUM UN SAM 3",
                                            "KUM UN SAN 3")) < 1e-9);
    n = df_watchlist_screen(wl, &v, 0.99, m, 8);
    assert_int_equal(n, 0);

    /* Markup in a name is matched as words, never interpreted. */
    vessel(&v, 0, 0, NULL, "EVIL QUOTED CO", NULL);
    assert_int_equal(df_watchlist_screen(wl, &v, 0.92, m, 8), 0);

    /* Misuse. */
    assert_int_equal(df_watchlist_screen(NULL, &v, 0.92, m, 8), 0);
    assert_int_equal(df_watchlist_screen(wl, NULL, 0.92, m, 8), 0);
    assert_int_equal(df_watchlist_screen(wl, &v, 0.92, m, 0), 0);
    df_watchlist_free(wl);
}

/* The pruned name scan finds exactly what a full scan finds. */
static void test_screen_exhaustive(void **state)
{
    char *path = tu_data_path("sanctions/ofac_sdn_2024-05-03/sdn.csv");
    static const char *const probes[] = {
        "ARTAVIL", "ARTAVILL", "ARK 3", "CHONMASAN", "KUM UN SAN",
        "SEA SHARK", "YU JONG 8", "NS CENTURI", "FU YUAN YU 7877",
        "SASCO ANIVA", "POLA MARIA", "BICENTENARIO X", "MARIA", "A",
    };
    struct df_watchlist *wl;
    char err[256];
    size_t p;

    (void)state;
    if (path == NULL)
        skip();
    wl = df_watchlist_new();
    assert_int_equal(df_watchlist_load(wl, path, err, sizeof(err)), DF_OK);
    for (p = 0; p < sizeof(probes) / sizeof(probes[0]); p++) {
        double thr[] = {0.85, 0.92};
        size_t t;

        for (t = 0; t < 2; t++) {
            struct df_vessel v;
            struct df_match m[256];
            char qn[64], en[64];
            size_t n, i, want = 0;
            unsigned a;

            vessel(&v, 0, 0, NULL, probes[p], NULL);
            v.identities[0].shiptype = 80;
            n = df_watchlist_screen(wl, &v, thr[t], m, 256);
            df_name_normalize(probes[p], qn, sizeof(qn));
            for (i = 0; i < df_watchlist_count(wl); i++) {
                const struct df_list_entry *e = df_watchlist_entry(wl, i);
                double best;

                df_name_normalize(e->name, en, sizeof(en));
                best = df_jaro_winkler(qn, en);
                for (a = 0; a < e->naliases; a++) {
                    df_name_normalize(e->aliases[a], en, sizeof(en));
                    if (df_jaro_winkler(qn, en) > best)
                        best = df_jaro_winkler(qn, en);
                }
                want += best >= thr[t] &&
                        df__listing_fit(e, &v, en, sizeof(en)) > 0;
            }
            if (n != want)
                fail_msg("%s at %.2f: %zu matches, full scan %zu",
                         probes[p], thr[t], n, want);
            for (i = 1; i < n; i++)
                assert_true(m[i - 1].score >= m[i].score);
        }
    }
    df_watchlist_free(wl);
    free(path);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

static double clock_s(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

static void test_screen_speed(void **state)
{
    static const char *const syl[] = {
        "SEA", "STAR", "OCEAN", "PRIDE", "GLORY", "KUM", "SAN", "HAI",
        "YANG", "SHUN", "DA", "FENG", "LUCKY", "NORTH", "WIND", "PEARL",
        "BLUE", "JADE", "TIAN", "XIN", "NEW", "ALPHA", "ROSE", "MING",
    };
    enum { NV = 20000 };
    char *path = tu_data_path("sanctions/ofac_sdn_2024-05-03/sdn.csv");
    struct df_watchlist *wl;
    struct df_vessel *vs;
    struct df_match m[16];
    char err[256];
    size_t i, total = 0, planted_imo = 0, planted_name = 0, found_imo = 0,
              found_name = 0, nlist;
    double t0, t1, c0, c1;

    (void)state;
    if (path == NULL)
        skip();
    wl = df_watchlist_new();
    t0 = now_s();
    assert_int_equal(df_watchlist_load(wl, path, err, sizeof(err)), DF_OK);
    t1 = now_s();
    printf("load: %.1f ms for %zu entries\n", (t1 - t0) * 1e3,
           df_watchlist_count(wl));
    nlist = df_watchlist_count(wl);
    vs = calloc(NV, sizeof(*vs));
    assert_non_null(vs);
    for (i = 0; i < NV; i++) {
        struct df_vessel *v = &vs[i];
        unsigned k, nid = 1 + rng() % 3;

        v->mmsi = 200000000u + rng() % 500000000u;
        v->nidentities = nid;
        for (k = 0; k < nid; k++) {
            struct df_identity *id = &v->identities[k];
            uint32_t r1 = rng(), r2 = rng(), r3 = rng();

            snprintf(id->shipname, sizeof(id->shipname), "%s %s %u",
                     syl[r1 % 24], syl[r2 % 24], (unsigned)(r3 % 100));
            r1 = rng();
            r2 = rng();
            r3 = rng();
            snprintf(id->callsign, sizeof(id->callsign), "%c%c%u",
                     'A' + (int)(r1 % 26), 'A' + (int)(r2 % 26),
                     (unsigned)(r3 % 10000));
            id->imo = 1000000 + rng() % 9000000;
        }
        if (i % 1000 == 0) {
            const struct df_list_entry *e = df_watchlist_entry(wl,
                                                               rng() % nlist);

            if (e->imo != 0 && df_imo_valid(e->imo)) {
                v->identities[0].imo = e->imo;
                planted_imo++;
            }
        } else if (i % 1000 == 500) {
            const struct df_list_entry *e = df_watchlist_entry(wl,
                                                               rng() % nlist);
            static const uint8_t types[] = {80, 70, 30, 31, 37, 90, 50};
            char norm[64], why[96];
            unsigned t;

            df_name_normalize(e->name, norm, sizeof(norm));
            /* A ship of the listed type, with no IMO of its own. */
            for (k = 0; k < nid; k++)
                v->identities[k].imo = 0;
            for (t = 0; t < sizeof(types); t++) {
                v->identities[nid - 1].shiptype = types[t];
                if (df__listing_fit(e, v, why, sizeof(why)) > 0)
                    break;
            }
            if (strlen(norm) <= 20 && t < sizeof(types)) {
                snprintf(v->identities[nid - 1].shipname,
                         sizeof(v->identities[0].shipname), "%s", norm);
                planted_name++;
            }
        }
    }
    t0 = now_s();
    c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (i = 0; i < NV; i++) {
        size_t n = df_watchlist_screen(wl, &vs[i], 0.92, m, 16), k;

        total += n;
        for (k = 0; k < n; k++) {
            if (i % 1000 == 0 && m[k].by == DF_MATCH_IMO)
                found_imo++;
            if (i % 1000 == 500 && m[k].by == DF_MATCH_NAME &&
                m[k].score == 0.75) {
                found_name++;
                break;
            }
        }
    }
    t1 = now_s();
    c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    printf("screen: %d vessels (1-3 identities) against %zu entries: "
           "%.1f ms wall, %.1f ms CPU (%.0f vessels/s), %zu matches\n", NV,
           nlist, (t1 - t0) * 1e3, (c1 - c0) * 1e3, NV / (c1 - c0), total);
    assert_true(found_imo >= planted_imo);
    assert_int_equal(found_name, planted_name);
    free(vs);
    df_watchlist_free(wl);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jaro_winkler),
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_ofac_2024),
        cmocka_unit_test(test_ofac_2021_alt),
        cmocka_unit_test(test_ofac_synthetic),
        cmocka_unit_test(test_opensanctions),
        cmocka_unit_test(test_un1718),
        cmocka_unit_test(test_plain_and_caps),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_screen_rules),
        cmocka_unit_test(test_screen_exhaustive),
        cmocka_unit_test(test_screen_speed),
    };

    return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
