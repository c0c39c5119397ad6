// app.js - the darkfleet report's pages (index.html and v/<mmsi>.html).
//
// Data comes from script files written by src/report.c beside the pages
// (window.DARKFLEET on the index, window.DARKFLEET_VESSEL on a vessel
// page) and land from assets/land.js (window.DARKFLEET_LAND, Natural Earth
// as GeoJSON): nothing is fetched, so the report works from file:// with no
// network.  The map, the popups, the timeline and the DOM helpers are
// common.js's (window.DFUI), shared with the workspace of `darkfleet
// serve`.  Every string from the data is whatever a transponder or a file
// said: it goes into the page only through textContent and DOM
// properties, never as markup.
(function () {
  "use strict";
  var U = window.DFUI;
  var el = U.el, add = U.add, iso = U.iso, num = U.num, hours = U.hours;
  var label = U.label, displayName = U.displayName;
  var evidenceText = U.evidenceText;
  function vesselHref(prefix, mmsi) {
    return U.isMmsi(mmsi) ? prefix + String(mmsi) + ".html" : "#";
  }
  function eventPopup(e, lookup, prefix) {
    return U.eventPopup(e, lookup, function (m) {
      var v = lookup(m);
      return v && v.page ? vesselHref(prefix, m) : null;
    });
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
      U.reasonItems(ul, v.reasons || [], 4);
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
    var map = U.makeMap({
      container: document.getElementById("map"), events: events,
      note: document.getElementById("mapnote"),
      popup: function (i) { return eventPopup(events[i], function (m) { return byMmsi[m]; }, "v/"); }
    });
    U.buildFilters(document.getElementById("filters"), U.countTypes(events), map.setTypes);
    window.DARKFLEET_VIEW = { renderer: map.renderer, rows: function () { return shown; } };
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
    U.reasonItems(ul, V.reasons || []);
    if (!(V.reasons || []).length) add(ul, el("li", { className: "note" }, "No risk points."));

    function lookup(m) {
      if (String(m) === String(V.mmsi)) return { name: V.name, page: false };
      return Object.prototype.hasOwnProperty.call(others, String(m)) ? others[String(m)] : null;
    }
    var map = U.makeMap({
      container: document.getElementById("map"), events: events, track: track,
      note: document.getElementById("mapnote"),
      popup: function (i) { return eventPopup(events[i], lookup, ""); }
    });
    U.buildFilters(document.getElementById("filters"), U.countTypes(events), map.setTypes);

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
      U.swatch(td, e.type);
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

    U.timeline(document.getElementById("timeline"), V, events, track, map);
    window.DARKFLEET_VIEW = { renderer: map.renderer };
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
