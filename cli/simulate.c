/*
 * simulate.c - `darkfleet simulate`: synthetic AIS traffic with planted
 * behaviours (src/sim.c), written as NMEA sentences with tag-block receive
 * times or as a MarineCadastre CSV table (one row per position, carrying
 * the vessel's latest static data as MarineCadastre publishes it), and
 * the ground truth as JSON lines in the event format (DESIGN.md).
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Registered in main.c. */
int cmd_simulate(int argc, char **argv);

#define DEFAULT_START_MS 1740787200000LL /* 2025-03-01T00:00:00Z */

/* The latest static data of one vessel, for CSV rows. */
struct vstatic {
    uint32_t mmsi;             /* 0: empty slot */
    uint32_t imo;
    char name[21];
    char callsign[8];
    uint8_t shiptype;
    uint8_t draught;
    uint16_t length, width;
};

struct sim_out {
    int csv;
    struct df_buf out;
    struct df_buf truth;
    FILE *truth_f;
    unsigned seqid;
    int failed;
    struct vstatic *tab;       /* open addressing by MMSI */
    size_t tab_cap, tab_used;
    int64_t day_ms;            /* the date cached in date[] */
    char date[16];
};

static void usage(FILE *f)
{
    fputs("usage: darkfleet simulate [OPTIONS]\n"
          "Synthetic AIS traffic on the shipping lanes of the Yellow Sea "
          "and\nthe East China Sea, with planted behaviours and their "
          "ground truth.\n\n"
          "  --seed N              random seed (default 1)\n"
          "  --hours H             simulated hours (default 48; extended "
          "when a\n"
          "                        scenario needs longer)\n"
          "  --vessels N           background vessels (default 200)\n"
          "  --scenario LIST       comma-separated scenario names, all "
          "(default)\n"
          "                        or none\n"
          "  --format nmea|csv     NMEA with tag blocks (default) or "
          "MarineCadastre CSV\n"
          "  --truth FILE          write the planted events as JSON lines "
          "(- : after\n"
          "                        the traffic on standard output)\n"
          "  -o FILE               write the traffic to FILE (default "
          "standard output)\n"
          "  --start ISO8601       simulated start (default "
          "2025-03-01T00:00:00Z)\n"
          "  --list                list the scenarios\n\n"
          "scenarios:",
          f);
    {
        int i;
        for (i = 0; i < DF_SIM_COUNT; i++)
            fprintf(f, "%s%s", i % 5 ? " " : "\n  ",
                    df_sim_scenario_name((enum df_sim_scenario)i));
    }
    fputc('\n', f);
}

/* ---- CSV rows ----------------------------------------------------------- */

static struct vstatic *lookup(struct sim_out *o, uint32_t mmsi)
{
    size_t i;

    if (o->tab_used * 2 >= o->tab_cap) {
        size_t ncap = o->tab_cap ? o->tab_cap * 2 : 1024, k;
        struct vstatic *nt = calloc(ncap, sizeof *nt);
        if (!nt)
            return NULL;
        for (k = 0; k < o->tab_cap; k++) {
            if (!o->tab[k].mmsi)
                continue;
            i = (o->tab[k].mmsi * 2654435761u) & (ncap - 1);
            while (nt[i].mmsi)
                i = (i + 1) & (ncap - 1);
            nt[i] = o->tab[k];
        }
        free(o->tab);
        o->tab = nt;
        o->tab_cap = ncap;
    }
    i = (mmsi * 2654435761u) & (o->tab_cap - 1);
    while (o->tab[i].mmsi && o->tab[i].mmsi != mmsi)
        i = (i + 1) & (o->tab_cap - 1);
    if (!o->tab[i].mmsi) {
        o->tab[i].mmsi = mmsi;
        o->tab_used++;
    }
    return &o->tab[i];
}

