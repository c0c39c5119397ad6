/*
 * ais.c - AIS message decoding: a de-armored payload (a bit string) into a
 * struct df_msg, one function per message type, field offsets as in
 * ITU-R M.1371-5 Annex 8 and the field names gpsd uses.
 *
 * Values stay as wire integers; nothing is scaled here.  Length rules
 * follow gpsd 3.22 where gpsd accepts a message (so that the two decode the
 * same set) and are more tolerant where real transmitters send a few
 * trailing junk bits: a message is decoded when it holds every bit that its
 * fields need, and extra bits are ignored.  Allocation-free.
 */
#include "darkfleet.h"

#include <string.h>

#include "sixbit.h"

#define U(s, w) df__ubits(bits, (s), (w))
#define S(s, w) df__sbits(bits, (s), (w))
#define TEXT(s, n, to) df__text(bits, nbits, (s), (n), (to))

/* Longest payload decoded: five slots of 256 bits less overhead is 1008,
 * and a little slack for junk bits. */
#define DF_MAX_DECODE_BITS 1100

/* Six-bit characters from bit start to the end of the payload, capped at
 * what struct df_text holds (156: a five-slot message). */
static unsigned text_chars(size_t nbits, unsigned start)
{
    unsigned n = (unsigned)(nbits - start) / 6;
    return n < 156 ? n : 156;
}

/* Copies the application data bits [from, nbits) into b->data, MSB first,
 * zero-filled past the end, and sets b->bitcount. */
static void copy_data(const uint8_t *bits, size_t nbits, unsigned from,
                      struct df_binary *b)
{
    unsigned n = nbits > from ? (unsigned)(nbits - from) : 0, i;

    if (n > sizeof b->data * 8)
        n = sizeof b->data * 8;
    b->bitcount = (uint16_t)n;
    memset(b->data, 0, sizeof b->data);
    for (i = 0; i < n; i += 8) {
        unsigned w = n - i < 8 ? n - i : 8;
        b->data[i / 8] = (uint8_t)(U(from + i, w) << (8 - w));
    }
}

static void dec_pos(const uint8_t *bits, size_t nbits, struct df_pos *p)
{
    p->status = (uint8_t)U(38, 4);
    p->turn = (int8_t)S(42, 8);
    p->speed = (uint16_t)U(50, 10);
    p->accuracy = (uint8_t)U(60, 1);
    p->lon = S(61, 28);
    p->lat = S(89, 27);
    p->course = (uint16_t)U(116, 12);
    p->heading = (uint16_t)U(128, 9);
    p->second = (uint8_t)U(137, 6);
    p->maneuver = (uint8_t)U(143, 2);
    p->raim = (uint8_t)U(148, 1);
    /* Some transmitters cut the communication state short. */
    p->radio = nbits >= 168 ? U(149, 19) : U(149, (unsigned)nbits - 149);
}

static void dec_base(const uint8_t *bits, struct df_base *p)
{
    p->year = (uint16_t)U(38, 14);
    p->month = (uint8_t)U(52, 4);
    p->day = (uint8_t)U(56, 5);
    p->hour = (uint8_t)U(61, 5);
    p->minute = (uint8_t)U(66, 6);
    p->second = (uint8_t)U(72, 6);
    p->accuracy = (uint8_t)U(78, 1);
    p->lon = S(79, 28);
    p->lat = S(107, 27);
    p->epfd = (uint8_t)U(134, 4);
    p->raim = (uint8_t)U(148, 1);
    p->radio = U(149, 19);
}

