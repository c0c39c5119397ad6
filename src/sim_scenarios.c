/*
 * sim_scenarios.c - the planted scenarios of the simulator
 * (DF_SIM_SCENARIOS in darkfleet.h) and their table.
 *
 * A scenario plants a vessel or two on scripts of legs at real
 * coordinates (sim_script.c).  Its build() writes the scripts from time 0,
 * its observe() measures the reports actually sent (first and last report
 * within 500 m, last report before a silence, entry into the DPRK zone
 * that darkfleet ships, ...), and its truth() hands out the planted events
 * in the event format; a decoy's come with score -1 and say what must NOT
 * be reported.  Each scenario's functions are grouped below under a
 * comment on what it plants and what must (or must not) be detected;
 * scenarios that follow one rule share functions.  Adding a scenario is a
 * name in DF_SIM_SCENARIOS, its functions here and its row in the table
 * at the end.
 *
 * The order of the random draws is part of the output: build() draws from
 * sim->rng, and no call that draws may move, nor may a call whose
 * arguments draw twice be split (C leaves the order of arguments to the
 * compiler; the same expression keeps the same order).
 */
#include <stdio.h>
#include <string.h>

#include "sim_int.h"

/* ---- places --------------------------------------------------------- */

/* Lianyungang outer anchorage (PoE S/2020/151) and a berth in Busan North
 * Port 0.3-0.6 km from the Natural Earth shore. */
#define ANCH_LAT 34.75
#define ANCH_LON 119.60
#define BERTH_LAT 35.114
#define BERTH_LON 129.060
#define NAMPO_LAT 38.716667
#define NAMPO_LON 125.4

/* Water approach to Nampo from the Korea Bay: a shortest path on a
 * 0.005-degree grid that stays off Natural Earth 1:10m and 1:50m land,
 * simplified to straight legs; it ends 1.9 km from the port. */
static const double nampo_path[][2] = {
    {38.0, 123.9}, {38.55, 124.82}, {38.67, 125.125}, {38.71, 125.38},
};
#define NAMPO_N (sizeof nampo_path / sizeof nampo_path[0])

/* The seaward edge of North Korean waters in the Korea Bay (OpenStreetMap
 * maritime boundary, 10 km simplification): longitude by latitude. */
static double dprk_edge_lon(double lat)
{
    static const double tab[][2] = {
        {38.0, 124.81}, {38.1, 124.39}, {38.2, 124.41}, {38.3, 124.56},
        {38.4, 124.54}, {38.5, 124.51}, {38.6, 124.52}, {38.7, 124.60},
        {38.8, 124.71}};
    unsigned i, n = sizeof tab / sizeof tab[0];

    if (lat <= tab[0][0])
        return tab[0][1];
    for (i = 1; i < n; i++)
        if (lat <= tab[i][0])
            return tab[i - 1][1] + (lat - tab[i - 1][0]) /
                                       (tab[i][0] - tab[i - 1][0]) *
                                       (tab[i][1] - tab[i - 1][1]);
    return tab[n - 1][1];
}

static int in_dprk(double lat, double lon)
{
    return lat > 37.9 && lat < 39.9 && lon < 126.0 &&
           lon > dprk_edge_lon(lat);
}

/* ---- measures and truth --------------------------------------------- */

static double hours(int64_t a, int64_t b)
{
    return (double)(b - a) / (double)HOUR;
}

/* Counts a speed into the plant's minimum, maximum and mean. */
static void add_sog(struct plant *p, double sog)
{
    if (p->n_close == 0 || sog < p->min_sog)
        p->min_sog = sog;
    if (sog > p->max_sog)
        p->max_sog = sog;
    p->sum_sog += sog;
    p->n_close++;
}

static double mean_sog(const struct plant *p)
{
    return p->n_close ? p->sum_sog / (double)p->n_close : 0;
}

/* Counts a position into the mean that the detectors report. */
static void add_pos(struct plant *p, double lat, double lon)
{
    p->sum_lat += lat;
    p->sum_lon += lon;
    p->n_pos++;
}

/* Makes the plant's position the mean of those counted, if any. */
static void mean_pos(struct plant *p)
{
    if (p->n_pos) {
        p->lat = p->sum_lat / (double)p->n_pos;
        p->lon = p->sum_lon / (double)p->n_pos;
    }
}

/* The distance in metres from a's report f at t to its partner (the
 * plant's other role of two), whose fix goes into *g; -1 when the partner
 * is not reporting: not yet started, retired, or silent. */
static double partner_dist(const struct df_sim *sim, const struct plant *p,
                           const struct actor *a, int64_t t,
                           const struct fix *f, struct fix *g)
{
    const struct actor *o = &sim->act[p->actor[!a->role]];

    if (!o->started || o->retired)
        return -1;
    df__sim_where(o, t, sim->t_start, g);
    if (g->silent)
        return -1;
    return dist_m(f->lat, f->lon, g->lat, g->lon);
}

/* ---- encounter, anchorage_encounter --------------------------------- */

/* Sails at kn knots to 3 km from (lat, lon) on bearing brg, then at 3 kn
 * to (lat, lon); returns the time of arrival. */
static int64_t come_in(struct builder *b, double lat, double lon,
                       double brg, double kn)
{
    double la, lo;

    dest(lat, lon, brg, 3000, &la, &lo);
    df__sim_sail(b, la, lo, kn);
    df__sim_sail(b, lat, lon, 3);
    return b->t;
}

/* Two tankers (a flag of convenience and a North Korean one) meet at open
 * sea in the East China Sea, 190+ km from shore, and drift 100 m apart for
 * 3-6 h at under 1 kn: an encounter (within 500 m for 2 h or more at a
 * median speed under 2 kn).  anchorage_encounter: the same with a Chinese
 * partner, 1-3 km from the Lianyungang outer anchorage; it must be
 * reported as an encounter at anchorage (at_anchorage in the evidence)
 * when the anchorage is given. */
