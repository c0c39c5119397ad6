// serve.mjs - the workspace of `darkfleet serve` in a real browser:
// Debian's chromium, headless, driven by playwright-core, against a
// server started by tests/cli/serve.sh on the hostile store of mkdb.py:
//
//   node tests/browser/serve.mjs URL EXPECT_JSON SHOTS_DIR DB [SCREENSHOT]
//
// On the MapLibre map (WebGL in software: no GPU) and again on the canvas
// map (?map=canvas), asserts:
//  - no dialog ever opens (the names and evidence hold alert() payloads),
//    no console error or page error, no request but to the server
//    (data: and blob: for the map's worker and images);
//  - the ranked list: the expected rows in rank order, the hostile names
//    as text, no markup from the data anywhere in the page;
//  - the map: every event with a position is on it (in clusters or not),
//    sea, land and markers drawn; unticking a type, raising the score and
//    narrowing the time slider refetch and show exactly the events the
//    store has for that filter;
//  - search: a part of a hostile name, and a non-ASCII one, find their
//    vessel; a click opens its page: the name as text in the title, the
//    identity timeline and table with both names, its events, its track
//    drawn;
//  - an event's page: both vessels, both tracks drawn in their colours,
//    the evidence as text;
//  - live (MapLibre run): an event committed to the store by another
//    process appears on the map without a reload (the page polls
//    /api/stats; ?poll=300).
// Screenshots go to SHOTS_DIR; SCREENSHOT, if given, gets the home view.
// With --screenshot (below) it only takes the README's pictures.  Prints
// "ok ..." / "not ok ..." lines and exits 1 on any failure.
import { createRequire } from "node:module";
import { readFileSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { inflateSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "..", "..", "package.json"));
const { chromium } = require("playwright-core");

// node tests/browser/serve.mjs --screenshot URL PREFIX [MMSI]: no checks,
// the README's pictures of a store (PREFIX.png the home view,
// PREFIX-vessel.png the page of MMSI or of the top vessel,
// PREFIX-event.png the top vessel's first event's page).
if (process.argv[2] === "--screenshot") {
    await pictures(process.argv[3], process.argv[4], process.argv[5]);
    process.exit(0);
}
const [base, expectFile, shots, dbPath, screenshot] = process.argv.slice(2);
const expect = JSON.parse(readFileSync(expectFile, "utf8"));
const origin = new URL(base).origin;
mkdirSync(shots, { recursive: true });

