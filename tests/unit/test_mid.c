/*
 * test_mid.c - MID to country (ITU table of Maritime Identification
 * Digits), the MID of an MMSI (ITU-R M.585) and the IMO check digit
 * (IMO A.1078(28)), and the ISO alpha-3 to alpha-2 helper.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "darkfleet.h"
#include "mid.h"

static void test_countries(void **state)
{
    (void)state;
    assert_string_equal(df_mid_country(445), "KP");
    assert_string_equal(df_mid_country(412), "CN");
    assert_string_equal(df_mid_country(413), "CN");
    assert_string_equal(df_mid_country(414), "CN");
    assert_string_equal(df_mid_country(477), "HK");
    assert_string_equal(df_mid_country(273), "RU");
    assert_string_equal(df_mid_country(636), "LR");
    assert_string_equal(df_mid_country(538), "MH");
    assert_string_equal(df_mid_country(440), "KR");
    assert_string_equal(df_mid_country(667), "SL");
    assert_string_equal(df_mid_country(511), "PW");
    assert_string_equal(df_mid_country(201), "AL");
    assert_string_equal(df_mid_country(775), "VE");
    assert_null(df_mid_country(999));
    assert_null(df_mid_country(200));
    assert_null(df_mid_country(217));
    assert_null(df_mid_country(776));
    assert_null(df_mid_country(0));
}

static void test_allocated_count(void **state)
{
    unsigned mid, n = 0;

    (void)state;
    for (mid = 0; mid < 1000; mid++)
        if (df_mid_country(mid)) {
            assert_int_equal(strlen(df_mid_country(mid)), 2);
            n++;
        }
    assert_int_equal(n, 292); /* the ITU table, 2024 */
}

static void test_mmsi_mid(void **state)
{
    (void)state;
    assert_int_equal(df_mmsi_mid(445123456), 445);
    assert_int_equal(df_mmsi_mid(3669702), 0);     /* coast station 00MID */
    assert_int_equal(df_mmsi_mid(200000000), 200); /* a ship number, MID
                                                    * unallocated */
    assert_int_equal(df_mmsi_mid(775999999), 775);
    assert_int_equal(df_mmsi_mid(970012345), 0);   /* SART */
    assert_int_equal(df_mmsi_mid(992351234), 0);   /* AtoN */
    assert_int_equal(df_mmsi_mid(111232506), 0);   /* SAR aircraft */
    assert_int_equal(df_mmsi_mid(0), 0);
}

static void test_imo(void **state)
{
    (void)state;
    assert_true(df_imo_valid(9074729));
    assert_false(df_imo_valid(9074728));
    /* 1234567: 7+12+15+16+15+12 = 77, check digit 7. */
    assert_true(df_imo_valid(1234567));
    assert_false(df_imo_valid(1234568));
    assert_true(df_imo_valid(9191773));   /* an OFAC SDN vessel */
    assert_false(df_imo_valid(0));
    assert_false(df_imo_valid(123456));
    assert_false(df_imo_valid(10000000));
}

static void test_alpha3(void **state)
{
    char buf[4];

    (void)state;
    assert_string_equal(df__country_alpha2("PRK", buf), "KP");
    assert_string_equal(df__country_alpha2("kor", buf), "KR");
    assert_string_equal(df__country_alpha2("CHN", buf), "CN");
    assert_string_equal(df__country_alpha2("ZWE", buf), "ZW");
    assert_string_equal(df__country_alpha2("ABW", buf), "AW");
    assert_string_equal(df__country_alpha2("kp", buf), "KP");
    assert_string_equal(df__country_alpha2("XYZ", buf), "XYZ");
    assert_string_equal(df__country_alpha2("Korea", buf), "Korea");
    assert_null(df__country_alpha2(NULL, buf));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_countries),
        cmocka_unit_test(test_allocated_count),
        cmocka_unit_test(test_mmsi_mid),
        cmocka_unit_test(test_imo),
        cmocka_unit_test(test_alpha3),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
