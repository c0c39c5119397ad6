/*
 * scan.c - the scan: records in time order -> tracks -> detectors ->
 * events, vessels and track points through the caller's callbacks
 * (struct df_scan_cbs in darkfleet.h).
 *
 * For each record the scan advances input time (flushing vessels silent
 * longer than track_silence_hours and processing every tick of the
 * encounter detector that is due), finds or creates the vessel's track (flushing
 * the least recently seen vessel first at track_max_vessels), merges its
 * identity fields, and hands a valid position to the per-vessel detectors
 * (detect_vessel.c); a position they accept goes on the main track, the
 * downsampled display track and the encounter detector (meet.c).
 * Encounter events come back through meet_emit(), which also arms the
 * draught comparison of both vessels before they are forwarded.
 *
 * Per record the work is a hash lookup, a few comparisons and, for
 * positions, one approximate distance; geography is looked up only when a
 * vessel has moved (detect_vessel.c).  Nothing is allocated per record.
 */
#include "darkfleet.h"
#include "util/alloc.h"
#include "util/keep.h"
#include "util/ser.h"
#include "meet.h"
#include "detect_vessel.h"
#include "track.h"
#include "scan_par.h"
#include "dist.h"

#include <stdlib.h>
#include <string.h>

#define TURN_DEG 45             /* a course change that makes a point */
#define TURN_MIN_MS 60000       /* ... at most once a minute */
#define TURN_MIN_DKN 10         /* ... when moving faster than 1 kn */
#define STILL_UNITS 270         /* 1/10000 min: ~50 m of latitude */
#define STILL_EVERY_MS 3600000  /* a vessel that has not moved: hourly */

/*
 * The last fix of a vessel flushed for silence, so that a dark period
 * longer than track_silence_hours is still measured when it comes back:
 * a fixed table of buckets of GHOST_WAYS (the oldest fix in a bucket gives
 * way), 24 bytes an entry, allocated on the first flush.
 */
struct ghost {
    int64_t pos_ms;             /* 0: empty */
    uint32_t mmsi;
    int32_t lon, lat;
    uint16_t speed;
    uint8_t draught;
};

#define GHOST_WAYS 4
#define GHOST_BUCKETS (1u << 18)    /* 1 M fixes, 24 MiB; a shard of n
                                     * has 1/n of them */

struct df_scan {
    struct df_config cfg;       /* a copy; vctx and meet point into it */
    struct ghost *ghosts;
    uint32_t nbuckets;          /* GHOST_BUCKETS, or a shard's part */
    const struct df_geo *geo;
    struct df_scan_cbs cbs;
    struct df__vctx vctx;
    struct df__tracks *tracks;
    struct df__meet *meet;
    int64_t now_ms;             /* latest record time, or DF_TIME_NONE */
    int64_t point_every_ms;     /* track_point_min */
    size_t max_vessels;         /* the track store's cap ... */
    int64_t silence_ms;         /* ... and silence limit */
    struct df_stats st;         /* this stage's counters */
    struct df_stats st_out;     /* st plus the meet detector's */
    int oom;                    /* a record or a vessel's state was lost
                                 * to a failed allocation */
    int shard;                  /* a shard of a split scan: its meet
                                 * detector's ticks run elsewhere */
    /* A partition of a scan split into processes (dist.c): no meet
     * detector at all; the coordinator runs the one of the whole scan,
     * told which positions went on (fed) and which vessels were
     * forgotten (part_forget). */
    void (*part_forget)(uint32_t mmsi, void *ud);
    void *part_ud;
    uint64_t fed;
    struct df__scan_par *par;   /* a split scan: everything is its */
    struct df__dist *dist;      /* a scan split by messages (dist.c) */
};

/* Every event passes here on its way out. */
static int fwd_event(const struct df_event *ev, void *ud)
{
    struct df_scan *s = ud;

    return s->cbs.event ? s->cbs.event(ev, s->cbs.ud) : 0;
}

/* An event from the encounter detector: forwarded, then each vessel of
 * an encounter waits for its draught after it. */
static int meet_emit(const struct df_event *ev, void *ud)
{
    struct df_scan *s = ud;
    int rc = fwd_event(ev, s);
    unsigned i;

    if (ev->type != DF_EV_ENCOUNTER)
        return rc;
    for (i = 0; i < ev->nvessels && i < 2; i++) {
        struct df__track *t = df__tracks_find(s->tracks, ev->vessels[i]);
        if (t)
            DF__KEEP(rc, df__vdet_encounter(&s->vctx, t, ev));
    }
    return rc;
}

