#!/usr/bin/env python3
"""serve_api.py - the JSON API of `darkfleet serve`, checked against the
store it serves, read with python3's sqlite3 (run by tests/cli/serve.sh).

  serve_api.py URL DB EXPECT_JSON

URL is the server's ("http://127.0.0.1:PORT/"), DB the store (the hostile
fixture of tests/browser/mkdb.py: names with markup, quotes, scripts and
non-ASCII, evidence that is not JSON), EXPECT_JSON what mkdb.py says the
pages must show.  Checks every endpoint's values against SQL on the same
file, every bad parameter (400 with a JSON error naming it), unknown paths
(404), other methods (405), a long query string (400), paths that try to
leave the web app's files (404), SQL in parameters (inert), the headers
(CSP, nosniff, ETag and 304), HEAD, the Host check (403); then a writer
beside the server: a write transaction held open is neither waited for
nor seen, and is seen once committed (the stats' generation moves); and
50 commits with busy_timeout 0 while clients read all succeed.

Prints "ok - ..." / "not ok - ..." and exits 1 on any failure.
"""
import http.client
import json
import sqlite3
import sys
import threading
import time
import urllib.parse

url, dbpath, expect_path = sys.argv[1], sys.argv[2], sys.argv[3]
u = urllib.parse.urlsplit(url)
HOST, PORT = u.hostname, u.port
expect = json.load(open(expect_path, encoding="utf-8"))
db = sqlite3.connect(dbpath)
failed = passed = 0


def check(ok, what):
    global failed, passed
    if ok:
        passed += 1
        print("ok - " + what)
    else:
        failed += 1
        print("not ok - " + what)


def req(path, method="GET", headers=None):
    c = http.client.HTTPConnection(HOST, PORT, timeout=10)
    c.request(method, path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), body


def get(path, status=200):
    s, h, b = req(path)
    if s != status:
        print("# %s: %d %r" % (path, s, b[:300]))
    j = json.loads(b.decode("utf-8")) if b else None
    return s, j


def iso(t):
    """A stored time (with ms) as the API writes it (ms only when not 0)."""
    if t is None:
        return None
    return t.replace(".000Z", "Z")


q = lambda sql, *a: db.execute(sql, a).fetchall()

# ---- /api/stats ------------------------------------------------------------------
s, st = get("/api/stats")
check(s == 200, "stats: 200")
check(st["vessels"] == q("SELECT count(*) FROM vessels")[0][0], "stats: vessels")
check(st["positions"] == q("SELECT sum(positions) FROM vessels")[0][0], "stats: positions")
check(st["events"] == q("SELECT count(*) FROM events")[0][0], "stats: events")
check(st["events_by_type"] == dict(
    (t, q("SELECT count(*) FROM events WHERE type = ?", t)[0][0])
    for t in st["events_by_type"]), "stats: events by type, every type")
check(len(st["events_by_type"]) == 11, "stats: all 11 types listed")
check(st["scored"] == q("SELECT count(*) FROM risk WHERE score > 0")[0][0], "stats: scored")
check(st["first_seen"] == iso(q("SELECT min(first_seen) FROM vessels")[0][0]), "stats: first seen")
check(st["last_seen"] == iso(q("SELECT max(last_seen) FROM vessels")[0][0]), "stats: last seen")
days = q("SELECT substr(start, 1, 10), count(*) FROM events WHERE start IS NOT NULL GROUP BY 1")
check([(d["day"], d["events"]) for d in st["event_days"]] == days, "stats: event days")
check(st["schema"] == q("PRAGMA user_version")[0][0] == 5, "stats: schema 5")
check(isinstance(st["generation"], int) and st["last_write"].endswith("Z"), "stats: generation, last write")

# ---- /api/vessels ---------------------------------------------------------------------
rank = [m for (m,) in q("SELECT v.mmsi FROM vessels v LEFT JOIN risk r ON r.mmsi = v.mmsi"
                        " ORDER BY coalesce(r.score, 0) DESC, v.mmsi")]
s, vs = get("/api/vessels")
check([v["mmsi"] for v in vs["vessels"]] == rank, "vessels: every vessel by rank")
check(vs["total"] == len(rank) and vs["offset"] == 0 and vs["limit"] == 50, "vessels: total, paging")
check([v["name"] for v in vs["vessels"]] == [v["name"] for v in expect["vessels"]],
      "vessels: hostile names round-trip exactly")
