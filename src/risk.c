/*
 * risk.c - the risk policy: what each event or fact is worth to a vessel,
 * a plain sentence an analyst reads to know why (METHODS.md rows 1-14),
 * and how a vessel's reasons combine into its score.  Weights are the
 * risk_* options of struct df_config (DF_CONFIG_MAP).
 *
 * Reasons (points are the config option named, times the event's
 * relevance from its evidence, relevance.h, when it gives one):
 *   encounter         risk_encounter to both vessels at open sea,
 *                     risk_encounter_anchorage when the evidence says
 *                     "at_anchorage": true, rising to risk_encounter at
 *                     min_anchorage_km from it; times the pair's relevance
 *                     (a quarter for a clump), the sentence ending with
 *                     its reason in brackets
 *   loitering, gap, draught_change, spoofing, mmsi_collision,
 *   identity_change, invalid_identity, zone_entry
 *                     risk_<type> to the subject (vessels[0]), times the
 *                     vessel's kind weight where the detector gave one;
 *                     a spoofing episode of one stray position counts
 *                     STRAY_SHARE of it
 *   port_call         risk_dprk_port_call at a North Korean port (the
 *                     evidence's country is KP, or the port is one of the
 *                     DPRK ports of METHODS.md section 2 by name), else
 *                     risk_port_call
 *   watchlist_match   risk_watchlist_imo for an IMO or MMSI match;
 *                     risk_watchlist_name times the match score for a
 *                     name or call sign match (row 13), halved unless the
 *                     vessel fits the listing in type and size
 *   flag              risk_dprk_flag for MID 445 (row 11);
 *                     risk_flag_of_concern times the kind weight for a
 *                     registry with a record of false flags
 *   identity          risk_no_imo for a tanker or cargo ship of 50 m or
 *                     more that gives no IMO number
 *   met_listed        risk_met_listed per encounter with a vessel listed
 *                     by IMO or MMSI, listed by a name that fits, or
 *                     flagged to DPRK (row 14), times the encounter's
 *                     relevance (and the name match's score)
 * Points are rounded to 1/100.  Sentences name the partner, place, length
 * and UTC date and time, so that two events never share one; the store
 * keeps each reason once.
 *
 * The score (df_risk_combine): within a kind (the reason's event_type),
 * reasons count from the strongest down, each at risk_decay times the
 * weight of the one before, capped at 100; kinds combine as independent
 * chances, 100 (1 - prod(1 - S/100)).  Thirty routine encounters are worth
 * less than twice the best of them, and never outweigh a listed IMO.
 */
#include "util/alloc.h"
#include "util/grow.h"
#include "util/hmap.h"
#include "util/ser.h"
#include "util/timeutil.h"

#include "darkfleet.h"
#include "event.h"
#include "relevance.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DPRK_MID 445
#define STRAY_SHARE 0.3        /* a spoofing episode of one position */

/* ---- small helpers ---------------------------------------------------- */

/* "2025-03-01 05:30 UTC", or "unknown time". */
static void when(int64_t ms, char out[32])
{
    struct df__tm tm;

    if (ms == DF_TIME_NONE) {
        snprintf(out, 32, "unknown time");
        return;
    }
    df__civil(ms, &tm);
    snprintf(out, 32, "%04d-%02d-%02d %02d:%02d UTC", tm.year % 10000,
             tm.month % 100, tm.day % 100, tm.hour % 100, tm.minute % 100);
}

static double hours(const struct df_event *ev)
{
    if (ev->start_ms == DF_TIME_NONE || ev->end_ms == DF_TIME_NONE ||
        ev->end_ms < ev->start_ms)
        return 0;
    return (double)(ev->end_ms - ev->start_ms) / 3600000.0;
}

static double round2(double x)
{
    return round(x * 100.0) / 100.0;
}

/* The flag of an MMSI's MID as " (KP)", or "" when unknown. */
static void flag_of(uint32_t mmsi, char out[8])
{
    const char *cc = df_mid_country(df_mmsi_mid(mmsi));

    if (cc && strlen(cc) == 2)
        snprintf(out, 8, " (%s)", cc);
    else
        out[0] = '\0';
}

