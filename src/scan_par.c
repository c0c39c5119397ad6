/*
 * scan_par.c - a scan split by MMSI over threads (df_scan_new_jobs): the
 * same tracks and detectors, with the same events, on every core.
 *
 * Each of n shards is a scan of its own (scan.c, in shard mode) holding
 * the vessels whose df__meet_shard_of() is its index, run by a thread of
 * its own; one pair engine (meet_par.c) runs the encounter and loitering
 * ticks over all shards.  The caller's thread dispatches each record to
 * its vessel's shard in batches.  Input time is global: at the first
 * record that makes an encounter tick due (as one scan does, scan.c), the
 * caller's thread stops the shards (every record before it processed),
 * hands their output on, runs the tick over all of them, and goes on.
 *
 * Output: the shards' callbacks (events, vessels, track points) are held
 * in per-shard lists, each item keyed by the number of the record that
 * made it, and handed to the caller's callbacks at each stop, merged in
 * record order; what the ticks make follows.  Every callback runs on the
 * caller's thread.  The events are the ones one scan finds (the vessels'
 * rules see the same records in the same order; the ticks see the same
 * points); what differs is the order some come out in, and when a silent
 * vessel is flushed (at its shard's next record or the next tick, which
 * changes no event): tests/unit/test_par.c and tests/cli/jobs.sh hold it
 * to that.
 *
 * Bounds: BATCH records a batch, QUEUE batches in flight per shard; the
 * output held between two ticks (ten minutes of input time by default).
 */
#include "scan_par.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "meet.h"
#include "util/alloc.h"
#include "util/grow.h"
#include "util/keep.h"
#include "util/ser.h"

#define BATCH 1024
#define QUEUE 8
#define FLUSH_SOME 4096         /* vessels flushed between hand-ons */

enum out_kind { OUT_EVENT, OUT_VESSEL, OUT_POINT };

/* One callback held: its record's number, its kind, and where its value
 * is in the shard's lists. */
struct out {
    uint64_t seq;
    uint32_t kind;
    uint32_t idx;
};

struct batch {
    struct df_rec recs[BATCH];
    uint64_t seq0;              /* the first record's number */
    size_t n;
};

struct shard {
    struct df__scan_par *par;
    unsigned index;
    struct df_scan *scan;       /* in shard mode */
    pthread_t th;

    /* Batches from the dispatcher, in a ring of QUEUE: count of them,
     * from head, wait for the shard's thread; the dispatcher fills the
     * one after them (fill).  head and count are guarded by mu. */
    struct batch *q;
    unsigned head, count, fill;
    pthread_mutex_t mu;
    pthread_cond_t cv_work;     /* a batch was queued, or quit */
    pthread_cond_t cv_done;     /* a batch was processed */
    int sync;                   /* mu and the conditions were made */
    int quit;                   /* end once the queue is empty (mu) */

    /* Output held until the next stop. */
    uint64_t cur_seq;
    struct out *outs;
    size_t nouts, capouts;
    struct df_event *evs;
    size_t nevs, capevs;
    struct df_vessel *vs;
    size_t nvs, capvs;
    struct { uint32_t mmsi; struct df_point p; } *pts;
    size_t npts, cappts;
    int oom;
};

struct df__scan_par {
    unsigned n;
    struct shard *sh;
    struct df__meet **meets;    /* each shard's detector, for the pairs */
    struct df__meet *pm;        /* the pair engine */
    struct df_scan_cbs cbs;     /* the caller's */
    struct df_config cfg;
    const struct df_geo *geo;
    uint64_t seq;               /* records dispatched */
    int64_t now_ms;
    int threads;                /* the shards' threads run */
    int rc;                     /* the first non-zero callback value */
    int oom;
    struct df_stats st;         /* summed for df_scan_stats */
};

/* ---- the shards' output ------------------------------------------------ */

static int put_out(struct shard *s, uint32_t kind, size_t idx)
{
    if (s->nouts == s->capouts &&
        df__grow(&s->outs, &s->capouts, sizeof *s->outs, 256) != 0) {
        s->oom = 1;
        return 0;
    }
    s->outs[s->nouts].seq = s->cur_seq;
    s->outs[s->nouts].kind = kind;
    s->outs[s->nouts].idx = (uint32_t)idx;
    s->nouts++;
    return 0;
}

static int shard_event(const struct df_event *ev, void *ud)
{
    struct shard *s = ud;

    if (s->nevs == s->capevs &&
        df__grow(&s->evs, &s->capevs, sizeof *s->evs, 64) != 0) {
        s->oom = 1;
        return 0;
    }
    s->evs[s->nevs] = *ev;
    return put_out(s, OUT_EVENT, s->nevs++);
}

