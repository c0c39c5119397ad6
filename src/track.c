/*
 * track.c - the per-MMSI track store: a hash table (util/hmap.h) from
 * MMSI to a slot in a pool of struct df__track, plus a min-heap of
 * vessels by last-seen time for flushing silent vessels and, at the cap,
 * the least recently seen one.  Also the identity history of a vessel.
 *
 * The heap is lazy: an entry's key is the vessel's last-seen time when it
 * was last placed, not its current one, so a record costs no heap work.
 * When the top's key looks expired, the vessel's real last_ms is compared
 * and the entry pushed down if the vessel was seen since; each vessel is
 * re-placed at most once per silence period.
 *
 * Nothing here allocates per record: the pool, the table and the heap
 * grow by doubling up to the cap, and a vessel's identity array is
 * allocated on its first static record.
 */
#include "track.h"
#include "util/alloc.h"
#include "util/hint.h"
#include "util/hmap.h"
#include "util/ser.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define EMPTY DF__HMAP_NONE     /* no vessel */

struct heapent {
    int64_t key_ms;             /* last_ms when placed (lazy) */
    uint32_t idx;
};

struct df__tracks {
    size_t max;                 /* cap on vessels held */
    int64_t silence_ms;

    struct df__track *pool;     /* pool[0..pool_used) ever used */
    uint32_t pool_used, pool_cap;
    uint32_t *freelist;         /* free pool indices */
    uint32_t nfree;

    struct df__hmap map;        /* MMSI -> pool index */

    struct heapent *heap;       /* one entry per held vessel */
    uint32_t nheap;

    struct df__track_stats st;
};

void df__tracks_prefetch(const struct df__tracks *ts, uint32_t mmsi,
                         int stage)
{
    uint32_t idx;
    const char *p;
    size_t o;

    if (stage == 0) {
        df__hmap_prefetch(&ts->map, mmsi);
        return;
    }
    if ((idx = df__hmap_get(&ts->map, mmsi)) == EMPTY)
        return;
    p = (const char *)&ts->pool[idx];
    for (o = 0; o < sizeof(struct df__track); o += 64)
        DF__PREFETCH(p + o);
}

/* ---- heap --------------------------------------------------------- */

/* Places e at pos and records pos in its track (for removal). */
static void heap_set(struct df__tracks *ts, uint32_t pos, struct heapent e)
{
    assert(pos < ts->nheap && e.idx < ts->pool_used);
    ts->heap[pos] = e;
    ts->pool[e.idx].heap_pos = pos;
}

/* Sifts the entry at pos toward the root while its key is smaller. */
static void heap_up(struct df__tracks *ts, uint32_t pos)
{
    struct heapent e = ts->heap[pos];

    while (pos > 0) {
        uint32_t parent = (pos - 1) / 2;
        if (ts->heap[parent].key_ms <= e.key_ms)
            break;
        heap_set(ts, pos, ts->heap[parent]);
        pos = parent;
    }
    heap_set(ts, pos, e);
}

/* Sifts the entry at pos toward the leaves while a child is smaller. */
static void heap_down(struct df__tracks *ts, uint32_t pos)
{
    struct heapent e = ts->heap[pos];

    for (;;) {
        uint32_t c = 2 * pos + 1;
        if (c >= ts->nheap)
            break;
        if (c + 1 < ts->nheap && ts->heap[c + 1].key_ms < ts->heap[c].key_ms)
            c++;
        if (ts->heap[c].key_ms >= e.key_ms)
            break;
        heap_set(ts, pos, ts->heap[c]);
        pos = c;
    }
    heap_set(ts, pos, e);
}

/* Removes the entry at pos: the last entry fills the hole and moves
 * whichever way restores the order. */
static void heap_remove(struct df__tracks *ts, uint32_t pos)
{
    assert(pos < ts->nheap);
    ts->nheap--;
    if (pos == ts->nheap)
        return;
    heap_set(ts, pos, ts->heap[ts->nheap]);
    heap_down(ts, pos);
    heap_up(ts, ts->pool[ts->heap[pos].idx].heap_pos);
}

