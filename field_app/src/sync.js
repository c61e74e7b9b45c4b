/**
 * The sync state machine (docs/SYNC_PROTOCOL.md): upload kept blobs → push the queue → pull every
 * page, in that order so an op never names a blob the server lacks. One run at a time; listeners
 * hear every state with its progress. A 401 stops in `signed_out` with the queue kept; no network
 * stops in `offline`; a refused request stops in `failed` with the server's problem.
 *
 *   unsynced | idle → uploading → pushing → pulling → idle
 *                 ↘ offline | signed_out | failed (then idle again on the next run)
 */
import { PULLED, forgetPulled, getMeta, rowOf, setMeta } from './db.js';
import { Unauthorized, Unreachable, Problem } from './http.js';
import { blobsToUpload, keepBlob, uploadBlob } from './blobs.js';
import { pendingOps, settle } from './queue.js';

export const PULL_LIMIT = 1000;

export class Syncer {
  constructor(db, http) {
    this.db = db;
    this.http = http;
    this.listeners = new Set();
    this.state = { name: 'unsynced' };
    this.running = null;
  }

  subscribe(listener) {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  set(state) {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }

  /** Run once; a call while running joins the run under way. */
  run() {
    if (!this.running) this.running = this.cycle().finally(() => { this.running = null; });
    return this.running;
  }

  async cycle() {
    const retry = (info) => this.set({ ...this.state, retry: info });
    try {
      const uploaded = await this.uploadBlobs(retry);
      const pushed = await this.push(retry);
      const pulled = await this.pull(retry);
      await setMeta(this.db, 'last_sync', new Date().toISOString());
      this.set({ name: 'idle', summary: { uploaded, pushed: pushed.length, pulled }, results: pushed });
      return this.state;
    } catch (error) {
      this.set(failure(error));
      return this.state;
    }
  }

  async uploadBlobs(onRetry) {
    const blobs = await blobsToUpload(this.db);
    for (const [index, blob] of blobs.entries()) {
      this.set({ name: 'uploading', done: index, total: blobs.length });
      const http = { request: (m, p, o = {}) => this.http.request(m, p, { ...o, onRetry }) };
      await uploadBlob(this.db, http, blob, (sent, size) => this.set({
        name: 'uploading', done: index + sent / size, total: blobs.length }));
    }
    return blobs.length;
  }

  /** One pass over the pending queue in seq order, in batches of the server's `max_ops`. */
  async push(onRetry) {
    const size = await this.maxOps(onRetry);
    const deviceId = await getMeta(this.db, 'device_id');
    const pending = await pendingOps(this.db);
    const answered = [];
    for (let start = 0; start < pending.length; start += size) {
      this.set({ name: 'pushing', done: start, total: pending.length });
      const ops = pending.slice(start, start + size);
      const response = await this.http.request('POST', '/sync/push', {
        json: { protocol: 1, device_id: deviceId, ops }, onRetry });
      const { results } = await response.json();
      for (const result of results) await settle(this.db, result);
      answered.push(...results);
    }
    return answered;
  }

  async maxOps(onRetry) {
    let maxOps = await getMeta(this.db, 'max_ops');
    if (!maxOps) {
      maxOps = (await (await this.http.request('GET', '/sync/info', { onRetry })).json()).max_ops;
      await setMeta(this.db, 'max_ops', maxOps);
    }
    return maxOps;
  }

  /** Every page since the stored cursor; each page and its cursor land in one transaction. */
  async pull(onRetry) {
    let count = 0;
    for (;;) {
      const since = await getMeta(this.db, 'cursor', 0);
      this.set({ name: 'pulling', done: count });
      let page;
      try {
        page = await (await this.http.request('GET', `/sync/pull?since=${since}&limit=${PULL_LIMIT}`, { onRetry })).json();
      } catch (error) {
        if (!(error instanceof Problem) || error.problem.status !== 410) throw error;
        await this.reseed();
        continue;
      }
      await applyPage(this.db, page);
      count += page.changes.length;
      if (!page.more) return count;
    }
  }

  /** The cursor is older than the server's tombstones (410): forget pulled records, pull from 0. */
  reseed() {
    return forgetPulled(this.db);
  }

  /** A signed reply PDF, from the device when kept, else downloaded and kept for offline use. */
  async signedPdf(ticket) {
    const hex = ticket.signed_pdf.blob.replace(/^sha256:/, '');
    const kept = await this.db.get('blobs', hex);
    if (kept) return new Blob([kept.bytes], { type: 'application/pdf' });
    const response = await this.http.request('GET', ticket.signed_pdf.url, { headers: { Accept: 'application/pdf' } });
    const bytes = new Uint8Array(await response.arrayBuffer());
    await keepBlob(this.db, bytes, 'application/pdf', { uploaded: true });
    return new Blob([bytes], { type: 'application/pdf' });
  }
}

export async function applyPage(db, page) {
  const tx = db.transaction(PULLED, 'readwrite');
  const store = tx.objectStore('records');
  const rows = tx.objectStore('rows');
  const writes = page.changes.flatMap((change) => {
    const ticket = change.entity === 'ticket';
    if (change.op === 'remove') return [store.delete([change.entity, change.entity_id]), ...(ticket ? [rows.delete(change.entity_id)] : [])];
    return [store.put({ entity: change.entity, entity_id: change.entity_id, change_seq: change.change_seq, data: change.data }),
      ...(ticket ? [rows.put(rowOf(change.data))] : [])];
  });
  const gridChanged = page.changes.some((c) => c.entity === 'reference' && /^(grid|tile):/.test(c.entity_id));
  const epoch = gridChanged ? [tx.objectStore('meta').put(page.next, 'grid_epoch')] : [];
  await Promise.all([...writes, ...epoch, tx.objectStore('meta').put(page.next, 'cursor'), tx.done]);
}

function failure(error) {
  if (error instanceof Unauthorized) return { name: 'signed_out', problem: error.problem };
  if (error instanceof Unreachable) return { name: 'offline', detail: error.message };
  if (error instanceof Problem) return { name: 'failed', problem: error.problem };
  return { name: 'failed', problem: { title: String(error && error.message ? error.message : error) } };
}