check([v["rank"] for v in vs["vessels"]] == list(range(1, len(rank) + 1)), "vessels: ranks")
top = vs["vessels"][0]
reasons = q("SELECT text FROM reasons WHERE mmsi = ? ORDER BY contribution DESC, points DESC, id", top["mmsi"])
check([r["text"] for r in top["reasons"]] == [t for (t,) in reasons][:5], "vessels: reasons, text exact")
check(top["names"] == ["OCEAN STAR"], "vessels: the earlier name beside the latest")
s, p2 = get("/api/vessels?limit=2&offset=3")
check([v["mmsi"] for v in p2["vessels"]] == rank[3:5] and p2["total"] == len(rank), "vessels: limit and offset")


def found(qs):
    s, j = get("/api/vessels?q=" + urllib.parse.quote(qs))
    return [v["mmsi"] for v in j["vessels"]] if s == 200 else None


def contains(sub):
    """Vessels any of whose names or call signs contain sub (ASCII case
    folded, as SQL's LIKE does), by rank."""
    hit = set(m for (m,) in q("SELECT mmsi FROM identities WHERE instr(lower(name), lower(?))"
                              " OR instr(lower(callsign), lower(?))", sub, sub))
    return [m for m in rank if m in hit]


for sub in ["onerror", "<img", "SCRIPT>", "he said", "'BYE'", "VESSEL", "ocean st", "UB<b>"]:
    check(found(sub) == contains(sub) and found(sub), "search by a part of a name or call sign: %r" % sub)
check(found("ΑΘΗΝΑ 号") == [412000004], "search: non-ASCII")
check(found("211000001") == [211000001], "search: MMSI")
check(found("445") == [445000005], "search: an MMSI's start")
check(found("9301471") == [352000003], "search: IMO")
check(found("PL") == [636000006], "search: two letters, a name's start")
check(found("'; DROP TABLE vessels; --") == [] and q("SELECT count(*) FROM vessels")[0][0] == len(rank),
      "search: SQL in the text is only text")
check(found('"x" OR *') == [], "search: FTS syntax in the text is only text")

# ---- /api/vessels/MMSI ------------------------------------------------------------------
m = 211000001
s, v = get("/api/vessels/%d" % m)
check(s == 200 and v["mmsi"] == m and v["name"] == expect["vessels"][0]["name"], "vessel: found, name exact")
check([i["name"] for i in v["identities"]] == expect["vessels"][0]["identities"], "vessel: identities over time, exact")
check([i["callsign"] for i in v["identities"]] == ["DABC", "D'ABC"], "vessel: call signs exact")
check(v["identities"][1]["destination"] == "</script><script>alert(2)</script>"[:20], "vessel: destination exact")
ev_ids = [i for (i,) in q("SELECT id FROM events WHERE vessel1 = ? OR vessel2 = ? ORDER BY start, id", m, m)]
check([e["id"] for e in v["events"]] == ev_ids and v["events_total"] == len(ev_ids), "vessel: its events")
check([r["text"] for r in v["reasons"]] == [t for (t,) in q(
    "SELECT text FROM reasons WHERE mmsi = ? ORDER BY contribution DESC, points DESC, id", m)], "vessel: all reasons")
check([(p["mmsi"], p["encounters"]) for p in v["partners"]] == [(273000002, 1)], "vessel: partners")
check(v["partners"][0]["name"] == expect["vessels"][1]["name"], "vessel: partner's name exact")
npts = q("SELECT count(*), min(t), max(t) FROM track_points WHERE mmsi = ?", m)[0]
tr = v["track"]
check(tr["total"] == npts[0] == 3000 and tr["shown"] == len(tr["points"]) <= 2000, "vessel: track thinned to 2000")
check(tr["points"][0][0] == iso(npts[1]) and tr["points"][-1][0] == iso(npts[2]), "vessel: first and last point kept")
gap = next(e for e in v["events"] if e["type"] == "gap")
check(gap["evidence"] == {"unparsed": '"}];alert(6);//'}, "vessel: evidence that is not JSON kept as a string")
s, t2 = get("/api/vessels/%d/track?from=2025-03-02&to=2025-03-02T12:00Z&points=50" % m)
inr = q("SELECT count(*) FROM track_points WHERE mmsi = ? AND t >= '2025-03-02' AND t <= '2025-03-02T12:00:00.000Z'", m)[0][0]
check(s == 200 and t2["track"]["total"] == inr and len(t2["track"]["points"]) <= 50, "track: a time range, at most points")
check(all("2025-03-02T00" <= p[0] <= "2025-03-02T12:00:00Z" for p in t2["track"]["points"]), "track: points inside the range")
s, t3 = get("/api/vessels/%d/track?zoom=2" % m)
s4, t4 = get("/api/vessels/%d/track?zoom=12&points=20000" % m)
check(len(t3["track"]["points"]) < len(t4["track"]["points"]) <= 3000, "track: fewer points at a low zoom (%d < %d)"
      % (len(t3["track"]["points"]), len(t4["track"]["points"])))
