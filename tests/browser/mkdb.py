#!/usr/bin/env python3
"""mkdb.py - a darkfleet store for the report tests, made with sqlite3
alone (no scan needed).

The schema is read from src/store.c itself (the migrations[] string
literals and SCHEMA_VERSION), so it follows the store.  Risk scores and
reasons go into whatever tables the schema has for them (found by their
columns: a table with mmsi and points holds reasons, one with mmsi and
score the score); a schema without them gets risk(mmsi, score) and
risk_reasons(mmsi, points, text, event_type, event_id).

  mkdb.py --src DIR --db FILE [--expect FILE]     the hostile fixture
  mkdb.py --src DIR --db FILE --vessels N         N random vessels (size)

The fixture's vessels have MMSIs in ascending order and scores in
descending order, so their rank is the same whether the reader ranks by
score or, without risk tables, by MMSI.  --expect writes what the pages
must show, as JSON, for tests/browser/report.mjs.
"""
import argparse
import datetime
import json
import os
import random
import re
import sqlite3
import sys

APPLICATION_ID = 0x44466C74


def c_strings(text):
    """The C string literals of text in order, with commas outside them
    returned as None (migration boundaries); comments skipped."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            i = text.index("*/", i) + 2
        elif text.startswith("//", i):
            i = text.index("\n", i)
        elif text[i] == '"':
            j, buf = i + 1, []
            while text[j] != '"':
                if text[j] == "\\":
                    nxt = text[j + 1]
                    buf.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
                    j += 2
                else:
                    buf.append(text[j])
                    j += 1
            out.append("".join(buf))
            i = j + 1
        elif text[i] == ",":
            out.append(None)
            i += 1
        else:
            i += 1
    return out


def schema(src):
    text = open(os.path.join(src, "src", "store.c"), encoding="utf-8").read()
    version = int(re.search(r"#define\s+SCHEMA_VERSION\s+(\d+)", text).group(1))
    m = re.search(r"migrations\[[^\]]*\]\s*=\s*\{(.*?)\n\};", text, re.S)
    if not m:
        sys.exit("mkdb: no migrations[] in src/store.c")
    migs, cur = [], []
    for s in c_strings(m.group(1)):
        if s is None:
            if cur:
                migs.append("".join(cur))
            cur = []
        else:
            cur.append(s)
    if cur:
        migs.append("".join(cur))
    return version, migs


def iso(ms):
    if ms is None:
        return None
    d = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def columns(db, table):
    return [r[1] for r in db.execute("PRAGMA table_info(%s)" % table)]


def risk_tables(db):
    """(score table, its columns), (reasons table, its columns)."""
    score = reasons = None
    for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'"):
        cols = columns(db, t)
        if "mmsi" in cols and "points" in cols:
            reasons = (t, cols)
        elif "mmsi" in cols and "score" in cols and t != "vessels":
            score = (t, cols)
    if not reasons and not score:
        db.executescript(
            "CREATE TABLE risk(mmsi INTEGER PRIMARY KEY, score REAL NOT NULL);"
            "CREATE TABLE risk_reasons(mmsi INTEGER NOT NULL, points REAL,"
            " text TEXT, event_type TEXT, event_id INTEGER);")
        return risk_tables(db)
    return score, reasons


def insert(db, table, cols, row):
    """Inserts the values of row whose keys the table has (synonyms
    mapped); other columns keep their defaults."""
    syn = {"text": ["text", "reason", "description"],
           "event_type": ["event_type", "type", "kind"],
           "event_id": ["event_id", "event"],
           "points": ["points"], "score": ["score", "risk"],
           "mmsi": ["mmsi"]}
    names, vals = [], []
    for k, v in row.items():
        for c in syn.get(k, [k]):
            if c in cols:
                names.append(c)
                vals.append(v)
                break
    db.execute("INSERT INTO %s(%s) VALUES(%s)" % (
        table, ",".join(names), ",".join("?" * len(names))), vals)


def create(path, src):
    if os.path.exists(path):
        os.unlink(path)
    version, migs = schema(src)
    db = sqlite3.connect(path)
    # WAL, as every store darkfleet writes (readers beside a writer).
    db.execute("PRAGMA journal_mode = WAL")
    for sql in migs:
        db.executescript(sql)
    db.execute("PRAGMA user_version = %d" % version)
    db.execute("PRAGMA application_id = %d" % APPLICATION_ID)
    return db


T0 = 1740787200000  # 2025-03-01T00:00:00Z
H = 3600000


def add_vessel(db, mmsi, flag, ids, points, first, last):
    db.execute("INSERT INTO vessels(mmsi, mid, flag, first_seen, last_seen,"
               " positions, last_lat, last_lon) VALUES(?,?,?,?,?,?,?,?)",
               (mmsi, mmsi // 1000000, flag, iso(first), iso(last),
                len(points), points[-1][1] if points else None,
                points[-1][2] if points else None))
    for d in ids:
        db.execute("INSERT INTO identities(mmsi, first_seen, last_seen, imo,"
                   " name, callsign, destination, shiptype, length_m,"
                   " width_m, draught_m) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                   (mmsi, iso(d["first"]), iso(d["last"]), d.get("imo", 0),
                    d["name"], d.get("callsign", ""),
                    d.get("destination", ""), d.get("shiptype", 80),
                    d.get("length", 180), d.get("width", 30),
                    d.get("draught", 9.5)))
    db.executemany("INSERT INTO track_points(mmsi, t, lat, lon, speed,"
                   " course) VALUES(?,?,?,?,?,?)",
                   [(mmsi, iso(t), lat, lon, 11.5, 45.0)
                    for t, lat, lon in points])


def add_event(db, typ, v1, v2, start, end, lat, lon, score, evidence):
    cur = db.execute("INSERT INTO events(type, vessel1, vessel2, start, end,"
                     " lat, lon, score, evidence) VALUES(?,?,?,?,?,?,?,?,?)",
                     (typ, v1, v2, iso(start), iso(end), lat, lon, score,
                      evidence))
    return cur.lastrowid


def line(n, lat0, lon0, lat1, lon1, t0, step):
    return [(t0 + i * step, round(lat0 + (lat1 - lat0) * i / max(1, n - 1), 5),
             round(lon0 + (lon1 - lon0) * i / max(1, n - 1), 5))
            for i in range(n)]


def fixture(db):
    score_t, reasons_t = risk_tables(db)
    V = [
        # mmsi, flag, score, identities, track
        (211000001, "DE", 175,
         [{"name": "OCEAN STAR", "imo": 9074729, "callsign": "DABC",
           "destination": "NAMPO", "first": T0, "last": T0 + 30 * H},
          {"name": "<img src=x onerror=alert(1)>", "imo": 9074729,
           "callsign": "D'ABC", "destination":
           "</script><script>alert(2)</script>",
           "first": T0 + 40 * H, "last": T0 + 96 * H}],
         line(3000, 34.0, 122.0, 38.7, 125.1, T0, 115000)),
        (273000002, "RU", 120,
         [{"name": "</script><script>alert(2)</script>", "imo": 0,
           "callsign": "UB<b>", "destination": "<!-- x",
           "first": T0, "last": T0 + 96 * H}],
         line(120, 37.0, 124.5, 38.5, 123.6, T0, 48 * 60000)),
        (352000003, "PA", 60,
         [{"name": "HE SAID \"HI\" & 'BYE'", "imo": 9301471,
           "callsign": "3E\"Q", "destination": "A&B <C>",
           "first": T0, "last": T0 + 90 * H}],
         line(100, 31.0, 123.0, 33.5, 126.0, T0, 54 * 60000)),
        (412000004, "CN", 25,
         [{"name": "ΑΘΗΝΑ 号 ✓ café", "imo": 0, "callsign": "BQ☃",
           "destination": "Ünïcode \u2028line", "first": T0, "last": T0 + 80 * H}],
         line(80, 36.0, 120.5, 35.2, 121.5, T0, H)),
        (445000005, "KP", 10,
         [{"name": "<svg onload=alert()>", "imo": 0, "callsign": "",
           "destination": "javascript:alert(3)", "first": T0,
           "last": T0 + 70 * H}],
         line(70, 38.9, 125.0, 39.0, 124.6, T0, H)),
        (636000006, "LR", 0,
         [{"name": "PLAIN VESSEL", "imo": 9321483, "callsign": "A8ZZ",
           "destination": "BUSAN", "first": T0, "last": T0 + 10 * H}],
         line(10, 34.9, 129.0, 35.0, 129.1, T0, H)),
    ]
    for mmsi, flag, score, ids, pts in V:
        add_vessel(db, mmsi, flag, ids, pts, pts[0][0], pts[-1][0])
    ev = []
    e1 = add_event(db, "encounter", 211000001, 273000002, T0 + 20 * H,
                   T0 + 24 * H, 37.6, 124.1, 0.9,
                   json.dumps({"median_distance_m": 88,
                               "note": "<img src=x onerror=alert(5)>"}))
    ev.append(("encounter", 211000001, 273000002))
    e2 = add_event(db, "gap", 211000001, None, T0 + 30 * H, T0 + 40 * H,
                   36.5, 123.5, 0.7, '"}];alert(6);//')
    ev.append(("gap", 211000001, None))
    e3 = add_event(db, "identity_change", 211000001, None, T0 + 40 * H,
                   T0 + 40 * H, 36.8, 123.7, 0.5,
                   json.dumps({"from": "OCEAN STAR",
                               "to": "<img src=x onerror=alert(1)>"}))
    ev.append(("identity_change", 211000001, None))
    add_event(db, "loitering", 352000003, None, T0 + 50 * H, T0 + 58 * H,
              32.2, 124.4, 0.4, json.dumps({"mean_speed_kn": 0.8}))
    ev.append(("loitering", 352000003, None))
    add_event(db, "port_call", 412000004, None, T0 + 10 * H, T0 + 30 * H,
              36.05, 120.4, 0.2, json.dumps({"port": "QINGDAO </script>"}))
    ev.append(("port_call", 412000004, None))
    add_event(db, "zone_entry", 445000005, None, T0 + 5 * H, T0 + 5 * H,
              38.95, 124.9, 0.6, json.dumps({"zone": "DPRK EEZ"}))
    ev.append(("zone_entry", 445000005, None))
    add_event(db, "encounter", 273000002, 445000005, T0 + 60 * H,
              T0 + 63 * H, 38.7, 124.2, 0.8, "{}")
    ev.append(("encounter", 273000002, 445000005))
    # No position: counted in the header, not drawn.
    add_event(db, "invalid_identity", 636000006, None, T0 + 2 * H,
              T0 + 2 * H, None, None, 0.3,
              json.dumps({"reason": "imo_check_digit"}))
    ev.append(("invalid_identity", 636000006, None))
    reasons = {
        211000001: [(100, "encounter with 273000002 <b>at sea</b>",
                     "encounter", e1),
                    (50, "dark for 10 h & \"gone\"", "gap", e2),
                    (25, "renamed to <img src=x onerror=alert(1)>",
                     "identity_change", e3)],
        273000002: [(120, "met 211000001 and 445000005", "encounter", 0)],
        352000003: [(60, "loitering 8 h offshore", "loitering", 0)],
        412000004: [(25, "port call: Qingdao 号", "port_call", 0)],
        445000005: [(10, "entered DPRK waters", "zone_entry", 0)],
    }
    for mmsi, flag, score, ids, pts in V:
        if score_t:
            insert(db, score_t[0], score_t[1], {"mmsi": mmsi, "score": score})
        for p, text, typ, eid in reasons.get(mmsi, []):
            if reasons_t:
                insert(db, reasons_t[0], reasons_t[1],
                       {"mmsi": mmsi, "points": p, "text": text,
                        "event_type": typ, "event_id": eid or 0})
    def cut(s, n=20):
        """As the store's fixed fields keep it: n bytes, whole characters."""
        return s.encode("utf-8")[:n].decode("utf-8", "ignore")

    return {
        "vessels": [{"mmsi": m, "name": cut(ids[-1]["name"]), "score": s,
                     "identities": [cut(d["name"]) for d in ids],
                     "events": sum(1 for t, a, b in ev if m in (a, b)),
                     "track": len(pts)}
                    for m, f, s, ids, pts in V],
        "events": len(ev),
        "events_drawn": len(ev) - 1,
        "hostile": ["<img src=x onerror=alert(1)>",
                    "</script><script>alert(2)</script>",
                    "HE SAID \"HI\" & 'BYE'", "ΑΘΗΝΑ 号 ✓ café",
                    "<svg onload=alert()>"],
    }