async function pictures(url, prefix, mmsi) {
    const b = await chromium.launch({
        executablePath: process.env.DF_CHROMIUM || "/usr/bin/chromium", headless: true,
        args: ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader"],
    });
    const page = await (await b.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    const settle = async () => {
        await page.waitForSelector('#view[data-state="ready"]', { timeout: 30000 });
        await page.waitForFunction(() => !window.DARKFLEET_MAP || (window.DARKFLEET_MAP.loaded() && window.DARKFLEET_MAP.areTilesLoaded()), null, { timeout: 30000 });
        await page.waitForTimeout(1500);
    };
    await page.goto(url);
    await settle();
    await page.screenshot({ path: prefix + ".png" });
    const top = await page.$eval("#vessels tbody tr", (tr) => tr.dataset.mmsi);
    await page.goto(url.replace(/#.*$/, "") + "#/vessel/" + top);
    await settle();
    const ev = await page.$eval('#events tbody tr a[href^="#/event/"]', (a) => a.getAttribute("href"));
    if (mmsi) {
        await page.goto(url.replace(/#.*$/, "") + "#/vessel/" + mmsi);
        await settle();
    }
    await page.screenshot({ path: prefix + "-vessel.png", fullPage: false });
    await page.goto(url.replace(/#.*$/, "") + ev);
    await settle();
    await page.screenshot({ path: prefix + "-event.png", fullPage: false });
    await b.close();
}

let failed = 0, passed = 0;
function check(ok, what) {
    if (ok) { passed++; console.log(`ok - ${what}`); }
    else { failed++; console.log(`not ok - ${what}`); }
}

// ---- a PNG decoder (8-bit RGB/RGBA, no interlace: what Chromium writes) --
function decodePng(buf) {
    let pos = 8, w = 0, h = 0, type = 0;
    const idat = [];
    while (pos < buf.length) {
        const len = buf.readUInt32BE(pos), kind = buf.toString("ascii", pos + 4, pos + 8);
        const data = buf.subarray(pos + 8, pos + 8 + len);
        if (kind === "IHDR") { w = data.readUInt32BE(0); h = data.readUInt32BE(4); type = data[9]; }
        else if (kind === "IDAT") idat.push(data);
        pos += 12 + len;
    }
    const bpp = type === 6 ? 4 : 3, stride = w * bpp;
    const raw = inflateSync(Buffer.concat(idat)), out = Buffer.alloc(h * stride);
    for (let y = 0; y < h; y++) {
        const f = raw[y * (stride + 1)], line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
        for (let x = 0; x < stride; x++) {
            const a = x >= bpp ? out[y * stride + x - bpp] : 0;
            const b = y ? out[(y - 1) * stride + x] : 0;
            const c = x >= bpp && y ? out[(y - 1) * stride + x - bpp] : 0;
            let v = line[x];
            if (f === 1) v += a;
            else if (f === 2) v += b;
            else if (f === 3) v += (a + b) >> 1;
            else if (f === 4) {
                const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
                v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            }
            out[y * stride + x] = v & 255;
        }
    }
    return { w, h, bpp, data: out };
}
function countColors(png, colors, tol = 24) {
    const want = colors.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
    const n = want.map(() => 0);
    for (let i = 0; i < png.w * png.h; i++) {
        const r = png.data[i * png.bpp], g = png.data[i * png.bpp + 1], b = png.data[i * png.bpp + 2];
        want.forEach((c, k) => {
            if (Math.abs(r - c[0]) <= tol && Math.abs(g - c[1]) <= tol && Math.abs(b - c[2]) <= tol) n[k]++;
        });
    }
    return n;
}
const SEA = "#cfe2ef", LAND = "#ece8dc", TRACK = "#1f4e79", TRACK2 = "#e08214", CLUSTER = "#3d5a80";

// What the store holds for a filter, from the store itself (python3's
// sqlite3): placed events of these types, score at least s, overlapping
// [from, to].
function storeEvents({ types = null, minScore = 0, from = null, to = null } = {}) {
    const py = `
import json, sqlite3, sys
a = json.loads(sys.argv[2])
db = sqlite3.connect(sys.argv[1])
sql = "SELECT id FROM events WHERE lat IS NOT NULL AND score >= ?"
args = [a["minScore"]]
if a["types"] is not None:
    sql += " AND type IN (%s)" % ",".join("?" * len(a["types"]))
    args += a["types"]
if a["from"]:
    sql += " AND coalesce(end, start) >= ?"; args.append(a["from"])
if a["to"]:
    sql += " AND coalesce(start, end) <= ?"; args.append(a["to"])
print(json.dumps(sorted(i for (i,) in db.execute(sql, args))))`;
    return JSON.parse(execFileSync("python3", ["-c", py, dbPath,
        JSON.stringify({ types, minScore, from, to })]).toString());
}
function addEvent() {
    execFileSync("python3", ["-c", `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO events(type, vessel1, start, end, lat, lon, score, evidence)"
           " VALUES('zone_entry', 636000006, '2025-03-01T08:00:00.000Z',"
           " '2025-03-01T08:00:00.000Z', 35.1, 129.05, 0.95, '{\\"zone\\": \\"<b>live</b>\\"}')")
db.commit()`, dbPath]);
}

// ---- the browser ------------------------------------------------------------
const browser = await chromium.launch({
    executablePath: process.env.DF_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--enable-unsafe-swiftshader"],
});
const problems = [];
async function newPage() {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 950 }, serviceWorkers: "block" });
    await ctx.route("**/*", (route) => {
        const u = route.request().url();
        if (u.startsWith(origin + "/") || /^(data|blob):/.test(u)) return route.continue();
        problems.push(`request to ${u}`);
        return route.abort();
    });
    const page = await ctx.newPage();
    page.on("dialog", (d) => { problems.push(`dialog: ${d.type()} ${d.message()}`); d.dismiss().catch(() => {}); });
    page.on("console", (m) => { if (m.type() === "error") problems.push(`console error: ${m.text()}`); });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    return page;
}

async function ready(page) {
    await page.waitForSelector('#view[data-state="ready"]', { timeout: 30000 });
    await page.waitForSelector('#map[data-state="ready"]', { timeout: 30000 });
    const r = await page.getAttribute("#map", "data-renderer");
    if (r === "maplibre")
        await page.waitForFunction(() => window.DARKFLEET_MAP.loaded() && window.DARKFLEET_MAP.areTilesLoaded(), null, { timeout: 30000 });
    await page.waitForTimeout(400);
    return r;
}
// The events the home view holds (ids, sorted), once its last fetch is in.
async function shown(page) {
    await page.waitForFunction(() => document.querySelector("#map").dataset.pending === "0", null, { timeout: 10000 });
    await page.waitForTimeout(100);
    return page.evaluate(() => window.DARKFLEET_SERVE.view.events().filter((e) => e.lat !== null).map((e) => e.id).sort((a, b) => a - b));
}
// Events drawn by MapLibre: single markers plus the counts of clusters.
async function drawn(page) {
    return page.evaluate(() => window.DARKFLEET_MAP.queryRenderedFeatures({ layers: ["events", "clusters"] })
        .reduce((n, f) => n + (f.properties.point_count || 1), 0));
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
let added = 0;

async function run(mode) {
    const page = await newPage();
    const q = "?poll=300" + (mode === "canvas" ? "&map=canvas" : "");
    await page.goto(base + q + "#/");
    const renderer = await ready(page);
    check(mode === "canvas" ? renderer === "canvas" : true, `${mode}: renderer is ${renderer}`);

    // The ranked list, names as text.
    const rows = await page.$$eval("#vessels tbody tr", (trs) => trs.map((tr) => ({
        mmsi: tr.dataset.mmsi, name: tr.querySelector("td.name a").textContent,
    })));
    check(same(rows.map((r) => r.mmsi), expect.vessels.map((v) => String(v.mmsi))), `${mode}: vessels in rank order`);
    check(same(rows.map((r) => r.name), expect.vessels.map((v) => v.name || "(no name)")),
          `${mode}: hostile names shown as text: ${JSON.stringify(rows.map((r) => r.name))}`);
    const markup = () => page.evaluate(() => ({
        tags: document.querySelectorAll("img, b, svg[onload], iframe, object").length,
        scripts: document.scripts.length,
        js: [...document.querySelectorAll("a")].filter((a) => /^javascript:/i.test(a.getAttribute("href") || "")).length,
    }));
    let m = await markup();
    check(m.tags === 0 && m.scripts === 4 && m.js === 0, `${mode}: no markup from the data (${JSON.stringify(m)})`);

    // The map: every placed event.
    const all = storeEvents();
    check(same(await shown(page), all), `${mode}: every placed event fetched for the map (${all.length})`);
    if (renderer === "maplibre") {
        const n = await drawn(page);
        check(n === all.length, `${mode}: every event drawn, singly or in clusters (${n} of ${all.length})`);
        const land = await page.evaluate(() => window.DARKFLEET_MAP.queryRenderedFeatures({ layers: ["land"] }).length);
        check(land > 0, `${mode}: land drawn (${land} features)`);
    }
    const png = decodePng(await page.locator("#map").screenshot({ path: join(shots, `home-${mode}-map.png`) }));
    const [sea, land, cl] = countColors(png, [SEA, LAND, CLUSTER]);
    const marks = countColors(png, ["#d7191c", "#e66101", "#2b2b2b", "#1a9641", "#fdae61"]).reduce((a, b) => a + b, 0);
    check(sea > png.w * png.h * 0.05 && land > png.w * png.h * 0.02, `${mode}: sea (${sea}) and land (${land}) drawn`);
    check(cl + marks > 100, `${mode}: events drawn (${cl} cluster, ${marks} marker pixels)`);
    await page.screenshot({ path: join(shots, `home-${mode}.png`) });
    if (screenshot && mode === "maplibre") await page.screenshot({ path: screenshot });

    // Filters: a type, the score, the time slider; each against the store.
    await page.click('#filters input[value="encounter"]');
    const noEnc = storeEvents({ types: ["loitering", "gap", "zone_entry", "port_call", "identity_change", "invalid_identity"] });
    check(same(await shown(page), noEnc), `${mode}: unticking encounter: ${noEnc.length} events, none an encounter`);
    if (renderer === "maplibre") check(await drawn(page) === noEnc.length, `${mode}: ... and drawn`);
    await page.click('#filters input[value="encounter"]');
    await page.$eval("#minscore", (el) => { el.value = "0.65"; el.dispatchEvent(new Event("input")); });
    const high = storeEvents({ minScore: 0.65 });
    check(same(await shown(page), high), `${mode}: score at least 0.65: ${high.length} events`);
    await page.$eval("#minscore", (el) => { el.value = "0"; el.dispatchEvent(new Event("input")); });
    await page.$eval("#to", (el) => { el.value = "12"; el.dispatchEvent(new Event("input")); });
    const early = storeEvents({ to: "2025-03-01T12:00:00.000Z" });
    const out = await page.textContent(".time-out");
    check(same(await shown(page), early) && early.length > 0, `${mode}: time slider to ${out}: ${early.length} events`);
    await page.$eval("#to", (el) => { el.value = el.max; el.dispatchEvent(new Event("input")); });
    check(same(await shown(page), storeEvents()), `${mode}: time slider back: every event`);

    // Search.
    await page.fill("#q", "onerror");
    await page.waitForFunction(() => document.querySelectorAll("#vessels tbody tr").length === 1, null, { timeout: 5000 }).catch(() => {});
    let found = await page.$$eval("#vessels tbody tr", (trs) => trs.map((tr) => tr.dataset.mmsi));
    check(same(found, ["211000001"]), `${mode}: search "onerror" finds 211000001 (${found})`);
    await page.fill("#q", "ΑΘΗΝΑ");
    await page.waitForFunction(() => document.querySelector("#vessels tbody tr") && document.querySelector("#vessels tbody tr").dataset.mmsi === "412000004", null, { timeout: 5000 }).catch(() => {});
    found = await page.$$eval("#vessels tbody tr", (trs) => trs.map((tr) => tr.dataset.mmsi));
    check(same(found, ["412000004"]), `${mode}: search "ΑΘΗΝΑ" finds 412000004 (${found})`);
    await page.fill("#q", "");
    await page.waitForFunction((n) => document.querySelectorAll("#vessels tbody tr").length === n, expect.vessels.length, { timeout: 5000 });

    // A vessel's page.
    const top = expect.vessels[0];
    await page.click(`#vessels tbody tr[data-mmsi="${top.mmsi}"] td.name a`);
    await ready(page);
    check(page.url().endsWith(`#/vessel/${top.mmsi}`), `${mode}: the vessel's link opens #/vessel/${top.mmsi}`);
    const v = await page.evaluate(() => ({
        title: document.getElementById("title").textContent,
        lanes: [...document.querySelectorAll("#identity-timeline .id-label")].map((t) => t.firstChild.textContent),
        bars: document.querySelectorAll("#identity-timeline rect.id-bar").length,
        ids: [...document.querySelectorAll("#identities tbody td.name")].map((td) => td.textContent),
        events: document.querySelectorAll("#events tbody tr").length,
        tl: document.querySelectorAll("#timeline rect.tl-event").length,
    }));
    check(v.title.startsWith(top.name), `${mode}: the title is the name as text: ${JSON.stringify(v.title)}`);
    check(v.lanes.length === 2 && v.lanes[0].startsWith("OCEAN STAR") && v.lanes[1].startsWith(top.name) && v.bars === 2,
          `${mode}: the identity timeline: ${JSON.stringify(v.lanes)}`);
    check(same(v.ids, top.identities), `${mode}: identities table ${JSON.stringify(v.ids)}`);
    check(v.events === top.events && v.tl === top.events, `${mode}: ${v.events} events in the table, ${v.tl} on the timeline`);
    if (renderer === "maplibre") {
        const t = await page.evaluate(() => window.DARKFLEET_MAP.queryRenderedFeatures({ layers: ["track"] }).length);
        check(t > 0, `${mode}: the track layer drew (${t})`);
    }
    const vpng = decodePng(await page.locator("#map").screenshot({ path: join(shots, `vessel-${mode}-map.png`) }));
    const [vt] = countColors(vpng, [TRACK], 16);
    check(vt > 200, `${mode}: the track is on the map (${vt} pixels)`);
    m = await markup();
    check(m.tags === 0 && m.js === 0, `${mode}: no markup from the data on the vessel page`);
    await page.screenshot({ path: join(shots, `vessel-${mode}.png`), fullPage: true });

    // An event's page, from the vessel's events.
    const encId = await page.$$eval("#events tbody tr", (trs) => trs.find((tr) => tr.textContent.includes("encounter")).dataset.event);
    await page.click(`#events tbody tr[data-event="${encId}"] a[href^="#/event/"]`);
    await ready(page);
    const ev = await page.evaluate(() => ({
        cards: [...document.querySelectorAll(".card h3 a")].map((a) => a.textContent),
        evidence: [...document.querySelectorAll("#evidence td")].map((td) => td.textContent),
    }));
    check(same(ev.cards, [top.name, expect.vessels[1].name]), `${mode}: the event's vessels as text: ${JSON.stringify(ev.cards)}`);
    check(ev.evidence.includes("<img src=x onerror=alert(5)>"), `${mode}: the evidence as text`);
    const epng = decodePng(await page.locator("#map").screenshot({ path: join(shots, `event-${mode}-map.png`) }));
    const [t1, t2] = countColors(epng, [TRACK, TRACK2], 16);
    check(t1 > 20 && t2 > 20, `${mode}: both tracks drawn in their colours (${t1}, ${t2} pixels)`);
    m = await markup();
    check(m.tags === 0 && m.js === 0, `${mode}: no markup from the data on the event page`);
    await page.screenshot({ path: join(shots, `event-${mode}.png`), fullPage: true });

    // Live: a commit by another process shows up without a reload.
    if (mode === "maplibre") {
        await page.goto(base + q + "#/");
        await ready(page);
        const before = (await shown(page)).length;
        addEvent();
        added++;
        await page.waitForFunction((n) => window.DARKFLEET_SERVE.view.events().filter((e) => e.lat !== null).length === n,
            before + 1, { timeout: 10000 }).catch(() => {});
        const after = await shown(page);
        check(after.length === before + 1 && same(after, storeEvents()), `${mode}: live: a committed event appears (${before} -> ${after.length})`);
        const liveText = await page.textContent("#live");
        check(liveText.includes(`${expect.events + added} events`), `${mode}: live: the header counts it: ${JSON.stringify(liveText)}`);
    }
    await page.context().close();
}

try {
    await run("maplibre");
    await run("canvas");
} catch (e) {
    check(false, `browser run: ${e && e.stack || e}`);
} finally {
    await browser.close();
}
check(problems.length === 0, `no dialogs, console errors or requests elsewhere${problems.length ? ": " + problems.join(" | ") : ""}`);
console.log(`# browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
