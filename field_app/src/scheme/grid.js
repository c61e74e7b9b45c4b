/**
 * The grid as the builder sees it (scheme_builder/grid.py): assets projected once to a transverse
 * Mercator centred on the snapshot's extent (proj4's tmerc, the Poder/Engsager algorithm PROJ uses),
 * behind a Flatbush spatial index that answers "assets within r metres".
 */
import Flatbush from 'flatbush';
import proj4 from 'proj4';
import { bbox, nearest } from './geometry.js';
import { fixedHalfEven, pyRound } from './canon.js';

export function extentCentre(features) {
  const coords = features.flatMap((f) => (f.geometry.type === 'Point' ? [f.geometry.coordinates] : f.geometry.coordinates));
  if (!coords.length) return [0.0, 0.0];
  const [west, south, east, north] = coords.reduce(([w, s, e, n], [x, y]) => [Math.min(w, x), Math.min(s, y),
    Math.max(e, x), Math.max(n, y)], [Infinity, Infinity, -Infinity, -Infinity]);
  return [pyRound((west + east) / 2, 6), pyRound((south + north) / 2, 6)];
}

export function localProjection([lon0, lat0]) {
  return proj4('EPSG:4326', `+proj=tmerc +lat_0=${fixedHalfEven(lat0, 6)} +lon_0=${fixedHalfEven(lon0, 6)} +k=1 +x_0=0 `
    + '+y_0=0 +ellps=WGS84 +units=m +no_defs');
}

const optNumber = (value) => (value === null || value === undefined ? null : Number(value));

function toAsset(feature, geometry) {
  const p = feature.properties;
  return {
    asset_id: String(p.asset_id), kind: p.kind, voltage_kv: Number(p.voltage_kv), region: p.region,
    rating_kva: optNumber(p.rating_kva), peak_kva: optNumber(p.peak_kva), reserved_kva: Number(p.reserved_kva || 0),
    load_limit: optNumber(p.load_limit), area_class: p.area_class || 'C', feeder_id: p.feeder_id ?? null,
    substation_id: p.substation_id ?? null, ties: Math.trunc(Number(p.ties || 0)), negative_list: Boolean(p.negative_list || false),
    geometry, transformers: Math.trunc(Number(p.transformers || 0)), voltage_pct: Number(p.voltage_pct || 0),
    spare_bays: p.spare_bays ?? null, generation_kva: Number(p.generation_kva || 0),
  };
}

export class Grid {
  /** `centre` is the whole snapshot's projection origin, so a device holding some tiles measures as the server. */
  constructor(features, version, centre = null) {
    this.version = version;
    this.projection = localProjection(centre || extentCentre(features));
    this.assets = features.map((f) => toAsset(f, this.projectGeometry(f.geometry)));
    this.byId = new Map(this.assets.map((a) => [a.asset_id, a]));
    this.index = new Flatbush(Math.max(1, this.assets.length));
    for (const asset of this.assets) this.index.add(...bbox(asset.geometry));
    if (!this.assets.length) this.index.add(0, 0, 0, 0);
    this.index.finish();
  }

  projectGeometry(geometry) {
    if (geometry.type === 'Point') return { type: 'Point', xy: this.project(...geometry.coordinates) };
    return { type: 'LineString', coords: geometry.coordinates.map((c) => this.project(c[0], c[1])) };
  }

  project(lon, lat) {
    return this.projection.forward([lon, lat]);
  }

  /** To 6 decimals after 7, as the server does: 7 absorbs the projection round trip's ulps (grid.py). */
  toLonLat(xy) {
    const [lon, lat] = this.projection.inverse(xy);
    return { lon: pyRound(pyRound(lon, 7), 6), lat: pyRound(pyRound(lat, 7), 6) };
  }

  /** Candidates of `kinds` within `radius` metres, nearest first (ties by asset id). */
  within(point, radius, kinds) {
    const found = [];
    for (const i of this.index.search(point[0] - radius, point[1] - radius, point[0] + radius, point[1] + radius)) {
      const asset = this.assets[i];
      if (!asset || !kinds.includes(asset.kind)) continue;
      const near = nearest(asset.geometry, point);
      if (near.distance <= radius) found.push({ asset, distance_m: near.distance, point_xy: near.point });
    }
    return found.sort((a, b) => a.distance_m - b.distance_m || compare(a.asset.asset_id, b.asset.asset_id));
  }

  nearestDistance(point) {
    return this.assets.reduce((best, a) => Math.min(best, nearest(a.geometry, point).distance), Infinity);
  }
}

export function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}
