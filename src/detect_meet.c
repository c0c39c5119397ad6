/*
 * detect_meet.c - encounters (two vessels meeting at sea: a possible
 * ship-to-ship transfer) and loitering (one vessel drifting at sea, its
 * partner possibly dark).  The interface is detect_meet.h.
 *
 * Sources (METHODS.md rows 3, 4 and 12; ECOSYSTEM.md section 3 item 3):
 *  - Global Fishing Watch encounters_pipeline and Miller et al. 2018:
 *    positions resampled to a regular 10 min grid, interpolated only across
 *    gaps under 1 h; two vessels are adjacent at a tick when within 500 m;
 *    a run of adjacent ticks lasting at least 2 h is a raw encounter; raw
 *    encounters of one pair less than 4 h apart are merged; the published
 *    table keeps those whose median implied speed is under 2 kn and that
 *    lie at least 10 km from an anchorage.
 *  - GFW pipe-loitering: hourly mean speed under 2 kn over consecutive
 *    hours, at least 20 nm offshore; the carrier version needs 4 h.
 *  - GFW anchorages_pipeline: places where at least 20 distinct vessels
 *    stayed 12 h or more within 0.5 km.
 *
 * How it runs.  df__meet_position() only fills a small ring of resampled
 * points per vessel (O(1) per record).  df__meet_advance() processes each
 * tick once every vessel has had the chance to report after it (a lag of
 * the interpolation limit plus one tick): it hashes every vessel's point at
 * that tick into a grid keyed by integer cell coordinates, with cells at
 * least as wide as the encounter distance (longitudes scaled by the cosine
 * of the row's latitude, columns wrapping at the antimeridian), and checks
 * each point's cell and its 8 neighbours.  Pair search is thus linear in
 * the vessels for any density short of a whole fleet inside one cell.
 *
 * Deviations from GFW, and why:
 *  - Cells are max(encounter_max_distance_m, 250 m) wide rather than S2
 *    level 12 (~2 km): the 8-neighbour check is exact as long as a cell is
 *    no narrower than the search distance, and small cells keep a dense
 *    port (2,000 ships inside 5 km) near-linear.
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
 *    the data, is still a ship-to-ship transfer: it is reported, marked
 *    "at_anchorage" in its evidence, with score 0.4 instead of 0.9.  To
 *    keep memory low a pair is classified as a berth once, when its first
 *    run reaches CLASSIFY_TICKS ticks, at the pair's position then; pairs
 *    not classified as berths are checked again on their median position
 *    when reported.
 *  - Learned anchorages: a vessel "stays" while its resampled points keep
 *    within 0.5 km of where the stay began; a stay reaching
 *    anchorage_min_stay_hours counts the vessel in the 1 km cell of that
 *    place (distinct MMSIs remembered up to ANCH_MMSI per cell, the table
 *    capped at ANCH_CELLS cells).  A cell reaching anchorage_min_vessels
 *    becomes an anchorage.  Scans stream, so an anchorage learned late
 *    applies from then on only: earlier encounters there were already
 *    reported as open sea.
 *  - Berth zones.  Each vessel caches whether its position is a berth
 *    zone (on land, within berth_max_shore_km of shore, or within
 *    port_entry_km of a port), looked up only when it first has a partner
 *    in range and again once it moves BZ_KEEP_M away.  The grid keeps
 *    berth-zone points in a layer of their own that other berth-zone
 *    points never search: two ships moored side by side are not even
 *    compared, which is what keeps a port of thousands of ships cheap.
 *  - Harbour and service craft (AIS ship types 33-37, 50-55, 58: harbour
 *    tugs, pilots, yachts, ...) never form an encounter when their type is
 *    known: GFW restricts encounters by vessel class the same way.  The
 *    type is taken from any record given to df__meet_position() that
 *    carries one (CSV rows do; AIS position messages do not).  On
 *    MarineCadastre 2020-01-01 (6.3 M rows, US waters) this cuts the
 *    encounters from 1,764 to 212.
 *  - Loitering uses the resampled points: the mean over each clock hour of
 *    the implied speeds between consecutive ticks (an hour needs at least
 *    half its ticks).  A vessel with a partner within the encounter
 *    distance for PARTNER_TICKS ticks or more during the episode is in an
 *    encounter, not loitering.  Slow fishing that keeps moving at 2-4 kn
 *    never loiters; a fishing vessel drifting under 2 kn does, by the rule,
 *    exactly as in GFW (which publishes loitering for all vessel types and
 *    leaves filtering to the analyst).
 *
 * Bounds: vessels (cfg->track_max_vessels), pairs (MAX_PAIRS), ring slots
 * per vessel (RING_MAX), samples per pair (NSAMP), anchorage cells
 * (ANCH_CELLS), learned anchorages (LEARNED_MAX), events queued by
 * df__meet_forget() (PENDING_MAX).  What does not fit is counted and
 * dropped.  The library never prints.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_meet.h"
#include "event.h"
#include "util/alloc.h"
#include "util/geodesy.h"
#include "util/grow.h"
#include "util/hint.h"
#include "util/hmap.h"

#define RING_MAX 64          /* resampled points kept per vessel */
#define NSAMP 48             /* samples per pair for the medians */
#define MAX_PAIRS 1000000    /* open pairs */
#define ANCH_CELLS 65536     /* cells counted for learned anchorages */
#define ANCH_MMSI 24         /* distinct vessels remembered per cell */
#define ANCH_CELL_M 1000.0   /* learned anchorage cell side */
#define STAY_M 500.0         /* a stay keeps within this of its start */
#define LEARNED_MAX 4096     /* learned anchorages */
#define PENDING_MAX 64       /* events queued by df__meet_forget() */
#define CLASSIFY_TICKS 3     /* a run this long is checked for a berth */
#define PARTNER_TICKS 3      /* partnered ticks that rule out loitering */
#define MIN_CELL_M 250.0

#define E4MIN_PER_DEG DF__E4MIN_PER_DEG
#define DEG_RAD_PI DF__PI
#define M_PER_DEG DF__M_PER_DEG
#define MS_PER_H 3600000.0
#define KN_PER_MPS 1.943844
#define NO_TICK INT64_MIN
#define NONE DF__HMAP_NONE
#define SPD_NA 0xFFFFu       /* unknown speed in a sample */

/* ------------------------------------------------------------------ */
/* State                                                              */
/* ------------------------------------------------------------------ */