/* Fills a reason; the text is cut to fit. */
static void reason(struct df_reason *r, double points, const char *type,
                   int64_t event_id, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
static void reason(struct df_reason *r, double points, const char *type,
                   int64_t event_id, const char *fmt, ...)
{
    va_list ap;

    memset(r, 0, sizeof *r);
    r->points = round2(points);
    snprintf(r->event_type, sizeof r->event_type, "%s", type);
    r->event_id = event_id;
    va_start(ap, fmt);
    vsnprintf(r->text, sizeof r->text, fmt, ap);
    va_end(ap);
}

/* Evidence fields (the evidence is JSON the detectors wrote; anything
 * missing or of another type reads as the default). */
static double jnum(json_t *o, const char *key, double def)
{
    json_t *v = json_object_get(o, key);

    return json_is_number(v) ? json_number_value(v) : def;
}

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? s : "";
}

static int jtrue(json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

/* 1 if the port is one of North Korea's (METHODS.md section 2, plus
 * Rajin/Rason and Songnim): letters only, any case, compared as a
 * prefix of the name. */
static int dprk_port_name(const char *name)
{
    static const char *const ports[] = {
        "nampo",  "songrim",  "songnim",  "kyomipo", "haeju",
        "wonsan", "hungnam",  "kimchaek", "chongjin", "najin",
        "rajin",  "rason",    NULL};
    char f[32];
    size_t n = 0;
    int i;

    for (; *name && n + 1 < sizeof f; name++) {
        char c = *name;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c >= 'a' && c <= 'z')
            f[n++] = c;
    }
    f[n] = '\0';
    for (i = 0; ports[i]; i++) {
        size_t k = strlen(ports[i]);
        if (strncmp(f, ports[i], k) == 0)
            return 1;
    }
    return 0;
}

/* ---- events ----------------------------------------------------------- */

static const char *match_by_name(const char *by)
{
    if (strcmp(by, "imo") == 0)
        return "IMO";
    if (strcmp(by, "mmsi") == 0)
        return "MMSI";
    if (strcmp(by, "callsign") == 0)
        return "call sign";
    return "name";
}

