// The installable app (docs/mobile.md): registers the service worker that keeps the app
// shell offline, and keeps the outbox of reports written with no connection. Each queued
// report carries its client key, so sending it again after a lost answer makes no second
// case; it leaves the outbox only when the server answered 2xx.
(function () {
  "use strict";
  var script = document.currentScript;
  var conf = {
    sw: script.dataset.sw,
    login: script.dataset.login,
    logout: script.dataset.logout,
    user: script.dataset.user || ""
  };
  var DB_NAME = "jiceng", STORE = "outbox";
  var flushing = null;

  // --- IndexedDB ------------------------------------------------------------------------

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function mine() {
    // Reports stay with the person who wrote them: another login on the same phone
    // neither sees nor sends them.
    return withStore("readonly", function (store) { return store.getAll(); })
      .then(function (all) { return all.filter(function (r) { return r.user === conf.user; }); });
  }

  function save(record) { return withStore("readwrite", function (s) { return s.put(record); }); }
  function remove(id) { return withStore("readwrite", function (s) { return s.delete(id); }); }

  // --- the outbox -----------------------------------------------------------------------

  function entriesOf(form) {
    var entries = [];
    new FormData(form).forEach(function (value, name) {
      // The page's CSRF token may be stale by the time the report is sent (a new login
      // rotates it): the header carries the current cookie instead.
      if (name === "csrfmiddlewaretoken") { return; }
      if (value instanceof Blob) {
        if (!value.size) { return; }  // an empty file input
        entries.push({ name: name, file: value, filename: value.name || "photo.jpg" });
      } else {
        entries.push({ name: name, value: value });
      }
    });
    return entries;
  }

  function add(form, summary) {
    var record = {
      user: conf.user,
      url: form.action,
      entries: entriesOf(form),
      summary: summary,
      savedAt: new Date().toISOString(),
      state: "",
      error: ""
    };
    return save(record).then(render);
  }

  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (c) { return c.indexOf(name + "=") === 0; })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  function isLogin(url) {
    return !!conf.login && new URL(url, location.href).pathname === conf.login;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": cookie("csrftoken") }
    });
  }

  function bodyOf(record) {
    var data = new FormData();
    record.entries.forEach(function (e) {
      if (e.file) { data.append(e.name, e.file, e.filename); } else { data.append(e.name, e.value); }
    });
    return data;
  }

  // One report: "sent", "offline" (stop, try later), "login" (stop until the user logs in
  // again), "refused" (4xx: kept with the server's reason) or "retry" (5xx).
  function send(record, texts) {
    return post(record.url, bodyOf(record)).then(function (response) {
      if (response.redirected && isLogin(response.url)) {
        return mark(record, "login", texts.login);
      }
      if (response.ok) {
        return remove(record.id).then(function () { return "sent"; });
      }
      if (response.status >= 500) {
        return mark(record, "retry", texts.server);
      }
      return response.json().catch(function () { return {}; }).then(function (answer) {
        var reason = answer.error || texts.refused + "（HTTP " + response.status + "）";
        return mark(record, "refused", reason);
      });
    }, function () { return "offline"; });
  }

  function mark(record, state, error) {
    record.state = state;
    record.error = error;
    return save(record).then(function () { return state; });
  }

  function sendAll(everything) {
    var texts = messages(document.querySelector("[data-outbox]"));
    return mine().then(function (records) {
      var queue = records.filter(function (r) { return everything || r.state !== "refused"; });
      var next = function () {
        var record = queue.shift();
        if (!record) { return "done"; }
        return send(record, texts).then(function (result) {
          return result === "offline" || result === "login" ? result : next();
        });
      };
      return next();
    });
  }

  // Send what is queued; one sender at a time across the phone's tabs (Web Locks), and
  // the server's client-key check makes a second sender harmless where locks are missing.
  function flush(everything) {
    if (!conf.user || !window.indexedDB || navigator.onLine === false) { return render(); }
    if (flushing) { return flushing; }
    var run = function () { return sendAll(everything); };
    var locked = navigator.locks && navigator.locks.request
      ? navigator.locks.request("jiceng-outbox", run)
      : run();
    flushing = Promise.resolve(locked).catch(function () {}).then(function (result) {
      flushing = null;
      return render().then(function () { return result; });
    });
    return flushing;
  }

  // --- showing it -----------------------------------------------------------------------

  function messages(box) {
    var d = (box && box.dataset) || {};
    return {
      pending: d.pending || "已保存在手机上，联网后自动发送（{n} 条待发送）",
      login: d.login || "请重新登录后发送",
      server: d.server || "服务器暂时出错，稍后自动重试",
      refused: d.refused || "服务器拒绝了这条上报",
      remove: d.delete || "删除",
      send: d.send || "立即发送",
      untitled: d.untitled || "未选类别"
    };
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function item(record, texts) {
    var li = el("li", record.state ? "outbox-item " + record.state : "outbox-item");
    var summary = record.summary || {};
    li.appendChild(el("b", "", summary.category || texts.untitled));
    li.appendChild(el("span", "", " " + (summary.text || "")));
    li.appendChild(el("time", "", new Date(record.savedAt).toLocaleString()));
    if (record.error) {
      li.appendChild(el("p", "outbox-error", record.error));
    }
    if (record.state === "refused") {
      var drop = el("button", "button", texts.remove);
      drop.type = "button";
      drop.addEventListener("click", function () { remove(record.id).then(render); });
      li.appendChild(drop);
    }
    return li;
  }

  function draw(box, records) {
    var texts = messages(box);
    box.hidden = records.length === 0;
    box.querySelector(".outbox-notice").textContent = texts.pending.replace("{n}", records.length);
    var list = box.querySelector(".outbox-list");
    list.textContent = "";
    records.forEach(function (r) { list.appendChild(item(r, texts)); });
    var old = box.querySelector(".outbox-send");
    if (old) { old.remove(); }
    if (records.length && navigator.onLine !== false) {
      var again = el("button", "button outbox-send", texts.send);
      again.type = "button";
      again.addEventListener("click", function () { flush(true); });
      box.appendChild(again);
    }
  }

  function render() {
    if (!window.indexedDB || !conf.user) { return Promise.resolve(0); }
    return mine().then(function (records) {
      document.querySelectorAll("[data-outbox]").forEach(function (box) { draw(box, records); });
      document.dispatchEvent(new CustomEvent("jiceng:outbox", { detail: { count: records.length } }));
      return records.length;
    }, function () { return 0; });
  }

  window.jiceng = window.jiceng || {};
  window.jiceng.outbox = { add: add, flush: flush, render: render, isLogin: isLogin, cookie: cookie };

  // --- the service worker ---------------------------------------------------------------

  function tellWorker(message) {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) { registration.active.postMessage(message); }
    });
  }

  if ("serviceWorker" in navigator && conf.sw) {
    navigator.serviceWorker.register(conf.sw, { scope: "/" }).catch(function () {});
    // Logged in: keep the report page cached for the next time there is no network.
    // Logged out: forget cached pages, they belong to the person who left.
    tellWorker({ type: conf.user ? "warm" : "forget" });
  }
  document.addEventListener("submit", function (event) {
    var action = event.target.getAttribute("action");
    if (conf.logout && action && new URL(action, location.href).pathname === conf.logout) {
      tellWorker({ type: "forget" });
    }
  });

  window.addEventListener("online", function () { flush(false); });
  window.addEventListener("offline", render);
  flush(false);
})();
