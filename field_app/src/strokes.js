/**
 * Signature strokes in the protocol's format (docs/SYNC_PROTOCOL.md, "Signature strokes"):
 * `{"canvas": {"width", "height"}, "strokes": [[{"x", "y", "t", "pressure"}, …], …]}` with x, y in
 * canvas pixels, t in ms from the first point, pressure 0–1. `signature_pad` captures the pen; this
 * module only translates its `toData()` and says why a signature would be refused.
 */
export const MIN_POINTS = 10;

const clamp = (value, low, high) => Math.min(high, Math.max(low, value));
const round = (value) => Math.round(value * 10) / 10;

export function toStrokes(padData, width, height) {
  const groups = padData.filter((group) => group.points.length > 0);
  const start = groups.length ? groups[0].points[0].time : 0;
  const strokes = groups.map((group) => group.points.map((p) => ({
    x: round(clamp(p.x, 0, width)),
    y: round(clamp(p.y, 0, height)),
    t: Math.max(0, Math.round(p.time - start)),
    pressure: typeof p.pressure === 'number' && p.pressure > 0 ? clamp(p.pressure, 0, 1) : 0.5,
  })));
  return { canvas: { width: Math.round(width), height: Math.round(height) }, strokes };
}

/** Why the server would refuse these strokes, in Chinese for the signer; null when they are fine. */
export function strokesProblem(data) {
  const points = data.strokes.reduce((n, stroke) => n + stroke.length, 0);
  if (data.strokes.length === 0) return '请客户在框内签名';
  if (points < MIN_POINTS) return '签名太短，请客户完整签名';
  return null;
}

export function strokesBytes(data) {
  return new TextEncoder().encode(JSON.stringify(data));
}
