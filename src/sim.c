/*
 * sim.c - synthetic AIS traffic with planted behaviours (issue 4).
 *
 * Background vessels sail back and forth on shipping lanes of the Yellow
 * Sea and the East China Sea (Shanghai-Busan, Qingdao-Incheon,
 * Dalian-Shanghai) at 10-16 kn; Class A ships report their position every
 * report interval and their static data (type 5) every 6 minutes, Class B
 * units send type 18 and 24A/24B (some type 19).  Each planted scenario
 * (DF_SIM_SCENARIOS in darkfleet.h) adds a few vessels that follow a
 * script of legs at real coordinates: sail to a point, drift, lie moored,
 * fish, or fall silent.
 *
 * Every vessel is an actor whose position is a pure function of time, so
 * the run is generated incrementally: a min-heap keyed by each actor's
 * next report time hands out messages in receive-time order, and memory
 * holds one small record per actor, never the run.  The ground truth of a
 * scenario is measured on the reports actually sent (first and last report
 * within 500 m, last report before a silence, entry into the DPRK zone
 * that darkfleet ships, ...) and handed out, in the event format, when
 * the scenario's last vessel retires.
 *
 * Deterministic for a seed: each actor draws from its own splitmix64
 * stream, and ties in the heap are broken by actor number.
 */
#include "darkfleet.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/geodesy.h"
#include "mid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define PI DF__PI
#define EARTH_M DF__EARTH_R_M
#define M_PER_DEG (EARTH_M * PI / 180.0)
#define KN_MS 0.514444444      /* metres per second in a knot */
#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (3600 * SEC)
#define STATIC_EVERY (6 * MIN) /* type 5 and 24 */
#define MOORED_EVERY (3 * MIN) /* Class A at anchor or moored */
#define DEFAULT_START 1740787200000LL /* 2025-03-01T00:00:00Z */

/* ---- random numbers ------------------------------------------------- */

/* splitmix64 (Steele, Lea, Flood 2014). */
static uint64_t next64(uint64_t *s)
{
    *s += 0x9e3779b97f4a7c15ULL;
    return df__mix64(*s);
}

/* Uniform in [0, 1). */
static double unit(uint64_t *s)
{
    return (double)(next64(s) >> 11) * (1.0 / 9007199254740992.0);
}

static double uni(uint64_t *s, double lo, double hi)
{
    return lo + (hi - lo) * unit(s);
}

static unsigned pick(uint64_t *s, unsigned n)
{
    return (unsigned)(next64(s) % n);
}

