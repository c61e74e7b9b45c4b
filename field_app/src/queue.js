/**
 * The op queue (docs/SYNC_PROTOCOL.md, "Push"): everything the user does becomes an op with the next
 * `seq`, written in one IndexedDB transaction with the counter so no seq is ever used twice, even
 * across restarts. An op stays `pending` until the server answers it; a `held` answer keeps it pending.
 */
import { v7 as timeOrderedId } from 'uuid';
import { getMeta, record } from './db.js';
import { setPath } from './paths.js';

export const FINAL = new Set(['applied', 'merged', 'conflict', 'rejected']);

/** Tells the screens that the queue grew (the sync bar's count, the auto-sync). */
export const queueEvents = new EventTarget();

/**
 * An op's id, or a new entity's: a UUIDv7, which starts with the time it was made, so a device's ops
 * and tickets land at the end of the server's indexes instead of on random pages (each a page more
 * written at every commit).
 */
export const newId = () => timeOrderedId();

export async function enqueue(db, type, entityId, fields = {}, now = new Date()) {
  const tx = db.transaction(['queue', 'meta'], 'readwrite');
  const seq = ((await tx.objectStore('meta').get('last_seq')) || 0) + 1;
  const op = { op_id: newId(), seq, type, entity_id: entityId, client_time: localIso(now), ...fields };
  await Promise.all([tx.objectStore('queue').add({ seq, op, status: 'pending', result: null }),
    tx.objectStore('meta').put(seq, 'last_seq'), tx.done]);
  queueEvents.dispatchEvent(new Event('queued'));
  return op;
}

/** The device's clock with its offset, as the protocol's `client_time` wants it. */
export function localIso(date) {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const local = new Date(date.getTime() + offset * 60000).toISOString().slice(0, 19);
  return `${local}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

export async function pendingOps(db) {
  return (await db.getAllFromIndex('queue', 'status', 'pending')).map((row) => row.op);
}

export async function answeredOps(db) {
  return (await db.getAllFromIndex('queue', 'status', 'done')).reverse();
}

/** Record the server's answer for one op; a `duplicate` carries the first result as `first`. */
export async function settle(db, result) {
  const row = await db.get('queue', result.seq);
  if (!row || row.op.op_id !== result.op_id) return;
  const final = result.status === 'duplicate' ? (result.first || result) : result;
  const done = FINAL.has(final.status);
  await db.put('queue', { ...row, status: done ? 'done' : 'pending', result: final });
}

/** The ticket as this device sees it: pulled (or queued for creation), plus queued field changes. */
export async function localTicket(db, ticketId) {
  const pending = (await db.getAllFromIndex('queue', 'entity_id', ticketId))
    .filter((row) => row.status === 'pending').map((row) => row.op);
  let ticket = await record(db, 'ticket', ticketId);
  if (!ticket) {
    const create = pending.find((op) => op.type === 'ticket.create');
    if (!create) return null;
    ticket = { ...create.data, id: ticketId, stage: null, version: null };
  }
  ticket = structuredClone(ticket);
  for (const op of pending.filter((o) => o.type === 'ticket.update')) {
    for (const [path, change] of Object.entries(op.changes)) setPath(ticket, path, change.value);
  }
  ticket.pending = pending;
  return ticket;
}

/** Tickets created on this device that the server has not delivered back yet. */
export async function unsyncedCreations(db) {
  const ops = (await pendingOps(db)).filter((op) => op.type === 'ticket.create');
  return ops.map((op) => ({ ...op.data, id: op.entity_id, stage: null, version: null, pending: [op] }));
}

export async function lastSeq(db) {
  return getMeta(db, 'last_seq', 0);
}
