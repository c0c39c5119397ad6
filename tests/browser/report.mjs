// report.mjs - the static report in a real browser: Debian's chromium,
// headless, driven by playwright-core, from file:// with every other
// request refused.  Run by tests/cli/report.sh:
//
//   node tests/browser/report.mjs REPORT_DIR EXPECT_JSON SHOTS_DIR
//
// Asserts, on the MapLibre map and again on the canvas fallback
// (?map=canvas):
//  - no dialog ever opens (the fixture's names and evidence hold alert()
//    payloads), no console error or page error, no request but file://
//    (data: and blob: for the map's worker and images);
//  - index.html: the map drew (the land layer has features and the
//    screenshot of the map has land-coloured and event-coloured pixels as
//    well as sea), every event is on it, the type filters hide events, the
//    ranked list has the expected rows in order with the hostile names as
//    text, the vessel without a page has no link, a click on an event opens
//    a popup with the vessel's name as text;
//  - a click on the top vessel opens v/<mmsi>.html: the track drew (track
//    pixels in the screenshot), the identity table lists every name in
//    order, the timeline has a bar per event.
// Screenshots go to SHOTS_DIR/*.png.  Prints "ok ..." / "not ok ..." lines
// and exits 1 on any failure.
import { createRequire } from "node:module";
import { readFileSync, mkdirSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { inflateSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "..", "..", "package.json"));
const { chromium } = require("playwright-core");

const [reportDir, expectFile, shots] = process.argv.slice(2);
const expect = JSON.parse(readFileSync(expectFile, "utf8"));
mkdirSync(shots, { recursive: true });

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
// Pixels within tol of each colour (hex), of a decoded PNG.
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
const SEA = "#cfe2ef", LAND = "#ece8dc", TRACK = "#1f4e79", ENCOUNTER = "#d7191c";

// ---- the browser ------------------------------------------------------------
const browser = await chromium.launch({
    executablePath: process.env.DF_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--enable-unsafe-swiftshader"],
    // launch() starts Chromium with a fresh, empty profile of its own.
});
const problems = [];
async function newPage() {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, serviceWorkers: "block" });
    await ctx.route("**/*", (route) => {
        const u = route.request().url();
        if (/^(file|data|blob):/.test(u)) return route.continue();
        problems.push(`request to ${u}`);
        return route.abort();
    });
    const page = await ctx.newPage();
    page.on("dialog", (d) => { problems.push(`dialog: ${d.type()} ${d.message()}`); d.dismiss().catch(() => {}); });
    page.on("console", (m) => { if (m.type() === "error") problems.push(`console error: ${m.text()}`); });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("request", (r) => { if (!/^(file|data|blob):/.test(r.url())) problems.push(`request: ${r.url()}`); });
    return page;
}

const indexUrl = pathToFileURL(resolve(reportDir, "index.html")).href;
const top = expect.vessels[0];

async function mapShot(page, file) {
    const buf = await page.locator("#map").screenshot({ path: join(shots, file) });
    return decodePng(buf);
}

