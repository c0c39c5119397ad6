/*
 * meet_int.h - private half of the meeting detectors: the state that
 * src/meet.c (the engine: vessels, resampling, ticks, the grid),
 * src/detect_encounter.c (pairs), src/detect_loiter.c (slow hours) and
 * src/anchorage.c (stays, learned anchorages, places) share, and the
 * small helpers they all use.  The interface is meet.h.
 *
 * The helpers here are static inline because they run on the hot path:
 * per record (df__meet_position) or per vessel and tick (gather() in
 * meet.c).  What runs per pair, per event or once an hour is a df__
 * function in the file of its detector.
 */
#ifndef DF_MEET_INT_H
#define DF_MEET_INT_H

#include <math.h>
#include <stdint.h>

#include "meet.h"
#include "relevance.h"
#include "util/geodesy.h"
#include "util/hmap.h"

#define LEARNED_MAX 4096     /* learned anchorages */
#define STAY_M 500.0         /* a stay keeps within this of its start */

#define E4MIN_PER_DEG DF__E4MIN_PER_DEG
#define DEG_RAD_PI DF__PI
#define M_PER_DEG DF__M_PER_DEG
#define MS_PER_H 3600000.0
#define NO_TICK INT64_MIN
#define NONE DF__HMAP_NONE

/* ------------------------------------------------------------------ */
/* State                                                              */
/* ------------------------------------------------------------------ */

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
    struct df__vkind kind;   /* what it says of itself (relevance.h) */
};

#define BZ_UNKNOWN 0
#define BZ_SEA 1
#define BZ_BERTH 2
#define BZ_KEEP_M 250.0      /* the cached answer holds this far */

struct point {               /* a vessel's point at the tick in hand */
    uint32_t v;
    uint32_t mmsi;
    struct vessel *vp;       /* its vessel, in the detector that holds it
                              * (a shard's, when split: meet_par.c) */
    uint32_t next;           /* next point in the same cell */
    int32_t lon, lat;
    double coslat;
    float spd_kn;            /* < 0: unknown */
    uint8_t bz;              /* BZ_*, valid for this point */
    uint8_t harbour;         /* a harbour or service craft by type */
    uint16_t nbrs;           /* vessels within range at this tick */
    int64_t cy, cx;
};

#define LAYER_BERTH 0x80000000u  /* the grid layer of berth-zone points */

struct learned {
    int32_t lon, lat;
};

/* A pair of points within the encounter distance at the tick in hand,
 * found by the grid pass's search (which may run on several threads) and
 * then followed in the order a single pass would have met it. */
struct df__contact {
    uint32_t a, b;           /* indices in pts */
    double d;                /* metres apart */
};

#define DF__GRID_PARTS_MAX 64

/* One search thread's part of the points and what it found. */
struct df__gridpart {
    size_t from, to;         /* points [from, to) */
    struct df__contact *c;
    size_t n, cap;
    int64_t rc_row[256], rc_cols[256]; /* its own grid_cols() cache */
    int oom;
};

/* A stay a shard logged, for the pair engine to count (meet_par.c). */
struct df__stay {
    int32_t lon, lat;
    uint32_t mmsi;
};

/* Each file's own: struct rpt and struct vhot (meet.c), struct pair and
 * struct samp (detect_encounter.c), struct anch_cell (anchorage.c). */
struct rpt;
struct vhot;
struct pair;
struct samp;
struct anch_cell;

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
    int64_t rc_row[256], rc_cols[256]; /* grid_cols() cache (meet.c) */
    unsigned nparts;         /* the grid search's threads, at most
                              * DF__GRID_PARTS_MAX (0 or 1: this one) */
    struct df__gridpart *parts;

    struct df__hmap amap;         /* anchorage cell key -> cell index */
    struct anch_cell *acells;
    size_t nacells, capacells;
    struct learned learned[LEARNED_MAX];
    size_t nlearned;

    /* Events df__meet_forget() queued, emitted by the next call: at most
     * one per vessel forgotten, so bounded by maxvs. */
    struct df_event *pending;
    size_t npending, cappending;

    /* Split by MMSI (meet_par.c).  A shard holds vessels and their
     * per-vessel rules; its stays are logged for the pair engine (pair),
     * which holds the pairs, the grid and the anchorages for all of them
     * and finds a vessel's kind in its shard (shards, nshards). */
    struct df__meet *pair;
    struct df__meet **shards;
    unsigned nshards;
    struct df__stay *stays;
    size_t nstays, capstays;

    struct df_stats st;      /* skip_berth, drop_meet_* ... */
    /* Internal counters (see the report: df_stats has no fields yet). */
    uint64_t n_old_fix;
    int oom;                 /* an allocation failed: something was lost
                              * (df__meet_oom) */
};

