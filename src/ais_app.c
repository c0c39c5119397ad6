/*
 * ais_app.c - the application layer of AIS binary messages 6 and 8
 * (ITU-R M.1371-5 sections 3.3 and 3.4): decodes the DAC/FI pairs that
 * gpsd 3.22 understands and renders them as gpsd's JSON keys, in gpsd's
 * order, with gpsd's scaling and number formats.
 *
 * Specs: IMO SN.1/Circ.236 (DAC 1, FI 11-16) and SN.1/Circ.289 (DAC 1,
 * FI 17-32), Inland AIS / CCNR (DAC 200, FI 10, 21-24, 40, 55) and the GLA
 * AtoN monitoring message (DAC 235 and 250, FI 10).  Where gpsd 3.22 departs
 * from the specs, this file follows gpsd (checked against gpsdecode 3.22):
 *  - it decodes only at the lengths gpsd accepts and otherwise leaves the
 *    message to the generic "data" form;
 *  - it reads fields past the end of the payload as zero bits (gpsd reads
 *    its zeroed buffer), so repeated groups may end with all-zero entries;
 *  - type 8 DAC 1 FI 16 always prints "persons":0 (gpsd reads the count
 *    from the type 6 member of its union), type 8 DAC 200 FI 23 puts the
 *    start hour, minute and day in the day, hour and minute slots, and the
 *    FI 31 scaled water level is computed in unsigned arithmetic.
 * It departs from gpsd only where gpsd emits invalid JSON: strings that gpsd
 * prints unescaped (DAC 200 country codes, FI 19 signal legends) are escaped
 * here, and FI 19 gets the comma gpsd omits before "nextsignal_text".
 *
 * Offsets below are gpsd's: absolute bit positions in the whole message.
 * The message header needed to reach them is rebuilt from struct df_binary.
 */
#include "ais_app_int.h"

/* ------------------------------------------------------------------ */
/* Label tables (gpsd's wording, which the JSON carries)              */
/* ------------------------------------------------------------------ */

static const char *const trends[4] = {
    "steady", "increasing", "decreasing", "N/A",
};

static const char *const preciptypes[8] = {
    "reserved", "rain", "thunderstorm", "freezing rain",
    "mixed/ice", "snow", "reserved", "N/A",
};

static const char *const ice_text[4] = { "no", "yes", "reserved", "N/A" };

static const char *const route_types[6] = {
    "Undefined (default)", "Mandatory", "Recommended", "Alternative",
    "Recommended route through ice", "Ship route plan",
};

static const char *const idtypes[4] = { "mmsi", "imo", "callsign", "other" };

static const char *const position_types[8] = {
    "Not available", "Port-side to", "Starboard-side to",
    "Mediterranean (end-on) mooring", "Mooring buoy", "Anchorage",
    "Reserved for future use", "Reserved for future use",
};

static const char *const signal_legends[15] = {
    "N/A",
    ("Serious emergency \xe2\x80\x93 stop or divert according to "
     "instructions."),
    "Vessels shall not proceed.",
    "Vessels may proceed. One way traffic.",
    "Vessels may proceed. Two way traffic.",
    "Vessels shall proceed on specific orders only.",
    "Vessels in main channel shall not proceed.",
    "Vessels in main channel shall proceed on specific orders only.",
    "Vessels in main channel shall proceed on specific orders only.",
    "I = \"in-bound\" only acceptable.",
    "O = \"out-bound\" only acceptable.",
    "F = both \"in- and out-bound\" acceptable.",
    "XI = Code will shift to \"I\" in due time.",
    "XO = Code will shift to \"O\" in due time.",
    "X = Vessels shall proceed only on direction.",
};

/* Inland ship types: ERI code, the AIS type it maps to, legend.  gpsd
 * takes the first row whose ERI code or AIS type matches. *//* ------------------------------------------------------------------ */
/* Type 6, DAC 1 (IMO 236/289, addressed)                             */
/* ------------------------------------------------------------------ */

