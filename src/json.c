/*
 * json.c - one JSON object per decoded AIS message, with the keys, key
 * order and values of gpsd 3.22's gpsdecode: `gpsdecode -u -j` (wire
 * values) or `gpsdecode -j` (scaled), so that the two can be diffed field
 * by field.  gpsd's own quirks in scaled output are reproduced on purpose
 * (documented in docs/internals/gpsd-compat.md): the rate of turn printed
 * without its sign, type 22/23 corners as quoted strings, type 27 status
 * as a label.
 *
 * This is the hot path of `darkfleet decode`, so numbers are formatted by
 * hand (no printf for the common message types) and scaled values are
 * computed in integers: lon/lat in micro-degrees are exact rationals with
 * no rounding ties, so integer rounding gives what printf("%.6f") gives.
 */
#include "darkfleet.h"

#include <stdio.h>
#include <string.h>

#include "ais_app.h"
#include "jsonw.h"
#include "labels.h"
#include "util/hint.h"
#include "util/timeutil.h"
#include "sixbit.h"

#define KV_U(b, k, v) (KEY(b, k), df__put_u((b), (v)))
#define KV_I(b, k, v) (KEY(b, k), df__put_i((b), (v)))
#define KV_BOOL(b, k, v) (KEY(b, k), put_bool((b), (v)))
#define KV_STR(b, k, s) (KEY(b, k), put_str((b), (s)))

/* Appends v as exactly width digits (width <= 8), or more if v needs
 * them, as printf("%0*u") does.  Dates and times: two digits, or four. */
static void put_u0(struct df_buf *b, unsigned v, int width)
{
    char *o = room(b, 12), tmp[12];
    size_t n;

    if (!o)
        return;
    if (width == 2 && v < 100) {
        memcpy(o, digit_pairs + 2 * v, 2);
        n = 2;
    } else if (width == 4 && v < 10000) {
        memcpy(o, digit_pairs + 2 * (v / 100), 2);
        memcpy(o + 2, digit_pairs + 2 * (v % 100), 2);
        n = 4;
    } else {
        n = (size_t)(w_u(tmp, v) - tmp);
        if (n < (size_t)width) {
            memset(o, '0', (size_t)width - n);
            memcpy(o + width - n, tmp, n);
            n = (size_t)width;
        } else {
            memcpy(o, tmp, n);
        }
    }
    o[n] = '\0';
    b->len += n;
}

/* Degrees with six decimals of a 1/10000-minute value, as gpsd prints
 * v / 600000.0 with "%.6f" (printf keeps the sign of -0.000000). */
static char *w_deg6(char *o, int32_t v)
{
    int64_t a = v < 0 ? -(int64_t)v : v;
    uint32_t micro = (uint32_t)((10 * a + 3) / 6);
    uint64_t t = (uint64_t)(micro % 1000000) * 429497u;  /* as w_u */

    if (v < 0)
        *o++ = '-';
    o = w_u(o, micro / 1000000);
    *o++ = '.';
    memcpy(o, digit_pairs + 2 * (t >> 32), 2);
    o += 2;
    W_PAIR(o, t);
    W_PAIR(o, t);
    return o;
}

static DF__ALWAYS_INLINE void put_deg6(struct df_buf *b, int32_t v)
{
    char *o = room(b, 24);

    if (!o)
        return;
    o = w_deg6(o, v);
    *o = '\0';
    b->len = (size_t)(o - b->data);
}

static void put_bool(struct df_buf *b, unsigned v)
{
    if (v)
        LIT(b, "true");
    else
        LIT(b, "false");
}

static void put_str(struct df_buf *b, const char *s)
{
    df_buf_json_str(b, s, strlen(s));
}

static void kv_i(struct df_buf *b, const char *k, int64_t v)
{
    df__put_key(b, k);
    df__put_i(b, v);
}

/* ---- gpsd's labels (DF_JSON_TEXT) ----------------------------------- */

static const char *const nav_status[16] = {
    "Under way using engine", "At anchor", "Not under command",
    "Restricted manoeuverability", "Constrained by her draught", "Moored",
    "Aground", "Engaged in fishing", "Under way sailing",
    "Reserved for HSC", "Reserved for WIG", "Reserved",
    "Reserved", "Reserved", "Reserved", "Not defined",
};

