/*
 * meet.h - the encounter and loitering detectors (internal): src/meet.c
 * and the files it drives (detect_encounter.c, detect_loiter.c,
 * anchorage.c; their shared state is meet_int.h).
 *
 * src/scan.c owns the per-vessel tracks and calls these for every position
 * record (in time order) and as time advances.  The detectors keep their
 * own bounded state: resampled positions per vessel over the last few
 * hours and a spatial grid of cells for pair search (never quadratic).
 * Events are emitted through emit(ev, ud); a non-zero return stops.
 */
#ifndef DF_MEET_H
#define DF_MEET_H

#include "darkfleet.h"
#include "util/hash.h"

struct df__meet;

/* The shard (0..n-1) of a vessel when the scan is split by MMSI: every
 * part of the split uses this one rule. */
static inline unsigned df__meet_shard_of(uint32_t mmsi, unsigned n)
{
    return (unsigned)(df__mix64(mmsi) % n);
}

/* cfg and geo are borrowed and must outlive the detector; geo and land
 * may be NULL (then every position counts as open sea). */
struct df__meet *df__meet_new(const struct df_config *cfg,
                              const struct df_geo *geo,
                              const struct df_land *land,
                              int (*emit)(const struct df_event *ev,
                                          void *ud),
                              void *ud);
void df__meet_free(struct df__meet *m);

/* A position of a vessel (rec->has & DF_REC_POS, rec->t_ms known, valid
 * lon/lat).  Returns emit's first non-zero value, else 0. */
int df__meet_position(struct df__meet *m, const struct df_rec *rec);
/* A hint that a position of mmsi comes soon (see df__tracks_prefetch). */
void df__meet_prefetch(const struct df__meet *m, uint32_t mmsi, int stage);

/* Input time has reached now_ms: processes every tick due (the encounter
 * and loitering rules at each resample tick once every vessel could have
 * reported after it), closes what can no longer grow, drops state older
 * than needed.  Call it whenever input time moves on, before feeding the
 * record that moved it (df__meet_position asserts that nothing is
 * due). */
int df__meet_advance(struct df__meet *m, int64_t now_ms);

/* End of input: close everything open. */
int df__meet_finish(struct df__meet *m);

/* What a static record (types 5, 19, 24, or a table row) says of the
 * vessel's kind: ship type, length, transceiver class, IMO.  Harbour
 * craft (tugs, pilots, yachts) by type never form encounters; the rest
 * weighs each encounter's and loitering's relevance (relevance.h). */
void df__meet_identity(struct df__meet *m, const struct df_rec *rec);

/* The vessel was flushed by scan.c (silent): forget it. */
void df__meet_forget(struct df__meet *m, uint32_t mmsi);

/*
 * A detector split by MMSI (meet_par.c): pm, a detector of its own, is the
 * pair engine of shards[0..n) (each a detector too, holding the vessels
 * whose df__meet_shard_of() is its index; the array must outlive pm).
 * Feed each shard its vessels' positions and identities as usual, but
 * advance and finish only pm: df__meet_par_due() says whether a tick is
 * due at now_ms, df__meet_par_advance() runs every tick due over all the
 * shards, df__meet_par_finish() ends the input.  Shards must not run
 * while pm does.  Events come out through each shard's emit (loitering)
 * and pm's (encounters).
 */
void df__meet_par_bind(struct df__meet *pm, struct df__meet **shards,
                       unsigned n);
int df__meet_par_due(const struct df__meet *pm, int64_t now_ms);
int df__meet_par_advance(struct df__meet *pm, int64_t now_ms);
int df__meet_par_finish(struct df__meet *pm);

/* Saved state (util/ser.h): vessels, resampled points, pairs and their
 * samples, loitering hours, anchorage cells, queued events.  load fills
 * m, a new detector made with the same configuration: 0, or -1 with the
 * stream's error set (then free m: it may hold part of the state). */
struct df_state_out;
struct df_state_in;
void df__meet_save(const struct df__meet *m, struct df_state_out *w);
int df__meet_load(struct df__meet *m, struct df_state_in *r);

const struct df_stats *df__meet_stats(const struct df__meet *m);
/* 1 once an allocation failed and a vessel, pair, point or anchorage
 * cell was lost to it (the detector goes on with what it has). */
int df__meet_oom(const struct df__meet *m);

#endif