static void dec_static(const uint8_t *bits, size_t nbits, struct df_static *p)
{
    p->ais_version = (uint8_t)U(38, 2);
    p->imo = U(40, 30);
    TEXT(70, 7, p->callsign);
    TEXT(112, 20, p->shipname);
    p->shiptype = (uint8_t)U(232, 8);
    p->to_bow = (uint16_t)U(240, 9);
    p->to_stern = (uint16_t)U(249, 9);
    p->to_port = (uint8_t)U(258, 6);
    p->to_starboard = (uint8_t)U(264, 6);
    p->epfd = (uint8_t)U(270, 4);
    p->month = (uint8_t)U(274, 4);
    p->day = (uint8_t)U(278, 5);
    p->hour = (uint8_t)U(283, 5);
    p->minute = (uint8_t)U(288, 6);
    p->draught = (uint8_t)U(294, 8);
    TEXT(302, 20, p->destination);
    p->dte = nbits >= 423 ? (uint8_t)U(422, 1) : 0;
}

static void dec_ack(const uint8_t *bits, size_t nbits, struct df_ack *p)
{
    unsigned i;

    memset(p, 0, sizeof *p);
    for (i = 0; i < 4 && 40 + 32 * i < nbits; i++) {
        p->mmsi[i] = U(40 + 32 * i, 30);
        p->seqno[i] = (uint8_t)U(70 + 32 * i, 2);
    }
    p->count = (uint8_t)i;
}

static void dec_sar(const uint8_t *bits, struct df_sar *p)
{
    p->alt = (uint16_t)U(38, 12);
    p->speed = (uint16_t)U(50, 10);
    p->accuracy = (uint8_t)U(60, 1);
    p->lon = S(61, 28);
    p->lat = S(89, 27);
    p->course = (uint16_t)U(116, 12);
    p->second = (uint8_t)U(128, 6);
    p->regional = (uint8_t)U(134, 8);
    p->dte = (uint8_t)U(142, 1);
    p->assigned = (uint8_t)U(146, 1);
    p->raim = (uint8_t)U(147, 1);
    p->radio = U(148, 20);
}

static void dec_inter(const uint8_t *bits, size_t nbits,
                      struct df_interrogation *p)
{
    memset(p, 0, sizeof *p);
    p->mmsi1 = U(40, 30);
    p->type1_1 = (uint8_t)U(70, 6);
    p->offset1_1 = (uint16_t)U(76, 12);
    /* Later fields are read when the payload reaches into them, with
     * missing bits as zeros (as gpsd does for short interrogations). */
    if (nbits > 88) {
        p->type1_2 = (uint8_t)U(90, 6);
        p->offset1_2 = (uint16_t)U(96, 12);
    }
    if (nbits > 110) {
        p->mmsi2 = U(110, 30);
        p->type2_1 = (uint8_t)U(140, 6);
        p->offset2_1 = (uint16_t)U(146, 12);
    }
}

static void dec_assign(const uint8_t *bits, size_t nbits, struct df_assign *p)
{
    memset(p, 0, sizeof *p);
    p->mmsi1 = U(40, 30);
    p->offset1 = (uint16_t)U(70, 12);
    p->increment1 = (uint16_t)U(82, 10);
    if (nbits >= 144) {
        p->mmsi2 = U(92, 30);
        p->offset2 = (uint16_t)U(122, 12);
        p->increment2 = (uint16_t)U(134, 10);
    }
}

static void dec_classb(const uint8_t *bits, size_t nbits, unsigned type,
                       struct df_classb *p)
{
    p->reserved = (uint8_t)U(38, 8);
    p->speed = (uint16_t)U(46, 10);
    p->accuracy = (uint8_t)U(56, 1);
    p->lon = S(57, 28);
    p->lat = S(85, 27);
    p->course = (uint16_t)U(112, 12);
    p->heading = (uint16_t)U(124, 9);
    p->second = (uint8_t)U(133, 6);
    if (type == 18) {
        p->regional = (uint8_t)U(139, 2);
        p->cs = (uint8_t)U(141, 1);
        p->display = (uint8_t)U(142, 1);
        p->dsc = (uint8_t)U(143, 1);
        p->band = (uint8_t)U(144, 1);
        p->msg22 = (uint8_t)U(145, 1);
        p->assigned = (uint8_t)U(146, 1);
        p->raim = (uint8_t)U(147, 1);
        p->radio = U(148, 20);
        p->shipname[0] = '\0';
        p->shiptype = 0;
        p->to_bow = p->to_stern = 0;
        p->to_port = p->to_starboard = 0;
        p->epfd = p->dte = 0;
    } else {
        p->regional = (uint8_t)U(139, 4);
        TEXT(143, 20, p->shipname);
        p->shiptype = (uint8_t)U(263, 8);
        p->to_bow = (uint16_t)U(271, 9);
        p->to_stern = (uint16_t)U(280, 9);
        p->to_port = (uint8_t)U(289, 6);
        p->to_starboard = (uint8_t)U(295, 6);
        p->epfd = (uint8_t)U(301, 4);
        p->raim = (uint8_t)U(305, 1);
        p->dte = (uint8_t)U(306, 1);
        p->assigned = (uint8_t)U(307, 1);
        p->cs = p->display = p->dsc = p->band = p->msg22 = 0;
        p->radio = 0;
    }
}

