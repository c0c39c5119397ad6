/*
 * detect_encounter.c - encounters: two vessels meeting at sea, a possible
 * ship-to-ship transfer.  The engine (meet.c) puts every vessel's
 * resampled point of a tick into a grid and hands each point's
 * neighbouring cells to df__encounter_scan_cell(); the pairs found in
 * range are followed here, tick by tick, until they part.  Shared state:
 * meet_int.h.
 *
 * Sources (METHODS.md row 3; ECOSYSTEM.md section 3 item 3):
 *  - Global Fishing Watch encounters_pipeline and Miller et al. 2018:
 *    positions resampled to a regular 10 min grid, interpolated only across
 *    gaps under 1 h (meet.c); two vessels are adjacent at a tick when
 *    within 500 m; a run of adjacent ticks lasting at least 2 h is a raw
 *    encounter; raw encounters of one pair less than 4 h apart are merged;
 *    the published table keeps those whose median implied speed is under
 *    2 kn and that lie at least 10 km from an anchorage.
 *
 * Deviations from GFW, and why:
 *  - Every pair within the distance is followed, not only each vessel's
 *    closest neighbour (GFW's 2021 change allows several partners too).
 *  - Medians come from a bounded reservoir of NSAMP samples per pair that
 *    is decimated (every other sample dropped, stride doubled) when full,
 *    so medians of encounters longer than NSAMP ticks (8 h at 10 min) are
 *    medians of a regular subsample; GFW itself takes a median of medians
 *    when merging.
 *  - Representative position: the median latitude and longitude of the
 *    midpoints of the two vessels (GFW: mean).
 *  - Berths.  Harbours are full of ships moored side by side; GFW drops
 *    encounters near anchorages.  Here an encounter whose median position
 *    is on land, within berth_max_shore_km of shore, or within
 *    port_entry_km of a known port (kind "port") is a berth: never
 *    reported, only counted.  One near a known anchorage or any port
 *    within encounter_min_anchorage_km, or near an anchorage learned from
 *    the data (anchorage.c), is still a ship-to-ship transfer: it is
 *    reported, marked "at_anchorage" in its evidence, with a score from
 *    0.4 at the anchorage to 0.9 (open sea) at encounter_min_anchorage_km
 *    from it, linear between (df__anchorage_share()): ships wait at anchor
 *    side by side, but the further from the anchorage the less likely
 *    that is, and a cliff at 10 km would rank two transfers 9.9 and
 *    10.1 km out apart by more than twice.  Inside a reference
 *    harbour's own radius (data/places) is a berth too.  To keep memory
 *    low a pair is classified as a berth once, when its first run reaches
 *    CLASSIFY_TICKS ticks, at the pair's position then; pairs not
 *    classified as berths are checked again on their median position
 *    when reported.  Berth zones per vessel, which
 *    spare ships moored side by side even the comparison, are described
 *    in meet.c.
 *  - Harbour and service craft (AIS ship types 33-37, 50-55, 58: harbour
 *    tugs, pilots, yachts, ...) never form an encounter when their type is
 *    known: GFW restricts encounters by vessel class the same way.  The
 *    type is taken from any record given to df__meet_position() that
 *    carries one (CSV rows do; AIS position messages do not), and each
 *    point is marked by harbour_craft() in meet.c.  On MarineCadastre
 *    2020-01-01 (6.3 M rows, US waters) this cuts the encounters from
 *    1,764 to 212.
 *
 * Bounds: pairs (MAX_PAIRS), samples per pair (NSAMP).  What does not fit
 * is counted and dropped.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "meet_int.h"
#include "util/ser.h"
#include "util/alloc.h"
#include "util/grow.h"

#define NSAMP 48             /* samples per pair for the medians */
#define INL 4                /* ... of which the first kept in the pair */
#define MAX_PAIRS 1000000    /* open pairs */
#define CLASSIFY_TICKS 3     /* a run this long is checked for a berth */
#define SPD_NA 0xFFFFu       /* unknown speed in a sample */
#define CLUMP_NEAR 3         /* others in range of either vessel at once
                              * that make a tick crowded */