/* Brings the top's key up to date until the top is the vessel seen least
 * recently.  Returns its pool index, or EMPTY for an empty heap. */
static uint32_t heap_true_top(struct df__tracks *ts)
{
    while (ts->nheap > 0) {
        struct df__track *t = &ts->pool[ts->heap[0].idx];
        if (ts->heap[0].key_ms >= t->last_ms)
            return ts->heap[0].idx;
        ts->heap[0].key_ms = t->last_ms;
        heap_down(ts, 0);
    }
    return EMPTY;
}

/* ---- the store ---------------------------------------------------- */

struct df__tracks *df__tracks_new(size_t max_vessels, int64_t silence_ms)
{
    struct df__tracks *ts = df__calloc(1, sizeof *ts);

    if (!ts)
        return NULL;
    /* The cap is clamped so that pool indices fit in 32 bits. */
    if (max_vessels < 1)
        max_vessels = 1;
    if (max_vessels > (size_t)1 << 30)
        max_vessels = (size_t)1 << 30;
    ts->max = max_vessels;
    ts->silence_ms = silence_ms;
    if (df__hmap_reserve(&ts->map, 512) != 0) {
        df__free(ts);
        return NULL;
    }
    return ts;
}

void df__tracks_free(struct df__tracks *ts)
{
    uint32_t i;

    if (!ts)
        return;
    /* Every held vessel is in the heap exactly once. */
    for (i = 0; i < ts->nheap; i++)
        df__free(ts->pool[ts->heap[i].idx].ids);
    df__free(ts->pool);
    df__free(ts->freelist);
    df__hmap_fini(&ts->map);
    df__free(ts->heap);
    df__free(ts);
}

struct df__track *df__tracks_find(struct df__tracks *ts, uint32_t mmsi)
{
    uint32_t idx = df__hmap_get(&ts->map, mmsi);

    return idx == EMPTY ? NULL : &ts->pool[idx];
}

int df__tracks_full(const struct df__tracks *ts)
{
    return ts->nheap >= ts->max;
}

/* Makes room in the pool, the free list and the heap for one more. */
/* Grows the table at half load and the pool, free list and heap
 * together by doubling, never past the cap.  Returns 0, or -1 when out
 * of memory (nothing is lost: the old arrays stay valid). */
static int grow(struct df__tracks *ts)
{
    uint32_t cap;
    void *p;

    if (df__hmap_reserve(&ts->map, (size_t)ts->nheap + 1) != 0)
        return -1;
    if (ts->nfree > 0 || ts->pool_used < ts->pool_cap)
        return 0;
    cap = ts->pool_cap ? ts->pool_cap * 2 : 256;
    if (cap > ts->max)
        cap = (uint32_t)ts->max;
    if (cap <= ts->pool_cap)
        cap = ts->pool_cap + 1;
    p = df__realloc(ts->pool, (size_t)cap * sizeof *ts->pool);
    if (!p)
        return -1;
    ts->pool = p;
    p = df__realloc(ts->freelist, (size_t)cap * sizeof *ts->freelist);
    if (!p)
        return -1;
    ts->freelist = p;
    p = df__realloc(ts->heap, (size_t)cap * sizeof *ts->heap);
    if (!p)
        return -1;
    ts->heap = p;
    ts->pool_cap = cap;
    return 0;
}

