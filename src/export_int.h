/*
 * export_int.h - the inside of struct df_export, shared by the export
 * writer's files and by no other:
 *
 *   export.c          the entry points (df_export_*), which check the order
 *                     of calls, collect a track's points and hand each
 *                     event and track to its format; and what the formats
 *                     share: strings, the evidence, numbers, times and
 *                     identities
 *   export_geojson.c  GeoJSON and GeoJSONSeq
 *   export_kml.c      KML with Google Earth's gx:Track
 *   export_csv.c      the events and tracks CSV tables
 *
 * A new format is an enum df_export_format value (darkfleet.h), a file of
 * its own with the functions below, and a case in each entry point.
 */
#ifndef DF_EXPORT_INT_H
#define DF_EXPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "darkfleet.h"

/* Where the writer is in the document: the calls each stage allows are
 * listed in darkfleet.h. */
enum df__export_stage {
    DF__STAGE_NEW,
    DF__STAGE_EVENTS,
    DF__STAGE_TRACKS,
    DF__STAGE_DONE
};

struct df_export {
    struct df_export_opts o;
    enum df__export_stage stage;
    int in_track;
    int folder;                 /* KML: 0 none open, 1 Events, 2 Tracks */
    unsigned folders_done;      /* KML: DF_EXPORT_* folders written */
    uint64_t features;          /* GeoJSON: features so far (commas) */
    /* The track being collected. */
    struct df_vessel v;
    double score;
    unsigned part;
    struct df_point *pts;
    size_t npts, cap;
    /* Scratch for cleaned and double-escaped strings. */
    struct df_buf s1, s2;
};

/* ---- export.c: strings -------------------------------------------------- */

/* Appends s (at most cap bytes, up to a NUL) to b as a JSON string, an
 * XML text or a CSV field, invalid UTF-8 replaced by U+FFFD first (for
 * XML, U+FFFE and U+FFFF too).  The cleaned copy, when one is needed, is
 * made in x->s1. */
void df__export_put_json(struct df_export *x, struct df_buf *b,
                         const char *s, size_t cap);
void df__export_put_xml(struct df_export *x, struct df_buf *b, const char *s,
                        size_t cap);
void df__export_put_csv(struct df_export *x, struct df_buf *b, const char *s,
                        size_t cap);

/* Appends s, cleaned as for XML, HTML-escaped to the HTML being built in
 * x->s2. */
void df__export_put_html(struct df_export *x, const char *s, size_t cap);

/* ---- export.c: the evidence --------------------------------------------- */

/* The evidence text of ev and its length ("{}" when empty); borrowed
 * from ev, or static. */
const char *df__export_evidence(const struct df_event *ev, size_t *n);

/* Appends the evidence as a JSON object: as is when it is one (RFC 8259,
 * UTF-8, nested at most JSON_MAX_DEPTH deep: export.c), else wrapped as
 * {"unparsed":"..."}. */
void df__export_evidence_json(struct df_export *x, struct df_buf *b,
                              const struct df_event *ev);

/* ---- export.c: numbers and times ---------------------------------------- */

/* 1 if (lon, lat), in wire units, is an available position in range. */
int df__export_pos_ok(int32_t lon, int32_t lat);

/* Appends a wire coordinate (1/10000 min) as degrees with six decimals,
 * exact (rounded half away from zero). */
void df__export_deg6(struct df_buf *b, int32_t v);

/* Appends a position as lon, sep, lat, each as by df__export_deg6: the
 * order of GeoJSON and KML. */
void df__export_lonlat(struct df_buf *b, int32_t lon, int32_t lat,
                       char sep);

/* Appends a score ("%.6g", no "-0"), or na when it is not finite. */
void df__export_score(struct df_buf *b, double s, const char *na);

/* ISO 8601 UTC with 'Z' into out (>= 32 bytes); returns the length, 0
 * (and "") when unknown. */
size_t df__export_iso(int64_t ms, char *out);

/* ---- export.c: vessels -------------------------------------------------- */

/* The identity the vessel used last, or NULL if it has none. */
const struct df_identity *df__export_latest(const struct df_vessel *v);

/* The identity in use at t: the one begun most recently at or before t,
 * else the latest. */
const struct df_identity *df__export_identity_at(const struct df_vessel *v,
                                                 int64_t t);

/* The name of an event's vessel from opts.vessel_name, or "": the
 * caller's string, valid until its function is called again. */
const char *df__export_vessel_name(struct df_export *x, uint32_t mmsi);

/* ---- the formats -------------------------------------------------------- */

/*
 * Each format writes what opens its document (begin), an event, the
 * track collected in x->pts (x->npts >= 1 points, all with a valid
 * position; a KML track's all with a time) and what closes the document
 * (end).  CSV writes a track's points as they come (csv_point) instead.
 */
void df__export_geojson_begin(struct df_export *x, struct df_buf *b);
void df__export_geojson_event(struct df_export *x, struct df_buf *b,
                              int64_t id, const struct df_event *ev);
void df__export_geojson_track(struct df_export *x, struct df_buf *b);
void df__export_geojson_end(struct df_export *x, struct df_buf *b);

void df__export_kml_begin(struct df_buf *b);
void df__export_kml_event(struct df_export *x, struct df_buf *b, int64_t id,
                          const struct df_event *ev);
void df__export_kml_track(struct df_export *x, struct df_buf *b);
void df__export_kml_end(struct df_export *x, struct df_buf *b);

void df__export_csv_begin(struct df_export *x, struct df_buf *b);
void df__export_csv_event(struct df_export *x, struct df_buf *b, int64_t id,
                          const struct df_event *ev);
void df__export_csv_point(struct df_export *x, struct df_buf *b,
                          const struct df_point *p);

#endif