/* The one reason of a single-subject event; returns 0 for none. */
static int subject_reason(const struct df_config *cfg,
                          const struct df_event *ev, json_t *e,
                          int64_t id, struct df_reason *r)
{
    const char *type = df_event_name(ev->type);
    char at[32];
    double h = hours(ev), v;

    when(ev->start_ms, at);
    switch (ev->type) {
    case DF_EV_LOITERING:
        v = jnum(e, "distance_to_shore_km", -1);
        if (v >= 0)
            reason(r, cfg->risk_loitering, type, id,
                   "loitering for %.1f h, %.0f km from shore, %s", h, v, at);
        else
            reason(r, cfg->risk_loitering, type, id,
                   "loitering for %.1f h at sea, %s", h, at);
        return 1;
    case DF_EV_GAP:
        v = jnum(e, "hours", h);
        if (strcmp(jstr(e, "rule"), "zone") == 0)
            reason(r, cfg->risk_gap, type, id,
                   "AIS off for %.1f h, %.0f km from a zone of interest, "
                   "from %s",
                   v, jnum(e, "distance_to_zone_km", 0), at);
        else if (jnum(e, "distance_to_shore_km", -1) >= 0)
            reason(r, cfg->risk_gap, type, id,
                   "AIS off for %.1f h, %.0f km from shore, from %s", v,
                   jnum(e, "distance_to_shore_km", 0), at);
        else
            reason(r, cfg->risk_gap, type, id,
                   "AIS off for %.1f h at sea, from %s", v, at);
        return 1;
    case DF_EV_DRAUGHT_CHANGE:
        reason(r, cfg->risk_draught_change, type, id,
               "draught changed from %.1f m to %.1f m across %s %s, %s",
               jnum(e, "before_m", 0), jnum(e, "after_m", 0),
               strcmp(jstr(e, "across"), "encounter") == 0 ? "an" : "a",
               jstr(e, "across")[0] ? jstr(e, "across") : "gap", at);
        return 1;
    case DF_EV_SPOOFING:
        if (strcmp(jstr(e, "kind"), "on_land") == 0)
            reason(r, cfg->risk_spoofing, type, id,
                   "positions on land (spoofed), %s", at);
        else if (jnum(e, "positions", 0) == 1)
            /* One stray fix is as often a receiver's error or another
             * ship's message as a lie; spoofing is sustained. */
            reason(r, cfg->risk_spoofing * STRAY_SHARE, type, id,
                   "one impossible position, %.0f km off at %.0f kn, %s",
                   jnum(e, "max_distance_km", 0),
                   jnum(e, "max_implied_speed_kn", 0), at);
        else if (jnum(e, "max_implied_speed_kn", -1) >= 0)
            reason(r, cfg->risk_spoofing, type, id,
                   "impossible positions: jumps at up to %.0f kn, %s",
                   jnum(e, "max_implied_speed_kn", 0), at);
        else
            reason(r, cfg->risk_spoofing, type, id,
                   "impossible positions, %s", at);
        return 1;
    case DF_EV_MMSI_COLLISION:
        reason(r, cfg->risk_mmsi_collision, type, id,
               "MMSI %u used by two ships %.0f km apart at once, %s",
               (unsigned)ev->vessels[0], jnum(e, "distance_km", 0), at);
        return 1;
    case DF_EV_IDENTITY_CHANGE: {
        json_t *name = json_object_get(e, "name");
        json_t *imo = json_object_get(e, "imo");

        if (json_is_object(name))
            reason(r, cfg->risk_identity_change, type, id,
                   "name changed from '%.30s' to '%.30s', %s",
                   jstr(name, "old"), jstr(name, "new"), at);
        else if (json_is_object(imo))
            reason(r, cfg->risk_identity_change, type, id,
                   "IMO changed from %.0f to %.0f, %s", jnum(imo, "old", 0),
                   jnum(imo, "new", 0), at);
        else
            reason(r, cfg->risk_identity_change, type, id,
                   "identity changed (call sign), %s", at);
        return 1;
    }
    case DF_EV_INVALID_IDENTITY: {
        const char *why = jstr(e, "reason");

        if (strcmp(why, "imo_check_digit") == 0)
            reason(r, cfg->risk_invalid_identity, type, id,
                   "broadcasts IMO %.0f, whose check digit is wrong, %s",
                   jnum(e, "imo", 0), at);
        else if (strcmp(why, "mid_unallocated") == 0)
            reason(r, cfg->risk_invalid_identity, type, id,
                   "MMSI %u has an unallocated country code (MID), %s",
                   (unsigned)ev->vessels[0], at);
        else
            reason(r, cfg->risk_invalid_identity, type, id,
                   "MMSI %u is not a valid ship number (%.40s), %s",
                   (unsigned)ev->vessels[0], why[0] ? why : "invalid", at);
        return 1;
    }
    case DF_EV_ZONE_ENTRY:
        reason(r, cfg->risk_zone_entry, type, id, "entered %.60s, %s",
               jstr(e, "zone")[0] ? jstr(e, "zone") : "a zone of interest",
               at);
        return 1;
    case DF_EV_PORT_CALL: {
        const char *port = jstr(e, "port"), *cc = jstr(e, "country");
        double dur = jnum(e, "duration_hours", h);

        if (strcmp(cc, "KP") == 0 || strcmp(cc, "PRK") == 0 ||
            dprk_port_name(port))
            reason(r, cfg->risk_dprk_port_call, type, id,
                   "port call at %.40s, North Korea, for %.1f h, %s",
                   port[0] ? port : "a port", dur, at);
        else if (cc[0])
            reason(r, cfg->risk_port_call, type, id,
                   "port call at %.40s (%.3s) for %.1f h, %s",
                   port[0] ? port : "a port", cc, dur, at);
        else
            reason(r, cfg->risk_port_call, type, id,
                   "port call at %.40s for %.1f h, %s",
                   port[0] ? port : "a port", dur, at);
        return 1;
    }
    case DF_EV_WATCHLIST_MATCH: {
        const char *by = jstr(e, "matched_by");
        int exact = strcmp(by, "imo") == 0 || strcmp(by, "mmsi") == 0;
        double score = jnum(e, "score", ev->score);
        double imo = jnum(e, "entry_imo", 0);
        char ident[24] = "";

        if (imo > 0)
            snprintf(ident, sizeof ident, " (IMO %.0f)", imo);
        if (exact)
            reason(r, cfg->risk_watchlist_imo, type, 0,
                   "listed on %.32s as %.48s%s -- matched by %s",
                   jstr(e, "list"), jstr(e, "entry_name"), ident,
                   match_by_name(by));
        else
            /* Half weight unless both type and size fit the listing. */
            reason(r,
                   cfg->risk_watchlist_name * score *
                       (jnum(e, "fit", 0) >= 2 ? 1.0 : 0.5),
                   type, 0,
                   "listed on %.32s as %.48s%s -- matched by %s '%.24s' "
                   "(%.2f); %.40s",
                   jstr(e, "list"), jstr(e, "entry_name"), ident,
                   match_by_name(by), jstr(e, "matched_value"), score,
                   jstr(e, "fit_why"));
        return 1;
    }
    default:
        return 0;
    }
}