static void dec_slots(const uint8_t *bits, size_t nbits, struct df_slots *p)
{
    unsigned i;

    memset(p, 0, sizeof *p);
    for (i = 0; i < 4 && 40 + 30 * i < nbits; i++) {
        unsigned o = 40 + 30 * i;
        p->slot[i].offset = (uint16_t)U(o, 12);
        p->slot[i].number = (uint8_t)U(o + 12, 4);
        p->slot[i].timeout = (uint8_t)U(o + 16, 3);
        p->slot[i].increment = (uint16_t)U(o + 19, 11);
    }
}

static void dec_aton(const uint8_t *bits, size_t nbits, struct df_aton *p)
{
    unsigned n = 0, i;

    p->aid_type = (uint8_t)U(38, 5);
    p->accuracy = (uint8_t)U(163, 1);
    p->lon = S(164, 28);
    p->lat = S(192, 27);
    p->to_bow = (uint16_t)U(219, 9);
    p->to_stern = (uint16_t)U(228, 9);
    p->to_port = (uint8_t)U(237, 6);
    p->to_starboard = (uint8_t)U(243, 6);
    p->epfd = (uint8_t)U(249, 4);
    p->second = (uint8_t)U(253, 6);
    p->off_position = (uint8_t)U(259, 1);
    p->regional = (uint8_t)U(260, 8);
    p->raim = (uint8_t)U(268, 1);
    p->virtual_aid = (uint8_t)U(269, 1);
    p->assigned = (uint8_t)U(270, 1);
    /* The name is 20 characters, cut at the first '@'; when all 20 are
     * there, the extension after the spare bit follows (whole characters,
     * up to 14), and only then are trailing spaces trimmed, as gpsd does:
     * "PLATFORM L9         Y&" keeps its inner spaces. */
    for (i = 0; i < 20; i++) {
        char c = df__sixchr[U(43 + 6 * i, 6)];
        if (c == '@')
            break;
        p->name[n++] = c;
    }
    if (n == 20 && nbits >= 272 + 6) {
        unsigned count = (unsigned)(nbits - 272) / 6;
        if (count > 14)
            count = 14;
        for (i = 0; i < count; i++) {
            char c = df__sixchr[U(272 + 6 * i, 6)];
            if (c == '@')
                break;
            p->name[n++] = c;
        }
    }
    while (n > 0 && p->name[n - 1] == ' ')
        n--;
    p->name[n] = '\0';
}

static void dec_chan(const uint8_t *bits, struct df_chanmgmt *p)
{
    p->channel_a = (uint16_t)U(40, 12);
    p->channel_b = (uint16_t)U(52, 12);
    p->txrx = (uint8_t)U(64, 4);
    p->power = (uint8_t)U(68, 1);
    p->addressed = (uint8_t)U(139, 1);
    if (p->addressed) {
        p->dest1 = U(69, 30);
        p->dest2 = U(104, 30);
        p->ne_lon = p->ne_lat = p->sw_lon = p->sw_lat = 0;
    } else {
        p->ne_lon = S(69, 18);
        p->ne_lat = S(87, 17);
        p->sw_lon = S(104, 18);
        p->sw_lat = S(122, 17);
        p->dest1 = p->dest2 = 0;
    }
    p->band_a = (uint8_t)U(140, 1);
    p->band_b = (uint8_t)U(141, 1);
    p->zonesize = (uint8_t)U(142, 3);
}

