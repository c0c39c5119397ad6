#!/bin/bash
# simulate.sh - `darkfleet simulate`: options, NMEA and CSV outputs that
# agree with each other, the truth file, determinism, and bad options that
# exit 2 with one error line.
# Environment: DF (the binary), DF_DATA, DF_SRC.  Exits 77 to skip.

DF=${DF:-build/darkfleet}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }

if [ ! -x "$DF" ]; then
    echo "no binary at $DF"
    exit 77
fi
if ! "$DF" simulate --help >/dev/null 2>&1; then
    echo "simulate is not registered in $DF"
    exit 77
fi

# --- help and list ----------------------------------------------------
check "help exits 0 and names the options" \
    bash -c "'$DF' simulate --help | grep -q -- '--scenario'"
check "--list names 15 scenarios" \
    bash -c "[ \$('$DF' simulate --list | wc -l) -eq 15 ]"

# --- NMEA: tag blocks, checksums, truth ---------------------------------
"$DF" simulate --seed 3 --hours 48 --vessels 20 --truth "$tmp/truth.jsonl" \
    -o "$tmp/a.nmea" 2>"$tmp/err"
check "nmea run exits 0" [ $? -eq 0 ]
check "nmea run is quiet" [ ! -s "$tmp/err" ]
check "every line has a tag block and a sentence" \
    bash -c "! grep -v -q '^\\\\c:[0-9]*\\*[0-9A-F][0-9A-F]\\\\!AIVDM,[12],[12],[0-9]*,[AB],[^,]*,[0-5]\\*[0-9A-F][0-9A-F]\$' '$tmp/a.nmea'"
check "truth has 19 lines" \
    bash -c "[ \$(wc -l < '$tmp/truth.jsonl') -eq 19 ]"
check "truth lines are events with a scenario" \
    bash -c "! grep -v -q '^{\"type\":\"[a-z_]*\",\"vessels\":\[[0-9,]*\],\"start\":\"[-0-9T:]*Z\",\"end\":\"[-0-9T:]*Z\",\"lat\":[-0-9.]*,\"lon\":[-0-9.]*,.*\"evidence\":{\"scenario\":' '$tmp/truth.jsonl'"
for t in encounter loitering gap draught_change spoofing mmsi_collision \
    identity_change invalid_identity zone_entry port_call; do
    check "truth has $t" grep -q "\"type\":\"$t\"" "$tmp/truth.jsonl"
done
check "decoys have a negative score" \
    bash -c "[ \$(grep -c '\"score\":-1' '$tmp/truth.jsonl') -eq 4 ]"

# same seed, same bytes; another seed, other bytes
"$DF" simulate --seed 3 --hours 48 --vessels 20 > "$tmp/b.nmea"
check "same seed gives the same bytes" cmp -s "$tmp/a.nmea" "$tmp/b.nmea"
"$DF" simulate --seed 4 --hours 48 --vessels 20 > "$tmp/c.nmea"
check "another seed differs" bash -c "! cmp -s '$tmp/a.nmea' '$tmp/c.nmea'"

# the decoder reads it all back, in time order
if "$DF" decode --help >/dev/null 2>&1; then
    "$DF" decode "$tmp/a.nmea" > "$tmp/a.json" 2>"$tmp/err"
    check "decode reads the simulation" [ $? -eq 0 ]
    n_sent=$(grep -c -v ',2,2,' "$tmp/a.nmea")
    check "one decoded message per message" \
        [ "$(wc -l < "$tmp/a.json")" -eq "$n_sent" ]
fi

# --- CSV: same positions as the NMEA ------------------------------------
"$DF" simulate --seed 3 --hours 48 --vessels 20 --format csv \
    -o "$tmp/a.csv" 2>"$tmp/err"
check "csv run exits 0" [ $? -eq 0 ]
check "csv header is MarineCadastre's" \
    bash -c "head -1 '$tmp/a.csv' | grep -qx 'MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass'"