/* Flushes t: closes its detectors, reports it, forgets it.  why is 0 at
 * the end of input, 1 when silent, 2 when evicted at the cap. */
static struct ghost *ghost_bucket(const struct df_scan *s, uint32_t mmsi)
{
    return &s->ghosts[((mmsi * 2654435761u) >> 14) % s->nbuckets *
                      GHOST_WAYS];
}

/* Keeps t's last fix for when the vessel comes back. */
static void ghost_put(struct df_scan *s, const struct df__track *t)
{
    struct ghost *b, *victim;
    unsigned i;

    if (t->pos_ms == DF_TIME_NONE)
        return;
    if (!s->ghosts) {
        s->ghosts = df__calloc((size_t)s->nbuckets * GHOST_WAYS,
                               sizeof *s->ghosts);
        if (!s->ghosts) {
            s->oom = 1;
            return;
        }
    }
    b = ghost_bucket(s, t->mmsi);
    victim = &b[0];
    for (i = 0; i < GHOST_WAYS; i++) {
        if (b[i].pos_ms == 0 || b[i].mmsi == t->mmsi) {
            victim = &b[i];
            break;
        }
        if (b[i].pos_ms < victim->pos_ms)
            victim = &b[i];
    }
    if (victim->pos_ms != 0 && victim->mmsi != t->mmsi)
        s->st.drop_ghost_evicted++;
    victim->pos_ms = t->pos_ms;
    victim->mmsi = t->mmsi;
    victim->lon = t->lon;
    victim->lat = t->lat;
    victim->speed = t->speed;
    victim->draught = t->draught;
}

/* A new track for a vessel seen before: its last fix comes back, so the
 * gap (and a draught change across it) is measured from there. */
static void ghost_take(struct df_scan *s, struct df__track *t,
                       int64_t now_ms)
{
    struct ghost *b;
    unsigned i;

    if (!s->ghosts)
        return;
    b = ghost_bucket(s, t->mmsi);
    for (i = 0; i < GHOST_WAYS; i++) {
        if (b[i].pos_ms == 0 || b[i].mmsi != t->mmsi)
            continue;
        if (now_ms == DF_TIME_NONE || now_ms < b[i].pos_ms ||
            now_ms - b[i].pos_ms > (int64_t)(s->cfg.gap_max_days * 864e5)) {
            b[i].pos_ms = 0;
            return;
        }
        t->pos_ms = b[i].pos_ms;
        t->last_ms = b[i].pos_ms;
        t->lon = b[i].lon;
        t->lat = b[i].lat;
        t->speed = b[i].speed;
        t->course = DF_COURSE_NA;
        t->draught = b[i].draught;
        b[i].pos_ms = 0;
        return;
    }
}

static int emit_point(struct df_scan *s, uint32_t mmsi, int64_t t_ms,
                      int32_t lon, int32_t lat, uint16_t speed,
                      uint16_t course);

static int flush(struct df_scan *s, struct df__track *t, int why)
{
    struct df_vessel v;
    int rc = df__vdet_flush(&s->vctx, t);

    /* The display track ends where the vessel was last seen. */
    if (s->cbs.point && t->point_pending && t->pos_ms != DF_TIME_NONE) {
        DF__KEEP(rc, emit_point(s, t->mmsi, t->pos_ms, t->lon, t->lat,
                                t->speed, t->course));
        t->point_pending = 0;
    }

    if (why != 0)               /* not at the end of input */
        ghost_put(s, t);
    if (s->meet)
        df__meet_forget(s->meet, t->mmsi);
    else if (s->part_forget)
        s->part_forget(t->mmsi, s->part_ud);
    if (s->cbs.vessel) {
        df__track_vessel(t, &v);
        DF__KEEP(rc, s->cbs.vessel(&v, s->cbs.ud));
    }
    df__tracks_remove(s->tracks, t, why);
    return rc;
}

