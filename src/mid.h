/*
 * mid.h - private extras of src/mid.c: ISO 3166-1 country codes and the
 * IMO check digit.
 */
#ifndef DF_MID_H
#define DF_MID_H

#include <stdint.h>

/* The ISO 3166-1 alpha-2 code of code, which may be alpha-2 or alpha-3 in
 * any case ("PRK", "kp" -> "KP"), written into buf.  Returns buf; code
 * itself when it is neither (an unknown code is kept as given); NULL for
 * NULL. */
const char *df__country_alpha2(const char *code, char buf[4]);

/* The check digit of the IMO number whose first six digits are six
 * (IMO Resolution A.1078(28)): (7 d1 + 6 d2 + ... + 2 d6) mod 10. */
unsigned df__imo_check_digit(uint32_t six);

#endif
