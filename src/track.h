/*
 * track.h - the per-MMSI track store (internal to libdarkfleet).
 *
 * One struct df__track per vessel heard recently, found by MMSI through an
 * open-addressing hash table.  Memory is bounded by the vessels active in
 * a window of input time, not by the length of the input: a min-heap on
 * last-seen time gives the vessels silent longer than the silence limit
 * (scan.c flushes them), and a hard cap on the vessels held makes the
 * least recently seen one go first when a new vessel arrives at the cap.
 *
 * The store hands out plain pointers into a pool that moves when it grows:
 * a pointer stays valid until the next df__tracks_get() that creates a
 * vessel, or until df__tracks_remove() of that vessel.
 */
#ifndef DF_TRACK_H
#define DF_TRACK_H

#include "darkfleet.h"
#include "detect_vessel.h"
#include "relevance.h"

/* One vessel's state.  Times are ms since the epoch of input time.  The
 * fields every position touches come first, then the detectors' state
 * (whose hot fields also come first), so that a position record touches
 * two cache lines of its vessel, not five. */
struct df__track {
    uint32_t mmsi;
    uint32_t heap_pos;          /* index in the silence heap */
    int64_t first_ms, last_ms;  /* any record with a time */

    /* The last good position (the main track), or pos_ms == DF_TIME_NONE
     * before the first one. */
    int64_t pos_ms;
    int32_t lon, lat;           /* 1/10000 min */
    uint16_t speed, course;     /* 1/10 kn, 1/10 deg (AIS sentinels) */

    /* Downsampled display track. */
    uint16_t point_course;
    uint8_t point_pending;      /* the last good position was not emitted */
    int64_t point_ms;           /* time of the last point emitted */
    int32_t point_lon, point_lat; /* ... and its place */
    uint64_t positions;         /* positions accepted on the main track */

    struct df__vdet det;        /* the per-vessel detectors' state */

    /* Draught from static records (1/10 m, 0 = unknown): the current
     * value, the value before the last change and when it changed. */
    uint8_t draught, draught_prev;
    uint64_t id_hash;           /* of the last static record's fields */
    int64_t id_last_ms;         /* last seen of ids[cur], kept here (the
                                 * hot line) and folded into ids[cur] when
                                 * the history is read or changed */
    int64_t draught_ms;

    /* Identity history: every distinct combination broadcast, oldest
     * first, at most DF_MAX_IDENTITIES (allocated on the first static
     * record, grown by doubling).  cur indexes the current one. */
    struct df_identity *ids;
    uint8_t nids, capids, cur;
    char cls;                   /* transceiver class 'A', 'B', 0 unknown */
};

/* What the vessel says of its kind now: the current identity's ship type,
 * length and IMO, and the class of its transceiver (relevance.h). */
void df__track_kind(const struct df__track *t, struct df__vkind *k);

/* Key fields that changed with an identity update (df__track_identity). */
#define DF__ID_NAME 0x01
#define DF__ID_CALLSIGN 0x02
#define DF__ID_IMO 0x04

struct df__tracks;

/* Counters of the store, for tests and --stats. */
struct df__track_stats {
    uint64_t held;              /* vessels held now */
    uint64_t peak;              /* most vessels held at once */
    uint64_t created;           /* vessels created */
    uint64_t evicted;           /* flushed early because the cap was hit */
    uint64_t silent;            /* flushed after falling silent */
    uint64_t bad_positions;     /* positions n/a or out of range */
};

/* Creates a store holding at most max_vessels (at least 1) and reporting
 * vessels silent for silence_ms.  Returns NULL when out of memory. */
struct df__tracks *df__tracks_new(size_t max_vessels, int64_t silence_ms);
/* Frees the store and every track in it, without callbacks.  NULL is a
 * no-op. */
void df__tracks_free(struct df__tracks *ts);

/* The track of mmsi, or NULL. */
struct df__track *df__tracks_find(struct df__tracks *ts, uint32_t mmsi);
/* A hint that mmsi comes soon: stage 0 fetches its hash slot into the
 * cache, stage 1 (later, once the slot is there) its track. */
void df__tracks_prefetch(const struct df__tracks *ts, uint32_t mmsi,
                         int stage);
/*
 * The track of mmsi, created (zeroed, pos_ms unset) when absent; *created
 * says which.  The store must not be full when a vessel is created: call
 * df__tracks_full() first and flush df__tracks_lru().  Returns NULL when
 * out of memory.  May move every track (see above).
 */
struct df__track *df__tracks_get(struct df__tracks *ts, uint32_t mmsi,
                                 int *created);
/* 1 if creating one more vessel needs a flush first. */
int df__tracks_full(const struct df__tracks *ts);
/* The least recently seen vessel (NULL if none), to flush at the cap. */
struct df__track *df__tracks_lru(struct df__tracks *ts);
/* A vessel whose last record is older than now_ms minus the silence
 * limit, or NULL.  Cheap when there is none (one comparison). */
struct df__track *df__tracks_silent(struct df__tracks *ts, int64_t now_ms);
/* Any vessel held (for the final flush), or NULL. */
struct df__track *df__tracks_any(struct df__tracks *ts);
/* Records that t was seen at t_ms (t_ms >= t->last_ms). */
void df__tracks_touch(struct df__tracks *ts, struct df__track *t,
                      int64_t t_ms);
/* Removes t from the store and frees what it owns.  silent says whether
 * it is counted as fallen silent (1) or evicted at the cap (2). */
void df__tracks_remove(struct df__tracks *ts, struct df__track *t,
                       int why);
struct df__track_stats *df__tracks_stats(struct df__tracks *ts);

/*
 * Merges the static fields of rec (those it gives: non-empty strings,
 * non-zero numbers) into t's current identity and its history, at time
 * t_ms.  Filling a field the current identity lacks updates it in place
 * (so type 24 parts A and B make one identity); a different value makes a
 * new entry, or revives an equal older one.  When full, the oldest entry
 * is merged into the next oldest.  Returns the DF__ID_* key fields whose
 * value changed to one not seen before for this vessel (ignoring case and
 * spaces, and empty -> value); *old is the previous identity when that is
 * non-zero, and unset otherwise (the same fields as the last static
 * record only move a time on).  Returns -1 when out of memory.
 */
int df__track_identity(struct df__track *t, const struct df_rec *rec,
                       int64_t t_ms, struct df_identity *old);

/* Fills *v (for the vessel callback) from t. */
void df__track_vessel(const struct df__track *t, struct df_vessel *v);

/* Saved state (util/ser.h): every vessel held, with its identities and
 * detector state.  load fills ts, a new store made with the same cap and
 * silence limit: 0, or -1 with the stream's error set (ts stays new). */
struct df_state_out;
struct df_state_in;
void df__tracks_save(const struct df__tracks *ts, struct df_state_out *w);
int df__tracks_load(struct df__tracks *ts, struct df_state_in *r);

/* The stats of a scan's track store (tests, the CLI's --stats). */
const struct df__track_stats *df__scan_track_stats(const struct df_scan *s);

#endif
