#!/usr/bin/env bash
# scan.sh - `darkfleet scan` end to end: an NMEA file and a MarineCadastre
# CSV (the Delaware Bay subset) scan with exit 0; every line on standard
# output is a JSON event in DESIGN.md's format; the database has vessels,
# identities and track points, schema version 2; scanning the same input
# again adds no row; --no-db writes no file and prints the same events;
# risk and screening on a CSV written here (two ships meeting at sea, one
# of them CHON MA SAN, IMO 8660313, MMSI 445...) with an OFAC-style
# sdn.csv: a watchlist_match by IMO, the encounter, the listed DPRK ship
# ranked first with its listing, flag and encounter reasons, its partner
# credited for meeting a listed vessel, the same scores after a second
# scan; without --watchlist the DPRK flag alone ties them; a missing or
# unknown list exits 1 with one line naming it;
# --config, --set and --help; and the error paths: a bad option or value
# exits 2, a missing zones, ports or config file exits 1 with one line
# naming it, an unwritable database exits 1.
#
# Environment (set by CTest): DF = the darkfleet binary, DF_DATA = the
# shared test data.  Exit 77 = skipped.  Last line: "N passed, M failed".
set -u

DF=${DF:-}
DF_DATA=${DF_DATA:-}
NMEA=$DF_DATA/nmea/gpsd/sample.aivdm
CSV=$DF_DATA/csv/marinecadastre_2020-01-01/subset_delaware_bay_2020-01-01.csv
TIMEOUT=300

if [ -z "$DF" ] || [ ! -x "$DF" ]; then
    echo "skip: DF is not set to the darkfleet binary"
    exit 77
fi
if [ ! -f "$NMEA" ] || [ ! -f "$CSV" ]; then
    echo "skip: test data not found (DF_DATA=$DF_DATA)"
    exit 77
fi
if ! command -v python3 >/dev/null; then
    echo "skip: python3 not found"
    exit 77
