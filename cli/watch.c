/*
 * watch.c - `darkfleet watch`: the scan, live.  Feeds (tcp://, udp://,
 * files followed as they grow, standard input; feeds.c) run through the
 * same reorder buffer, tracks and detectors as scan, into the store as
 * they go: the store is committed every second, so that report, vessel,
 * serve or sqlite3 read what was found while watch writes.
 *
 * Each event is printed once, when it is final, as a JSON line on
 * standard output, and alerted (alert.c) to a command (--alert-exec) and
 * a URL (--alert-url) when it is of a type asked for (--alert-type) and
 * one of its vessels scores at least --alert-min-risk after it.  An alert
 * is one JSON object: {"id": the stored event's id, "risk": the highest
 * score of its vessels, "event": the event as printed}.
 *
 * State: watch keeps the scan's state in the store as scan does (every
 * --checkpoint seconds, and when it stops), and goes on from it when it
 * starts again: only records newer than the last one it saw are taken
 * (a followed file is read again from its start, and what was read
 * before is dropped).  When it stops (SIGINT or SIGTERM, or the end of
 * standard input) what is still open (encounters going on, vessels not
 * yet silent) is stored as provisional, neither printed nor alerted: the
 * next watch or scan reports it once final.
 *
 * Exit status: 0 when stopped by SIGINT or SIGTERM or at the end of the
 * input; 1 when the store, an input that can never work (a UDP port in
 * use) or the output failed; 2 for a bad command line.
 */
#include "alert.h"
#include "scan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDLE_DEFAULT_S 120
#define COMMIT_MS 1000           /* readers see what was found this late */
#define SYNC_MS 50               /* --jobs: shards' output held at most this */

struct watch {
    struct scan_run run;
    struct scan_cmd c;
    struct alerts *alerts;
    struct alerts_opts ao;
    double min_risk;
    uint32_t types;             /* bit (1 << type) to alert; 0: all */
    int64_t made_ms;            /* when the record in hand was decoded */
    int64_t last_commit_ms;
    int64_t last_sync_ms;
    uint64_t alerted;
    struct df_buf json;
};

/* ---- alerts ------------------------------------------------------------ */

/* The highest risk score of the event's vessels, as the store has it. */
static double risk_of(struct watch *w, const struct df_event *ev)
{
    double best = 0, score;
    unsigned i;

    for (i = 0; w->run.store && i < ev->nvessels && i < 2; i++)
        if (df_store_risk_score(w->run.store, ev->vessels[i], &score) == 1 &&
            score > best)
            best = score;
    return best;
}

static int on_alert(struct scan_run *r, const struct df_event *ev,
                    int64_t id)
{
    struct watch *w = r->alert_ud;
    char vessels[24];
    double risk;

    if (!w->ao.exec && !w->ao.url) {
        alerts_latency(w->alerts, w->made_ms);  /* standard output */
        return 0;
    }
    if (w->types && !(w->types & (1u << ev->type)))
        return 0;
    risk = risk_of(w, ev);
    if (risk < w->min_risk)
        return 0;
    w->json.len = 0;
    df_buf_printf(&w->json, "{\"id\":%lld,\"risk\":%.2f,\"event\":",
                  (long long)id, risk);
    df_event_json(&w->json, ev);
    df_buf_puts(&w->json, "}\n");
    if (w->json.oom) {
        cli_err("out of memory");
        return 1;
    }
    snprintf(vessels, sizeof vessels, "%u%s%.0u", (unsigned)ev->vessels[0],
             ev->nvessels > 1 ? "," : "",
             ev->nvessels > 1 ? (unsigned)ev->vessels[1] : 0u);
    alerts_push(w->alerts, w->json.data, w->json.len, w->made_ms,
                df_event_name(ev->type), vessels, risk, id);
    w->alerted++;
    return 0;
}

/* ---- the loop ------------------------------------------------------------ */

static int on_msg(const struct df_msg *m, void *ud)
{
    struct watch *w = ud;

    w->made_ms = cli_now_ms();
    return scan_on_msg(m, &w->run);
}

static int on_rec(const struct df_rec *rec, void *ud)
{
    struct watch *w = ud;

    w->made_ms = cli_now_ms();
    return scan_on_rec(rec, &w->run);
}

/* After every round of the feeds: a split scan's shards hand on what they
 * hold (every SYNC_MS: a split scan otherwise holds it until the next
 * encounter tick, 10 minutes of input away); alerts move on; every
 * COMMIT_MS the store is committed; a checkpoint when one is due. */
static int on_round(void *ud)
{
    struct watch *w = ud;
    int64_t now = cli_now_ms();

    if (now - w->last_sync_ms >= SYNC_MS) {
        w->last_sync_ms = now;
        if (df_scan_sync(w->run.scan) != 0)
            w->run.failed = 1;
    }
    alerts_pump(w->alerts);
    if (cli_out_flush(&w->run.out, 1) != 0) {
        w->run.failed = 1;
        return 1;
    }
    if (now - w->last_commit_ms >= COMMIT_MS) {
        w->last_commit_ms = now;
        if (scan_flush_store(&w->run) != 0)
            return 1;
    }
    return scan_state_maybe(&w->run, 0) != 0 || w->run.failed;
}

