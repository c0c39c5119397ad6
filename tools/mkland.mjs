// mkland.mjs - turns Natural Earth land (npm world-atlas, TopoJSON) into a
// C source file with the land polygons and a grid index, for src/land.c.
//
// Usage: node tools/mkland.mjs [--scale 50m|10m] [--cells N] [--out FILE]
//                              [--modules DIR]
//
// Source: world-atlas@2.0.2 land-50m.json / land-10m.json (Natural Earth,
// public domain), converted to GeoJSON polygons by topojson-client@3.1.0's
// feature().  Output (struct df_land, declared in src/land.h):
//  - pts: every ring as int32 lon,lat pairs in AIS wire units (degrees *
//    600000, i.e. 1/10000 minute), each ring closed (last = first), so
//    edge i runs from point i to point i+1 within a ring;
//  - rings: where each ring starts in pts (nrings + 1 offsets);
//  - a grid of N x N cells per degree: cell_start/cell_edges list the edges
//    that pass through each cell; cell_flag bit 0 says whether the cell's
//    reference point (its centre plus half a unit each way, so it is never
//    on a vertex or on a horizontal line through one) is on land, bit 1
//    whether any edge passes through the cell.  A cell without edges is all
//    land or all sea;
//  - df_land_default(), returning this land (src/fallback/land_none.c
//    returns NULL in a build without node or world-atlas).
// The reference flags are computed by ray casting each row's reference
// line against every edge; src/land.c walks from the reference point to a
// query point and counts the crossings of the cell's edges.
import { createRequire } from "node:module";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const opts = { scale: "10m", cells: 2, out: null,
               modules: join(here, "..", "node_modules") };
for (let i = 2; i < process.argv.length; i++) {
    const a = process.argv[i], v = process.argv[i + 1];
    if (a === "--scale") opts.scale = v, i++;
    else if (a === "--cells") opts.cells = parseInt(v, 10), i++;
    else if (a === "--out") opts.out = v, i++;
    else if (a === "--modules") opts.modules = v, i++;
    else {
        console.error(`mkland: unknown argument ${a}`);
        process.exit(2);
    }
}
if (!["50m", "10m", "110m"].includes(opts.scale) ||
    !(opts.cells >= 1 && opts.cells <= 8 && 600000 % (2 * opts.cells) === 0)) {
    console.error("mkland: --scale 110m|50m|10m, --cells 1..8");
    process.exit(2);
}

const require = createRequire(join(resolve(opts.modules), "noop.js"));
const topojson = require("topojson-client");
const atlasPkg = JSON.parse(readFileSync(
    join(opts.modules, "world-atlas", "package.json"), "utf8"));
const topo = JSON.parse(readFileSync(
    join(opts.modules, "world-atlas", `land-${opts.scale}.json`), "utf8"));
const land = topojson.feature(topo, topo.objects.land);

const U = 600000;                 // wire units per degree
const CU = U / opts.cells;        // wire units per cell
const NCOL = 360 * opts.cells, NROW = 180 * opts.cells;
const XMIN = -180 * U, YMIN = -90 * U;