static void enc_build(struct df_sim *sim, struct plant *p)
{
    uint64_t *r = &sim->rng;
    int anch = p->scenario == DF_SIM_ANCHORAGE_ENCOUNTER;
    struct builder b, b2;
    struct script *s, *s2;
    struct leg *l;
    double lat, lon, lat2, lon2, brg, d, ang, lat_m, lon_m, brg_a, brg_b;
    int64_t arrive, ta, tb, hold_ms;

    if (anch) {
        /* 1-3 km from the anchorage point, approached from the
         * sea to the east */
        dest(ANCH_LAT, ANCH_LON, uni(r, 0, 360), uni(r, 1000, 3000),
             &lat_m, &lon_m);
        brg_a = uni(r, 80, 110);
        brg_b = uni(r, 50, 70);
        p->site_lat = ANCH_LAT;
        p->site_lon = ANCH_LON;
        p->site = "LIANYUNGANG ANCHORAGE";
    } else {
        /* East China Sea STS area, 190+ km from shore */
        lat_m = uni(r, 30.7, 31.4);
        lon_m = uni(r, 124.2, 124.9);
        brg_a = uni(r, 205, 245);
        brg_b = uni(r, 350, 370);
    }
    p->lat = lat_m;
    p->lon = lon_m;
    df__sim_plant_vessel(sim, p, FL_FOC, 'T', &s);
    df__sim_plant_vessel(sim, p, anch ? FL_CN : FL_KP, 'T', &s2);
    s->id[0].draught = s->id[1].draught = 120;
    s2->id[0].draught = s2->id[1].draught = 65;
    /* the partner lies 100 m abeam and comes in from that side, so
     * the two never pass closer than their offset */
    ang = brg_a + (pick(r, 2) ? 90 : -90) + uni(r, -20, 20);
    /* approach: 12 kn to 3 km out, then 3 kn to the meeting point */
    dest(lat_m, lon_m, brg_a, anch ? 30000 : 55000, &lat, &lon);
    df__sim_start_at(&b, s, lat, lon);
    ta = come_in(&b, lat_m, lon_m, brg_a, 12);
    lat2 = lat_m;
    lon2 = lon_m;
    offset(&lat2, &lon2, 100 * cos(rad(ang)), 100 * sin(rad(ang)));
    dest(lat_m, lon_m, brg_b, anch ? 30000 : 55000, &lat, &lon);
    df__sim_start_at(&b2, s2, lat, lon);
    tb = come_in(&b2, lat2, lon2, ang, 11);
    /* both arrive at the same moment */
    arrive = ta > tb ? ta : tb;
    df__sim_script_shift(s, arrive - ta);
    df__sim_script_shift(s2, arrive - tb);
    b.t = b2.t = arrive;
    hold_ms = (int64_t)(uni(r, 3, 6) * 60) * MIN;
    brg = uni(r, 0, 360);
    d = uni(r, 0.1, anch ? 0.3 : 0.5);
    l = df__sim_drift(&b, hold_ms, d, brg, ang);
    if (l)
        l->status = anch ? 1 : 0;
    b2.lat = lat_m;
    b2.lon = lon_m;
    l = df__sim_drift(&b2, hold_ms, d, brg, ang);
    if (l) {
        l->status = anch ? 1 : 0;
        l->off_n = 100 * cos(rad(ang));
        l->off_e = 100 * sin(rad(ang));
        df__sim_end_leg(&b2, l);
    }
    p->key_leg = 2;
    df__sim_sail(&b, b.lat + 0.02, b.lon + 0.02, 4);
    df__sim_sail_brg(&b, anch ? 100 : 150, 50000, 12);
    df__sim_sail(&b2, b2.lat + 0.02, b2.lon - 0.02, 4);
    df__sim_sail_brg(&b2, anch ? 70 : 10, 50000, 11);
}

/* Of a pair (the encounters and the pair decoys): the reports within
 * 500 m of the partner, their distances, speeds and midpoints. */
static void enc_observe(struct df_sim *sim, struct plant *p,
                        const struct actor *a, int64_t t, const struct fix *f)
{
    struct fix g;
    double d = partner_dist(sim, p, a, t, f, &g);

    if (d < 0 || d > 500)
        return;
    if (p->close0 == DF_TIME_NONE)
        p->close0 = t;
    p->close1 = t;
    if (p->n_close == 0 || d < p->min_d)
        p->min_d = d;
    if (d > p->max_d)
        p->max_d = d;
    add_sog(p, f->sog);
    add_pos(p, (f->lat + g.lat) / 2, (f->lon + g.lon) / 2);
}

static void enc_truth(struct df_sim *sim, struct plant *p,
                      const struct cast *c)
{
    char ev[DF_EVIDENCE_MAX];
    double sog = mean_sog(p);

    mean_pos(p);
    if (p->site)
        snprintf(ev, sizeof ev,
                 "{\"scenario\":\"%s\",\"at_anchorage\":true,"
                 "\"anchorage\":\"%s\",\"anchorage_lat\":%.5f,"
                 "\"anchorage_lon\":%.5f,\"anchorage_km\":%.2f,"
                 "\"min_distance_m\":%.0f,\"max_distance_m\":%.0f,"
                 "\"mean_speed_kn\":%.2f,\"hours\":%.2f}",
                 c->name, p->site, p->site_lat, p->site_lon,
                 dist_m(p->lat, p->lon, p->site_lat, p->site_lon) / 1000,
                 p->min_d, p->max_d, sog, hours(p->close0, p->close1));
    else
        snprintf(ev, sizeof ev,
                 "{\"scenario\":\"%s\",\"at_anchorage\":false,"
                 "\"min_distance_m\":%.0f,\"max_distance_m\":%.0f,"
                 "\"mean_speed_kn\":%.2f,\"hours\":%.2f}",
                 c->name, p->min_d, p->max_d, sog,
                 hours(p->close0, p->close1));
    df__sim_truth(sim, DF_EV_ENCOUNTER, c->v, 2, p->close0, p->close1, p->lat,
                  p->lon, 1.0, ev);
}

