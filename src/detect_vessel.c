/*
 * detect_vessel.c - the detectors that look at one vessel at a time
 * (METHODS.md section 1, rows 1, 2, 6, 7, 8, 11 and 12):
 *
 *  gap              dark for >= gap_min_hours starting > gap_min_shore_nm
 *                   from shore (Welch et al. 2022), or >= gap_zone_min_hours
 *                   starting within gap_zone_km of a zone of interest (the
 *                   DPRK variant: no shore rule).  Emitted when the vessel
 *                   reappears; gaps still open at the end are not reported.
 *  draught_change   type-5 draught before vs the first different one after
 *                   a gap or an encounter, >= draught_min_change_m
 *                   (PurpleTRAC), within DR_WAIT_MS of its end.
 *  spoofing         "jump": implied speed > spoof_max_speed_kn (AISdb) over
 *                   more than JUMP_MIN_M; one event per episode, closed
 *                   after EP_QUIET_MS without a bad position.  "on_land":
 *                   a fix on land at least spoof_min_inland_km from the
 *                   shore (50 km), straight from the sea (the check
 *                   before found it at sea): Natural Earth draws rivers, sounds
 *                   and ship channels as land; at 10 km the rule reported
 *                   348 ships on the lower Mississippi and the Virginia
 *                   inland waterway in the real MarineCadastre subsets.
 *  mmsi_collision   positions incompatible with the main track but
 *                   consistent among themselves form a shadow track; when
 *                   both tracks keep receiving over COLL_OVERLAP_MS and lie
 *                   >= collision_min_km apart, two ships share the MMSI.
 *                   GFW's rule is > 24 h a year of overlapping segments
 *                   with different names; one stream (a day) rarely holds
 *                   24 h, so one hour of interleaving is used, and the
 *                   episode's jumps are then not reported as spoofing.
 *  identity_change  name, call sign or IMO changes to a value the vessel
 *                   never used (case and spaces ignored, empty -> value
 *                   ignored).  The flag is the MMSI's MID, fixed per MMSI.
 *  invalid_identity MMSI outside the ship range 2xx-7xx with no special
 *                   form (ITU-R M.585), unallocated MID (ITU RR App. 43),
 *                   IMO check digit (IMO A.1078(28)).  Once per reason.
 *  zone_entry       the vessel is inside zone z and was not at its last
 *                   lookup (also the first fix inside); every zone counts
 *                   on its own, so a user's zone inside North Korean
 *                   waters gets its entry beside theirs.  Re-entry within
 *                   ZONE_REENTRY_MS of leaving the same zone is not
 *                   reported again.
 *  port_call        within port_entry_km of a port or anchorage, stopped
 *                   (SOG < 0.2 kn), until beyond port_exit_km (GFW port
 *                   visits); emitted at exit or when the vessel is flushed.
 *
 * Geography is costly, so it is looked up only when a vessel has moved:
 * zones and ports every GEO_MOVE_M, land every LAND_MOVE_M or LAND_RECHECK_MS
 * (stationary vessels), shore distance only for a gap or a fix on land.
 */
#include "detect_vessel.h"
#include "event.h"
#include "util/keep.h"
#include "relevance.h"
#include "track.h"
#include "util/geodesy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define HOUR_MS 3600000LL
#define MS_PER_KN_M (1852.0 / 3600000.0)   /* metres per ms at 1 kn */
#define NM_KM 1.852
#define PI DF__PI

#define JUMP_MIN_M 1000.0       /* jitter below this is never a jump */
#define JUMP_MIN_DT_MS 1000     /* time steps shorter count as 1 s */
#define EP_QUIET_MS (30 * 60 * 1000LL)  /* jump episode ends */
#define SHADOW_TTL_MS (2 * HOUR_MS)     /* an idle shadow is dropped */
#define SHADOW_TAKEOVER_N 3     /* shadow positions before it may win */
#define COLL_OVERLAP_MS HOUR_MS /* both tracks alive this long */
#define COLL_MIN_N 3            /* positions on each track */
#define LAND_MOVE_M 2000.0      /* re-check land after moving this far */
#define LAND_RECHECK_MS (30 * 60 * 1000LL)
#define GEO_MOVE_M 500.0        /* zone/port lookup after moving this far */
#define ZONE_REENTRY_MS HOUR_MS
#define JUMP_GLITCH_KM 10.0     /* a lone bad fix nearer than this */
#define LATE_M 1000.0           /* a jump back this near an earlier place */
#define PAST_M 2000.0           /* earlier places kept this far apart */
#define PORT_STOP_DKN 2         /* SOG under 0.2 kn is stopped */
#define DR_WAIT_MS (24 * HOUR_MS)  /* draught reported after the gap */

/* ---- geometry ----------------------------------------------------- */

static double deg(int32_t v)
{
    return v / 600000.0;
}

/* cos(x) for |x| <= pi/2 by its Taylor series to x^10 (error < 5e-7):
 * libm's cos is a tenth of the per-position budget. */
static double cos_small(double x)
{
    double x2 = x * x;

    return 1 - x2 / 2 * (1 - x2 / 12 * (1 - x2 / 30 * (1 - x2 / 56 *
                                                         (1 - x2 / 90))));
}

/* Approximate distance in metres (equirectangular; within a few percent
 * up to hundreds of km, which is all the jump and movement tests need). */
