#!/usr/bin/env bash
# scan's threads (reader, read-ahead, store writer, checkpoints, --jobs) under
# ThreadSanitizer:
# run by .ci/run against a -DDF_TSAN=ON build (DF=that darkfleet), which
# stores track points in batches of 4,096 so that the writer thread takes
# many.  Any race report fails the run (TSan exits 66).  Each scan must
# also give the same events and tables as the plain build (DF_PLAIN).
set -u -o pipefail
: "${DF:?} ${DF_PLAIN:?}"
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (Debian package sqlite3)"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
t() { if eval "$2"; then pass=$((pass + 1)); echo "ok   $1"; else
      fail=$((fail + 1)); echo "FAIL $1"; fi; }
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"

"$DF_PLAIN" simulate --seed 3 --vessels 400 --hours 6 -o "$tmp/sim.nmea" \
    --truth "$tmp/truth.jsonl" 2>/dev/null
gzip -c "$tmp/sim.nmea" > "$tmp/sim.nmea.gz"
# Every table's rows, hashed; a failing query fails the comparison.
dump() { sqlite3 "$1" "SELECT * FROM track_points; SELECT * FROM vessels;
    SELECT * FROM identities; SELECT type, vessel1, vessel2, start, evidence
    FROM events ORDER BY 1, 2, 3, 4" | md5sum || echo "dump of $1 failed"; }

for input in sim.nmea sim.nmea.gz; do
    "$DF_PLAIN" scan --db "$tmp/plain.db" "$tmp/$input" > "$tmp/plain.jsonl" \
        2>/dev/null
    # --checkpoint 0: the state is saved after every block, each time a
    # mark crossing from the reader thread to the consumer.
    "$DF" scan --db "$tmp/tsan.db" --checkpoint 0 "$tmp/$input" \
        > "$tmp/tsan.jsonl" 2> "$tmp/tsan.err"
    rc=$?
    t "$input into SQLite: no race (exit $rc)" '[ $rc -eq 0 ]'
    t "$input: same events" 'cmp -s "$tmp/plain.jsonl" "$tmp/tsan.jsonl"'
    t "$input: same tables (points: $(sqlite3 "$tmp/tsan.db" 'SELECT count(*) FROM track_points'))" \
      '[ "$(dump "$tmp/plain.db")" = "$(dump "$tmp/tsan.db")" ] &&
       [ "$(sqlite3 "$tmp/tsan.db" "SELECT count(*) FROM track_points")" -gt 4096 ]'
    rm -f "$tmp"/*.db*
    "$DF" scan --no-db "$tmp/$input" < /dev/null > /dev/null 2> "$tmp/tsan.err"
    rc=$?
    t "$input --no-db: no race (exit $rc)" '[ $rc -eq 0 ]'
done
# The scan split over 3 threads (shards, the pair engine's stops).
"$DF_PLAIN" scan --jobs 1 --db "$tmp/one.db" "$tmp/sim.nmea" \
    > "$tmp/one.jsonl" 2>/dev/null
"$DF" scan --jobs 3 --db "$tmp/par.db" "$tmp/sim.nmea" > "$tmp/par.jsonl" \
    2> "$tmp/tsan.err"
rc=$?
t "--jobs 3: no race (exit $rc)" '[ $rc -eq 0 ]'
t "--jobs 3: the events of one job" \
  'cmp -s <(sort "$tmp/one.jsonl") <(sort "$tmp/par.jsonl")'
rm -f "$tmp"/*.db*
# Enough vessels (2,200) that the pair engine's grid search runs on the
# shards' threads at each tick (meet.c: from 1,024 points).
"$DF_PLAIN" simulate --seed 4 --vessels 2200 --hours 2 --scenario none \
    -o "$tmp/dense.nmea" 2>/dev/null
"$DF_PLAIN" scan --jobs 1 --no-db --stats "$tmp/dense.nmea" \
    > "$tmp/one.jsonl" 2> "$tmp/one.err"
"$DF" scan --jobs 3 --no-db --stats "$tmp/dense.nmea" > "$tmp/par.jsonl" \
    2> "$tmp/tsan.err"
rc=$?
t "--jobs 3, 2,200 vessels: no race (exit $rc)" '[ $rc -eq 0 ]'
t "--jobs 3, 2,200 vessels: the events and counters of one job" \
  'cmp -s <(sort "$tmp/one.jsonl") <(sort "$tmp/par.jsonl") &&
   cmp -s "$tmp/one.err" "$tmp/tsan.err"'
# Standard input through the pipe, and a missing file between two good ones.
"$DF" scan --no-db - < "$tmp/sim.nmea" > /dev/null 2> "$tmp/tsan.err"
rc=$?
t "standard input: no race (exit $rc)" '[ $rc -eq 0 ]'
"$DF" scan --no-db "$tmp/sim.nmea" "$tmp/missing" "$tmp/sim.nmea.gz" \
    > /dev/null 2> "$tmp/tsan.err"
rc=$?
t "a missing input between two: exit 1, no race (exit $rc)" '[ $rc -eq 1 ]'
# A worker of a scan over a cluster runs each of its partitions on a thread
# of its own: one server on loopback, one worker with three partitions.
if command -v nats-server >/dev/null 2>&1; then
    (
        # shellcheck source=../cluster/cluster.sh
        source "$(dirname "$0")/../cluster/cluster.sh"
        trap cluster_stop EXIT
        cluster_start "$tmp/nats" 1 >/dev/null || exit 1
        "$DF_PLAIN" scan --no-db "$tmp/sim.nmea" > "$tmp/one.jsonl" \
            2>/dev/null
        "$DF" scan --nats "$NATS_URLS" --workers 1 --partitions 3 --no-db \
            "$tmp/sim.nmea" > "$tmp/cl.jsonl" 2> "$tmp/tsan.err"
    )
    rc=$?
    t "a worker's partitions on threads: no race (exit $rc)" '[ $rc -eq 0 ]'
    t "a worker's partitions on threads: the events of one scan" \
      'cmp -s <(sort "$tmp/one.jsonl") <(sort "$tmp/cl.jsonl")'
else
    echo "skip a worker's threads: nats-server not installed"
fi
[ "$fail" -eq 0 ] || tail -30 "$tmp/tsan.err"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
