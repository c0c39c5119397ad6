/*
 * cluster.h - a scan over a cluster on NATS JetStream (cluster.c): the
 * coordinator's transport behind `scan --nats` (a struct df_cluster_io
 * for df_scan_new_cluster) and the `worker` command.
 */
#ifndef DF_CLI_CLUSTER_H
#define DF_CLI_CLUSTER_H

#include "darkfleet.h"

struct scan_cmd;
struct cli_cluster;

/* Sets up run c->run on c->nats (its streams and bucket made anew), starts
 * c->workers local workers, and fills *io.  0, or 1 after one error
 * line. */
int cli_cluster_open(struct cli_cluster **out, const struct scan_cmd *c,
                     unsigned parts, struct df_cluster_io *io);
/* Waits for the local workers to end (ends them at once when !ok, the run
 * having failed, or after 30 s), deletes the run's input, reports and
 * bucket (its events stay), frees cl.  NULL is a no-op. */
void cli_cluster_close(struct cli_cluster *cl, int ok);
/* Publishes an event of the run to the run's stream of events, subject
 * df.<run>.events.<type> (as a JSON line): 0, or -1 after one error line.
 * That stream outlives the run (the next run of the name replaces it). */
int cli_cluster_event(struct cli_cluster *cl, const struct df_event *ev);
/* 1 when run is a name a run can have (letters, digits, _ and -). */
int cli_cluster_name_ok(const char *run);
/* The worker command's work, once c's settings are loaded: takes the
 * partitions p with p % take_n == take_i of run c->run until they are
 * done.  0, 130 when stopped by a signal, or 1 after one error line. */
int cli_worker_run(const struct scan_cmd *c, unsigned take_i,
                   unsigned take_n);

#endif
