#!/usr/bin/env bash
# scan.sh - `scan --nats` on a 3-node NATS JetStream cluster on loopback
# finds one scan's events, and loses and repeats nothing when a server or a
# worker dies mid-run:
#   - simulated traffic with every planted behaviour, 3 partitions over 2
#     local workers, streams with 3 replicas: the same events, scores,
#     reasons and identities in the store as one scan, and the same events
#     printed (as a set);
#   - the same while the leader of the run's input stream is SIGKILLed
#     mid-run (and started again);
#   - the same while a worker is SIGKILLed mid-run: the coordinator starts
#     it again and it goes on from its checkpoint;
#   - the same when about one message fetched in 1,000 by the workers, and
#     one report chunk in 60 by the coordinator, is lost on the way
#     (DF_JS_TEST_LOSE: what a server dying mid-delivery does), and a
#     worker is SIGKILLed too: the workers and the coordinator see the
#     losses and read again, well before the 2-minute ack wait;
#   - every event is also in the run's stream of events;
#   - --partitions on one machine (no cluster) finds the same;
#   - a worker whose settings differ from the run's is refused with one
#     line; bad options exit 2.
#
# Environment (set by CTest): DF, JS_TEST.  Exit 77 = skipped.
set -u

DF=${DF:-}
JS_TEST=${JS_TEST:-}
if [ -z "$DF" ] || [ ! -x "$DF" ]; then
    echo "skip: DF is not set to the darkfleet binary"
    exit 77
fi
if [ -z "$JS_TEST" ] || [ ! -x "$JS_TEST" ]; then
    echo "skip: built without libnats (apt-get install libnats-dev)"
    exit 77