struct rpt {                 /* a resampled point */
    int64_t tick;            /* NO_TICK when the slot is free */
    int32_t lon, lat;
};

/* What every record touches, kept apart and small (24 bytes) so that the
 * per-record path costs one cache line. */
struct vhot {
    int64_t fix_t;           /* last fix, or NO_TICK */
    int32_t fix_lon, fix_lat;
    uint32_t mmsi;
    uint16_t fix_sog;        /* 1/10 kn, DF_SPEED_NA */
    uint8_t shiptype;        /* last non-zero type seen, 0 unknown */
    uint8_t live;
};

struct vessel {
    uint32_t mmsi;
    uint8_t live;
    uint8_t stop_on, stop_counted;
    uint8_t ep_open;
    int64_t last_partner;    /* last tick with a partner in range */
    /* loitering: the clock hour being accumulated */
    int64_t hr;
    int hr_n, hr_spd_n, hr_partner;
    double hr_spd;
    int64_t hr_first, hr_last;
    double hr_lon, hr_lat;   /* sums, degrees (lon relative to ep_lon0) */
    /* loitering: the episode (consecutive slow hours) */
    int64_t ep_first, ep_last, ep_hr;
    int ep_hours, ep_n, ep_spd_n, ep_partner;
    double ep_spd, ep_lon, ep_lat;
    int32_t ref_lon;         /* longitudes are summed relative to this */
    /* a stay, for learned anchorages */
    int32_t stop_lon, stop_lat;
    int64_t stop_tick;
    /* whether the vessel is in a berth zone, cached by position */
    int32_t bz_lon, bz_lat;
    uint8_t bz;              /* BZ_* */
};

#define BZ_UNKNOWN 0
#define BZ_SEA 1
#define BZ_BERTH 2
#define BZ_KEEP_M 250.0      /* the cached answer holds this far */

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
};

struct point {               /* a vessel's point at the tick in hand */
    uint32_t v;
    uint32_t mmsi;
    uint32_t next;           /* next point in the same cell */
    int32_t lon, lat;
    double coslat;
    float spd_kn;            /* < 0: unknown */
    uint8_t bz;              /* BZ_*, valid for this point */
    uint8_t harbour;         /* a harbour or service craft by type */
    int64_t cy, cx;
};

struct anch_cell {
    uint32_t count;
    uint8_t learned;
    uint8_t nmmsi;
    uint32_t mmsi[ANCH_MMSI];
};

struct learned {
    int32_t lon, lat;
};

struct df__meet {
    const struct df_config *cfg;
    const struct df_geo *geo;
    const struct df_land *land;
    int (*emit)(const struct df_event *ev, void *ud);
    void *ud;

    int64_t step_ms;         /* resample interval */
    int64_t lag;             /* ticks held back before processing */
    int64_t interp_ms;       /* longest gap interpolated */
    int64_t min_ticks, merge_ticks;
    unsigned ring_n;         /* ring slots per vessel */
    unsigned tph;            /* ticks per hour */
    double cell_m, maxd_m;
    int64_t next_tick;       /* first tick not yet processed, or NO_TICK */
    int64_t max_tick;        /* latest tick holding a point */

    struct df__hmap vmap;         /* MMSI -> vessel index */
    struct vessel *vs;
    struct vhot *hot;        /* parallel to vs */
    struct rpt *ring;        /* ring_n slots per vessel */
    size_t nvs, capvs, maxvs;
    uint32_t *vfree;
    size_t nvfree;

    struct df__hmap pmap;         /* pair key -> pair index */
    struct pair *ps;
    size_t nps, capps;
    struct samp *blocks;     /* NSAMP samples per block */
    size_t nblocks, capblocks;
    uint32_t *bfree;
    size_t nbfree;

    struct point *pts;       /* the points of the tick in hand */
    size_t npts, cappts;
    struct df__hmap grid;    /* cell key -> first point in the cell */
    int64_t rc_row[256], rc_cols[256]; /* row_cols() cache, grid rows */

    struct df__hmap amap;         /* anchorage cell key -> cell index */
    struct anch_cell *acells;
    size_t nacells, capacells;
    struct learned learned[LEARNED_MAX];
    size_t nlearned;

    struct df_event pending[PENDING_MAX];
    size_t npending;

    struct df_stats st;      /* skip_berth, drop_meet_* ... */
    /* Internal counters (see the report: df_stats has no fields yet). */
    uint64_t n_old_fix;
};

/* ------------------------------------------------------------------ */
/* Geometry                                                           */
/* ------------------------------------------------------------------ */

static double deg(int32_t e4min)
{
    return e4min / E4MIN_PER_DEG;
}

/* Longitude difference b - a in 1/10000 min, wrapped to [-180, 180). */
static int64_t dlon_wrap(int32_t a, int32_t b)
{
    int64_t d = (int64_t)b - a;
    const int64_t half = (int64_t)180 * 600000, full = 2 * half;

    while (d >= half)
        d -= full;
    while (d < -half)
        d += full;
    return d;
}

static int32_t lon_norm(int64_t lon)
{
    const int64_t half = (int64_t)180 * 600000, full = 2 * half;

    while (lon >= half)
        lon -= full;
    while (lon < -half)
        lon += full;
    return (int32_t)lon;
}

/* Equirectangular distance in metres: good to 0.1% under a few km. */
static double near_m(int32_t lon1, int32_t lat1, int32_t lon2, int32_t lat2,
                     double coslat)
{
    double dy = (lat2 - lat1) / E4MIN_PER_DEG * M_PER_DEG;
    double dx = dlon_wrap(lon1, lon2) / E4MIN_PER_DEG * M_PER_DEG * coslat;

    return sqrt(dx * dx + dy * dy);
}

static int64_t row_of(double cell_m, int32_t lat)
{
    return (int64_t)floor(deg(lat) * M_PER_DEG / cell_m);
}

/* Columns in a row: the row's circumference over the cell side, rounded
 * down so that every column is at least cell_m wide, even the last one
 * before the antimeridian. */
static int64_t row_cols(double cell_m, int64_t row)
{
    double latc = (row + 0.5) * cell_m / M_PER_DEG, n;

    if (latc > 89.99)
        latc = 89.99;
    if (latc < -89.99)
        latc = -89.99;
    n = floor(360.0 * M_PER_DEG * cos(latc * DEG_RAD_PI / 180.0) / cell_m);
    return n < 1 ? 1 : (int64_t)n;
}

