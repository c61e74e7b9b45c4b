/** The scheme the tablet builds from what it pulled: the server's, net of other tickets' reservations. */
import 'fake-indexeddb/auto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openStore } from '../src/db.js';
import { buildScheme } from '../src/scheme/api.js';
import { schemeOnDevice } from '../src/scheme/device.js';
import { Grid } from '../src/scheme/grid.js';
import { Pack } from '../src/scheme/pack.js';

const vectors = JSON.parse(readFileSync(new URL('./golden/vectors.json', import.meta.url), 'utf8'));
const TICKET_FIELDS = new Set(['business_type', 'customer_class', 'capacity_kva', 'capacity_kw', 'phase', 'power_factor',
  'reliability_class', 'location', 'park_or_electrification', 'ev_charging', 'zone', 'region', 'policy_year']);
const packOf = (id) => new Pack(vectors.packs[id].pack, vectors.engineering, vectors.packs[id].version);
const gridOf = (name) => new Grid(vectors.grids[name].features, vectors.grids[name].version, vectors.grids[name].centre);

/** A case whose reservations change its scheme, with a request a ticket can carry as it is. */
async function reservedCase() {
  for (const c of vectors.cases) {
    if (c.error || !Object.keys(c.reserved).length || !Object.keys(c.request).every((k) => TICKET_FIELDS.has(k))) continue;
    const free = await buildScheme(c.request, packOf(c.pack), gridOf(c.grid), {});
    if (free.scheme_hash !== c.scheme.scheme_hash) return c;
  }
  return null;
}

/** What a pull leaves in IndexedDB for the case's region: pack, tables, one tile of the grid, reservations. */
async function pulledFor(c, reservations) {
  const db = await openStore(`device-test-${Math.random()}`);
  const pack = packOf(c.pack);
  const grid = vectors.grids[c.grid];
  const put = (entityId, data) => db.put('records', { entity: 'reference', entity_id: entityId, data });
  await put(`policy:${pack.region}-${pack.year}`, vectors.packs[c.pack]);
  await put('engineering:', { engineering: vectors.engineering });
  await put(`grid:${pack.region}`, { region: pack.region, version: grid.version, tile_degrees: 0.05, tiles: ['all'],
    centre: grid.centre });
  await put(`tile:${pack.region}:all`, { region: pack.region, version: grid.version, tile: 'all',
    features: grid.features.map((feature, ordinal) => [ordinal, feature]) });
  if (reservations) await put(`reservations:${pack.region}`, { region: pack.region, ...reservations });
  return { db, ticket: { ...c.request, region: pack.region, policy_year: pack.year } };
}

test('the tablet builds the scheme net of the reservations of its room it pulled', async () => {
  const c = await reservedCase();
  assert.ok(c, 'no golden case where reservations change the scheme');
  const room = packOf(c.pack).room(c.request.business_type);
  const held = await pulledFor(c, { load: {}, generation: {}, [room]: c.reserved });
  assert.equal((await schemeOnDevice(held.db, held.ticket)).scheme_hash, c.scheme.scheme_hash);
  const other = room === 'load' ? 'generation' : 'load';
  const elsewhere = await pulledFor(c, { load: {}, generation: {}, [other]: c.reserved });
  assert.notEqual((await schemeOnDevice(elsewhere.db, elsewhere.ticket)).scheme_hash, c.scheme.scheme_hash);
  const none = await pulledFor(c, null);
  assert.notEqual((await schemeOnDevice(none.db, none.ticket)).scheme_hash, c.scheme.scheme_hash);
});