/* ---- loitering ------------------------------------------------------ */

/* A tanker under a flag of convenience sails 45 km to a point of the East
 * China Sea, drifts there 8 h at 0.3-0.8 kn, and sails off: loitering (a
 * mean speed under 2 kn for 4 h or more, 20 nm and more offshore). */
static void loiter_build(struct df_sim *sim, struct plant *p)
{
    uint64_t *r = &sim->rng;
    struct builder b;
    struct script *s;
    double lat, lon;

    p->lat = uni(r, 29.8, 30.3);
    p->lon = uni(r, 124.1, 124.7);
    df__sim_plant_vessel(sim, p, FL_FOC, 'T', &s);
    dest(p->lat, p->lon, uni(r, 250, 290), 45000, &lat, &lon);
    df__sim_start_at(&b, s, lat, lon);
    df__sim_sail(&b, p->lat, p->lon, 12);
    p->key_leg = 1;
    df__sim_drift(&b, 8 * HOUR, uni(r, 0.3, 0.8), uni(r, 0, 360),
                  uni(r, 0, 2 * PI));
    df__sim_sail_brg(&b, uni(r, 60, 120), 45000, 12);
}

/* Of loitering and the fishing decoy: the reports during the key leg,
 * their speeds and positions. */
static void loiter_observe(struct df_sim *sim, struct plant *p,
                           const struct actor *a, int64_t t,
                           const struct fix *f)
{
    (void)sim;
    (void)a;
    if (f->leg != p->key_leg)
        return;
    if (p->key0 == DF_TIME_NONE)
        p->key0 = t;
    p->key1 = t;
    add_sog(p, f->sog);
    add_pos(p, f->lat, f->lon);
}

/* The loitering event of the key leg; extra goes into the evidence after
 * the scenario's name. */
static void stay_truth(struct df_sim *sim, const struct plant *p,
                       const struct cast *c, const char *extra,
                       double score)
{
    char ev[DF_EVIDENCE_MAX];

    snprintf(ev, sizeof ev,
             "{\"scenario\":\"%s\",%s\"mean_speed_kn\":%.2f,"
             "\"min_speed_kn\":%.1f,\"max_speed_kn\":%.1f,"
             "\"hours\":%.2f}",
             c->name, extra, mean_sog(p), p->min_sog, p->max_sog,
             hours(p->key0, p->key1));
    df__sim_truth(sim, DF_EV_LOITERING, c->v, 1, p->key0, p->key1, p->lat,
                  p->lon, score, ev);
}

static void loiter_truth(struct df_sim *sim, struct plant *p,
                         const struct cast *c)
{
    mean_pos(p);
    stay_truth(sim, p, c, "", 1.0);
}

/* ---- gap, draught_change, decoy_short_gap --------------------------- */

/* gap: a tanker sails 8 h at 11 kn to a point of the East China Sea, goes
 * dark for 18 h and reappears 150 km on: an AIS gap (12 h or more, 50 nm
 * and more from shore).  draught_change: a tanker under a flag of
 * convenience goes dark 14 h in the Yellow Sea and comes back the way it
 * came with a draught of 7.5 m instead of 12.0 m: a gap and a draught
 * change (1 m or more across a gap).  decoy_short_gap: a tanker silent
 * for 2 h at sea, which must NOT be reported as a gap (under 12 h, or 6 h
 * near a zone). */
static void gap_build(struct df_sim *sim, struct plant *p)
{
    uint64_t *r = &sim->rng;
    struct builder b;
    struct script *s;
    double lat, lon, lat2, lon2, brg, d;
    double kn = 11;
    int64_t dark;
    enum flagk flag = p->scenario == DF_SIM_DRAUGHT_CHANGE ? FL_FOC : FL_ANY;

    df__sim_plant_vessel(sim, p, flag, 'T', &s);
    if (p->scenario == DF_SIM_GAP) {
        p->lat = uni(r, 30.4, 30.8);
        p->lon = uni(r, 124.1, 124.6);
        brg = uni(r, 40, 60);
        dark = 18 * HOUR;
        d = 150000;
    } else if (p->scenario == DF_SIM_DRAUGHT_CHANGE) {
        /* the Yellow Sea, 160+ km from shore, heading north */
        p->lat = uni(r, 34.6, 35.0);
        p->lon = uni(r, 123.4, 123.8);
        brg = uni(r, 0, 20);
        dark = 14 * HOUR;
        d = 100000;
    } else {
        p->lat = uni(r, 29.9, 30.3);
        p->lon = uni(r, 125.0, 125.5);
        brg = uni(r, 20, 40);
        dark = 2 * HOUR;
        d = 2 * 3600 * kn * KN_MS;
    }
    dest(p->lat, p->lon, brg + 180, 8 * 3600 * kn * KN_MS, &lat, &lon);
    df__sim_start_at(&b, s, lat, lon);
    df__sim_sail(&b, p->lat, p->lon, kn);
    dest(p->lat, p->lon, brg, d, &lat2, &lon2);
    p->key_leg = 1;
    df__sim_go_dark(&b, dark, lat2, lon2);
    if (p->scenario == DF_SIM_DRAUGHT_CHANGE) {
        s->id[0].draught = 120;
        s->id[1] = s->id[0];
        s->id[1].draught = 75;
        s->switch_ms = b.t;
        df__sim_sail_brg(&b, brg + 180, 6 * 3600 * kn * KN_MS, kn);
    } else {
        df__sim_sail_brg(&b, brg, 6 * 3600 * kn * KN_MS, kn);
    }
}

