#!/usr/bin/env bash
# vessel.sh - `darkfleet vessel`: a vessel's history from the store.
#
# Simulates the identity_change and encounter scenarios (with 20 ships of
# background), scans them into a store with the real binary, and looks
# the planted vessels up by MMSI, by IMO and by name (the simulator's
# names from the ground truth, in lower case, whole and by their start).
# The text must show both planted identities with their IMOs, the
# identity_change event, the encounter with its partner's MMSI and name,
# the reasons and the risk score the risk table holds; --json must parse,
# one object a line, with the same values.  On a copy of the store (made
# here with python3's sqlite3): an IMO given by a second MMSI shows both
# vessels; a name on eleven vessels lists them and exits 0; names, call
# signs, destinations and evidence with ESC, C1 CSI, DEL and invalid
# UTF-8 reach the terminal as '?' (no ESC or 0x9B byte) and come back
# byte for byte through --json.  Errors: a missing database (exit 1, one
# line, not created), no match (exit 1, one line), a bad option or no
# query (exit 2).
#
# Environment (set by CTest): DF = the darkfleet binary.  Exit 77 =
# skipped.  Last line: "N passed, M failed".
set -u
DF=${DF:-build/darkfleet}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
t() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
summary() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }

if [ ! -x "$DF" ]; then
    echo "skip: DF is not set to the darkfleet binary"
    exit 77
fi
if ! command -v python3 >/dev/null || ! python3 -c 'import sqlite3' 2>/dev/null; then
    echo "skip: python3 with sqlite3 is needed"
    exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# ---- the store, made by the real binary --------------------------------------
"$DF" simulate --scenario identity_change,encounter --vessels 20 --seed 3 \
    --truth "$T/truth.jsonl" -o "$T/sim.nmea" 2>"$T/err" ||
    { bad "simulate: $(cat "$T/err")"; summary; exit 1; }
"$DF" scan --db "$T/s.db" "$T/sim.nmea" >"$T/events.jsonl" 2>"$T/err" ||
    { bad "scan: $(cat "$T/err")"; summary; exit 1; }

# What was planted, and what the store says: shell variables.
python3 - "$T/truth.jsonl" "$T/s.db" >"$T/vars" <<'PY' ||
import json, sqlite3, sys
truth = [json.loads(l) for l in open(sys.argv[1])]
db = sqlite3.connect(sys.argv[2])
idc = next(e for e in truth if e["type"] == "identity_change")
enc = next(e for e in truth if e["type"] == "encounter")
old, new = idc["evidence"]["old"], idc["evidence"]["new"]
a, b = enc["vessels"]
def score(m):
    r = db.execute("SELECT score FROM risk WHERE mmsi = ?", (m,)).fetchone()
    return r[0] if r else 0.0
def name(m):
    return db.execute("SELECT name FROM identities WHERE mmsi = ? AND"
                      " name != '' ORDER BY last_seen DESC", (m,)).fetchone()[0]
v = {"IDC": idc["vessels"][0], "OLD_NAME": old["shipname"],
     "NEW_NAME": new["shipname"], "OLD_IMO": old["imo"], "NEW_IMO": new["imo"],
     "OLD_CS": old["callsign"], "NEW_CS": new["callsign"],
     "IDC_SCORE": "%.1f" % score(idc["vessels"][0]),
     "ENC_A": a, "ENC_B": b, "A_NAME": name(a), "B_NAME": name(b),
     "A_SCORE": "%.1f" % score(a)}
for k, x in v.items():
    print("%s='%s'" % (k, str(x).replace("'", "'\\''")))
PY
    { bad "reading the truth and the store"; summary; exit 1; }
. "$T/vars"
echo "     planted: $IDC $OLD_NAME ($OLD_IMO) -> $NEW_NAME ($NEW_IMO);" \
    "encounter $ENC_A $A_NAME / $ENC_B $B_NAME"

# ---- by MMSI, IMO and name: the planted identities -------------------------
"$DF" vessel --db "$T/s.db" "$IDC" >"$T/mmsi.txt" 2>"$T/err"; rc=$?
t "by MMSI: exit 0, nothing on stderr" "[ $rc -eq 0 ] && [ ! -s '$T/err' ]"
t "header: MMSI, latest name, IMO and call sign" \
    "grep -qx 'MMSI        $IDC' '$T/mmsi.txt' &&
     grep -qx 'name        $NEW_NAME' '$T/mmsi.txt' &&
     grep -qx 'IMO         $NEW_IMO' '$T/mmsi.txt' &&
     grep -qx 'call sign   $NEW_CS' '$T/mmsi.txt'"
t "risk score as in the risk table ($IDC_SCORE)" \
    "grep -qx 'risk score  $IDC_SCORE' '$T/mmsi.txt'"