fi
case $DF in /*) ;; *) DF=$PWD/$DF ;; esac

T=$(mktemp -d "${TMPDIR:-/tmp}/df_scan.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}

# scan NAME ARGS...: runs `darkfleet scan ARGS` in $T; leaves $T/NAME.out,
# $T/NAME.err and RC.
scan() {
    local name=$1
    shift
    (cd "$T" && timeout $TIMEOUT "$DF" scan "$@" >"$T/$name.out" \
        2>"$T/$name.err")
    RC=$?
}

# Every line of a file is one JSON event with the keys of DESIGN.md.
valid_events() {
    python3 - "$1" <<'EOF'
import json, sys
types = {"encounter", "loitering", "gap", "draught_change", "spoofing",
         "mmsi_collision", "identity_change", "invalid_identity",
         "zone_entry", "port_call", "watchlist_match"}
keys = ["type", "vessels", "start", "end", "lat", "lon", "score", "evidence"]
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    n += 1
    ev = json.loads(line)
    assert list(ev)[:len(keys)] == keys, line
    assert ev["type"] in types, line
    assert 1 <= len(ev["vessels"]) <= 2, line
    assert all(isinstance(v, int) for v in ev["vessels"]), line
    for k in ("start", "end"):
        assert ev[k] is None or (isinstance(ev[k], str) and
                                 ev[k].endswith("Z")), line
    assert ev["lat"] is None or -90 <= ev["lat"] <= 90, line
    assert ev["lon"] is None or -180 <= ev["lon"] <= 180, line
    assert isinstance(ev["evidence"], dict), line
EOF
}

# Row counts of every table, one line: "vessels=N identities=N ...".
counts() {
    python3 - "$1" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(" ".join("%s=%d" % (t, db.execute("SELECT count(*) FROM " + t)
                          .fetchone()[0])
               for t in ("vessels", "identities", "events", "track_points")))
EOF
}

# db_has DB TABLE: the table has at least one row.
db_has() {
    python3 - "$1" "$2" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
sys.exit(0 if db.execute("SELECT count(*) FROM " + sys.argv[2])
         .fetchone()[0] > 0 else 1)
EOF
}

# schema_ok DB: user_version 5, WAL, meta says schema 5, events in the
# database equal the events printed.
schema_ok() {
    python3 - "$1" "$2" <<'EOF'
import json, sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
assert db.execute("PRAGMA user_version").fetchone()[0] == 5
assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
meta = dict(db.execute("SELECT key, value FROM meta"))
assert meta["schema_version"] == "5", meta
printed = {(e["type"], e["vessels"][0],
            e["vessels"][1] if len(e["vessels"]) > 1 else None)
           for e in map(json.loads, open(sys.argv[2]))}
stored = set(db.execute("SELECT type, vessel1, vessel2 FROM events"))
assert printed == stored, (len(printed), len(stored))
for (ev,) in db.execute("SELECT evidence FROM events"):
    assert isinstance(json.loads(ev), dict)
EOF
}

one_line() { [ "$(wc -l <"$1")" -eq 1 ]; }

# ---- NMEA ----------------------------------------------------------------
scan nmea --db nmea.db "$NMEA"
check "NMEA: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "NMEA: events are JSON lines" valid_events "$T/nmea.out"
check "NMEA: vessels stored" db_has "$T/nmea.db" vessels
check "NMEA: identities stored" db_has "$T/nmea.db" identities
check "NMEA: schema and events" schema_ok "$T/nmea.db" "$T/nmea.out"

# ---- CSV, twice ------------------------------------------------------------
scan csv --stats "$CSV"
check "CSV: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "CSV: default database darkfleet.db" [ -f "$T/darkfleet.db" ]
check "CSV: events are JSON lines" valid_events "$T/csv.out"
check "CSV: vessels stored" db_has "$T/darkfleet.db" vessels
check "CSV: identities stored" db_has "$T/darkfleet.db" identities
check "CSV: track points stored" db_has "$T/darkfleet.db" track_points
check "CSV: schema and events" schema_ok "$T/darkfleet.db" "$T/csv.out"
check "CSV: --stats counts records" grep -q "records" "$T/csv.err"
first=$(counts "$T/darkfleet.db")
# The same file again: the store's state has read it, so it is skipped.
scan csv2 --stats "$CSV"
second=$(counts "$T/darkfleet.db")
check "CSV again: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "CSV again: the input is skipped" \
    grep -Eq "^ +1  skip_input_done" "$T/csv2.err"
check "CSV again: no new rows ($first / $second)" [ "$first" = "$second" ]
# --fresh: read again from nothing, the same events; upserts add no row.
scan csv3 --fresh "$CSV"
third=$(counts "$T/darkfleet.db")
check "CSV --fresh: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "CSV --fresh: same events printed" cmp -s "$T/csv.out" "$T/csv3.out"
check "CSV --fresh: no new rows ($first / $third)" [ "$first" = "$third" ]

# ---- risk and screening ------------------------------------------------------
# Two ships 55 m apart at 31.0N 124.5E (East China Sea, the reported STS
# area) for 4 h at 0.3 kn; one is CHON MA SAN, IMO 8660313, MMSI 445123456.
python3 - "$T/meet.csv" <<'EOF'
import datetime, sys
t0 = datetime.datetime(2025, 3, 1)
rows = ["MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,"
        "VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass"]
for i in range(4 * 12 + 1):
    t = (t0 + datetime.timedelta(minutes=5 * i)).strftime("%Y-%m-%dT%H:%M:%S")
    lon = 124.5 + 0.0001 * i
    rows.append("445123456,%s,31.00000,%.5f,0.3,90.0,90,CHON MA SAN,"
                "IMO8660313,HMCS,80,0,110,18,7.5,,A" % (t, lon))
    rows.append("412345678,%s,31.00050,%.5f,0.3,90.0,90,HAI XING 8,,BVXY,"
                "80,0,120,20,6.0,,A" % (t, lon))
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
EOF
# OFAC's legacy SDN CSV: no header, -0- for null, IMO in Remarks.
cat >"$T/sdn.csv" <<'EOF'
36001,"CHON MA SAN","vessel","DPRK3",-0-,"HMCS","Oil Tanker",-0-,"2000","Korea, North","KOREA CHONMASAN SHIPPING","Vessel Registration Identification IMO 8660313; Linked To: KOREA CHONMASAN SHIPPING."
36002,"SOMEONE ELSE","individual","DPRK3",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-
EOF

# risk_dump DB: every score and reason, sorted, one per line.
risk_dump() {
    python3 - "$1" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for row in db.execute("SELECT mmsi, score FROM risk ORDER BY mmsi"):
    print("risk", *row)
for row in db.execute("SELECT mmsi, points, event_type, event_id, text "
                      "FROM reasons ORDER BY mmsi, text"):
    print("reason", *row)
EOF
}

# watch_ok OUT DB: the events printed and the risk stored.
watch_ok() {
    python3 - "$1" "$2" <<'EOF'
import json, sqlite3, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
m = [e for e in evs if e["type"] == "watchlist_match"]
assert len(m) == 1, m
ev = m[0]["evidence"]
assert m[0]["vessels"] == [445123456], m
assert ev["matched_by"] == "imo" and ev["matched_value"] == "8660313", ev
assert ev["list"] == "sdn.csv" and ev["entry_name"] == "CHON MA SAN", ev
assert ev["entry_id"] == "36001" and ev["program"] == "DPRK3", ev
assert m[0]["score"] == 1, m
enc = [e for e in evs if e["type"] == "encounter"]
assert len(enc) == 1 and sorted(enc[0]["vessels"]) == [412345678, 445123456]
assert enc[0]["evidence"]["at_anchorage"] is False, enc
db = sqlite3.connect("file:" + sys.argv[2] + "?mode=ro", uri=True)
rank = db.execute("SELECT v.mmsi, coalesce(r.score, 0) FROM vessels v "
                  "LEFT JOIN risk r USING (mmsi) ORDER BY 2 DESC, 1").fetchall()
# Kinds combine as independent chances (df_risk_combine): listed by IMO
# (100) is certain whatever else; the partner has an encounter with a
# tanker (30), met a listed vessel (60), and is a tanker without an IMO
# number (10): 100 (1 - 0.7 x 0.4 x 0.9).
assert rank[0] == (445123456, 100.0), rank
assert rank[1] == (412345678, 74.8), rank
why = lambda mmsi: dict((t, (p, ty)) for t, p, ty in db.execute(
    "SELECT text, points, event_type FROM reasons WHERE mmsi = ?", (mmsi,)))
dprk, partner = why(445123456), why(412345678)
assert dprk["listed on sdn.csv as CHON MA SAN (IMO 8660313) -- matched "
            "by IMO"] == (100, "watchlist_match"), dprk
assert any(t.startswith("flagged to North Korea") and p == (40, "flag")
           for t, p in dprk.items()), dprk
met = [t for t in partner if t.startswith("met a listed vessel")]
assert len(met) == 1 and "445123456 CHON MA SAN" in met[0], partner
assert partner[met[0]] == (60, "met_listed"), partner
assert any(t.startswith("encounter with 445123456 (KP)") and
           "at open sea" in t for t in partner), partner
# The encounter's reasons point at the stored event.
eid = db.execute("SELECT id FROM events WHERE type = 'encounter'").fetchone()
assert db.execute("SELECT count(*) FROM reasons WHERE event_type = "
                  "'encounter' AND event_id = ?", eid).fetchone()[0] == 2
assert db.execute("SELECT count(*) FROM reasons WHERE event_type = "
                  "'met_listed' AND event_id = ?", eid).fetchone()[0] == 1
# Each reason's share adds up to the score.
for mmsi, score in rank:
    total = db.execute("SELECT total(contribution) FROM reasons WHERE "
                       "mmsi = ?", (mmsi,)).fetchone()[0]
    assert abs(total - score) < 0.05, (mmsi, total, score)
EOF
}

scan watch --db watch.db --watchlist sdn.csv meet.csv
check "watchlist: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "watchlist: events are JSON lines" valid_events "$T/watch.out"
check "watchlist: schema and events" schema_ok "$T/watch.db" "$T/watch.out"
check "watchlist: match by IMO, encounter, ranks and reasons" watch_ok \
    "$T/watch.out" "$T/watch.db"
risk_dump "$T/watch.db" >"$T/risk1.txt"
scan watch2 --db watch.db --watchlist=sdn.csv meet.csv
risk_dump "$T/watch.db" >"$T/risk2.txt"
check "watchlist again: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "watchlist again: same events printed" cmp -s "$T/watch.out" \
    "$T/watch2.out"
check "watchlist again: identical scores and reasons" cmp -s \
    "$T/risk1.txt" "$T/risk2.txt"
check "watchlist again: scores not doubled" \
    grep -q "^risk 445123456 100.0$" "$T/risk2.txt"

scan nowatch --db nowatch.db meet.csv
check "no watchlist: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "no watchlist: no watchlist_match" \
    bash -c "! grep -q watchlist_match '$T/nowatch.out'"
check "no watchlist: the DPRK flag ties the partner" python3 - \
    "$T/nowatch.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
score = dict(db.execute("SELECT mmsi, score FROM risk"))
# The flag (40) and the encounter (30): 100 (1 - 0.6 x 0.7).
assert score == {445123456: 58.0, 412345678: 74.8}, score
texts = [t for (t,) in db.execute("SELECT text FROM reasons WHERE mmsi = "
                                  "412345678")]
assert any(t.startswith("met a DPRK-flagged vessel, 445123456") for t in
           texts), texts
EOF
scan watchnodb --no-db --watchlist sdn.csv meet.csv
check "--no-db --watchlist: the match is printed" \
    grep -q '"type":"watchlist_match"' "$T/watchnodb.out"
scan nolist --db nolist.db --watchlist missing_list.csv meet.csv
check "missing list: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "missing list: one line naming it" \
    bash -c "[ \$(wc -l <'$T/nolist.err') -eq 1 ] &&
             grep -q missing_list.csv '$T/nolist.err'"
check "missing list: no events printed" [ ! -s "$T/nolist.out" ]
printf 'hello\nthis is no list\n' >"$T/junk.txt"
scan junklist --no-db --watchlist junk.txt meet.csv
check "unknown list format: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "unknown list format: one line naming it" \
    bash -c "[ \$(wc -l <'$T/junklist.err') -eq 1 ] &&
             grep -q junk.txt '$T/junklist.err'"
scan listnoval --watchlist
check "--watchlist without a file: exit 2 (got $RC)" [ "$RC" -eq 2 ]

# ---- --no-db, standard input -----------------------------------------------
mkdir "$T/nodb"
(cd "$T/nodb" && timeout $TIMEOUT "$DF" scan --no-db - <"$CSV" \
    >"$T/nodb.out" 2>"$T/nodb.err")
RC=$?
check "--no-db from stdin: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "--no-db: no file written" [ -z "$(ls -A "$T/nodb")" ]
check "--no-db: the same events" cmp -s "$T/csv.out" "$T/nodb.out"

# ---- configuration -----------------------------------------------------------
printf '# thresholds\ngap_min_hours = 6  # candidate gaps\n' >"$T/ok.conf"
scan conf --no-db --config ok.conf --set encounter_min_hours=1 "$CSV"
check "--config and --set: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "--config and --set: events are JSON lines" valid_events \
    "$T/conf.out"
printf 'gap_min_hours = 6\nbogus = 1\n' >"$T/bad.conf"
scan badconf --no-db --config bad.conf "$CSV"
check "bad config line: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "bad config line: one line with path:line" \
    grep -q "bad.conf:2: unknown option 'bogus'" "$T/badconf.err"
scan help --help
check "--help: exit 0" [ "$RC" -eq 0 ]
check "--help: every threshold with its default" python3 - "$T/help.out" \
    "${DF_SRC:-}" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
for opt in ("--db", "--zones", "--ports", "--no-dprk", "--config", "--set",
            "--reorder-window", "--dedup", "--stats", "--no-db",
            "--watchlist"):
    assert opt in text, opt
want = {"encounter_max_distance_m": "500", "encounter_min_hours": "2",
        "gap_min_hours": "12", "gap_min_shore_nm": "50",
        "encounter_min_anchorage_km": "10"}
for name, value in want.items():
    assert re.search(r"\b%s\s+%s\s" % (name, value), text), name
if sys.argv[2]:
    header = open(sys.argv[2] + "/include/darkfleet.h").read()
    body = header[header.index("#define DF_CONFIG_MAP"):]
    body = body[:body.index("struct df_config")]
    for name in re.findall(r"XX\((\w+),", body):
        assert name in text, name
EOF

# ---- errors ------------------------------------------------------------------
scan badopt --db badopt.db --bogus "$CSV"
check "bad option: exit 2 (got $RC)" [ "$RC" -eq 2 ]
check "bad option: one error line" one_line "$T/badopt.err"
check "bad option: no database" [ ! -f "$T/badopt.db" ]
scan badset --set no_such_threshold=1 "$CSV"
check "--set unknown name: exit 2 (got $RC)" [ "$RC" -eq 2 ]
scan badval --set gap_min_hours=12h "$CSV"
check "--set bad number: exit 2 (got $RC)" [ "$RC" -eq 2 ]
check "--set bad number: one error line" one_line "$T/badval.err"
scan badwin --reorder-window soon "$CSV"
check "--reorder-window bad: exit 2 (got $RC)" [ "$RC" -eq 2 ]
scan nodbval --db
check "--db without a file: exit 2 (got $RC)" [ "$RC" -eq 2 ]
scan nozones --no-db --zones missing.geojson "$CSV"
check "missing zones file: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "missing zones file: one line naming it" \
    bash -c "[ \$(wc -l <'$T/nozones.err') -eq 1 ] &&
             grep -q missing.geojson '$T/nozones.err'"
check "missing zones file: no events printed" [ ! -s "$T/nozones.out" ]
scan noports --no-db --ports missing_ports.csv "$CSV"
check "missing ports file: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "missing ports file: one line naming it" \
    bash -c "[ \$(wc -l <'$T/noports.err') -eq 1 ] &&
             grep -q missing_ports.csv '$T/noports.err'"
scan noconf --no-db --config missing.conf "$CSV"
check "missing config file: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "missing config file: one line naming it" \
    bash -c "[ \$(wc -l <'$T/noconf.err') -eq 1 ] &&
             grep -q missing.conf '$T/noconf.err'"
scan unwritable --db /nonexistent/dir/x.db "$CSV"
check "unwritable database: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "unwritable database: one line naming it" \
    bash -c "[ \$(wc -l <'$T/unwritable.err') -eq 1 ] &&
             grep -q /nonexistent/dir/x.db '$T/unwritable.err'"
scan noinput --db noinput.db missing_input.nmea
check "missing input: exit 1 (got $RC)" [ "$RC" -eq 1 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
