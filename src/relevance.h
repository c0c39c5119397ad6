/*
 * relevance.h - how much an event matters for sanctions work, from what
 * the vessels say about themselves (AIS ship type, length, transceiver
 * class, IMO number).  The detectors report every event their published
 * rule finds; relevance (0-1) goes into each event's evidence and score,
 * and risk weighs the event's points by it.  The table is in
 * relevance.c and docs/internals/relevance.md.
 */
#ifndef DF_RELEVANCE_H
#define DF_RELEVANCE_H

#include <stddef.h>
#include <stdint.h>

#include "darkfleet.h"

/* What a vessel says of its kind; zero-initialised is "nothing known". */
struct df__vkind {
    uint8_t shiptype;           /* AIS ship type (ITU-R M.1371 table 53) */
    char cls;                   /* transceiver class 'A', 'B', or 0 */
    uint16_t length_m;          /* overall length, 0 if unknown */
    uint32_t imo;               /* 0 if none */
};

/* Vessel classes by AIS ship type. */
enum df__vclass {
    DF__VC_UNKNOWN,             /* 0, reserved values: type not given */
    DF__VC_TANKER,              /* 80-89 */
    DF__VC_CARGO,               /* 70-79 */
    DF__VC_FISHING,             /* 30 */
    DF__VC_TOWING,              /* 31, 32: towing, pushing, tug-barges */
    DF__VC_PASSENGER,           /* 60-69, high-speed craft 40-49 */
    DF__VC_OFFSHORE,            /* 90-99: other types, mostly offshore
                                 * supply and rigs in practice */
    DF__VC_SERVICE,             /* 33-35, 50-59 but 52: dredging, diving,
                                 * military, pilot, SAR, port tender,
                                 * anti-pollution, law, medical */
    DF__VC_HARBOUR_TUG,         /* 52 */
    DF__VC_PLEASURE,            /* 36 sailing, 37 pleasure */
    DF__VC_WIG                  /* 20-29: wing in ground */
};

enum df__vclass df__vclass_of(unsigned shiptype);
/* "tanker", "cargo", "fishing", "towing", "passenger", "offshore",
 * "service", "tug", "pleasure", "wig" or "unknown". */
const char *df__vclass_name(enum df__vclass c);

/* The weight (0-1) of an event about one vessel of this kind: 1 for a
 * tanker or cargo ship, less for fishing, passenger and offshore craft,
 * little for harbour, service and pleasure craft; small craft (under
 * 24 m, or Class B) count for less. */
double df__kind_weight(const struct df__vkind *k);

/*
 * The relevance (0-1) of an encounter between a and b as a possible
 * ship-to-ship transfer: two tankers 1, a tanker and a cargo ship 0.9,
 * a cargo carrier with a ship that hides its type 0.6, ... down to 0.02
 * for pleasure craft (relevance.c has the table).  *why gets a short
 * static phrase ("two tankers").
 */
double df__pair_relevance(const struct df__vkind *a,
                          const struct df__vkind *b, const char **why);

/*
 * How far an encounter marked at an anchorage is from being one, 0-1:
 * km (its distance from the anchorage) over lim
 * (encounter_min_anchorage_km), 0 at the anchorage or when lim is not
 * positive, 1 at lim and beyond.  Its weight goes from the anchorage's
 * to the open sea's linearly with this share.
 */
double df__anchorage_share(double km, double lim);

/*
 * Appends to an evidence object being written in b (before its closing
 * brace) what relevance was judged from: ,"vessel_class":"tug",
 * "shiptype":52,"length_m":null,"class_b":false,"relevance":0.1.
 */
void df__kind_json(struct df_buf *b, const struct df__vkind *k,
                   double relevance);

#endif
