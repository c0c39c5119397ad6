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
#include "labels.h"
#include "sixbit.h"

#define LIT(b, s) df_buf_append((b), (s), sizeof(s) - 1)

/* Appends the decimal digits of v. */
static void put_u(struct df_buf *b, uint64_t v)
{
    char tmp[24];
    int n = 0;

    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    df_buf_append(b, tmp + sizeof tmp - n, (size_t)n);
}

static void put_i(struct df_buf *b, int64_t v)
{
    if (v < 0) {
        LIT(b, "-");
        put_u(b, (uint64_t)(-(v + 1)) + 1);
    } else {
        put_u(b, (uint64_t)v);
    }
}

/* Appends v / 10^dec with exactly dec decimals ("%.<dec>f" of an exact
 * value). */
static void put_fixed(struct df_buf *b, int64_t v, unsigned dec)
{
    static const uint64_t p10[] = {1, 10, 100, 1000, 10000, 100000,
                                   1000000, 10000000};
    char tmp[24];
    uint64_t u, ip, fp;
    unsigned i;

    if (v < 0) {
        LIT(b, "-");
        u = (uint64_t)(-(v + 1)) + 1;
    } else {
        u = (uint64_t)v;
    }
    ip = u / p10[dec];
    fp = u % p10[dec];
    put_u(b, ip);
    if (dec == 0)
        return;
    tmp[0] = '.';
    for (i = dec; i > 0; i--) {
        tmp[i] = (char)('0' + fp % 10);
        fp /= 10;
    }
    df_buf_append(b, tmp, dec + 1);
}

/* Degrees with six decimals of a 1/10000-minute value: v/600000 deg is
 * v*5/3 micro-degrees, rounded half away from zero (never a tie). */
static void put_deg6(struct df_buf *b, int32_t v)
{
    int64_t a = v < 0 ? -(int64_t)v : v;
    int64_t micro = (10 * a + 3) / 6;

    if (v < 0 && micro == 0)
        LIT(b, "-");            /* printf keeps the sign of -0.000000 */
    put_fixed(b, v < 0 ? -micro : micro, 6);
}

static void key(struct df_buf *b, const char *k)
{
    size_t n = strlen(k);

    if (df_buf_reserve(b, n + 4) != 0)
        return;
    b->data[b->len++] = ',';
    b->data[b->len++] = '"';
    memcpy(b->data + b->len, k, n);
    b->len += n;
    b->data[b->len++] = '"';
    b->data[b->len++] = ':';
    b->data[b->len] = '\0';
}

static void kv_u(struct df_buf *b, const char *k, uint64_t v)
{
    key(b, k);
    put_u(b, v);
}

static void kv_i(struct df_buf *b, const char *k, int64_t v)
{
    key(b, k);
    put_i(b, v);
}

static void kv_bool(struct df_buf *b, const char *k, unsigned v)
{
    key(b, k);
    if (v)
        LIT(b, "true");
    else
        LIT(b, "false");
}

static void kv_str(struct df_buf *b, const char *k, const char *s)
{
    key(b, k);
    df_buf_json_str(b, s, strlen(s));
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
    kv_u(b, "epfd", epfd);
    if (flags & DF_JSON_TEXT)
        kv_str(b, "epfd_text", epfd_label[epfd & 15]);
}

/* ---- message bodies --------------------------------------------------- */

/* Speed in 1/10 knot: "%.1f".  For Class A reports gpsd 3.22 prints
 * "nan" for not available (1023) and "fast" for 102.2 kn or more (1022);
 * for Class B it prints the number. */
static void kv_speed10(struct df_buf *b, unsigned v, unsigned flags,
                       int class_a)
{
    key(b, "speed");
    if (!(flags & DF_JSON_SCALED))
        put_u(b, v);
    else if (class_a && v == DF_SPEED_NA)
        LIT(b, "\"nan\"");
    else if (class_a && v == DF_SPEED_NA - 1)
        LIT(b, "\"fast\"");
    else
        put_fixed(b, v, 1);
}

