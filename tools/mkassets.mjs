// mkassets.mjs - builds the static report's files into the library: writes
// a C source with each file as a byte array and a name table
// (struct df__report_asset, src/report_assets.h) for src/report.c.
//
// Usage: node tools/mkassets.mjs [--web DIR] [--modules DIR] [--out FILE]
//                                [--scale 50m|110m|10m] [--deps FILE]
//
// Files (names as written into a report, or served by darkfleet serve):
//   index.html, vessel.html (the vessel page template, "@MMSI@" for its
//   number), assets/common.js (what both share), assets/app.js,
//   assets/style.css                               from web/, the report's
//   serve.html, assets/serve.js                    from web/, the
//                                                  workspace's (serve)
//   assets/maplibre-gl.js, assets/maplibre-gl.css  maplibre-gl@5 dist: the
//                                                  UMD build, which runs
//                                                  from file:// (6.x is
//                                                  ESM-only and does not)
//   assets/LICENSE-maplibre.txt                    its BSD-3-Clause licence
//   assets/land.js                                 window.DARKFLEET_LAND:
//                                                  world-atlas land-50m
//                                                  (Natural Earth, public
//                                                  domain) as GeoJSON, made
//                                                  by topojson-client
// Without a package in node_modules its files are written as stubs (an
// empty script, window.DARKFLEET_LAND = null) and the pages draw a plain
// canvas map instead: the report still works offline.
//
// The land is made ready for a flat map: each ring is unwrapped (longitudes
// made continuous where world-atlas joins shapes across the antimeridian),
// a ring around a pole (Antarctica) is closed along the pole, and a polygon
// reaching past +-180 is drawn again shifted by 360 degrees.  Coordinates
// are rounded to 3 decimals (about 100 m): the map is for orientation, the
// detectors use their own land (tools/mkland.mjs).
//
// --deps FILE writes the inputs read, one per line, for the build system.
import { createRequire } from "node:module";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const opts = {
    web: join(here, "..", "web"),
    modules: join(here, "..", "node_modules"),
    out: null,
    scale: "50m",
    deps: null,
};
for (let i = 2; i < process.argv.length; i++) {
    const a = process.argv[i], v = process.argv[i + 1];
    if (a === "--web") opts.web = v, i++;
    else if (a === "--modules") opts.modules = v, i++;
    else if (a === "--out") opts.out = v, i++;
    else if (a === "--scale") opts.scale = v, i++;
    else if (a === "--deps") opts.deps = v, i++;
    else {
        console.error(`mkassets: unknown argument ${a}`);
        process.exit(2);
    }
}
if (!opts.out || !["110m", "50m", "10m"].includes(opts.scale)) {
    console.error("usage: node tools/mkassets.mjs --out FILE " +
                  "[--web DIR] [--modules DIR] [--scale 110m|50m|10m]");
    process.exit(2);
}

const deps = [];
function read(path) {
    deps.push(resolve(path));
    return readFileSync(path);
}

const assets = new Map();   // name -> Buffer
const notes = [];

// ---- web/ --------------------------------------------------------------
for (const [name, file] of [["index.html", "index.html"],
                            ["vessel.html", "vessel.html"],
                            ["serve.html", "serve.html"],
                            ["assets/common.js", "common.js"],
                            ["assets/app.js", "app.js"],
                            ["assets/serve.js", "serve.js"],
                            ["assets/style.css", "style.css"]])
    assets.set(name, read(join(opts.web, file)));

// ---- MapLibre GL ---------------------------------------------------------
const ml = join(opts.modules, "maplibre-gl");
if (existsSync(join(ml, "dist", "maplibre-gl.js"))) {
    const pkg = JSON.parse(read(join(ml, "package.json")));
    if (!/^5\./.test(pkg.version))
        console.error(`mkassets: warning: maplibre-gl ${pkg.version}, ` +
                      "not 5.x: 6.x is ESM-only and will not load from file://");
    assets.set("assets/maplibre-gl.js", read(join(ml, "dist", "maplibre-gl.js")));
    assets.set("assets/maplibre-gl.css", read(join(ml, "dist", "maplibre-gl.css")));
    const lic = ["LICENSE.txt", "LICENSE"].map((f) => join(ml, f))
        .find((f) => existsSync(f));
    if (lic)
        assets.set("assets/LICENSE-maplibre.txt", read(lic));
    notes.push(`maplibre-gl ${pkg.version}`);
} else {
    assets.set("assets/maplibre-gl.js",
               Buffer.from("/* MapLibre GL was not in this build: the " +
                           "report draws a canvas map. */\n"));
    assets.set("assets/maplibre-gl.css", Buffer.from(""));
    notes.push("no maplibre-gl");
}

