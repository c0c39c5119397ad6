/*
 * meet.c - the engine of the meeting detectors: encounters (two vessels
 * meeting at sea: a possible ship-to-ship transfer, detect_encounter.c)
 * and loitering (one vessel drifting at sea, its partner possibly dark,
 * detect_loiter.c), with the anchorages they learn (anchorage.c).  This
 * file holds the vessels, their resampled positions, the ticks and the
 * grid of the pair search, and the entry points of meet.h.  Shared
 * state: meet_int.h.
 *
 * Sources (METHODS.md rows 3, 4 and 12; ECOSYSTEM.md section 3 item 3):
 *  - Global Fishing Watch encounters_pipeline and Miller et al. 2018:
 *    positions resampled to a regular 10 min grid, interpolated only across
 *    gaps under 1 h.  The rules of each detector are in its own file.
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
 *  - Berth zones.  Each vessel caches whether its position is a berth
 *    zone (on land, within berth_max_shore_km of shore, or within
 *    port_entry_km of a port), looked up only when it first has a partner
 *    in range (berth_zone() in detect_encounter.c) and again once it
 *    moves BZ_KEEP_M away (gather() here).  The grid keeps berth-zone
 *    points in a layer of their own that other berth-zone points never
 *    search: two ships moored side by side are not even compared, which
 *    is what keeps a port of thousands of ships cheap.
 *
 * Bounds: vessels (cfg->track_max_vessels), ring slots per vessel
 * (RING_MAX), events queued by df__meet_forget() (PENDING_MAX); pairs and
 * samples per pair (detect_encounter.c), anchorage cells and learned
 * anchorages (anchorage.c).  What does not fit is counted and dropped.
 * The library never prints.
 */
#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "meet_int.h"
#include "util/alloc.h"
#include "util/grow.h"
#include "util/hint.h"
#include "util/ser.h"

#define RING_MAX 64          /* resampled points kept per vessel */
#define MIN_CELL_M 250.0
#define KN_PER_MPS 1.943844

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

/* Columns in a row: the row's circumference over the cell side, rounded
 * down so that every column is at least cell_m wide, even the last one
 * before the antimeridian. */
int64_t df__row_cols(double cell_m, int64_t row)
{
    double latc = (row + 0.5) * cell_m / M_PER_DEG, n;

    if (latc > 89.99)
        latc = 89.99;
    if (latc < -89.99)
        latc = -89.99;
    n = floor(360.0 * M_PER_DEG * cos(latc * DEG_RAD_PI / 180.0) / cell_m);
    return n < 1 ? 1 : (int64_t)n;
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
    if (m->parts) {
        unsigned t;

        for (t = 0; t < (m->nparts ? m->nparts : 1); t++)
            df__free(m->parts[t].c);
        df__free(m->parts);
    }
    df__free(m->acells);
    df__free(m->stays);
    df__free(m->pending);
    df__free(m);
}

int df__meet_oom(const struct df__meet *m)
{
    return m->oom;
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

    assert(v < m->nvs);
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
                goto nomem;
            m->vs = nv;
            nh = df__realloc(m->hot, cap * sizeof(*nh));
            if (nh == NULL)
                goto nomem;
            m->hot = nh;
            nr = df__realloc(m->ring, cap * m->ring_n * sizeof(*nr));
            if (nr == NULL)
                goto nomem;
            m->ring = nr;
            nf = df__realloc(m->vfree, cap * sizeof(*nf));
            if (nf == NULL)
                goto nomem;
            m->vfree = nf;
            m->capvs = cap;
        }
        v = (uint32_t)m->nvs;
    }
    if (df__hmap_put(&m->vmap, mmsi, v) != 0)
        goto nomem;
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
nomem:
    m->oom = 1;
    return NONE;
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

int df__meet_flush_pending(struct df__meet *m)
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

    if (m->npending > 0 && (rc = df__meet_flush_pending(m)) != 0)
        return rc;
    if (t == DF_TIME_NONE || rec->lon == DF_LON_NA || rec->lat == DF_LAT_NA ||
        rec->lat > 90 * 600000 || rec->lat < -90 * 600000 ||
        rec->lon > 180 * 600000 || rec->lon < -180 * 600000)
        return 0;
    if (m->next_tick == NO_TICK)
        m->next_tick = t / step - 1;
    /* The caller processed every tick due by t first (df__meet_advance),
     * so the ring never wraps onto a tick not yet processed. */
    assert((m->next_tick + m->lag) * step > t);
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

