/*
 * test_export.c - the export writers (src/export.c) fed by hand: hostile
 * names (markup, quotes, formulas, newlines, control characters, invalid
 * UTF-8), evidence that is and is not JSON, a track across the
 * antimeridian and a track longer than the writer holds.  Each output is
 * parsed back by python3 (json, xml.etree, csv) when it is installed, and
 * the exact text of a few pieces is checked here.  The buffer is emptied
 * after every call, as the CLI does when it flushes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "darkfleet.h"

#define WIRE(deg) ((int32_t)((deg) * 600000.0 + ((deg) < 0 ? -0.5 : 0.5)))
#define T0 1740787200000LL /* 2025-03-01T00:00:00Z */
#define MIN_MS 60000LL

static const char H1[] = "<b>x</b>&\"'";
static const char H2[] = "=HYPERLINK(\"x\")";
static const char H3[] = "LINE1\nLINE2";
static const char BADUTF[] = "BAD\xff\xfe" "UTF\xc3";  /* invalid UTF-8 */
static const char CTRL[] = "C\x01T\x1fL\x7f";           /* control chars */

static char dir[64];
static int have_python;

/* ---- fixtures ----------------------------------------------------------- */

static const char *name_of(uint32_t mmsi, void *ud)
{
    (void)ud;
    switch (mmsi) {
    case 412000001: return H1;
    case 445000002: return H2;
    case 273000003: return H3;
    case 366000004: return BADUTF;
    default: return NULL;
    }
}

static void vessel(struct df_vessel *v, uint32_t mmsi, const char *name,
                   const char *callsign, uint32_t imo)
{
    memset(v, 0, sizeof *v);
    v->mmsi = mmsi;
    memcpy(v->flag, "KP", 3);
    v->first_ms = T0;
    v->last_ms = T0 + 3600000;
    v->nidentities = 1;
    v->identities[0].first_ms = T0;
    v->identities[0].last_ms = T0 + 3600000;
    v->identities[0].imo = imo;
    snprintf(v->identities[0].shipname, sizeof v->identities[0].shipname,
             "%s", name);
    snprintf(v->identities[0].callsign, sizeof v->identities[0].callsign,
             "%s", callsign);
}

static void event(struct df_event *ev, enum df_event_type type, uint32_t a,
                  uint32_t b, double lat, double lon, const char *evidence)
{
    memset(ev, 0, sizeof *ev);
    ev->type = type;
    ev->nvessels = b ? 2 : 1;
    ev->vessels[0] = a;
    ev->vessels[1] = b;
    ev->start_ms = T0 + 3600000;
    ev->end_ms = T0 + 4 * 3600000;
    ev->lat = lat > 90 ? DF_LAT_NA : WIRE(lat);
    ev->lon = lon > 180 ? DF_LON_NA : WIRE(lon);
    ev->score = 0.75;
    snprintf(ev->evidence, sizeof ev->evidence, "%s", evidence);
}

/* Evidence texts and whether each is kept as is. */
static const struct {
    const char *text;
    int valid;
} evidences[] = {
    {"{\"name\":\"<b>x</b>&\\\"'\",\"n\":[1,-2.5e-3,0,true,false,null],"
     "\"o\":{\"u\":\"\\u00e9\\n\\/\"}}", 1},
    {" {\"ws\" : 1 } ", 1},
    {"", 1},                              /* written as {} */
    {"not json <&> \"", 0},
    {"{\"a\":1} trailing", 0},
    {"{\"a\":01}", 0},
    {"{\"a\":\"bad \xff utf\"}", 0},
    {"{\"a\":\"raw\ttab\"}", 0},
    {"[1,2]", 0},                         /* not an object */
    {"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]"
     "]]]]]]]]]]]]]]]]]]]]}", 0},         /* nested too deep */
};
#define NEVIDENCES (sizeof evidences / sizeof evidences[0])

struct out {
    FILE *f;
    char path[128];
    struct df_buf b;
};

static void out_open(struct out *o, const char *name)
{
    snprintf(o->path, sizeof o->path, "%s/%s", dir, name);
    o->f = fopen(o->path, "wb");
    assert_non_null(o->f);
    memset(&o->b, 0, sizeof o->b);
}

