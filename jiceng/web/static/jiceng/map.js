// Draws a GeoJSON layer on a Leaflet map. Tiles are optional: with no tile URL, or no
// network to reach it, the polygons still render on a blank background.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") { return; }
  var map = L.map(el, { preferCanvas: false, zoomSnap: 0.25 });
  var tiles = el.dataset.tiles;
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  var styles = {
    child: { color: "#b4232a", weight: 1.5, fillColor: "#f3c2c0", fillOpacity: 0.35 },
    general: { color: "#1f5fa8", weight: 1.2, fillColor: "#a9c8ee", fillOpacity: 0.35 },
    special: { color: "#a86a1f", weight: 2, dashArray: "4 3", fillColor: "#f4d7a1", fillOpacity: 0.5 }
  };
  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (f) { return styles[f.properties.layer] || styles.general; },
        onEachFeature: function (f, lyr) {
          var p = f.properties;
          var link = document.createElement("a");
          link.href = p.url; link.textContent = p.name + " (" + p.code + ")";
          lyr.bindTooltip(p.name);
          lyr.bindPopup(link);
        }
      }).addTo(map);
      var bounds = layer.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8] }); } else { map.setView([39.13, 117.2], 9); }
      // Every grid under a big node, as the compact layer that follows the zoom.
      if (el.dataset.gridLayer && window.jicengGridLayer) {
        window.jicengGridLayer(map, el.dataset.gridCode, {
          url: el.dataset.gridLayer,
          gridUrl: el.dataset.gridUrl,
          onLoad: function (grids) { el.dataset.grids = String(grids.count); }
        });
      }
      el.dataset.features = String(data.features.length);
      el.classList.add("loaded");
    })
    .catch(function (err) {
      el.classList.add("failed");
      el.textContent = "地图数据加载失败：" + err.message;
    });
})();