/* Gathers the points of tick T and feeds the per-vessel rules. */
int df__meet_gather(struct df__meet *m, int64_t T)
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
            (rc = df__loiter_hour_close(m, vs)) != 0)
            return rc;
        r = slot_of(m, (uint32_t)v, T);
        if (r->tick != T) {
            if (vs->ep_open && vs->ep_hr < hour - 1 &&
                (rc = df__loiter_hour_close(m, vs)) != 0)
                return rc;
            continue;
        }
        rp = slot_of(m, (uint32_t)v, T - 1);
        if (m->npts == m->cappts &&
            df__grow(&m->pts, &m->cappts, sizeof(*m->pts), 256) != 0) {
            m->oom = 1;
            return 0;
        }
        pt = &m->pts[m->npts++];
        pt->v = (uint32_t)v;
        pt->vp = vs;
        pt->mmsi = vs->mmsi;
        pt->harbour = (uint8_t)harbour_craft(m->hot[v].shiptype);
        pt->nbrs = 0;
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
        df__loiter_add(vs, T, hour, r->lon, r->lat, spd);
        /* Stays, for learned anchorages. */
        df__anchorage_stay(m, vs, T, r->lon, r->lat, pt->coslat);
    }
    return 0;
}

/* df__row_cols() for the grid, through a small direct-mapped cache. */
static int64_t grid_cols(int64_t *rc_row, int64_t *rc_cols, double cell_m,
                         int64_t row)
{
    size_t k = (size_t)(row & 255);

    if (rc_cols[k] == 0 || rc_row[k] != row) {
        rc_row[k] = row;
        rc_cols[k] = df__row_cols(cell_m, row);
    }
    return rc_cols[k];
}

/* The search over points [gp->from, gp->to): each against its cell and
 * the 8 around it, the contacts in the order a single pass meets them.  A
 * point in a berth zone skips the berth layer (ships moored side by side
 * are never even compared); one that becomes so during the pass is caught
 * when its contacts are followed (df__encounter_contact). */
static void grid_search(const struct df__meet *m, struct df__gridpart *gp)
{
    size_t i;

    gp->n = 0;
    gp->oom = 0;
    for (i = gp->from; i < gp->to && !gp->oom; i++) {
        const struct point *a = &m->pts[i];
        int berth = a->bz == BZ_BERTH, dy;

        for (dy = -1; dy <= 1; dy++) {
            int64_t row = a->cy + dy;
            int64_t ncols = grid_cols(gp->rc_row, gp->rc_cols, m->cell_m, row);
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
                if (df__encounter_scan_cell(m, (uint32_t)i, key, gp) != 0 ||
                    (!berth && df__encounter_scan_cell(m, (uint32_t)i,
                                                       key | LAYER_BERTH,
                                                       gp) != 0)) {
                    gp->oom = 1;
                    break;
                }
            }
        }
    }
}

struct search_job {
    const struct df__meet *m;
    struct df__gridpart *gp;
};

static void *search_main(void *ud)
{
    struct search_job *j = ud;

    grid_search(j->m, j->gp);
    return NULL;
}

/* Below this many points one thread searches: starting threads would cost
 * more than they save. */
#define GRID_PAR_MIN 1024

/*
 * The grid pass of tick T: every point is hashed into its cell, in one of
 * two layers (points known to be in a berth zone, and the rest); the
 * search finds every pair within the encounter distance (on m->nparts
 * threads when there are many points: it only reads), and the contacts
 * are then followed in the order one thread would have found them, so the
 * result does not depend on the threads.  Returns -1 when out of memory.
 */
