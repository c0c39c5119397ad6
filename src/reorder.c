/*
 * reorder.c - puts time-stamped records back in time order (the "Reorder"
 * section of darkfleet.h).
 *
 * Records from several receivers, or from one receiver that buffers, reach
 * us a little out of order.  Each record is held, keyed on (t_ms, arrival
 * sequence), until the newest input time seen is window_ms past it, then
 * handed out.  The sequence number makes the order stable: records with
 * equal times come out in arrival order.
 *
 * Most input is already in order (a day of MarineCadastre is sorted), so a
 * record not older than the last one queued goes to the tail of a FIFO
 * ring in O(1); only a record that arrives out of order goes to a binary
 * min-heap.  The next record out is the earlier of the ring's head and the
 * heap's top.  On a sorted day this halves the cost of the stage.
 *
 * Bounds: the heap and the record slots are allocated once, in
 * df_reorder_new(); when all cap slots are in use the oldest record is
 * released early to make room.  A record older than the last one released
 * (a straggler) can no longer be put in order: it is counted in
 * drop_out_of_order and dropped, never merged out of order.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "darkfleet.h"
#include "util/alloc.h"
#include "util/ser.h"

#define REORDER_DEFAULT_CAP 65536

struct slot {
    int64_t t_ms;
    uint64_t seq;             /* arrival order, the tie-break */
    size_t rec;               /* index into r->recs */
};

struct df_reorder {
    int64_t window_ms;
    size_t cap;
    size_t n;                 /* records held: in the heap and the ring */
    size_t hn;                /* slots in the heap */
    struct slot *heap;        /* min-heap of hn slots */
    struct slot *ring;        /* FIFO of qn slots in order, from qhead */
    size_t qhead, qn;
    struct df_rec *recs;      /* cap record slots */
    size_t *free_idx;         /* stack of unused record slots */
    size_t nfree;
    uint64_t seq;
    int64_t newest_ms;        /* latest time pushed, DF_TIME_NONE at first */
    int64_t released_ms;      /* time of the last record handed out */
    struct df_stats st;
};

struct df_reorder *df_reorder_new(int64_t window_ms, size_t cap)
{
    struct df_reorder *r;
    size_t i;

    if (window_ms < 0)
        window_ms = 0;
    if (cap == 0)
        cap = REORDER_DEFAULT_CAP;
    if (cap > SIZE_MAX / sizeof(struct df_rec))
        return NULL;
    r = df__calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->window_ms = window_ms;
    r->cap = cap;
    r->heap = df__malloc(cap * sizeof(*r->heap));
    r->ring = df__malloc(cap * sizeof(*r->ring));
    r->recs = df__malloc(cap * sizeof(*r->recs));
    r->free_idx = df__malloc(cap * sizeof(*r->free_idx));
    if (r->heap == NULL || r->ring == NULL || r->recs == NULL ||
        r->free_idx == NULL) {
        df_reorder_free(r);
        return NULL;
    }
    for (i = 0; i < cap; i++)
        r->free_idx[i] = cap - 1 - i;
    r->nfree = cap;
    r->newest_ms = DF_TIME_NONE;
    r->released_ms = DF_TIME_NONE;
    return r;
}

void df_reorder_free(struct df_reorder *r)
{
    if (r == NULL)
        return;
    df__free(r->heap);
    df__free(r->ring);
    df__free(r->recs);
    df__free(r->free_idx);
    df__free(r);
}

static int before(const struct slot *a, const struct slot *b)
{
    if (a->t_ms != b->t_ms)
        return a->t_ms < b->t_ms;
    return a->seq < b->seq;
}

static void sift_up(struct slot *h, size_t i)
{
    struct slot x = h[i];

    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&x, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = x;
}

static void sift_down(struct slot *h, size_t n, size_t i)
{
    struct slot x = h[i];

    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(&h[c + 1], &h[c]))
            c++;
        if (!before(&h[c], &x))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
}

/* The earliest slot held (n > 0): the ring's head or the heap's top. */
static const struct slot *first(const struct df_reorder *r, int *in_ring)
{
    const struct slot *q = r->qn ? &r->ring[r->qhead] : NULL;

    *in_ring = q && (r->hn == 0 || before(q, &r->heap[0]));
    return *in_ring ? q : &r->heap[0];
}

/* Removes the earliest record and hands it to fn.  Its slot goes back on
 * the free stack before fn runs, but nothing overwrites it until the next
 * push, so fn may read it. */
static int pop(struct df_reorder *r,
               int (*fn)(const struct df_rec *rec, void *ud), void *ud)
{
    int in_ring;
    struct slot top;

    assert(r->n > 0 && r->n == r->qn + r->hn && r->nfree < r->cap);
    top = *first(r, &in_ring);

    if (in_ring) {
        if (++r->qhead == r->cap)
            r->qhead = 0;
        r->qn--;
    } else {
        r->hn--;
        if (r->hn > 0) {
            r->heap[0] = r->heap[r->hn];
            sift_down(r->heap, r->hn, 0);
        }
    }
    r->n--;
    r->free_idx[r->nfree++] = top.rec;
    r->released_ms = top.t_ms;
    return fn(&r->recs[top.rec], ud);
}

