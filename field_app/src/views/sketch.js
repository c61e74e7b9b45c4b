/**
 * The connection sketch beside the options (在线比选): the customer's site, each option's connection
 * point and its route, drawn to scale in metres around the site (the builder's own projection), the
 * chosen option in bold. An SVG, so it stays sharp on any screen.
 */
import { html } from '../ui.js';
import { localProjection } from '../scheme/grid.js';

const WIDTH = 640;
const HEIGHT = 280;
const MARGIN = 40;

export function Sketch({ scheme, chosen }) {
  const site = scheme.request && scheme.request.location;
  if (!site || !scheme.options.length) return null;
  const projection = localProjection([site.lon, site.lat]);
  const toXy = (p) => projection.forward([p.lon, p.lat]);
  const routes = scheme.options.flatMap((option) => option.sources.map((source) => ({ rank: option.rank, ...source,
    xy: toXy(source.point) })));
  const reach = Math.max(20, ...routes.flatMap((r) => [Math.abs(r.xy[0]), Math.abs(r.xy[1])]));
  const scale = Math.min((WIDTH / 2 - MARGIN) / reach, (HEIGHT / 2 - MARGIN) / reach);
  const px = ([x, y]) => [WIDTH / 2 + x * scale, HEIGHT / 2 - y * scale];
  const [sx, sy] = px([0, 0]);
  const barMetres = niceLength(reach / 2);
  return html`<svg id="sketch" class="sketch" viewBox=${`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="接入示意图">
    ${routes.map((r) => {
      const [x, y] = px(r.xy);
      const bold = r.rank === chosen;
      return html`<g class=${bold ? 'route chosen' : 'route'}>
        <line x1=${sx} y1=${sy} x2=${x} y2=${y} stroke-width=${bold ? 5 : 3} stroke-dasharray=${bold ? '' : '8 6'} />
        <circle cx=${x} cy=${y} r="9" />
        <text x=${x + 12} y=${y - 10}>方案 ${r.rank}：${r.asset_id}（${r.route_length_m} 米）</text></g>`;
    })}
    <rect class="site" x=${sx - 10} y=${sy - 10} width="20" height="20" />
    <text x=${sx + 14} y=${sy + 24}>客户</text>
    <line class="scale" x1=${MARGIN} y1=${HEIGHT - 14} x2=${MARGIN + barMetres * scale} y2=${HEIGHT - 14} stroke-width="3" />
    <text x=${MARGIN} y=${HEIGHT - 20}>${barMetres} 米</text>
    <text x=${WIDTH - 30} y="24">北↑</text>
  </svg>`;
}

/** A round scale-bar length (1, 2 or 5 × 10^n metres) no longer than `metres`. */
function niceLength(metres) {
  const power = 10 ** Math.floor(Math.log10(metres));
  return [5, 2, 1].map((f) => f * power).find((v) => v <= metres) || power;
}