int df__meet_grid_pass(struct df__meet *m, int64_t T)
{
    unsigned np = m->nparts ? m->nparts : 1, t, started = 0;
    pthread_t th[DF__GRID_PARTS_MAX];
    struct search_job jobs[DF__GRID_PARTS_MAX];
    size_t i;
    int oom = 0;

    if (grid_prepare(m, m->npts) != 0)
        return -1;
    for (i = 0; i < m->npts; i++) {
        struct point *pt = &m->pts[i];

        pt->cy = row_of(m->cell_m, pt->lat);
        pt->cx = col_of(grid_cols(m->rc_row, m->rc_cols, m->cell_m, pt->cy),
                        pt->lon);
        grid_add(m,
                 cell_key(pt->cy, pt->cx) |
                     (pt->bz == BZ_BERTH ? LAYER_BERTH : 0),
                 (uint32_t)i);
    }
    if (m->npts < GRID_PAR_MIN)
        np = 1;
    if (!m->parts) {
        m->parts = df__calloc(m->nparts ? m->nparts : 1, sizeof *m->parts);
        if (!m->parts)
            return -1;
    }
    for (t = 0; t < np; t++) {
        m->parts[t].from = m->npts * t / np;
        m->parts[t].to = m->npts * (t + 1) / np;
        jobs[t].m = m;
        jobs[t].gp = &m->parts[t];
    }
    /* The first part on this thread, the others each on its own. */
    for (t = 1; t < np; t++) {
        if (pthread_create(&th[t], NULL, search_main, &jobs[t]) != 0)
            break;
        started++;
    }
    grid_search(m, &m->parts[0]);
    for (t = 1; t <= started; t++)
        pthread_join(th[t], NULL);
    for (t = started + 1; t < np; t++)    /* no thread: here, in turn */
        grid_search(m, &m->parts[t]);
    for (t = 0; t < np; t++) {
        const struct df__gridpart *gp = &m->parts[t];

        oom |= gp->oom;
        for (i = 0; i < gp->n; i++)
            df__encounter_contact(m, &gp->c[i], T);
    }
    return oom ? -1 : 0;
}

/* Processes tick T: the grid pass over every vessel's point at T, then
 * every open pair. */
static int process_tick(struct df__meet *m, int64_t T)
{
    struct df__meet *self = m;
    int rc;

    if ((rc = df__meet_gather(m, T)) != 0)
        return rc;
    df__anchorage_count_stays(m, &self, 1);
    if (m->npts > 1 && m->maxd_m > 0 && df__meet_grid_pass(m, T) != 0)
        m->oom = 1;
    return df__encounter_tick(m, T);
}