/* The last report before the silence and the first after it. */
static void gap_observe(struct df_sim *sim, struct plant *p,
                        const struct actor *a, int64_t t, const struct fix *f)
{
    (void)sim;
    (void)a;
    if (f->leg < p->key_leg) {
        p->before = t;
        p->before_lat = f->lat;
        p->before_lon = f->lon;
    } else if (p->after == DF_TIME_NONE) {
        p->after = t;
        p->after_lat = f->lat;
        p->after_lon = f->lon;
    }
}

/* The gap event; extra goes into the evidence after the scenario's
 * name. */
static void dark_truth(struct df_sim *sim, const struct plant *p,
                       const struct cast *c, const char *extra,
                       double score)
{
    char ev[DF_EVIDENCE_MAX];
    double km = dist_m(p->before_lat, p->before_lon, p->after_lat,
                       p->after_lon) / 1000;
    double h = hours(p->before, p->after);

    snprintf(ev, sizeof ev,
             "{\"scenario\":\"%s\",%s\"hours\":%.2f,"
             "\"distance_km\":%.1f,\"implied_speed_kn\":%.2f,"
             "\"end_lat\":%.5f,\"end_lon\":%.5f}",
             c->name, extra, h, km, h > 0 ? km / 1.852 / h : 0,
             p->after_lat, p->after_lon);
    df__sim_truth(sim, DF_EV_GAP, c->v, 1, p->before, p->after, p->before_lat,
                  p->before_lon, score, ev);
}

static void gap_truth(struct df_sim *sim, struct plant *p,
                      const struct cast *c)
{
    dark_truth(sim, p, c, "", 1.0);
}

static void draught_truth(struct df_sim *sim, struct plant *p,
                          const struct cast *c)
{
    char ev[DF_EVIDENCE_MAX];

    dark_truth(sim, p, c, "", 1.0);
    snprintf(ev, sizeof ev,
             "{\"scenario\":\"%s\",\"draught_before_m\":%.1f,"
             "\"draught_after_m\":%.1f,\"gap_hours\":%.2f}",
             c->name, c->a->sc->id[0].draught / 10.0,
             c->a->sc->id[1].draught / 10.0, hours(p->before, p->after));
    df__sim_truth(sim, DF_EV_DRAUGHT_CHANGE, c->v, 1, p->before, p->after,
                  p->before_lat, p->before_lon, 1.0, ev);
}

static void short_gap_truth(struct df_sim *sim, struct plant *p,
                            const struct cast *c)
{
    dark_truth(sim, p, c, "\"decoy\":true,", -1.0);
}

/* ---- spoofing ------------------------------------------------------- */

/* A tanker under a flag of convenience sails 10 h in the East China Sea;
 * 4 h in it reports for 3 minutes a position 300 km to the south-east,
 * 7 h in for 2 minutes one inland in Anhui: two spoofing events
 * (implied speeds over 50 kn; a position 50 km and more inland). */
static void spoof_build(struct df_sim *sim, struct plant *p)
{
    uint64_t *r = &sim->rng;
    struct builder b;
    struct script *s;
    double lat, lon;

    df__sim_plant_vessel(sim, p, FL_FOC, 'T', &s);
    lat = uni(r, 32.6, 33.2);
    lon = uni(r, 123.4, 124.2);
    df__sim_start_at(&b, s, lat, lon);
    df__sim_sail_brg(&b, uni(r, 0, 30), 10 * 3600 * 12 * KN_MS, 12);
    /* 4 h in: 3 minutes 300 km to the south-east; 7 h in: two
     * minutes inland, in Anhui */
    df__sim_leg_eval(&s->leg[0], 4 * HOUR, &lat, &lon);
    s->fake_t0[0] = 4 * HOUR;
    s->fake_t1[0] = 4 * HOUR + 3 * MIN;
    dest(lat, lon, uni(r, 120, 150), 300000, &s->fake_lat[0],
         &s->fake_lon[0]);
    s->fake_t0[1] = 7 * HOUR;
    s->fake_t1[1] = 7 * HOUR + 2 * MIN;
    s->fake_lat[1] = 31.5 + uni(r, -0.05, 0.05);
    s->fake_lon[1] = 118.0 + uni(r, -0.05, 0.05);
    s->nfake = 2;
    df__sim_leg_eval(&s->leg[0], 4 * HOUR, &p->lat, &p->lon);
}

/* Per fake window: its first and last report, where the first was and
 * how far it jumped from the last true position. */
static void spoof_observe(struct df_sim *sim, struct plant *p,
                          const struct actor *a, int64_t t, const struct fix *f)
{
    (void)sim;
    (void)a;
    if (f->fake) {
        int i = f->fake - 1;
        if (p->fake0[i] == DF_TIME_NONE) {
            p->fake0[i] = t;
            p->fake_at_lat[i] = f->lat;
            p->fake_at_lon[i] = f->lon;
            p->fake_km[i] = dist_m(p->last_lat, p->last_lon, f->lat,
                                   f->lon) / 1000;
        }
        p->fake1[i] = t;
    } else {
        p->last_lat = f->lat;
        p->last_lon = f->lon;
    }
}

static void spoof_truth(struct df_sim *sim, struct plant *p,
                        const struct cast *c)
{
    char ev[DF_EVIDENCE_MAX];
    int i;

    for (i = 0; i < 2; i++) {
        snprintf(ev, sizeof ev,
                 "{\"scenario\":\"%s\",\"kind\":\"%s\","
                 "\"jump_km\":%.0f,\"fake_lat\":%.5f,"
                 "\"fake_lon\":%.5f}",
                 c->name, i == 0 ? "jump" : "on_land", p->fake_km[i],
                 c->a->sc->fake_lat[i], c->a->sc->fake_lon[i]);
        df__sim_truth(sim, DF_EV_SPOOFING, c->v, 1, p->fake0[i], p->fake1[i],
                      p->fake_at_lat[i], p->fake_at_lon[i], 1.0, ev);
    }
}