/* The steps of a tick (meet.c), for meet_par.c: the points of every live
 * vessel at tick T and their per-vessel rules (loitering hours, stays),
 * into m->pts; the pair search over m->pts (-1 when out of memory); the
 * events queued by df__meet_forget, emitted. */
int df__meet_gather(struct df__meet *m, int64_t T);
int df__meet_grid_pass(struct df__meet *m, int64_t T);
int df__meet_flush_pending(struct df__meet *m);

/* Saved state of the parts private to their files (meet.c calls them
 * from df__meet_save/load). */
struct df_state_out;
struct df_state_in;
void df__encounter_save(const struct df__meet *m, struct df_state_out *w);
int df__encounter_load(struct df__meet *m, struct df_state_in *r);
void df__anchorage_save(const struct df__meet *m, struct df_state_out *w);
int df__anchorage_load(struct df__meet *m, struct df_state_in *r);

/* ------------------------------------------------------------------ */
/* Geometry                                                           */
/* ------------------------------------------------------------------ */

static inline double deg(int32_t e4min)
{
    return e4min / E4MIN_PER_DEG;
}

/* Longitude difference b - a in 1/10000 min, wrapped to [-180, 180). */
static inline int64_t dlon_wrap(int32_t a, int32_t b)
{
    int64_t d = (int64_t)b - a;
    const int64_t half = (int64_t)180 * 600000, full = 2 * half;

    while (d >= half)
        d -= full;
    while (d < -half)
        d += full;
    return d;
}

static inline int32_t lon_norm(int64_t lon)
{
    const int64_t half = (int64_t)180 * 600000, full = 2 * half;

    while (lon >= half)
        lon -= full;
    while (lon < -half)
        lon += full;
    return (int32_t)lon;
}

/* Equirectangular distance in metres: good to 0.1% under a few km. */
static inline double near_m(int32_t lon1, int32_t lat1, int32_t lon2,
                            int32_t lat2, double coslat)
{
    double dy = (lat2 - lat1) / E4MIN_PER_DEG * M_PER_DEG;
    double dx = dlon_wrap(lon1, lon2) / E4MIN_PER_DEG * M_PER_DEG * coslat;

    return sqrt(dx * dx + dy * dy);
}

/* Cells of cell_m metres on a side, in rows of latitude: the grid of the
 * pair search (meet.c) and the cells of learned anchorages. */
static inline int64_t row_of(double cell_m, int32_t lat)
{
    return (int64_t)floor(deg(lat) * M_PER_DEG / cell_m);
}

/* Columns in row `row` of cells cell_m wide (meet.c).  Not inline: the
 * grid caches it per row (grid_cols()), anchorage.c needs it once a stay. */
int64_t df__row_cols(double cell_m, int64_t row);

static inline int64_t col_of(int64_t ncols, int32_t lon)
{
    int64_t c = (int64_t)floor((deg(lon) + 180.0) / 360.0 * ncols);

    if (c < 0)
        c = 0;
    if (c >= ncols)
        c = ncols - 1;
    return c;
}

/* Columns stay under 2^31, so bit 31 is free to name a layer. */
static inline uint64_t cell_key(int64_t row, int64_t col)
{
    return (uint64_t)(uint32_t)(int32_t)row << 32 | (uint32_t)col;
}

/* ------------------------------------------------------------------ */
/* Evidence text                                                      */
/* ------------------------------------------------------------------ */

/* A number, or null when v is negative (unknown). */
static inline void ev_val(struct df_buf *b, double v, int prec)
{
    if (v < 0 || !isfinite(v))
        df_buf_puts(b, "null");
    else
        df_buf_printf(b, "%.*f", prec, v);
}

static inline void ev_num(struct df_buf *b, const char *key, double v,
                          int prec)
{
    df_buf_printf(b, ",\"%s\":", key);
    ev_val(b, v, prec);
}

/* ------------------------------------------------------------------ */
/* Places and learned anchorages (anchorage.c)                        */
/* ------------------------------------------------------------------ */

struct place {
    int berth;               /* on land, by the shore, or in a port */
    int at_anchorage;
    const char *name;        /* the anchorage or port, or NULL */
    double km;               /* its distance */
    double shore_km;         /* -1 without land */
};

/* Classifies a position into *pl.  shore_lim_km is the distance to shore
 * under which the position counts as a berth; want_shore asks for the
 * distance to shore even when it is far (for the evidence).  pl->name
 * borrows from m->geo or is a literal. */
void df__place_of(const struct df__meet *m, int32_t lon, int32_t lat,
                  double shore_lim_km, int want_shore, struct place *pl);

/* Logs a vessel that stayed at (lon, lat), to be counted at the end of
 * the tick's gather by df__anchorage_count_stays. */
void df__anchorage_count(struct df__meet *m, uint32_t mmsi, int32_t lon,
                         int32_t lat);
