/** Candidate connection points → priced, checked options (scheme_builder/options.py, docs/ENGINEERING.md §8). */
import * as capacity from './capacity.js';
import * as cost from './cost.js';
import * as electrical from './electrical.js';
import { score } from './ranking.js';
import { compare } from './grid.js';
import { nearest } from './geometry.js';
import { fixedHalfEven, formatG, pyCompare } from './canon.js';

const LV_KINDS = ['distribution_transformer'];
const HV_KINDS = ['feeder', 'ring_main_unit', 'switching_station'];

/** The supply radius is measured along the route (docs/ENGINEERING.md §4b), not the straight line. */
function withinRadius(candidate, supply, ctx) {
  return routeM(candidate, ctx) <= supplyRadiusM(candidate.asset, supply, ctx.policy);
}

function supplyRadiusM(asset, supply, policy) {
  const table = policy.engineering.supply_radius_m[electrical.isLv(supply) ? 'lv' : 'hv'];
  return table[asset.area_class] ?? table.C;
}

const LINE_OWNERS = ['feeder', 'substation'];      // assets whose connection is a line of their own

/** What must differ between two sources of one customer (a dedicated line is a feeder of its own). */
export function independence(source) {
  const { asset } = source.candidate;
  const owner = source.capacity_asset;
  return { feeder: LINE_OWNERS.includes(asset.kind) ? asset.asset_id : asset.feeder_id,
    substation: owner.kind === 'substation' ? owner.asset_id : owner.substation_id, none: asset.asset_id };
}

/** Evaluated sources, best first, growing the search radius until three fit or the radius ends. */
export function search(point, ctx) {
  const lv = electrical.isLv(ctx.supply);
  const radii = ctx.policy.engineering.search_radii_m[lv ? 'lv' : 'hv'];
  const kinds = lv ? LV_KINDS : HV_KINDS;
  let sources = [];
  for (const radius of radii) {
    ctx.skipped.length = 0;
    const found = ctx.grid.within(point, radius, kinds).filter((c) => (lv || (ctx.supply.voltage_kv <= 20
      && c.asset.voltage_kv >= 10 && c.asset.voltage_kv <= 20))
      && withinRadius(c, ctx.supply, ctx));
    ctx.candidates_seen = found.length;
    sources = found.map((c) => evaluate(c, ctx)).filter((s) => s !== null);
    if (sources.length >= 3) break;
  }
  if (!lv && sources.every((s) => s.upgrade_first)) sources.push(...dedicatedLines(point, ctx));
  if (lv && !sources.length && !ctx.generation) sources = newSites(point, ctx);
  return sources.sort((a, b) => (a.upgrade_first - b.upgrade_first) || (a.score - b.score)
    || compare(a.candidate.asset.asset_id, b.candidate.asset.asset_id));
}

function capacityAsset(candidate, grid) {
  const { asset } = candidate;
  const owner = asset.rating_kva !== null ? asset : (grid.byId.get(asset.feeder_id) ?? null);
  return owner !== null && owner.rating_kva ? owner : null;
}

function evaluate(candidate, ctx) {
  const { asset } = candidate;
  const requested = ctx.request.capacity_kva;
  const owner = capacityAsset(candidate, ctx.grid);
  if (asset.negative_list || (owner !== null && owner.negative_list)) return skip(ctx, asset, '列入电网受限负面清单');
  if (owner === null) return skip(ctx, asset, '该开关站后无额定容量的馈线');
  if (ctx.generation) return hosted(candidate, owner, ctx);
  const [substation, headroom] = behind(owner, requested, ctx);
  if (headroom !== null && headroom < 0) {
    return skip(ctx, asset, `电源变电站 ${substation.asset_id} 主变 N-1 后容量不足（缺 ${fixedHalfEven(-headroom, 0)} kVA）`);
  }
  const extra = reservedOn(ctx, owner.asset_id);
  const openKva = capacity.openCapacityKva(owner, ctx.policy, extra);
  let relief = [];
  if (openKva < requested) {
    relief = capacityRelief(owner, substation, candidate, requested, extra, ctx);
    if (relief === null) {
      return skip(ctx, asset, `可开放容量 ${fixedHalfEven(openKva, 0)} kVA 小于 ${formatG(requested)} kVA，且无可行的增容方案`);
    }
  }
  return connect(candidate, owner, openKva, relief, extra, ctx);
}

/** A generator is checked for back-feed, not load (§4c): no N-1 check and no relief works. */
function hosted(candidate, owner, ctx) {
  const requested = ctx.request.capacity_kva;
  const extra = reservedOn(ctx, owner.asset_id);
  const room = capacity.hostingKva(owner, ctx.policy, extra);
  if (room < requested) {
    return skip(ctx, candidate.asset, `反送电校核：可接入电源容量 ${fixedHalfEven(room, 0)} kVA 小于 ${formatG(requested)} kVA`);
  }
  return connect(candidate, owner, room, [], extra, ctx);
}

