#!/bin/bash
# report.sh - `darkfleet report`: the static HTML report (DESIGN.md).
#
# Builds a small store with python3's sqlite3 (tests/browser/mkdb.py reads
# the schema from src/store.c) whose names, destinations, reasons and
# evidence are hostile (<img onerror>, </script><script>, quotes, unicode,
# javascript:), writes the report, and checks the command line, the files,
# that no data string reaches a file unescaped, and then the pages in
# Debian's chromium driven by playwright-core (tests/browser/report.mjs;
# screenshots in $DF_BUILD/report-shots/).  Exits 77 (skip) when python3
# is missing, or when chromium or node_modules/playwright-core is and
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
    echo "skip: python3 with sqlite3 is needed to build the test store"
    exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

python3 "$DF_SRC/tests/browser/mkdb.py" --src "$DF_SRC" --db "$T/t.db" \
    --expect "$T/expect.json" || { bad "mkdb.py"; summary; exit 1; }

# ---- command line -----------------------------------------------------------
out=$("$DF" report --db "$T/t.db" -o "$T/out" --top 5 2>"$T/err")
rc=$?
[ $rc -eq 0 ] && ok "report exits 0" || { bad "report exits $rc: $(cat "$T/err")"; summary; exit 1; }
[ "$out" = "open $T/out/index.html" ] && ok "prints where to open it" || bad "stdout: $out"
[ ! -s "$T/err" ] && ok "nothing on stderr" || bad "stderr: $(cat "$T/err")"

"$DF" report --db "$T/missing.db" -o "$T/out2" >"$T/o" 2>"$T/e"; rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$T/e")" -eq 1 ] && [ ! -s "$T/o" ] \
    && ok "missing database: exit 1, one error line" \
    || bad "missing database: exit $rc, stderr $(cat "$T/e")"
[ ! -e "$T/missing.db" ] && ok "a missing database is not created" || bad "missing.db was created"

"$DF" report --db "$T/t.db" --bogus -o "$T/out2" >/dev/null 2>"$T/e"; rc=$?
[ $rc -eq 2 ] && ok "bad option: exit 2" || bad "bad option: exit $rc"
"$DF" report --db "$T/t.db" >/dev/null 2>"$T/e"; rc=$?
[ $rc -eq 2 ] && ok "no -o: exit 2" || bad "no -o: exit $rc"
"$DF" report --db "$T/t.db" -o "$T/out2" --top x >/dev/null 2>"$T/e"; rc=$?
[ $rc -eq 2 ] && ok "bad --top: exit 2" || bad "bad --top: exit $rc"
"$DF" report --help | grep -q "usage: darkfleet report" && ok "--help" || bad "--help"
: >"$T/file"
"$DF" report --db "$T/t.db" -o "$T/file/sub" >/dev/null 2>"$T/e"; rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$T/e")" -eq 1 ] && ok "unwritable directory: exit 1, one line" \
    || bad "unwritable directory: exit $rc, $(cat "$T/e")"

# ---- files -------------------------------------------------------------------
R=$T/out
for f in index.html data.js assets/app.js assets/style.css assets/maplibre-gl.js \
         assets/maplibre-gl.css assets/land.js \
         v/211000001.html v/211000001.js v/445000005.html v/445000005.js; do
    [ -s "$R/$f" ] && ok "wrote $f" || bad "missing $f"
done
[ ! -e "$R/v/636000006.html" ] && ok "no page past --top" || bad "a page past --top"
grep -q 'src="211000001.js"' "$R/v/211000001.html" && ! grep -q '@MMSI@' "$R/v/211000001.html" \
    && ok "vessel page names its data file" || bad "vessel page template not filled"

# No data string unescaped in any file: every '<' from the data is \u003c.
hits=$(grep -rlF -e '<img src=x' -e '</script><script>' -e '<svg onload' -e '<b>at sea' "$R" || true)
[ -z "$hits" ] && ok "no raw hostile markup in any file" || bad "raw hostile markup in: $hits"
grep -qF '\u003cimg src=x onerror=alert(1)>' "$R/data.js" \
    && ok "hostile reason kept, JSON-escaped" || bad "hostile reason missing from data.js"
grep -qF '"text":"\"}];alert(6);//"' "$R/v/211000001.js" \
    && ok "evidence that is not JSON kept as a string" || bad "bad evidence not quoted"

# data.js is JSON after its prefix: names round-trip exactly, in rank order.
python3 - "$R" "$T/expect.json" <<'EOF' && ok "data.js: names round-trip, rank order, track capped" || bad "data.js content"
import json, sys
r, exp = sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8"))
def load(path, var):
    s = open(path, encoding="utf-8").read()
    pre = "window.%s = " % var
    assert s.startswith(pre) and s.rstrip().endswith(";"), path
    return json.loads(s[len(pre):].rstrip().rstrip(";"))
d = load(r + "/data.js", "DARKFLEET")
assert [v["mmsi"] for v in d["vessels"]] == [v["mmsi"] for v in exp["vessels"]], "order"
assert [v["name"] for v in d["vessels"]] == [v["name"] for v in exp["vessels"]], "names"
assert [v["page"] for v in d["vessels"]] == [True] * 5 + [False], "pages"
assert len(d["events"]) == exp["events"] == d["events_total"], "events"
assert d["events_drawn"] == exp["events_drawn"], "events drawn"
assert d["events_unplaced"] == exp["events"] - exp["events_drawn"], "unplaced"
v = load(r + "/v/211000001.js", "DARKFLEET_VESSEL")
assert [i["name"] for i in v["identity_history"]] == exp["vessels"][0]["identities"]
assert v["track_total"] == 3000 and len(v["track"]) == 2000, "track cap"
assert v["track"][0][0] < v["track"][-1][0]
assert len(v["events"]) == exp["vessels"][0]["events"]
EOF

# ---- browser -------------------------------------------------------------------
if [ $fail -ne 0 ]; then summary; exit 1; fi
CHROMIUM=${DF_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ] || [ ! -d "$DF_SRC/node_modules/playwright-core" ] || ! command -v node >/dev/null; then
    echo "skip: the browser test needs $CHROMIUM (apt-get install chromium), node and node_modules/playwright-core (npm ci)"
    summary
    exit 77
fi
SHOTS=$DF_BUILD/report-shots
rm -rf "$SHOTS"
if timeout 600 node "$DF_SRC/tests/browser/report.mjs" "$R" "$T/expect.json" "$SHOTS"; then
    ok "browser: index, map, list and vessel page (screenshots in $SHOTS)"
else
    bad "browser test (screenshots in $SHOTS)"
fi
summary
[ $fail -eq 0 ]
