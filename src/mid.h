/*
 * mid.h - private extras of src/mid.c: ISO 3166-1 country codes.
 */
#ifndef DF_MID_H
#define DF_MID_H

/* The ISO 3166-1 alpha-2 code of code, which may be alpha-2 or alpha-3 in
 * any case ("PRK", "kp" -> "KP"), written into buf.  Returns buf; code
 * itself when it is neither (an unknown code is kept as given); NULL for
 * NULL. */
const char *df__country_alpha2(const char *code, char buf[4]);

#endif