// ---- rings -------------------------------------------------------------
const pts = [];                   // flat lon, lat
const ringStart = [];
let wrapped = 0;
const polys = [];
for (const f of land.features) {
    const g = f.geometry;
    if (!g) continue;
    if (g.type === "Polygon") polys.push(g.coordinates);
    else if (g.type === "MultiPolygon") polys.push(...g.coordinates);
}
// world-atlas joins shapes across the antimeridian (Wrangel Island,
// Chukotka, Fiji) and draws Antarctica as a ring around the South Pole.
// Each ring is unwrapped (longitudes made continuous), a ring around a pole
// is closed along the pole, and the result is clipped (Sutherland-Hodgman)
// into the windows [-180, 180] + 360k, each shifted back by -360k.  The
// cut edges on x = +-180 separate land from land: they stay out of the
// cell lists (not coastline), as do edges along a pole, but count for the reference ray casting.
function clipX(ring, x0, keepAbove) {
    const out = [];
    const inside = (p) => keepAbove ? p[0] >= x0 : p[0] <= x0;
    for (let i = 0; i < ring.length; i++) {
        const p = ring[i], q = ring[(i + 1) % ring.length];
        const pin = inside(p), qin = inside(q);
        if (pin) out.push(p);
        if (pin !== qin)
            out.push([x0, p[1] + (x0 - p[0]) * (q[1] - p[1]) / (q[0] - p[0])]);
    }
    return out;
}
function splitRing(ring) {
    // Open ring (no closing point), unwrapped.
    const r = ring.slice(0, ring.length - 1).map((p) => [p[0], p[1]]);
    if (r.length < 3 || r.every((p) => Math.abs(p[1]) >= 89.99)) return [];
    for (let i = 1; i < r.length; i++) {
        let d = r[i][0] - r[i - 1][0];
        if (d > 180) d -= 360;
        else if (d < -180) d += 360;
        r[i][0] = r[i - 1][0] + d;
    }
    let d = r[0][0] - r[r.length - 1][0];
    if (d > 180) d -= 360;
    else if (d < -180) d += 360;
    const net = r[r.length - 1][0] + d - r[0][0];
    if (Math.abs(net) > 180) {          // around a pole: close along it
        const mean = r.reduce((s, p) => s + p[1], 0) / r.length;
        const pole = mean < 0 ? -90 : 90;
        const end = r[r.length - 1][0] + d;
        r.push([end, r[r.length - 1][1]], [end, pole], [r[0][0], pole]);
    }
    const xs = r.map((p) => p[0]);
    const lo = Math.min(...xs), hi = Math.max(...xs);
    const out = [];
    for (let k = Math.floor((lo + 180) / 360); k <= Math.ceil((hi - 180) / 360);
         k++) {
        let c = clipX(r, -180 + 360 * k, true);
        if (c.length) c = clipX(c, 180 + 360 * k, false);
        if (c.length >= 3) out.push(c.map((p) => [p[0] - 360 * k, p[1]]));
    }
    return out;
}
const clampLon = (x) => Math.max(-180 * U, Math.min(180 * U, x));
const clampLat = (y) => Math.max(-90 * U, Math.min(90 * U, y));
for (const poly of polys) {
    for (const piece of poly.flatMap(splitRing)) {
        const r = [];
        for (const [lon, lat] of piece) {
            const x = clampLon(Math.round(lon * U));
            const y = clampLat(Math.round(lat * U));
            const n = r.length;
            if (n && r[n - 2] === x && r[n - 1] === y) continue;
            r.push(x, y);
        }
        if (r[0] !== r[r.length - 2] || r[1] !== r[r.length - 1])
            r.push(r[0], r[1]);
        if (r.length < 8) continue;          // fewer than 3 distinct + close
        for (let i = 0; i + 3 < r.length; i += 2)
            if (Math.abs(r[i + 2] - r[i]) > 180 * U &&
                !(Math.abs(r[i + 1]) === 90 * U && r[i + 3] === r[i + 1]))
                wrapped++;
        ringStart.push(pts.length / 2);
        for (const v of r) pts.push(v);
    }
}
ringStart.push(pts.length / 2);
if (wrapped) {
    console.error(`mkland: ${wrapped} edges cross the antimeridian`);
    process.exit(1);
}
const nrings = ringStart.length - 1;

// Edge ids are the index of their first point; list every edge.
const edges = [];
for (let r = 0; r < nrings; r++)
    for (let i = ringStart[r]; i < ringStart[r + 1] - 1; i++) edges.push(i);

// ---- cells each edge passes through (Liang-Barsky clipping) -------------
function segHitsBox(ax, ay, bx, by, x0, y0, x1, y1) {
    let t0 = 0, t1 = 1;
    const dx = bx - ax, dy = by - ay;
    const p = [-dx, dx, -dy, dy];
    const q = [ax - x0, x1 - ax, ay - y0, y1 - ay];
    for (let k = 0; k < 4; k++) {
        if (p[k] === 0) {
            if (q[k] < 0) return false;
        } else {
            const t = q[k] / p[k];
            if (p[k] < 0) { if (t > t1) return false; if (t > t0) t0 = t; }
            else { if (t < t0) return false; if (t < t1) t1 = t; }
        }
    }
    return true;
}
const col = (x) => Math.min(NCOL - 1, Math.max(0, Math.floor((x - XMIN) / CU)));
const row = (y) => Math.min(NROW - 1, Math.max(0, Math.floor((y - YMIN) / CU)));
const lists = new Array(NCOL * NROW);
const E180 = 180 * U;
const isCut = (e) =>
    (Math.abs(pts[2 * e]) === E180 && pts[2 * e + 2] === pts[2 * e]) ||
    (Math.abs(pts[2 * e + 1]) === 90 * U && pts[2 * e + 3] === pts[2 * e + 1]);