static double near_m(int32_t lon1, int32_t lat1, int32_t lon2, int32_t lat2)
{
    double dlon = (double)lon2 - lon1, dlat = (double)lat2 - lat1;
    double c = cos_small((lat1 + (double)lat2) * (PI / 2.0 / 180.0 / 600000.0));

    if (dlon > 108000000.0)
        dlon -= 216000000.0;
    else if (dlon < -108000000.0)
        dlon += 216000000.0;
    dlon *= c;
    /* 1/10000 minute of arc is 0.1852 m on a meridian. */
    return sqrt(dlon * dlon + dlat * dlat) * 0.1852;
}

/* Implied speed in knots for dist_m over dt_ms (dt floored). */
static double implied_kn(double dist_m, int64_t dt_ms)
{
    if (dt_ms < JUMP_MIN_DT_MS)
        dt_ms = JUMP_MIN_DT_MS;
    return dist_m / ((double)dt_ms * MS_PER_KN_M);
}

/* 1 if going from a to b is impossible for one ship. */
static int jump(struct df__vctx *c, int32_t lon1, int32_t lat1,
                int64_t t1, int32_t lon2, int32_t lat2, int64_t t2)
{
    double m = near_m(lon1, lat1, lon2, lat2);

    return m > JUMP_MIN_M &&
           implied_kn(m, t2 - t1) > c->cfg->spoof_max_speed_kn;
}

/* ---- events ------------------------------------------------------- */

static void ev_init(struct df_event *ev, enum df_event_type type,
                    const struct df__track *t, int64_t start_ms,
                    int64_t end_ms, int32_t lon, int32_t lat, double score)
{
    memset(ev, 0, sizeof *ev);
    ev->type = type;
    ev->nvessels = 1;
    ev->vessels[0] = t->mmsi;
    ev->start_ms = start_ms;
    ev->end_ms = end_ms;
    ev->lon = lon;
    ev->lat = lat;
    ev->score = score > 1.0 ? 1.0 : score;
}

/* Copies the evidence object built in b into ev and emits ev.  Evidence
 * is small by construction; one that would not fit whole is replaced by
 * a marker rather than cut into invalid JSON. */
static int ev_emit(struct df__vctx *c, const struct df__track *t,
                   struct df_event *ev, struct df_buf *b)
{
    struct df__vkind k;
    double rel = 1.0;
    int rc;

    /* What the vessel says it is, and the weight that gives the event:
     * inside the object, before its closing brace. */
    df__track_kind(t, &k);
    if (ev->type != DF_EV_ZONE_ENTRY && ev->type != DF_EV_PORT_CALL)
        rel = df__kind_weight(&k);
    ev->score *= rel;
    if (!b->oom && b->len > 0 && b->data[b->len - 1] == '}') {
        b->len--;
        df__kind_json(b, &k, rel);
        df_buf_puts(b, "}");
    }

    if (df__event_set_evidence(ev, b) != 0)
        c->oom = 1;
    df_buf_free(b);
    rc = c->emit(ev, c->ud);
    return rc;
}

static void json_str(struct df_buf *b, const char *key, const char *s)
{
    df_buf_printf(b, ",\"%s\":", key);
    df_buf_json_str(b, s, strlen(s));
}

static void json_pos(struct df_buf *b, const char *key, int32_t lon,
                     int32_t lat)
{
    df_buf_printf(b, ",\"%s\":{\"lat\":%.5f,\"lon\":%.5f}", key, deg(lat),
                  deg(lon));
}

/* A position for an event of a vessel that may have none yet. */
static void last_pos(const struct df__track *t, int32_t *lon, int32_t *lat)
{
    *lon = t->pos_ms == DF_TIME_NONE ? DF_LON_NA : t->lon;
    *lat = t->pos_ms == DF_TIME_NONE ? DF_LAT_NA : t->lat;
}

/* ---- invalid identity -------------------------------------------- */

/* Why an MMSI cannot belong to a vessel (ITU-R M.585), or NULL. */
static const char *mmsi_problem(uint32_t m)
{
    if (m >= 200000000u && m <= 799999999u)
        return df_mid_country(m / 1000000u) ? NULL : "mid_unallocated";
    if ((m >= 111000000u && m <= 111999999u) ||   /* SAR aircraft */
        (m >= 980000000u && m <= 999999999u) ||   /* auxiliary, AtoN */
        (m >= 970000000u && m <= 970999999u) ||   /* AIS-SART */
        (m >= 972000000u && m <= 972999999u) ||   /* MOB */
        (m >= 974000000u && m <= 974999999u))     /* EPIRB-AIS */
        return NULL;
    return "mmsi_range";
}

/* Emits invalid_identity for t with its reason (and the IMO for the
 * check-digit reason). */
static int emit_invalid(struct df__vctx *c, const struct df__track *t,
                        int64_t t_ms, const char *reason, double score,
                        uint32_t imo)
{
    struct df_event ev;
    struct df_buf b = {0};
    int32_t lon, lat;

    last_pos(t, &lon, &lat);
    ev_init(&ev, DF_EV_INVALID_IDENTITY, t, t_ms, t_ms, lon, lat, score);
    df_buf_printf(&b, "{\"reason\":\"%s\",\"mmsi\":%u", reason,
                  (unsigned)t->mmsi);
    if (strcmp(reason, "imo_check_digit") == 0)
        df_buf_printf(&b, ",\"imo\":%u", (unsigned)imo);
    else if (t->mmsi >= 200000000u && t->mmsi <= 799999999u)
        df_buf_printf(&b, ",\"mid\":%u", (unsigned)(t->mmsi / 1000000u));
    df_buf_puts(&b, "}");
    return ev_emit(c, t, &ev, &b);
}

