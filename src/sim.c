/*
 * sim.c - synthetic AIS traffic with planted behaviours (issue 4): the
 * engine.
 *
 * Background vessels sail back and forth on shipping lanes of the Yellow
 * Sea and the East China Sea (Shanghai-Busan, Qingdao-Incheon,
 * Dalian-Shanghai) at 10-16 kn; Class A ships report their position every
 * report interval and their static data (type 5) every 6 minutes, Class B
 * units send type 18 and 24A/24B (some type 19).  Each planted scenario
 * (DF_SIM_SCENARIOS in darkfleet.h) adds a few vessels that follow a
 * script of legs at real coordinates: sail to a point, drift, lie moored,
 * fish, or fall silent.  The scenarios (what they plant, measure and
 * hand out as truth) are in sim_scenarios.c, one row of a table each;
 * scripts are written and evaluated by sim_script.c; the vessels' made-up
 * identities come from sim_ident.c; sim_int.h holds what these files
 * share.
 *
 * Every vessel is an actor whose position is a pure function of time, so
 * the run is generated incrementally: a min-heap keyed by each actor's
 * next report time hands out messages in receive-time order, and memory
 * holds one small record per actor, never the run.  Each report of a
 * planted vessel goes through its scenario's observe() before it is sent;
 * when the scenario's last vessel retires, its truth() hands out the
 * ground truth in the event format.
 *
 * Deterministic for a seed: each actor draws from its own splitmix64
 * stream, the scenarios' set-up from the run's, and ties in the heap are
 * broken by actor number.
 */
#include "darkfleet.h"
#include "util/alloc.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim_int.h"

#define STATIC_EVERY (6 * MIN) /* type 5 and 24 */
#define MOORED_EVERY (3 * MIN) /* Class A at anchor or moored */
#define DEFAULT_START 1740787200000LL /* 2025-03-01T00:00:00Z */

/* ---- random numbers (the streams are in sim_int.h) ------------------ */

