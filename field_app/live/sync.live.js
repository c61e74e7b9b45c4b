/**
 * The sync state machine against a real server (run by tests/e2e/test_field_app_sync.py, which starts
 * gunicorn and passes YEKUO_URL, YEKUO_USER, YEKUO_PASSWORD): IndexedDB is fake-indexeddb, the
 * server, its protocol and its storage are real.
 */
import 'fake-indexeddb/auto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, getMeta, setMeta } from '../src/db.js';
import { Http } from '../src/http.js';
import { Syncer } from '../src/sync.js';
import { enqueue, pendingOps, answeredOps } from '../src/queue.js';
import { keepBlob, CHUNK_BYTES } from '../src/blobs.js';

const URL_ = process.env.YEKUO_URL;
let n = 0;

async function device() {
  const db = await openStore(`live-${process.pid}-${n += 1}`);
  const deviceId = `pda-live-${process.pid}-${n}`;
  await setMeta(db, 'device_id', deviceId);
  const http = new Http({ baseUrl: URL_, attempts: 3, baseDelayMs: 20 });
  const response = await http.request('POST', '/api/auth/token', { auth: false,
    json: { username: process.env.YEKUO_USER, password: process.env.YEKUO_PASSWORD, device_id: deviceId } });
  http.token = (await response.json()).token;
  const syncer = new Syncer(db, http);
  const states = [];
  syncer.subscribe((state) => states.push(state.name));
  return { db, http, syncer, states, deviceId };
}

function ticket(documents = []) {
  return { business_type: 'lv_nonresident_new', customer_class: 'non_resident', region: 'changzhou', capacity_kw: 40,
    customer: { name: '同步测试户', phone: '13800000009' }, location: { lon: 119.951, lat: 31.781 }, documents };
}

test('blobs go up first, then the queue, then every page comes down', async () => {
  const d = await device();
  const photo = new Uint8Array(CHUNK_BYTES * 2 + 1234).map((_, i) => i % 251);
  const ref = await keepBlob(d.db, photo, 'image/jpeg');
  const id = `T-${crypto.randomUUID()}`;
  await enqueue(d.db, 'ticket.create', id, { data: ticket([{ kind: 'subject_proof', status: 'received', blob: ref }]) });
  await enqueue(d.db, 'note.add', id, { data: { text: '现场已勘查' } });
  const state = await d.syncer.run();
  assert.equal(state.name, 'idle', JSON.stringify(state));
  assert.deepEqual(state.summary.uploaded, 1);
  assert.deepEqual(state.results.map((r) => r.status), ['applied', 'applied']);
  const seen = d.states.filter((s, i) => s !== d.states[i - 1]);
  assert.deepEqual(seen.slice(1), ['uploading', 'pushing', 'pulling', 'idle']);
  assert.equal((await pendingOps(d.db)).length, 0);
  const pulled = await d.db.get('records', ['ticket', id]);
  assert.equal(pulled.data.documents[0].blob, ref);
  assert.ok((await getMeta(d.db, 'cursor')) > 0);
  const download = await d.http.request('GET', `/sync/blobs/${ref.slice(7)}`);
  assert.deepEqual(new Uint8Array(await download.arrayBuffer()), photo);
});

test('an upload broken off resumes from the offset the server holds', async () => {
  const d = await device();
  const photo = new Uint8Array(CHUNK_BYTES * 3).map((_, i) => (i * 7) % 256);
  const ref = await keepBlob(d.db, photo, 'image/jpeg');
  await d.http.request('PATCH', `/sync/blobs/${ref.slice(7)}`, { body: photo.slice(0, CHUNK_BYTES),
    headers: { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0', 'Upload-Length': String(photo.length) } });
  const state = await d.syncer.run();
  assert.equal(state.name, 'idle', JSON.stringify(state));
  const head = await d.http.request('HEAD', `/sync/blobs/${ref.slice(7)}`);
  assert.equal(head.headers.get('Upload-Offset'), String(photo.length));
  assert.equal((await d.db.get('blobs', ref.slice(7))).uploaded, true);
});

test('a refused op is reported with its reason and the ops after it are applied', async () => {
  const d = await device();
  const id = `T-${crypto.randomUUID()}`;
  await enqueue(d.db, 'note.add', 'T-does-not-exist', { data: { text: 'x' } });
  await enqueue(d.db, 'ticket.create', id, { data: ticket() });
  const state = await d.syncer.run();
  assert.deepEqual(state.results.map((r) => r.status), ['rejected', 'applied']);
  const [refused] = (await answeredOps(d.db)).filter((row) => row.result.status === 'rejected');
  assert.match(refused.result.error.type, /not-found|validation-error|forbidden/);
  assert.ok(await d.db.get('records', ['ticket', id]));
});

test('a revoked token stops in signed_out and keeps the queue', async () => {
  const d = await device();
  d.http.token = 'revoked-or-unknown';
  await enqueue(d.db, 'ticket.create', `T-${crypto.randomUUID()}`, { data: ticket() });
  const state = await d.syncer.run();
  assert.equal(state.name, 'signed_out');
  assert.equal((await pendingOps(d.db)).length, 1);
});

test('no server: retries with backoff, then offline, the queue kept', async () => {
  const d = await device();
  d.http.baseUrl = 'http://127.0.0.1:9';          // discard port: nothing listens
  await enqueue(d.db, 'note.add', 'T-x', { data: { text: 'x' } });
  const state = await d.syncer.run();
  assert.equal(state.name, 'offline');
  assert.equal((await pendingOps(d.db)).length, 1);
});
