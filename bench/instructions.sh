#!/usr/bin/env bash
# bench/instructions.sh - darkfleet decode against gpsdecode in instructions
# executed (valgrind --tool=callgrind), on the same input: the first 5 MB of
# ../shared/data/bench/bench_base.nmea (about 101,000 real sentences).  An
# instruction count is the same on every run whatever else the machine is
# doing, unlike seconds on a shared 2-core virtual machine, so it checks the
# 20x target where wall-clock figures (bench/run.sh) scatter.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
DATA=${DF_DATA:-$SRC/../shared/data}
TMP=${DF_BENCH_TMP:-/tmp/darkfleet-bench}
mkdir -p "$TMP"
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }
command -v gpsdecode >/dev/null || { echo "needs gpsdecode" >&2; exit 1; }
make -s -C "$SRC" >&2 || exit 1
head -c 5000000 "$DATA/bench/bench_base.nmea" > "$TMP/b5.nmea"
n=$(grep -c . "$TMP/b5.nmea")
ir() {   # command... < input; prints the instruction count
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" \
        < "$TMP/b5.nmea" 2>&1 >/dev/null | awk '/refs:/ {gsub(",", "", $NF); print $NF}'
}
echo "| Mode | gpsdecode 3.22 | darkfleet decode | ratio |"
echo "|---|---|---|---|"
for mode in scaled unscaled; do
    if [ $mode = scaled ]; then g=$(ir gpsdecode -j); d=$(ir "$SRC/build/darkfleet" decode -)
    else g=$(ir gpsdecode -u -j); d=$(ir "$SRC/build/darkfleet" decode --unscaled -); fi
    awk -v m=$mode -v g="$g" -v d="$d" -v n="$n" 'BEGIN {
        printf "| %s | %.0f instr/sentence | %.0f instr/sentence | **%.1fx** |\n",
               m, g / n, d / n, g / d }'
done