/* "YYYY-MM-DDTHH:MM:SS" (MarineCadastre's BaseDateTime). */
static void base_time(struct sim_out *o, int64_t ms, char *out)
{
    int64_t day = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
    int64_t sod = (ms - day * 86400000) / 1000;

    if (day != o->day_ms) {
        time_t t = (time_t)(day * 86400);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(o->date, sizeof o->date, "%Y-%m-%d", &tm);
        o->day_ms = day;
    }
    snprintf(out, 32, "%sT%02d:%02d:%02d", o->date, (int)(sod / 3600),
             (int)(sod / 60 % 60), (int)(sod % 60));
}

static void csv_static(struct sim_out *o, const struct df_msg *m)
{
    struct vstatic *v = lookup(o, m->mmsi);

    if (!v) {
        o->out.oom = 1;
        return;
    }
    switch (m->type) {
    case 5:
        v->imo = m->u.stat.imo;
        memcpy(v->name, m->u.stat.shipname, sizeof v->name);
        memcpy(v->callsign, m->u.stat.callsign, sizeof v->callsign);
        v->shiptype = m->u.stat.shiptype;
        v->draught = m->u.stat.draught;
        v->length = (uint16_t)(m->u.stat.to_bow + m->u.stat.to_stern);
        v->width = (uint16_t)(m->u.stat.to_port + m->u.stat.to_starboard);
        break;
    case 19:
        memcpy(v->name, m->u.cb.shipname, sizeof v->name);
        v->shiptype = m->u.cb.shiptype;
        v->length = (uint16_t)(m->u.cb.to_bow + m->u.cb.to_stern);
        v->width = (uint16_t)(m->u.cb.to_port + m->u.cb.to_starboard);
        break;
    case 24:
        if (m->u.s24.partno == 0) {
            memcpy(v->name, m->u.s24.shipname, sizeof v->name);
        } else {
            memcpy(v->callsign, m->u.s24.callsign, sizeof v->callsign);
            v->shiptype = m->u.s24.shiptype;
            v->length = (uint16_t)(m->u.s24.to_bow + m->u.s24.to_stern);
            v->width =
                (uint16_t)(m->u.s24.to_port + m->u.s24.to_starboard);
        }
        break;
    default:
        break;
    }
}

static void csv_row(struct sim_out *o, const struct df_msg *m)
{
    const struct vstatic *v = lookup(o, m->mmsi);
    char t[32], imo[16] = "", type[8] = "", status[8] = "", len[8] = "",
                wid[8] = "", dr[8] = "";
    int32_t lon, lat;
    unsigned speed, course, heading;
    char cls = 'A';

    if (!v) {
        o->out.oom = 1;
        return;
    }
    if (m->type <= 3) {
        lon = m->u.pos.lon;
        lat = m->u.pos.lat;
        speed = m->u.pos.speed;
        course = m->u.pos.course;
        heading = m->u.pos.heading;
        snprintf(status, sizeof status, "%u", m->u.pos.status);
    } else {
        lon = m->u.cb.lon;
        lat = m->u.cb.lat;
        speed = m->u.cb.speed;
        course = m->u.cb.course;
        heading = m->u.cb.heading;
        cls = 'B';
    }
    base_time(o, m->rx_ms, t);
    if (v->imo)
        snprintf(imo, sizeof imo, "IMO%07u", (unsigned)v->imo);
    if (v->shiptype)
        snprintf(type, sizeof type, "%u", v->shiptype);
    if (v->length)
        snprintf(len, sizeof len, "%u", v->length);
    if (v->width)
        snprintf(wid, sizeof wid, "%u", v->width);
    if (v->draught)
        snprintf(dr, sizeof dr, "%.1f", v->draught / 10.0);
    df_buf_printf(&o->out,
                  "%u,%s,%.5f,%.5f,%.1f,%.1f,%u,%s,%s,%s,%s,%s,%s,%s,%s,,%c\n",
                  (unsigned)m->mmsi, t, lat / 600000.0, lon / 600000.0,
                  speed / 10.0, course / 10.0, heading, v->name, imo,
                  v->callsign, type, status, len, wid, dr, cls);
}