function connect(candidate, owner, openKva, relief, extra, ctx) {
  const { asset } = candidate;
  const conductor = choose(candidate, ctx);
  if (conductor === null) {
    const cause = electrical.noConductorCause(ctx.supply, ctx.request.capacity_kva, ctx.policy);
    return skip(ctx, asset, cause + deviationNote(asset, ctx));
  }
  const works = [...cost.lineWorks(ctx.supply, conductor.construction, routeM(candidate, ctx), asset.kind === 'feeder', ctx.policy,
    conductor.circuits), ...relief];
  return sourceOf(candidate, owner, openKva, conductor, works, relief.length > 0, extra, ctx);
}

/** The point's deviation as the room it takes: a load pulls the voltage down, a generator pushes it up. */
const deviation = (asset, ctx) => (ctx.generation ? -asset.voltage_pct : asset.voltage_pct);

function deviationNote(asset, ctx) {
  if (deviation(asset, ctx) >= 0) return '';
  return `（接入点电压已偏${ctx.generation ? '高' : '低'} ${formatG(Math.abs(asset.voltage_pct))}%）`;
}

/** 专线 (docs/ENGINEERING.md §4a): a line of its own from a substation's spare bay of the supply voltage. */
function dedicatedLines(point, ctx) {
  const bay = formatG(ctx.supply.voltage_kv);
  const radius = Math.max(...ctx.policy.engineering.search_radii_m.hv);
  const stations = ctx.grid.within(point, radius, ['substation'])
    .filter((c) => ((c.asset.spare_bays || {})[bay] ?? 0) > 0 && withinRadius(c, ctx.supply, ctx));
  ctx.candidates_seen += stations.length;
  return stations.map((c) => dedicatedLine(c, ctx)).filter((s) => s !== null);
}

function dedicatedLine(candidate, ctx) {
  const station = candidate.asset;
  const requested = ctx.request.capacity_kva;
  const extra = reservedOn(ctx, station.asset_id);
  const headroom = stationHeadroom(station, requested, extra, ctx);
  if (headroom === null) return skip(ctx, station, '变电站缺少主变台数、容量或负荷数据，无法校核专线');
  if (headroom < 0) {
    const check = ctx.generation ? '反送电容量' : '主变 N-1 后容量';
    return skip(ctx, station, `专线：电源变电站${check}不足（缺 ${fixedHalfEven(-headroom, 0)} kVA）`);
  }
  const conductor = choose(candidate, ctx);
  if (conductor === null) return skip(ctx, station, `专线：${electrical.noConductorCause(ctx.supply, requested, ctx.policy)}`);
  const row = ctx.policy.engineering.typical_cost[`${electrical.voltageClass(ctx.supply)}_bay_yuan`];
  const works = [[`${station.asset_id} 备用间隔出线（专线）`, row.low, row.high, row.source],
    ...cost.lineWorks(ctx.supply, conductor.construction, routeM(candidate, ctx), false, ctx.policy)];
  return sourceOf(candidate, station, headroom + requested, conductor, works, false, extra, ctx);
}

/** A substation's room after the request: N-1 for a load, its hosting limit for a generator. */
function stationHeadroom(station, requested, extra, ctx) {
  if (!ctx.generation) return capacity.nMinus1HeadroomKva(station, requested + extra, ctx.policy);
  return station.rating_kva ? capacity.hostingKva(station, ctx.policy, extra) - requested : null;
}

/** 新布点 (docs/ENGINEERING.md §4b): a box-type substation beside the customer, fed from the nearest feeder with room. */
function newSites(point, ctx) {
  const hv = electrical.hvSupply(ctx.policy);
  const rating = siteRatingKva(ctx.request.capacity_kva, ctx.policy);
  if (rating === null) return [];
  const radius = Math.max(...ctx.policy.engineering.search_radii_m.hv);
  for (const candidate of ctx.grid.within(point, radius, ['feeder'])) {
    const site = newSite(candidate, hv, rating, ctx);
    if (site !== null) return [site];
  }
  return [];
}

function siteRatingKva(requested, policy) {
  const limit = policy.engineering.load_limit.distribution_transformer.value;
  return policy.engineering.transformer_ratings_kva.value.find((r) => limit * r >= requested) ?? null;
}

function newSite(candidate, hv, rating, ctx) {
  const feeder = candidate.asset;
  const requested = ctx.request.capacity_kva;
  if (!(feeder.voltage_kv >= 10 && feeder.voltage_kv <= 20) || feeder.negative_list || !feeder.rating_kva) return null;
  if (!withinRadius(candidate, hv, ctx)) return null;
  const [, headroom] = behind(feeder, requested, ctx);
  if (headroom !== null && headroom < 0) return null;
  const extra = reservedOn(ctx, feeder.asset_id);
  const openKva = capacity.openCapacityKva(feeder, ctx.policy, extra);
  if (openKva < requested) return null;
  const conductor = choose(candidate, ctx, hv);
  if (conductor === null) return null;
  const box = ctx.policy.engineering.typical_cost.box_substation_yuan_per_kva;
  const works = [[`新布点箱式变电站 ${formatG(rating)} kVA（客户侧）`, box.low * rating, box.high * rating, box.source],
    ...cost.lineWorks(hv, conductor.construction, routeM(candidate, ctx), false, ctx.policy)];
  return sourceOf(candidate, feeder, openKva, conductor, works, false, extra, ctx);
}

