/*
 * dist.c - a scan split into partitions that share nothing but messages
 * (dist.h): the partitions and the workers that run them, the
 * coordinator, and the scan over both (a cluster's, or in one process).
 *
 * Why the events are one scan's: a single scan calls its encounter
 * detector (meet.c) with, in record order, each static record that says
 * what a vessel is, each position the vessel's rules accepted, each vessel
 * flushed for silence, and input time as it moves on (scan.c).  The
 * coordinator makes those same calls, in the same order, to the same
 * detector: it keeps the records (the fields the detector reads), learns
 * from each partition which positions were refused and which vessels were
 * flushed, and at each barrier replays them in record order before
 * advancing to the barrier's time.  A barrier is where the detector can
 * first do something (a tick is due), so the replay never runs late; a
 * vessel flushed at its partition's next record, not at the record where
 * its silence began, is forgotten before the tick that would have seen
 * it, as scan_par.c's shards do.  What comes back, the draught
 * comparisons an encounter arms, is applied at the barrier, before the
 * record there, as one scan applies it.  tests/unit/test_par.c holds the
 * coordinator's detector to one scan's, byte for byte, after the last
 * record.
 *
 * A partition's stream carries, in order: records (each with its number),
 * then at each barrier k a barrier message, then the coordinator's answer
 * k; the barrier at the end has no time, and after its answer the worker
 * flushes every vessel and makes one last report.  A report (one per
 * barrier, and the last) carries the positions refused and the vessels
 * forgotten since the barrier before, the partition's outputs (events,
 * vessel states, track points, each with the number of the record that
 * made it) and its counters.  Messages are this build's memory image,
 * checked by magic, format, partition and number.
 */
#include "dist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "meet.h"
#include "scan_par.h"
#include "util/alloc.h"
#include "util/grow.h"
#include "util/keep.h"
#include "util/ser.h"

#define RECS_MAGIC DF__TAG('D', 'F', 'R', 'C')
#define BAR_MAGIC DF__TAG('D', 'F', 'B', 'R')
#define ANS_MAGIC DF__TAG('D', 'F', 'A', 'N')
#define RPT_MAGIC DF__TAG('D', 'F', 'R', 'P')

#define BATCH 512               /* records a message */

/* Records: n of struct rec_item. */
struct recs_head {
    uint32_t magic, format, part, n;
};

struct rec_item {
    uint64_t seq;
    struct df_rec rec;
};

/* Barrier k at record seq (the first after it), time now_ms
 * (DF_TIME_NONE: the end). */
struct bar_msg {
    uint32_t magic, format, part, pad;
    uint64_t k, seq;
    int64_t now_ms;
};

/* The answer to barrier k: narm of struct arm. */
struct ans_head {
    uint32_t magic, format, part, narm;
    uint64_t k;
};

/* An encounter of one of the partition's vessels: its draught
 * comparison waits for the next static record. */
struct arm {
    int64_t start_ms, end_ms;
    uint32_t mmsi, other;
    int32_t lon, lat;
};

/* Report k: nskip record numbers, nforget struct forget, nout bytes of
 * outputs (struct out_item, each followed by its value). */
struct rpt_head {
    uint32_t magic, format, part, last;
    uint64_t k, seq;            /* the barrier's */
    uint64_t nskip, nforget, nout;
    struct df_stats st;         /* the partition's counters */
};

struct forget {
    uint64_t seq;               /* before this record */
    uint32_t mmsi, pad;
};

enum { OUT_EVENT = 1, OUT_VESSEL, OUT_POINT };

struct out_item {
    uint32_t kind, len;         /* len: the value's bytes */
    uint64_t seq;
};

struct out_point {
    uint32_t mmsi, pad;
    struct df_point p;
};

static size_t out_size(uint32_t kind)
{
    return kind == OUT_EVENT    ? sizeof(struct df_event)
           : kind == OUT_VESSEL ? sizeof(struct df_vessel)
           : kind == OUT_POINT  ? sizeof(struct out_point)
                                : 0;
}

/* A report read: its head and where its arrays are (unaligned). */
struct rpt_view {
    struct rpt_head h;
    const unsigned char *skip, *fg, *out;
};

/* 0 when msg is report k of partition part, whole and well formed
 * (every output item of a known kind and size). */
static int rpt_parse(const void *msg, size_t len, unsigned part, uint64_t k,
                     struct rpt_view *v)
{
    const unsigned char *a = msg;
    size_t off;

    if (!msg || len < sizeof v->h)
        return -1;
    memcpy(&v->h, msg, sizeof v->h);
    if (v->h.magic != RPT_MAGIC || v->h.format != DF__DIST_FORMAT ||
        v->h.part != part || v->h.k != k ||
        v->h.nskip > len / sizeof(uint64_t) ||
        v->h.nforget > len / sizeof(struct forget) || v->h.nout > len ||
        len != sizeof v->h + v->h.nskip * sizeof(uint64_t) +
                   v->h.nforget * sizeof(struct forget) + v->h.nout)
        return -1;
    v->skip = a + sizeof v->h;
    v->fg = v->skip + v->h.nskip * sizeof(uint64_t);
    v->out = v->fg + v->h.nforget * sizeof(struct forget);
    for (off = 0; off < v->h.nout;) {
        struct out_item it;

        if (v->h.nout - off < sizeof it)
            return -1;
        memcpy(&it, v->out + off, sizeof it);
        if (out_size(it.kind) == 0 || it.len != out_size(it.kind) ||
            v->h.nout - off - sizeof it < it.len)
            return -1;
        off += sizeof it + it.len;
    }
    return 0;
}

/* ---- a partition -------------------------------------------------------- */

struct df__part {
    unsigned nparts, index;
    struct df_scan *scan;
    uint64_t seq;               /* the record in hand */
    uint64_t *skip;             /* positions refused since the barrier */
    size_t nskip, capskip;
    struct forget *fg;          /* vessels flushed since the barrier */
    size_t nfg, capfg;
    struct df_buf out;          /* outputs since the barrier */
    struct df_stats base;       /* counters before the last load (a
                                 * scan's own restart at zero) */
    int oom;
};

