#!/bin/bash
# transport.sh - cli/js.c against a 3-node JetStream cluster on loopback,
# with faults:
#  1. stream "ais" (ais.>, 3 replicas); two publishers in the background,
#     one waiting for each ack (messages 0..S-1), one asynchronous at a
#     fixed rate (S..N-1); the stream's leader is SIGKILLed mid-way and
#     restarted 3 s later.  Every message 0..N-1 must be stored once: the
#     stream holds exactly N.
#  2. All N published again with the same msgids: all acked as
#     duplicates, the stream still holds N.
#  3. A durable pull consumer appends each batch to a file, fsyncs, acks;
#     it dies mid-way, in the middle of writing a batch it has fetched
#     (js_test -k), and is started again with the same durable, resumed
#     at its ack floor.  The file must hold every payload 0..N-1, and at
#     most one batch twice (what was written but not acked when it died).
#     The ack wait is 10 minutes, so the rest of that batch must come at
#     once, from the resume, not from the wait.
#  3b. A consumer that loses one fetched message in about 50 on the way
#     (DF_JS_TEST_LOSE, as a server dying mid-delivery does), with a
#     10-minute ack wait: it sees the server count more delivered than it
#     holds, rewinds, and gets every payload within seconds.
#  4. A KV bucket (3 replicas): a value put, the bucket's leader killed,
#     the value read back and another put during the election.
# Env: DF_BUILD (the build directory, for js_test).  Exit 77: skipped.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/cluster.sh"                  # exits 77 without nats-server
JS_TEST=${JS_TEST:-${DF_BUILD:-$HERE/../../build}/tests/cluster/js_test}
if [ ! -x "$JS_TEST" ]; then
    echo "skip: $JS_TEST not built (no libnats-dev when configured?)"
    exit 77
fi