/* A noise value in [-1, 1) that depends only on (key, t). */
static double noise(uint64_t key, int64_t t, unsigned salt)
{
    uint64_t h = df__mix64(key ^ df__mix64((uint64_t)t * 31 + salt));
    return (double)(h >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

/* ---- geometry (degrees, metres) -------------------------------------- */

static double rad(double d)
{
    return d * PI / 180.0;
}

static double dist_m(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = rad(lat1), p2 = rad(lat2);

    return df__haversine_m(p1, p2, p2 - p1, rad(lon2 - lon1));
}

/* The point dist metres from (lat, lon) on the initial bearing brg. */
static void dest(double lat, double lon, double brg, double dist,
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
static void offset(double *lat, double *lon, double north, double east)
{
    *lon += east / (M_PER_DEG * cos(rad(*lat)));
    *lat += north / M_PER_DEG;
}

/* Course in degrees and speed in knots of a displacement over dt_s. */
static void velocity(double lat0, double lon0, double lat1, double lon1,
                     double dt_s, double *sog, double *cog)
{
    double north = (lat1 - lat0) * M_PER_DEG;
    double east = (lon1 - lon0) * M_PER_DEG * cos(rad((lat0 + lat1) / 2));
    double c = atan2(east, north) * 180.0 / PI;

    *sog = sqrt(north * north + east * east) / dt_s / KN_MS;
    *cog = c < 0 ? c + 360 : c;
}

static int32_t wire(double deg)
{
    return (int32_t)lround(deg * 600000.0);
}

/* ---- shipping lanes -------------------------------------------------- */

struct lane {
    const char *from, *to;     /* destinations, as type 5 names them */
    int n;
    double pt[6][2];           /* waypoints, lat lon, in open water */
};

/* Checked against Natural Earth 1:10m and 1:50m land: every segment stays
 * at sea and the ends lie 16-100 km from shore. */
static const struct lane lanes[] = {
    {"BUSAN", "SHANGHAI", 5,
     {{31.3, 122.9}, {32.5, 125.0}, {33.0, 127.0}, {34.3, 128.6},
      {34.95, 129.15}}},
    {"INCHEON", "QINGDAO", 4,
     {{35.9, 120.6}, {36.5, 122.8}, {37.0, 125.0}, {37.0, 125.8}}},
    {"SHANGHAI", "DALIAN", 6,
     {{38.6, 122.0}, {38.0, 122.0}, {37.5, 123.0}, {35.0, 123.0},
      {32.0, 123.0}, {31.3, 122.9}}},
};
#define NLANES (sizeof lanes / sizeof lanes[0])

static double lane_cum[NLANES][6];  /* metres from the first waypoint */

static void lanes_init(void)
{
    unsigned i;
    int k;

    for (i = 0; i < NLANES; i++) {
        lane_cum[i][0] = 0;
        for (k = 1; k < lanes[i].n; k++)
            lane_cum[i][k] = lane_cum[i][k - 1] +
                             dist_m(lanes[i].pt[k - 1][0],
                                    lanes[i].pt[k - 1][1], lanes[i].pt[k][0],
                                    lanes[i].pt[k][1]);
    }
}

/* ---- identities ------------------------------------------------------ */

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

enum flagk { FL_ANY, FL_CN, FL_KR, FL_FOC, FL_KP };

/* Background flags, weighted: China, Korea, Hong Kong, and the open
 * registries (Liberia, Marshall Is., Panama, Sierra Leone, Singapore,
 * Japan). */
static const uint16_t bg_mids[] = {412, 412, 413, 413, 412, 413, 440, 440,
                                   440, 441, 477, 477, 636, 636, 538, 538,
                                   351, 351, 667, 431, 563};
static const uint16_t foc_mids[] = {667, 511, 636, 538, 351, 674, 457};

static unsigned mid_for(uint64_t *r, enum flagk f)
{
    switch (f) {
    case FL_CN:
        return pick(r, 2) ? 412 : 413;
    case FL_KR:
        return 440;
    case FL_KP:
        return 445;
    case FL_FOC:
        return foc_mids[pick(r, sizeof foc_mids / sizeof foc_mids[0])];
    default:
        return bg_mids[pick(r, sizeof bg_mids / sizeof bg_mids[0])];
    }
}

static uint32_t make_imo(uint64_t *r, int old)
{
    unsigned six = old ? 800000 + pick(r, 100000) : 910000 + pick(r, 85000);

    return six * 10 + df__imo_check_digit(six);
}

static const char *const w_cn1[] = {"XIN", "HUA", "HAI", "ZHONG", "JIN",
                                    "YUAN", "AN", "FU", "HONG", "CHANG"};
static const char *const w_cn2[] = {"HAI", "YANG", "SHUN", "DA", "TAI",
                                    "XING", "LONG", "FENG", "YUN", "HANG"};
static const char *const w_en1[] = {"OCEAN", "GOLDEN", "PACIFIC", "GRAND",
                                    "BLUE", "NEW", "SILVER", "ORIENT",
                                    "EASTERN", "ROYAL", "SEA", "BRIGHT"};
static const char *const w_en2[] = {"DRAGON", "PEARL", "GLORY", "HARMONY",
                                    "FORTUNE", "VENUS", "LUCKY", "PHOENIX",
                                    "STAR", "PIONEER", "SPIRIT", "JADE"};
static const char *const w_kr[] = {"HANJIN", "PAN", "SUNNY", "DONGBANG",
                                   "HYUNDAI", "SINOKOR", "HEUNG A", "KMTC"};
static const char *const w_kp[] = {"CHOL", "SONG", "MYONG", "RYONG", "KUM",
                                   "BONG", "HWA", "PAEK", "RA", "JONG"};

#define W(a) a[pick(r, sizeof a / sizeof a[0])]

static void make_name(uint64_t *r, unsigned mid, unsigned shiptype, char *out)
{
    unsigned num = 1 + pick(r, 29);

    if (shiptype == 30) {
        snprintf(out, 21, "%s%s YU %05u", W(w_cn1), W(w_cn2),
                 10000 + pick(r, 89999));
        /* "LU RONG YU 12345": fishing boat names carry a number. */
        return;
    }
    if (mid == 445)
        snprintf(out, 21, "%s %s %u", W(w_kp), W(w_kp), num);
    else if (mid == 412 || mid == 413 || mid == 477)
        snprintf(out, 21, "%s %s %u", W(w_cn1), W(w_cn2), num);
    else if (mid == 440 || mid == 441)
        snprintf(out, 21, "%s %s", W(w_kr), W(w_en2));
    else if (pick(r, 3) == 0)
        snprintf(out, 21, "%s %s %u", W(w_en1), W(w_en2), num);
    else
        snprintf(out, 21, "%s %s", W(w_en1), W(w_en2));
}

static char alnum(uint64_t *r)
{
    static const char set[] = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    return set[pick(r, sizeof set - 1)];
}

/* A call sign in the series ITU allocates to the flag. */
static void make_callsign(uint64_t *r, unsigned mid, char *out)
{
    const char *pre;
    int extra = 3, i, n;

    switch (mid) {
    case 412: case 413: pre = "B"; extra = 4; break;
    case 440: case 441: pre = "D7"; break;
    case 445: pre = "HM"; extra = 4; break;
    case 477: pre = "VR"; break;
    case 636: pre = "A8"; break;
    case 538: pre = "V7"; break;
    case 351: pre = "3E"; break;
    case 667: pre = "9L"; break;
    case 511: pre = "T8"; break;
    case 674: pre = "5IM"; break;
    case 457: pre = "JV"; break;
    case 431: pre = "7J"; break;
    case 563: pre = "9V"; break;
    default: pre = "XX"; break;
    }
    n = snprintf(out, 8, "%s", pre);
    for (i = 0; i < extra && n < 7; i++)
        out[n++] = alnum(r);
    out[n] = '\0';
}

/* kind: 'T' tanker, 'C' cargo, 'F' fishing, 'P' pleasure craft. */
static void make_ident(uint64_t *r, unsigned mid, char kind, struct ident *id)
{
    double len, beam;

    memset(id, 0, sizeof *id);
    switch (kind) {
    case 'T':
        id->shiptype = (uint8_t)(80 + pick(r, 5));
        len = uni(r, 110, 250);
        break;
    case 'F':
        id->shiptype = 30;
        len = uni(r, 25, 60);
        break;
    case 'P':
        id->shiptype = 37;
        len = uni(r, 10, 25);
        break;
    default:
        id->shiptype = (uint8_t)(70 + pick(r, 10));
        len = uni(r, 90, 230);
        break;
    }
    beam = len / uni(r, 5.5, 7.0);
    id->bow = (uint16_t)lround(len * 0.85);
    id->stern = (uint16_t)(lround(len) - id->bow);
    id->port = (uint8_t)lround(beam / 2);
    id->stbd = (uint8_t)(lround(beam) - id->port);
    id->draught = (uint8_t)lround(len < 60 ? uni(r, 2.5, 5) * 10
                                           : uni(r, 6, 13.5) * 10);
    if (kind == 'T' || kind == 'C')
        id->imo = make_imo(r, mid == 445);
    make_name(r, mid, id->shiptype, id->name);
    make_callsign(r, mid, id->callsign);
}

/* ---- scripts: what a planted vessel does ---------------------------- */

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
static void leg_eval(const struct leg *l, int64_t t, double *lat, double *lon)
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

/* Builds a script leg by leg from a cursor (where and when the last leg
 * ended). */
struct builder {
    struct script *s;
    int64_t t;
    double lat, lon;
};

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

static void end_leg(struct builder *b, const struct leg *l)
{
    b->t = l->t1;
    leg_eval(l, l->t1, &b->lat, &b->lon);
}

/* Sails to (lat, lon) at kn knots (whole seconds). */
static void sail(struct builder *b, double lat, double lon, double kn)
{
    double d = dist_m(b->lat, b->lon, lat, lon);
    struct leg *l = add_leg(b, L_MOVE, (int64_t)(d / (kn * KN_MS)) * SEC);

    if (!l)
        return;
    l->lat1 = lat;
    l->lon1 = lon;
    end_leg(b, l);
}

/* Sails dist metres on bearing brg. */
static void sail_brg(struct builder *b, double brg, double dist, double kn)
{
    double lat, lon;

    dest(b->lat, b->lon, brg, dist, &lat, &lon);
    sail(b, lat, lon, kn);
}

/* Drifts for dur with a current of kn knots towards brg. */
static struct leg *drift(struct builder *b, int64_t dur, double kn,
                         double brg, double phase)
{
    struct leg *l = add_leg(b, L_DRIFT, dur);

    if (!l)
        return NULL;
    dest(b->lat, b->lon, brg, kn * KN_MS * (double)dur / 1000.0, &l->lat1,
         &l->lon1);
    l->phase = phase;
    end_leg(b, l);
    return l;
}

static struct leg *hold(struct builder *b, int kind, int64_t dur)
{
    struct leg *l = add_leg(b, kind, dur);

    if (l)
        end_leg(b, l);
    return l;
}

/* Falls silent for dur and reappears at (lat, lon). */
static void go_dark(struct builder *b, int64_t dur, double lat, double lon)
{
    struct leg *l = add_leg(b, L_SILENT, dur);

    if (!l)
        return;
    l->lat1 = lat;
    l->lon1 = lon;
    end_leg(b, l);
}

static int64_t script_t0(const struct script *s)
{
    return s->leg[0].t0;
}

static int64_t script_t1(const struct script *s)
{
    return s->leg[s->nlegs - 1].t1;
}

static void script_shift(struct script *s, int64_t dt)
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

/* ---- actors ---------------------------------------------------------- */

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

static double lane_total(unsigned lane)
{
    return lane_cum[lane][lanes[lane].n - 1];
}

static void lane_pos(const struct actor *a, int64_t t, int64_t t_start,
                     struct fix *f)
{
    const struct lane *ln = &lanes[a->lane];
    double len = lane_total(a->lane);
    double u = fmod(a->s0 + a->speed * (double)(t - t_start) / 1000.0,
                    2 * len), frac, brg, dummy;
    int back = u > len, k = 1;

    if (back)
        u = 2 * len - u;
    while (k < ln->n - 1 && lane_cum[a->lane][k] < u)
        k++;
    frac = (u - lane_cum[a->lane][k - 1]) /
           (lane_cum[a->lane][k] - lane_cum[a->lane][k - 1]);
    f->lat = ln->pt[k - 1][0] + frac * (ln->pt[k][0] - ln->pt[k - 1][0]);
    f->lon = ln->pt[k - 1][1] + frac * (ln->pt[k][1] - ln->pt[k - 1][1]);
    offset(&f->lat, &f->lon, a->dn, a->de);
    velocity(ln->pt[k - 1][0], ln->pt[k - 1][1], ln->pt[k][0], ln->pt[k][1],
             1, &dummy, &brg);
    f->cog = back ? fmod(brg + 180, 360) : brg;
    f->sog = a->speed / KN_MS;
    f->status = 0;
    f->silent = f->fake = f->moored = 0;
    f->leg = back;
}

/* Where actor a is at t (pure: the same t always gives the same fix). */
static void where(const struct actor *a, int64_t t, int64_t t_start,
                  struct fix *f)
{
    const struct script *s = a->sc;
    const struct leg *l;
    double la, lo, lb, lob;
    int i;

    memset(f, 0, sizeof *f);
    f->heading = -1;
    if (!s) {
        lane_pos(a, t, t_start, f);
        return;
    }
    for (i = 0; i < s->nlegs - 1 && t >= s->leg[i].t1; i++)
        ;
    l = &s->leg[i];
    f->leg = i;
    f->status = l->status;
    f->heading = l->heading;
    leg_eval(l, t, &f->lat, &f->lon);
    if (l->kind == L_SILENT) {
        f->silent = 1;
        return;
    }
    if (l->kind == L_MOORED) {
        f->moored = 1;
        f->sog = 0;
        f->cog = l->heading >= 0 ? l->heading : 0;
    } else {
        leg_eval(l, t - 5 * SEC, &la, &lo);
        leg_eval(l, t + 5 * SEC, &lb, &lob);
        velocity(la, lo, lb, lob, 10, &f->sog, &f->cog);
    }
    for (i = 0; i < s->nfake; i++)
        if (t >= s->fake_t0[i] && t < s->fake_t1[i]) {
            f->fake = 1 + i;
            f->lat = s->fake_lat[i];
            f->lon = s->fake_lon[i];
            offset(&f->lat, &f->lon, 0.05 * (double)(t - s->fake_t0[i]),
                   0.0);
        }
}

/* ---- planted scenarios ------------------------------------------------ */

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

struct df_sim {
    struct df_sim_opts o;
    const struct df_sim_cbs *cbs;
    int64_t t_start, t_end, period;
    uint64_t rng;
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

/* A fresh ship MMSI: MID then six digits, never the same twice in a run
 * (serial numbers are scattered by a bijection of 0-999999). */
static uint32_t new_mmsi(struct df_sim *sim, unsigned mid)
{
    uint32_t k = sim->next_serial++;
    uint32_t suffix = (uint32_t)((k * 618033ULL + (sim->o.seed % 1000000)) %
                                 1000000);

    return mid * 1000000 + suffix;
}

static struct actor *new_actor(struct df_sim *sim)
{
    struct actor *a = &sim->act[sim->nact];

    memset(a, 0, sizeof *a);
    a->rng = df__mix64(sim->o.seed * 0x9E3779B97F4A7C15ULL + sim->nact + 1);
    a->plant = -1;
    a->last_id = 255;
    a->cls = 'A';
    sim->nact++;
    return a;
}

static struct script *new_script(struct df_sim *sim)
{
    struct script *s = &sim->scripts[sim->nscripts++];

    memset(s, 0, sizeof *s);
    s->switch_ms = INT64_MAX;
    return s;
}

/* A planted vessel of flag f and kind k for role r of plant p. */
static struct actor *plant_vessel(struct df_sim *sim, struct plant *p,
                                  enum flagk f, char kind, struct script **s)
{
    struct actor *a = new_actor(sim);
    unsigned mid = mid_for(&sim->rng, f);

    a->mmsi = new_mmsi(sim, mid);
    a->sc = *s = new_script(sim);
    make_ident(&sim->rng, mid, kind, &a->sc->id[0]);
    a->sc->id[1] = a->sc->id[0];
    a->plant = (int)(p - sim->plants);
    a->role = p->nroles;
    p->actor[p->nroles++] = (int)(a - sim->act);
    return a;
}

static void start_at(struct builder *b, struct script *s, double lat,
                     double lon)
{
    b->s = s;
    b->t = 0;
    b->lat = lat;
    b->lon = lon;
}

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

/* Builds the scripts of scenario sc at times from 0; the caller shifts
 * them to the scenario's start. */
static void build(struct df_sim *sim, struct plant *p)
{
    uint64_t *r = &sim->rng;
    struct builder b, b2;
    struct script *s, *s2;
    struct actor *a, *a2;
    struct leg *l;
    double lat, lon, lat2, lon2, brg, d;

    p->site = NULL;
    switch (p->scenario) {
    case DF_SIM_ENCOUNTER:
    case DF_SIM_ANCHORAGE_ENCOUNTER: {
        int anch = p->scenario == DF_SIM_ANCHORAGE_ENCOUNTER;
        double ang, lat_m, lon_m, brg_a, brg_b;
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
        a = plant_vessel(sim, p, FL_FOC, 'T', &s);
        a2 = plant_vessel(sim, p, anch ? FL_CN : FL_KP, 'T', &s2);
        s->id[0].draught = s->id[1].draught = 120;
        s2->id[0].draught = s2->id[1].draught = 65;
        /* the partner lies 100 m abeam and comes in from that side, so
         * the two never pass closer than their offset */
        ang = brg_a + (pick(r, 2) ? 90 : -90) + uni(r, -20, 20);
        /* approach: 12 kn to 3 km out, then 3 kn to the meeting point */
        dest(lat_m, lon_m, brg_a, anch ? 30000 : 55000, &lat, &lon);
        start_at(&b, s, lat, lon);
        dest(lat_m, lon_m, brg_a, 3000, &lat, &lon);
        sail(&b, lat, lon, 12);
        sail(&b, lat_m, lon_m, 3);
        ta = b.t;
        lat2 = lat_m;
        lon2 = lon_m;
        offset(&lat2, &lon2, 100 * cos(rad(ang)), 100 * sin(rad(ang)));
        dest(lat_m, lon_m, brg_b, anch ? 30000 : 55000, &lat, &lon);
        start_at(&b2, s2, lat, lon);
        dest(lat2, lon2, ang, 3000, &lat, &lon);
        sail(&b2, lat, lon, 11);
        sail(&b2, lat2, lon2, 3);
        tb = b2.t;
        /* both arrive at the same moment */
        arrive = ta > tb ? ta : tb;
        script_shift(s, arrive - ta);
        script_shift(s2, arrive - tb);
        b.t = b2.t = arrive;
        hold_ms = (int64_t)(uni(r, 3, 6) * 60) * MIN;
        brg = uni(r, 0, 360);
        d = uni(r, 0.1, anch ? 0.3 : 0.5);
        l = drift(&b, hold_ms, d, brg, ang);
        if (l)
            l->status = anch ? 1 : 0;
        b2.lat = lat_m;
        b2.lon = lon_m;
        l = drift(&b2, hold_ms, d, brg, ang);
        if (l) {
            l->status = anch ? 1 : 0;
            l->off_n = 100 * cos(rad(ang));
            l->off_e = 100 * sin(rad(ang));
            end_leg(&b2, l);
        }
        p->key_leg = 2;
        sail(&b, b.lat + 0.02, b.lon + 0.02, 4);
        sail_brg(&b, anch ? 100 : 150, 50000, 12);
        sail(&b2, b2.lat + 0.02, b2.lon - 0.02, 4);
        sail_brg(&b2, anch ? 70 : 10, 50000, 11);
        break;
    }
    case DF_SIM_LOITERING:
        p->lat = uni(r, 29.8, 30.3);
        p->lon = uni(r, 124.1, 124.7);
        a = plant_vessel(sim, p, FL_FOC, 'T', &s);
        dest(p->lat, p->lon, uni(r, 250, 290), 45000, &lat, &lon);
        start_at(&b, s, lat, lon);
        sail(&b, p->lat, p->lon, 12);
        p->key_leg = 1;
        drift(&b, 8 * HOUR, uni(r, 0.3, 0.8), uni(r, 0, 360),
              uni(r, 0, 2 * PI));
        sail_brg(&b, uni(r, 60, 120), 45000, 12);
        break;
    case DF_SIM_GAP:
    case DF_SIM_DRAUGHT_CHANGE:
    case DF_SIM_DECOY_SHORT_GAP: {
        double kn = 11;
        int64_t dark;

        a = plant_vessel(sim, p, p->scenario == DF_SIM_DRAUGHT_CHANGE
                                     ? FL_FOC : FL_ANY, 'T', &s);
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
        start_at(&b, s, lat, lon);
        sail(&b, p->lat, p->lon, kn);
        dest(p->lat, p->lon, brg, d, &lat2, &lon2);
        p->key_leg = 1;
        go_dark(&b, dark, lat2, lon2);
        if (p->scenario == DF_SIM_DRAUGHT_CHANGE) {
            s->id[0].draught = 120;
            s->id[1] = s->id[0];
            s->id[1].draught = 75;
            s->switch_ms = b.t;
            sail_brg(&b, brg + 180, 6 * 3600 * kn * KN_MS, kn);
        } else {
            sail_brg(&b, brg, 6 * 3600 * kn * KN_MS, kn);
        }
        break;
    }
    case DF_SIM_SPOOFING:
        a = plant_vessel(sim, p, FL_FOC, 'T', &s);
        lat = uni(r, 32.6, 33.2);
        lon = uni(r, 123.4, 124.2);
        start_at(&b, s, lat, lon);
        sail_brg(&b, uni(r, 0, 30), 10 * 3600 * 12 * KN_MS, 12);
        /* 4 h in: 3 minutes 300 km to the south-east; 7 h in: two
         * minutes inland, in Anhui */
        leg_eval(&s->leg[0], 4 * HOUR, &lat, &lon);
        s->fake_t0[0] = 4 * HOUR;
        s->fake_t1[0] = 4 * HOUR + 3 * MIN;
        dest(lat, lon, uni(r, 120, 150), 300000, &s->fake_lat[0],
             &s->fake_lon[0]);
        s->fake_t0[1] = 7 * HOUR;
        s->fake_t1[1] = 7 * HOUR + 2 * MIN;
        s->fake_lat[1] = 31.5 + uni(r, -0.05, 0.05);
        s->fake_lon[1] = 118.0 + uni(r, -0.05, 0.05);
        s->nfake = 2;
        leg_eval(&s->leg[0], 4 * HOUR, &p->lat, &p->lon);
        break;
    case DF_SIM_MMSI_COLLISION: {
        int64_t dur6 = 6 * HOUR;
        a = plant_vessel(sim, p, FL_FOC, 'C', &s);
        a2 = plant_vessel(sim, p, FL_ANY, 'C', &s2);
        a2->mmsi = a->mmsi;
        p->lat = uni(r, 30.8, 31.2);
        p->lon = uni(r, 125.3, 125.7);
        start_at(&b, s, p->lat, p->lon);
        sail_brg(&b, uni(r, 30, 60), 6 * 3600 * 11 * KN_MS, 11);
        start_at(&b2, s2, uni(r, 34.3, 34.7), uni(r, 123.1, 123.5));
        sail_brg(&b2, uni(r, 340, 380), 6 * 3600 * 11 * KN_MS, 11);
        /* both sail exactly 6 h */
        s->leg[0].t1 = s2->leg[0].t1 = dur6;
        break;
    }
    case DF_SIM_IDENTITY_CHANGE:
        a = plant_vessel(sim, p, FL_FOC, 'T', &s);
        start_at(&b, s, uni(r, 33.3, 33.7), uni(r, 122.8, 123.3));
        sail_brg(&b, uni(r, 0, 20), 12 * 3600 * 12 * KN_MS, 12);
        {
            unsigned mid = a->mmsi / 1000000;
            do
                make_name(r, mid, s->id[0].shiptype, s->id[1].name);
            while (strcmp(s->id[0].name, s->id[1].name) == 0);
            make_callsign(r, mid, s->id[1].callsign);
            s->id[1].imo = make_imo(r, 0);
        }
        s->switch_ms = 6 * HOUR;
        leg_eval(&s->leg[0], 6 * HOUR, &p->lat, &p->lon);
        break;
    case DF_SIM_INVALID_IDENTITY:
        a = plant_vessel(sim, p, FL_ANY, 'C', &s);
        /* MID 299: not allocated by ITU (RR Appendix 43) */
        a->mmsi = 299000000 + a->mmsi % 1000000;
        start_at(&b, s, uni(r, 29.8, 30.1), uni(r, 123.7, 124.0));
        p->lat = b.lat;
        p->lon = b.lon;
        sail_brg(&b, uni(r, 10, 30), 8 * 3600 * 11 * KN_MS, 11);
        a2 = plant_vessel(sim, p, FL_FOC, 'T', &s2);
        s2->id[0].imo = s2->id[0].imo / 10 * 10 +
                        (s2->id[0].imo % 10 + 1 + pick(r, 9)) % 10;
        s2->id[1] = s2->id[0];
        start_at(&b2, s2, uni(r, 32.9, 33.2), uni(r, 124.3, 124.7));
        sail_brg(&b2, uni(r, 330, 350), 8 * 3600 * 11 * KN_MS, 11);
        break;
    case DF_SIM_ZONE_ENTRY:
        a = plant_vessel(sim, p, FL_CN, 'C', &s);
        start_at(&b, s, uni(r, 38.0, 38.1), uni(r, 123.5, 123.6));
        lat = uni(r, 38.35, 38.45);
        sail(&b, lat, 124.75, 10);
        hold(&b, L_DRIFT, 2 * HOUR);
        s->leg[1].status = 1;
        sail(&b, uni(r, 38.0, 38.1), 123.5, 10);
        p->lat = lat;
        p->lon = dprk_edge_lon(lat);
        break;
    case DF_SIM_PORT_CALL: {
        unsigned i;
        a = plant_vessel(sim, p, FL_FOC, 'C', &s);
        start_at(&b, s, nampo_path[0][0] - 0.3, nampo_path[0][1] - 0.5);
        for (i = 0; i < NAMPO_N; i++)
            sail(&b, nampo_path[i][0], nampo_path[i][1],
                 i + 1 == NAMPO_N ? 6 : 10);
        l = hold(&b, L_MOORED, (int64_t)(uni(r, 6, 10) * 60) * MIN);
        if (l) {
            l->status = 5;
            l->heading = (int)pick(r, 360);
        }
        p->key_leg = (int)NAMPO_N;
        for (i = NAMPO_N - 1; i-- > 0;)
            sail(&b, nampo_path[i][0], nampo_path[i][1], 10);
        sail(&b, nampo_path[0][0] - 0.3, nampo_path[0][1] - 0.5, 10);
        p->lat = NAMPO_LAT;
        p->lon = NAMPO_LON;
        p->site_lat = NAMPO_LAT;
        p->site_lon = NAMPO_LON;
        p->site = "NAMPO";
        break;
    }
    case DF_SIM_DECOY_PASSING: {
        double kn1 = uni(r, 12.5, 15), kn2 = uni(r, 12, 14.5), cpa;
        int64_t pre1, pre2;
        p->lat = uni(r, 31.9, 32.5);
        p->lon = uni(r, 124.1, 124.7);
        a = plant_vessel(sim, p, FL_ANY, 'C', &s);
        a2 = plant_vessel(sim, p, FL_ANY, 'T', &s2);
        brg = uni(r, 0, 360);
        cpa = uni(r, 150, 300);
        dest(p->lat, p->lon, brg + 180, 3 * 3600 * kn1 * KN_MS, &lat, &lon);
        start_at(&b, s, lat, lon);
        sail(&b, p->lat, p->lon, kn1);
        pre1 = b.t;
        sail_brg(&b, brg, 3 * 3600 * kn1 * KN_MS, kn1);
        /* the other passes cpa metres abeam, head-on or crossing */
        d = brg + 180 + uni(r, -40, 40);
        dest(p->lat, p->lon, brg + 90, cpa, &lat2, &lon2);
        dest(lat2, lon2, d + 180, 3 * 3600 * kn2 * KN_MS, &lat, &lon);
        start_at(&b2, s2, lat, lon);
        sail(&b2, lat2, lon2, kn2);
        pre2 = b2.t;
        sail_brg(&b2, d, 3 * 3600 * kn2 * KN_MS, kn2);
        script_shift(s2, pre1 - pre2);
        if (pre1 - pre2 < 0) {
            script_shift(s, pre2 - pre1);
            script_shift(s2, pre2 - pre1);
        }
        break;
    }
    case DF_SIM_DECOY_BERTH: {
        double ang = uni(r, 0, 180);
        int64_t stay = 30 * HOUR, lag = (int64_t)pick(r, 40) * MIN + 20 * MIN;
        a = plant_vessel(sim, p, FL_KR, 'C', &s);
        a2 = plant_vessel(sim, p, FL_ANY, 'T', &s2);
        p->lat = p->site_lat = BERTH_LAT;
        p->lon = p->site_lon = BERTH_LON;
        p->site = "BUSAN NORTH PORT";
        start_at(&b, s, 34.85, 129.45);
        sail(&b, 35.0, 129.3, 12);
        sail(&b, 35.05, 129.12, 8);
        sail(&b, 35.10, 129.08, 6);
        sail(&b, BERTH_LAT, BERTH_LON, 3);
        l = hold(&b, L_MOORED, stay + 2 * lag);
        if (l) {
            l->status = 5;
            l->heading = (int)lround(ang);
        }
        sail(&b, 35.10, 129.08, 3);
        sail(&b, 35.05, 129.12, 6);
        sail(&b, 35.0, 129.3, 10);
        d = uni(r, 30, 60);     /* side by side */
        lat2 = BERTH_LAT;
        lon2 = BERTH_LON;
        offset(&lat2, &lon2, d * cos(rad(ang + 90)), d * sin(rad(ang + 90)));
        start_at(&b2, s2, 34.80, 129.40);
        sail(&b2, 35.0, 129.3, 11);
        sail(&b2, 35.05, 129.12, 8);
        sail(&b2, 35.10, 129.08, 6);
        sail(&b2, lat2, lon2, 3);
        script_shift(s2, s->leg[3].t1 + lag - b2.t);
        b2.t = s->leg[3].t1 + lag;
        l = hold(&b2, L_MOORED, stay);
        if (l) {
            l->status = 5;
            l->heading = (int)lround(ang);
        }
        sail(&b2, 35.10, 129.08, 3);
        sail(&b2, 35.05, 129.12, 6);
        sail(&b2, 35.0, 129.3, 10);
        break;
    }
    case DF_SIM_DECOY_FISHING: {
        struct leg fish;
        a = plant_vessel(sim, p, FL_CN, 'F', &s);
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
        leg_eval(&fish, 0, &lat2, &lon2);
        dest(lat2, lon2, uni(r, 0, 360), 15000, &lat, &lon);
        start_at(&b, s, lat, lon);
        sail(&b, lat2, lon2, 8);
        fish.t0 = b.t;
        fish.t1 = b.t + 10 * HOUR;
        fish.status = 7;
        fish.heading = -1;
        s->leg[s->nlegs++] = fish;
        end_leg(&b, &s->leg[s->nlegs - 1]);
        p->key_leg = 1;
        sail_brg(&b, uni(r, 0, 360), 15000, 8);
        break;
    }
    default:
        break;
    }
}

/* ---- the heap of actors by next report time --------------------------- */

static int before(const struct df_sim *sim, unsigned a, unsigned b)
{
    const struct actor *x = &sim->act[a], *y = &sim->act[b];

    return x->next_ms < y->next_ms || (x->next_ms == y->next_ms && a < b);
}

static void heap_push(struct df_sim *sim, unsigned idx)
{
    unsigned i = sim->nheap++;

    while (i > 0) {
        unsigned parent = (i - 1) / 2;
        if (!before(sim, idx, sim->heap[parent]))
            break;
        sim->heap[i] = sim->heap[parent];
        i = parent;
    }
    sim->heap[i] = idx;
}

/* Restores the order after the top's key grew. */
static void heap_down(struct df_sim *sim)
{
    unsigned i = 0, n = sim->nheap, top = sim->heap[0];

    for (;;) {
        unsigned c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(sim, sim->heap[c + 1], sim->heap[c]))
            c++;
        if (!before(sim, sim->heap[c], top))
            break;
        sim->heap[i] = sim->heap[c];
        i = c;
    }
    sim->heap[i] = top;
}

static void heap_pop(struct df_sim *sim)
{
    sim->heap[0] = sim->heap[--sim->nheap];
    if (sim->nheap > 0)
        heap_down(sim);
}

/* ---- truth ------------------------------------------------------------- */

static int emit_truth(struct df_sim *sim, enum df_event_type type,
                      const uint32_t *v, int nv, int64_t t0, int64_t t1,
                      double lat, double lon, double score, const char *ev)
{
    struct df_event e;

    if (sim->st)
        sim->st->truths++;
    if (!sim->cbs->truth || sim->stopped)
        return 0;
    memset(&e, 0, sizeof e);
    e.type = type;
    e.nvessels = (uint8_t)nv;
    e.vessels[0] = v[0];
    e.vessels[1] = nv > 1 ? v[1] : 0;
    e.start_ms = t0;
    e.end_ms = t1;
    e.lat = wire(lat);
    e.lon = wire(lon);
    e.score = score;
    snprintf(e.evidence, sizeof e.evidence, "%s", ev);
    if (sim->cbs->truth(&e, sim->cbs->ud))
        sim->stopped = 1;
    return sim->stopped;
}

static double hours(int64_t a, int64_t b)
{
    return (double)(b - a) / (double)HOUR;
}

static void plant_truth(struct df_sim *sim, struct plant *p)
{
    const char *name = df_sim_scenario_name((enum df_sim_scenario)p->scenario);
    const struct actor *a = &sim->act[p->actor[0]];
    const struct actor *a2 = p->nroles > 1 ? &sim->act[p->actor[1]] : a;
    uint32_t v[2] = {a->mmsi, a2->mmsi};
    char ev[DF_EVIDENCE_MAX];
    double sog = p->n_close ? p->sum_sog / (double)p->n_close : 0;

    if (p->n_pos && (p->scenario == DF_SIM_ENCOUNTER ||
                     p->scenario == DF_SIM_ANCHORAGE_ENCOUNTER ||
                     p->scenario == DF_SIM_LOITERING ||
                     p->scenario == DF_SIM_PORT_CALL)) {
        p->lat = p->sum_lat / (double)p->n_pos;
        p->lon = p->sum_lon / (double)p->n_pos;
    }

    switch (p->scenario) {
    case DF_SIM_ENCOUNTER:
    case DF_SIM_ANCHORAGE_ENCOUNTER:
        if (p->site)
            snprintf(ev, sizeof ev,
                     "{\"scenario\":\"%s\",\"at_anchorage\":true,"
                     "\"anchorage\":\"%s\",\"anchorage_lat\":%.5f,"
                     "\"anchorage_lon\":%.5f,\"anchorage_km\":%.2f,"
                     "\"min_distance_m\":%.0f,\"max_distance_m\":%.0f,"
                     "\"mean_speed_kn\":%.2f,\"hours\":%.2f}",
                     name, p->site, p->site_lat, p->site_lon,
                     dist_m(p->lat, p->lon, p->site_lat, p->site_lon) / 1000,
                     p->min_d, p->max_d, sog, hours(p->close0, p->close1));
        else
            snprintf(ev, sizeof ev,
                     "{\"scenario\":\"%s\",\"at_anchorage\":false,"
                     "\"min_distance_m\":%.0f,\"max_distance_m\":%.0f,"
                     "\"mean_speed_kn\":%.2f,\"hours\":%.2f}",
                     name, p->min_d, p->max_d, sog,
                     hours(p->close0, p->close1));
        emit_truth(sim, DF_EV_ENCOUNTER, v, 2, p->close0, p->close1, p->lat,
                   p->lon, 1.0, ev);
        break;
    case DF_SIM_DECOY_PASSING:
    case DF_SIM_DECOY_BERTH:
        snprintf(ev, sizeof ev,
                 "{\"scenario\":\"%s\",\"decoy\":true,%s%s%s"
                 "\"min_distance_m\":%.0f,\"min_speed_kn\":%.1f,"
                 "\"max_speed_kn\":%.1f,\"hours\":%.2f}",
                 name, p->site ? "\"berth\":\"" : "", p->site ? p->site : "",
                 p->site ? "\"," : "", p->min_d, p->min_sog, p->max_sog,
                 hours(p->close0, p->close1));
        emit_truth(sim, DF_EV_ENCOUNTER, v, 2, p->close0, p->close1, p->lat,
                   p->lon, -1.0, ev);
        break;
    case DF_SIM_LOITERING:
    case DF_SIM_DECOY_FISHING:
        snprintf(ev, sizeof ev,
                 "{\"scenario\":\"%s\",%s\"mean_speed_kn\":%.2f,"
                 "\"min_speed_kn\":%.1f,\"max_speed_kn\":%.1f,"
                 "\"hours\":%.2f}",
                 name, p->scenario == DF_SIM_DECOY_FISHING
                           ? "\"decoy\":true,\"shiptype\":30," : "",
                 sog, p->min_sog, p->max_sog, hours(p->key0, p->key1));
        emit_truth(sim, DF_EV_LOITERING, v, 1, p->key0, p->key1, p->lat,
                   p->lon, p->scenario == DF_SIM_LOITERING ? 1.0 : -1.0, ev);
        break;
    case DF_SIM_GAP:
    case DF_SIM_DRAUGHT_CHANGE:
    case DF_SIM_DECOY_SHORT_GAP: {
        double km = dist_m(p->before_lat, p->before_lon, p->after_lat,
                           p->after_lon) / 1000;
        double h = hours(p->before, p->after);
        snprintf(ev, sizeof ev,
                 "{\"scenario\":\"%s\",%s\"hours\":%.2f,"
                 "\"distance_km\":%.1f,\"implied_speed_kn\":%.2f,"
                 "\"end_lat\":%.5f,\"end_lon\":%.5f}",
                 name, p->scenario == DF_SIM_DECOY_SHORT_GAP
                           ? "\"decoy\":true," : "",
                 h, km, h > 0 ? km / 1.852 / h : 0, p->after_lat,
                 p->after_lon);
        emit_truth(sim, DF_EV_GAP, v, 1, p->before, p->after, p->before_lat,
                   p->before_lon,
                   p->scenario == DF_SIM_DECOY_SHORT_GAP ? -1.0 : 1.0, ev);
        if (p->scenario == DF_SIM_DRAUGHT_CHANGE) {
            snprintf(ev, sizeof ev,
                     "{\"scenario\":\"%s\",\"draught_before_m\":%.1f,"
                     "\"draught_after_m\":%.1f,\"gap_hours\":%.2f}",
                     name, a->sc->id[0].draught / 10.0,
                     a->sc->id[1].draught / 10.0, h);
            emit_truth(sim, DF_EV_DRAUGHT_CHANGE, v, 1, p->before, p->after,
                       p->before_lat, p->before_lon, 1.0, ev);
        }
        break;
    }
    case DF_SIM_SPOOFING: {
        int i;
        for (i = 0; i < 2; i++) {
            snprintf(ev, sizeof ev,
                     "{\"scenario\":\"%s\",\"kind\":\"%s\","
                     "\"jump_km\":%.0f,\"fake_lat\":%.5f,"
                     "\"fake_lon\":%.5f}",
                     name, i == 0 ? "jump" : "on_land", p->fake_km[i],
                     a->sc->fake_lat[i], a->sc->fake_lon[i]);
            emit_truth(sim, DF_EV_SPOOFING, v, 1, p->fake0[i], p->fake1[i],
                       p->fake_at_lat[i], p->fake_at_lon[i], 1.0, ev);
        }
        break;
    }
    case DF_SIM_MMSI_COLLISION: {
        int64_t t0 = p->first[0] > p->first[1] ? p->first[0] : p->first[1];
        int64_t t1 = p->last[0] < p->last[1] ? p->last[0] : p->last[1];
        snprintf(ev, sizeof ev,
                 "{\"scenario\":\"%s\",\"names\":[\"%s\",\"%s\"],"
                 "\"min_distance_km\":%.0f}",
                 name, a->sc->id[0].name, a2->sc->id[0].name, p->min_d / 1000);
        emit_truth(sim, DF_EV_MMSI_COLLISION, v, 1, t0, t1, p->lat, p->lon,
                   1.0, ev);
        break;
    }
    case DF_SIM_IDENTITY_CHANGE: {
        const struct ident *o = &a->sc->id[0], *n = &a->sc->id[1];
        snprintf(ev, sizeof ev,
                 "{\"scenario\":\"%s\",\"old\":{\"shipname\":\"%s\","
                 "\"callsign\":\"%s\",\"imo\":%u},\"new\":{\"shipname\":"
                 "\"%s\",\"callsign\":\"%s\",\"imo\":%u}}",
                 name, o->name, o->callsign, (unsigned)o->imo, n->name,
                 n->callsign, (unsigned)n->imo);
        emit_truth(sim, DF_EV_IDENTITY_CHANGE, v, 1, p->switched,
                   p->switched, p->lat, p->lon, 1.0, ev);
        break;
    }
    case DF_SIM_INVALID_IDENTITY:
        snprintf(ev, sizeof ev,
                 "{\"scenario\":\"%s\",\"field\":\"mmsi\",\"mid\":%u}", name,
                 (unsigned)(a->mmsi / 1000000));
        emit_truth(sim, DF_EV_INVALID_IDENTITY, v, 1, p->first[0],
                   p->last[0], p->lat, p->lon, 1.0, ev);
        snprintf(ev, sizeof ev,
                 "{\"scenario\":\"%s\",\"field\":\"imo\",\"imo\":%u}", name,
                 (unsigned)a2->sc->id[0].imo);
        emit_truth(sim, DF_EV_INVALID_IDENTITY, v + 1, 1, p->first[1],
                   p->last[1], a2->sc->leg[0].lat0, a2->sc->leg[0].lon0, 1.0,
                   ev);
        break;
    case DF_SIM_ZONE_ENTRY:
    case DF_SIM_PORT_CALL:
        snprintf(ev, sizeof ev,
                 "{\"scenario\":\"%s\",\"zone\":\"%s\","
                 "\"hours_inside\":%.2f}",
                 name, sim->zones ? "built-in DPRK zone"
                                  : "DPRK waters (approximate, OSM)",
                 hours(p->in0, p->in1));
        emit_truth(sim, DF_EV_ZONE_ENTRY, v, 1, p->in0, p->in1,
                   p->before_lat, p->before_lon, 1.0, ev);
        if (p->scenario == DF_SIM_PORT_CALL) {
            snprintf(ev, sizeof ev,
                     "{\"scenario\":\"%s\",\"port\":\"%s\",\"country\":"
                     "\"KP\",\"hours\":%.2f}",
                     name, p->site, hours(p->port0, p->port1));
            emit_truth(sim, DF_EV_PORT_CALL, v, 1, p->port0, p->port1,
                       p->lat, p->lon, 1.0, ev);
        }
        break;
    default:
        break;
    }
}

/* Takes note of a report of a planted vessel. */
static void observe(struct df_sim *sim, struct plant *p, const struct actor *a,
                    int64_t t, const struct fix *f)
{
    int role = a->role;

    if (p->first[role] == DF_TIME_NONE)
        p->first[role] = t;
    p->last[role] = t;
    switch (p->scenario) {
    case DF_SIM_ENCOUNTER:
    case DF_SIM_ANCHORAGE_ENCOUNTER:
    case DF_SIM_DECOY_PASSING:
    case DF_SIM_DECOY_BERTH:
    case DF_SIM_MMSI_COLLISION: {
        const struct actor *o = &sim->act[p->actor[!role]];
        struct fix g;
        double d;
        if (!o->started || o->retired)
            break;
        where(o, t, sim->t_start, &g);
        if (g.silent)
            break;
        d = dist_m(f->lat, f->lon, g.lat, g.lon);
        if (p->scenario == DF_SIM_MMSI_COLLISION) {
            if (p->min_d == 0 || d < p->min_d)
                p->min_d = d;
            break;
        }
        if (d > 500)
            break;
        if (p->close0 == DF_TIME_NONE)
            p->close0 = t;
        p->close1 = t;
        if (p->n_close == 0 || d < p->min_d)
            p->min_d = d;
        if (d > p->max_d)
            p->max_d = d;
        if (p->n_close == 0 || f->sog < p->min_sog)
            p->min_sog = f->sog;
        if (f->sog > p->max_sog)
            p->max_sog = f->sog;
        p->sum_sog += f->sog;
        p->n_close++;
        p->sum_lat += (f->lat + g.lat) / 2;
        p->sum_lon += (f->lon + g.lon) / 2;
        p->n_pos++;
        break;
    }
    case DF_SIM_LOITERING:
    case DF_SIM_DECOY_FISHING:
        if (f->leg != p->key_leg)
            break;
        if (p->key0 == DF_TIME_NONE)
            p->key0 = t;
        p->key1 = t;
        if (p->n_close == 0 || f->sog < p->min_sog)
            p->min_sog = f->sog;
        if (f->sog > p->max_sog)
            p->max_sog = f->sog;
        p->sum_sog += f->sog;
        p->n_close++;
        p->sum_lat += f->lat;
        p->sum_lon += f->lon;
        p->n_pos++;
        break;
    case DF_SIM_GAP:
    case DF_SIM_DRAUGHT_CHANGE:
    case DF_SIM_DECOY_SHORT_GAP:
        if (f->leg < p->key_leg) {
            p->before = t;
            p->before_lat = f->lat;
            p->before_lon = f->lon;
        } else if (p->after == DF_TIME_NONE) {
            p->after = t;
            p->after_lat = f->lat;
            p->after_lon = f->lon;
        }
        break;
    case DF_SIM_SPOOFING:
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
        break;
    case DF_SIM_IDENTITY_CHANGE:
        if (p->switched == DF_TIME_NONE && t >= a->sc->switch_ms)
            p->switched = t;
        break;
    case DF_SIM_ZONE_ENTRY:
    case DF_SIM_PORT_CALL:
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
        if (p->site) {
            double d = dist_m(f->lat, f->lon, p->site_lat, p->site_lon);
            if (d <= 3000 && p->port0 == DF_TIME_NONE)
                p->port0 = t;
            if (d <= 3000 && f->sog < 0.2) {
                p->sum_lat += f->lat;
                p->sum_lon += f->lon;
                p->n_pos++;
            }
            if (d <= 4000 && p->port0 != DF_TIME_NONE)
                p->port1 = t;
        }
        break;
    default:
        break;
    }
}

/* ---- messages ----------------------------------------------------------- */

static int send(struct df_sim *sim, struct df_msg *m)
{
    if (sim->stopped)
        return 1;
    if (sim->st)
        sim->st->messages++;
    if (sim->cbs->msg && sim->cbs->msg(m, sim->cbs->ud))
        sim->stopped = 1;
    return sim->stopped;
}

static void msg_init(struct actor *a, int64_t t, unsigned type,
                     struct df_msg *m)
{
    memset(m, 0, sizeof *m);
    m->rx_ms = t;
    m->mmsi = a->mmsi;
    m->type = (uint8_t)type;
    m->channel = a->chan ? 'B' : 'A';
    a->chan ^= 1;
}

static void send_static(struct df_sim *sim, struct actor *a, int64_t t,
                        const struct ident *id, const struct fix *f)
{
    struct df_msg m;

    if (a->cls == 'A') {
        struct df_static *s = &m.u.stat;
        int64_t eta = t + 36 * HOUR;
        int64_t days = eta / (24 * HOUR), doy;
        msg_init(a, t, 5, &m);
        m.nbits = 424;
        s->imo = id->imo;
        memcpy(s->callsign, id->callsign, sizeof s->callsign);
        memcpy(s->shipname, id->name, sizeof s->shipname);
        memcpy(s->destination, id->dest, sizeof s->destination);
        s->shiptype = id->shiptype;
        s->to_bow = id->bow;
        s->to_stern = id->stern;
        s->to_port = id->port;
        s->to_starboard = id->stbd;
        s->epfd = 1;
        /* an ETA a day and a half ahead (month approximated) */
        doy = days % 365;
        s->month = (uint8_t)(1 + doy / 31 % 12);
        s->day = (uint8_t)(1 + doy % 28);
        s->hour = (uint8_t)(eta / HOUR % 24);
        s->minute = 0;
        s->draught = id->draught;
        send(sim, &m);
        return;
    }
    if (a->use19) {
        struct df_classb *c = &m.u.cb;
        msg_init(a, t, 19, &m);
        m.nbits = 312;
        c->speed = (uint16_t)lround(f->sog * 10);
        c->lon = wire(f->lon);
        c->lat = wire(f->lat);
        c->course = (uint16_t)(lround(f->cog * 10) % 3600);
        c->heading = DF_HEADING_NA;
        c->second = (uint8_t)(t / SEC % 60);
        memcpy(c->shipname, id->name, sizeof c->shipname);
        c->shiptype = id->shiptype;
        c->to_bow = id->bow;
        c->to_stern = id->stern;
        c->to_port = id->port;
        c->to_starboard = id->stbd;
        c->epfd = 1;
        c->dte = 1;
        send(sim, &m);
    } else {
        msg_init(a, t, 24, &m);
        m.nbits = 160;
        m.u.s24.partno = 0;
        memcpy(m.u.s24.shipname, id->name, sizeof m.u.s24.shipname);
        send(sim, &m);
    }
    msg_init(a, t, 24, &m);
    m.nbits = 168;
    m.u.s24.partno = 1;
    m.u.s24.shiptype = id->shiptype;
    memcpy(m.u.s24.vendorid, "SRT", 4);
    memcpy(m.u.s24.callsign, id->callsign, sizeof m.u.s24.callsign);
    m.u.s24.to_bow = id->bow;
    m.u.s24.to_stern = id->stern;
    m.u.s24.to_port = id->port;
    m.u.s24.to_starboard = id->stbd;
    send(sim, &m);
}

static void send_pos(struct df_sim *sim, struct actor *a, int64_t t,
                     const struct fix *f)
{
    struct df_msg m;
    double sog = f->sog, cog = f->cog;
    int hd;
    uint64_t key = a->rng ^ a->mmsi;

    if (!f->moored) {
        sog += 0.1 * noise(key, t, 1);
        cog += 1.0 * noise(key, t, 2);
    }
    if (sog < 0)
        sog = 0;
    if (cog < 0)
        cog += 360;
    hd = f->heading >= 0 ? f->heading
                         : (int)lround(cog + 2 * noise(key, t, 3));
    hd = ((hd % 360) + 360) % 360;
    if (a->cls == 'A') {
        struct df_pos *p = &m.u.pos;
        msg_init(a, t, next64(&a->rng) % 12 == 0 ? 3 : 1, &m);
        m.nbits = 168;
        p->status = f->status;
        p->turn = 0;
        p->speed = (uint16_t)lround(sog * 10);
        p->accuracy = 1;
        p->lon = wire(f->lon);
        p->lat = wire(f->lat);
        p->course = (uint16_t)(lround(cog * 10) % 3600);
        p->heading = (uint16_t)hd;
        p->second = (uint8_t)(t / SEC % 60);
        p->radio = (uint32_t)(next64(&a->rng) & 0x7ffff);
    } else {
        struct df_classb *c = &m.u.cb;
        msg_init(a, t, 18, &m);
        m.nbits = 168;
        c->speed = (uint16_t)lround(sog * 10);
        c->lon = wire(f->lon);
        c->lat = wire(f->lat);
        c->course = (uint16_t)(lround(cog * 10) % 3600);
        c->heading = DF_HEADING_NA;
        c->second = (uint8_t)(t / SEC % 60);
        c->cs = 1;
        c->band = 1;
        c->msg22 = 1;
        c->radio = 393222;
    }
    send(sim, &m);
}

/* Reports of actor a at its next time; returns 1 when it retires. */
static int tick(struct df_sim *sim, struct actor *a)
{
    int64_t t = a->next_ms, period = sim->period;
    struct fix f;
    const struct ident *id;
    uint8_t idn;

    if (a->sc ? t > script_t1(a->sc) : t > sim->t_end)
        return 1;
    if (!a->started) {
        a->started = 1;
        sim->live++;
        if (sim->st && sim->live > sim->st->peak_live)
            sim->st->peak_live = sim->live;
    }
    where(a, t, sim->t_start, &f);
    if (f.silent) {
        a->was_silent = 1;
        a->next_ms = t + period;
        return 0;
    }
    idn = a->sc && t >= a->sc->switch_ms;
    id = a->sc ? &a->sc->id[idn] : &a->bg;
    if (t >= a->next_static || idn != a->last_id || a->was_silent) {
        send_static(sim, a, t, id, &f);
        a->next_static = t + STATIC_EVERY;
        a->last_id = idn;
    }
    a->was_silent = 0;
    if (a->plant >= 0)
        observe(sim, &sim->plants[a->plant], a, t, &f);
    send_pos(sim, a, t, &f);
    if (f.moored && a->cls == 'A')
        period = MOORED_EVERY;
    /* reporting jitter of up to 2 s either way (whole seconds) */
    a->next_ms = t + period + ((int64_t)pick(&a->rng, 5) - 2) * SEC;
    return 0;
}

static void retire(struct df_sim *sim, struct actor *a)
{
    struct plant *p;

    a->retired = 1;
    if (a->started)
        sim->live--;
    if (a->plant < 0)
        return;
    p = &sim->plants[a->plant];
    if (--p->alive == 0)
        plant_truth(sim, p);
}

/* ---- set-up ------------------------------------------------------------ */

static void plant_reset(struct plant *p, int scenario)
{
    int i;

    memset(p, 0, sizeof *p);
    p->scenario = scenario;
    p->close0 = p->close1 = p->key0 = p->key1 = DF_TIME_NONE;
    p->before = p->after = p->switched = DF_TIME_NONE;
    p->in0 = p->in1 = p->port0 = p->port1 = DF_TIME_NONE;
    for (i = 0; i < 2; i++)
        p->fake0[i] = p->fake1[i] = DF_TIME_NONE;
    for (i = 0; i < MAX_ROLES; i++)
        p->first[i] = p->last[i] = DF_TIME_NONE;
}

static void background(struct df_sim *sim, struct actor *a)
{
    uint64_t *r = &a->rng;
    unsigned mid;
    char kind;
    double len;

    a->lane = (uint8_t)pick(r, NLANES);
    len = lane_total(a->lane);
    a->s0 = uni(r, 0, 2 * len);
    a->dn = uni(r, -2000, 2000);
    a->de = uni(r, -2000, 2000);
    if (pick(r, 100) < 12) {
        a->cls = 'B';
        a->use19 = pick(r, 5) == 0;
        kind = pick(r, 2) ? 'F' : 'P';
        mid = pick(r, 3) ? (pick(r, 2) ? 412 : 413) : 440;
        a->speed = uni(r, 10, 12) * KN_MS;
    } else {
        kind = pick(r, 5) < 2 ? 'T' : 'C';
        mid = mid_for(r, FL_ANY);
        a->speed = uni(r, 10, 16) * KN_MS;
    }
    a->mmsi = new_mmsi(sim, mid);
    make_ident(r, mid, kind, &a->bg);
    snprintf(a->bg.dest, sizeof a->bg.dest, "%s",
             pick(r, 2) ? lanes[a->lane].from : lanes[a->lane].to);
    a->next_ms = sim->t_start + (int64_t)pick(r, (unsigned)(sim->period /
                                                             SEC)) * SEC;
    a->next_static = a->next_ms + (int64_t)pick(r, 360) * SEC;
}

static void sim_free(struct df_sim *sim)
{
    df_geo_free(sim->zones);
    df__free(sim->act);
    df__free(sim->scripts);
    df__free(sim->heap);
}

enum df_err df__sim_run_ext(const struct df_sim_opts *opts, unsigned report_s,
                            const struct df_sim_cbs *cbs,
                            struct df__sim_stats *st)
{
    struct df_sim sim;
    unsigned i, nplanted = 0;
    int sc;

    if (!opts || !cbs || !(opts->hours > 0) || opts->hours > 24.0 * 3660 ||
        opts->vessels > 900000 || report_s > 3600)
        return DF_INVAL;
    memset(&sim, 0, sizeof sim);
    sim.o = *opts;
    sim.cbs = cbs;
    sim.st = st;
    if (st)
        memset(st, 0, sizeof *st);
    sim.period = (report_s ? report_s : 30) * SEC;
    sim.t_start = opts->start_ms ? opts->start_ms / SEC * SEC : DEFAULT_START;
    sim.t_end = sim.t_start + (int64_t)(opts->hours * 3600) * SEC;
    sim.rng = df__mix64(opts->seed ^ 0x5eed5eed5eedULL);
    lanes_init();
    for (sc = 0; sc < DF_SIM_COUNT; sc++)
        if (opts->scenarios >> sc & 1)
            nplanted++;
    sim.cap = opts->vessels + nplanted * MAX_ROLES;
    sim.act = df__calloc(sim.cap ? sim.cap : 1, sizeof *sim.act);
    sim.scripts = df__calloc(nplanted * MAX_ROLES + 1, sizeof *sim.scripts);
    sim.heap = df__calloc(sim.cap ? sim.cap : 1, sizeof *sim.heap);
    if (!sim.act || !sim.scripts || !sim.heap) {
        sim_free(&sim);
        return DF_NOMEM;
    }
    /* The truth of zone entries and port calls is measured against the
     * zone darkfleet ships (data/zones/dprk.geojson); without it, against
     * an approximate boundary. */
    if (opts->scenarios &
        (1u << DF_SIM_ZONE_ENTRY | 1u << DF_SIM_PORT_CALL)) {
        sim.zones = df_geo_new();
        if (sim.zones && df_geo_load_builtin_dprk(sim.zones) != DF_OK) {
            df_geo_free(sim.zones);
            sim.zones = NULL;
        }
    }
    for (i = 0; i < opts->vessels; i++)
        background(&sim, new_actor(&sim));
    /* Planted scenarios: each starts at a random time such that it ends
     * within the run if it can; a run shorter than a scenario is
     * extended to its end. */
    for (sc = 0; sc < DF_SIM_COUNT; sc++) {
        struct plant *p;
        unsigned first = sim.nact;
        int64_t t0 = INT64_MAX, t1 = INT64_MIN, span, at;
        int k;

        if (!(opts->scenarios >> sc & 1))
            continue;
        p = &sim.plants[sim.nplants++];
        plant_reset(p, sc);
        build(&sim, p);
        for (k = 0; k < p->nroles; k++) {
            const struct script *s = sim.act[p->actor[k]].sc;
            if (script_t0(s) < t0)
                t0 = script_t0(s);
            if (script_t1(s) > t1)
                t1 = script_t1(s);
        }
        span = t1 - t0;
        at = sim.t_end - sim.t_start > span
                 ? (int64_t)(unit(&sim.rng) *
                             (double)(sim.t_end - sim.t_start - span) /
                             (double)MIN) * MIN
                 : 0;
        for (i = first; i < sim.nact; i++) {
            struct actor *a = &sim.act[i];
            script_shift(a->sc, sim.t_start + at - t0);
            a->next_ms = script_t0(a->sc) + (int64_t)pick(&a->rng, 30) * SEC;
            a->next_static = a->next_ms;
            snprintf(a->sc->id[0].dest, sizeof a->sc->id[0].dest, "%s",
                     sc == DF_SIM_PORT_CALL ? "NAMPO" : "");
            memcpy(a->sc->id[1].dest, a->sc->id[0].dest,
                   sizeof a->sc->id[1].dest);
        }
        if (sim.t_start + at + span > sim.t_end)
            sim.t_end = sim.t_start + at + span;
        p->alive = p->nroles;
    }
    for (i = 0; i < sim.nact; i++)
        heap_push(&sim, i);
    while (sim.nheap > 0 && !sim.stopped) {
        struct actor *a = &sim.act[sim.heap[0]];
        if (tick(&sim, a)) {
            retire(&sim, a);
            heap_pop(&sim);
        } else {
            heap_down(&sim);
        }
    }
    sim_free(&sim);
    return DF_OK;
}

enum df_err df_sim_run(const struct df_sim_opts *opts,
                       const struct df_sim_cbs *cbs)
{
    return df__sim_run_ext(opts, 0, cbs, NULL);
}

static const char *const names[] = {
#define XX(code, name) name,
    DF_SIM_SCENARIOS(XX)
#undef XX
};

const char *df_sim_scenario_name(enum df_sim_scenario s)
{
    return (unsigned)s < DF_SIM_COUNT ? names[s] : "unknown";
}

int df_sim_scenario_from_name(const char *name)
{
    int i;

    for (i = 0; i < DF_SIM_COUNT; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}