/* A noise value in [-1, 1) that depends only on (key, t). */
static double noise(uint64_t key, int64_t t, unsigned salt)
{
    uint64_t h = df__mix64(key ^ df__mix64((uint64_t)t * 31 + salt));
    return (double)(h >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

/* ---- shipping lanes ------------------------------------------------- */

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

/* ---- actors --------------------------------------------------------- */

/* When a planted vessel's script starts and ends. */
static int64_t script_t0(const struct script *s)
{
    return s->leg[0].t0;
}

static int64_t script_t1(const struct script *s)
{
    return s->leg[s->nlegs - 1].t1;
}

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

void df__sim_where(const struct actor *a, int64_t t, int64_t t_start,
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
    df__sim_leg_eval(l, t, &f->lat, &f->lon);
    if (l->kind == L_SILENT) {
        f->silent = 1;
        return;
    }
    if (l->kind == L_MOORED) {
        f->moored = 1;
        f->sog = 0;
        f->cog = l->heading >= 0 ? l->heading : 0;
    } else {
        df__sim_leg_eval(l, t - 5 * SEC, &la, &lo);
        df__sim_leg_eval(l, t + 5 * SEC, &lb, &lob);
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

/* ---- new actors ----------------------------------------------------- */

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

struct actor *df__sim_plant_vessel(struct df_sim *sim, struct plant *p,
                                   enum flagk f, char kind,
                                   struct script **s)
{
    struct actor *a = new_actor(sim);
    unsigned mid = df__sim_mid_for(&sim->rng, f);

    a->mmsi = new_mmsi(sim, mid);
    a->sc = *s = new_script(sim);
    df__sim_make_ident(&sim->rng, mid, kind, &a->sc->id[0]);
    a->sc->id[1] = a->sc->id[0];
    a->plant = (int)(p - sim->plants);
    a->role = p->nroles;
    p->actor[p->nroles++] = (int)(a - sim->act);
    return a;
}

/* ---- the heap of actors by next report time ------------------------- */

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

/* ---- planted scenarios: lookups in their table ---------------------- */

/* Takes note of a report of a planted vessel: its first and last report,
 * then what its scenario measures. */
static void observe(struct df_sim *sim, struct plant *p, const struct actor *a,
                    int64_t t, const struct fix *f)
{
    const struct df__sim_scenario *sc = &df__sim_scenarios[p->scenario];
    int role = a->role;

    if (p->first[role] == DF_TIME_NONE)
        p->first[role] = t;
    p->last[role] = t;
    if (sc->observe)
        sc->observe(sim, p, a, t, f);
}

/* Hands out the truth of a plant whose vessels have all retired. */
static void plant_truth(struct df_sim *sim, struct plant *p)
{
    struct cast c;

    c.name = df_sim_scenario_name((enum df_sim_scenario)p->scenario);
    c.a = &sim->act[p->actor[0]];
    c.a2 = p->nroles > 1 ? &sim->act[p->actor[1]] : c.a;
    c.v[0] = c.a->mmsi;
    c.v[1] = c.a2->mmsi;
    df__sim_scenarios[p->scenario].truth(sim, p, &c);
}

/* ---- messages and truth --------------------------------------------- */

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

/* The dimensions of id into message body x: types 5, 19 and 24B name
 * them alike. */
#define PUT_DIMS(x, id)                                                      \
    ((x)->to_bow = (id)->bow, (x)->to_stern = (id)->stern,                  \
     (x)->to_port = (id)->port, (x)->to_starboard = (id)->stbd)

/* The static data of actor a with identity id: type 5 from Class A;
 * type 24A (or 19 with the position f) and 24B from Class B. */
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
        PUT_DIMS(s, id);
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
        PUT_DIMS(c, id);
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
    PUT_DIMS(&m.u.s24, id);
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

/* One planted event (see sim_int.h), like send() for a message. */
void df__sim_truth(struct df_sim *sim, enum df_event_type type,
                   const uint32_t *v, int nv, int64_t t0, int64_t t1,
                   double lat, double lon, double score, const char *ev)
{
    struct df_event e;

    if (sim->st)
        sim->st->truths++;
    if (!sim->cbs->truth || sim->stopped)
        return;
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
    df__sim_where(a, t, sim->t_start, &f);
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

/* ---- set-up --------------------------------------------------------- */

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
        mid = df__sim_mid_for(r, FL_ANY);
        a->speed = uni(r, 10, 16) * KN_MS;
    }
    a->mmsi = new_mmsi(sim, mid);
    df__sim_make_ident(r, mid, kind, &a->bg);
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
    int sc, need_zones = 0;

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
    /* The truth of the scenarios that ask for zones (zone entries, port
     * calls) is measured against the zone darkfleet ships
     * (data/zones/dprk.geojson); without it, against an approximate
     * boundary. */
    for (sc = 0; sc < DF_SIM_COUNT; sc++)
        if (opts->scenarios >> sc & 1 && df__sim_scenarios[sc].zones)
            need_zones = 1;
    if (need_zones) {
        sim.zones = df_geo_new();
        if (sim.zones && df_geo_load_builtin_dprk(sim.zones) != DF_OK) {
            df_geo_free(sim.zones);
            sim.zones = NULL;
        }
    }
    for (i = 0; i < opts->vessels; i++)
        background(&sim, new_actor(&sim));
    /* Planted scenarios, built by their rows of the table: each starts at
     * a random time such that it ends within the run if it can; a run
     * shorter than a scenario is extended to its end. */
    for (sc = 0; sc < DF_SIM_COUNT; sc++) {
        struct plant *p;
        unsigned first = sim.nact;
        int64_t t0 = INT64_MAX, t1 = INT64_MIN, span, at;
        int k;

        if (!(opts->scenarios >> sc & 1))
            continue;
        p = &sim.plants[sim.nplants++];
        plant_reset(p, sc);
        assert(df__sim_scenarios[sc].build && df__sim_scenarios[sc].truth);
        df__sim_scenarios[sc].build(&sim, p);
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
            df__sim_script_shift(a->sc, sim.t_start + at - t0);
            a->next_ms = script_t0(a->sc) + (int64_t)pick(&a->rng, 30) * SEC;
            a->next_static = a->next_ms;
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