/* ---- mmsi_collision ------------------------------------------------- */

/* Two cargo ships hundreds of km apart, one in the East China Sea and one
 * in the Yellow Sea, report the same MMSI for 6 h: an MMSI collision
 * (one MMSI at two places 50 km and more apart). */
static void coll_build(struct df_sim *sim, struct plant *p)
{
    uint64_t *r = &sim->rng;
    struct builder b, b2;
    struct script *s, *s2;
    struct actor *a, *a2;
    int64_t dur6 = 6 * HOUR;

    a = df__sim_plant_vessel(sim, p, FL_FOC, 'C', &s);
    a2 = df__sim_plant_vessel(sim, p, FL_ANY, 'C', &s2);
    a2->mmsi = a->mmsi;
    p->lat = uni(r, 30.8, 31.2);
    p->lon = uni(r, 125.3, 125.7);
    df__sim_start_at(&b, s, p->lat, p->lon);
    df__sim_sail_brg(&b, uni(r, 30, 60), 6 * 3600 * 11 * KN_MS, 11);
    df__sim_start_at(&b2, s2, uni(r, 34.3, 34.7), uni(r, 123.1, 123.5));
    df__sim_sail_brg(&b2, uni(r, 340, 380), 6 * 3600 * 11 * KN_MS, 11);
    /* both sail exactly 6 h */
    s->leg[0].t1 = s2->leg[0].t1 = dur6;
}

/* The least distance between the two. */
static void coll_observe(struct df_sim *sim, struct plant *p,
                         const struct actor *a, int64_t t, const struct fix *f)
{
    struct fix g;
    double d = partner_dist(sim, p, a, t, f, &g);

    if (d >= 0 && (p->min_d == 0 || d < p->min_d))
        p->min_d = d;
}

static void coll_truth(struct df_sim *sim, struct plant *p,
                       const struct cast *c)
{
    char ev[DF_EVIDENCE_MAX];
    int64_t t0 = p->first[0] > p->first[1] ? p->first[0] : p->first[1];
    int64_t t1 = p->last[0] < p->last[1] ? p->last[0] : p->last[1];

    snprintf(ev, sizeof ev,
             "{\"scenario\":\"%s\",\"names\":[\"%s\",\"%s\"],"
             "\"min_distance_km\":%.0f}",
             c->name, c->a->sc->id[0].name, c->a2->sc->id[0].name,
             p->min_d / 1000);
    df__sim_truth(sim, DF_EV_MMSI_COLLISION, c->v, 1, t0, t1, p->lat, p->lon,
                  1.0, ev);
}

/* ---- identity_change ------------------------------------------------ */

/* A tanker under a flag of convenience sails 12 h in the Yellow Sea and,
 * 6 h in, sends a new name, call sign and IMO number under the same
 * MMSI: an identity change. */
static void idchg_build(struct df_sim *sim, struct plant *p)
{
    uint64_t *r = &sim->rng;
    struct builder b;
    struct script *s;
    struct actor *a;
    unsigned mid;

    a = df__sim_plant_vessel(sim, p, FL_FOC, 'T', &s);
    df__sim_start_at(&b, s, uni(r, 33.3, 33.7), uni(r, 122.8, 123.3));
    df__sim_sail_brg(&b, uni(r, 0, 20), 12 * 3600 * 12 * KN_MS, 12);
    mid = a->mmsi / 1000000;
    do
        df__sim_make_name(r, mid, s->id[0].shiptype, s->id[1].name);
    while (strcmp(s->id[0].name, s->id[1].name) == 0);
    df__sim_make_callsign(r, mid, s->id[1].callsign);
    s->id[1].imo = df__sim_make_imo(r, 0);
    s->switch_ms = 6 * HOUR;
    df__sim_leg_eval(&s->leg[0], 6 * HOUR, &p->lat, &p->lon);
}

/* The first report with the new identity. */
static void idchg_observe(struct df_sim *sim, struct plant *p,
                          const struct actor *a, int64_t t, const struct fix *f)
{
    (void)sim;
    (void)f;
    if (p->switched == DF_TIME_NONE && t >= a->sc->switch_ms)
        p->switched = t;
}

static void idchg_truth(struct df_sim *sim, struct plant *p,
                        const struct cast *c)
{
    const struct ident *o = &c->a->sc->id[0], *n = &c->a->sc->id[1];
    char ev[DF_EVIDENCE_MAX];

    snprintf(ev, sizeof ev,
             "{\"scenario\":\"%s\",\"old\":{\"shipname\":\"%s\","
             "\"callsign\":\"%s\",\"imo\":%u},\"new\":{\"shipname\":"
             "\"%s\",\"callsign\":\"%s\",\"imo\":%u}}",
             c->name, o->name, o->callsign, (unsigned)o->imo, n->name,
             n->callsign, (unsigned)n->imo);
    df__sim_truth(sim, DF_EV_IDENTITY_CHANGE, c->v, 1, p->switched,
                  p->switched, p->lat, p->lon, 1.0, ev);
}

/* ---- invalid_identity ----------------------------------------------- */

/* Two ships sail 8 h: a cargo ship whose MMSI has MID 299, which ITU has
 * not allocated (RR Appendix 43), and a tanker whose IMO number fails its
 * check digit: two invalid identities, one per field.  Nothing to observe
 * beyond the first and last report of each. */