/* FI 12: dangerous cargo indication (IMO 236). */
static void t6_dac1_fi12(struct df_buf *b, const struct view *v)
{
    char s[21];

    sixbit(v, 88, 5, s, 6);
    key_s(b, "lastport", s);
    df_buf_printf(b, ",\"departure\":\"%02u-%02uT%02u:%02uZ\"",
                  ubits(v, 118, 4), ubits(v, 122, 5), ubits(v, 127, 5),
                  ubits(v, 132, 6));
    sixbit(v, 138, 5, s, 6);
    key_s(b, "nextport", s);
    df_buf_printf(b, ",\"eta\":\"%02u-%02uT%02u:%02uZ\"",
                  ubits(v, 168, 4), ubits(v, 172, 5), ubits(v, 177, 5),
                  ubits(v, 182, 6));
    sixbit(v, 188, 20, s, 21);
    key_s(b, "dangerous", s);
    sixbit(v, 308, 4, s, 5);
    key_s(b, "imdcat", s);
    key_u(b, "unid", ubits(v, 332, 13));
    key_u(b, "amount", ubits(v, 345, 10));
    key_u(b, "unit", ubits(v, 355, 2));
}

/*
 * FI 14 (IMO 236) and FI 32 (IMO 289): tidal window.  Both print as gpsd's
 * FI 32; the IMO 236 element is 93 bits with lat first and wider fields.
 * gpsd keeps taking elements while their start is within the message.
 */
static void t6_dac1_tidal(struct df_buf *b, const struct view *v,
                          unsigned flags, int imo236)
{
    unsigned size = imo236 ? 93 : 88;
    unsigned a;

    key_u(b, "month", ubits(v, 88, 4));
    key_u(b, "day", ubits(v, 92, 5));
    df_buf_puts(b, ",\"tidals\":[");
    for (a = 97; a <= v->bitlen; a += size) {
        int lon, lat;
        unsigned f = imo236 ? a + 55 : a + 49; /* from_hour onwards */

        if (imo236) {
            lat = sbits(v, a, 27);
            lon = sbits(v, a + 27, 28);
        } else {
            lon = sbits(v, a, 25);
            lat = sbits(v, a + 25, 24);
        }
        if (flags & DF_JSON_SCALED)
            df_buf_printf(b, "{\"lon\":%.4f,\"lat\":%.4f", lon / LL3_DIV,
                          lat / LL3_DIV);
        else
            df_buf_printf(b, "{\"lon\":%d,\"lat\":%d", lon, lat);
        key_u(b, "from_hour", ubits(v, f, 5));
        key_u(b, "from_min", ubits(v, f + 5, 6));
        key_u(b, "to_hour", ubits(v, f + 11, 5));
        key_u(b, "to_min", ubits(v, f + 16, 6));
        key_u(b, "cdir", ubits(v, f + 22, 9));
        {
            unsigned cs = ubits(v, f + 31, imo236 ? 7 : 8);

            key_uf(b, flags, "cspeed", cs, 1, cs / 10.0);
        }
        df_buf_puts(b, "},");
    }
    rstrip_comma(b);
    df_buf_puts(b, "]");
}

/* FI 18: clearance time to enter port (IMO 289). */
static void t6_dac1_fi18(struct df_buf *b, const struct view *v,
                         unsigned flags)
{
    char s[21];

    key_u(b, "linkage", ubits(v, 88, 10));
    df_buf_printf(b, ",\"arrival\":\"%02u-%02uT%02u:%02uZ\"",
                  ubits(v, 98, 4), ubits(v, 102, 5), ubits(v, 107, 5),
                  ubits(v, 112, 6));
    sixbit(v, 118, 20, s, 21);
    key_s(b, "portname", s);
    sixbit(v, 238, 5, s, 6);
    key_s(b, "destination", s);
    key_ll(b, flags, "lon", sbits(v, 268, 25), "lat", sbits(v, 293, 24),
           LL3_DIV, 4);
}