check(get("/api/vessels/999999999", 404)[0] == 404, "vessel: unknown MMSI 404")

# ---- /api/events ---------------------------------------------------------------------------
def events(qs):
    s, j = get("/api/events?" + qs)
    return [e["id"] for e in j["events"]], j


ids, j = events("limit=5000")
check(ids == [i for (i,) in q("SELECT id FROM events ORDER BY start, id")] and j["total"] == len(ids), "events: all, by start")
ids, j = events("sort=score&limit=3&offset=1")
check(ids == [i for (i,) in q("SELECT id FROM events ORDER BY score DESC, id LIMIT 3 OFFSET 1")], "events: by score, paged")
ids, j = events("bbox=123,36,125,38")
sq = [i for (i,) in q("SELECT id FROM events WHERE lon BETWEEN 123 AND 125 AND lat BETWEEN 36 AND 38 ORDER BY start, id")]
check(ids == sq and j["total"] == len(sq) and sq, "events: in a box")
ids, j = events("type=encounter,gap")
check(ids == [i for (i,) in q("SELECT id FROM events WHERE type IN ('encounter','gap') ORDER BY start, id")], "events: by type")
ids, j = events("from=2025-03-02T00:00Z&to=2025-03-03")
sq = [i for (i,) in q("SELECT id FROM events WHERE start <= '2025-03-03T00:00:00.000Z'"
                      " AND coalesce(end, start) >= '2025-03-02T00:00:00.000Z' ORDER BY start, id")]
check(ids == sq and sq, "events: overlapping a time")
ids, j = events("min_score=0.6&bbox=-180,-90,180,90")
check(ids == [i for (i,) in q("SELECT id FROM events WHERE score >= 0.6 AND lat IS NOT NULL ORDER BY start, id")], "events: min score")
ids, j = events("mmsi=273000002")
check(ids == [i for (i,) in q("SELECT id FROM events WHERE vessel1 = 273000002 OR vessel2 = 273000002 ORDER BY start, id")],
      "events: one vessel's")
ids, j = events("brief=1&limit=1")
check(set(j["events"][0]) == {"id", "type", "vessels", "start", "end", "lat", "lon", "score", "provisional"}, "events: brief")
ids, j = events("limit=5000")
e = next(x for x in j["events"] if x["type"] == "port_call")
check(e["evidence"] == {"port": "QINGDAO </script>"}, "events: evidence exact")
check(all(x["start"].endswith("Z") for x in j["events"]), "events: ISO times with Z")
pos = next(x for x in j["events"] if x["type"] == "invalid_identity")
check(pos["lat"] is None and pos["lon"] is None, "events: no position is null")

# ---- /api/events/ID -----------------------------------------------------------------------
eid = q("SELECT id FROM events WHERE type = 'encounter' ORDER BY start LIMIT 1")[0][0]
s, d = get("/api/events/%d?points=100" % eid)
check(s == 200 and d["event"]["id"] == eid and [x["mmsi"] for x in d["vessels"]] == [211000001, 273000002],
      "event: both vessels")
check([x["name"] for x in d["vessels"]] == [expect["vessels"][0]["name"], expect["vessels"][1]["name"]],
      "event: names exact")
ok = True
for x in d["vessels"]:
    n = q("SELECT count(*) FROM track_points WHERE mmsi = ? AND t >= ? AND t <= ?", x["mmsi"],
          d["from"].replace("Z", ".000Z"), d["to"].replace("Z", ".000Z"))[0][0]
    pts = x["track"]["points"]
    ok = ok and x["track"]["total"] == n > 0 and len(pts) <= 100 and all(d["from"] <= p[0] <= d["to"] for p in pts)
check(ok, "event: both tracks around it, from the store")
check(get("/api/events/999999", 404)[0] == 404, "event: unknown id 404")

