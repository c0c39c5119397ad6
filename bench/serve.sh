#!/usr/bin/env bash
# bench/serve.sh - `darkfleet serve` under load: requests per second and
# latency (p50, p90, p99, max) of a mixed load from 16 clients, on the
# real day's store and on one grown to a month.
#
#   day    the MarineCadastre day of 2020-01-01 (6.3 M rows, .zst) scanned
#          into a fresh store: 12,670 vessels, 375 events, 0.56 M track
#          points
#   month  the day's store grown to a month of the same fleet with SQL as
#          bench/vessel.sh grows it (every event copied 29 times a day
#          apart, identities and reasons with them: 11,250 events); the
#          track points are the day's
#
# The load (bench/serve_load.c: 16 threads, each a keep-alive connection,
# requests back to back, 20 s after 3 s of warming up), from a list of
# 6,000 requests drawn from the store (python3, seed 1), in this mix:
#   search 30%   /api/vessels?q=     3-6 letters of a random name, a call
#                                    sign, an MMSI's first 3 digits, an IMO
#   list 10%     /api/vessels        by rank, pages 1-20 of 50
#   vessel 25%   /api/vessels/MMSI   a random vessel (half of them among
#                                    the 500 with the highest scores): its
#                                    history and track
#   map 20%      /api/events?bbox=   a box of 2-40 degrees around an event,
#                                    brief, by score, up to 5,000; a third
#                                    with a type, a third with a day
#   event 5%     /api/events/ID      an event and both tracks around it
#   stats 10%    /api/stats
# The server runs with --threads 4 on the same machine as the clients.
# Writes a Markdown table to stdout and bench/serve-results.md.  Exits 77
# when the day's file is absent.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
DATA=${DF_DATA:-$SRC/../shared/data}
TMP=${DF_BENCH_TMP:-/tmp/darkfleet-bench-serve}
DAY=$DATA/csv/marinecadastre_2020-01-01/AIS_2020_01_01_named_vessels.csv.zst
OUT=$SRC/bench/serve-results.md
DF=${DF:-$SRC/build/darkfleet}
CLIENTS=${CLIENTS:-16}
SECONDS_RUN=${SECONDS_RUN:-20}
THREADS=${THREADS:-4}

if [ ! -f "$DAY" ]; then
    echo "skip: $DAY is absent"
    exit 77
fi
command -v python3 >/dev/null || { echo "bench/serve.sh needs python3" >&2; exit 1; }
[ -x "$DF" ] || { echo "no darkfleet binary at $DF (make first)" >&2; exit 1; }
mkdir -p "$TMP"
cc -O2 -Wall -Wextra -pthread -o "$TMP/serve_load" "$SRC/bench/serve_load.c" ||
    exit 1

# ---- the stores ---------------------------------------------------------------
if [ ! -s "$TMP/day.db" ] || [ "$DF" -nt "$TMP/day.db" ]; then
    rm -f "$TMP"/day.db*
    echo "scanning the day into $TMP/day.db ..." >&2
    "$DF" scan --db "$TMP/day.db" "$DAY" >/dev/null 2>"$TMP/err" ||
        { cat "$TMP/err" >&2; exit 1; }
fi
if [ ! -s "$TMP/month.db" ] || [ "$TMP/day.db" -nt "$TMP/month.db" ]; then
    echo "growing a month from it into $TMP/month.db ..." >&2
    rm -f "$TMP"/month.db*
    python3 - "$TMP/day.db" "$TMP/month.db" <<'PY' || exit 1
import sqlite3, sys
src = sqlite3.connect(sys.argv[1])
src.execute("PRAGMA wal_checkpoint(TRUNCATE)")
src.execute("VACUUM INTO ?", (sys.argv[2],))
src.close()
db = sqlite3.connect(sys.argv[2])
db.execute("PRAGMA journal_mode = WAL")
T = "strftime('%Y-%m-%dT%H:%M:%fZ', {}, '+{} days')"
max_ev = db.execute("SELECT max(id) FROM events").fetchone()[0]
with db:
    for d in range(1, 30):
        db.execute("INSERT INTO events(type, vessel1, vessel2, start, end,"
                   " lat, lon, score, evidence) SELECT type, vessel1, vessel2,"
                   " %s, %s, lat, lon, score, evidence FROM events WHERE id <= ?"
                   % (T.format("start", d), T.format("end", d)), (max_ev,))
        db.execute("INSERT OR IGNORE INTO identities(mmsi, first_seen,"
                   " last_seen, imo, name, callsign, destination, shiptype,"
                   " length_m, width_m, draught_m) SELECT mmsi, %s, %s, imo,"
                   " name, callsign, destination, shiptype, length_m,"
                   " width_m, draught_m + ? FROM identities"
                   " WHERE first_seen < '2020-01-02'"
                   % (T.format("first_seen", d), T.format("last_seen", d)),
                   (d / 10.0,))
    db.execute("CREATE TEMP TABLE map AS SELECT o.id AS old, c.id AS new"
               " FROM events o JOIN events c ON c.type = o.type"
               " AND c.vessel1 = o.vessel1"
               " AND ifnull(c.vessel2, 0) = ifnull(o.vessel2, 0)"
               " AND c.start > o.start AND c.id > ? WHERE o.id <= ?",
               (max_ev, max_ev))
    db.execute("INSERT OR IGNORE INTO reasons(mmsi, points, text,"
               " event_type, event_id, contribution) SELECT r.mmsi, r.points,"
               " r.text, r.event_type, m.new, r.contribution"
               " FROM reasons r JOIN map m ON m.old = r.event_id")
    db.execute("DELETE FROM reasons WHERE id IN (SELECT id FROM (SELECT id,"
               " row_number() OVER (PARTITION BY mmsi ORDER BY points DESC,"
               " id) AS k FROM reasons) WHERE k > 64)")
    db.execute("UPDATE vessels SET last_seen = %s, positions = positions * 30"
               % T.format("last_seen", 29))
