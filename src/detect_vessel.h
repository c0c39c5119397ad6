/*
 * detect_vessel.h - the per-vessel detectors (internal to libdarkfleet):
 * AIS gaps, draught changes, spoofed positions, MMSI collisions, identity
 * changes, invalid identities, zone entries and port calls.
 *
 * scan.c calls these with each vessel's track (track.h) as records arrive
 * in time order; the state they keep per vessel is struct df__vdet,
 * embedded in the track, so a vessel flushed from the store takes its
 * detector state with it.  Rules and defaults: METHODS.md section 1.
 */
#ifndef DF_DETECT_VESSEL_H
#define DF_DETECT_VESSEL_H

#include "darkfleet.h"

struct df__track;

/* What the detectors share: thresholds, geography and the event sink. */
struct df__vctx {
    const struct df_config *cfg;
    const struct df_geo *geo;   /* may be NULL: no zones, no ports */
    const struct df_land *land; /* may be NULL: everything is open sea */
    int (*emit)(const struct df_event *ev, void *ud);
    void *ud;
    int oom;                    /* an event's evidence ran out of memory */
    uint64_t late;              /* positions dropped as late reports */
};

#define DF__VD_PAST 8           /* earlier places kept per vessel */

/* Per-vessel detector state (zeroed for a new vessel).  The fields read
 * for every position come first. */
/* Zones a vessel is followed inside at once (the first in load order
 * when more contain it). */
#define DF__VD_ZONES 4

struct df__vdet {
    uint8_t flags;              /* DF__VD_* */
    uint8_t land_run;           /* consecutive checked fixes on land */
    uint8_t land_open;          /* an on-land episode is open */
    uint8_t port_stopped;       /* stopped during the current visit */
    int32_t port;               /* port being visited, or -1 */
    int32_t geo_lon, geo_lat;   /* where zones and ports were looked up */
    int32_t land_lon, land_lat; /* where land was last checked */
    int64_t land_last_ms;       /* when */
    uint32_t sh_n;              /* positions on the shadow; 0 = none */
    uint32_t sh_main_hits;      /* main-track positions since sh_first */
    int64_t ep_last_ms;         /* last bad position of the episode */
    int64_t port_last_ms;       /* last position inside the port */

    /* A second, self-consistent track of positions incompatible with
     * the main one (spoofing or a second ship on the same MMSI). */
    int64_t sh_first_ms, sh_last_ms;
    int32_t sh_lon, sh_lat;

    /* Where the vessel was, an hour and PAST_M apart at least (a ring):
     * a jump back to one of these places is a late report, not a false
     * position. */
    int32_t past_lon[DF__VD_PAST], past_lat[DF__VD_PAST];
    int64_t past_ms;            /* when the newest was kept */
    uint8_t past_n, past_head;

    /* An open episode of impossible jumps. */
    int64_t ep_start_ms;
    int32_t ep_lon, ep_lat;     /* the first bad position */
    int32_t ep_from_lon, ep_from_lat;
    uint32_t ep_n;              /* bad positions */
    float ep_max_kn, ep_max_km;

    /* The current run or episode of fixes on land. */
    int64_t land_first_ms;
    int32_t land_first_lon, land_first_lat;
    uint32_t land_n;            /* positions in the run or episode */
    float land_max_km;          /* deepest inland, km */

    /* Zones and ports. */
    int16_t zone_in[DF__VD_ZONES];  /* zones it is inside, ascending,
                                       -1 for unused slots */
    int16_t zone_left[2];       /* the zones last left, for hysteresis */
    int64_t zone_left_ms[2];
    int64_t port_start_ms;
    int32_t port_lon, port_lat; /* where it stopped (or entered) */

    /* A draught comparison waiting for a static record after a gap or an
     * encounter (dr_kind 0 = none, 1 = gap, 2 = encounter). */
    uint8_t dr_kind, dr_before;
    uint32_t dr_other;          /* the other vessel of an encounter */
    int64_t dr_start_ms, dr_end_ms;
    int32_t dr_lon, dr_lat;
};

#define DF__VD_GEO_INIT 0x01    /* geo_lon/lat and zone hold a lookup */
#define DF__VD_LAND_INIT 0x02   /* land_lon/lat hold a check */
#define DF__VD_EP_OPEN 0x04     /* a jump episode is open */
#define DF__VD_EP_COLL 0x08     /* ... and it belongs to a collision */
#define DF__VD_COLLISION 0x10   /* mmsi_collision reported */
#define DF__VD_BAD_MMSI 0x20    /* invalid MMSI checked (and reported) */
#define DF__VD_BAD_IMO 0x40     /* invalid IMO reported */

/* Initialises the state of a new vessel. */
void df__vdet_init(struct df__vdet *d);

/* The first vessel record of t (position or type 5): checks the MMSI.
 * Returns emit's first non-zero value, else 0 (as all below). */
int df__vdet_vessel(struct df__vctx *c, struct df__track *t,
                    const struct df_rec *rec);

/* After t's identity was updated from rec: identity changes (changed is
 * df__track_identity's result, old the identity before), invalid IMO,
 * and waiting draught comparisons. */
int df__vdet_static(struct df__vctx *c, struct df__track *t,
                    const struct df_rec *rec, int64_t t_ms, int changed,
                    const struct df_identity *old);

/*
 * A valid position of t at rec->t_ms, before the track takes it: sets
 * *accept to 1 if the position belongs on t's main track (scan.c then
 * updates the track and feeds the encounter detector), 0 if it is an
 * impossible jump or the second ship's.  Runs the gap, spoofing,
 * collision, zone and port rules.
 */
int df__vdet_position(struct df__vctx *c, struct df__track *t,
                      const struct df_rec *rec, int *accept);

/* An encounter event involving t (ev->vessels[i] == t->mmsi): compares
 * t's draught before the encounter with the next one reported. */
int df__vdet_encounter(struct df__vctx *c, struct df__track *t,
                       const struct df_event *ev);

/* t leaves the store (silent, evicted or end of input): closes open
 * episodes and visits. */
int df__vdet_flush(struct df__vctx *c, struct df__track *t);

#endif