# ---- bad requests ------------------------------------------------------------------------------
bad = [
    ("/api/vessels?limit=x", "limit"), ("/api/vessels?limit=0", "limit"), ("/api/vessels?limit=201", "limit"),
    ("/api/vessels?offset=-1", "offset"), ("/api/vessels?offset=1e3", "offset"),
    ("/api/vessels?bogus=1", "bogus"), ("/api/vessels?q=a&q=b", "q"), ("/api/vessels?q=a%00b", "q"),
    ("/api/vessels?q=a%0Ab", "q"), ("/api/vessels?q=" + "A" * 300, "q"),
    ("/api/vessels/abc", "MMSI"), ("/api/vessels/0123", "MMSI"), ("/api/vessels/99999999999", "MMSI"),
    ("/api/vessels/211000001?from=yesterday", "from"), ("/api/vessels/211000001?zoom=25", "zoom"),
    ("/api/vessels/211000001?points=1", "points"), ("/api/vessels/211000001?to=2025-02-30", "to"),
    ("/api/vessels/211000001?from=2025-03-02&to=2025-03-01", "from"),
    ("/api/events?bbox=1,2,3", "bbox"), ("/api/events?bbox=1,2,3,4,5", "bbox"), ("/api/events?bbox=a,b,c,d", "bbox"),
    ("/api/events?bbox=0,0,10,91", "bbox"), ("/api/events?bbox=0,10,10,0", "bbox"), ("/api/events?bbox=", "bbox"),
    ("/api/events?bbox=1,2,,4", "bbox"), ("/api/events?bbox=nan,0,1,1", "bbox"), ("/api/events?bbox=0x10,0,1,1", "bbox"),
    ("/api/events?from=2025-13-01", "from"), ("/api/events?to=2025-03-01T25:00", "to"), ("/api/events?from=", "from"),
    ("/api/events?type=bogus", "type"), ("/api/events?type=encounter,", "type"), ("/api/events?type=", "type"),
    ("/api/events?min_score=high", "min_score"), ("/api/events?min_score=inf", "min_score"),
    ("/api/events?mmsi=x", "mmsi"), ("/api/events?sort=name", "sort"), ("/api/events?brief=2", "brief"),
    ("/api/events?limit=5001", "limit"), ("/api/events/abc", "event"), ("/api/events/0", "event"),
    ("/api/stats?x=1", "x"), ("/api/events/1?zoom=3", "zoom"),
    ("/api/events?" + "&".join("a%d=1" % i for i in range(20)), "parameters"),
]
allok = True
for path, name in bad:
    s, h, b = req(path)
    try:
        j = json.loads(b)
    except ValueError:
        j = {}
    good = s == 400 and h.get("content-type", "").startswith("application/json") and \
        j.get("status") == 400 and name.lower() in j.get("error", "").lower()
    if not good:
        print("# %s: %d %r" % (path, s, b[:200]))
    allok = allok and good
check(allok, "bad parameters: 400 with a JSON error naming it (%d cases)" % len(bad))
s, h, b = req("/api/vessels?q=" + "A" * 3000)
check(s == 400 and b"query string" in b, "a huge query string: 400")
s, h, b = req("/api/vessels?q=" + "A" * 40000)
check(400 <= s < 500, "a query string past the connection's buffer: %d from libmicrohttpd" % s)
for path in ["/api/nope", "/nope", "/api/vessels/211000001/nope", "/assets/../serve.html", "/assets/%2e%2e/serve.html",
             "/assets/..%2fserve.html", "/assets//etc/passwd", "/../../etc/passwd", "/assets/index.html",
             "/vessel.html", "/data.js", "/api"]:
    s, h, b = req(path)
    check(s == 404 and json.loads(b)["status"] == 404, "%s: 404" % path)
for mth in ["POST", "PUT", "DELETE", "OPTIONS"]:
    s, h, b = req("/api/stats", mth)
    check(s == 405 and h.get("allow") == "GET, HEAD", "%s: 405 with Allow" % mth)
c = http.client.HTTPConnection(HOST, PORT, timeout=10)
c.request("GET", "/api/stats", body=b"x" * 1000)
r = c.getresponse()
check(r.status == 413 and json.loads(r.read())["status"] == 413, "a GET with a body: 413, the body never read")
c.close()
c = http.client.HTTPConnection(HOST, PORT, timeout=10)
c.putrequest("POST", "/api/stats")
c.putheader("Content-Length", "100000000")
c.endheaders()
t = time.time()
r = c.getresponse()
check(r.status == 405 and time.time() - t < 1, "a POST of 100 MB announced: 405 at once, nothing read")
c.close()
c = http.client.HTTPConnection(HOST, PORT, timeout=10)
for i in range(3):
    c.request("GET", "/api/stats")
    r = c.getresponse()
    r.read()