static int64_t col_of(int64_t ncols, int32_t lon)
{
    int64_t c = (int64_t)floor((deg(lon) + 180.0) / 360.0 * ncols);

    if (c < 0)
        c = 0;
    if (c >= ncols)
        c = ncols - 1;
    return c;
}

/* Columns stay under 2^31, so bit 31 is free to name a layer. */
static uint64_t cell_key(int64_t row, int64_t col)
{
    return (uint64_t)(uint32_t)(int32_t)row << 32 | (uint32_t)col;
}

#define LAYER_BERTH 0x80000000u  /* the grid layer of berth-zone points */

/* Harbour and service craft by AIS ship type (ITU-R M.1371 table 53):
 * dredging 33, diving 34, military 35, sailing 36, pleasure 37, pilot 50,
 * SAR 51, tug 52, port tender 53, anti-pollution 54, law enforcement 55,
 * medical 58.  They raft up in every harbour and marina; a transfer of
 * cargo is between ships of the other types.  Towing (31, 32) stays in:
 * articulated tug-barge tankers broadcast it, and they do lighter. */
static int harbour_craft(unsigned t)
{
    return (t >= 33 && t <= 37) || (t >= 50 && t <= 55) || t == 58;
}

/* ------------------------------------------------------------------ */
/* Evidence text                                                      */
/* ------------------------------------------------------------------ */

/* A number, or null when v is negative (unknown). */
static void ev_val(struct df_buf *b, double v, int prec)
{
    if (v < 0 || !isfinite(v))
        df_buf_puts(b, "null");
    else
        df_buf_printf(b, "%.*f", prec, v);
}

static void ev_num(struct df_buf *b, const char *key, double v, int prec)
{
    df_buf_printf(b, ",\"%s\":", key);
    ev_val(b, v, prec);
}

/* ------------------------------------------------------------------ */
/* Places: shore, ports, anchorages                                   */
/* ------------------------------------------------------------------ */

struct place {
    int berth;               /* on land, by the shore, or in a port */
    int at_anchorage;
    const char *name;        /* the anchorage or port, or NULL */
    double km;               /* its distance */
    double shore_km;         /* -1 without land */
};

/* Classifies a position.  shore_lim_km is the distance to shore under
 * which the position counts as a berth. */
static void place_of(const struct df__meet *m, int32_t lon, int32_t lat,
                     double shore_lim_km, int want_shore, struct place *pl)
{
    const struct df_config *cfg = m->cfg;
    double anch_km = cfg->encounter_min_anchorage_km;
    double lim = anch_km > cfg->port_entry_km ? anch_km : cfg->port_entry_km;
    size_t i;

    int near_shore = 0, on_land = 0, in_port = 0;

    memset(pl, 0, sizeof(*pl));
    pl->shore_km = -1;
    if (m->land != NULL) {
        if (df_land_contains(m->land, lon, lat)) {
            on_land = 1;
            pl->shore_km = 0;
        } else if (want_shore) {
            pl->shore_km = df_land_shore_km(m->land, lon, lat, 1000.0);
        } else {
            pl->shore_km = df_land_shore_km(m->land, lon, lat,
                                            shore_lim_km + 1.0);
        }
        if (pl->shore_km < shore_lim_km)
            near_shore = 1;
    }
    if (m->geo != NULL) {
        double km = 0;
        int port = df_geo_port_near(m->geo, lon, lat, lim, &km);

        if (port >= 0) {
            int anch = df_geo_port_is_anchorage(m->geo, port);

            if (!anch && km <= cfg->port_entry_km)
                in_port = 1;
            if (anch ? km <= anch_km : km <= lim) {
                pl->at_anchorage = 1;
                pl->name = df_geo_port_name(m->geo, port);
                pl->km = km;
            }
        }
    }
    if (!pl->at_anchorage) {
        double cl = cos(deg(lat) * DEG_RAD_PI / 180.0), best = -1;

        for (i = 0; i < m->nlearned; i++) {
            double d = near_m(lon, lat, m->learned[i].lon, m->learned[i].lat,
                              cl) / 1000.0;

            if (d <= anch_km && (best < 0 || d < best))
                best = d;
        }
        if (best >= 0) {
            pl->at_anchorage = 1;
            pl->name = "learned anchorage";
            pl->km = best;
        }
    }
    /* A berth: in a port, on land (Natural Earth draws harbours, rivers and
     * ship channels as land), or near the shore, unless the place is a
     * known anchorage: a transfer there is still reported, marked. */
    pl->berth = on_land || in_port || (near_shore && !pl->at_anchorage);
}

