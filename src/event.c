/*
 * event.c - event type names and the event line of DESIGN.md ("Events"):
 *
 *   {"type":"encounter","vessels":[412000001,445000002],
 *    "start":"2025-03-01T05:30:00Z","end":"2025-03-01T09:10:00Z",
 *    "lat":38.51234,"lon":123.50321,"score":0.9,"evidence":{...}}
 *
 * Positions arrive in AIS wire units (1/10000 minute) and are written as
 * decimal degrees with five decimals (about 1 m), computed in integers so
 * that the text is exact and the same on every platform.  Times are UTC
 * ISO 8601 with 'Z' (df_time_iso: milliseconds only when non-zero).  The
 * evidence object was rendered by the detector and is pasted as is.
 *
 * Read back from a store, where anyone may have written anything, the
 * evidence is checked before it is embedded (df_event_evidence_json), and
 * summed up in a few words for a terminal (df_event_summary: a table of
 * the keys each type's summary shows).
 */
#include "darkfleet.h"
#include "event.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const names[] = {
#define XX(code, name) name,
    DF_EVENT_MAP(XX)
#undef XX
};

int df__event_set_evidence(struct df_event *ev, const struct df_buf *b)
{
    if (b->oom || b->data == NULL || b->len + 1 > sizeof ev->evidence)
        snprintf(ev->evidence, sizeof ev->evidence, "{\"truncated\":true}");
    else
        memcpy(ev->evidence, b->data, b->len + 1);
    return b->oom ? -1 : 0;
}

const char *df_event_name(enum df_event_type t)
{
    if ((unsigned)t >= DF_EV_COUNT)
        return "unknown";
    return names[t];
}

int df_event_type_from_name(const char *name)
{
    int i;

    if (!name)
        return -1;
    for (i = 0; i < DF_EV_COUNT; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

/* Appends a wire coordinate (1/10000 min) as degrees with five decimals,
 * rounded half away from zero; na (the not-available sentinel) or a value
 * out of range gives null. */
static void coord(struct df_buf *b, int32_t v, int32_t na, int32_t max)
{
    int64_t a = v < 0 ? -(int64_t)v : (int64_t)v;
    int64_t e5 = (a + 3) / 6;  /* v / 600000 deg * 1e5 */

    if (v == na || a > max) {
        df_buf_append(b, "null", 4);
        return;
    }
    df_buf_printf(b, "%s%lld.%05lld", v < 0 && e5 ? "-" : "",
                  (long long)(e5 / 100000), (long long)(e5 % 100000));
}

static void time_str(struct df_buf *b, int64_t ms)
{
    char t[32];
    size_t n;

    if (ms == DF_TIME_NONE) {
        df_buf_append(b, "null", 4);
        return;
    }
    n = df_time_iso(ms, t);
    df_buf_append(b, "\"", 1);
    df_buf_append(b, t, n);
    df_buf_append(b, "\"", 1);
}

void df_event_json(struct df_buf *b, const struct df_event *ev)
{
    const char *name = df_event_name(ev->type);
    unsigned i, nv = ev->nvessels > 2 ? 2 : ev->nvessels;
    size_t elen;

    df_buf_append(b, "{\"type\":\"", 9);
    df_buf_puts(b, name);
    df_buf_append(b, "\",\"vessels\":[", 13);
    for (i = 0; i < nv; i++)
        df_buf_printf(b, i ? ",%lu" : "%lu", (unsigned long)ev->vessels[i]);
    df_buf_append(b, "],\"start\":", 10);
    time_str(b, ev->start_ms);
    df_buf_append(b, ",\"end\":", 7);
    time_str(b, ev->end_ms);
    df_buf_append(b, ",\"lat\":", 7);
    coord(b, ev->lat, DF_LAT_NA, 90 * 600000);
    df_buf_append(b, ",\"lon\":", 7);
    coord(b, ev->lon, DF_LON_NA, 180 * 600000);
    df_buf_append(b, ",\"score\":", 9);
    if (isfinite(ev->score))
        df_buf_printf(b, "%.6g", ev->score == 0 ? 0.0 : ev->score);
    else
        df_buf_append(b, "null", 4);
    df_buf_append(b, ",\"evidence\":", 12);
    /* A detector's object, already escaped; an empty (or unterminated,
     * hence unusable) buffer is written as {}. */
    elen = strnlen(ev->evidence, sizeof ev->evidence);
    if (elen == 0 || elen == sizeof ev->evidence)
        df_buf_append(b, "{}", 2);
    else
        df_buf_append(b, ev->evidence, elen);
    df_buf_append(b, "}", 1);
}

/* ---- the evidence read back --------------------------------------------- */

void df_event_evidence_json(struct df_buf *b, const struct df_event *ev)
{
    size_t i, n = strnlen(ev->evidence, sizeof ev->evidence);
    json_t *v;

    if (n == 0) {
        df_buf_append(b, "{}", 2);
        return;
    }
    /* jansson checks RFC 8259 and UTF-8, and takes no trailing text. */
    v = json_loadb(ev->evidence, n, 0, NULL);
    if (!json_is_object(v)) {
        json_decref(v);
        df_buf_append(b, "{\"unparsed\":", 12);
        df_buf_json_utf8_str(b, ev->evidence, n);
        df_buf_append(b, "}", 1);
        return;
    }
    json_decref(v);
    /* Valid JSON holds a raw tab, CR or LF only between tokens, a raw DEL
     * or C1 control (U+0080-U+009F, C2 80-9F) only inside a string, where
     * an escape means the same. */
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)ev->evidence[i];
        unsigned char d =
            i + 1 < n ? (unsigned char)ev->evidence[i + 1] : 0;

        if (c == '\t' || c == '\n' || c == '\r')
            df_buf_append(b, " ", 1);
        else if (c == 0x7f)
            df_buf_append(b, "\\u007f", 6);
        else if (c == 0xC2 && d >= 0x80 && d <= 0x9F)
            df_buf_printf(b, "\\u00%02x", d), i++;
        else
            df_buf_append(b, ev->evidence + i, 1);
    }
}

