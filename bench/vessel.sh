#!/usr/bin/env bash
# bench/vessel.sh - what a `darkfleet vessel` lookup costs, on a store of
# a real day and on one of a month.
#
#   day    the MarineCadastre day of 2020-01-01 (6.3 M rows, .zst) scanned
#          into a fresh store: about 12,700 vessels, their identities,
#          events and reasons
#   month  a copy of the day's store grown to a month of the same fleet
#          with SQL: every event copied 29 times, each copy a day later
#          (events keep their vessels, so each vessel has 30 days of
#          encounters, gaps...); every identity copied 29 times with its
#          draught 0.1 m deeper each day (identities are keyed by all
#          their fields; the copies stretch over the month, and
#          `vessel` folds them back into one, as it folds real draught
#          changes); each copied event's reasons copied with it, then cut
#          to the store's 64 per vessel; vessels' last seen moved 29 days
#          on.  Track points are not copied: `vessel` does not read them.
#          ANALYZE then gives the planner the statistics a scan's close
#          leaves (PRAGMA optimize).
#
# On each store, 100 lookups of each kind, one `darkfleet vessel` process
# each, output to /dev/null: by MMSI (100 random vessels, and the 100
# with the highest scores, the longest histories), by IMO (100 random
# valid IMOs), by whole name (100 random names), by the first three
# letters of a name (the list of matches, when more than 10).  Reported:
# milliseconds per lookup (wall, process start included; "startup" is
# `darkfleet version`, the floor), and what the lookups printed.
# Writes a Markdown table to stdout and bench/vessel-results.md.
# Exits 77 when the day's file is absent.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
DATA=${DF_DATA:-$SRC/../shared/data}
TMP=${DF_BENCH_TMP:-/tmp/darkfleet-bench-vessel}
DAY=$DATA/csv/marinecadastre_2020-01-01/AIS_2020_01_01_named_vessels.csv.zst
OUT=$SRC/bench/vessel-results.md
DF=${DF:-$SRC/build/darkfleet}
N=100

if [ ! -f "$DAY" ]; then
    echo "skip: $DAY is absent"
    exit 77
fi
command -v python3 >/dev/null || { echo "bench/vessel.sh needs python3" >&2; exit 1; }
[ -x "$DF" ] || { echo "no darkfleet binary at $DF (make first)" >&2; exit 1; }
mkdir -p "$TMP"

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
    # Each copied event's reasons, by the event's key a day on.
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

# ---- the queries ----------------------------------------------------------------
# One file of N queries per kind, the same for both stores (chosen on the
# day's store: the month holds the same vessels and names).
python3 - "$TMP/day.db" "$TMP" "$N" <<'PY' || exit 1
import random, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
out, n = sys.argv[2], int(sys.argv[3])
rnd = random.Random(1)
def imo_ok(i):
    s = "%07d" % i
    return len(s) == 7 and sum(int(s[k]) * (7 - k) for k in range(6)) % 10 == int(s[6])
def write(name, qs):
    with open("%s/q_%s" % (out, name), "w") as f:
        for q in qs:
            f.write(str(q) + "\n")
mmsi = [m for (m,) in db.execute("SELECT mmsi FROM vessels WHERE mmsi"
                                 " BETWEEN 100000000 AND 999999999")]
write("mmsi", rnd.sample(mmsi, n))
write("top", [m for (m,) in db.execute(
    "SELECT v.mmsi FROM vessels v JOIN risk r ON r.mmsi = v.mmsi WHERE"
    " v.mmsi BETWEEN 100000000 AND 999999999 ORDER BY r.score DESC LIMIT ?",
    (n,))])
imos = sorted({i for (i,) in db.execute("SELECT imo FROM identities WHERE imo"
                                        " BETWEEN 1000000 AND 9999999")
               if imo_ok(i)})
write("imo", rnd.sample(imos, n))
names = sorted({s for (s,) in db.execute("SELECT name FROM identities")
                if s.strip() and s == s.strip() and "\n" not in s
                and not s.isdigit()})
write("name", rnd.sample(names, n))
pre = sorted({s[:3] for s in names if len(s) >= 3 and s[:3].isalpha()})
write("prefix", rnd.sample(pre, n))
PY

# ms per lookup of the queries in file $2 on store $1 (nothing but the
# lookups inside the clock); sets LINES (output lines, summed) and MISS
# (lookups that exited non-zero).
run() {
    local db=$1 qf=$2 q t0 t1 k=0
    MISS=0
    : >"$TMP/o"
    t0=$(date +%s%N)
    while IFS= read -r q; do
        "$DF" vessel --db "$db" -- "$q" >>"$TMP/o" 2>/dev/null || MISS=$((MISS + 1))
        k=$((k + 1))
    done <"$qf"
    t1=$(date +%s%N)
    LINES=$(wc -l <"$TMP/o")
    MS=$(awk "BEGIN{printf \"%.2f\", ($t1 - $t0) / 1e6 / $k}")
}

startup() {
    local t0 t1 i
    t0=$(date +%s%N)
    for ((i = 0; i < N; i++)); do "$DF" version >/dev/null; done
    t1=$(date +%s%N)
    awk "BEGIN{printf \"%.2f\", ($t1 - $t0) / 1e6 / $N}"
}

size() {   # store: vessels, identities, events, file size
    python3 - "$1" <<'PY'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
c = lambda t: db.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
print("%s vessels, %s identities, %s events, %s reasons, %d MB" % (
    format(c("vessels"), ","), format(c("identities"), ","),
    format(c("events"), ","), format(c("reasons"), ","),
    (os.path.getsize(sys.argv[1]) + 2**19) // 2**20))
PY
}

{
echo "<!-- generated by bench/vessel.sh on $(date -u +%Y-%m-%dT%H:%MZ); load $(cut -d' ' -f1-3 /proc/loadavg) -->"
echo "startup (\`darkfleet version\`): $(startup) ms"
echo
echo "| Store | Lookup ($N each) | ms per lookup | lines printed per lookup | no match |"
echo "|---|---|---|---|---|"
for s in day month; do
    label="$s: $(size "$TMP/$s.db")"
    for kind in mmsi top imo name prefix; do
        case $kind in
        mmsi) what="by MMSI, random vessels" ;;
        top) what="by MMSI, the $N highest scores" ;;
        imo) what="by IMO, random" ;;
        name) what="by whole name, random" ;;
        prefix) what="by a name's first 3 letters (the list)" ;;
        esac
        run "$TMP/$s.db" "$TMP/q_$kind"
        echo "| $label | $what | $MS | $((LINES / N)) | $MISS |"
        label=""
    done
done
} | tee "$OUT"