/* Counts a vessel that stayed at (lon, lat) in the anchorage cell there. */
static void anch_count(struct df__meet *m, uint32_t mmsi, int32_t lon,
                       int32_t lat)
{
    int64_t row = row_of(ANCH_CELL_M, lat);
    int64_t ncols = row_cols(ANCH_CELL_M, row);
    int64_t col = col_of(ncols, lon);
    uint64_t key = cell_key(row, col);
    uint32_t idx = df__hmap_get(&m->amap, key);
    struct anch_cell *c;
    unsigned i;

    if (idx == NONE) {
        if (m->nacells >= ANCH_CELLS)
            return;
        if (m->nacells == m->capacells &&
            df__grow(&m->acells, &m->capacells, sizeof(*m->acells), 256) != 0)
            return;
        idx = (uint32_t)m->nacells;
        if (df__hmap_put(&m->amap, key, idx) != 0)
            return;
        m->nacells++;
        memset(&m->acells[idx], 0, sizeof(m->acells[idx]));
    }
    c = &m->acells[idx];
    for (i = 0; i < c->nmmsi; i++)
        if (c->mmsi[i] == mmsi)
            return;
    if (c->nmmsi < ANCH_MMSI)
        c->mmsi[c->nmmsi++] = mmsi;
    c->count++;
    if (!c->learned && c->count >= m->cfg->anchorage_min_vessels &&
        m->nlearned < LEARNED_MAX) {
        double latc = (row + 0.5) * ANCH_CELL_M / M_PER_DEG;
        double lonc = (col + 0.5) / (double)ncols * 360.0 - 180.0;

        c->learned = 1;
        m->learned[m->nlearned].lat = (int32_t)lrint(latc * E4MIN_PER_DEG);
        m->learned[m->nlearned].lon = (int32_t)lrint(lonc * E4MIN_PER_DEG);
        m->nlearned++;
    }
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                          */
/* ------------------------------------------------------------------ */

static int64_t ticks_of(double hours, int64_t step_ms)
{
    double t = hours * MS_PER_H / (double)step_ms;

    if (!(t > 0))
        return 0;
    if (t > 1e9)
        t = 1e9;
    return (int64_t)ceil(t - 1e-9);
}

struct df__meet *df__meet_new(const struct df_config *cfg,
                              const struct df_geo *geo,
                              const struct df_land *land,
                              int (*emit)(const struct df_event *ev,
                                          void *ud),
                              void *ud)
{
    struct df__meet *m;
    double step_min = cfg->encounter_resample_min;
    int64_t lag;

    m = df__calloc(1, sizeof(*m));
    if (m == NULL)
        return NULL;
    m->cfg = cfg;
    m->geo = geo;
    m->land = land;
    m->emit = emit;
    m->ud = ud;
    if (!(step_min >= 1.0))
        step_min = 1.0;
    if (step_min > 1440.0)
        step_min = 1440.0;
    m->step_ms = (int64_t)llround(step_min * 60000.0);
    m->interp_ms = cfg->encounter_max_interp_hours > 0
                       ? (int64_t)(cfg->encounter_max_interp_hours * MS_PER_H)
                       : 0;
    /* A tick is final once every vessel could have sent the fix after it:
     * the interpolation limit plus a tick.  The ring must also hold the
     * tick before, for the implied speed. */
    lag = m->interp_ms / m->step_ms + 2;
    if (lag > RING_MAX - 4) {
        lag = RING_MAX - 4;
        m->interp_ms = (lag - 2) * m->step_ms;
    }
    m->lag = lag;
    m->ring_n = (unsigned)(lag + 4);
    m->min_ticks = ticks_of(cfg->encounter_min_hours, m->step_ms);
    m->merge_ticks = ticks_of(cfg->encounter_merge_hours, m->step_ms);
    m->tph = (unsigned)(MS_PER_H / (double)m->step_ms + 0.5);
    if (m->tph < 1)
        m->tph = 1;
    m->maxd_m = cfg->encounter_max_distance_m > 0
                    ? cfg->encounter_max_distance_m
                    : 0;
    m->cell_m = m->maxd_m > MIN_CELL_M ? m->maxd_m : MIN_CELL_M;
    m->maxvs = cfg->track_max_vessels >= 1 ? (size_t)cfg->track_max_vessels
                                            : 1;
    if (m->maxvs > 0x7fffffff)
        m->maxvs = 0x7fffffff;
    m->next_tick = NO_TICK;
    m->max_tick = NO_TICK;
    return m;
}

void df__meet_free(struct df__meet *m)
{
    if (m == NULL)
        return;
    df__hmap_fini(&m->vmap);
    df__hmap_fini(&m->pmap);
    df__hmap_fini(&m->amap);
    df__free(m->vs);
    df__free(m->hot);
    df__free(m->ring);
    df__free(m->vfree);
    df__free(m->ps);
    df__free(m->blocks);
    df__free(m->bfree);
    df__free(m->pts);
    df__hmap_fini(&m->grid);
    df__free(m->acells);
    df__free(m);
}

const struct df_stats *df__meet_stats(const struct df__meet *m)
{
    return &m->st;
}

/* ------------------------------------------------------------------ */
/* Vessels and resampling                                             */
/* ------------------------------------------------------------------ */

static struct rpt *slot_of(struct df__meet *m, uint32_t v, int64_t tick)
{
    int64_t k = tick % (int64_t)m->ring_n;

    if (k < 0)
        k += m->ring_n;
    return &m->ring[(size_t)v * m->ring_n + (size_t)k];
}

/* The vessel's index, created when new; NONE when the cap is reached. */
static uint32_t vessel_get(struct df__meet *m, uint32_t mmsi)
{
    uint32_t v = df__hmap_get(&m->vmap, mmsi);
    struct vessel *vs;
    unsigned i;

    if (v != NONE)
        return v;
    if (m->nvfree > 0) {
        v = m->vfree[m->nvfree - 1];
    } else {
        if (m->nvs >= m->maxvs) {
            m->st.drop_meet_vessels++;
            return NONE;
        }
        if (m->nvs == m->capvs) {
            size_t cap = m->capvs ? m->capvs * 2 : 256;
            struct vessel *nv;
            struct vhot *nh;
            struct rpt *nr;
            uint32_t *nf;

            if (cap > m->maxvs)
                cap = m->maxvs;
            nv = df__realloc(m->vs, cap * sizeof(*nv));
            if (nv == NULL)
                return NONE;
            m->vs = nv;
            nh = df__realloc(m->hot, cap * sizeof(*nh));
            if (nh == NULL)
                return NONE;
            m->hot = nh;
            nr = df__realloc(m->ring, cap * m->ring_n * sizeof(*nr));
            if (nr == NULL)
                return NONE;
            m->ring = nr;
            nf = df__realloc(m->vfree, cap * sizeof(*nf));
            if (nf == NULL)
                return NONE;
            m->vfree = nf;
            m->capvs = cap;
        }
        v = (uint32_t)m->nvs;
    }
    if (df__hmap_put(&m->vmap, mmsi, v) != 0)
        return NONE;
    if (v == m->nvs)
        m->nvs++;
    else
        m->nvfree--;
    vs = &m->vs[v];
    memset(vs, 0, sizeof(*vs));
    vs->mmsi = mmsi;
    vs->live = 1;
    memset(&m->hot[v], 0, sizeof(m->hot[v]));
    m->hot[v].mmsi = mmsi;
    m->hot[v].live = 1;
    m->hot[v].fix_t = NO_TICK;
    m->hot[v].fix_sog = DF_SPEED_NA;
    vs->last_partner = NO_TICK;
    vs->hr = NO_TICK;
    for (i = 0; i < m->ring_n; i++)
        m->ring[(size_t)v * m->ring_n + i].tick = NO_TICK;
    return v;
}

static void ring_set(struct df__meet *m, uint32_t v, int64_t tick,
                     int32_t lon, int32_t lat)
{
    struct rpt *r;

    if (m->next_tick != NO_TICK && tick < m->next_tick)
        return;              /* already processed */
    r = slot_of(m, v, tick);
    r->tick = tick;
    r->lon = lon;
    r->lat = lat;
    if (m->max_tick == NO_TICK || tick > m->max_tick)
        m->max_tick = tick;
}

static int flush_pending(struct df__meet *m)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < m->npending && rc == 0; i++)
        rc = m->emit(&m->pending[i], m->ud);
    if (i < m->npending)
        memmove(m->pending, m->pending + i,
                (m->npending - i) * sizeof(m->pending[0]));
    m->npending -= i;
    return rc;
}

