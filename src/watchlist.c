/*
 * watchlist.c - the watchlist: df_watchlist_new/free/count/entry/load of
 * darkfleet.h, its entries and its indexes (the inside is in
 * watchlist.h).
 *
 * List entries are attacker-controlled strings: they are stored as listed
 * (trimmed, UTF-8, converted from Windows-1252 where they are not valid
 * UTF-8), and every string and container is capped (screen.h).  The
 * loaders (list_load.c) fill the entries; after each load the indexes are
 * brought up to date for screening (screen.c):
 *  - exact: IMO, MMSI and normalized call sign (4 characters or more) in
 *    one hash table (util/hmap.h), each key to a chain of the entries
 *    holding it, in load order;
 *  - names: the normalized name and aliases of every entry, sorted into
 *    buckets by length, each with the mask of the characters it holds
 *    (names.h), for the name scan's bound.
 */
#include "watchlist.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/grow.h"
#include "util/hash.h"
#include "util/hmap.h"
#include "util/slurp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct df_watchlist *df_watchlist_new(void)
{
    return df__calloc(1, sizeof(struct df_watchlist));
}

void df_watchlist_free(struct df_watchlist *wl)
{
    if (wl == NULL)
        return;
    df__arena_free(&wl->arena);
    df__free(wl->ents);
    df__free(wl->keys);
    df__hmap_fini(&wl->index);
    df__free(wl->posts);
    df__free(wl);
}

size_t df_watchlist_count(const struct df_watchlist *wl)
{
    return wl ? wl->n : 0;
}

const struct df_list_entry *df_watchlist_entry(const struct df_watchlist *wl,
                                               size_t i)
{
    if (wl == NULL || i >= wl->n)
        return NULL;
    return &wl->ents[i]->pub;
}

void df__watchlist_stats(const struct df_watchlist *wl,
                         struct df__wl_stats *out)
{
    if (out == NULL)
        return;
    if (wl == NULL)
        memset(out, 0, sizeof(*out));
    else
        *out = wl->st;
}

/* ------------------------------------------------------------------ */
/* Entries                                                             */
/* ------------------------------------------------------------------ */

const char *df__wl_str(struct df_watchlist *wl, const char *s, size_t n,
                       size_t cap)
{
    char *out;
    size_t o = 0, i = 0;

    df__trim(&s, &n);
    if (n == 0)
        return "";
    if (df__utf8_valid(s, n)) {
        if (n > cap) {
            n = cap;
            while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
                n--;
            wl->st.truncated++;
        }
        out = df__arena_alloc(&wl->arena, n + 1);
        if (out == NULL)
            return NULL;
        for (i = 0; i < n; i++)
            if (s[i] != '\0')
                out[o++] = s[i];
        out[o] = '\0';
        return out;
    }
    out = df__arena_alloc(&wl->arena, (n < cap ? n : cap) * 3 + 1);
    if (out == NULL)
        return NULL;
    while (i < n) {
        uint32_t cp;
        char u[4];
        size_t k;

        i += df__decode_char((const unsigned char *)s + i, n - i, &cp);
        if (cp == 0)
            continue;
        k = df__utf8_encode(cp, u);
        if (o + k > cap) {
            wl->st.truncated++;
            break;
        }
        memcpy(out + o, u, k);
        o += k;
    }
    out[o] = '\0';
    return out;
}

struct df__wl_entry *df__wl_entry_new(struct df_watchlist *wl,
                                      const char *list, enum df_err *err)
{
    struct df__wl_entry *e;

    if (wl->n >= DF__WL_MAX_ENTRIES) {
        wl->st.over_cap++;
        *err = DF_LIMIT;
        return NULL;
    }
    if (wl->n == wl->cap &&
        df__grow(&wl->ents, &wl->cap, sizeof(*wl->ents), 256) != 0) {
        *err = DF_NOMEM;
        return NULL;
    }
    e = df__arena_alloc(&wl->arena, sizeof(*e));
    if (e == NULL) {
        *err = DF_NOMEM;
        return NULL;
    }
    memset(e, 0, sizeof(*e));
    e->pub.list = list;
    e->pub.id = e->pub.name = e->pub.callsign = e->pub.flag = "";
    e->pub.program = e->pub.vessel_type = "";
    e->idx = (uint32_t)wl->n;
    wl->ents[wl->n++] = e;
    wl->st.vessels++;
    return e;
}

int df__wl_callsign(struct df_watchlist *wl, struct df__wl_entry *e,
                    const char *s, size_t n)
{
    const char *cs = df__wl_str(wl, s, n, DF__WL_MAX_SHORT);

    if (cs == NULL)
        return -1;
    e->pub.callsign = cs;
    df__callsign_normalize(cs, strlen(cs), e->cs_norm);
    return 0;
}

