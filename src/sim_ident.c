/*
 * sim_ident.c - made-up identities for the simulator's vessels (sim.c,
 * sim_scenarios.c): a flag (MID) weighted like the traffic of the Yellow
 * Sea and the East China Sea, an IMO number with a valid check digit,
 * a name in the flag's style, a call sign in the series ITU allocates to
 * the flag (ITU RR Appendix 42), and a ship type with dimensions and a
 * draught that fit it.
 *
 * Every value is drawn from the caller's splitmix64 stream; the number
 * and order of the draws is part of the simulator's output.
 */
#include "mid.h"

#include <stdio.h>
#include <string.h>

#include "sim_int.h"

/* Background flags, weighted: China, Korea, Hong Kong, and the open
 * registries (Liberia, Marshall Is., Panama, Sierra Leone, Singapore,
 * Japan). */
static const uint16_t bg_mids[] = {412, 412, 413, 413, 412, 413, 440, 440,
                                   440, 441, 477, 477, 636, 636, 538, 538,
                                   351, 351, 667, 431, 563};
static const uint16_t foc_mids[] = {667, 511, 636, 538, 351, 674, 457};

unsigned df__sim_mid_for(uint64_t *r, enum flagk f)
{
    switch (f) {
    case FL_CN:
        return pick(r, 2) ? 412 : 413;
    case FL_KR:
        return 440;
    case FL_KP:
        return 445;
    case FL_FOC:
        return foc_mids[pick(r, sizeof foc_mids / sizeof foc_mids[0])];
    default:
        return bg_mids[pick(r, sizeof bg_mids / sizeof bg_mids[0])];
    }
}

uint32_t df__sim_make_imo(uint64_t *r, int old)
{
    unsigned six = old ? 800000 + pick(r, 100000) : 910000 + pick(r, 85000);

    return six * 10 + df__imo_check_digit(six);
}

static const char *const w_cn1[] = {"XIN", "HUA", "HAI", "ZHONG", "JIN",
                                    "YUAN", "AN", "FU", "HONG", "CHANG"};
static const char *const w_cn2[] = {"HAI", "YANG", "SHUN", "DA", "TAI",
                                    "XING", "LONG", "FENG", "YUN", "HANG"};
static const char *const w_en1[] = {"OCEAN", "GOLDEN", "PACIFIC", "GRAND",
                                    "BLUE", "NEW", "SILVER", "ORIENT",
                                    "EASTERN", "ROYAL", "SEA", "BRIGHT"};
static const char *const w_en2[] = {"DRAGON", "PEARL", "GLORY", "HARMONY",
                                    "FORTUNE", "VENUS", "LUCKY", "PHOENIX",
                                    "STAR", "PIONEER", "SPIRIT", "JADE"};
static const char *const w_kr[] = {"HANJIN", "PAN", "SUNNY", "DONGBANG",
                                   "HYUNDAI", "SINOKOR", "HEUNG A", "KMTC"};
static const char *const w_kp[] = {"CHOL", "SONG", "MYONG", "RYONG", "KUM",
                                   "BONG", "HWA", "PAEK", "RA", "JONG"};

#define W(a) a[pick(r, sizeof a / sizeof a[0])]

void df__sim_make_name(uint64_t *r, unsigned mid, unsigned shiptype,
                       char *out)
{
    unsigned num = 1 + pick(r, 29);

    if (shiptype == 30) {
        snprintf(out, 21, "%s%s YU %05u", W(w_cn1), W(w_cn2),
                 10000 + pick(r, 89999));
        /* "LU RONG YU 12345": fishing boat names carry a number. */
        return;
    }
    if (mid == 445)
        snprintf(out, 21, "%s %s %u", W(w_kp), W(w_kp), num);
    else if (mid == 412 || mid == 413 || mid == 477)
        snprintf(out, 21, "%s %s %u", W(w_cn1), W(w_cn2), num);
    else if (mid == 440 || mid == 441)
        snprintf(out, 21, "%s %s", W(w_kr), W(w_en2));
    else if (pick(r, 3) == 0)
        snprintf(out, 21, "%s %s %u", W(w_en1), W(w_en2), num);
    else
        snprintf(out, 21, "%s %s", W(w_en1), W(w_en2));
}

static char alnum(uint64_t *r)
{
    static const char set[] = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    return set[pick(r, sizeof set - 1)];
}

/* A call sign in the series ITU allocates to the flag. */
void df__sim_make_callsign(uint64_t *r, unsigned mid, char *out)
{
    const char *pre;
    int extra = 3, i, n;

    switch (mid) {
    case 412: case 413: pre = "B"; extra = 4; break;
    case 440: case 441: pre = "D7"; break;
    case 445: pre = "HM"; extra = 4; break;
    case 477: pre = "VR"; break;
    case 636: pre = "A8"; break;
    case 538: pre = "V7"; break;
    case 351: pre = "3E"; break;
    case 667: pre = "9L"; break;
    case 511: pre = "T8"; break;
    case 674: pre = "5IM"; break;
    case 457: pre = "JV"; break;
    case 431: pre = "7J"; break;
    case 563: pre = "9V"; break;
    default: pre = "XX"; break;
    }
    n = snprintf(out, 8, "%s", pre);
    for (i = 0; i < extra && n < 7; i++)
        out[n++] = alnum(r);
    out[n] = '\0';
}

/* kind: 'T' tanker, 'C' cargo, 'F' fishing, 'P' pleasure craft. */
void df__sim_make_ident(uint64_t *r, unsigned mid, char kind,
                        struct ident *id)
{
    double len, beam;

    memset(id, 0, sizeof *id);
    switch (kind) {
    case 'T':
        id->shiptype = (uint8_t)(80 + pick(r, 5));
        len = uni(r, 110, 250);
        break;
    case 'F':
        id->shiptype = 30;
        len = uni(r, 25, 60);
        break;
    case 'P':
        id->shiptype = 37;
        len = uni(r, 10, 25);
        break;
    default:
        id->shiptype = (uint8_t)(70 + pick(r, 10));
        len = uni(r, 90, 230);
        break;
    }
    beam = len / uni(r, 5.5, 7.0);
    id->bow = (uint16_t)lround(len * 0.85);
    id->stern = (uint16_t)(lround(len) - id->bow);
    id->port = (uint8_t)lround(beam / 2);
    id->stbd = (uint8_t)(lround(beam) - id->port);
    id->draught = (uint8_t)lround(len < 60 ? uni(r, 2.5, 5) * 10
                                           : uni(r, 6, 13.5) * 10);
    if (kind == 'T' || kind == 'C')
        id->imo = df__sim_make_imo(r, mid == 445);
    df__sim_make_name(r, mid, id->shiptype, id->name);
    df__sim_make_callsign(r, mid, id->callsign);
}