/* Counts the stays logged in from[0..n-1] (a detector itself, or every
 * shard) into m's cells, sorted by position then MMSI; a cell becomes a
 * learned anchorage at cfg->anchorage_min_vessels. */
void df__anchorage_count_stays(struct df__meet *m, struct df__meet **from,
                               unsigned n);
/* Counts one stay in m's own cells. */
void df__anchorage_cell(struct df__meet *m, uint32_t mmsi, int32_t lon,
                        int32_t lat);

/* Follows vessel vs's stay with its point (lon, lat) at tick T (coslat
 * the cosine of its latitude): a point more than STAY_M from where the
 * stay began starts a new one; a stay reaching anchorage_min_stay_hours
 * is counted once.  Inline: gather() runs it per vessel and tick. */
static inline void df__anchorage_stay(struct df__meet *m, struct vessel *vs,
                                      int64_t T, int32_t lon, int32_t lat,
                                      double coslat)
{
    if (!vs->stop_on ||
        near_m(vs->stop_lon, vs->stop_lat, lon, lat, coslat) > STAY_M) {
        vs->stop_on = 1;
        vs->stop_counted = 0;
        vs->stop_lon = lon;
        vs->stop_lat = lat;
        vs->stop_tick = T;
    } else if (!vs->stop_counted &&
               (double)(T - vs->stop_tick) * (double)m->step_ms >=
                   m->cfg->anchorage_min_stay_hours * MS_PER_H) {
        vs->stop_counted = 1;
        df__anchorage_count(m, vs->mmsi, vs->stop_lon, vs->stop_lat);
    }
}

/* ------------------------------------------------------------------ */
/* Loitering (detect_loiter.c)                                        */
/* ------------------------------------------------------------------ */

/* Adds vessel vs's point (lon, lat) at tick T of clock hour `hour` to the
 * hour being accumulated; spd_kn is the implied speed, < 0 when unknown.
 * Inline: gather() runs it per vessel and tick. */
static inline void df__loiter_add(struct vessel *vs, int64_t T, int64_t hour,
                                  int32_t lon, int32_t lat, float spd_kn)
{
    if (vs->hr == NO_TICK) {
        vs->hr = hour;
        vs->hr_first = T;
    }
    if (!vs->ep_open && vs->hr_n == 0)
        vs->ref_lon = lon;   /* kept while an episode is open */
    vs->hr_n++;
    vs->hr_last = T;
    if (spd_kn >= 0) {
        vs->hr_spd += spd_kn;
        vs->hr_spd_n++;
    }
    vs->hr_lon += dlon_wrap(vs->ref_lon, lon) / E4MIN_PER_DEG;
    vs->hr_lat += deg(lat);
}

/* Closes the clock hour vs->hr: extends the episode when slow, else ends
 * it (emitting it when it is one to report).  Returns emit's value. */
int df__loiter_hour_close(struct df__meet *m, struct vessel *vs);

/* End of input for vs: closes its hour, if any, then its episode,
 * emitting what is to be reported.  Returns emit's first non-zero value,
 * else 0. */
int df__loiter_finish(struct df__meet *m, struct vessel *vs);

/* vs is being forgotten: its hour is closed into the episode without
 * starting a new one, and the episode is ended.  Emits nothing: returns 1
 * with *ev filled when there is an event to report (the caller queues
 * it), else 0. */
int df__loiter_forget(struct df__meet *m, struct vessel *vs,
                      struct df_event *ev);

/* ------------------------------------------------------------------ */
/* Encounters (detect_encounter.c)                                    */
/* ------------------------------------------------------------------ */

/* Adds to *gp every point of grid cell key within the encounter distance
 * of point ia (and with a greater MMSI, neither a harbour craft), in the
 * cell's order.  Reads m only: the grid search runs it on several threads
 * at once.  -1 when out of memory. */
int df__encounter_scan_cell(const struct df__meet *m, uint32_t ia,
                            uint64_t key, struct df__gridpart *gp);
/* Follows a contact found by the search at tick T, as the single pass
 * did: unless both are moored (in a berth zone), the pair is followed and
 * both vessels are marked as partnered for loitering. */
void df__encounter_contact(struct df__meet *m, const struct df__contact *c,
                           int64_t T);

/* Brings every open pair up to tick T, after the tick's contacts: ends
 * runs, emits encounters whose merge window has passed, drops the pairs
 * that are done.  Returns emit's first non-zero value, else 0. */
int df__encounter_tick(struct df__meet *m, int64_t T);

/* End of input: closes every pair for good at tick T (emitting what is
 * to be reported) and frees it.  Returns emit's first non-zero value,
 * else 0. */
int df__encounter_finish(struct df__meet *m, int64_t T);

#endif
