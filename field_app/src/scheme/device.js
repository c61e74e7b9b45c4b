/**
 * A scheme built on the device from what it pulled: the region's policy pack, the engineering tables
 * and the grid tiles around the customer (sync/client.py `build_scheme` does the same in Python).
 * Tiles a scheme may look into but the device does not hold (or holds at an older snapshot) stop it
 * with OutsideHeldTiles rather than an answer the server would not give. Capacity reserved by other
 * tickets' signed schemes comes with the region's `reservations:` record, as of the last pull: one
 * signed since then may still make the server's scheme differ, and the choice is refused on sync with
 * `scheme-hash-mismatch`, then shown again.
 */
import { getMeta, record } from '../db.js';
import { buildScheme } from './api.js';
import { Grid } from './grid.js';
import { Pack } from './pack.js';
import { ticketRequest } from './request.js';
import { OutsideHeldTiles, farthestRadiusM, tilesAround } from './tiles.js';
import { NoGridData } from './errors.js';

/** What the device knows of the region: the pack a ticket follows and the engineering tables. */
export async function devicePack(db, region, year) {
  const [pulled, engineering] = await Promise.all([record(db, 'reference', `policy:${region}-${year}`),
    record(db, 'reference', 'engineering:')]);
  if (!pulled || !engineering) return null;
  return new Pack(pulled.pack, engineering.engineering, pulled.version);
}

/**
 * The region's assets from every tile the device holds, projected as the server does, built once per
 * snapshot and kept in memory (as the server keeps its STRtree per process); a scheme at (lon, lat)
 * needs every tile within the farthest supply radius to be held at the index's version.
 */
export async function deviceGrid(db, region, location, engineering) {
  const index = await record(db, 'reference', `grid:${region}`);
  if (!index) throw new NoGridData(`no grid data for ${region}`, { region: ['本机没有该地区的电网数据'] });
  const around = new Set(tilesAround(location.lon, location.lat, farthestRadiusM(engineering), index.tile_degrees));
  const grid = await heldGrid(db, index, await getMeta(db, 'grid_epoch', 0));
  const missing = index.tiles.filter((name) => around.has(name) && !grid.tiles.has(name));
  if (missing.length) throw new OutsideHeldTiles(missing);
  return grid;
}

const built = new Map();          // region → {key, grid promise}

/** The grid of the tiles held at the index's version (memoised until a pull brings grid changes). */
export function heldGrid(db, index, epoch) {
  const key = `${index.version}|${epoch}`;
  const cached = built.get(index.region);
  if (cached && cached.key === key) return cached.grid;
  const grid = buildHeldGrid(db, index);
  built.set(index.region, { key, grid });
  grid.catch(() => built.delete(index.region));
  return grid;
}

async function buildHeldGrid(db, index) {
  const start = performance.now();
  const range = IDBKeyRange.bound(['reference', `tile:${index.region}:`], ['reference', `tile:${index.region}:\uffff`]);
  const tiles = (await db.getAll('records', range)).map((row) => row.data).filter((tile) => tile.version === index.version);
  const byOrdinal = new Map(tiles.flatMap((tile) => tile.features));
  const ordinals = [...byOrdinal.keys()].sort((a, b) => a - b);
  const grid = new Grid(ordinals.map((o) => byOrdinal.get(o)), index.version, index.centre);
  grid.tiles = new Set(tiles.map((tile) => tile.tile));
  performance.measure('grid-build', { start, end: performance.now() });        // read by make bench
  return grid;
}

/** Build the region's grid ahead of the first scheme, when the device has a moment. */
export async function warmGrid(db, region) {
  const index = await record(db, 'reference', `grid:${region}`);
  if (index) await heldGrid(db, index, await getMeta(db, 'grid_epoch', 0)).catch(() => null);
}

/** The ticket's record as the server makes it at creation, for a ticket not yet on the server. */
export function withServerDefaults(ticket, pack) {
  return { power_factor: pack.number('default_power_factor')[0], phase: 3, reliability_class: 'ordinary',
    park_or_electrification: false, ev_charging: false, ...ticket, policy_year: ticket.policy_year ?? pack.year,
    zone: pack.zone(ticket.zone ?? null).zone };
}

/** kVA per asset other tickets hold in the room the request is checked against (Pack.room). */
export function reservedFor(reservations, pack, request) {
  return (reservations ?? {})[pack.room(request.business_type)] ?? {};
}

export async function schemeOnDevice(db, ticket) {
  const pack = await devicePack(db, ticket.region, ticket.policy_year);
  if (!pack) throw new NoGridData('本机没有该地区的政策数据', { region: ['请先联网同步一次'] });
  const complete = withServerDefaults(ticket, pack);
  const request = ticketRequest(complete);
  const grid = await deviceGrid(db, ticket.region, request.location, pack.engineering);
  const reservations = await record(db, 'reference', `reservations:${ticket.region}`);
  return buildScheme(request, pack, grid, reservedFor(reservations, pack, request));
}
