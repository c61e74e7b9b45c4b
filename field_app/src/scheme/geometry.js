/**
 * Planar distances in projected metres, computed as GEOS computes them (shapely's distance and
 * shortest_line under the Python builder: Distance::pointToSegment, LineSegment::closestPoint), so the
 * tablet measures the same metres as the server. Geometries: {type: 'Point', xy} or {type: 'LineString', coords}.
 */
export function pointDistance(p, q) {
  const dx = p[0] - q[0];
  const dy = p[1] - q[1];
  return Math.sqrt(dx * dx + dy * dy);
}

export function pointToSegment(p, a, b) {
  if (a[0] === b[0] && a[1] === b[1]) return pointDistance(p, a);
  const len2 = (b[0] - a[0]) * (b[0] - a[0]) + (b[1] - a[1]) * (b[1] - a[1]);
  const r = ((p[0] - a[0]) * (b[0] - a[0]) + (p[1] - a[1]) * (b[1] - a[1])) / len2;
  if (r <= 0.0) return pointDistance(p, a);
  if (r >= 1.0) return pointDistance(p, b);
  const s = ((a[1] - p[1]) * (b[0] - a[0]) - (a[0] - p[0]) * (b[1] - a[1])) / len2;
  return Math.abs(s) * Math.sqrt(len2);
}

function projectionFactor(p, a, b) {
  if (p[0] === a[0] && p[1] === a[1]) return 0.0;
  if (p[0] === b[0] && p[1] === b[1]) return 1.0;
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  if (len2 <= 0.0) return NaN;
  return ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2;
}

function closestPointOnSegment(p, a, b) {
  const factor = projectionFactor(p, a, b);
  if (factor > 0 && factor < 1) {
    if ((p[0] === a[0] && p[1] === a[1]) || (p[0] === b[0] && p[1] === b[1])) return [p[0], p[1]];
    return [a[0] + factor * (b[0] - a[0]), a[1] + factor * (b[1] - a[1])];
  }
  return pointDistance(a, p) < pointDistance(b, p) ? a : b;
}

/** Distance from a point to a geometry, and the geometry's nearest point (the first nearest segment wins). */
export function nearest(geometry, p) {
  if (geometry.type === 'Point') return { distance: pointDistance(geometry.xy, p), point: geometry.xy };
  let best = Infinity;
  let point = null;
  const { coords } = geometry;
  for (let i = 0; i < coords.length - 1; i += 1) {
    const d = pointToSegment(p, coords[i], coords[i + 1]);
    if (d < best) {
      best = d;
      point = closestPointOnSegment(p, coords[i], coords[i + 1]);
    }
  }
  return { distance: best, point };
}

export function bbox(geometry) {
  const points = geometry.type === 'Point' ? [geometry.xy] : geometry.coords;
  const xs = points.map((c) => c[0]);
  const ys = points.map((c) => c[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}
