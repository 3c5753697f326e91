// Roundbook's service worker: keeps the app shell so the tablet starts offline.
//
// - Install: caches every shell file (stamped in by scripts/build-web) under a
//   cache named after the build, then takes over at once.
// - Activate: deletes the caches of older builds and claims open pages; the
//   page then offers "new version, reload".
// - Fetch: shell files cache-first; page navigations get the cached
//   /index.html (the app routes itself); /api/ and /sync always go to the
//   network and are never cached; anything else is left to the browser.
//
// Records never live here: they are in IndexedDB, which this worker does not touch.

const VERSION = "__BUILD_VERSION__";
const SHELL_FILES = __SHELL_FILES__;
const PREFIX = "roundbook-shell-";
const CACHE = PREFIX + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // `reload` skips the HTTP cache, so the shell is this build's files.
      await cache.addAll(SHELL_FILES.map((path) => new Request(path, { cache: "reload" })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith(PREFIX) && name !== CACHE)
          .map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

function isNetworkOnly(url) {
  return url.pathname.startsWith("/api/") || url.pathname === "/sync";
}

async function cacheFirst(request, path) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(path);
  if (cached) return cached;
  return fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || isNetworkOnly(url)) return;
  if (request.mode === "navigate") {
    // Every page of the app is index.html; offline it comes from the cache.
    event.respondWith(
      cacheFirst(request, "/index.html").catch(async () => {
        const cache = await caches.open(CACHE);
        return (await cache.match("/")) || Response.error();
      }),
    );
    return;
  }
  if (SHELL_FILES.includes(url.pathname)) {
    event.respondWith(cacheFirst(request, url.pathname));
  }
});
