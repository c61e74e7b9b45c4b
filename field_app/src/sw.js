/**
 * The service worker: precaches the app shell of this build (the list and version are written by
 * build.mjs) so the app opens with no network; answers navigations with the cached shell; leaves
 * /api and /sync to the network (the app keeps its own data in IndexedDB). Old caches go when a new
 * version activates, which happens only when the user accepts the update.
 */
const VERSION = '__VERSION__';
const SHELL = __SHELL__;
const CACHE = `yekuo-field-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    await (await caches.open(CACHE)).addAll(SHELL);
    if (!self.registration.active) self.skipWaiting();      // the first install has nothing to replace
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith('yekuo-field-') && n !== CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith(new URL(self.registration.scope).pathname)) return;
  if (event.request.mode === 'navigate') {
    event.respondWith(caches.match('./', { cacheName: CACHE }).then((shell) => shell || fetch(event.request)));
    return;
  }
  event.respondWith(caches.match(event.request, { cacheName: CACHE }).then((hit) => hit || fetch(event.request)));
});
