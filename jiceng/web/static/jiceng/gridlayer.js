// The grid layer (jiceng/jurisdictions/layers.py, docs/grids.md): every grid under a node,
// fetched as encoded polylines simplified for the zoom bucket, drawn on one canvas.
//
//   var grids = window.jicengGridLayer(map, "120000000000", { url: "/jurisdictions/…/grids.json" });
//
// Coarse buckets come whole and are drawn as one outline path per kind (fast, not
// clickable; whatever lies beneath stays clickable). Detailed buckets come for the visible
// area only, one polygon per grid that opens a popup linking to the grid's page. Answers
// are kept, so zooming back to a bucket seen before needs no request. Needs no tiles.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  // Google's encoded polyline → [[lat, lng], …]; integers are degrees × 10^precision.
  // Arithmetic, not bit operators: at precision 6 a longitude needs more than 31 bits.
  function decode(text, precision) {
    var factor = Math.pow(10, precision), points = [], i = 0, lat = 0, lng = 0;
    function next() {
      var result = 0, scale = 1, chunk;
      do {
        chunk = text.charCodeAt(i++) - 63;
        result += (chunk & 31) * scale;
        scale *= 32;
      } while (chunk >= 32);
      return result % 2 ? -(result + 1) / 2 : result / 2;
    }
    while (i < text.length) {
      lat += next();
      lng += next();
      points.push([lat / factor, lng / factor]);
    }
    return points;
  }

  // One grid's rings (space-separated polylines); drawn with the even-odd rule, so
  // holes and separate parts need no marking.
  function rings(text, precision) {
    return text.split(" ").filter(Boolean).map(function (t) { return decode(t, precision); });
  }

  var STYLES = {
    g: { color: "#1f5fa8", weight: 0.6, opacity: 0.7, fill: false },
    s: { color: "#a86a1f", weight: 1, opacity: 0.9, fillColor: "#f4d7a1", fillOpacity: 0.5 }
  };

  function gridLayer(map, code, options) {
    options = options || {};
    var url = options.url || "/jurisdictions/" + encodeURIComponent(code) + "/grids.json";
    var gridUrl = options.gridUrl || "/g/CODE/";
    var styles = options.styles || STYLES;
    var paneName = options.pane || "jicengGrids";
    var pane = map.getPane(paneName) || map.createPane(paneName);
    pane.style.zIndex = 450; // above the children's polygons (overlay pane, 400)
    var renderer = L.canvas({ pane: paneName, padding: 0.2 });
    var kept = []; // answers already drawn: {zooms, bbox, layer}
    var shown = null, timer = null, inflight = null, pending = null;

    function zoom() { return Math.floor(map.getZoom()); } // as the server counts it

    function fits(entry) {
      var z = zoom();
      if (z < entry.zooms[0] || z > entry.zooms[1]) { return false; }
      return !entry.bbox || entry.bbox.contains(map.getBounds());
    }

    function show(entry) {
      if (shown === entry) { return; }
      if (shown) { map.removeLayer(shown.layer); }
      shown = entry;
      entry.layer.addTo(map);
      // Only detailed grids take clicks; over coarse ones the layers beneath keep them.
      pane.style.pointerEvents = entry.detailed ? "auto" : "none";
    }

    function update() {
      var entry = kept.filter(fits)[0];
      if (entry) { show(entry); return; }
      if (pending === zoom()) { return; } // that answer is on its way; checked again then
      if (inflight) { inflight.abort(); }
      inflight = window.AbortController ? new AbortController() : null;
      pending = zoom();
      var signal = inflight && inflight.signal;
      // A margin saves requests while panning; a huge screen may leave no room for it.
      request(0.1, signal).catch(function (err) {
        if (err.status === 400) { return request(0, signal); }
        throw err;
      }).then(function (data) {
        inflight = null; pending = null;
        keep(draw(data));
        if (options.onLoad) { options.onLoad(data); }
        update(); // the map may have moved on while the answer was coming
      }).catch(function (err) {
        if (err.name === "AbortError") { return; }
        inflight = null; pending = null;
        if (options.onError) { options.onError(err); } else if (window.console) { console.warn("grid layer:", err.message); }
      });
    }

    // Coarse buckets ignore the bbox; detailed ones answer the grids inside it.
    function request(margin, signal) {
      var view = map.getBounds().pad(margin);
      var box = [view.getWest(), view.getSouth(), view.getEast(), view.getNorth()];
      var query = "?z=" + zoom() + "&bbox=" + box.map(function (v) { return v.toFixed(5); }).join(",");
      return fetch(url + query, { credentials: "same-origin", signal: signal }).then(function (r) {
        return r.json().then(function (data) {
          if (r.ok) { return data; }
          var err = new Error(data.error || String(r.status));
          err.status = r.status;
          throw err;
        });
      });
    }

    // Coarse answers (whole node) stay for good; of the detailed ones only the latest.
    function keep(entry) {
      kept = kept.filter(function (e) { return !e.detailed; });
      kept.push(entry);
      show(entry);
    }

    function draw(data) {
      var layer = L.layerGroup(), detailed = Boolean(data.codes);
      var byKind = {};
      for (var i = 0; i < data.rings.length; i++) {
        var kind = styles[data.kinds[i]] ? data.kinds[i] : "g";
        var shape = rings(data.rings[i], data.precision);
        if (detailed) {
          polygon(shape, kind, data.codes[i]).addTo(layer);
        } else {
          (byKind[kind] = byKind[kind] || []).push.apply(byKind[kind], shape);
        }
      }
      Object.keys(byKind).forEach(function (kind) {
        var style = L.extend({ renderer: renderer, interactive: false }, styles[kind]);
        L.polygon(byKind[kind], style).addTo(layer);
      });
      var bbox = data.bbox ? L.latLngBounds([data.bbox[1], data.bbox[0]], [data.bbox[3], data.bbox[2]]) : null;
      return { zooms: data.zooms, bbox: bbox, detailed: detailed, layer: layer };
    }

    function polygon(shape, kind, gridCode) {
      // A click anywhere inside counts (Leaflet tests the rings, not the fill).
      var p = L.polygon(shape, L.extend({ renderer: renderer }, styles[kind]));
      var link = document.createElement("a");
      link.href = gridUrl.replace("CODE", gridCode);
      link.textContent = gridCode;
      p.bindPopup(link);
      return p;
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(update, options.delay || 200);
    }

    map.on("moveend zoomend", schedule);
    schedule(); // not at once: the page may still be settling the map's size and view
    return {
      update: update,
      remove: function () {
        map.off("moveend zoomend", schedule);
        if (inflight) { inflight.abort(); }
        if (shown) { map.removeLayer(shown.layer); }
        kept = []; shown = null;
      }
    };
  }

  gridLayer.decode = decode;
  gridLayer.rings = rings;
  window.jicengGridLayer = gridLayer;
})();