struct df__track *df__tracks_get(struct df__tracks *ts, uint32_t mmsi,
                                 int *created)
{
    uint32_t idx = df__hmap_get(&ts->map, mmsi);
    struct df__track *t;
    int rc;

    *created = 0;
    if (idx != EMPTY)
        return &ts->pool[idx];
    if (df__tracks_full(ts) || grow(ts) != 0)
        return NULL;
    /* Reuse a slot of a flushed vessel before growing the pool. */
    idx = ts->nfree > 0 ? ts->freelist[--ts->nfree] : ts->pool_used++;
    t = &ts->pool[idx];
    memset(t, 0, sizeof *t);
    t->mmsi = mmsi;
    t->first_ms = t->last_ms = DF_TIME_NONE;
    t->pos_ms = t->point_ms = t->draught_ms = DF_TIME_NONE;
    t->speed = DF_SPEED_NA;
    t->course = DF_COURSE_NA;
    df__vdet_init(&t->det);

    rc = df__hmap_put(&ts->map, mmsi, idx);
    assert(rc == 0); /* grow() made room */
    (void)rc;

    /* A new vessel's key is its (unknown) time: DF_TIME_NONE puts it at
     * the top until df__tracks_touch() or df__tracks_silent() sets it. */
    ts->heap[ts->nheap].key_ms = t->last_ms;
    ts->heap[ts->nheap].idx = idx;
    t->heap_pos = ts->nheap++;
    heap_up(ts, t->heap_pos);

    ts->st.held = ts->nheap;
    ts->st.created++;
    if (ts->st.held > ts->st.peak)
        ts->st.peak = ts->st.held;
    *created = 1;
    return t;
}

struct df__track *df__tracks_lru(struct df__tracks *ts)
{
    uint32_t idx = heap_true_top(ts);

    return idx == EMPTY ? NULL : &ts->pool[idx];
}

struct df__track *df__tracks_silent(struct df__tracks *ts, int64_t now_ms)
{
    int64_t limit = now_ms - ts->silence_ms;

    /* The common case: the oldest key is still inside the window. */
    while (ts->nheap > 0 && ts->heap[0].key_ms <= limit) {
        struct df__track *t = &ts->pool[ts->heap[0].idx];
        if (t->last_ms == DF_TIME_NONE) {
            /* Heard only without times: its silence starts now. */
            ts->heap[0].key_ms = now_ms;
        } else if (ts->heap[0].key_ms < t->last_ms) {
            ts->heap[0].key_ms = t->last_ms;
        } else {
            return t;
        }
        heap_down(ts, 0);
    }
    return NULL;
}

struct df__track *df__tracks_any(struct df__tracks *ts)
{
    return ts->nheap == 0 ? NULL : &ts->pool[ts->heap[ts->nheap - 1].idx];
}

void df__tracks_touch(struct df__tracks *ts, struct df__track *t,
                      int64_t t_ms)
{
    if (t->first_ms == DF_TIME_NONE) {
        /* A vessel heard only without times so far sits at the top
         * with key DF_TIME_NONE; give it its first real key. */
        t->first_ms = t_ms;
        t->last_ms = t_ms;
        ts->heap[t->heap_pos].key_ms = t_ms;
        heap_down(ts, t->heap_pos);
        return;
    }
    if (t_ms > t->last_ms)
        t->last_ms = t_ms;
}

void df__tracks_remove(struct df__tracks *ts, struct df__track *t, int why)
{
    uint32_t idx = (uint32_t)(t - ts->pool);

    /* Unlink from the table and the heap; the pool slot goes on the free
     * list and its identity array is freed. */
    df__hmap_del(&ts->map, t->mmsi);
    heap_remove(ts, t->heap_pos);
    df__free(t->ids);
    t->ids = NULL;
    ts->freelist[ts->nfree++] = idx;
    ts->st.held = ts->nheap;
    if (why == 1)
        ts->st.silent++;
    else if (why == 2)
        ts->st.evicted++;
}

struct df__track_stats *df__tracks_stats(struct df__tracks *ts)
{
    return &ts->st;
}

/* ---- identity history --------------------------------------------- */

/* Equal ignoring case and spaces ("NORD  STAR" == "Nord Star"). */
static int loose_eq(const char *a, const char *b)
{
    for (;;) {
        while (*a == ' ')
            a++;
        while (*b == ' ')
            b++;
        if (toupper((unsigned char)*a) != toupper((unsigned char)*b))
            return 0;
        if (*a == '\0')
            return 1;
        a++;
        b++;
    }
}

