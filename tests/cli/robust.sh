#!/usr/bin/env bash
# robust.sh - `darkfleet decode` on hostile input: random bytes, NUL bytes,
# megabyte lines, floods of orphan fragments, bad checksums, payloads of the
# wrong length.  Never a crash or a hang, memory stays bounded, and every
# good message around the bad ones is decoded: the output of a mixed file
# must equal, byte for byte, the output of its good sentences alone.
# Also the error paths: missing file, unknown format, bad option.
#
# Environment (set by CTest): DF = the darkfleet binary, DF_DATA = the
# shared test data.  Exit 77 = skipped.  Last line: "N passed, M failed".
set -u

DF=${DF:-}
DF_DATA=${DF_DATA:-}
GOOD_SRC=$DF_DATA/nmea/gpsd/sample.aivdm
TIMEOUT=60           # seconds per run
RSS_MAX_KB=131072    # max resident set of one run (128 MiB)

if [ -z "$DF" ] || [ ! -x "$DF" ]; then
    echo "skip: DF is not set to the darkfleet binary"
    exit 77
fi
if [ ! -f "$GOOD_SRC" ]; then
    echo "skip: $GOOD_SRC not found (DF_DATA=$DF_DATA)"
    exit 77
fi
if ! command -v python3 >/dev/null; then
    echo "skip: python3 not found"
    exit 77
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/df_robust.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}

if [ -x /usr/bin/time ]; then
    HAVE_TIME=1
else
    HAVE_TIME=0
    echo "note: /usr/bin/time not found; RSS is read from /proc/PID/status"
fi

# run NAME [decode options...] INPUT: runs `darkfleet decode` under
# `timeout` with its max RSS measured.  Leaves $T/NAME.out, $T/NAME.err
# (with the RSS line removed), RC and RSS (kB, or empty if unknown).
run() {
    local name=$1
    shift
    RSS=
    if [ $HAVE_TIME = 1 ]; then
        timeout $TIMEOUT /usr/bin/time -f %M -o "$T/$name.rss" \
            "$DF" decode "$@" >"$T/$name.out" 2>"$T/$name.err"
        RC=$?
        RSS=$(tail -n 1 "$T/$name.rss" 2>/dev/null | tr -dc 0-9)
    else
        timeout $TIMEOUT "$DF" decode "$@" >"$T/$name.out" \
            2>"$T/$name.err" &
        local pid=$! hwm=
        while kill -0 $pid 2>/dev/null; do
            local cpid
            cpid=$(pgrep -P $pid 2>/dev/null | head -n 1)
            [ -n "$cpid" ] &&
                hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$cpid/status" \
                      2>/dev/null || echo "$hwm")
            sleep 0.05
        done
        wait $pid
        RC=$?
        RSS=$hwm
    fi
}

# run_ok NAME DESCRIPTION [decode options...] INPUT: run, then assert
# exit 0 (not killed, not timed out) and the RSS bound.
run_ok() {
    local name=$1 what=$2
    shift 2
    run "$name" "$@"
    if [ $RC = 0 ]; then
        ok "$what: exit 0 within ${TIMEOUT}s"
    else
        bad "$what: exit status $RC (124 = timeout, >128 = signal)"
        sed -n 1,5p "$T/$name.err"
    fi
    if [ -z "$RSS" ]; then
        echo "note: $what: max RSS unknown, bound not checked"
    elif [ "$RSS" -lt $RSS_MAX_KB ]; then
        ok "$what: max RSS ${RSS} kB < $RSS_MAX_KB kB"
    else
        bad "$what: max RSS ${RSS} kB >= $RSS_MAX_KB kB"
    fi
}

# stat NAME COUNTER: a counter from a --stats run (0 if not printed).
counter() {
    awk -v k="$2" '$2 == k {v = $1} END {print v + 0}' "$T/$1.err"
}

# same_output NAME DESCRIPTION: NAME's output equals the good file's.
same_output() {
    if cmp -s "$T/good.out" "$T/$1.out"; then
        ok "$2: every good message decoded ($NGOOD objects, same output)"
    else
        bad "$2: $(grep -c '^{' "$T/$1.out") objects, expected $NGOOD" \
            "(diff against the good sentences alone differs)"
        diff "$T/good.out" "$T/$1.out" | sed -n 1,6p
    fi
}

# gen SCRIPT: python3 with helpers; the good sentences are in lines[].
gen() {
    python3 - "$T/good.nmea" "$@" <<EOF
import random, sys
from functools import reduce
random.seed(20240521)
lines = [l for l in open(sys.argv[1], 'rb').read().split(b'\n') if l]
def nmea(body):
    cs = reduce(lambda a, c: a ^ c, body, 0)
    return b'!' + body + b'*%02X' % cs
def junk(n):
    return bytes(random.getrandbits(8) for _ in range(n)).replace(b'\n', b' ')
$(cat)
EOF
}