void df__vdet_init(struct df__vdet *d)
{
    memset(d, 0, sizeof *d);
    memset(d->zone_in, 0xff, sizeof d->zone_in);
    d->zone_left[0] = d->zone_left[1] = -1;
    d->port = -1;
}

int df__vdet_vessel(struct df__vctx *c, struct df__track *t,
                    const struct df_rec *rec)
{
    const char *why;

    if (t->det.flags & DF__VD_BAD_MMSI)
        return 0;
    t->det.flags |= DF__VD_BAD_MMSI;
    why = mmsi_problem(t->mmsi);
    if (!why)
        return 0;
    return emit_invalid(c, t, rec->t_ms, why,
                        strcmp(why, "mid_unallocated") == 0 ? 0.5 : 0.3, 0);
}

/* ---- draught ------------------------------------------------------ */

/* Emits draught_change when both draughts are known and differ by at
 * least draught_min_change_m; kind 1 is a gap, 2 an encounter. */
static int emit_draught(struct df__vctx *c, const struct df__track *t,
                        unsigned kind, uint32_t other, int64_t start_ms,
                        int64_t end_ms, int32_t lon, int32_t lat,
                        unsigned before, unsigned after)
{
    struct df_event ev;
    struct df_buf b = {0};
    double chg = fabs((double)after - before) / 10.0;

    if (before == 0 || after == 0 || chg + 1e-9 < c->cfg->draught_min_change_m)
        return 0;
    ev_init(&ev, DF_EV_DRAUGHT_CHANGE, t, start_ms, end_ms, lon, lat,
            0.5 + chg / 20.0);
    if (other) {
        ev.nvessels = 2;
        ev.vessels[1] = other;
    }
    df_buf_printf(&b,
                  "{\"across\":\"%s\",\"before_m\":%.1f,\"after_m\":%.1f,"
                  "\"change_m\":%.1f,\"min_change_m\":%g}",
                  kind == 1 ? "gap" : "encounter", before / 10.0,
                  after / 10.0, (after / 10.0) - (before / 10.0),
                  c->cfg->draught_min_change_m);
    return ev_emit(c, t, &ev, &b);
}

/* After a gap or an encounter from start_ms to end_ms: if the draught
 * was reported changed since start_ms, compare now; otherwise wait for
 * the next report. */
static int draught_after(struct df__vctx *c, struct df__track *t,
                         unsigned kind, uint32_t other, int64_t start_ms,
                         int64_t end_ms, int32_t lon, int32_t lat)
{
    struct df__vdet *d = &t->det;

    if (t->draught == 0)
        return 0;
    if (t->draught_ms != DF_TIME_NONE && t->draught_ms > start_ms &&
        t->draught_prev != 0) {
        d->dr_kind = 0;
        return emit_draught(c, t, kind, other, start_ms, end_ms, lon, lat,
                            t->draught_prev, t->draught);
    }
    d->dr_kind = (uint8_t)kind;
    d->dr_before = t->draught;
    d->dr_other = other;
    d->dr_start_ms = start_ms;
    d->dr_end_ms = end_ms;
    d->dr_lon = lon;
    d->dr_lat = lat;
    return 0;
}

int df__vdet_encounter(struct df__vctx *c, struct df__track *t,
                       const struct df_event *ev)
{
    uint32_t other = ev->nvessels > 1
                         ? (ev->vessels[0] == t->mmsi ? ev->vessels[1]
                                                      : ev->vessels[0])
                         : 0;

    return draught_after(c, t, 2, other, ev->start_ms, ev->end_ms, ev->lon,
                         ev->lat);
}

/* ---- identity ----------------------------------------------------- */

/* Appends ,"key":{"old":o,"new":n} with both strings escaped. */
static void json_change(struct df_buf *b, const char *key, const char *o,
                        const char *n)
{
    df_buf_printf(b, ",\"%s\":{\"old\":", key);
    df_buf_json_str(b, o, strlen(o));
    df_buf_puts(b, ",\"new\":");
    df_buf_json_str(b, n, strlen(n));
    df_buf_puts(b, "}");
}

int df__vdet_static(struct df__vctx *c, struct df__track *t,
                    const struct df_rec *rec, int64_t t_ms, int changed,
                    const struct df_identity *old)
{
    struct df__vdet *d = &t->det;
    int rc = 0;

    if (changed > 0) {
        const struct df_identity *now = &t->ids[t->cur];
        struct df_event ev;
        struct df_buf b = {0};
        int32_t lon, lat;

        last_pos(t, &lon, &lat);
        ev_init(&ev, DF_EV_IDENTITY_CHANGE, t, old->last_ms, t_ms, lon, lat,
                (changed & DF__ID_IMO) ? 0.6 : 0.4);
        df_buf_puts(&b, "{\"fields\":[");
        df_buf_printf(&b, "%s%s%s",
                      (changed & DF__ID_NAME) ? "\"name\"" : "",
                      (changed & DF__ID_CALLSIGN)
                          ? ((changed & DF__ID_NAME) ? ",\"callsign\""
                                                     : "\"callsign\"")
                          : "",
                      (changed & DF__ID_IMO)
                          ? ((changed & (DF__ID_NAME | DF__ID_CALLSIGN))
                                 ? ",\"imo\""
                                 : "\"imo\"")
                          : "");
        df_buf_puts(&b, "]");
        if (changed & DF__ID_NAME)
            json_change(&b, "name", old->shipname, now->shipname);
        if (changed & DF__ID_CALLSIGN)
            json_change(&b, "callsign", old->callsign, now->callsign);
        if (changed & DF__ID_IMO)
            df_buf_printf(&b, ",\"imo\":{\"old\":%u,\"new\":%u}",
                          (unsigned)old->imo, (unsigned)now->imo);
        df_buf_printf(&b, ",\"identities\":%u}", (unsigned)t->nids);
        DF__KEEP(rc, ev_emit(c, t, &ev, &b));
    }
    if (rec->imo != 0 && !(d->flags & DF__VD_BAD_IMO) &&
        !df_imo_valid(rec->imo)) {
        d->flags |= DF__VD_BAD_IMO;
        DF__KEEP(rc, emit_invalid(c, t, t_ms, "imo_check_digit", 0.4,
                                  rec->imo));
    }
    if (d->dr_kind && rec->draught != 0) {
        if (t_ms != DF_TIME_NONE && t_ms - d->dr_end_ms > DR_WAIT_MS) {
            d->dr_kind = 0;
        } else if (rec->draught != d->dr_before) {
            unsigned kind = d->dr_kind;
            d->dr_kind = 0;
            DF__KEEP(rc, emit_draught(c, t, kind, d->dr_other,
                                      d->dr_start_ms, d->dr_end_ms,
                                      d->dr_lon, d->dr_lat, d->dr_before,
                                      rec->draught));
        }
    }
    return rc;
}

