// app.js - the darkfleet report's pages (index.html and v/<mmsi>.html).
//
// Data comes from script files written by src/report.c beside the pages
// (window.DARKFLEET on the index, window.DARKFLEET_VESSEL on a vessel
// page) and land from assets/land.js (window.DARKFLEET_LAND, Natural Earth
// as GeoJSON): nothing is fetched, so the report works from file:// with no
// network.  Every string from the data is whatever a transponder or a file
// said: it goes into the page only through textContent and DOM properties,
// never as markup.
//
// The map is MapLibre GL 5 (UMD build, assets/maplibre-gl.js) with a style
// of GeoJSON sources only (land, track, events; no glyphs, so no text
// layers: labels are in popups).  Without WebGL, or without MapLibre in the
// build, or with ?map=canvas, a plain canvas map draws the same layers.
(function () {
  "use strict";

  // ---- event types and colors -------------------------------------------
  var TYPES = ["encounter", "loitering", "gap", "draught_change", "spoofing",
    "mmsi_collision", "identity_change", "invalid_identity", "zone_entry",
    "port_call", "watchlist_match"];
  var COLORS = {
    encounter: "#d7191c", loitering: "#fdae61", gap: "#2b2b2b",
    draught_change: "#8c510a", spoofing: "#7b3294", mmsi_collision: "#c51b7d",
    identity_change: "#2c7bb6", invalid_identity: "#5e3c99",
    zone_entry: "#e66101", port_call: "#1a9641", watchlist_match: "#b2182b"
  };
  var OTHER = "#777777";
  function color(t) {
    return Object.prototype.hasOwnProperty.call(COLORS, t) ? COLORS[t] : OTHER;
  }
  function label(t) { return String(t).replace(/_/g, " "); }

  // ---- small DOM helpers (text only) --------------------------------------
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
        if (k === "className") e.className = attrs[k];
        else e.setAttribute(k, attrs[k]);
      }
    }
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent, child) { parent.appendChild(child); return child; }
  function isMmsi(m) { return /^[0-9]{1,10}$/.test(String(m)); }
  function vesselHref(prefix, mmsi) {
    return isMmsi(mmsi) ? prefix + String(mmsi) + ".html" : "#";
  }
  function iso(ms) {
    if (ms === null || ms === undefined || !isFinite(ms)) return "";
    var d = new Date(ms);
    if (isNaN(d.getTime())) return "";
    return d.toISOString().replace("T", " ").replace(/:\d\d\.\d\d\dZ$/, "Z");
  }
  function num(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return "";
    return Number(v).toFixed(digits);
  }
  function hours(a, b) {
    if (!isFinite(a) || !isFinite(b) || a === null || b === null) return "";
    return ((b - a) / 3600000).toFixed(1);
  }
  function displayName(n) { return n && String(n).length ? String(n) : "(no name)"; }
  function evidenceText(ev) {
    if (!ev || typeof ev !== "object") return "";
    var parts = [];
    Object.keys(ev).forEach(function (k) {
      var v = ev[k];
      if (v !== null && typeof v === "object") v = JSON.stringify(v);
      parts.push(k + ": " + v);
    });
    return parts.join(", ");
  }

  // ---- type filters -----------------------------------------------------------
  // Checkboxes for the types present; onChange(list of checked types).
  function buildFilters(box, events, onChange) {
    var counts = {};
    events.forEach(function (e) { counts[e.type] = (counts[e.type] || 0) + 1; });
    var present = TYPES.filter(function (t) { return counts[t]; });
    Object.keys(counts).forEach(function (t) {
      if (present.indexOf(t) < 0) present.push(t);
    });
    var boxes = [];
    present.forEach(function (t) {
      var lab = add(box, el("label", { className: "filter" }));
      var cb = add(lab, el("input", { type: "checkbox", value: t }));
      cb.checked = true;
      cb.dataset.type = t;
      var sw = add(lab, el("span", { className: "swatch" }));
      sw.style.background = color(t);
      add(lab, document.createTextNode(label(t) + " (" + counts[t] + ")"));
      cb.addEventListener("change", function () {
        onChange(boxes.filter(function (b) { return b.checked; })
          .map(function (b) { return b.value; }));
      });
      boxes.push(cb);
    });
    if (!present.length) add(box, el("span", { className: "note" }, "No events."));
    return present;
  }

  // ---- GeoJSON from the data ---------------------------------------------------
  function eventFeatures(events) {
    var f = [];
    events.forEach(function (e, i) {
      if (e.lat === null || e.lon === null || !isFinite(e.lat) || !isFinite(e.lon)) return;
      f.push({ type: "Feature", id: i,
        properties: { i: i, type: String(e.type), color: color(e.type) },
        geometry: { type: "Point", coordinates: [e.lon, e.lat] } });
    });
    return { type: "FeatureCollection", features: f };
  }
  // A track as lines, split where it jumps the antimeridian.
  function trackFeature(track) {
    var lines = [], cur = [], prev = null;
    (track || []).forEach(function (p) {
      var lon = p[1], lat = p[2];
      if (lon === null || lat === null) return;
      if (prev && Math.abs(lon - prev[0]) > 180) {
        if (cur.length > 1) lines.push(cur);
        cur = [];
      }
      cur.push([lon, lat]);
      prev = [lon, lat];
    });
    if (cur.length > 1) lines.push(cur);
    return { type: "FeatureCollection", features: lines.length ? [{
      type: "Feature", properties: {},
      geometry: { type: "MultiLineString", coordinates: lines } }] : [] };
  }
  function bounds(points) {
    var b = null;
    points.forEach(function (p) {
      if (!p || p[0] === null || p[1] === null || !isFinite(p[0]) || !isFinite(p[1])) return;
      if (!b) b = [p[0], p[1], p[0], p[1]];
      else {
        b[0] = Math.min(b[0], p[0]); b[1] = Math.min(b[1], p[1]);
        b[2] = Math.max(b[2], p[0]); b[3] = Math.max(b[3], p[1]);
      }
    });
    if (!b) return [-180, -60, 180, 75];
    var padx = Math.max(0.5, (b[2] - b[0]) * 0.1), pady = Math.max(0.5, (b[3] - b[1]) * 0.1);
    return [Math.max(-180, b[0] - padx), Math.max(-85, b[1] - pady),
      Math.min(180, b[2] + padx), Math.min(85, b[3] + pady)];
  }

  // ---- the map: MapLibre, or a canvas when there is no WebGL --------------------
  function hasWebGL() {
    try {
      var c = document.createElement("canvas");
      return !!(c.getContext("webgl2") || c.getContext("webgl"));
    } catch (e) { return false; }
  }
  function wantCanvas() {
    return /(^|[?&])map=canvas(&|$)/.test(location.search);
  }

  // opts: {container, events, track, popup(i) -> Node, note}
  function makeMap(opts) {
    var land = window.DARKFLEET_LAND || { type: "FeatureCollection", features: [] };
    if (window.maplibregl && !wantCanvas() && hasWebGL()) {
      try { return glMap(opts, land); } catch (e) { /* fall through */ }
    }
    return canvasMap(opts, land);
  }

  function glMap(opts, land) {
    var gl = window.maplibregl;
    var container = opts.container;
    var evfc = eventFeatures(opts.events);
    var trfc = trackFeature(opts.track);
    var pts = evfc.features.map(function (f) { return f.geometry.coordinates; });
    (opts.track || []).forEach(function (p) { pts.push([p[1], p[2]]); });
    var b = bounds(pts);
    container.dataset.renderer = "maplibre";
    var map = new gl.Map({
      container: container,
      style: {
        version: 8,
        sources: {
          land: { type: "geojson", data: land },
          track: { type: "geojson", data: trfc },
          events: { type: "geojson", data: evfc }
        },
        layers: [
          { id: "sea", type: "background", paint: { "background-color": "#cfe2ef" } },
          { id: "land", type: "fill", source: "land",
            paint: { "fill-color": "#ece8dc", "fill-outline-color": "#9c9686" } },
          { id: "track", type: "line", source: "track",
            paint: { "line-color": "#1f4e79", "line-width": 2 } },
          { id: "events", type: "circle", source: "events",
            paint: { "circle-color": ["get", "color"], "circle-radius": 6,
              "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5 } }
        ]
      },
      bounds: [[b[0], b[1]], [b[2], b[3]]],
      fitBoundsOptions: { padding: 20 },
      attributionControl: false,
      preserveDrawingBuffer: true,
      maxZoom: 14
    });
    map.addControl(new gl.NavigationControl({ showCompass: false }), "top-right");
    map.addControl(new gl.ScaleControl(), "bottom-left");
    var popup = null;
    map.on("click", "events", function (e) {
      if (!e.features || !e.features.length) return;
      var i = e.features[0].properties.i;
      if (popup) popup.remove();
      popup = new gl.Popup({ maxWidth: "320px" })
        .setLngLat(e.features[0].geometry.coordinates)
        .setDOMContent(opts.popup(i)).addTo(map);
    });
    map.on("mouseenter", "events", function () { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", "events", function () { map.getCanvas().style.cursor = ""; });
    map.on("load", function () { container.dataset.state = "ready"; });
    map.on("error", function (e) {
      container.dataset.error = String(e && e.error && e.error.message || "error");
    });
    window.DARKFLEET_MAP = map;
    return {
      renderer: "maplibre",
      setTypes: function (types) {
        var f = ["in", ["get", "type"], ["literal", types]];
        if (map.getLayer("events")) map.setFilter("events", f);
        else map.once("load", function () { map.setFilter("events", f); });
      },
      show: function (i) {
        var e = opts.events[i];
        if (!e || e.lon === null || e.lat === null) return;
        map.flyTo({ center: [e.lon, e.lat], zoom: Math.max(map.getZoom(), 6) });
        if (popup) popup.remove();
        popup = new gl.Popup({ maxWidth: "320px" }).setLngLat([e.lon, e.lat])
          .setDOMContent(opts.popup(i)).addTo(map);
      }
    };
  }

  // A plain equirectangular canvas map: land, track, events; drag to pan,
  // wheel to zoom, click an event for its popup.
  function canvasMap(opts, land) {
    var container = opts.container;
    container.dataset.renderer = "canvas";
    container.classList.add("canvas-map");
    var canvas = add(container, el("canvas", { className: "map-canvas" }));
    var pop = add(container, el("div", { className: "canvas-popup" }));
    pop.hidden = true;
    var zoomBox = add(container, el("div", { className: "canvas-zoom" }));
    var zin = add(zoomBox, el("button", { type: "button", "aria-label": "Zoom in" }, "+"));
    var zout = add(zoomBox, el("button", { type: "button", "aria-label": "Zoom out" }, "\u2212"));
    var evs = opts.events, types = null;
    var pts = [];
    evs.forEach(function (e) { pts.push([e.lon, e.lat]); });
    (opts.track || []).forEach(function (p) { pts.push([p[1], p[2]]); });
    var b = bounds(pts);
    var view = { lon: (b[0] + b[2]) / 2, lat: (b[1] + b[3]) / 2, scale: 1 };
    var rings = [];
    (land.features || []).forEach(function (f) {
      var g = f.geometry;
      if (!g) return;
      var polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
      polys.forEach(function (p) { rings.push(p); });
    });
    var w = 0, h = 0, k = 1;
    function fit() {
      var r = container.getBoundingClientRect();
      w = Math.max(100, r.width); h = Math.max(100, r.height);
      k = Math.cos(view.lat * Math.PI / 180);
      view.scale = Math.min(w / Math.max(0.01, (b[2] - b[0]) * Math.max(0.2, k)),
        h / Math.max(0.01, b[3] - b[1])) * 0.9;
    }
    function px(lon, lat) {
      return [w / 2 + (lon - view.lon) * view.scale * Math.max(0.2, k),
        h / 2 - (lat - view.lat) * view.scale];
    }
    function draw() {
      var dpr = window.devicePixelRatio || 1;
      canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
      canvas.style.width = w + "px"; canvas.style.height = h + "px";
      var c = canvas.getContext("2d");
      c.setTransform(dpr, 0, 0, dpr, 0, 0);
      c.fillStyle = "#cfe2ef"; c.fillRect(0, 0, w, h);
      c.strokeStyle = "rgba(255,255,255,0.6)"; c.lineWidth = 1;
      for (var g = -180; g <= 180; g += 10) {
        var a = px(g, -85), z = px(g, 85);
        c.beginPath(); c.moveTo(a[0], a[1]); c.lineTo(z[0], z[1]); c.stroke();
      }
      for (g = -80; g <= 80; g += 10) {
        a = px(-180, g); z = px(180, g);
        c.beginPath(); c.moveTo(a[0], a[1]); c.lineTo(z[0], z[1]); c.stroke();
      }
      c.fillStyle = "#ece8dc"; c.strokeStyle = "#9c9686"; c.lineWidth = 0.7;
      rings.forEach(function (poly) {
        c.beginPath();
        poly.forEach(function (ring) {
          ring.forEach(function (q, j) {
            var s = px(q[0], q[1]);
            if (j) c.lineTo(s[0], s[1]); else c.moveTo(s[0], s[1]);
          });
          c.closePath();
        });
        c.fill("evenodd"); c.stroke();
      });
      var tr = trackFeature(opts.track).features;
      c.strokeStyle = "#1f4e79"; c.lineWidth = 2;
      tr.forEach(function (f) {
        f.geometry.coordinates.forEach(function (line) {
          c.beginPath();
          line.forEach(function (q, j) {
            var s = px(q[0], q[1]);
            if (j) c.lineTo(s[0], s[1]); else c.moveTo(s[0], s[1]);
          });
          c.stroke();
        });
      });
      evs.forEach(function (e) {
        if (e.lat === null || e.lon === null) return;
        if (types && types.indexOf(e.type) < 0) return;
        var s = px(e.lon, e.lat);
        c.beginPath(); c.arc(s[0], s[1], 6, 0, 2 * Math.PI);
        c.fillStyle = color(e.type); c.fill();
        c.lineWidth = 1.5; c.strokeStyle = "#ffffff"; c.stroke();
      });
    }
    function showPopup(i) {
      var e = evs[i], s = px(e.lon, e.lat);
      pop.textContent = "";
      var close = add(pop, el("button", { type: "button", className: "close", "aria-label": "Close" }, "\u00d7"));
      close.addEventListener("click", function () { pop.hidden = true; });
      pop.appendChild(opts.popup(i));
      pop.style.left = Math.round(Math.min(w - 260, Math.max(0, s[0] + 8))) + "px";
      pop.style.top = Math.round(Math.min(h - 60, Math.max(0, s[1] + 8))) + "px";
      pop.hidden = false;
    }
    var drag = null, moved = false;
    canvas.addEventListener("mousedown", function (ev) {
      drag = [ev.clientX, ev.clientY, view.lon, view.lat]; moved = false;
    });
    window.addEventListener("mousemove", function (ev) {
      if (!drag) return;
      var dx = ev.clientX - drag[0], dy = ev.clientY - drag[1];
      if (Math.abs(dx) + Math.abs(dy) > 3) moved = true;
      view.lon = drag[2] - dx / (view.scale * Math.max(0.2, k));
      view.lat = Math.max(-85, Math.min(85, drag[3] + dy / view.scale));
      draw();
    });
    window.addEventListener("mouseup", function () { drag = null; });
    canvas.addEventListener("click", function (ev) {
      if (moved) return;
      var r = canvas.getBoundingClientRect(), x = ev.clientX - r.left, y = ev.clientY - r.top;
      var best = -1, bd = 100;
      evs.forEach(function (e, i) {
        if (e.lat === null || e.lon === null) return;
        if (types && types.indexOf(e.type) < 0) return;
        var s = px(e.lon, e.lat), d = (s[0] - x) * (s[0] - x) + (s[1] - y) * (s[1] - y);
        if (d < bd) { bd = d; best = i; }
      });
      if (best >= 0) showPopup(best); else pop.hidden = true;
    });
    function zoom(f) { view.scale = Math.max(0.5, Math.min(20000, view.scale * f)); draw(); }
    canvas.addEventListener("wheel", function (ev) {
      ev.preventDefault(); zoom(ev.deltaY < 0 ? 1.25 : 0.8);
    }, { passive: false });
    zin.addEventListener("click", function () { zoom(1.5); });
    zout.addEventListener("click", function () { zoom(1 / 1.5); });
    window.addEventListener("resize", function () {
      var s = view.scale; fit(); view.scale = s; draw();
    });
    fit(); draw();
    container.dataset.state = "ready";
    if (!rings.length && opts.note) opts.note.textContent = "This build has no coastline: events are drawn on a plain grid.";
    return {
      renderer: "canvas",
      setTypes: function (t) { types = t; draw(); },
      show: function (i) {
        var e = evs[i];
        if (!e || e.lon === null || e.lat === null) return;
        view.lon = e.lon; view.lat = e.lat; draw(); showPopup(i);
      }
    };
  }

  // ---- index page -------------------------------------------------------------
  function indexPage(D) {
    var vessels = D.vessels || [], events = D.events || [];
    var byMmsi = {};
    vessels.forEach(function (v, i) { byMmsi[v.mmsi] = v; v.rank = i + 1; });
    var summary = document.getElementById("summary");
    // Every event is counted: those drawn, those with no position to draw
    // (identity changes and the like, on their vessels' pages), and those
    // past the map's limit.
    var total = D.events_total || 0, drawn = D.events_drawn || 0;
    var unplaced = D.events_unplaced || 0, beyond = total - drawn - unplaced;
    summary.textContent = vessels.length + " of " + D.vessels_total + " vessels listed, " +
      Math.min(D.top || 0, vessels.length) + " with a page; " + total + " events: " +
      drawn + " drawn on the map, " + unplaced + " without a position" +
      (beyond > 0 ? ", " + beyond + " past the map's limit of " + D.events_max : "") + ".";

    // The ranked list.
    var tbody = document.querySelector("#vessels tbody");
    var more = document.getElementById("more");
    var q = document.getElementById("q");
    var shown = 0, STEP = 200, rows = vessels;
    function vesselRow(v, rank) {
      var tr = el("tr", { "data-mmsi": String(v.mmsi) });
      add(tr, el("td", { className: "num" }, rank));
      add(tr, el("td", { className: "num score" }, num(v.score, 0)));
      var td = add(tr, el("td", { className: "mmsi" }));
      if (v.page) add(td, el("a", { href: vesselHref("v/", v.mmsi) }, v.mmsi));
      else td.textContent = String(v.mmsi);
      var name = add(tr, el("td", { className: "name" }));
      if (v.page) add(name, el("a", { href: vesselHref("v/", v.mmsi) }, displayName(v.name)));
      else name.textContent = displayName(v.name);
      if (v.identities > 1) add(name, el("span", { className: "badge", title: "identities broadcast" }, v.identities + " ids"));
      add(tr, el("td", {}, v.flag || ""));
      var rs = add(tr, el("td", { className: "reasons" }));
      var ul = add(rs, el("ul"));
      (v.reasons || []).slice(0, 4).forEach(function (r) {
        var li = add(ul, el("li"));
        var sw = add(li, el("span", { className: "swatch" }));
        sw.style.background = color(r.type);
        add(li, el("span", { className: "pts" }, "+" + num(r.points, 0)));
        add(li, document.createTextNode(" " + (r.text || label(r.type))));
      });
      if ((v.reasons || []).length > 4) add(ul, el("li", { className: "note" }, "+" + (v.reasons.length - 4) + " more"));
      return tr;
    }
    function render(reset) {
      if (reset) { tbody.textContent = ""; shown = 0; }
      var end = Math.min(rows.length, shown + STEP);
      var frag = document.createDocumentFragment();
      for (var i = shown; i < end; i++) frag.appendChild(vesselRow(rows[i], rows[i].rank));
      tbody.appendChild(frag);
      shown = end;
      more.hidden = shown >= rows.length;
    }
    more.addEventListener("click", function () { render(false); });
    q.addEventListener("input", function () {
      var s = q.value.trim().toLowerCase();
      rows = !s ? vessels : vessels.filter(function (v) {
        return String(v.mmsi).indexOf(s) >= 0 || String(v.imo).indexOf(s) >= 0 ||
          String(v.name || "").toLowerCase().indexOf(s) >= 0 ||
          String(v.flag || "").toLowerCase() === s ||
          String(v.callsign || "").toLowerCase().indexOf(s) >= 0;
      });
      render(true);
    });
    render(true);

    // The map.
    var map = makeMap({
      container: document.getElementById("map"), events: events,
      note: document.getElementById("mapnote"),
      popup: function (i) { return eventPopup(events[i], function (m) { return byMmsi[m]; }, "v/"); }
    });
    buildFilters(document.getElementById("filters"), events, map.setTypes);
    window.DARKFLEET_VIEW = { renderer: map.renderer, rows: function () { return shown; } };
  }

  // A popup for one event: type, time, vessels (linked when they have a page).
  function eventPopup(e, lookup, prefix) {
    var box = el("div", { className: "popup" });
    var h = add(box, el("div", { className: "popup-title" }));
    var sw = add(h, el("span", { className: "swatch" }));
    sw.style.background = color(e.type);
    add(h, document.createTextNode(label(e.type)));
    add(box, el("div", {}, iso(e.start) + (e.end !== null && e.end !== e.start ? " \u2192 " + iso(e.end) : "")));
    (e.vessels || []).forEach(function (m) {
      var v = lookup(m), line = add(box, el("div", { className: "popup-vessel" }));
      var text = String(m) + (v && v.name ? " " + v.name : "");
      if (v && v.page) add(line, el("a", { href: vesselHref(prefix, m) }, text));
      else line.textContent = text;
    });
    var evt = evidenceText(e.evidence);
    if (evt) add(box, el("div", { className: "popup-evidence" }, evt));
    add(box, el("div", { className: "note" }, num(e.lat, 4) + ", " + num(e.lon, 4)));
    return box;
  }

  // ---- vessel page -------------------------------------------------------------
  function vesselPage(V) {
    var ids = V.identity_history || [], events = V.events || [], track = V.track || [];
    var others = V.others || {};
    var title = displayName(V.name) + " \u2014 MMSI " + V.mmsi;
    document.getElementById("title").textContent = title;
    document.title = title + " - darkfleet report";
    var facts = document.getElementById("facts");
    function fact(k, v) {
      if (v === "" || v === null || v === undefined) return;
      add(facts, el("dt", {}, k)); add(facts, el("dd", {}, v));
    }
    fact("Risk score", num(V.score, 0));
    fact("Flag", V.flag ? V.flag + (V.mid ? " (MID " + V.mid + ")" : "") : "");
    fact("IMO", V.imo ? String(V.imo) : "");
    fact("Call sign", V.callsign);
    fact("Destination", V.destination);
    fact("Seen", iso(V.first) + " \u2192 " + iso(V.last));
    fact("Positions", String(V.positions));
    fact("Track points shown", track.length + " of " + V.track_total);

    var ul = document.getElementById("reasons");
    (V.reasons || []).forEach(function (r) {
      var li = add(ul, el("li"));
      var sw = add(li, el("span", { className: "swatch" }));
      sw.style.background = color(r.type);
      add(li, el("span", { className: "pts" }, "+" + num(r.points, 0)));
      add(li, document.createTextNode(" " + (r.text || label(r.type))));
    });
    if (!(V.reasons || []).length) add(ul, el("li", { className: "note" }, "No risk points."));

    function lookup(m) {
      if (String(m) === String(V.mmsi)) return { name: V.name, page: false };
      return Object.prototype.hasOwnProperty.call(others, String(m)) ? others[String(m)] : null;
    }
    var map = makeMap({
      container: document.getElementById("map"), events: events, track: track,
      note: document.getElementById("mapnote"),
      popup: function (i) { return eventPopup(events[i], lookup, ""); }
    });
    buildFilters(document.getElementById("filters"), events, map.setTypes);

    // Identity history.
    var ib = document.querySelector("#identities tbody");
    ids.slice().sort(function (a, b) { return (a.first || 0) - (b.first || 0); }).forEach(function (d) {
      var tr = add(ib, el("tr"));
      add(tr, el("td", {}, iso(d.first)));
      add(tr, el("td", {}, iso(d.last)));
      add(tr, el("td", { className: "name" }, d.name));
      add(tr, el("td", {}, d.imo ? String(d.imo) : ""));
      add(tr, el("td", {}, d.callsign));
      add(tr, el("td", {}, d.destination));
      add(tr, el("td", {}, d.shiptype ? String(d.shiptype) : ""));
      add(tr, el("td", {}, d.length || d.width ? d.length + " \u00d7 " + d.width : ""));
      add(tr, el("td", {}, d.draught === null ? "" : num(d.draught, 1)));
    });

    // Events table.
    var eb = document.querySelector("#events tbody");
    events.forEach(function (e, i) {
      var tr = add(eb, el("tr", { "data-event": String(i) }));
      var td = add(tr, el("td"));
      var sw = add(td, el("span", { className: "swatch" }));
      sw.style.background = color(e.type);
      add(td, document.createTextNode(label(e.type)));
      add(tr, el("td", {}, iso(e.start)));
      add(tr, el("td", {}, iso(e.end)));
      add(tr, el("td", { className: "num" }, hours(e.start, e.end)));
      var w = add(tr, el("td"));
      (e.vessels || []).forEach(function (m) {
        if (String(m) === String(V.mmsi)) return;
        var o = lookup(m), text = String(m) + (o && o.name ? " " + o.name : "");
        if (o && o.page) add(w, el("a", { href: vesselHref("", m) }, text));
        else add(w, el("span", {}, text));
      });
      add(tr, el("td", {}, num(e.lat, 4) + ", " + num(e.lon, 4)));
      add(tr, el("td", { className: "evidence" }, evidenceText(e.evidence)));
      tr.addEventListener("click", function (ev) {
        if (ev.target && ev.target.tagName === "A") return;
        map.show(i);
      });
    });

    timeline(document.getElementById("timeline"), V, events, track, map);
    window.DARKFLEET_VIEW = { renderer: map.renderer };
  }

  // ---- timeline: an SVG of our own ---------------------------------------------
  var SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function timeline(box, V, events, track, map) {
    var t0 = Infinity, t1 = -Infinity;
    function widen(t) { if (t !== null && isFinite(t)) { t0 = Math.min(t0, t); t1 = Math.max(t1, t); } }
    track.forEach(function (p) { widen(p[0]); });
    events.forEach(function (e) { widen(e.start); widen(e.end); });
    widen(V.first); widen(V.last);
    if (!isFinite(t0)) { box.textContent = "No times to show."; return; }
    if (t1 - t0 < 3600000) { t0 -= 1800000; t1 += 1800000; }
    var lanes = ["AIS received"];
    events.forEach(function (e) { if (lanes.indexOf(label(e.type)) < 0) lanes.push(label(e.type)); });
    var W = 1000, L = 130, R = 12, LANE = 26, TOP = 8, AX = 34;
    var H = TOP + lanes.length * LANE + AX;
    var s = svg("svg", { viewBox: "0 0 " + W + " " + H, width: "100%", role: "img", "aria-label": "Events on a timeline", "class": "timeline-svg" });
    function x(t) { return L + (t - t0) / (t1 - t0) * (W - L - R); }
    lanes.forEach(function (name, i) {
      var y = TOP + i * LANE;
      s.appendChild(svg("rect", { x: L, y: y + 2, width: W - L - R, height: LANE - 4, "class": "lane" }));
      s.appendChild(svg("text", { x: L - 6, y: y + LANE / 2 + 4, "text-anchor": "end", "class": "lane-label" }, name));
    });
    // AIS coverage: runs of track points, broken where none came for 6 h.
    var GAP = 6 * 3600000, run = null, y0 = TOP + 6;
    function flush() {
      if (!run) return;
      s.appendChild(svg("rect", { x: x(run[0]), y: y0, width: Math.max(1.5, x(run[1]) - x(run[0])), height: LANE - 12, "class": "coverage" }));
    }
    track.forEach(function (p) {
      if (p[0] === null) return;
      if (run && p[0] - run[1] <= GAP) run[1] = p[0];
      else { flush(); run = [p[0], p[0]]; }
    });
    flush();
    events.forEach(function (e, i) {
      var lane = lanes.indexOf(label(e.type)), y = TOP + lane * LANE + 4;
      var a = e.start !== null ? e.start : e.end, z = e.end !== null ? e.end : a;
      if (a === null) return;
      var r = svg("rect", { x: x(a), y: y, width: Math.max(4, x(z) - x(a)), height: LANE - 8, rx: 2, fill: color(e.type), "class": "tl-event", "data-event": i });
      r.appendChild(svg("title", {}, label(e.type) + ": " + iso(e.start) + " \u2192 " + iso(e.end)));
      r.addEventListener("click", function () { map.show(i); });
      s.appendChild(r);
    });
    // Axis with about six ticks on whole hours or days.
    var ya = TOP + lanes.length * LANE + 4;
    s.appendChild(svg("line", { x1: L, y1: ya, x2: W - R, y2: ya, "class": "axis" }));
    var span = t1 - t0, steps = [3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 864e5, 2 * 864e5, 7 * 864e5, 14 * 864e5, 30 * 864e5, 91 * 864e5, 365 * 864e5];
    var step = steps[steps.length - 1];
    for (var k = 0; k < steps.length; k++) if (span / steps[k] <= 7) { step = steps[k]; break; }
    for (var t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
      s.appendChild(svg("line", { x1: x(t), y1: ya, x2: x(t), y2: ya + 5, "class": "axis" }));
      var txt = step < 864e5 ? iso(t).slice(5, 16) : iso(t).slice(0, 10);
      s.appendChild(svg("text", { x: x(t), y: ya + 18, "text-anchor": "middle", "class": "tick" }, txt));
    }
    box.appendChild(s);
  }

  // ---- start ---------------------------------------------------------------------
  function start() {
    try {
      if (window.DARKFLEET_VESSEL) vesselPage(window.DARKFLEET_VESSEL);
      else if (window.DARKFLEET) indexPage(window.DARKFLEET);
      else document.body.appendChild(el("p", { className: "note" }, "No report data found beside this page."));
    } catch (e) {
      document.body.dataset.error = String(e && e.message || e);
      throw e;
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