# Both identities, old first, each with its call sign and IMO.
python3 - "$T/mmsi.txt" "$OLD_NAME" "$OLD_CS" "$OLD_IMO" "$NEW_NAME" \
    "$NEW_CS" "$NEW_IMO" <<'PY' && ok "identities: old, then new" || bad "identities: old, then new"
import sys
text = open(sys.argv[1]).read()
sec = text.split("\nidentities (")[1].split("\n\n")[0].splitlines()[2:]
rows = [l.split() for l in sec]
want = [(sys.argv[2], sys.argv[3], sys.argv[4]), (sys.argv[5], sys.argv[6], sys.argv[7])]
got = []
for r in rows:
    line = " ".join(r)
    got.append(next((w for w in want if " ".join(w[0:1]) in line and w[1] in r and w[2] in r), None))
sys.exit(0 if got == want else print(rows) or 1)
PY
t "the identity_change event, with what changed" \
    "grep -q 'identity_change .*name $OLD_NAME -> $NEW_NAME' '$T/mmsi.txt'"
t "its reasons, with points and share" \
    "grep -qE '^ +[0-9]+\.[0-9] +[0-9]+\.[0-9]  name changed' '$T/mmsi.txt'"

"$DF" vessel --db "$T/s.db" "$NEW_IMO" >"$T/imo.txt" 2>"$T/err"; rc=$?
t "by IMO: the same vessel" "[ $rc -eq 0 ] && cmp -s '$T/mmsi.txt' '$T/imo.txt'"
"$DF" vessel --db "$T/s.db" "$OLD_IMO" >"$T/imo2.txt" 2>"$T/err"; rc=$?
t "by its old IMO: the same vessel" "[ $rc -eq 0 ] && cmp -s '$T/mmsi.txt' '$T/imo2.txt'"
lower=$(printf '%s' "$OLD_NAME" | tr 'A-Z' 'a-z')
"$DF" vessel --db "$T/s.db" $lower >"$T/name.txt" 2>"$T/err"; rc=$?
t "by its old name in lower case, as two words: the same vessel" \
    "[ $rc -eq 0 ] && cmp -s '$T/mmsi.txt' '$T/name.txt'"
"$DF" vessel --db "$T/s.db" "${NEW_NAME%?}" >"$T/prefix.txt" 2>"$T/err"; rc=$?
t "by the start of its new name: the same vessel" \
    "[ $rc -eq 0 ] && cmp -s '$T/mmsi.txt' '$T/prefix.txt'"

# ---- the encounter, from either side ---------------------------------------
"$DF" vessel --db "$T/s.db" "$ENC_A" >"$T/a.txt" 2>"$T/err"; rc=$?
t "encounter: exit 0" "[ $rc -eq 0 ]"
t "encounter event with the partner's MMSI and name" \
    "grep -qE '  encounter +[0-9.]+  with $ENC_B $B_NAME: [0-9.]+ h, [0-9]+ m apart' '$T/a.txt'"
t "encounter partners: $ENC_B, $B_NAME, once" \
    "grep -qE '^  $ENC_B  $B_NAME +1  20' '$T/a.txt'"
t "risk score as in the risk table ($A_SCORE)" "grep -qx 'risk score  $A_SCORE' '$T/a.txt'"
"$DF" vessel --db "$T/s.db" "$ENC_B" >"$T/b.txt" 2>"$T/err"
t "the partner's side names $ENC_A $A_NAME" \
    "grep -qE '  encounter +[0-9.]+  with $ENC_A $A_NAME: ' '$T/b.txt'"

# ---- --json: the same values --------------------------------------------------
for q in "$IDC" "$ENC_A"; do
    "$DF" vessel --db "$T/s.db" --json "$q" >>"$T/out.jsonl" 2>"$T/err" ||
        bad "--json $q: $(cat "$T/err")"
done
python3 - "$T/out.jsonl" "$T/s.db" "$T/vars" <<'PY' && ok "--json: one object a line, values as the store's" || bad "--json"
import json, sqlite3, sys
v = {}
for l in open(sys.argv[3]):
    k, x = l.rstrip("\n").split("=", 1)
    v[k] = x.strip("'")
db = sqlite3.connect(sys.argv[2])
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 2, lines
o = [json.loads(l) for l in lines]
def check(cond, what):
    if not cond:
        print("     " + what)
        sys.exit(1)