static void kv_lonlat(struct df_buf *b, int32_t lon, int32_t lat,
                      unsigned flags)
{
    key(b, "lon");
    if (flags & DF_JSON_SCALED)
        put_deg6(b, lon);
    else
        put_i(b, lon);
    key(b, "lat");
    if (flags & DF_JSON_SCALED)
        put_deg6(b, lat);
    else
        put_i(b, lat);
}

static void kv_course10(struct df_buf *b, unsigned v, unsigned flags)
{
    key(b, "course");
    if (flags & DF_JSON_SCALED)
        put_fixed(b, v, 1);
    else
        put_u(b, v);
}

static void kv_dims(struct df_buf *b, unsigned bow, unsigned stern,
                    unsigned port, unsigned starboard)
{
    kv_u(b, "to_bow", bow);
    kv_u(b, "to_stern", stern);
    kv_u(b, "to_port", port);
    kv_u(b, "to_starboard", starboard);
}

/* gpsd's "data" key: bit count, a colon, then the bytes in hex. */
static void kv_data(struct df_buf *b, const struct df_binary *bin)
{
    static const char hex[] = "0123456789abcdef";
    unsigned i, nbytes = (bin->bitcount + 7u) / 8u;

    key(b, "data");
    LIT(b, "\"");
    put_u(b, bin->bitcount);
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

static void json_pos(struct df_buf *b, const struct df_pos *p, unsigned flags)
{
    kv_u(b, "status", p->status);
    if (flags & DF_JSON_TEXT)
        kv_str(b, "status_text", nav_status[p->status & 15]);
    key(b, "turn");
    if (!(flags & DF_JSON_SCALED)) {
        put_i(b, p->turn);
    } else if (p->turn == -128) {
        LIT(b, "\"nan\"");
    } else if (p->turn == -127) {
        LIT(b, "\"fastleft\"");
    } else if (p->turn == 127) {
        LIT(b, "\"fastright\"");
    } else {
        /* gpsd 3.22 squares ROT/4.733 and loses the sign. */
        double r = p->turn / 4.733;
        put_u(b, (uint64_t)(r * r + 0.5));
    }
    kv_speed10(b, p->speed, flags, 1);
    kv_bool(b, "accuracy", p->accuracy);
    kv_lonlat(b, p->lon, p->lat, flags);
    kv_course10(b, p->course, flags);
    kv_u(b, "heading", p->heading);
    kv_u(b, "second", p->second);
    kv_u(b, "maneuver", p->maneuver);
    kv_bool(b, "raim", p->raim);
    kv_u(b, "radio", p->radio);
}

static void json_base(struct df_buf *b, const struct df_base *p,
                      unsigned flags)
{
    char ts[48];

    snprintf(ts, sizeof ts, "%04u-%02u-%02uT%02u:%02u:%02uZ", p->year,
             p->month, p->day, p->hour, p->minute, p->second);
    kv_str(b, "timestamp", ts);
    kv_bool(b, "accuracy", p->accuracy);
    kv_lonlat(b, p->lon, p->lat, flags);
    kv_epfd(b, p->epfd, flags);
    kv_bool(b, "raim", p->raim);
    kv_u(b, "radio", p->radio);
}

static void json_static(struct df_buf *b, const struct df_static *p,
                        unsigned flags)
{
    char eta[32];

    kv_u(b, "imo", p->imo);
    kv_u(b, "ais_version", p->ais_version);
    kv_str(b, "callsign", p->callsign);
    kv_str(b, "shipname", p->shipname);
    kv_u(b, "shiptype", p->shiptype);
    if (flags & DF_JSON_TEXT)
        kv_str(b, "shiptype_text", df__shiptype_label(p->shiptype));
    kv_dims(b, p->to_bow, p->to_stern, p->to_port, p->to_starboard);
    kv_epfd(b, p->epfd, flags);
    snprintf(eta, sizeof eta, "%02u-%02uT%02u:%02uZ", p->month, p->day,
             p->hour, p->minute);
    kv_str(b, "eta", eta);
    key(b, "draught");
    if (flags & DF_JSON_SCALED)
        put_fixed(b, p->draught, 1);
    else
        put_u(b, p->draught);
    kv_str(b, "destination", p->destination);
    kv_u(b, "dte", p->dte);
}

static void json_classb(struct df_buf *b, const struct df_msg *m,
                        unsigned flags)
{
    const struct df_classb *p = &m->u.cb;

    kv_u(b, "reserved", p->reserved);
    kv_speed10(b, p->speed, flags, 0);
    kv_bool(b, "accuracy", p->accuracy);
    kv_lonlat(b, p->lon, p->lat, flags);
    kv_course10(b, p->course, flags);
    kv_u(b, "heading", p->heading);
    kv_u(b, "second", p->second);
    kv_u(b, "regional", p->regional);
    if (m->type == 18) {
        kv_bool(b, "cs", p->cs);
        kv_bool(b, "display", p->display);
        kv_bool(b, "dsc", p->dsc);
        kv_bool(b, "band", p->band);
        kv_bool(b, "msg22", p->msg22);
        kv_bool(b, "raim", p->raim);
        kv_u(b, "radio", p->radio);
        return;
    }
    kv_str(b, "shipname", p->shipname);
    kv_u(b, "shiptype", p->shiptype);
    if (flags & DF_JSON_TEXT)
        kv_str(b, "shiptype_text", df__shiptype_label(p->shiptype));
    kv_dims(b, p->to_bow, p->to_stern, p->to_port, p->to_starboard);
    kv_epfd(b, p->epfd, flags);
    kv_bool(b, "raim", p->raim);
    kv_u(b, "dte", p->dte);
    kv_bool(b, "assigned", p->assigned);
}

static void json_sar(struct df_buf *b, const struct df_sar *p, unsigned flags)
{
    key(b, "alt");
    if ((flags & DF_JSON_SCALED) && p->alt == 4095)
        LIT(b, "\"nan\"");
    else
        put_u(b, p->alt);
    key(b, "speed");
    if ((flags & DF_JSON_SCALED) && p->speed == DF_SPEED_NA)
        LIT(b, "\"nan\"");
    else if ((flags & DF_JSON_SCALED) && p->speed == DF_SPEED_NA - 1)
        LIT(b, "\"fast\"");
    else
        put_u(b, p->speed);
    kv_bool(b, "accuracy", p->accuracy);
    kv_lonlat(b, p->lon, p->lat, flags);
    kv_course10(b, p->course, flags);
    kv_u(b, "second", p->second);
    kv_u(b, "regional", p->regional);
    kv_u(b, "dte", p->dte);
    kv_bool(b, "raim", p->raim);
    kv_u(b, "radio", p->radio);
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
    key(b, k);
    df_buf_puts(b, tmp);
}

static void json_aton(struct df_buf *b, const struct df_aton *p,
                      unsigned flags)
{
    kv_u(b, "aid_type", p->aid_type);
    if (flags & DF_JSON_TEXT)
        kv_str(b, "aid_type_text", df__aid_type_label(p->aid_type));
    kv_str(b, "name", p->name);
    if (flags & DF_JSON_SCALED) {
        kv_lonlat(b, p->lon, p->lat, flags);
        kv_bool(b, "accuracy", p->accuracy);
    } else {
        kv_bool(b, "accuracy", p->accuracy);
        kv_lonlat(b, p->lon, p->lat, flags);
    }
    kv_dims(b, p->to_bow, p->to_stern, p->to_port, p->to_starboard);
    kv_epfd(b, p->epfd, flags);
    kv_u(b, "second", p->second);
    kv_u(b, "regional", p->regional);
    kv_bool(b, "off_position", p->off_position);
    kv_bool(b, "raim", p->raim);
    kv_bool(b, "virtual_aid", p->virtual_aid);
}

static void json_s24(struct df_buf *b, const struct df_msg *m, unsigned flags)
{
    const struct df_static24 *p = &m->u.s24;

    if (p->partno == 0) {
        kv_u(b, "partno", 0);
        kv_str(b, "shipname", p->shipname);
        return;
    }
    /* A part B merged with its part A (as gpsd prints it) carries the
     * name; one on its own says which part it is. */
    if (flags & DF_JSON_S24_JOINED)
        kv_str(b, "shipname", p->shipname);
    else
        kv_u(b, "partno", 1);
    kv_u(b, "shiptype", p->shiptype);
    if (flags & DF_JSON_TEXT)
        kv_str(b, "shiptype_text", df__shiptype_label(p->shiptype));
    kv_str(b, "vendorid", p->vendorid);
    kv_u(b, "model", p->model);
    kv_u(b, "serial", p->serial);
    kv_str(b, "callsign", p->callsign);
    if (m->mmsi / 10000000 == 98)
        kv_u(b, "mothership_mmsi", p->mothership_mmsi);
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
    case 1:
    case 2:
    case 3:
        json_pos(b, &m->u.pos, flags);
        break;
    case 4:
    case 11:
        json_base(b, &m->u.base, flags);
        break;
    case 5:
        json_static(b, &m->u.stat, flags);
        break;
    case 6:
        kv_u(b, "seqno", bin->seqno);
        kv_u(b, "dest_mmsi", bin->dest_mmsi);
        kv_bool(b, "retransmit", bin->retransmit);
        /* fall through */
    case 8:
        kv_u(b, "dac", bin->dac);
        kv_u(b, "fid", bin->fid);
        if (!df__app_json(b, m, flags))
            kv_data(b, bin);
        break;
    case 7:
    case 13:
        for (i = 0; i < 4; i++) {
            snprintf(tmp, sizeof tmp, "mmsi%u", i + 1);
            kv_u(b, tmp, m->u.ack.mmsi[i]);
        }
        break;
    case 9:
        json_sar(b, &m->u.sar, flags);
        break;
    case 10:
        kv_u(b, "dest_mmsi", m->u.text.dest_mmsi);
        break;
    case 12:
        kv_u(b, "seqno", m->u.text.seqno);
        kv_u(b, "dest_mmsi", m->u.text.dest_mmsi);
        kv_bool(b, "retransmit", m->u.text.retransmit);
        kv_str(b, "text", m->u.text.text);
        break;
    case 14:
        kv_str(b, "text", m->u.text.text);
        break;
    case 15:
        kv_u(b, "mmsi1", m->u.inter.mmsi1);
        kv_u(b, "type1_1", m->u.inter.type1_1);
        kv_u(b, "offset1_1", m->u.inter.offset1_1);
        kv_u(b, "type1_2", m->u.inter.type1_2);
        kv_u(b, "offset1_2", m->u.inter.offset1_2);
        kv_u(b, "mmsi2", m->u.inter.mmsi2);
        kv_u(b, "type2_1", m->u.inter.type2_1);
        kv_u(b, "offset2_1", m->u.inter.offset2_1);
        break;
    case 16:
        kv_u(b, "mmsi1", m->u.assign.mmsi1);
        kv_u(b, "offset1", m->u.assign.offset1);
        kv_u(b, "increment1", m->u.assign.increment1);
        kv_u(b, "mmsi2", m->u.assign.mmsi2);
        kv_u(b, "offset2", m->u.assign.offset2);
        kv_u(b, "increment2", m->u.assign.increment2);
        break;
    case 17:
        if (flags & DF_JSON_SCALED) {
            snprintf(tmp, sizeof tmp, ",\"lon\":%.1f,\"lat\":%.1f",
                     bin->lon / 600.0, bin->lat / 600.0);
            df_buf_puts(b, tmp);
        } else {
            kv_i(b, "lon", bin->lon);
            kv_i(b, "lat", bin->lat);
        }
        kv_data(b, bin);
        break;
    case 18:
    case 19:
        json_classb(b, m, flags);
        break;
    case 20:
        for (i = 0; i < 4; i++) {
            snprintf(tmp, sizeof tmp, "offset%u", i + 1);
            kv_u(b, tmp, m->u.slots.slot[i].offset);
            snprintf(tmp, sizeof tmp, "number%u", i + 1);
            kv_u(b, tmp, m->u.slots.slot[i].number);
            snprintf(tmp, sizeof tmp, "timeout%u", i + 1);
            kv_u(b, tmp, m->u.slots.slot[i].timeout);
            snprintf(tmp, sizeof tmp, "increment%u", i + 1);
            kv_u(b, tmp, m->u.slots.slot[i].increment);
        }
        break;
    case 21:
        json_aton(b, &m->u.aton, flags);
        break;
    case 22: {
        const struct df_chanmgmt *c = &m->u.chan;
        kv_u(b, "channel_a", c->channel_a);
        kv_u(b, "channel_b", c->channel_b);
        kv_u(b, "txrx", c->txrx);
        kv_bool(b, "power", c->power);
        if (c->addressed) {
            kv_u(b, "dest1", c->dest1);
            kv_u(b, "dest2", c->dest2);
        } else {
            kv_corner(b, "ne_lon", c->ne_lon, flags);
            kv_corner(b, "ne_lat", c->ne_lat, flags);
            kv_corner(b, "sw_lon", c->sw_lon, flags);
            kv_corner(b, "sw_lat", c->sw_lat, flags);
        }
        kv_bool(b, "addressed", c->addressed);
        kv_bool(b, "band_a", c->band_a);
        kv_bool(b, "band_b", c->band_b);
        kv_u(b, "zonesize", c->zonesize);
        break;
    }
    case 23: {
        const struct df_groupassign *g = &m->u.group;
        kv_corner(b, "ne_lon", g->ne_lon, flags);
        kv_corner(b, "ne_lat", g->ne_lat, flags);
        kv_corner(b, "sw_lon", g->sw_lon, flags);
        kv_corner(b, "sw_lat", g->sw_lat, flags);
        kv_u(b, "stationtype", g->stationtype);
        if (flags & DF_JSON_TEXT)
            kv_str(b, "stationtype_text",
                   df__stationtype_label(g->stationtype));
        kv_u(b, "shiptype", g->shiptype);
        if (flags & DF_JSON_TEXT)
            kv_str(b, "shiptype_text", df__shiptype_label(g->shiptype));
        kv_u(b, "interval", g->interval);
        kv_u(b, "quiet", g->quiet);
        break;
    }
    case 24:
        json_s24(b, m, flags);
        break;
    case 25:
    case 26:
        kv_bool(b, "addressed", bin->addressed);
        kv_bool(b, "structured", bin->structured);
        kv_u(b, "dest_mmsi", bin->dest_mmsi);
        kv_u(b, "app_id", bin->app_id);
        kv_data(b, bin);
        if (m->type == 26)
            kv_u(b, "radio", bin->radio);
        break;
    case 27: {
        const struct df_longrange *l = &m->u.lr;
        if (flags & DF_JSON_SCALED) {
            kv_str(b, "status", nav_status[l->status & 15]);
            kv_bool(b, "accuracy", l->accuracy);
            snprintf(tmp, sizeof tmp, ",\"lon\":%.1f,\"lat\":%.1f",
                     l->lon / 600.0, l->lat / 600.0);
            df_buf_puts(b, tmp);
        } else {
            kv_u(b, "status", l->status);
            kv_bool(b, "accuracy", l->accuracy);
            kv_i(b, "lon", l->lon);
            kv_i(b, "lat", l->lat);
        }
        kv_u(b, "speed", l->speed);
        kv_u(b, "course", l->course);
        kv_bool(b, "raim", l->raim);
        kv_bool(b, "gnss", l->gnss);
        break;
    }
    default:
        break;
    }
}

void df_msg_json(struct df_buf *b, const struct df_msg *m, unsigned flags)
{
    LIT(b, "{\"class\":\"AIS\",\"type\":");
    put_u(b, m->type);
    LIT(b, ",\"repeat\":");
    put_u(b, m->repeat);
    LIT(b, ",\"mmsi\":");
    put_u(b, m->mmsi);
    if (flags & DF_JSON_SCALED)
        LIT(b, ",\"scaled\":true");
    else
        LIT(b, ",\"scaled\":false");
    json_body(b, m, flags);
    if (m->rx_ms != DF_TIME_NONE) {
        char t[32];
        size_t n = df_time_iso(m->rx_ms, t);
        LIT(b, ",\"time\":\"");
        df_buf_append(b, t, n);
        LIT(b, "\"");
    }
    LIT(b, "}");
}
