/*
 * ais_app_inland.c - the regional application messages of types 6 and 8
 * that gpsd 3.22 decodes: Inland AIS (CCNR, DAC 200: FI 10, 21-24, 40, 55)
 * and the GLA AtoN monitoring message (DAC 235 and 250, FI 10).  gpsd's
 * departures from the specs, and how this code follows them, are in the
 * header comment of ais_app.c.
 */
#include "ais_app_int.h"

/* ------------------------------------------------------------------ */
/* Label tables (gpsd's wording)                                      */
/* ------------------------------------------------------------------ */

static const char *const racon_status[4] = {
    "No RACON installed", "RACON not monitored", "RACON operational",
    "RACON ERROR",
};

static const char *const light_status[4] = {
    "No light or no monitoring", "Light ON", "Light OFF", "Light ERROR",
};

static const char *const rta_status[4] = {
    "Operational", "Limited operation", "Out of order", "N/A",
};

static const struct {
    unsigned short code;
    unsigned char ais;
    const char *legend;
} inland_types[] = {
    {8000, 99, "Vessel, type unknown"},
    {8010, 79, "Motor freighter"},
    {8020, 89, "Motor tanker"},
    {8021, 80, "Motor tanker, liquid cargo, type N"},
    {8022, 80, "Motor tanker, liquid cargo, type C"},
    {8023, 89, "Motor tanker, dry cargo as if liquid (e.g. cement)"},
    {8030, 79, "Container vessel"},
    {8040, 80, "Gas tanker"},
    {8050, 79, "Motor freighter, tug"},
    {8060, 89, "Motor tanker, tug"},
    {8070, 79, "Motor freighter with one or more ships alongside"},
    {8080, 89, "Motor freighter with tanker"},
    {8090, 79, "Motor freighter pushing one or more freighters"},
    {8100, 89, "Motor freighter pushing at least one tank-ship"},
    {8110, 79, "Tug, freighter"},
    {8120, 89, "Tug, tanker"},
    {8130, 31, "Tug freighter, coupled"},
    {8140, 31, "Tug, freighter/tanker, coupled"},
    {8150, 99, "Freightbarge"},
    {8160, 99, "Tankbarge"},
    {8161, 90, "Tankbarge, liquid cargo, type N"},
    {8162, 90, "Tankbarge, liquid cargo, type C"},
    {8163, 99, "Tankbarge, dry cargo as if liquid (e.g. cement)"},
    {8170, 99, "Freightbarge with containers"},
    {8180, 90, "Tankbarge, gas"},
    {8210, 79, "Pushtow, one cargo barge"},
    {8220, 79, "Pushtow, two cargo barges"},
    {8230, 79, "Pushtow, three cargo barges"},
    {8240, 79, "Pushtow, four cargo barges"},
    {8250, 79, "Pushtow, five cargo barges"},
    {8260, 79, "Pushtow, six cargo barges"},
    {8270, 79, "Pushtow, seven cargo barges"},
    {8280, 79, "Pushtow, eigth cargo barges"},
    {8290, 79, "Pushtow, nine or more barges"},
    {8310, 80, "Pushtow, one tank/gas barge"},
    {8320, 80, "Pushtow, two barges at least one tanker or gas barge"},
    {8330, 80, "Pushtow, three barges at least one tanker or gas barge"},
    {8340, 80, "Pushtow, four barges at least one tanker or gas barge"},
    {8350, 80, "Pushtow, five barges at least one tanker or gas barge"},
    {8360, 80, "Pushtow, six barges at least one tanker or gas barge"},
    {8370, 80, "Pushtow, seven barges at least one tanker or gas barg"},
    {0, 0, "Illegal ship type value."},
};

static const char *const hazard_types[6] = {
    "0 blue cones/lights", "1 blue cone/light", "2 blue cones/lights",
    "3 blue cones/lights", "4 B-Flag", "Unknown",
};

static const char *const load_status[3] = {
    "N/A (default)", "Unloaded", "Loaded",
};

static const char *const emma_types[10] = {
    "Not Available", "Wind", "Rain", "Snow and ice", "Thunderstorm", "Fog",
    "Low temperature", "High temperature", "Flood", "Forest Fire",
};

static const char *const emma_classes[3] = { "Slight", "Medium", "Strong" };

static const char *const emma_winds[9] = {
    "N/A", "North", "North East", "East", "South East", "South",
    "South West", "West", "North West",
};

static const char *const directions[5] = {
    "Unknown", "Upstream", "Downstream", "To left bank", "To right bank",
};