static void invalid_build(struct df_sim *sim, struct plant *p)
{
    uint64_t *r = &sim->rng;
    struct builder b, b2;
    struct script *s, *s2;
    struct actor *a;

    a = df__sim_plant_vessel(sim, p, FL_ANY, 'C', &s);
    /* MID 299: not allocated by ITU (RR Appendix 43) */
    a->mmsi = 299000000 + a->mmsi % 1000000;
    df__sim_start_at(&b, s, uni(r, 29.8, 30.1), uni(r, 123.7, 124.0));
    p->lat = b.lat;
    p->lon = b.lon;
    df__sim_sail_brg(&b, uni(r, 10, 30), 8 * 3600 * 11 * KN_MS, 11);
    df__sim_plant_vessel(sim, p, FL_FOC, 'T', &s2);
    s2->id[0].imo = s2->id[0].imo / 10 * 10 +
                    (s2->id[0].imo % 10 + 1 + pick(r, 9)) % 10;
    s2->id[1] = s2->id[0];
    df__sim_start_at(&b2, s2, uni(r, 32.9, 33.2), uni(r, 124.3, 124.7));
    df__sim_sail_brg(&b2, uni(r, 330, 350), 8 * 3600 * 11 * KN_MS, 11);
}

static void invalid_truth(struct df_sim *sim, struct plant *p,
                          const struct cast *c)
{
    char ev[DF_EVIDENCE_MAX];

    snprintf(ev, sizeof ev,
             "{\"scenario\":\"%s\",\"field\":\"mmsi\",\"mid\":%u}", c->name,
             (unsigned)(c->a->mmsi / 1000000));
    df__sim_truth(sim, DF_EV_INVALID_IDENTITY, c->v, 1, p->first[0],
                  p->last[0], p->lat, p->lon, 1.0, ev);
    snprintf(ev, sizeof ev,
             "{\"scenario\":\"%s\",\"field\":\"imo\",\"imo\":%u}", c->name,
             (unsigned)c->a2->sc->id[0].imo);
    df__sim_truth(sim, DF_EV_INVALID_IDENTITY, c->v + 1, 1, p->first[1],
                  p->last[1], c->a2->sc->leg[0].lat0, c->a2->sc->leg[0].lon0,
                  1.0, ev);
}

/* ---- zone_entry ----------------------------------------------------- */

/* A Chinese cargo ship crosses the Korea Bay into North Korean waters,
 * drifts there 2 h and sails back: a zone entry (measured against the
 * DPRK zone darkfleet ships, or without it an approximate boundary). */
static void zone_build(struct df_sim *sim, struct plant *p)
{
    uint64_t *r = &sim->rng;
    struct builder b;
    struct script *s;
    double lat;

    df__sim_plant_vessel(sim, p, FL_CN, 'C', &s);
    df__sim_start_at(&b, s, uni(r, 38.0, 38.1), uni(r, 123.5, 123.6));
    lat = uni(r, 38.35, 38.45);
    df__sim_sail(&b, lat, 124.75, 10);
    df__sim_hold(&b, L_DRIFT, 2 * HOUR);
    s->leg[1].status = 1;
    df__sim_sail(&b, uni(r, 38.0, 38.1), 123.5, 10);
    p->lat = lat;
    p->lon = dprk_edge_lon(lat);
}

/* The first and last report inside, and where the first was. */
static void zone_observe(struct df_sim *sim, struct plant *p,
                         const struct actor *a, int64_t t, const struct fix *f)
{
    (void)a;
    if (sim->zones ? df_geo_zone_at(sim->zones, wire(f->lon),
                                    wire(f->lat)) >= 0
                   : in_dprk(f->lat, f->lon)) {
        if (p->in0 == DF_TIME_NONE) {
            p->in0 = t;
            p->before_lat = f->lat;
            p->before_lon = f->lon;
        }
        p->in1 = t;
    }
}

static void zone_truth(struct df_sim *sim, struct plant *p,
                       const struct cast *c)
{
    char ev[DF_EVIDENCE_MAX];

    snprintf(ev, sizeof ev,
             "{\"scenario\":\"%s\",\"zone\":\"%s\","
             "\"hours_inside\":%.2f}",
             c->name, sim->zones ? "built-in DPRK zone"
                                 : "DPRK waters (approximate, OSM)",
             hours(p->in0, p->in1));
    df__sim_truth(sim, DF_EV_ZONE_ENTRY, c->v, 1, p->in0, p->in1,
                  p->before_lat, p->before_lon, 1.0, ev);
}

/* ---- port_call ------------------------------------------------------ */

/* A cargo ship under a flag of convenience, bound for NAMPO, sails the
 * water approach into Nampo, lies moored there 6-10 h and sails out: a
 * zone entry and a port call in North Korea (entry within 3 km, exit
 * beyond 4 km). */
static void port_build(struct df_sim *sim, struct plant *p)
{
    uint64_t *r = &sim->rng;
    struct builder b;
    unsigned i;
    struct script *s;
    struct leg *l;

    df__sim_plant_vessel(sim, p, FL_FOC, 'C', &s);
    snprintf(s->id[0].dest, sizeof s->id[0].dest, "NAMPO");
    s->id[1] = s->id[0];
    df__sim_start_at(&b, s, nampo_path[0][0] - 0.3, nampo_path[0][1] - 0.5);
    for (i = 0; i < NAMPO_N; i++)
        df__sim_sail(&b, nampo_path[i][0], nampo_path[i][1],
                     i + 1 == NAMPO_N ? 6 : 10);
    l = df__sim_hold(&b, L_MOORED, (int64_t)(uni(r, 6, 10) * 60) * MIN);
    if (l) {
        l->status = 5;
        l->heading = (int)pick(r, 360);
    }
    p->key_leg = (int)NAMPO_N;
    for (i = NAMPO_N - 1; i-- > 0;)
        df__sim_sail(&b, nampo_path[i][0], nampo_path[i][1], 10);
    df__sim_sail(&b, nampo_path[0][0] - 0.3, nampo_path[0][1] - 0.5, 10);
    p->lat = p->site_lat = NAMPO_LAT;
    p->lon = p->site_lon = NAMPO_LON;
    p->site = "NAMPO";
}

