/*
 * rec.c - the normalized record (struct df_rec) from a decoded AIS
 * message: the fields every later stage (tracks, detectors, store) reads,
 * whatever the source.  Units stay as on the wire.
 */
#include "darkfleet.h"

#include <string.h>

static void rec_clear(struct df_rec *r, const struct df_msg *m)
{
    memset(r, 0, sizeof *r);
    r->t_ms = m->rx_ms;
    r->mmsi = m->mmsi;
    r->msgtype = m->type;
    r->status = 15;
    r->lon = DF_LON_NA;
    r->lat = DF_LAT_NA;
    r->speed = DF_SPEED_NA;
    r->course = DF_COURSE_NA;
    r->heading = DF_HEADING_NA;
}

int df_rec_from_msg(const struct df_msg *m, struct df_rec *r)
{
    switch (m->type) {
    case 1:
    case 2:
    case 3:
        rec_clear(r, m);
        r->has = DF_REC_POS;
        r->cls = 'A';
        r->status = m->u.pos.status;
        r->lon = m->u.pos.lon;
        r->lat = m->u.pos.lat;
        r->speed = m->u.pos.speed;
        r->course = m->u.pos.course;
        r->heading = m->u.pos.heading;
        return 1;
    case 18:
    case 19:
        rec_clear(r, m);
        r->has = DF_REC_POS;
        r->cls = 'B';
        r->lon = m->u.cb.lon;
        r->lat = m->u.cb.lat;
        r->speed = m->u.cb.speed;
        r->course = m->u.cb.course;
        r->heading = m->u.cb.heading;
        if (m->type == 19) {
            r->has |= DF_REC_STATIC;
            memcpy(r->shipname, m->u.cb.shipname, sizeof r->shipname);
            r->shiptype = m->u.cb.shiptype;
            r->to_bow = m->u.cb.to_bow;
            r->to_stern = m->u.cb.to_stern;
            r->to_port = m->u.cb.to_port;
            r->to_starboard = m->u.cb.to_starboard;
        }
        return 1;
    case 27:
        /* Long-range positions are in 1/10 minute and whole knots and
         * degrees; bring them to the common units, keeping sentinels. */
        rec_clear(r, m);
        r->has = DF_REC_POS;
        r->status = m->u.lr.status;
        r->lon = m->u.lr.lon == 181 * 600 ? DF_LON_NA : m->u.lr.lon * 1000;
        r->lat = m->u.lr.lat == 91 * 600 ? DF_LAT_NA : m->u.lr.lat * 1000;
        r->speed = m->u.lr.speed == 63 ? DF_SPEED_NA
                                       : (uint16_t)(m->u.lr.speed * 10);
        r->course = m->u.lr.course == 511 ? DF_COURSE_NA
                                          : (uint16_t)(m->u.lr.course * 10);
        return 1;
    case 5:
        rec_clear(r, m);
        r->has = DF_REC_STATIC;
        r->cls = 'A';
        r->imo = m->u.stat.imo;
        memcpy(r->callsign, m->u.stat.callsign, sizeof r->callsign);
        memcpy(r->shipname, m->u.stat.shipname, sizeof r->shipname);
        memcpy(r->destination, m->u.stat.destination,
               sizeof r->destination);
        r->shiptype = m->u.stat.shiptype;
        r->to_bow = m->u.stat.to_bow;
        r->to_stern = m->u.stat.to_stern;
        r->to_port = m->u.stat.to_port;
        r->to_starboard = m->u.stat.to_starboard;
        r->draught = m->u.stat.draught;
        return 1;
    case 24:
        rec_clear(r, m);
        r->has = DF_REC_STATIC;
        r->cls = 'B';
        if (m->u.s24.partno == 0) {
            memcpy(r->shipname, m->u.s24.shipname, sizeof r->shipname);
        } else {
            r->shiptype = m->u.s24.shiptype;
            memcpy(r->callsign, m->u.s24.callsign, sizeof r->callsign);
            r->to_bow = m->u.s24.to_bow;
            r->to_stern = m->u.s24.to_stern;
            r->to_port = m->u.s24.to_port;
            r->to_starboard = m->u.s24.to_starboard;
        }
        return 1;
    default:
        return 0;
    }
}
