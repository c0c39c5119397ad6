#!/bin/bash
# serve.sh - `darkfleet serve`: the workspace and its JSON API.
#
# Builds the hostile store of tests/browser/mkdb.py (names with markup,
# scripts, quotes and non-ASCII; evidence that is not JSON) and serves it
# on a free port (--port 0, the URL read from standard output), then:
#   - the API, every endpoint and every bad parameter, against SQL on the
#     same file, with a writer beside it (tests/cli/serve_api.py);
#   - the command line: a missing store (exit 1, one line, not created),
#     bad options (exit 2), a port in use (exit 1, one line), SIGTERM and
#     SIGINT (exit 0), a schema 4 store (served, one line said);
#   - the token: on 0.0.0.0 one is made and printed, requests without it
#     get 401, with it (header, cookie, ?token= sent on to / with the
#     cookie) 200; --token on 127.0.0.1 is needed too;
#   - limits: slow clients holding half a request do not hold up others
#     and are closed after --timeout; connections past the limit are
#     refused and the server goes on;
#   - the web app in Debian's chromium through playwright-core
#     (tests/browser/serve.mjs): search, a vessel's page, the map filtered,
#     an event's page, hostile names as text, a live change, on MapLibre
#     and on the canvas map; screenshots in $DF_BUILD/serve-shots/.
# Exits 77 (skip) when python3 is missing or serve was built without
# libmicrohttpd, or when chromium or node_modules/playwright-core is and
# everything else passed.
#
# Env: DF (the binary), DF_SRC (the source tree), DF_BUILD (the build tree).
set -u
DF=${DF:-build/darkfleet}
DF_SRC=${DF_SRC:-.}
DF_BUILD=${DF_BUILD:-build}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
bad() { fail=$((fail + 1)); echo "not ok - $*"; }
summary() { echo "$pass passed, $fail failed"; }

if ! command -v python3 >/dev/null || ! python3 -c 'import sqlite3' 2>/dev/null; then
    echo "skip: python3 with sqlite3 is needed"
    exit 77
fi
T=$(mktemp -d)
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT

python3 "$DF_SRC/tests/browser/mkdb.py" --src "$DF_SRC" --db "$T/t.db" \
    --expect "$T/expect.json" || { bad "mkdb.py"; summary; exit 1; }

# Starts `darkfleet serve ARGS...` in the background: its pid in $SPID,
# its URL (read off standard output) in $SURL; 1 when it did not start.
start() {
    local i
    : >"$T/sout"
    "$DF" serve "$@" >"$T/sout" 2>"$T/serr" &
    SPID=$!
    PIDS+=("$SPID")
    for i in $(seq 100); do
        SURL=$(sed -n 's/^darkfleet serve: //p' "$T/sout")
        [ -n "$SURL" ] && return 0
        kill -0 "$SPID" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}
# GET (python, no curl needed): prints the status; the status with the
# Set-Cookie and Location headers goes into $T/status, the body into
# $T/body.
get() {  # url [header value]...
    python3 - "$T/body" "$@" <<'PY' >"$T/status" 2>/dev/null
import sys, urllib.request, urllib.error
r = urllib.request.Request(sys.argv[2])
for i in range(3, len(sys.argv) - 1, 2):
    r.add_header(sys.argv[i], sys.argv[i + 1])
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a):
        return None
o = urllib.request.build_opener(NoRedirect)
try:
    resp = o.open(r, timeout=10)
    code, body, hdr = resp.status, resp.read(), resp.headers
except urllib.error.HTTPError as e:
    code, body, hdr = e.code, e.read(), e.headers
open(sys.argv[1], "wb").write(body)
print(code)
for k in ("Set-Cookie", "Location"):
    if hdr.get(k):
        print("%s: %s" % (k, hdr.get(k)))
PY
    head -n 1 "$T/status"
}

if ! "$DF" serve --help >/dev/null 2>&1; then
    bad "serve --help"
    summary
    exit 1
fi
"$DF" serve --db "$T/missing.db" --port 0 >"$T/o" 2>"$T/e" </dev/null; rc=$?
if [ $rc -eq 1 ] && grep -q "without libmicrohttpd" "$T/e"; then
    echo "skip: this darkfleet was built without libmicrohttpd"
    exit 77
fi

# ---- the API ------------------------------------------------------------------
if start --db "$T/t.db" --port 0; then
    ok "serves the store: $SURL"
    [ ! -s "$T/serr" ] && ok "nothing on standard error" || bad "stderr: $(cat "$T/serr")"
    case "$SURL" in http://127.0.0.1:*/) ok "binds 127.0.0.1 by default, no token" ;; *) bad "URL $SURL" ;; esac
    if timeout 300 python3 "$DF_SRC/tests/cli/serve_api.py" "$SURL" "$T/t.db" "$T/expect.json" >"$T/api.out" 2>&1; then
        ok "API: $(tail -n 1 "$T/api.out" | sed 's/^# //')"
    else
        grep -v '^ok' "$T/api.out" | head -n 40
        bad "API (tests/cli/serve_api.py)"
    fi
    # The first lines of a response: a live server after all of that.
    [ "$(get "${SURL}api/stats")" = 200 ] && ok "still answering" || bad "not answering"

    # ---- limits: slow clients, too many connections -------------------------
    python3 - "$SURL" <<'PY' >"$T/slow.out" 2>&1 && ok "slow clients: $(tail -n 1 "$T/slow.out")" || { cat "$T/slow.out"; bad "slow clients"; }
