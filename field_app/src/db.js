/**
 * The device's own store: IndexedDB through `idb`.
 *
 * Four object stores, one job each:
 * - `queue`   every op the user made, keyed by its `seq`; `status` is pending until the server answers.
 * - `records` what the last pulls delivered (tickets and reference data), keyed by [entity, entity_id].
 * - `blobs`   bytes made on the device (photos, signature strokes) until the server has them all.
 * - `meta`    small facts: the token, the user, the device id, the pull cursor, the last seq.
 * Nothing typed is kept only in memory: a closed tab or a restart finds it all here.
 */
import { openDB } from 'idb';

export const DB_NAME = 'yekuo-field';
const VERSION = 1;

export function openStore(name = DB_NAME) {
  return openDB(name, VERSION, {
    upgrade(db) {
      const queue = db.createObjectStore('queue', { keyPath: 'seq' });
      queue.createIndex('status', 'status');
      queue.createIndex('entity_id', 'op.entity_id');
      const records = db.createObjectStore('records', { keyPath: ['entity', 'entity_id'] });
      records.createIndex('entity', 'entity');
      db.createObjectStore('blobs', { keyPath: 'hex' });
      db.createObjectStore('meta');
    },
  });
}

export async function getMeta(db, key, fallback = null) {
  const value = await db.get('meta', key);
  return value === undefined ? fallback : value;
}

export function setMeta(db, key, value) {
  return db.put('meta', value, key);
}

export async function records(db, entity) {
  return (await db.getAllFromIndex('records', 'entity', entity)).map((row) => row.data);
}

export async function record(db, entity, entityId) {
  const row = await db.get('records', [entity, entityId]);
  return row ? row.data : null;
}
