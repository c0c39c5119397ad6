/*
 * export_csv.c - events and tracks as CSV (RFC 4180, LF line ends, header
 * first), fields through df_buf_csv_str() (quoted as needed,
 * formula-guarded):
 *   events: id,type,vessel1,vessel2,start,end,lat,lon,score,evidence,
 *           vessel1_name,vessel2_name
 *   tracks: MMSI,BaseDateTime,LAT,LON,SOG,COG,VesselName,IMO,CallSign
 *           (BaseDateTime 2020-01-01T00:00:00 UTC, IMO as "IMO9464417",
 *           empty when not available; the name and call sign are those
 *           the vessel used at that time), which darkfleet's own CSV
 *           reader, QGIS and pandas read back.
 * A track's rows are written as its points come, not collected.
 *
 * The writer's entry points and the helpers shared with the other formats
 * are in export.c.
 */
#include "export_int.h"
#include "util/timeutil.h"

#include <string.h>

static void csv_coord(struct df_buf *b, int32_t lon, int32_t lat)
{
    if (df__export_pos_ok(lon, lat)) {
        df__export_deg6(b, lat);
        df_buf_append(b, ",", 1);
        df__export_deg6(b, lon);
    } else {
        df_buf_append(b, ",", 1);
    }
}

void df__export_csv_begin(struct df_export *x, struct df_buf *b)
{
    if (x->o.format == DF_EXPORT_CSV_EVENTS)
        df_buf_puts(b, "id,type,vessel1,vessel2,start,end,lat,lon,score,"
                       "evidence,vessel1_name,vessel2_name\n");
    else
        df_buf_puts(b, "MMSI,BaseDateTime,LAT,LON,SOG,COG,VesselName,IMO,"
                       "CallSign\n");
}

void df__export_csv_event(struct df_export *x, struct df_buf *b, int64_t id,
                          const struct df_event *ev)
{
    char t[32];
    size_t n, elen;
    unsigned i, nv = ev->nvessels > 2 ? 2 : ev->nvessels;
    const char *e = df__export_evidence(ev, &elen);

    df_buf_printf(b, "%lld,%s,", (long long)id, df_event_name(ev->type));
    if (nv >= 1)
        df_buf_printf(b, "%lu", (unsigned long)ev->vessels[0]);
    df_buf_append(b, ",", 1);
    if (nv >= 2)
        df_buf_printf(b, "%lu", (unsigned long)ev->vessels[1]);
    df_buf_append(b, ",", 1);
    n = df__export_iso(ev->start_ms, t);
    df_buf_append(b, t, n);
    df_buf_append(b, ",", 1);
    n = df__export_iso(ev->end_ms, t);
    df_buf_append(b, t, n);
    df_buf_append(b, ",", 1);
    csv_coord(b, ev->lon, ev->lat);
    df_buf_append(b, ",", 1);
    df__export_score(b, ev->score, "");
    df_buf_append(b, ",", 1);
    df__export_put_csv(x, b, e, elen);
    for (i = 0; i < 2; i++) {
        df_buf_append(b, ",", 1);
        if (i < nv) {
            const char *name = df__export_vessel_name(x, ev->vessels[i]);
            df__export_put_csv(x, b, name, strlen(name));
        }
    }
    df_buf_append(b, "\n", 1);
}

void df__export_csv_point(struct df_export *x, struct df_buf *b,
                          const struct df_point *p)
{
    const struct df_identity *id = df__export_identity_at(&x->v, p->t_ms);
    struct df__tm tm;

    df_buf_printf(b, "%lu,", (unsigned long)x->v.mmsi);
    if (p->t_ms != DF_TIME_NONE) {
        df__civil(p->t_ms, &tm);
        if (tm.year >= 0 && tm.year <= 9999)
            df_buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d", tm.year,
                          tm.month, tm.day, tm.hour, tm.minute, tm.second);
    }
    df_buf_append(b, ",", 1);
    csv_coord(b, p->lon, p->lat);
    df_buf_append(b, ",", 1);
    if (p->speed < DF_SPEED_NA)
        df_buf_printf(b, "%u.%u", p->speed / 10u, p->speed % 10u);
    df_buf_append(b, ",", 1);
    if (p->course < DF_COURSE_NA)
        df_buf_printf(b, "%u.%u", p->course / 10u, p->course % 10u);
    df_buf_append(b, ",", 1);
    if (id)
        df__export_put_csv(x, b, id->shipname, sizeof id->shipname);
    df_buf_append(b, ",", 1);
    if (id && id->imo)
        df_buf_printf(b, "IMO%07lu", (unsigned long)id->imo);
    df_buf_append(b, ",", 1);
    if (id)
        df__export_put_csv(x, b, id->callsign, sizeof id->callsign);
    df_buf_append(b, "\n", 1);
}