static const char *const epfd_label[16] = {
    "Undefined", "GPS", "GLONASS", "Combined GPS/GLONASS", "Loran-C",
    "Chayka", "Integrated navigation system", "Surveyed", "Galileo",
    "INVALID EPFD", "INVALID EPFD", "INVALID EPFD", "INVALID EPFD",
    "INVALID EPFD", "INVALID EPFD", "INVALID EPFD",
};

static void kv_epfd(struct df_buf *b, unsigned epfd, unsigned flags)
{
    KV_U(b, "epfd", epfd);
    if (flags & DF_JSON_TEXT)
        KV_STR(b, "epfd_text", epfd_label[epfd & 15]);
}

/* ---- message bodies --------------------------------------------------- */

/* Speed in 1/10 knot: "%.1f" (type 19: gpsd prints 102.3 for n/a). */
static void kv_speed10(struct df_buf *b, unsigned v, unsigned flags)
{
    KEY(b, "speed");
    if (flags & DF_JSON_SCALED)
        df__put_fixed(b, v, 1);
    else
        df__put_u(b, v);
}

static void kv_lonlat(struct df_buf *b, int32_t lon, int32_t lat,
                      unsigned flags)
{
    KEY(b, "lon");
    if (flags & DF_JSON_SCALED)
        put_deg6(b, lon);
    else
        df__put_i(b, lon);
    KEY(b, "lat");
    if (flags & DF_JSON_SCALED)
        put_deg6(b, lat);
    else
        df__put_i(b, lat);
}

static void kv_course10(struct df_buf *b, unsigned v, unsigned flags)
{
    KEY(b, "course");
    if (flags & DF_JSON_SCALED)
        df__put_fixed(b, v, 1);
    else
        df__put_u(b, v);
}

static void kv_dims(struct df_buf *b, unsigned bow, unsigned stern,
                    unsigned port, unsigned starboard)
{
    KV_U(b, "to_bow", bow);
    KV_U(b, "to_stern", stern);
    KV_U(b, "to_port", port);
    KV_U(b, "to_starboard", starboard);
}

/* gpsd's "data" key: bit count, a colon, then the bytes in hex. */
static void kv_data(struct df_buf *b, const struct df_binary *bin)
{
    static const char hex[] = "0123456789abcdef";
    unsigned i, nbytes = (bin->bitcount + 7u) / 8u;

    KEY(b, "data");
    LIT(b, "\"");
    df__put_u(b, bin->bitcount);
    LIT(b, ":");
    if (df_buf_reserve(b, nbytes * 2 + 2) != 0)
        return;
    for (i = 0; i < nbytes; i++) {
        b->data[b->len++] = hex[bin->data[i] >> 4];
        b->data[b->len++] = hex[bin->data[i] & 15];
    }
    b->data[b->len] = '\0';
    LIT(b, "\"");
}

static void json_base(struct df_buf *b, const struct df_base *p,
                      unsigned flags)
{
    /* "%04u-%02u-%02uT%02u:%02u:%02uZ" by hand: this is a hot path. */
    KEY(b, "timestamp");
    LIT(b, "\"");
    put_u0(b, p->year, 4);
    LIT(b, "-");
    put_u0(b, p->month, 2);
    LIT(b, "-");
    put_u0(b, p->day, 2);
    LIT(b, "T");
    put_u0(b, p->hour, 2);
    LIT(b, ":");
    put_u0(b, p->minute, 2);
    LIT(b, ":");
    put_u0(b, p->second, 2);
    LIT(b, "Z\"");
    KV_BOOL(b, "accuracy", p->accuracy);
    kv_lonlat(b, p->lon, p->lat, flags);
    kv_epfd(b, p->epfd, flags);
    KV_BOOL(b, "raim", p->raim);
    KV_U(b, "radio", p->radio);
}