fi
command -v sqlite3 >/dev/null || { echo "skip: sqlite3 not found"; exit 77; }
case $DF in /*) ;; *) DF=$PWD/$DF ;; esac
case $JS_TEST in /*) ;; *) JS_TEST=$PWD/$JS_TEST ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=cluster.sh
source "$HERE/cluster.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/df_cluster_scan.XXXXXX") || exit 1
trap 'cluster_stop; pkill -KILL -f "darkfleet worker --nats .*--run dfts" \
      2>/dev/null; rm -rf "$T"' EXIT
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
# Events (all but the provisional flag: a cluster's run saves no state, so
# its end is final), risk, reasons, identities.
dump() {
    sqlite3 "$1" "SELECT type, vessel1, ifnull(vessel2, 0), start, end, lat,
                  lon, score, evidence FROM events ORDER BY 1, 2, 3, 4;
                  SELECT '--'; SELECT mmsi, score FROM risk ORDER BY 1;
                  SELECT '--'; SELECT mmsi, points, contribution, event_type,
                  text FROM reasons ORDER BY 1, 5;
                  SELECT '--'; SELECT * FROM identities ORDER BY 1, 2, 3, 4, 5;"
}
same() {
    [ -s "$2" ] && [ "$(nev "$2")" -ge 16 ] &&
        cmp -s <(dump "$1") <(dump "$2")
}
same_printed() { [ -s "$2" ] && cmp -s <(sort "$1") <(sort "$2"); }
# A run that fails says why: its exit and the end of its standard error.
# (Runs are bounded by `timeout -s INT`: a coordinator stopped so ends
# its workers, and exits 124.)
RUN_T=150
why() {
    [ "$1" -eq 0 ] && return
    echo "# exit $1; the end of $2:"
    tail -5 "$2" | sed 's/^/#   /'
}
nev() { sqlite3 "$1" "SELECT count(*) FROM events"; }
msgs() { "$JS_TEST" count "$NATS_URLS" "$1" 2>/dev/null || echo 0; }
# Waits (at most 60 s) until stream $1 holds at least $2 messages.
wait_msgs() {
    local i
    for i in $(seq 1 600); do
        [ "$(msgs "$1")" -ge "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

"$DF" simulate --seed 13 --hours 30 --vessels 300 --scenario all \
    -o sim.nmea 2>/dev/null
"$DF" scan --db one.db sim.nmea >one.out 2>/dev/null
check "one scan: $(nev one.db) events" [ "$(nev one.db)" -ge 16 ]

# ---- on one machine ---------------------------------------------------
"$DF" scan --partitions 3 --db parts.db sim.nmea >parts.out 2>parts.err
check "--partitions 3: exit 0" [ $? -eq 0 ]
check "--partitions 3: the same events, scores, reasons, identities" \
    same one.db parts.db
check "--partitions 3: the same events printed" same_printed one.out parts.out

# ---- bad command lines ------------------------------------------------
"$DF" scan --workers 2 --no-db sim.nmea >/dev/null 2>err.txt
check "--workers without --nats: exit 2" [ $? -eq 2 ]
"$DF" scan --nats nats://127.0.0.1:1 --run 'a.b' --no-db sim.nmea \
    >/dev/null 2>err.txt
rc=$?
check "a bad --run: exit 2 with one line (got $rc)" \
    eval '[ $rc -eq 2 ] && [ "$(wc -l <err.txt)" -eq 1 ]'
"$DF" worker --run dfts >/dev/null 2>err.txt
check "worker without --nats: exit 2" [ $? -eq 2 ]
"$DF" worker --nats nats://127.0.0.1:1 --take 3/3 >/dev/null 2>err.txt
check "worker --take 3/3: exit 2" [ $? -eq 2 ]

cluster_start "$T/nodes" 3 || { echo "FAIL - the cluster did not start"; exit 1; }
echo "# cluster: $NATS_URLS"
RUN=(--nats "$NATS_URLS" --replicas 3 --partitions 3)

# ---- no fault ----------------------------------------------------------
timeout -s INT $RUN_T "$DF" scan "${RUN[@]}" --run dfts0 --workers 2 \
    --db c0.db sim.nmea >c0.out 2>c0.err
rc=$?
check "cluster, 2 workers, 3 partitions: exit 0 (got $rc)" [ $rc -eq 0 ]
why $rc c0.err
check "cluster: the same events, scores, reasons, identities" same one.db c0.db
check "cluster: the same events printed" same_printed one.out c0.out
gone() { ! "$JS_TEST" count "$NATS_URLS" "$1" >/dev/null 2>&1; }
check "cluster: the run's input, reports and bucket are gone afterwards" \
    eval "gone DF_dfts0_IN && gone DF_dfts0_REP && gone KV_DF_dfts0"
check "cluster: every event in the run's stream of events ($(msgs DF_dfts0_EVENTS))" \
    eval '[ "$(msgs DF_dfts0_EVENTS)" -ge 16 ] &&
          [ "$(msgs DF_dfts0_EVENTS)" -eq "$(wc -l <c0.out)" ]'

# ---- a worker with other settings is refused ----------------------------
timeout -s INT $RUN_T "$DF" scan "${RUN[@]}" --run dfts1 --db c1.db \
    sim.nmea >c1.out 2>c1.err &
coord=$!
t0=$SECONDS
timeout 120 "$DF" worker --nats "$NATS_URLS" --run dfts1 \
    --set encounter_max_distance_m=900 >/dev/null 2>w.err
rc=$?
check "a worker with another --set: exit 1 with one line (got $rc after $((SECONDS - t0)) s)" \
    eval '[ $rc -eq 1 ] && [ "$(wc -l <w.err)" -eq 1 ] &&
          grep -q "the run is" w.err'
[ $rc -eq 1 ] || { echo "# its standard error:"; sed 's/^/#   /' w.err; }
# Remote workers join by hand: two of them take the run to its end.
"$DF" worker --nats "$NATS_URLS" --run dfts1 --take 0/2 2>w0.err &
w0=$!
"$DF" worker --nats "$NATS_URLS" --run dfts1 --take 1/2 2>w1.err &
w1=$!
wait $coord
rc=$?
wait $w0
r0=$?
wait $w1
r1=$?
check "two workers joined by hand: exit 0 (got $rc; workers $r0 $r1)" \
    eval '[ $rc -eq 0 ] && [ $r0 -eq 0 ] && [ $r1 -eq 0 ]'
why $rc c1.err
check "workers joined by hand: the same events" same one.db c1.db

# ---- the input stream's leader killed mid-run ----------------------------
timeout -s INT $RUN_T "$DF" scan "${RUN[@]}" --run dfts2 --workers 2 \
    --db c2.db sim.nmea >c2.out 2>c2.err &
coord=$!
if wait_msgs DF_dfts2_IN 1500; then
    leader=$(cluster_stream_leader DF_dfts2_IN)
    echo "# killing $leader, the leader of DF_dfts2_IN, at $(msgs DF_dfts2_IN) messages"
    cluster_kill "$leader"
    sleep 3
    cluster_restart "$leader"
else
    bad "the run never reached 1500 messages"
fi
wait $coord
rc=$?
check "leader killed: exit 0 (got $rc)" [ $rc -eq 0 ]
why $rc c2.err
check "leader killed: the same events, scores, reasons, identities" \
    same one.db c2.db
check "leader killed: the same events printed" same_printed one.out c2.out

# ---- a worker killed mid-run ------------------------------------------------
# SIGKILLs run $1's worker $2 (I/N) once its reports stream holds 150.
kill_worker() {
    local w
    if wait_msgs "DF_$1_REP" 150; then
        w=$(pgrep -f "darkfleet worker --nats .*--run $1 --take $2" | head -1)
        echo "# SIGKILL worker $2 of $1 (pid $w) at $(msgs "DF_$1_REP") reports"
        kill -KILL "$w"
    else
        bad "run $1 never reached 150 reports"
    fi
}
timeout -s INT $RUN_T "$DF" scan "${RUN[@]}" --run dfts3 --workers 2 \
    --db c3.db sim.nmea >c3.out 2>c3.err &
coord=$!
kill_worker dfts3 0/2
wait $coord
rc=$?
check "worker killed: exit 0 (got $rc)" [ $rc -eq 0 ]
why $rc c3.err
check "worker killed: started again" grep -q "starting it again" c3.err
check "worker killed: the same events, scores, reasons, identities" \
    same one.db c3.db
check "worker killed: the same events printed" same_printed one.out c3.out

# ---- messages lost on the way, and a worker killed -----------------------
# Bounded below the ack wait (120 s): a loss waited out fails it.
DF_JS_TEST_LOSE=1000 DF_JS_TEST_LOSE_coordinator=60 timeout -s INT 100 \
    "$DF" scan "${RUN[@]}" --run dfts4 --workers 2 --db c4.db sim.nmea \
    >c4.out 2>c4.err &
coord=$!
kill_worker dfts4 1/2
wait $coord
rc=$?
check "losses: exit 0 (got $rc)" [ $rc -eq 0 ]
why $rc c4.err
check "losses: the workers read again ($(grep -c 'messages lost on the way' c4.err) times)" \
    grep -q "messages lost on the way" c4.err
check "losses: the coordinator read again ($(grep -c 'reports lost on the way' c4.err) times)" \
    grep -q "reports lost on the way" c4.err
check "losses: the worker killed was started again" \
    grep -q "starting it again" c4.err
check "losses: the same events, scores, reasons, identities" same one.db c4.db
check "losses: the same events printed" same_printed one.out c4.out

echo "# $pass passed, $fail failed"
[ "$fail" -eq 0 ]
