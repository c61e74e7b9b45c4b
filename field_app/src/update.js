/**
 * Safe updates: a new version's service worker installs in the background and waits; the user is
 * told and chooses when to switch (never in the middle of a signature), then the page reloads once.
 */
export function watchForUpdates(container, banner) {
  container.register('./sw.js', { scope: './' }).then((registration) => {
    const offer = (worker) => {
      banner.hidden = false;
      banner.onclick = () => worker.postMessage({ type: 'skip-waiting' });
    };
    if (registration.waiting && container.controller) offer(registration.waiting);
    registration.addEventListener('updatefound', () => {
      const worker = registration.installing;
      worker.addEventListener('statechange', () => {
        if (worker.state === 'installed' && container.controller) offer(worker);
      });
    });
  });
  let reloaded = false;
  container.addEventListener('controllerchange', () => {
    if (container.controller && banner.hidden === false && !reloaded) {
      reloaded = true;
      window.location.reload();
    }
  });
}
