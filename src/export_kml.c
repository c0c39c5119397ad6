/*
 * export_kml.c - events and tracks as KML 2.2: a Document with one Style
 * per event type and one for tracks, a Folder "Events" (a Placemark per
 * event: name, an HTML description, TimeSpan, styleUrl, ExtendedData,
 * Point) and a Folder "Tracks" (a Placemark per vessel with a gx:Track:
 * every <when>, then every <gx:coord>, as the gx schema orders them;
 * Google Earth's time slider plays it).  Text goes through
 * df_buf_xml_str(); the description is HTML that Google Earth renders, so
 * its data is HTML-escaped first and the result XML-escaped (a name such
 * as "<b>x</b>" shows as typed).  A section asked for (opts.what) that has
 * nothing is written as an empty Folder.
 *
 * The writer's entry points and the helpers shared with the other formats
 * are in export.c.
 */
#include "export_int.h"

#include <stdio.h>
#include <string.h>

/* Icon colours per event type, KML's aabbggrr. */
static const char *const kml_colors[DF_EV_COUNT] = {
    "ff0000ff", /* encounter: red */
    "ff00a5ff", /* loitering: orange */
    "ff808080", /* gap: grey */
    "ffff00ff", /* draught_change: magenta */
    "ff00ffff", /* spoofing: yellow */
    "ff2a2aa5", /* mmsi_collision: brown */
    "ffffff00", /* identity_change: cyan */
    "ff800080", /* invalid_identity: purple */
    "ff0000b0", /* zone_entry: dark red */
    "ff00ff00", /* port_call: green */
    "ff000000", /* watchlist_match: black */
};

void df__export_kml_begin(struct df_buf *b)
{
    int i;

    df_buf_puts(b,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<kml xmlns=\"http://www.opengis.net/kml/2.2\" "
                "xmlns:gx=\"http://www.google.com/kml/ext/2.2\">\n"
                "<Document>\n<name>darkfleet</name>\n");
    for (i = 0; i < DF_EV_COUNT; i++)
        df_buf_printf(b,
                      "<Style id=\"ev-%s\"><IconStyle><color>%s</color>"
                      "<scale>1.1</scale><Icon><href>http://maps.google.com/"
                      "mapfiles/kml/shapes/placemark_circle.png</href>"
                      "</Icon></IconStyle></Style>\n",
                      df_event_name((enum df_event_type)i), kml_colors[i]);
    df_buf_puts(b,
                "<Style id=\"track\"><IconStyle><Icon><href>http://"
                "maps.google.com/mapfiles/kml/shapes/sailing.png</href>"
                "</Icon></IconStyle><LineStyle><color>ffffaa00</color>"
                "<width>2</width></LineStyle></Style>\n");
}

/* Opens the folder for section (1 events, 2 tracks), closing the other
 * and writing an empty Events folder first if it was asked for. */
static void kml_folder(struct df_export *x, struct df_buf *b, int section)
{
    if (x->folder == section)
        return;
    if (x->folder)
        df_buf_puts(b, "</Folder>\n");
    x->folder = 0;
    if (section == 2 && (x->o.what & DF_EXPORT_EVENTS) &&
        !(x->folders_done & DF_EXPORT_EVENTS)) {
        df_buf_puts(b, "<Folder><name>Events</name></Folder>\n");
        x->folders_done |= DF_EXPORT_EVENTS;
    }
    if (section == 0)
        return;
    df_buf_puts(b, section == 1 ? "<Folder><name>Events</name>\n"
                                : "<Folder><name>Tracks</name>\n");
    x->folders_done |= section == 1 ? DF_EXPORT_EVENTS : DF_EXPORT_TRACKS;
    x->folder = section;
}

static void kml_data(struct df_buf *b, const char *name, const char *value)
{
    df_buf_printf(b, "<Data name=\"%s\"><value>%s</value></Data>", name,
                  value);
}

static void kml_time(struct df_buf *b, const char *tag, int64_t ms)
{
    char t[32];

    if (df__export_iso(ms, t))
        df_buf_printf(b, "<%s>%s</%s>", tag, t, tag);
}