/* The partition's counters since it began, across loads. */
static struct df_stats part_stats(const struct df__part *p)
{
    struct df_stats st = p->base;

    df_stats_add(&st, df_scan_stats(p->scan));
    return st;
}

static void part_forget(uint32_t mmsi, void *ud)
{
    struct df__part *p = ud;

    if (p->nfg == p->capfg &&
        df__grow(&p->fg, &p->capfg, sizeof *p->fg, 64) != 0) {
        p->oom = 1;
        return;
    }
    p->fg[p->nfg].seq = p->seq;
    p->fg[p->nfg].mmsi = mmsi;
    p->fg[p->nfg].pad = 0;
    p->nfg++;
}

static void put_out(struct df__part *p, uint32_t kind, const void *v)
{
    struct out_item it;

    it.kind = kind;
    it.len = (uint32_t)out_size(kind);
    it.seq = p->seq;
    df_buf_append(&p->out, (const char *)&it, sizeof it);
    df_buf_append(&p->out, v, it.len);
    if (p->out.oom)
        p->oom = 1;
}

static int part_event(const struct df_event *ev, void *ud)
{
    put_out(ud, OUT_EVENT, ev);
    return 0;
}

static int part_vessel(const struct df_vessel *v, void *ud)
{
    put_out(ud, OUT_VESSEL, v);
    return 0;
}

static int part_point(uint32_t mmsi, const struct df_point *pt, void *ud)
{
    struct out_point op;

    memset(&op, 0, sizeof op);
    op.mmsi = mmsi;
    op.p = *pt;
    put_out(ud, OUT_POINT, &op);
    return 0;
}

static void part_free(struct df__part *p)
{
    if (!p)
        return;
    df_scan_free(p->scan);
    df__free(p->skip);
    df__free(p->fg);
    df_buf_free(&p->out);
    df__free(p);
}

static struct df__part *part_new(const struct df_config *cfg,
                                 const struct df_geo *geo, unsigned nparts,
                                 unsigned index)
{
    struct df__part *p = df__calloc(1, sizeof *p);
    struct df_scan_cbs cbs = {part_event, part_vessel, part_point, NULL};
    struct df_config pc;

    if (!p)
        return NULL;
    p->nparts = nparts < 1 ? 1 : nparts;
    p->index = index;
    cbs.ud = p;
    /* The caps are split as the vessels are (scan_par.c). */
    pc = *cfg;
    pc.track_max_vessels = ceil(cfg->track_max_vessels / p->nparts);
    p->scan = df_scan_new(&pc, geo, &cbs);
    if (!p->scan) {
        part_free(p);
        return NULL;
    }
    df__scan_make_part(p->scan, p->nparts, part_forget, p);
    return p;
}

static void part_rec(struct df__part *p, uint64_t seq,
                     const struct df_rec *rec)
{
    uint64_t fed = df__scan_part_fed(p->scan);

    p->seq = seq;
    df_scan_rec(p->scan, rec);
    /* A position the coordinator keeps (coord_rec) that did not go on. */
    if ((rec->has & DF_REC_POS) && rec->t_ms != DF_TIME_NONE &&
        df__scan_meet_position(rec) && df__scan_part_fed(p->scan) == fed) {
        if (p->nskip == p->capskip &&
            df__grow(&p->skip, &p->capskip, sizeof *p->skip, 256) != 0)
            p->oom = 1;
        else
            p->skip[p->nskip++] = seq;
    }
}

/* Report k into report: what was gathered since the last one. */
static void part_report(struct df__part *p, uint64_t k, uint64_t seq,
                        int last, struct df_buf *report)
{
    struct rpt_head h;

    memset(&h, 0, sizeof h);
    h.magic = RPT_MAGIC;
    h.format = DF__DIST_FORMAT;
    h.part = p->index;
    h.last = (uint32_t)last;
    h.k = k;
    h.seq = seq;
    h.nskip = p->nskip;
    h.nforget = p->nfg;
    h.nout = p->out.len;
    h.st = part_stats(p);
    report->len = 0;
    df_buf_append(report, (const char *)&h, sizeof h);
    if (p->nskip)
        df_buf_append(report, (const char *)p->skip,
                      p->nskip * sizeof *p->skip);
    if (p->nfg)
        df_buf_append(report, (const char *)p->fg, p->nfg * sizeof *p->fg);
    if (p->out.len)
        df_buf_append(report, p->out.data, p->out.len);
    if (report->oom)
        p->oom = 1;
    p->nskip = p->nfg = 0;
    p->out.len = 0;
}

static int part_answer(struct df__part *p, const void *msg, size_t len,
                       uint64_t k)
{
    struct ans_head h;
    const unsigned char *a = (const unsigned char *)msg + sizeof h;
    uint32_t i;

    if (len < sizeof h)
        return -1;
    memcpy(&h, msg, sizeof h);
    if (h.magic != ANS_MAGIC || h.format != DF__DIST_FORMAT ||
        h.part != p->index || h.k != k ||
        (len - sizeof h) % sizeof(struct arm) != 0 ||
        (len - sizeof h) / sizeof(struct arm) != h.narm)
        return -1;
    for (i = 0; i < h.narm; i++) {
        struct arm m;
        struct df_event ev;

        memcpy(&m, a + (size_t)i * sizeof m, sizeof m);
        if (df__meet_shard_of(m.mmsi, p->nparts) != p->index)
            return -1;
        memset(&ev, 0, sizeof ev);
        ev.type = DF_EV_ENCOUNTER;
        ev.nvessels = 2;
        ev.vessels[0] = m.mmsi;
        ev.vessels[1] = m.other;
        ev.start_ms = m.start_ms;
        ev.end_ms = m.end_ms;
        ev.lon = m.lon;
        ev.lat = m.lat;
        df__scan_shard_encounter(p->scan, &ev, m.mmsi);
    }
    return 0;
}

