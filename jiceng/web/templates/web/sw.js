/* jiceng's service worker (docs/mobile.md), served by Django at /sw.js so that it
   controls the whole site. It keeps the app shell (the report page, its CSS and JS,
   Leaflet) so that the report page opens with no network. It never touches a POST:
   reports written offline wait in the page's outbox (IndexedDB, jiceng/pwa.js). */
"use strict";
const CONFIG = {{ config }};
const STATIC = "jiceng-static-" + CONFIG.version;
const PAGES = "jiceng-pages-" + CONFIG.version;
const MATCH = { ignoreVary: true, ignoreSearch: true };

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(STATIC)
      .then((cache) => cache.addAll(CONFIG.precache))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  const current = [STATIC, PAGES];
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith("jiceng-") && !current.includes(k)).map((k) => caches.delete(k))
      ))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") { return; }  // reports go to the network, or the outbox
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }  // map tiles: the network or nothing
  if (request.mode === "navigate") {
    event.respondWith(page(request, url));
  } else if (url.pathname.startsWith(CONFIG.static_url) || CONFIG.precache.includes(url.pathname)) {
    event.respondWith(asset(request));
  }
});

// Pages: the network first (they change), the cached copy when there is none.
async function page(request, url) {
  try {
    const response = await fetch(request);
    // Only a real page: a redirect to the login page must never stand in for it.
    if (CONFIG.pages.includes(url.pathname) && response.ok && response.type === "basic") {
      const cache = await caches.open(PAGES);
      await cache.put(url.pathname, response.clone());
    }
    return response;
  } catch (offline) {
    const cached = await caches.match(url.pathname, MATCH);
    return cached || offlinePage();
  }
}

// Static files: the cache first; their names (or this worker's version) change with them.
async function asset(request) {
  const cached = await caches.match(request, MATCH);
  if (cached) { return cached; }
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(STATIC);
    await cache.put(request, response.clone());
  }
  return response;
}

function offlinePage() {
  const o = CONFIG.offline;
  const html = `<!doctype html><html lang="zh-hans"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${o.title}</title>
<body style="font:16px/1.6 system-ui,sans-serif;padding:1.5rem"><h1>${o.title}</h1><p>${o.text}</p>
<p><a href="${o.url}">${o.link}</a></p></body></html>`;
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

// The page asks: "warm" (someone logged in: fetch the report page ahead) or "forget"
// (someone logged out: their cached pages go with them).
self.addEventListener("message", (event) => {
  const type = event.data && event.data.type;
  if (type === "warm") { event.waitUntil(warm()); }
  if (type === "forget") { event.waitUntil(caches.delete(PAGES)); }
});

async function warm() {
  const cache = await caches.open(PAGES);
  for (const path of CONFIG.warm) {
    if (await cache.match(path, MATCH)) { continue; }
    try {
      const response = await fetch(path, { credentials: "same-origin", redirect: "manual" });
      if (response.ok && response.type === "basic") { await cache.put(path, response); }
    } catch (offline) {
      // No network now: the next page load asks again.
    }
  }
}