/* ---- gaps --------------------------------------------------------- */

/* The gap rules, for a position arriving after the main track's last
 * one: zone variant first (no shore rule), then Welch et al.  Shore and
 * zone distances are measured only for a candidate gap. */
static int gap_check(struct df__vctx *c, struct df__track *t,
                     const struct df_rec *rec)
{
    const struct df_config *cfg = c->cfg;
    int64_t dt = rec->t_ms - t->pos_ms;
    double hours = dt / 3600000.0, zone_km = -1.0, shore_km = -1.0, km, kn;
    double min_h = cfg->gap_min_hours < cfg->gap_zone_min_hours
                       ? cfg->gap_min_hours
                       : cfg->gap_zone_min_hours;
    const char *rule = NULL;
    struct df_event ev;
    struct df_buf b = {0};
    int rc;

    if (hours < min_h)
        return 0;
    if (c->geo && hours >= cfg->gap_zone_min_hours) {
        zone_km = df_geo_zone_km(c->geo, t->lon, t->lat, cfg->gap_zone_km);
        if (zone_km < cfg->gap_zone_km)
            rule = "zone";
    }
    /* Offshore: far from the shore, and at sea.  Natural Earth draws
     * rivers and lakes as land, whose distance to the coast says nothing
     * of the sea: a barge dark on the Ohio is not a ship dark at sea.
     * gap_min_shore_nm 0 turns the whole shore rule off. */
    if (!rule && hours >= cfg->gap_min_hours &&
        !(cfg->gap_min_shore_nm > 0 && c->land &&
          df_land_contains(c->land, t->lon, t->lat))) {
        double min_km = cfg->gap_min_shore_nm * NM_KM;
        if (c->land)
            shore_km = df_land_shore_km(c->land, t->lon, t->lat, min_km + 1);
        if (!c->land || shore_km > min_km)
            rule = "offshore";
    }
    if (!rule)
        return 0;
    if (shore_km < 0 && c->land)
        shore_km = df_land_shore_km(c->land, t->lon, t->lat, 1000.0);
    km = df_distance_m(t->lon, t->lat, rec->lon, rec->lat) / 1000.0;
    kn = km * 1000.0 / 1852.0 / hours;
    ev_init(&ev, DF_EV_GAP, t, t->pos_ms, rec->t_ms, t->lon, t->lat,
            (rule[0] == 'z' ? 0.6 : 0.4) + hours / 120.0);
    df_buf_printf(&b, "{\"rule\":\"%s\",\"hours\":%.2f", rule, hours);
    json_pos(&b, "dark_at", t->lon, t->lat);
    json_pos(&b, "back_at", rec->lon, rec->lat);
    df_buf_printf(&b, ",\"distance_km\":%.1f,\"implied_speed_kn\":%.2f", km,
                  kn);
    if (shore_km >= 0)
        df_buf_printf(&b, ",\"distance_to_shore_km\":%.1f", shore_km);
    if (zone_km >= 0 && zone_km < cfg->gap_zone_km)
        df_buf_printf(&b, ",\"distance_to_zone_km\":%.1f", zone_km);
    df_buf_printf(&b,
                  ",\"min_hours\":%g,\"min_shore_nm\":%g,"
                  "\"zone_min_hours\":%g,\"zone_km\":%g}",
                  cfg->gap_min_hours, cfg->gap_min_shore_nm,
                  cfg->gap_zone_min_hours, cfg->gap_zone_km);
    rc = ev_emit(c, t, &ev, &b);
    DF__KEEP(rc, draught_after(c, t, 1, 0, t->pos_ms, rec->t_ms, t->lon,
                               t->lat));
    return rc;
}

/* ---- jumps and collisions ---------------------------------------- */

/* Ends the open jump episode: spoofing "jump", unless its bad positions
 * turned out to be a second ship (mmsi_collision reported). */