static int shard_vessel(const struct df_vessel *v, void *ud)
{
    struct shard *s = ud;

    if (s->nvs == s->capvs &&
        df__grow(&s->vs, &s->capvs, sizeof *s->vs, 64) != 0) {
        s->oom = 1;
        return 0;
    }
    s->vs[s->nvs] = *v;
    return put_out(s, OUT_VESSEL, s->nvs++);
}

static int shard_point(uint32_t mmsi, const struct df_point *p, void *ud)
{
    struct shard *s = ud;

    if (s->npts == s->cappts &&
        df__grow(&s->pts, &s->cappts, sizeof *s->pts, 1024) != 0) {
        s->oom = 1;
        return 0;
    }
    s->pts[s->npts].mmsi = mmsi;
    s->pts[s->npts].p = *p;
    return put_out(s, OUT_POINT, s->npts++);
}

/* Hands one held item to the caller's callback. */
static void forward(struct df__scan_par *par, struct shard *s,
                    const struct out *o)
{
    const struct df_scan_cbs *c = &par->cbs;
    int rc = 0;

    switch (o->kind) {
    case OUT_EVENT:
        rc = c->event ? c->event(&s->evs[o->idx], c->ud) : 0;
        break;
    case OUT_VESSEL:
        rc = c->vessel ? c->vessel(&s->vs[o->idx], c->ud) : 0;
        break;
    default:
        rc = c->point ? c->point(s->pts[o->idx].mmsi, &s->pts[o->idx].p,
                                 c->ud)
                      : 0;
        break;
    }
    if (rc != 0 && par->rc == 0)
        par->rc = rc;
}

/* Every shard's held output to the caller, in record order (a record is
 * one shard's, so the merge is by record number alone). */
static void drain(struct df__scan_par *par)
{
    size_t *at = df__calloc(par->n, sizeof *at);
    unsigned i;

    if (!at) {
        par->oom = 1;
        return;
    }
    for (;;) {
        struct shard *best = NULL;

        for (i = 0; i < par->n; i++) {
            struct shard *s = &par->sh[i];

            if (at[i] < s->nouts &&
                (!best || s->outs[at[i]].seq < best->outs[at[best->index]].seq))
                best = s;
        }
        if (!best)
            break;
        forward(par, best, &best->outs[at[best->index]++]);
    }
    for (i = 0; i < par->n; i++) {
        struct shard *s = &par->sh[i];

        if (s->oom)
            par->oom = 1;
        s->nouts = s->nevs = s->nvs = s->npts = 0;
    }
    df__free(at);
}

/* ---- the threads ------------------------------------------------------ */

static void run_batch(struct shard *s, const struct batch *b)
{
    size_t i;

    for (i = 0; i < b->n; i++) {
        s->cur_seq = b->seq0 + i;
        /* A callback's non-zero value comes back at the next stop: the
         * records go on (df_scan_rec's contract). */
        df_scan_rec(s->scan, &b->recs[i]);
    }
}

