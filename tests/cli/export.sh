#!/usr/bin/env bash
# darkfleet export: a small store (made here with python3's sqlite3, on
# the schema that src/store.c creates) holding hostile names, an invalid
# evidence text, an event without a position, a track across the
# antimeridian and a long track, written as GeoJSON, GeoJSONSeq, KML and
# CSV, and each parsed back by its format's rules: json, RS-separated
# json, xml.etree with the KML and gx namespaces, csv.  Strings must come
# back byte-exact (CSV: behind the formula guard), counts must equal the
# rows, positions must be valid [lon, lat].  ogrinfo, when installed,
# opens the GeoJSON and KML too.
set -u
: "${DF:?} ${DF_SRC:?}"
command -v python3 > /dev/null || { echo "skip: python3 is absent"; exit 77; }
"$DF" export --help > /dev/null 2>&1 ||
    { echo "skip: '$DF export' is not available"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
t() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
# Runs a python check that prints "ok NAME" / "FAIL NAME" lines.
py() {
    local line
    while IFS= read -r line; do
        case $line in
        "ok "*) ok "${line#ok }" ;;
        "FAIL "*) bad "${line#FAIL }" ;;
        *) echo "     $line" ;;
        esac
    done < <(python3 "$tmp/check.py" "$@" 2>&1 || echo "FAIL check.py $1 crashed")
}

# ---- the store ------------------------------------------------------------
python3 - "$DF_SRC/src/store.c" "$tmp/t.db" <<'PY' || { echo "FAIL building the store"; exit 1; }
import re, sqlite3, sys
src = open(sys.argv[1]).read()
# The schema: every string literal of the migrations table, joined.
block = src[src.index("migrations[SCHEMA_VERSION]"):]
block = block[:block.index("};")]
schema = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))
appid = int(re.search(r"#define APPLICATION_ID (0x[0-9A-Fa-f]+)", src).group(1), 16)
version = int(re.search(r"#define SCHEMA_VERSION (\d+)", src).group(1))
db = sqlite3.connect(sys.argv[2])
db.executescript(schema)
db.execute("PRAGMA user_version = %d" % version)
db.execute("PRAGMA application_id = %d" % appid)

H1 = '<b>x</b>&"\''
H2 = '=HYPERLINK("http://x")'
H3 = 'LINE1\nLINE2'
H4 = '\u00c5LESUND \u2713 ]]>'
def iso(h, m=0):
    return "2025-03-01T%02d:%02d:00.000Z" % (h, m)
