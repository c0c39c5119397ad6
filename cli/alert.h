/*
 * alert.h - watch's alerts (alert.c): to a command and to a URL, queued,
 * without holding the detectors up.
 */
#ifndef DF_CLI_ALERT_H
#define DF_CLI_ALERT_H

#include "cli.h"

struct alerts_opts {
    const char *exec;           /* --alert-exec: a /bin/sh command, or NULL */
    const char *url;            /* --alert-url, or NULL */
};

struct alerts_stats {
    uint64_t exec_ok, exec_failed;
    uint64_t url_ok, url_failed, url_retries;
    uint64_t dropped;           /* queues full, or not delivered in time */
    uint64_t delivered_seen;    /* latencies measured */
    double lat_p50, lat_p99, lat_max;   /* ms */
};

struct alerts;

/* NULL after printing why (libcurl missing for a URL, out of memory). */
struct alerts *alerts_new(const struct alerts_opts *o);
/* Queues an alert (json, len bytes) made from a record decoded at
 * made_ms (cli_now_ms), with the fields a command gets in its
 * environment, and starts what can start. */
void alerts_push(struct alerts *a, const char *json, size_t len,
                 int64_t made_ms, const char *type, const char *vessels,
                 double risk, int64_t id);
/* Collects ended commands and starts waiting ones (call often). */
void alerts_pump(struct alerts *a);
/* Counts a delivery elsewhere (standard output) for the latency. */
void alerts_latency(struct alerts *a, int64_t made_ms);
/* Waits up to 10 s for the queues to empty, then stops the poster. */
void alerts_drain(struct alerts *a);
/* The counters and latency percentiles so far. */
void alerts_get_stats(struct alerts *a, struct alerts_stats *st);
void alerts_free(struct alerts *a);

#endif
