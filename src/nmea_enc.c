/*
 * nmea_enc.c - the inverse of nmea.c and ais.c for the message types the
 * simulator sends: packs a struct df_msg into an ITU-R M.1371-5 bit string
 * (types 1-3, 5, 18, 19, 24 parts A and B, 27), armors it as six-bit
 * characters (IEC 61162-1 section 8.2.4) and writes it as !AIVDM sentences
 * of at most 60 payload characters each, with an NMEA 4.10 tag block
 * "\c:<unix seconds>*hh\" in front of every fragment when the receive time
 * is known.
 *
 * The field layouts mirror the decoder in ais.c bit for bit, so that
 * df_msg_nmea() followed by df_nmea_line() gives back the same fields.
 */
#include "darkfleet.h"

#include <string.h>

#define MAX_BITS 1008
#define FRAG_CHARS 60          /* payload characters per sentence */

/* A bit string being written, MSB first. */
struct pack {
    uint8_t b[MAX_BITS / 8 + 8];
    unsigned n;                /* bits written */
};

/* Appends the low width bits of v (width 1-32): ORs them into the
 * big-endian 64-bit window that starts at the current byte. */
static void put(struct pack *p, uint32_t v, unsigned width)
{
    unsigned at = p->n >> 3, i;
    uint64_t x;

    if (p->n + width > MAX_BITS)
        return;
    if (width < 32)
        v &= (1u << width) - 1;
    x = (uint64_t)v << (64 - width - (p->n & 7));
    for (i = 0; i < 8 && x; i++, x <<= 8)
        p->b[at + i] |= (uint8_t)(x >> 56);
    p->n += width;
}

/* Appends a two's complement value of width bits. */
static void put_s(struct pack *p, int32_t v, unsigned width)
{
    put(p, (uint32_t)v & (width < 32 ? (1u << width) - 1 : 0xffffffffu),
        width);
}

/* The six-bit code of a character: '@'-'_' are 0-31, ' '-'?' are 32-63;
 * lower case is taken as upper case, anything else becomes '?'. */
static unsigned sixbit(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    if (c >= '@' && c <= '_')
        return (unsigned)(c - '@');
    if (c >= ' ' && c <= '?')
        return (unsigned)c;
    return '?';
}

/* Appends count six-bit characters of s, padded with '@'. */
static void put_text(struct pack *p, const char *s, unsigned count)
{
    unsigned i;
    int ended = 0;

    for (i = 0; i < count; i++) {
        if (!ended && s[i] == '\0')
            ended = 1;
        put(p, ended ? 0 : sixbit(s[i]), 6);
    }
}

static void pack_pos(struct pack *p, const struct df_pos *q)
{
    put(p, q->status, 4);
    put_s(p, q->turn, 8);
    put(p, q->speed, 10);
    put(p, q->accuracy, 1);
    put_s(p, q->lon, 28);
    put_s(p, q->lat, 27);
    put(p, q->course, 12);
    put(p, q->heading, 9);
    put(p, q->second, 6);
    put(p, q->maneuver, 2);
    put(p, 0, 3);              /* spare */
    put(p, q->raim, 1);
    put(p, q->radio, 19);
}

static void pack_static(struct pack *p, const struct df_static *q)
{
    put(p, q->ais_version, 2);
    put(p, q->imo, 30);
    put_text(p, q->callsign, 7);
    put_text(p, q->shipname, 20);
    put(p, q->shiptype, 8);
    put(p, q->to_bow, 9);
    put(p, q->to_stern, 9);
    put(p, q->to_port, 6);
    put(p, q->to_starboard, 6);
    put(p, q->epfd, 4);
    put(p, q->month, 4);
    put(p, q->day, 5);
    put(p, q->hour, 5);
    put(p, q->minute, 6);
    put(p, q->draught, 8);
    put_text(p, q->destination, 20);
    put(p, q->dte, 1);
    put(p, 0, 1);              /* spare: 424 bits in all */
}

static void pack_classb(struct pack *p, unsigned type,
                        const struct df_classb *q)
{
    put(p, q->reserved, 8);
    put(p, q->speed, 10);
    put(p, q->accuracy, 1);
    put_s(p, q->lon, 28);
    put_s(p, q->lat, 27);
    put(p, q->course, 12);
    put(p, q->heading, 9);
    put(p, q->second, 6);
    if (type == 18) {
        put(p, q->regional, 2);
        put(p, q->cs, 1);
        put(p, q->display, 1);
        put(p, q->dsc, 1);
        put(p, q->band, 1);
        put(p, q->msg22, 1);
        put(p, q->assigned, 1);
        put(p, q->raim, 1);
        put(p, q->radio, 20);  /* 168 bits */
    } else {
        put(p, q->regional, 4);
        put_text(p, q->shipname, 20);
        put(p, q->shiptype, 8);
        put(p, q->to_bow, 9);
        put(p, q->to_stern, 9);
        put(p, q->to_port, 6);
        put(p, q->to_starboard, 6);
        put(p, q->epfd, 4);
        put(p, q->raim, 1);
        put(p, q->dte, 1);
        put(p, q->assigned, 1);
        put(p, 0, 4);          /* spare: 312 bits */
    }
}

/* Type 24.  Part B carries a three-character vendor id followed by the
 * unit model and serial number (M.1371-5); the decoder reads those 42 bits
 * back as seven characters, so a vendor id longer than three characters is
 * written whole in their place. */