void df__meet_prefetch(const struct df__meet *m, uint32_t mmsi, int stage)
{
    const struct df__hslot *sl;

    if (stage == 0) {
        df__hmap_prefetch(&m->vmap, mmsi);
        return;
    }
    if ((sl = df__hmap_find(&m->vmap, mmsi)) != NULL)
        DF__PREFETCH(&m->hot[sl->val]);
}

int df__meet_position(struct df__meet *m, const struct df_rec *rec)
{
    struct vhot *vs;
    uint32_t v;
    int64_t t = rec->t_ms, k, k0, k1, step = m->step_ms;
    int rc;

    if (m->npending > 0 && (rc = flush_pending(m)) != 0)
        return rc;
    if (t == DF_TIME_NONE || rec->lon == DF_LON_NA || rec->lat == DF_LAT_NA ||
        rec->lat > 90 * 600000 || rec->lat < -90 * 600000 ||
        rec->lon > 180 * 600000 || rec->lon < -180 * 600000)
        return 0;
    if (m->next_tick == NO_TICK)
        m->next_tick = t / step - 1;
    /* Process what is due first, so the ring never wraps onto a tick not
     * yet processed (input is in time order: t is the input time). */
    if ((m->next_tick + m->lag) * step <= t &&
        (rc = df__meet_advance(m, t)) != 0)
        return rc;
    v = vessel_get(m, rec->mmsi);
    if (v == NONE)
        return 0;
    vs = &m->hot[v];
    if (vs->fix_t != NO_TICK && t <= vs->fix_t) {
        if (t < vs->fix_t)
            m->n_old_fix++;
        return 0;
    }
    if (vs->fix_t != NO_TICK && t - vs->fix_t <= m->interp_ms) {
        /* Interpolate every tick in (fix_t, t]. */
        int64_t dt = t - vs->fix_t;
        int64_t dlon = dlon_wrap(vs->fix_lon, rec->lon);
        int64_t dlat = (int64_t)rec->lat - vs->fix_lat;

        k0 = vs->fix_t / step + 1;
        k1 = t / step;
        for (k = k0; k <= k1; k++) {
            int64_t f = k * step - vs->fix_t;

            ring_set(m, v, k, lon_norm(vs->fix_lon + dlon * f / dt),
                     (int32_t)(vs->fix_lat + dlat * f / dt));
        }
    }
    /* Hold the fix forward to the next tick if it is less than half a step
     * away; a later fix overwrites it by interpolation. */
    k = (t + step - 1) / step;
    if (k * step - t < step / 2)
        ring_set(m, v, k, rec->lon, rec->lat);
    vs->fix_t = t;
    vs->fix_lon = rec->lon;
    vs->fix_lat = rec->lat;
    vs->fix_sog = rec->speed;
    if (rec->shiptype != 0)
        vs->shiptype = rec->shiptype;
    return 0;
}

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

        if (nb == NULL)
            return NONE;
        m->blocks = nb;
        nf = df__realloc(m->bfree, cap * sizeof(*nf));
        if (nf == NULL)
            return NONE;
        m->bfree = nf;
        m->capblocks = cap;
    }
    return (uint32_t)m->nblocks++;
}

