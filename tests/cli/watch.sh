#!/usr/bin/env bash
# watch.sh - `darkfleet watch`, the scan live, on simulated traffic with
# every planted behaviour, against one `scan` of the same traffic:
#  - standard input, a TCP feed that drops and is reconnected, a file
#    written while watch follows it: each ends with the scan's events,
#    scores and reasons in the store, and prints each final event once
#    (the scan's events less those still open at its end);
#  - the store is read while watch writes it;
#  - alerts to a command (every alert, or only some types, or a risk
#    floor) and to a URL whose first answer is HTTP 500 (tried again);
#  - started again on the same store: nothing twice, one line about the
#    older input; a feed that cannot connect is said and tried again;
#  - bad options exit 2.
#
# Environment (set by CTest): DF.  Exit 77 = skipped.
set -u

DF=${DF:-}
if [ -z "$DF" ] || [ ! -x "$DF" ]; then
    echo "skip: DF is not set to the darkfleet binary"
    exit 77
fi
for tool in python3 sqlite3 timeout; do
    command -v $tool >/dev/null || { echo "skip: $tool not found"; exit 77; }
done
case $DF in /*) ;; *) DF=$PWD/$DF ;; esac

T=$(mktemp -d "${TMPDIR:-/tmp}/df_watch.XXXXXX") || exit 1
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$T"' EXIT
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

dump() {
    sqlite3 "$1" "SELECT type, vessel1, ifnull(vessel2, 0), start, end, lat,
                  lon, score, evidence, provisional FROM events ORDER BY 1, 2,
                  3, 4;
                  SELECT '--'; SELECT mmsi, score FROM risk ORDER BY 1;
                  SELECT '--'; SELECT mmsi, points, contribution, event_type,
                  text FROM reasons ORDER BY 1, 5;"
}
same() { cmp -s <(dump "$1") <(dump "$2"); }
# finals DB OUT: the lines of OUT are the final events of DB, each once.
finals() {
    python3 - "$1" "$2" <<'EOF'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
want = sorted((t, a, b or 0, s) for t, a, b, s in db.execute(
    "SELECT type, vessel1, vessel2, start FROM events WHERE NOT provisional"))
got = []
for line in open(sys.argv[2]):
    e = json.loads(line)
    v = e["vessels"] + [0]
    got.append((e["type"], v[0], v[1],
                e["start"][:-1] + (".000Z" if "." not in e["start"] else "Z")))
got.sort()
want = [(t, a, b, s if s.endswith("Z") else s) for t, a, b, s in want]
sys.exit(0 if got == want and len(got) == len(set(got)) and got else 1)
EOF
}
# lines_ge FILE N: FILE has N lines or more.
lines_ge() { [ "$(wc -l <"$1")" -ge "$2" ]; }
# events_ge DB N: DB holds N events or more.
events_ge() { [ "$(sqlite3 "$1" "SELECT count(*) FROM events" 2>/dev/null || echo 0)" -ge "$2" ]; }
# wait_for SECONDS COMMAND...: until COMMAND succeeds.
wait_for() {
    local n=$(( $1 * 10 ))
    shift
    while [ $n -gt 0 ]; do
        "$@" && return 0
        sleep 0.1
        n=$((n - 1))
    done
    return 1
}

"$DF" simulate --seed 21 --hours 30 --vessels 40 --scenario all \
    -o sim.nmea 2>/dev/null
"$DF" scan --db ref.db sim.nmea >ref.out 2>/dev/null
check "the reference scan finds events" \
    [ "$(sqlite3 ref.db "SELECT count(*) FROM events")" -ge 15 ]

# ---- standard input ------------------------------------------------------------
timeout 120 "$DF" watch --db stdin.db - <sim.nmea >stdin.out 2>stdin.err
rc=$?
check "standard input: exit 0 at its end (got $rc)" [ $rc -eq 0 ]
check "standard input: the scan's events, scores and reasons" \
    same ref.db stdin.db
check "standard input: each final event printed once" \
    finals stdin.db stdin.out
check "standard input: events still open are not printed" \
    [ "$(wc -l <stdin.out)" -eq \
      "$(sqlite3 ref.db "SELECT count(*) FROM events WHERE NOT provisional")" ]

# ---- a TCP feed that drops -----------------------------------------------------
# The server sends the first half, closes, and sends the rest to the next
# connection.
cat >serve.py <<'EOF'
import socket, sys
data = open(sys.argv[1], "rb").read().split(b"\n")
half = len(data) // 2
parts = [b"\n".join(data[:half]) + b"\n", b"\n".join(data[half:])]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(4)
print(s.getsockname()[1], flush=True)
for p in parts:
    c, _ = s.accept()
    c.sendall(p)
    c.close()
s.accept()[0].recv(1)       # a third connection: hold it
EOF
python3 serve.py sim.nmea >port.txt &
pids+=($!)
wait_for 10 test -s port.txt
port=$(cat port.txt)
"$DF" watch --db tcp.db "tcp://127.0.0.1:$port" >tcp.out 2>tcp.err &
wp=$!
pids+=($wp)
final=$(sqlite3 ref.db "SELECT count(*) FROM events WHERE NOT provisional")
wait_for 60 lines_ge tcp.out "$final"
sleep 0.5
kill -TERM $wp
wait $wp
rc=$?
check "TCP: exit 0 on SIGTERM (got $rc)" [ $rc -eq 0 ]
check "TCP: the drop is said, and the reconnect" \
    grep -q "connection closed; reconnecting" tcp.err
check "TCP: the scan's events, scores and reasons" same ref.db tcp.db
check "TCP: each final event printed once" finals tcp.db tcp.out

# ---- a file written while watch follows it ----------------------------------
n=$(wc -l <sim.nmea)
head -n $((n / 3)) sim.nmea >follow.nmea
"$DF" watch --db follow.db --alert-exec 'cat >>all.jsonl' follow.nmea \
    >follow.out 2>follow.err &
wp=$!
pids+=($wp)
sleep 1
tail -n +$((n / 3 + 1)) sim.nmea | head -n $((n / 3)) >>follow.nmea
sleep 1
tail -n +$((2 * n / 3 + 1)) sim.nmea >>follow.nmea
wait_for 60 lines_ge follow.out "$final"
# Read while watch writes (WAL): what it printed is already stored.
check "followed file: the store is read while watch writes" \
    wait_for 10 events_ge follow.db "$final"
kill -TERM $wp
wait $wp
rc=$?
check "followed file: exit 0 on SIGTERM (got $rc)" [ $rc -eq 0 ]
check "followed file: the scan's events, scores and reasons" \
    same ref.db follow.db
check "followed file: each final event printed once" \
    finals follow.db follow.out
check "alerts to a command: one per final event" \
    [ "$(wc -l <all.jsonl)" -eq "$final" ]
check "alerts: JSON with the id, risk and event" python3 -c '
import json, sys
for l in open("all.jsonl"):
    a = json.loads(l)
    assert set(a) == {"id", "risk", "event"} and a["id"] > 0, a
    assert 0 <= a["risk"] <= 100 and a["event"]["type"], a
'

# Started again on the same store with the same input: nothing is new.
timeout 120 "$DF" watch --db follow.db - <sim.nmea >again.out 2>again.err
rc=$?
check "again: exit 0 (got $rc)" [ $rc -eq 0 ]
check "again: nothing printed, the store as it was" \
    eval '[ ! -s again.out ] && same ref.db follow.db'
check "again: one line says the older input was dropped" \
    [ "$(grep -c "older than the state" again.err)" -eq 1 ]

# ---- split over jobs: events as they are final, not at the end ----------------
# The real day's first 200,000 rows (half an hour: before the first
# encounter tick) on standard input held open: with --jobs 2 watch prints
# the events one job prints while it still waits for more (the shards hand
# on what they hold when the input pauses, not only at a tick or the end).
DAY=${DF_DATA:-}/csv/marinecadastre_2020-01-01/AIS_2020_01_01_named_vessels.csv.zst
if [ -r "$DAY" ] && command -v zstd >/dev/null; then
    zstd -dc "$DAY" | head -200001 >day200k.csv
    for j in 1 2; do
        mkfifo jobs$j.fifo
        (cat day200k.csv; sleep 60) >jobs$j.fifo &
        pids+=($!)
        "$DF" watch --jobs $j --no-db - <jobs$j.fifo >jobs$j.out 2>/dev/null &
        pids+=($!)
    done
    # One job prints each event as it is final: wait until it is done.
    prev=-1
    for _ in $(seq 60); do
        n1=$(wc -l <jobs1.out)
        [ "$n1" -gt 0 ] && [ "$n1" -eq "$prev" ] && break
        prev=$n1
        sleep 1
    done
    wait_for 30 lines_ge jobs2.out "$n1"
    same_set() { [ "$n1" -gt 0 ] && cmp -s <(sort jobs1.out) <(sort jobs2.out); }
    check "--jobs 2, input paused: the $n1 events one job printed ($(wc -l <jobs2.out))" \
        same_set
else
    echo "# skipped --jobs 2 with the input paused: no real day in DF_DATA"
fi

# ---- alerts: types, risk, a URL -----------------------------------------------
timeout 120 "$DF" watch --db types.db --alert-type zone_entry,port_call \
    --alert-exec 'cat >>types.jsonl; echo "$DF_ALERT_TYPE" >>types.env' - \
    <sim.nmea >/dev/null 2>types.err
check "--alert-type: only those types, with the environment" \
    python3 -c '
import json
types = [json.loads(l)["event"]["type"] for l in open("types.jsonl")]
env = [l.strip() for l in open("types.env")]
assert types and set(types) <= {"zone_entry", "port_call"}, types
assert sorted(types) == sorted(env), (types, env)
'
timeout 120 "$DF" watch --db risk.db --alert-min-risk 25 \
    --alert-exec 'cat >>risk.jsonl' - <sim.nmea >/dev/null 2>risk.err
check "--alert-min-risk 25: only alerts of vessels scoring 25 or more" \
    python3 -c '
import json
r = [json.loads(l)["risk"] for l in open("risk.jsonl")]
assert r and min(r) >= 25, r
'
# A command that hangs cannot keep watch from ending: at the end of the
# input it waits its drain (10 s), then stops the commands.
start=$(date +%s)
timeout 90 "$DF" watch --db hang.db --alert-type zone_entry \
    --alert-exec 'sleep 3017; echo late >>hang.txt' - \
    <sim.nmea >/dev/null 2>hang.err
rc=$?
took=$(( $(date +%s) - start ))
check "a hanging alert command: watch ends (exit $rc, ${took} s)" \
    eval '[ $rc -eq 0 ] && [ $took -lt 40 ]'
check "a hanging alert command: said, and stopped with what it started" \
    grep -q "still running at the end: stopped" hang.err
sleep 1
check "a hanging alert command: nothing of it left" \
    eval '[ -z "$(pgrep -f "sleep 3017")" ] && [ ! -e hang.txt ]'
cat >hook.py <<'EOF'
import http.server, sys
seen = []
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        seen.append(body)
        if len(seen) == 1:
            self.send_response(500)     # the first try fails
        else:
            open("posted.jsonl", "ab").write(body)
            self.send_response(200)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
EOF
python3 hook.py >hport.txt &
pids+=($!)
wait_for 10 test -s hport.txt
hport=$(cat hport.txt)
if "$DF" watch --help | grep -q -- --alert-url; then
    timeout 120 "$DF" watch --db url.db --stats \
        --alert-url "http://127.0.0.1:$hport/hook" - <sim.nmea >/dev/null \
        2>url.err
    rc=$?
    check "--alert-url: exit 0 (got $rc)" [ $rc -eq 0 ]
    check "--alert-url: every alert posted, the failed one again" \
        [ "$(wc -l <posted.jsonl)" -eq "$final" ]
    check "--alert-url: the retry is counted" \
        grep -Eq "^ +1  alert_url_retries" url.err
fi

# ---- feeds that do not work, bad options ------------------------------------
python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' >dead.txt
"$DF" watch --db dead.db "tcp://127.0.0.1:$(cat dead.txt)" >/dev/null \
    2>dead.err &
wp=$!
pids+=($wp)
wait_for 10 grep -q "retrying in" dead.err
kill -TERM $wp
wait $wp
rc=$?
check "a feed that cannot connect: said and tried again, exit 0 (got $rc)" \
    eval '[ $rc -eq 0 ] && grep -q "retrying in" dead.err'
"$DF" watch --db x.db >/dev/null 2>&1
check "no input: exit 2" [ $? -eq 2 ]
"$DF" watch --db x.db --alert-min-risk 101 - </dev/null >/dev/null 2>err
rc=$?
check "--alert-min-risk 101: exit 2, one line" \
    eval '[ $rc -eq 2 ] && [ "$(wc -l <err)" -eq 1 ]'
"$DF" watch --db x.db --alert-type nonsense - </dev/null >/dev/null 2>err
rc=$?
check "--alert-type nonsense: exit 2, one line" \
    eval '[ $rc -eq 2 ] && [ "$(wc -l <err)" -eq 1 ]'
"$DF" watch --db x.db --alert-url ftp://x - </dev/null >/dev/null 2>err
rc=$?
check "--alert-url ftp://: exit 2, one line" \
    eval '[ $rc -eq 2 ] && [ "$(wc -l <err)" -eq 1 ]'

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
