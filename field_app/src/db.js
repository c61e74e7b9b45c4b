/**
 * The device's own store: IndexedDB through `idb`.
 *
 * Four object stores, one job each:
 * - `queue`   every op the user made, keyed by its `seq`; `status` is pending until the server answers.
 * - `records` what the last pulls delivered (tickets and reference data), keyed by [entity, entity_id].
 * - `blobs`   bytes made on the device (photos, signature strokes) until the server has them all.
 * - `meta`    small facts: the token, the user, the device id, the pull cursor, the last seq.
 * - `rows`    one small row per pulled ticket (what the work list shows and searches), kept beside
 *             `records` in the same transactions, so the list opens without reading whole tickets.
 * Nothing typed is kept only in memory: a closed tab or a restart finds it all here.
 */
import { openDB } from 'idb';

export const DB_NAME = 'yekuo-field';
const VERSION = 2;
export const PULLED = ['records', 'rows', 'meta'];       // the stores a pulled page writes

export function openStore(name = DB_NAME) {
  return openDB(name, VERSION, {
    async upgrade(db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        const queue = db.createObjectStore('queue', { keyPath: 'seq' });
        queue.createIndex('status', 'status');
        queue.createIndex('entity_id', 'op.entity_id');
        const records = db.createObjectStore('records', { keyPath: ['entity', 'entity_id'] });
        records.createIndex('entity', 'entity');
        db.createObjectStore('blobs', { keyPath: 'hex' });
        db.createObjectStore('meta');
      }
      if (oldVersion < 2) {
        const rows = db.createObjectStore('rows', { keyPath: 'id' });
        for await (const cursor of tx.objectStore('records').index('entity').iterate('ticket')) {
          await rows.put(rowOf(cursor.value.data));
        }
      }
    },
  });
}

/** What the work list needs of a ticket: who, where, which stage, when it is due. */
export function rowOf(ticket) {
  const customer = ticket.customer || {};
  const due = ticket.deadlines && ticket.deadlines.stage && ticket.deadlines.stage.due_at;
  return { id: ticket.id, number: ticket.number ?? null, stage: ticket.stage ?? null, address: ticket.address || '',
    customer: { name: customer.name || '', phone: customer.phone || '' }, deadlines: { stage: due ? { due_at: due } : null } };
}

/** Forget what was pulled (another user, or a cursor older than the server's tombstones). */
export async function forgetPulled(db) {
  const tx = db.transaction(PULLED, 'readwrite');
  await Promise.all([tx.objectStore('records').clear(), tx.objectStore('rows').clear(),
    tx.objectStore('meta').put(0, 'cursor'), tx.done]);
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