struct samp {
    int32_t lon, lat;        /* midpoint of the two vessels */
    float dist_m;
    uint16_t spd_a, spd_b;   /* 1/100 kn, SPD_NA */
};

struct pair {
    uint64_t key;            /* lower MMSI << 32 | higher MMSI */
    uint32_t block;          /* sample block, or NONE */
    uint8_t run_on, has_event, classified, berth;
    int64_t run_start, last_close;
    uint32_t run_n, run_samp0;
    int64_t ev_start, ev_end;
    uint32_t ev_n;
    uint32_t nsamp, stride, skip;
    uint32_t pa, pb;         /* the two points at the last close tick */
    uint32_t run_crowded, ev_crowded; /* crowded ticks (CLUMP_NEAR) */
    uint16_t run_near, ev_near;       /* most others in range at once */
    /* The first INL samples, kept here: most pairs are ships passing
     * close for a tick or three, and never need a block. */
    struct samp inl[INL];
};

/* ------------------------------------------------------------------ */
/* Pairs and their samples                                            */
/* ------------------------------------------------------------------ */

static struct samp *block_of(struct df__meet *m, uint32_t b)
{
    return &m->blocks[(size_t)b * NSAMP];
}

static uint32_t block_new(struct df__meet *m)
{
    if (m->nbfree > 0)
        return m->bfree[--m->nbfree];
    if (m->nblocks == m->capblocks) {
        size_t cap = m->capblocks ? m->capblocks * 2 : 64;
        struct samp *nb = df__realloc(m->blocks, cap * NSAMP * sizeof(*nb));
        uint32_t *nf;

        if (nb == NULL) {
            m->oom = 1;
            return NONE;
        }
        m->blocks = nb;
        /* Zeroed: a block's unused samples are saved with it, and the
         * same state must save as the same bytes. */
        memset(nb + m->capblocks * NSAMP, 0,
               (cap - m->capblocks) * NSAMP * sizeof(*nb));
        nf = df__realloc(m->bfree, cap * sizeof(*nf));
        if (nf == NULL) {
            m->oom = 1;
            return NONE;
        }
        m->bfree = nf;
        m->capblocks = cap;
    }
    return (uint32_t)m->nblocks++;
}

static void block_free(struct df__meet *m, struct pair *p)
{
    assert(p->block == NONE || m->nbfree < m->capblocks);
    if (p->block != NONE)
        m->bfree[m->nbfree++] = p->block;
    p->block = NONE;
    p->nsamp = 0;
}

static void pair_del(struct df__meet *m, size_t i)
{
    struct pair *p = &m->ps[i];
    struct df__hslot *sl;

    block_free(m, p);
    df__hmap_del(&m->pmap, p->key);
    m->nps--;
    if (i != m->nps) {
        m->ps[i] = m->ps[m->nps];
        sl = df__hmap_find(&m->pmap, m->ps[i].key);
        assert(sl != NULL);
        sl->val = (uint32_t)i;
    }
}

static uint16_t spd_code(float kn)
{
    if (kn < 0)
        return SPD_NA;
    if (kn > 600.0f)
        return 60000;
    return (uint16_t)lrintf(kn * 100.0f);
}

/* The pair's samples: in its block, or in the pair while they fit. */
static struct samp *samples(struct df__meet *m, struct pair *p)
{
    return p->block != NONE ? block_of(m, p->block) : p->inl;
}

