// The command dashboard: 12-month trend lines on the KPI cards (ECharts) and the map
// (Leaflet): the node's outline, its children, the grid layer when it is installed,
// open cases clustered and a heat layer. Without JavaScript the page still shows every
// number, the trend as a table and the rankings; tiles are optional (blank background).
(function () {
  "use strict";

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    });
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function drawTrends() {
    var source = document.getElementById("dash-trend");
    if (!source || typeof echarts === "undefined") { return; }
    var trend = JSON.parse(source.textContent);
    trend.cards.forEach(function (card) {
      var el = document.querySelector('[data-trend="' + card.key + '"]');
      if (!el) { return; }
      var chart = echarts.init(el, null, { renderer: "svg" });
      var unit = card.percent ? "%" : "";
      chart.setOption({
        animation: false,
        grid: { left: 2, right: 2, top: 4, bottom: 2 },
        tooltip: {
          trigger: "axis",
          valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + unit; }
        },
        xAxis: { type: "category", data: trend.months, show: false, boundaryGap: false },
        yAxis: { type: "value", show: false, scale: true },
        series: [{
          type: "line", data: card.trend, name: card.label, smooth: true, symbolSize: 4,
          lineStyle: { width: 2, color: "#b4232a" }, itemStyle: { color: "#b4232a" },
          areaStyle: { color: "#b4232a", opacity: 0.12 }
        }]
      });
      el.classList.add("drawn");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function drawMap() {
    var el = document.getElementById("dash-map");
    if (!el || typeof L === "undefined") { return; }
    var d = el.dataset;
    // maxZoom on the map itself: the cluster layer needs one, and tiles may be absent.
    var map = L.map(el, { zoomSnap: 0.25, maxZoom: 19 }).setView([39.13, 117.2], 9);
    if (d.tiles) {
      L.tileLayer(d.tiles, { maxZoom: 19, attribution: d.attribution || "" }).addTo(map);
    }
    var control = L.control.layers(null, null, { collapsed: false }).addTo(map);
    var fitted = false;
    function fit(layer) {
      var bounds = layer.getBounds();
      if (!fitted && bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8] }); fitted = true; }
    }
    function failed(err) {
      el.classList.add("failed");
      el.setAttribute("data-error", String(err && err.message || err));
      if (window.console) { console.error("dashboard map:", err); }
    }

    getJSON(d.outline).then(function (data) {
      var layer = L.geoJSON(data, {
        style: { color: "#1d232b", weight: 2.5, fill: false, dashArray: "6 4" }, interactive: false
      }).addTo(map);
      fit(layer);
    }).catch(failed).then(function () {
      // The city-wide grid layer, once installed (gridlayer.js): after the first fit, so
      // its first request is for the node's own view.
      if (d.gridLayer && typeof window.jicengGridLayer === "function") {
        window.jicengGridLayer(map, d.code, {
          url: d.gridLayer,
          gridUrl: d.grid,
          onLoad: function (grids) { el.setAttribute("data-grids", String(grids.count)); }
        });
      }
    });

    getJSON(d.children).then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (f) {
          return f.properties.layer === "child"
            ? { color: "#b4232a", weight: 1.5, fillColor: "#f3c2c0", fillOpacity: 0.25 }
            : { color: "#1f5fa8", weight: 1.2, fillColor: "#a9c8ee", fillOpacity: 0.25 };
        },
        onEachFeature: function (f, lyr) {
          var p = f.properties;
          // A child node opens its own dashboard; a community's grids open their page.
          var href = p.layer === "child" ? d.dashboard.replace("CODE", p.code) : p.url;
          lyr.bindTooltip(p.name);
          lyr.bindPopup(link(href, p.name));
        }
      }).addTo(map);
      fit(layer);
      control.addOverlay(layer, d.labelChildren);
      el.setAttribute("data-children-drawn", String(data.features.length));
    }).catch(failed);

    getJSON(d.cases).then(function (data) {
      drawCases(map, control, d, data);
      el.setAttribute("data-markers", String(data.markers.length));
      el.classList.add("loaded");
    }).catch(failed);
  }

  function drawCases(map, control, d, data) {
    var group = L.markerClusterGroup
      ? L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 45 })
      : L.layerGroup();
    var flags = [d.labelOpen, d.labelYellow, d.labelRed];
    data.markers.forEach(function (m) {
      var icon = L.divIcon({ className: "case-dot f" + m[3], iconSize: [12, 12] });
      var marker = L.marker([m[1], m[0]], { icon: icon, title: m[2] });
      marker.bindPopup(link(d["case"].replace("NUMBER", m[2]), m[2] + " · " + flags[m[3]]));
      group.addLayer(marker);
    });
    group.addTo(map);
    control.addOverlay(group, d.labelCases);
    if (L.heatLayer && data.heat.length) {
      var max = Math.max.apply(null, data.heat.map(function (h) { return h[2]; }));
      var points = data.heat.map(function (h) { return [h[1], h[0], h[2] / max]; });
      var heat = L.heatLayer(points, { radius: 22, blur: 16, max: 1 }).addTo(map);
      control.addOverlay(heat, d.labelHeat);
    }
  }

  drawTrends();
  drawMap();
})();
