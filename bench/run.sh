#!/usr/bin/env bash
# bench/run.sh - the throughput figures of the README, measured side by side
# in one run on one core:
#   (a) gpsdecode -j          < bench input > /dev/null   (gpsd 3.x)
#   (b) darkfleet decode        bench input > /dev/null
#   (c) gpsdecode -u -j  vs  darkfleet decode --unscaled
#   (d) bench_decode: in-memory framing + six-bit decoding (and + JSON)
#   (e) bench_csv: the MarineCadastre 2020-01-01 day (.csv.zst) to records
#   (f) darkfleet decode of that day to JSON lines > /dev/null
# The bench input is ../shared/data/bench/bench_base.nmea repeated 5 times
# (505,720 sentences, ~25 MB) in /tmp.  Wall-clock times come from
# hyperfine when installed (else a bash loop); the figure reported is the
# fastest run (zstd CONTRIBUTING: the most stable), the mean is shown too.
#
# Usage: bench/run.sh            (from anywhere; about 6 minutes)
# Environment: DF_DATA (default <repo>/../shared/data), DF_BENCH_TMP
# (default /tmp/darkfleet-bench), DF_CPU (core to pin to, default 1),
# RUNS (default 10), ALT_RUNS (default 20), CSV_RUNS (default 3),
# BD_RUNS (default 40).
# Writes the Markdown table to stdout and to bench/results.md.
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
DATA=${DF_DATA:-$SRC/../shared/data}
TMP=${DF_BENCH_TMP:-/tmp/darkfleet-bench}
RUNS=${RUNS:-10}
ALT_RUNS=${ALT_RUNS:-20}  # alternating gpsdecode/darkfleet pairs (3 s each)
CSV_RUNS=${CSV_RUNS:-3}
BD_RUNS=${BD_RUNS:-40}   # bench_decode passes (0.1 s each): best and median
CPU=${DF_CPU:-1}
DF=$SRC/build/darkfleet
BD=$SRC/build/bench/bench_decode
BC=$SRC/build/bench/bench_csv
BASE=$DATA/bench/bench_base.nmea
DAY=$DATA/csv/marinecadastre_2020-01-01/AIS_2020_01_01_named_vessels.csv.zst
OUT=$SRC/bench/results.md

say() { printf '%s\n' "$*" >&2; }

# ---- build -----------------------------------------------------------------
say "== building (make bench, make)"
make -s -C "$SRC" bench >&2 || { say "build of benchmarks failed"; exit 1; }
make -s -C "$SRC" >&2 || { say "build failed"; exit 1; }
# Time copies, so that a rebuild in the tree during the run cannot swap or
# remove a binary under the benchmark.
mkdir -p "$TMP/bin"
cp "$DF" "$BD" "$BC" "$TMP/bin/" || exit 1
DF=$TMP/bin/darkfleet BD=$TMP/bin/bench_decode BC=$TMP/bin/bench_csv

# ---- machine -----------------------------------------------------------------
PIN=()
if command -v taskset >/dev/null 2>&1 &&
    taskset -c "$CPU" true 2>/dev/null; then
    PIN=(taskset -c "$CPU")
    PINNOTE="pinned to core $CPU with taskset"
else
    PINNOTE="not pinned (taskset unavailable or core $CPU absent)"
fi
CPUNAME=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null)
NCPU=$(nproc 2>/dev/null || echo '?')
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
GPSD_V=$(gpsdecode -V 2>&1 | head -n1)
HAVE_HF=0
command -v hyperfine >/dev/null 2>&1 && HAVE_HF=1

# fmt_int N -> 1,234,567
fmt_int() { printf "%.0f" "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta'; }
# calc EXPR -> number (awk, no bc needed)
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }

# time_cmds NAME CMD... : times each shell command RUNS times, fastest and
# mean into T_MIN[i], T_MEAN[i].  The commands run one after another in the
# same invocation (side by side), pinned as the whole process tree is.
T_MIN=(); T_MEAN=(); T_CPU=()
time_cmds() {
    local name=$1 runs=$2 warm=$3; shift 3
    local i
    T_MIN=(); T_MEAN=(); T_CPU=()
    if [ "$HAVE_HF" = 1 ]; then
        local json=$TMP/$name.json
        "${PIN[@]}" hyperfine --style basic --warmup "$warm" --runs "$runs" \
            --export-json "$json" "$@" >&2 || return 1
        for i in $(seq 0 $(($# - 1))); do
            if command -v jq >/dev/null 2>&1; then
                T_MIN[i]=$(jq ".results[$i].min" "$json")
                T_MEAN[i]=$(jq ".results[$i].mean" "$json")
                T_CPU[i]=$(jq ".results[$i].user + .results[$i].system" "$json")
            else
                T_MIN[i]=$(python3 -c "import json,sys; print(json.load(open('$json'))['results'][$i]['min'])")
                T_MEAN[i]=$(python3 -c "import json,sys; print(json.load(open('$json'))['results'][$i]['mean'])")
                T_CPU[i]=$(python3 -c "import json,sys; r=json.load(open('$json'))['results'][$i]; print(r['user']+r['system'])")
            fi
        done
    else
        local c=0 cmd r t0 t1 t best sum
        for cmd in "$@"; do
            best=; sum=0
            for r in $(seq 1 $((runs + warm))); do
                t0=$(date +%s.%N)
                "${PIN[@]}" bash -c "$cmd" || return 1
                t1=$(date +%s.%N)
                [ "$r" -le "$warm" ] && continue
                t=$(calc "$t1 - $t0")
                sum=$(calc "$sum + $t")
                if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then
                    best=$t
                fi
            done
            T_MIN[c]=$best
            T_MEAN[c]=$(calc "$sum / $runs")
            T_CPU[c]=
            say "  $cmd: fastest $best s, mean ${T_MEAN[c]} s"
            c=$((c + 1))
        done
    fi
}

# interleave RUNS CMD_A CMD_B -> "Nx (A fastest a s, B fastest b s; median
# of pairs Mx)": the two commands alternately, RUNS times each after one
# warm-up; the fastest of each, and the median of the RUNS ratios of a run
# of A to the run of B right after it.  On a shared virtual machine a core
# runs fast for a few seconds, then slower (up to 1.6x here); hyperfine
# runs all of A, then all of B, so B's ten runs (two seconds) can all fall
# in a slow spell.  Alternating spreads both over the same half minute.
interleave() {
    local runs=$1 a=$2 b=$3 r t0 t1 ta tb ba= bb= ratios=()
    for r in $(seq 0 "$runs"); do
        t0=$(date +%s%N); "${PIN[@]}" bash -c "$a" || return 1; t1=$(date +%s%N)
        ta=$((t1 - t0))
        t0=$(date +%s%N); "${PIN[@]}" bash -c "$b" || return 1; t1=$(date +%s%N)
        tb=$((t1 - t0))
        [ "$r" -eq 0 ] && continue          # warm-up
        { [ -z "$ba" ] || [ "$ta" -lt "$ba" ]; } && ba=$ta
        { [ -z "$bb" ] || [ "$tb" -lt "$bb" ]; } && bb=$tb
        ratios+=("$(calc "$ta / $tb")")
    done
    printf '**%.1fx** (fastest of %d alternating runs: %.3f s / %.3f s; median of the %d pairs %.1fx)' \
        "$(calc "$ba / $bb")" "$runs" "$(calc "$ba / 1e9")" "$(calc "$bb / 1e9")" \
        "$runs" "$(printf '%s\n' "${ratios[@]}" | sort -g |
                   awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')"
}

# secs_cell I -> "fastest (mean M; CPU C)" for command I of the last time_cmds
secs_cell() {
    local c="$(printf %.3f "${T_MIN[$1]}") (mean $(printf %.3f "${T_MEAN[$1]}")"
    [ -n "${T_CPU[$1]:-}" ] && c="$c; CPU $(printf %.3f "${T_CPU[$1]}")"
    printf '%s)' "$c"
}
# ratio_cell -> "Nx wall (Mx CPU)" of command 0 over command 1
ratio_cell() {
    local c="**$(printf %.1f "$(calc "${T_MIN[0]} / ${T_MIN[1]}")")x** wall"
    [ -n "${T_CPU[0]:-}" ] && [ -n "${T_CPU[1]:-}" ] &&
        c="$c ($(printf %.1f "$(calc "${T_CPU[0]} / ${T_CPU[1]}")")x CPU)"
    printf '%s' "$c"
}
ROWS=()
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 |"); }
NOTES=()

# ---- (a)-(c) NMEA to JSON: darkfleet decode vs gpsdecode -------------------
if [ -r "$BASE" ]; then
    IN=$TMP/bench5.nmea
    if [ ! -s "$IN" ] || [ "$(stat -c %s "$IN")" -ne $(($(stat -c %s "$BASE") * 5)) ]; then
        for _ in 1 2 3 4 5; do cat "$BASE"; done > "$IN"
    fi
    BYTES=$(stat -c %s "$IN")
    SENT=$(grep -c '^!' "$IN")
    MB=$(calc "$BYTES / 1e6")
    DESC="bench_base.nmea x5: $(fmt_int "$SENT") sentences, $(printf %.1f "$MB") MB"
    NMSG=$("$DF" decode "$IN" | wc -l)
    if command -v gpsdecode >/dev/null 2>&1; then
        say "== (a,b) scaled JSON: gpsdecode -j vs darkfleet decode ($DESC)"
        NGPS=$(gpsdecode -j < "$IN" 2>/dev/null | wc -l)
        if time_cmds nmea_scaled "$RUNS" 1 \
            "gpsdecode -j < $IN > /dev/null 2>/dev/null" \
            "$DF decode $IN > /dev/null"; then
            G=${T_MIN[0]}; D=${T_MIN[1]}
            row "gpsdecode -j > /dev/null ($GPSD_V)" "$DESC" \
                "$(secs_cell 0)" \
                "$(printf %.1f "$(calc "$MB / $G")") MB/s" \
                "$(fmt_int "$(calc "$SENT / $G")") sentences/s"
            row "**darkfleet decode > /dev/null**" "same file, $(fmt_int "$NMSG") JSON lines (gpsdecode: $(fmt_int "$NGPS"))" \
                "$(secs_cell 1)" \
                "$(printf %.1f "$(calc "$MB / $D")") MB/s" \
                "$(fmt_int "$(calc "$SENT / $D")") sentences/s"
            row "speedup, scaled (target >= 20x)" "" "" "$(ratio_cell)" ""
        fi
        R=$(interleave "$ALT_RUNS" "gpsdecode -j < $IN > /dev/null 2>/dev/null" \
            "$DF decode $IN > /dev/null") &&
            row "speedup, scaled, alternating runs" "same file" "" "$R" ""
        say "== (c) unscaled JSON: gpsdecode -u -j vs darkfleet decode --unscaled"
        if time_cmds nmea_unscaled "$RUNS" 1 \
            "gpsdecode -u -j < $IN > /dev/null 2>/dev/null" \
            "$DF decode --unscaled $IN > /dev/null"; then
            G=${T_MIN[0]}; D=${T_MIN[1]}
            row "gpsdecode -u -j > /dev/null" "same file" \
                "$(secs_cell 0)" \
                "$(printf %.1f "$(calc "$MB / $G")") MB/s" \
                "$(fmt_int "$(calc "$SENT / $G")") sentences/s"
            row "**darkfleet decode --unscaled > /dev/null**" "same file" \
                "$(secs_cell 1)" \
                "$(printf %.1f "$(calc "$MB / $D")") MB/s" \
                "$(fmt_int "$(calc "$SENT / $D")") sentences/s"
            row "speedup, unscaled (target >= 20x)" "" "" "$(ratio_cell)" ""
        fi
        R=$(interleave "$ALT_RUNS" "gpsdecode -u -j < $IN > /dev/null 2>/dev/null" \
            "$DF decode --unscaled $IN > /dev/null") &&
            row "speedup, unscaled, alternating runs" "same file" "" "$R" ""
    else
        say "gpsdecode not installed: skipping (a)-(c)"
        NOTES+=("gpsdecode not installed: comparison skipped.")
    fi

    # ---- start-up: the fixed cost of every run ---------------------------
    # An empty file, run without a shell (hyperfine -N): loading the binary
    # and its libraries.  libarchive is not among them (src/input.c).
    if [ "$HAVE_HF" = 1 ]; then
        : >"$TMP/empty.nmea"
        say "== start-up: darkfleet decode of an empty file"
        if "${PIN[@]}" hyperfine -N --style basic --warmup 10 --runs 200 \
            --export-json "$TMP/startup.json" \
            "$DF decode $TMP/empty.nmea" >&2; then
            SU=$(python3 -c "import json; r=json.load(open('$TMP/startup.json'))['results'][0]; print('%.1f (mean %.1f)' % (r['min'] * 1e3, r['mean'] * 1e3))")
            row "darkfleet decode of an empty file (start-up)" "0 bytes" \
                "$SU ms" "" ""
        fi
    fi

    # ---- (d) in memory --------------------------------------------------
    say "== (d) bench_decode in memory"
    R=$("${PIN[@]}" "$BD" "$BASE" "$BD_RUNS") && {
        say "$R"
        T=$(sed -n 's/.*messages, \([0-9.]*\) s,.*/\1/p' <<<"$R")
        MBS=$(sed -n 's/.* \([0-9.]*\) MB\/s,.*/\1/p' <<<"$R")
        MPS=$(sed -n 's/.*MB\/s, \([0-9]*\) msgs\/s.*/\1/p' <<<"$R")
        MED=$(sed -n 's/.*median [0-9.]* s, \([0-9.]*\) MB\/s.*/\1/p' <<<"$R")
        row "**bench_decode** (in memory: framing + six-bit decoding, no output; target >= 500 MB/s)" \
            "$DESC" "$T (best of $BD_RUNS)" "**$MBS MB/s** (median $MED)" "$(fmt_int "$MPS") msgs/s"
    }
    R=$("${PIN[@]}" "$BD" --json "$BASE" "$BD_RUNS") && {
        say "$R"
        T=$(sed -n 's/.*messages, \([0-9.]*\) s,.*/\1/p' <<<"$R")
        MBS=$(sed -n 's/.* \([0-9.]*\) MB\/s, [0-9]* msgs.*/\1/p' <<<"$R")
        MPS=$(sed -n 's/.*MB\/s, \([0-9]*\) msgs\/s.*/\1/p' <<<"$R")
        row "bench_decode --json (in memory, + df_msg_json per message)" \
            "same" "$T" "$MBS MB/s" "$(fmt_int "$MPS") msgs/s"
    }
else
    say "$BASE missing: skipping (a)-(d)"
    NOTES+=("$BASE missing: NMEA benchmarks skipped.")
fi

# ---- (e), (f) the MarineCadastre day ------------------------------------
if [ -r "$DAY" ]; then
    say "== (e) bench_csv on the 2020-01-01 day"
    ZMB=$(calc "$(stat -c %s "$DAY") / 1e6")
    R=$("${PIN[@]}" "$BC" "$DAY" "$CSV_RUNS") && {
        say "$R"
        NREC=$(sed -n 's/.* lines, \([0-9]*\) records.*/\1/p' <<<"$R")
        T=$(sed -n 's/.* records, \([0-9.]*\) s,.*/\1/p' <<<"$R")
        MBS=$(sed -n 's/.* \([0-9.]*\) MB\/s,.*/\1/p' <<<"$R")
        RPS=$(sed -n 's/.*MB\/s, \([0-9]*\) rows\/s.*/\1/p' <<<"$R")
        CSVMB=$(calc "$MBS * $T")
        CDESC="MarineCadastre 2020-01-01: $(fmt_int "$NREC") rows, $(printf %.0f "$CSVMB") MB CSV in $(printf %.0f "$ZMB") MB .zst"
        row "**bench_csv** (.zst -> records, no output; target <= 5 s)" \
            "$CDESC" "**$T** (best of $CSV_RUNS)" "$MBS MB/s CSV" \
            "$(fmt_int "$RPS") rows/s"
        say "== (f) darkfleet decode of the day to JSON lines"
        if time_cmds csv_json "$CSV_RUNS" 0 "$DF decode $DAY > /dev/null"; then
            D=${T_MIN[0]}
            row "**darkfleet decode** .zst > /dev/null (JSON lines)" "same" \
                "$(secs_cell 0)" \
                "$(printf %.1f "$(calc "$CSVMB / $D")") MB/s CSV" \
                "$(fmt_int "$(calc "$NREC / $D")") rows/s"
        fi
    }
else
    say "$DAY missing: skipping (e), (f)"
    NOTES+=("$DAY missing: CSV benchmarks skipped.")
fi

LOAD1=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)

# ---- the table -------------------------------------------------------------
{
    echo "<!-- generated by bench/run.sh on $(date -u +%Y-%m-%dT%H:%MZ) -->"
    echo "| Benchmark | Input | Seconds: fastest (mean; CPU user+sys) | Throughput | Rate |"
    echo "|---|---|---|---|---|"
    for r in "${ROWS[@]}"; do echo "$r"; done
    echo
    echo "Machine: $CPUNAME, $NCPU cores, $PINNOTE; load average $LOAD0 before, $LOAD1 after."
    echo "Build: \`make\` (CMake RelWithDebInfo, -O2 -g), $(cc --version | head -n1)."
    if [ "$HAVE_HF" = 1 ]; then
        echo "Timing: $(hyperfine --version), \`--warmup 1 --runs $RUNS\` (day: \`--warmup 0 --runs $CSV_RUNS\`), fastest run shown; gpsdecode and darkfleet run side by side in one hyperfine invocation. MB = 10^6 bytes of input (NMEA, or decompressed CSV)."
    else
        echo "Timing: bash loop with \`date +%s.%N\`, fastest of $RUNS. MB = 10^6 bytes of input."
    fi
    if awk -v l="${LOAD0%% *}" -v n="$NCPU" 'BEGIN { exit !(l + 0 > n / 2) }'; then
        echo
        echo "**Warning: the machine was loaded (1-minute load $LOAD0 on $NCPU cores); the figures above are pessimistic. Re-run on a quiet machine before publishing.**"
    fi
    for n in ${NOTES[@]+"${NOTES[@]}"}; do printf '%s\n' "$n"; done
} | tee "$OUT"