static void samp_add(struct df__meet *m, struct pair *p, const struct samp *s)
{
    struct samp *b;
    uint32_t i;

    if (p->berth)
        return;                 /* a berth is never an encounter */
    if (p->skip > 0) {
        p->skip--;
        return;
    }
    if (p->block == NONE) {
        if (p->nsamp < INL) {
            p->inl[p->nsamp++] = *s;
            return;
        }
        /* The pair outgrows itself: a block, the samples moved in. */
        if ((p->block = block_new(m)) == NONE)
            return;
        memcpy(block_of(m, p->block), p->inl, sizeof p->inl);
    }
    b = block_of(m, p->block);
    assert(p->block < m->nblocks && p->nsamp <= NSAMP && p->stride > 0);
    if (p->nsamp == NSAMP) {
        /* Keep every other sample, take one in twice as many ticks. */
        for (i = 0; i < NSAMP / 2; i++)
            b[i] = b[2 * i];
        p->nsamp = NSAMP / 2;
        p->run_samp0 = (p->run_samp0 + 1) / 2;
        p->stride *= 2;
    }
    b[p->nsamp++] = *s;
    p->skip = p->stride - 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The median of n values, or -1 when n is 0; sorts v. */
static double median(double *v, size_t n)
{
    if (n == 0)
        return -1;
    if (n > 0)
        qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* What vessel mmsi says of its kind, or nothing when it was forgotten. */
static struct df__vkind kind_of(const struct df__meet *m, uint32_t mmsi)
{
    static const struct df__vkind none;
    uint32_t v;

    if (m->nshards > 0)         /* the vessel is in its shard */
        m = m->shards[df__meet_shard_of(mmsi, m->nshards)];
    v = df__hmap_get(&m->vmap, mmsi);
    return v == NONE ? none : m->vs[v].kind;
}

/* One vessel's side of the evidence: its class, type, length, Class B. */
static void side_json(struct df_buf *b, const struct df__vkind *k)
{
    df_buf_printf(b, "{\"class\":\"%s\",\"shiptype\":%u",
                  df__vclass_name(df__vclass_of(k->shiptype)),
                  (unsigned)k->shiptype);
    if (k->length_m > 0)
        df_buf_printf(b, ",\"length_m\":%u", (unsigned)k->length_m);
    else
        df_buf_puts(b, ",\"length_m\":null");
    df_buf_printf(b, ",\"class_b\":%s,\"imo\":%s}",
                  k->cls == 'B' ? "true" : "false", k->imo ? "true" : "false");
}

/* Builds and emits the encounter held by pair p from its samples [0, n). */
static int emit_encounter(struct df__meet *m, struct pair *p, uint32_t n)
{
    const struct df_config *cfg = m->cfg;
    const struct samp *s = samples(m, p);
    double lon[NSAMP], lat[NSAMP], dist[NSAMP], sa[NSAMP], sb[NSAMP];
    double sall[2 * NSAMP];
    size_t na = 0, nb = 0, nall = 0, i;
    double mlon, mlat, mdist, mspd_a, mspd_b, mspd, dur_h;
    uint32_t lo = (uint32_t)(p->key >> 32), hi = (uint32_t)p->key;
    struct df_event ev;
    struct place pl;
    struct df_buf eb = {0};
    struct df__vkind ka, kb;
    const char *why;
    double rel, share;
    int32_t elon, elat;
    int swap, clump;

    if (n == 0)
        return 0;
    for (i = 0; i < n; i++) {
        lon[i] = (double)dlon_wrap(s[0].lon, s[i].lon);
        lat[i] = s[i].lat;
        dist[i] = s[i].dist_m;
        if (s[i].spd_a != SPD_NA)
            sall[nall++] = sa[na++] = s[i].spd_a / 100.0;
        if (s[i].spd_b != SPD_NA)
            sall[nall++] = sb[nb++] = s[i].spd_b / 100.0;
    }
    mlon = median(lon, n);
    mlat = median(lat, n);
    mdist = median(dist, n);
    mspd_a = median(sa, na);
    mspd_b = median(sb, nb);
    mspd = median(sall, nall);
    /* GFW's published table: both vessels slow (median implied speed). */
    if (mspd_a >= cfg->encounter_max_median_speed_kn ||
        mspd_b >= cfg->encounter_max_median_speed_kn) {
        m->st.skip_fast_encounter++;
        return 0;
    }
    elon = lon_norm(s[0].lon + (int64_t)llround(mlon));
    elat = (int32_t)llround(mlat);
    df__place_of(m, elon, elat, cfg->berth_max_shore_km, 1, &pl);
    if (pl.berth) {
        m->st.skip_berth++;
        return 0;
    }
    dur_h = (double)(p->ev_end - p->ev_start) * (double)m->step_ms / MS_PER_H;

    memset(&ev, 0, sizeof(ev));
    ev.type = DF_EV_ENCOUNTER;
    ev.nvessels = 2;
    /* The subject first: the lower MMSI, unless the other is DPRK's. */
    swap = df_mmsi_mid(hi) == 445 && df_mmsi_mid(lo) != 445;
    ev.vessels[0] = swap ? hi : lo;
    ev.vessels[1] = swap ? lo : hi;
    ev.start_ms = p->ev_start * m->step_ms;
    ev.end_ms = p->ev_end * m->step_ms;
    ev.lon = elon;
    ev.lat = elat;
    ka = kind_of(m, ev.vessels[0]);
    kb = kind_of(m, ev.vessels[1]);
    rel = df__pair_relevance(&ka, &kb, &why);
    /* A clump: one of the two had CLUMP_NEAR or more others in range at
     * once for at least half the encounter (a mooring field, a fleet at
     * anchor, a tender with its boats): not a transfer between two. */
    clump = p->ev_near >= CLUMP_NEAR && p->ev_crowded * 2 >= p->ev_n;
    if (clump)
        rel *= 0.25;
    share = pl.at_anchorage ? df__anchorage_share(
                                  pl.km, cfg->encounter_min_anchorage_km)
                            : 1.0;
    ev.score = (0.4 + 0.5 * share) * rel;

    df_buf_printf(&eb, "{\"median_distance_m\":%.0f", mdist);
    ev_num(&eb, "median_speed_kn", mspd, 2);
    df_buf_printf(&eb, ",\"median_speed_kn_vessels\":[");
    ev_val(&eb, swap ? mspd_b : mspd_a, 2);
    df_buf_printf(&eb, ",");
    ev_val(&eb, swap ? mspd_a : mspd_b, 2);
    df_buf_printf(&eb, "]");
    df_buf_printf(&eb, ",\"duration_h\":%.2f", dur_h);
    ev_num(&eb, "distance_to_shore_km", pl.shore_km, 1);
    df_buf_printf(&eb, ",\"at_anchorage\":%s",
                  pl.at_anchorage ? "true" : "false");
    if (pl.at_anchorage) {
        df_buf_puts(&eb, ",\"anchorage\":");
        df_buf_json_str(&eb, pl.name ? pl.name : "",
                        pl.name ? strlen(pl.name) : 0);
        df_buf_printf(&eb, ",\"anchorage_km\":%.1f", pl.km);
    }
    df_buf_printf(&eb, ",\"n_points\":%u", p->ev_n);
    df_buf_puts(&eb, ",\"vessels\":[");
    side_json(&eb, &ka);
    df_buf_puts(&eb, ",");
    side_json(&eb, &kb);
    df_buf_printf(&eb, "],\"vessels_nearby\":%u,\"clump\":%s",
                  (unsigned)p->ev_near, clump ? "true" : "false");
    df_buf_printf(&eb, ",\"relevance\":%.3g,\"relevance_reason\":\"%s%s\"",
                  rel, why, clump ? ", in a clump of vessels" : "");
    df_buf_printf(&eb,
              ",\"max_distance_m\":%g,\"min_hours\":%g"
              ",\"max_median_speed_kn\":%g,\"merge_hours\":%g"
              ",\"min_anchorage_km\":%g,\"berth_max_shore_km\":%g"
              ",\"resample_min\":%g,\"max_interp_hours\":%g}",
              cfg->encounter_max_distance_m, cfg->encounter_min_hours,
              cfg->encounter_max_median_speed_kn, cfg->encounter_merge_hours,
              cfg->encounter_min_anchorage_km, cfg->berth_max_shore_km,
              cfg->encounter_resample_min, cfg->encounter_max_interp_hours);
    if (df__event_set_evidence(&ev, &eb) != 0)
        m->oom = 1;
    df_buf_free(&eb);
    return m->emit(&ev, m->ud);
}

/* The pair's current run has ended (its last close tick is last_close). */
static int end_run(struct df__meet *m, struct pair *p)
{
    int rc = 0;
    int64_t dur = p->last_close - p->run_start;

    p->run_on = 0;
    if (dur < m->min_ticks || p->run_n < 2 || dur <= 0) {
        p->nsamp = p->run_samp0; /* not a raw encounter: forget it */
        return 0;
    }
    if (p->berth) {
        m->st.skip_berth++;
        return 0;
    }
    if (p->has_event && p->run_start - p->ev_end < m->merge_ticks) {
        p->ev_end = p->last_close;
        p->ev_n += p->run_n;
        p->ev_crowded += p->run_crowded;
        if (p->run_near > p->ev_near)
            p->ev_near = p->run_near;
        return 0;
    }
    if (p->has_event) {
        /* Cannot happen (see pair_step), kept for safety. */
        struct samp *b = samples(m, p);
        uint32_t k = p->run_samp0, n = p->nsamp - k;

        rc = emit_encounter(m, p, k);
        memmove(b, b + k, n * sizeof(*b));
        p->nsamp = n;
    }
    p->has_event = 1;
    p->ev_start = p->run_start;
    p->ev_end = p->last_close;
    p->ev_n = p->run_n;
    p->ev_crowded = p->run_crowded;
    p->ev_near = p->run_near;
    return rc;
}

/* Brings pair i up to tick T (after the tick's contacts), or closes it
 * for good when final.  Sets *deleted when the pair was removed. */
static int pair_step(struct df__meet *m, size_t i, int64_t T, int final,
                     int *deleted)
{
    struct pair *p = &m->ps[i];
    int rc = 0;

    *deleted = 0;
    if (p->run_on && (final || p->last_close < T))
        rc = end_run(m, p);
    if (rc != 0)
        return rc;
    if (p->run_on)
        return 0;
    if (p->has_event && (final || T - p->ev_end >= m->merge_ticks)) {
        rc = emit_encounter(m, p, p->nsamp);
        p->has_event = 0;
        p->nsamp = 0;
    }
    if (!p->has_event &&
        (final || !p->berth || T - p->last_close >= m->merge_ticks)) {
        pair_del(m, i);
        *deleted = 1;
    }
    return rc;
}

/* Vessels a and b (points) are within range at tick T. */
static void pair_touch(struct df__meet *m, const struct point *a,
                       const struct point *b, double d, int64_t T)
{
    const struct point *lo = a, *hi = b;
    uint64_t key;
    uint32_t idx;
    struct pair *p;
    struct samp s;

    if (a->mmsi > b->mmsi) {
        lo = b;
        hi = a;
    }
    key = (uint64_t)lo->mmsi << 32 | hi->mmsi;
    idx = df__hmap_get(&m->pmap, key);
    if (idx == NONE) {
        if (m->nps >= MAX_PAIRS) {
            m->st.drop_meet_pairs++;
            return;
        }
        if ((m->nps == m->capps &&
             df__grow(&m->ps, &m->capps, sizeof(*m->ps), 256) != 0) ||
            df__hmap_put(&m->pmap, key, (uint32_t)m->nps) != 0) {
            m->oom = 1;
            return;
        }
        idx = (uint32_t)m->nps++;
        p = &m->ps[idx];
        memset(p, 0, sizeof(*p));
        p->key = key;
        p->stride = 1;
        p->last_close = NO_TICK;
        p->block = NONE;        /* samples in the pair first */
    }
    p = &m->ps[idx];
    if (p->last_close == T)
        return;
    if (!p->run_on) {
        p->run_on = 1;
        p->run_start = T;
        p->run_n = 0;
        p->run_samp0 = p->nsamp;
        p->run_crowded = 0;
        p->run_near = 0;
    }
    p->pa = (uint32_t)(lo - m->pts);
    p->pb = (uint32_t)(hi - m->pts);
    p->last_close = T;
    p->run_n++;
    s.lon = lon_norm(lo->lon + dlon_wrap(lo->lon, hi->lon) / 2);
    s.lat = (int32_t)(((int64_t)lo->lat + hi->lat) / 2);
    if (!p->classified && T - p->run_start >= CLASSIFY_TICKS) {
        struct place pl;

        p->classified = 1;
        df__place_of(m, s.lon, s.lat, m->cfg->berth_max_shore_km, 0, &pl);
        if (pl.berth) {
            p->berth = 1;
            block_free(m, p);
            p->run_samp0 = 0;
        }
    }
    s.dist_m = (float)d;
    s.spd_a = spd_code(lo->spd_kn);
    s.spd_b = spd_code(hi->spd_kn);
    samp_add(m, p, &s);
}

/* ------------------------------------------------------------------ */
/* The pair search                                                    */
/* ------------------------------------------------------------------ */

/* Whether point pt is in a berth zone (on land, by the shore, in a
 * port), from the vessel's cache when it has not moved far, else looked
 * up once and cached.  Only vessels with a partner in range ask, so
 * ships under way on open water cost nothing. */
static uint8_t berth_zone(struct df__meet *m, struct point *pt)
{
    struct vessel *vs = pt->vp;
    struct place pl;

    if (pt->bz != BZ_UNKNOWN)
        return pt->bz;
    df__place_of(m, pt->lon, pt->lat, m->cfg->berth_max_shore_km, 0, &pl);
    pt->bz = pl.berth ? BZ_BERTH : BZ_SEA;
    vs->bz = pt->bz;
    vs->bz_lon = pt->lon;
    vs->bz_lat = pt->lat;
    return pt->bz;
}

/* The search half of the grid pass (contract in meet_int.h).  The grid
 * maps a cell key to the first point of the cell's chain (meet.c,
 * df__meet_grid_pass()). */
int df__encounter_scan_cell(const struct df__meet *m, uint32_t ia,
                            uint64_t key, struct df__gridpart *gp)
{
    const struct point *a = &m->pts[ia];
    double maxd = m->maxd_m, pre = maxd * 1.01 + 1.0;
    uint32_t j;

    for (j = df__hmap_get(&m->grid, key); j != NONE; j = m->pts[j].next) {
        const struct point *b = &m->pts[j];
        struct df__contact *c;
        double d;

        if (b->mmsi <= a->mmsi)
            continue;
        if (a->harbour || b->harbour)
            continue;
        if (fabs((double)(b->lat - a->lat)) / E4MIN_PER_DEG * M_PER_DEG >
            pre)
            continue;
        if (near_m(a->lon, a->lat, b->lon, b->lat, a->coslat) > pre)
            continue;
        d = df_distance_m(a->lon, a->lat, b->lon, b->lat);
        if (d > maxd)
            continue;
        if (gp->n == gp->cap &&
            df__grow(&gp->c, &gp->cap, sizeof(*gp->c), 256) != 0)
            return -1;
        c = &gp->c[gp->n++];
        c->a = ia;
        c->b = j;
        c->d = d;
    }
    return 0;
}

void df__encounter_contact(struct df__meet *m, const struct df__contact *c,
                           int64_t T)
{
    struct point *a = &m->pts[c->a], *b = &m->pts[c->b];

    /* Berth flags are cached as contacts are followed, so these two
     * checks read them now, in the single pass's order. */
    if (a->bz == BZ_BERTH && b->bz == BZ_BERTH)
        return;              /* moored side by side */
    if (berth_zone(m, a) == BZ_BERTH && berth_zone(m, b) == BZ_BERTH)
        return;
    pair_touch(m, a, b, c->d, T);
    if (a->nbrs < UINT16_MAX)
        a->nbrs++;
    if (b->nbrs < UINT16_MAX)
        b->nbrs++;
    if (a->vp->last_partner != T) {
        a->vp->last_partner = T;
        a->vp->hr_partner++;
    }
    if (b->vp->last_partner != T) {
        b->vp->last_partner = T;
        b->vp->hr_partner++;
    }
}

/* ------------------------------------------------------------------ */
/* Every open pair                                                    */
/* ------------------------------------------------------------------ */

/* Counts how crowded tick T was around each pair in range: the most
 * other vessels in range of either of the two (the points' counts are
 * complete only after the whole grid pass). */
static void crowd(struct df__meet *m, int64_t T)
{
    size_t i;

    for (i = 0; i < m->nps; i++) {
        struct pair *p = &m->ps[i];
        unsigned na, nb, near;

        if (!p->run_on || p->last_close != T)
            continue;
        assert(p->pa < m->npts && p->pb < m->npts);
        na = m->pts[p->pa].nbrs;
        nb = m->pts[p->pb].nbrs;
        near = (na > nb ? na : nb) - 1;
        if (near > p->run_near)
            p->run_near = (uint16_t)near;
        if (near >= CLUMP_NEAR)
            p->run_crowded++;
    }
}

int df__encounter_tick(struct df__meet *m, int64_t T)
{
    size_t i;
    int rc;

    crowd(m, T);
    for (i = 0; i < m->nps;) {
        int deleted;

        rc = pair_step(m, i, T, 0, &deleted);
        if (rc != 0)
            return rc;
        if (!deleted)
            i++;
    }
    return 0;
}

int df__encounter_finish(struct df__meet *m, int64_t T)
{
    int rc;

    while (m->nps > 0) {
        int deleted;

        rc = pair_step(m, m->nps - 1, T, 1, &deleted);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- saved state ------------------------------------------------------ */

void df__encounter_save(const struct df__meet *m, struct df_state_out *w)
{
    df__so_tag(w, DF__TAG('P', 'A', 'I', 'R'));
    df__so_u64(w, m->capps);
    df__so_arr(w, m->ps, sizeof(*m->ps), m->nps);
    df__hmap_save(&m->pmap, w);
    df__so_u64(w, m->capblocks);
    df__so_arr(w, m->blocks, sizeof(*m->blocks) * NSAMP, m->nblocks);
    df__so_arr(w, m->bfree, sizeof(*m->bfree), m->nbfree);
}

int df__encounter_load(struct df__meet *m, struct df_state_in *r)
{
    uint64_t capps, capblocks;
    size_t nps, nblocks, nbfree, i;
    struct pair *ps = NULL;
    struct samp *blocks = NULL;
    uint32_t *bfree = NULL;

    if (df__si_tag(r, DF__TAG('P', 'A', 'I', 'R')) != 0 ||
        df__si_u64(r, &capps) != 0 || capps > MAX_PAIRS ||
        df__si_arr(r, sizeof(*ps), (size_t)capps, (size_t)capps,
                   (void **)&ps, &nps) != 0 ||
        df__hmap_load(&m->pmap, r, nps) != 0 || m->pmap.n != nps ||
        df__si_u64(r, &capblocks) != 0 || capblocks > MAX_PAIRS ||
        df__si_arr(r, sizeof(*blocks) * NSAMP, (size_t)capblocks,
                   (size_t)capblocks, (void **)&blocks, &nblocks) != 0 ||
        df__si_arr(r, sizeof(*bfree), (size_t)capblocks, (size_t)capblocks,
                   (void **)&bfree, &nbfree) != 0)
        goto bad;
    for (i = 0; i < nps; i++)
        if (ps[i].block != NONE && ps[i].block >= nblocks)
            goto bad;
    for (i = 0; i < nbfree; i++)
        if (bfree[i] >= nblocks)
            goto bad;
    m->ps = ps;
    m->nps = nps;
    m->capps = (size_t)capps;
    m->blocks = blocks;
    m->nblocks = nblocks;
    m->capblocks = (size_t)capblocks;
    m->bfree = bfree;
    m->nbfree = nbfree;
    return 0;
bad:
    df__free(ps);
    df__free(blocks);
    df__free(bfree);
    return df__si_bad(r);
}