int df__meet_advance(struct df__meet *m, int64_t now_ms)
{
    int rc;

    if (m->npending > 0 && (rc = df__meet_flush_pending(m)) != 0)
        return rc;
    if (now_ms == DF_TIME_NONE)
        return 0;
    if (m->next_tick == NO_TICK) {
        /* Ticks start at the first input time, whatever the record. */
        m->next_tick = now_ms / m->step_ms - 1;
        return 0;
    }
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

    if (m->npending > 0 && (rc = df__meet_flush_pending(m)) != 0)
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
    if ((rc = df__encounter_finish(m, m->next_tick)) != 0)
        return rc;
    for (v = 0; v < m->nvs; v++) {
        if (m->vs[v].live && (rc = df__loiter_finish(m, &m->vs[v])) != 0)
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
     * queued and emitted by the next call. */
    if (df__loiter_forget(m, vs, &ev)) {
        if (m->npending < m->cappending ||
            df__grow(&m->pending, &m->cappending, sizeof(*m->pending),
                     16) == 0)
            m->pending[m->npending++] = ev;
        else
            m->st.drop_meet_events++;   /* out of memory */
    }
    vs->live = 0;
    m->hot[v].live = 0;
    df__hmap_del(&m->vmap, mmsi);
    m->vfree[m->nvfree++] = v;
}

/* Position reports do not carry a vessel's kind, so scan.c passes it on
 * from static records; a field the record lacks keeps its last value. */
void df__meet_identity(struct df__meet *m, const struct df_rec *rec)
{
    struct df__vkind *k;
    unsigned len;
    uint32_t v;

    v = vessel_get(m, rec->mmsi);
    if (v == NONE)
        return;
    k = &m->vs[v].kind;
    if (rec->shiptype != 0)
        k->shiptype = m->hot[v].shiptype = rec->shiptype;
    len = rec->length_dm ? (rec->length_dm + 5u) / 10u
                         : (unsigned)rec->to_bow + rec->to_stern;
    if (len > 0 && len < 600)
        k->length_m = (uint16_t)len;
    if (rec->cls == 'A' || rec->cls == 'B')
        k->cls = rec->cls;
    if (rec->imo != 0)
        k->imo = rec->imo;
}

/* ------------------------------------------------------------------ */
/* Saved state                                                        */
/* ------------------------------------------------------------------ */

/* What df__meet_new() derives from the configuration: a state made with
 * other settings is not this detector's. */
static void derived(const struct df__meet *m, int64_t out[6])
{
    out[0] = m->step_ms;
    out[1] = m->lag;
    out[2] = m->interp_ms;
    out[3] = m->ring_n;
    out[4] = (int64_t)m->maxvs;
    out[5] = m->min_ticks;
}

void df__meet_save(const struct df__meet *m, struct df_state_out *w)
{
    int64_t d[6];

    derived(m, d);
    df__so_tag(w, DF__TAG('M', 'E', 'E', 'T'));
    df__so_put(w, d, sizeof d);
    df__so_i64(w, m->next_tick);
    df__so_i64(w, m->max_tick);
    df__so_u64(w, m->capvs);
    df__so_arr(w, m->vs, sizeof(*m->vs), m->nvs);
    df__so_arr(w, m->hot, sizeof(*m->hot), m->nvs);
    df__so_arr(w, m->ring, sizeof(*m->ring) * m->ring_n, m->nvs);
    df__so_arr(w, m->vfree, sizeof(*m->vfree), m->nvfree);
    df__hmap_save(&m->vmap, w);
    df__so_arr(w, m->pending, sizeof(m->pending[0]), m->npending);
    df__encounter_save(m, w);
    df__anchorage_save(m, w);
}

int df__meet_load(struct df__meet *m, struct df_state_in *r)
{
    int64_t d[6], want[6], next, max;
    uint64_t cap;
    size_t nvs, n, nfree, i;
    struct vessel *vs = NULL;
    struct vhot *hot = NULL;
    struct rpt *ring = NULL;
    uint32_t *vfree = NULL;
    void *pend = NULL;

    derived(m, want);
    if (df__si_tag(r, DF__TAG('M', 'E', 'E', 'T')) != 0 ||
        df__si_get(r, d, sizeof d) != 0 || df__si_i64(r, &next) != 0 ||
        df__si_i64(r, &max) != 0 || df__si_u64(r, &cap) != 0)
        return -1;
    if (memcmp(d, want, sizeof d) != 0 || cap > m->maxvs || m->nvs != 0)
        return df__si_bad(r);
    if (df__si_arr(r, sizeof(*vs), (size_t)cap, (size_t)cap, (void **)&vs,
                   &nvs) != 0 ||
        df__si_arr(r, sizeof(*hot), (size_t)cap, (size_t)cap, (void **)&hot,
                   &n) != 0 || n != nvs ||
        df__si_arr(r, sizeof(*ring) * m->ring_n, (size_t)cap, (size_t)cap,
                   (void **)&ring, &n) != 0 || n != nvs ||
        df__si_arr(r, sizeof(*vfree), nvs, (size_t)cap, (void **)&vfree,
                   &nfree) != 0 ||
        df__hmap_load(&m->vmap, r, nvs) != 0 ||
        df__si_arr(r, sizeof(m->pending[0]), m->maxvs, 0, &pend, &n) != 0)
        goto bad;
    for (i = 0; i < n; i++) {
        const struct df_event *ev = &((const struct df_event *)pend)[i];

        if (memchr(ev->evidence, '\0', sizeof ev->evidence) == NULL)
            goto bad;
    }
    for (i = 0; i < nfree; i++)
        if (vfree[i] >= nvs)
            goto bad;
    m->vs = vs;
    m->hot = hot;
    m->ring = ring;
    m->vfree = vfree;
    m->nvs = nvs;
    m->capvs = (size_t)cap;
    m->nvfree = nfree;
    m->next_tick = next;
    m->max_tick = max;
    df__free(m->pending);
    m->pending = pend;
    m->npending = m->cappending = n;
    if (df__encounter_load(m, r) != 0 || df__anchorage_load(m, r) != 0)
        return -1;              /* the caller frees the detector */
    return 0;
bad:
    df__free(vs);
    df__free(hot);
    df__free(ring);
    df__free(vfree);
    df__free(pend);
    return df__si_bad(r);
}