static int close_episode(struct df__vctx *c, struct df__track *t)
{
    struct df__vdet *d = &t->det;
    struct df_event ev;
    struct df_buf b = {0};

    if (!(d->flags & DF__VD_EP_OPEN))
        return 0;
    d->flags &= (uint8_t)~DF__VD_EP_OPEN;
    if (d->flags & DF__VD_EP_COLL) {
        d->flags &= (uint8_t)~DF__VD_EP_COLL;
        return 0;
    }
    /* One stray fix a few km off is a GNSS glitch, common in real data
     * (Delaware Bay: 2.8 km at 59 kn), not a false position. */
    if (d->ep_n < 2 && d->ep_max_km < JUMP_GLITCH_KM)
        return 0;
    ev_init(&ev, DF_EV_SPOOFING, t, d->ep_start_ms, d->ep_last_ms, d->ep_lon,
            d->ep_lat, 0.6);
    df_buf_printf(&b,
                  "{\"kind\":\"jump\",\"positions\":%u,"
                  "\"max_implied_speed_kn\":%.1f,\"max_distance_km\":%.1f",
                  (unsigned)d->ep_n, d->ep_max_kn, d->ep_max_km);
    json_pos(&b, "from", d->ep_from_lon, d->ep_from_lat);
    json_pos(&b, "to", d->ep_lon, d->ep_lat);
    df_buf_printf(&b, ",\"max_speed_kn\":%g,\"min_jump_km\":%g}",
                  c->cfg->spoof_max_speed_kn, JUMP_MIN_M / 1000.0);
    return ev_emit(c, t, &ev, &b);
}

/* A position incompatible with the main track: counts it in the open
 * jump episode (opening one if needed). */
static void episode_add(struct df__track *t, const struct df_rec *rec)
{
    struct df__vdet *d = &t->det;
    double m = near_m(t->lon, t->lat, rec->lon, rec->lat);
    double kn = implied_kn(m, rec->t_ms - t->pos_ms);

    if (!(d->flags & DF__VD_EP_OPEN)) {
        d->flags |= DF__VD_EP_OPEN;
        d->flags &= (uint8_t)~DF__VD_EP_COLL;
        d->ep_start_ms = rec->t_ms;
        d->ep_lon = rec->lon;
        d->ep_lat = rec->lat;
        d->ep_from_lon = t->lon;
        d->ep_from_lat = t->lat;
        d->ep_n = 0;
        d->ep_max_kn = 0;
        d->ep_max_km = 0;
    }
    d->ep_n++;
    d->ep_last_ms = rec->t_ms;
    if (kn > d->ep_max_kn)
        d->ep_max_kn = (float)kn;
    if (m / 1000.0 > d->ep_max_km)
        d->ep_max_km = (float)(m / 1000.0);
}

/* The current name of t and the most recently seen other one, for
 * collision evidence. */
static void two_names(const struct df__track *t, const char **a,
                      const char **b)
{
    const struct df_identity *best = NULL;
    unsigned i;

    *a = *b = NULL;
    if (t->nids == 0)
        return;
    *a = t->ids[t->cur].shipname;
    for (i = 0; i < t->nids; i++) {
        const struct df_identity *id = &t->ids[i];
        if (id->shipname[0] && strcmp(id->shipname, *a) != 0 &&
            (!best || id->last_ms > best->last_ms))
            best = id;
    }
    if (best)
        *b = best->shipname;
}

/* Emits mmsi_collision once per vessel; the open episode is marked so
 * that its jumps are not reported as spoofing too. */
static int emit_collision(struct df__vctx *c, struct df__track *t,
                          const struct df_rec *rec, double km,
                          int64_t overlap_ms)
{
    struct df__vdet *d = &t->det;
    struct df_event ev;
    struct df_buf b = {0};
    const char *n1, *n2;

    d->flags |= DF__VD_COLLISION | DF__VD_EP_COLL;
    ev_init(&ev, DF_EV_MMSI_COLLISION, t, d->sh_first_ms, rec->t_ms, t->lon,
            t->lat, 0.7);
    df_buf_printf(&b,
                  "{\"distance_km\":%.1f,\"overlap_hours\":%.2f,"
                  "\"positions_a\":%u,\"positions_b\":%u",
                  km, overlap_ms / 3600000.0, (unsigned)d->sh_main_hits,
                  (unsigned)d->sh_n);
    json_pos(&b, "track_a", t->lon, t->lat);
    json_pos(&b, "track_b", d->sh_lon, d->sh_lat);
    two_names(t, &n1, &n2);
    if (n1 && n1[0])
        json_str(&b, "name_a", n1);
    if (n2)
        json_str(&b, "name_b", n2);
    df_buf_printf(&b,
                  ",\"min_km\":%g,\"min_overlap_hours\":%g,"
                  "\"max_speed_kn\":%g}",
                  c->cfg->collision_min_km, COLL_OVERLAP_MS / 3600000.0,
                  c->cfg->spoof_max_speed_kn);
    return ev_emit(c, t, &ev, &b);
}

/*
 * Sorts a position between the main track and the shadow.  Sets *accept
 * to 1 when it belongs on the main track (possibly after the shadow took
 * over as the main track).
 */
/* Keeps where the vessel was (its main track at that time). */
static void past_keep(struct df__vdet *d, int32_t lon, int32_t lat,
                      int64_t ms)
{
    d->past_lon[d->past_head] = lon;
    d->past_lat[d->past_head] = lat;
    d->past_head = (uint8_t)((d->past_head + 1) % DF__VD_PAST);
    if (d->past_n < DF__VD_PAST)
        d->past_n++;
    d->past_ms = ms;
}

/* 1 if (lon, lat) is PAST_M or more from the newest place kept. */
static int past_moved(const struct df__vdet *d, int32_t lon, int32_t lat)
{
    unsigned k = (d->past_head + DF__VD_PAST - 1) % DF__VD_PAST;

    return near_m(d->past_lon[k], d->past_lat[k], lon, lat) >= PAST_M;
}

