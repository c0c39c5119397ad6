/*
 * detect_loiter.c - loitering: one vessel drifting at sea, its partner
 * possibly dark.  The engine (meet.c) adds each vessel's resampled point
 * to its clock hour (df__loiter_add() in meet_int.h) and closes the hour
 * here when the next begins; slow hours in a row make an episode, which
 * is reported when it ends.  Shared state: meet_int.h.
 *
 * Sources (METHODS.md row 4; ECOSYSTEM.md section 3 item 3):
 *  - GFW pipe-loitering: hourly mean speed under 2 kn over consecutive
 *    hours, at least 20 nm offshore; the carrier version needs 4 h.
 *
 * Deviations from GFW, and why:
 *  - Loitering uses the resampled points: the mean over each clock hour of
 *    the implied speeds between consecutive ticks (an hour needs at least
 *    half its ticks).  A vessel with a partner within the encounter
 *    distance for PARTNER_TICKS ticks or more during the episode is in an
 *    encounter, not loitering.  Slow fishing that keeps moving at 2-4 kn
 *    never loiters; a fishing vessel drifting under 2 kn does, by the rule,
 *    exactly as in GFW (which publishes loitering for all vessel types and
 *    leaves filtering to the analyst).
 */
#include <math.h>
#include <string.h>

#include "event.h"
#include "meet_int.h"

#define PARTNER_TICKS 3      /* partnered ticks that rule out loitering */

/* Ends vessel v's loitering episode; fills *ev and returns 1 when it is
 * one to report. */
static int loiter_close(struct df__meet *m, struct vessel *vs,
                        struct df_event *ev)
{
    const struct df_config *cfg = m->cfg;
    double dur_h, mspd, lon, lat, weight;
    int32_t elon, elat;
    struct place pl;
    struct df_buf eb = {0};

    if (!vs->ep_open)
        return 0;
    vs->ep_open = 0;
    dur_h = (double)(vs->ep_last - vs->ep_first) * (double)m->step_ms /
            MS_PER_H;
    if (dur_h < cfg->loitering_min_hours || vs->ep_n == 0)
        return 0;
    if (vs->ep_partner >= PARTNER_TICKS)
        return 0;            /* a partner was there: an encounter */
    lon = deg(vs->ref_lon) + vs->ep_lon / vs->ep_n;
    lat = vs->ep_lat / vs->ep_n;
    elon = lon_norm((int64_t)llround(lon * E4MIN_PER_DEG));
    elat = (int32_t)llround(lat * E4MIN_PER_DEG);
    df__place_of(m, elon, elat, cfg->loitering_min_shore_nm * 1.852, 1, &pl);
    if (pl.berth || pl.at_anchorage)
        return 0;
    mspd = vs->ep_spd_n ? vs->ep_spd / vs->ep_spd_n : -1;

    memset(ev, 0, sizeof(*ev));
    ev->type = DF_EV_LOITERING;
    ev->nvessels = 1;
    ev->vessels[0] = vs->mmsi;
    ev->start_ms = vs->ep_first * m->step_ms;
    ev->end_ms = vs->ep_last * m->step_ms;
    ev->lon = elon;
    ev->lat = elat;
    weight = df__kind_weight(&vs->kind);
    ev->score = 0.5 * weight;
    df_buf_printf(&eb, "{\"duration_h\":%.2f", dur_h);
    ev_num(&eb, "mean_speed_kn", mspd, 2);
    ev_num(&eb, "distance_to_shore_km", pl.shore_km, 1);
    df__kind_json(&eb, &vs->kind, weight);
    df_buf_printf(&eb,
              ",\"n_hours\":%d,\"n_points\":%d,\"partner_points\":%d"
              ",\"max_speed_kn\":%g,\"min_hours\":%g,\"min_shore_nm\":%g}",
              vs->ep_hours, vs->ep_n, vs->ep_partner,
              cfg->loitering_max_speed_kn, cfg->loitering_min_hours,
              cfg->loitering_min_shore_nm);
    if (df__event_set_evidence(ev, &eb) != 0)
        m->oom = 1;
    df_buf_free(&eb);
    return 1;
}


/* Closes the clock hour vs->hr.  A slow hour right after the open
 * episode's last hour extends the episode; any other hour ends it, and
 * then *ev is filled and 1 returned when the episode is one to report.  A
 * slow hour that extends no episode starts one when may_start is set.
 * The hour is emptied. */
static int hour_end(struct df__meet *m, struct vessel *vs, int may_start,
                    struct df_event *ev)
{
    int slow = vs->hr != NO_TICK && vs->hr_n * 2 >= (int)m->tph &&
               vs->hr_spd_n > 0 &&
               vs->hr_spd / vs->hr_spd_n < m->cfg->loitering_max_speed_kn;
    int got = 0;

    if (!slow || !vs->ep_open || vs->ep_hr != vs->hr - 1)
        got = loiter_close(m, vs, ev);
    if (slow && (vs->ep_open || may_start)) {
        if (!vs->ep_open) {
            vs->ep_open = 1;
            vs->ep_first = vs->hr_first;
            vs->ep_hours = vs->ep_n = vs->ep_spd_n = vs->ep_partner = 0;
            vs->ep_spd = vs->ep_lon = vs->ep_lat = 0;
        }
        vs->ep_last = vs->hr_last;
        vs->ep_hr = vs->hr;
        vs->ep_hours++;
        vs->ep_n += vs->hr_n;
        vs->ep_spd += vs->hr_spd;
        vs->ep_spd_n += vs->hr_spd_n;
        vs->ep_partner += vs->hr_partner;
        vs->ep_lon += vs->hr_lon;
        vs->ep_lat += vs->hr_lat;
    }
    vs->hr = NO_TICK;
    vs->hr_n = vs->hr_spd_n = vs->hr_partner = 0;
    vs->hr_spd = vs->hr_lon = vs->hr_lat = 0;
    return got;
}

int df__loiter_hour_close(struct df__meet *m, struct vessel *vs)
{
    struct df_event ev;

    if (hour_end(m, vs, 1, &ev))
        return m->emit(&ev, m->ud);
    return 0;
}

int df__loiter_finish(struct df__meet *m, struct vessel *vs)
{
    struct df_event ev;
    int rc;

    if (vs->hr != NO_TICK && (rc = df__loiter_hour_close(m, vs)) != 0)
        return rc;
    if (loiter_close(m, vs, &ev) && (rc = m->emit(&ev, m->ud)) != 0)
        return rc;
    return 0;
}

/* A vessel being forgotten starts no episode, so at most one episode
 * ends here: the one its last hour did not extend, or the one it did. */
int df__loiter_forget(struct df__meet *m, struct vessel *vs,
                      struct df_event *ev)
{
    if (hour_end(m, vs, 0, ev))
        return 1;
    return loiter_close(m, vs, ev);
}
