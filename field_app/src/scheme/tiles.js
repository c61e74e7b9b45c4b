/**
 * Which grid tiles a scheme at a point may look into (scheme_builder/tiles.py): square lon/lat tiles
 * named "<i>_<j>", the point's box grown by the farthest supply radius with geodesic offsets
 * (geographiclib, the algorithm of PROJ's geod).
 */
import geodesic from 'geographiclib-geodesic';

export const TILE_DEGREES = 0.05;
const WGS84 = geodesic.Geodesic.WGS84;

export function tilesOfBbox([west, south, east, north], size = TILE_DEGREES) {
  const names = [];
  for (let i = Math.floor(west / size); i <= Math.floor(east / size); i += 1) {
    for (let j = Math.floor(south / size); j <= Math.floor(north / size); j += 1) names.push(`${i}_${j}`);
  }
  return names;
}

function fwd(lon, lat, azimuth, metres) {
  const r = WGS84.Direct(lat, lon, azimuth, metres);
  return [r.lon2, r.lat2];
}

export function expand([west, south, east, north], metres) {
  const latFar = Math.max(Math.abs(south), Math.abs(north));
  const farLat = north < 0 ? -latFar : latFar;
  return [fwd(west, farLat, 270, metres)[0], fwd(west, south, 180, metres)[1], fwd(east, farLat, 90, metres)[0],
    fwd(west, north, 0, metres)[1]];
}

export function tilesAround(lon, lat, metres, size = TILE_DEGREES) {
  return tilesOfBbox(expand([lon, lat, lon, lat], metres), size);
}

export function farthestRadiusM(engineering) {
  return Math.max(...Object.values(engineering.supply_radius_m)
    .flatMap((table) => Object.entries(table).filter(([k]) => k !== 'source').map(([, v]) => v)));
}

/** The device holds no grid data for some tiles a scheme here needs: say so, never answer differently. */
export class OutsideHeldTiles extends Error {
  constructor(missing) {
    const names = [...missing].sort();
    super(`本机没有该位置周围 ${names.length} 个网格的电网数据：请联网生成方案，或请后台扩大班组区域`);
    this.missing = names;
  }
}
