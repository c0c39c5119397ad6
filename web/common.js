// common.js - what the report's pages (app.js) and the workspace of
// `darkfleet serve` (serve.js) share, as window.DFUI: event types and
// their colours, DOM helpers that only ever set text, times and numbers,
// the map (MapLibre GL, or a canvas without WebGL), event popups, the
// timeline of a vessel's events and AIS coverage, and the timeline of its
// identities.  A classic script, not a module: the report opens from
// file://, where module scripts are refused.
//
// Every string from the data is whatever a transponder or a file said:
// it goes into the page only through textContent and DOM properties,
// never as markup.
//
// The map is MapLibre GL 5 (UMD build, assets/maplibre-gl.js) with a style
// of GeoJSON sources only (land, tracks, events; no glyphs, so no text
// layers: labels are in popups, cluster counts in DOM markers).  Without
// WebGL, without MapLibre in the build, or with ?map=canvas in the page's
// address, a plain canvas map draws the same layers.  Times are ms since
// the epoch; a track is a list of [ms, lon, lat, knots, degrees].
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
  var TRACK = "#1f4e79", TRACK2 = "#e08214", CLUSTER = "#3d5a80";
  function has(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }
  function color(t) { return has(COLORS, t) ? COLORS[t] : OTHER; }
  function label(t) { return String(t).replace(/_/g, " "); }

  // ---- small DOM helpers (text only) --------------------------------------
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!has(attrs, k)) continue;
        if (k === "className") e.className = attrs[k];
        else e.setAttribute(k, attrs[k]);
      }
    }
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent, child) { parent.appendChild(child); return child; }
  function isMmsi(m) { return /^[0-9]{1,10}$/.test(String(m)); }
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
  function swatch(parent, type) {
    var sw = add(parent, el("span", { className: "swatch" }));
    sw.style.background = color(type);
    return sw;
  }
  // A vessel's reasons as list items: points, then the text.
  function reasonItems(ul, reasons, max) {
    (reasons || []).slice(0, max || reasons.length).forEach(function (r) {
      var li = add(ul, el("li"));
      swatch(li, r.type || r.event_type);
      add(li, el("span", { className: "pts" }, "+" + num(r.points, 0)));
      add(li, document.createTextNode(" " + (r.text || label(r.type || r.event_type))));
    });
  }

  // ---- type filters -----------------------------------------------------------
  function countTypes(events) {
    var counts = {};
    events.forEach(function (e) { counts[e.type] = (counts[e.type] || 0) + 1; });
    return counts;
  }
  // Checkboxes for the types with a count; onChange(list of checked types).
  function buildFilters(box, counts, onChange) {
    var present = TYPES.filter(function (t) { return counts[t]; });
    Object.keys(counts).forEach(function (t) {
      if (present.indexOf(t) < 0 && counts[t]) present.push(t);
    });
    var boxes = [];
    present.forEach(function (t) {
      var lab = add(box, el("label", { className: "filter" }));
      var cb = add(lab, el("input", { type: "checkbox", value: t }));
      cb.checked = true;
      cb.dataset.type = t;
      swatch(lab, t);
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
  function placed(e) {
    return e.lat !== null && e.lon !== null && e.lat !== undefined &&
      e.lon !== undefined && isFinite(e.lat) && isFinite(e.lon);
  }
  function eventFeatures(events) {
    var f = [];
    events.forEach(function (e, i) {
      if (!placed(e)) return;
      f.push({ type: "Feature", id: i,
        properties: { i: i, type: String(e.type), color: color(e.type) },
        geometry: { type: "Point", coordinates: [e.lon, e.lat] } });
    });
    return { type: "FeatureCollection", features: f };
  }
  // One track as lines, split where it jumps the antimeridian.
  function trackLines(track) {
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
    return lines;
  }
  // tracks: [{points, color}]
  function trackFeatures(tracks) {
    var f = [];
    (tracks || []).forEach(function (t) {
      var lines = trackLines(t.points);
      if (lines.length) f.push({ type: "Feature", properties: { color: t.color || TRACK },
        geometry: { type: "MultiLineString", coordinates: lines } });
    });
    return { type: "FeatureCollection", features: f };
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
  function dataPoints(events, tracks) {
    var pts = [];
    (events || []).forEach(function (e) { if (placed(e)) pts.push([e.lon, e.lat]); });
    (tracks || []).forEach(function (t) {
      (t.points || []).forEach(function (p) { pts.push([p[1], p[2]]); });
    });
    return pts;
  }
  // A view's box as [west, south, east, north], longitudes in -180..180
  // (west east of east when it crosses the antimeridian), or null when it
  // spans the whole world.
  function viewBox(w, s, e, n) {
    s = Math.max(-90, s); n = Math.min(90, n);
    if (e - w >= 360) return [-180, s, 180, n];
    var wrap = function (x) { return ((x + 180) % 360 + 360) % 360 - 180; };
    return [wrap(w), s, wrap(e) === -180 ? 180 : wrap(e), n];
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

  // opts: {container, events, track (one) or tracks ([{points, color}]),
  //        popup(i) -> Node, note, cluster (bool), onMove(box, zoom)}
  // Returns {renderer, setTypes(types), show(i), setEvents(events, fit),
  //          setTracks(tracks, fit), box(), zoom()}.
  function makeMap(opts) {
    var land = window.DARKFLEET_LAND || { type: "FeatureCollection", features: [] };
    if (!opts.tracks) opts.tracks = opts.track ? [{ points: opts.track, color: TRACK }] : [];
    opts.events = opts.events || [];
    if (window.maplibregl && !wantCanvas() && hasWebGL()) {
      try { return glMap(opts, land); } catch (e) { /* fall through */ }
    }
    return canvasMap(opts, land);
  }

  function glMap(opts, land) {
    var gl = window.maplibregl;
    var container = opts.container;
    var b = bounds(dataPoints(opts.events, opts.tracks));
    var evsrc = { type: "geojson", data: eventFeatures(opts.events) };
    if (opts.cluster) {
      evsrc.cluster = true; evsrc.clusterRadius = 40; evsrc.clusterMaxZoom = 9;
    }
    container.dataset.renderer = "maplibre";
    var layers = [
      { id: "sea", type: "background", paint: { "background-color": "#cfe2ef" } },
      { id: "land", type: "fill", source: "land",
        paint: { "fill-color": "#ece8dc", "fill-outline-color": "#9c9686" } },
      { id: "track", type: "line", source: "track",
        paint: { "line-color": ["get", "color"], "line-width": 2 } },
      { id: "events", type: "circle", source: "events",
        filter: ["!", ["has", "point_count"]],
        paint: { "circle-color": ["get", "color"], "circle-radius": 6,
          "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5 } }
    ];
    if (opts.cluster) layers.push({ id: "clusters", type: "circle", source: "events",
      filter: ["has", "point_count"],
      paint: { "circle-color": CLUSTER, "circle-opacity": 0.85,
        "circle-radius": ["step", ["get", "point_count"], 12, 10, 16, 100, 21, 1000, 26],
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 2 } });
    var map = new gl.Map({
      container: container,
      style: { version: 8,
        sources: { land: { type: "geojson", data: land },
          track: { type: "geojson", data: trackFeatures(opts.tracks) },
          events: evsrc },
        layers: layers },
      bounds: [[b[0], b[1]], [b[2], b[3]]],
      fitBoundsOptions: { padding: 20 },
      attributionControl: false,
      preserveDrawingBuffer: true,
      maxZoom: 14
    });
    map.addControl(new gl.NavigationControl({ showCompass: false }), "top-right");
    map.addControl(new gl.ScaleControl(), "bottom-left");
    var popup = null, types = null;
    function openPopup(i, at) {
      if (popup) popup.remove();
      popup = new gl.Popup({ maxWidth: "320px" }).setLngLat(at)
        .setDOMContent(opts.popup(i)).addTo(map);
    }
    map.on("click", "events", function (e) {
      if (!e.features || !e.features.length) return;
      openPopup(e.features[0].properties.i, e.features[0].geometry.coordinates);
    });
    ["events", "clusters"].forEach(function (id) {
      map.on("mouseenter", id, function () { map.getCanvas().style.cursor = "pointer"; });
      map.on("mouseleave", id, function () { map.getCanvas().style.cursor = ""; });
    });
    // Clusters: a click zooms in; their counts are DOM markers (no glyphs).
    var markers = {}, shown = {};
    function clusterMarkers() {
      var next = {};
      map.querySourceFeatures("events").forEach(function (f) {
        var p = f.properties;
        if (!p || !p.cluster) return;
        var id = p.cluster_id;
        if (next[id]) return;
        var m = markers[id];
        if (!m) {
          m = markers[id] = new gl.Marker({ element: el("div", { className: "cluster-count" },
            p.point_count_abbreviated) }).setLngLat(f.geometry.coordinates);
        }
        next[id] = m;
        if (!shown[id]) m.addTo(map);
      });
      Object.keys(shown).forEach(function (id) { if (!next[id]) shown[id].remove(); });
      shown = next;
    }
    if (opts.cluster) {
      map.on("click", "clusters", function (e) {
        var f = e.features && e.features[0];
        if (!f) return;
        var z = map.getSource("events").getClusterExpansionZoom(f.properties.cluster_id);
        Promise.resolve(z).then(function (zoom) {
          map.easeTo({ center: f.geometry.coordinates, zoom: Math.min(14, zoom) });
        }).catch(function () {});
      });
      map.on("render", function () {
        if (map.getSource("events") && map.isSourceLoaded("events")) clusterMarkers();
      });
    }
    function clearMarkers() {
      Object.keys(shown).forEach(function (id) { shown[id].remove(); });
      markers = {}; shown = {};
    }
    map.on("load", function () { container.dataset.state = "ready"; });
    map.on("error", function (e) {
      container.dataset.error = String(e && e.error && e.error.message || "error");
    });
    function box() {
      var bb = map.getBounds();
      return viewBox(bb.getWest(), bb.getSouth(), bb.getEast(), bb.getNorth());
    }
    if (opts.onMove) map.on("moveend", function () { opts.onMove(box(), map.getZoom()); });
    function fitTo(pts) {
      if (!pts.length) return;
      var fb = bounds(pts);
      map.fitBounds([[fb[0], fb[1]], [fb[2], fb[3]]], { padding: 20, duration: 0 });
    }
    function whenLoaded(fn) { if (map.loaded() || map.getLayer("events")) fn(); else map.once("load", fn); }
    window.DARKFLEET_MAP = map;
    return {
      renderer: "maplibre",
      setTypes: function (t) {
        types = t;
        var f = ["all", ["!", ["has", "point_count"]], ["in", ["get", "type"], ["literal", t]]];
        whenLoaded(function () { map.setFilter("events", f); });
      },
      show: function (i) {
        var e = opts.events[i];
        if (!e || !placed(e)) return;
        map.flyTo({ center: [e.lon, e.lat], zoom: Math.max(map.getZoom(), 6) });
        openPopup(i, [e.lon, e.lat]);
      },
      setEvents: function (events, fit) {
        opts.events = events;
        clearMarkers();
        if (popup) { popup.remove(); popup = null; }
        whenLoaded(function () { map.getSource("events").setData(eventFeatures(events)); });
        if (fit) fitTo(dataPoints(events, []));
        if (types) this.setTypes(types);
      },
      setTracks: function (tracks, fit) {
        opts.tracks = tracks;
        whenLoaded(function () { map.getSource("track").setData(trackFeatures(tracks)); });
        if (fit) fitTo(dataPoints([], tracks));
      },
      box: box,
      zoom: function () { return map.getZoom(); }
    };
  }

  // A plain equirectangular canvas map: land, tracks, events (grouped into
  // numbered circles when opts.cluster and they crowd); drag to pan, wheel
  // to zoom, click an event for its popup, a group to zoom in.
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
    var types = null, groups = [];
    var b = bounds(dataPoints(opts.events, opts.tracks));
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
      view.lon = (b[0] + b[2]) / 2; view.lat = (b[1] + b[3]) / 2;
      k = Math.cos(view.lat * Math.PI / 180);
      view.scale = Math.min(w / Math.max(0.01, (b[2] - b[0]) * Math.max(0.2, k)),
        h / Math.max(0.01, b[3] - b[1])) * 0.9;
    }
    function px(lon, lat) {
      return [w / 2 + (lon - view.lon) * view.scale * Math.max(0.2, k),
        h / 2 - (lat - view.lat) * view.scale];
    }
    function visible(e) { return placed(e) && (!types || types.indexOf(e.type) >= 0); }
    // Events in screen cells of 44 px: [{x, y, members: [i...]}].
    function group() {
      var cells = {}, out = [];
      opts.events.forEach(function (e, i) {
        if (!visible(e)) return;
        var s = px(e.lon, e.lat);
        if (s[0] < -20 || s[1] < -20 || s[0] > w + 20 || s[1] > h + 20) return;
        var key = opts.cluster ? Math.floor(s[0] / 44) + "," + Math.floor(s[1] / 44) : String(i);
        var g = cells[key];
        if (!g) { g = cells[key] = { x: 0, y: 0, members: [] }; out.push(g); }
        g.x += s[0]; g.y += s[1]; g.members.push(i);
      });
      out.forEach(function (g) { g.x /= g.members.length; g.y /= g.members.length; });
      return out;
    }
    function line(c, pts) {
      c.beginPath();
      pts.forEach(function (q, j) {
        var s = px(q[0], q[1]);
        if (j) c.lineTo(s[0], s[1]); else c.moveTo(s[0], s[1]);
      });
    }
    function draw() {
      var dpr = window.devicePixelRatio || 1;
      canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
      canvas.style.width = w + "px"; canvas.style.height = h + "px";
      var c = canvas.getContext("2d");
      c.setTransform(dpr, 0, 0, dpr, 0, 0);
      c.fillStyle = "#cfe2ef"; c.fillRect(0, 0, w, h);
      c.strokeStyle = "rgba(255,255,255,0.6)"; c.lineWidth = 1;
      for (var g = -180; g <= 180; g += 10) { line(c, [[g, -85], [g, 85]]); c.stroke(); }
      for (g = -80; g <= 80; g += 10) { line(c, [[-180, g], [180, g]]); c.stroke(); }
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
      c.lineWidth = 2;
      trackFeatures(opts.tracks).features.forEach(function (f) {
        c.strokeStyle = f.properties.color;
        f.geometry.coordinates.forEach(function (l) { line(c, l); c.stroke(); });
      });
      groups = group();
      groups.forEach(function (gr) {
        c.beginPath();
        if (gr.members.length > 1) {
          var r = 10 + 3 * Math.log(gr.members.length) / Math.LN2;
          c.arc(gr.x, gr.y, r, 0, 2 * Math.PI);
          c.fillStyle = CLUSTER; c.fill();
          c.lineWidth = 2; c.strokeStyle = "#ffffff"; c.stroke();
          c.fillStyle = "#ffffff"; c.font = "bold 11px sans-serif";
          c.textAlign = "center"; c.textBaseline = "middle";
          c.fillText(String(gr.members.length), gr.x, gr.y);
        } else {
          c.arc(gr.x, gr.y, 6, 0, 2 * Math.PI);
          c.fillStyle = color(opts.events[gr.members[0]].type); c.fill();
          c.lineWidth = 1.5; c.strokeStyle = "#ffffff"; c.stroke();
        }
      });
    }
    function showPopup(i) {
      var e = opts.events[i], s = px(e.lon, e.lat);
      pop.textContent = "";
      var close = add(pop, el("button", { type: "button", className: "close", "aria-label": "Close" }, "\u00d7"));
      close.addEventListener("click", function () { pop.hidden = true; });
      pop.appendChild(opts.popup(i));
      pop.style.left = Math.round(Math.min(w - 260, Math.max(0, s[0] + 8))) + "px";
      pop.style.top = Math.round(Math.min(h - 60, Math.max(0, s[1] + 8))) + "px";
      pop.hidden = false;
    }
    function box() {
      var dx = w / 2 / (view.scale * Math.max(0.2, k)), dy = h / 2 / view.scale;
      return viewBox(view.lon - dx, view.lat - dy, view.lon + dx, view.lat + dy);
    }
    function zoomLevel() { return Math.max(0, Math.log(view.scale * 360 / 256) / Math.LN2); }
    function moved() { if (opts.onMove) opts.onMove(box(), zoomLevel()); }
    var drag = null, dragged = false;
    canvas.addEventListener("mousedown", function (ev) {
      drag = [ev.clientX, ev.clientY, view.lon, view.lat]; dragged = false;
    });
    window.addEventListener("mousemove", function (ev) {
      if (!drag) return;
      var dx = ev.clientX - drag[0], dy = ev.clientY - drag[1];
      if (Math.abs(dx) + Math.abs(dy) > 3) dragged = true;
      view.lon = drag[2] - dx / (view.scale * Math.max(0.2, k));
      view.lat = Math.max(-85, Math.min(85, drag[3] + dy / view.scale));
      draw();
    });
    window.addEventListener("mouseup", function () {
      if (drag && dragged) moved();
      drag = null;
    });
    canvas.addEventListener("click", function (ev) {
      if (dragged) return;
      var r = canvas.getBoundingClientRect(), x = ev.clientX - r.left, y = ev.clientY - r.top;
      var best = null, bd = 400;
      groups.forEach(function (g) {
        var d = (g.x - x) * (g.x - x) + (g.y - y) * (g.y - y);
        if (d < bd) { bd = d; best = g; }
      });
      if (!best) { pop.hidden = true; return; }
      if (best.members.length > 1) {
        view.lon += (best.x - w / 2) / (view.scale * Math.max(0.2, k));
        view.lat -= (best.y - h / 2) / view.scale;
        zoom(2);
      } else showPopup(best.members[0]);
    });
    function zoom(f) {
      view.scale = Math.max(0.5, Math.min(20000, view.scale * f));
      draw(); moved();
    }
    canvas.addEventListener("wheel", function (ev) {
      ev.preventDefault(); zoom(ev.deltaY < 0 ? 1.25 : 0.8);
    }, { passive: false });
    zin.addEventListener("click", function () { zoom(1.5); });
    zout.addEventListener("click", function () { zoom(1 / 1.5); });
    window.addEventListener("resize", function () {
      var s = view.scale, lon = view.lon, lat = view.lat;
      fit(); view.scale = s; view.lon = lon; view.lat = lat; draw();
    });
    fit(); draw();
    container.dataset.state = "ready";
    if (!rings.length && opts.note) opts.note.textContent = "This build has no coastline: events are drawn on a plain grid.";
    function refit(pts) {
      if (!pts.length) return;
      b = bounds(pts); fit(); draw();
    }
    return {
      renderer: "canvas",
      setTypes: function (t) { types = t; draw(); },
      show: function (i) {
        var e = opts.events[i];
        if (!e || !placed(e)) return;
        view.lon = e.lon; view.lat = e.lat; draw(); showPopup(i);
      },
      setEvents: function (events, fitIt) {
        opts.events = events; pop.hidden = true;
        if (fitIt) refit(dataPoints(events, [])); else draw();
      },
      setTracks: function (tracks, fitIt) {
        opts.tracks = tracks;
        if (fitIt) refit(dataPoints([], tracks)); else draw();
      },
      box: box,
      zoom: zoomLevel
    };
  }

  // A popup for one event: type, time, vessels.  href(mmsi) gives a link
  // for a vessel (or null), lookup(mmsi) its {name}; more(box) may add to
  // it (the workspace: a link to the event's page).
  function eventPopup(e, lookup, href, more) {
    var box = el("div", { className: "popup" });
    var h = add(box, el("div", { className: "popup-title" }));
    swatch(h, e.type);
    add(h, document.createTextNode(label(e.type)));
    add(box, el("div", {}, iso(e.start) + (e.end !== null && e.end !== e.start ? " \u2192 " + iso(e.end) : "")));
    (e.vessels || []).forEach(function (m) {
      var v = lookup(m), line = add(box, el("div", { className: "popup-vessel" }));
      var text = String(m) + (v && v.name ? " " + v.name : "");
      var link = href(m);
      if (link) add(line, el("a", { href: link }, text));
      else line.textContent = text;
    });
    var evt = evidenceText(e.evidence);
    if (evt) add(box, el("div", { className: "popup-evidence" }, evt));
    add(box, el("div", { className: "note" }, num(e.lat, 4) + ", " + num(e.lon, 4)));
    if (more) more(box);
    return box;
  }

  // ---- timelines: SVG of our own ---------------------------------------------
  var SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) if (has(attrs, k)) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  // An axis under lanes, with ticks on whole hours or days, one for each
  // 130 units of width at most (seven on the report's 1000).
  function axis(s, x, t0, t1, L, R, W, ya) {
    s.appendChild(svg("line", { x1: L, y1: ya, x2: W - R, y2: ya, "class": "axis" }));
    var span = t1 - t0, steps = [3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 864e5, 2 * 864e5, 7 * 864e5, 14 * 864e5, 30 * 864e5, 91 * 864e5, 365 * 864e5];
    var step = steps[steps.length - 1], most = Math.max(2, Math.min(7, Math.floor((W - L - R) / 110)));
    for (var k = 0; k < steps.length; k++) if (span / steps[k] <= most) { step = steps[k]; break; }
    for (var t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
      s.appendChild(svg("line", { x1: x(t), y1: ya, x2: x(t), y2: ya + 5, "class": "axis" }));
      var txt = step < 864e5 ? iso(t).slice(5, 16) : iso(t).slice(0, 10);
      s.appendChild(svg("text", { x: x(t), y: ya + 18, "text-anchor": "middle", "class": "tick" }, txt));
    }
  }
  // A vessel's events by type and its AIS coverage; a click on an event
  // shows it on the map.
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
    axis(s, x, t0, t1, L, R, W, TOP + lanes.length * LANE + 4);
    box.appendChild(s);
  }
  // Who a vessel said it was over time: a lane per name (with its IMO and
  // call sign), a bar per identity from its first to its last report.
  // ids: [{first, last, name, imo, callsign, ...}] (times in ms).
  function identityTimeline(box, ids) {
    var t0 = Infinity, t1 = -Infinity, lanes = [], keys = [];
    ids.forEach(function (d) {
      [d.first, d.last].forEach(function (t) {
        if (t !== null && isFinite(t)) { t0 = Math.min(t0, t); t1 = Math.max(t1, t); }
      });
      var key = displayName(d.name) + (d.imo ? "  IMO " + d.imo : "") + (d.callsign ? "  " + d.callsign : "");
      if (keys.indexOf(key) < 0) { keys.push(key); lanes.push(key); }
      d._lane = keys.indexOf(key);
    });
    if (!isFinite(t0)) { box.textContent = "No identities with times."; return; }
    if (t1 - t0 < 3600000) { t0 -= 1800000; t1 += 1800000; }
    // Drawn at the box's width (it may be half the page's), so that the
    // labels keep their size.
    var W = Math.max(480, Math.round(box.getBoundingClientRect().width) || 1000);
    var L = Math.min(260, Math.round(W * 0.36)), R = 12, LANE = 26, TOP = 8, AX = 34;
    var H = TOP + lanes.length * LANE + AX;
    var s = svg("svg", { viewBox: "0 0 " + W + " " + H, width: "100%", role: "img", "aria-label": "Identities over time", "class": "timeline-svg identity-timeline" });
    function x(t) { return L + (t - t0) / (t1 - t0) * (W - L - R); }
    lanes.forEach(function (name, i) {
      var y = TOP + i * LANE;
      s.appendChild(svg("rect", { x: L, y: y + 2, width: W - L - R, height: LANE - 4, "class": "lane" }));
      var max = Math.floor(L / 7);
      var t = svg("text", { x: L - 6, y: y + LANE / 2 + 4, "text-anchor": "end", "class": "lane-label id-label" }, name.length > max ? name.slice(0, max - 1) + "\u2026" : name);
      t.appendChild(svg("title", {}, name));
      s.appendChild(t);
    });
    ids.forEach(function (d) {
      var a = d.first !== null ? d.first : d.last, z = d.last !== null ? d.last : a;
      if (a === null) return;
      var r = svg("rect", { x: x(a), y: TOP + d._lane * LANE + 5, width: Math.max(4, x(z) - x(a)), height: LANE - 10, rx: 2, "class": "id-bar" });
      r.appendChild(svg("title", {}, displayName(d.name) + ": " + iso(d.first) + " \u2192 " + iso(d.last)));
      s.appendChild(r);
    });
    axis(s, x, t0, t1, L, R, W, TOP + lanes.length * LANE + 4);
    box.appendChild(s);
  }

  window.DFUI = {
    TYPES: TYPES, color: color, label: label, el: el, add: add, isMmsi: isMmsi,
    iso: iso, num: num, hours: hours, displayName: displayName,
    evidenceText: evidenceText, swatch: swatch, reasonItems: reasonItems,
    countTypes: countTypes, buildFilters: buildFilters, placed: placed,
    makeMap: makeMap, eventPopup: eventPopup, timeline: timeline,
    identityTimeline: identityTimeline, TRACK: TRACK, TRACK2: TRACK2
  };
})();
