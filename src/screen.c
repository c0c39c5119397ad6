/*
 * screen.c - screening a vessel against a watchlist (df_watchlist_screen
 * of darkfleet.h; the lists are loaded and indexed by list_load.c and
 * watchlist.c).
 *
 * Matching: exact IMO (check digit valid), MMSI and normalized call sign
 * through one hash table; names through Jaro-Winkler (names.c) over
 * normalized names.  Name candidates are pruned without loss: list names
 * are bucketed by length and each is given a 64-bit mask of the
 * characters it holds, which bounds the number of Jaro matches and hence
 * the score; only pairs whose bound reaches the threshold are compared.
 */
#include "relevance.h"
#include "watchlist.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAND_MAX 256               /* matches kept while screening one
                                    * vessel */

/* Scores of the exact rules (darkfleet.h). */
#define SCORE_IMO 1.0
#define SCORE_MMSI 0.95
#define SCORE_CALLSIGN 0.8
#define SCORE_NAME_SCALE 0.75

struct cand {
    uint32_t entry;
    enum df_match_by by;
    double score;
    char matched[64];
    const char *listed;     /* the list's (normalized) name that matched */
    int fit;                /* df__listing_fit() of a name match */
    char fit_why[96];
};

struct cands {
    struct cand c[CAND_MAX];
    size_t n;
};

/* ------------------------------------------------------------------ */
/* Does the vessel fit the listing?                                    */
/* ------------------------------------------------------------------ */

/* Listed vessel types, from the words lists use (OFAC's Vess_type, the
 * 1718 list's type), by the AIS classes they may broadcast. */
enum listed { L_UNKNOWN, L_TANKER, L_CARGO, L_FISHING, L_TUG, L_PASSENGER,
              L_YACHT, L_OFFSHORE, L_SERVICE };

static const struct {
    const char *word;          /* found anywhere, any case */
    enum listed kind;
} listed_words[] = {
    {"tanker", L_TANKER},     {"fish carrier", L_CARGO},
    {"reefer", L_CARGO},      {"refrigerated", L_CARGO},
    {"fishing", L_FISHING},   {"trawler", L_FISHING},
    {"cargo", L_CARGO},       {"bulk", L_CARGO},
    {"container", L_CARGO},   {"roll-on", L_CARGO},
    {"ro-ro", L_CARGO},       {"carrier", L_CARGO},
    {"heavy lift", L_CARGO},  {"barge", L_CARGO},
    {"supply", L_OFFSHORE},   {"offshore", L_OFFSHORE},
    {"anchor handling", L_OFFSHORE}, {"drilling", L_OFFSHORE},
    {"pipe", L_OFFSHORE},     {"tug", L_TUG},
    {"yacht", L_YACHT},       {"pleasure", L_YACHT},
    {"passenger", L_PASSENGER}, {"ferry", L_PASSENGER},
    {"research", L_SERVICE},  {"dredg", L_SERVICE},
    {"salvage", L_SERVICE},   {"naval", L_SERVICE},
    {"frigate", L_SERVICE},   {"landing", L_SERVICE},
    {"service", L_SERVICE},
};

static enum listed listed_kind(const char *type)
{
    char low[128];
    size_t i;

    for (i = 0; type[i] && i + 1 < sizeof(low); i++)
        low[i] = (char)(type[i] >= 'A' && type[i] <= 'Z' ? type[i] + 32
                                                          : type[i]);
    low[i] = '\0';
    for (i = 0; i < sizeof(listed_words) / sizeof(listed_words[0]); i++)
        if (strstr(low, listed_words[i].word))
            return listed_words[i].kind;
    return L_UNKNOWN;
}

/* 1 if a ship of AIS class c can be a listed vessel of kind k. */
static int compatible(enum listed k, enum df__vclass c)
{
    switch (k) {
    case L_TANKER:
    case L_CARGO:
        return c == DF__VC_TANKER || c == DF__VC_CARGO;
    case L_FISHING:
        return c == DF__VC_FISHING || c == DF__VC_CARGO;
    case L_TUG:
        return c == DF__VC_TOWING || c == DF__VC_HARBOUR_TUG ||
               c == DF__VC_OFFSHORE;
    case L_PASSENGER:
    case L_YACHT:
        return c == DF__VC_PASSENGER || c == DF__VC_PLEASURE;
    case L_OFFSHORE:
        return c == DF__VC_OFFSHORE || c == DF__VC_TOWING ||
               c == DF__VC_SERVICE;
    case L_SERVICE:
        return c == DF__VC_SERVICE || c == DF__VC_OFFSHORE;
    default:
        return 1;
    }
}

int df__listing_fit(const struct df_list_entry *e, const struct df_vessel *v,
                    char *why, size_t cap)
{
    unsigned i, n = v->nidentities < DF_MAX_IDENTITIES ? v->nidentities
                                                       : DF_MAX_IDENTITIES;
    unsigned type = 0, len = 0;
    enum listed k = listed_kind(e->vessel_type ? e->vessel_type : "");
    enum df__vclass c;
    double gt = e->gross_tonnage ? e->gross_tonnage
                                 : e->deadweight * 0.55, want;
    size_t o = 0;
    int support = 0;

    why[0] = '\0';
    for (i = 0; i < n; i++) {
        if (v->identities[i].shiptype)
            type = v->identities[i].shiptype;
        if (v->identities[i].length_m)
            len = v->identities[i].length_m;
    }
    c = df__vclass_of(type);
    if (type != 0 && k != L_UNKNOWN) {
        if (!compatible(k, c))
            return -1;
        o += (size_t)snprintf(why + o, cap - o, "AIS type %u (%s) fits %s",
                              type, df__vclass_name(c), e->vessel_type);
        support++;
    }
    /* Length against tonnage: L ~ 5 GT^(1/3) m, within a factor of two
     * (a 56,000 GT Aframax is about 190 m overall by it, 250 m real). */
    if (len > 0 && gt >= 100) {
        want = 5.0 * cbrt(gt);
        if (len < want / 2 || len > want * 2)
            return -1;
        if (o < cap)
            o += (size_t)snprintf(why + o, cap - o, "%s%u m fits %.0f GT",
                                  o ? "; " : "", len, gt);
        support++;
    }
    /* Listed with nothing to compare: only a cargo carrier, the kind of
     * ship such lists hold, may carry the name. */
    if (k == L_UNKNOWN && gt < 100 &&
        (c == DF__VC_TANKER || c == DF__VC_CARGO)) {
        snprintf(why, cap, "listed without type or size; AIS type %u (%s)",
                 type, df__vclass_name(c));
        support = 1;
    }
    return support;
}