static const char *const light_states[8] = {
    "Unknown", "No light", "White", "Yellow", "Green", "Red",
    "White flashing", "Yellow flashing.",
};

/* ------------------------------------------------------------------ */
/* Type 6, DAC 200 (Inland AIS) and DAC 235/250 (GLA)                 */
/* ------------------------------------------------------------------ */

/* The lock/bridge/terminal location shared by FI 21 and FI 22, and the
 * month-day-hour-minute time after it, unpadded as gpsd prints it. */
static void inland_location(struct df_buf *b, const struct view *v)
{
    char s[6];

    sixbit(v, 88, 2, s, 3);
    key_s(b, "country", s);
    sixbit(v, 100, 3, s, 4);
    key_s(b, "locode", s);
    sixbit(v, 118, 5, s, 6);
    key_s(b, "section", s);
    sixbit(v, 148, 5, s, 6);
    key_s(b, "terminal", s);
    sixbit(v, 178, 5, s, 6);
    key_s(b, "hectometre", s);
    df_buf_printf(b, ",\"eta\":\"%u-%uT%u:%u\"", ubits(v, 208, 4),
                  ubits(v, 212, 5), ubits(v, 217, 5), ubits(v, 222, 6));
}

int df__app_t6_dac200(struct df_buf *b, const struct view *v,
                        const struct df_msg *m, unsigned flags)
{
    switch (m->u.bin.fid) {
    case 21: /* ETA at lock/bridge/terminal */
        if (v->bitlen != 248)
            return 0;
        inland_location(b, v);
        key_u(b, "tugs", ubits(v, 228, 3));
        key_u(b, "airdraught", ubits(v, 231, 12));
        return 1;
    case 22: /* RTA at lock/bridge/terminal */
        if (v->bitlen != 232)
            return 0;
        inland_location(b, v);
        key_u(b, "status", ubits(v, 228, 2));
        key_label(b, flags, "status_text", rta_status[ubits(v, 228, 2)]);
        return 1;
    case 55: /* number of persons on board */
        if (v->bitlen != 168)
            return 0;
        key_u(b, "crew", ubits(v, 88, 8));
        key_u(b, "passengers", ubits(v, 96, 13));
        key_u(b, "personnel", ubits(v, 109, 8));
        return 1;
    default:
        return 0;
    }
}

/* GLA AtoN monitoring data (DAC 235 and 250, FI 10).  Analogue readings
 * are in 0.05 V steps; gpsd prints a zero reading unscaled. */
int df__app_t6_gla(struct df_buf *b, const struct view *v,
                     const struct df_msg *m, unsigned flags)
{
    static const char *const ana[3] = { "ana_int", "ana_ext1", "ana_ext2" };
    unsigned i, racon, light;

    if (m->u.bin.fid != 10 || v->bitlen != 136)
        return 0;
    key_b(b, "off_pos", ubits(v, 131, 1));
    key_b(b, "alarm", ubits(v, 122, 1));
    key_u(b, "stat_ext", ubits(v, 123, 8));
    for (i = 0; i < 3; i++) {
        unsigned raw = ubits(v, 88 + 10 * i, 10);

        if ((flags & DF_JSON_SCALED) && raw != 0)
            key_f(b, ana[i], 2, raw * 0.05);
        else
            key_u(b, ana[i], raw);
    }
    racon = ubits(v, 118, 2);
    light = ubits(v, 120, 2);
    key_u(b, "racon", racon);
    key_label(b, flags, "racon_text", racon_status[racon]);
    key_u(b, "light", light);
    key_label(b, flags, "light_text", light_status[light]);
    return 1;
}

/* ------------------------------------------------------------------ */
/* Type 8, DAC 200 (Inland AIS)                                       */
/* ------------------------------------------------------------------ */

/* FI 10: inland ship static and voyage data.  gpsd rejects a hazard code
 * above 5 as a false match. */
static int t8_dac200_fi10(struct df_buf *b, const struct view *v,
                          unsigned flags)
{
    unsigned st = ubits(v, 127, 14), hazard = ubits(v, 141, 3);
    unsigned loaded = ubits(v, 155, 2);
    char s[9];
    size_t i;

    if (v->bitlen != 168 || hazard > 5)
        return 0;
    for (i = 0; i < NITEMS(inland_types) - 1; i++)
        if (inland_types[i].code == st || inland_types[i].ais == st)
            break;
    sixbit(v, 56, 8, s, sizeof(s));
    key_s(b, "vin", s);
    key_u(b, "length", ubits(v, 104, 13));
    key_u(b, "beam", ubits(v, 117, 10));
    key_u(b, "shiptype", st);
    key_label(b, flags, "shiptype_text", inland_types[i].legend);
    key_u(b, "hazard", hazard);
    key_label(b, flags, "hazard_text", hazard_types[hazard]);
    key_u(b, "draught", ubits(v, 144, 11));
    key_u(b, "loaded", loaded);
    key_label(b, flags, "loaded_text",
              LABEL(load_status, loaded, "INVALID LOAD STATUS"));
    key_b(b, "speed_q", ubits(v, 157, 1));
    key_b(b, "course_q", ubits(v, 158, 1));
    key_b(b, "heading_q", ubits(v, 159, 1));
    return 1;
}