/* FI 20: berthing data (IMO 289). */
static void t6_dac1_fi20(struct df_buf *b, const struct view *v,
                         unsigned flags)
{
    /* The two-bit service availability codes at 139-190, in order. */
    static const char *const services[] = {
        "agent", "fuel", "chandler", "stevedore", "electrical", "water",
        "customs", "cartage", "crane", "lift", "medical", "navrepair",
        "provisions", "shiprepair", "surveyor", "steam", "tugs",
        "solidwaste", "liquidwaste", "hazardouswaste", "ballast",
        "additional", "regional1", "regional2", "future1", "future2",
    };
    char s[21];
    unsigned i, pos = ubits(v, 115, 3), depth = ubits(v, 107, 8);

    key_u(b, "linkage", ubits(v, 88, 10));
    key_u(b, "berth_length", ubits(v, 98, 9));
    key_u(b, "position", pos);
    key_label(b, flags, "position_text", position_types[pos]);
    df_buf_printf(b, ",\"arrival\":\"%u-%uT%u:%u\"", ubits(v, 118, 4),
                  ubits(v, 122, 5), ubits(v, 127, 5), ubits(v, 132, 6));
    key_u(b, "availability", ubits(v, 138, 1));
    for (i = 0; i < NITEMS(services); i++)
        key_u(b, services[i], ubits(v, 139 + 2 * i, 2));
    sixbit(v, 191, 20, s, 21);
    key_s(b, "berth_name", s);
    key_ll(b, flags, "berth_lon", sbits(v, 311, 25), "berth_lat",
           sbits(v, 336, 24), LL3_DIV, 4);
    key_uf(b, flags, "berth_depth", depth, 1, depth * 0.1);
}

/* FI 25: dangerous cargo indication (IMO 289). */
static void t6_dac1_fi25(struct df_buf *b, const struct view *v)
{
    unsigned a;

    key_u(b, "unit", ubits(v, 88, 2));
    key_u(b, "amount", ubits(v, 90, 10));
    df_buf_puts(b, ",\"cargos\":[");
    for (a = 100; a < v->bitlen; a += 17)
        df_buf_printf(b, "{\"code\":%u,\"subtype\":%u},", ubits(v, a, 4),
                      ubits(v, a + 4, 13));
    rstrip_comma(b);
    df_buf_puts(b, "]");
}

/*
 * Route information, FI 28 addressed (base 88) and FI 27 broadcast (base
 * 56): all waycount waypoints are printed, read as zeros past the end.
 */
static void dac1_route(struct df_buf *b, const struct view *v,
                       unsigned flags, unsigned base)
{
    unsigned rtype = ubits(v, base + 13, 5);
    unsigned i, n = ubits(v, base + 56, 5);

    key_u(b, "linkage", ubits(v, base, 10));
    key_u(b, "sender", ubits(v, base + 10, 3));
    key_u(b, "rtype", rtype);
    key_label(b, flags, "rtype_text",
              rtype == 31 ? "Cancel route identified by message linkage"
                          : LABEL(route_types, rtype,
                                  "Reserved for future use."));
    df_buf_printf(b, ",\"start\":\"%02u-%02uT%02u:%02uZ\"",
                  ubits(v, base + 18, 4), ubits(v, base + 22, 5),
                  ubits(v, base + 27, 5), ubits(v, base + 32, 6));
    key_u(b, "duration", ubits(v, base + 38, 18));
    df_buf_puts(b, ",\"waypoints\":[");
    for (i = 0; i < n; i++) {
        unsigned a = base + 61 + 55 * i;
        int lon = sbits(v, a, 28), lat = sbits(v, a + 28, 27);

        if (flags & DF_JSON_SCALED)
            df_buf_printf(b, "{\"lon\":%.6f,\"lat\":%.6f},", lon / LL4_DIV,
                          lat / LL4_DIV);
        else
            df_buf_printf(b, "{\"lon\":%d,\"lat\":%d},", lon, lat);
    }
    rstrip_comma(b);
    df_buf_puts(b, "]");
}

