#!/usr/bin/env bash
# state.sh - scan's saved state: input scanned in several runs into one
# store finds what one run over all of it finds, and a scan killed at any
# moment finishes the job when run again.  Compared each time: the events
# (every column), the risk scores and every reason, against one scan of
# the whole input.
#
#  - the real MarineCadastre day (../shared/data; skipped when absent) in
#    two halves and in 24 hourly files, one run each (DF_TEST_QUICK=1, as
#    CI's sanitizer build sets it: the first 6 hours, in halves and hours);
#  - simulated traffic with every planted behaviour: killed with SIGKILL
#    at random moments over and over, each run going on from the last
#    checkpoint, until one finishes; stopped with SIGTERM (exit 130, one
#    line), then finished;
#  - a vessel dark from 20:00 to 10:00 the next day, one file a day: a gap;
#  - a file appended to since it was read is read on from where the last
#    scan stopped; a different file of old input is dropped with a count
#    and one warning line; the same file again is skipped;
#  - other settings than the state's: exit 1, one line; --fresh starts over;
#  - a saved state cut short or with a byte changed, at points through each
#    chunk: exit 0 or 1 with one line, never a crash.
#
# Environment (set by CTest): DF, DF_DATA.  Exit 77 = skipped.
set -u

DF=${DF:-}
DF_DATA=${DF_DATA:-}
DAY=$DF_DATA/csv/marinecadastre_2020-01-01/AIS_2020_01_01_named_vessels.csv.zst
QUICK=${DF_TEST_QUICK:-0}

if [ -z "$DF" ] || [ ! -x "$DF" ]; then
    echo "skip: DF is not set to the darkfleet binary"
    exit 77
fi
for tool in python3 sqlite3 timeout; do
    command -v $tool >/dev/null || { echo "skip: $tool not found"; exit 77; }
