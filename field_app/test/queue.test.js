import 'fake-indexeddb/auto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDB } from 'idb';
import { openStore } from '../src/db.js';
import { enqueue, localIso, newId, localTicket, pendingOps, settle, unsyncedCreations } from '../src/queue.js';
import { applyPage } from '../src/sync.js';

let n = 0;
const fresh = () => openStore(`queue-test-${n += 1}`);

test('concurrent enqueues get consecutive seqs, none used twice', async () => {
  const db = await fresh();
  await Promise.all(Array.from({ length: 50 }, (_, i) => enqueue(db, 'note.add', 'T-1', { data: { text: `n${i}` } })));
  const seqs = (await pendingOps(db)).map((op) => op.seq);
  assert.deepEqual(seqs, Array.from({ length: 50 }, (_, i) => i + 1));
});

test('op ids are UUIDv7, in the order the ops were queued (they append to the server indexes)', async () => {
  const db = await fresh();
  const ids = [];
  for (let i = 0; i < 20; i += 1) ids.push((await enqueue(db, 'note.add', 'T-1', { data: { text: `n${i}` } })).op_id);
  assert.ok(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)), ids[0]);
  assert.deepEqual([...ids].sort(), ids);
  assert.ok(newId() > ids.at(-1));
});

test('the queue and its counter survive closing the database (a closed tab)', async () => {
  const name = `queue-reopen-${n += 1}`;
  let db = await openStore(name);
  await enqueue(db, 'ticket.create', 'T-2', { data: { customer: { name: '张三' } } });
  db.close();
  db = await openStore(name);
  const op = await enqueue(db, 'note.add', 'T-2', { data: { text: 'x' } });
  assert.equal(op.seq, 2);
  assert.equal((await pendingOps(db))[0].data.customer.name, '张三');
});

test('a local ticket is the pulled record with queued changes on top', async () => {
  const db = await fresh();
  await applyPage(db, { next: 7, more: false, changes: [
    { change_seq: 7, entity: 'ticket', entity_id: 'T-3', op: 'upsert',
      data: { id: 'T-3', version: 7, customer: { name: '李四', phone: '138' } } }] });
  await enqueue(db, 'ticket.update', 'T-3', { base_version: 7, changes: { 'customer.phone': { base: '138', value: '139' } } });
  const ticket = await localTicket(db, 'T-3');
  assert.equal(ticket.customer.phone, '139');
  assert.equal(ticket.customer.name, '李四');
  assert.equal(ticket.pending.length, 1);
});

test('a ticket created offline is visible before the server has it', async () => {
  const db = await fresh();
  await enqueue(db, 'ticket.create', 'T-4', { data: { business_type: 'lv_resident_new', customer: { name: '王五' } } });
  assert.equal((await localTicket(db, 'T-4')).customer.name, '王五');
  assert.deepEqual((await unsyncedCreations(db)).map((t) => t.id), ['T-4']);
});

test('answers settle ops: final ones leave the queue, held ones stay, duplicates take the first result', async () => {
  const db = await fresh();
  const a = await enqueue(db, 'note.add', 'T-5', { data: { text: 'a' } });
  const b = await enqueue(db, 'note.add', 'T-5', { data: { text: 'b' } });
  const c = await enqueue(db, 'note.add', 'T-5', { data: { text: 'c' } });
  await settle(db, { op_id: a.op_id, seq: a.seq, status: 'duplicate', first: { op_id: a.op_id, seq: a.seq, status: 'applied' } });
  await settle(db, { op_id: b.op_id, seq: b.seq, status: 'held' });
  await settle(db, { op_id: c.op_id, seq: c.seq, status: 'rejected', error: { type: 'x/validation-error' } });
  assert.deepEqual((await pendingOps(db)).map((op) => op.seq), [b.seq]);
  assert.equal((await db.get('queue', a.seq)).result.status, 'applied');
  assert.equal((await db.get('queue', c.seq)).result.status, 'rejected');
});

test('an answer naming another op_id for the seq changes nothing', async () => {
  const db = await fresh();
  const a = await enqueue(db, 'note.add', 'T-6', { data: { text: 'a' } });
  await settle(db, { op_id: 'someone-else', seq: a.seq, status: 'applied' });
  assert.equal((await pendingOps(db)).length, 1);
});

test('pulled removals delete the record and the cursor moves with the page', async () => {
  const db = await fresh();
  await applyPage(db, { next: 3, more: false, changes: [
    { change_seq: 3, entity: 'ticket', entity_id: 'T-7', op: 'upsert', data: { id: 'T-7' } }] });
  await applyPage(db, { next: 9, more: false, changes: [
    { change_seq: 9, entity: 'ticket', entity_id: 'T-7', op: 'remove' }] });
  assert.equal(await db.get('records', ['ticket', 'T-7']), undefined);
  assert.equal(await db.get('meta', 'cursor'), 9);
});

test('client_time carries the device offset', () => {
  const iso = localIso(new Date('2026-11-28T01:02:03Z'));
  assert.match(iso, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  assert.equal(new Date(iso).toISOString(), '2026-11-28T01:02:03.000Z');
});

test('the work list rows follow the pulled tickets in the same transaction', async () => {
  const db = await fresh();
  const ticket = { id: 'T-8', number: 8, stage: 'accepted', address: '青洋路', customer: { name: '赵六', phone: '139' },
    deadlines: { stage: { due_at: '2026-12-01T04:00:00+00:00', source: 'long text' } }, documents: [{ kind: 'x' }] };
  await applyPage(db, { next: 4, more: false, changes: [{ change_seq: 4, entity: 'ticket', entity_id: 'T-8', op: 'upsert', data: ticket }] });
  assert.deepEqual(await db.get('rows', 'T-8'), { id: 'T-8', number: 8, stage: 'accepted', address: '青洋路',
    customer: { name: '赵六', phone: '139' }, deadlines: { stage: { due_at: '2026-12-01T04:00:00+00:00' } } });
  await applyPage(db, { next: 5, more: false, changes: [{ change_seq: 5, entity: 'ticket', entity_id: 'T-8', op: 'remove' }] });
  assert.equal(await db.get('rows', 'T-8'), undefined);
});

test('a device on the first store version gets its work list rows at the upgrade', async () => {
  const name = `upgrade-${n += 1}`;
  const old = await openDB(name, 1, { upgrade(db) {
    db.createObjectStore('queue', { keyPath: 'seq' }).createIndex('status', 'status');
    db.createObjectStore('records', { keyPath: ['entity', 'entity_id'] }).createIndex('entity', 'entity');
    db.createObjectStore('blobs', { keyPath: 'hex' });
    db.createObjectStore('meta');
  } });
  await old.put('records', { entity: 'ticket', entity_id: 'T-9', change_seq: 1, data: { id: 'T-9', customer: { name: '钱七' } } });
  await old.put('records', { entity: 'reference', entity_id: 'labels:', change_seq: 2, data: { labels: {} } });
  old.close();
  const db = await openStore(name);
  assert.deepEqual((await db.getAll('rows')).map((row) => [row.id, row.customer.name]), [['T-9', '钱七']]);
});