/* ---- callbacks ---------------------------------------------------------- */

static int on_msg(const struct df_msg *m, void *ud)
{
    struct sim_out *o = ud;

    if (o->csv) {
        if (m->type == 5 || m->type == 19 || m->type == 24)
            csv_static(o, m);
        if (m->type <= 3 || m->type == 18 || m->type == 19)
            csv_row(o, m);
    } else {
        df_msg_nmea(&o->out, m, o->seqid);
        if (m->type == 5)
            o->seqid = (o->seqid + 1) % 10;
    }
    if (cli_out_flush(&o->out, 0) != 0) {
        o->failed = 1;
        return 1;
    }
    return 0;
}

static int on_truth(const struct df_event *ev, void *ud)
{
    struct sim_out *o = ud;

    if (!o->truth_f)
        return 0;
    df_event_json(&o->truth, ev);
    df_buf_append(&o->truth, "\n", 1);
    return 0;
}

/* ---- options ------------------------------------------------------------ */

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;

    if (!*s || *s == '-')
        return -1;
    errno = 0;
    *v = strtoull(s, &end, 10);
    return errno || *end ? -1 : 0;
}

static int parse_scenarios(const char *s, uint32_t *bits)
{
    char name[64];

    if (strcmp(s, "all") == 0) {
        *bits = (1u << DF_SIM_COUNT) - 1;
        return 0;
    }
    *bits = 0;
    if (strcmp(s, "none") == 0)
        return 0;
    while (*s) {
        const char *c = strchr(s, ',');
        size_t n = c ? (size_t)(c - s) : strlen(s);
        int k;
        if (n == 0 || n >= sizeof name) {
            cli_err("simulate: bad --scenario list");
            return -1;
        }
        memcpy(name, s, n);
        name[n] = '\0';
        if (strcmp(name, "all") == 0) {
            *bits = (1u << DF_SIM_COUNT) - 1;
        } else {
            k = df_sim_scenario_from_name(name);
            if (k < 0) {
                cli_err("simulate: unknown scenario '%s' (see --list)",
                        name);
                return -1;
            }
            *bits |= 1u << k;
        }
        s += n;
        if (*s == ',')
            s++;
    }
    return 0;
}

enum { OPT_LIST = CLI_OPT_OWN, OPT_SEED, OPT_HOURS, OPT_VESSELS,
       OPT_SCENARIO, OPT_FORMAT, OPT_TRUTH, OPT_OUTPUT, OPT_START };

static const struct cli_opt opts[] = {
    {OPT_LIST, "--list", NULL, 0},
    {OPT_SEED, "--seed", NULL, 1},
    {OPT_HOURS, "--hours", NULL, 1},
    {OPT_VESSELS, "--vessels", NULL, 1},
    {OPT_SCENARIO, "--scenario", NULL, 1},
    {OPT_SCENARIO, "--scenarios", NULL, 1},
    {OPT_FORMAT, "--format", NULL, 1},
    {OPT_TRUTH, "--truth", NULL, 1},
    {OPT_OUTPUT, "--output", "-o", 1},
    {OPT_START, "--start", NULL, 1},
    CLI_OPTS_HELP,
    CLI_OPTS_END};