check(r.status == 200 and r.getheader("Connection") != "close", "three requests on one connection (keep-alive)")
c.close()

# ---- files and headers ----------------------------------------------------------------------------
s, h, b = req("/")
check(s == 200 and h["content-type"].startswith("text/html") and b"assets/serve.js" in b, "/: the web app")
csp = h.get("content-security-policy", "")
check("default-src 'none'" in csp and "script-src 'self' blob:" in csp and "connect-src 'self'" in csp
      and "frame-ancestors 'none'" in csp, "CSP on the page")
check(h.get("x-content-type-options") == "nosniff" and h.get("x-frame-options") == "DENY", "nosniff, DENY")
etag = h.get("etag")
s, h2, b2 = req("/", headers={"If-None-Match": etag})
check(s == 304 and b2 == b"", "304 for an unchanged file")
for f in ["serve.js", "common.js", "style.css", "maplibre-gl.js", "land.js"]:
    s, h, b = req("/assets/" + f)
    check(s == 200 and len(b) > 0 and "content-security-policy" in h, "/assets/%s" % f)
s, h, b = req("/api/stats", "HEAD")
check(s == 200 and b == b"" and h.get("content-type") == "application/json", "HEAD: headers only")
s, h, b = req("/api/stats")
check(h.get("cache-control") == "no-store" and "content-security-policy" in h, "API: not cached, CSP")
s, h, b = req("/api/stats", headers={"Host": "evil.example:%d" % PORT})
check(s == 403, "a foreign Host header: 403 (DNS rebinding)")
s, h, b = req("/api/stats", headers={"Host": "localhost:%d" % PORT})
check(s == 200, "Host localhost: 200")

# ---- a writer beside the server -------------------------------------------------------------------------
n0 = get("/api/stats")[1]
w = sqlite3.connect(dbpath, timeout=0, isolation_level=None)
w.execute("BEGIN IMMEDIATE")
w.execute("INSERT INTO events(type, vessel1, start, end, lat, lon, score, evidence)"
          " VALUES('gap', 636000006, '2025-03-04T00:00:00.000Z', '2025-03-04T12:00:00.000Z', 35, 129, 0.5, '{}')")
t = time.time()
s, mid = get("/api/stats")
s2, evs = get("/api/events?limit=5000")
took = time.time() - t
check(took < 1 and mid["events"] == n0["events"] and evs["total"] == n0["events"],
      "an open write transaction: not waited for (%.3f s), not seen" % took)
w.execute("COMMIT")
s, after = get("/api/stats")
check(after["events"] == n0["events"] + 1 and after["generation"] != n0["generation"],
      "committed: seen, generation %d -> %d" % (n0["generation"], after["generation"]))
s, evs = get("/api/events?from=2025-03-04&to=2025-03-04T06:00&bbox=128,34,130,36")
check([e["vessels"] for e in evs["events"]] == [[636000006]], "committed: in the R*Tree at once (a trigger)")

stop = False
errors = []


def reader():
    while not stop:
        try:
            for p in ["/api/vessels?q=VESSEL", "/api/events?bbox=100,0,150,60", "/api/vessels/211000001", "/api/stats"]:
                s, h, b = req(p)
                if s != 200:
                    errors.append(s)
        except Exception as x:  # noqa
            errors.append(str(x))


readers = [threading.Thread(target=reader) for _ in range(4)]
for r in readers:
    r.start()
busy = 0
for i in range(50):
    try:
        w.execute("BEGIN IMMEDIATE")
        w.execute("INSERT INTO events(type, vessel1, start, end, lat, lon, score, evidence)"
                  " VALUES('loitering', 636000006, ?, ?, 35, 129, 0.1, '{}')",
                  ("2025-03-05T%02d:%02d:00.000Z" % (i // 60, i % 60),) * 2)
        w.execute("COMMIT")
    except sqlite3.OperationalError as x:
        busy += 1
        print("# writer: %s" % x)
        try:
            w.execute("ROLLBACK")
        except sqlite3.OperationalError:
            pass
    time.sleep(0.01)
stop = True
for r in readers:
    r.join()
check(busy == 0, "50 commits with busy_timeout 0 while 4 clients read: none waited on the readers")
check(not errors, "the readers got 200 throughout (%d errors)" % len(errors))
s, fin = get("/api/stats")
check(fin["events"] == n0["events"] + 51, "every commit seen")
w.close()

print("# api: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
