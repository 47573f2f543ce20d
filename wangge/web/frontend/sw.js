// The service worker of the grid worker's phone (scope "/"), served at /sw.js by
// wangge.fieldwork.views.service_worker, which puts its settings in front of this file:
//
//   self.WANGGE_SW = {
//     version,   // changes whenever app.js, app.css or this file change
//     precache,  // the app shell: app.js, app.css, the manifest, its icons, the offline page
//     pages,     // regular expressions of the paths kept for offline use once visited
//     offline,   // the page shown for a page never visited while online
//     timeout,   // milliseconds a page may take before the kept copy is shown
//   };
//
// Pages: network first, the answer kept; without a network (or past the timeout) the kept copy.
// The app shell: from the cache.  Anything else (the API, posts, other pages) is not touched:
// what a worker records offline waits in the outbox (outbox.js), not here.

const CONFIG = self.WANGGE_SW || { version: "dev", precache: [], pages: [], offline: "" };
const SHELL = `wangge-shell-${CONFIG.version}`;
const STATIC = `wangge-static-${CONFIG.version}`;
// Kept across versions (a new deployment must not empty a phone that is offline); emptied at
// logout and on the login page (the copies belong to the user who saw them).
const PAGES = "wangge-pages";
const PAGE_PATTERNS = (CONFIG.pages || []).map((source) => new RegExp(source));
const TIMEOUT = CONFIG.timeout || 6000;

function sameOrigin(url) {
  return url.origin === self.location.origin;
}

function isKeptPage(url) {
  return sameOrigin(url) && PAGE_PATTERNS.some((pattern) => pattern.test(url.pathname));
}

// Only a page the user really got: not an error, not the login page after a redirect.
function keepable(response) {
  return Boolean(response) && response.ok && !response.redirected && response.type === "basic";
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      // The shell is public: no cookies needed (the offline page shows nobody's data).
      await cache.addAll(CONFIG.precache.map((url) => new Request(url, { credentials: "omit" })));
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
          .filter((name) => name.startsWith("wangge-") && name !== PAGES)
          .filter((name) => name !== SHELL && name !== STATIC)
          .map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

async function fromCache(request) {
  const pages = await caches.open(PAGES);
  // ignoreVary: the copy was made for this browser's user and language whatever it asked with.
  return (
    (await pages.match(request, { ignoreVary: true })) ||
    (await pages.match(request, { ignoreVary: true, ignoreSearch: true })) ||
    (await caches.match(request, { cacheName: SHELL, ignoreVary: true }))
  );
}

async function page(event) {
  const request = event.request;
  const network = fetch(request).then(async (response) => {
    if (keepable(response)) {
      const copy = response.clone();
      // Allowed here: the waitUntil below still holds the event open.
      event.waitUntil(caches.open(PAGES).then((cache) => cache.put(request, copy)));
    }
    return response;
  });
  // The worker stays up until the copy is stored, also when the kept copy answered first;
  // a failure is handled below, or no longer matters.
  event.waitUntil(network.catch(() => undefined));
  // A kept copy is shown when the network does not answer in time; the network's answer
  // still refreshes the copy for next time.
  const timer = new Promise((resolve) => setTimeout(resolve, TIMEOUT, "timeout"));
  try {
    const first = await Promise.race([network, timer]);
    if (first !== "timeout") return first;
    const kept = await fromCache(request);
    return kept || (await network);
  } catch (error) {
    const kept = await fromCache(request);
    if (kept) return kept;
    if (request.mode === "navigate" && CONFIG.offline) {
      const offline = await caches.match(CONFIG.offline, { cacheName: SHELL });
      if (offline) return offline;
    }
    throw error;
  }
}

async function asset(event) {
  const request = event.request;
  const shell = await caches.match(request, {
    cacheName: SHELL,
    ignoreSearch: true,
    ignoreVary: true,
  });
  if (shell) return shell;
  try {
    const response = await fetch(request);
    if (keepable(response)) {
      const copy = response.clone();
      event.waitUntil(caches.open(STATIC).then((cache) => cache.put(request, copy)));
    }
    return response;
  } catch (error) {
    const kept = await caches.match(request, { cacheName: STATIC, ignoreVary: true });
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  // htmx asks for parts of pages: kept copies are whole pages only.
  if (request.method !== "GET" || request.headers.has("HX-Request")) return;
  const url = new URL(request.url);
  if (!sameOrigin(url)) return;
  if (CONFIG.precache.includes(url.pathname) || url.pathname.startsWith(CONFIG.static || "/static/")) {
    event.respondWith(asset(event));
  } else if (isKeptPage(url)) {
    event.respondWith(page(event));
  }
});

// Pages ask: "keep these pages for offline use" (the worker's today list and what it links to),
// and "forget the kept pages" (logout, login page).
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "warm" && Array.isArray(data.urls)) {
    event.waitUntil(warm(data.urls));
  } else if (data.type === "forget") {
    event.waitUntil(caches.delete(PAGES));
  }
});

async function warm(urls) {
  const cache = await caches.open(PAGES);
  for (const href of urls.slice(0, 50)) {
    const url = new URL(href, self.location.origin);
    if (!isKeptPage(url)) continue;
    try {
      const response = await fetch(url.href, { credentials: "same-origin" });
      if (keepable(response)) await cache.put(url.href, response);
    } catch (error) {
      return; // offline: try again another time
    }
  }
}