# ---- the good sentences alone ------------------------------------------
# sample.aivdm without its comment lines: the reference output.
grep -v '^#' "$GOOD_SRC" | grep -v '^$' >"$T/good.nmea"
run_ok good "good sentences" -u --stats "$T/good.nmea"
NGOOD=$(grep -c '^{' "$T/good.out")
check "good sentences decode to $NGOOD > 50 objects" [ "$NGOOD" -gt 50 ]
for k in drop_checksum drop_malformed drop_fragment_orphan drop_short \
         drop_long drop_line_too_long; do
    eval "G_$k=$(counter good $k)"
done

# ---- help, bad option, missing file, unknown format ----------------------
"$DF" decode --help >"$T/help.out" 2>"$T/help.err"
check "decode --help exits 0" [ $? = 0 ]
check "decode --help prints the usage and every option" \
    grep -q -- '--stats' "$T/help.out"
check "decode --help names --unscaled, --text, --no-checksum" \
    bash -c "grep -q -- --unscaled '$T/help.out' &&
             grep -q -- --text '$T/help.out' &&
             grep -q -- --no-checksum '$T/help.out'"

run badopt --bogus-option "$T/good.nmea"
check "bad option: exit 2" [ $RC = 2 ]
check "bad option: one line on stderr naming it" \
    bash -c "[ \$(wc -l <'$T/badopt.err') = 1 ] &&
             grep -q -- --bogus-option '$T/badopt.err'"
check "bad option: nothing on stdout" [ ! -s "$T/badopt.out" ]

run missing "$T/no/such/file.nmea"
check "missing file: exit 1" [ $RC = 1 ]
check "missing file: exactly one line on stderr, naming the file" \
    bash -c "[ \$(wc -l <'$T/missing.err') = 1 ] &&
             grep -q 'no/such/file.nmea' '$T/missing.err'"

printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\000\020' >"$T/img.png"
head -c 4000 /dev/zero | tr '\0' 'x' >>"$T/img.png"
run png "$T/img.png"
check "PNG header: exit 1" [ $RC = 1 ]
check "PNG header: one error line naming the file" \
    bash -c "[ \$(wc -l <'$T/png.err') = 1 ] && grep -q 'img.png' '$T/png.err'"

printf 'It was a dark and stormy night; the rain fell in torrents\n%.0s' \
    $(seq 200) >"$T/prose.txt"
run prose "$T/prose.txt"
check "random text: exit 1" [ $RC = 1 ]
check "random text: one error line naming the file" \
    bash -c "[ \$(wc -l <'$T/prose.err') = 1 ] && grep -q 'prose.txt' '$T/prose.err'"

# ---- 10 MB of random bytes ------------------------------------------------
# Without a sentence first the format may or may not be taken for NMEA (a
# random line can start with '!'), so both outcomes are allowed: exit 0, or
# exit 1 with one error line.  Behind one good sentence it is NMEA.
head -c 10000000 /dev/urandom >"$T/random.bin"
run random "$T/random.bin"
check "10 MB random bytes: exit 0, or 1 with one error line (rc=$RC)" \
    bash -c "[ $RC = 0 ] || { [ $RC = 1 ] && [ \$(wc -l <'$T/random.err') = 1 ]; }"
{ head -n 1 "$T/good.nmea"; cat "$T/random.bin"; } >"$T/random_nmea.bin"
run_ok random_nmea "10 MB random bytes as NMEA" --stats "$T/random_nmea.bin"
check "random bytes: lines counted ($(counter random_nmea lines) > 30000)" \
    [ "$(counter random_nmea lines)" -gt 30000 ]
check "random bytes: dropped as malformed or not AIS" \
    [ $(( $(counter random_nmea skip_not_ais) + $(counter random_nmea drop_malformed) )) -gt 30000 ]
check "random bytes: at most the one good message and a few freaks" \
    [ "$(grep -c '^{' "$T/random_nmea.out")" -le 5 ]

# ---- NUL bytes ---------------------------------------------------------------
# Before each good sentence: a line of NULs, NULs before junk, and for a
# single-fragment sentence a copy with a NUL in its payload (the checksum
# does not change: NUL xors as 0).  (A
# NUL before a whole good sentence is a receiver prefix: decoded.)
gen >"$T/nul.nmea" <<'PY'
out = []
for l in lines:
    f = l.split(b',')
    if len(f) > 6 and f[1] == b'1' and len(f[5]) > 2:
        k = random.randrange(1, len(f[5]))
        f[5] = f[5][:k] + b'\0' + f[5][k:]
        out.append(b','.join(f))
    out.append(b'\0' * random.randrange(1, 40))
    out.append(b'\0' + junk(random.randrange(0, 30)))
    out.append(l)
