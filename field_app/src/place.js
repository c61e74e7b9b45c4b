/** Where the device is, when it can tell (GPS on a tablet); null rather than waiting for ever. */
export function currentPlace(timeoutMs = 10000) {
  if (!('geolocation' in navigator)) return Promise.resolve(null);
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (pos) => resolve({ lon: round7(pos.coords.longitude), lat: round7(pos.coords.latitude) }),
      () => resolve(null), { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60000 });
  });
}

const round7 = (value) => Math.round(value * 1e7) / 1e7;
