/*
 * screen.c - sanctions lists: load and match (the "Screening" section of
 * darkfleet.h).
 *
 * Lists read, the format told from the content, never from the name:
 *  - OFAC's legacy SDN CSV (treasury.gov "sdn.csv"): no header, twelve
 *    columns ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
 *    Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks; "-0-" (often
 *    "-0- ") is null; the file is Latin-1 (in practice Windows-1252) and
 *    ends with a DOS ^Z.  Only SDN_Type "vessel" rows are kept.  Remarks
 *    are ';'-separated clauses: "Vessel Registration Identification IMO
 *    9187629", "MMSI 572469210", "f.k.a. 'ALPHA'", "a.k.a. '...'", "Linked
 *    To: ..." (METHODS.md section 2).  An alt.csv beside it (ent_num,
 *    alt_num, alt_type, alt_name, alt_remarks) adds aliases and former
 *    names of the vessel entries.
 *  - OpenSanctions' maritime.csv (FollowTheMoney Vessel): header type,
 *    name (or caption), imo, risk, countries, flag, mmsi, id, url,
 *    datasets, aliases; aliases and other multi-valued cells use ';'.
 *  - OpenSanctions' un_1718_vessels transcription of the UN 1718 Committee
 *    vessel list: header vessel_name, imo_number, mmsi, flag, call_sign,
 *    type, other_information, date_of_designation, designated_owner;
 *    multi-valued cells read "1: ... 2: ...".
 *  - Any CSV whose header names a name (name, vessel_name, ship_name) and
 *    at least one of imo, mmsi, call sign; optional aliases, program, flag
 *    and id columns.
 * Column names are matched with case, spaces, '_' and '-' ignored.  Text
 * that is not valid UTF-8 is taken as Windows-1252 and converted.
 *
 * List entries are attacker-controlled strings: they are stored as listed
 * (trimmed, UTF-8), every string and container is capped (screen.h), and
 * malformed rows are counted and skipped, never fatal.
 *
 * Matching (df_watchlist_screen): exact IMO (check digit valid), MMSI and
 * normalized call sign through one hash table; names through Jaro-Winkler
 * (Winkler 1990: prefix scale 0.1, at most 4 characters, boost above 0.7)
 * over normalized names.  Name candidates are pruned without loss: list
 * names are bucketed by length and each is given a 64-bit mask of the
 * characters it holds, which bounds the number of Jaro matches and hence
 * the score; only pairs whose bound reaches the threshold are compared.
 */
#include "screen.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/csvrec.h"
#include "util/grow.h"
#include "util/hmap.h"
#include "util/slurp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX_FIELDS 64          /* fields kept per record */
#define CSV_MAX_RECORD (1u << 20)  /* bytes of one record, unquoted */
#define NORM_MAX 64                /* normalized name buffer */
#define CS_MAX 16                  /* normalized call sign buffer */
#define CAND_MAX 256               /* matches kept while screening one
                                    * vessel */
#define MAX_ID 64                  /* bytes of an entry id */
#define MAX_SHORT 128              /* call sign, flag, program */

/* Scores of the exact rules (darkfleet.h). */
#define SCORE_IMO 1.0
#define SCORE_MMSI 0.95
#define SCORE_CALLSIGN 0.8
#define SCORE_NAME_SCALE 0.75

/* ------------------------------------------------------------------ */
/* Text: UTF-8, Windows-1252, transliteration                          */
/* ------------------------------------------------------------------ */

/* Windows-1252 0x80-0x9F as code points; 0xFFFD where undefined. */
static const uint16_t cp1252[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

/* Base letters of U+00C0-U+017F; \1 AE, \2 TH, \3 SS, \4 OE, \5 IJ. */
static const char translit_c0[] =
    "AAAAAA\1CEEEEIIIIDNOOOOO OUUUUY\2\3"
    "AAAAAA\1CEEEEIIIIDNOOOOO OUUUUY\2Y"
    "AAAAAACCCCCCCCDD" "DDEEEEEEEEEEGGGG" "GGGGHHHHIIIIIIII"
    "II\5\5JJKKKLLLLLLL" "LLLNNNNNNNNNOOOO" "OO\4\4RRRRRRSSSSSS"
    "SSTTTTTTUUUUUUUU" "UUUUWWYYYZZZZZZS";

/*
 * Decodes one character at s[0..n) (n > 0) into *cp and returns its length
 * in bytes.  A valid UTF-8 sequence gives its code point; any other byte
 * is one Windows-1252 character.
 */
static size_t decode_char(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned c = s[0];
    uint32_t v;
    size_t len, i;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
    } else {
        goto single;
    }
    if (len > n)
        goto single;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            goto single;
        v = v << 6 | (s[i] & 0x3F);
    }
    if ((len == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) ||
        (len == 4 && (v < 0x10000 || v > 0x10FFFF)))
        goto single;
    *cp = v;
    return len;
single:
    *cp = c >= 0xA0 ? c : cp1252[c - 0x80];
    return 1;
}

/* 1 if s[0..n) is valid UTF-8. */
static int utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, k;
    uint32_t cp;

    while (i < n) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        k = decode_char(u + i, n - i, &cp);
        if (k == 1)
            return 0;
        i += k;
    }
    return 1;
}

/* Writes cp as UTF-8 into out (4 bytes room); returns the length. */
static size_t encode_utf8(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | cp >> 12);
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
           c == '\f';
}