sys.stdout.buffer.write(b'\n'.join(out) + b'\n')
PY
run_ok nul "NUL bytes in lines" -u --stats "$T/nul.nmea"
same_output nul "NUL bytes in lines"
check "NUL bytes: drop_malformed grows" \
    [ "$(counter nul drop_malformed)" -gt "$G_drop_malformed" ]

# ---- a line of a megabyte ------------------------------------------------------
{ printf '!AIVDM,1,1,,A,'; head -c 1048576 /dev/zero | tr '\0' '5'; } \
    >"$T/mega_nonl.nmea"
run_ok mega_nonl "1 MB line without a newline" --stats "$T/mega_nonl.nmea"
check "1 MB line: no output" [ ! -s "$T/mega_nonl.out" ]
check "1 MB line: drop_line_too_long = 1" \
    [ "$(counter mega_nonl drop_line_too_long)" = 1 ]
{ cat "$T/mega_nonl.nmea"; echo; cat "$T/good.nmea"; } >"$T/mega.nmea"
run_ok mega "1 MB line, then the good sentences" -u --stats "$T/mega.nmea"
same_output mega "1 MB line, then the good sentences"
check "1 MB line then good: drop_line_too_long = 1" \
    [ "$(counter mega drop_line_too_long)" = $((G_drop_line_too_long + 1)) ]

# ---- 200,000 orphan first fragments, through a pipe -----------------------------
gen >"$T/orphans.nmea" <<'PY'
frag = [nmea(b'AIVDM,2,1,%d,%s,55NBjP01mtGIL@CW;SM<D60P5Ld' % (i % 10, b'AB'[i % 2:i % 2 + 1]) +
             b'000000000000000000000000000000000000000000000000,0')
        for i in range(20)]
w = sys.stdout.buffer
for i in range(100000):
    w.write(frag[i % 20] + b'\n')
w.write(b'\n'.join(lines) + b'\n')
for i in range(100000):
    w.write(frag[i % 20] + b'\n')
PY
run_ok orphans "200,000 orphan fragments on standard input" -u --stats - \
    <"$T/orphans.nmea"
same_output orphans "200,000 orphan fragments"
ORPH=$(( $(counter orphans drop_fragment_orphan) - G_drop_fragment_orphan ))
check "orphans: drop_fragment_orphan counts them ($ORPH >= 200000)" \
    [ "$ORPH" -ge 200000 ]
check "orphans: lines = 200,000 + good" \
    [ "$(counter orphans lines)" = $(( $(counter good lines) + 200000 )) ]

# ---- bad checksums ------------------------------------------------------------
gen >"$T/badsum.nmea" <<'PY'
out, n = [], 0
for l in lines:
    if l[:1] == b'!' and b'*' in l[-4:]:
        s = l[:-2] + (b'%02X' % (int(l[-2:], 16) ^ random.randrange(1, 256)))
        out.append(s)
        n += 1
    out.append(l)
sys.stdout.buffer.write(b'\n'.join(out) + b'\n')
open(sys.argv[1] + '.nbad', 'w').write(str(n))
PY
NBAD=$(cat "$T/good.nmea.nbad")
run_ok badsum "bad checksums" -u --stats "$T/badsum.nmea"
same_output badsum "bad checksums"
check "bad checksums: drop_checksum grows by $NBAD ($(counter badsum drop_checksum) - $G_drop_checksum)" \
    [ "$(counter badsum drop_checksum)" = $((G_drop_checksum + NBAD)) ]

# ---- payloads of the wrong length ---------------------------------------------
# Position reports (type 1-3) cut to 60-150 bits, or grown past 1100 bits,
# with a correct checksum so that they reach the decoder.
gen >"$T/badlen.nmea" <<'PY'
out, ns, nl = [], 0, 0
for l in lines:
    f = l[1:l.rfind(b'*')].split(b',')
    if len(f) >= 7 and f[1] == b'1' and f[5][:1] in (b'1', b'2', b'3'):
        short = list(f)
        short[5] = f[5][:random.randrange(10, 25)]
        out.append(nmea(b','.join(short)))
        ns += 1
        long = list(f)
        long[5] = (f[5] * 10)[:random.randrange(190, 300)]
        out.append(nmea(b','.join(long)))
        nl += 1
    out.append(l)
sys.stdout.buffer.write(b'\n'.join(out) + b'\n')
open(sys.argv[1] + '.nlen', 'w').write('%d %d' % (ns, nl))
PY
read -r NSHORT NLONG <"$T/good.nmea.nlen"
run_ok badlen "payloads of the wrong length" -u --stats "$T/badlen.nmea"
same_output badlen "payloads of the wrong length"
check "wrong length: drop_short grows by $NSHORT" \
    [ "$(counter badlen drop_short)" = $((G_drop_short + NSHORT)) ]
