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
#include "ais_app.h"
#include "jsonw.h"
#include "sixbit.h"

#include <stdint.h>
#include <string.h>

/* Absolute bit offset where the application data starts. */
#define T6_BASE 88
#define T8_BASE 56

/* The whole message as gpsd addresses it: header bits that the application
 * data refers to, then the data.  Bits past the end read as zero. */
struct view {
    uint8_t bits[T6_BASE / 8 + sizeof(((struct df_binary *)0)->data) + 4];
    unsigned bitlen;       /* the message length, gpsd's bitlen */
};

/* ------------------------------------------------------------------ */
/* Bit readers                                                        */
/* ------------------------------------------------------------------ */

/* Reads width (<= 64) bits at start, MSB first; bits past the buffer are
 * zero. */
static uint64_t ubits64(const struct view *v, unsigned start, unsigned width)
{
    uint64_t r = 0;
    unsigned i;

    /* Eight bytes at once where they are all inside the buffer (start % 8
     * + width <= 63 bits of them are used). */
    if (width > 0 && width <= 56 && start / 8 + 8 <= sizeof(v->bits))
        return df__load_be64(v->bits + start / 8) << (start % 8) >>
               (64 - width);

    for (i = 0; i < width; i++) {
        unsigned pos = start + i;
        unsigned bit = 0;

        if (pos / 8 < sizeof(v->bits))
            bit = (v->bits[pos / 8] >> (7 - pos % 8)) & 1u;
        r = (r << 1) | bit;
    }
    return r;
}

static unsigned ubits(const struct view *v, unsigned start, unsigned width)
{
    return (unsigned)ubits64(v, start, width);
}

/* Reads a two's complement field of width (<= 32) bits. */
static int sbits(const struct view *v, unsigned start, unsigned width)
{
    uint64_t r = ubits64(v, start, width);

    if (width > 0 && (r >> (width - 1)) & 1u)
        return (int)((int64_t)r - ((int64_t)1 << width));
    return (int)r;
}

/* Writes width bits of val at start (header reconstruction only). */
static void put_bits(struct view *v, unsigned start, unsigned width,
                     uint32_t val)
{
    unsigned i;

    for (i = 0; i < width; i++) {
        unsigned pos = start + i;

        if ((val >> (width - 1 - i)) & 1u)
            v->bits[pos / 8] |= (uint8_t)(0x80u >> (pos % 8));
    }
}

/*
 * Unpacks count six-bit characters at start into out (outsz bytes, count
 * capped to fit), the way gpsd's from_sixbit() does: stop at the first '@',
 * then strip trailing spaces and '@'.
 */
static void sixbit(const struct view *v, unsigned start, unsigned count,
                   char *out, size_t outsz)
{
    static const char chars[] =
        "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";
    unsigned i;

    if (count > outsz - 1)
        count = (unsigned)(outsz - 1);
    for (i = 0; i < count; i++) {
        char c = chars[ubits(v, start + 6 * i, 6)];

        if (c == '@')
            break;
        out[i] = c;
    }
    out[i] = '\0';
    while (i > 0 && (out[i - 1] == ' ' || out[i - 1] == '@'))
        out[--i] = '\0';
}

/* Six-bit text from start to the end of the message (gpsd's endchars). */
static void endtext(const struct view *v, unsigned start, char *out,
                    size_t outsz)
{
    if (v->bitlen <= start) {
        out[0] = '\0';
        return;
    }
    sixbit(v, start, (v->bitlen - start) / 6, out, outsz);
}

/* ------------------------------------------------------------------ */
/* Key writers: each appends ,"key":value                             */
/* ------------------------------------------------------------------ */

static void key_u(struct df_buf *b, const char *k, unsigned val)
{
    df__put_key(b, k);
    df__put_u(b, val);
}

static void key_d(struct df_buf *b, const char *k, int val)
{
    df__put_key(b, k);
    df__put_i(b, val);
}

static void key_f(struct df_buf *b, const char *k, int prec, double val)
{
    df_buf_printf(b, ",\"%s\":%.*f", k, prec, val);
}

static void key_b(struct df_buf *b, const char *k, unsigned val)
{
    df__put_key(b, k);
    df_buf_puts(b, val ? "true" : "false");
}

static void key_s(struct df_buf *b, const char *k, const char *s)
{
    df__put_key(b, k);
    df_buf_json_str(b, s, strlen(s));
}

/* A *_text label: written only under DF_JSON_TEXT. */
static void key_label(struct df_buf *b, unsigned flags, const char *k,
                      const char *s)
{
    if (flags & DF_JSON_TEXT)
        key_s(b, k, s);
}

/* A value that is an integer unscaled and a fixed-point number scaled. */
static void key_uf(struct df_buf *b, unsigned flags, const char *k,
                   unsigned raw, int prec, double scaled)
{
    if (flags & DF_JSON_SCALED)
        key_f(b, k, prec, scaled);
    else
        key_u(b, k, raw);
}

/* Drops a trailing ',' (closing a JSON array of objects, as gpsd does). */
static void rstrip_comma(struct df_buf *b)
{
    if (b->len > 0 && !b->oom && b->data[b->len - 1] == ',')
        b->data[--b->len] = '\0';
}

/* gpsd's lat/lon divisors: 1/10000 min, 1/1000 min, and 1/10000 min for
 * the 28/27-bit waypoints. */
#define LL_DIV 600000.0
#define LL3_DIV 60000.0
#define LL4_DIV 600000.0

/* A lon/lat pair: scaled with prec decimals, or wire integers. */
static void key_ll(struct df_buf *b, unsigned flags, const char *klon,
                   int lon, const char *klat, int lat, double div, int prec)
{
    if (flags & DF_JSON_SCALED) {
        key_f(b, klon, prec, lon / div);
        key_f(b, klat, prec, lat / div);
    } else {
        key_d(b, klon, lon);
        key_d(b, klat, lat);
    }
}

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
 * takes the first row whose ERI code or AIS type matches. */
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

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))
/* Label n of table t, or dflt when n is out of range. */
#define LABEL(t, n, dflt) ((n) < NITEMS(t) ? (t)[(n)] : (dflt))

/* ------------------------------------------------------------------ */
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

static int type6_dac200(struct df_buf *b, const struct view *v,
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
static int type6_gla(struct df_buf *b, const struct view *v,
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

static int type8_dac200(struct df_buf *b, const struct view *v,
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
            return type6_dac200(b, &v, m, flags);
        if (dac == 235 || dac == 250)
            return type6_gla(b, &v, m, flags);
        return 0;
    }
    if (dac == 1)
        return type8_dac1(b, &v, m, flags);
    if (dac == 200)
        return type8_dac200(b, &v, m, flags);
    return 0;
}