def bulk(db, n, seed=1):
    """n random vessels on the Yellow and East China Seas, 200 track points
    and about 2 events each; risk as the fixture stores it."""
    rnd = random.Random(seed)
    score_t, reasons_t = risk_tables(db)
    types = ["encounter", "loitering", "gap", "spoofing", "identity_change",
             "zone_entry", "port_call", "draught_change"]
    for k in range(n):
        mmsi = 200000000 + k * 1009
        lat, lon = rnd.uniform(28, 40), rnd.uniform(119, 130)
        pts = line(200, lat, lon, lat + rnd.uniform(-3, 3),
                   lon + rnd.uniform(-3, 3), T0, 20 * 60000)
        name = "VESSEL %d <%s>" % (k, rnd.choice(["A", "B", "&"]))
        add_vessel(db, mmsi, "PA", [{"name": name, "first": T0,
                                     "last": pts[-1][0]}], pts, T0, pts[-1][0])
        score = 0
        for j in range(rnd.randint(0, 4)):
            t = rnd.choice(types)
            p = pts[rnd.randrange(len(pts))]
            eid = add_event(db, t, mmsi, None, p[0] + j, p[0] + 3 * H,
                            p[1], p[2], 0.5,
                            json.dumps({"hours": 3, "note": "x"}))
            score += 10
            if reasons_t:
                insert(db, reasons_t[0], reasons_t[1],
                       {"mmsi": mmsi, "points": 10, "text": "%s at sea" % t,
                        "event_type": t, "event_id": eid})
        if score_t:
            insert(db, score_t[0], score_t[1], {"mmsi": mmsi, "score": score})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--expect")
    ap.add_argument("--vessels", type=int, default=0)
    a = ap.parse_args()
    db = create(a.db, a.src)
    if a.vessels:
        bulk(db, a.vessels)
        exp = None
    else:
        exp = fixture(db)
    # Schema 5's name search is written by darkfleet beside each new
    # identity (src/store.c says why not by a trigger): a writer of its
    # own fills it likewise.
    if db.execute("SELECT count(*) FROM sqlite_master"
                  " WHERE name = 'vessel_search'").fetchone()[0]:
        db.execute("INSERT INTO vessel_search(mmsi, name, callsign)"
                   " SELECT mmsi, name, callsign FROM identities"
                   " WHERE name != '' OR callsign != ''"
                   " GROUP BY mmsi, name, callsign")
    db.commit()
    db.close()
    if a.expect and exp:
        with open(a.expect, "w", encoding="utf-8") as f:
            json.dump(exp, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
