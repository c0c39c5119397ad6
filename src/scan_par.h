/*
 * scan_par.h - a scan split by MMSI over threads (scan_par.c), behind the
 * df_scan API (scan.c delegates to it when df_scan_new_jobs() asked for
 * jobs), and what it needs of scan.c to run a scan as one of its shards.
 */
#ifndef DF_SCAN_PAR_H
#define DF_SCAN_PAR_H

#include "darkfleet.h"

struct df__scan_par;
struct df__meet;

/* NULL when out of memory.  Callbacks run on the caller's thread. */
struct df__scan_par *df__scan_par_new(const struct df_config *cfg,
                                      const struct df_geo *geo,
                                      const struct df_scan_cbs *cbs,
                                      unsigned n);
void df__scan_par_free(struct df__scan_par *par);
int df__scan_par_rec(struct df__scan_par *par, const struct df_rec *rec);
int df__scan_par_finish(struct df__scan_par *par);
/* df_scan_sync(): the shards stopped, their output handed on. */
int df__scan_par_sync(struct df__scan_par *par);
enum df_err df__scan_par_error(const struct df__scan_par *par);
const struct df_stats *df__scan_par_stats(struct df__scan_par *par);
int64_t df__scan_par_now_ms(const struct df__scan_par *par);
enum df_err df__scan_par_save(struct df__scan_par *par,
                              struct df_state_out *w);
enum df_err df__scan_par_load(struct df__scan_par *par,
                              struct df_state_in *in);

/* A split scan even for n == 1 (df_scan_new_jobs makes one scan then):
 * for tests that hold the split to one scan's events. */
struct df_scan *df__scan_new_par(const struct df_config *cfg,
                                 const struct df_geo *geo,
                                 const struct df_scan_cbs *cbs, unsigned n);

/* ---- a scan as a shard (scan.c) ---------------------------------------
 * A shard's scan does not run its encounter detector's ticks (the pair
 * engine does: meet_par.c); the rest is a scan's. */
/* Makes s a shard (before it is fed). */
void df__scan_make_shard(struct df_scan *s, unsigned nshards);
/* The shard's detector, to bind to the pair engine. */
struct df__meet *df__scan_shard_meet(struct df_scan *s);
/* Input time has reached now_ms: flushes the vessels silent too long. */
int df__scan_shard_advance(struct df_scan *s, int64_t now_ms);
/* An encounter of vessel mmsi (held by this shard): its draught
 * comparison waits for the next static record. */
int df__scan_shard_encounter(struct df_scan *s, const struct df_event *ev,
                             uint32_t mmsi);
/* The end: flushes up to n vessels; returns 1 while some are left, else
 * 0 (callback values are lost: a shard's callbacks only hold). */
int df__scan_shard_flush_some(struct df_scan *s, unsigned n);

/* ---- a scan as a partition (scan.c, for dist.c) -------------------------
 * A partition's scan has no encounter detector: the coordinator runs the
 * one detector of the whole scan on the positions the partitions passed
 * on.  forget(mmsi, ud) runs when a vessel is flushed (the detector
 * forgets it). */
void df__scan_make_part(struct df_scan *s, unsigned nparts,
                        void (*forget)(uint32_t mmsi, void *ud), void *ud);
/* Positions passed on so far: a record whose count did not move was not
 * (out of order, or refused by the per-vessel rules). */
uint64_t df__scan_part_fed(const struct df_scan *s);
/* The rules by which a scan hands a record to its encounter detector
 * (scan.c), for the coordinator that runs it elsewhere: a position in
 * range (and the record's time known, in order, accepted by the vessel's
 * rules), and a static record that says something of the vessel's
 * kind. */
int df__scan_meet_position(const struct df_rec *r);
int df__scan_meet_identity(const struct df_rec *r);

#endif