static void pack_s24(struct pack *p, uint32_t mmsi,
                     const struct df_static24 *q)
{
    put(p, q->partno, 2);
    if (q->partno == 0) {
        put_text(p, q->shipname, 20);   /* 160 bits */
        return;
    }
    put(p, q->shiptype, 8);
    if (strlen(q->vendorid) > 3) {
        put_text(p, q->vendorid, 7);
    } else {
        put_text(p, q->vendorid, 3);
        put(p, q->model, 4);
        put(p, q->serial, 20);
    }
    put_text(p, q->callsign, 7);
    if (mmsi / 10000000 == 98) {
        put(p, q->mothership_mmsi, 30);
    } else {
        put(p, q->to_bow, 9);
        put(p, q->to_stern, 9);
        put(p, q->to_port, 6);
        put(p, q->to_starboard, 6);
    }
    put(p, 0, 6);              /* spare: 168 bits */
}

static void pack_longrange(struct pack *p, const struct df_longrange *q)
{
    put(p, q->accuracy, 1);
    put(p, q->raim, 1);
    put(p, q->status, 4);
    put_s(p, q->lon, 18);
    put_s(p, q->lat, 17);
    put(p, q->speed, 6);
    put(p, q->course, 9);
    put(p, q->gnss, 1);
    put(p, 0, 1);              /* spare: 96 bits */
}

/* Packs m; returns 0, or -1 for a type this file does not write. */
static int pack_msg(struct pack *p, const struct df_msg *m)
{
    memset(p, 0, sizeof *p);
    put(p, m->type, 6);
    put(p, m->repeat, 2);
    put(p, m->mmsi, 30);
    switch (m->type) {
    case 1:
    case 2:
    case 3:
        pack_pos(p, &m->u.pos);
        return 0;
    case 5:
        pack_static(p, &m->u.stat);
        return 0;
    case 18:
    case 19:
        pack_classb(p, m->type, &m->u.cb);
        return 0;
    case 24:
        pack_s24(p, m->mmsi, &m->u.s24);
        return 0;
    case 27:
        pack_longrange(p, &m->u.lr);
        return 0;
    default:
        return -1;
    }
}

static unsigned nmea_xor(const char *s, size_t n)
{
    unsigned x = 0;

    while (n-- > 0)
        x ^= (unsigned char)*s++;
    return x;
}

static const char hexdig[] = "0123456789ABCDEF";

/* Writes v in decimal at p; returns the length. */
static size_t utoa(uint64_t v, char *p)
{
    char tmp[24];
    size_t n = 0, i;

    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    for (i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

/*
 * Writes the sentences of m into b, one per line ("\n").  A message of a
 * type not listed above writes nothing.  seqid (taken modulo 10) is the
 * sequential message id of a multipart message; single-sentence messages
 * leave the field empty.
 */
void df_msg_nmea(struct df_buf *b, const struct df_msg *m, unsigned seqid)
{
    struct pack p;
    char arm[MAX_BITS / 6 + 2], line[160], tag[40];
    unsigned nchars, fill, nfrag, k, i, x;
    size_t taglen = 0, n;
    char ch = m->channel ? m->channel : 'A';

    if (pack_msg(&p, m) != 0)
        return;
    nchars = (p.n + 5) / 6;
    fill = nchars * 6 - p.n;
    for (i = 0; i < nchars; i++) {
        unsigned v = (unsigned)(p.b[i * 6 / 8] << 8 | p.b[i * 6 / 8 + 1]);
        v = v >> (10 - (i * 6 % 8)) & 63;
        arm[i] = (char)(v < 40 ? v + 48 : v + 56);
    }
    if (m->rx_ms != DF_TIME_NONE && m->rx_ms >= 0) {
        tag[0] = '\\';
        tag[1] = 'c';
        tag[2] = ':';
        n = 3 + utoa((uint64_t)(m->rx_ms / 1000), tag + 3);
        x = nmea_xor(tag + 1, n - 1);
        tag[n++] = '*';
        tag[n++] = hexdig[x >> 4];
        tag[n++] = hexdig[x & 15];
        tag[n++] = '\\';
        taglen = n;
    }
    nfrag = (nchars + FRAG_CHARS - 1) / FRAG_CHARS;
    if (nfrag == 0)
        nfrag = 1;
    for (k = 0; k < nfrag; k++) {
        unsigned from = k * FRAG_CHARS;
        unsigned len = nchars - from < FRAG_CHARS ? nchars - from
                                                  : FRAG_CHARS;

        memcpy(line, "!AIVDM,", 7);
        n = 7;
        line[n++] = (char)('0' + nfrag);
        line[n++] = ',';
        line[n++] = (char)('0' + k + 1);
        line[n++] = ',';
        if (nfrag > 1)
            line[n++] = (char)('0' + seqid % 10);
        line[n++] = ',';
        line[n++] = ch;
        line[n++] = ',';
        memcpy(line + n, arm + from, len);
        n += len;
        line[n++] = ',';
        line[n++] = (char)('0' + (k + 1 == nfrag ? fill : 0));
        x = nmea_xor(line + 1, n - 1);
        line[n++] = '*';
        line[n++] = hexdig[x >> 4];
        line[n++] = hexdig[x & 15];
        line[n++] = '\n';
        if (df_buf_reserve(b, taglen + n) != 0)
            return;
        memcpy(b->data + b->len, tag, taglen);
        memcpy(b->data + b->len + taglen, line, n);
        b->len += taglen + n;
        b->data[b->len] = '\0';
    }
}
