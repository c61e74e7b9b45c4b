/**
 * Who is using this device and what it holds: the store, the HTTP client with the device token, the
 * syncer, and the reference data pulled for the user's region (policy pack, labels). The token is kept
 * so the app works offline for days; it says so when the token has expired or was revoked.
 */
import { forgetPulled, getMeta, openStore, record, setMeta } from './db.js';
import { Http } from './http.js';
import { Syncer } from './sync.js';

export const AUTO_SYNC_MS = 60 * 1000;

export async function openSession() {
  const db = await openStore();
  let deviceId = await getMeta(db, 'device_id');
  if (!deviceId) {
    deviceId = `pda-${crypto.randomUUID()}`;
    await setMeta(db, 'device_id', deviceId);
  }
  const auth = await getMeta(db, 'auth');
  const http = new Http({ token: auth && auth.token });
  return { db, http, syncer: new Syncer(db, http), deviceId, auth };
}

/** Log in with network; the answer (token, expiry, role, region, team) is kept on the device. */
export async function logIn(session, username, password) {
  const response = await session.http.request('POST', '/api/auth/token', {
    auth: false, json: { username, password, device_id: session.deviceId } });
  const auth = await response.json();
  const previous = await getMeta(session.db, 'auth');
  if (previous && previous.username !== auth.username) await forgetPulled(session.db);   // not theirs to see
  await setMeta(session.db, 'auth', auth);
  session.http.token = auth.token;
  session.auth = auth;
  return auth;
}


export function tokenExpired(auth, now = Date.now()) {
  return Boolean(auth && auth.expires_at && Date.parse(auth.expires_at) <= now);
}

/** The region's newest policy pack and the label tables, as last pulled. */
export async function reference(db, region) {
  const range = IDBKeyRange.bound(['reference', 'policy:'], ['reference', 'policy:\uffff']);
  const packs = (await db.getAll('records', range)).map((row) => row.data).filter((r) => r.pack.region === region);
  packs.sort((a, b) => b.pack.year - a.pack.year);
  const labels = await record(db, 'reference', 'labels:');
  return { pack: packs.length ? packs[0].pack : null, labels: labels ? labels.labels : null };
}