struct df_scan *df_scan_new(const struct df_config *cfg,
                            const struct df_geo *geo,
                            const struct df_scan_cbs *cbs)
{
    struct df_scan *s = df__calloc(1, sizeof *s);
    double maxv, silence_h;

    if (!s)
        return NULL;
    s->cfg = *cfg;
    s->nbuckets = GHOST_BUCKETS;
    s->geo = geo;
    if (cbs)
        s->cbs = *cbs;
    s->now_ms = DF_TIME_NONE;
    s->point_every_ms = (int64_t)(s->cfg.track_point_min * 60000.0);
    maxv = s->cfg.track_max_vessels;
    if (!(maxv >= 1.0))
        maxv = 1.0;
    if (maxv > 1e9)
        maxv = 1e9;
    silence_h = s->cfg.track_silence_hours;
    if (!(silence_h > 0.0))
        silence_h = 24.0;
    s->max_vessels = (size_t)maxv;
    s->silence_ms = (int64_t)(silence_h * 3.6e6);
    s->tracks = df__tracks_new(s->max_vessels, s->silence_ms);
    s->vctx.cfg = &s->cfg;
    s->vctx.geo = geo;
    s->vctx.land = df_land_default();
    s->vctx.emit = fwd_event;
    s->vctx.ud = s;
    s->meet = df__meet_new(&s->cfg, geo, s->vctx.land, meet_emit, s);
    if (!s->tracks || !s->meet) {
        df_scan_free(s);
        return NULL;
    }
    return s;
}

struct df_scan *df_scan_new_jobs(const struct df_config *cfg,
                                 const struct df_geo *geo,
                                 const struct df_scan_cbs *cbs,
                                 unsigned jobs)
{
    if (jobs <= 1)
        return df_scan_new(cfg, geo, cbs);
    return df__scan_new_par(cfg, geo, cbs, jobs);
}

static struct df_scan *new_dist(const struct df_config *cfg,
                                const struct df_geo *geo,
                                const struct df_scan_cbs *cbs, unsigned n,
                                const struct df_cluster_io *io)
{
    struct df_scan *s = df__calloc(1, sizeof *s);

    if (!s)
        return NULL;
    s->dist = df__dist_new(cfg, geo, cbs, n, io);
    if (!s->dist) {
        df__free(s);
        return NULL;
    }
    return s;
}

struct df_scan *df_scan_new_parts(const struct df_config *cfg,
                                  const struct df_geo *geo,
                                  const struct df_scan_cbs *cbs,
                                  unsigned parts)
{
    return new_dist(cfg, geo, cbs, parts, NULL);
}

struct df_scan *df_scan_new_cluster(const struct df_config *cfg,
                                    const struct df_geo *geo,
                                    const struct df_scan_cbs *cbs,
                                    unsigned parts,
                                    const struct df_cluster_io *io)
{
    if (!io || !io->send || !io->report)
        return NULL;
    return new_dist(cfg, geo, cbs, parts, io);
}

struct df_scan *df__scan_new_par(const struct df_config *cfg,
                                 const struct df_geo *geo,
                                 const struct df_scan_cbs *cbs, unsigned n)
{
    struct df_scan *s = df__calloc(1, sizeof *s);

    if (!s)
        return NULL;
    s->par = df__scan_par_new(cfg, geo, cbs, n);
    if (!s->par) {
        df__free(s);
        return NULL;
    }
    return s;
}

void df__scan_make_shard(struct df_scan *s, unsigned nshards)
{
    s->shard = 1;
    /* The table of last fixes is split as the vessels are: n shards
     * together hold as many as one scan. */
    s->nbuckets = GHOST_BUCKETS / (nshards ? nshards : 1);
    if (s->nbuckets < 1024)
        s->nbuckets = 1024;
}

void df_scan_free(struct df_scan *s)
{
    if (!s)
        return;
    if (s->par || s->dist) {
        df__scan_par_free(s->par);
        df__dist_free(s->dist);
        df__free(s);
        return;
    }
    df__tracks_free(s->tracks);
    df__meet_free(s->meet);
    df__free(s->ghosts);
    df__free(s);
}

int df__scan_meet_position(const struct df_rec *r)
{
    if (r->lon < -180 * 600000 || r->lon > 180 * 600000 ||
        r->lat < -90 * 600000 || r->lat > 90 * 600000)
        return 0;
    return !(r->lon == 0 && r->lat == 0);
}

int df__scan_meet_identity(const struct df_rec *r)
{
    return (r->has & DF_REC_STATIC) &&
           (r->shiptype || r->imo || r->length_dm || r->to_bow ||
            r->to_stern);
}

/* Records from which a vessel's MMSI can be judged. */
static int vessel_record(const struct df_rec *r)
{
    switch (r->msgtype) {
    case 1:
    case 2:
    case 3:
    case 5:
    case 18:
    case 19:
    case 27:
        return 1;
    case 0:
        return (r->has & DF_REC_POS) != 0;  /* a table row */
    default:
        return 0;
    }
}

