#!/usr/bin/env bash
# Golden tests: darkfleet decode against gpsd's own expected outputs in
# ../shared/data/nmea/gpsd (sample.aivdm with .ju.chk and .js.chk, the
# daemon regression logs with their .log.chk), field by field.
set -u
: "${DF:?} ${DF_DATA:?} ${DF_SRC:?}"
G="$DF_DATA/nmea/gpsd"
if [ ! -d "$G" ]; then
    echo "skip: $G is absent (../shared/data not here)"
    exit 77
fi
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }
cmp="$DF_SRC/tests/golden/gpsdcmp.py"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
check() {   # name expected actual [gpsdcmp options]
    local name=$1 exp=$2 act=$3; shift 3
    if out=$(python3 "$cmp" "$@" "$exp" "$act"); then
        pass=$((pass + 1)); echo "ok   $name: ${out##*$'\n'}"
    else
        fail=$((fail + 1)); echo "FAIL $name:"; echo "$out" | tail -20
    fi
}
"$DF" decode --unscaled "$G/sample.aivdm" > "$tmp/ju" || fail=$((fail + 1))
check "sample.aivdm unscaled (.ju.chk)" "$G/sample.aivdm.ju.chk" "$tmp/ju"
"$DF" decode "$G/sample.aivdm" > "$tmp/js" || fail=$((fail + 1))
check "sample.aivdm scaled (.js.chk)" "$G/sample.aivdm.js.chk" "$tmp/js" \
    --scaled-tolerance
# Exactly 97 of gpsd's objects: a count that cannot drift silently.
n=$(grep -c '"class":"AIS"' "$G/sample.aivdm.ju.chk")
if [ "$n" -eq 97 ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL expected 97 objects in .ju.chk, got $n"; fi
for log in "$G"/*.log; do
    "$DF" decode --unscaled "$log" > "$tmp/log" || fail=$((fail + 1))
    check "$(basename "$log") (.log.chk)" "$log.chk" "$tmp/log" --dedup
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