/* ---- options ----------------------------------------------------------- */

enum { OPT_ALERT_EXEC = SCAN_OPT_OWN, OPT_ALERT_URL, OPT_ALERT_MIN_RISK,
       OPT_ALERT_TYPE, OPT_IDLE };

static const struct cli_opt opts[] = {
    SCAN_OPTS,
    {OPT_ALERT_EXEC, "--alert-exec", NULL, 1},
    {OPT_ALERT_URL, "--alert-url", NULL, 1},
    {OPT_ALERT_MIN_RISK, "--alert-min-risk", NULL, 1},
    {OPT_ALERT_TYPE, "--alert-type", NULL, 1},
    {OPT_IDLE, "--idle", NULL, 1},
    CLI_OPTS_HELP,
    CLI_OPTS_END};

static void usage(FILE *f)
{
    fputs("usage: darkfleet watch [OPTIONS] INPUT...\n"
          "  The scan, live: reads every INPUT at once until SIGINT or "
          "SIGTERM (or the end\n"
          "  of standard input), writes to the database as it goes "
          "(readers see it within\n"
          "  a second) and prints each event once, when it is final, as a "
          "JSON line.\n"
          "  INPUT is tcp://HOST:PORT (reconnected with backoff when it "
          "drops or stalls),\n"
          "  udp://[HOST]:PORT, a file (followed as it grows, as tail -F "
          "does) or - for\n"
          "  standard input.  The state is saved in the database: watch and "
          "scan go on\n"
          "  from it.  Events still open when it stops are stored as "
          "provisional, not\n"
          "  printed.\n"
          "\n"
          "  --alert-exec CMD       run CMD (/bin/sh) for each alert, with "
          "the alert (JSON)\n"
          "                         on its standard input and "
          "DF_ALERT_TYPE, _VESSELS,\n"
          "                         _RISK, _ID in its environment\n"
          "  --alert-url URL        POST each alert to URL (application/json; "
          "retried after\n"
          "                         1, 2 and 4 s on errors and HTTP 429/5xx)\n"
          "  --alert-min-risk N     alert only when a vessel of the event "
          "scores N or more\n"
          "                         (0-100; default 0)\n"
          "  --alert-type TYPE      alert only events of these types "
          "(comma-separated;\n"
          "                         repeatable; default all)\n"
          "  --idle SECONDS         reconnect a TCP feed silent this long "
          "(default 120; 0:\n"
          "                         never)\n",
          f);
    scan_cmd_usage(f);
    scan_cmd_thresholds(f);
}

