#!/usr/bin/env python3
"""gpsdcmp.py - compare darkfleet's JSON lines with gpsd's, field by field.

usage: gpsdcmp.py [--scaled-tolerance] [--dedup] [--quiet] EXPECTED ACTUAL

EXPECTED is gpsd's output (gpsdecode -j or -u -j, or a .chk file: lines that
are not AIS JSON objects are ignored).  ACTUAL is `darkfleet decode` output.
Every gpsd object must be found, in order, in darkfleet's output with the
same keys and values; darkfleet may print more objects (type 24 parts on
their own, messages gpsd rejects), which are counted, not failed.

Ignored keys: the *_text labels, "device", "scaled" and darkfleet's "time".
Known, documented differences where gpsd 3.22 is wrong (docs/internals/
gpsd-compat.md): type 26 "radio" (gpsd never decodes it and prints 0) and
the last byte of type 26 "data" (gpsd leaves radio bits in it).

--scaled-tolerance compares numbers to 1e-5 and treats gpsd's "n/a" and
"nan", and "0.00" and 0, as the same: newer gpsd releases (the .js.chk
files) print more digits than gpsd 3.22.
--dedup collapses consecutive duplicate AIS objects of EXPECTED first (gpsd's
daemon logs repeat the last AIS report after each GPS sentence).
"""
import json
import sys

WINDOW = 64


def load(path, dedup=False):
    out, prev = [], None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.startswith("{") or '"class":"AIS"' not in line:
                continue
            if dedup and line == prev:
                continue
            prev = line
            try:
                out.append(json.loads(line))
            except ValueError:
                print("unparsable line in %s: %s" % (path, line[:120]))
                sys.exit(1)
    return out


def norm(o):
    d = {k: v for k, v in o.items()
         if not k.endswith("_text") and k not in ("device", "scaled", "time")}
    if d.get("type") == 26:
        d.pop("radio", None)
        if isinstance(d.get("data"), str):
            d["data"] = d["data"][:-2]
    return d


def same_value(a, b, tol):
    if a == b:
        return True
    if not tol:
        return False
    alias = {"n/a": "nan", "0.00": 0}
    a, b = alias.get(a, a) if isinstance(a, str) else a, \
        alias.get(b, b) if isinstance(b, str) else b
    if a == b:
        return True
    if isinstance(a, str) and isinstance(b, str):
        try:
            return abs(float(a) - float(b)) <= 1e-5
        except ValueError:
            return False
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return abs(a - b) <= 1e-5 * max(1.0, abs(b))
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return all(same_obj(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return same_obj(a, b, tol)
    return False


NAV = ["Under way using engine", "At anchor", "Not under command",
       "Restricted manoeuverability", "Constrained by her draught", "Moored",
       "Aground", "Engaged in fishing", "Under way sailing",
       "Reserved for HSC", "Reserved for WIG", "Reserved", "Reserved",
       "Reserved", "Reserved", "Not defined"]


def same_obj(a, b, tol):
    if set(a) != set(b):
        return False
    if tol and a.get("type") == 27 and b.get("type") == 27:
        # gpsd 3.22 prints a type 27 status as its label and lon/lat with
        # one decimal; newer releases print the number and four decimals.
        a, b = dict(a), dict(b)
        for o in (a, b):
            if isinstance(o.get("status"), str) and o["status"] in NAV:
                o["status"] = NAV.index(o["status"])
        for k in ("lon", "lat"):
            if isinstance(a.get(k), (int, float)) and \
                    isinstance(b.get(k), (int, float)) and \
                    abs(a[k] - b[k]) <= 0.05 + 1e-9:
                a[k] = b[k]
    return all(same_value(a[k], b[k], tol) for k in a)


def main(argv):
    tol = "--scaled-tolerance" in argv
    dedup = "--dedup" in argv
    quiet = "--quiet" in argv
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        print(__doc__)
        return 2
    exp, act = load(args[0], dedup), load(args[1])
    i = matched = differ = missing = 0
    for o in exp:
        e = norm(o)
        j, found, first = i, None, None
        while j < len(act) and j < i + WINDOW:
            a = act[j]
            if a.get("type") == e.get("type") and a.get("mmsi") == e.get("mmsi"):
                if first is None:
                    first = j
                if same_obj(norm(a), e, tol):
                    found = j
                    break
            j += 1
        if found is not None:
            matched += 1
            i = found + 1
            continue
        if first is None:
            missing += 1
            if not quiet:
                print("missing: %s" % json.dumps(o)[:300])
            continue
        differ += 1
        a = norm(act[first])
        if not quiet:
            print("differs: type %s mmsi %s" % (e.get("type"), e.get("mmsi")))
            for k in sorted(set(a) | set(e)):
                if k not in a or k not in e or not same_value(a[k], e[k], tol):
                    print("   %-14s darkfleet=%s gpsd=%s"
                          % (k, json.dumps(a.get(k)), json.dumps(e.get(k))))
        i = first + 1
    extra = len(act) - matched - differ
    print("%d passed, %d failed (%d objects of gpsd matched, %d differ, "
          "%d missing; darkfleet printed %d more)"
          % (matched, differ + missing, matched, differ, missing, extra))
    return 0 if differ == 0 and missing == 0 and matched > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