async function runIndex(mode) {
    const page = await newPage();
    const url = indexUrl + (mode === "canvas" ? "?map=canvas" : "");
    await page.goto(url);
    await page.waitForSelector('#map[data-state="ready"]', { timeout: 30000 });
    const renderer = await page.getAttribute("#map", "data-renderer");
    check(mode === "canvas" ? renderer === "canvas" : true, `${mode}: renderer is ${renderer}`);
    if (renderer === "maplibre") {
        await page.waitForFunction(() => window.DARKFLEET_MAP.loaded() && window.DARKFLEET_MAP.areTilesLoaded(), null, { timeout: 30000 });
        const land = await page.evaluate(() => window.DARKFLEET_MAP.queryRenderedFeatures({ layers: ["land"] }).length);
        check(land > 0, `${mode}: the land layer has rendered features (${land})`);
        const evs = await page.evaluate(() => window.DARKFLEET_MAP.queryRenderedFeatures({ layers: ["events"] }).length);
        check(evs === expect.events_drawn, `${mode}: every event with a position is on the map (${evs} of ${expect.events_drawn})`);
    }
    const summary = await page.textContent("#summary");
    const said = `${expect.events} events: ${expect.events_drawn} drawn on the map, ` +
        `${expect.events - expect.events_drawn} without a position.`;
    check(summary.endsWith(said), `${mode}: the header counts the events: ${JSON.stringify(summary)}`);
    const png = await mapShot(page, `index-${mode}-map.png`);
    const [sea, land, enc] = countColors(png, [SEA, LAND, ENCOUNTER]);
    const total = png.w * png.h;
    check(sea > total * 0.05 && land > total * 0.02, `${mode}: the map drew sea (${sea}) and land (${land}) of ${total} pixels`);
    check(enc > 20, `${mode}: encounter markers drawn (${enc} pixels)`);
    await page.screenshot({ path: join(shots, `index-${mode}.png`), fullPage: false });

    // The ranked list.
    const rows = await page.$$eval("#vessels tbody tr", (trs) => trs.map((tr) => ({
        mmsi: tr.dataset.mmsi,
        name: tr.querySelector("td.name").firstChild.textContent,
        link: !!tr.querySelector("td.name a"),
        reasons: tr.querySelectorAll("td.reasons li").length,
    })));
    check(rows.length === expect.vessels.length, `${mode}: ${rows.length} rows listed`);
    check(rows.map((r) => r.mmsi).join() === expect.vessels.map((v) => String(v.mmsi)).join(),
          `${mode}: rows in rank order`);
    expect.vessels.forEach((v, i) => {
        const r = rows[i] || {};
        check(r.name === (v.name || "(no name)"), `${mode}: row ${i + 1} shows the name as text: ${JSON.stringify(r.name)}`);
    });
    check(rows.length && rows[rows.length - 1].link === false && rows[0].link === true,
          `${mode}: vessels past --top are listed without a page`);
    const injected = await page.evaluate(() => ({
        imgs: document.querySelectorAll("img, svg[onload], b").length,
        scripts: document.scripts.length,
        js: [...document.querySelectorAll("a")].filter((a) => /^javascript:/i.test(a.getAttribute("href") || "")).length,
    }));
    check(injected.imgs === 0 && injected.scripts === 5 && injected.js === 0,
          `${mode}: no markup from the data in the page (${JSON.stringify(injected)})`);

    // Filters: unticking encounter hides the encounters.
    if (renderer === "maplibre") {
        await page.click('#filters input[value="encounter"]');
        await page.waitForTimeout(300);
        const after = await page.evaluate(() => window.DARKFLEET_MAP.queryRenderedFeatures({ layers: ["events"] })
            .filter((f) => f.properties.type === "encounter").length);
        check(after === 0, `${mode}: the encounter filter hides encounters (${after} left)`);
        await page.click('#filters input[value="encounter"]');
        await page.waitForTimeout(300);
    } else {
        await page.click('#filters input[value="encounter"]');
        const png2 = decodePng(await page.locator("#map").screenshot());
        check(countColors(png2, [ENCOUNTER])[0] < enc / 4, `${mode}: the encounter filter hides encounters`);
        await page.click('#filters input[value="encounter"]');
    }

    // A click on the first event (the encounter of the top vessel) opens a popup.
    const ev = await page.evaluate(() => window.DARKFLEET.events.find((e) => e.type === "encounter"));
    let pt;
    if (renderer === "maplibre") {
        pt = await page.evaluate(([lon, lat]) => window.DARKFLEET_MAP.project([lon, lat]), [ev.lon, ev.lat]);
        await page.waitForTimeout(200);
    } else {
        // the canvas map's projection is internal: find the marker's pixels
        const png3 = decodePng(await page.locator("#map").screenshot());
        const c = [0xd7, 0x19, 0x1c];
        let sx = 0, sy = 0, n = 0;
        for (let y = 0; y < png3.h; y++) for (let x = 0; x < png3.w; x++) {
            const i = (y * png3.w + x) * png3.bpp;
            if (Math.abs(png3.data[i] - c[0]) < 20 && Math.abs(png3.data[i + 1] - c[1]) < 20 && Math.abs(png3.data[i + 2] - c[2]) < 20) { sx += x; sy += y; n++; }
        }
        pt = n ? { x: sx / n, y: sy / n } : { x: 0, y: 0 };
        // two encounters: take the marker pixel nearest the mean
        if (n) {
            let best = null, bd = Infinity;
            for (let y = 0; y < png3.h; y++) for (let x = 0; x < png3.w; x++) {
                const i = (y * png3.w + x) * png3.bpp;
                if (Math.abs(png3.data[i] - c[0]) < 20 && Math.abs(png3.data[i + 1] - c[1]) < 20 && Math.abs(png3.data[i + 2] - c[2]) < 20) {
                    const d = (x - pt.x) ** 2 + (y - pt.y) ** 2;
                    if (d < bd) { bd = d; best = { x, y }; }
                }
            }
            pt = best;
        }
    }
    await page.locator("#map canvas").first().click({ position: { x: pt.x, y: pt.y } });
    const popup = mode === "canvas" ? ".canvas-popup" : ".maplibregl-popup";
    await page.waitForSelector(popup, { state: "visible", timeout: 5000 }).catch(() => {});
    const text = await page.$eval(popup, (p) => p.textContent).catch(() => "");
    check(text.includes("encounter") && text.includes(top.name), `${mode}: a click on an encounter opens its popup, names as text: ${JSON.stringify(text.slice(0, 120))}`);
    await page.screenshot({ path: join(shots, `index-${mode}-popup.png`) });

    // The top vessel's page.
    await Promise.all([page.waitForNavigation(), page.click(`#vessels tbody tr[data-mmsi="${top.mmsi}"] td.name a`)]);
    check(page.url().endsWith(`/v/${top.mmsi}.html`) || page.url().includes(`/v/${top.mmsi}.html?`),
          `${mode}: the top vessel's link opens v/${top.mmsi}.html`);
    if (mode === "canvas") {
        await page.goto(page.url() + "?map=canvas");
    }
    await page.waitForSelector('#map[data-state="ready"]', { timeout: 30000 });
    const vr = await page.getAttribute("#map", "data-renderer");
    if (vr === "maplibre") {
        await page.waitForFunction(() => window.DARKFLEET_MAP.loaded() && window.DARKFLEET_MAP.areTilesLoaded(), null, { timeout: 30000 });
        const tr = await page.evaluate(() => window.DARKFLEET_MAP.queryRenderedFeatures({ layers: ["track"] }).length);
        check(tr > 0, `${mode}: the track layer drew (${tr} features)`);
    }
    const vpng = await mapShot(page, `vessel-${mode}-map.png`);
    const [vtrack, vland, vsea] = countColors(vpng, [TRACK, LAND, SEA], 16);
    check(vtrack > 200, `${mode}: the track is on the vessel map (${vtrack} pixels)`);
    check(vland > 1000 && vsea > 1000, `${mode}: land (${vland} pixels) and sea (${vsea}) under the vessel map`);
    const page2 = await page.evaluate(() => ({
        title: document.getElementById("title").textContent,
        ids: [...document.querySelectorAll("#identities tbody tr td.name")].map((td) => td.textContent),
        tl: document.querySelectorAll("#timeline svg rect.tl-event").length,
        cover: document.querySelectorAll("#timeline svg rect.coverage").length,
        events: document.querySelectorAll("#events tbody tr").length,
        markup: document.querySelectorAll("img, b, svg[onload]").length,
    }));
    check(page2.title.startsWith(top.name), `${mode}: the vessel page's title is the name as text: ${JSON.stringify(page2.title)}`);
    check(JSON.stringify(page2.ids) === JSON.stringify(top.identities), `${mode}: identity history ${JSON.stringify(page2.ids)}`);
    check(page2.tl === top.events && page2.events === top.events, `${mode}: ${page2.tl} events on the timeline, ${page2.events} in the table (${top.events} expected)`);
    check(page2.cover >= 1, `${mode}: AIS coverage drawn on the timeline (${page2.cover} runs)`);
    check(page2.markup === 0, `${mode}: no markup from the data on the vessel page`);
    await page.screenshot({ path: join(shots, `vessel-${mode}.png`), fullPage: true });
    await page.context().close();
    return renderer;
}

try {
    const r = await runIndex("maplibre");
    if (r !== "maplibre") console.log("# no WebGL here: the default page used the canvas map");
    await runIndex("canvas");
} catch (e) {
    check(false, `browser run: ${e && e.stack || e}`);
} finally {
    await browser.close();
}
check(problems.length === 0, `no dialogs, console errors or network requests${problems.length ? ": " + problems.join(" | ") : ""}`);
console.log(`# browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
