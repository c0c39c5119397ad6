/*
 * anchorage.c - where a position is, for the meeting detectors: on land,
 * by the shore, in a port, at a known anchorage, or at an anchorage
 * learned from the data (df__place_of); and the learning of anchorages
 * from the vessels that stay (df__anchorage_count, fed by
 * df__anchorage_stay() in meet_int.h).  Shared state: meet_int.h.
 *
 * Sources (METHODS.md row 12; ECOSYSTEM.md section 3 item 3):
 *  - GFW anchorages_pipeline: places where at least 20 distinct vessels
 *    stayed 12 h or more within 0.5 km.
 *
 * Deviations from GFW, and why:
 *  - Learned anchorages: a vessel "stays" while its resampled points keep
 *    within 0.5 km of where the stay began; a stay reaching
 *    anchorage_min_stay_hours counts the vessel in the 1 km cell of that
 *    place (distinct MMSIs remembered up to ANCH_MMSI per cell, the table
 *    capped at ANCH_CELLS cells).  A cell reaching anchorage_min_vessels
 *    becomes an anchorage.  Scans stream, so an anchorage learned late
 *    applies from then on only: earlier encounters there were already
 *    reported as open sea.
 *
 * Bounds: anchorage cells (ANCH_CELLS), learned anchorages (LEARNED_MAX,
 * meet_int.h).  What does not fit is not counted.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "meet_int.h"
#include "util/alloc.h"
#include "util/ser.h"
#include "util/grow.h"

#define ANCH_CELLS 65536     /* cells counted for learned anchorages */
#define ANCH_MMSI 24         /* distinct vessels remembered per cell */
#define ANCH_CELL_M 1000.0   /* learned anchorage cell side */

struct anch_cell {
    uint32_t count;
    uint8_t learned;
    uint8_t nmmsi;
    uint32_t mmsi[ANCH_MMSI];
};

/* Classifies a position (contract in meet_int.h).  The checks, in order:
 * land and the shore (m->land), ports and known anchorages (m->geo), then
 * the anchorages learned so far. */