done
case $DF in /*) ;; *) DF=$PWD/$DF ;; esac

T=$(mktemp -d "${TMPDIR:-/tmp}/df_state.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}

# dump DB: the events (every column but the id), risk and reasons, sorted.
dump() {
    sqlite3 "$1" "SELECT type, vessel1, ifnull(vessel2, 0), start, end, lat,
                  lon, score, evidence, provisional FROM events ORDER BY 1, 2,
                  3, 4;
                  SELECT '--'; SELECT mmsi, score FROM risk ORDER BY 1;
                  SELECT '--'; SELECT mmsi, points, contribution, event_type,
                  text FROM reasons ORDER BY 1, 5;"
}
# same DB1 DB2: the same events, scores and reasons (and some events).
# On a difference, its first lines, so that a failure says what differs.
same() {
    [ "$(sqlite3 "$1" 'SELECT count(*) FROM events')" -gt 0 ] || return 1
    cmp -s <(dump "$1") <(dump "$2") && return 0
    diff <(dump "$1") <(dump "$2") | head -20 | sed 's/^/#   /'
    return 1
}
# read DB: the records the store's checkpoint says were read (0 before
# the first; what sqlite3 says if the store cannot be read).
read_of() {
    local q="SELECT ifnull(sum(records), 0) FROM scan_inputs"
    [ -s "$1" ] || { echo 0; return; }
    [ "$(sqlite3 -cmd ".timeout 10000" "$1" "SELECT count(*) FROM
         sqlite_schema WHERE name = 'scan_inputs'" 2>&1)" = 0 ] && q="SELECT 0"
    sqlite3 -cmd ".timeout 10000" "$1" "$q" 2>&1 | tr '\n' ' ' | sed 's/ $//'
}
nevents() { sqlite3 "$1" "SELECT count(*) FROM events"; }

# ---- the real day, in parts ------------------------------------------------
if [ -f "$DAY" ]; then
    hours=24
    [ "$QUICK" = 1 ] && hours=6
    zstd -dc "$DAY" | awk -F, -v H=$hours '
        NR == 1 { head = $0; next }
        { h = substr($2, 12, 2) + 0 }
        h >= H { next }
        { f = sprintf("h%02d.csv", h)
          if (!(f in seen)) { print head > f; seen[f] = 1 }
          print >> f
          g = h < H / 2 ? "half1.csv" : "half2.csv"
          if (!(g in seen)) { print head > g; seen[g] = 1 }
          print >> g
          if (!("whole.csv" in seen)) { print head > "whole.csv"; seen["whole.csv"] = 1 }
          print >> "whole.csv" }'
    "$DF" scan --db whole.db whole.csv >/dev/null 2>whole.err
    rc=$?
    check "real day ($hours h): one run, exit 0" [ $rc -eq 0 ]
    rc=0
    for f in half1.csv half2.csv; do
        "$DF" scan --db halves.db "$f" >/dev/null 2>>halves.err || rc=1
    done
    check "real day in two halves, two runs: exit 0" [ $rc -eq 0 ]
    check "real day in two halves: the same $(nevents whole.db) events, scores and reasons" \
        same whole.db halves.db
    rc=0
    for f in h[0-9][0-9].csv; do
        "$DF" scan --db hours.db "$f" >/dev/null 2>>hours.err || rc=1
    done
    check "real day in $hours hourly files, $hours runs: exit 0" [ $rc -eq 0 ]
    check "real day in $hours hourly files: the same events, scores and reasons" \
        same whole.db hours.db
    rm -f h[0-9][0-9].csv half[12].csv whole.csv
else
    echo "skip: the real day is absent ($DAY): parts of a real day not tested"
fi

# ---- killed at random moments ------------------------------------------------
"$DF" simulate --seed 11 --hours 30 --vessels 150 --scenario all \
    -o sim.nmea 2>/dev/null || bad "simulate"
t0=$(date +%s%N)
"$DF" scan --db ref.db sim.nmea >/dev/null 2>ref.err
rc=$?
t1=$(date +%s%N)
check "simulated: one run, exit 0" [ $rc -eq 0 ]
span=$(( (t1 - t0) / 1000000 + 20 ))   # ms a whole run takes, and some

# Killed with SIGKILL at a random moment of a run, 30 times; every run
# goes on from the last checkpoint (--checkpoint 0: after every block
# read).  A run that ends before its moment starts the job again from
# nothing (--fresh), so that every try kills something; then one run
# finishes the job.  What the checkpoints say was read never goes back:
# a run killed while it skips what the state holds must not leave a
# checkpoint that would feed those records to the state again.
kills=0
back=""
for try in $(seq 30); do
    ms=$(( RANDOM % span + 1 ))
    before=$(read_of kill.db)
    timeout -s KILL "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))" \
        "$DF" scan --db kill.db --checkpoint 0 sim.nmea >/dev/null 2>kill.err
    rc=$?
    if [ $rc -eq 137 ]; then
        kills=$((kills + 1))
        after=$(read_of kill.db)
        case $before$after in
        *[!0-9]*) back="$back [$before -> $after]" ;;
        *) [ "$after" -lt "$before" ] && back="$back $before->$after" ;;
        esac
    elif [ $try -lt 30 ]; then
        rm -f kill.db kill.db-wal kill.db-shm
    fi
done
"$DF" scan --db kill.db sim.nmea >/dev/null 2>kill.err
rc=$?
check "killed $kills times at random, then finished: exit 0 (got $rc)" \
    [ $rc -eq 0 ]
check "killed mid-run at least 10 times ($kills)" [ $kills -ge 10 ]
check "killed $kills times: the same events, scores and reasons" \
    same ref.db kill.db
check "killed $kills times: the records read never go back (${back:-none})" \
    [ -z "$back" ]

# SIGTERM while reading: the state is saved, exit 130 with one line; the
# same command finishes the job.  (Sent after a random part of a run's
# time; a run that ends first is tried again.)
rc=0
for try in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    rm -f term.db term.db-wal term.db-shm
    "$DF" scan --db term.db --checkpoint 0 sim.nmea >/dev/null 2>term.err &
    pid=$!
    ms=$(( RANDOM % (span / 2 + 1) + 5 ))
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    kill -TERM $pid 2>/dev/null
    wait $pid
    rc=$?
    [ $rc -eq 130 ] && break
done
check "SIGTERM while reading: exit 130 (got $rc)" [ $rc -eq 130 ]
check "SIGTERM: one line, the state is saved" \
    eval '[ "$(wc -l <term.err)" -eq 1 ] && grep -q "state is saved" term.err'
"$DF" scan --db term.db --stats sim.nmea >/dev/null 2>term2.err
rc=$?
check "SIGTERM, then the same command: exit 0 (got $rc)" [ $rc -eq 0 ]
check "SIGTERM, then the same command: what was read is skipped" \
    grep -Eq "^ +[1-9][0-9]*  skip_input_resumed" term2.err
check "SIGTERM: the same events, scores and reasons" same ref.db term.db

# ---- a gap across two days, one file a day ------------------------------------
# A tanker in mid-Atlantic reporting every 10 minutes until 20:00, dark
# until 10:00 the next day (14 h, over 50 nm from shore: METHODS.md's gap).
python3 - <<'PYEOF'
import datetime
head = ("MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,"
        "VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass\n")
t0 = datetime.datetime(2024, 6, 1)
def rows(start, end, f):
    t, lon = start, -40.0 + (start - t0).total_seconds() / 3600 * 0.2
    while t < end:
        f.write("636012345,%s,30.00000,%.5f,12.0,90.0,90,GAP TANKER,IMO9321483,"
                "A8ZZ9,80,0,180,32,10.5,,A\n" % (t.strftime("%Y-%m-%dT%H:%M:%S"), lon))
        t += datetime.timedelta(minutes=10)
        lon += 0.2 / 6
for name, a, b in (("day1.csv", t0 + datetime.timedelta(hours=6),
                    t0 + datetime.timedelta(hours=20, minutes=1)),
                   ("day2.csv", t0 + datetime.timedelta(hours=34),
                    t0 + datetime.timedelta(hours=40))):
    with open(name, "w") as f:
        f.write(head)
        rows(a, b, f)
PYEOF
"$DF" scan --db gap.db day1.csv >/dev/null 2>gap1.err
"$DF" scan --db gap.db day2.csv >gap2.out 2>gap2.err
rc=$?
check "two days in two runs: exit 0 (got $rc)" [ $rc -eq 0 ]
check "the 14 h dark period across midnight is a gap" \
    [ "$(sqlite3 gap.db "SELECT count(*) FROM events WHERE type = 'gap' AND
        vessel1 = 636012345 AND start LIKE '2024-06-01T20:00%' AND
        end LIKE '2024-06-02T10:00%'")" = 1 ]
check "the gap is printed by the run that found it" \
    grep -q '"type":"gap"' gap2.out

# ---- inputs seen before, changed, or older than the state --------------------
half=$(( $(wc -l <sim.nmea) / 2 ))
head -n $half sim.nmea >grow.nmea
tail -n +$((half + 1)) sim.nmea >rest.nmea
"$DF" scan --db grow.db grow.nmea >/dev/null 2>/dev/null
cat rest.nmea >>grow.nmea          # the file grows: read on
"$DF" scan --db grow.db --stats grow.nmea >/dev/null 2>grow.err
rc=$?
check "a file grown since it was read: exit 0 (got $rc)" [ $rc -eq 0 ]
check "a grown file: what was read of it is skipped" \
    grep -Eq "^ +[1-9][0-9]*  skip_input_resumed" grow.err
check "a grown file, read again: the same events as one run" \
    same ref.db grow.db
"$DF" scan --db grow.db --stats grow.nmea >/dev/null 2>again.err
check "the same file again: skipped" \
    grep -Eq "^ +1  skip_input_done" again.err
head -n 1000 sim.nmea >old.nmea
"$DF" scan --db grow.db --stats old.nmea >/dev/null 2>old.err
rc=$?
check "old input: exit 0 (got $rc)" [ $rc -eq 0 ]
check "old input: one line says it was dropped" \
    [ "$(grep -c "older than the state" old.err)" -eq 1 ]
check "old input: nothing changes" same ref.db grow.db

# ---- settings -------------------------------------------------------------------
"$DF" scan --db grow.db --set encounter_max_distance_m=300 rest.nmea \
    >/dev/null 2>set.err
rc=$?
check "other thresholds than the state's: exit 1 (got $rc)" [ $rc -eq 1 ]
check "other thresholds: one line naming --fresh" \
    eval '[ "$(wc -l <set.err)" -eq 1 ] && grep -q -- "--fresh" set.err'
"$DF" scan --db grow.db --set risk_encounter=35 rest.nmea >/dev/null 2>&1
check "another risk weight is not another state: exit 0" [ $? -eq 0 ]
"$DF" scan --db grow.db --fresh --set encounter_max_distance_m=300 \
    sim.nmea >/dev/null 2>fresh.err
rc=$?
check "--fresh with other thresholds: exit 0 (got $rc)" [ $rc -eq 0 ]
check "--fresh: no provisional event of the old state is left" \
    [ "$(sqlite3 grow.db "SELECT count(*) FROM events WHERE provisional")" \
      -le "$(sqlite3 ref.db "SELECT count(*) FROM events WHERE provisional")" ]

# ---- a damaged state ---------------------------------------------------------
# A store is a file anyone can edit: each chunk of the state cut at 16
# points through it, and a byte of it flipped at 16, the next scan either
# takes it (a flipped byte may still be a valid value) or says in one line
# it cannot, and exits 1.  Never a crash.
"$DF" simulate --seed 3 --hours 6 --vessels 40 --scenario all \
    -o dmg.nmea 2>/dev/null
"$DF" scan --db dmg.db dmg.nmea >/dev/null 2>&1
crashed=0
tried=0
for seq in $(sqlite3 dmg.db "SELECT seq FROM scan_state ORDER BY seq"); do
    len=$(sqlite3 dmg.db "SELECT length(data) FROM scan_state WHERE seq = $seq")
    for k in $(seq 0 15); do
        at=$((len * k / 16 + 7))
        for how in cut flip; do
            cp dmg.db d.db
            if [ $how = cut ]; then
                sqlite3 d.db "UPDATE scan_state SET data = substr(data, 1, $at)
                              WHERE seq = $seq"
            else
                sqlite3 d.db "UPDATE scan_state SET data = CAST(
                              substr(data, 1, $at) || x'A5' ||
                              substr(data, $at + 2) AS BLOB) WHERE seq = $seq"
            fi
            "$DF" scan --db d.db dmg.nmea >/dev/null 2>d.err
            rc=$?
            tried=$((tried + 1))
            if [ $rc -ge 2 ] || { [ $rc -eq 1 ] && [ "$(wc -l <d.err)" -ne 1 ]; }
            then
                crashed=$((crashed + 1))
                echo "# seq $seq, $how at $at: exit $rc"
                head -3 d.err
            fi
        done
    done
done
check "a damaged state, $tried ways: exit 0 or 1 with one line" [ $crashed -eq 0 ]

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