/* The event's relevance (0-1) from its evidence (relevance.h); 1 when
 * the evidence gives none (zone entries, port calls, list matches). */
static double relevance(json_t *e)
{
    double v = jnum(e, "relevance", 1.0);

    return v >= 0 && v <= 1 ? v : 1.0;
}

/* Scales a reason by relevance rel < 1 and says what it was judged on. */
static void weigh(struct df_reason *r, double rel, const char *why)
{
    size_t n = strlen(r->text);

    if (rel >= 1.0)
        return;
    r->points = round2(r->points * rel);
    if (why[0] && n + 4 < sizeof r->text)
        snprintf(r->text + n, sizeof r->text - n, " [%s]", why);
}

size_t df_risk_event(const struct df_config *cfg, const struct df_event *ev,
                      int64_t event_id, struct df_risk *out)
{
    json_t *e;
    size_t n = 0;

    if (!cfg || !ev || !out || ev->nvessels < 1)
        return 0;
    e = json_loads(ev->evidence, 0, NULL);
    if (ev->type == DF_EV_ENCOUNTER && ev->nvessels >= 2) {
        int anch = jtrue(e, "at_anchorage");
        double share = df__anchorage_share(
            jnum(e, "anchorage_km", 0),
            jnum(e, "min_anchorage_km", cfg->encounter_min_anchorage_km));
        double pts = anch ? cfg->risk_encounter_anchorage +
                                (cfg->risk_encounter -
                                 cfg->risk_encounter_anchorage) * share
                          : cfg->risk_encounter;
        const char *aname = jstr(e, "anchorage");
        char at[32], place[64];
        int i;

        when(ev->start_ms, at);
        if (!anch)
            snprintf(place, sizeof place, "at open sea");
        else if (share >= 0.1)
            snprintf(place, sizeof place, "%.0f km from %s%.40s",
                     jnum(e, "anchorage_km", 0),
                     aname[0] ? "anchorage " : "an anchorage", aname);
        else if (aname[0])
            snprintf(place, sizeof place, "at anchorage %.40s", aname);
        else
            snprintf(place, sizeof place, "at an anchorage");
        for (i = 0; i < 2; i++) {
            uint32_t other = ev->vessels[1 - i];
            char fl[8];

            flag_of(other, fl);
            out[n].mmsi = ev->vessels[i];
            reason(&out[n].r, pts, "encounter", event_id,
                   "encounter with %u%s for %.1f h %s, %s", (unsigned)other,
                   fl, hours(ev), place, at);
            weigh(&out[n].r, relevance(e), jstr(e, "relevance_reason"));
            n++;
        }
    } else if (subject_reason(cfg, ev, e, event_id, &out[0].r)) {
        out[0].mmsi = ev->vessels[0];
        weigh(&out[0].r, relevance(e), jstr(e, "vessel_class"));
        n = 1;
    }
    json_decref(e);
    return n;
}

/* 1 if mid is a registry with a record of false and fraudulent flags
 * (METHODS.md row 11, section 2: Fiji 520, Cambodia 514/515, Tonga 570,
 * Cook Islands 518, Palau 511, Tanzania 674/677, Sierra Leone 667,
 * Mongolia 457). */
