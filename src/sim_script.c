/*
 * sim_script.c - the scripts of the simulator's planted vessels: the
 * formula of each kind of leg (sail, drift with the current, lie moored,
 * fish in circles, fall silent), which places a vessel at any time, and
 * the builder with which sim_scenarios.c writes a script leg by leg from
 * time 0 (the engine in sim.c shifts it to the scenario's start).
 *
 * Nothing here draws random numbers; the callers draw the arguments.
 */
#include <math.h>
#include <string.h>

#include "sim_int.h"

/* ---- the legs ------------------------------------------------------- */

void df__sim_leg_eval(const struct leg *l, int64_t t, double *lat,
                      double *lon)
{
    double span = (double)(l->t1 - l->t0);
    double f = span > 0 ? (double)(t - l->t0) / span : 0;
    double tau = (double)(t - l->t0) / 1000.0;

    switch (l->kind) {
    case L_MOVE:
    case L_SILENT:
        *lat = l->lat0 + f * (l->lat1 - l->lat0);
        *lon = l->lon0 + f * (l->lon1 - l->lon0);
        break;
    case L_DRIFT: {
        /* A current carries the ship from (lat0, lon0) to (lat1, lon1);
         * it swings 25 m about that on a period of 40-50 min, and a
         * partner alongside sits 0.7-1.3 times its offset away. */
        double s = 1 + 0.3 * sin(2 * PI * tau / 5400);
        *lat = l->lat0 + f * (l->lat1 - l->lat0);
        *lon = l->lon0 + f * (l->lon1 - l->lon0);
        offset(lat, lon,
               25 * (sin(2 * PI * tau / 2400 + l->phase) - sin(l->phase)) +
                   l->off_n * s,
               25 * (cos(2 * PI * tau / 3000 + l->phase) - cos(l->phase)) +
                   l->off_e * s);
        break;
    }
    case L_MOORED:
        *lat = l->lat0;
        *lon = l->lon0;
        offset(lat, lon, l->off_n, l->off_e);
        break;
    case L_FISH: {
        /* Two circles: 3.0 kn on a 2 h loop and 0.8 kn the other way
         * on a 25 min one: 2.2-3.8 kn, the course always turning. */
        double r1 = 3.0 * KN_MS * 7200 / (2 * PI);
        double r2 = 0.8 * KN_MS * 1500 / (2 * PI);
        double a1 = 2 * PI * tau / 7200 + l->phase;
        double a2 = -2 * PI * tau / 1500;
        *lat = l->lat0;
        *lon = l->lon0;
        offset(lat, lon, r1 * cos(a1) + r2 * cos(a2),
               r1 * sin(a1) + r2 * sin(a2));
        break;
    }
    default:
        *lat = l->lat0;
        *lon = l->lon0;
        break;
    }
}

void df__sim_script_shift(struct script *s, int64_t dt)
{
    int i;

    for (i = 0; i < s->nlegs; i++) {
        s->leg[i].t0 += dt;
        s->leg[i].t1 += dt;
    }
    for (i = 0; i < s->nfake; i++) {
        s->fake_t0[i] += dt;
        s->fake_t1[i] += dt;
    }
    if (s->switch_ms != INT64_MAX)
        s->switch_ms += dt;
}

/* ---- the builder ---------------------------------------------------- */

void df__sim_start_at(struct builder *b, struct script *s, double lat,
                      double lon)
{
    b->s = s;
    b->t = 0;
    b->lat = lat;
    b->lon = lon;
}

/* A leg of kind from the cursor, lasting dur; NULL when the script is
 * full. */
static struct leg *add_leg(struct builder *b, int kind, int64_t dur)
{
    struct leg *l;

    if (b->s->nlegs >= MAX_LEGS)
        return NULL;
    l = &b->s->leg[b->s->nlegs++];
    memset(l, 0, sizeof *l);
    l->kind = (uint8_t)kind;
    l->t0 = b->t;
    l->t1 = b->t + dur;
    l->lat0 = l->lat1 = b->lat;
    l->lon0 = l->lon1 = b->lon;
    l->heading = -1;
    return l;
}

/* Moves the cursor to the end of l. */
void df__sim_end_leg(struct builder *b, const struct leg *l)
{
    b->t = l->t1;
    df__sim_leg_eval(l, l->t1, &b->lat, &b->lon);
}

/* Sails to (lat, lon) at kn knots (whole seconds). */
void df__sim_sail(struct builder *b, double lat, double lon, double kn)
{
    double d = dist_m(b->lat, b->lon, lat, lon);
    struct leg *l = add_leg(b, L_MOVE, (int64_t)(d / (kn * KN_MS)) * SEC);

    if (!l)
        return;
    l->lat1 = lat;
    l->lon1 = lon;
    df__sim_end_leg(b, l);
}

/* Sails dist metres on bearing brg. */
void df__sim_sail_brg(struct builder *b, double brg, double dist,
                      double kn)
{
    double lat, lon;

    dest(b->lat, b->lon, brg, dist, &lat, &lon);
    df__sim_sail(b, lat, lon, kn);
}

/* Drifts for dur with a current of kn knots towards brg. */
struct leg *df__sim_drift(struct builder *b, int64_t dur, double kn,
                          double brg, double phase)
{
    struct leg *l = add_leg(b, L_DRIFT, dur);

    if (!l)
        return NULL;
    dest(b->lat, b->lon, brg, kn * KN_MS * (double)dur / 1000.0, &l->lat1,
         &l->lon1);
    l->phase = phase;
    df__sim_end_leg(b, l);
    return l;
}

struct leg *df__sim_hold(struct builder *b, int kind, int64_t dur)
{
    struct leg *l = add_leg(b, kind, dur);

    if (l)
        df__sim_end_leg(b, l);
    return l;
}

/* Falls silent for dur and reappears at (lat, lon). */
void df__sim_go_dark(struct builder *b, int64_t dur, double lat,
                     double lon)
{
    struct leg *l = add_leg(b, L_SILENT, dur);

    if (!l)
        return;
    l->lat1 = lat;
    l->lon1 = lon;
    df__sim_end_leg(b, l);
}

