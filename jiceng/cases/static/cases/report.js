// The report page on a phone: a map to drop a pin, the device's GPS, a keyword search over
// the catalogue, and sending through the outbox (jiceng/pwa.js) when there is no network.
// Without this script the page is a plain form that still works.
(function () {
  "use strict";
  var form = document.getElementById("report");
  if (!form) { return; }
  var field = function (name) { return form.elements.namedItem(name); };
  var notice = document.getElementById("report-notice");
  var errors = document.getElementById("report-errors");

  // Every report gets its own key (a cached copy of this page would otherwise reuse the
  // server's): the same key twice is one case, however often the phone sends it.
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 version 4
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  if (field("client_key")) { field("client_key").value = newKey(); }

  function json(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // --- where: the map and the GPS -------------------------------------------------------

  var mapEl = document.getElementById("report-map");
  var map = null, pin = null;

  function setPoint(lat, lng, pan) {
    field("lng").value = lng.toFixed(6);
    field("lat").value = lat.toFixed(6);
    field("crs").value = "wgs84";  // the map and navigator.geolocation both speak WGS84
    if (!map) { return; }
    if (pin) { pin.setLatLng([lat, lng]); } else {
      pin = L.circleMarker([lat, lng], { radius: 9, color: "#b4232a", weight: 3, fillOpacity: 0.6 }).addTo(map);
    }
    if (pan) { map.setView([lat, lng], Math.max(map.getZoom(), 16)); }
  }

  function drawMap() {
    if (!mapEl || typeof L === "undefined") { return; }
    mapEl.hidden = false;
    map = L.map(mapEl, { zoomSnap: 0.25 });
    if (mapEl.dataset.tiles) {
      // Tiles are a bonus: offline, or with no tile server reachable, the grids still show.
      L.tileLayer(mapEl.dataset.tiles, { maxZoom: 19, attribution: mapEl.dataset.attribution || "" }).addTo(map);
    }
    var grids = L.geoJSON(json("report-grids") || { type: "FeatureCollection", features: [] }, {
      style: { color: "#1f5fa8", weight: 1.5, fillColor: "#a9c8ee", fillOpacity: 0.3 },
      onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name); }
    }).addTo(map);
    var bounds = grids.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8] }); } else { map.setView([39.13, 117.2], 11); }
    mapEl.dataset.grids = String(grids.getLayers().length);
    mapEl.title = mapEl.dataset.hint || "";
    map.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, false); });
    grids.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, false); });
    var lng = parseFloat(field("lng").value), lat = parseFloat(field("lat").value);
    if (!isNaN(lng) && !isNaN(lat) && field("crs").value === "wgs84") { setPoint(lat, lng, false); }
    mapEl.classList.add("loaded");
  }

  function useGps() {
    var button = document.getElementById("use-gps");
    var status = document.getElementById("gps-status");
    if (!button || !navigator.geolocation) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = status.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (position) {
        var c = position.coords;
        setPoint(c.latitude, c.longitude, true);
        status.textContent = status.dataset.located.replace("{m}", Math.round(c.accuracy || 0));
      }, function () {
        status.textContent = status.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  // --- what: searching the catalogue by keyword -----------------------------------------

  function searchCategories() {
    var box = form.querySelector(".category-search");
    var select = field("category");
    var catalogue = json("report-catalogue");
    if (!box || !select || !catalogue) { return; }
    box.hidden = false;
    var input = document.getElementById("category-search");
    var results = document.getElementById("category-results");
    var haystack = catalogue.map(function (c) {
      return [c.code, c.name, c.group, c.keywords].join(" ").toLowerCase();
    });
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      results.textContent = "";
      if (!words.length) { return; }
      var found = catalogue.filter(function (c, i) {
        return words.every(function (w) { return haystack[i].indexOf(w) >= 0; });
      }).slice(0, 12);
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "hint";
        none.textContent = results.dataset.none;
        results.appendChild(none);
      }
      found.forEach(function (c) {
        var li = document.createElement("li");
        var pick = document.createElement("button");
        pick.type = "button";
        pick.className = "button";
        pick.dataset.code = c.code;
        pick.textContent = c.name + "（" + c.group + "）";
        pick.addEventListener("click", function () {
          select.value = c.code;
          input.value = c.name;
          results.textContent = "";
        });
        li.appendChild(pick);
        results.appendChild(li);
      });
    });
  }

  // --- 自处置: the after-photo only matters when solved on the spot ----------------------

  function selfResolved() {
    var box = field("self_resolved"), after = document.getElementById("after-photos");
    if (!box || !after) { return; }
    var show = function () { after.hidden = !box.checked; };
    box.addEventListener("change", show);
    show();
  }

  // --- sending ---------------------------------------------------------------------------

  function say(text, kind) {
    notice.textContent = text;
    notice.className = "notice " + (kind || "");
    notice.hidden = !text;
  }

  function summary() {
    var select = field("category");
    var option = select && select.selectedOptions[0];
    return {
      category: option && option.value ? option.textContent.trim() : "",
      text: (field("description").value || "").slice(0, 40)
    };
  }

  function startOver() {
    form.reset();
    field("client_key").value = newKey();
    if (pin) { map.removeLayer(pin); pin = null; }
    selfResolved();
    window.scrollTo(0, 0);
  }

  // Offline, or the network failed on the way: the report waits on the phone, and the
  // outbox above the form says so, with how many are waiting.
  function keep(reason) {
    return window.jiceng.outbox.add(form, summary()).then(function () {
      say(reason || "", "saved");
      startOver();
    }, function () {
      say(form.dataset.unsaved, "error");  // no room on the phone, or a private window
    });
  }

  function refused(answer, status) {
    say("", "");
    errors.textContent = "";
    var p = document.createElement("p");
    p.className = "msg error";
    p.textContent = answer.error || form.dataset.refused + "（HTTP " + status + "）";
    errors.appendChild(p);
    errors.scrollIntoView();
  }

  function submit(event) {
    var outbox = window.jiceng && window.jiceng.outbox;
    if (!outbox || !window.fetch || !window.indexedDB) { return; }  // the plain form post
    event.preventDefault();
    if (navigator.onLine === false) { keep(); return; }
    say(form.dataset.sending, "");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": outbox.cookie("csrftoken") }
    }).then(function (response) {
      if (response.redirected && outbox.isLogin(response.url)) {
        return keep(form.dataset.login);
      }
      if (response.ok) {
        return response.json().then(function (answer) { location.assign(answer.url); });
      }
      if (response.status >= 500) { return keep(); }
      return response.json().catch(function () { return {}; }).then(function (answer) {
        refused(answer, response.status);
      });
    }, function () { return keep(); });
  }

  drawMap();
  useGps();
  searchCategories();
  selfResolved();
  form.addEventListener("submit", submit);
})();