static enum df_err part_save(const struct df__part *p,
                             struct df_state_out *w)
{
    df__so_tag(w, DF__TAG('P', 'A', 'R', 'T'));
    df__so_u32(w, p->nparts);
    df__so_u32(w, p->index);
    df__so_u64(w, p->seq);
    df__so_arr(w, p->skip, sizeof *p->skip, p->nskip);
    df__so_arr(w, p->fg, sizeof *p->fg, p->nfg);
    df__so_arr(w, p->out.data, 1, p->out.len);
    {
        struct df_stats st = part_stats(p);

        df__so_put(w, &st, sizeof st);
    }
    df_scan_save(p->scan, w);
    return w->err;
}

static enum df_err part_load(struct df__part *p, struct df_state_in *in)
{
    uint32_t n, idx;
    void *a;
    size_t na;

    if (df__si_tag(in, DF__TAG('P', 'A', 'R', 'T')) != 0 ||
        df__si_u32(in, &n) != 0 || df__si_u32(in, &idx) != 0 ||
        df__si_u64(in, &p->seq) != 0)
        return in->err;
    if (n != p->nparts || idx != p->index) {
        df__si_bad(in);
        return in->err;
    }
    if (df__si_arr(in, sizeof *p->skip, SIZE_MAX / sizeof *p->skip, 0, &a,
                   &na) != 0)
        return in->err;
    df__free(p->skip);
    p->skip = a;
    p->nskip = p->capskip = na;
    if (df__si_arr(in, sizeof *p->fg, SIZE_MAX / sizeof *p->fg, 0, &a,
                   &na) != 0)
        return in->err;
    df__free(p->fg);
    p->fg = a;
    p->nfg = p->capfg = na;
    if (df__si_arr(in, 1, SIZE_MAX, 0, &a, &na) != 0)
        return in->err;
    p->out.len = 0;
    if (na)
        df_buf_append(&p->out, a, na);
    df__free(a);
    if (p->out.oom) {
        in->err = DF_NOMEM;
        return in->err;
    }
    if (df__si_get(in, &p->base, sizeof p->base) != 0)
        return in->err;
    if (df_scan_load(p->scan, in) != DF_OK)
        return in->err != DF_OK ? in->err : DF_FORMAT;
    return DF_OK;
}

/* ---- a worker ----------------------------------------------------------- */

struct df_worker {
    struct df__part *p;
    uint64_t nrep;              /* reports made */
    uint64_t next_seq;          /* records come with rising numbers */
    uint64_t bar_seq;           /* the last barrier's record */
    int await;                  /* a barrier's answer is next */
    int end;                    /* that barrier is the end */
    int done;                   /* the last report is made */
};

struct df_worker *df_worker_new(const struct df_config *cfg,
                                const struct df_geo *geo, unsigned parts,
                                unsigned index)
{
    struct df_worker *w;

    if (parts < 1 || index >= parts || !cfg)
        return NULL;
    w = df__calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->p = part_new(cfg, geo, parts, index);
    if (!w->p) {
        df__free(w);
        return NULL;
    }
    return w;
}

void df_worker_free(struct df_worker *w)
{
    if (!w)
        return;
    part_free(w->p);
    df__free(w);
}

int df_worker_msg(struct df_worker *w, const void *msg, size_t len,
                  struct df_buf *report)
{
    uint32_t head[3];

    if (!msg || len < sizeof head || w->done)
        return -1;
    memcpy(head, msg, sizeof head);
    if (head[1] != DF__DIST_FORMAT || head[2] != w->p->index)
        return -1;
    switch (head[0]) {
    case RECS_MAGIC: {
        struct recs_head h;
        const unsigned char *a = (const unsigned char *)msg + sizeof h;
        uint32_t i;

        if (w->await || len < sizeof h)
            return -1;
        memcpy(&h, msg, sizeof h);
        if ((len - sizeof h) % sizeof(struct rec_item) != 0 ||
            (len - sizeof h) / sizeof(struct rec_item) != h.n)
            return -1;
        for (i = 0; i < h.n; i++) {
            struct rec_item it;

            memcpy(&it, a + (size_t)i * sizeof it, sizeof it);
            /* Strings from the wire end where the record says they do. */
            it.rec.callsign[sizeof it.rec.callsign - 1] = '\0';
            it.rec.shipname[sizeof it.rec.shipname - 1] = '\0';
            it.rec.destination[sizeof it.rec.destination - 1] = '\0';
            if (it.seq < w->next_seq ||
                df__meet_shard_of(it.rec.mmsi, w->p->nparts) != w->p->index)
                return -1;
            w->next_seq = it.seq + 1;
            part_rec(w->p, it.seq, &it.rec);
        }
        return 0;
    }
    case BAR_MAGIC: {
        struct bar_msg b;

        if (w->await || len != sizeof b)
            return -1;
        memcpy(&b, msg, sizeof b);
        if (b.k != w->nrep || b.seq < w->next_seq)
            return -1;
        w->p->seq = b.seq;
        if (b.now_ms != DF_TIME_NONE)
            df__scan_shard_advance(w->p->scan, b.now_ms);
        part_report(w->p, b.k, b.seq, 0, report);
        w->nrep++;
        w->await = 1;
        w->end = b.now_ms == DF_TIME_NONE;
        w->bar_seq = b.seq;
        w->next_seq = b.seq;
        return 1;
    }
    case ANS_MAGIC:
        if (!w->await || part_answer(w->p, msg, len, w->nrep - 1) != 0)
            return -1;
        w->await = 0;
        if (!w->end)
            return 0;
        /* The end: every vessel flushed, in one last report. */
        while (df__scan_shard_flush_some(w->p->scan, 4096) > 0)
            ;
        part_report(w->p, w->nrep, w->bar_seq, 1, report);
        w->nrep++;
        w->done = 1;
        return 1;
    default:
        return -1;
    }
}

