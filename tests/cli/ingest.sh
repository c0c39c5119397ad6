#!/usr/bin/env bash
# The same decode over every kind of source: MarineCadastre and DMA CSV,
# plain and compressed (gzip, zstd, xz, bzip2, zip with two members), and
# NMEA; the output of a compressed file equals that of the plain one, and a
# damaged archive keeps the records before the damage, then fails with one
# error line.
set -u
: "${DF:?} ${DF_DATA:?}"
C="$DF_DATA/csv/marinecadastre_2020-01-01/subset_delaware_bay_2020-01-01.csv"
[ -f "$C" ] || { echo "skip: $C is absent (../shared/data not here)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
t() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

rows=$(($(wc -l < "$C") - 1))
"$DF" decode -u "$C" > "$tmp/plain.json" 2> "$tmp/err"; rc=$?
t "csv: exit 0" '[ $rc -eq 0 ]'
t "csv: one object per row ($rows)" '[ "$(wc -l < "$tmp/plain.json")" -eq "$rows" ]'
t "csv: JSON with gpsd keys and a time" \
  'python3 -c "
import json,sys
for l in open(sys.argv[1]):
    o=json.loads(l)
    assert o[\"class\"]==\"AIS\" and \"mmsi\" in o and o[\"time\"].endswith(\"Z\")
" "$tmp/plain.json"'
# First row: 2020-01-01T00:00:00, values as published.
first=$(sed -n 2p "$C")
mmsi=${first%%,*}
t "csv: first row's MMSI first" 'head -1 "$tmp/plain.json" | grep -q "\"mmsi\":$mmsi,"'

cp "$C" "$tmp/day.csv"
gzip -k "$tmp/day.csv"; zstd -q -k "$tmp/day.csv"; xz -k "$tmp/day.csv"; bzip2 -k "$tmp/day.csv"
for z in gz zst xz bz2; do
    # A misleading name: detection is by content.
    mv "$tmp/day.csv.$z" "$tmp/day_$z.txt"
    "$DF" decode -u "$tmp/day_$z.txt" > "$tmp/$z.json" 2>/dev/null
    t "$z: same output as plain" 'cmp -s "$tmp/$z.json" "$tmp/plain.json"'
done
python3 - "$tmp" "$C" "$DF_DATA/nmea/gpsd/sample.aivdm" <<'PY'
import sys, zipfile
tmp, csv, nmea = sys.argv[1:4]
with zipfile.ZipFile(tmp + "/two.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write(csv, "a.csv")
    z.write(csv, "b.csv")
PY
"$DF" decode -u "$tmp/two.zip" > "$tmp/zip.json" 2>/dev/null
t "zip: two members, all rows" '[ "$(wc -l < "$tmp/zip.json")" -eq $((2 * rows)) ]'

# Truncated: the records before the damage, then one error line, exit 1.
head -c 300000 "$tmp/day_gz.txt" > "$tmp/cut.gz"
"$DF" decode -u "$tmp/cut.gz" > "$tmp/cut.json" 2> "$tmp/cut.err"; rc=$?
t "truncated gzip: exit 1" '[ $rc -eq 1 ]'
t "truncated gzip: one error line" '[ "$(wc -l < "$tmp/cut.err")" -eq 1 ]'
n=$(wc -l < "$tmp/cut.json")
t "truncated gzip: records before the damage kept ($n)" \
  '[ "$n" -gt 1000 ] && cmp -s "$tmp/cut.json" <(head -n "$n" "$tmp/plain.json")'

# A CSV header naming no known column.
printf 'foo,bar\n1,2\n' > "$tmp/x.csv"
"$DF" decode "$tmp/x.csv" > /dev/null 2> "$tmp/x.err"; rc=$?
t "unknown CSV header: exit 1, one line naming the columns" \
  '[ $rc -eq 1 ] && [ "$(wc -l < "$tmp/x.err")" -eq 1 ] && grep -q MMSI "$tmp/x.err"'

# DMA: dd/mm/yyyy dates.
cat > "$tmp/dma.csv" <<'CSV'
# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,Data source type,A,B,C,D
27/02/2024 00:00:01,Class A,219000001,55.500000,11.250000,Under way using engine,0.0,12.3,45.6,44,9074729,OXAB2,TEST SHIP,Cargo,,20,150,GPS,7.5,AARHUS,,AIS,120,30,10,10
CSV
"$DF" decode "$tmp/dma.csv" > "$tmp/dma.json"
t "DMA: time and position" 'grep -q "\"time\":\"2024-02-27T00:00:01Z\"" "$tmp/dma.json" && grep -q "\"mmsi\":219000001" "$tmp/dma.json" && grep -q "\"lat\":55.5" "$tmp/dma.json"'

# NMEA from standard input and '-' mixed with a file.
N="$DF_DATA/nmea/gpsd/sample.aivdm"
a=$("$DF" decode -u "$N" | wc -l); b=$("$DF" decode -u - < "$N" | wc -l)
c=$(cat "$N" | "$DF" decode -u - "$C" | wc -l)
t "stdin: same as the file" '[ "$a" -eq "$b" ]'
t "stdin and a CSV in one run" '[ "$c" -eq $((a + rows)) ]'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
