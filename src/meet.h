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

struct df__meet;

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