/* Equal in every field but the times (text ignoring case and spaces). */
static int id_same(const struct df_identity *a, const struct df_identity *b)
{
    return a->imo == b->imo && a->shiptype == b->shiptype &&
           a->length_m == b->length_m && a->width_m == b->width_m &&
           a->draught == b->draught && loose_eq(a->shipname, b->shipname) &&
           loose_eq(a->callsign, b->callsign) &&
           loose_eq(a->destination, b->destination);
}

/* 1 if b only fills fields that a leaves empty (and agrees elsewhere). */
static int id_fills(const struct df_identity *a, const struct df_identity *b)
{
#define FILLS_NUM(f) (a->f == 0 || a->f == b->f)
#define FILLS_STR(f) (a->f[0] == '\0' || loose_eq(a->f, b->f))
    return FILLS_NUM(imo) && FILLS_NUM(shiptype) && FILLS_NUM(length_m) &&
           FILLS_NUM(width_m) && FILLS_NUM(draught) && FILLS_STR(shipname) &&
           FILLS_STR(callsign) && FILLS_STR(destination);
#undef FILLS_NUM
#undef FILLS_STR
}

/* Copies src into dst of cap bytes, cut and NUL-terminated. */
static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Copies into a the fields of b that a leaves empty. */
static void id_fill(struct df_identity *a, const struct df_identity *b)
{
#define FILL_NUM(f) if (a->f == 0) a->f = b->f
#define FILL_STR(f) if (a->f[0] == '\0') memcpy(a->f, b->f, sizeof a->f)
    FILL_NUM(imo);
    FILL_NUM(shiptype);
    FILL_NUM(length_m);
    FILL_NUM(width_m);
    FILL_NUM(draught);
    FILL_STR(shipname);
    FILL_STR(callsign);
    FILL_STR(destination);
#undef FILL_NUM
#undef FILL_STR
}

/* Overlays the fields rec gives onto *id. */
static void id_overlay(struct df_identity *id, const struct df_rec *rec)
{
    unsigned len = (unsigned)rec->to_bow + rec->to_stern;
    unsigned wid = (unsigned)rec->to_port + rec->to_starboard;

    if (rec->imo != 0)
        id->imo = rec->imo;
    if (rec->shipname[0] != '\0')
        copy_str(id->shipname, sizeof id->shipname, rec->shipname);
    if (rec->callsign[0] != '\0')
        copy_str(id->callsign, sizeof id->callsign, rec->callsign);
    if (rec->destination[0] != '\0')
        copy_str(id->destination, sizeof id->destination, rec->destination);
    if (rec->shiptype != 0)
        id->shiptype = rec->shiptype;
    /* Tables give overall length and width; AIS gives the antenna's
     * offsets, whose sums are the same. */
    if (len == 0 && rec->length_dm != 0)
        len = (rec->length_dm + 5u) / 10u;
    if (wid == 0 && rec->width_dm != 0)
        wid = (rec->width_dm + 5u) / 10u;
    if (len != 0)
        id->length_m = (uint16_t)len;
    if (wid != 0)
        id->width_m = (uint16_t)wid;
    if (rec->draught != 0)
        id->draught = rec->draught;
}

/* The key fields (name, call sign, IMO) of b that differ from a's, where
 * both are given. */
static int key_diff(const struct df_identity *a, const struct df_identity *b)
{
    int d = 0;

    if (a->shipname[0] && b->shipname[0] &&
        !loose_eq(a->shipname, b->shipname))
        d |= DF__ID_NAME;
    if (a->callsign[0] && b->callsign[0] &&
        !loose_eq(a->callsign, b->callsign))
        d |= DF__ID_CALLSIGN;
    if (a->imo && b->imo && a->imo != b->imo)
        d |= DF__ID_IMO;
    return d;
}

/* Drops the oldest entry (least recently seen), folding its first time
 * into the next oldest, so the history keeps the newest identities. */
