#!/usr/bin/env python3
"""truthcmp.py - darkfleet scan's events against the simulator's ground truth.

usage: truthcmp.py TRUTH EVENTS [--minutes M] [--km K]

Every planted event (truth score >= 0) must be reported: the same type, the
same vessels (in any order), start and end within M minutes (default 15;
60 for loitering, whose method works on hourly means), and its position
within K km (default 1) of the truth's.  Position is not compared for
mmsi_collision (one MMSI at two places) and invalid_identity (about an
identity, not a place), and the end is not compared for the events that
report a state from when it began (mmsi_collision, invalid_identity,
identity_change, zone_entry).  No decoy (truth score < 0) may be reported: no
event of the decoy's type may involve its vessels.  Events on vessels the
truth does not mention are counted and listed (false positives on the
background traffic) and fail the comparison too.
Prints "N passed, M failed" last.
"""
import json
import math
import sys
from datetime import datetime


def t(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def km(a, b):
    if None in (a.get("lat"), a.get("lon"), b.get("lat"), b.get("lon")):
        return float("inf")
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    dp, dl = p2 - p1, math.radians(b["lon"] - a["lon"])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def load(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    opts = dict(zip(argv[1::], argv[2::]))
    minutes = float(opts.get("--minutes", 15))
    kms = float(opts.get("--km", 1))
    truth, events = load(args[0]), load(args[1])
    passed = failed = 0
    mentioned = set()
    for tr in truth:
        mentioned.update(tr["vessels"])
    for tr in truth:
        vs = set(tr["vessels"])
        same = [e for e in events if e["type"] == tr["type"] and set(e["vessels"]) == vs]
        label = "%s %s (%s)" % (tr["type"], tr["vessels"],
                                tr.get("evidence", {}).get("scenario", ""))
        if tr.get("score", 0) < 0:
            bad = [e for e in events if e["type"] == tr["type"]
                   and set(e["vessels"]) & vs]
            if bad:
                failed += 1
                print("FAIL decoy reported: %s: %s" % (label, json.dumps(bad[0])[:200]))
            else:
                passed += 1
                print("ok   decoy not reported: %s" % label)
            continue
        tol = (60 if tr["type"] == "loitering" else minutes) * 60
        best, why = None, "no event of this type with these vessels"
        for e in same:
            ds, de = abs(t(e["start"]) - t(tr["start"])), abs(t(e["end"]) - t(tr["end"]))
            d = km(e, tr)
            if tr["type"] in ("mmsi_collision", "invalid_identity"):
                d = 0.0
            # A state, not an episode: when it began is what counts.
            if tr["type"] in ("mmsi_collision", "invalid_identity",
                              "identity_change", "zone_entry"):
                de = 0.0
            if ds <= tol and de <= tol and d <= kms:
                best = e
                break
            why = "closest: start off %.0f min, end off %.0f min, %.2f km away" % (
                ds / 60, de / 60, d)
        if best:
            passed += 1
            print("ok   found %s" % label)
        else:
            failed += 1
            print("FAIL missed %s: %s" % (label, why))
    stray = [e for e in events if not set(e["vessels"]) & mentioned]
    for e in stray:
        failed += 1
        print("FAIL event on background traffic: %s" % json.dumps(e)[:200])
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