/* The zone, and the visit: first report within 3 km of the port, last
 * within 4 km, and the mean position of the stop. */
static void port_observe(struct df_sim *sim, struct plant *p,
                         const struct actor *a, int64_t t, const struct fix *f)
{
    double d;

    zone_observe(sim, p, a, t, f);
    d = dist_m(f->lat, f->lon, p->site_lat, p->site_lon);
    if (d <= 3000 && p->port0 == DF_TIME_NONE)
        p->port0 = t;
    if (d <= 3000 && f->sog < 0.2)
        add_pos(p, f->lat, f->lon);
    if (d <= 4000 && p->port0 != DF_TIME_NONE)
        p->port1 = t;
}

static void port_truth(struct df_sim *sim, struct plant *p,
                       const struct cast *c)
{
    char ev[DF_EVIDENCE_MAX];

    mean_pos(p);
    zone_truth(sim, p, c);
    snprintf(ev, sizeof ev,
             "{\"scenario\":\"%s\",\"port\":\"%s\",\"country\":"
             "\"KP\",\"hours\":%.2f}",
             c->name, p->site, hours(p->port0, p->port1));
    df__sim_truth(sim, DF_EV_PORT_CALL, c->v, 1, p->port0, p->port1, p->lat,
                  p->lon, 1.0, ev);
}

/* ---- decoy_passing -------------------------------------------------- */

/* Decoy: a cargo ship and a tanker pass 150-300 m apart at 12-15 kn,
 * head-on or crossing, in the East China Sea.  Within 500 m for minutes
 * at speed: it must NOT be reported as an encounter. */
static void pass_build(struct df_sim *sim, struct plant *p)
{
    uint64_t *r = &sim->rng;
    struct builder b, b2;
    struct script *s, *s2;
    double lat, lon, lat2, lon2, brg, d;
    double kn1 = uni(r, 12.5, 15), kn2 = uni(r, 12, 14.5), cpa;
    int64_t pre1, pre2;

    p->lat = uni(r, 31.9, 32.5);
    p->lon = uni(r, 124.1, 124.7);
    df__sim_plant_vessel(sim, p, FL_ANY, 'C', &s);
    df__sim_plant_vessel(sim, p, FL_ANY, 'T', &s2);
    brg = uni(r, 0, 360);
    cpa = uni(r, 150, 300);
    dest(p->lat, p->lon, brg + 180, 3 * 3600 * kn1 * KN_MS, &lat, &lon);
    df__sim_start_at(&b, s, lat, lon);
    df__sim_sail(&b, p->lat, p->lon, kn1);
    pre1 = b.t;
    df__sim_sail_brg(&b, brg, 3 * 3600 * kn1 * KN_MS, kn1);
    /* the other passes cpa metres abeam, head-on or crossing */
    d = brg + 180 + uni(r, -40, 40);
    dest(p->lat, p->lon, brg + 90, cpa, &lat2, &lon2);
    dest(lat2, lon2, d + 180, 3 * 3600 * kn2 * KN_MS, &lat, &lon);
    df__sim_start_at(&b2, s2, lat, lon);
    df__sim_sail(&b2, lat2, lon2, kn2);
    pre2 = b2.t;
    df__sim_sail_brg(&b2, d, 3 * 3600 * kn2 * KN_MS, kn2);
    df__sim_script_shift(s2, pre1 - pre2);
    if (pre1 - pre2 < 0) {
        df__sim_script_shift(s, pre2 - pre1);
        df__sim_script_shift(s2, pre2 - pre1);
    }
}

/* Of both pair decoys (observed by enc_observe): the time within 500 m
 * and the speeds then, which must not make an encounter. */
static void pass_truth(struct df_sim *sim, struct plant *p,
                       const struct cast *c)
{
    char ev[DF_EVIDENCE_MAX];

    snprintf(ev, sizeof ev,
             "{\"scenario\":\"%s\",\"decoy\":true,%s%s%s"
             "\"min_distance_m\":%.0f,\"min_speed_kn\":%.1f,"
             "\"max_speed_kn\":%.1f,\"hours\":%.2f}",
             c->name, p->site ? "\"berth\":\"" : "", p->site ? p->site : "",
             p->site ? "\"," : "", p->min_d, p->min_sog, p->max_sog,
             hours(p->close0, p->close1));
    df__sim_truth(sim, DF_EV_ENCOUNTER, c->v, 2, p->close0, p->close1, p->lat,
                  p->lon, -1.0, ev);
}

/* ---- decoy_berth ---------------------------------------------------- */

/* Sails in to a berth at (lat, lon) in Busan North Port: at kn knots,
 * then slower and slower down the fairway. */
static void berth_in(struct builder *b, double kn, double lat, double lon)
{
    df__sim_sail(b, 35.0, 129.3, kn);
    df__sim_sail(b, 35.05, 129.12, 8);
    df__sim_sail(b, 35.10, 129.08, 6);
    df__sim_sail(b, lat, lon, 3);
}

/* Sails out of Busan North Port, the fairway backwards. */
static void berth_out(struct builder *b)
{
    df__sim_sail(b, 35.10, 129.08, 3);
    df__sim_sail(b, 35.05, 129.12, 6);
    df__sim_sail(b, 35.0, 129.3, 10);
}

/* Lies moored for dur on a fixed heading. */
static void moor(struct builder *b, int64_t dur, int heading)
{
    struct leg *l = df__sim_hold(b, L_MOORED, dur);

    if (l) {
        l->status = 5;
        l->heading = heading;
    }
}