static void id_merge_oldest(struct df__track *t)
{
    unsigned i, o = 0, n = 0;

    for (i = 1; i < t->nids; i++)
        if (t->ids[i].last_ms < t->ids[o].last_ms)
            o = i;
    n = o == 0 ? 1 : 0;
    for (i = 0; i < t->nids; i++)
        if (i != o && t->ids[i].last_ms < t->ids[n].last_ms)
            n = i;
    if (t->ids[o].first_ms < t->ids[n].first_ms)
        t->ids[n].first_ms = t->ids[o].first_ms;
    memmove(&t->ids[o], &t->ids[o + 1],
            (t->nids - o - 1) * sizeof t->ids[0]);
    t->nids--;
    if (t->cur > o)
        t->cur--;
    else if (t->cur == o)
        t->cur = (uint8_t)(t->nids - 1);
}

/* Mixes 8 bytes into h (multiply-xorshift, as in wyhash's final step). */
static uint64_t mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 29);
}

/* Mixes a NUL-terminated string of at most cap - 1 bytes (bytes after its
 * NUL are stale, so they are masked off), 8 bytes at a time. */
static uint64_t mix_str(uint64_t h, const char *s, size_t cap)
{
    size_t n = strnlen(s, cap - 1), i;

    for (i = 0; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = mix(h, w);
    }
    if (i < n) {
        uint64_t w = 0;
        memcpy(&w, s + i, n - i);
        h = mix(h, w);
    }
    return mix(h, n);           /* the length ends the string */
}

/* A hash of the identity fields a static record carries: equal fields,
 * equal hashes; a collision would only hide one identity update. */
static uint64_t id_hash(const struct df_rec *r)
{
    uint64_t h = 0x243F6A8885A308D3ULL;

    h = mix_str(h, r->shipname, sizeof r->shipname);
    h = mix_str(h, r->callsign, sizeof r->callsign);
    h = mix_str(h, r->destination, sizeof r->destination);
    h = mix(h, (uint64_t)r->imo << 32 | (uint64_t)r->shiptype << 8 |
                   r->draught);
    h = mix(h, (uint64_t)r->to_bow << 48 | (uint64_t)r->to_stern << 32 |
                   (uint64_t)r->to_port << 16 | r->to_starboard);
    h = mix(h, (uint64_t)r->length_dm << 16 | r->width_dm);
    return h | 1;               /* never 0, the "none yet" value */
}

/* Folds the hot last-seen time into the history entry it belongs to. */
static void id_sync(struct df__track *t)
{
    if (t->nids > 0 && t->id_last_ms > t->ids[t->cur].last_ms)
        t->ids[t->cur].last_ms = t->id_last_ms;
}

/* df__track_identity() for a record whose fields differ from the last
 * static record's. */