// ---- land -------------------------------------------------------------------
function ringMeanLon(r) {
    let s = 0;
    for (const p of r) s += p[0];
    return s / r.length;
}
// Longitudes made continuous; a ring around a pole closed along it.
function unwrap(ring) {
    const out = [];
    let off = 0, prev = null;
    for (const [lon, lat] of ring) {
        if (prev !== null) {
            const d = lon + off - prev;
            if (d > 180) off -= 360;
            else if (d < -180) off += 360;
        }
        prev = lon + off;
        out.push([prev, lat]);
    }
    const first = out[0], last = out[out.length - 1];
    if (Math.abs(last[0] - first[0]) > 180) {
        const pole = out.reduce((s, p) => s + p[1], 0) < 0 ? -90 : 90;
        out.push([last[0], pole], [first[0], pole], [first[0], first[1]]);
    }
    return out;
}
function round(r) {
    const out = [];
    for (const [x, y] of r) {
        const p = [Math.round(x * 1000) / 1000, Math.round(y * 1000) / 1000];
        const q = out[out.length - 1];
        if (!q || q[0] !== p[0] || q[1] !== p[1]) out.push(p);
    }
    return out;
}
function shift(poly, dx) {
    return poly.map((r) => r.map(([x, y]) => [x + dx, y]));
}

const atlas = join(opts.modules, "world-atlas", `land-${opts.scale}.json`);
let topojson = null;
try {
    topojson = createRequire(join(resolve(opts.modules), "noop.js"))("topojson-client");
} catch (e) {
    topojson = null;
}
if (topojson && existsSync(atlas)) {
    const apkg = JSON.parse(read(join(opts.modules, "world-atlas", "package.json")));
    const topo = JSON.parse(read(atlas));
    const land = topojson.feature(topo, topo.objects.land);
    const feats = land.type === "FeatureCollection" ? land.features : [land];
    const polys = [];
    for (const f of feats) {
        const g = f.geometry;
        if (!g) continue;
        if (g.type === "Polygon") polys.push(g.coordinates);
        else if (g.type === "MultiPolygon") polys.push(...g.coordinates);
    }
    const outPolys = [];
    for (const poly of polys) {
        const outer = unwrap(poly[0]);
        const m = ringMeanLon(outer);
        const rings = [round(outer)];
        for (const hole of poly.slice(1)) {
            let h = unwrap(hole);
            const dx = Math.round((m - ringMeanLon(h)) / 360) * 360;
            if (dx) h = h.map(([x, y]) => [x + dx, y]);
            rings.push(round(h));
        }
        if (rings[0].length < 4) continue;
        outPolys.push(rings);
        let lo = Infinity, hi = -Infinity;
        for (const [x] of rings[0]) lo = Math.min(lo, x), hi = Math.max(hi, x);
        if (hi > 180) outPolys.push(shift(rings, -360));
        if (lo < -180) outPolys.push(shift(rings, 360));
    }
    const gj = {
        type: "FeatureCollection",
        features: [{ type: "Feature", properties: {},
                     geometry: { type: "MultiPolygon", coordinates: outPolys } }],
    };
    assets.set("assets/land.js", Buffer.from(
        `/* Natural Earth land ${opts.scale} (public domain), from ` +
        `world-atlas ${apkg.version} via topojson-client. */\n` +
        `window.DARKFLEET_LAND = ${JSON.stringify(gj)};\n`));
    notes.push(`land-${opts.scale}: ${outPolys.length} polygons`);
} else {
    assets.set("assets/land.js", Buffer.from(
        "/* Natural Earth land was not in this build. */\n" +
        "window.DARKFLEET_LAND = null;\n"));
    notes.push("no land");
}

// ---- the C source -----------------------------------------------------------
const names = [...assets.keys()].sort();
let c = "/* Generated by tools/mkassets.mjs: do not edit.\n" +
        ` * ${notes.join("; ")} */\n` +
        "#include <stddef.h>\n\n#include \"report_assets.h\"\n\n";
names.forEach((name, i) => {
    const buf = assets.get(name);
    const lines = [];
    for (let j = 0; j < buf.length; j += 24)
        lines.push(Array.from(buf.subarray(j, j + 24)).join(","));
    c += `/* ${name.replace(/\*\//g, "* /")} (${buf.length} bytes) */\n` +
         `static const unsigned char a${i}[${buf.length + 1}] = {\n` +
         lines.join(",\n") + (buf.length ? ",0\n" : "0\n") + "};\n\n";
});
c += "const struct df__report_asset df__report_assets[] = {\n";
names.forEach((name, i) => {
    c += `    {${JSON.stringify(name)}, a${i}, ${assets.get(name).length}},\n`;
});
c += "};\n\nconst size_t df__report_nassets =\n" +
     "    sizeof df__report_assets / sizeof df__report_assets[0];\n";

mkdirSync(dirname(resolve(opts.out)), { recursive: true });
writeFileSync(opts.out, c);
if (opts.deps)
    writeFileSync(opts.deps, deps.join("\n") + "\n");
console.error(`mkassets: ${names.length} files (${notes.join("; ")}) -> ${opts.out}`);