a = o[0]
check(a["mmsi"] == int(v["IDC"]) and a["matched_by"] == "mmsi", "mmsi")
check(a["name"] == v["NEW_NAME"] and a["imo"] == int(v["NEW_IMO"]), "name, imo")
check(a["callsign"] == v["NEW_CS"], "callsign")
score = db.execute("SELECT score FROM risk WHERE mmsi = ?", (a["mmsi"],)).fetchone()[0]
check(a["score"] == score, "score %r != %r" % (a["score"], score))
ids = [(i["name"], i["imo"], i["callsign"]) for i in a["identities"]]
check(ids == [(v["OLD_NAME"], int(v["OLD_IMO"]), v["OLD_CS"]),
              (v["NEW_NAME"], int(v["NEW_IMO"]), v["NEW_CS"])], "identities %r" % ids)
rs = db.execute("SELECT points, contribution, text FROM reasons WHERE mmsi = ?"
                " ORDER BY contribution DESC, points DESC, id", (a["mmsi"],)).fetchall()
check([(r["points"], r["contribution"], r["text"]) for r in a["reasons"]] == rs,
      "reasons %r" % a["reasons"])
ev = [e for e in a["events"] if e["type"] == "identity_change"]
check(len(ev) == 1 and ev[0]["evidence"]["name"]["new"] == v["NEW_NAME"]
      and ev[0]["partner"] is None and v["OLD_NAME"] in ev[0]["summary"], "event")
b = o[1]
enc = [e for e in b["events"] if e["type"] == "encounter"]
check(len(enc) == 1 and enc[0]["partner"] == int(v["ENC_B"])
      and enc[0]["partner_name"] == v["B_NAME"], "encounter %r" % enc)
check(enc[0]["evidence"]["duration_h"] > 2, "evidence")
row = db.execute("SELECT start FROM events WHERE type = 'encounter'").fetchone()
check(enc[0]["start"] == row[0].replace(".000Z", "Z"), "start")
check([(p["mmsi"], p["name"], p["encounters"]) for p in b["partners"]]
      == [(int(v["ENC_B"]), v["B_NAME"], 1)], "partners %r" % b["partners"])
score = db.execute("SELECT score FROM risk WHERE mmsi = ?", (b["mmsi"],)).fetchone()[0]
check(b["score"] == score, "score")
PY

