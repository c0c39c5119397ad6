#!/usr/bin/env bash
# scan on real tracks (../shared/data/csv, MarineCadastre):
#  - Virginia Beach, 3 days with real gaps between trajectory segments:
#    every silence of 12 h or more of a vessel (computed here from the CSV,
#    the shore rule off since these ships stay inshore) is reported as a
#    gap with its exact start and end, including gaps longer than the
#    silence after which a vessel is flushed, and no other gap;
#  - the lower Mississippi and Delaware Bay subsets, rivers and real
#    anchorages: no spoofing from river traffic (Natural Earth draws rivers
#    as land), and berths do not turn into encounters.
set -u
: "${DF:?} ${DF_DATA:?}"
V="$DF_DATA/csv/marinecadastre_tracktable/VirginiaBeach_2020_06_04_to_06_filtered_points.csv"
M="$DF_DATA/csv/marinecadastre_2020-01-01/subset_lower_mississippi_2020-01-01.csv.gz"
D="$DF_DATA/csv/marinecadastre_2020-01-01/subset_delaware_bay_2020-01-01.csv"
[ -f "$V" ] && [ -f "$M" ] && [ -f "$D" ] || {
    echo "skip: ../shared/data/csv is absent"; exit 77; }
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
t() { if eval "$2"; then pass=$((pass + 1)); echo "ok   $1"; else
      fail=$((fail + 1)); echo "FAIL $1"; fi; }

# The file is ordered by trajectory, not time: a window of 4 days puts it
# back in order.
"$DF" scan --no-db --reorder-window 345600 --set gap_min_shore_nm=0 "$V" \
    > "$tmp/vb.jsonl"
t "Virginia Beach: every silence of 12 h or more is a gap, exactly" \
  'python3 - "$V" "$tmp/vb.jsonl" <<'"'"'PY'"'"'
import csv, json, sys, collections
from datetime import datetime, timezone
pts = collections.defaultdict(list)
for r in csv.DictReader(open(sys.argv[1])):
    t = datetime.fromisoformat(r["BaseDateTime"]).replace(tzinfo=timezone.utc)
    pts[int(r["MMSI"])].append(int(t.timestamp()))
want = set()
for m, ts in pts.items():
    ts.sort()
    for a, b in zip(ts, ts[1:]):
        if b - a >= 12 * 3600:
            want.add((m, a, b))
got = set()
for l in open(sys.argv[2]):
    e = json.loads(l)
    if e["type"] == "gap":
        f = lambda s: int(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())
        got.add((e["vessels"][0], f(e["start"]), f(e["end"])))
print("gaps wanted %d, found %d, missed %d, extra %d" % (len(want), len(got),
      len(want - got), len(got - want)))
sys.exit(0 if want == got and len(want) >= 20 else 1)
PY'
"$DF" scan --no-db "$M" > "$tmp/ms.jsonl"
t "lower Mississippi: no spoofing from river traffic" \
  '! grep -q "\"type\":\"spoofing\"" "$tmp/ms.jsonl"'
t "lower Mississippi: no encounters at river berths" \
  '[ "$(grep -c "\"type\":\"encounter\"" "$tmp/ms.jsonl")" -le 2 ]'
"$DF" scan --no-db "$D" > "$tmp/de.jsonl"
n=$(grep -c '"type":"encounter"' "$tmp/de.jsonl")
t "Delaware Bay: a handful of encounters, not every berth ($n)" '[ "$n" -le 5 ]'
t "Delaware Bay: no spoofing" '! grep -q "\"type\":\"spoofing\"" "$tmp/de.jsonl"'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
