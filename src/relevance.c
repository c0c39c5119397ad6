/*
 * relevance.c - the relevance of events by vessel kind (see relevance.h).
 *
 * Sanctions evasion at sea is cargo moving between cargo-carrying ships:
 * crude, products and coal pumped or craned across at sea (the DPRK
 * advisories of 2018 and 2020; UN Panel of Experts reports), often with
 * one ship dark or hiding its identity.  Tugs beside their tows, supply
 * boats at rigs, pilots, launches, dredges, fishing fleets and yachts meet
 * all day for other reasons.  The detectors keep the published rules
 * (METHODS.md); this table says how much each event matters, from the AIS
 * ship type (ITU-R M.1371-5 table 53), the length (A + B, or the table's
 * Length), the transceiver class and the IMO number.
 *
 * Pairs (symmetric), by class:
 *   tanker + tanker                          1.0
 *   tanker + cargo                           0.9
 *   cargo + cargo                            0.7
 *   tanker or cargo + unknown type           0.6  (hides its type)
 *   tanker or cargo + fishing                0.5  (transshipment, bunkers)
 *   tanker or cargo + towing (31, 32)        0.5  (tug-barge tankers
 *                                                  broadcast towing, and
 *                                                  they lighter)
 *   unknown + unknown                        0.4
 *   tanker or cargo + offshore/other (90s)   0.3
 *   unknown + fishing, fishing + fishing     0.2
 *   tanker or cargo + passenger, launch      0.15
 *   unknown + any other                      0.15
 *   tanker or cargo + service, harbour tug   0.1
 *   tanker or cargo + pleasure               0.05
 *   any other pair (tugs, supply boats,
 *   passenger ships, service and pleasure)   0.05
 * then: both 100 m or longer at least 0.5; either under 24 m x0.3; one
 * Class B x0.5, both x0.3.
 *
 * An encounter near an anchorage (at_anchorage) weighs from the
 * anchorage's weight at it to the open sea's at encounter_min_anchorage_km
 * out, linearly (df__anchorage_share).
 *
 * One vessel (every other event about it), by class: tanker, cargo 1;
 * unknown type 0.6 (0.9 when 100 m or longer); fishing 0.4; towing and
 * passenger 0.3; offshore/other 0.2; service and harbour tugs 0.1;
 * pleasure and WIG 0.05; then under 24 m x0.5, Class B x0.5.
 */
#include "relevance.h"

#include <math.h>

#define SMALL_M 24             /* under this, a small craft */
#define LARGE_M 100            /* at or over this, a large ship */

enum df__vclass df__vclass_of(unsigned t)
{
    if (t >= 80 && t <= 89)
        return DF__VC_TANKER;
    if (t >= 70 && t <= 79)
        return DF__VC_CARGO;
    if (t == 30)
        return DF__VC_FISHING;
    if (t == 31 || t == 32)
        return DF__VC_TOWING;
    if ((t >= 60 && t <= 69) || (t >= 40 && t <= 49))
        return DF__VC_PASSENGER;
    if (t >= 90 && t <= 99)
        return DF__VC_OFFSHORE;
    if (t == 52)
        return DF__VC_HARBOUR_TUG;
    if ((t >= 33 && t <= 35) || (t >= 50 && t <= 59))
        return DF__VC_SERVICE;
    if (t == 36 || t == 37)
        return DF__VC_PLEASURE;
    if (t >= 20 && t <= 29)
        return DF__VC_WIG;
    return DF__VC_UNKNOWN;
}

const char *df__vclass_name(enum df__vclass c)
{
    static const char *const names[] = {
        "unknown", "tanker", "cargo", "fishing", "towing", "passenger",
        "offshore", "service", "tug", "pleasure", "wig",
    };

    return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c]
                                                          : "unknown";
}

static int carrier(enum df__vclass c)
{
    return c == DF__VC_TANKER || c == DF__VC_CARGO;
}