/* Approximate distance in metres from p to the segment a-b (planar, in
 * the scale of near_m(): good for segments of tens of km). */
static double seg_m(int32_t plon, int32_t plat, int32_t alon, int32_t alat,
                    int32_t blon, int32_t blat)
{
    double c = cos_small((alat + (double)blat) * (PI / 2.0 / 180.0 /
                                                  600000.0));
    double bx = ((double)blon - alon) * c, by = (double)blat - alat;
    double px = ((double)plon - alon) * c, py = (double)plat - alat;
    double l2 = bx * bx + by * by, u = l2 > 0 ? (px * bx + py * by) / l2 : 0;

    if (u < 0)
        u = 0;
    if (u > 1)
        u = 1;
    px -= u * bx;
    py -= u * by;
    return sqrt(px * px + py * py) * 0.1852;
}

/* 1 if the impossible position rec lies within LATE_M of the path the
 * vessel took (its earlier places, in order, then where it is): a report
 * relayed late (a slow station or satellite pass stamped with the wrong
 * time), not a false position.  On MarineCadastre 2020-01-01 a tanker
 * sailing up the Houston ship channel "jumped" back to its anchorage of
 * that morning and to points of its way up, again and again. */
static int late_report(const struct df__track *t, const struct df_rec *rec)
{
    const struct df__vdet *d = &t->det;
    unsigned i, k = (d->past_head + DF__VD_PAST - d->past_n) % DF__VD_PAST;
    int32_t alon = d->past_lon[k], alat = d->past_lat[k];

    for (i = 0; i < d->past_n; i++) {
        unsigned j = (k + i) % DF__VD_PAST;
        int last = i + 1 == d->past_n;
        int32_t blon = last ? t->lon : d->past_lon[(j + 1) % DF__VD_PAST];
        int32_t blat = last ? t->lat : d->past_lat[(j + 1) % DF__VD_PAST];

        if (seg_m(rec->lon, rec->lat, alon, alat, blon, blat) < LATE_M)
            return 1;
        alon = blon;
        alat = blat;
    }
    return 0;
}

static int jump_check(struct df__vctx *c, struct df__track *t,
                      const struct df_rec *rec, int *accept)
{
    struct df__vdet *d = &t->det;
    int64_t now = rec->t_ms;
    int rc = 0;

    if (!jump(c, t->lon, t->lat, t->pos_ms, rec->lon, rec->lat, now)) {
        *accept = 1;
        if (d->past_n == 0 ||
            (now - d->past_ms >= HOUR_MS && past_moved(d, t->lon, t->lat)))
            past_keep(d, t->lon, t->lat, now);
        if (d->sh_n)
            d->sh_main_hits++;
        if ((d->flags & DF__VD_EP_OPEN) && now - d->ep_last_ms > EP_QUIET_MS)
            rc = close_episode(c, t);
        return rc;
    }
    *accept = 0;
    if (late_report(t, rec)) {
        c->late++;
        return rc;
    }
    if (d->sh_n && now - d->sh_last_ms <= SHADOW_TTL_MS &&
        !jump(c, d->sh_lon, d->sh_lat, d->sh_last_ms, rec->lon, rec->lat,
              now)) {
        d->sh_n++;
        d->sh_last_ms = now;
        d->sh_lon = rec->lon;
        d->sh_lat = rec->lat;
    } else {
        d->sh_n = 1;
        d->sh_first_ms = d->sh_last_ms = now;
        d->sh_lon = rec->lon;
        d->sh_lat = rec->lat;
        d->sh_main_hits = 0;
    }
    episode_add(t, rec);
    if ((d->flags & DF__VD_COLLISION) && d->sh_n >= COLL_MIN_N)
        d->flags |= DF__VD_EP_COLL;   /* the known second ship again */

    /* Two ships: both tracks alive and far apart. */
    if (!(d->flags & DF__VD_COLLISION) && d->sh_n >= COLL_MIN_N &&
        d->sh_main_hits >= COLL_MIN_N) {
        int64_t end = t->pos_ms < d->sh_last_ms ? t->pos_ms : d->sh_last_ms;
        int64_t overlap = end - d->sh_first_ms;
        if (overlap >= COLL_OVERLAP_MS) {
            double km = df_distance_m(t->lon, t->lat, d->sh_lon, d->sh_lat) /
                        1000.0;
            if (km >= c->cfg->collision_min_km)
                return emit_collision(c, t, rec, km, overlap);
        }
    }
    /* The main track was the odd one (a bad first fix, or the ship
     * really is where the shadow says and the main track stopped). */
    if (d->sh_n >= SHADOW_TAKEOVER_N &&
        (d->sh_main_hits == 0 || now - t->pos_ms > HOUR_MS)) {
        int64_t old_ms = t->pos_ms;
        int32_t old_lon = t->lon, old_lat = t->lat;
        d->sh_n = 1;
        d->sh_first_ms = d->sh_last_ms = old_ms;
        d->sh_lon = old_lon;
        d->sh_lat = old_lat;
        d->sh_main_hits = 0;
        /* The jump itself stays in the episode; the new main track
         * starts here, with no gap, implied speed or point across. */
        t->pos_ms = now;
        t->lon = rec->lon;
        t->lat = rec->lat;
        *accept = 1;
    }
    return rc;
}

/* ---- land --------------------------------------------------------- */