N=20000                               # messages
S=6000                                # of which the synchronous publisher's
BATCH=100                             # consumer's fetch
DIR=$(mktemp -d "${TMPDIR:-/tmp}/df-cluster.XXXXXX")
T0=$(date +%s.%N)
PIDS=()
cleanup() {
    local p
    # TERM: a `timeout` passes it on to its js_test.
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    cluster_stop
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

passed=0 failed=0
check() {                             # check NAME CONDITION-STATUS [DETAIL]
    if [ "$2" = 0 ]; then
        passed=$((passed + 1)); echo "ok   $1"
    else
        failed=$((failed + 1)); echo "FAIL $1 ${3:-}"
    fi
}
elapsed() { echo "$(date +%s.%N) $T0" | awk '{ printf "%.1f", $1 - $2 }'; }
say() { echo "[$(elapsed) s] $*"; }
js() { timeout 60 "$JS_TEST" "$@"; }

cluster_start "$DIR" 3 || { echo "FAIL cluster did not start"; exit 1; }
say "cluster up: $NATS_URLS"
U=$NATS_URLS

# ---- 1. publishing through the loss of the stream's leader -------------
js stream "$U" ais 'ais.>' 3
check "stream created" $?
LEADER=$(cluster_stream_leader ais)
say "stream ais led by $LEADER"
js pub "$U" "$S" -p run1 >"$DIR/pub_sync.out" 2>&1 &
PUB1=$!; PIDS+=("$PUB1")
js pub "$U" $((N - S)) -a -r 3000 -f "$S" -p run1 >"$DIR/pub_async.out" 2>&1 &
PUB2=$!; PIDS+=("$PUB2")
# Mid-way: once the stream holds a fifth of the messages.
for _ in $(seq 1 100); do
    c=$(js count "$U" ais 2>/dev/null || echo 0)
    [ "${c:-0}" -ge $((N / 5)) ] && break
    sleep 0.1
done
say "stream holds $c; killing its leader $LEADER"
cluster_kill "$LEADER"
KILLED=$LEADER
LEADER=$(cluster_stream_leader ais)
say "new leader $LEADER"
sleep 3
say "restarting $KILLED"
cluster_restart "$KILLED"
check "killed leader restarted" $?
say "$KILLED healthy again"
wait "$PUB1"; r1=$?
wait "$PUB2"; r2=$?
say "sync publisher: $(cat "$DIR/pub_sync.out")"
say "async publisher: $(cat "$DIR/pub_async.out")"
check "synchronous publisher finished" $r1
check "asynchronous publisher finished" $r2
c=$(js count "$U" ais)
check "stream holds exactly $N messages" $([ "$c" = "$N" ]; echo $?) "($c)"

# ---- 2. publishing everything again: all duplicates --------------------
out=$(js pub "$U" "$N" -a -p run1)
check "republish acked" $? "$out"
say "republish: $out"
check "republish: all $N were duplicates" \
    $(grep -q "dups $N " <<<"$out"; echo $?) "$out"
c=$(js count "$U" ais)
check "stream still holds $N" $([ "$c" = "$N" ]; echo $?) "($c)"

# ---- 3. a consumer SIGKILLed and started again --------------------------
OUT=$DIR/consumed
LONG=600000                           # ack wait: longer than the test
js consume "$U" ais w1 'ais.>' "$OUT" "$N" -b $BATCH -w $LONG \
    -k $((N / 3 + BATCH / 2)) >"$DIR/consume1.out" 2>&1
rc=$?
lines=$(wc -l <"$OUT")
say "consumer died (exit $rc) after $lines lines"
check "consumer died mid-way, mid-batch" \
    $([ $rc -eq 3 ] && [ "$lines" -gt 0 ] && [ "$lines" -lt "$N" ]; echo $?) \
    "(exit $rc, $lines lines)"
out=$(js consume "$U" ais w1 'ais.>' "$OUT" "$N" -b $BATCH -w $LONG -r)
check "restarted consumer finished" $? "$out"
say "restarted consumer: $out"
total=$(wc -l <"$OUT")
distinct=$(sort -u "$OUT" | wc -l)
missing=$(seq 0 $((N - 1)) | sort | comm -23 - <(sort -u "$OUT") | wc -l)
say "file: $total lines, $distinct distinct, $missing missing"
check "every message 0..$((N - 1)) consumed" $([ "$missing" = 0 ]; echo $?)
check "at most one batch ($BATCH) consumed twice" \
    $([ $((total - distinct)) -le $BATCH ]; echo $?) "($((total - distinct)))"

# ---- 3b. messages lost on the way ---------------------------------------
OUT=$DIR/consumed_lossy
out=$(DF_JS_TEST_LOSE=50 js consume "$U" ais w2 'ais.>' "$OUT" "$N" \
          -b $BATCH -w $LONG -r)
check "lossy consumer finished" $? "$out"
say "lossy consumer: $out"
missing=$(seq 0 $((N - 1)) | sort | comm -23 - <(sort -u "$OUT") | wc -l)
check "lossy: every message 0..$((N - 1)) consumed" $([ "$missing" = 0 ]; echo $?) \
    "($missing missing)"
rewinds=$(sed -n 's/.*rewinds \([0-9]*\).*/\1/p' <<<"$out")
check "lossy: the losses were seen and read again" \
    $([ "${rewinds:-0}" -gt 0 ]; echo $?) "(rewinds ${rewinds:-none})"

# ---- 4. KV through the loss of the bucket's leader ----------------------
js kv "$U" state 3 put vessel.123 first
check "kv put" $?
KVL=$(cluster_stream_leader KV_state)
say "bucket state led by $KVL; killing it"
cluster_kill "$KVL"
v=$(js kv "$U" state 3 get vessel.123)
check "kv get after the leader's loss" $([ "$v" = first ]; echo $?) "($v)"
js kv "$U" state 3 put vessel.123 second
check "kv put during the election" $?
v=$(js kv "$U" state 3 get vessel.123)
check "kv get of the new value" $([ "$v" = second ]; echo $?) "($v)"
v=$(js kv "$U" state 3 get vessel.999)
check "kv get of an absent key" $([ "$v" = "(absent)" ]; echo $?) "($v)"
cluster_restart "$KVL"
check "kv leader restarted" $?

say "done: $passed passed, $failed failed"
[ "$failed" = 0 ]
