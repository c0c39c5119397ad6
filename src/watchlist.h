/*
 * watchlist.h - the inside of struct df_watchlist, shared by the files
 * that fill it (watchlist.c, list_load.c) and the one that reads it
 * (screen.c).
 *
 * Entries live in the watchlist's arena and stay valid until
 * df_watchlist_free().  The name keys and the exact index are built from
 * the entries after each load (watchlist.c); screening only reads them.
 */
#ifndef DF_WATCHLIST_H
#define DF_WATCHLIST_H

#include <stddef.h>
#include <stdint.h>

#include "darkfleet.h"
#include "names.h"
#include "screen.h"
#include "util/arena.h"
#include "util/hmap.h"

/* One entry; pub comes first so that its address is the entry's. */
struct df__wl_entry {
    struct df_list_entry pub;
    const char **alias_v;      /* pub.aliases, grown in the arena */
    unsigned alias_cap;
    uint32_t idx;              /* position in the watchlist */
    uint32_t ent_num;          /* OFAC ent_num while loading alt.csv */
    char cs_norm[DF__CS_MAX];  /* normalized call sign, "" if none */
};

/* A normalized name or alias of an entry, for the name scan. */
struct df__wl_key {
    const char *s;             /* normalized, in the arena */
    uint64_t mask;             /* df__char_mask() of s */
    uint32_t entry;
    uint16_t len;
    uint16_t pop;              /* bits set in mask */
};

/* The exact index: IMO, MMSI and call sign keys map to the first of a
 * chain of postings, one per entry holding the key. */
struct df__wl_post {
    uint32_t entry;
    uint32_t next;             /* index into posts, DF__HMAP_NONE = end */
};

#define DF__WL_KEY_IMO (1ull << 62)
#define DF__WL_KEY_MMSI (2ull << 62)
#define DF__WL_KEY_CALLSIGN (3ull << 62)

struct df_watchlist {
    struct df__arena arena;
    struct df__wl_entry **ents;
    size_t n, cap;
    struct df__wl_key *keys;   /* sorted by len */
    size_t nkeys, capkeys;
    size_t len_off[DF__NORM_MAX + 1]; /* keys of length L: [len_off[L],
                                       * len_off[L + 1]) */
    size_t indexed;            /* entries whose names are in keys */
    struct df__hmap index;     /* key -> first posting */
    struct df__wl_post *posts;
    size_t nposts;
    struct df__wl_stats st;
};

/* watchlist.c: entries, as the loaders build them. */

/*
 * Stores (s, n) in the arena: trimmed, NUL bytes dropped, converted from
 * Windows-1252 unless already valid UTF-8, and cut to at most cap bytes on
 * a character boundary (counted in st.truncated).  Returns "" for an empty
 * string and NULL when out of memory.
 */
const char *df__wl_str(struct df_watchlist *wl, const char *s, size_t n,
                       size_t cap);

/* Adds a fresh entry for list; returns it, or NULL (out of memory or the
 * cap; *err says which). */
struct df__wl_entry *df__wl_entry_new(struct df_watchlist *wl,
                                      const char *list, enum df_err *err);

/* Sets the entry's call sign (and its normalized form).  Returns -1 when
 * out of memory, else 0. */
int df__wl_callsign(struct df_watchlist *wl, struct df__wl_entry *e,
                    const char *s, size_t n);

/*
 * Adds an alias (s, n) to e unless it is empty, normalizes like the name or
 * an alias already held, or the entry is full.  Returns -1 when out of
 * memory, else 0.
 */
int df__wl_alias(struct df_watchlist *wl, struct df__wl_entry *e,
                 const char *s, size_t n);

/* watchlist.c: the index key of a normalized call sign
 * (DF__WL_KEY_CALLSIGN), also looked up by screen.c. */
uint64_t df__wl_callsign_key(const char *norm);

/*
 * list_load.c: adds the vessel entries of the list file held in buf[0..len)
 * (read from path; list is its name, kept in the arena) to wl, the format
 * told from the content; buf is only borrowed, and the indexes are not
 * touched.  Returns DF_OK, or an error with its message in err (DF_LIMIT:
 * rows over the cap on entries were skipped); the entries added before an
 * error stay.  *opened is set to 0 when out of memory before anything was
 * read (wl is then untouched), else to 1.
 */
enum df_err df__list_load(struct df_watchlist *wl, const char *buf,
                          size_t len, const char *list, const char *path,
                          char *err, size_t errlen, int *opened);

#endif /* DF_WATCHLIST_H */