/* Adds the types of a comma-separated list; 2 after an error line. */
static int add_types(struct watch *w, const char *list)
{
    char name[32];
    const char *p = list;

    while (*p) {
        size_t n = strcspn(p, ",");
        int t;

        if (n == 0 || n >= sizeof name)
            goto bad;
        memcpy(name, p, n);
        name[n] = '\0';
        for (t = 0; t < DF_EV_COUNT; t++)
            if (strcmp(df_event_name((enum df_event_type)t), name) == 0)
                break;
        if (t == DF_EV_COUNT)
            goto bad;
        w->types |= 1u << t;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
bad:
    cli_err("watch: --alert-type: '%s' is not a list of event types (%s, "
            "...)",
            list, df_event_name(DF_EV_ENCOUNTER));
    return 2;
}

static void print_alert_stats(struct watch *w)
{
    struct alerts_stats st;

    alerts_get_stats(w->alerts, &st);
    fprintf(stderr, "%12llu  %-22s %s\n", (unsigned long long)w->alerted,
            "alerts", "events alerted");
    if (w->ao.exec)
        fprintf(stderr, "%12llu  %-22s %s\n%12llu  %-22s %s\n",
                (unsigned long long)st.exec_ok, "alert_exec_ok",
                "alert commands that exited 0",
                (unsigned long long)st.exec_failed, "alert_exec_failed",
                "alert commands that failed");
    if (w->ao.url)
        fprintf(stderr, "%12llu  %-22s %s\n%12llu  %-22s %s\n"
                        "%12llu  %-22s %s\n",
                (unsigned long long)st.url_ok, "alert_url_ok",
                "alerts posted", (unsigned long long)st.url_failed,
                "alert_url_failed", "alerts given up",
                (unsigned long long)st.url_retries, "alert_url_retries",
                "posts tried again");
    fprintf(stderr, "%12llu  %-22s %s\n", (unsigned long long)st.dropped,
            "alert_dropped", "alerts dropped (queue full, or at exit)");
    if (st.delivered_seen > 0)
        fprintf(stderr,
                "%12.1f  %-22s %s\n%12.1f  %-22s %s\n%12.1f  %-22s %s\n",
                st.lat_p50, "latency_p50_ms",
                "record to alert delivered, median",
                st.lat_p99, "latency_p99_ms", "... 99th percentile",
                st.lat_max, "latency_max_ms", "... most");
}

int cmd_watch(int argc, char **argv)
{
    struct watch *w = calloc(1, sizeof *w);
    struct cli_feeds *fs = NULL;
    struct cli_feeds_opts fo;
    struct cli_sink sink;
    struct df_stats st;
    struct cli_args args;
    const char *val;
    char *end;
    int rc = 0, id, taken;

    if (!w) {
        cli_err("out of memory");
        return 1;
    }
    memset(&fo, 0, sizeof fo);
    memset(&st, 0, sizeof st);
    fo.who = "watch";
    fo.idle_ms = (int64_t)IDLE_DEFAULT_S * 1000;
    fo.stamp = 1;
    if ((rc = scan_cmd_init(&w->c, "watch", argc)) != 0)
        goto done;
    cli_args_init(&args, "watch", argc, argv);
    while ((id = cli_args_next(&args, opts, &val)) != CLI_END) {
        switch (id) {
        case CLI_OPT_HELP:
            usage(stdout);
            goto done;
        case OPT_ALERT_EXEC:
            w->ao.exec = val;
            continue;
        case OPT_ALERT_URL:
            if (strncmp(val, "http://", 7) != 0 &&
                strncmp(val, "https://", 8) != 0) {
                cli_err("watch: --alert-url: '%s' is not an http:// or "
                        "https:// URL",
                        val);
                rc = 2;
                goto done;
            }
            w->ao.url = val;
            continue;
        case OPT_ALERT_MIN_RISK:
            w->min_risk = strtod(val, &end);
            if (*end != '\0' || end == val || !(w->min_risk >= 0) ||
                w->min_risk > 100) {
                cli_err("watch: --alert-min-risk wants 0-100, not '%s'",
                        val);
                rc = 2;
                goto done;
            }
            continue;
        case OPT_ALERT_TYPE:
            if ((rc = add_types(w, val)) != 0)
                goto done;
            continue;
        case OPT_IDLE: {
            double s = strtod(val, &end);

            if (*end != '\0' || end == val || !(s >= 0) || s > 86400 * 365) {
                cli_err("watch: --idle wants seconds, not '%s'", val);
                rc = 2;
                goto done;
            }
            fo.idle_ms = (int64_t)(s * 1000);
            continue;
        }
        default:
            break;
        }
        taken = scan_cmd_opt(&w->c, id, val);
        if (taken == 2) {
            rc = 2;
            goto done;
        }
        if (!taken) {
            rc = cli_args_bad(&args, id, val);
            goto done;
        }
    }
    if (w->c.ninputs == 0) {
        usage(stderr);
        rc = 2;
        goto done;
    }
    if (w->c.ninputs > CLI_FEEDS_MAX) {
        cli_err("watch: at most %d inputs", CLI_FEEDS_MAX);
        rc = 2;
        goto done;
    }
    if ((rc = scan_cmd_open(&w->c, &w->run)) != 0)
        goto done;
    /* Live: only what is newer than the last record seen. */
    if (w->run.loaded &&
        df_reorder_newest_ms(w->run.reorder) != DF_TIME_NONE)
        w->run.state_ms = df_reorder_newest_ms(w->run.reorder) + 1;
    w->run.final_only = 1;
    w->run.alert = on_alert;
    w->run.alert_ud = w;
    if (!(w->alerts = alerts_new(&w->ao))) {
        rc = 1;
        goto done;
    }
    cli_net_catch_signals();
    fo.skip_checksum = w->c.ro.skip_checksum;
    fo.dedup_ms = w->c.ro.dedup_ms;
    if (w->run.jobs > 1)
        fo.round_ms = SYNC_MS;
    sink.msg = on_msg;
    sink.rec = on_rec;
    sink.ud = w;
    if (!(fs = cli_feeds_new(w->c.inputs, w->c.ninputs, &fo, &sink))) {
        rc = 1;
        goto done;
    }
    w->last_commit_ms = cli_now_ms();
    if ((rc = cli_feeds_open(fs)) == 0)
        rc = cli_feeds_run(fs, on_round, w);
    cli_feeds_stats(fs, &st);
    scan_end_live(&w->run);
    rc = scan_cmd_end(&w->c, &w->run, rc, &st);
    alerts_drain(w->alerts);
    if (w->c.stats)
        print_alert_stats(w);

done:
    cli_feeds_free(fs, w->c.stats && rc != 2);
    alerts_free(w->alerts);
    df_buf_free(&w->json);
    rc = scan_cmd_free(&w->c, &w->run, rc);
    free(w);
    return rc;
}