/* Emits spoofing "on_land" for the episode in d->land_*. */
static int emit_on_land(struct df__vctx *c, struct df__track *t)
{
    struct df__vdet *d = &t->det;
    struct df_event ev;
    struct df_buf b = {0};

    ev_init(&ev, DF_EV_SPOOFING, t, d->land_first_ms, d->land_last_ms,
            d->land_first_lon, d->land_first_lat, 0.5);
    df_buf_printf(&b,
                  "{\"kind\":\"on_land\",\"positions\":%u,"
                  "\"max_inland_km\":%.1f,\"min_inland_km\":%g}",
                  (unsigned)d->land_n, d->land_max_km,
                  c->cfg->spoof_min_inland_km);
    return ev_emit(c, t, &ev, &b);
}

/* The on-land rule.  Land is tested only when the vessel moved
 * LAND_MOVE_M since the last test or LAND_RECHECK_MS passed; the shore
 * distance only for a fix found on land.  Positions between tests count
 * toward the open run. */
static int land_check(struct df__vctx *c, struct df__track *t,
                      const struct df_rec *rec)
{
    struct df__vdet *d = &t->det;
    double km;
    int from_sea;

    if (!c->land)
        return 0;
    if ((d->flags & DF__VD_LAND_INIT) &&
        rec->t_ms - d->land_last_ms < LAND_RECHECK_MS &&
        near_m(d->land_lon, d->land_lat, rec->lon, rec->lat) < LAND_MOVE_M) {
        if (d->land_run)
            d->land_n++;
        return 0;
    }
    /* Was the vessel at sea at the last check?  Real false positions
     * land far inland in one step; river traffic gets inland gradually
     * (every US river system is land in Natural Earth: the rule without
     * this reported 1,525 ships on the 2020-01-01 MarineCadastre day). */
    from_sea = (d->flags & DF__VD_LAND_INIT) && d->land_run == 0;
    d->flags |= DF__VD_LAND_INIT;
    d->land_lon = rec->lon;
    d->land_lat = rec->lat;
    if (!df_land_contains(c->land, rec->lon, rec->lat)) {
        int rc = d->land_open ? emit_on_land(c, t) : 0;
        d->land_open = 0;
        d->land_run = 0;
        d->land_last_ms = rec->t_ms;
        return rc;
    }
    km = df_land_shore_km(c->land, rec->lon, rec->lat,
                          2 * c->cfg->spoof_min_inland_km);
    if (d->land_run == 0) {
        d->land_first_ms = rec->t_ms;
        d->land_first_lon = rec->lon;
        d->land_first_lat = rec->lat;
        d->land_n = 0;
        d->land_max_km = 0;
    }
    if (d->land_run < 255)
        d->land_run++;
    d->land_n++;
    d->land_last_ms = rec->t_ms;
    if (km > d->land_max_km)
        d->land_max_km = (float)km;
    if (km >= c->cfg->spoof_min_inland_km && d->land_run == 1 && from_sea)
        d->land_open = 1;
    return 0;
}

/* ---- zones and ports ---------------------------------------------- */

/* Emits port_call for the visit in d->port* (start = first fix within
 * port_entry_km, end = last fix within port_exit_km). */
static int emit_port(struct df__vctx *c, struct df__track *t)
{
    struct df__vdet *d = &t->det;
    struct df_event ev;
    struct df_buf b = {0};
    const char *name = df_geo_port_name(c->geo, d->port);
    const char *cc = df_geo_port_country(c->geo, d->port);

    ev_init(&ev, DF_EV_PORT_CALL, t, d->port_start_ms, d->port_last_ms,
            d->port_lon, d->port_lat, 0.3);
    df_buf_puts(&b, "{\"port\":");
    df_buf_json_str(&b, name ? name : "", name ? strlen(name) : 0);
    json_str(&b, "country", cc ? cc : "");
    df_buf_printf(&b,
                  ",\"anchorage\":%s,\"duration_hours\":%.2f,"
                  "\"entry_km\":%g,\"exit_km\":%g,\"stop_speed_kn\":%g}",
                  df_geo_port_is_anchorage(c->geo, d->port) ? "true"
                                                            : "false",
                  (d->port_last_ms - d->port_start_ms) / 3600000.0,
                  c->cfg->port_entry_km, c->cfg->port_exit_km,
                  PORT_STOP_DKN / 10.0);
    return ev_emit(c, t, &ev, &b);
}

/* Ends the visit in progress (reported if the vessel stopped). */
static int port_end(struct df__vctx *c, struct df__track *t)
{
    int rc = 0;

    if (t->det.port >= 0 && t->det.port_stopped)
        rc = emit_port(c, t);
    t->det.port = -1;
    return rc;
}

/* Emits zone_entry at rec, with the previous main-track position. */
static int emit_zone(struct df__vctx *c, struct df__track *t,
                     const struct df_rec *rec, int zone)
{
    struct df_event ev;
    struct df_buf b = {0};
    const char *name = df_geo_zone_name(c->geo, zone);

    ev_init(&ev, DF_EV_ZONE_ENTRY, t, rec->t_ms, rec->t_ms, rec->lon,
            rec->lat, 0.6);
    df_buf_puts(&b, "{\"zone\":");
    df_buf_json_str(&b, name ? name : "", name ? strlen(name) : 0);
    json_pos(&b, "entry", rec->lon, rec->lat);
    if (t->pos_ms != DF_TIME_NONE) {
        json_pos(&b, "previous", t->lon, t->lat);
        df_buf_printf(&b, ",\"previous_minutes\":%.1f",
                      (rec->t_ms - t->pos_ms) / 60000.0);
    } else {
        df_buf_puts(&b, ",\"previous\":null");
    }
    df_buf_puts(&b, "}");
    return ev_emit(c, t, &ev, &b);
}