function routeM(candidate, ctx) {
  const [detour] = ctx.policy.number('detour_factor');
  return candidate.distance_m * detour;
}

/** The conductor for the route to `candidate` at `supply` (the request's unless a new site's 10 kV feed). */
function choose(candidate, ctx, supply = ctx.supply) {
  const req = ctx.request;
  return electrical.chooseConductor(supply, req.capacity_kw, req.power_factor, req.capacity_kva,
    routeM(candidate, ctx) / 1000, candidate.asset.area_class, ctx.policy, deviation(candidate.asset, ctx));
}

/** [the substation feeding `owner` or null, its N-1 headroom after `requested` or null]. */
function behind(owner, requested, ctx) {
  const substation = owner.substation_id ? (ctx.grid.byId.get(owner.substation_id) ?? null) : null;
  return [substation, substation ? capacity.nMinus1HeadroomKva(substation, requested, ctx.policy) : null];
}

function sourceOf(candidate, owner, openKva, conductor, works, upgradeFirst, extra, ctx) {
  const requested = ctx.request.capacity_kva;
  const [dropLimit] = electrical.dropLimitPct(ctx.supply, ctx.policy);
  const total = works.reduce((sum, w) => sum + w[2], 0);
  const rate = ctx.generation ? capacity.hostingRateAfter(owner, requested, ctx.policy, extra)
    : capacity.loadRateAfter(owner, requested, extra);
  return { candidate, capacity_asset: owner, open_kva: openKva, load_rate_after: rate,
    route_length_m: routeM(candidate, ctx), conductor, upgrade_first: upgradeFirst, works,
    score: score(total, conductor.voltage_drop_pct, dropLimit, openKva - requested, requested, upgradeFirst,
      ctx.policy.engineering.ranking) };
}

function capacityRelief(owner, substation, candidate, requested, extra, ctx) {
  if (owner.kind === 'feeder') {
    const distance = substation ? nearest(substation.geometry, candidate.point_xy).distance : 0;
    const priced = [cost.feederRelief(owner, substation, distance, ctx.policy), loadTransfer(owner, candidate, requested, extra, ctx)]
      .filter((works) => works);
    if (!priced.length) return null;
    const key = (works) => [works.reduce((sum, w) => sum + w[2], 0), works[0][0]];
    return priced.reduce((best, works) => {
      const [a, b] = [key(works), key(best)];
      return a[0] < b[0] || (a[0] === b[0] && pyCompare(a[1], b[1]) < 0) ? works : best;
    });
  }
  const rating = capacity.upgradedRatingKva(owner, requested, ctx.policy, extra);
  return rating ? cost.upgradeWorks(owner, rating, ctx.policy) : null;
}

/** 切改 (§4a): the part of the full feeder's load the request does not fit moves to a neighbour with room. */
function loadTransfer(feeder, candidate, requested, extra, ctx) {
  const shortfall = requested - capacity.openCapacityKva(feeder, ctx.policy, extra);
  const [reach] = ctx.policy.number('load_transfer_max_m');
  for (const near of ctx.grid.within(candidate.point_xy, reach, ['feeder'])) {
    const other = near.asset;
    if (other.voltage_kv !== feeder.voltage_kv || other.asset_id === feeder.asset_id || other.negative_list || !other.rating_kva) continue;
    const room = capacity.openCapacityKva(other, ctx.policy, reservedOn(ctx, other.asset_id));
    const [, headroom] = behind(other, shortfall, ctx);
    if (room >= shortfall && (other.substation_id === feeder.substation_id || headroom === null || headroom >= 0)) {
      return cost.loadTransferWorks(feeder, other, shortfall, near.distance_m, ctx.policy);
    }
  }
  return null;
}

/** kVA other tickets hold on an asset; asset ids are the grid file's text, "constructor" as good as any. */
function reservedOn(ctx, assetId) {
  return Object.hasOwn(ctx.reserved, assetId) ? ctx.reserved[assetId] : 0.0;
}

function skip(ctx, asset, why) {
  ctx.skipped.push([asset.asset_id, why]);
  return null;
}

/** Groups of `count` sources that are pairwise independent (feeder or substation), best first. */
export function combine(sources, count, independent, limit = 3) {
  if (count === 1) return sources.slice(0, limit).map((s) => [s]);
  const groups = [];
  const seen = new Set();
  for (const first of sources) {
    const group = [first];
    for (const other of sources) {
      const keys = group.map((s) => independence(s)[independent]);
      const key = independence(other)[independent];
      if (other !== first && key !== null && key !== undefined && !keys.some((k) => k === null || k === undefined) && !keys.includes(key)) {
        group.push(other);
      }
      if (group.length === count) {
        const members = group.map((s) => s.candidate.asset.asset_id).sort().join('\u0000');
        if (!seen.has(members)) {
          seen.add(members);
          groups.push(group);
        }
        break;
      }
    }
    if (groups.length === limit) break;
  }
  return groups;
}
