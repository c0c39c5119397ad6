/*
 * labels.c - labels for AIS code fields, written from ITU-R M.1371-5
 * Annex 8 (Table 53 ship and cargo types, Table 74 aid-to-navigation
 * types) and message 23's station types.  Never NULL.
 */
#include "darkfleet.h"
#include "labels.h"

static const char *const ship_3x[10] = {
    "Fishing", "Towing", "Towing: length exceeds 200m or breadth exceeds 25m",
    "Dredging or underwater ops", "Diving ops", "Military ops", "Sailing",
    "Pleasure Craft", "Reserved", "Reserved",
};

static const char *const ship_5x[10] = {
    "Pilot Vessel", "Search and Rescue vessel", "Tug", "Port Tender",
    "Anti-pollution equipment", "Law Enforcement", "Spare - Local Vessel",
    "Spare - Local Vessel", "Medical Transport",
    "Noncombatant ship according to RR Resolution No. 18",
};

/* Category labels in "<kind> - <category>" form for 20-29 and 40-99. */
static const char *const ship_combo[10][10] = {
#define ROW(k)                                                               \
    {k " - all ships of this type", k " - Hazardous category A",             \
     k " - Hazardous category B", k " - Hazardous category C",               \
     k " - Hazardous category D", k " - Reserved for future use",            \
     k " - Reserved for future use", k " - Reserved for future use",         \
     k " - Reserved for future use", k " - No additional information"}
    [2] = ROW("Wing in ground (WIG)"),
    [4] = ROW("High speed craft (HSC)"),
    [6] = ROW("Passenger"),
    [7] = ROW("Cargo"),
    [8] = ROW("Tanker"),
    [9] = ROW("Other Type"),
#undef ROW
};

const char *df__shiptype_label(unsigned t)
{
    if (t == 0)
        return "Not available";
    if (t < 20)
        return "Reserved for future use";
    if (t >= 100)
        return "Reserved for future use";
    if (t / 10 == 3)
        return ship_3x[t % 10];
    if (t / 10 == 5)
        return ship_5x[t % 10];
    return ship_combo[t / 10][t % 10];
}

const char *df_shiptype_text(unsigned shiptype)
{
    return df__shiptype_label(shiptype);
}

static const char *const aid_types[32] = {
    "Unspecified", "Reference point", "RACON", "Fixed offshore structure",
    "Spare, Reserved for future use.", "Light, without sectors",
    "Light, with sectors", "Leading Light Front", "Leading Light Rear",
    "Beacon, Cardinal N", "Beacon, Cardinal E", "Beacon, Cardinal S",
    "Beacon, Cardinal W", "Beacon, Port hand", "Beacon, Starboard hand",
    "Beacon, Preferred Channel port hand",
    "Beacon, Preferred Channel starboard hand", "Beacon, Isolated danger",
    "Beacon, Safe water", "Beacon, Special mark", "Cardinal Mark N",
    "Cardinal Mark E", "Cardinal Mark S", "Cardinal Mark W",
    "Port hand Mark", "Starboard hand Mark", "Preferred Channel Port hand",
    "Preferred Channel Starboard hand", "Isolated danger", "Safe Water",
    "Special Mark", "Light Vessel / LANBY / Rigs",
};

const char *df__aid_type_label(unsigned t)
{
    return t < 32 ? aid_types[t] : "INVALID NAVAID TYPE";
}

static const char *const station_types[16] = {
    "All types of mobiles", "Reserved for future use",
    "All types of Class B mobile stations", "SAR airborne mobile station",
    "Aid to Navigation station", "Class B shipborne mobile station",
    "Regional use and inland waterways", "Regional use and inland waterways",
    "Regional use and inland waterways", "Regional use and inland waterways",
    "Reserved for future use", "Reserved for future use",
    "Reserved for future use", "Reserved for future use",
    "Reserved for future use", "Reserved for future use",
};

const char *df__stationtype_label(unsigned t)
{
    return t < 16 ? station_types[t] : "INVALID STATION TYPE";
}