static int flag_of_concern(unsigned mid)
{
    static const unsigned mids[] = {457, 511, 514, 515, 518,
                                    520, 570, 667, 674, 677};
    size_t i;

    for (i = 0; i < sizeof mids / sizeof mids[0]; i++)
        if (mids[i] == mid)
            return 1;
    return 0;
}

size_t df_risk_vessel(const struct df_config *cfg, const struct df_vessel *v,
                      struct df_reason *out)
{
    unsigned mid, i, type = 0;
    struct df__vkind k;
    const char *cc;
    size_t n = 0;
    int imo = 0;

    if (!cfg || !v || !out)
        return 0;
    memset(&k, 0, sizeof k);
    for (i = 0; i < v->nidentities && i < DF_MAX_IDENTITIES; i++) {
        if (v->identities[i].shiptype)
            type = k.shiptype = v->identities[i].shiptype;
        if (v->identities[i].length_m)
            k.length_m = v->identities[i].length_m;
        if (df_imo_valid(v->identities[i].imo))
            imo = 1;
    }
    mid = df_mmsi_mid(v->mmsi);
    cc = df_mid_country(mid);
    if (mid == DPRK_MID) {
        reason(&out[n++], cfg->risk_dprk_flag, "flag", 0,
               "flagged to North Korea: MMSI %u has MID %d (KP)",
               (unsigned)v->mmsi, DPRK_MID);
    } else if (flag_of_concern(mid)) {
        /* A yacht of the Cook Islands is not a shadow tanker. */
        reason(&out[n], cfg->risk_flag_of_concern, "flag", 0,
               "flag of %s (MID %u), a registry with a record of false "
               "flags", cc ? cc : "?", mid);
        weigh(&out[n++], df__kind_weight(&k),
              df__vclass_name(df__vclass_of(k.shiptype)));
    }
    /* SOLAS gives every cargo ship of 300 GT (some 50 m) an IMO number. */
    if (!imo && type >= 70 && type <= 89 && k.length_m >= 50)
        reason(&out[n++], cfg->risk_no_imo, "identity", 0,
               "a %u m %s (AIS type %u) that broadcasts no valid IMO number",
               k.length_m, type >= 80 ? "tanker" : "cargo ship", type);
    return n;
}

/* ---- the score ---------------------------------------------------------- */

static int by_kind_points(const void *pa, const void *pb)
{
    const struct df_reason *a = pa, *b = pb;
    int k = strcmp(a->event_type, b->event_type);

    if (k)
        return k;
    if (a->points != b->points)
        return a->points > b->points ? -1 : 1;
    return strcmp(a->text, b->text);
}

double df_risk_combine(const struct df_config *cfg, struct df_reason *r,
                       size_t n)
{
    double decay = cfg ? cfg->risk_decay : 0.5, keep = 1.0, sums = 0;
    double total;
    size_t i, j;

    if (!(decay >= 0 && decay <= 1))
        decay = 0.5;
    if (n == 0)
        return 0;
    qsort(r, n, sizeof *r, by_kind_points);
    /* Each kind: the strongest reason whole, each further one at decay
     * times the weight of the one before; then the kind's sum, at most
     * 100, as an independent probability. */
    for (i = 0; i < n; i = j) {
        double w = 1.0, s = 0, cap;

        for (j = i; j < n && strcmp(r[j].event_type, r[i].event_type) == 0;
             j++) {
            double p = r[j].points > 0 ? r[j].points : 0;

            r[j].contribution = p * w;
            s += p * w;
            w *= decay;
        }
        cap = s > 100 ? 100 : s;
        for (; i < j; i++)
            r[i].contribution *= s > 0 ? cap / s : 0;
        keep *= 1.0 - cap / 100.0;
        sums += cap;
    }
    total = 100.0 * (1.0 - keep);
    /* Shares of the total, in proportion to each kind's sum. */
    for (i = 0; i < n; i++)
        r[i].contribution =
            sums > 0 ? round2(r[i].contribution * total / sums) : 0;
    return round2(total);
}

/* ---- the watchlist_match event ---------------------------------------- */

static const char *const by_key[] = {"imo", "mmsi", "callsign", "name"};

static const char *key_of(enum df_match_by by)
{
    return (unsigned)by < 4 ? by_key[by] : "name";
}