int df_reorder_push(struct df_reorder *r, const struct df_rec *rec,
                    int (*fn)(const struct df_rec *rec, void *ud), void *ud)
{
    size_t idx;
    int rc = 0;

    if (rec->t_ms == DF_TIME_NONE)
        return fn(rec, ud);
    if (r->released_ms != DF_TIME_NONE && rec->t_ms < r->released_ms) {
        r->st.drop_out_of_order++;
        return 0;
    }
    if (r->nfree == 0) {
        /* Full: the oldest goes out early.  rec is not older than the last
         * release (checked above), so order is kept. */
        int in_ring;
        if (rec->t_ms < first(r, &in_ring)->t_ms) {
            r->released_ms = rec->t_ms; /* rec itself is the oldest */
            return fn(rec, ud);
        }
        rc = pop(r, fn, ud);
    }
    idx = r->free_idx[--r->nfree];
    r->recs[idx] = *rec;
    {
        struct slot sl;
        sl.t_ms = rec->t_ms;
        sl.seq = r->seq++;
        sl.rec = idx;
        size_t tail = r->qhead + r->qn;     /* one past the last */
        if (tail >= r->cap)
            tail -= r->cap;
        if (r->qn == 0 ||
            rec->t_ms >= r->ring[tail ? tail - 1 : r->cap - 1].t_ms) {
            r->ring[tail] = sl;                 /* in order: O(1) */
            r->qn++;
        } else {
            r->heap[r->hn] = sl;
            sift_up(r->heap, r->hn++);
        }
        r->n++;
    }
    if (r->newest_ms == DF_TIME_NONE || rec->t_ms > r->newest_ms)
        r->newest_ms = rec->t_ms;
    if (rc != 0)
        return rc;

    /* Hand out everything at least window_ms older than the newest time.
     * newest_ms >= every held time, so the unsigned difference is exact. */
    while (r->n > 0) {
        int in_ring;
        if ((uint64_t)r->newest_ms - (uint64_t)first(r, &in_ring)->t_ms <
            (uint64_t)r->window_ms)
            break;
        rc = pop(r, fn, ud);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int df_reorder_flush(struct df_reorder *r,
                     int (*fn)(const struct df_rec *rec, void *ud), void *ud)
{
    while (r->n > 0) {
        int rc = pop(r, fn, ud);
        if (rc != 0)
            return rc;
    }
    return 0;
}

const struct df_stats *df_reorder_stats(const struct df_reorder *r)
{
    return &r->st;
}

int64_t df_reorder_released_ms(const struct df_reorder *r)
{
    return r ? r->released_ms : DF_TIME_NONE;
}

int64_t df_reorder_newest_ms(const struct df_reorder *r)
{
    return r ? r->newest_ms : DF_TIME_NONE;
}

/* ---- saved state ------------------------------------------------------
 * The slots (heap as it is, ring in FIFO order) and their records; record
 * storage indices are not saved, since they only say where a record sits:
 * load puts the heap's records first, then the ring's. */

enum df_err df_reorder_save(const struct df_reorder *r,
                            struct df_state_out *w)
{
    size_t i;

    if (!r || !w)
        return DF_INVAL;
    df__so_tag(w, DF__TAG('R', 'O', 'R', 'D'));
    df__so_i64(w, r->window_ms);
    df__so_u64(w, r->cap);
    df__so_u64(w, r->seq);
    df__so_i64(w, r->newest_ms);
    df__so_i64(w, r->released_ms);
    df__so_u64(w, r->hn);
    df__so_u64(w, r->qn);
    for (i = 0; i < r->hn; i++) {
        df__so_put(w, &r->heap[i], sizeof r->heap[i]);
        df__so_put(w, &r->recs[r->heap[i].rec], sizeof(struct df_rec));
    }
    for (i = 0; i < r->qn; i++) {
        const struct slot *sl = &r->ring[(r->qhead + i) % r->cap];

        df__so_put(w, sl, sizeof *sl);
        df__so_put(w, &r->recs[sl->rec], sizeof(struct df_rec));
    }
    return w->err;
}

enum df_err df_reorder_load(struct df_reorder *r, struct df_state_in *in)
{
    int64_t window, newest, released;
    uint64_t cap, seq, hn, qn;
    size_t i, k;

    if (!r || !in)
        return DF_INVAL;
    if (df__si_tag(in, DF__TAG('R', 'O', 'R', 'D')) != 0 ||
        df__si_i64(in, &window) != 0 || df__si_u64(in, &cap) != 0 ||
        df__si_u64(in, &seq) != 0 || df__si_i64(in, &newest) != 0 ||
        df__si_i64(in, &released) != 0 || df__si_u64(in, &hn) != 0 ||
        df__si_u64(in, &qn) != 0)
        return in->err;
    if (window != r->window_ms || cap != r->cap || hn + qn > cap ||
        r->n != 0) {
        df__si_bad(in);
        return in->err;
    }
    for (i = 0; i < hn + qn; i++) {
        struct slot sl;

        if (df__si_get(in, &sl, sizeof sl) != 0 ||
            df__si_get(in, &r->recs[i], sizeof(struct df_rec)) != 0)
            break;
        sl.rec = i;
        if (i < hn)
            r->heap[i] = sl;
        else
            r->ring[i - hn] = sl;
    }
    if (i < hn + qn) {
        /* As new: nothing held. */
        for (k = 0; k < r->cap; k++)
            r->free_idx[k] = r->cap - 1 - k;
        return in->err;
    }
    r->hn = (size_t)hn;
    r->qhead = 0;
    r->qn = (size_t)qn;
    r->n = (size_t)(hn + qn);
    r->seq = seq;
    r->newest_ms = newest;
    r->released_ms = released;
    for (k = 0, i = r->cap; i-- > r->n;)
        r->free_idx[k++] = i;
    r->nfree = k;
    return DF_OK;
}