/* FI 23: EMMA warning.  gpsd's start date takes hour, minute, day in the
 * slots of day, hour, minute; reproduced for agreement. */
static void t8_dac200_fi23(struct df_buf *b, const struct view *v,
                           unsigned flags)
{
    unsigned type = ubits(v, 222, 4), cls = ubits(v, 244, 2);
    unsigned wind = ubits(v, 246, 4);

    df_buf_printf(b, ",\"start\":\"%4u-%02u-%02uT%02u:%02u\"",
                  ubits(v, 56, 8) + 2000, ubits(v, 64, 4), ubits(v, 90, 5),
                  ubits(v, 95, 6), ubits(v, 68, 5));
    df_buf_printf(b, ",\"end\":\"%4u-%02u-%02uT%02u:%02u\"",
                  ubits(v, 73, 8) + 2000, ubits(v, 81, 4), ubits(v, 85, 5),
                  ubits(v, 101, 5), ubits(v, 106, 6));
    key_ll(b, flags, "start_lon", sbits(v, 112, 28), "start_lat",
           sbits(v, 140, 27), LL_DIV, 6);
    key_ll(b, flags, "end_lon", sbits(v, 167, 28), "end_lat",
           sbits(v, 195, 27), LL_DIV, 6);
    key_u(b, "type", type);
    key_label(b, flags, "type_text",
              LABEL(emma_types, type, "INVALID EMMA TYPE"));
    key_d(b, "min", sbits(v, 226, 9));
    key_d(b, "max", sbits(v, 235, 9));
    key_u(b, "class", cls);
    key_label(b, flags, "class_text",
              LABEL(emma_classes, cls, "INVALID EMMA TYPE"));
    key_u(b, "wind", wind);
    key_label(b, flags, "wind_text",
              LABEL(emma_winds, wind, "INVALID EMMA WIND DIRECTION"));
}

/* FI 24: water levels, four gauges of 25 bits. */
static void t8_dac200_fi24(struct df_buf *b, const struct view *v)
{
    char s[3];
    unsigned a;

    sixbit(v, 56, 2, s, sizeof(s));
    key_s(b, "country", s);
    df_buf_puts(b, ",\"gauges\":[");
    for (a = 68; a < v->bitlen; a += 25)
        df_buf_printf(b, "{\"id\":%u,\"level\":%d},", ubits(v, a, 11),
                      sbits(v, a + 11, 14));
    rstrip_comma(b);
    df_buf_puts(b, "]");
}

/* FI 40: signal status. */
static void t8_dac200_fi40(struct df_buf *b, const struct view *v,
                           unsigned flags)
{
    unsigned dir = ubits(v, 124, 3), status = ubits(v, 127, 30);

    key_ll(b, flags, "lon", sbits(v, 56, 28), "lat", sbits(v, 84, 27),
           LL_DIV, 6);
    key_u(b, "form", ubits(v, 111, 4));
    key_u(b, "facing", ubits(v, 115, 9));
    key_u(b, "direction", dir);
    key_label(b, flags, "direction_text",
              LABEL(directions, dir, "INVALID DIRECTION"));
    key_u(b, "status", status);
    key_label(b, flags, "status_text",
              LABEL(light_states, status, "INVALID STATUS"));
}

int df__app_t8_dac200(struct df_buf *b, const struct view *v,
                        const struct df_msg *m, unsigned flags)
{
    switch (m->u.bin.fid) {
    case 10:
        return t8_dac200_fi10(b, v, flags);
    case 23:
        if (v->bitlen != 256)
            return 0;
        t8_dac200_fi23(b, v, flags);
        return 1;
    case 24:
        if (v->bitlen != 168)
            return 0;
        t8_dac200_fi24(b, v);
        return 1;
    case 40:
        if (v->bitlen != 168)
            return 0;
        t8_dac200_fi40(b, v, flags);
        return 1;
    default:
        return 0;
    }
}

