#!/usr/bin/env bash
# Detection against ground truth: `darkfleet simulate` plants every
# behaviour (and decoys that must not be reported) and writes the truth;
# `darkfleet scan` must find each planted event with the right vessels,
# times within minutes and place within a kilometre, report no decoy, and
# report nothing on the background traffic (tests/cli/truthcmp.py).  Each
# scenario on its own, all together for several seeds, and as
# MarineCadastre CSV.
set -u
: "${DF:?} ${DF_SRC:?}"
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cmp="$DF_SRC/tests/cli/truthcmp.py"
pass=0; fail=0

# The anchorage of the anchorage scenario, as an analyst would pass it.
anchorages() {
    python3 - "$1" "$2" <<'PY'
import json, sys
with open(sys.argv[2], "w") as out:
    out.write("name,latitude,longitude,kind,radius_km\n")
    for l in open(sys.argv[1]):
        ev = json.loads(l)["evidence"]
        if "anchorage_lat" in ev:
            out.write("%s,%s,%s,anchorage,5\n" % (ev["anchorage"],
                      ev["anchorage_lat"], ev["anchorage_lon"]))
PY
}

run() {   # name, simulate options...
    local name=$1; shift
    "$DF" simulate "$@" --truth "$tmp/truth" -o "$tmp/sim" 2> "$tmp/err" || {
        fail=$((fail + 1)); echo "FAIL $name: simulate: $(tail -1 "$tmp/err")"; return; }
    anchorages "$tmp/truth" "$tmp/anch.csv"
    local ports=()
    [ "$(wc -l < "$tmp/anch.csv")" -gt 1 ] && ports=(--ports "$tmp/anch.csv")
    "$DF" scan --no-db "${ports[@]}" "$tmp/sim" > "$tmp/events" \
        2> "$tmp/err" || {
        fail=$((fail + 1)); echo "FAIL $name: scan: $(tail -1 "$tmp/err")"; return; }
    if out=$(python3 "$cmp" "$tmp/truth" "$tmp/events"); then
        pass=$((pass + 1)); echo "ok   $name: ${out##*$'\n'}"
    else
        fail=$((fail + 1)); echo "FAIL $name:"; echo "$out" | grep -v '^ok'
    fi
}

for s in $("$DF" simulate --list 2>/dev/null); do
    run "scenario $s" --seed 11 --vessels 30 --hours 48 --scenario "$s"
done
for seed in 1 2 3; do
    run "all scenarios, seed $seed" --seed $seed --vessels 100 --hours 48
done
run "all scenarios as MarineCadastre CSV" --seed 4 --vessels 50 --hours 48 \
    --format csv
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