/* 1 if zone z is among the n (ascending) in set. */
static int zone_in_set(const int *set, int n, int z)
{
    int i;

    for (i = 0; i < n && set[i] <= z; i++)
        if (set[i] == z)
            return 1;
    return 0;
}

/* Compares the zones at rec with those of the last lookup: a zone left is
 * remembered for the hysteresis, a zone entered is reported unless it was
 * left less than ZONE_REENTRY_MS ago.  Zones are taken in load order, so
 * the events and their order depend on the input alone. */
static int zone_check(struct df__vctx *c, struct df__track *t,
                      const struct df_rec *rec)
{
    struct df__vdet *d = &t->det;
    int now[DF__VD_ZONES], was[DF__VD_ZONES];
    int n, nwas = 0, i, k, rc = 0;

    n = df_geo_zones_at(c->geo, rec->lon, rec->lat, now, DF__VD_ZONES);
    if (n > DF__VD_ZONES)
        n = DF__VD_ZONES;
    for (i = 0; i < DF__VD_ZONES && d->zone_in[i] >= 0; i++)
        was[nwas++] = d->zone_in[i];
    for (i = 0; i < nwas; i++) {
        if (zone_in_set(now, n, was[i]))
            continue;
        /* The slot of this zone, else a free one, else the oldest. */
        if (d->zone_left[0] == was[i])
            k = 0;
        else if (d->zone_left[1] == was[i])
            k = 1;
        else if (d->zone_left[0] < 0)
            k = 0;
        else if (d->zone_left[1] < 0)
            k = 1;
        else
            k = d->zone_left_ms[0] <= d->zone_left_ms[1] ? 0 : 1;
        d->zone_left[k] = (int16_t)was[i];
        d->zone_left_ms[k] = rec->t_ms;
    }
    for (i = 0; i < n; i++) {
        int z = now[i], recent = 0;

        if (zone_in_set(was, nwas, z))
            continue;
        for (k = 0; k < 2; k++)
            if (d->zone_left[k] == z &&
                rec->t_ms - d->zone_left_ms[k] < ZONE_REENTRY_MS)
                recent = 1;
        if (!recent)
            DF__KEEP(rc, emit_zone(c, t, rec, z));
    }
    for (i = 0; i < DF__VD_ZONES; i++)
        d->zone_in[i] = (int16_t)(i < n ? now[i] : -1);
    return rc;
}

/* Zones and port visits.  The visit bookkeeping (last time inside,
 * stopped) runs for every position; the lookups only after GEO_MOVE_M
 * of movement, since the answer depends on the place alone. */
static int geo_check(struct df__vctx *c, struct df__track *t,
                     const struct df_rec *rec)
{
    const struct df_config *cfg = c->cfg;
    struct df__vdet *d = &t->det;
    int rc = 0, port;
    double km = 0;

    if (!c->geo)
        return 0;
    if (d->port >= 0) {
        d->port_last_ms = rec->t_ms;
        if (!d->port_stopped && rec->speed < PORT_STOP_DKN) {
            d->port_stopped = 1;
            d->port_lon = rec->lon;
            d->port_lat = rec->lat;
        }
    }
    if ((d->flags & DF__VD_GEO_INIT) &&
        near_m(d->geo_lon, d->geo_lat, rec->lon, rec->lat) < GEO_MOVE_M)
        return 0;
    d->geo_lon = rec->lon;
    d->geo_lat = rec->lat;

    DF__KEEP(rc, zone_check(c, t, rec));
    d->flags |= DF__VD_GEO_INIT;

    port = df_geo_port_near(c->geo, rec->lon, rec->lat, cfg->port_exit_km,
                            &km);
    if (d->port >= 0 && port != d->port) {
        /* Left (or moved to a nearer port): the visit ends at the last
         * position still inside. */
        d->port_last_ms = t->pos_ms;
        DF__KEEP(rc, port_end(c, t));
    }
    if (d->port < 0 && port >= 0 && km <= cfg->port_entry_km) {
        d->port = port;
        d->port_start_ms = d->port_last_ms = rec->t_ms;
        d->port_stopped = rec->speed < PORT_STOP_DKN;
        d->port_lon = rec->lon;
        d->port_lat = rec->lat;
    }
    return rc;
}

/* ---- per position ------------------------------------------------- */

int df__vdet_position(struct df__vctx *c, struct df__track *t,
                      const struct df_rec *rec, int *accept)
{
    int rc = 0;

    *accept = 1;
    if (t->pos_ms != DF_TIME_NONE) {
        int64_t before = t->pos_ms;
        rc = jump_check(c, t, rec, accept);
        if (!*accept)
            return rc;
        /* After a takeover the track already moved: no gap across. */
        if (t->pos_ms == before)
            DF__KEEP(rc, gap_check(c, t, rec));
    }
    DF__KEEP(rc, land_check(c, t, rec));
    DF__KEEP(rc, geo_check(c, t, rec));
    return rc;
}

int df__vdet_flush(struct df__vctx *c, struct df__track *t)
{
    struct df__vdet *d = &t->det;
    int rc = close_episode(c, t);

    if (d->land_open) {
        DF__KEEP(rc, emit_on_land(c, t));
        d->land_open = 0;
    }
    if (c->geo)
        DF__KEEP(rc, port_end(c, t));
    return rc;
}