/* Text description, FI 30 addressed (base 88) and FI 29 broadcast (base
 * 56); gpsd's buffers hold 153 and 161 characters. */
static void dac1_text(struct df_buf *b, const struct view *v, unsigned base,
                      size_t cap)
{
    char s[162];

    key_u(b, "linkage", ubits(v, base, 10));
    endtext(v, base + 10, s, cap);
    key_s(b, "text", s);
}

static int type6_dac1(struct df_buf *b, const struct view *v,
                      const struct df_msg *m, unsigned flags)
{
    switch (m->u.bin.fid) {
    case 12:
        t6_dac1_fi12(b, v);
        return 1;
    case 14:
        t6_dac1_tidal(b, v, flags, 1);
        return 1;
    case 15: /* gpsd reads the air draught from inside the header */
        key_u(b, "airdraught", ubits(v, 56, 11));
        return 1;
    case 16: /* IMO 289 layout at 136 data bits, else gpsd's IMO 236 */
        key_u(b, "persons", m->u.bin.bitcount == 136 ? ubits(v, 88, 13)
                                                     : ubits(v, 55, 13));
        return 1;
    case 18:
        t6_dac1_fi18(b, v, flags);
        return 1;
    case 20:
        t6_dac1_fi20(b, v, flags);
        return 1;
    case 25:
        t6_dac1_fi25(b, v);
        return 1;
    case 28:
        dac1_route(b, v, flags, 88);
        return 1;
    case 30:
        dac1_text(b, v, 88, 154);
        return 1;
    case 32:
        t6_dac1_tidal(b, v, flags, 0);
        return 1;
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------ */
/* Type 8, DAC 1 (IMO 236/289, broadcast)                             */
/* ------------------------------------------------------------------ */

/* The current, wave and swell block that FI 11 and FI 31 share: base is
 * the offset of the first current speed.  FI 31 depths are unscaled too. */
static void met_sea(struct df_buf *b, const struct view *v, unsigned flags,
                    unsigned base)
{
    static const char *const cur[3][3] = {
        { "cspeed", "cdir", NULL },
        { "cspeed2", "cdir2", "cdepth2" },
        { "cspeed3", "cdir3", "cdepth3" },
    };
    static const char *const wave[2][3] = {
        { "waveheight", "waveperiod", "wavedir" },
        { "swellheight", "swellperiod", "swelldir" },
    };
    unsigned i, a = base;

    for (i = 0; i < 3; i++) {
        unsigned cs = ubits(v, a, 8);

        key_uf(b, flags, cur[i][0], cs, 1, cs / 10.0);
        key_u(b, cur[i][1], ubits(v, a + 8, 9));
        a += 17;
        if (cur[i][2]) {
            key_u(b, cur[i][2], ubits(v, a, 5));
            a += 5;
        }
    }
    for (i = 0; i < 2; i++) {
        unsigned h = ubits(v, a, 8);

        key_uf(b, flags, wave[i][0], h, 1, h / 10.0);
        key_u(b, wave[i][1], ubits(v, a + 8, 6));
        key_u(b, wave[i][2], ubits(v, a + 14, 9));
        a += 23;
    }
    key_u(b, "seastate", ubits(v, a, 4));
}

/* FI 11: meteorological and hydrological data (IMO 236). */
static void t8_dac1_fi11(struct df_buf *b, const struct view *v,
                         unsigned flags)
{
    int sc = (flags & DF_JSON_SCALED) != 0;
    unsigned airtemp = ubits(v, 153, 11), dew = ubits(v, 171, 10);
    unsigned press = ubits(v, 181, 9), ptend = ubits(v, 190, 2);
    unsigned vis = ubits(v, 192, 8), level = ubits(v, 200, 9);
    unsigned ltrend = ubits(v, 209, 2), wtemp = ubits(v, 322, 10);
    unsigned precip = ubits(v, 332, 3), sal = ubits(v, 335, 9);
    unsigned ice = ubits(v, 344, 2);

    key_ll(b, flags, "lat", sbits(v, 56, 24), "lon", sbits(v, 80, 25),
           LL3_DIV, 4);
    df_buf_printf(b, ",\"timestamp\":\"%02uT%02u:%02uZ\"", ubits(v, 105, 5),
                  ubits(v, 110, 5), ubits(v, 115, 6));
    key_u(b, "wspeed", ubits(v, 121, 7));
    key_u(b, "wgust", ubits(v, 128, 7));
    key_u(b, "wdir", ubits(v, 135, 9));
    key_u(b, "wgustdir", ubits(v, 144, 9));
    key_u(b, "humidity", ubits(v, 164, 7));
    if (sc) {
        key_f(b, "airtemp", 1, ((int)airtemp - 600) / 10.0);
        key_f(b, "dewpoint", 1, ((int)dew - 200) / 10.0);
        key_u(b, "pressure", press + 800);
        key_s(b, "pressuretend", trends[ptend]);
        key_f(b, "visibility", 1, vis / 10.0);
        key_f(b, "waterlevel", 1, ((int)level - 100) / 10.0);
        key_s(b, "leveltrend", trends[ltrend]);
    } else {
        key_u(b, "airtemp", airtemp);
        key_u(b, "dewpoint", dew);
        key_u(b, "pressure", press);
        key_u(b, "pressuretend", ptend);
        key_u(b, "visibility", vis);
        key_u(b, "waterlevel", level);
        key_u(b, "leveltrend", ltrend);
    }
    met_sea(b, v, flags, 211);
    if (sc)
        key_f(b, "watertemp", 1, ((int)wtemp - 100) / 10.0);
    else
        key_u(b, "watertemp", wtemp);
    key_u(b, "preciptype", precip);
    key_label(b, flags, "preciptype_text", preciptypes[precip]);
    key_uf(b, flags, "salinity", sal, 1, sal / 10.0);
    key_u(b, "ice", ice);
    key_label(b, flags, "ice_text", ice_text[ice]);
}

/* FI 31: meteorological and hydrological data (IMO 289).  Scaled, gpsd
 * prints the precipitation and ice codes as their labels. */
static void t8_dac1_fi31(struct df_buf *b, const struct view *v,
                         unsigned flags)
{
    int airtemp = sbits(v, 154, 11), dew = sbits(v, 172, 10);
    unsigned press = ubits(v, 182, 9), ptend = ubits(v, 191, 2);
    unsigned vis = ubits(v, 194, 7), level = ubits(v, 201, 12);
    unsigned ltrend = ubits(v, 213, 2);
    int wtemp = sbits(v, 326, 10);
    unsigned precip = ubits(v, 336, 3), sal = ubits(v, 339, 9);
    unsigned ice = ubits(v, 348, 2);

    key_ll(b, flags, "lat", sbits(v, 81, 24), "lon", sbits(v, 56, 25),
           LL3_DIV, 4);
    key_b(b, "accuracy", ubits(v, 105, 1));
    df_buf_printf(b, ",\"timestamp\":\"%02uT%02u:%02uZ\"", ubits(v, 106, 5),
                  ubits(v, 111, 5), ubits(v, 116, 6));
    key_u(b, "wspeed", ubits(v, 122, 7));
    key_u(b, "wgust", ubits(v, 129, 7));
    key_u(b, "wdir", ubits(v, 136, 9));
    key_u(b, "wgustdir", ubits(v, 145, 9));
    key_u(b, "humidity", ubits(v, 165, 7));
    if (flags & DF_JSON_SCALED) {
        key_f(b, "airtemp", 1, airtemp / 10.0);
        key_f(b, "dewpoint", 1, dew / 10.0);
        key_u(b, "pressure", press + 799);
        key_s(b, "pressuretend", trends[ptend]);
        key_b(b, "visgreater", ubits(v, 193, 1));
        key_f(b, "visibility", 1, vis / 10.0);
        /* gpsd subtracts the offset in unsigned arithmetic */
        key_f(b, "waterlevel", 1, (uint32_t)(level - 1000u) / 100.0);
        key_s(b, "leveltrend", trends[ltrend]);
    } else {
        key_d(b, "airtemp", airtemp);
        key_d(b, "dewpoint", dew);
        key_u(b, "pressure", press);
        key_u(b, "pressuretend", ptend);
        key_b(b, "visgreater", ubits(v, 193, 1));
        key_u(b, "visibility", vis);
        key_u(b, "waterlevel", level);
        key_u(b, "leveltrend", ltrend);
    }
    met_sea(b, v, flags, 215);
    if (flags & DF_JSON_SCALED) {
        key_f(b, "watertemp", 1, wtemp / 10.0);
        key_s(b, "preciptype", preciptypes[precip]);
        key_f(b, "salinity", 1, sal / 10.0);
        key_s(b, "ice", ice_text[ice]);
    } else {
        key_d(b, "watertemp", wtemp);
        key_u(b, "preciptype", precip);
        key_u(b, "salinity", sal);
        key_u(b, "ice", ice);
    }
}

/* FI 13: fairway closed (IMO 236). */
static void t8_dac1_fi13(struct df_buf *b, const struct view *v)
{
    static const char *const keys[3] = { "reason", "closefrom", "closeto" };
    char s[21];
    unsigned i;

    for (i = 0; i < 3; i++) {
        sixbit(v, 56 + 120 * i, 20, s, 21);
        key_s(b, keys[i], s);
    }
    key_u(b, "radius", ubits(v, 416, 10));
    key_u(b, "extunit", ubits(v, 426, 2));
    /* day precedes month on the wire; gpsd prints month first */
    df_buf_printf(b, ",\"from\":\"%02u-%02uT%02u:%02u\"", ubits(v, 433, 4),
                  ubits(v, 428, 5), ubits(v, 437, 5), ubits(v, 442, 6));
    df_buf_printf(b, ",\"to\":\"%02u-%02uT%02u:%02u\"", ubits(v, 453, 4),
                  ubits(v, 448, 5), ubits(v, 457, 5), ubits(v, 462, 6));
}

/* FI 17: VTS-generated/synthetic targets (IMO 289), 122 bits each, taken
 * while their start is within the message. */
static void t8_dac1_fi17(struct df_buf *b, const struct view *v,
                         unsigned flags)
{
    unsigned a;

    df_buf_puts(b, ",\"targets\":[");
    for (a = 56; a <= v->bitlen; a += 122) {
        unsigned idtype = ubits(v, a, 2);
        char s[8];

        df_buf_printf(b, "{\"idtype\":%u", idtype);
        key_label(b, flags, "idtype_text", idtypes[idtype]);
        if (idtype < 2) {
            /* a 42-bit field kept in gpsd's 32-bit unsigned */
            df_buf_printf(b, ",\"%s\":\"%u\"", idtypes[idtype],
                          (unsigned)(ubits64(v, a + 2, 42) & 0xffffffffu));
        } else {
            sixbit(v, a + 2, 7, s, sizeof(s));
            key_s(b, idtypes[idtype], s);
        }
        key_ll(b, flags, "lat", sbits(v, a + 48, 24), "lon",
               sbits(v, a + 72, 25), LL3_DIV, 4);
        key_u(b, "course", ubits(v, a + 97, 9));
        key_u(b, "second", ubits(v, a + 106, 6));
        key_u(b, "speed", ubits(v, a + 112, 10));
        df_buf_puts(b, "},");
    }
    rstrip_comma(b);
    df_buf_puts(b, "]");
}

/* FI 19: marine traffic signal (IMO 289).  gpsd prints the position
 * scaled whatever the mode. */
static void t8_dac1_fi19(struct df_buf *b, const struct view *v,
                         unsigned flags)
{
    char s[21];
    unsigned sig = ubits(v, 237, 5), next = ubits(v, 253, 5);

    key_u(b, "linkage", ubits(v, 56, 10));
    sixbit(v, 66, 20, s, 21);
    key_s(b, "station", s);
    key_f(b, "lon", 4, sbits(v, 186, 25) / LL3_DIV);
    key_f(b, "lat", 4, sbits(v, 211, 24) / LL3_DIV);
    key_u(b, "status", ubits(v, 235, 2));
    key_u(b, "signal", sig);
    key_label(b, flags, "signal_text",
              LABEL(signal_legends, sig, "INVALID SIGNAL TYPE"));
    key_u(b, "hour", ubits(v, 242, 5));
    key_u(b, "minute", ubits(v, 247, 6));
    key_u(b, "nextsignal", next);
    key_label(b, flags, "nextsignal_text",
              LABEL(signal_legends, next, "INVALID SIGNAL TYPE"));
}

static int type8_dac1(struct df_buf *b, const struct view *v,
                      const struct df_msg *m, unsigned flags)
{
    switch (m->u.bin.fid) {
    case 11:
        t8_dac1_fi11(b, v, flags);
        return 1;
    case 13:
        t8_dac1_fi13(b, v);
        return 1;
    case 15:
        key_u(b, "airdraught", ubits(v, 56, 11));
        return 1;
    case 16:
        /* gpsd decodes only these two lengths, then prints the count from
         * the type 6 member of its union, which is always zero here */
        if (m->u.bin.bitcount != 136 && m->u.bin.bitcount != 72)
            return 0;
        key_u(b, "persons", 0);
        return 1;
    case 17:
        t8_dac1_fi17(b, v, flags);
        return 1;
    case 19:
        t8_dac1_fi19(b, v, flags);
        return 1;
    case 27:
        dac1_route(b, v, flags, 56);
        return 1;
    case 29:
        dac1_text(b, v, 56, 162);
        return 1;
    case 31:
        t8_dac1_fi31(b, v, flags);
        return 1;
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------ */
/* Entry point                                                        */
/* ------------------------------------------------------------------ */

/* Rebuilds the message bits gpsd addresses: the header fields that any
 * application decoder reads (destination MMSI, DAC, FI), then the data. */
static void make_view(struct view *v, const struct df_msg *m)
{
    const struct df_binary *bin = &m->u.bin;
    unsigned base = m->type == 6 ? T6_BASE : T8_BASE;

    memset(v->bits, 0, sizeof(v->bits));
    v->bitlen = m->nbits;
    if (m->type == 6) {
        put_bits(v, 38, 2, bin->seqno);
        put_bits(v, 40, 30, bin->dest_mmsi);
        put_bits(v, 70, 1, bin->retransmit);
        put_bits(v, 72, 10, bin->dac);
        put_bits(v, 82, 6, bin->fid);
    } else {
        put_bits(v, 40, 10, bin->dac);
        put_bits(v, 50, 6, bin->fid);
    }
    memcpy(v->bits + base / 8, bin->data, sizeof(bin->data));
}

int df__app_json(struct df_buf *b, const struct df_msg *m, unsigned flags)
{
    struct view v;
    unsigned dac = m->u.bin.dac;

    if (m->type != 6 && m->type != 8)
        return 0;
    make_view(&v, m);
    if (m->type == 6) {
        if (dac == 1)
            return type6_dac1(b, &v, m, flags);
        if (dac == 200)
            return df__app_t6_dac200(b, &v, m, flags);
        if (dac == 235 || dac == 250)
            return df__app_t6_gla(b, &v, m, flags);
        return 0;
    }
    if (dac == 1)
        return type8_dac1(b, &v, m, flags);
    if (dac == 200)
        return df__app_t8_dac200(b, &v, m, flags);
    return 0;
}