/* 1 if the vessel broadcast a valid IMO number and imo is none of its. */
static int other_imo(const struct df_vessel *v, uint32_t imo)
{
    unsigned i, n = v->nidentities < DF_MAX_IDENTITIES ? v->nidentities
                                                       : DF_MAX_IDENTITIES;
    int own = 0;

    for (i = 0; i < n; i++) {
        if (!df_imo_valid(v->identities[i].imo))
            continue;
        if (v->identities[i].imo == imo)
            return 0;
        own = 1;
    }
    return own;
}

/* Records a match of entry, keeping the best one per entry; when full,
 * the weakest match gives way to a stronger one. */
static void cand_add(struct cands *cs, uint32_t entry, enum df_match_by by,
                     double score, const char *matched, const char *listed)
{
    struct cand *slot = NULL;
    size_t i, worst = 0;

    assert(cs->n <= CAND_MAX);
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

    return df__winkler((dm / la + dm / lb + 1.0) / 3.0, l);
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
    uint64_t qm = df__char_mask(q, la);
    size_t qpop = df__popcount64(qm);
    double dla = (double)la, jmin;

    /* A starting guess for the Jaro score needed with a prefix of 4; the
     * loops below make the match count exact. */
    jmin = min > 0.82 ? (min - 0.4) / 0.6 : (min > 0.7 ? 0.7 : min);
    for (lb = 1; lb < DF__NORM_MAX; lb++) {
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
            const struct df__wl_key *k = &wl->keys[i];
            size_t both = df__popcount64(qm & k->mask), m, l = 0;
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
    char seen[DF_MAX_IDENTITIES][DF__NORM_MAX];
    size_t nseen = 0, i, k, nid;
    int names = min_name_score == min_name_score && min_name_score <= 1.0;

    if (wl == NULL || v == NULL || out == NULL || max == 0 || wl->n == 0)
        return 0;
    cs.n = 0;
    if (v->mmsi != 0) {
        char shown[16];

        snprintf(shown, sizeof(shown), "%09lu", (unsigned long)v->mmsi);
        screen_key(wl, DF__WL_KEY_MMSI | v->mmsi, DF_MATCH_MMSI, SCORE_MMSI,
                   NULL, shown, &cs);
    }
    nid = v->nidentities < DF_MAX_IDENTITIES ? v->nidentities
                                             : DF_MAX_IDENTITIES;
    for (i = 0; i < nid; i++) {
        const struct df_identity *id = &v->identities[i];
        char cs_norm[DF__CS_MAX], shown[24], norm[DF__NORM_MAX], name[22];

        if (id->imo != 0 && id->imo <= 9999999 && df_imo_valid(id->imo)) {
            snprintf(shown, sizeof(shown), "%07lu", (unsigned long)id->imo);
            screen_key(wl, DF__WL_KEY_IMO | id->imo, DF_MATCH_IMO, SCORE_IMO,
                       NULL, shown, &cs);
        }
        df__callsign_normalize(id->callsign, sizeof(id->callsign), cs_norm);
        if (strlen(cs_norm) >= 4) {
            memcpy(shown, id->callsign, sizeof(id->callsign));
            shown[sizeof(id->callsign)] = '\0';
            screen_key(wl, df__wl_callsign_key(cs_norm), DF_MATCH_CALLSIGN,
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
    /* The permanent identifiers decide: a name or call sign match of an
     * entry listed with another IMO than the vessel's own is another ship
     * (a renamed twin at most); one that stands must fit the listing. */
    for (i = k = 0; i < cs.n; i++) {
        const struct df_list_entry *e = &wl->ents[cs.c[i].entry]->pub;

        cs.c[i].fit = 0;
        cs.c[i].fit_why[0] = '\0';
        if (cs.c[i].by == DF_MATCH_NAME || cs.c[i].by == DF_MATCH_CALLSIGN) {
            if (e->imo != 0 && other_imo(v, e->imo))
                continue;
            cs.c[i].fit = df__listing_fit(e, v, cs.c[i].fit_why,
                                          sizeof(cs.c[i].fit_why));
            if (cs.c[i].fit <= 0)
                continue;
        }
        cs.c[k++] = cs.c[i];
    }
    cs.n = k;
    qsort(cs.c, cs.n, sizeof(cs.c[0]), cmp_cand);
    for (i = 0; i < cs.n && i < max; i++) {
        out[i].entry = &wl->ents[cs.c[i].entry]->pub;
        out[i].by = cs.c[i].by;
        out[i].score = cs.c[i].score;
        memcpy(out[i].matched, cs.c[i].matched, sizeof(out[i].matched));
        out[i].listed = cs.c[i].listed;
        out[i].fit = cs.c[i].fit;
        memcpy(out[i].fit_why, cs.c[i].fit_why, sizeof(out[i].fit_why));
    }
    return i;
}