static void jfield(struct df_buf *b, const char *key, const char *s)
{
    df_buf_printf(b, ",\"%s\":", key);
    s = s ? s : "";
    df_buf_json_str(b, s, strlen(s));
}

size_t df_risk_match_event(const struct df_vessel *v,
                            const struct df_match *m, size_t n,
                            struct df_event *ev)
{
    struct df_buf b = {0};
    size_t best = 0, i, mark;
    int first = 1;
    const struct df_list_entry *en;

    memset(ev, 0, sizeof *ev);
    ev->type = DF_EV_WATCHLIST_MATCH;
    ev->nvessels = 1;
    ev->vessels[0] = v->mmsi;
    ev->start_ms = v->first_ms;
    ev->end_ms = v->last_ms;
    ev->lon = v->last_lon;
    ev->lat = v->last_lat;
    if (n == 0) {
        snprintf(ev->evidence, sizeof ev->evidence, "{}");
        return 0;
    }
    for (i = 1; i < n; i++)
        if (m[i].score > m[best].score)
            best = i;
    en = m[best].entry;
    ev->score = m[best].score;
    df_buf_puts(&b, "{\"list\":");
    df_buf_json_str(&b, en->list ? en->list : "",
                    en->list ? strlen(en->list) : 0);
    jfield(&b, "entry_id", en->id);
    jfield(&b, "entry_name", en->name);
    jfield(&b, "matched_by", key_of(m[best].by));
    jfield(&b, "matched_value", m[best].matched);
    df_buf_printf(&b, ",\"score\":%.3f", m[best].score);
    jfield(&b, "program", en->program);
    df_buf_printf(&b, ",\"entry_imo\":%u,\"entry_mmsi\":%u",
                  (unsigned)en->imo, (unsigned)en->mmsi);
    if (en->vessel_type && en->vessel_type[0])
        jfield(&b, "entry_type", en->vessel_type);
    if (m[best].by == DF_MATCH_NAME || m[best].by == DF_MATCH_CALLSIGN) {
        /* What fits beyond the name: type and size (screen.c). */
        df_buf_printf(&b, ",\"fit\":%d", m[best].fit);
        jfield(&b, "fit_why", m[best].fit_why);
    }
    if (n > 1) {
        df_buf_puts(&b, ",\"also\":[");
        for (i = 0; i < n; i++) {
            if (i == best)
                continue;
            mark = b.len;
            df_buf_puts(&b, first ? "{\"list\":" : ",{\"list\":");
            df_buf_json_str(&b, m[i].entry->list ? m[i].entry->list : "",
                            m[i].entry->list ? strlen(m[i].entry->list)
                                             : 0);
            jfield(&b, "entry_id", m[i].entry->id);
            jfield(&b, "entry_name", m[i].entry->name);
            jfield(&b, "matched_by", key_of(m[i].by));
            df_buf_printf(&b, ",\"score\":%.3f}", m[i].score);
            /* Keep room for the closing brackets. */
            if (b.len + 4 >= sizeof ev->evidence) {
                b.len = mark;
                break;
            }
            first = 0;
        }
        df_buf_puts(&b, "]");
    }
    df_buf_puts(&b, "}");
    df__event_set_evidence(ev, &b);
    df_buf_free(&b);
    return best;
}

/* ---- ties: met a listed or DPRK-flagged vessel ------------------------ */

/* A remembered encounter; credited bit 0: a got its reason for meeting
 * b, bit 1: b for meeting a. */
struct pair {
    uint32_t a, b;
    int64_t start_ms;
    int64_t event_id;
    float relevance;           /* the encounter's (relevance.h) */
    uint8_t credited;
};

/* A vessel known to be listed or DPRK-flagged. */
struct mark {
    uint32_t mmsi;             /* never 0 */
    float factor;              /* 1, or the name/call sign match score */
    char label[88];            /* "a listed vessel, 445... CHON MA SAN
                                * (sdn.csv)" */
};

struct df_ties {
    struct pair *pairs;        /* ring of up to max_pairs */
    size_t npairs, cap_pairs, head, max_pairs;
    struct mark *marks;        /* in the order marked */
    size_t nmarks, cap_marks, max_marks;
    struct df__hmap index;     /* MMSI -> marks[] */
};