# ---- a copy with a laundered IMO, a common name and hostile text -----------
cp "$T/s.db" "$T/h.db"
python3 - "$T/h.db" "$NEW_IMO" "$IDC" <<'PY' || bad "making the hostile copy"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
imo, idc = int(sys.argv[2]), int(sys.argv[3])
def vessel(m, name, imo=0, cs="", dest="", t="2025-03-04T00:00:00.000Z"):
    db.execute("INSERT INTO vessels(mmsi, mid, flag, first_seen, last_seen,"
               " positions) VALUES(?, ?, 'PA', ?, ?, 5)", (m, m // 1000000, t, t))
    db.execute("INSERT INTO identities(mmsi, first_seen, last_seen, imo, name,"
               " callsign, destination) VALUES(?, ?, ?, ?, ?, ?, ?)",
               (m, t, t, imo, name, cs, dest))
# The planted vessel's IMO, given later by another MMSI.
vessel(352000001, "NEW IDENTITY", imo)
# Eleven vessels of one name.
for k in range(11):
    vessel(352000100 + k, "TWIN")
# Hostile text: ESC sequences, a C1 CSI as UTF-8 and as a raw byte, DEL,
# invalid UTF-8 (cast from a blob), in a name, call sign, destination,
# a reason and evidence.
vessel(352000200, "EVIL\x1b[2J\x1b]0;owned\x07", 0, "C\u009b1m", "D\x7fEST")
db.execute("UPDATE identities SET destination = CAST(x'41ff9b1b5b33316d' AS TEXT)"
           " WHERE mmsi = 352000200")
db.execute("INSERT INTO events(type, vessel1, start, end, evidence) VALUES"
           " ('zone_entry', 352000200, '2025-03-04T00:00:00.000Z',"
           " '2025-03-04T00:00:00.000Z', ?)", ('{"zone":"Z\\u001b[31m\u009b"}',))
db.execute("INSERT INTO reasons(mmsi, points, text, event_type) VALUES"
           " (352000200, 5, ?, 'flag')", ("bad\x1b[5m flag",))
db.execute("INSERT INTO risk(mmsi, score) VALUES (352000200, 5)")
db.commit()
PY
"$DF" vessel --db "$T/h.db" "$NEW_IMO" >"$T/two.txt" 2>"$T/err"; rc=$?
t "an IMO given by two MMSIs: both, in the order they gave it" \
    "[ $rc -eq 0 ] && grep -q \"matches 2 vessels: $IDC 352000001\" '$T/two.txt' &&
     [ \$(grep -c '^MMSI ' '$T/two.txt') -eq 2 ]"
"$DF" vessel --db "$T/h.db" --json "$NEW_IMO" >"$T/two.jsonl" 2>"$T/err"
t "... and two JSON lines, matched by imo" \
    "python3 -c 'import json,sys; o=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(not ([x[\"mmsi\"] for x in o] == [$IDC, 352000001] and all(x[\"matched_by\"] == \"imo\" for x in o)))' '$T/two.jsonl'"
"$DF" vessel --db "$T/h.db" twin >"$T/twin.txt" 2>"$T/err"; rc=$?
t "a name on eleven vessels: the list, exit 0" \
    "[ $rc -eq 0 ] && grep -q 'matches 11 vessels' '$T/twin.txt' &&
     [ \$(grep -c '^  3520001' '$T/twin.txt') -eq 11 ] && ! grep -q '^MMSI ' '$T/twin.txt'"
"$DF" vessel --db "$T/h.db" 352000200 >"$T/evil.txt" 2>"$T/err"; rc=$?
t "hostile text: exit 0" "[ $rc -eq 0 ]"
t "hostile text: no ESC, no C1 byte, no DEL on the terminal" \
    "! LC_ALL=C grep -q \$'[\\x1b\\x7f\\x9b]' '$T/evil.txt'"
t "hostile text: shown with '?'" \
    "grep -qx 'name        EVIL?\\[2J?\\]0;owned?' '$T/evil.txt' &&
     grep -qx 'call sign   C?1m' '$T/evil.txt' && grep -q 'Z?\\[31m?' '$T/evil.txt' &&
     grep -q 'bad?\\[5m flag' '$T/evil.txt' && grep -q '  A???\\[31m$' '$T/evil.txt'"
"$DF" vessel --db "$T/h.db" --json 352000200 >"$T/evil.json" 2>"$T/err"; rc=$?
python3 - "$T/evil.json" <<'PY' && ok "hostile text: --json parses, strings byte for byte" || bad "hostile --json"
import json, sys
raw = open(sys.argv[1], "rb").read()
assert b"\x1b" not in raw and b"\x7f" not in raw and b"\xc2\x9b" not in raw, raw
o = json.loads(raw.decode("utf-8"))
assert o["name"] == "EVIL\x1b[2J\x1b]0;owned\x07", o["name"]
assert o["callsign"] == "C\u009b1m"
i = o["identities"][0]
assert i["destination"] == "A\ufffd\ufffd\x1b[31m", i["destination"]
assert o["events"][0]["evidence"] == {"zone": "Z\x1b[31m\u009b"}, o["events"]
assert o["reasons"][0]["text"] == "bad\x1b[5m flag"
PY

# ---- errors ------------------------------------------------------------------
"$DF" vessel --db "$T/missing.db" "$IDC" >"$T/o" 2>"$T/e"; rc=$?
t "missing database: exit 1, one line, nothing on stdout" \
    "[ $rc -eq 1 ] && [ \$(wc -l <'$T/e') -eq 1 ] && [ ! -s '$T/o' ] && grep -q 'missing.db' '$T/e'"
t "missing database: not created" "[ ! -e '$T/missing.db' ]"
"$DF" vessel --db "$T/s.db" "NO SUCH SHIP" >"$T/o" 2>"$T/e"; rc=$?
t "no match: exit 1, one line naming the store and the query" \
    "[ $rc -eq 1 ] && [ \$(wc -l <'$T/e') -eq 1 ] && [ ! -s '$T/o' ] &&
     grep -q \"no vessel in $T/s.db matches 'NO SUCH SHIP'\" '$T/e'"
"$DF" vessel --db "$T/s.db" 999999999 >"$T/o" 2>"$T/e"; rc=$?
t "no such MMSI: exit 1" "[ $rc -eq 1 ] && [ \$(wc -l <'$T/e') -eq 1 ]"
"$DF" vessel --db "$T/s.db" --bogus "$IDC" >"$T/o" 2>"$T/e"; rc=$?
t "bad option: exit 2, one line" "[ $rc -eq 2 ] && [ \$(wc -l <'$T/e') -eq 1 ]"
"$DF" vessel --db "$T/s.db" >"$T/o" 2>"$T/e"; rc=$?
t "no query: exit 2, one line" "[ $rc -eq 2 ] && [ \$(wc -l <'$T/e') -eq 1 ]"
"$DF" vessel --db >"$T/o" 2>"$T/e"; rc=$?
t "--db without a value: exit 2" "[ $rc -eq 2 ]"
"$DF" vessel --help >"$T/o" 2>"$T/e"; rc=$?
t "--help: usage on stdout, exit 0" "[ $rc -eq 0 ] && grep -q '^usage: darkfleet vessel' '$T/o'"
t "listed in darkfleet --help" "'$DF' --help | grep -q '^  vessel '"

summary