let ncut = 0;
for (const e of edges) {
    const ax = pts[2 * e], ay = pts[2 * e + 1];
    const bx = pts[2 * e + 2], by = pts[2 * e + 3];
    if (isCut(e)) { ncut++; continue; }
    const c0 = col(Math.min(ax, bx)), c1 = col(Math.max(ax, bx));
    const r0 = row(Math.min(ay, by)), r1 = row(Math.max(ay, by));
    for (let r = r0; r <= r1; r++)
        for (let c = c0; c <= c1; c++) {
            const x0 = XMIN + c * CU, y0 = YMIN + r * CU;
            // Closed boxes: an edge on a cell border is in both cells.
            if ((c0 === c1 && r0 === r1) ||
                segHitsBox(ax, ay, bx, by, x0, y0, x0 + CU, y0 + CU)) {
                const k = r * NCOL + c;
                (lists[k] ||= []).push(e);
            }
        }
}

// ---- reference points: ray casting one row at a time --------------------
const flag = new Uint8Array(NCOL * NROW);
const byRow = Array.from({ length: NROW }, () => []);
for (const e of edges) {
    const ay = pts[2 * e + 1], by = pts[2 * e + 3];
    if (ay === by) continue;
    const r0 = row(Math.min(ay, by)), r1 = row(Math.max(ay, by));
    for (let r = r0; r <= r1; r++) byRow[r].push(e);
}
for (let r = 0; r < NROW; r++) {
    const yr = YMIN + r * CU + CU / 2 + 0.5;
    const xs = [];
    for (const e of byRow[r]) {
        const ax = pts[2 * e], ay = pts[2 * e + 1];
        const bx = pts[2 * e + 2], by = pts[2 * e + 3];
        if ((ay > yr) === (by > yr)) continue;
        xs.push(ax + (yr - ay) * (bx - ax) / (by - ay));
    }
    xs.sort((a, b) => a - b);
    let j = 0;
    for (let c = 0; c < NCOL; c++) {
        const xr = XMIN + c * CU + CU / 2 + 0.5;
        while (j < xs.length && xs[j] < xr) j++;
        const k = r * NCOL + c;
        flag[k] = ((xs.length - j) & 1) | (lists[k] ? 2 : 0);
    }
}

// ---- output ------------------------------------------------------------
let nlist = 0, maxList = 0, mixed = 0, landCells = 0;
const cellStart = new Uint32Array(NCOL * NROW + 1);
for (let k = 0; k < NCOL * NROW; k++) {
    cellStart[k] = nlist;
    const n = lists[k] ? lists[k].length : 0;
    nlist += n;
    if (n > maxList) maxList = n;
    if (n) mixed++;
    else if (flag[k] & 1) landCells++;
}
cellStart[NCOL * NROW] = nlist;

function arr(type, name, values) {
    const out = [`static const ${type} ${name}[${values.length}] = {\n`];
    let line = "";
    for (let i = 0; i < values.length; i++) {
        const s = `${values[i]},`;
        if (line.length + s.length > 78) { out.push(line, "\n"); line = ""; }
        line += s;
    }
    if (line) out.push(line, "\n");
    out.push("};\n\n");
    return out.join("");
}
const cellList = new Uint32Array(nlist);
{
    let n = 0;
    for (let k = 0; k < NCOL * NROW; k++)
        if (lists[k]) for (const e of lists[k]) cellList[n++] = e;
}
const source = `Natural Earth 1:${opts.scale.replace("m", "")} million land ` +
    `(world-atlas ${atlasPkg.version})`;
const text = [
    "/* Generated by tools/mkland.mjs: do not edit.\n",
    ` * ${source}, public domain;\n`,
    ` * ${nrings} rings, ${pts.length / 2} points, ${edges.length} edges, ` +
    `${opts.cells} cell(s) per degree,\n`,
    ` * ${mixed} cells with coastline, ${landCells} all land, ` +
    `longest cell list ${maxList}. */\n`,
    "#include \"land.h\"\n\n",
    arr("int32_t", "pts", pts),
    arr("uint32_t", "rings", ringStart),
    arr("uint32_t", "cell_start", Array.from(cellStart)),
    arr("uint32_t", "cell_edges", Array.from(cellList)),
    arr("uint8_t", "cell_flag", Array.from(flag)),
    "const struct df_land df__land_builtin = {\n",
    `    "${source}",\n`,
    `    ${opts.cells}, ${NCOL}, ${NROW},\n`,
    `    ${pts.length / 2}, ${nrings}, ${edges.length},\n`,
    "    pts, rings, cell_start, cell_edges, cell_flag\n",
    "};\n\n",
    "const struct df_land *df_land_default(void)\n{\n",
    "    return &df__land_builtin;\n}\n",
].join("");
if (opts.out) {
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, text);
} else {
    process.stdout.write(text);
}
console.error(`mkland: ${source}: ${nrings} rings, ${pts.length / 2} points, ` +
    `${ncut} cut edges, ${mixed} coastal cells (max ${maxList} edges), ` +
    `${text.length} bytes`);