check "wrong length: drop_long (or drop_malformed) grows by $NLONG" \
    [ $(( $(counter badlen drop_long) + $(counter badlen drop_malformed) )) = \
      $((G_drop_long + G_drop_malformed + NLONG)) ]

# ---- everything at once ----------------------------------------------------------
# Good sentences interleaved with random binary junk lines, NUL runs, long
# lines, bad tag blocks and broken fragments; written as gzip as well.
gen >"$T/mixed.nmea" <<'PY'
bad = [
    lambda: junk(random.randrange(0, 200)),
    lambda: b'\0' * random.randrange(1, 10) + junk(20),
    lambda: b'!' + junk(random.randrange(5000, 9000)),
    lambda: b'\\s:' + junk(30) + b'*00\\!AIVDM,1,1,,A,' + junk(20) + b',0*00',
    lambda: b'!AIVDM,3,2,7,B,' + junk(20).replace(b'*', b'') + b',0*11',
    lambda: b'!AIVDM,1,1,,A,' + junk(40) + b',0',
    lambda: b'$GPGGA,' + junk(40),
    lambda: junk(3) + b'\r\r',
]
out = []
for l in lines:
    for _ in range(random.randrange(0, 4)):
        out.append(random.choice(bad)())
    out.append(l)
out.append(junk(100))
sys.stdout.buffer.write(b'\n'.join(out) + b'\n')
PY
run_ok mixed "good sentences interleaved with junk" -u --stats "$T/mixed.nmea"
same_output mixed "good sentences interleaved with junk"
check "junk: some drop counters are non-zero" \
    [ $(( $(counter mixed drop_malformed) + $(counter mixed drop_checksum) +
          $(counter mixed skip_not_ais) + $(counter mixed drop_line_too_long) )) -gt 0 ]
check "junk: messages = good messages" \
    [ "$(counter mixed messages)" = "$(counter good messages)" ]
gzip -c "$T/mixed.nmea" >"$T/mixed.nmea.gz"
run_ok mixedgz "the same, gzip-compressed" -u "$T/mixed.nmea.gz"
same_output mixedgz "the same, gzip-compressed"
head -c $(( $(stat -c %s "$T/mixed.nmea.gz") / 2 )) "$T/mixed.nmea.gz" \
    >"$T/trunc.nmea.gz"
run trunc -u "$T/trunc.nmea.gz"
check "truncated gzip: exit 1 with one error line (rc=$RC)" \
    bash -c "[ $RC = 1 ] && [ \$(wc -l <'$T/trunc.err') = 1 ]"

# ---- libarchive absent: plain input decodes, compressed input is one error --
# libarchive is opened by its SONAME on the first compressed input; a copy
# of the binary whose SONAME string names a library that does not exist
# stands for a machine without it.
SONAME=$(grep -ao 'libarchive\.so\.[0-9]*' "$DF" | head -n 1)
if [ -n "$SONAME" ]; then
    # The same length, so the binary's layout does not move.
    sed "s/${SONAME//./\\.}/${SONAME//[0-9]/X}/g" "$DF" >"$T/df_noarch" &&
        chmod +x "$T/df_noarch"
    gzip -c "$GOOD_SRC" >"$T/good.nmea.gz"
    "$T/df_noarch" decode "$GOOD_SRC" >"$T/noarch.out" 2>"$T/noarch.err"
    RC=$?
    check "no libarchive: plain NMEA still decodes (rc=$RC)" \
        bash -c "[ $RC = 0 ] && cmp -s '$T/noarch.out' <('$DF' decode '$GOOD_SRC')"
    "$T/df_noarch" decode "$T/good.nmea.gz" >"$T/noarch.out" \
        2>"$T/noarch.err"
    RC=$?
    check "no libarchive: .gz input is exit 1 with one line naming it" \
        bash -c "[ $RC = 1 ] && [ \$(wc -l <'$T/noarch.err') = 1 ] &&
                 grep -q 'good.nmea.gz: cannot read compressed input' '$T/noarch.err'"
else
    echo "note: libarchive is linked into this build; its absence is not tested"
fi

# ---- a text message longer than the 156 characters it can hold ---------------
gen >"$T/longtext.nmea" <<'PY'
sys.stdout.buffer.write(nmea(b'AIVDM,1,1,,A,>' + b'5' * 179 + b',0') + b'\n' +
                        nmea(b'AIVDM,1,1,,B,<' + b'5' * 179 + b',0') + b'\n')
PY
run_ok longtext "type 12/14 with 1080-bit payloads" "$T/longtext.nmea"
check "long type 12/14: at most one object each" \
    [ "$(grep -c '^{' "$T/longtext.out")" -le 2 ]

echo "$pass passed, $fail failed"
[ $fail = 0 ]