/* Decoy: a Korean cargo ship and a tanker lie moored side by side, 30-60 m
 * apart, at a berth of Busan North Port for 30 h.  Within 500 m for hours
 * at no speed, but at a berth (3 km or less from shore): it must NOT be
 * reported as an encounter. */
static void berth_build(struct df_sim *sim, struct plant *p)
{
    uint64_t *r = &sim->rng;
    struct builder b, b2;
    struct script *s, *s2;
    double lat2, lon2, d;
    double ang = uni(r, 0, 180);
    int64_t stay = 30 * HOUR, lag = (int64_t)pick(r, 40) * MIN + 20 * MIN;

    df__sim_plant_vessel(sim, p, FL_KR, 'C', &s);
    df__sim_plant_vessel(sim, p, FL_ANY, 'T', &s2);
    p->lat = p->site_lat = BERTH_LAT;
    p->lon = p->site_lon = BERTH_LON;
    p->site = "BUSAN NORTH PORT";
    df__sim_start_at(&b, s, 34.85, 129.45);
    berth_in(&b, 12, BERTH_LAT, BERTH_LON);
    moor(&b, stay + 2 * lag, (int)lround(ang));
    berth_out(&b);
    d = uni(r, 30, 60);     /* side by side */
    lat2 = BERTH_LAT;
    lon2 = BERTH_LON;
    offset(&lat2, &lon2, d * cos(rad(ang + 90)), d * sin(rad(ang + 90)));
    df__sim_start_at(&b2, s2, 34.80, 129.40);
    berth_in(&b2, 11, lat2, lon2);
    df__sim_script_shift(s2, s->leg[3].t1 + lag - b2.t);
    b2.t = s->leg[3].t1 + lag;
    moor(&b2, stay, (int)lround(ang));
    berth_out(&b2);
}

/* ---- decoy_fishing -------------------------------------------------- */

/* Decoy: a Chinese fishing boat (Class B, ship type 30) fishes 10 h in
 * the East China Sea on circles at 2.2-3.8 kn, its course always turning.
 * Slow, but not slow enough, and fishing: it must NOT be reported as
 * loitering.  Observed like loitering. */
static void fish_build(struct df_sim *sim, struct plant *p)
{
    uint64_t *r = &sim->rng;
    struct builder b;
    struct script *s;
    struct actor *a;
    struct leg fish;
    double lat, lon, lat2, lon2;

    a = df__sim_plant_vessel(sim, p, FL_CN, 'F', &s);
    a->cls = 'B';
    s->id[0].imo = 0;
    s->id[1] = s->id[0];
    p->lat = uni(r, 32.9, 33.5);
    p->lon = uni(r, 122.9, 123.5);
    memset(&fish, 0, sizeof fish);
    fish.kind = L_FISH;
    fish.lat0 = p->lat;
    fish.lon0 = p->lon;
    fish.phase = uni(r, 0, 2 * PI);
    fish.t0 = 0;
    fish.t1 = 10 * HOUR;
    df__sim_leg_eval(&fish, 0, &lat2, &lon2);
    dest(lat2, lon2, uni(r, 0, 360), 15000, &lat, &lon);
    df__sim_start_at(&b, s, lat, lon);
    df__sim_sail(&b, lat2, lon2, 8);
    fish.t0 = b.t;
    fish.t1 = b.t + 10 * HOUR;
    fish.status = 7;
    fish.heading = -1;
    s->leg[s->nlegs++] = fish;
    df__sim_end_leg(&b, &s->leg[s->nlegs - 1]);
    p->key_leg = 1;
    df__sim_sail_brg(&b, uni(r, 0, 360), 15000, 8);
}

static void fish_truth(struct df_sim *sim, struct plant *p,
                       const struct cast *c)
{
    stay_truth(sim, p, c, "\"decoy\":true,\"shiptype\":30,", -1.0);
}

/* ---- the table ------------------------------------------------------ */

/* By enum df_sim_scenario; a row left out is all NULL (asserted). */
const struct df__sim_scenario df__sim_scenarios[DF_SIM_COUNT] = {
    [DF_SIM_ENCOUNTER] = {enc_build, enc_observe, enc_truth, 0},
    [DF_SIM_ANCHORAGE_ENCOUNTER] = {enc_build, enc_observe, enc_truth, 0},
    [DF_SIM_LOITERING] = {loiter_build, loiter_observe, loiter_truth, 0},
    [DF_SIM_GAP] = {gap_build, gap_observe, gap_truth, 0},
    [DF_SIM_DRAUGHT_CHANGE] = {gap_build, gap_observe, draught_truth, 0},
    [DF_SIM_SPOOFING] = {spoof_build, spoof_observe, spoof_truth, 0},
    [DF_SIM_MMSI_COLLISION] = {coll_build, coll_observe, coll_truth, 0},
    [DF_SIM_IDENTITY_CHANGE] = {idchg_build, idchg_observe, idchg_truth, 0},
    [DF_SIM_INVALID_IDENTITY] = {invalid_build, NULL, invalid_truth, 0},
    [DF_SIM_ZONE_ENTRY] = {zone_build, zone_observe, zone_truth, 1},
    [DF_SIM_PORT_CALL] = {port_build, port_observe, port_truth, 1},
    [DF_SIM_DECOY_PASSING] = {pass_build, enc_observe, pass_truth, 0},
    [DF_SIM_DECOY_BERTH] = {berth_build, enc_observe, pass_truth, 0},
    [DF_SIM_DECOY_SHORT_GAP] = {gap_build, gap_observe, short_gap_truth, 0},
    [DF_SIM_DECOY_FISHING] = {fish_build, loiter_observe, fish_truth, 0},
};
