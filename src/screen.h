/*
 * screen.h - private interface of sanctions screening (lists: load and
 * match): the caps on a watchlist and the counters of its loads.  The
 * public half is the "Screening" section of darkfleet.h.  The code is in
 * names.c (text, normalization, Jaro-Winkler; names.h), list_load.c (the
 * list formats), watchlist.c (entries and index; watchlist.h) and
 * screen.c (df_watchlist_screen).
 */
#ifndef DF_SCREEN_H
#define DF_SCREEN_H

#include <stddef.h>
#include <stdint.h>

#include "darkfleet.h"

/* Caps on what one watchlist holds (STYLE.md: every container capped). */
#define DF__WL_MAX_ENTRIES 1000000u   /* vessel entries over all lists */
#define DF__WL_MAX_ALIASES 64u        /* aliases kept per entry */
#define DF__WL_MAX_NAME 255u          /* bytes of a name or alias (UTF-8) */
#define DF__WL_MAX_FILE (512u << 20)  /* bytes of one list file */
#define DF__WL_MAX_ID 64              /* bytes of an entry id */
#define DF__WL_MAX_SHORT 128          /* call sign, flag, program */

/* What the loads so far have read, summed over every df_watchlist_load(). */
struct df__wl_stats {
    uint64_t rows;             /* data rows read (header excluded) */
    uint64_t vessels;          /* rows kept as vessel entries */
    uint64_t not_vessel;       /* rows about persons, companies, aircraft */
    uint64_t malformed;        /* rows skipped: wrong field count, no name,
                                * unterminated quote */
    uint64_t aliases;          /* aliases attached (remarks, columns,
                                * alt.csv), duplicates excluded */
    uint64_t aliases_dropped;  /* aliases over DF__WL_MAX_ALIASES */
    uint64_t truncated;        /* strings cut to their cap */
    uint64_t alt_rows;         /* rows of alt.csv files read */
    uint64_t over_cap;         /* vessel rows beyond DF__WL_MAX_ENTRIES */
};

/* Copies the counters of wl into *out. */
void df__watchlist_stats(const struct df_watchlist *wl,
                         struct df__wl_stats *out);

/*
 * Whether a vessel fits a listed entry it matched by name or call sign
 * only: -1 when what it broadcast contradicts the listing (its AIS type
 * cannot be the listed type, its length is outside a factor of two of what
 * the listed tonnage makes), else how many of type and size agree (0 when
 * nothing can be compared: not enough to call it the listed ship).  why
 * gets what agreed.
 */
int df__listing_fit(const struct df_list_entry *e, const struct df_vessel *v,
                    char *why, size_t cap);

#endif /* DF_SCREEN_H */
