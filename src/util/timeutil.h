/* timeutil.h - UTC calendar arithmetic (see timeutil.c). */
#ifndef DF_TIMEUTIL_H
#define DF_TIMEUTIL_H

#include <stdint.h>

struct df__tm {
    int year, month, day, hour, minute, second, ms;
};

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t df__days_from_civil(int64_t y, unsigned m, unsigned d);
/* Milliseconds since the epoch, or DF_TIME_NONE for an impossible date. */
int64_t df__utc_ms(int y, int mo, int d, int h, int mi, int s, int ms);
/* The civil UTC date and time of ms since the epoch. */
void df__civil(int64_t ms, struct df__tm *tm);

#endif