static void block_free(struct df__meet *m, struct pair *p)
{
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

static void samp_add(struct df__meet *m, struct pair *p, const struct samp *s)
{
    struct samp *b;
    uint32_t i;

    if (p->block == NONE)
        return;
    if (p->skip > 0) {
        p->skip--;
        return;
    }
    b = block_of(m, p->block);
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

/* Builds and emits the encounter held by pair p from its samples [0, n). */
static int emit_encounter(struct df__meet *m, struct pair *p, uint32_t n)
{
    const struct df_config *cfg = m->cfg;
    const struct samp *s = p->block != NONE ? block_of(m, p->block) : NULL;
    double lon[NSAMP], lat[NSAMP], dist[NSAMP], sa[NSAMP], sb[NSAMP];
    double sall[2 * NSAMP];
    size_t na = 0, nb = 0, nall = 0, i;
    double mlon, mlat, mdist, mspd_a, mspd_b, mspd, dur_h;
    uint32_t lo = (uint32_t)(p->key >> 32), hi = (uint32_t)p->key;
    struct df_event ev;
    struct place pl;
    struct df_buf eb = {0};
    int32_t elon, elat;
    int swap;

    if (s == NULL || n == 0)
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
    place_of(m, elon, elat, cfg->berth_max_shore_km, 1, &pl);
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
    ev.score = pl.at_anchorage ? 0.4 : 0.9;

    df_buf_printf(&eb, "{\"median_distance_m\":%.0f", mdist);
    ev_num(&eb, "median_speed_kn", mspd, 2);
    df_buf_printf(&eb, ",\"median_speed_kn_vessels\":[");
    ev_val(&eb, swap ? mspd_b : mspd_a, 2);
    df_buf_printf(&eb, ",");
    ev_val(&eb, swap ? mspd_a : mspd_b, 2);
    df_buf_printf(&eb, "]");
    df_buf_printf(&eb, ",\"duration_h\":%.2f", dur_h);
    ev_num(&eb, "distance_to_shore_km", pl.shore_km, 1);
    df_buf_printf(&eb, ",\"at_anchorage\":%s", pl.at_anchorage ? "true" : "false");
    if (pl.at_anchorage) {
        df_buf_puts(&eb, ",\"anchorage\":");
        df_buf_json_str(&eb, pl.name ? pl.name : "",
                        pl.name ? strlen(pl.name) : 0);
        df_buf_printf(&eb, ",\"anchorage_km\":%.1f", pl.km);
    }
    df_buf_printf(&eb, ",\"n_points\":%u", p->ev_n);
    df_buf_printf(&eb,
              ",\"max_distance_m\":%g,\"min_hours\":%g"
              ",\"max_median_speed_kn\":%g,\"merge_hours\":%g"
              ",\"min_anchorage_km\":%g,\"berth_max_shore_km\":%g"
              ",\"resample_min\":%g,\"max_interp_hours\":%g}",
              cfg->encounter_max_distance_m, cfg->encounter_min_hours,
              cfg->encounter_max_median_speed_kn, cfg->encounter_merge_hours,
              cfg->encounter_min_anchorage_km, cfg->berth_max_shore_km,
              cfg->encounter_resample_min, cfg->encounter_max_interp_hours);
    df__event_set_evidence(&ev, &eb);
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
        return 0;
    }
    if (p->has_event) {
        /* Cannot happen (see pair_step), kept for safety. */
        struct samp *b = block_of(m, p->block);
        uint32_t k = p->run_samp0, n = p->nsamp - k;

        rc = emit_encounter(m, p, k);
        memmove(b, b + k, n * sizeof(*b));
        p->nsamp = n;
    }
    p->has_event = 1;
    p->ev_start = p->run_start;
    p->ev_end = p->last_close;
    p->ev_n = p->run_n;
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

    if (m->vs[a->v].mmsi > m->vs[b->v].mmsi) {
        lo = b;
        hi = a;
    }
    key = (uint64_t)m->vs[lo->v].mmsi << 32 | m->vs[hi->v].mmsi;
    idx = df__hmap_get(&m->pmap, key);
    if (idx == NONE) {
        if (m->nps >= MAX_PAIRS) {
            m->st.drop_meet_pairs++;
            return;
        }
        if (m->nps == m->capps &&
            df__grow(&m->ps, &m->capps, sizeof(*m->ps), 256) != 0)
            return;
        if (df__hmap_put(&m->pmap, key, (uint32_t)m->nps) != 0)
            return;
        idx = (uint32_t)m->nps++;
        p = &m->ps[idx];
        memset(p, 0, sizeof(*p));
        p->key = key;
        p->stride = 1;
        p->last_close = NO_TICK;
        p->block = block_new(m);
    }
    p = &m->ps[idx];
    if (p->last_close == T)
        return;
    if (!p->run_on) {
        p->run_on = 1;
        p->run_start = T;
        p->run_n = 0;
        p->run_samp0 = p->nsamp;
    }
    p->last_close = T;
    p->run_n++;
    s.lon = lon_norm(lo->lon + dlon_wrap(lo->lon, hi->lon) / 2);
    s.lat = (int32_t)(((int64_t)lo->lat + hi->lat) / 2);
    if (!p->classified && T - p->run_start >= CLASSIFY_TICKS) {
        struct place pl;

        p->classified = 1;
        place_of(m, s.lon, s.lat, m->cfg->berth_max_shore_km, 0, &pl);
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
/* Loitering                                                          */
/* ------------------------------------------------------------------ */

/* Ends vessel v's loitering episode; fills *ev and returns 1 when it is
 * one to report. */
static int loiter_close(struct df__meet *m, struct vessel *vs,
                        struct df_event *ev)
{
    const struct df_config *cfg = m->cfg;
    double dur_h, mspd, lon, lat;
    int32_t elon, elat;
    struct place pl;
    struct df_buf eb = {0};

    if (!vs->ep_open)
        return 0;
    vs->ep_open = 0;
    dur_h = (double)(vs->ep_last - vs->ep_first) * (double)m->step_ms /
            MS_PER_H;
    if (dur_h < cfg->loitering_min_hours || vs->ep_n == 0)
        return 0;
    if (vs->ep_partner >= PARTNER_TICKS)
        return 0;            /* a partner was there: an encounter */
    lon = deg(vs->ref_lon) + vs->ep_lon / vs->ep_n;
    lat = vs->ep_lat / vs->ep_n;
    elon = lon_norm((int64_t)llround(lon * E4MIN_PER_DEG));
    elat = (int32_t)llround(lat * E4MIN_PER_DEG);
    place_of(m, elon, elat, cfg->loitering_min_shore_nm * 1.852, 1, &pl);
    if (pl.berth || pl.at_anchorage)
        return 0;
    mspd = vs->ep_spd_n ? vs->ep_spd / vs->ep_spd_n : -1;

    memset(ev, 0, sizeof(*ev));
    ev->type = DF_EV_LOITERING;
    ev->nvessels = 1;
    ev->vessels[0] = vs->mmsi;
    ev->start_ms = vs->ep_first * m->step_ms;
    ev->end_ms = vs->ep_last * m->step_ms;
    ev->lon = elon;
    ev->lat = elat;
    ev->score = 0.5;
    df_buf_printf(&eb, "{\"duration_h\":%.2f", dur_h);
    ev_num(&eb, "mean_speed_kn", mspd, 2);
    ev_num(&eb, "distance_to_shore_km", pl.shore_km, 1);
    df_buf_printf(&eb,
              ",\"n_hours\":%d,\"n_points\":%d,\"partner_points\":%d"
              ",\"max_speed_kn\":%g,\"min_hours\":%g,\"min_shore_nm\":%g}",
              vs->ep_hours, vs->ep_n, vs->ep_partner,
              cfg->loitering_max_speed_kn, cfg->loitering_min_hours,
              cfg->loitering_min_shore_nm);
    df__event_set_evidence(ev, &eb);
    df_buf_free(&eb);
    return 1;
}

/* Closes the clock hour vs->hr.  A slow hour right after the open
 * episode's last hour extends the episode; any other hour ends it, and
 * then *ev is filled and 1 returned when the episode is one to report.  A
 * slow hour that extends no episode starts one when may_start is set.
 * The hour is emptied. */
static int hour_end(struct df__meet *m, struct vessel *vs, int may_start,
                    struct df_event *ev)
{
    int slow = vs->hr != NO_TICK && vs->hr_n * 2 >= (int)m->tph &&
               vs->hr_spd_n > 0 &&
               vs->hr_spd / vs->hr_spd_n < m->cfg->loitering_max_speed_kn;
    int got = 0;

    if (!slow || !vs->ep_open || vs->ep_hr != vs->hr - 1)
        got = loiter_close(m, vs, ev);
    if (slow && (vs->ep_open || may_start)) {
        if (!vs->ep_open) {
            vs->ep_open = 1;
            vs->ep_first = vs->hr_first;
            vs->ep_hours = vs->ep_n = vs->ep_spd_n = vs->ep_partner = 0;
            vs->ep_spd = vs->ep_lon = vs->ep_lat = 0;
        }
        vs->ep_last = vs->hr_last;
        vs->ep_hr = vs->hr;
        vs->ep_hours++;
        vs->ep_n += vs->hr_n;
        vs->ep_spd += vs->hr_spd;
        vs->ep_spd_n += vs->hr_spd_n;
        vs->ep_partner += vs->hr_partner;
        vs->ep_lon += vs->hr_lon;
        vs->ep_lat += vs->hr_lat;
    }
    vs->hr = NO_TICK;
    vs->hr_n = vs->hr_spd_n = vs->hr_partner = 0;
    vs->hr_spd = vs->hr_lon = vs->hr_lat = 0;
    return got;
}

/* Closes the clock hour vs->hr: extends the episode when slow, else ends
 * it (emitting it when it is one to report).  Returns emit's value. */
static int hour_close(struct df__meet *m, struct vessel *vs)
{
    struct df_event ev;

    if (hour_end(m, vs, 1, &ev))
        return m->emit(&ev, m->ud);
    return 0;
}

/* ------------------------------------------------------------------ */
/* One tick                                                           */
/* ------------------------------------------------------------------ */

/* Empties the grid and makes room for n cells. */
static int grid_prepare(struct df__meet *m, size_t n)
{
    df__hmap_clear(&m->grid);
    return df__hmap_reserve(&m->grid, n);
}

/* Puts point i at the head of cell key's chain. */
static void grid_add(struct df__meet *m, uint64_t key, uint32_t i)
{
    struct df__hslot *sl = df__hmap_find(&m->grid, key);

    m->pts[i].next = sl ? sl->val : NONE;
    if (sl)
        sl->val = i;
    else
        df__hmap_put(&m->grid, key, i); /* room was made */
}

/* The head of cell key's chain, or NONE. */
static uint32_t grid_head(const struct df__meet *m, uint64_t key)
{
    return df__hmap_get(&m->grid, key);
}

/* Whether point pt is in a berth zone (on land, by the shore, in a
 * port), from the vessel's cache when it has not moved far, else looked
 * up once and cached.  Only vessels with a partner in range ask, so
 * ships under way on open water cost nothing. */
static uint8_t berth_zone(struct df__meet *m, struct point *pt)
{
    struct vessel *vs = &m->vs[pt->v];
    struct place pl;

    if (pt->bz != BZ_UNKNOWN)
        return pt->bz;
    place_of(m, pt->lon, pt->lat, m->cfg->berth_max_shore_km, 0, &pl);
    pt->bz = pl.berth ? BZ_BERTH : BZ_SEA;
    vs->bz = pt->bz;
    vs->bz_lon = pt->lon;
    vs->bz_lat = pt->lat;
    return pt->bz;
}

/* Gathers the points of tick T and feeds the per-vessel rules. */
static int gather(struct df__meet *m, int64_t T)
{
    int64_t hour = (T * m->step_ms) / (int64_t)MS_PER_H;
    size_t v;
    int rc;

    m->npts = 0;
    for (v = 0; v < m->nvs; v++) {
        struct vessel *vs = &m->vs[v];
        struct rpt *r, *rp;
        struct point *pt;
        float spd = -1;

        if (!vs->live)
            continue;
        if (vs->hr != NO_TICK && vs->hr != hour &&
            (rc = hour_close(m, vs)) != 0)
            return rc;
        r = slot_of(m, (uint32_t)v, T);
        if (r->tick != T) {
            if (vs->ep_open && vs->ep_hr < hour - 1 &&
                (rc = hour_close(m, vs)) != 0)
                return rc;
            continue;
        }
        rp = slot_of(m, (uint32_t)v, T - 1);
        if (m->npts == m->cappts &&
            df__grow(&m->pts, &m->cappts, sizeof(*m->pts), 256) != 0)
            return 0;
        pt = &m->pts[m->npts++];
        pt->v = (uint32_t)v;
        pt->mmsi = vs->mmsi;
        pt->harbour = (uint8_t)harbour_craft(m->hot[v].shiptype);
        pt->lon = r->lon;
        pt->lat = r->lat;
        pt->coslat = cos(deg(r->lat) * DEG_RAD_PI / 180.0);
        if (rp->tick == T - 1)
            spd = (float)(near_m(rp->lon, rp->lat, r->lon, r->lat,
                                 pt->coslat) /
                          ((double)m->step_ms / 1000.0) * KN_PER_MPS);
        else if (m->hot[v].fix_sog != DF_SPEED_NA)
            spd = m->hot[v].fix_sog / 10.0f;
        pt->spd_kn = spd;
        pt->bz = vs->bz != BZ_UNKNOWN &&
                         near_m(vs->bz_lon, vs->bz_lat, r->lon, r->lat,
                                pt->coslat) <= BZ_KEEP_M
                     ? vs->bz
                     : BZ_UNKNOWN;

        /* Loitering: accumulate the clock hour. */
        if (vs->hr == NO_TICK) {
            vs->hr = hour;
            vs->hr_first = T;
        }
        if (!vs->ep_open && vs->hr_n == 0)
            vs->ref_lon = r->lon; /* kept while an episode is open */
        vs->hr_n++;
        vs->hr_last = T;
        if (spd >= 0) {
            vs->hr_spd += spd;
            vs->hr_spd_n++;
        }
        vs->hr_lon += dlon_wrap(vs->ref_lon, r->lon) / E4MIN_PER_DEG;
        vs->hr_lat += deg(r->lat);

        /* Stays, for learned anchorages. */
        if (!vs->stop_on ||
            near_m(vs->stop_lon, vs->stop_lat, r->lon, r->lat, pt->coslat) >
                STAY_M) {
            vs->stop_on = 1;
            vs->stop_counted = 0;
            vs->stop_lon = r->lon;
            vs->stop_lat = r->lat;
            vs->stop_tick = T;
        } else if (!vs->stop_counted &&
                   (double)(T - vs->stop_tick) * (double)m->step_ms >=
                       m->cfg->anchorage_min_stay_hours * MS_PER_H) {
            vs->stop_counted = 1;
            anch_count(m, vs->mmsi, vs->stop_lon, vs->stop_lat);
        }
    }
    return 0;
}

/* row_cols() for the grid, through a small direct-mapped cache. */
static int64_t grid_cols(struct df__meet *m, int64_t row)
{
    size_t k = (size_t)(row & 255);

    if (m->rc_cols[k] == 0 || m->rc_row[k] != row) {
        m->rc_row[k] = row;
        m->rc_cols[k] = row_cols(m->cell_m, row);
    }
    return m->rc_cols[k];
}

/* Checks point a against the points of one grid cell. */
static void scan_cell(struct df__meet *m, struct point *a, uint64_t key,
                      int64_t T)
{
    double maxd = m->maxd_m, pre = maxd * 1.01 + 1.0;
    uint32_t j;

    for (j = grid_head(m, key); j != NONE; j = m->pts[j].next) {
        struct point *b = &m->pts[j];
        double d;

        if (b->mmsi <= a->mmsi)
            continue;
        if (a->bz == BZ_BERTH && b->bz == BZ_BERTH)
            continue;        /* moored side by side */
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
        if (berth_zone(m, a) == BZ_BERTH && berth_zone(m, b) == BZ_BERTH)
            continue;
        pair_touch(m, a, b, d, T);
        if (m->vs[a->v].last_partner != T) {
            m->vs[a->v].last_partner = T;
            m->vs[a->v].hr_partner++;
        }
        if (m->vs[b->v].last_partner != T) {
            m->vs[b->v].last_partner = T;
            m->vs[b->v].hr_partner++;
        }
    }
}

/* Processes tick T: the grid pass over every vessel's point at T, then
 * every open pair. */
static int process_tick(struct df__meet *m, int64_t T)
{
    size_t i;
    int rc;

    if ((rc = gather(m, T)) != 0)
        return rc;
    if (m->npts > 1 && m->maxd_m > 0 && grid_prepare(m, m->npts) == 0) {
        /* Two layers: points known to be in a berth zone, and the rest.
         * A berth-zone point only looks at the second layer, so ships
         * moored side by side are never even compared. */
        for (i = 0; i < m->npts; i++) {
            struct point *pt = &m->pts[i];

            pt->cy = row_of(m->cell_m, pt->lat);
            pt->cx = col_of(grid_cols(m, pt->cy), pt->lon);
            grid_add(m,
                     cell_key(pt->cy, pt->cx) |
                         (pt->bz == BZ_BERTH ? LAYER_BERTH : 0),
                     (uint32_t)i);
        }
        for (i = 0; i < m->npts; i++) {
            struct point *a = &m->pts[i];
            int berth = a->bz == BZ_BERTH, dy;

            for (dy = -1; dy <= 1; dy++) {
                int64_t row = a->cy + dy;
                int64_t ncols = grid_cols(m, row);
                int64_t col = col_of(ncols, a->lon);
                int64_t seen[3];
                int nseen = 0, dx, k;

                for (dx = -1; dx <= 1; dx++) {
                    int64_t c = ((col + dx) % ncols + ncols) % ncols;
                    uint64_t key = cell_key(row, c);

                    for (k = 0; k < nseen && seen[k] != c; k++)
                        ;
                    if (k < nseen)
                        continue;
                    seen[nseen++] = c;
                    scan_cell(m, a, key, T);
                    if (!berth)
                        scan_cell(m, a, key | LAYER_BERTH, T);
                }
            }
        }
    }
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

int df__meet_advance(struct df__meet *m, int64_t now_ms)
{
    int rc;

    if (m->npending > 0 && (rc = flush_pending(m)) != 0)
        return rc;
    if (m->next_tick == NO_TICK || now_ms == DF_TIME_NONE)
        return 0;
    while ((m->next_tick + m->lag) * m->step_ms <= now_ms) {
        /* A jump in input time far past every point: skip the empty
         * ticks, keeping enough of them to close what is open. */
        int64_t last = m->max_tick == NO_TICK ? m->next_tick : m->max_tick;
        int64_t quiet = last + m->merge_ticks + m->lag + 2;

        if (m->next_tick > quiet && m->nps == 0) {
            int64_t target = now_ms / m->step_ms - m->lag;

            if (target > m->next_tick)
                m->next_tick = target;
            if ((m->next_tick + m->lag) * m->step_ms > now_ms)
                break;
        }
        rc = process_tick(m, m->next_tick);
        m->next_tick++;
        if (rc != 0)
            return rc;
    }
    return 0;
}

int df__meet_finish(struct df__meet *m)
{
    size_t v;
    int rc;

    if (m->npending > 0 && (rc = flush_pending(m)) != 0)
        return rc;
    if (m->next_tick == NO_TICK)
        return 0;
    if (m->max_tick != NO_TICK) {
        while (m->next_tick <= m->max_tick + 1) {
            rc = process_tick(m, m->next_tick);
            m->next_tick++;
            if (rc != 0)
                return rc;
        }
    }
    while (m->nps > 0) {
        int deleted;

        rc = pair_step(m, m->nps - 1, m->next_tick, 1, &deleted);
        if (rc != 0)
            return rc;
    }
    for (v = 0; v < m->nvs; v++) {
        struct vessel *vs = &m->vs[v];
        struct df_event ev;

        if (!vs->live)
            continue;
        if (vs->hr != NO_TICK && (rc = hour_close(m, vs)) != 0)
            return rc;
        if (loiter_close(m, vs, &ev) && (rc = m->emit(&ev, m->ud)) != 0)
            return rc;
    }
    return 0;
}

void df__meet_forget(struct df__meet *m, uint32_t mmsi)
{
    uint32_t v = df__hmap_get(&m->vmap, mmsi);
    struct vessel *vs;
    struct df_event ev;

    if (v == NONE)
        return;
    vs = &m->vs[v];
    /* The event cannot be emitted from here (no return value): it is
     * queued and emitted by the next call.  A vessel being forgotten
     * starts no episode, so at most one ends: the one its last hour did
     * not extend, or the one it did. */
    if (hour_end(m, vs, 0, &ev) || loiter_close(m, vs, &ev)) {
        if (m->npending < PENDING_MAX)
            m->pending[m->npending++] = ev;
        else
            m->st.drop_meet_events++;
    }
    vs->live = 0;
    m->hot[v].live = 0;
    df__hmap_del(&m->vmap, mmsi);
    m->vfree[m->nvfree++] = v;
}

/* Harbour craft never form encounters; position reports do not carry a
 * ship type, so scan.c passes it on from static records. */
void df__meet_shiptype(struct df__meet *m, uint32_t mmsi, uint8_t shiptype)
{
    uint32_t v;

    if (shiptype == 0)
        return;
    v = vessel_get(m, mmsi);
    if (v != NONE)
        m->hot[v].shiptype = shiptype;
}
