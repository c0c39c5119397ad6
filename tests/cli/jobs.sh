#!/usr/bin/env bash
# jobs.sh - `scan --jobs N` finds what one job finds: the same events
# (every column), risk scores and reasons in the store, and the same
# events printed (as a set), with 1, 2, 3 and 5 jobs on simulated traffic
# with every planted behaviour, and with 1 and 3 on the real day (the
# first 6 hours with DF_TEST_QUICK=1); a state saved by a scan with 2 jobs
# is taken up by the next without --jobs, and refused with one line by one
# with another number; a bad --jobs exits 2.
#
# Environment (set by CTest): DF, DF_DATA.  Exit 77 = skipped.
set -u

DF=${DF:-}
DF_DATA=${DF_DATA:-}
DAY=$DF_DATA/csv/marinecadastre_2020-01-01/AIS_2020_01_01_named_vessels.csv.zst
if [ -z "$DF" ] || [ ! -x "$DF" ]; then
    echo "skip: DF is not set to the darkfleet binary"
    exit 77
fi
command -v sqlite3 >/dev/null || { echo "skip: sqlite3 not found"; exit 77; }
case $DF in /*) ;; *) DF=$PWD/$DF ;; esac

T=$(mktemp -d "${TMPDIR:-/tmp}/df_jobs.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() {
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
dump() {
    sqlite3 "$1" "SELECT type, vessel1, ifnull(vessel2, 0), start, end, lat,
                  lon, score, evidence, provisional FROM events ORDER BY 1, 2,
                  3, 4;
                  SELECT '--'; SELECT mmsi, score FROM risk ORDER BY 1;
                  SELECT '--'; SELECT mmsi, points, contribution, event_type,
                  text FROM reasons ORDER BY 1, 5;
                  SELECT '--'; SELECT * FROM identities ORDER BY 1, 2, 3, 4, 5;"
}
same() { cmp -s <(dump "$1") <(dump "$2"); }
same_printed() { cmp -s <(sort "$1") <(sort "$2"); }
nev() { sqlite3 "$1" "SELECT count(*) FROM events"; }

# ---- simulated traffic ----------------------------------------------------
"$DF" simulate --seed 13 --hours 30 --vessels 300 --scenario all \
    -o sim.nmea 2>/dev/null
"$DF" scan --jobs 1 --db one.db sim.nmea >one.out 2>/dev/null
check "simulated, 1 job: $(nev one.db) events" [ "$(nev one.db)" -ge 16 ]
for j in 2 3 5; do
    "$DF" scan --jobs $j --db j$j.db sim.nmea >j$j.out 2>j$j.err
    rc=$?
    check "simulated, $j jobs: exit 0 (got $rc)" [ $rc -eq 0 ]
    check "simulated, $j jobs: the same events, scores, reasons, identities" \
        same one.db j$j.db
    check "simulated, $j jobs: the same events printed" \
        same_printed one.out j$j.out
done

# ---- the saved state and --jobs ------------------------------------------
n=$(wc -l <sim.nmea)
head -n $((n / 2)) sim.nmea >a.nmea
tail -n +$((n / 2 + 1)) sim.nmea >b.nmea
"$DF" scan --jobs 2 --db st.db a.nmea >/dev/null 2>&1
"$DF" scan --db st.db b.nmea >/dev/null 2>st.err
rc=$?
check "a state of 2 jobs, taken up without --jobs: exit 0 (got $rc)" \
    [ $rc -eq 0 ]
check "a state of 2 jobs, then the rest: the same as one run" \
    same one.db st.db
"$DF" scan --jobs 3 --db st.db b.nmea >/dev/null 2>jobs.err
rc=$?
check "a state of 2 jobs and --jobs 3: exit 1 (got $rc), one line" \
    eval '[ $rc -eq 1 ] && [ "$(wc -l <jobs.err)" -eq 1 ] &&
          grep -q -- --jobs jobs.err'
"$DF" scan --jobs 0 --no-db sim.nmea >/dev/null 2>&1
check "--jobs 0: exit 2" [ $? -eq 2 ]
"$DF" scan --jobs x --no-db sim.nmea >/dev/null 2>&1
check "--jobs x: exit 2" [ $? -eq 2 ]

# ---- a table parsed on several threads -------------------------------------
# 150 vessels drifting far offshore for 6 h, then one record 32 h later:
# every vessel goes silent at once and each ends a loitering episode.
# Each one is reported, whatever the jobs (a queue of 64 per shard once
# lost the rest).
awk 'BEGIN {
  print "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign," \
        "VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass"
  for (m = 0; m <= 72; m++)
    for (v = 0; v < 150; v++)
      printf "%d,2020-01-01T%02d:%02d:00,%.5f,%.5f,0.3,90,90,V%d,,,70,0,150,25,8,,A\n",
        366000000 + v, int(m * 5 / 60), (m * 5) % 60, 30 + int(v / 15) * 0.2,
        -140 + (v % 15) * 0.2 + m * 0.0003, v
  print "366999999,2020-01-02T14:00:00,10.0,-150.0,10,90,90,LATE,,,70,0,150,25,8,,A"
}' >drift.csv
for j in 1 2 3; do
    n=$("$DF" scan --jobs $j --no-db drift.csv 2>/dev/null | grep -c '"loitering"')
    check "150 vessels silent at once, $j jobs: 150 loitering events (got $n)" \
        [ "$n" -eq 150 ]
done

# Rows of the Delaware Bay subset cut by junk: lines over the 64 KiB cap
# and over a parse chunk (2 MiB), CRLF ends, a last line without one; the
# same records, counters and events with 1 and 3 jobs.
CSV=$DF_DATA/csv/marinecadastre_2020-01-01/subset_delaware_bay_2020-01-01.csv
if [ -f "$CSV" ]; then
    python3 - "$CSV" <<'EOF'
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
head, rows = lines[0], [l for l in lines[1:] if l]
out = [head]
for i, r in enumerate(rows * 40):
    out.append(r + (b"\r" if i % 7 == 0 else b""))
    if i % 5000 == 1:
        out.append(b"x" * 70000)
    if i == 30000:
        out.append(b"y," * 1500000)
open("junk.csv", "wb").write(b"\n".join(out))
EOF
    "$DF" scan --jobs 1 --no-db --stats junk.csv >c1.out 2>c1.err
    "$DF" scan --jobs 3 --no-db --stats junk.csv >c3.out 2>c3.err
    check "a table with junk, 3 threads: the same counters" \
        cmp -s <(grep -v -e "state_" -e "seconds" c1.err) \
                <(grep -v -e "state_" -e "seconds" c3.err)
    check "a table with junk: long lines counted" \
        grep -Eq "^ +[1-9][0-9]*  drop_line_too_long" c3.err
    check "a table with junk, 3 threads: the same events" \
        same_printed c1.out c3.out
fi

# ---- the real day ---------------------------------------------------------
if [ -f "$DAY" ]; then
    if [ "${DF_TEST_QUICK:-0}" = 1 ]; then
        zstd -dc "$DAY" | awk -F, 'NR == 1 || substr($2, 12, 2) < "06"' \
            >day.csv
        input=day.csv
        what="the real day's first 6 h"
    else
        input=$DAY
        what="the real day"
    fi
    "$DF" scan --jobs 1 --db d1.db "$input" >d1.out 2>/dev/null
    "$DF" scan --jobs 3 --db d3.db "$input" >d3.out 2>/dev/null
    check "$what, 3 jobs: the same $(nev d1.db) events, scores, reasons" \
        same d1.db d3.db
    check "$what, 3 jobs: the same events printed" same_printed d1.out d3.out
else
    echo "skip: the real day is absent ($DAY)"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
