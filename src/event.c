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
 */
#include "darkfleet.h"
#include "event.h"

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
