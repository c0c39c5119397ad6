/*
 * sim_int.h - what the simulator's files share, private to them (tests and
 * the rest of the library use sim.h): src/sim.c (the engine),
 * src/sim_ident.c (made-up identities), src/sim_script.c (planted
 * vessels' scripts of legs) and src/sim_scenarios.c (the planted
 * scenarios and their table).
 *
 * Here are the units, the random streams and the small geometry as inline
 * functions (short names, as when they were static in one file), the
 * records of a run (actors, their scripts of legs, the plants whose truth
 * is measured) and the row of the scenario table.  Positions are degrees,
 * distances metres, times milliseconds and speeds knots unless a name
 * says otherwise.
 */
#ifndef DF_SIM_INT_H
#define DF_SIM_INT_H

#include "darkfleet.h"
#include "util/hash.h"
#include "util/geodesy.h"

#include <math.h>
#include <stdint.h>

#include "sim.h"

#define PI DF__PI
#define EARTH_M DF__EARTH_R_M
#define M_PER_DEG (EARTH_M * PI / 180.0)
#define KN_MS 0.514444444      /* metres per second in a knot */
#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (3600 * SEC)

/* ---- random numbers ------------------------------------------------- */

/* splitmix64 (Steele, Lea, Flood 2014).  Every draw of a run comes from
 * one of these streams, in an order that fixes the output: the same seed
 * gives the same bytes only while the order of draws stays the same. */
static inline uint64_t next64(uint64_t *s)
{
    *s += 0x9e3779b97f4a7c15ULL;
    return df__mix64(*s);
}

/* Uniform in [0, 1). */
static inline double unit(uint64_t *s)
{
    return (double)(next64(s) >> 11) * (1.0 / 9007199254740992.0);
}

static inline double uni(uint64_t *s, double lo, double hi)
{
    return lo + (hi - lo) * unit(s);
}

static inline unsigned pick(uint64_t *s, unsigned n)
{
    return (unsigned)(next64(s) % n);
}

/* ---- geometry (degrees, metres) ------------------------------------- */

static inline double rad(double d)
{
    return d * PI / 180.0;
}

static inline double dist_m(double lat1, double lon1, double lat2,
                            double lon2)
{
    double p1 = rad(lat1), p2 = rad(lat2);

    return df__haversine_m(p1, p2, p2 - p1, rad(lon2 - lon1));
}

/* The point dist metres from (lat, lon) on the initial bearing brg. */
static inline void dest(double lat, double lon, double brg, double dist,
                        double *olat, double *olon)
{
    double p1 = rad(lat), d = dist / EARTH_M, b = rad(brg);
    double p2 = asin(sin(p1) * cos(d) + cos(p1) * sin(d) * cos(b));
    double l2 = rad(lon) + atan2(sin(b) * sin(d) * cos(p1),
                                 cos(d) - sin(p1) * sin(p2));

    *olat = p2 * 180.0 / PI;
    *olon = l2 * 180.0 / PI;
}

/* Moves (lat, lon) by north and east metres (small offsets). */
static inline void offset(double *lat, double *lon, double north,
                          double east)
{
    *lon += east / (M_PER_DEG * cos(rad(*lat)));
    *lat += north / M_PER_DEG;
}

/* Course in degrees and speed in knots of a displacement over dt_s. */
static inline void velocity(double lat0, double lon0, double lat1,
                            double lon1, double dt_s, double *sog,
                            double *cog)
{
    double north = (lat1 - lat0) * M_PER_DEG;
    double east = (lon1 - lon0) * M_PER_DEG * cos(rad((lat0 + lat1) / 2));
    double c = atan2(east, north) * 180.0 / PI;

    *sog = sqrt(north * north + east * east) / dt_s / KN_MS;
    *cog = c < 0 ? c + 360 : c;
}

/* Degrees to AIS wire units (1/10000 minute). */
static inline int32_t wire(double deg)
{
    return (int32_t)lround(deg * 600000.0);
}

/* ---- identities (sim_ident.c) --------------------------------------- */

struct ident {
    uint32_t imo;
    char name[21];
    char callsign[8];
    char dest[21];
    uint8_t shiptype;
    uint16_t bow, stern;
    uint8_t port, stbd;
    uint8_t draught;           /* 1/10 m */
};

/* Flags a vessel may fly: any (the background's mix), China, Korea, a
 * flag of convenience, North Korea. */
enum flagk { FL_ANY, FL_CN, FL_KR, FL_FOC, FL_KP };