double df__kind_weight(const struct df__vkind *k)
{
    enum df__vclass c = df__vclass_of(k->shiptype);
    double w;

    switch (c) {
    case DF__VC_TANKER:
    case DF__VC_CARGO:
        w = 1.0;
        break;
    case DF__VC_UNKNOWN:
        w = k->length_m >= LARGE_M ? 0.9 : 0.6;
        break;
    case DF__VC_FISHING:
        w = 0.4;
        break;
    case DF__VC_TOWING:
    case DF__VC_PASSENGER:
        w = 0.3;
        break;
    case DF__VC_OFFSHORE:
        w = 0.2;
        break;
    case DF__VC_SERVICE:
    case DF__VC_HARBOUR_TUG:
        w = 0.1;
        break;
    default:
        w = 0.05;
        break;
    }
    if (k->length_m > 0 && k->length_m < SMALL_M)
        w *= 0.5;
    if (k->cls == 'B')
        w *= 0.5;
    return w;
}

static double say(const char **why, const char *phrase, double r)
{
    *why = phrase;
    return r;
}

/* The pair's class relevance, and its phrase. */
static double classes(enum df__vclass a, enum df__vclass b,
                      const char **why)
{
    enum df__vclass t;

    if (carrier(b) && !carrier(a)) {
        t = a;
        a = b;
        b = t;
    }
    if (a == DF__VC_TANKER && b == DF__VC_TANKER)
        return say(why, "two tankers", 1.0);
    if (carrier(a) && carrier(b))
        return a == b ? say(why, "two cargo ships", 0.7)
                      : say(why, "a tanker and a cargo ship", 0.9);
    if (carrier(a)) {
        switch (b) {
        case DF__VC_UNKNOWN:
            return say(why, "a cargo carrier and a ship that gives no type",
                       0.6);
        case DF__VC_FISHING:
            return say(why, "a cargo carrier and a fishing vessel", 0.5);
        case DF__VC_TOWING:
            return say(why, "a cargo carrier and a tug or tug-barge", 0.5);
        case DF__VC_OFFSHORE:
            return say(why,
                       "a cargo carrier and an offshore or other vessel", 0.3);
        case DF__VC_PASSENGER:
            return say(why,
                       "a cargo carrier and a passenger vessel or launch",
                       0.15);
        case DF__VC_SERVICE:
        case DF__VC_HARBOUR_TUG:
            return say(why, "a cargo carrier and a harbour or service craft",
                       0.1);
        default:
            return say(why, "a cargo carrier and a pleasure craft", 0.05);
        }
    }
    if (a == DF__VC_UNKNOWN && b == DF__VC_UNKNOWN)
        return say(why, "two ships that give no type", 0.4);
    if ((a == DF__VC_UNKNOWN && b == DF__VC_FISHING) ||
        (b == DF__VC_UNKNOWN && a == DF__VC_FISHING) ||
        (a == DF__VC_FISHING && b == DF__VC_FISHING))
        return say(why, "fishing vessels", 0.2);
    if (a == DF__VC_UNKNOWN || b == DF__VC_UNKNOWN)
        return say(why, "a ship that gives no type and a service, passenger "
                      "or leisure craft", 0.15);
    return say(why, "service, offshore, passenger or leisure craft", 0.05);
}

double df__pair_relevance(const struct df__vkind *a,
                          const struct df__vkind *b, const char **why)
{
    double r = classes(df__vclass_of(a->shiptype), df__vclass_of(b->shiptype),
                       why);

    if (a->length_m >= LARGE_M && b->length_m >= LARGE_M && r < 0.5)
        r = 0.5;
    if ((a->length_m > 0 && a->length_m < SMALL_M) ||
        (b->length_m > 0 && b->length_m < SMALL_M))
        r *= 0.3;
    if (a->cls == 'B' && b->cls == 'B')
        r *= 0.3;
    else if (a->cls == 'B' || b->cls == 'B')
        r *= 0.5;
    return r;
}

double df__anchorage_share(double km, double lim)
{
    if (!(lim > 0) || !(km > 0))
        return 0;
    return km >= lim ? 1 : km / lim;
}

void df__kind_json(struct df_buf *b, const struct df__vkind *k,
                   double relevance)
{
    df_buf_printf(b, ",\"vessel_class\":\"%s\",\"shiptype\":%u",
                  df__vclass_name(df__vclass_of(k->shiptype)),
                  (unsigned)k->shiptype);
    if (k->length_m > 0)
        df_buf_printf(b, ",\"length_m\":%u", (unsigned)k->length_m);
    else
        df_buf_puts(b, ",\"length_m\":null");
    df_buf_printf(b, ",\"class_b\":%s,\"relevance\":%.3g",
                  k->cls == 'B' ? "true" : "false", relevance);
}
