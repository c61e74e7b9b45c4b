/**
 * A scheme built on the device from what it pulled: the region's policy pack, the engineering tables
 * and the grid tiles around the customer (sync/client.py `build_scheme` does the same in Python).
 * Tiles a scheme may look into but the device does not hold (or holds at an older snapshot) stop it
 * with OutsideHeldTiles rather than an answer the server would not give. Capacity reserved by other
 * tickets' signed schemes is not on the device: where it matters, the server's scheme differs and the
 * choice is refused on sync with `scheme-hash-mismatch`, then shown again.
 */
import { record } from '../db.js';
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

/** The region's assets from the tiles held around (lon, lat), projected as the server does. */
export async function deviceGrid(db, region, location, engineering) {
  const index = await record(db, 'reference', `grid:${region}`);
  if (!index) throw new NoGridData(`no grid data for ${region}`, { region: ['本机没有该地区的电网数据'] });
  const around = new Set(tilesAround(location.lon, location.lat, farthestRadiusM(engineering), index.tile_degrees));
  const needed = index.tiles.filter((name) => around.has(name));
  const held = await Promise.all(needed.map((name) => record(db, 'reference', `tile:${region}:${name}`)));
  const missing = needed.filter((name, i) => !held[i] || held[i].version !== index.version);
  if (missing.length) throw new OutsideHeldTiles(missing);
  const byOrdinal = new Map(held.flatMap((tile) => tile.features));
  const ordinals = [...byOrdinal.keys()].sort((a, b) => a - b);
  return new Grid(ordinals.map((o) => byOrdinal.get(o)), index.version, index.centre);
}

/** The ticket's record as the server makes it at creation, for a ticket not yet on the server. */
export function withServerDefaults(ticket, pack) {
  return { power_factor: pack.number('default_power_factor')[0], phase: 3, reliability_class: 'ordinary',
    park_or_electrification: false, ev_charging: false, ...ticket, policy_year: ticket.policy_year ?? pack.year,
    zone: pack.zone(ticket.zone ?? null).zone };
}

export async function schemeOnDevice(db, ticket) {
  const pack = await devicePack(db, ticket.region, ticket.policy_year);
  if (!pack) throw new NoGridData('本机没有该地区的政策数据', { region: ['请先联网同步一次'] });
  const complete = withServerDefaults(ticket, pack);
  const request = ticketRequest(complete);
  const grid = await deviceGrid(db, ticket.region, request.location, pack.engineering);
  return buildScheme(request, pack, grid);
}