static void *shard_main(void *arg)
{
    struct shard *s = arg;

    pthread_mutex_lock(&s->mu);
    for (;;) {
        struct batch *b;

        while (s->count == 0 && !s->quit)
            pthread_cond_wait(&s->cv_work, &s->mu);
        if (s->count == 0)
            break;
        b = &s->q[s->head];
        pthread_mutex_unlock(&s->mu);
        run_batch(s, b);
        b->n = 0;
        pthread_mutex_lock(&s->mu);
        s->head = (s->head + 1) % QUEUE;
        s->count--;
        pthread_cond_signal(&s->cv_done);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* The batch the dispatcher fills for s. */
static struct batch *filling(struct shard *s)
{
    return &s->q[s->fill];
}

/* Hands the batch being filled to the shard's thread (or runs it), and
 * waits for a free one to fill next. */
static void send(struct df__scan_par *par, struct shard *s)
{
    struct batch *b = filling(s);

    if (b->n == 0)
        return;
    if (!par->threads) {
        run_batch(s, b);
        b->n = 0;
        return;
    }
    pthread_mutex_lock(&s->mu);
    s->count++;
    pthread_cond_signal(&s->cv_work);
    while (s->count == QUEUE)
        pthread_cond_wait(&s->cv_done, &s->mu);
    s->fill = (s->head + s->count) % QUEUE;
    pthread_mutex_unlock(&s->mu);
}

/* Stops every shard: all it was sent is processed; then hands their
 * output on. */
static void stop(struct df__scan_par *par)
{
    unsigned i;

    for (i = 0; i < par->n; i++)
        send(par, &par->sh[i]);
    for (i = 0; par->threads && i < par->n; i++) {
        struct shard *s = &par->sh[i];

        pthread_mutex_lock(&s->mu);
        while (s->count > 0)
            pthread_cond_wait(&s->cv_done, &s->mu);
        s->fill = s->head;
        pthread_mutex_unlock(&s->mu);
    }
    drain(par);
}

/* ---- the pair engine's events --------------------------------------- */

/* An encounter: to the caller, then each vessel's draught comparison in
 * its shard (stopped). */
static int pair_emit(const struct df_event *ev, void *ud)
{
    struct df__scan_par *par = ud;
    int rc = par->cbs.event ? par->cbs.event(ev, par->cbs.ud) : 0;
    unsigned i;

    if (ev->type != DF_EV_ENCOUNTER)
        return rc;
    for (i = 0; i < ev->nvessels && i < 2; i++) {
        struct shard *s =
            &par->sh[df__meet_shard_of(ev->vessels[i], par->n)];

        DF__KEEP(rc, df__scan_shard_encounter(s->scan, ev, ev->vessels[i]));
    }
    return rc;
}

/* Tells the threads of shards [0, n) to end once their queues are empty. */
static void quit_all(struct df__scan_par *par, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        pthread_mutex_lock(&par->sh[i].mu);
        par->sh[i].quit = 1;
        pthread_cond_signal(&par->sh[i].cv_work);
        pthread_mutex_unlock(&par->sh[i].mu);
    }
}

/* ---- the interface ---------------------------------------------------- */

struct df__scan_par *df__scan_par_new(const struct df_config *cfg,
                                      const struct df_geo *geo,
                                      const struct df_scan_cbs *cbs,
                                      unsigned n)
{
    struct df__scan_par *par = df__calloc(1, sizeof *par);
    struct df_config shard_cfg;
    unsigned i;

    if (!par)
        return NULL;
    par->n = n < 1 ? 1 : n;
    par->cfg = *cfg;
    /* The memory caps are split as the vessels are: n shards together
     * hold as many as one scan (each evicts its own least recently seen,
     * so a run that reaches a cap depends on n). */
    shard_cfg = *cfg;
    shard_cfg.track_max_vessels = ceil(cfg->track_max_vessels / par->n);
    par->geo = geo;
    par->now_ms = DF_TIME_NONE;
    if (cbs)
        par->cbs = *cbs;
    par->sh = df__calloc(par->n, sizeof *par->sh);
    par->meets = df__calloc(par->n, sizeof *par->meets);
    if (!par->sh || !par->meets)
        goto fail;
    for (i = 0; i < par->n; i++) {
        struct shard *s = &par->sh[i];
        struct df_scan_cbs sc;

        s->par = par;
        s->index = i;
        sc.event = shard_event;
        sc.vessel = shard_vessel;
        sc.point = shard_point;
        sc.ud = s;
        s->scan = df_scan_new(&shard_cfg, geo, &sc);
        s->q = df__calloc(QUEUE, sizeof *s->q);
        if (!s->scan || !s->q)
            goto fail;
        pthread_mutex_init(&s->mu, NULL);
        pthread_cond_init(&s->cv_work, NULL);
        pthread_cond_init(&s->cv_done, NULL);
        s->sync = 1;
        df__scan_make_shard(s->scan, par->n);
        par->meets[i] = df__scan_shard_meet(s->scan);
    }
    par->pm = df__meet_new(&par->cfg, geo, df_land_default(), pair_emit,
                           par);
    if (!par->pm)
        goto fail;
    df__meet_par_bind(par->pm, par->meets, par->n);
    /* One shard runs on the caller's thread: nothing to overlap. */
    if (par->n > 1) {
        for (i = 0; i < par->n; i++)
            if (pthread_create(&par->sh[i].th, NULL, shard_main,
                               &par->sh[i]) != 0)
                break;
        if (i < par->n) {       /* no threads: the same work, in turn */
            unsigned k;

            quit_all(par, i);
            for (k = 0; k < i; k++) {
                pthread_join(par->sh[k].th, NULL);
                par->sh[k].quit = 0;
            }
        } else {
            par->threads = 1;
        }
    }
    return par;
fail:
    df__scan_par_free(par);
    return NULL;
}

void df__scan_par_free(struct df__scan_par *par)
{
    unsigned i;

    if (!par)
        return;
    if (par->threads) {
        quit_all(par, par->n);
        for (i = 0; i < par->n; i++)
            pthread_join(par->sh[i].th, NULL);
    }
    for (i = 0; par->sh && i < par->n; i++) {
        struct shard *s = &par->sh[i];

        df_scan_free(s->scan);
        df__free(s->q);
        if (s->sync) {
            pthread_cond_destroy(&s->cv_done);
            pthread_cond_destroy(&s->cv_work);
            pthread_mutex_destroy(&s->mu);
        }
        df__free(s->outs);
        df__free(s->evs);
        df__free(s->vs);
        df__free(s->pts);
    }
    df__meet_free(par->pm);
    df__free(par->sh);
    df__free(par->meets);
    df__free(par);
}

/* A tick is due: stop, flush the silent everywhere, run the ticks. */
static void tick(struct df__scan_par *par, int64_t now_ms)
{
    unsigned i;
    int rc;

    stop(par);
    for (i = 0; i < par->n; i++)
        DF__KEEP(par->rc, df__scan_shard_advance(par->sh[i].scan, now_ms));
    rc = df__meet_par_advance(par->pm, now_ms);
    if (rc != 0 && par->rc == 0)
        par->rc = rc;
    drain(par);
}

int df__scan_par_rec(struct df__scan_par *par, const struct df_rec *rec)
{
    struct shard *s = &par->sh[df__meet_shard_of(rec->mmsi, par->n)];
    int rc;

    if (rec->t_ms != DF_TIME_NONE &&
        (par->now_ms == DF_TIME_NONE || rec->t_ms > par->now_ms)) {
        par->now_ms = rec->t_ms;
        if (df__meet_par_due(par->pm, rec->t_ms))
            tick(par, rec->t_ms);
    }
    {
        struct batch *b = filling(s);

        if (b->n == 0)
            b->seq0 = par->seq;
        b->recs[b->n++] = *rec;
        par->seq++;
        if (b->n == BATCH)
            send(par, s);
    }
    rc = par->rc;
    par->rc = 0;
    return rc;
}

int df__scan_par_sync(struct df__scan_par *par)
{
    int rc;

    stop(par);
    rc = par->rc;
    par->rc = 0;
    return rc;
}

int df__scan_par_finish(struct df__scan_par *par)
{
    unsigned i;
    int rc;

    stop(par);
    rc = df__meet_par_finish(par->pm);
    if (rc != 0 && par->rc == 0)
        par->rc = rc;
    drain(par);
    /* Every vessel, a few thousand at a time handed on (the shards'
     * lists would otherwise hold every vessel's state at once). */
    for (i = 0; i < par->n; i++)
        while ((rc = df__scan_shard_flush_some(par->sh[i].scan, FLUSH_SOME))
               > 0)
            drain(par);
    drain(par);
    rc = par->rc;
    par->rc = 0;
    return rc;
}

enum df_err df__scan_par_error(const struct df__scan_par *par)
{
    unsigned i;

    if (par->oom || df__meet_oom(par->pm))
        return DF_NOMEM;
    for (i = 0; i < par->n; i++)
        if (par->sh[i].oom || df_scan_error(par->sh[i].scan) != DF_OK)
            return DF_NOMEM;
    return DF_OK;
}

const struct df_stats *df__scan_par_stats(struct df__scan_par *par)
{
    unsigned i;

    memset(&par->st, 0, sizeof par->st);
    for (i = 0; i < par->n; i++)
        df_stats_add(&par->st, df_scan_stats(par->sh[i].scan));
    df_stats_add(&par->st, df__meet_stats(par->pm));
    return &par->st;
}

int64_t df__scan_par_now_ms(const struct df__scan_par *par)
{
    return par->now_ms;
}

/* ---- saved state -------------------------------------------------------- */

enum df_err df__scan_par_save(struct df__scan_par *par,
                              struct df_state_out *w)
{
    unsigned i;

    stop(par);
    df__so_tag(w, DF__TAG('S', 'P', 'A', 'R'));
    df__so_u32(w, par->n);
    df__so_i64(w, par->now_ms);
    df__meet_save(par->pm, w);
    for (i = 0; i < par->n; i++)
        df_scan_save(par->sh[i].scan, w);
    return w->err;
}

enum df_err df__scan_par_load(struct df__scan_par *par,
                              struct df_state_in *in)
{
    uint32_t n;
    int64_t now;
    unsigned i;

    if (df__si_tag(in, DF__TAG('S', 'P', 'A', 'R')) != 0 ||
        df__si_u32(in, &n) != 0 || df__si_i64(in, &now) != 0)
        return in->err;
    if (n != par->n) {
        df__si_bad(in);
        return in->err;
    }
    if (df__meet_load(par->pm, in) != 0)
        return in->err;
    for (i = 0; i < par->n; i++)
        if (df_scan_load(par->sh[i].scan, in) != DF_OK)
            return in->err != DF_OK ? in->err : DF_FORMAT;
    par->now_ms = now;
    return DF_OK;
}
