/*
 * meet_par.c - the meeting detectors of a scan split by MMSI (scan_par.c):
 * each shard's detector (a struct df__meet holding that shard's vessels)
 * keeps their resampled positions and per-vessel rules, and one pair
 * engine (another struct df__meet) runs every tick over all of them: it
 * takes each shard's points of the tick, counts the stays they logged for
 * learned anchorages, searches pairs on one grid and holds every pair.
 *
 * A tick here does what one detector's tick does (meet.c, process_tick):
 * every vessel's point at T and its per-vessel rules, then the anchorage
 * stays, then the pair search and the pairs.  The shards run in turn (the
 * scan's threads are stopped at a tick), so a vessel's rules see what they
 * see in one detector; the stays are counted in an order of their own
 * (position, then MMSI) instead of the vessels' order, which changes
 * nothing while a cell is learned before it holds ANCH_MMSI vessels (as it
 * is at the default anchorage_min_vessels); pairs are made in the order of
 * the merged points, which changes only the order events come out in.
 */
#include <string.h>

#include "meet_int.h"
#include "util/grow.h"

void df__meet_par_bind(struct df__meet *pm, struct df__meet **shards,
                       unsigned n)
{
    unsigned i;

    pm->shards = shards;
    pm->nshards = n;
    /* The shards wait while the pair engine runs a tick: its grid search
     * takes their cores. */
    pm->nparts = n > DF__GRID_PARTS_MAX ? DF__GRID_PARTS_MAX : n;
    for (i = 0; i < n; i++)
        shards[i]->pair = pm;
}

/* Every shard's next tick is the pair engine's (ring_set refuses ticks
 * already processed). */
static void sync_ticks(struct df__meet *pm)
{
    unsigned i;

    for (i = 0; i < pm->nshards; i++)
        pm->shards[i]->next_tick = pm->next_tick;
}

static int64_t max_tick(const struct df__meet *pm)
{
    int64_t mt = NO_TICK;
    unsigned i;

    for (i = 0; i < pm->nshards; i++)
        if (pm->shards[i]->max_tick != NO_TICK &&
            (mt == NO_TICK || pm->shards[i]->max_tick > mt))
            mt = pm->shards[i]->max_tick;
    return mt;
}

static int process_tick(struct df__meet *pm, int64_t T)
{
    unsigned s;
    size_t n = 0;
    int rc;

    for (s = 0; s < pm->nshards; s++)
        if ((rc = df__meet_gather(pm->shards[s], T)) != 0)
            return rc;
    df__anchorage_count_stays(pm, pm->shards, pm->nshards);
    for (s = 0; s < pm->nshards; s++)
        n += pm->shards[s]->npts;
    while (n > pm->cappts)
        if (df__grow(&pm->pts, &pm->cappts, sizeof(*pm->pts), n) != 0) {
            pm->oom = 1;
            return 0;
        }
    pm->npts = 0;
    for (s = 0; s < pm->nshards; s++) {
        struct df__meet *m = pm->shards[s];

        if (m->npts > 0)
            memcpy(pm->pts + pm->npts, m->pts, m->npts * sizeof(*pm->pts));
        pm->npts += m->npts;
    }
    if (pm->npts > 1 && pm->maxd_m > 0 && df__meet_grid_pass(pm, T) != 0)
        pm->oom = 1;
    return df__encounter_tick(pm, T);
}

/* The events the shards queued when vessels were forgotten. */
static int flush_shards(struct df__meet *pm)
{
    unsigned s;
    int rc;

    for (s = 0; s < pm->nshards; s++)
        if (pm->shards[s]->npending > 0 &&
            (rc = df__meet_flush_pending(pm->shards[s])) != 0)
            return rc;
    return 0;
}

int df__meet_par_advance(struct df__meet *pm, int64_t now_ms)
{
    int rc;

    if ((rc = flush_shards(pm)) != 0 || now_ms == DF_TIME_NONE)
        return rc;
    if (pm->next_tick == NO_TICK) {
        pm->next_tick = now_ms / pm->step_ms - 1;
        sync_ticks(pm);
        return 0;
    }
    while ((pm->next_tick + pm->lag) * pm->step_ms <= now_ms) {
        /* As df__meet_advance: a jump in input time far past every point
         * skips the empty ticks, keeping enough to close what is open. */
        int64_t mt = max_tick(pm);
        int64_t last = mt == NO_TICK ? pm->next_tick : mt;
        int64_t quiet = last + pm->merge_ticks + pm->lag + 2;

        if (pm->next_tick > quiet && pm->nps == 0) {
            int64_t target = now_ms / pm->step_ms - pm->lag;

            if (target > pm->next_tick)
                pm->next_tick = target;
            sync_ticks(pm);
            if ((pm->next_tick + pm->lag) * pm->step_ms > now_ms)
                break;
        }
        rc = process_tick(pm, pm->next_tick);
        pm->next_tick++;
        sync_ticks(pm);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* 1 when a tick is due at now_ms (df__meet_par_advance has work). */
int df__meet_par_due(const struct df__meet *pm, int64_t now_ms)
{
    return now_ms != DF_TIME_NONE &&
           (pm->next_tick == NO_TICK ||
            (pm->next_tick + pm->lag) * pm->step_ms <= now_ms);
}

int df__meet_par_finish(struct df__meet *pm)
{
    int64_t mt = max_tick(pm);
    unsigned s;
    size_t v;
    int rc;

    if ((rc = flush_shards(pm)) != 0)
        return rc;
    if (pm->next_tick == NO_TICK)
        return 0;
    if (mt != NO_TICK) {
        while (pm->next_tick <= mt + 1) {
            rc = process_tick(pm, pm->next_tick);
            pm->next_tick++;
            sync_ticks(pm);
            if (rc != 0)
                return rc;
        }
    }
    if ((rc = df__encounter_finish(pm, pm->next_tick)) != 0)
        return rc;
    for (s = 0; s < pm->nshards; s++) {
        struct df__meet *m = pm->shards[s];

        for (v = 0; v < m->nvs; v++)
            if (m->vs[v].live && (rc = df__loiter_finish(m, &m->vs[v])) != 0)
                return rc;
    }
    return 0;
}
