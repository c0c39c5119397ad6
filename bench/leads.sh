#!/usr/bin/env bash
# bench/leads.sh - precision of the ranking on a labelled real day: the
# MarineCadastre day of 2020-01-01 (../shared/data/csv/...) scanned twice,
# without a list and with OFAC's SDN list, then measured by bench/leads.py
# against the labels in tests/leads/ (how each label was judged is in its
# row, and tests/leads/README.md).
#
# Usage: bench/leads.sh [DARKFLEET...]   (default build/darkfleet; give two
#        binaries, e.g. an old and a new build, to compare them)
# Environment: DF_DATA (default <repo>/../shared/data), DF_BENCH_TMP.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
DATA=${DF_DATA:-$SRC/../shared/data}
TMP=${DF_BENCH_TMP:-/tmp/darkfleet-bench}/leads
DAY=$DATA/csv/marinecadastre_2020-01-01/AIS_2020_01_01_named_vessels.csv.zst
SDN=$DATA/sanctions/ofac_sdn_2024-05-03/sdn.csv
for f in "$DAY" "$SDN"; do
    [ -r "$f" ] || { echo "bench/leads.sh: $f is absent (../shared/data); nothing measured" >&2; exit 77; }
done
[ $# -gt 0 ] || { make -s -C "$SRC" >&2 || exit 1; set -- "$SRC/build/darkfleet"; }
mkdir -p "$TMP"
rc=0
for df in "$@"; do
    rm -f "$TMP"/plain.db* "$TMP"/list.db*
    "$df" scan --db "$TMP/plain.db" "$DAY" > /dev/null || { echo "scan failed: $df" >&2; exit 1; }
    "$df" scan --db "$TMP/list.db" --watchlist "$SDN" "$DAY" > /dev/null || { echo "scan failed: $df" >&2; exit 1; }
    python3 "$SRC/bench/leads.py" "$SRC/tests/leads" "$TMP/plain.db" "$TMP/list.db" "$df" || rc=1
    echo
done
exit $rc