struct df_ties *df_ties_new(size_t max_pairs, size_t max_marked)
{
    struct df_ties *t = df__calloc(1, sizeof *t);

    if (!t)
        return NULL;
    t->max_pairs = max_pairs ? max_pairs : 1;
    t->max_marks = max_marked ? max_marked : 1;
    return t;
}

void df_ties_free(struct df_ties *t)
{
    if (!t)
        return;
    df__free(t->pairs);
    df__free(t->marks);
    df__hmap_fini(&t->index);
    df__free(t);
}

static struct mark *mark_find(const struct df_ties *t, uint32_t mmsi)
{
    uint32_t i = df__hmap_get(&t->index, mmsi);

    return i == DF__HMAP_NONE || mmsi == 0 ? NULL : &t->marks[i];
}

/* Inserts (or keeps) a mark; 0 when full or out of memory. */
static int mark_add(struct df_ties *t, const struct mark *m)
{
    if (mark_find(t, m->mmsi))
        return 1;
    if (m->mmsi == 0 || t->nmarks >= t->max_marks)
        return 0;
    if (t->nmarks == t->cap_marks &&
        df__grow(&t->marks, &t->cap_marks, sizeof(*t->marks), 256) != 0)
        return 0;
    if (df__hmap_put(&t->index, m->mmsi, (uint32_t)t->nmarks) != 0)
        return 0;
    t->marks[t->nmarks++] = *m;
    return 1;
}

/* The reason for mmsi, which met the marked vessel mk in encounter p. */
static void met_reason(const struct df_config *cfg, const struct mark *mk,
                       const struct pair *p, struct df_reason *r)
{
    char at[32];

    when(p->start_ms, at);
    reason(r, cfg->risk_met_listed * mk->factor * p->relevance, "met_listed",
           p->event_id, "met %s in an encounter, %s", mk->label, at);
}

int df_ties_encounter(struct df_ties *t, const struct df_config *cfg,
                       const struct df_event *ev, int64_t event_id,
                       int (*fn)(uint32_t mmsi, const struct df_reason *r,
                                 void *ud),
                       void *ud)
{
    struct pair p;
    struct df_reason r;
    const struct mark *mk;
    json_t *e;
    int rc = 0;

    if (!t || !ev || ev->type != DF_EV_ENCOUNTER || ev->nvessels < 2)
        return 0;
    memset(&p, 0, sizeof p);
    p.a = ev->vessels[0];
    p.b = ev->vessels[1];
    p.start_ms = ev->start_ms;
    p.event_id = event_id;
    e = json_loads(ev->evidence, 0, NULL);
    p.relevance = (float)relevance(e);
    json_decref(e);
    if ((mk = mark_find(t, p.b)) != NULL) {
        met_reason(cfg, mk, &p, &r);
        p.credited |= 1;
        rc = fn(p.a, &r, ud);
    }
    if (rc == 0 && (mk = mark_find(t, p.a)) != NULL) {
        met_reason(cfg, mk, &p, &r);
        p.credited |= 2;
        rc = fn(p.b, &r, ud);
    }
    /* Remember it: the ring grows by doubling up to max_pairs, then
     * overwrites the oldest. */
    if (t->npairs == t->cap_pairs && t->cap_pairs < t->max_pairs) {
        size_t cap = t->cap_pairs ? t->cap_pairs * 2 : 1024;
        struct pair *np;

        if (cap > t->max_pairs)
            cap = t->max_pairs;
        np = df__realloc(t->pairs, cap * sizeof *np);
        if (!np)
            return rc ? rc : -1;
        t->pairs = np;
        t->cap_pairs = cap;
    }
    if (t->npairs < t->cap_pairs) {
        t->pairs[t->npairs++] = p;
    } else {
        t->pairs[t->head] = p;
        t->head = (t->head + 1) % t->cap_pairs;
    }
    return rc;
}

