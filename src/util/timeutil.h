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
/* Parses "YYYY-MM-DD", optionally followed by 'T' or ' ', "HH:MM",
 * ":SS" and ".fff" (more digits are read and ignored), then an optional
 * 'Z', filling exactly n bytes; *parts gets how many of year, month, day,
 * hour, minute, second were read (3, 5 or 6).  Returns ms since the
 * epoch, or DF_TIME_NONE. */
int64_t df__time_parse(const char *s, size_t n, int *parts);
/* The civil UTC date and time of ms since the epoch. */
void df__civil(int64_t ms, struct df__tm *tm);

#endif