static int emit_point(struct df_scan *s, uint32_t mmsi, int64_t t_ms,
                      int32_t lon, int32_t lat, uint16_t speed,
                      uint16_t course)
{
    struct df_point p;

    p.t_ms = t_ms;
    p.lon = lon;
    p.lat = lat;
    p.speed = speed;
    p.course = course;
    return s->cbs.point(mmsi, &p, s->cbs.ud);
}

/* The downsampled display track: a point every track_point_min of the
 * vessel's time (every STILL_EVERY_MS while it stays put), on turns of
 * TURN_DEG, both ends of a gap, and the last position (flush). */
static int track_point(struct df_scan *s, struct df__track *t,
                       const struct df_rec *rec)
{
    int rc = 0, due, gap;

    if (!s->cbs.point)
        return 0;
    gap = t->pos_ms != DF_TIME_NONE &&
          rec->t_ms - t->pos_ms >= s->point_every_ms;
    if (t->point_pending && gap) {
        /* A gap follows the last position: keep where it went dark. */
        DF__KEEP(rc, emit_point(s, t->mmsi, t->pos_ms, t->lon, t->lat,
                                t->speed, t->course));
        t->point_ms = t->pos_ms;
        t->point_course = t->course;
        t->point_lon = t->lon;
        t->point_lat = t->lat;
    }
    due = t->point_ms == DF_TIME_NONE ||
          rec->t_ms - t->point_ms >= s->point_every_ms;
    /* A vessel at a berth or at anchor reports every few minutes from one
     * spot: a point an hour draws the same track.  Within STILL_UNITS of
     * the last point in both latitude and longitude (longitude units
     * are shorter, so that is within about 70 m) is not moving.  Both
     * ends of a gap are kept all the same. */
    if (due && !gap && t->point_ms != DF_TIME_NONE &&
        rec->t_ms - t->point_ms < STILL_EVERY_MS &&
        abs(rec->lat - t->point_lat) <= STILL_UNITS &&
        abs(rec->lon - t->point_lon) <= STILL_UNITS)
        due = 0;
    if (!due && rec->course < 3600 && t->point_course < 3600 &&
        rec->speed != DF_SPEED_NA && rec->speed > TURN_MIN_DKN &&
        rec->t_ms - t->point_ms >= TURN_MIN_MS) {
        int d = abs((int)rec->course - (int)t->point_course);
        if (d > 1800)
            d = 3600 - d;
        due = d > TURN_DEG * 10;
    }
    if (due) {
        DF__KEEP(rc, emit_point(s, t->mmsi, rec->t_ms, rec->lon, rec->lat,
                            rec->speed, rec->course));
        t->point_ms = rec->t_ms;
        t->point_course = rec->course;
        t->point_lon = rec->lon;
        t->point_lat = rec->lat;
        t->point_pending = 0;
    } else {
        t->point_pending = 1;
    }
    return rc;
}

static int position(struct df_scan *s, struct df__track *t,
                    const struct df_rec *rec)
{
    int accept, rc = df__vdet_position(&s->vctx, t, rec, &accept);

    if (!accept)
        return rc;
    DF__KEEP(rc, track_point(s, t, rec));
    t->pos_ms = rec->t_ms;
    t->lon = rec->lon;
    t->lat = rec->lat;
    t->speed = rec->speed;
    t->course = rec->course;
    t->positions++;
    if (s->meet)
        DF__KEEP(rc, df__meet_position(s->meet, rec));
    s->fed++;
    return rc;
}

/* Input time moved to now_ms: flush the silent, tick the meet detector. */
static int advance(struct df_scan *s, int64_t now_ms)
{
    struct df__track *t;
    int rc = 0;

    s->now_ms = now_ms;
    while ((t = df__tracks_silent(s->tracks, now_ms)) != NULL)
        DF__KEEP(rc, flush(s, t, 1));
    /* Every tick due by now, at the first record that reaches it (a
     * rule that depends on input time alone, whatever the record and
     * whoever holds its vessel: scan_par.c keeps it). */
    if (!s->shard && s->meet)
        DF__KEEP(rc, df__meet_advance(s->meet, now_ms));
    return rc;
}

void df_scan_prefetch(const struct df_scan *s, const struct df_rec *rec,
                      int stage)
{
    if (s->par || s->dist)
        return;
    df__tracks_prefetch(s->tracks, rec->mmsi, stage);
    if ((rec->has & DF_REC_POS) && s->meet)
        df__meet_prefetch(s->meet, rec->mmsi, stage);
}