static void json_static(struct df_buf *b, const struct df_static *p,
                        unsigned flags)
{
    KV_U(b, "imo", p->imo);
    KV_U(b, "ais_version", p->ais_version);
    KV_STR(b, "callsign", p->callsign);
    KV_STR(b, "shipname", p->shipname);
    KV_U(b, "shiptype", p->shiptype);
    if (flags & DF_JSON_TEXT)
        KV_STR(b, "shiptype_text", df__shiptype_label(p->shiptype));
    kv_dims(b, p->to_bow, p->to_stern, p->to_port, p->to_starboard);
    kv_epfd(b, p->epfd, flags);
    KEY(b, "eta");
    LIT(b, "\"");
    put_u0(b, p->month, 2);
    LIT(b, "-");
    put_u0(b, p->day, 2);
    LIT(b, "T");
    put_u0(b, p->hour, 2);
    LIT(b, ":");
    put_u0(b, p->minute, 2);
    LIT(b, "Z\"");
    KEY(b, "draught");
    if (flags & DF_JSON_SCALED)
        df__put_fixed(b, p->draught, 1);
    else
        df__put_u(b, p->draught);
    KV_STR(b, "destination", p->destination);
    KV_U(b, "dte", p->dte);
}

/* Type 19 (type 18 takes the fast path below). */
static void json_classb(struct df_buf *b, const struct df_msg *m,
                        unsigned flags)
{
    const struct df_classb *p = &m->u.cb;

    KV_U(b, "reserved", p->reserved);
    kv_speed10(b, p->speed, flags);
    KV_BOOL(b, "accuracy", p->accuracy);
    kv_lonlat(b, p->lon, p->lat, flags);
    kv_course10(b, p->course, flags);
    KV_U(b, "heading", p->heading);
    KV_U(b, "second", p->second);
    KV_U(b, "regional", p->regional);
    KV_STR(b, "shipname", p->shipname);
    KV_U(b, "shiptype", p->shiptype);
    if (flags & DF_JSON_TEXT)
        KV_STR(b, "shiptype_text", df__shiptype_label(p->shiptype));
    kv_dims(b, p->to_bow, p->to_stern, p->to_port, p->to_starboard);
    kv_epfd(b, p->epfd, flags);
    KV_BOOL(b, "raim", p->raim);
    KV_U(b, "dte", p->dte);
    KV_BOOL(b, "assigned", p->assigned);
}

static void json_sar(struct df_buf *b, const struct df_sar *p, unsigned flags)
{
    KEY(b, "alt");
    if ((flags & DF_JSON_SCALED) && p->alt == 4095)
        LIT(b, "\"nan\"");
    else
        df__put_u(b, p->alt);
    KEY(b, "speed");
    if ((flags & DF_JSON_SCALED) && p->speed == DF_SPEED_NA)
        LIT(b, "\"nan\"");
    else if ((flags & DF_JSON_SCALED) && p->speed == DF_SPEED_NA - 1)
        LIT(b, "\"fast\"");
    else
        df__put_u(b, p->speed);
    KV_BOOL(b, "accuracy", p->accuracy);
    kv_lonlat(b, p->lon, p->lat, flags);
    kv_course10(b, p->course, flags);
    KV_U(b, "second", p->second);
    KV_U(b, "regional", p->regional);
    KV_U(b, "dte", p->dte);
    KV_BOOL(b, "raim", p->raim);
    KV_U(b, "radio", p->radio);
}

/* Scaled corners of types 22 and 23: gpsd 3.22 prints them as strings. */
static void kv_corner(struct df_buf *b, const char *k, int32_t v,
                      unsigned flags)
{
    char tmp[40];

    if (!(flags & DF_JSON_SCALED)) {
        kv_i(b, k, v);
        return;
    }
    snprintf(tmp, sizeof tmp, "\"%f\"", v / 600.0);
    df__put_key(b, k);
    df_buf_puts(b, tmp);
}

static void json_aton(struct df_buf *b, const struct df_aton *p,
                      unsigned flags)
{
    KV_U(b, "aid_type", p->aid_type);
    if (flags & DF_JSON_TEXT)
        KV_STR(b, "aid_type_text", df__aid_type_label(p->aid_type));
    KV_STR(b, "name", p->name);
    if (flags & DF_JSON_SCALED) {
        kv_lonlat(b, p->lon, p->lat, flags);
        KV_BOOL(b, "accuracy", p->accuracy);
    } else {
        KV_BOOL(b, "accuracy", p->accuracy);
        kv_lonlat(b, p->lon, p->lat, flags);
    }
    kv_dims(b, p->to_bow, p->to_stern, p->to_port, p->to_starboard);
    kv_epfd(b, p->epfd, flags);
    KV_U(b, "second", p->second);
    KV_U(b, "regional", p->regional);
    KV_BOOL(b, "off_position", p->off_position);
    KV_BOOL(b, "raim", p->raim);
    KV_BOOL(b, "virtual_aid", p->virtual_aid);
}