import socket, sys, time, urllib.parse, urllib.request
u = urllib.parse.urlsplit(sys.argv[1])
slow = []
for i in range(40):   # half a request each, then nothing
    s = socket.create_connection((u.hostname, u.port))
    s.sendall(b"GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    slow.append(s)
t = time.time()
body = urllib.request.urlopen(sys.argv[1] + "api/vessels?q=OCEAN", timeout=5).read()
took = time.time() - t
assert took < 1.0 and b"211000001" in body, took
print("a request answered in %.3f s beside 40 half requests" % took)
PY
    kill "$SPID"; wait "$SPID" 2>/dev/null
else
    bad "serve did not start: $(cat "$T/serr")"
fi

if start --db "$T/t.db" --port 0 --timeout 1 --threads 2; then
    python3 - "$SURL" <<'PY' >"$T/lim.out" 2>&1 && ok "limits: $(tail -n 1 "$T/lim.out")" || { cat "$T/lim.out"; bad "limits"; }
import socket, sys, time, urllib.parse, urllib.request
u = urllib.parse.urlsplit(sys.argv[1])
slow = []
for i in range(10):
    s = socket.create_connection((u.hostname, u.port))
    s.sendall(b"GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    s.settimeout(6)
    slow.append(s)
time.sleep(3)
closed = 0
for s in slow:
    try:
        closed += s.recv(100) == b""
    except (ConnectionResetError, socket.timeout):
        closed += 1
assert closed == 10, closed
# Past the limit of one address's connections: refused, the server goes on.
conns, refused = [], 0
for i in range(80):
    try:
        s = socket.create_connection((u.hostname, u.port), timeout=2)
        s.sendall(b"GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        s.settimeout(2)
        if s.recv(12) == b"":
            refused += 1
        conns.append(s)
    except OSError:
        refused += 1
for s in conns:
    s.close()
assert refused >= 80 - 64, refused
# The server frees the closed ones as it sees them close: a moment.
for i in range(50):
    try:
        body = urllib.request.urlopen(sys.argv[1] + "api/stats", timeout=5).read()
        break
    except OSError:
        time.sleep(0.1)
assert b"vessels" in body
print("idle ones closed after --timeout 1; %d of 80 at once refused past 64 from one address; still answering" % refused)
PY
    kill -INT "$SPID"; wait "$SPID"; rc=$?
    [ $rc -eq 0 ] && ok "SIGINT: exit 0" || bad "SIGINT: exit $rc"
else
    bad "serve --timeout 1 did not start: $(cat "$T/serr")"
fi

# ---- the command line -------------------------------------------------------------
"$DF" serve --db "$T/missing.db" --port 0 >"$T/o" 2>"$T/e"; rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$T/e")" -eq 1 ] && [ ! -s "$T/o" ] \
    && ok "missing store: exit 1, one line" || bad "missing store: exit $rc, $(cat "$T/e")"
[ ! -e "$T/missing.db" ] && ok "a missing store is not created" || bad "missing.db was created"
for args in "--bogus" "--port x" "--port 70000" "--port -1" "--bind nowhere" "--bind 1.2.3" \
            "--token short" "--token bad/char/token/123456" "--threads 0" "--timeout 0" "extra"; do
    # shellcheck disable=SC2086
    "$DF" serve --db "$T/t.db" $args >"$T/o" 2>"$T/e"; rc=$?
    [ $rc -eq 2 ] && [ "$(wc -l <"$T/e")" -eq 1 ] && ok "serve $args: exit 2, one line" \
        || bad "serve $args: exit $rc, $(cat "$T/e")"
done
if start --db "$T/t.db" --port 0; then
    port=${SURL##*:}; port=${port%/}
    "$DF" serve --db "$T/t.db" --port "$port" >"$T/o" 2>"$T/e"; rc=$?
    [ $rc -eq 1 ] && [ "$(wc -l <"$T/e")" -eq 1 ] && grep -q "port $port" "$T/e" \
        && ok "port in use: exit 1, one line ($(cat "$T/e"))" || bad "port in use: exit $rc, $(cat "$T/e")"
    kill -TERM "$SPID"; wait "$SPID"; rc=$?
    [ $rc -eq 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit $rc"
fi
# A schema 4 store (never migrated by serve): served, with one line.
cp "$T/t.db" "$T/v4.db"
python3 - "$T/v4.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("DROP TABLE vessel_search; DROP TABLE events_rtree; DROP VIEW events_extent;"
                 "PRAGMA user_version = 4")
db.close()
PY
if start --db "$T/v4.db" --port 0; then
    grep -q "schema version 4" "$T/serr" && [ "$(wc -l <"$T/serr")" -eq 1 ] \
        && ok "schema 4: one line said" || bad "schema 4: stderr $(cat "$T/serr")"
    get "${SURL}api/vessels?q=OCEAN" >/dev/null
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not [v["mmsi"] for v in d["vessels"]] == [211000001])' "$T/body" 2>/dev/null \
        && ok "schema 4: names found by their start" || bad "schema 4 search: $(head -c 200 "$T/body")"
    get "${SURL}api/events?bbox=123,36,125,38" >/dev/null
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not d["total"] == 3)' "$T/body" 2>/dev/null \
        && ok "schema 4: events in a box" || bad "schema 4 box: $(head -c 200 "$T/body")"
    python3 -c 'import sqlite3,sys; sys.exit(sqlite3.connect(sys.argv[1]).execute("PRAGMA user_version").fetchone()[0] != 4)' "$T/v4.db" \
        && ok "schema 4: not migrated" || bad "schema 4 store migrated"
    kill "$SPID"; wait "$SPID" 2>/dev/null
fi

# ---- the token -------------------------------------------------------------------------
if start --db "$T/t.db" --port 0 --bind 0.0.0.0; then
    tok=${SURL##*token=}
    base=${SURL%%\?*}
    base=http://127.0.0.1:${base##*:}
    [[ "$SURL" == http://0.0.0.0:*/?token=* ]] && [ ${#tok} -eq 32 ] \
        && ok "--bind 0.0.0.0: a token made and printed" || bad "URL: $SURL"
    [ "$(get "${base}api/stats")" = 401 ] && ok "no token: 401" || bad "no token: $(cat "$T/status")"
    [ "$(get "${base}")" = 401 ] && ok "no token, the page: 401" || bad "no token page"
    [ "$(get "${base}api/stats" Authorization "Bearer wrong${tok}")" = 401 ] && ok "a wrong token: 401" || bad "wrong token"
    [ "$(get "${base}api/stats" Authorization "Bearer $tok")" = 200 ] && ok "Authorization: Bearer: 200" || bad "bearer"
    [ "$(get "${base}api/stats?token=$tok")" = 200 ] && ok "?token=: 200" || bad "?token="
    [ "$(get "${base}?token=$tok")" = 303 ] && grep -q "^Location: /$" "$T/status" \
        && grep -q "^Set-Cookie: df_token=$tok; Path=/; HttpOnly; SameSite=Strict" "$T/status" \
        && ok "/?token=: 303 to / with the cookie" || bad "/?token=: $(cat "$T/status")"
    [ "$(get "${base}" Cookie "df_token=$tok")" = 200 ] && ok "the cookie: 200" || bad "cookie"
    [ "$(get "${base}api/stats" Host "evil.example")" = 401 ] && ok "a foreign Host without the token: 401" || bad "host"
    kill "$SPID"; wait "$SPID" 2>/dev/null
fi
if start --db "$T/t.db" --port 0 --token abcdefghijklmnop_1234; then
    [[ "$SURL" == *"?token=abcdefghijklmnop_1234" ]] && ok "--token: in the URL" || bad "--token URL $SURL"
    [ "$(get "${SURL%%\?*}api/stats")" = 401 ] && ok "--token on 127.0.0.1: needed" || bad "--token needed"
    [ "$(get "${SURL%%\?*}api/stats" Authorization "Bearer abcdefghijklmnop_1234")" = 200 ] && ok "--token: 200 with it" || bad "--token ok"
    kill "$SPID"; wait "$SPID" 2>/dev/null
fi

# ---- the web app in a browser ------------------------------------------------------------
if [ $fail -ne 0 ]; then summary; exit 1; fi
CHROMIUM=${DF_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ] || [ ! -d "$DF_SRC/node_modules/playwright-core" ] || ! command -v node >/dev/null; then
    echo "skip: the browser test needs $CHROMIUM (apt-get install chromium), node and node_modules/playwright-core (npm ci)"
    summary
    exit 77
fi
python3 "$DF_SRC/tests/browser/mkdb.py" --src "$DF_SRC" --db "$T/b.db" >/dev/null || bad "mkdb.py again"
SHOTS=$DF_BUILD/serve-shots
rm -rf "$SHOTS"
if start --db "$T/b.db" --port 0; then
    if timeout 600 node "$DF_SRC/tests/browser/serve.mjs" "$SURL" "$T/expect.json" "$SHOTS" "$T/b.db"; then
        ok "browser: search, vessel, map filters, event, live (screenshots in $SHOTS)"
    else
        bad "browser test (screenshots in $SHOTS)"
    fi
    kill "$SPID"; wait "$SPID" 2>/dev/null
else
    bad "serve did not start for the browser"
fi
summary
[ $fail -eq 0 ]