static void dec_group(const uint8_t *bits, struct df_groupassign *p)
{
    p->ne_lon = S(40, 18);
    p->ne_lat = S(58, 17);
    p->sw_lon = S(75, 18);
    p->sw_lat = S(93, 17);
    p->stationtype = (uint8_t)U(110, 4);
    p->shiptype = (uint8_t)U(114, 8);
    p->txrx = (uint8_t)U(144, 2);
    p->interval = (uint8_t)U(146, 4);
    p->quiet = (uint8_t)U(150, 4);
}

/* Auxiliary craft (MMSI 98MIDxxxx) carry their mother ship's MMSI in
 * place of their dimensions (M.1371-5 Annex 8, message 24B). */
static int is_auxiliary(uint32_t mmsi)
{
    return mmsi / 10000000 == 98;
}

static int dec_s24(const uint8_t *bits, size_t nbits, uint32_t mmsi,
                   struct df_static24 *p, struct df_stats *st)
{
    memset(p, 0, sizeof *p);
    p->partno = (uint8_t)U(38, 2);
    if (p->partno == 0) {
        if (nbits < 160) {
            st->drop_short++;
            return 0;
        }
        TEXT(40, 20, p->shipname);
        return 1;
    }
    if (p->partno != 1) {
        st->drop_type24_part++;
        return 0;
    }
    if (nbits < 162) {
        st->drop_short++;
        return 0;
    }
    p->shiptype = (uint8_t)U(40, 8);
    TEXT(48, 7, p->vendorid);
    p->model = (uint8_t)U(66, 4);
    p->serial = U(70, 20);
    TEXT(90, 7, p->callsign);
    if (is_auxiliary(mmsi)) {
        p->mothership_mmsi = U(132, 30);
    } else {
        p->to_bow = (uint16_t)U(132, 9);
        p->to_stern = (uint16_t)U(141, 9);
        p->to_port = (uint8_t)U(150, 6);
        p->to_starboard = (uint8_t)U(156, 6);
    }
    return 1;
}

/* Types 25 and 26: the destination and application id are present or not
 * according to the addressed and structured flags. */
static void dec_binary_msg(const uint8_t *bits, size_t nbits, unsigned type,
                           struct df_binary *p)
{
    unsigned at = 40, end = (unsigned)nbits;

    p->addressed = (uint8_t)U(38, 1);
    p->structured = (uint8_t)U(39, 1);
    p->dest_mmsi = 0;
    p->app_id = 0;
    if (p->addressed) {
        p->dest_mmsi = U(40, 30);
        at = 70;
    }
    if (p->structured) {
        p->app_id = (uint16_t)U(at, 16);
        at += 16;
    }
    p->radio = 0;
    if (type == 26) {
        p->radio = U(end - 20, 20);
        end -= 20;
    }
    copy_data(bits, end, at, p);
}

/* Minimum lengths in bits under which a type cannot be decoded (gpsd's
 * lower bounds).  There is no upper bound below DF_MAX_DECODE_BITS: real
 * transmitters append junk bits, and the fields are all there. */
static const uint16_t min_bits[28] = {
    [1] = 163, [2] = 163, [3] = 163, [4] = 168, [5] = 420, [6] = 88,
    [7] = 72,  [8] = 56,  [9] = 168, [10] = 72, [11] = 168, [12] = 72,
    [13] = 72, [14] = 40, [15] = 88, [16] = 96, [17] = 80, [18] = 168,
    [19] = 312, [20] = 72, [21] = 272, [22] = 168, [23] = 160, [24] = 160,
    [25] = 40, [26] = 60, [27] = 96,
};

int df_ais_decode(const uint8_t *bits, size_t nbits, struct df_msg *out,
                  struct df_stats *st)
{
    unsigned type;