static void json_s24(struct df_buf *b, const struct df_msg *m, unsigned flags)
{
    const struct df_static24 *p = &m->u.s24;

    if (p->partno == 0) {
        KV_U(b, "partno", 0);
        KV_STR(b, "shipname", p->shipname);
        return;
    }
    /* A part B merged with its part A (as gpsd prints it) carries the
     * name; one on its own says which part it is. */
    if (flags & DF_JSON_S24_JOINED)
        KV_STR(b, "shipname", p->shipname);
    else
        KV_U(b, "partno", 1);
    KV_U(b, "shiptype", p->shiptype);
    if (flags & DF_JSON_TEXT)
        KV_STR(b, "shiptype_text", df__shiptype_label(p->shiptype));
    KV_STR(b, "vendorid", p->vendorid);
    KV_U(b, "model", p->model);
    KV_U(b, "serial", p->serial);
    KV_STR(b, "callsign", p->callsign);
    if (m->mmsi / 10000000 == 98)
        KV_U(b, "mothership_mmsi", p->mothership_mmsi);
    else
        kv_dims(b, p->to_bow, p->to_stern, p->to_port, p->to_starboard);
}

static void json_body(struct df_buf *b, const struct df_msg *m,
                      unsigned flags)
{
    const struct df_binary *bin = &m->u.bin;
    char tmp[64];
    unsigned i;

    switch (m->type) {
    case 4:
    case 11:
        json_base(b, &m->u.base, flags);
        break;
    case 5:
        json_static(b, &m->u.stat, flags);
        break;
    case 6:
        KV_U(b, "seqno", bin->seqno);
        KV_U(b, "dest_mmsi", bin->dest_mmsi);
        KV_BOOL(b, "retransmit", bin->retransmit);
        /* fall through */
    case 8:
        KV_U(b, "dac", bin->dac);
        KV_U(b, "fid", bin->fid);
        if (!df__app_json(b, m, flags))
            kv_data(b, bin);
        break;
    case 7:
    case 13:
        KV_U(b, "mmsi1", m->u.ack.mmsi[0]);
        KV_U(b, "mmsi2", m->u.ack.mmsi[1]);
        KV_U(b, "mmsi3", m->u.ack.mmsi[2]);
        KV_U(b, "mmsi4", m->u.ack.mmsi[3]);
        break;
    case 9:
        json_sar(b, &m->u.sar, flags);
        break;
    case 10:
        KV_U(b, "dest_mmsi", m->u.text.dest_mmsi);
        break;
    case 12:
        KV_U(b, "seqno", m->u.text.seqno);
        KV_U(b, "dest_mmsi", m->u.text.dest_mmsi);
        KV_BOOL(b, "retransmit", m->u.text.retransmit);
        KV_STR(b, "text", m->u.text.text);
        break;
    case 14:
        KV_STR(b, "text", m->u.text.text);
        break;
    case 15:
        KV_U(b, "mmsi1", m->u.inter.mmsi1);
        KV_U(b, "type1_1", m->u.inter.type1_1);
        KV_U(b, "offset1_1", m->u.inter.offset1_1);
        KV_U(b, "type1_2", m->u.inter.type1_2);
        KV_U(b, "offset1_2", m->u.inter.offset1_2);
        KV_U(b, "mmsi2", m->u.inter.mmsi2);
        KV_U(b, "type2_1", m->u.inter.type2_1);
        KV_U(b, "offset2_1", m->u.inter.offset2_1);
        break;
    case 16:
        KV_U(b, "mmsi1", m->u.assign.mmsi1);
        KV_U(b, "offset1", m->u.assign.offset1);
        KV_U(b, "increment1", m->u.assign.increment1);
        KV_U(b, "mmsi2", m->u.assign.mmsi2);
        KV_U(b, "offset2", m->u.assign.offset2);
        KV_U(b, "increment2", m->u.assign.increment2);
        break;
    case 17:
        if (flags & DF_JSON_SCALED) {
            snprintf(tmp, sizeof tmp, ",\"lon\":%.1f,\"lat\":%.1f",
                     bin->lon / 600.0, bin->lat / 600.0);
            df_buf_puts(b, tmp);
        } else {
            KV_I(b, "lon", bin->lon);
            KV_I(b, "lat", bin->lat);
        }
        kv_data(b, bin);
        break;
    case 19:
        json_classb(b, m, flags);
        break;
    case 20:
        for (i = 0; i < 4; i++) {
            static const char *const keys[4][4] = {
                {",\"offset1\":", ",\"number1\":", ",\"timeout1\":",
                 ",\"increment1\":"},
                {",\"offset2\":", ",\"number2\":", ",\"timeout2\":",
                 ",\"increment2\":"},
                {",\"offset3\":", ",\"number3\":", ",\"timeout3\":",
                 ",\"increment3\":"},
                {",\"offset4\":", ",\"number4\":", ",\"timeout4\":",
                 ",\"increment4\":"},
            };
            df_buf_puts(b, keys[i][0]);
            df__put_u(b, m->u.slots.slot[i].offset);
            df_buf_puts(b, keys[i][1]);
            df__put_u(b, m->u.slots.slot[i].number);
            df_buf_puts(b, keys[i][2]);
            df__put_u(b, m->u.slots.slot[i].timeout);
            df_buf_puts(b, keys[i][3]);
            df__put_u(b, m->u.slots.slot[i].increment);
        }
        break;
    case 21:
        json_aton(b, &m->u.aton, flags);
        break;
    case 22: {
        const struct df_chanmgmt *c = &m->u.chan;
        KV_U(b, "channel_a", c->channel_a);
        KV_U(b, "channel_b", c->channel_b);
        KV_U(b, "txrx", c->txrx);
        KV_BOOL(b, "power", c->power);
        if (c->addressed) {
            KV_U(b, "dest1", c->dest1);
            KV_U(b, "dest2", c->dest2);
        } else {
            kv_corner(b, "ne_lon", c->ne_lon, flags);
            kv_corner(b, "ne_lat", c->ne_lat, flags);
            kv_corner(b, "sw_lon", c->sw_lon, flags);
            kv_corner(b, "sw_lat", c->sw_lat, flags);
        }
        KV_BOOL(b, "addressed", c->addressed);
        KV_BOOL(b, "band_a", c->band_a);
        KV_BOOL(b, "band_b", c->band_b);
        KV_U(b, "zonesize", c->zonesize);
        break;
    }
    case 23: {
        const struct df_groupassign *g = &m->u.group;
        kv_corner(b, "ne_lon", g->ne_lon, flags);
        kv_corner(b, "ne_lat", g->ne_lat, flags);
        kv_corner(b, "sw_lon", g->sw_lon, flags);
        kv_corner(b, "sw_lat", g->sw_lat, flags);
        KV_U(b, "stationtype", g->stationtype);
        if (flags & DF_JSON_TEXT)
            KV_STR(b, "stationtype_text",
                   df__stationtype_label(g->stationtype));
        KV_U(b, "shiptype", g->shiptype);
        if (flags & DF_JSON_TEXT)
            KV_STR(b, "shiptype_text", df__shiptype_label(g->shiptype));
        KV_U(b, "interval", g->interval);
        KV_U(b, "quiet", g->quiet);
        break;
    }
    case 24:
        json_s24(b, m, flags);
        break;
    case 25:
    case 26:
        KV_BOOL(b, "addressed", bin->addressed);
        KV_BOOL(b, "structured", bin->structured);
        KV_U(b, "dest_mmsi", bin->dest_mmsi);
        KV_U(b, "app_id", bin->app_id);
        kv_data(b, bin);
        if (m->type == 26)
            KV_U(b, "radio", bin->radio);
        break;
    case 27: {
        const struct df_longrange *l = &m->u.lr;
        if (flags & DF_JSON_SCALED) {
            KV_STR(b, "status", nav_status[l->status & 15]);
            KV_BOOL(b, "accuracy", l->accuracy);
            snprintf(tmp, sizeof tmp, ",\"lon\":%.1f,\"lat\":%.1f",
                     l->lon / 600.0, l->lat / 600.0);
            df_buf_puts(b, tmp);
        } else {
            KV_U(b, "status", l->status);
            KV_BOOL(b, "accuracy", l->accuracy);
            KV_I(b, "lon", l->lon);
            KV_I(b, "lat", l->lat);
        }
        KV_U(b, "speed", l->speed);
        KV_U(b, "course", l->course);
        KV_BOOL(b, "raim", l->raim);
        KV_BOOL(b, "gnss", l->gnss);
        break;
    }
    default:
        break;
    }
}