static int identity_update(struct df__track *t, const struct df_rec *rec,
                           int64_t t_ms, struct df_identity *old)
{
    struct df_identity cand, *cur;
    unsigned i;
    int changed = 0;

    /* The draught is also kept apart, with the time it changed, for the
     * draught_change rule (detect_vessel.c). */
    if (rec->draught != 0 && rec->draught != t->draught) {
        t->draught_prev = t->draught;
        t->draught = rec->draught;
        t->draught_ms = t_ms;
    }
    if (t->nids == 0) {
        /* The first static record: most vessels never need more than
         * two entries, so start there. */
        t->ids = df__calloc(2, sizeof *t->ids);
        if (!t->ids)
            return -1;
        t->capids = 2;
        memset(&t->ids[0], 0, sizeof t->ids[0]);
        id_overlay(&t->ids[0], rec);
        t->ids[0].first_ms = t->ids[0].last_ms = t_ms;
        t->nids = 1;
        t->cur = 0;
        memset(old, 0, sizeof *old);
        return 0;
    }
    cur = &t->ids[t->cur];
    *old = *cur;
    cand = *cur;
    id_overlay(&cand, rec);
    if (id_same(&cand, cur) || id_fills(cur, &cand)) {
        /* Nothing new, or only what was missing (type 24 A then B): fill
         * the empty fields, keep the spelling first seen. */
        id_fill(cur, &cand);
        if (t_ms > cur->last_ms)
            cur->last_ms = t_ms;
        return 0;
    }
    /* A real change: which key fields differ from the current entry. */
    changed = key_diff(cur, &cand);
    /* A combination seen before (two ships alternating on one MMSI, a
     * destination set back): revive it, report nothing new. */
    for (i = 0; i < t->nids; i++) {
        if (id_same(&t->ids[i], &cand)) {
            if (t_ms > t->ids[i].last_ms)
                t->ids[i].last_ms = t_ms;
            t->cur = (uint8_t)i;
            return 0;
        }
    }
    for (i = 0; i < t->nids && changed; i++) {
        /* Report only key values this vessel never used before. */
        int d = key_diff(&t->ids[i], &cand);
        if ((changed & DF__ID_NAME) && !(d & DF__ID_NAME) &&
            loose_eq(t->ids[i].shipname, cand.shipname))
            changed &= ~DF__ID_NAME;
        if ((changed & DF__ID_CALLSIGN) && !(d & DF__ID_CALLSIGN) &&
            loose_eq(t->ids[i].callsign, cand.callsign))
            changed &= ~DF__ID_CALLSIGN;
        if ((changed & DF__ID_IMO) && t->ids[i].imo == cand.imo)
            changed &= ~DF__ID_IMO;
    }
    /* A new combination: make room (merging the oldest at the cap), then
     * append it as the current identity. */
    if (t->nids >= DF_MAX_IDENTITIES)
        id_merge_oldest(t);
    if (t->nids >= t->capids) {
        unsigned cap = t->capids * 2u;
        void *p;
        if (cap > DF_MAX_IDENTITIES)
            cap = DF_MAX_IDENTITIES;
        p = df__realloc(t->ids, cap * sizeof *t->ids);
        if (!p)
            return -1;
        t->ids = p;
        t->capids = (uint8_t)cap;
    }
    cand.first_ms = cand.last_ms = t_ms;
    t->ids[t->nids] = cand;
    t->cur = t->nids++;
    return changed;
}

int df__track_identity(struct df__track *t, const struct df_rec *rec,
                       int64_t t_ms, struct df_identity *old)
{
    uint64_t h = id_hash(rec);
    int rc;

    /* The same static fields as the vessel's last static record (a table
     * repeats them on every row): only the time moves on. */
    if (h == t->id_hash && t->nids > 0) {
        if (t_ms > t->id_last_ms)
            t->id_last_ms = t_ms;
        return 0;               /* *old is read only on a change */
    }
    t->id_hash = h;
    id_sync(t);
    rc = identity_update(t, rec, t_ms, old);
    if (t->nids > 0)
        t->id_last_ms = t->ids[t->cur].last_ms;
    return rc;
}

void df__track_vessel(const struct df__track *t, struct df_vessel *v)
{
    unsigned mid = df_mmsi_mid(t->mmsi);
    const char *cc = mid ? df_mid_country(mid) : NULL;

    memset(v, 0, sizeof *v);
    v->mmsi = t->mmsi;
    v->mid = (uint16_t)mid;
    if (cc)
        copy_str(v->flag, sizeof v->flag, cc);
    v->first_ms = t->first_ms;
    v->last_ms = t->last_ms;
    v->positions = t->positions;
    v->last_lon = t->pos_ms == DF_TIME_NONE ? DF_LON_NA : t->lon;
    v->last_lat = t->pos_ms == DF_TIME_NONE ? DF_LAT_NA : t->lat;
    /* Identities stay in history order: oldest first. */
    v->nidentities = t->nids;
    if (t->nids) {
        memcpy(v->identities, t->ids, t->nids * sizeof t->ids[0]);
        if (t->id_last_ms > v->identities[t->cur].last_ms)
            v->identities[t->cur].last_ms = t->id_last_ms;
    }
}