int df__wl_alias(struct df_watchlist *wl, struct df__wl_entry *e,
                 const char *s, size_t n)
{
    char norm[DF__NORM_MAX], other[DF__NORM_MAX];
    const char *a;
    unsigned i;

    a = df__wl_str(wl, s, n, DF__WL_MAX_NAME);
    if (a == NULL)
        return -1;
    df_name_normalize(a, norm, sizeof(norm));
    if (norm[0] == '\0')
        return 0;
    df_name_normalize(e->pub.name, other, sizeof(other));
    if (strcmp(norm, other) == 0)
        return 0;
    for (i = 0; i < e->pub.naliases; i++) {
        df_name_normalize(e->alias_v[i], other, sizeof(other));
        if (strcmp(norm, other) == 0)
            return 0;
    }
    if (e->pub.naliases >= DF__WL_MAX_ALIASES) {
        wl->st.aliases_dropped++;
        return 0;
    }
    if (e->pub.naliases == e->alias_cap) {
        unsigned cap = e->alias_cap ? e->alias_cap * 2 : 4;
        const char **nv = df__arena_alloc(&wl->arena, cap * sizeof(*nv));

        if (nv == NULL)
            return -1;
        if (e->pub.naliases > 0)
            memcpy(nv, e->alias_v, e->pub.naliases * sizeof(*nv));
        e->alias_v = nv;
        e->alias_cap = cap;
    }
    e->alias_v[e->pub.naliases++] = a;
    e->pub.aliases = e->alias_v;
    wl->st.aliases++;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Indexes                                                             */
/* ------------------------------------------------------------------ */

uint64_t df__wl_callsign_key(const char *norm)
{
    return DF__WL_KEY_CALLSIGN |
           (df__fnv1a64(DF__FNV64_INIT, norm, strlen(norm)) >> 2);
}

/* Adds entry to the chain of key (room for the posting was made). */
static int hash_put(struct df_watchlist *wl, uint64_t key, uint32_t entry)
{
    struct df__wl_post *p = &wl->posts[wl->nposts];

    p->entry = entry;
    p->next = df__hmap_get(&wl->index, key);
    if (df__hmap_put(&wl->index, key, (uint32_t)wl->nposts) != 0)
        return -1;
    wl->nposts++;
    return 0;
}

static int cmp_key_len(const void *pa, const void *pb)
{
    const struct df__wl_key *a = pa, *b = pb;

    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return a->entry < b->entry ? -1 : a->entry > b->entry;
}

/* Appends the normalized name s of entry to the key array. */
static int key_add(struct df_watchlist *wl, const char *name, uint32_t entry)
{
    char norm[DF__NORM_MAX];
    struct df__wl_key *k;
    size_t len;
    char *s;

    df_name_normalize(name, norm, sizeof(norm));
    len = strlen(norm);
    if (len == 0)
        return 0;
    if (wl->nkeys == wl->capkeys &&
        df__grow(&wl->keys, &wl->capkeys, sizeof(*wl->keys), 1024) != 0)
        return -1;
    s = df__arena_strndup(&wl->arena, norm, len);
    if (s == NULL)
        return -1;
    k = &wl->keys[wl->nkeys++];
    k->s = s;
    k->len = (uint16_t)len;
    k->mask = df__char_mask(s, len);
    k->pop = (uint16_t)df__popcount64(k->mask);
    k->entry = entry;
    return 0;
}

/* Brings the name keys and the hash index up to date with the entries. */
static int index_build(struct df_watchlist *wl)
{
    size_t i, nposts = 0, L;
    unsigned a;

    for (i = wl->indexed; i < wl->n; i++) {
        struct df__wl_entry *e = wl->ents[i];

        if (key_add(wl, e->pub.name, e->idx) < 0)
            return -1;
        for (a = 0; a < e->pub.naliases; a++)
            if (key_add(wl, e->alias_v[a], e->idx) < 0)
                return -1;
    }
    wl->indexed = wl->n;
    if (wl->nkeys > 0)
        qsort(wl->keys, wl->nkeys, sizeof(*wl->keys), cmp_key_len);
    for (L = 0, i = 0; L <= DF__NORM_MAX; L++) {
        wl->len_off[L] = i;
        while (i < wl->nkeys && wl->keys[i].len == L)
            i++;
    }

    for (i = 0; i < wl->n; i++) {
        const struct df__wl_entry *e = wl->ents[i];

        nposts += (e->pub.imo != 0) + (e->pub.mmsi != 0) +
                  (strlen(e->cs_norm) >= 4);
    }
    df__hmap_clear(&wl->index);
    df__free(wl->posts);
    wl->nposts = 0;
    wl->posts = df__malloc((nposts ? nposts : 1) * sizeof(*wl->posts));
    if (wl->posts == NULL || df__hmap_reserve(&wl->index, nposts) != 0)
        return -1;
    /* Backwards, so that each chain lists entries in load order. */
    for (i = wl->n; i-- > 0;) {
        const struct df__wl_entry *e = wl->ents[i];

        if (e->pub.imo != 0 &&
            hash_put(wl, DF__WL_KEY_IMO | e->pub.imo, e->idx))
            return -1;
        if (e->pub.mmsi != 0 &&
            hash_put(wl, DF__WL_KEY_MMSI | e->pub.mmsi, e->idx))
            return -1;
        if (strlen(e->cs_norm) >= 4 &&
            hash_put(wl, df__wl_callsign_key(e->cs_norm), e->idx))
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */
/* ------------------------------------------------------------------ */

enum df_err df_watchlist_load(struct df_watchlist *wl, const char *path,
                              char *err, size_t errlen)
{
    char tmp[1];
    char *buf = NULL;
    const char *list, *slash;
    size_t len;
    enum df_err rc;
    int opened;

    if (err == NULL || errlen == 0) {
        err = tmp;
        errlen = sizeof(tmp);
    }
    err[0] = '\0';
    if (wl == NULL || path == NULL) {
        snprintf(err, errlen, "watchlist: invalid argument");
        return DF_INVAL;
    }
    rc = df__slurp(path, DF__WL_MAX_FILE, &buf, &len, err, errlen);
    if (rc != DF_OK)
        return rc;
    slash = strrchr(path, '/');
    list = df__wl_str(wl, slash ? slash + 1 : path,
                      strlen(slash ? slash + 1 : path), DF__WL_MAX_NAME);
    if (list == NULL) {
        df__free(buf);
        snprintf(err, errlen, "%s: out of memory", path);
        return DF_NOMEM;
    }
    rc = df__list_load(wl, buf, len, list, path, err, errlen, &opened);
    df__free(buf);
    if (!opened)
        return rc;
    if (index_build(wl) < 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        return DF_NOMEM;
    }
    return rc;
}