vessels = [  # mmsi, flag, [(first, last, imo, name, callsign)]
    (412000001, "CN", [(iso(0), iso(5), 9074729, H1, "A,B\"C")]),
    (445000002, "KP", [(iso(0), iso(5), 0, H2, "+CALL")]),
    (273000003, "RU", [(iso(0), iso(2), 0, H3, "@X")]),
    (366000004, "US", [(iso(0), iso(3), 0, H4, "")]),
    (538000005, "MH", [(iso(0), iso(1), 0, "OLD NAME", "V7AA"),
                       (iso(1, 30), iso(3), 9321483, "NEW NAME", "V7BB")]),
    (636000006, "LR", [(iso(0), iso(0), 0, "LONE", "")]),
    (229000007, "MT", [(iso(0), iso(0), 0, "BIG", "")]),
]
for mmsi, flag, ids in vessels:
    db.execute("INSERT INTO vessels(mmsi, mid, flag, first_seen, last_seen,"
               " positions) VALUES(?,?,?,?,?,?)",
               (mmsi, mmsi // 1000000, flag, ids[0][0], ids[-1][1], 10))
    for f, l, imo, name, cs in ids:
        db.execute("INSERT INTO identities(mmsi, first_seen, last_seen, imo,"
                   " name, callsign) VALUES(?,?,?,?,?,?)",
                   (mmsi, f, l, imo, name, cs))
ev_good = ('{"name":"<b>x</b>&\\"\'","formula":"=HYPERLINK(\\"http://x\\")","nested":'
           '{"a":[1,2.5e3,-0.5,null,true,false],"u":"\\u00e9\\n"}}')
events = [  # type, v1, v2, start, end, lat, lon, score, evidence
    ("encounter", 412000001, 445000002, iso(1), iso(4), 38.51234, 123.50321,
     0.9, ev_good),
    ("gap", 273000003, None, iso(0, 30), iso(2), -12.25, -45.125, 0.5,
     '{"hours":1.5}'),
    ("spoofing", 366000004, None, iso(1), iso(1, 10), 10.0, 179.95, None,
     'not json <&> "'),
    ("identity_change", 538000005, None, iso(1, 30), iso(1, 30), None, None,
     0.25, '{"from":"OLD NAME","to":"NEW NAME"}'),
    ("loitering", 445000002, None, iso(2), iso(5), -89.999995, -179.999995,
     0.0, '{}'),
]
for e in events:
    db.execute("INSERT INTO events(type, vessel1, vessel2, start, end, lat,"
               " lon, score, evidence) VALUES(?,?,?,?,?,?,?,?,?)", e)
pts = []
for i in range(5):
    pts.append((412000001, iso(1, i * 10), 38.5 + i * 0.001, 123.5, 1.5, 90.0))
    pts.append((445000002, iso(1, i * 10), 38.5 + i * 0.001, 123.5005, None, None))
for i in range(3):
    pts.append((273000003, iso(0, i * 10), -12.0 - i * 0.1, -45.0, 10.0, 180.0))
pts.append((273000003, iso(0, 40), None, None, None, None))  # no position
for i, lon in enumerate([179.8, 179.9, -179.9, -179.8, 179.95]):
    pts.append((366000004, iso(1, i * 10), 10.0 + i * 0.1, lon, 12.0, 90.0))
for h, m in [(0, 30), (1, 0), (2, 0), (2, 30)]:
    pts.append((538000005, iso(h, m), 5.0 + h, 100.0 + m / 60.0, 8.0, 45.0))
pts.append((636000006, iso(0, 5), 0.0, 0.0, 0.0, 0.0))
for i in range(20000):  # about 3 MB of GeoJSON: several flushes
    pts.append((229000007, "2025-03-%02dT%02d:%02d:%02d.000Z" %
                (1 + i // 8640, i // 360 % 24, i // 6 % 60, i % 6 * 10),
                35.0 + i * 1e-5, 14.0 + i * 1e-5, 11.0, 123.4))
db.executemany("INSERT INTO track_points(mmsi, t, lat, lon, speed, course)"
               " VALUES(?,?,?,?,?,?)", pts)
db.commit()
PY

# ---- the checks, by format ------------------------------------------------
cat > "$tmp/check.py" <<'PY'
import csv, json, math, re, sqlite3, sys
import xml.etree.ElementTree as ET

mode, path, dbpath = sys.argv[1], sys.argv[2], sys.argv[3]
only = int(sys.argv[4]) if len(sys.argv) > 4 else 0
db = sqlite3.connect(dbpath)
H1 = '<b>x</b>&"\''
H2 = '=HYPERLINK("http://x")'
H3 = 'LINE1\nLINE2'
H4 = '\u00c5LESUND \u2713 ]]>'
N2 = H2[:20]  # struct df_identity keeps an AIS name's 20 characters

def check(name, cond):
    print(("ok " if cond else "FAIL ") + name)

def rows(sql, *a):
    return db.execute(sql, a).fetchall()

ev_where = " WHERE vessel1=? OR vessel2=?" if only else ""
ev_args = (only, only) if only else ()
events = rows("SELECT id,type,vessel1,vessel2,start,end,lat,lon,score,"
              "evidence FROM events" + ev_where, *ev_args)
tracked = [m for (m,) in rows(
    "SELECT DISTINCT mmsi FROM track_points WHERE lat IS NOT NULL" +
    (" AND mmsi=?" if only else ""), *((only,) if only else ()))]
names = {}
for m, n in rows("SELECT mmsi, name FROM identities ORDER BY last_seen"):
    names[m] = n[:20]

def z(t):  # the store's ISO time as written by export
    return t.replace(".000Z", "Z") if t else None

def pos_ok(c):
    return (isinstance(c, list) and len(c) == 2 and
            all(isinstance(v, (int, float)) for v in c) and
            -180 <= c[0] <= 180 and -90 <= c[1] <= 90)

def check_features(feats, tag):
    evs = [f for f in feats if f["properties"]["kind"] == "event"]
    trs = [f for f in feats if f["properties"]["kind"] == "track"]
    check(tag + ": every feature is a Feature with properties",
          all(f["type"] == "Feature" and isinstance(f["properties"], dict)
              for f in feats))
    check(tag + ": one Point feature per event row (%d)" % len(events),
          len(evs) == len(events))
    check(tag + ": one track feature per vessel with positions (%d)" %
          len(tracked), sorted(f["properties"]["mmsi"] for f in trs) ==
          sorted(tracked))
    byid = {f["properties"]["id"]: f for f in evs}
    good = True
    for (i, ty, v1, v2, st, en, lat, lon, sc, evi) in events:
        f = byid.get(i)
        if not f:
            good = False; continue
        p = f["properties"]
        g = f["geometry"]
        if lat is None:
            good &= g is None
        else:
            good &= (g["type"] == "Point" and pos_ok(g["coordinates"]) and
                     abs(g["coordinates"][0] - lon) < 1e-6 and
                     abs(g["coordinates"][1] - lat) < 1e-6)
        good &= f["id"] == i and p["type"] == ty
        good &= p["vessels"] == ([v1, v2] if v2 else [v1])
        good &= p["names"] == [names.get(v) for v in p["vessels"]]
        good &= p["start"] == z(st) and p["end"] == z(en)
        good &= (p["score"] is None) if sc is None else abs(p["score"] - sc) < 1e-9
        try:
            want = json.loads(evi)
        except ValueError:
            want = {"unparsed": evi}
        good &= p["evidence"] == want
    check(tag + ": event geometry, times, score, names, evidence as stored",
          good)
    good = True
    for f in trs:
        g, p = f["geometry"], f["properties"]
        if g["type"] == "Point":
            good &= pos_ok(g["coordinates"]) and len(p["times"]) == 1
            continue
        parts = g["coordinates"] if g["type"] == "MultiLineString" else [g["coordinates"]]
        tparts = p["times"] if g["type"] == "MultiLineString" else [p["times"]]
        good &= len(parts) == len(tparts)
        for part, tp in zip(parts, tparts):
            good &= len(part) >= 2 and len(part) == len(tp)
            good &= all(pos_ok(c) for c in part)
            good &= all(abs(a[0] - b[0]) <= 180 for a, b in zip(part, part[1:]))
        good &= p["name"] == names[p["mmsi"]]
    check(tag + ": track lines valid, times aligned, no segment spans > 180 deg",
          good)
    am = [f for f in trs if f["properties"]["mmsi"] == 366000004]
    if am:
        g = am[0]["geometry"]
        check(tag + ": antimeridian track cut into a MultiLineString on +-180",
              g["type"] == "MultiLineString" and len(g["coordinates"]) == 3 and
              g["coordinates"][0][-1][0] == 180 and
              g["coordinates"][1][0][0] == -180 and
              g["coordinates"][1][-1][0] == -180 and
              g["coordinates"][2][0][0] == 180 and
              abs(g["coordinates"][0][-1][1] - 10.15) < 1e-6)
    big = [f for f in trs if f["properties"]["mmsi"] == 229000007]
    if big:
        p = big[0]["properties"]
        check(tag + ": long track whole (20000 points, first/last times)",
              len(big[0]["geometry"]["coordinates"]) == 20000 and
              p["points"] == 20000 and p["first"] == "2025-03-01T00:00:00Z")
    h = [f for f in evs if f["properties"]["vessels"][0] == 412000001]
    if h:
        check(tag + ": hostile names and evidence strings round-trip",
              h[0]["properties"]["names"] == [H1, N2] and
              h[0]["properties"]["evidence"]["name"] == H1 and
              h[0]["properties"]["evidence"]["formula"] == H2)
    lt = [f for f in feats if f["properties"].get("type") == "loitering"]
    if lt:
        check(tag + ": six decimals, no rounding past the poles",
              lt[0]["geometry"]["coordinates"] == [-179.999995, -89.999995])

if mode == "geojson":
    raw = open(path, "rb").read()
    doc = json.loads(raw.decode("utf-8"))
    check("geojson: a FeatureCollection", doc.get("type") == "FeatureCollection")
    check_features(doc["features"], "geojson")
elif mode == "geojsonseq":
    raw = open(path, "rb").read()
    recs = raw.split(b"\x1e")
    check("geojsonseq: starts with RS, every record ends with LF",
          recs[0] == b"" and all(r.endswith(b"\n") and r.count(b"\n") == 1
                                 for r in recs[1:]))
    feats = [json.loads(r.decode("utf-8")) for r in recs[1:]]
    check_features(feats, "geojsonseq")
    other = json.loads(open(sys.argv[5], encoding="utf-8").read())["features"]
    check("geojsonseq: the same features as geojson", feats == other)
elif mode == "kml":
    K = "{http://www.opengis.net/kml/2.2}"
    GX = "{http://www.google.com/kml/ext/2.2}"
    root = ET.parse(path).getroot()
    check("kml: root kml in the KML 2.2 namespace", root.tag == K + "kml")
    doc = root.find(K + "Document")
    folders = {f.findtext(K + "name"): f for f in doc.findall(K + "Folder")}
    check("kml: folders Events and Tracks",
          sorted(folders) == ["Events", "Tracks"])
    styles = {s.get("id") for s in doc.findall(K + "Style")}
    epm = folders["Events"].findall(K + "Placemark")
    tpm = folders["Tracks"].findall(K + "Placemark")
    check("kml: one Placemark per event (%d)" % len(events), len(epm) == len(events))
    check("kml: one Placemark per track (%d)" % len(tracked), len(tpm) == len(tracked))
    good = True
    for pm in epm:
        su = pm.findtext(K + "styleUrl")
        good &= su is not None and su[1:] in styles
        data = {d.get("name"): d.findtext(K + "value")
                for d in pm.iter(K + "Data")}
        r = [e for e in events if e[0] == int(data["id"])][0]
        good &= data["type"] == r[1] and data["evidence"] == r[9]
        ts = pm.find(K + "TimeSpan")
        good &= ts.findtext(K + "begin") == z(r[4]) and ts.findtext(K + "end") == z(r[5])
        c = pm.findtext(K + "Point/" + K + "coordinates")
        if r[6] is None:
            good &= c is None
        else:
            lon, lat = map(float, c.split(","))
            good &= abs(lon - r[7]) < 1e-6 and abs(lat - r[6]) < 1e-6
    check("kml: events styled, TimeSpan, ExtendedData and Point as stored", good)
    h = [pm for pm in epm if "412000001" in pm.findtext(K + "name")]
    if h:
        d = h[0].findtext(K + "description")
        check("kml: hostile name exact in <name>",
              h[0].findtext(K + "name") == "encounter 412000001 " + H1 +
              " / 445000002 " + N2)
        check("kml: description HTML-escapes the name (no markup injected)",
              "&lt;b&gt;x&lt;/b&gt;&amp;&quot;&#39;" in d and "<b>x</b>&" not in d)
    good = True
    for pm in tpm:
        tr = pm.find(GX + "Track")
        whens = [w.text for w in tr.findall(K + "when")]
        coords = [c.text.split() for c in tr.findall(GX + "coord")]
        good &= len(whens) == len(coords) > 0
        good &= all(-180 <= float(c[0]) <= 180 and -90 <= float(c[1]) <= 90
                    for c in coords)
        good &= all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", w)
                    for w in whens)
    check("kml: gx:Track with as many <when> as <gx:coord>, valid", good)
    nm = {pm.findtext(K + "ExtendedData/" + K + "Data[@name='mmsi']/" + K + "value"):
          pm.findtext(K + "ExtendedData/" + K + "Data[@name='name']/" + K + "value")
          for pm in tpm}
    check("kml: hostile track names exact (markup, quotes, newline, ]]>)",
          nm.get("412000001") == H1 and nm.get("273000003") == H3 and
          nm.get("366000004") == H4)
elif mode == "csv-events":
    with open(path, newline="", encoding="utf-8") as f:
        r = list(csv.reader(f))
    check("csv events: header", r[0] == ["id", "type", "vessel1", "vessel2",
          "start", "end", "lat", "lon", "score", "evidence", "vessel1_name",
          "vessel2_name"])
    check("csv events: one row per event (%d)" % len(events), len(r) - 1 == len(events))
    got = {int(x[0]): x for x in r[1:]}
    good = all(len(x) == 12 for x in r)
    for (i, ty, v1, v2, st, en, lat, lon, sc, evi) in events:
        x = got[i]
        good &= x[1] == ty and x[2] == str(v1) and x[3] == (str(v2) if v2 else "")
        good &= x[4] == z(st) and x[5] == z(en) and x[9] == evi
        good &= (x[6] == x[7] == "") if lat is None else (
            abs(float(x[6]) - lat) < 1e-6 and abs(float(x[7]) - lon) < 1e-6)
        good &= (x[8] == "") if sc is None else abs(float(x[8]) - sc) < 1e-9
    check("csv events: fields as stored, evidence byte-exact in one field", good)
    e = [x for x in r[1:] if x[2] == "412000001"][0]
    check("csv events: hostile name byte-exact", e[10] == H1)
    check("csv events: formula guard on =HYPERLINK", e[11] == "'" + N2)
    check("csv events: the evidence field holds the full =HYPERLINK text",
          json.loads(e[9])["formula"] == H2)
elif mode == "csv-tracks":
    with open(path, newline="", encoding="utf-8") as f:
        r = list(csv.reader(f))
    check("csv tracks: MarineCadastre header", r[0] == ["MMSI", "BaseDateTime",
          "LAT", "LON", "SOG", "COG", "VesselName", "IMO", "CallSign"])
    n = rows("SELECT count(*) FROM track_points")[0][0]
    check("csv tracks: one row per stored point (%d)" % n, len(r) - 1 == n)
    check("csv tracks: BaseDateTime like 2020-01-01T00:00:00",
          all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", x[1]) for x in r[1:]))
    by = {}
    for x in r[1:]:
        by.setdefault(x[0], []).append(x)
    check("csv tracks: names byte-exact (markup, newline, unicode)",
          by["412000001"][0][6] == H1 and by["273000003"][0][6] == H3 and
          by["366000004"][0][6] == H4)
    check("csv tracks: formula guard on name and call sign",
          by["445000002"][0][6] == "'" + N2 and by["445000002"][0][8] == "'+CALL"
          and by["273000003"][0][8] == "'@X")
    check("csv tracks: call sign with comma and quote exact",
          by["412000001"][0][8] == 'A,B"C')
    check("csv tracks: IMO as IMO9074729, SOG/COG, empty when not available",
          by["412000001"][0][7] == "IMO9074729" and by["412000001"][0][4] == "1.5"
          and by["412000001"][0][5] == "90.0" and by["445000002"][0][4] == ""
          and by["445000002"][0][5] == "" and by["273000003"][0][7] == "")
    nopos = [x for x in by["273000003"] if x[2] == ""]
    check("csv tracks: a point without a position has empty LAT/LON",
          len(nopos) == 1 and nopos[0][3] == "")
    s = by["538000005"]
    check("csv tracks: the name in use at each time",
          [x[6] for x in s] == ["OLD NAME", "OLD NAME", "NEW NAME", "NEW NAME"]
          and s[2][7] == "IMO9321483")
PY

db="$tmp/t.db"

# ---- GeoJSON and GeoJSONSeq ------------------------------------------------
"$DF" export --db "$db" --format geojson > "$tmp/all.geojson" 2> "$tmp/err"; rc=$?
t "geojson: exit 0, nothing on stderr" '[ $rc -eq 0 ] && [ ! -s "$tmp/err" ]'
py geojson "$tmp/all.geojson" "$db"
"$DF" export --db "$db" --format geojsonseq > "$tmp/all.geojsons"; rc=$?
t "geojsonseq: exit 0" '[ $rc -eq 0 ]'
py geojsonseq "$tmp/all.geojsons" "$db" 0 "$tmp/all.geojson"

# ---- KML ----------------------------------------------------------------------
"$DF" export --db "$db" --format kml -o "$tmp/all.kml" > "$tmp/out" 2> "$tmp/err"; rc=$?
t "kml -o: exit 0, file written, standard output empty" \
  '[ $rc -eq 0 ] && [ -s "$tmp/all.kml" ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]'
py kml "$tmp/all.kml" "$db"

# ---- CSV ----------------------------------------------------------------------
"$DF" export --db "$db" --format csv > "$tmp/events.csv"; rc=$?
t "csv: exit 0 (events by default)" '[ $rc -eq 0 ]'
py csv-events "$tmp/events.csv" "$db"
"$DF" export --db "$db" --format=csv --what=tracks > "$tmp/tracks.csv"; rc=$?
t "csv tracks: exit 0" '[ $rc -eq 0 ]'
py csv-tracks "$tmp/tracks.csv" "$db"

# ---- --what and --mmsi ----------------------------------------------------------
"$DF" export --db "$db" -f geojson --mmsi 412000001 > "$tmp/one.geojson"; rc=$?
t "--mmsi: exit 0" '[ $rc -eq 0 ]'
py geojson "$tmp/one.geojson" "$db" 412000001
"$DF" export --db "$db" --format geojson --what events > "$tmp/ev.geojson"
t "--what events: no track features" 'python3 -c "
import json,sys
f=json.load(open(sys.argv[1]))[\"features\"]
assert f and all(x[\"properties\"][\"kind\"]==\"event\" for x in f)" "$tmp/ev.geojson"'
"$DF" export --db "$db" --format kml --what tracks > "$tmp/tr.kml"
t "--what tracks (kml): only a Tracks folder" 'python3 -c "
import sys, xml.etree.ElementTree as ET
K=\"{http://www.opengis.net/kml/2.2}\"
d=ET.parse(sys.argv[1]).getroot().find(K+\"Document\")
assert [f.findtext(K+\"name\") for f in d.findall(K+\"Folder\")]==[\"Tracks\"]" "$tmp/tr.kml"'

# ---- an empty store ---------------------------------------------------------
python3 - "$db" "$tmp/empty.db" <<'PY'
import sqlite3, sys
src = sqlite3.connect(sys.argv[1])
dst = sqlite3.connect(sys.argv[2])
# Virtual tables (schema 5's R*Tree and FTS5) make their own shadow tables.
virt = [n for (n,) in src.execute("SELECT name FROM sqlite_schema WHERE"
                                  " sql LIKE 'CREATE VIRTUAL TABLE%'")]
for (name, sql) in src.execute("SELECT name, sql FROM sqlite_schema"
                               " WHERE sql IS NOT NULL"):
    if not any(name.startswith(v + "_") for v in virt):
        dst.execute(sql)
for p in ("user_version", "application_id"):
    dst.execute("PRAGMA %s = %d" % (p, src.execute("PRAGMA " + p).fetchone()[0]))
dst.commit()
PY
for f in geojson kml; do
    "$DF" export --db "$tmp/empty.db" --format $f > "$tmp/empty.$f"; rc=$?
    t "empty store, $f: exit 0 and parses" '[ $rc -eq 0 ] && python3 -c "
import json,sys,xml.etree.ElementTree as ET
p=sys.argv[1]
if p.endswith(\"kml\"): ET.parse(p)
else: assert json.load(open(p))[\"features\"]==[]" "$tmp/empty.$f"'
done

# ---- errors: one line, exit 1 (data) or 2 (command line) ------------------------
err1() {  # name, expected exit, command...
    local name=$1 want=$2; shift 2
    "$@" > "$tmp/eout" 2> "$tmp/eerr"; rc=$?
    t "$name: exit $want, one error line, no output" \
      '[ $rc -eq $want ] && [ "$(wc -l < "$tmp/eerr")" -eq 1 ] && [ ! -s "$tmp/eout" ]'
}
err1 "missing database" 1 "$DF" export --db "$tmp/nope.db" --format geojson
printf 'not a database at all, just text\n' > "$tmp/junk.db"
err1 "not a database" 1 "$DF" export --db "$tmp/junk.db" --format kml
err1 "unknown format" 2 "$DF" export --db "$db" --format shp
err1 "no format" 2 "$DF" export --db "$db"
err1 "bad --what" 2 "$DF" export --db "$db" --format kml --what ships
err1 "csv --what all" 2 "$DF" export --db "$db" --format csv --what all
err1 "bad --mmsi" 2 "$DF" export --db "$db" --format kml --mmsi 12x
err1 "unknown option" 2 "$DF" export --db "$db" --format kml --bogus
err1 "--db without a value" 2 "$DF" export --format kml --db
"$DF" export --db "$tmp/nope.db" --format kml -o "$tmp/none.kml" 2> /dev/null
t "missing database: no -o file left behind" '[ ! -e "$tmp/none.kml" ]'

# ---- GDAL as an oracle, when it happens to be installed -------------------------
if command -v ogrinfo > /dev/null; then
    t "ogrinfo opens the GeoJSON (events + tracks)" \
      'ogrinfo -ro -al -so "$tmp/all.geojson" > "$tmp/ogr1" 2>&1 && grep -q "Feature Count: $(python3 -c "import json,sys;print(len(json.load(open(sys.argv[1]))[\"features\"]))" "$tmp/all.geojson")" "$tmp/ogr1"'
    t "ogrinfo opens the GeoJSONSeq" 'ogrinfo -ro -al -so "$tmp/all.geojsons" > /dev/null 2>&1'
    t "ogrinfo opens the KML (Events and Tracks layers)" \
      'ogrinfo -ro "$tmp/all.kml" > "$tmp/ogr2" 2>&1 && grep -q Events "$tmp/ogr2" && grep -q Tracks "$tmp/ogr2"'
else
    echo "note: ogrinfo (gdal-bin) is not installed; GDAL checks skipped"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