int df_ties_vessel(struct df_ties *t, const struct df_config *cfg,
                    uint32_t mmsi, const struct df_match *best,
                    int (*fn)(uint32_t mmsi, const struct df_reason *r,
                              void *ud),
                    void *ud)
{
    struct mark m, *mk;
    struct df_reason r;
    size_t i;
    int rc = 0;

    if (!t || !cfg)
        return 0;
    memset(&m, 0, sizeof m);
    m.mmsi = mmsi;
    m.factor = 1.0f;
    /* Only a strong match spreads to the vessel's partners: its IMO or
     * MMSI, or a name whose type and size both fit the listing. */
    if (best && best->entry &&
        (best->by == DF_MATCH_IMO || best->by == DF_MATCH_MMSI ||
         best->fit >= 2)) {
        const struct df_list_entry *en = best->entry;

        if (best->by == DF_MATCH_NAME || best->by == DF_MATCH_CALLSIGN)
            m.factor = (float)best->score;
        snprintf(m.label, sizeof m.label, "a listed vessel, %u %.32s (%.24s)",
                 (unsigned)mmsi, en->name ? en->name : "",
                 en->list ? en->list : "");
    } else if (df_mmsi_mid(mmsi) == DPRK_MID) {
        snprintf(m.label, sizeof m.label, "a DPRK-flagged vessel, %u",
                 (unsigned)mmsi);
    } else {
        return 0;
    }
    /* An earlier mark (an earlier flush) keeps its words, so that the
     * same encounter is never credited twice under two texts. */
    mk = mark_find(t, mmsi);
    if (!mk) {
        mark_add(t, &m);
        mk = mark_find(t, mmsi);
    }
    if (!mk)
        mk = &m;   /* full: credit what is remembered, keep no mark */
    for (i = 0; i < t->npairs && rc == 0; i++) {
        struct pair *p = &t->pairs[i];

        if (p->a == mmsi && !(p->credited & 2) && p->b != mmsi) {
            p->credited |= 2;
            met_reason(cfg, mk, p, &r);
            rc = fn(p->b, &r, ud);
        } else if (p->b == mmsi && !(p->credited & 1) && p->a != mmsi) {
            p->credited |= 1;
            met_reason(cfg, mk, p, &r);
            rc = fn(p->a, &r, ud);
        }
    }
    return rc;
}

/* ---- saved state ------------------------------------------------------ */

enum df_err df_ties_save(const struct df_ties *t, struct df_state_out *w)
{
    if (!t || !w)
        return DF_INVAL;
    df__so_tag(w, DF__TAG('T', 'I', 'E', 'S'));
    df__so_u64(w, t->max_pairs);
    df__so_u64(w, t->max_marks);
    df__so_u64(w, t->head);
    df__so_arr(w, t->pairs, sizeof *t->pairs, t->npairs);
    df__so_arr(w, t->marks, sizeof *t->marks, t->nmarks);
    df__hmap_save(&t->index, w);
    return w->err;
}

enum df_err df_ties_load(struct df_ties *t, struct df_state_in *in)
{
    uint64_t maxp, maxm, head;
    size_t np, nm;
    struct pair *pairs = NULL;
    struct mark *marks = NULL;

    if (!t || !in)
        return DF_INVAL;
    if (df__si_tag(in, DF__TAG('T', 'I', 'E', 'S')) != 0 ||
        df__si_u64(in, &maxp) != 0 || df__si_u64(in, &maxm) != 0 ||
        df__si_u64(in, &head) != 0)
        return in->err;
    if (maxp != t->max_pairs || maxm != t->max_marks || t->npairs ||
        t->nmarks) {
        df__si_bad(in);
        return in->err;
    }
    if (df__si_arr(in, sizeof *pairs, t->max_pairs, 0, (void **)&pairs,
                   &np) != 0 ||
        df__si_arr(in, sizeof *marks, t->max_marks, 0, (void **)&marks,
                   &nm) != 0 ||
        (np > 0 && head >= np) || df__hmap_load(&t->index, in, nm) != 0 ||
        t->index.n != nm) {
        df__free(pairs);
        df__free(marks);
        df__hmap_clear(&t->index);
        if (in->err == DF_OK)
            df__si_bad(in);
        return in->err;
    }
    t->pairs = pairs;
    t->npairs = t->cap_pairs = np;
    t->head = (size_t)head;
    t->marks = marks;
    t->nmarks = t->cap_marks = nm;
    return DF_OK;
}