/* ---- The fast path: position reports through one pointer ------------ */

/*
 * Types 1-3 and 18 are nine messages in ten.  Writing them through a local
 * pointer into space reserved once (instead of appends that each reload
 * the buffer's length, which any byte store may alias) made decode about
 * 40% faster than the appends it replaced; the golden and differential
 * tests hold it to gpsd.
 */
#define W(o, s) (memcpy((o), (s), sizeof(s) - 1), (o) += sizeof(s) - 1)

static char *w_i(char *o, int32_t v)
{
    if (v < 0) {
        *o++ = '-';
        return w_u(o, (uint32_t)0 - (uint32_t)v);
    }
    return w_u(o, (uint32_t)v);
}

/* v/10 with one decimal ("%.1f" of a value in tenths). */
static char *w_tenths(char *o, uint32_t v)
{
    o = w_u(o, v / 10);
    *o++ = '.';
    *o++ = (char)('0' + v % 10);
    return o;
}

static char *w_bool(char *o, unsigned v)
{
    if (v)
        W(o, "true");
    else
        W(o, "false");
    return o;
}

static char *w_lonlat(char *o, int32_t lon, int32_t lat, unsigned flags)
{
    W(o, ",\"lon\":");
    o = flags & DF_JSON_SCALED ? w_deg6(o, lon) : w_i(o, lon);
    W(o, ",\"lat\":");
    return flags & DF_JSON_SCALED ? w_deg6(o, lat) : w_i(o, lat);
}

