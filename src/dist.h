/*
 * dist.h - a scan split into partitions that share nothing but messages
 * (dist.c): the scan of a cluster (df_scan_new_cluster, df_worker in
 * darkfleet.h; cli/cluster.c carries the messages on NATS JetStream), and
 * the same split in one process (df_scan_new_parts), which runs the same
 * messages through local workers to hold the split to one scan's events.
 *
 * A partition (run by a worker) holds the vessels whose
 * df__meet_shard_of() is its index and runs every per-vessel rule on
 * them.  The coordinator numbers every record, keeps the few fields of
 * the records the encounter detector reads, and runs that one detector
 * (the one of a single scan) at each barrier, told by each partition
 * which positions its rules refused and which vessels it forgot.  A
 * barrier falls at the first record that makes an encounter tick due,
 * and at the end; its answer arms each partition's draught comparisons
 * for the encounters it found.  That is one round trip per tick of data
 * time, and the only thing that flows back.
 *
 * Messages are this build's memory image (like the saved state): every
 * process of a run must be the same build, which the format number
 * checks.
 */
#ifndef DF_DIST_H
#define DF_DIST_H

#include "darkfleet.h"

#define DF__DIST_FORMAT 1

struct df__dist;
struct df__meet;

/* A coordinator over io (df_scan_new_cluster), or over n workers of its
 * own when io is NULL (df_scan_new_parts).  NULL when out of memory. */
struct df__dist *df__dist_new(const struct df_config *cfg,
                              const struct df_geo *geo,
                              const struct df_scan_cbs *cbs, unsigned n,
                              const struct df_cluster_io *io);
/* What scan.c delegates to (the df_scan calls of the same names). */
void df__dist_free(struct df__dist *d);
int df__dist_rec(struct df__dist *d, const struct df_rec *rec);
int df__dist_sync(struct df__dist *d);
int df__dist_finish(struct df__dist *d);
enum df_err df__dist_error(const struct df__dist *d);
const struct df_stats *df__dist_stats(struct df__dist *d);
int64_t df__dist_now_ms(const struct df__dist *d);
enum df_err df__dist_save(struct df__dist *d, struct df_state_out *w);
enum df_err df__dist_load(struct df__dist *d, struct df_state_in *in);
/* The coordinator's encounter detector, caught up to the last record (a
 * barrier): for tests that compare it with one scan's. */
struct df__meet *df__dist_meet(struct df__dist *d);

/* The encounter detector of a scan, one or split by messages (caught up
 * to its last record): for tests. */
struct df__meet *df__scan_meet(struct df_scan *s);

#endif