/* Writes what the last call rendered and empties the buffer. */
static void drain(struct out *o, enum df_err e)
{
    assert_int_equal(e, DF_OK);
    assert_false(o->b.oom);
    if (o->b.len)
        assert_int_equal(fwrite(o->b.data, 1, o->b.len, o->f), o->b.len);
    o->b.len = 0;
}

static void out_close(struct out *o)
{
    assert_int_equal(fclose(o->f), 0);
    df_buf_free(&o->b);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s;
    long n;

    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/*
 * Writes the whole fixture in one format: one event per evidence text
 * (the first two with names), an event without a position, then tracks:
 * a plain one, one across the antimeridian (both ways), one of a single
 * point, one with only unusable points (no feature), and one of 7
 * points with max_track_points 3 (three parts).
 */
static void write_all(enum df_export_format fmt, const char *name)
{
    struct df_export_opts opts;
    struct df_export *x;
    struct df_event ev;
    struct df_vessel v;
    struct df_point p;
    struct out o;
    size_t i;
    static const double am[] = {179.8, 179.9, -179.9, -179.8, 179.95};

    memset(&opts, 0, sizeof opts);
    opts.format = fmt;
    opts.what = DF_EXPORT_EVENTS | DF_EXPORT_TRACKS;
    opts.vessel_name = name_of;
    opts.max_track_points = 3;
    x = df_export_new(&opts);
    assert_non_null(x);
    out_open(&o, name);
    drain(&o, df_export_begin(x, &o.b));
    if (fmt != DF_EXPORT_CSV_TRACKS) {
        for (i = 0; i < NEVIDENCES; i++) {
            event(&ev, (enum df_event_type)(i % DF_EV_COUNT),
                  i == 0 ? 412000001 : 273000003 + (uint32_t)i,
                  i == 0 ? 445000002 : 0, 38.51234, 123.50321,
                  evidences[i].text);
            if (i == 1)
                ev.vessels[0] = 366000004; /* invalid UTF-8 name */
            drain(&o, df_export_event(x, &o.b, (int64_t)i + 1, &ev));
        }
        event(&ev, DF_EV_GAP, 273000003, 0, 91, 181, "{}");
        ev.score = NAN; /* unknown */
        ev.end_ms = DF_TIME_NONE;
        drain(&o, df_export_event(x, &o.b, 100, &ev));
    }
    if (fmt == DF_EXPORT_CSV_EVENTS) {
        drain(&o, df_export_end(x, &o.b));
        out_close(&o);
        df_export_free(x);
        return;
    }
    /* A plain track with hostile identity strings. */
    vessel(&v, 412000001, H1, "A,B\"C", 9074729);
    drain(&o, df_export_track_begin(x, &o.b, &v, 42.5));
    p.speed = 15;
    p.course = 900;
    p.t_ms = T0;
    p.lat = WIRE(38.5);
    p.lon = WIRE(123.5);
    drain(&o, df_export_track_point(x, &o.b, &p));
    p.t_ms += 10 * MIN_MS;
    p.lat = WIRE(38.501);
    drain(&o, df_export_track_point(x, &o.b, &p));
    drain(&o, df_export_track_end(x, &o.b));
    /* Across the antimeridian, east then back west: 5 points (2 parts
     * of at most 3 each, the second repeating the joint). */
    vessel(&v, 366000004, CTRL, "@CALL", 0);
    drain(&o, df_export_track_begin(x, &o.b, &v, 0));
    for (i = 0; i < 5; i++) {
        p.t_ms = T0 + (int64_t)i * 10 * MIN_MS;
        p.lat = WIRE(10.0 + (double)i * 0.1);
        p.lon = WIRE(am[i]);
        p.speed = DF_SPEED_NA;
        p.course = DF_COURSE_NA;
        drain(&o, df_export_track_point(x, &o.b, &p));
    }
    drain(&o, df_export_track_end(x, &o.b));
    /* A single point, then a vessel with no usable point. */
    vessel(&v, 636000006, BADUTF, "", 0);
    drain(&o, df_export_track_begin(x, &o.b, &v, 1));
    p.t_ms = T0;
    p.lat = WIRE(-33.9);
    p.lon = WIRE(18.4);
    drain(&o, df_export_track_point(x, &o.b, &p));
    drain(&o, df_export_track_end(x, &o.b));
    vessel(&v, 229000007, H2, "+1", 0);
    drain(&o, df_export_track_begin(x, &o.b, &v, 1));
    p.lat = DF_LAT_NA;
    p.lon = DF_LON_NA;
    drain(&o, df_export_track_point(x, &o.b, &p));
    drain(&o, df_export_track_end(x, &o.b));
    /* Seven points, three at a time. */
    vessel(&v, 538000005, H3, "", 0);
    drain(&o, df_export_track_begin(x, &o.b, &v, 1));
    for (i = 0; i < 7; i++) {
        p.t_ms = T0 + (int64_t)i * MIN_MS;
        p.lat = WIRE(1.0 + (double)i);
        p.lon = WIRE(2.0);
        drain(&o, df_export_track_point(x, &o.b, &p));
    }
    drain(&o, df_export_track_end(x, &o.b));
    drain(&o, df_export_end(x, &o.b));
    out_close(&o);
    df_export_free(x);
}

/* Runs a python3 check over a file; 0 when it passed. */
static int python(const char *script, const char *file)
{
    char spath[160], cmd[512];
    FILE *f;

    snprintf(spath, sizeof spath, "%s/check.py", dir);
    f = fopen(spath, "w");
    assert_non_null(f);
    fputs(script, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "python3 '%s' '%s'", spath, file);
    return system(cmd);
}

#define NEED_PYTHON()                                                    \
    do {                                                                 \
        if (!have_python) {                                              \
            print_message("python3 is absent: parse-back skipped\n");    \
            skip();                                                      \
        }                                                                \
    } while (0)

/* ---- GeoJSON ------------------------------------------------------------ */

static const char geojson_check[] =
    "import json, sys\n"
    "raw = open(sys.argv[1], 'rb').read()\n"
    "seq = raw[:1] == b'\\x1e'\n"
    "if seq:\n"
    "    recs = raw.split(b'\\x1e')\n"
    "    assert recs[0] == b''\n"
    "    assert all(r.endswith(b'\\n') and r.count(b'\\n') == 1 for r in recs[1:])\n"
    "    feats = [json.loads(r.decode('utf-8')) for r in recs[1:]]\n"
    "else:\n"
    "    doc = json.loads(raw.decode('utf-8'))\n"
    "    assert doc['type'] == 'FeatureCollection'\n"
    "    feats = doc['features']\n"
    "def pos(c):\n"
    "    return (len(c) == 2 and -180 <= c[0] <= 180 and -90 <= c[1] <= 90)\n"
    "ev = [f for f in feats if f['properties']['kind'] == 'event']\n"
    "tr = [f for f in feats if f['properties']['kind'] == 'track']\n"
    "assert len(ev) == 11, len(ev)\n"
    "e = ev[0]['properties']\n"
    "assert e['names'] == ['<b>x</b>&\"\\'', '=HYPERLINK(\"x\")'], e['names']\n"
    "assert e['evidence']['name'] == '<b>x</b>&\"\\'' and e['evidence']['o']['u'] == '\\u00e9\\n/'\n"
    "assert ev[1]['properties']['names'] == ['BAD\\ufffd\\ufffdUTF\\ufffd']\n"
    "assert ev[1]['properties']['evidence'] == {'ws': 1}\n"
    "assert ev[2]['properties']['evidence'] == {}\n"
    "for f in ev[3:10]:\n"
    "    assert list(f['properties']['evidence']) == ['unparsed'], f\n"
    "assert ev[3]['properties']['evidence']['unparsed'] == 'not json <&> \"'\n"
    "assert ev[6]['properties']['evidence']['unparsed'] == '{\"a\":\"bad \\ufffd utf\"}'\n"
    "assert ev[10]['geometry'] is None and ev[10]['properties']['score'] is None\n"
    "assert ev[10]['properties']['end'] is None\n"
    "for f in ev[:10]:\n"
    "    assert f['geometry']['type'] == 'Point' and pos(f['geometry']['coordinates'])\n"
    "    assert f['id'] == f['properties']['id']\n"
    "assert [t['properties']['mmsi'] for t in tr] == [412000001, 366000004, 366000004, 636000006, 538000005, 538000005, 538000005], [t['properties']['mmsi'] for t in tr]\n"
    "for t in tr:\n"
    "    g, p = t['geometry'], t['properties']\n"
    "    if g['type'] == 'Point':\n"
    "        assert pos(g['coordinates']) and len(p['times']) == 1\n"
    "        continue\n"
    "    parts = g['coordinates'] if g['type'] == 'MultiLineString' else [g['coordinates']]\n"
    "    tp = p['times'] if g['type'] == 'MultiLineString' else [p['times']]\n"
    "    assert len(parts) == len(tp)\n"
    "    for a, b in zip(parts, tp):\n"
    "        assert len(a) >= 2 and len(a) == len(b) and all(pos(c) for c in a)\n"
    "        assert all(abs(u[0] - v[0]) <= 180 for u, v in zip(a, a[1:]))\n"
    "assert tr[0]['properties']['name'] == '<b>x</b>&\"\\'' and tr[0]['properties']['callsign'] == 'A,B\"C'\n"
    "assert tr[0]['properties']['imo'] == 9074729 and tr[0]['properties']['score'] == 42.5\n"
    "assert tr[1]['properties']['name'] == 'C\\x01T\\x1fL\\x7f'\n"
    "a, b = tr[1]['geometry'], tr[2]['geometry']\n"
    "assert a['type'] == 'MultiLineString' and a['coordinates'] == [[[179.8, 10.0], [179.9, 10.1], [180.0, 10.15]], [[-180.0, 10.15], [-179.9, 10.2]]], a\n"
    "assert tr[1]['properties']['times'][0][2] == '2025-03-01T00:15:00Z'\n"
    "assert b['type'] == 'MultiLineString' and b['coordinates'][0][0] == [-179.9, 10.2] and b['coordinates'][-1][-1] == [179.95, 10.4], b\n"
    "assert tr[3]['properties']['name'] == 'BAD\\ufffd\\ufffdUTF\\ufffd'\n"
    "assert tr[3]['geometry'] == {'type': 'Point', 'coordinates': [18.4, -33.9]}\n"
    "parts = [t for t in tr if t['properties']['mmsi'] == 538000005]\n"
    "assert [t['properties']['part'] for t in parts] == [1, 2, 3]\n"
    "assert all(t['properties']['name'] == 'LINE1\\nLINE2' for t in parts)\n"
    "assert [len(t['geometry']['coordinates']) for t in parts] == [3, 3, 3]\n"
    "assert parts[0]['geometry']['coordinates'][-1] == parts[1]['geometry']['coordinates'][0]\n";

static void test_geojson(void **state)
{
    char path[128], *s;

    (void)state;
    write_all(DF_EXPORT_GEOJSON, "a.geojson");
    snprintf(path, sizeof path, "%s/a.geojson", dir);
    s = slurp(path);
    /* Exact six-decimal text from the wire integers. */
    assert_non_null(strstr(s, "\"coordinates\":[123.503210,38.512340]"));
    assert_non_null(strstr(s, "\"evidence\":{\"unparsed\":\"not json <&> "
                              "\\\"\"}"));
    assert_non_null(strstr(s, "{\"type\":\"FeatureCollection\",\"features\""
                              ":[\n{"));
    assert_non_null(strstr(s, "}}\n]}\n"));
    free(s);
    NEED_PYTHON();
    assert_int_equal(python(geojson_check, path), 0);
}

static void test_geojsonseq(void **state)
{
    char path[128], *s;

    (void)state;
    write_all(DF_EXPORT_GEOJSONSEQ, "a.geojsons");
    snprintf(path, sizeof path, "%s/a.geojsons", dir);
    s = slurp(path);
    assert_int_equal(s[0], 0x1e);
    assert_null(strstr(s, "FeatureCollection"));
    free(s);
    NEED_PYTHON();
    assert_int_equal(python(geojson_check, path), 0);
}

/* ---- KML ---------------------------------------------------------------- */

static const char kml_check[] =
    "import sys, xml.etree.ElementTree as ET\n"
    "K = '{http://www.opengis.net/kml/2.2}'\n"
    "GX = '{http://www.google.com/kml/ext/2.2}'\n"
    "root = ET.parse(sys.argv[1]).getroot()\n"
    "assert root.tag == K + 'kml'\n"
    "doc = root.find(K + 'Document')\n"
    "styles = {s.get('id') for s in doc.findall(K + 'Style')}\n"
    "assert 'ev-encounter' in styles and 'track' in styles\n"
    "fo = doc.findall(K + 'Folder')\n"
    "assert [f.findtext(K + 'name') for f in fo] == ['Events', 'Tracks']\n"
    "ev = fo[0].findall(K + 'Placemark')\n"
    "tr = fo[1].findall(K + 'Placemark')\n"
    "assert len(ev) == 11 and len(tr) == 7, (len(ev), len(tr))\n"
    "assert ev[0].findtext(K + 'name') == 'encounter 412000001 <b>x</b>&\"\\' / 445000002 =HYPERLINK(\"x\")'\n"
    "d = ev[0].findtext(K + 'description')\n"
    "assert '&lt;b&gt;x&lt;/b&gt;&amp;&quot;&#39;' in d and '<b>x</b>' not in d, d\n"
    "assert ev[1].findtext(K + 'name') == 'loitering 366000004 BAD\\ufffd\\ufffdUTF\\ufffd'\n"
    "for p in ev:\n"
    "    assert p.findtext(K + 'styleUrl')[1:] in styles\n"
    "    data = {x.get('name'): x.findtext(K + 'value') for x in p.iter(K + 'Data')}\n"
    "    assert 'evidence' in data and 'id' in data\n"
    "assert ev[0].find(K + 'TimeSpan').findtext(K + 'begin') == '2025-03-01T01:00:00Z'\n"
    "assert ev[0].findtext(K + 'Point/' + K + 'coordinates') == '123.503210,38.512340'\n"
    "assert ev[10].find(K + 'Point') is None\n"
    "for p in tr:\n"
    "    t = p.find(GX + 'Track')\n"
    "    w = t.findall(K + 'when')\n"
    "    c = t.findall(GX + 'coord')\n"
    "    assert len(w) == len(c) > 0\n"
    "    for x in c:\n"
    "        lon, lat, alt = map(float, x.text.split())\n"
    "        assert -180 <= lon <= 180 and -90 <= lat <= 90\n"
    "assert tr[0].findtext(K + 'name') == '412000001 <b>x</b>&\"\\''\n"
    "assert tr[1].findtext(K + 'name') == '366000004 CTL\\x7f'\n"
    "assert tr[6].findtext(K + 'name') == '538000005 LINE1\\nLINE2'\n";

static void test_kml(void **state)
{
    char path[128];

    (void)state;
    write_all(DF_EXPORT_KML, "a.kml");
    snprintf(path, sizeof path, "%s/a.kml", dir);
    NEED_PYTHON();
    assert_int_equal(python(kml_check, path), 0);
}

/* ---- CSV ---------------------------------------------------------------- */

static const char csv_events_check[] =
    "import csv, json, sys\n"
    "r = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))\n"
    "assert r[0] == ['id','type','vessel1','vessel2','start','end','lat','lon','score','evidence','vessel1_name','vessel2_name']\n"
    "assert len(r) == 12 and all(len(x) == 12 for x in r)\n"
    "e = r[1]\n"
    "assert e[2:8] == ['412000001','445000002','2025-03-01T01:00:00Z','2025-03-01T04:00:00Z','38.512340','123.503210'], e\n"
    "assert e[10] == '<b>x</b>&\"\\'' and e[11] == '\\'=HYPERLINK(\"x\")'\n"
    "assert json.loads(e[9])['name'] == '<b>x</b>&\"\\''\n"
    "assert r[4][9] == 'not json <&> \"'\n"
    "assert r[2][10] == 'BAD\\ufffd\\ufffdUTF\\ufffd'\n"
    "assert r[11][5:9] == ['', '', '', ''], r[11]\n";

static const char csv_tracks_check[] =
    "import csv, sys\n"
    "r = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))\n"
    "assert r[0] == ['MMSI','BaseDateTime','LAT','LON','SOG','COG','VesselName','IMO','CallSign']\n"
    "assert len(r) == 1 + 2 + 5 + 1 + 1 + 7, len(r)\n"
    "assert r[1] == ['412000001','2025-03-01T00:00:00','38.500000','123.500000','1.5','90.0','<b>x</b>&\"\\'','IMO9074729','A,B\"C'], r[1]\n"
    "assert r[3][4:9] == ['', '', 'C\\x01T\\x1fL\\x7f', '', '\\'@CALL'], r[3]\n"
    "assert r[9][2:4] == ['', ''] and r[9][6] == '\\'=HYPERLINK(\"x\")' and r[9][8] == '\\'+1', r[9]\n"
    "assert r[10][6] == 'LINE1\\nLINE2' and r[10][1] == '2025-03-01T00:00:00'\n";

static void test_csv(void **state)
{
    char pe[128], pt[128], *s;

    (void)state;
    write_all(DF_EXPORT_CSV_EVENTS, "events.csv");
    write_all(DF_EXPORT_CSV_TRACKS, "tracks.csv");
    snprintf(pe, sizeof pe, "%s/events.csv", dir);
    snprintf(pt, sizeof pt, "%s/tracks.csv", dir);
    s = slurp(pt);
    /* The formula guard and quoting, as written. */
    assert_non_null(strstr(s, ",\"'=HYPERLINK(\"\"x\"\")\",,'+1\n"));
    free(s);
    NEED_PYTHON();
    assert_int_equal(python(csv_events_check, pe), 0);
    assert_int_equal(python(csv_tracks_check, pt), 0);
}

/* ---- the call order ------------------------------------------------------ */

static void test_order(void **state)
{
    struct df_export_opts opts;
    struct df_export *x;
    struct df_buf b = {0};
    struct df_event ev;
    struct df_vessel v;
    struct df_point p;

    (void)state;
    memset(&opts, 0, sizeof opts);
    memset(&p, 0, sizeof p);
    event(&ev, DF_EV_GAP, 1, 0, 1, 1, "{}");
    vessel(&v, 1, "A", "", 0);

    opts.format = (enum df_export_format)99;
    assert_null(df_export_new(&opts));
    assert_null(df_export_new(NULL));
    df_export_free(NULL);

    opts.format = DF_EXPORT_KML;
    x = df_export_new(&opts);
    assert_non_null(x);
    assert_int_equal(df_export_event(x, &b, 1, &ev), DF_INVAL);
    assert_int_equal(df_export_begin(x, &b), DF_OK);
    assert_int_equal(df_export_begin(x, &b), DF_INVAL);
    assert_int_equal(df_export_track_point(x, &b, &p), DF_INVAL);
    assert_int_equal(df_export_track_end(x, &b), DF_INVAL);
    assert_int_equal(df_export_track_begin(x, &b, &v, 0), DF_OK);
    assert_int_equal(df_export_track_begin(x, &b, &v, 0), DF_INVAL);
    assert_int_equal(df_export_end(x, &b), DF_INVAL);
    assert_int_equal(df_export_track_end(x, &b), DF_OK);
    /* Events come before tracks. */
    assert_int_equal(df_export_event(x, &b, 1, &ev), DF_INVAL);
    assert_int_equal(df_export_end(x, &b), DF_OK);
    assert_int_equal(df_export_end(x, &b), DF_INVAL);
    df_export_free(x);

    opts.format = DF_EXPORT_CSV_TRACKS;
    x = df_export_new(&opts);
    assert_int_equal(df_export_begin(x, &b), DF_OK);
    assert_int_equal(df_export_event(x, &b, 1, &ev), DF_INVAL);
    df_export_free(x);

    opts.format = DF_EXPORT_CSV_EVENTS;
    x = df_export_new(&opts);
    assert_int_equal(df_export_begin(x, &b), DF_OK);
    assert_int_equal(df_export_track_begin(x, &b, &v, 0), DF_INVAL);
    df_export_free(x);

    /* An empty collection is still one. */
    opts.format = DF_EXPORT_GEOJSON;
    x = df_export_new(&opts);
    b.len = 0;
    assert_int_equal(df_export_begin(x, &b), DF_OK);
    assert_int_equal(df_export_end(x, &b), DF_OK);
    assert_string_equal(b.data,
                        "{\"type\":\"FeatureCollection\",\"features\":[\n]}\n");
    df_export_free(x);
    df_buf_free(&b);
}

/* ---- setup ---------------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/df_test_export_XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    have_python = system("python3 -c pass > /dev/null 2>&1") == 0;
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geojson),
        cmocka_unit_test(test_geojsonseq),
        cmocka_unit_test(test_kml),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_order),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
