// serve.js - the workspace of `darkfleet serve`: the report's pages grown
// into an application over the JSON API of the server it came from
// (cli/serve_api.c), with the report's map, popups, timelines and DOM
// helpers (common.js, window.DFUI).
//
// Views, by the address's hash:
//   #/             vessels ranked by risk with their reasons, searched by
//                  the box in the header; every event on the map
//                  (clustered when many), filtered by type, score and a
//                  time slider, fetched for the part of the world in view;
//                  the top events in view
//   #/vessel/MMSI  a vessel: facts, reasons, who it said it was over time,
//                  its track (fetched again at the map's zoom, or for the
//                  dates asked), its events, the vessels it met
//   #/event/ID     an event: what it was, its evidence, and both vessels'
//                  tracks around it
// It follows a live store: /api/stats is polled (every 5 s, ?poll=MS) and
// a change reloads the list and the map, or offers to on the other views.
//
// Every string from the API (names, call signs, reasons, evidence) goes
// into the page through textContent only (DFUI.el); the ids in the hash
// are checked as digits before they reach a URL.
(function () {
  "use strict";
  var U = window.DFUI, el = U.el, add = U.add, iso = U.iso, num = U.num;
  var label = U.label;
  var pollMs = (function () {
    var m = /(^|[?&])poll=([0-9]{3,6})(&|$)/.exec(location.search);
    return m ? Math.max(200, Number(m[2])) : 5000;
  }());
  var S = { stats: null, gen: null, view: null, changed: false, names: {} };
  window.DARKFLEET_SERVE = S;
  var main = document.getElementById("view");
  var live = document.getElementById("live");
  var qbox = document.getElementById("q");

  // ---- the API -------------------------------------------------------------
  function api(path) {
    return fetch(path, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        return r.json().then(function (j) {
          if (!r.ok) throw new Error(j && j.error ? j.error : "HTTP " + r.status);
          return j;
        });
      });
  }
  function ms(t) {
    if (t === null || t === undefined) return null;
    var v = Date.parse(t);
    return isNaN(v) ? null : v;
  }
  function isoParam(t) { return new Date(t).toISOString().replace(/\.000Z$/, "Z"); }
  function event(e) {
    var o = {};
    for (var k in e) if (Object.prototype.hasOwnProperty.call(e, k)) o[k] = e[k];
    o.start = ms(e.start); o.end = ms(e.end);
    return o;
  }
  function track(points) {
    return (points || []).map(function (p) { return [ms(p[0]), p[1], p[2], p[3], p[4]]; });
  }
  function vesselHref(m) { return U.isMmsi(m) ? "#/vessel/" + String(m) : null; }
  function remember(v) { if (v && U.isMmsi(v.mmsi) && v.name) S.names[v.mmsi] = v.name; }
  function lookup(m) { return S.names[m] ? { name: S.names[m] } : null; }
  function failed(box, err) {
    box.textContent = "";
    add(box, el("p", { className: "error" }, "Could not load: " + (err && err.message || err)));
  }
  function section(parent, title) {
    var s = add(parent, el("section", { "aria-label": title }));
    add(s, el("h2", {}, title));
    return s;
  }
  function factList(parent) {
    var dl = add(parent, el("dl", { className: "facts" }));
    return function (k, v) {
      if (v === "" || v === null || v === undefined) return;
      add(dl, el("dt", {}, k)); add(dl, el("dd", {}, v));
    };
  }
  // A popup's extra: the event's page, and its vessels' names.
  function popupMore(e) {
    return function (box) {
      var p = add(box, el("div", { className: "popup-link" }));
      add(p, el("a", { href: "#/event/" + String(Number(e.id)) }, "Open the event \u2192"));
      api("/api/events/" + String(Number(e.id)) + "?points=2").then(function (d) {
        var lines = box.querySelectorAll(".popup-vessel");
        (d.vessels || []).forEach(function (v, i) {
          remember(v);
          var line = lines[i];
          if (!line || !v.name) return;
          var a = line.querySelector("a") || line;
          a.textContent = String(v.mmsi) + " " + v.name;
        });
      }).catch(function () {});
    };
  }

  // ---- live: the store's summary -----------------------------------------------
  function showLive() {
    var s = S.stats;
    live.textContent = "";
    if (!s) return;
    add(live, el("span", { className: "dot", title: "following the store" }));
    add(live, document.createTextNode(s.store + ": " + s.vessels + " vessels, " + s.events +
      " events" + (s.days ? " over " + s.days + " day" + (s.days === 1 ? "" : "s") : "") +
      "; last write " + iso(ms(s.last_write))));
    if (S.changed) {
      var b = add(live, el("button", { type: "button", className: "refresh" }, "New data: refresh"));
      b.addEventListener("click", function () { S.changed = false; route(); });
    }
  }
  function poll() {
    api("/api/stats").then(function (s) {
      var was = S.gen;
      S.stats = s;
      S.gen = s.generation;
      if (was !== null && was !== s.generation) {
        if (S.view && S.view.refresh) S.view.refresh();
        else S.changed = true;
      }
      showLive();
    }).catch(function (err) {
      live.textContent = "The server did not answer: " + (err && err.message || err);
    }).then(function () { setTimeout(poll, pollMs); });
  }

  // ---- #/ : ranked vessels and the event map ---------------------------------------
  function homeView() {
    main.textContent = "";
    main.className = "split";
    document.title = "darkfleet workspace";
    var left = add(main, el("section", { className: "list-pane", "aria-label": "Ranked vessels" }));
    var head = add(left, el("h2", {}, "Vessels, ranked by risk"));
    var count = add(head, el("span", { className: "count" }));
    var table = add(left, el("table", { id: "vessels", className: "vessels" }));
    var hr = add(add(table, el("thead")), el("tr"));
    ["#", "Score", "MMSI", "Name", "Flag", "Reasons"].forEach(function (h) { add(hr, el("th", {}, h)); });
    var tbody = add(table, el("tbody"));
    var more = add(add(left, el("p")), el("button", { id: "more", type: "button" }, "Show more"));
    more.hidden = true;

    var right = add(main, el("section", { className: "map-pane", "aria-label": "Events on a map" }));
    var filters = add(right, el("div", { id: "filters", className: "filters", role: "group", "aria-label": "Event types" }));
    var controls = add(right, el("div", { className: "controls" }));
    var scoreLab = add(controls, el("label", { className: "control" }, "Score at least "));
    var score = add(scoreLab, el("input", { id: "minscore", type: "range", min: "0", max: "1", step: "0.05", value: "0" }));
    var scoreOut = add(scoreLab, el("output", { "for": "minscore" }, "0"));
    var timeBox = add(controls, el("div", { className: "control time" }));
    add(timeBox, el("span", {}, "Time "));
    var from = add(timeBox, el("input", { id: "from", type: "range", min: "0", max: "0", step: "1", value: "0", "aria-label": "From" }));
    var to = add(timeBox, el("input", { id: "to", type: "range", min: "0", max: "0", step: "1", value: "0", "aria-label": "To" }));
    var timeOut = add(timeBox, el("output", { className: "time-out" }));
    var mapBox = add(right, el("div", { id: "map", className: "map", "data-state": "loading" }));
    var note = add(right, el("p", { id: "mapnote", className: "note" }));
    add(right, el("h2", {}, "Top events in view"));
    var et = add(right, el("table", { id: "top-events", className: "grid" }));
    var ehr = add(add(et, el("thead")), el("tr"));
    ["Score", "Type", "Start", "Vessels", ""].forEach(function (h) { add(ehr, el("th", {}, h)); });
    var ebody = add(et, el("tbody"));

    var f = { q: qbox.value.trim(), offset: 0, types: null, minScore: 0, from: null, to: null, box: null };
    var seqList = 0, seqMap = 0, events = [], fitted = false, t0 = 0, STEP = 3600000;

    // The ranked list.
    function vesselRow(v) {
      remember(v);
      var tr = el("tr", { "data-mmsi": String(v.mmsi) });
      add(tr, el("td", { className: "num" }, v.rank));
      add(tr, el("td", { className: "num score" }, num(v.score, 0)));
      add(add(tr, el("td", { className: "mmsi" })), el("a", { href: vesselHref(v.mmsi) }, v.mmsi));
      var name = add(tr, el("td", { className: "name" }));
      add(name, el("a", { href: vesselHref(v.mmsi) }, U.displayName(v.name)));
      if (v.names && v.names.length) add(name, el("div", { className: "also" }, "also " + v.names.join(", ")));
      add(tr, el("td", {}, v.flag || ""));
      var ul = add(add(tr, el("td", { className: "reasons" })), el("ul"));
      U.reasonItems(ul, v.reasons || [], 3);
      if ((v.reasons || []).length > 3) add(ul, el("li", { className: "note" }, "+ more on its page"));
      return tr;
    }
    function loadList(reset) {
      var my = ++seqList;
      if (reset) f.offset = 0;
      var url = "/api/vessels?limit=50&offset=" + f.offset + (f.q ? "&q=" + encodeURIComponent(f.q) : "");
      return api(url).then(function (d) {
        if (my !== seqList) return;
        if (reset) tbody.textContent = "";
        var frag = document.createDocumentFragment();
        d.vessels.forEach(function (v) { frag.appendChild(vesselRow(v)); });
        tbody.appendChild(frag);
        f.offset = d.offset + d.vessels.length;
        more.hidden = f.offset >= d.total;
        count.textContent = " " + d.total + (f.q ? " matching" : "");
      }).catch(function (err) { if (my === seqList) failed(tbody, err); });
    }
    more.addEventListener("click", function () { loadList(false); });

    // The map.
    var map = U.makeMap({
      container: mapBox, events: [], cluster: true, note: note,
      popup: function (i) { return U.eventPopup(events[i], lookup, vesselHref, popupMore(events[i])); },
      onMove: function (box) { f.box = box; loadMap(); }
    });
    function eventsUrl(withBox) {
      var p = ["brief=1", "sort=score", "limit=5000"];
      if (withBox && f.box) p.push("bbox=" + f.box.map(function (v) { return v.toFixed(4); }).join(","));
      if (f.types) p.push("type=" + f.types.join(","));
      if (f.minScore > 0) p.push("min_score=" + f.minScore);
      if (f.from !== null) p.push("from=" + isoParam(f.from));
      if (f.to !== null) p.push("to=" + isoParam(f.to));
      return "/api/events?" + p.join("&");
    }
    var timer = null;
    function loadMap() {
      clearTimeout(timer);
      mapBox.dataset.pending = "1";
      timer = setTimeout(function () {
        var my = ++seqMap, fit = !fitted;
        if (f.types && !f.types.length) { show({ events: [], total: 0 }, my, false); return; }
        api(eventsUrl(fitted)).then(function (d) { show(d, my, fit); })
          .catch(function (err) { if (my === seqMap) note.textContent = "Could not load the events: " + err.message; });
      }, 120);
    }
    function show(d, my, fit) {
      if (my !== seqMap) return;
      mapBox.dataset.pending = "0";
      events = d.events.map(event);
      fitted = true;
      map.setEvents(events, fit && events.length > 0);
      var placed = events.filter(U.placed).length;
      note.textContent = placed + " events on the map" + (d.total > events.length ? ", the " +
        events.length + " with the highest scores of " + d.total : "") + ".";
      ebody.textContent = "";
      events.slice(0, 15).forEach(function (e) {
        var tr = add(ebody, el("tr", { "data-event": String(e.id) }));
        add(tr, el("td", { className: "num score" }, num(e.score, 2)));
        var td = add(tr, el("td"));
        U.swatch(td, e.type);
        add(td, document.createTextNode(label(e.type)));
        add(tr, el("td", {}, iso(e.start)));
        var vs = add(tr, el("td"));
        (e.vessels || []).forEach(function (m, i) {
          if (i) add(vs, document.createTextNode(", "));
          add(vs, el("a", { href: vesselHref(m) }, S.names[m] ? m + " " + S.names[m] : m));
        });
        add(add(tr, el("td")), el("a", { href: "#/event/" + String(Number(e.id)) }, "open"));
      });
      mapBox.dataset.events = String(events.length);
      main.dataset.state = "ready";
    }

    // Filters: types (with the store's counts), score, time.
    function buildTypes() {
      filters.textContent = "";
      U.buildFilters(filters, (S.stats && S.stats.events_by_type) || {}, function (types) {
        f.types = types.length === filtersCount() ? null : types;
        loadMap();
      });
    }
    function filtersCount() { return filters.querySelectorAll("input").length; }
    score.addEventListener("input", function () {
      f.minScore = Number(score.value);
      scoreOut.textContent = num(f.minScore, 2);
      loadMap();
    });
    function buildTime() {
      var s = S.stats, a = s && ms(s.first_seen), z = s && ms(s.last_seen);
      if (a === null || z === null || z < a) { timeBox.hidden = true; return; }
      t0 = Math.floor(a / STEP) * STEP;
      var n = Math.max(1, Math.ceil((z - t0) / STEP));
      var atEnd = Number(to.value) === Number(to.max);
      from.max = to.max = String(n);
      if (atEnd || f.to === null) to.value = String(n);
      timeBox.hidden = false;
      timeText();
    }
    function timeText() {
      timeOut.textContent = iso(t0 + Number(from.value) * STEP) + " \u2192 " + iso(t0 + Number(to.value) * STEP);
    }
    function onTime(which) {
      if (Number(from.value) > Number(to.value)) {
        if (which === from) to.value = from.value; else from.value = to.value;
      }
      f.from = Number(from.value) > 0 ? t0 + Number(from.value) * STEP : null;
      f.to = Number(to.value) < Number(to.max) ? t0 + Number(to.value) * STEP : null;
      timeText();
      loadMap();
    }
    from.addEventListener("input", function () { onTime(from); });
    to.addEventListener("input", function () { onTime(to); });

    var typing = null;
    function onSearch() {
      clearTimeout(typing);
      typing = setTimeout(function () { f.q = qbox.value.trim(); loadList(true); }, 200);
    }
    S.view = {
      name: "home", map: map,
      search: onSearch,
      refresh: function () { loadList(true); loadMap(); buildTime(); },
      events: function () { return events; }
    };
    window.DARKFLEET_VIEW = { renderer: map.renderer, view: "home" };
    document.body.dataset.view = "home";
    buildTypes();
    buildTime();
    loadList(true);
    loadMap();
    statsReady.then(function () { buildTypes(); buildTime(); });
  }

  // ---- #/vessel/MMSI -------------------------------------------------------------
  function vesselView(mmsi) {
    main.textContent = "";
    main.className = "detail";
    main.dataset.state = "loading";
    document.body.dataset.view = "vessel";
    S.view = { name: "vessel" };
    api("/api/vessels/" + mmsi + "?points=3000").then(function (V) {
      remember(V);
      (V.partners || []).forEach(remember);
      var title = U.displayName(V.name) + " \u2014 MMSI " + V.mmsi;
      document.title = title + " - darkfleet";
      // Who and why on the left, the track on the right; the rest below.
      var cols = add(main, el("div", { className: "split" }));
      var left = add(cols, el("div"));
      var right = add(cols, el("div"));
      var head = add(left, el("div", { className: "title" }));
      add(add(head, el("p", { className: "back" })), el("a", { href: "#/" }, "\u2190 All vessels"));
      add(head, el("h1", { id: "title" }, title));
      var fact = factList(head);
      fact("Risk score", num(V.score, 0));
      fact("Flag", V.flag ? V.flag + (V.mid ? " (MID " + V.mid + ")" : "") : "");
      fact("IMO", V.imo ? String(V.imo) : "");
      fact("Call sign", V.callsign);
      fact("Type", V.shiptype ? V.shiptype + " (" + V.shiptype_text + ")" : "");
      fact("Destination", V.destination);
      fact("Seen", iso(ms(V.first_seen)) + " \u2192 " + iso(ms(V.last_seen)));
      fact("Positions", String(V.positions));

      var rs = section(left, "Why it ranks here");
      var ul = add(rs, el("ul", { id: "reasons", className: "reasons" }));
      U.reasonItems(ul, V.reasons || []);
      if (!(V.reasons || []).length) add(ul, el("li", { className: "note" }, "No risk points."));

      var ids = (V.identities || []).map(function (d) {
        return { first: ms(d.first_seen), last: ms(d.last_seen), name: d.name, imo: d.imo,
          callsign: d.callsign, destination: d.destination, shiptype: d.shiptype,
          length: d.length_m, width: d.width_m, draught: d.draught_m };
      });
      var its = section(left, "Who it said it was");
      U.identityTimeline(add(its, el("div", { id: "identity-timeline", className: "timeline" })), ids);

      var events = (V.events || []).map(event);
      var pts = track(V.track.points);
      var ms1 = section(right, "Track and events");
      var tc = add(ms1, el("div", { className: "controls" }));
      var tf = add(add(tc, el("label", { className: "control" }, "From ")), el("input", { id: "track-from", type: "date" }));
      var tt = add(add(tc, el("label", { className: "control" }, "To ")), el("input", { id: "track-to", type: "date" }));
      var tnote = add(tc, el("span", { className: "note" }));
      var mapBox = add(ms1, el("div", { id: "map", className: "map", "data-state": "loading" }));
      var zoomAsked = null;
      function trackNote(t) {
        tnote.textContent = t.shown + " of " + t.total + " track points" +
          (t.zoom !== null ? " at zoom " + t.zoom : "");
      }
      trackNote(V.track);
      var map = U.makeMap({
        container: mapBox, events: events, tracks: [{ points: pts, color: U.TRACK }],
        popup: function (i) { return U.eventPopup(events[i], lookup, vesselHref, popupMore(events[i])); },
        onMove: function (box, zoom) {
          var z = Math.round(zoom);
          if (zoomAsked === null) { zoomAsked = z; return; }
          if (z !== zoomAsked) { zoomAsked = z; loadTrack(); }
        }
      });
      var seq = 0;
      function loadTrack() {
        var my = ++seq, p = ["points=5000"];
        if (zoomAsked !== null) p.push("zoom=" + Math.max(0, Math.min(24, zoomAsked)));
        if (tf.value) p.push("from=" + encodeURIComponent(tf.value));
        if (tt.value) p.push("to=" + encodeURIComponent(tt.value + "T23:59:59"));
        api("/api/vessels/" + mmsi + "/track?" + p.join("&")).then(function (d) {
          if (my !== seq) return;
          map.setTracks([{ points: track(d.track.points), color: U.TRACK }], false);
          trackNote(d.track);
        }).catch(function (err) { tnote.textContent = "Could not load the track: " + err.message; });
      }
      tf.addEventListener("change", loadTrack);
      tt.addEventListener("change", loadTrack);

      var tls = section(main, "Timeline");
      U.timeline(add(tls, el("div", { id: "timeline", className: "timeline" })),
        { first: ms(V.first_seen), last: ms(V.last_seen) }, events, pts, map);

      var ev = section(main, "Events" + (V.events_total > events.length ? " (the first " + events.length + " of " + V.events_total + ")" : ""));
      var etab = add(ev, el("table", { id: "events", className: "grid" }));
      var ehr = add(add(etab, el("thead")), el("tr"));
      ["Type", "Start", "End", "Hours", "With", "Score", "What", ""].forEach(function (h) { add(ehr, el("th", {}, h)); });
      var eb = add(etab, el("tbody"));
      events.forEach(function (e, i) {
        var tr = add(eb, el("tr", { "data-event": String(e.id) }));
        var td = add(tr, el("td"));
        U.swatch(td, e.type);
        add(td, document.createTextNode(label(e.type) + (e.provisional ? " (open)" : "")));
        add(tr, el("td", {}, iso(e.start)));
        add(tr, el("td", {}, iso(e.end)));
        add(tr, el("td", { className: "num" }, U.hours(e.start, e.end)));
        var w = add(tr, el("td"));
        (e.vessels || []).forEach(function (m) {
          if (String(m) === String(V.mmsi)) return;
          add(w, el("a", { href: vesselHref(m) }, String(m) + (S.names[m] ? " " + S.names[m] : "")));
        });
        add(tr, el("td", { className: "num" }, num(e.score, 2)));
        add(tr, el("td", { className: "evidence" }, e.summary || ""));
        add(add(tr, el("td")), el("a", { href: "#/event/" + String(Number(e.id)) }, "open"));
        tr.addEventListener("click", function (x) {
          if (x.target && x.target.tagName === "A") return;
          map.show(i);
        });
      });

      var ps = section(main, "Vessels it met");
      var ptab = add(ps, el("table", { id: "partners", className: "grid" }));
      var phr = add(add(ptab, el("thead")), el("tr"));
      ["MMSI", "Name", "Encounters", "First met", "Last met"].forEach(function (h) { add(phr, el("th", {}, h)); });
      var pb = add(ptab, el("tbody"));
      (V.partners || []).forEach(function (p) {
        var tr = add(pb, el("tr"));
        add(add(tr, el("td")), el("a", { href: vesselHref(p.mmsi) }, p.mmsi));
        add(tr, el("td", { className: "name" }, p.name));
        add(tr, el("td", { className: "num" }, p.encounters));
        add(tr, el("td", {}, iso(ms(p.first_met))));
        add(tr, el("td", {}, iso(ms(p.last_met))));
      });
      if (!(V.partners || []).length) add(add(pb, el("tr")), el("td", { colspan: "5", className: "note" }, "No encounters."));

      var its2 = section(main, "Identities");
      var itab = add(its2, el("table", { id: "identities", className: "grid" }));
      var ihr = add(add(itab, el("thead")), el("tr"));
      ["First seen", "Last seen", "Name", "IMO", "Call sign", "Destination", "Type", "Size (m)", "Draught (m)"].forEach(function (h) { add(ihr, el("th", {}, h)); });
      var ib = add(itab, el("tbody"));
      ids.forEach(function (d) {
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
      S.view = { name: "vessel", map: map, vessel: V };
      window.DARKFLEET_VIEW = { renderer: map.renderer, view: "vessel" };
      main.dataset.state = "ready";
    }).catch(function (err) { failed(main, err); main.dataset.state = "error"; });
  }

  // ---- #/event/ID ------------------------------------------------------------------
  function eventView(id) {
    main.textContent = "";
    main.className = "detail";
    main.dataset.state = "loading";
    document.body.dataset.view = "event";
    S.view = { name: "event" };
    api("/api/events/" + id + "?points=3000").then(function (d) {
      var e = event(d.event), vs = d.vessels || [];
      vs.forEach(remember);
      var title = label(e.type) + " \u2014 " + iso(e.start);
      document.title = title + " - darkfleet";
      var cols = add(main, el("div", { className: "split" }));
      var left = add(cols, el("div"));
      var right = add(cols, el("div"));
      var head = add(left, el("div", { className: "title" }));
      add(add(head, el("p", { className: "back" })), el("a", { href: "#/" }, "\u2190 All vessels"));
      var h1 = add(head, el("h1", { id: "title" }));
      U.swatch(h1, e.type);
      add(h1, document.createTextNode(title));
      var fact = factList(head);
      fact("Start", iso(e.start));
      fact("End", iso(e.end));
      fact("Hours", U.hours(e.start, e.end));
      fact("Position", U.placed(e) ? num(e.lat, 5) + ", " + num(e.lon, 5) : "");
      fact("Score", num(e.score, 3));
      fact("State", e.provisional ? "still open at the last scan's end" : "final");
      fact("In short", e.summary);

      var vsec = section(left, "Vessels");
      var cards = add(vsec, el("div", { className: "cards" }));
      var colors = [U.TRACK, U.TRACK2];
      vs.forEach(function (v, i) {
        var c = add(cards, el("div", { className: "card", "data-mmsi": String(v.mmsi) }));
        var h = add(c, el("h3"));
        var sw = add(h, el("span", { className: "swatch line" }));
        sw.style.background = colors[i];
        add(h, el("a", { href: vesselHref(v.mmsi) }, U.displayName(v.name)));
        var f2 = factList(c);
        f2("MMSI", String(v.mmsi));
        f2("Risk score", num(v.score, 0));
        f2("Flag", v.flag);
        f2("IMO", v.imo ? String(v.imo) : "");
        f2("Call sign", v.callsign);
        f2("Type", v.shiptype ? v.shiptype + " (" + v.shiptype_text + ")" : "");
        if (v.track) f2("Track shown", iso(ms(d.from)) + " \u2192 " + iso(ms(d.to)) + ", " + v.track.shown + " of " + v.track.total + " points");
      });

      var msec = section(right, "Both tracks around it");
      var mapBox = add(msec, el("div", { id: "map", className: "map", "data-state": "loading" }));
      var tracks = vs.map(function (v, i) {
        return { points: track(v.track ? v.track.points : []), color: colors[i] };
      });
      var map = U.makeMap({
        container: mapBox, events: [e], tracks: tracks,
        popup: function () { return U.eventPopup(e, lookup, vesselHref); }
      });

      var esec = section(main, "Evidence");
      var etab = add(esec, el("table", { id: "evidence", className: "grid kv" }));
      var eb = add(etab, el("tbody"));
      Object.keys(e.evidence || {}).forEach(function (k) {
        var v = e.evidence[k];
        var tr = add(eb, el("tr"));
        add(tr, el("th", {}, k));
        add(tr, el("td", { className: "evidence" }, v !== null && typeof v === "object" ? JSON.stringify(v) : String(v)));
      });
      S.view = { name: "event", map: map, event: d };
      window.DARKFLEET_VIEW = { renderer: map.renderer, view: "event" };
      main.dataset.state = "ready";
    }).catch(function (err) { failed(main, err); main.dataset.state = "error"; });
  }

  // ---- start -------------------------------------------------------------------------
  function route() {
    var h = location.hash, m;
    S.changed = false;
    showLive();
    if ((m = /^#\/vessel\/([0-9]{1,10})$/.exec(h))) vesselView(m[1]);
    else if ((m = /^#\/event\/([0-9]{1,19})$/.exec(h))) eventView(m[1]);
    else homeView();
  }
  document.getElementById("search").addEventListener("submit", function (x) { x.preventDefault(); });
  qbox.addEventListener("input", function () {
    if (S.view && S.view.search) S.view.search();
    else location.hash = "#/";
  });
  window.addEventListener("hashchange", route);
  var statsReady = api("/api/stats").then(function (s) {
    S.stats = s; S.gen = s.generation; showLive();
  }).catch(function () {});
  statsReady.then(function () { setTimeout(poll, pollMs); });
  try {
    route();
  } catch (e) {
    document.body.dataset.error = String(e && e.message || e);
    throw e;
  }
})();
