/*
 * timeutil.c - calendar arithmetic for receive times: civil UTC date to
 * milliseconds since the epoch and back (Howard Hinnant's days_from_civil),
 * without the C library's time zone state.
 */
#include "darkfleet.h"

#include <stdio.h>

#include "timeutil.h"

int64_t df__days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t df__utc_ms(int y, int mo, int d, int h, int mi, int s, int ms)
{
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || s < 0 || s > 60 || ms < 0 || ms > 999 || y < 1900 ||
        y > 9999)
        return DF_TIME_NONE;
    return ((df__days_from_civil(y, (unsigned)mo, (unsigned)d) * 24 + h) *
                60 + mi) * 60000 + (int64_t)s * 1000 + ms;
}

void df__civil(int64_t ms, struct df__tm *tm)
{
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;

    tm->year = (int)(yoe + era * 400 + (mm <= 2));
    tm->month = (int)mm;
    tm->day = (int)dd;
    tm->hour = (int)(rem / 3600000);
    tm->minute = (int)(rem / 60000 % 60);
    tm->second = (int)(rem / 1000 % 60);
    tm->ms = (int)(rem % 1000);
}

int64_t df__time_parse(const char *p, size_t n, int *parts)
{
    static const char sep[] = "--T::";
    const char *end = p + n;
    int v[6] = {0, 1, 1, 0, 0, 0}, ms = 0, i, k;

    *parts = 0;
    for (i = 0; i < 6; i++) {
        int width = i == 0 ? 4 : 2, x = 0;

        for (k = 0; k < width; k++) {
            if (p >= end || *p < '0' || *p > '9')
                return DF_TIME_NONE;
            x = x * 10 + (*p++ - '0');
        }
        v[i] = x;
        *parts = i + 1;
        if (i == 5 || p == end || (*p == 'Z' && i >= 2))
            break;
        if (*p != sep[i] && !(i == 2 && *p == ' '))
            return DF_TIME_NONE;
        p++;
    }
    if (*parts == 6 && p < end && *p == '.') {
        int digits = 0;

        for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
            if (digits < 3) {
                ms = ms * 10 + (*p - '0');
                digits++;
            }
        }
        while (digits++ < 3)
            ms *= 10;
    }
    if (p < end && *p == 'Z')
        p++;
    if (p != end || *parts == 1 || *parts == 2 || *parts == 4)
        return DF_TIME_NONE;
    return df__utc_ms(v[0], v[1], v[2], v[3], v[4], v[5], ms);
}

int64_t df_time_parse(const char *s, size_t n)
{
    int parts;

    return s ? df__time_parse(s, n, &parts) : DF_TIME_NONE;
}

size_t df_time_iso(int64_t ms, char *out)
{
    struct df__tm tm;
    int n;

    df__civil(ms, &tm);
    if (tm.ms)
        n = snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.year,
                     tm.month, tm.day, tm.hour, tm.minute, tm.second, tm.ms);
    else
        n = snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.year,
                     tm.month, tm.day, tm.hour, tm.minute, tm.second);
    return n < 0 ? 0 : (size_t)n;
}
