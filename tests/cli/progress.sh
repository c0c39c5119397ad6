#!/usr/bin/env bash
# The progress meter: on a terminal (a pseudo-terminal made by script(1)),
# scan draws records, rate and percent on standard error; when standard
# error is a file or a pipe, nothing of the kind.
set -u
: "${DF:?} ${DF_DATA:?}"
M="$DF_DATA/csv/marinecadastre_2020-01-01/subset_lower_mississippi_2020-01-01.csv.gz"
[ -f "$M" ] || { echo "skip: $M is absent"; exit 77; }
command -v script >/dev/null || { echo "skip: script(1) missing"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
t() { if eval "$2"; then pass=$((pass + 1)); echo "ok   $1"; else
      fail=$((fail + 1)); echo "FAIL $1"; fi; }
# The meter draws a quarter of a second into a run: read the subset ten
# times over so that the run lasts longer than that on a fast machine.
many=$(for i in 1 2 3 4 5 6 7 8 9 10; do printf "'%s' " "$M"; done)
script -qec "'$DF' scan --no-db $many > /dev/null" "$tmp/tty.log" > /dev/null
t "terminal: the meter shows records, rate and percent" \
  'grep -aq "records" "$tmp/tty.log" && grep -aq "/s" "$tmp/tty.log" && grep -aq "%" "$tmp/tty.log"'
"$DF" scan --no-db "$M" > /dev/null 2> "$tmp/err"
t "file: no meter on standard error" '! grep -aq "records" "$tmp/err"'
"$DF" scan --no-db "$M" 2>&1 >/dev/null | cat > "$tmp/pipe"
t "pipe: no meter" '! grep -aq "records" "$tmp/pipe"'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