/* Narrows (s, n) to drop leading and trailing ASCII white space. */
static void trim(const char **s, size_t *n)
{
    while (*n > 0 && is_space((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* ------------------------------------------------------------------ */
/* Name normalization and Jaro-Winkler                                 */
/* ------------------------------------------------------------------ */

/*
 * Appends the ASCII folding of code point cp to out[*n] (capacity cap):
 * letters and digits upper-cased, accented Latin letters transliterated,
 * everything else a space.
 */
static void fold_char(uint32_t cp, char *out, size_t *n, size_t cap)
{
    const char *rep = " ";
    char one[2] = {0, 0};

    if (cp >= 'a' && cp <= 'z') {
        one[0] = (char)(cp - 'a' + 'A');
        rep = one;
    } else if ((cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
        one[0] = (char)cp;
        rep = one;
    } else if (cp >= 0xC0 && cp <= 0x17F) {
        switch (translit_c0[cp - 0xC0]) {
        case '\1': rep = "AE"; break;
        case '\2': rep = "TH"; break;
        case '\3': rep = "SS"; break;
        case '\4': rep = "OE"; break;
        case '\5': rep = "IJ"; break;
        default:
            one[0] = translit_c0[cp - 0xC0];
            rep = one;
        }
    }
    for (; *rep != '\0' && *n < cap; rep++)
        out[(*n)++] = *rep;
}

/* 1 if the word (w, n) equals the NUL-terminated s. */
static int word_is(const char *w, size_t n, const char *s)
{
    return strlen(s) == n && memcmp(w, s, n) == 0;
}

void df_name_normalize(const char *name, char *out, size_t outlen)
{
    char tmp[256];
    const char *word[64];
    size_t wlen[64];
    size_t n = 0, nw = 0, i = 0, len, o = 0, first = 0, w;
    uint32_t cp;

    if (out == NULL || outlen == 0)
        return;
    out[0] = '\0';
    if (name == NULL)
        return;
    len = strlen(name);
    while (i < len && n < sizeof(tmp)) {
        i += decode_char((const unsigned char *)name + i, len - i, &cp);
        fold_char(cp, tmp, &n, sizeof(tmp));
    }
    /* Split into words. */
    for (i = 0; i < n && nw < 64;) {
        while (i < n && tmp[i] == ' ')
            i++;
        if (i == n)
            break;
        word[nw] = tmp + i;
        while (i < n && tmp[i] != ' ')
            i++;
        wlen[nw] = (size_t)(tmp + i - word[nw]);
        nw++;
    }
    /* Strip the leading prefixes, keeping at least one word. */
    for (;;) {
        size_t left = nw - first;
        const char *a = word[first], *b = word[first + 1];
        size_t la = wlen[first], lb = wlen[first + 1];

        if (left >= 3 &&
            ((word_is(a, la, "M") &&
              (word_is(b, lb, "V") || word_is(b, lb, "T"))) ||
             (word_is(a, la, "F") && word_is(b, lb, "V")) ||
             (word_is(a, la, "S") && word_is(b, lb, "S"))))
            first += 2;
        else if (left >= 2 &&
                 (word_is(a, la, "MV") || word_is(a, la, "MT") ||
                  word_is(a, la, "SS") || word_is(a, la, "FV") ||
                  word_is(a, la, "THE")))
            first += 1;
        else
            break;
    }
    for (w = first; w < nw; w++) {
        if (o > 0) {
            if (o + 1 >= outlen)
                break;
            out[o++] = ' ';
        }
        for (i = 0; i < wlen[w] && o + 1 < outlen; i++)
            out[o++] = word[w][i];
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

/* Winkler's boost of a Jaro similarity j with a common prefix of l. */
static double winkler(double j, size_t l)
{
    return j > 0.7 ? j + 0.1 * (double)l * (1.0 - j) : j;
}

double df__jaro_winkler_n(const char *a, size_t la, const char *b,
                          size_t lb)
{
    unsigned char fa[255], fb[255];
    size_t range, i, j, lo, hi, m = 0, t = 0, l = 0;
    double jaro;

    if (la > 255)
        la = 255;
    if (lb > 255)
        lb = 255;
    if (la == 0 || lb == 0)
        return la == lb ? 1.0 : 0.0;
    range = (la > lb ? la : lb) / 2;
    range = range > 0 ? range - 1 : 0;
    memset(fa, 0, la);
    memset(fb, 0, lb);
    for (i = 0; i < la; i++) {
        lo = i > range ? i - range : 0;
        hi = i + range + 1 < lb ? i + range + 1 : lb;
        for (j = lo; j < hi; j++) {
            if (!fb[j] && a[i] == b[j]) {
                fa[i] = fb[j] = 1;
                m++;
                break;
            }
        }
    }
    if (m == 0)
        return 0.0;
    for (i = 0, j = 0; i < la; i++) {
        if (!fa[i])
            continue;
        while (!fb[j])
            j++;
        if (a[i] != b[j])
            t++;
        j++;
    }
    jaro = ((double)m / (double)la + (double)m / (double)lb +
            (double)(m - t / 2) / (double)m) / 3.0;
    while (l < 4 && l < la && l < lb && a[l] == b[l])
        l++;
    return winkler(jaro, l);
}

double df_jaro_winkler(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return 0.0;
    return df__jaro_winkler_n(a, strlen(a), b, strlen(b));
}

/* Call sign for matching: letters and digits only, upper case. */
static void callsign_normalize(const char *s, size_t n, char out[CS_MAX])
{
    size_t i, o = 0;

    for (i = 0; i < n && s[i] != '\0' && o + 1 < CS_MAX; i++) {
        unsigned c = (unsigned char)s[i];

        if (c >= 'a' && c <= 'z')
            out[o++] = (char)(c - 'a' + 'A');
        else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            out[o++] = (char)c;
    }
    out[o] = '\0';
}

/* Bits set in x (SWAR unless the target has a popcount instruction). */
static unsigned popcount64(uint64_t x)
{
#if defined(__POPCNT__) || defined(__ARM_NEON)
    return (unsigned)__builtin_popcountll(x);
#endif
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* The symbols of a normalized name as a bit mask: A-Z, 0-9, space. */
static uint64_t char_mask(const char *s, size_t n)
{
    uint64_t m = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i];

        if (c >= 'A' && c <= 'Z')
            m |= 1ull << (c - 'A');
        else if (c >= '0' && c <= '9')
            m |= 1ull << (26 + c - '0');
        else
            m |= 1ull << 36;
    }
    return m;
}

/* ------------------------------------------------------------------ */
/* The watchlist                                                       */
/* ------------------------------------------------------------------ */

/* One entry; pub comes first so that its address is the entry's. */
struct wl_entry {
    struct df_list_entry pub;
    const char **alias_v;      /* pub.aliases, grown in the arena */
    unsigned alias_cap;
    uint32_t idx;              /* position in the watchlist */
    uint32_t ent_num;          /* OFAC ent_num while loading alt.csv */
    char cs_norm[CS_MAX];      /* normalized call sign, "" if none */
};

/* A normalized name or alias of an entry, for the name scan. */
struct name_key {
    const char *s;             /* normalized, in the arena */
    uint64_t mask;             /* char_mask() of s */
    uint32_t entry;
    uint16_t len;
    uint16_t pop;              /* bits set in mask */
};

/* The exact index: IMO, MMSI and call sign keys map to the first of a
 * chain of postings, one per entry holding the key. */
struct hpost {
    uint32_t entry;
    uint32_t next;             /* index into posts, DF__HMAP_NONE = end */
};

#define KEY_IMO (1ull << 62)
#define KEY_MMSI (2ull << 62)
#define KEY_CALLSIGN (3ull << 62)

struct df_watchlist {
    struct df__arena arena;
    struct wl_entry **ents;
    size_t n, cap;
    struct name_key *keys;     /* sorted by len */
    size_t nkeys, capkeys;
    size_t len_off[NORM_MAX + 1]; /* keys of length L: [len_off[L],
                                   * len_off[L + 1]) */
    size_t indexed;            /* entries whose names are in keys */
    struct df__hmap index;     /* key -> first posting */
    struct hpost *posts;
    size_t nposts;
    struct df__wl_stats st;
};

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

/*
 * Stores (s, n) in the arena: trimmed, NUL bytes dropped, converted from
 * Windows-1252 unless already valid UTF-8, and cut to at most cap bytes on
 * a character boundary (counted in st.truncated).  Returns "" for an empty
 * string and NULL when out of memory.
 */
static const char *wl_str(struct df_watchlist *wl, const char *s, size_t n,
                          size_t cap)
{
    char *out;
    size_t o = 0, i = 0;

    trim(&s, &n);
    if (n == 0)
        return "";
    if (utf8_valid(s, n)) {
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

        i += decode_char((const unsigned char *)s + i, n - i, &cp);
        if (cp == 0)
            continue;
        k = encode_utf8(cp, u);
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

/* A null cell of the OFAC file. */
static int is_ofac_null(const char *s, size_t n)
{
    trim(&s, &n);
    return n == 0 || (n == 3 && memcmp(s, "-0-", 3) == 0);
}

/* The first run of exactly want digits in (s, n), or 0. */
static uint32_t digit_run(const char *s, size_t n, size_t want)
{
    size_t i = 0, j;

    while (i < n) {
        if (s[i] < '0' || s[i] > '9') {
            i++;
            continue;
        }
        for (j = i; j < n && s[j] >= '0' && s[j] <= '9'; j++)
            ;
        if (j - i == want) {
            uint32_t v = 0;

            for (; i < j; i++)
                v = v * 10 + (uint32_t)(s[i] - '0');
            if (v != 0)
                return v;
        }
        i = j;
    }
    return 0;
}

/* Adds a fresh entry for list; returns it, or NULL (out of memory or the
 * cap; *err says which). */
static struct wl_entry *entry_new(struct df_watchlist *wl, const char *list,
                                  enum df_err *err)
{
    struct wl_entry *e;

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
    e->pub.program = "";
    e->idx = (uint32_t)wl->n;
    wl->ents[wl->n++] = e;
    wl->st.vessels++;
    return e;
}

/* Sets the entry's call sign (and its normalized form). */
static int entry_callsign(struct df_watchlist *wl, struct wl_entry *e,
                          const char *s, size_t n)
{
    const char *cs = wl_str(wl, s, n, MAX_SHORT);

    if (cs == NULL)
        return -1;
    e->pub.callsign = cs;
    callsign_normalize(cs, strlen(cs), e->cs_norm);
    return 0;
}

/*
 * Adds an alias (s, n) to e unless it is empty, normalizes like the name or
 * an alias already held, or the entry is full.  Returns -1 when out of
 * memory, else 0.
 */
static int entry_alias(struct df_watchlist *wl, struct wl_entry *e,
                       const char *s, size_t n)
{
    char norm[NORM_MAX], other[NORM_MAX];
    const char *a;
    unsigned i;

    a = wl_str(wl, s, n, DF__WL_MAX_NAME);
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
/* CSV records (RFC 4180, lenient)                                     */
/* ------------------------------------------------------------------ */

struct csv {
    struct df__csv cur;        /* the splitter, over the whole file */
    struct df__csvf f[CSV_MAX_FIELDS];
    size_t nf;                 /* fields in f */
    int too_many;              /* more than CSV_MAX_FIELDS fields */
    int bad;                   /* unterminated quote or record too long */
};

/* Starts reading buf (a whole file); returns -1 when out of memory. */
static int csv_open(struct csv *c, const char *buf, size_t len)
{
    memset(c, 0, sizeof(*c));
    c->cur.s = buf;
    c->cur.len = len;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        c->cur.pos = 3;
    c->cur.cap = CSV_MAX_RECORD;
    c->cur.scratch = df__malloc(CSV_MAX_RECORD);
    return c->cur.scratch == NULL ? -1 : 0;
}

static void csv_close(struct csv *c)
{
    df__free(c->cur.scratch);
    c->cur.scratch = NULL;
}

/*
 * Reads the next record into c->f.  Returns 1 for a record (check c->bad),
 * 0 at the end of the input.  Blank lines and a DOS end-of-file (^Z) are
 * skipped.
 */
static int csv_next(struct csv *c)
{
    for (;;) {
        size_t start = c->cur.pos;
        size_t nf = df__csv_record(&c->cur, c->f, CSV_MAX_FIELDS);

        if (nf == 0)
            return 0;
        c->nf = nf < CSV_MAX_FIELDS ? nf : CSV_MAX_FIELDS;
        c->too_many = (c->cur.flags & DF__CSV_MANY) != 0;
        c->bad = (c->cur.flags & (DF__CSV_OPEN | DF__CSV_TRUNC)) != 0 ||
                 c->cur.pos - start > CSV_MAX_RECORD;
        if (c->nf == 1) {
            const char *fs = c->f[0].s;
            size_t n = c->f[0].n;

            trim(&fs, &n);
            if (n == 0 || (n == 1 && fs[0] == '\x1a'))
                continue;
        }
        return 1;
    }
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */
/* ------------------------------------------------------------------ */

enum col {
    COL_NAME, COL_VESSEL_NAME, COL_IMO, COL_IMO_NUMBER, COL_MMSI,
    COL_CALLSIGN, COL_ALIASES, COL_PROGRAM, COL_FLAG, COL_ID, COL_TYPE,
    COL_RISK, COL_DATASETS, COL_OTHER_INFO, COL_COUNT
};

/* Header names of each column, as df__csv_colkey() writes them. */
static const char *const col_names[COL_COUNT][5] = {
    [COL_NAME] = {"name", "caption", "shipname", "vessel", NULL},
    [COL_VESSEL_NAME] = {"vesselname", NULL},
    [COL_IMO] = {"imo", NULL},
    [COL_IMO_NUMBER] = {"imonumber", NULL},
    [COL_MMSI] = {"mmsi", NULL},
    [COL_CALLSIGN] = {"callsign", NULL},
    [COL_ALIASES] = {"aliases", "alias", "othernames", "formernames",
                     "previousname"},
    [COL_PROGRAM] = {"program", "programs", "programme", "list", NULL},
    [COL_FLAG] = {"flag", NULL},
    [COL_ID] = {"id", "entnum", NULL},
    [COL_TYPE] = {"type", "schema", NULL},
    [COL_RISK] = {"risk", NULL},
    [COL_DATASETS] = {"datasets", NULL},
    [COL_OTHER_INFO] = {"otherinformation", NULL},
};

enum list_format { FMT_UNKNOWN, FMT_OFAC, FMT_OPENSANCTIONS, FMT_UN1718,
                   FMT_PLAIN };

/* Maps header cells to columns: col[k] is the field index or -1.  Returns
 * the number of cells recognized. */
static int map_header(const struct csv *c, int col[COL_COUNT])
{
    size_t i, k, a;
    int known = 0;

    for (k = 0; k < COL_COUNT; k++)
        col[k] = -1;
    for (i = 0; i < c->nf; i++) {
        char key[32];

        df__csv_colkey(c->f[i].s, c->f[i].n, key, sizeof(key));
        for (k = 0; k < COL_COUNT; k++) {
            for (a = 0; a < 5 && col_names[k][a] != NULL; a++) {
                if (strcmp(key, col_names[k][a]) == 0 && col[k] < 0) {
                    col[k] = (int)i;
                    known++;
                }
            }
        }
    }
    return known;
}

/* 1 if (s, n) holds 1 to 10 digits and nothing else (white space aside). */
static int all_digits(const char *s, size_t n)
{
    size_t i;

    trim(&s, &n);
    if (n == 0 || n > 10)
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Tells the format from the first record (in c) and the first bytes. */
static enum list_format detect(const struct csv *c, const char *buf,
                               size_t len, int col[COL_COUNT])
{
    int has_name;
    size_t scan = len < 65536 ? len : 65536, i;

    map_header(c, col);
    has_name = col[COL_NAME] >= 0 || col[COL_VESSEL_NAME] >= 0;
    if (col[COL_VESSEL_NAME] >= 0 && col[COL_IMO_NUMBER] >= 0)
        return FMT_UN1718;
    if (has_name && (col[COL_IMO] >= 0 || col[COL_IMO_NUMBER] >= 0 ||
                     col[COL_MMSI] >= 0 || col[COL_CALLSIGN] >= 0)) {
        if (col[COL_NAME] >= 0 && col[COL_IMO] >= 0 &&
            (col[COL_RISK] >= 0 || col[COL_DATASETS] >= 0))
            return FMT_OPENSANCTIONS;
        return FMT_PLAIN;
    }
    if (c->nf == 12 && all_digits(c->f[0].s, c->f[0].n)) {
        for (i = 0; i + 3 <= scan; i++)
            if (memcmp(buf + i, "-0-", 3) == 0)
                return FMT_OFAC;
    }
    return FMT_UNKNOWN;
}

/* The cell of column k in the current record, or an empty one. */
static struct df__csvf cell(const struct csv *c, const int col[COL_COUNT],
                         int k)
{
    struct df__csvf f = {"", 0};

    if (col[k] >= 0 && (size_t)col[k] < c->nf)
        f = c->f[col[k]];
    trim(&f.s, &f.n);
    return f;
}

/* True if (s, n) starts with the NUL-terminated p. */
static int starts(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);

    return n >= k && memcmp(s, p, k) == 0;
}

/* Text of a name in a clause: between the first and last single quote if
 * there are two, else the whole rest with a final '.' dropped. */
static struct df__csvf quoted_name(const char *s, size_t n)
{
    struct df__csvf f;
    const char *q1 = memchr(s, '\'', n), *q2 = NULL;
    size_t i;

    for (i = n; i > 0; i--) {
        if (s[i - 1] == '\'') {
            q2 = s + i - 1;
            break;
        }
    }
    if (q1 != NULL && q2 != NULL && q2 > q1) {
        f.s = q1 + 1;
        f.n = (size_t)(q2 - q1 - 1);
    } else {
        f.s = s;
        f.n = n;
        trim(&f.s, &f.n);
        if (f.n > 0 && f.s[f.n - 1] == '.')
            f.n--;
    }
    trim(&f.s, &f.n);
    return f;
}

/* The last c in (s, n), or NULL (memrchr is a GNU extension). */
static const char *memrchr_(const char *s, char c, size_t n)
{
    while (n > 0) {
        if (s[--n] == c)
            return s + n;
    }
    return NULL;
}

/*
 * Reads the identifiers and names out of OFAC Remarks (or free text such
 * as the 1718 list's other information): IMO, MMSI, a.k.a./f.k.a./n.k.a.
 * names and "Former Vessel Name" clauses.  Returns -1 when out of memory.
 */
static int parse_remarks(struct df_watchlist *wl, struct wl_entry *e,
                         const char *s, size_t n)
{
    static const char *const name_tags[] = {
        "f.k.a.", "a.k.a.", "n.k.a.", "Former Vessel Name(s)",
        "Former Vessel Name", "Former Name", "formerly known as",
    };
    size_t i = 0;

    while (i < n) {
        const char *cl = s + i;
        const char *semi = memchr(cl, ';', n - i);
        size_t cn = semi ? (size_t)(semi - cl) : n - i;
        size_t t;

        i += cn + 1;
        trim(&cl, &cn);
        if (starts(cl, cn, "alt. ")) {
            cl += 5;
            cn -= 5;
            trim(&cl, &cn);
        }
        if (starts(cl, cn, "MMSI") && e->pub.mmsi == 0) {
            e->pub.mmsi = digit_run(cl, cn, 9);
            continue;
        }
        for (t = 0; t < sizeof(name_tags) / sizeof(name_tags[0]); t++) {
            if (starts(cl, cn, name_tags[t])) {
                size_t k = strlen(name_tags[t]);
                struct df__csvf f;

                /* A quoted name holding ';' ("a.k.a. 'A;B'"): take the
                 * clause up to the closing quote. */
                while (memchr(cl, '\'', cn) != NULL &&
                       memchr(cl, '\'', cn) == memrchr_(cl, '\'', cn) &&
                       i < n) {
                    semi = memchr(s + i, ';', n - i);
                    cn = (size_t)((semi ? semi : s + n) - cl);
                    i = (size_t)(cl + cn - s) + 1;
                }
                trim(&cl, &cn);
                f = quoted_name(cl + k, cn - k);

                if (f.n > 0 && entry_alias(wl, e, f.s, f.n) < 0)
                    return -1;
                break;
            }
        }
        if (t < sizeof(name_tags) / sizeof(name_tags[0]))
            continue;
        if (e->pub.imo == 0) {
            const char *p = cl, *end = cl + cn;

            while ((p = memchr(p, 'I', (size_t)(end - p))) != NULL) {
                if (end - p >= 4 && memcmp(p, "IMO", 3) == 0) {
                    const char *d = p + 3;

                    while (d < end && (*d == ' ' || *d == ':'))
                        d++;
                    if (end - d >= 7) {
                        uint32_t imo = digit_run(d, 7, 7);

                        if (imo != 0 &&
                            (end - d == 7 || d[7] < '0' || d[7] > '9')) {
                            e->pub.imo = imo;
                            break;
                        }
                    }
                }
                p++;
            }
        }
    }
    return 0;
}

/* OFAC's "DPRK] [DPRK2" program cells as "DPRK; DPRK2". */
static const char *ofac_program(struct df_watchlist *wl, const char *s,
                                size_t n)
{
    char buf[MAX_SHORT];
    size_t i, o = 0;

    for (i = 0; i < n && o + 2 < sizeof(buf); i++) {
        if (n - i >= 3 && memcmp(s + i, "] [", 3) == 0) {
            buf[o++] = ';';
            buf[o++] = ' ';
            i += 2;
        } else {
            buf[o++] = s[i];
        }
    }
    return wl_str(wl, buf, o, MAX_SHORT);
}

/* Stores an OFAC cell, "" when it is null; NULL when out of memory. */
static const char *ofac_str(struct df_watchlist *wl, const struct df__csvf *f,
                            size_t cap)
{
    return is_ofac_null(f->s, f->n) ? "" : wl_str(wl, f->s, f->n, cap);
}

static int cmp_entnum(const void *pa, const void *pb)
{
    const struct wl_entry *a = *(struct wl_entry *const *)pa;
    const struct wl_entry *b = *(struct wl_entry *const *)pb;

    return a->ent_num < b->ent_num ? -1 : a->ent_num > b->ent_num;
}

/* Adds the aliases of alt.csv (next to path) to entries [first, wl->n). */
static enum df_err load_ofac_alt(struct df_watchlist *wl, const char *path,
                                 size_t first, char *err, size_t errlen)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path + 1) : 0, nv, lo, hi;
    char *altpath, *buf = NULL, tmp[256];
    struct wl_entry **byent;
    struct csv c;
    size_t len;
    enum df_err rc;
    FILE *probe;

    if (wl->n == first)
        return DF_OK;
    altpath = df__malloc(dirlen + sizeof("alt.csv"));
    if (altpath == NULL)
        goto nomem;
    memcpy(altpath, path, dirlen);
    memcpy(altpath + dirlen, "alt.csv", sizeof("alt.csv"));
    if (strcmp(altpath, path) == 0 || (probe = fopen(altpath, "rb")) == NULL) {
        df__free(altpath);
        return DF_OK;
    }
    fclose(probe);
    rc = df__slurp(altpath, DF__WL_MAX_FILE, &buf, &len, tmp, sizeof(tmp));
    df__free(altpath);
    if (rc != DF_OK) {
        snprintf(err, errlen, "%s", tmp);
        return rc;
    }
    nv = wl->n - first;
    byent = csv_open(&c, buf, len) == 0
                ? df__malloc(nv * sizeof(*byent))
                : NULL;
    if (byent == NULL) {
        df__free(byent);
        csv_close(&c);
        df__free(buf);
        goto nomem;
    }
    memcpy(byent, wl->ents + first, nv * sizeof(*byent));
    if (nv > 0)
        qsort(byent, nv, sizeof(*byent), cmp_entnum);
    rc = DF_OK;
    while (csv_next(&c)) {
        uint32_t ent;
        size_t i;

        wl->st.alt_rows++;
        if (c.bad || c.nf < 4 || !all_digits(c.f[0].s, c.f[0].n) ||
            is_ofac_null(c.f[3].s, c.f[3].n))
            continue;
        for (ent = 0, i = 0; i < c.f[0].n; i++)
            if (c.f[0].s[i] >= '0' && c.f[0].s[i] <= '9')
                ent = ent * 10 + (uint32_t)(c.f[0].s[i] - '0');
        lo = 0;
        hi = nv;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (byent[mid]->ent_num < ent)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < nv && byent[lo]->ent_num == ent; lo++) {
            if (entry_alias(wl, byent[lo], c.f[3].s, c.f[3].n) < 0) {
                rc = DF_NOMEM;
                break;
            }
        }
        if (rc != DF_OK)
            break;
    }
    df__free(byent);
    csv_close(&c);
    df__free(buf);
    if (rc == DF_OK)
        return DF_OK;
nomem:
    snprintf(err, errlen, "%s: out of memory", path);
    return DF_NOMEM;
}

/* Loads the rows of an OFAC sdn.csv; c holds the first record. */
static enum df_err load_ofac(struct df_watchlist *wl, struct csv *c,
                             const char *list, const char *path, char *err,
                             size_t errlen)
{
    size_t first = wl->n;
    enum df_err rc = DF_OK;

    do {
        const struct df__csvf *f = c->f;
        struct wl_entry *e;
        const char *t;
        size_t tn;

        wl->st.rows++;
        if (c->bad || c->too_many || c->nf != 12 ||
            !all_digits(f[0].s, f[0].n) || is_ofac_null(f[1].s, f[1].n)) {
            wl->st.malformed++;
            continue;
        }
        t = f[2].s;
        tn = f[2].n;
        trim(&t, &tn);
        if (!(tn == 6 && memcmp(t, "vessel", 6) == 0)) {
            wl->st.not_vessel++;
            continue;
        }
        e = entry_new(wl, list, &rc);
        if (e == NULL && rc == DF_LIMIT)
            continue;
        if (e == NULL)
            break;
        e->pub.id = wl_str(wl, f[0].s, f[0].n, MAX_ID);
        e->ent_num = (uint32_t)strtoul(e->pub.id ? e->pub.id : "0", NULL,
                                       10);
        e->pub.name = wl_str(wl, f[1].s, f[1].n, DF__WL_MAX_NAME);
        e->pub.program = is_ofac_null(f[3].s, f[3].n)
                             ? "" : ofac_program(wl, f[3].s, f[3].n);
        e->pub.flag = ofac_str(wl, &f[9], MAX_SHORT);
        if (!e->pub.id || !e->pub.name || !e->pub.program || !e->pub.flag ||
            (!is_ofac_null(f[5].s, f[5].n) &&
             entry_callsign(wl, e, f[5].s, f[5].n) < 0) ||
            (!is_ofac_null(f[11].s, f[11].n) &&
             parse_remarks(wl, e, f[11].s, f[11].n) < 0)) {
            rc = DF_NOMEM;
            break;
        }
    } while (csv_next(c));
    if (rc == DF_NOMEM) {
        snprintf(err, errlen, "%s: out of memory", path);
        return rc;
    }
    if (rc == DF_LIMIT) {
        snprintf(err, errlen, "%s: more than %u vessel entries, the rest "
                 "skipped", path, DF__WL_MAX_ENTRIES);
    }
    {
        enum df_err arc = load_ofac_alt(wl, path, first, err, errlen);

        if (arc != DF_OK)
            return arc;
    }
    return rc;
}

/*
 * Splits a multi-valued cell into items: "1: A 2: B" (the 1718 list) when
 * it starts with "1:", else on sep (0 for none).  Calls fn for each
 * non-empty item; stops at the first non-zero return and returns it.
 */
static int split_values(const char *s, size_t n, char sep,
                        int (*fn)(const char *s, size_t n, void *ud),
                        void *ud)
{
    size_t i = 0, start;
    unsigned next = 2;
    int r;

    trim(&s, &n);
    if (n >= 2 && s[0] == '1' && s[1] == ':') {
        start = 2;
        for (i = 2; i <= n; i++) {
            int cut = (i == n);

            if (!cut && (i == 0 || is_space((unsigned char)s[i - 1]))) {
                char num[12];
                int k = snprintf(num, sizeof(num), "%u:", next);

                if (k > 0 && n - i >= (size_t)k &&
                    memcmp(s + i, num, (size_t)k) == 0)
                    cut = k;
            }
            if (cut) {
                const char *is = s + start;
                size_t in = i - start;

                trim(&is, &in);
                if (in > 0 && (r = fn(is, in, ud)) != 0)
                    return r;
                if (i == n)
                    break;
                start = i + (size_t)cut;
                i = start - 1;
                next++;
            }
        }
        return 0;
    }
    start = 0;
    for (i = 0; i <= n; i++) {
        if (i == n || (sep != 0 && s[i] == sep)) {
            const char *is = s + start;
            size_t in = i - start;

            trim(&is, &in);
            if (in > 0 && (r = fn(is, in, ud)) != 0)
                return r;
            start = i + 1;
        }
    }
    return 0;
}

/* split_values() callbacks. */
struct first_item {
    const char *s;
    size_t n;
};
static int take_first(const char *s, size_t n, void *ud)
{
    struct first_item *f = ud;

    f->s = s;
    f->n = n;
    return 1;
}
struct alias_ctx {
    struct df_watchlist *wl;
    struct wl_entry *e;
    int skip_first;            /* the first item is the name itself */
};
static int add_alias_item(const char *s, size_t n, void *ud)
{
    struct alias_ctx *a = ud;

    if (a->skip_first) {
        a->skip_first = 0;
        return 0;
    }
    return entry_alias(a->wl, a->e, s, n) < 0 ? -1 : 0;
}
struct num_ctx {
    size_t digits;
    uint32_t v;
};
static int take_number(const char *s, size_t n, void *ud)
{
    struct num_ctx *c = ud;

    c->v = digit_run(s, n, c->digits);
    return c->v != 0;
}

/* The first item of a multi-valued cell. */
static struct df__csvf first_value(struct df__csvf f, char sep)
{
    struct first_item it = {"", 0};

    split_values(f.s, f.n, sep, take_first, &it);
    f.s = it.s;
    f.n = it.n;
    return f;
}

/* The first number of want digits among the items of a cell, or 0. */
static uint32_t first_number(struct df__csvf f, char sep, size_t want)
{
    struct num_ctx nc = {want, 0};

    split_values(f.s, f.n, sep, take_number, &nc);
    return nc.v;
}

/* Loads a list with a header (OpenSanctions, UN 1718, plain CSV); c holds
 * the header. */
static enum df_err load_table(struct df_watchlist *wl, struct csv *c,
                              enum list_format fmt, const int col[COL_COUNT],
                              const char *list, const char *path, char *err,
                              size_t errlen)
{
    enum df_err rc = DF_OK;
    int name_col = col[COL_VESSEL_NAME] >= 0 ? COL_VESSEL_NAME : COL_NAME;
    int imo_col = col[COL_IMO_NUMBER] >= 0 ? COL_IMO_NUMBER : COL_IMO;
    char sep = fmt == FMT_UN1718 ? 0 : ';';
    uint64_t row = 0;

    while (csv_next(c)) {
        struct df__csvf name, f;
        struct wl_entry *e;
        struct alias_ctx ac;
        char idbuf[24];

        row++;
        wl->st.rows++;
        if (c->bad) {
            wl->st.malformed++;
            continue;
        }
        if (fmt == FMT_OPENSANCTIONS) {
            f = cell(c, col, COL_TYPE);
            if (f.n > 0 && !(f.n == 6 && (f.s[0] == 'V' || f.s[0] == 'v') &&
                             memcmp(f.s + 1, "essel", 5) == 0)) {
                wl->st.not_vessel++;
                continue;
            }
        }
        name = first_value(cell(c, col, name_col), 0);
        if (name.n == 0) {
            wl->st.malformed++;
            continue;
        }
        e = entry_new(wl, list, &rc);
        if (e == NULL && rc == DF_LIMIT)
            continue;
        if (e == NULL)
            break;
        e->pub.name = wl_str(wl, name.s, name.n, DF__WL_MAX_NAME);
        e->pub.imo = first_number(cell(c, col, imo_col), ';', 7);
        e->pub.mmsi = first_number(cell(c, col, COL_MMSI), ';', 9);
        f = cell(c, col, COL_ID);
        if (f.n == 0) {
            snprintf(idbuf, sizeof(idbuf), "%llu", (unsigned long long)row);
            f.s = idbuf;
            f.n = strlen(idbuf);
        }
        e->pub.id = wl_str(wl, f.s, f.n, MAX_ID);
        f = first_value(cell(c, col, COL_FLAG), sep);
        e->pub.flag = wl_str(wl, f.s, f.n, MAX_SHORT);
        if (fmt == FMT_UN1718) {
            e->pub.program = "UN 1718";
        } else {
            f = cell(c, col, fmt == FMT_OPENSANCTIONS ? COL_DATASETS
                                                       : COL_PROGRAM);
            if (f.n == 0)
                f = cell(c, col, COL_PROGRAM);
            e->pub.program = wl_str(wl, f.s, f.n, MAX_SHORT);
        }
        if (!e->pub.name || !e->pub.id || !e->pub.flag || !e->pub.program) {
            rc = DF_NOMEM;
            break;
        }
        f = first_value(cell(c, col, COL_CALLSIGN), sep);
        if (f.n > 0 && entry_callsign(wl, e, f.s, f.n) < 0) {
            rc = DF_NOMEM;
            break;
        }
        /* Further names in the name cell ("1: A 2: B"), then aliases. */
        ac.wl = wl;
        ac.e = e;
        ac.skip_first = 1;
        f = cell(c, col, name_col);
        if (split_values(f.s, f.n, 0, add_alias_item, &ac) < 0) {
            rc = DF_NOMEM;
            break;
        }
        ac.skip_first = 0;
        f = cell(c, col, COL_ALIASES);
        if (split_values(f.s, f.n,
                         fmt == FMT_PLAIN && memchr(f.s, '|', f.n) ? '|'
                                                                   : ';',
                         add_alias_item, &ac) < 0) {
            rc = DF_NOMEM;
            break;
        }
        f = cell(c, col, COL_OTHER_INFO);
        if (f.n > 0 && parse_remarks(wl, e, f.s, f.n) < 0) {
            rc = DF_NOMEM;
            break;
        }
    }
    if (rc == DF_NOMEM)
        snprintf(err, errlen, "%s: out of memory", path);
    else if (rc == DF_LIMIT)
        snprintf(err, errlen, "%s: more than %u vessel entries, the rest "
                 "skipped", path, DF__WL_MAX_ENTRIES);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Indexes                                                             */
/* ------------------------------------------------------------------ */

static uint64_t callsign_key(const char *norm)
{
    return KEY_CALLSIGN |
           (df__fnv1a64(DF__FNV64_INIT, norm, strlen(norm)) >> 2);
}

/* Adds entry to the chain of key (room for the posting was made). */
static int hash_put(struct df_watchlist *wl, uint64_t key, uint32_t entry)
{
    struct hpost *p = &wl->posts[wl->nposts];

    p->entry = entry;
    p->next = df__hmap_get(&wl->index, key);
    if (df__hmap_put(&wl->index, key, (uint32_t)wl->nposts) != 0)
        return -1;
    wl->nposts++;
    return 0;
}

static int cmp_key_len(const void *pa, const void *pb)
{
    const struct name_key *a = pa, *b = pb;

    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return a->entry < b->entry ? -1 : a->entry > b->entry;
}

/* Appends the normalized name s of entry to the key array. */
static int key_add(struct df_watchlist *wl, const char *name, uint32_t entry)
{
    char norm[NORM_MAX];
    struct name_key *k;
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
    k->mask = char_mask(s, len);
    k->pop = (uint16_t)popcount64(k->mask);
    k->entry = entry;
    return 0;
}

/* Brings the name keys and the hash index up to date with the entries. */
static int index_build(struct df_watchlist *wl)
{
    size_t i, nposts = 0, L;
    unsigned a;

    for (i = wl->indexed; i < wl->n; i++) {
        struct wl_entry *e = wl->ents[i];

        if (key_add(wl, e->pub.name, e->idx) < 0)
            return -1;
        for (a = 0; a < e->pub.naliases; a++)
            if (key_add(wl, e->alias_v[a], e->idx) < 0)
                return -1;
    }
    wl->indexed = wl->n;
    if (wl->nkeys > 0)
        if (wl->nkeys > 0)
            qsort(wl->keys, wl->nkeys, sizeof(*wl->keys), cmp_key_len);
    for (L = 0, i = 0; L <= NORM_MAX; L++) {
        wl->len_off[L] = i;
        while (i < wl->nkeys && wl->keys[i].len == L)
            i++;
    }

    for (i = 0; i < wl->n; i++) {
        const struct wl_entry *e = wl->ents[i];

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
        const struct wl_entry *e = wl->ents[i];

        if (e->pub.imo != 0 && hash_put(wl, KEY_IMO | e->pub.imo, e->idx))
            return -1;
        if (e->pub.mmsi != 0 &&
            hash_put(wl, KEY_MMSI | e->pub.mmsi, e->idx))
            return -1;
        if (strlen(e->cs_norm) >= 4 &&
            hash_put(wl, callsign_key(e->cs_norm), e->idx))
            return -1;
    }
    return 0;
}

enum df_err df_watchlist_load(struct df_watchlist *wl, const char *path,
                              char *err, size_t errlen)
{
    char tmp[1];
    char *buf = NULL;
    const char *list, *slash;
    size_t len;
    struct csv c;
    int col[COL_COUNT];
    enum list_format fmt;
    enum df_err rc;

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
    list = wl_str(wl, slash ? slash + 1 : path,
                  strlen(slash ? slash + 1 : path), DF__WL_MAX_NAME);
    if (csv_open(&c, buf, len) != 0 || list == NULL) {
        df__free(buf);
        csv_close(&c);
        snprintf(err, errlen, "%s: out of memory", path);
        return DF_NOMEM;
    }
    fmt = csv_next(&c) && !c.bad ? detect(&c, buf, len, col) : FMT_UNKNOWN;
    switch (fmt) {
    case FMT_OFAC:
        rc = load_ofac(wl, &c, list, path, err, errlen);
        break;
    case FMT_OPENSANCTIONS:
    case FMT_UN1718:
    case FMT_PLAIN:
        rc = load_table(wl, &c, fmt, col, list, path, err, errlen);
        break;
    default:
        snprintf(err, errlen, "%s: unknown list format (want OFAC sdn.csv, "
                 "OpenSanctions maritime.csv, UN 1718 vessels CSV, or a "
                 "CSV header naming name and imo, mmsi or call sign)",
                 path);
        rc = DF_FORMAT;
    }
    csv_close(&c);
    df__free(buf);
    if (index_build(wl) < 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        return DF_NOMEM;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Screening                                                           */
/* ------------------------------------------------------------------ */

struct cand {
    uint32_t entry;
    enum df_match_by by;
    double score;
    char matched[64];
    const char *listed;     /* the list's (normalized) name that matched */
};

struct cands {
    struct cand c[CAND_MAX];
    size_t n;
};

/* Records a match of entry, keeping the best one per entry; when full,
 * the weakest match gives way to a stronger one. */
static void cand_add(struct cands *cs, uint32_t entry, enum df_match_by by,
                     double score, const char *matched, const char *listed)
{
    struct cand *slot = NULL;
    size_t i, worst = 0;

    for (i = 0; i < cs->n; i++) {
        if (cs->c[i].entry == entry) {
            if (score > cs->c[i].score ||
                (score == cs->c[i].score && by < cs->c[i].by))
                slot = &cs->c[i];
            else
                return;
            break;
        }
        if (cs->c[i].score < cs->c[worst].score)
            worst = i;
    }
    if (slot == NULL) {
        if (cs->n < CAND_MAX)
            slot = &cs->c[cs->n++];
        else if (score > cs->c[worst].score)
            slot = &cs->c[worst];
        else
            return;
    }
    slot->entry = entry;
    slot->by = by;
    slot->score = score;
    snprintf(slot->matched, sizeof(slot->matched), "%s", matched);
    slot->listed = listed ? listed : "";
}

static int cmp_cand(const void *pa, const void *pb)
{
    const struct cand *a = pa, *b = pb;

    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->by != b->by)
        return a->by < b->by ? -1 : 1;
    return a->entry < b->entry ? -1 : a->entry > b->entry;
}

/* The highest Jaro-Winkler that m matches between strings of lengths la
 * and lb can give: no transpositions, a common prefix of l. */
static double jw_bound(size_t m, double la, double lb, size_t l)
{
    double dm = (double)m;

    return winkler((dm / la + dm / lb + 1.0) / 3.0, l);
}

/*
 * Name rule: every list name within reach of the normalized q.  For each
 * length of list name, the fewest matches that could still reach min (with
 * the best prefix) is worked out once; a name whose character set leaves
 * fewer possible matches (characters of one string absent from the other
 * can never match) is skipped without computing its score.
 */
static void screen_name(const struct df_watchlist *wl, const char *q,
                        const char *shown, double min, struct cands *cs)
{
    size_t la = strlen(q), lb, i;
    uint64_t qm = char_mask(q, la);
    size_t qpop = popcount64(qm);
    double dla = (double)la, jmin;

    /* A starting guess for the Jaro score needed with a prefix of 4; the
     * loops below make the match count exact. */
    jmin = min > 0.82 ? (min - 0.4) / 0.6 : (min > 0.7 ? 0.7 : min);
    for (lb = 1; lb < NORM_MAX; lb++) {
        size_t lo = wl->len_off[lb], hi = wl->len_off[lb + 1];
        size_t mmax = la < lb ? la : lb, need;
        double dlb = (double)lb, guess;

        if (lo == hi || jw_bound(mmax, dla, dlb, 4) + 1e-9 < min)
            continue;
        guess = (3.0 * jmin - 1.0) / (1.0 / dla + 1.0 / dlb);
        need = guess <= 1.0 ? 1 : (size_t)guess;
        if (need > mmax)
            need = mmax;
        while (need > 1 && jw_bound(need - 1, dla, dlb, 4) + 1e-9 >= min)
            need--;
        while (need < mmax && jw_bound(need, dla, dlb, 4) + 1e-9 < min)
            need++;
        for (i = lo; i < hi; i++) {
            const struct name_key *k = &wl->keys[i];
            size_t both = popcount64(qm & k->mask), m, l = 0;
            double jw;

            /* Each symbol of one string missing from the other costs at
             * least one match: m <= la - (qpop - both), lb - (kpop -
             * both). */
            m = la + both - qpop;
            if (lb + both - k->pop < m)
                m = lb + both - k->pop;
            if (m < need)
                continue;
            while (l < 4 && l < la && l < lb && q[l] == k->s[l])
                l++;
            if (jw_bound(m, dla, dlb, l) + 1e-9 < min)
                continue;
            jw = df__jaro_winkler_n(q, la, k->s, lb);
            if (jw + 1e-9 >= min)
                cand_add(cs, k->entry, DF_MATCH_NAME,
                         SCORE_NAME_SCALE * (jw > 1.0 ? 1.0 : jw), shown,
                         k->s);
        }
    }
}

/* Adds every entry on the chain of key. */
static void screen_key(const struct df_watchlist *wl, uint64_t key,
                       enum df_match_by by, double score,
                       const char *cs_norm, const char *shown,
                       struct cands *cs)
{
    uint32_t p = df__hmap_get(&wl->index, key);

    for (; p != DF__HMAP_NONE; p = wl->posts[p].next) {
        uint32_t e = wl->posts[p].entry;

        if (cs_norm != NULL && strcmp(wl->ents[e]->cs_norm, cs_norm) != 0)
            continue;
        cand_add(cs, e, by, score, shown, NULL);
    }
}

size_t df_watchlist_screen(const struct df_watchlist *wl,
                           const struct df_vessel *v, double min_name_score,
                           struct df_match *out, size_t max)
{
    struct cands cs;
    char seen[DF_MAX_IDENTITIES][NORM_MAX];
    size_t nseen = 0, i, k, nid;
    int names = min_name_score == min_name_score && min_name_score <= 1.0;

    if (wl == NULL || v == NULL || out == NULL || max == 0 || wl->n == 0)
        return 0;
    cs.n = 0;
    if (v->mmsi != 0) {
        char shown[16];

        snprintf(shown, sizeof(shown), "%09lu", (unsigned long)v->mmsi);
        screen_key(wl, KEY_MMSI | v->mmsi, DF_MATCH_MMSI, SCORE_MMSI, NULL,
                   shown, &cs);
    }
    nid = v->nidentities < DF_MAX_IDENTITIES ? v->nidentities
                                             : DF_MAX_IDENTITIES;
    for (i = 0; i < nid; i++) {
        const struct df_identity *id = &v->identities[i];
        char cs_norm[CS_MAX], shown[24], norm[NORM_MAX], name[22];

        if (id->imo != 0 && id->imo <= 9999999 && df_imo_valid(id->imo)) {
            snprintf(shown, sizeof(shown), "%07lu", (unsigned long)id->imo);
            screen_key(wl, KEY_IMO | id->imo, DF_MATCH_IMO, SCORE_IMO, NULL,
                       shown, &cs);
        }
        callsign_normalize(id->callsign, sizeof(id->callsign), cs_norm);
        if (strlen(cs_norm) >= 4) {
            memcpy(shown, id->callsign, sizeof(id->callsign));
            shown[sizeof(id->callsign)] = '\0';
            screen_key(wl, callsign_key(cs_norm), DF_MATCH_CALLSIGN,
                       SCORE_CALLSIGN, cs_norm, shown, &cs);
        }
        if (!names)
            continue;
        memcpy(name, id->shipname, sizeof(id->shipname));
        name[sizeof(id->shipname)] = '\0';
        df_name_normalize(name, norm, sizeof(norm));
        if (norm[0] == '\0')
            continue;
        for (k = 0; k < nseen; k++)
            if (strcmp(seen[k], norm) == 0)
                break;
        if (k < nseen)
            continue;
        memcpy(seen[nseen++], norm, sizeof(norm));
        screen_name(wl, norm, name, min_name_score, &cs);
    }
    qsort(cs.c, cs.n, sizeof(cs.c[0]), cmp_cand);
    for (i = 0; i < cs.n && i < max; i++) {
        out[i].entry = &wl->ents[cs.c[i].entry]->pub;
        out[i].by = cs.c[i].by;
        out[i].score = cs.c[i].score;
        memcpy(out[i].matched, cs.c[i].matched, sizeof(out[i].matched));
        out[i].listed = cs.c[i].listed;
    }
    return i;
}