/* Each draws from *r; the number and order of draws is part of the
 * output (see next64). */
unsigned df__sim_mid_for(uint64_t *r, enum flagk f);
/* An IMO number with a valid check digit: 8000000-8999999 when old
 * (df__sim_make_ident asks for that under MID 445), else 9100000-9949999. */
uint32_t df__sim_make_imo(uint64_t *r, int old);
/* A name of the flag's style into out[21]; a numbered one for fishing
 * boats (shiptype 30). */
void df__sim_make_name(uint64_t *r, unsigned mid, unsigned shiptype,
                       char *out);
/* A call sign of the series ITU allocates to the flag, into out[8]. */
void df__sim_make_callsign(uint64_t *r, unsigned mid, char *out);
/* A whole identity of kind 'T' tanker, 'C' cargo, 'F' fishing or 'P'
 * pleasure craft: type, dimensions, draught, IMO (ships), name, call sign;
 * the destination is left empty. */
void df__sim_make_ident(uint64_t *r, unsigned mid, char kind,
                        struct ident *id);

/* ---- scripts: what a planted vessel does (sim_script.c) ------------- */

enum legk { L_MOVE, L_DRIFT, L_MOORED, L_FISH, L_SILENT };

struct leg {
    int64_t t0, t1;            /* ms */
    uint8_t kind;
    uint8_t status;            /* navigational status reported */
    double lat0, lon0, lat1, lon1;
    double off_n, off_e;       /* metres: a partner lying alongside */
    double phase;
    int heading;               /* fixed heading, or -1 to follow course */
};

#define MAX_LEGS 16

struct script {
    int nlegs;
    struct leg leg[MAX_LEGS];
    int64_t fake_t0[2], fake_t1[2]; /* spoofed positions in [t0, t1) */
    double fake_lat[2], fake_lon[2];
    int nfake;
    struct ident id[2];        /* id[1] from switch_ms on */
    int64_t switch_ms;
};

/* Position of a leg's formula at t (ms); defined outside [t0, t1] too,
 * so that speeds can be taken by differences. */
void df__sim_leg_eval(const struct leg *l, int64_t t, double *lat,
                      double *lon);
/* Moves every time of s (legs, fake windows, identity switch) by dt. */
void df__sim_script_shift(struct script *s, int64_t dt);

/* Writes a script leg by leg from a cursor: where and when the last leg
 * ended.  Each leg starts at the cursor and moves it to the leg's end;
 * a script full at MAX_LEGS takes no more (the functions that return a
 * leg return NULL). */
struct builder {
    struct script *s;
    int64_t t;
    double lat, lon;
};

/* Starts writing s at (lat, lon), time 0. */
void df__sim_start_at(struct builder *b, struct script *s, double lat,
                      double lon);
/* Moves the cursor to the end of l (after the caller changed l). */
void df__sim_end_leg(struct builder *b, const struct leg *l);
/* Sails to (lat, lon) at kn knots, in whole seconds. */
void df__sim_sail(struct builder *b, double lat, double lon, double kn);
/* Sails dist metres on the initial bearing brg at kn knots. */
void df__sim_sail_brg(struct builder *b, double brg, double dist,
                      double kn);
/* Drifts for dur with a current of kn knots towards brg, swinging about
 * its track from phase (radians). */
struct leg *df__sim_drift(struct builder *b, int64_t dur, double kn,
                          double brg, double phase);
/* Stays put for dur in a leg of kind (L_MOORED, or L_DRIFT with no
 * current). */
struct leg *df__sim_hold(struct builder *b, int kind, int64_t dur);
/* Falls silent for dur and reappears at (lat, lon). */
void df__sim_go_dark(struct builder *b, int64_t dur, double lat,
                     double lon);

/* ---- actors --------------------------------------------------------- */

struct actor {
    uint32_t mmsi;
    char cls;                  /* 'A' or 'B' */
    uint8_t use19;             /* Class B that sends type 19 */
    uint8_t started, retired;
    uint8_t last_id;           /* identity last sent: 0, 1, or 255 */
    uint8_t was_silent;
    uint8_t chan;
    int64_t next_ms;           /* next report */
    int64_t next_static;
    uint64_t rng;
    int plant;                 /* index of its scenario, or -1 */
    int role;                  /* its place in the scenario */
    /* background: a lane, sailed back and forth */
    uint8_t lane;
    double s0, speed;          /* metres along the lane at the start, m/s */
    double dn, de;             /* the lane shifted by these metres */
    struct ident bg;
    struct script *sc;         /* planted: its script, owned by the sim */
};

