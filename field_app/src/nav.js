/** Screens are URL hashes, so a reload (offline, from the service worker) lands where the user was. */
export function go(hash) {
  window.location.hash = hash;
}