/* "YYYY-MM-DDTHH:MM:SS[.mmm]Z", as df_time_iso() writes it. */
static char *w_time(char *o, int64_t ms)
{
    struct df__tm tm;

    df__civil(ms, &tm);
    if (tm.year < 0 || tm.year > 9999) {
        char t[32];
        size_t n = df_time_iso(ms, t);
        memcpy(o, t, n);
        return o + n;
    }
    memcpy(o, digit_pairs + 2 * (tm.year / 100), 2);
    memcpy(o + 2, digit_pairs + 2 * (tm.year % 100), 2);
    o[4] = '-';
    memcpy(o + 5, digit_pairs + 2 * tm.month, 2);
    o[7] = '-';
    memcpy(o + 8, digit_pairs + 2 * tm.day, 2);
    o[10] = 'T';
    memcpy(o + 11, digit_pairs + 2 * tm.hour, 2);
    o[13] = ':';
    memcpy(o + 14, digit_pairs + 2 * tm.minute, 2);
    o[16] = ':';
    memcpy(o + 17, digit_pairs + 2 * tm.second, 2);
    o += 19;
    if (tm.ms) {
        *o++ = '.';
        *o++ = (char)('0' + tm.ms / 100);
        memcpy(o, digit_pairs + 2 * (tm.ms % 100), 2);
        o += 2;
    }
    *o++ = 'Z';
    return o;
}

/* Writes the whole object of a type 1-3 or 18 message (the only path
 * for these types). */