check "csv rows have 17 columns" \
    bash -c "awk -F, 'NR > 1 && NF != 17 { exit 1 }' '$tmp/a.csv'"
# position reports in the NMEA: payloads starting 1, 2, 3 (types 1-3), B
# (18) or C (19)
n_pos=$(grep -c ',1,1,,[AB],[123BC]' "$tmp/a.nmea")
n_rows=$(($(wc -l < "$tmp/a.csv") - 1))
check "one csv row per position report ($n_rows vs $n_pos)" \
    [ "$n_rows" -eq "$n_pos" ]
check "csv rows carry names and IMO numbers" \
    bash -c "awk -F, 'NR > 1 && \$8 != \"\" && \$9 ~ /^IMO[0-9][0-9][0-9][0-9][0-9][0-9][0-9]\$/' '$tmp/a.csv' | grep -q ."
check "csv times are MarineCadastre's" \
    bash -c "awk -F, 'NR == 2' '$tmp/a.csv' | grep -q ',2025-03-0[0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9],'"
check "csv has both transceiver classes" \
    bash -c "cut -d, -f17 '$tmp/a.csv' | sort -u | tr -d '\n' | grep -qx 'ABTransceiverClass'"
# the same MMSIs in both
if "$DF" decode --help >/dev/null 2>&1; then
    grep -o '"mmsi":[0-9]*' "$tmp/a.json" | cut -d: -f2 | sort -u > "$tmp/m1"
    tail -n +2 "$tmp/a.csv" | cut -d, -f1 | sort -u > "$tmp/m2"
    check "same vessels in NMEA and CSV" cmp -s "$tmp/m1" "$tmp/m2"
fi

# --- options -------------------------------------------------------------
"$DF" simulate --vessels 0 --scenario none --hours 1 > "$tmp/none"
check "no vessels, no scenario: empty" [ ! -s "$tmp/none" ]
"$DF" simulate --vessels 3 --hours 1 --scenario none > "$tmp/bg"
check "3 vessels for an hour" \
    bash -c "[ \$(grep -o '!AIVDM,[12],1,[^,]*,[AB],.' '$tmp/bg' | wc -l) -gt 300 ]"
check "--start sets the time" \
    bash -c "'$DF' simulate --vessels 1 --hours 1 --scenario none --start 2024-06-01T12:00:00Z | head -1 | grep -q '^.c:17172432'"
"$DF" simulate --vessels 0 --hours 4 --scenario gap,spoofing \
    --truth "$tmp/t2" > /dev/null
check "two scenarios: their truth only" \
    bash -c "[ \$(wc -l < '$tmp/t2') -eq 3 ] && [ \$(grep -c '\"scenario\":\"gap\"' '$tmp/t2') -eq 1 ]"
check "a short run is extended to the scenario's end" \
    bash -c "grep -q '\"type\":\"gap\"' '$tmp/t2'"
check "--seed=N form" \
    bash -c "'$DF' simulate --seed=5 --vessels 2 --hours 1 --scenario none | grep -q AIVDM"

# --- bad options: exit 2, one line on stderr -------------------------------
for args in "--bogus" "--seed" "--seed x" "--hours 0" "--hours -1" \
    "--vessels abc" "--scenario nosuch" "--scenario gap,,spoofing" \
    "--format xml" "--start 2025-13-01" "--start yesterday"; do
    # shellcheck disable=SC2086
    "$DF" simulate $args > "$tmp/out" 2> "$tmp/err"
    rc=$?
    check "'$args' exits 2 (got $rc)" [ "$rc" -eq 2 ]
    check "'$args' prints one error line" \
        bash -c "[ \$(wc -l < '$tmp/err') -eq 1 ] && grep -q '^darkfleet: ' '$tmp/err'"
    check "'$args' writes no data" [ ! -s "$tmp/out" ]
done
"$DF" simulate --vessels 1 --hours 1 -o /nonexistent/dir/x.nmea 2>"$tmp/err"
check "unwritable output exits 1" [ $? -eq 1 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