uint64_t df_worker_reports(const struct df_worker *w)
{
    return w->nrep;
}

int df_worker_done(const struct df_worker *w)
{
    return w->done;
}

enum df_err df_worker_error(const struct df_worker *w)
{
    return w->p->oom || df_scan_error(w->p->scan) != DF_OK ? DF_NOMEM
                                                          : DF_OK;
}

enum df_err df_worker_save(const struct df_worker *w, struct df_state_out *out)
{
    uint32_t flags = (uint32_t)(w->await | w->end << 1 | w->done << 2);

    df__so_tag(out, DF__TAG('W', 'R', 'K', 'R'));
    df__so_u32(out, DF__DIST_FORMAT);
    df__so_u64(out, w->nrep);
    df__so_u64(out, w->next_seq);
    df__so_u64(out, w->bar_seq);
    df__so_u32(out, flags);
    return part_save(w->p, out);
}

enum df_err df_worker_load(struct df_worker *w, struct df_state_in *in)
{
    uint32_t fmt, flags;

    if (df__si_tag(in, DF__TAG('W', 'R', 'K', 'R')) != 0 ||
        df__si_u32(in, &fmt) != 0 || df__si_u64(in, &w->nrep) != 0 ||
        df__si_u64(in, &w->next_seq) != 0 ||
        df__si_u64(in, &w->bar_seq) != 0 || df__si_u32(in, &flags) != 0)
        return in->err;
    if (fmt != DF__DIST_FORMAT || flags > 7) {
        df__si_bad(in);
        return in->err;
    }
    w->await = flags & 1;
    w->end = (flags >> 1) & 1;
    w->done = (flags >> 2) & 1;
    return part_load(w->p, in);
}

/* ---- the coordinator ---------------------------------------------------- */

/* What the encounter detector reads of a record (meet.c:
 * df__meet_position, df__meet_identity). */
struct krec {
    uint64_t seq;
    int64_t t_ms;
    uint32_t mmsi, imo;
    int32_t lon, lat;
    uint16_t speed, to_bow, to_stern, length_dm;
    uint8_t has, shiptype, what;
    char cls;
};

#define K_POS 1                 /* a position, unless its partition refused */
#define K_ID 2                  /* says what the vessel is */

struct df__coord {
    unsigned nparts;
    struct df_config cfg;
    struct df__meet *meet;
    struct df_scan_cbs cbs;
    uint64_t seq;               /* records numbered */
    int64_t now_ms;             /* latest record time */
    int64_t meet_ms;            /* latest time the detector was given */
    struct krec *k;             /* kept since the last barrier */
    size_t nk, capk;
    struct df_buf *ans;         /* answers being written (a barrier) */
    struct df_stats *pst;       /* each partition's last counters */
    struct df_stats st;
    int rc;
    int oom;
};

static void df__coord_free(struct df__coord *c);

/* The detector's events: to the caller; an encounter also arms each of
 * its vessels' draught comparison in its partition. */
static int coord_emit(const struct df_event *ev, void *ud)
{
    struct df__coord *c = ud;
    int rc = c->cbs.event ? c->cbs.event(ev, c->cbs.ud) : 0;
    unsigned i;

    if (ev->type != DF_EV_ENCOUNTER || !c->ans)
        return rc;
    for (i = 0; i < ev->nvessels && i < 2; i++) {
        struct df_buf *b = &c->ans[df__meet_shard_of(ev->vessels[i],
                                                     c->nparts)];
        struct arm m;

        memset(&m, 0, sizeof m);
        m.mmsi = ev->vessels[i];
        m.other = ev->nvessels > 1 ? ev->vessels[1 - i] : 0;
        m.start_ms = ev->start_ms;
        m.end_ms = ev->end_ms;
        m.lon = ev->lon;
        m.lat = ev->lat;
        df_buf_append(b, (const char *)&m, sizeof m);
    }
    return rc;
}

static struct df__coord *df__coord_new(const struct df_config *cfg,
                                const struct df_geo *geo,
                                const struct df_scan_cbs *cbs,
                                unsigned nparts)
{
    struct df__coord *c = df__calloc(1, sizeof *c);

    if (!c)
        return NULL;
    c->nparts = nparts < 1 ? 1 : nparts;
    c->cfg = *cfg;
    if (cbs)
        c->cbs = *cbs;
    c->now_ms = c->meet_ms = DF_TIME_NONE;
    c->pst = df__calloc(c->nparts, sizeof *c->pst);
    c->meet = df__meet_new(&c->cfg, geo, df_land_default(), coord_emit, c);
    if (!c->pst || !c->meet) {
        df__coord_free(c);
        return NULL;
    }
    return c;
}

static void df__coord_free(struct df__coord *c)
{
    if (!c)
        return;
    df__meet_free(c->meet);
    df__free(c->k);
    df__free(c->pst);
    df__free(c);
}

static int df__coord_due(const struct df__coord *c, const struct df_rec *rec)
{
    return rec->t_ms != DF_TIME_NONE &&
           (c->now_ms == DF_TIME_NONE || rec->t_ms > c->now_ms) &&
           df__meet_par_due(c->meet, rec->t_ms);
}

