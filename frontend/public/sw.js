// Roundbook's service worker: keeps the app shell so the tablet starts offline,
// and lets a new build in only when the user agrees.
//
// Each build is one cache, `roundbook-shell-<version>`, holding exactly that
// build's files: index.html, the manifest and icons, and the code under
// /app/<version>/ (names no other build uses; scripts/build-web).
//
// - Install: fetches every file of this build into its cache, all or
//   nothing, and checks that the index.html it got names this build (a
//   server replaced mid-install fails the install; the next check tries
//   again). The build's own files (/app/<version>/) may come from the HTTP
//   cache: their names are never reused and the server lets browsers keep
//   them, and the page registers this worker only once the app has started
//   (index.html), so on a first visit the wasm the page just downloaded is
//   cached from the browser's copy, not downloaded a second time. The other
//   shell files (index.html, the manifest, the icons) bypass the HTTP cache. The very first install takes over at once; an update
//   waits until a page asks it to (`skip-waiting`, when the user taps
//   "reload" on the "new version" offer) or until no page of the old build
//   is open.
// - Activate: claims the open pages, then prunes: deletes the caches of the
//   builds no open page runs. A page announces its build (`page`, from
//   index.html); an old page that stays open keeps its build's files.
// - Fetch: navigations get this build's cached /index.html (the app routes
//   itself); /app/<version>/ files come from whichever build's cache holds
//   them (an older page still open gets its own build's files); other shell
//   files cache-first; /api/ and /sync always go to the network and are
//   never cached; anything else is left to the browser.
//
// Records never live here: they are in IndexedDB, which this worker does not touch.

const VERSION = "__BUILD_VERSION__";
const SHELL_FILES = __SHELL_FILES__;
const PREFIX = "roundbook-shell-";
const CACHE = PREFIX + VERSION;
// Which build each open page runs: entries /page/<client id> -> version.
const PAGES = "roundbook-pages";

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        // `reload` skips the HTTP cache, so the shell is this build's files;
        // a build's own files are this build's wherever they come from.
        await cache.addAll(
          SHELL_FILES.map(
            (path) => new Request(path, { cache: path.startsWith(`/app/${VERSION}/`) ? "default" : "reload" }),
          ),
        );
        for (const page of ["/", "/index.html"]) {
          const text = await (await cache.match(page)).text();
          if (!text.includes(`/app/${VERSION}/`)) {
            throw new Error(`${page} is not build ${VERSION}: the server changed during the install`);
          }
        }
      } catch (error) {
        await caches.delete(CACHE);
        throw error;
      }
      // No page runs an older build under this registration: nothing to break.
      if (!self.registration.active) await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      await self.clients.claim();
      await prune();
    })(),
  );
});

self.addEventListener("message", (event) => {
  const message = event.data || {};
  if (message.type === "skip-waiting") {
    // The user accepted the new version; the page reloads on controllerchange.
    event.waitUntil(self.skipWaiting());
  } else if (message.type === "page" && event.source && typeof message.build === "string") {
    event.waitUntil(notePage(event.source.id, message.build).then(prune));
  }
});

const pageKey = (clientId) => `/page/${encodeURIComponent(clientId)}`;

async function notePage(clientId, build) {
  const pages = await caches.open(PAGES);
  await pages.put(pageKey(clientId), new Response(build));
}

/**
 * Deletes the caches of builds no open page runs (never this build's). Does
 * nothing while a newer worker installs or waits: its cache is not in use yet
 * and must stay.
 */
async function prune() {
  if (self.registration.installing || self.registration.waiting) return;
  const open = new Set(
    (await self.clients.matchAll({ type: "window", includeUncontrolled: true })).map((client) => client.id),
  );
  const pages = await caches.open(PAGES);
  const inUse = new Set([VERSION]);
  for (const request of await pages.keys()) {
    const clientId = decodeURIComponent(new URL(request.url).pathname.slice("/page/".length));
    if (open.has(clientId)) {
      const entry = await pages.match(request);
      if (entry) inUse.add(await entry.text());
    } else {
      await pages.delete(request);
    }
  }
  const names = await caches.keys();
  await Promise.all(
    names
      .filter((name) => name.startsWith(PREFIX) && !inUse.has(name.slice(PREFIX.length)))
      .map((name) => caches.delete(name)),
  );
}

/** The server's own pages and endpoints: never the app shell, never cached. */
const SERVER_PATHS = ["/sync", "/install", "/ca.crt", "/healthz", "/metrics"];

function isNetworkOnly(url) {
  return url.pathname.startsWith("/api/") || SERVER_PATHS.includes(url.pathname);
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
  if (url.pathname.startsWith("/app/")) {
    // A build's own file, from any build's cache: an older page still open
    // finds its files even after the server moved on.
    event.respondWith(
      (async () => (await caches.match(url.pathname, { cacheName: CACHE })) ||
        (await caches.match(url.pathname)) ||
        fetch(request))(),
    );
    return;
  }
  if (SHELL_FILES.includes(url.pathname)) {
    event.respondWith(cacheFirst(request, url.pathname));
  }
});