int cmd_simulate(int argc, char **argv)
{
    struct df_sim_opts so;
    struct df_sim_cbs cbs;
    struct sim_out o;
    const char *out_path = NULL, *truth_path = NULL, *v;
    struct cli_args args;
    enum df_err err;
    int id, rc = 0;

    memset(&so, 0, sizeof so);
    memset(&o, 0, sizeof o);
    so.seed = 1;
    so.hours = 48;
    so.vessels = 200;
    so.start_ms = DEFAULT_START_MS;
    so.scenarios = (1u << DF_SIM_COUNT) - 1;
    o.day_ms = INT64_MIN;
    cli_args_init(&args, "simulate", argc, argv);
    while ((id = cli_args_next(&args, opts, &v)) != CLI_END) {
        uint64_t n;
        char *end;
        int k;

        switch (id) {
        case CLI_OPT_HELP:
            usage(stdout);
            return 0;
        case OPT_LIST:
            for (k = 0; k < DF_SIM_COUNT; k++)
                printf("%s\n", df_sim_scenario_name((enum df_sim_scenario)k));
            return 0;
        case OPT_SEED:
            if (parse_u64(v, &so.seed) != 0) {
                cli_err("simulate: bad --seed '%s'", v);
                return 2;
            }
            break;
        case OPT_HOURS:
            so.hours = strtod(v, &end);
            if (*end || end == v || !(so.hours > 0) || so.hours > 24 * 3660) {
                cli_err("simulate: bad --hours '%s' (0 < H <= 87840)", v);
                return 2;
            }
            break;
        case OPT_VESSELS:
            if (parse_u64(v, &n) != 0 || n > 900000) {
                cli_err("simulate: bad --vessels '%s' (0-900000)", v);
                return 2;
            }
            so.vessels = (unsigned)n;
            break;
        case OPT_SCENARIO:
            if (parse_scenarios(v, &so.scenarios) != 0)
                return 2;
            break;
        case OPT_FORMAT:
            if (strcmp(v, "nmea") == 0) {
                o.csv = 0;
            } else if (strcmp(v, "csv") == 0) {
                o.csv = 1;
            } else {
                cli_err("simulate: bad --format '%s' (nmea or csv)", v);
                return 2;
            }
            break;
        case OPT_TRUTH:
            truth_path = v;
            break;
        case OPT_OUTPUT:
            out_path = v;
            break;
        case OPT_START:
            if ((so.start_ms = df_time_parse(v, strlen(v))) ==
                DF_TIME_NONE) {
                cli_err("simulate: bad --start '%s' (YYYY-MM-DDTHH:MM:SSZ)",
                        v);
                return 2;
            }
            break;
        default:
            return cli_args_bad(&args, id, v);
        }
    }
    if (out_path && strcmp(out_path, "-") != 0 &&
        !freopen(out_path, "w", stdout)) {
        cli_err("simulate: cannot write %s: %s", out_path, strerror(errno));
        return 1;
    }
    if (truth_path) {
        o.truth_f = strcmp(truth_path, "-") == 0 ? stdout
                                                 : fopen(truth_path, "w");
        if (!o.truth_f) {
            cli_err("simulate: cannot write %s: %s", truth_path,
                    strerror(errno));
            return 1;
        }
    }
    if (o.csv)
        df_buf_puts(&o.out, "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,"
                            "VesselName,IMO,CallSign,VesselType,Status,"
                            "Length,Width,Draft,Cargo,TransceiverClass\n");
    cbs.msg = on_msg;
    cbs.truth = on_truth;
    cbs.ud = &o;
    err = df_sim_run(&so, &cbs);
    if (err != DF_OK) {
        cli_err("simulate: %s", df_strerror(err));
        rc = 1;
    }
    if (!o.failed && cli_out_flush(&o.out, 1) != 0)
        o.failed = 1;
    if (o.failed)
        rc = 1;
    if (o.truth_f) {
        if (o.truth.oom ||
            fwrite(o.truth.data, 1, o.truth.len, o.truth_f) != o.truth.len ||
            (o.truth_f == stdout ? fflush(stdout)
                                 : fclose(o.truth_f)) != 0) {
            cli_err("simulate: writing %s failed", truth_path);
            rc = 1;
        }
    }
    df_buf_free(&o.out);
    df_buf_free(&o.truth);
    free(o.tab);
    return rc;
}