static void fast_position(struct df_buf *b, const struct df_msg *m,
                          unsigned flags)
{
    const int scaled = (flags & DF_JSON_SCALED) != 0;
    char *o;

    o = room(b, 512);
    if (!o)
        return;                 /* out of memory: b->oom says so */
    W(o, "{\"class\":\"AIS\",\"type\":");
    o = w_u(o, m->type);
    W(o, ",\"repeat\":");
    o = w_u(o, m->repeat);
    W(o, ",\"mmsi\":");
    o = w_u(o, m->mmsi);
    if (scaled)
        W(o, ",\"scaled\":true");
    else
        W(o, ",\"scaled\":false");
    if (m->type == 18) {
        const struct df_classb *p = &m->u.cb;
        W(o, ",\"reserved\":");
        o = w_u(o, p->reserved);
        W(o, ",\"speed\":");
        o = scaled ? w_tenths(o, p->speed) : w_u(o, p->speed);
        W(o, ",\"accuracy\":");
        o = w_bool(o, p->accuracy);
        o = w_lonlat(o, p->lon, p->lat, flags);
        W(o, ",\"course\":");
        o = scaled ? w_tenths(o, p->course) : w_u(o, p->course);
        W(o, ",\"heading\":");
        o = w_u(o, p->heading);
        W(o, ",\"second\":");
        o = w_u(o, p->second);
        W(o, ",\"regional\":");
        o = w_u(o, p->regional);
        W(o, ",\"cs\":");
        o = w_bool(o, p->cs);
        W(o, ",\"display\":");
        o = w_bool(o, p->display);
        W(o, ",\"dsc\":");
        o = w_bool(o, p->dsc);
        W(o, ",\"band\":");
        o = w_bool(o, p->band);
        W(o, ",\"msg22\":");
        o = w_bool(o, p->msg22);
        W(o, ",\"raim\":");
        o = w_bool(o, p->raim);
        W(o, ",\"radio\":");
        o = w_u(o, p->radio);
    } else {
        const struct df_pos *p = &m->u.pos;
        W(o, ",\"status\":");
        o = w_u(o, p->status);
        if (flags & DF_JSON_TEXT) {
            const char *t = nav_status[p->status & 15];
            size_t n = strlen(t);
            W(o, ",\"status_text\":\"");
            memcpy(o, t, n);
            o += n;
            *o++ = '"';
        }
        W(o, ",\"turn\":");
        if (!scaled) {
            o = w_i(o, p->turn);
        } else if (p->turn == -128) {
            W(o, "\"nan\"");
        } else if (p->turn == -127) {
            W(o, "\"fastleft\"");
        } else if (p->turn == 127) {
            W(o, "\"fastright\"");
        } else {
            double r = p->turn / 4.733;   /* gpsd 3.22: sign lost */
            o = w_u(o, (uint32_t)(r * r + 0.5));
        }
        W(o, ",\"speed\":");
        if (!scaled)
            o = w_u(o, p->speed);
        else if (p->speed == DF_SPEED_NA)
            W(o, "\"nan\"");
        else if (p->speed == DF_SPEED_NA - 1)
            W(o, "\"fast\"");
        else
            o = w_tenths(o, p->speed);
        W(o, ",\"accuracy\":");
        o = w_bool(o, p->accuracy);
        o = w_lonlat(o, p->lon, p->lat, flags);
        W(o, ",\"course\":");
        o = scaled ? w_tenths(o, p->course) : w_u(o, p->course);
        W(o, ",\"heading\":");
        o = w_u(o, p->heading);
        W(o, ",\"second\":");
        o = w_u(o, p->second);
        W(o, ",\"maneuver\":");
        o = w_u(o, p->maneuver);
        W(o, ",\"raim\":");
        o = w_bool(o, p->raim);
        W(o, ",\"radio\":");
        o = w_u(o, p->radio);
    }
    if (m->rx_ms != DF_TIME_NONE) {
        W(o, ",\"time\":\"");
        o = w_time(o, m->rx_ms);
        *o++ = '"';
    }
    *o++ = '}';
    *o = '\0';
    b->len = (size_t)(o - b->data);
}

void df_msg_json(struct df_buf *b, const struct df_msg *m, unsigned flags)
{
    if (m->type <= 3 || m->type == 18) {
        fast_position(b, m, flags);
        return;
    }
    /* One reservation covers every object but long texts and binary
     * data, so the appends below take their inlined fast path. */
    df_buf_reserve(b, 768);
    LIT(b, "{\"class\":\"AIS\",\"type\":");
    df__put_u(b, m->type);
    LIT(b, ",\"repeat\":");
    df__put_u(b, m->repeat);
    LIT(b, ",\"mmsi\":");
    df__put_u(b, m->mmsi);
    if (flags & DF_JSON_SCALED)
        LIT(b, ",\"scaled\":true");
    else
        LIT(b, ",\"scaled\":false");
    json_body(b, m, flags);
    if (m->rx_ms != DF_TIME_NONE) {
        char t[40], *e;
        LIT(b, ",\"time\":\"");
        e = w_time(t, m->rx_ms);
        app(b, t, (size_t)(e - t));
        LIT(b, "\"");
    }
    LIT(b, "}");
    if (b->len < b->cap)
        b->data[b->len] = '\0';
}