static unsigned df__coord_rec(struct df__coord *c, const struct df_rec *rec,
                       uint64_t *seq)
{
    uint8_t what = 0;

    *seq = c->seq++;
    if (rec->t_ms != DF_TIME_NONE &&
        (c->now_ms == DF_TIME_NONE || rec->t_ms > c->now_ms))
        c->now_ms = rec->t_ms;
    if (df__scan_meet_identity(rec))
        what |= K_ID;
    if ((rec->has & DF_REC_POS) && rec->t_ms != DF_TIME_NONE &&
        df__scan_meet_position(rec))
        what |= K_POS;
    if (what) {
        struct krec *k;

        if (c->nk == c->capk &&
            df__grow(&c->k, &c->capk, sizeof *c->k, 1024) != 0) {
            c->oom = 1;
        } else {
            k = &c->k[c->nk++];
            memset(k, 0, sizeof *k);
            k->seq = *seq;
            k->t_ms = rec->t_ms;
            k->mmsi = rec->mmsi;
            k->imo = rec->imo;
            k->lon = rec->lon;
            k->lat = rec->lat;
            k->speed = rec->speed;
            k->to_bow = rec->to_bow;
            k->to_stern = rec->to_stern;
            k->length_dm = rec->length_dm;
            k->has = rec->has;
            k->shiptype = rec->shiptype;
            k->cls = rec->cls;
            k->what = what;
        }
    }
    return df__meet_shard_of(rec->mmsi, c->nparts);
}