void df__place_of(const struct df__meet *m, int32_t lon, int32_t lat,
                  double shore_lim_km, int want_shore, struct place *pl)
{
    const struct df_config *cfg = m->cfg;
    double anch_km = cfg->encounter_min_anchorage_km;
    double lim = anch_km > cfg->port_entry_km ? anch_km : cfg->port_entry_km;
    size_t i;

    int near_shore = 0, on_land = 0, in_port = 0, exempt;

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
        /* A shard's anchorages are its pair engine's. */
        const struct df__meet *a = m->pair ? m->pair : m;

        for (i = 0; i < a->nlearned; i++) {
            double d = near_m(lon, lat, a->learned[i].lon, a->learned[i].lat,
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
    /* Near the shore but at a known or learned anchorage: not a berth. */
    exempt = pl->at_anchorage;
    /* The reference places (places.csv): inside a harbour's own radius is
     * a berth; within encounter_min_anchorage_km of the edge of a harbour
     * or an anchorage is GFW's "near an anchorage": marked, and a stop
     * near the shore there is still a berth (GFW's anchorages are where
     * vessels stop, berths included). */
    if (m->geo != NULL) {
        double edge = 0;
        int ref = df__geo_place_near(m->geo, lon, lat, anch_km, &edge);

        if (ref >= 0) {
            if (edge <= 0 && !df_geo_port_is_anchorage(m->geo, ref))
                in_port = 1;
            if (!pl->at_anchorage) {
                pl->at_anchorage = 1;
                pl->name = df_geo_port_name(m->geo, ref);
                pl->km = edge > 0 ? edge : 0;
            }
        }
    }
    /* A berth: in a port, on land (Natural Earth draws harbours, rivers and
     * ship channels as land), or near the shore, unless the place is a
     * known anchorage: a transfer there is still reported, marked. */
    pl->berth = on_land || in_port || (near_shore && !exempt);
}

/* Counts a vessel that stayed at (lon, lat) in the anchorage cell there.
 * The first ANCH_MMSI vessels of a cell are counted once each; past
 * them, every stay counts. */
void df__anchorage_count(struct df__meet *m, uint32_t mmsi, int32_t lon,
                         int32_t lat)
{
    /* Logged, and counted after every vessel's point of the tick, in an
     * order of their own (df__anchorage_count_stays): by the detector
     * itself, or, for a shard, by the pair engine (meet_par.c).  So the
     * cells learned do not depend on the vessels' order, nor on how they
     * are split; and a cell learned at a tick is one for every vessel's
     * loitering hour closed at that tick, or for none. */
    struct df__stay *st;

    if (m->nstays == m->capstays &&
        df__grow(&m->stays, &m->capstays, sizeof(*m->stays), 64) != 0) {
        m->oom = 1;
        return;
    }
    st = &m->stays[m->nstays++];
    st->lon = lon;
    st->lat = lat;
    st->mmsi = mmsi;
}

static int cmp_stay(const void *a, const void *b)
{
    const struct df__stay *x = a, *y = b;

    if (x->lat != y->lat)
        return x->lat < y->lat ? -1 : 1;
    if (x->lon != y->lon)
        return x->lon < y->lon ? -1 : 1;
    return (x->mmsi > y->mmsi) - (x->mmsi < y->mmsi);
}

void df__anchorage_count_stays(struct df__meet *m, struct df__meet **from,
                               unsigned n)
{
    size_t total = 0, k = 0, i;
    unsigned s;
    struct df__stay *all;

    for (s = 0; s < n; s++)
        total += from[s]->nstays;
    if (total == 0)
        return;
    all = df__malloc(total * sizeof *all);
    if (!all) {
        m->oom = 1;
        for (s = 0; s < n; s++)
            from[s]->nstays = 0;
        return;
    }
    for (s = 0; s < n; s++) {
        if (from[s]->nstays > 0)
            memcpy(all + k, from[s]->stays,
                   from[s]->nstays * sizeof *all);
        k += from[s]->nstays;
        from[s]->nstays = 0;
    }
    qsort(all, total, sizeof *all, cmp_stay);
    for (i = 0; i < total; i++)
        df__anchorage_cell(m, all[i].mmsi, all[i].lon, all[i].lat);
    df__free(all);
}

void df__anchorage_cell(struct df__meet *m, uint32_t mmsi, int32_t lon,
                        int32_t lat)
{
    int64_t row = row_of(ANCH_CELL_M, lat);
    int64_t ncols = df__row_cols(ANCH_CELL_M, row);
    int64_t col = col_of(ncols, lon);
    uint64_t key = cell_key(row, col);
    uint32_t idx = df__hmap_get(&m->amap, key);
    struct anch_cell *c;
    unsigned i;

    if (idx == NONE) {
        if (m->nacells >= ANCH_CELLS)
            return;
        idx = (uint32_t)m->nacells;
        if ((m->nacells == m->capacells &&
             df__grow(&m->acells, &m->capacells, sizeof(*m->acells),
                      256) != 0) ||
            df__hmap_put(&m->amap, key, idx) != 0) {
            m->oom = 1;
            return;
        }
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
        assert(m->nlearned < LEARNED_MAX);
        m->learned[m->nlearned].lat = (int32_t)lrint(latc * E4MIN_PER_DEG);
        m->learned[m->nlearned].lon = (int32_t)lrint(lonc * E4MIN_PER_DEG);
        m->nlearned++;
    }
}

/* ---- saved state ------------------------------------------------------ */

void df__anchorage_save(const struct df__meet *m, struct df_state_out *w)
{
    df__so_tag(w, DF__TAG('A', 'N', 'C', 'H'));
    df__so_u64(w, m->capacells);
    df__so_arr(w, m->acells, sizeof(*m->acells), m->nacells);
    df__hmap_save(&m->amap, w);
    df__so_arr(w, m->learned, sizeof(m->learned[0]), m->nlearned);
}

int df__anchorage_load(struct df__meet *m, struct df_state_in *r)
{
    uint64_t cap;
    size_t n, nl;
    struct anch_cell *cells = NULL;

    if (df__si_tag(r, DF__TAG('A', 'N', 'C', 'H')) != 0 ||
        df__si_u64(r, &cap) != 0 || cap > 2 * ANCH_CELLS ||
        df__si_arr(r, sizeof(*cells), ANCH_CELLS, (size_t)cap,
                   (void **)&cells, &n) != 0 ||
        n > cap || df__hmap_load(&m->amap, r, n) != 0 || m->amap.n != n) {
        df__free(cells);
        return df__si_bad(r);
    }
    /* learned[] is a fixed array: read its count, then its elements. */
    {
        void *tmp;

        if (df__si_arr(r, sizeof(m->learned[0]), LEARNED_MAX, 0, &tmp,
                       &nl) != 0) {
            df__free(cells);
            return -1;
        }
        if (nl > 0)
            memcpy(m->learned, tmp, nl * sizeof(m->learned[0]));
        df__free(tmp);
    }
    m->acells = cells;
    m->nacells = n;
    m->capacells = (size_t)cap;
    m->nlearned = nl;
    return 0;
}