int df_scan_sync(struct df_scan *s)
{
    if (s->dist)
        return df__dist_sync(s->dist);
    return s->par ? df__scan_par_sync(s->par) : 0;
}

int df_scan_rec(struct df_scan *s, const struct df_rec *rec)
{
    struct df__track *t;
    int rc = 0, created, in_order = 1, has_t = rec->t_ms != DF_TIME_NONE;

    if (s->par)
        return df__scan_par_rec(s->par, rec);
    if (s->dist)
        return df__dist_rec(s->dist, rec);

    if (has_t && (s->now_ms == DF_TIME_NONE || rec->t_ms > s->now_ms))
        DF__KEEP(rc, advance(s, rec->t_ms));
    t = df__tracks_find(s->tracks, rec->mmsi);
    if (!t) {
        struct df__track *lru;
        if (df__tracks_full(s->tracks) &&
            (lru = df__tracks_lru(s->tracks)) != NULL)
            DF__KEEP(rc, flush(s, lru, 2));
        t = df__tracks_get(s->tracks, rec->mmsi, &created);
        if (!t) {
            s->oom = 1;         /* out of memory: the record is lost */
            return rc;
        }
        if (created)
            ghost_take(s, t, rec->t_ms);
    }
    if (rec->cls == 'A' || rec->cls == 'B')
        t->cls = rec->cls;
    if (has_t) {
        if (t->last_ms != DF_TIME_NONE && rec->t_ms < t->last_ms) {
            s->st.drop_out_of_order++;
            in_order = 0;
        } else {
            df__tracks_touch(s->tracks, t, rec->t_ms);
        }
    }
    if (vessel_record(rec))
        DF__KEEP(rc, df__vdet_vessel(&s->vctx, t, rec));
    if (rec->has & DF_REC_STATIC) {
        struct df_identity old;
        int64_t id_ms = has_t ? rec->t_ms : t->last_ms;
        int changed = df__track_identity(t, rec, id_ms, &old);
        if (changed < 0)
            s->oom = 1;
        else
            DF__KEEP(rc, df__vdet_static(&s->vctx, t, rec, id_ms, changed,
                                         &old));
        /* The encounter detectors weigh what a vessel says it is. */
        if (s->meet && df__scan_meet_identity(rec))
            df__meet_identity(s->meet, rec);
    }
    if ((rec->has & DF_REC_POS) && has_t && in_order) {
        if (df__scan_meet_position(rec))
            DF__KEEP(rc, position(s, t, rec));
        else
            df__tracks_stats(s->tracks)->bad_positions++;
    }
    return rc;
}

int df_scan_finish(struct df_scan *s)
{
    struct df__track *t;
    int rc;

    if (s->par)
        return df__scan_par_finish(s->par);
    if (s->dist)
        return df__dist_finish(s->dist);
    rc = s->meet ? df__meet_finish(s->meet) : 0;

    while ((t = df__tracks_any(s->tracks)) != NULL)
        DF__KEEP(rc, flush(s, t, 0));
    return rc;
}

enum df_err df_scan_error(const struct df_scan *s)
{
    if (s->par)
        return df__scan_par_error(s->par);
    if (s->dist)
        return df__dist_error(s->dist);
    return s->oom || s->vctx.oom || (s->meet && df__meet_oom(s->meet)) ? DF_NOMEM
                                                          : DF_OK;
}

const struct df_stats *df_scan_stats(const struct df_scan *s)
{
    if (s->par)
        return df__scan_par_stats(s->par);
    if (s->dist)
        return df__dist_stats(s->dist);
    /* The sum is rebuilt on each call into the scan's own copy. */
    struct df_scan *m = (struct df_scan *)s;

    m->st_out = s->st;
    if (s->meet)
        df_stats_add(&m->st_out, df__meet_stats(s->meet));
    m->st_out.skip_no_position += df__tracks_stats(s->tracks)->bad_positions;
    m->st_out.skip_late_position += s->vctx.late;
    m->st_out.drop_track_evicted += df__tracks_stats(s->tracks)->evicted;
    return &m->st_out;
}

const struct df__track_stats *df__scan_track_stats(const struct df_scan *s)
{
    return df__tracks_stats(s->tracks);
}

int64_t df_scan_now_ms(const struct df_scan *s)
{
    if (s && s->par)
        return df__scan_par_now_ms(s->par);
    if (s && s->dist)
        return df__dist_now_ms(s->dist);
    return s ? s->now_ms : DF_TIME_NONE;
}