/* One piece of a summary: the evidence's key, and how it is written. */
struct piece {
    const char *key;
    const char *pre, *post;     /* around the value */
    char fmt;                   /* 's' string, '0'-'2' a number with so
                                 * many decimals, 'b' pre alone if true */
};

#define END {NULL, NULL, NULL, 0}

/* The pieces of each type's summary, in DF_EVENT_MAP order; an
 * identity_change lists what changed instead (summary_identity). */
static const struct piece pieces[DF_EV_COUNT][6] = {
    [DF_EV_ENCOUNTER] = {{"duration_h", "", " h", '1'},
                         {"median_distance_m", "", " m apart", '0'},
                         {"relevance_reason", "", "", 's'},
                         {"anchorage", "near anchorage ", "", 's'},
                         {"clump", "in a clump", "", 'b'}, END},
    [DF_EV_LOITERING] = {{"duration_h", "", " h", '1'},
                         {"mean_speed_kn", "at ", " kn", '1'}, END},
    [DF_EV_GAP] = {{"hours", "dark ", " h", '1'},
                   {"distance_km", "moved ", " km", '0'},
                   {"rule", "", "", 's'}, END},
    [DF_EV_DRAUGHT_CHANGE] = {{"before_m", "from ", " m", '1'},
                              {"after_m", "to ", " m", '1'},
                              {"across", "across ", "", 's'}, END},
    [DF_EV_SPOOFING] = {{"kind", "", "", 's'},
                        {"max_implied_speed_kn", "", " kn", '0'},
                        {"max_distance_km", "", " km", '1'}, END},
    [DF_EV_MMSI_COLLISION] = {{"distance_km", "", " km apart", '0'},
                              {"name_a", "", "", 's'},
                              {"name_b", "", "", 's'}, END},
    [DF_EV_IDENTITY_CHANGE] = {END},
    [DF_EV_INVALID_IDENTITY] = {{"reason", "", "", 's'}, END},
    [DF_EV_ZONE_ENTRY] = {{"zone", "", "", 's'}, END},
    [DF_EV_PORT_CALL] = {{"port", "", "", 's'},
                         {"country", "", "", 's'},
                         {"duration_hours", "", " h", '1'}, END},
    [DF_EV_WATCHLIST_MATCH] = {{"list", "", "", 's'},
                               {"entry_name", "", "", 's'},
                               {"matched_by", "by ", "", 's'},
                               {"score", "score ", "", '2'}, END},
};

/* Appends a string or number value as text; 0 if it is neither. */
static int put_value(struct df_buf *b, json_t *v, char fmt)
{
    if (json_is_string(v)) {
        df_buf_append(b, json_string_value(v), json_string_length(v));
        return 1;
    }
    if (json_is_number(v) && isfinite(json_number_value(v))) {
        df_buf_printf(b, "%.*f", fmt >= '0' && fmt <= '2' ? fmt - '0' : 0,
                      json_number_value(v));
        return 1;
    }
    return 0;
}

/* "name 'A' -> 'B', imo 1 -> 2": each of the fields that changed. */
static void summary_identity(struct df_buf *b, json_t *e)
{
    json_t *fields = json_object_get(e, "fields"), *f;
    size_t i, start = b->len;

    json_array_foreach(fields, i, f) {
        json_t *ch = json_object_get(e, json_string_value(f));

        if (!json_is_object(ch))
            continue;
        if (b->len > start)
            df_buf_append(b, ", ", 2);
        df_buf_append(b, json_string_value(f), json_string_length(f));
        df_buf_append(b, " ", 1);
        if (!put_value(b, json_object_get(ch, "old"), '0'))
            df_buf_append(b, "-", 1);
        df_buf_append(b, " -> ", 4);
        if (!put_value(b, json_object_get(ch, "new"), '0'))
            df_buf_append(b, "-", 1);
    }
}

void df_event_summary(struct df_buf *b, const struct df_event *ev)
{
    size_t n = strnlen(ev->evidence, sizeof ev->evidence), start = b->len;
    const struct piece *p;
    json_t *e;

    if ((unsigned)ev->type >= DF_EV_COUNT || n == 0)
        return;
    e = json_loadb(ev->evidence, n, 0, NULL);
    if (!json_is_object(e)) {
        json_decref(e);
        return;
    }
    if (ev->type == DF_EV_IDENTITY_CHANGE)
        summary_identity(b, e);
    for (p = pieces[ev->type]; p->key; p++) {
        json_t *v = json_object_get(e, p->key);

        /* A value of another kind (null, an object) is left out. */
        if (p->fmt == 'b' ? !json_is_true(v)
                          : !json_is_string(v) &&
                                !(json_is_number(v) &&
                                  isfinite(json_number_value(v))))
            continue;
        if (b->len > start)
            df_buf_append(b, ", ", 2);
        df_buf_puts(b, p->pre);
        if (p->fmt != 'b')
            put_value(b, v, p->fmt);
        df_buf_puts(b, p->post);
    }
    json_decref(e);
}