/* A vessel's state at one instant. */
struct fix {
    double lat, lon, sog, cog;
    int heading;
    uint8_t status;
    int silent, fake, leg, moored;
};

/* Where actor a is at t (pure: the same t always gives the same fix). */
void df__sim_where(const struct actor *a, int64_t t, int64_t t_start,
                   struct fix *f);

/* ---- planted scenarios ---------------------------------------------- */

#define MAX_ROLES 3

/* What a scenario measures on its vessels' reports, for the truth. */
struct plant {
    int scenario;
    int nroles, alive;
    int actor[MAX_ROLES];
    double lat, lon;           /* representative position */
    int key_leg;               /* the leg of interest (drift, silence) */
    /* pairs: reports within 500 m of the partner */
    int64_t close0, close1;
    double min_d, max_d, min_sog, max_sog, sum_sog;
    uint64_t n_close;
    /* one vessel: reports during the key leg, around a silence */
    int64_t key0, key1, before, after;
    double before_lat, before_lon, after_lat, after_lon;
    /* the representative position the detectors report: the mean over
     * the episode (pair midpoints for encounters; the stop at a port) */
    double sum_lat, sum_lon;
    uint64_t n_pos;
    /* spoofing: per fake window, and the first fake position reported */
    int64_t fake0[2], fake1[2];
    double fake_at_lat[2], fake_at_lon[2];
    double fake_km[2];
    double last_lat, last_lon;
    /* per role: first and last report */
    int64_t first[MAX_ROLES], last[MAX_ROLES];
    /* identity change: first report with the new identity */
    int64_t switched;
    /* zones and ports */
    int64_t in0, in1, port0, port1;
    /* anchorage or berth */
    double site_lat, site_lon;
    const char *site;
};

/* The state of one run. */
struct df_sim {
    struct df_sim_opts o;
    const struct df_sim_cbs *cbs;
    int64_t t_start, t_end, period;
    uint64_t rng;              /* scenario set-up draws from this one */
    struct actor *act;
    unsigned nact, cap;
    struct script *scripts;
    unsigned nscripts;
    struct plant plants[DF_SIM_COUNT];
    unsigned nplants;
    unsigned *heap;
    unsigned nheap;
    unsigned live;
    uint32_t next_serial;
    struct df__sim_stats *st;
    struct df_geo *zones;      /* the built-in DPRK zones, or NULL */
    int stopped;
};

/* A new planted vessel of flag f and kind (as df__sim_make_ident), the
 * next role of plant p, with an empty script (*s) that the caller fills
 * and both identities the same.  Draws the flag and identity from
 * sim->rng; the vessel's own stream comes from the seed and its number. */
struct actor *df__sim_plant_vessel(struct df_sim *sim, struct plant *p,
                                   enum flagk f, char kind,
                                   struct script **s);

/* Hands one planted event, of nv vessels v at (lat, lon) in degrees with
 * the evidence ev (copied, truncated to DF_EVIDENCE_MAX), to cbs->truth
 * unless the run is stopped; a callback that returns non-zero stops it.
 * Counted in st->truths either way. */
void df__sim_truth(struct df_sim *sim, enum df_event_type type,
                   const uint32_t *v, int nv, int64_t t0, int64_t t1,
                   double lat, double lon, double score, const char *ev);

/* The vessels of a plant as its truth names them. */
struct cast {
    const char *name;          /* the scenario's name */
    const struct actor *a;     /* role 0 */
    const struct actor *a2;    /* role 1, or role 0 again when alone */
    uint32_t v[2];             /* their MMSIs */
};

/* One row of the scenario table (sim_scenarios.c), indexed by enum
 * df_sim_scenario.  build() adds the plant's vessels and writes their
 * scripts from time 0 (the engine shifts them to the plant's start);
 * observe() (NULL: nothing beyond the first and last report of each
 * role, which the engine notes) takes note of each report of a vessel of
 * the plant, before it is sent; truth() hands out the planted events
 * when the plant's last vessel retires. */
struct df__sim_scenario {
    void (*build)(struct df_sim *sim, struct plant *p);
    void (*observe)(struct df_sim *sim, struct plant *p,
                    const struct actor *a, int64_t t, const struct fix *f);
    void (*truth)(struct df_sim *sim, struct plant *p, const struct cast *c);
    unsigned zones : 1;        /* truth measured against the DPRK zones */
};

extern const struct df__sim_scenario df__sim_scenarios[DF_SIM_COUNT];

#endif