void df__export_kml_event(struct df_export *x, struct df_buf *b, int64_t id,
                          const struct df_event *ev)
{
    const char *type = df_event_name(ev->type);
    unsigned i, nv = ev->nvessels > 2 ? 2 : ev->nvessels;
    char num[64], t0[32], t1[32];
    size_t elen;
    const char *e = df__export_evidence(ev, &elen);

    kml_folder(x, b, 1);
    df_buf_printf(b, "<Placemark id=\"ev%lld\"><name>%s", (long long)id,
                  type);
    for (i = 0; i < nv; i++) {
        const char *name = df__export_vessel_name(x, ev->vessels[i]);
        df_buf_printf(b, "%s%lu", i ? " / " : " ",
                      (unsigned long)ev->vessels[i]);
        if (*name) {
            df_buf_append(b, " ", 1);
            df__export_put_xml(x, b, name, strlen(name));
        }
    }
    df_buf_puts(b, "</name>\n<description>");
    /* HTML for the balloon: data HTML-escaped here, all XML-escaped. */
    x->s2.len = 0;
    df_buf_printf(&x->s2, "<b>%s</b><br>", type);
    for (i = 0; i < nv; i++) {
        const char *name = df__export_vessel_name(x, ev->vessels[i]);
        df_buf_printf(&x->s2, "MMSI %lu", (unsigned long)ev->vessels[i]);
        if (*name) {
            df_buf_puts(&x->s2, " ");
            df__export_put_html(x, name, strlen(name));
        }
        df_buf_puts(&x->s2, "<br>");
    }
    df__export_iso(ev->start_ms, t0);
    df__export_iso(ev->end_ms, t1);
    df_buf_printf(&x->s2, "from %s to %s<br>score ", t0[0] ? t0 : "?",
                  t1[0] ? t1 : "?");
    df__export_score(&x->s2, ev->score, "n/a");
    df_buf_puts(&x->s2, "<br>evidence: ");
    df__export_put_html(x, e, elen);
    if (x->s2.oom)
        b->oom = 1;
    else
        df_buf_xml_str(b, x->s2.data, x->s2.len);
    df_buf_puts(b, "</description>\n");
    if (t0[0] || t1[0]) {
        df_buf_puts(b, "<TimeSpan>");
        kml_time(b, "begin", ev->start_ms);
        kml_time(b, "end", ev->end_ms);
        df_buf_puts(b, "</TimeSpan>");
    }
    df_buf_printf(b, "<styleUrl>#ev-%s</styleUrl>\n<ExtendedData>", type);
    snprintf(num, sizeof num, "%lld", (long long)id);
    kml_data(b, "id", num);
    kml_data(b, "type", type);
    for (i = 0; i < nv; i++) {
        snprintf(num, sizeof num, "%lu", (unsigned long)ev->vessels[i]);
        kml_data(b, i ? "vessel2" : "vessel1", num);
    }
    kml_data(b, "start", t0);
    kml_data(b, "end", t1);
    x->s2.len = 0;
    df__export_score(&x->s2, ev->score, "");
    kml_data(b, "score", x->s2.data ? x->s2.data : "");
    df_buf_puts(b, "<Data name=\"evidence\"><value>");
    df__export_put_xml(x, b, e, elen);
    df_buf_puts(b, "</value></Data></ExtendedData>\n");
    if (df__export_pos_ok(ev->lon, ev->lat)) {
        df_buf_puts(b, "<Point><coordinates>");
        df__export_lonlat(b, ev->lon, ev->lat, ',');
        df_buf_puts(b, "</coordinates></Point>");
    }
    df_buf_puts(b, "</Placemark>\n");
}

/* The collected track as a Placemark with a gx:Track (points without a
 * time were not kept: <when> needs one), in the Tracks folder. */
void df__export_kml_track(struct df_export *x, struct df_buf *b)
{
    const struct df_identity *id = df__export_latest(&x->v);
    size_t i;
    char num[64];

    kml_folder(x, b, 2);
    df_buf_printf(b, "<Placemark id=\"track%lu-%u\"><name>%lu",
                  (unsigned long)x->v.mmsi, x->part,
                  (unsigned long)x->v.mmsi);
    if (id && id->shipname[0]) {
        df_buf_append(b, " ", 1);
        df__export_put_xml(x, b, id->shipname, sizeof id->shipname);
    }
    df_buf_puts(b, "</name>\n<styleUrl>#track</styleUrl><ExtendedData>");
    snprintf(num, sizeof num, "%lu", (unsigned long)x->v.mmsi);
    kml_data(b, "mmsi", num);
    df_buf_puts(b, "<Data name=\"name\"><value>");
    if (id)
        df__export_put_xml(x, b, id->shipname, sizeof id->shipname);
    df_buf_puts(b, "</value></Data><Data name=\"callsign\"><value>");
    if (id)
        df__export_put_xml(x, b, id->callsign, sizeof id->callsign);
    df_buf_puts(b, "</value></Data><Data name=\"imo\"><value>");
    if (id && id->imo)
        df_buf_printf(b, "%lu", (unsigned long)id->imo);
    df_buf_puts(b, "</value></Data><Data name=\"flag\"><value>");
    df__export_put_xml(x, b, x->v.flag, sizeof x->v.flag);
    df_buf_puts(b, "</value></Data><Data name=\"score\"><value>");
    df__export_score(b, x->score, "");
    df_buf_printf(b, "</value></Data><Data name=\"part\"><value>%u</value>"
                     "</Data></ExtendedData>\n<gx:Track>",
                  x->part);
    for (i = 0; i < x->npts; i++) {
        char t[32];
        df__export_iso(x->pts[i].t_ms, t);
        df_buf_printf(b, "\n<when>%s</when>", t);
    }
    for (i = 0; i < x->npts; i++) {
        df_buf_puts(b, "\n<gx:coord>");
        df__export_lonlat(b, x->pts[i].lon, x->pts[i].lat, ' ');
        df_buf_puts(b, " 0</gx:coord>");
    }
    df_buf_puts(b, "\n</gx:Track></Placemark>\n");
}

/* Closes the document, writing the empty folder of a section asked for
 * that had nothing. */
void df__export_kml_end(struct df_export *x, struct df_buf *b)
{
    if ((x->o.what & DF_EXPORT_EVENTS) &&
        !(x->folders_done & DF_EXPORT_EVENTS))
        kml_folder(x, b, 1);
    if ((x->o.what & DF_EXPORT_TRACKS) &&
        !(x->folders_done & DF_EXPORT_TRACKS))
        kml_folder(x, b, 2);
    kml_folder(x, b, 0);
    df_buf_puts(b, "</Document>\n</kml>\n");
}