/* ---- saved state ------------------------------------------------------ */

enum df_err df_scan_save(const struct df_scan *s, struct df_state_out *w)
{
    uint64_t n = 0;
    uint32_t i;

    if (!s || !w)
        return DF_INVAL;
    if (s->par)
        return df__scan_par_save(s->par, w);
    if (s->dist)
        return df__dist_save(s->dist, w);
    df__so_tag(w, DF__TAG('S', 'C', 'A', 'N'));
    df__so_i64(w, s->now_ms);
    /* The last fixes of silent vessels, each with its place in the
     * table (its way in the bucket decides which one gives way). */
    if (s->ghosts)
        for (i = 0; i < s->nbuckets * GHOST_WAYS; i++)
            n += s->ghosts[i].pos_ms != 0;
    df__so_u64(w, n);
    for (i = 0; n > 0 && i < s->nbuckets * GHOST_WAYS; i++) {
        if (s->ghosts[i].pos_ms == 0)
            continue;
        df__so_u32(w, i);
        df__so_put(w, &s->ghosts[i], sizeof s->ghosts[i]);
    }
    df__tracks_save(s->tracks, w);
    if (s->meet)
        df__meet_save(s->meet, w);
    return w->err;
}

enum df_err df_scan_load(struct df_scan *s, struct df_state_in *in)
{
    int64_t now;
    uint64_t n, k;
    enum df_err e;

    if (!s || !in)
        return DF_INVAL;
    if (s->par)
        return df__scan_par_load(s->par, in);
    if (s->dist)
        return df__dist_load(s->dist, in);
    if (df__si_tag(in, DF__TAG('S', 'C', 'A', 'N')) != 0 ||
        df__si_i64(in, &now) != 0 ||
        df__si_u64(in, &n) != 0)
        return in->err;
    if (n > (uint64_t)s->nbuckets * GHOST_WAYS || s->ghosts ||
        s->now_ms != DF_TIME_NONE) {
        df__si_bad(in);
        return in->err;
    }
    if (n > 0) {
        s->ghosts = df__calloc((size_t)s->nbuckets * GHOST_WAYS,
                               sizeof *s->ghosts);
        if (!s->ghosts) {
            in->err = DF_NOMEM;
            return in->err;
        }
    }
    for (k = 0; k < n; k++) {
        uint32_t i;
        struct ghost g;

        if (df__si_u32(in, &i) != 0 || df__si_get(in, &g, sizeof g) != 0)
            break;
        if (i >= s->nbuckets * GHOST_WAYS || g.pos_ms == 0) {
            df__si_bad(in);
            break;
        }
        s->ghosts[i] = g;
    }
    if (k == n && df__tracks_load(s->tracks, in) == 0 &&
        (!s->meet || df__meet_load(s->meet, in) == 0)) {
        s->now_ms = now;
        return DF_OK;
    }
    e = in->err;
    return e != DF_OK ? e : DF_FORMAT;
}

/* ---- a scan as a shard (scan_par.h) ------------------------------------ */

struct df__meet *df__scan_meet(struct df_scan *s)
{
    return s->dist ? df__dist_meet(s->dist) : s->meet;
}

struct df__meet *df__scan_shard_meet(struct df_scan *s)
{
    return s->meet;
}

int df__scan_shard_advance(struct df_scan *s, int64_t now_ms)
{
    if (now_ms == DF_TIME_NONE ||
        (s->now_ms != DF_TIME_NONE && now_ms <= s->now_ms))
        return 0;
    return advance(s, now_ms);
}

int df__scan_shard_encounter(struct df_scan *s, const struct df_event *ev,
                             uint32_t mmsi)
{
    struct df__track *t = df__tracks_find(s->tracks, mmsi);

    return t ? df__vdet_encounter(&s->vctx, t, ev) : 0;
}

void df__scan_make_part(struct df_scan *s, unsigned nparts,
                        void (*forget)(uint32_t mmsi, void *ud), void *ud)
{
    df__scan_make_shard(s, nparts);
    df__meet_free(s->meet);
    s->meet = NULL;
    s->part_forget = forget;
    s->part_ud = ud;
}

uint64_t df__scan_part_fed(const struct df_scan *s)
{
    return s->fed;
}

int df__scan_shard_flush_some(struct df_scan *s, unsigned n)
{
    struct df__track *t;

    while (n-- > 0 && (t = df__tracks_any(s->tracks)) != NULL)
        flush(s, t, 0);
    return df__tracks_any(s->tracks) != NULL;
}