db.execute("ANALYZE")
db.close()
PY
fi

# ---- the requests ----------------------------------------------------------------
reqs() {   # store, file
    python3 - "$1" "$2" <<'PY' || exit 1
import random, sqlite3, sys, urllib.parse
db = sqlite3.connect(sys.argv[1])
rnd = random.Random(1)
Q = urllib.parse.quote
names = [n for (n,) in db.execute("SELECT DISTINCT name FROM identities WHERE length(name) >= 6")]
calls = [c for (c,) in db.execute("SELECT DISTINCT callsign FROM identities WHERE length(callsign) >= 4")]
imos = [i for (i,) in db.execute("SELECT DISTINCT imo FROM identities WHERE imo BETWEEN 1000000 AND 9999999")]
mmsis = [m for (m,) in db.execute("SELECT mmsi FROM vessels")]
top = [m for (m,) in db.execute("SELECT mmsi FROM risk ORDER BY score DESC LIMIT 500")]
evs = db.execute("SELECT id, lat, lon, substr(start, 1, 10), type FROM events WHERE lat IS NOT NULL").fetchall()
ids = [e[0] for e in evs]
out = []
def add(kind, path):
    out.append("%s %s" % (kind, path))
for i in range(6000):
    r = rnd.random()
    if r < 0.30:
        k = rnd.random()
        if k < 0.7:
            n = rnd.choice(names)
            a = rnd.randrange(0, len(n) - 3)
            q = n[a:a + rnd.randint(3, 6)].strip() or n[:3]
        elif k < 0.8:
            q = rnd.choice(calls)
        elif k < 0.9:
            q = str(rnd.choice(mmsis))[:3]
        else:
            q = str(rnd.choice(imos))
        add("search", "/api/vessels?q=" + Q(q))
    elif r < 0.40:
        add("list", "/api/vessels?offset=%d" % (50 * rnd.randrange(20)))
    elif r < 0.65:
        m = rnd.choice(top) if rnd.random() < 0.5 else rnd.choice(mmsis)
        add("vessel", "/api/vessels/%d" % m)
    elif r < 0.85:
        e = rnd.choice(evs)
        w = rnd.uniform(2, 40)
        box = "%.3f,%.3f,%.3f,%.3f" % (max(-180, e[2] - w), max(-90, e[1] - w / 2),
                                       min(180, e[2] + w), min(90, e[1] + w / 2))
        p = "/api/events?brief=1&sort=score&limit=5000&bbox=" + box
        k = rnd.random()
        if k < 0.33:
            p += "&type=" + e[4]
        elif k < 0.66:
            p += "&from=%s&to=%sT23:59:59Z" % (e[3], e[3])
        add("map", p)
    elif r < 0.90:
        add("event", "/api/events/%d" % rnd.choice(ids))
    else:
        add("stats", "/api/stats")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
}

size() {   # store: vessels, events, track points, file size
    python3 - "$1" <<'PY'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
c = lambda t: db.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
print("%s vessels, %s events, %s track points, %d MB" % (
    format(c("vessels"), ","), format(c("events"), ","),
    format(c("track_points"), ","), (os.path.getsize(sys.argv[1]) + 2**19) // 2**20))
PY
}

# Serves store $1, runs the load; the table's rows on stdout.
load() {
    local db=$1 url="" pid i
    : >"$TMP/sout"
    "$DF" serve --db "$db" --port 0 --threads "$THREADS" >"$TMP/sout" 2>"$TMP/serr" &
    pid=$!
    for i in $(seq 100); do
        url=$(sed -n 's/^darkfleet serve: //p' "$TMP/sout")
        [ -n "$url" ] && break
        sleep 0.05
    done
    [ -n "$url" ] || { cat "$TMP/serr" >&2; kill "$pid"; exit 1; }
    port=${url##*:}; port=${port%/}
    "$TMP/serve_load" 127.0.0.1 "$port" "$TMP/reqs" "$CLIENTS" 3 >/dev/null
    "$TMP/serve_load" 127.0.0.1 "$port" "$TMP/reqs" "$CLIENTS" "$SECONDS_RUN" >"$TMP/rows"
    kill "$pid"
    wait "$pid" 2>/dev/null
    grep '^|' "$TMP/rows"
    echo
    echo "Errors (an answer not 200, or a failed connection): $(sed -n 's/^errors //p' "$TMP/rows")."
}

{
echo "<!-- generated by bench/serve.sh on $(date -u +%Y-%m-%dT%H:%MZ); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg) -->"
echo "$CLIENTS clients, keep-alive, back to back, ${SECONDS_RUN} s; \`darkfleet serve --threads $THREADS\` on the same machine."
for s in day month; do
    reqs "$TMP/$s.db" "$TMP/reqs"
    echo
    echo "**$s**: $(size "$TMP/$s.db")"
    echo
    echo "| Request | Count | Share | Requests/s | p50 ms | p90 ms | p99 ms | max ms |"
    echo "|---|---|---|---|---|---|---|---|"
    load "$TMP/$s.db"
done
} | tee "$OUT"