    if (nbits < 38) {
        st->drop_short++;
        return 0;
    }
    type = U(0, 6);
    if (type < 1 || type > 27) {
        st->drop_bad_type++;
        return 0;
    }
    if (nbits < min_bits[type]) {
        st->drop_short++;
        return 0;
    }
    if (nbits > DF_MAX_DECODE_BITS) {
        st->drop_long++;
        return 0;
    }
    out->type = (uint8_t)type;
    out->repeat = (uint8_t)U(6, 2);
    out->mmsi = U(8, 30);
    out->nbits = (uint16_t)nbits;

    switch (type) {
    case 1:
    case 2:
    case 3:
        dec_pos(bits, nbits, &out->u.pos);
        break;
    case 4:
    case 11:
        dec_base(bits, &out->u.base);
        break;
    case 5:
        dec_static(bits, nbits, &out->u.stat);
        break;
    case 6:
        out->u.bin.seqno = (uint8_t)U(38, 2);
        out->u.bin.dest_mmsi = U(40, 30);
        out->u.bin.retransmit = (uint8_t)U(70, 1);
        out->u.bin.dac = (uint16_t)U(72, 10);
        out->u.bin.fid = (uint8_t)U(82, 6);
        copy_data(bits, nbits, 88, &out->u.bin);
        break;
    case 7:
    case 13:
        dec_ack(bits, nbits, &out->u.ack);
        break;
    case 8:
        out->u.bin.dac = (uint16_t)U(40, 10);
        out->u.bin.fid = (uint8_t)U(50, 6);
        copy_data(bits, nbits, 56, &out->u.bin);
        break;
    case 9:
        dec_sar(bits, &out->u.sar);
        break;
    case 10:
        out->u.text.dest_mmsi = U(40, 30);
        out->u.text.seqno = 0;
        out->u.text.retransmit = 0;
        out->u.text.text[0] = '\0';
        break;
    case 12:
        out->u.text.seqno = (uint8_t)U(38, 2);
        out->u.text.dest_mmsi = U(40, 30);
        out->u.text.retransmit = (uint8_t)U(70, 1);
        TEXT(72, text_chars(nbits, 72), out->u.text.text);
        break;
    case 14:
        out->u.text.seqno = 0;
        out->u.text.dest_mmsi = 0;
        out->u.text.retransmit = 0;
        TEXT(40, text_chars(nbits, 40), out->u.text.text);
        break;
    case 15:
        dec_inter(bits, nbits, &out->u.inter);
        break;
    case 16:
        dec_assign(bits, nbits, &out->u.assign);
        break;
    case 17:
        out->u.bin.lon = S(40, 18);
        out->u.bin.lat = S(58, 17);
        copy_data(bits, nbits, 80, &out->u.bin);
        break;
    case 18:
    case 19:
        dec_classb(bits, nbits, type, &out->u.cb);
        break;
    case 20:
        dec_slots(bits, nbits, &out->u.slots);
        break;
    case 21:
        dec_aton(bits, nbits, &out->u.aton);
        break;
    case 22:
        dec_chan(bits, &out->u.chan);
        break;
    case 23:
        dec_group(bits, &out->u.group);
        break;
    case 24:
        return dec_s24(bits, nbits, out->mmsi, &out->u.s24, st);
    case 25:
    case 26:
        dec_binary_msg(bits, nbits, type, &out->u.bin);
        break;
    case 27:
        out->u.lr.accuracy = (uint8_t)U(38, 1);
        out->u.lr.raim = (uint8_t)U(39, 1);
        out->u.lr.status = (uint8_t)U(40, 4);
        out->u.lr.lon = S(44, 18);
        out->u.lr.lat = S(62, 17);
        out->u.lr.speed = (uint16_t)U(79, 6);
        out->u.lr.course = (uint16_t)U(85, 9);
        out->u.lr.gnss = (uint8_t)U(94, 1);
        break;
    }
    return 1;
}