void df__track_kind(const struct df__track *t, struct df__vkind *k)
{
    memset(k, 0, sizeof(*k));
    k->cls = t->cls;
    if (t->nids > 0) {
        const struct df_identity *id = &t->ids[t->cur];

        k->shiptype = id->shiptype;
        k->length_m = id->length_m;
        k->imo = id->imo;
    }
}

/* ---- saved state ------------------------------------------------------ */

void df__tracks_save(const struct df__tracks *ts, struct df_state_out *w)
{
    uint32_t i;

    df__so_tag(w, DF__TAG('T', 'R', 'K', 'S'));
    df__so_u64(w, ts->max);
    df__so_i64(w, ts->silence_ms);
    df__so_u32(w, ts->pool_cap);
    df__so_arr(w, ts->pool, sizeof *ts->pool, ts->pool_used);
    df__so_arr(w, ts->freelist, sizeof *ts->freelist, ts->nfree);
    df__so_arr(w, ts->heap, sizeof *ts->heap, ts->nheap);
    df__hmap_save(&ts->map, w);
    /* The identity history of each vessel held, in heap order. */
    for (i = 0; i < ts->nheap; i++) {
        const struct df__track *t = &ts->pool[ts->heap[i].idx];

        df__so_arr(w, t->ids, sizeof *t->ids, t->nids);
    }
}

int df__tracks_load(struct df__tracks *ts, struct df_state_in *r)
{
    uint64_t max;
    int64_t silence;
    uint32_t cap, i;
    size_t n = 0, nfree = 0, nheap = 0;
    struct df__track *pool = NULL;
    uint32_t *freelist = NULL;
    struct heapent *heap = NULL;

    if (df__si_tag(r, DF__TAG('T', 'R', 'K', 'S')) != 0 ||
        df__si_u64(r, &max) != 0 || df__si_i64(r, &silence) != 0 ||
        df__si_u32(r, &cap) != 0)
        return -1;
    if (max != ts->max || silence != ts->silence_ms || cap > ts->max ||
        ts->nheap != 0)
        return df__si_bad(r);
    if (df__si_arr(r, sizeof *pool, cap, cap, (void **)&pool, &n) != 0)
        goto bad;
    /* The pointers were the saving process's: gone before anything can
     * fail and free them. */
    for (i = 0; i < n; i++)
        pool[i].ids = NULL;
    if (df__si_arr(r, sizeof *freelist, n, cap, (void **)&freelist,
                   &nfree) != 0 ||
        df__si_arr(r, sizeof *heap, n, cap, (void **)&heap, &nheap) != 0 ||
        nfree + nheap != n || df__hmap_load(&ts->map, r, n) != 0 ||
        ts->map.n != nheap)
        goto bad;
    for (i = 0; i < nfree; i++)
        if (freelist[i] >= n)
            goto bad;
    for (i = 0; i < nheap; i++) {
        struct df__track *t;
        size_t nids;

        if (heap[i].idx >= n)
            goto bad;
        t = &pool[heap[i].idx];
        if (t->ids || t->heap_pos != i)
            goto bad;           /* twice in the heap, or misplaced */
        if (df__si_arr(r, sizeof *t->ids, DF_MAX_IDENTITIES, 0,
                       (void **)&t->ids, &nids) != 0)
            goto bad;
        if (nids != t->nids || (nids > 0 && t->cur >= nids)) {
            df__free(t->ids);
            t->ids = NULL;
            goto bad;
        }
        t->capids = (uint8_t)nids;
    }
    ts->pool = pool;
    ts->pool_used = (uint32_t)n;
    ts->pool_cap = cap;
    ts->freelist = freelist;
    ts->nfree = (uint32_t)nfree;
    ts->heap = heap;
    ts->nheap = (uint32_t)nheap;
    ts->st.held = ts->st.peak = nheap;
    return 0;

bad:
    if (heap && pool)
        for (i = 0; i < nheap; i++)
            if (heap[i].idx < n)
                df__free(pool[heap[i].idx].ids);
    df__free(pool);
    df__free(freelist);
    df__free(heap);
    df__hmap_clear(&ts->map);
    return df__si_bad(r);
}