static uint64_t df__coord_seq(const struct df__coord *c)
{
    return c->seq;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

static int cmp_forget(const void *a, const void *b)
{
    const struct forget *x = a, *y = b;

    if (x->seq != y->seq)
        return (x->seq > y->seq) - (x->seq < y->seq);
    return (x->pad > y->pad) - (x->pad < y->pad);
}

/* Input time moves on to t in the replay (scan.c's advance()). */
static int meet_time(struct df__coord *c, int64_t t)
{
    if (t == DF_TIME_NONE ||
        (c->meet_ms != DF_TIME_NONE && t <= c->meet_ms))
        return 0;
    c->meet_ms = t;
    return df__meet_advance(c->meet, t);
}

static int df__coord_barrier(struct df__coord *c, uint64_t kb, int64_t now_ms,
                             const struct rpt_view *v,
                             struct df_buf *answers)
{
    uint64_t *skip = NULL;
    struct forget *fg = NULL;
    size_t nskip = 0, nfg = 0, is = 0, ifg = 0, i;
    unsigned p;
    int rc = 0;

    /* Gather the refusals and the forgotten (the reports were checked:
     * rpt_parse). */
    for (p = 0; p < c->nparts; p++) {
        c->pst[p] = v[p].h.st;
        nskip += v[p].h.nskip;
        nfg += v[p].h.nforget;
    }
    for (p = 0; p < c->nparts; p++) {
        struct ans_head h;

        memset(&h, 0, sizeof h);
        h.magic = ANS_MAGIC;
        h.format = DF__DIST_FORMAT;
        h.part = p;
        h.k = kb;
        answers[p].len = 0;
        df_buf_append(&answers[p], (const char *)&h, sizeof h);
    }
    if ((nskip && !(skip = df__malloc(nskip * sizeof *skip))) ||
        (nfg && !(fg = df__malloc(nfg * sizeof *fg)))) {
        /* What the detector was to be told is lost (the run says so:
         * DF_NOMEM); the answers go out empty. */
        c->oom = 1;
        c->nk = 0;
        df__free(skip);
        df__free(fg);
        return 0;
    }
    nskip = nfg = 0;
    for (p = 0; p < c->nparts; p++) {
        if (v[p].h.nskip)
            memcpy(skip + nskip, v[p].skip, v[p].h.nskip * sizeof *skip);
        nskip += v[p].h.nskip;
        if (v[p].h.nforget)
            memcpy(fg + nfg, v[p].fg, v[p].h.nforget * sizeof *fg);
        nfg += v[p].h.nforget;
    }
    if (nskip > 1)
        qsort(skip, nskip, sizeof *skip, cmp_u64);
    /* By record, then partition, then as the partition flushed them: the
     * same order whatever the transport (the detector's vessel slots are
     * reused in the order vessels are forgotten). */
    for (i = 0; i < nfg; i++)
        fg[i].pad = (uint32_t)i;
    if (nfg > 1)
        qsort(fg, nfg, sizeof *fg, cmp_forget);

    /* The replay, in record order: the forgotten before the record they
     * were flushed at, then the record. */
    for (i = 0; i < c->nk; i++) {
        const struct krec *k = &c->k[i];
        struct df_rec r;

        while (ifg < nfg && fg[ifg].seq <= k->seq)
            df__meet_forget(c->meet, fg[ifg++].mmsi);
        DF__KEEP(rc, meet_time(c, k->t_ms));
        memset(&r, 0, sizeof r);
        r.t_ms = k->t_ms;
        r.mmsi = k->mmsi;
        r.imo = k->imo;
        r.lon = k->lon;
        r.lat = k->lat;
        r.speed = k->speed;
        r.to_bow = k->to_bow;
        r.to_stern = k->to_stern;
        r.length_dm = k->length_dm;
        r.has = k->has;
        r.shiptype = k->shiptype;
        r.cls = k->cls;
        if (k->what & K_ID)
            df__meet_identity(c->meet, &r);
        if (k->what & K_POS) {
            while (is < nskip && skip[is] < k->seq)
                is++;
            if (is < nskip && skip[is] == k->seq)
                is++;
            else
                DF__KEEP(rc, df__meet_position(c->meet, &r));
        }
    }
    while (ifg < nfg)
        df__meet_forget(c->meet, fg[ifg++].mmsi);
    c->nk = 0;
    df__free(skip);
    df__free(fg);

    /* The barrier itself: the ticks due, or the end; the encounters they
     * find arm the partitions' draught comparisons. */
    c->ans = answers;
    if (now_ms != DF_TIME_NONE) {
        DF__KEEP(rc, meet_time(c, now_ms));
    } else {
        DF__KEEP(rc, df__meet_finish(c->meet));
    }
    c->ans = NULL;
    for (p = 0; p < c->nparts; p++) {
        struct ans_head h;

        if (answers[p].oom) {
            c->oom = 1;
            continue;
        }
        memcpy(&h, answers[p].data, sizeof h);
        h.narm = (uint32_t)((answers[p].len - sizeof h) / sizeof(struct arm));
        memcpy(answers[p].data, &h, sizeof h);
    }
    return rc;
}

static enum df_err df__coord_error(const struct df__coord *c)
{
    return c->oom || df__meet_oom(c->meet) ? DF_NOMEM : DF_OK;
}

static const struct df_stats *df__coord_stats(struct df__coord *c)
{
    unsigned p;

    memset(&c->st, 0, sizeof c->st);
    for (p = 0; p < c->nparts; p++)
        df_stats_add(&c->st, &c->pst[p]);
    df_stats_add(&c->st, df__meet_stats(c->meet));
    return &c->st;
}

static int64_t df__coord_now_ms(const struct df__coord *c)
{
    return c->now_ms;
}

static enum df_err df__coord_save(const struct df__coord *c, struct df_state_out *w)
{
    df__so_tag(w, DF__TAG('C', 'O', 'O', 'R'));
    df__so_u32(w, c->nparts);
    df__so_u64(w, c->seq);
    df__so_i64(w, c->now_ms);
    df__so_i64(w, c->meet_ms);
    df__so_arr(w, c->k, sizeof *c->k, c->nk);
    df__so_arr(w, c->pst, sizeof *c->pst, c->nparts);
    df__meet_save(c->meet, w);
    return w->err;
}

static enum df_err df__coord_load(struct df__coord *c, struct df_state_in *in)
{
    uint32_t n;
    void *a;
    size_t na;

    if (df__si_tag(in, DF__TAG('C', 'O', 'O', 'R')) != 0 ||
        df__si_u32(in, &n) != 0 || df__si_u64(in, &c->seq) != 0 ||
        df__si_i64(in, &c->now_ms) != 0 || df__si_i64(in, &c->meet_ms) != 0)
        return in->err;
    if (n != c->nparts) {
        df__si_bad(in);
        return in->err;
    }
    if (df__si_arr(in, sizeof *c->k, SIZE_MAX / sizeof *c->k, 0, &a, &na) !=
        0)
        return in->err;
    df__free(c->k);
    c->k = a;
    c->nk = c->capk = na;
    if (df__si_arr_into(in, c->pst, sizeof *c->pst, c->nparts) != 0 ||
        df__meet_load(c->meet, in) != 0)
        return in->err != DF_OK ? in->err : DF_FORMAT;
    return DF_OK;
}

/* ---- the scan: a coordinator and its partitions' streams ------------------ */

/* *src's fields into *dst, whose padding stays as it was (zeroed): what
 * goes on the wire holds nothing of the caller's memory. */
static void rec_copy(struct df_rec *dst, const struct df_rec *src)
{
    dst->t_ms = src->t_ms;
    dst->mmsi = src->mmsi;
    dst->msgtype = src->msgtype;
    dst->has = src->has;
    dst->cls = src->cls;
    dst->status = src->status;
    dst->lon = src->lon;
    dst->lat = src->lat;
    dst->speed = src->speed;
    dst->course = src->course;
    dst->heading = src->heading;
    dst->imo = src->imo;
    memcpy(dst->callsign, src->callsign, sizeof dst->callsign);
    memcpy(dst->shipname, src->shipname, sizeof dst->shipname);
    memcpy(dst->destination, src->destination, sizeof dst->destination);
    dst->shiptype = src->shiptype;
    dst->to_bow = src->to_bow;
    dst->to_stern = src->to_stern;
    dst->to_port = src->to_port;
    dst->to_starboard = src->to_starboard;
    dst->length_dm = src->length_dm;
    dst->width_dm = src->width_dm;
    dst->draught = src->draught;
}

struct df__dist {
    unsigned n;
    struct df__coord *c;
    struct df_cluster_io io;
    struct df_scan_cbs cbs;
    struct df_buf *batch;       /* records not yet sent, per partition */
    uint32_t *nbatch;
    struct df_buf *rep;         /* each partition's report in hand */
    struct rpt_view *v;
    struct df_buf *ans;
    uint64_t k;                 /* the next barrier's number */
    int ended;                  /* the last reports are in */
    /* In one process: the workers, and the report each made last. */
    struct df_worker **w;
    struct df_buf *wrep;
    int *wnew;
    int rc;                     /* the first non-zero callback value */
    int bad;                    /* a message was refused */
    int ioerr;                  /* io failed */
    int halt;                   /* out of memory at a barrier */
};

static int local_send(unsigned p, const void *msg, size_t len, void *ud)
{
    struct df__dist *d = ud;
    int r = df_worker_msg(d->w[p], msg, len, &d->wrep[p]);

    if (r == 1)
        d->wnew[p] = 1;
    return r < 0 ? -1 : 0;
}

static int local_report(unsigned p, uint64_t k, const void **msg,
                        size_t *len, void *ud)
{
    struct df__dist *d = ud;

    if (!d->wnew[p] || df_worker_reports(d->w[p]) != k + 1)
        return -1;
    d->wnew[p] = 0;
    *msg = d->wrep[p].data;
    *len = d->wrep[p].len;
    return 0;
}

void df__dist_free(struct df__dist *d)
{
    unsigned i;

    if (!d)
        return;
    for (i = 0; i < d->n; i++) {
        if (d->batch)
            df_buf_free(&d->batch[i]);
        if (d->rep)
            df_buf_free(&d->rep[i]);
        if (d->ans)
            df_buf_free(&d->ans[i]);
        if (d->wrep)
            df_buf_free(&d->wrep[i]);
        if (d->w)
            df_worker_free(d->w[i]);
    }
    df__coord_free(d->c);
    df__free(d->batch);
    df__free(d->nbatch);
    df__free(d->rep);
    df__free(d->v);
    df__free(d->ans);
    df__free(d->w);
    df__free(d->wrep);
    df__free(d->wnew);
    df__free(d);
}

struct df__dist *df__dist_new(const struct df_config *cfg,
                              const struct df_geo *geo,
                              const struct df_scan_cbs *cbs, unsigned n,
                              const struct df_cluster_io *io)
{
    struct df__dist *d = df__calloc(1, sizeof *d);
    unsigned i;

    if (!d)
        return NULL;
    d->n = n < 1 ? 1 : n;
    if (cbs)
        d->cbs = *cbs;
    d->c = df__coord_new(cfg, geo, cbs, d->n);
    d->batch = df__calloc(d->n, sizeof *d->batch);
    d->nbatch = df__calloc(d->n, sizeof *d->nbatch);
    d->rep = df__calloc(d->n, sizeof *d->rep);
    d->v = df__calloc(d->n, sizeof *d->v);
    d->ans = df__calloc(d->n, sizeof *d->ans);
    if (!d->c || !d->batch || !d->nbatch || !d->rep || !d->v || !d->ans)
        goto fail;
    if (io) {
        d->io = *io;
        return d;
    }
    d->w = df__calloc(d->n, sizeof *d->w);
    d->wrep = df__calloc(d->n, sizeof *d->wrep);
    d->wnew = df__calloc(d->n, sizeof *d->wnew);
    if (!d->w || !d->wrep || !d->wnew)
        goto fail;
    for (i = 0; i < d->n; i++)
        if (!(d->w[i] = df_worker_new(cfg, geo, d->n, i)))
            goto fail;
    d->io.send = local_send;
    d->io.report = local_report;
    d->io.ud = d;
    return d;
fail:
    df__dist_free(d);
    return NULL;
}

static void send_msg(struct df__dist *d, unsigned p, const void *msg,
                     size_t len)
{
    if (d->ioerr || d->bad)
        return;
    if (d->io.send(p, msg, len, d->io.ud) != 0) {
        if (d->w)
            d->bad = 1;         /* a local worker refused it: a bug */
        else
            d->ioerr = 1;
    }
}

static void send_batch(struct df__dist *d, unsigned p)
{
    struct recs_head h;

    if (d->nbatch[p] == 0)
        return;
    memset(&h, 0, sizeof h);
    h.magic = RECS_MAGIC;
    h.format = DF__DIST_FORMAT;
    h.part = p;
    h.n = d->nbatch[p];
    memcpy(d->batch[p].data, &h, sizeof h);
    send_msg(d, p, d->batch[p].data, d->batch[p].len);
    d->batch[p].len = 0;
    d->nbatch[p] = 0;
}

/* Report k of every partition into d->rep and d->v; 0 when all came and
 * were well formed. */
static int get_reports(struct df__dist *d, uint64_t k)
{
    unsigned p;

    for (p = 0; p < d->n; p++) {
        const void *msg;
        size_t len;

        if (d->ioerr || d->bad)
            return -1;
        if (d->io.report(p, k, &msg, &len, d->io.ud) != 0) {
            if (d->w)
                d->bad = 1;
            else
                d->ioerr = 1;
            return -1;
        }
        d->rep[p].len = 0;
        df_buf_append(&d->rep[p], msg, len);
        if (d->rep[p].oom) {
            d->c->oom = 1;
            return -1;
        }
        if (rpt_parse(d->rep[p].data, d->rep[p].len, p, k, &d->v[p]) != 0) {
            d->bad = 1;
            return -1;
        }
    }
    return 0;
}

/* The partitions' outputs in the reports in hand, to the caller in record
 * order (each partition's are in order; a record is one partition's). */
static void forward(struct df__dist *d)
{
    const struct df_scan_cbs *cb = &d->cbs;
    size_t *at = df__calloc(d->n, sizeof *at);
    unsigned p;

    if (!at) {
        d->c->oom = 1;
        return;
    }
    for (;;) {
        struct out_item it, best_it = {0, 0, 0};
        unsigned best = d->n;
        union {
            struct df_event ev;
            struct df_vessel v;
            struct out_point pt;
        } u;
        int rc = 0;

        for (p = 0; p < d->n; p++) {
            if (at[p] >= d->v[p].h.nout)
                continue;
            memcpy(&it, d->v[p].out + at[p], sizeof it);
            if (best == d->n || it.seq < best_it.seq) {
                best = p;
                best_it = it;
            }
        }
        if (best == d->n)
            break;
        memcpy(&u, d->v[best].out + at[best] + sizeof best_it, best_it.len);
        at[best] += sizeof best_it + best_it.len;
        switch (best_it.kind) {
        case OUT_EVENT:
            /* A report is checked whole (rpt_parse); a value is taken as
             * it is but for what could make a reader go astray. */
            if ((unsigned)u.ev.type >= DF_EV_COUNT || u.ev.nvessels < 1 ||
                u.ev.nvessels > 2) {
                d->bad = 1;
                break;
            }
            u.ev.evidence[DF_EVIDENCE_MAX - 1] = '\0';
            rc = cb->event ? cb->event(&u.ev, cb->ud) : 0;
            break;
        case OUT_VESSEL: {
            unsigned i;

            if (u.v.nidentities > DF_MAX_IDENTITIES)
                u.v.nidentities = DF_MAX_IDENTITIES;
            u.v.flag[sizeof u.v.flag - 1] = '\0';
            for (i = 0; i < DF_MAX_IDENTITIES; i++) {
                struct df_identity *id = &u.v.identities[i];

                id->shipname[sizeof id->shipname - 1] = '\0';
                id->callsign[sizeof id->callsign - 1] = '\0';
                id->destination[sizeof id->destination - 1] = '\0';
            }
            rc = cb->vessel ? cb->vessel(&u.v, cb->ud) : 0;
            break;
        }
        default:
            rc = cb->point ? cb->point(u.pt.mmsi, &u.pt.p, cb->ud) : 0;
            break;
        }
        DF__KEEP(d->rc, rc);
    }
    df__free(at);
}

/* Barrier k at input time now_ms (DF_TIME_NONE: the end), before the
 * record numbered next: every partition's report, their outputs on, the
 * encounter detector's tick, the answers back; at the end, the last
 * reports. */
static void barrier(struct df__dist *d, int64_t now_ms)
{
    struct bar_msg b;
    unsigned p;

    if (d->ended || d->halt || d->ioerr || d->bad)
        return;
    memset(&b, 0, sizeof b);
    b.magic = BAR_MAGIC;
    b.format = DF__DIST_FORMAT;
    b.k = d->k;
    b.seq = df__coord_seq(d->c);
    b.now_ms = now_ms;
    for (p = 0; p < d->n; p++) {
        send_batch(d, p);
        b.part = p;
        send_msg(d, p, &b, sizeof b);
    }
    if (get_reports(d, d->k) != 0)
        return;
    forward(d);
    DF__KEEP(d->rc, df__coord_barrier(d->c, d->k, now_ms, d->v, d->ans));
    if (df__coord_error(d->c) != DF_OK) {
        d->halt = 1;            /* the answers cannot be trusted */
        return;
    }
    for (p = 0; p < d->n; p++)
        send_msg(d, p, d->ans[p].data, d->ans[p].len);
    d->k++;
    if (now_ms != DF_TIME_NONE)
        return;
    if (get_reports(d, d->k) != 0)
        return;
    for (p = 0; p < d->n; p++)
        if (!d->v[p].h.last) {
            d->bad = 1;
            return;
        }
    forward(d);
    for (p = 0; p < d->n; p++)
        d->c->pst[p] = d->v[p].h.st;
    d->k++;
    d->ended = 1;
}

int df__dist_rec(struct df__dist *d, const struct df_rec *rec)
{
    struct rec_item it;
    uint64_t seq;
    unsigned p;
    int rc;

    if (d->ioerr || d->bad || d->halt)
        return 1;               /* the run cannot go on: stop reading */
    if (df__coord_due(d->c, rec))
        barrier(d, rec->t_ms);
    if (d->ioerr || d->bad || d->halt)
        return 1;
    p = df__coord_rec(d->c, rec, &seq);
    if (d->nbatch[p] == 0) {
        struct recs_head h;

        memset(&h, 0, sizeof h);
        d->batch[p].len = 0;
        df_buf_append(&d->batch[p], (const char *)&h, sizeof h);
    }
    memset(&it, 0, sizeof it);
    it.seq = seq;
    rec_copy(&it.rec, rec);
    df_buf_append(&d->batch[p], (const char *)&it, sizeof it);
    if (d->batch[p].oom) {
        d->c->oom = 1;
        d->batch[p].len = 0;
        d->nbatch[p] = 0;
    } else if (++d->nbatch[p] == BATCH) {
        send_batch(d, p);
    }
    rc = d->rc;
    d->rc = 0;
    return rc;
}

/* A barrier where nothing is due, at the last record's time: what the
 * workers made so far comes in, and nothing else changes (the vessels
 * they flush were silent by then in one scan too; the detector advances
 * as one scan's did at that record). */
static void catch_up(struct df__dist *d)
{
    int64_t now = df__coord_now_ms(d->c);

    if (now != DF_TIME_NONE)
        barrier(d, now);
}

struct df__meet *df__dist_meet(struct df__dist *d)
{
    catch_up(d);
    return d->c->meet;
}

int df__dist_sync(struct df__dist *d)
{
    unsigned p;
    int rc;

    for (p = 0; p < d->n; p++)
        send_batch(d, p);
    catch_up(d);
    rc = d->rc;
    d->rc = 0;
    return rc;
}

int df__dist_finish(struct df__dist *d)
{
    int rc;

    barrier(d, DF_TIME_NONE);
    rc = d->rc;
    d->rc = 0;
    return rc;
}

enum df_err df__dist_error(const struct df__dist *d)
{
    unsigned i;

    if (df__coord_error(d->c) != DF_OK)
        return DF_NOMEM;
    if (d->ioerr)
        return DF_IO;
    if (d->bad)
        return DF_FORMAT;
    for (i = 0; i < d->n; i++) {
        if (d->w && df_worker_error(d->w[i]) != DF_OK)
            return DF_NOMEM;
        /* A remote worker that lost something stops (cli/cluster.c):
         * its partition's reports never come, and io fails. */
    }
    return DF_OK;
}

const struct df_stats *df__dist_stats(struct df__dist *d)
{
    unsigned i;

    /* Local workers' counters as of now; a cluster's as of each
     * partition's last report. */
    for (i = 0; d->w && !d->ended && i < d->n; i++)
        d->c->pst[i] = part_stats(d->w[i]->p);
    return df__coord_stats(d->c);
}

int64_t df__dist_now_ms(const struct df__dist *d)
{
    return df__coord_now_ms(d->c);
}

enum df_err df__dist_save(struct df__dist *d, struct df_state_out *w)
{
    unsigned i;

    if (!d->w)
        return DF_INVAL;        /* a cluster's workers save themselves */
    /* What the workers made is handed on first, as a scan's save does;
     * every record is sent (a barrier needs a time to fall at). */
    for (i = 0; i < d->n; i++)
        send_batch(d, i);
    catch_up(d);
    df__so_tag(w, DF__TAG('D', 'I', 'S', 'T'));
    df__so_u32(w, d->n);
    df__so_u64(w, d->k);
    df__coord_save(d->c, w);
    for (i = 0; i < d->n; i++)
        df_worker_save(d->w[i], w);
    return w->err;
}

enum df_err df__dist_load(struct df__dist *d, struct df_state_in *in)
{
    uint32_t n;
    unsigned i;
    enum df_err e;

    if (!d->w)
        return DF_INVAL;
    if (df__si_tag(in, DF__TAG('D', 'I', 'S', 'T')) != 0 ||
        df__si_u32(in, &n) != 0 || df__si_u64(in, &d->k) != 0)
        return in->err;
    if (n != d->n) {
        df__si_bad(in);
        return in->err;
    }
    if ((e = df__coord_load(d->c, in)) != DF_OK)
        return e;
    for (i = 0; i < d->n; i++)
        if ((e = df_worker_load(d->w[i], in)) != DF_OK)
            return e;
    return DF_OK;
}
