/**
 * The offline builder against the Python builder's golden vectors (tests/golden_vectors.py, written
 * by `make test` into test/golden/vectors.json): every scheme, every error and every scheme_hash equal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Pack } from '../src/scheme/pack.js';
import { Grid, extentCentre } from '../src/scheme/grid.js';
import { buildScheme } from '../src/scheme/api.js';
import { reservedFor } from '../src/scheme/device.js';
import { label, officialSource } from '../src/words.js';

const vectors = JSON.parse(readFileSync(new URL('./golden/vectors.json', import.meta.url), 'utf8'));
const grids = new Map();
const gridOf = (name) => {
  if (!grids.has(name)) {
    const entry = vectors.grids[name];
    grids.set(name, new Grid(entry.features, entry.version, entry.centre));
  }
  return grids.get(name);
};
const packOf = (id) => new Pack(vectors.packs[id].pack, vectors.engineering, vectors.packs[id].version);

test('the vectors cover schemes of every decision and refused requests', () => {
  const kinds = new Set(vectors.cases.map((c) => c.error || c.scheme.decision));
  for (const kind of ['auto', 'onsite_reply', 'cosign', 'manual', 'InvalidRequest', 'OutsideGridExtent']) assert.ok(kinds.has(kind), kind);
  assert.ok(vectors.cases.length >= 300);
});

test('the projection origin is the extent centre the server computes', () => {
  for (const entry of Object.values(vectors.grids)) assert.deepEqual(extentCentre(entry.features), entry.centre, entry.name);
});

test('every explanation source reads on the tablet as the reply PDF prints it', () => {
  assert.ok(vectors.official_sources.length >= 20);
  for (const [source, assumed, printed] of vectors.official_sources) {
    assert.equal(officialSource(vectors.labels, source, assumed), printed, source);
  }
});

test('a request reserves the room the server counts it in: back-feed for a generator, else load', () => {
  assert.ok(vectors.rooms.some(([, , room]) => room === 'generation'));
  for (const [pack, type, room] of vectors.rooms) assert.equal(packOf(pack).room(type), room, `${pack} ${type}`);
  const held = { load: { 'TX-1': 244.444 }, generation: { 'TX-1': 88.889 } };
  for (const [pack, type, room] of vectors.rooms) {
    assert.deepEqual(reservedFor(held, packOf(pack), { business_type: type }), held[room]);
    assert.deepEqual(reservedFor(null, packOf(pack), { business_type: type }), {});
  }
});

for (const [index, c] of vectors.cases.entries()) {
  test(`case ${index}: ${c.pack} ${c.grid} ${c.request.business_type} → ${c.error || c.scheme.decision}`, async () => {
    let scheme;
    let error;
    try {
      scheme = await buildScheme(c.request, packOf(c.pack), gridOf(c.grid), c.reserved);
    } catch (err) {
      error = err;
    }
    if (c.error) {
      assert.ok(error, `expected ${c.error}`);
      assert.equal(error.kind, c.error, error.message);
      assert.deepEqual(error.errors, c.errors);
      return;
    }
    if (error) throw error;
    assert.equal(scheme.scheme_hash, c.scheme.scheme_hash, 'scheme_hash');
    assert.deepEqual(JSON.parse(JSON.stringify(scheme)), c.scheme);
  });
}

test('a code is named from the labels record, never from what objects inherit', () => {
  assert.equal(label(vectors.labels, 'stages', 'accepted'), vectors.labels.stages.accepted);
  for (const code of ['constructor', '__proto__', 'toString', 'no_such_stage']) {
    assert.equal(label(vectors.labels, 'stages', code), code);
  }
  assert.equal(label(vectors.labels, 'constructor', 'x'), 'x');
  assert.equal(label(null, 'stages', 'accepted'), 'accepted');
});
