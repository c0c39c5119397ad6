/*
 * rec_json.c - one JSON object per normalized record (struct df_rec), with
 * gpsd's key names so that NMEA and CSV sources give the same lines.
 *
 * Key order: class, type (AIS message type; omitted for table rows),
 * mmsi, time (ISO 8601 UTC, when known), then with DF_REC_POS status,
 * speed, lon, lat, course, heading, then the identity fields that are
 * present: imo, callsign, shipname, shiptype, to_bow, to_stern, to_port,
 * to_starboard, draught, destination, length and width (metres, only when
 * a table gives overall size and no antenna offsets), and cls (transceiver
 * class "A" or "B").
 *
 * With DF_JSON_SCALED values are printed as `gpsdecode -j` prints them
 * (gpsd 3.22 driver_ais.c/json output): speed in knots with one decimal
 * ("nan" when not available), lon/lat in degrees with seven decimals,
 * course in degrees with one decimal, draught in metres with one decimal.
 * Without it, the AIS wire integers (`gpsdecode -u -j`).  Strings come
 * from the air or from tables, so they are always JSON-escaped.
 */
#include <string.h>

#include "darkfleet.h"
#include "jsonw.h"

#define TEXT(b, s) df_buf_append((b), (s), sizeof(s) - 1)

/* Degrees with seven decimals of a 1/10000-minute value: v/600000 deg is
 * 50v/3 units of 1e-7 deg, rounded half away from zero (never a tie). */
static void put_deg7(struct df_buf *b, int32_t v)
{
    int64_t a = v < 0 ? -(int64_t)v : v;
    int64_t units = (100 * a + 3) / 6;

    if (v < 0 && units == 0)
        TEXT(b, "-"); /* printf keeps the sign of -0.0000000 */
    df__put_fixed(b, v < 0 ? -units : units, 7);
}

static void kv_u(struct df_buf *b, const char *k, uint64_t v)
{
    df__put_key(b, k);
    df__put_u(b, v);
}

static void kv_str(struct df_buf *b, const char *k, const char *s,
                   size_t cap)
{
    size_t n = strnlen(s, cap);

    df__put_key(b, k);
    df_buf_json_str(b, s, n);
}

/* The position group (DF_REC_POS). */
static void pos(struct df_buf *b, const struct df_rec *r, unsigned scaled)
{
    kv_u(b, "status", r->status);
    df__put_key(b, "speed");
    if (!scaled)
        df__put_u(b, r->speed);
    else if (r->speed == DF_SPEED_NA)
        TEXT(b, "\"nan\"");
    else
        df__put_fixed(b, r->speed, 1);
    df__put_key(b, "lon");
    if (scaled)
        put_deg7(b, r->lon);
    else
        df__put_i(b, r->lon);
    df__put_key(b, "lat");
    if (scaled)
        put_deg7(b, r->lat);
    else
        df__put_i(b, r->lat);
    df__put_key(b, "course");
    if (scaled)
        df__put_fixed(b, r->course, 1);
    else
        df__put_u(b, r->course);
    kv_u(b, "heading", r->heading);
}

/* The identity group: only the fields that are present. */
static void ident(struct df_buf *b, const struct df_rec *r, unsigned scaled)
{
    int dims = r->to_bow || r->to_stern || r->to_port || r->to_starboard;

    if (r->imo != 0)
        kv_u(b, "imo", r->imo);
    if (r->callsign[0] != '\0')
        kv_str(b, "callsign", r->callsign, sizeof(r->callsign));
    if (r->shipname[0] != '\0')
        kv_str(b, "shipname", r->shipname, sizeof(r->shipname));
    if (r->shiptype != 0)
        kv_u(b, "shiptype", r->shiptype);
    if (dims) {
        kv_u(b, "to_bow", r->to_bow);
        kv_u(b, "to_stern", r->to_stern);
        kv_u(b, "to_port", r->to_port);
        kv_u(b, "to_starboard", r->to_starboard);
    }
    if (r->draught != 0) {
        df__put_key(b, "draught");
        if (scaled)
            df__put_fixed(b, r->draught, 1);
        else
            df__put_u(b, r->draught);
    }
    if (r->destination[0] != '\0')
        kv_str(b, "destination", r->destination, sizeof(r->destination));
    if (!dims && r->length_dm != 0) {
        df__put_key(b, "length");
        df__put_fixed(b, r->length_dm, 1);
    }
    if (!dims && r->width_dm != 0) {
        df__put_key(b, "width");
        df__put_fixed(b, r->width_dm, 1);
    }
}

void df_rec_json(struct df_buf *b, const struct df_rec *rec, unsigned flags)
{
    unsigned scaled = (flags & DF_JSON_SCALED) != 0;

    if (b == NULL || rec == NULL)
        return;
    TEXT(b, "{\"class\":\"AIS\"");
    if (rec->msgtype != 0)
        kv_u(b, "type", rec->msgtype);
    kv_u(b, "mmsi", rec->mmsi);
    if (rec->t_ms != DF_TIME_NONE) {
        char t[40];
        size_t n = df_time_iso(rec->t_ms, t);

        df__put_key(b, "time");
        df_buf_json_str(b, t, n);
    }
    if (rec->has & DF_REC_POS)
        pos(b, rec, scaled);
    if (rec->has & DF_REC_STATIC)
        ident(b, rec, scaled);
    if (rec->cls == 'A' || rec->cls == 'B') {
        char c = rec->cls;

        df__put_key(b, "cls");
        df_buf_json_str(b, &c, 1);
    }
    TEXT(b, "}");
}
