/**
 * `buildScheme`: request + policy + grid → a ranked, explained, hashed supply scheme, the same as the
 * server's (scheme_builder/api.py) to the last byte of its canonical JSON, so the customer signs on
 * the tablet a scheme whose `scheme_hash` the server recognises. Checked against golden vectors the
 * Python builder writes (field_app/test/scheme.test.js).
 */
import * as cost from './cost.js';
import * as electrical from './electrical.js';
import { BannedFeeInScheme, NoGridData, OutsideGridExtent } from './errors.js';
import { combine, search } from './options.js';
import { onsiteRule } from './pack.js';
import { normalizeRequest } from './request.js';
import { farthestRadiusM } from './tiles.js';
import { canonicalJson, fixedHalfEven, formatG, pyCompare, pyRound } from './canon.js';
import { sha256Hex } from '../digest.js';

const { rule, ruleOf, isLv } = electrical;

export async function buildScheme(request, policy, grid, reserved = {}) {
  const req = normalizeRequest(request, policy);
  const pipeline = policy.pipeline(req.business_type, req.customer_class, req.reliability_class);
  const generation = policy.business(req.business_type).nature === 'generation';
  const supply = generation ? electrical.generationVoltage(req.capacity_kw, policy)
    : electrical.supplyVoltage(req.capacity_kw, req.capacity_kva, req.phase, req.customer_class, policy);
  const point = locate(req, policy, grid);
  const explanation = [...supply.explanation];
  const needs = policy.engineering.sources_by_reliability[req.reliability_class];
  explanation.push(rule('sources', needs.sources, needs.source));
  const ctx = { request: req, policy, grid, supply, reserved, boundary: cost.investmentBoundary(req, supply, policy),
    skipped: [], candidates_seen: 0, generation };
  if (supply.manual_reason) return finish(req, policy, grid, supply, needs, [], explanation, [], supply.manual_reason);
  if (isLv(supply) && needs.sources > 1) {
    return finish(req, policy, grid, supply, needs, [], explanation, [], `该客户需要 ${needs.sources} 路电源：由后台人工编制方案`);
  }
  const sources = search(point, ctx);
  const groups = combine(sources, needs.sources, needs.independent);
  const options = groups.map((group, i) => makeOption(i + 1, group, ctx, pipeline));
  explanation.push(...optionRules(ctx, pipeline));
  const reason = options.length ? null : manualReason(ctx, needs);
  return finish(req, policy, grid, supply, needs, options, explanation, warningsFor(groups, ctx), reason);
}

function locate(req, policy, grid) {
  if (!grid.assets.length) throw new NoGridData(`no grid data for ${policy.region}`, { region: ['no grid snapshot for this region'] });
  const point = grid.project(req.location.lon, req.location.lat);
  const farthest = farthestRadiusM(policy.engineering);
  const distance = grid.nearestDistance(point);
  if (distance > farthest) {
    throw new OutsideGridExtent(`the location is ${fixedHalfEven(distance / 1000, 1)} km from the nearest asset of ${policy.region}`,
      { location: [`farther than ${formatG(farthest / 1000)} km from the region's grid data`] });
  }
  return point;
}

function makeOption(rank, group, ctx, pipeline) {
  const [first] = group;
  const works = group.flatMap((s) => s.works);
  const [method] = electrical.metering(ctx.supply, ctx.request.capacity_kva, ctx.policy, ctx.generation);
  const filingMax = ctx.policy.scheme.filing_max_route_m;
  const route = group.reduce((sum, s) => sum + s.route_length_m, 0);
  return {
    rank, connection: connection(first, ctx), distance_m: pyRound(first.candidate.distance_m, 1),
    route_length_m: pyRound(route, 1), open_capacity_kva: pyRound(first.open_kva, 1),
    load_rate_after: pyRound(first.load_rate_after, 3), conductor: first.conductor.name,
    voltage_drop_pct: pyRound(Math.max(...group.map((s) => s.conductor.voltage_drop_pct)), 3),
    metering: method, investment_boundary: ctx.boundary.value,
    works: works.map((w) => w[0]), cost_estimate_yuan: cost.costEstimate(works, ctx.boundary),
    customer_works_yuan: cost.customerWorks(ctx.supply, ctx.request.capacity_kva, ctx.policy),
    upgrade_first: group.some((s) => s.upgrade_first),
    filing_instead_of_approval: Boolean(filingMax && group.every((s) => s.route_length_m <= filingMax.value)),
    working_days: workingDays(pipeline, works.length > 0),
    sources: group.map((s) => connection(s, ctx)), score: pyRound(group.reduce((sum, s) => sum + s.score, 0), 3),
  };
}

/** Where the customer connects; a dedicated line leaves its substation at a bay of the supply voltage. */
function connection(source, ctx) {
  const { asset } = source.candidate;
  const moved = cost.movedLoad(source.works);
  const voltage = asset.kind === 'substation' ? ctx.supply.voltage_kv : asset.voltage_kv;
  return { asset_id: asset.asset_id, kind: asset.kind, voltage_kv: voltage, point: ctx.grid.toLonLat(source.candidate.point_xy),
    capacity_asset_id: source.capacity_asset.asset_id, distance_m: pyRound(source.candidate.distance_m, 1),
    route_length_m: pyRound(source.route_length_m, 1), open_capacity_kva: pyRound(source.open_kva, 1), conductor: source.conductor.name,
    ...(moved ? { load_transfer: moved } : {}) };
}

function workingDays(pipeline, hasWorks) {
  const limits = Object.fromEntries(pipeline.stages.map((row) => [row.stage, row.limit_days]));
  const days = {};
  if ('scheme_reply' in limits) days.scheme_reply = limits.scheme_reply;
  if (hasWorks && 'grid_works' in limits) days.grid_works = limits.grid_works;
  if ('connect' in limits) days.connect = limits.connect;
  return days;
}

function optionRules(ctx, pipeline) {
  const { policy, supply, boundary } = ctx;
  const engineering = policy.engineering;
  const rows = [rule('detour_factor', ...policy.number('detour_factor')),
    rule('voltage_drop_limit_pct', ...electrical.dropLimitPct(supply, policy)),
    electrical.metering(supply, ctx.request.capacity_kva, policy, ctx.generation)[1],
    rule('investment_boundary', boundary.value, boundary.source, boundary.assumed),
    rule('customer_pays', boundary.customer_pays_external ? '外部工程费用' : 0, boundary.source, boundary.assumed),
    rule('typical_cost_version', engineering.typical_cost.version, engineering.typical_cost.source ?? 'docs/ENGINEERING.md §7',
      engineering.typical_cost.assumed ?? false),
    rule('conductors', '按载流量和电压降选最经济的导线', engineering.conductors_source)];
  if (ctx.generation) {
    const share = engineering.dg_hosting_share;
    rows.push(rule('dg_hosting_share', Object.fromEntries(Object.entries(share).filter(([k]) => k !== 'source')), share.source));
  } else if (!isLv(supply)) {
    const n1 = engineering.substation_n1_load_share;
    rows.push(rule('substation_n1_load_share', n1.by_transformers, n1.source));
  }
  const radius = engineering.supply_radius_m[isLv(supply) ? 'lv' : 'hv'];
  rows.push(rule('supply_radius_m', Object.fromEntries(Object.entries(radius).filter(([k]) => k !== 'source')), radius.source));
  if (policy.scheme.filing_max_route_m) rows.push(rule('filing_max_route_m', ...policy.number('filing_max_route_m')));
  rows.push(...pipeline.stages.map((row) => rule(`working_days.${row.stage}`, row.limit_days, row.source)));
  if (!isLv(supply)) {
    const [, [name, sourced]] = onsiteRule(policy.zone(ctx.request.zone), supply.voltage_kv, ctx.request.capacity_kva);
    rows.push(ruleOf(name, sourced));
  }
  rows.push(...ctx.skipped.map(([assetId, why]) => rule('skipped', `${assetId}，${why}`, 'docs/ENGINEERING.md §8 step 2')));
  return rows;
}

function manualReason(ctx, needs) {
  if (!ctx.candidates_seen && ctx.supply.voltage_kv > 20) {
    const kv = formatG(ctx.supply.voltage_kv);
    const direct = formatG(ctx.policy.scheme.direct_connection_limit_kva.value);
    return `报装容量 ${formatG(ctx.request.capacity_kva)} kVA 超过直接接入上限 ${direct} kVA，需 ${kv} 千伏专线；`
      + `供电半径内没有 ${kv} 千伏备用间隔：由后台人工编制方案`;
  }
  if (!ctx.candidates_seen) return '供电半径内没有可接入点：由后台人工编制方案';
  if (ctx.skipped.length && ctx.skipped.every(([, why]) => why.includes('负面清单'))) return '附近可用接入点均列入电网受限负面清单：由后台人工编制方案';
  if (needs.sources > 1) return `没有满足要求的 ${needs.sources} 路独立电源：由后台人工编制方案`;
  return '没有可行的接入点（含增容方案）：由后台人工编制方案';
}

function warningsFor(groups, ctx) {
  const [heavy] = ctx.policy.number('heavy_load_rate');
  const load = ctx.generation ? '接入后反送电接近限额：占可接入电源容量' : '接入后重载：负载率';
  const unique = [...new Set(groups.flat())];
  const notes = unique.filter((s) => s.load_rate_after > heavy)
    .map((s) => `${s.capacity_asset.asset_id} ${load} ${fixedHalfEven(s.load_rate_after * 100, 0)}%`);
  if (groups.some((group) => group.some((s) => s.upgrade_first))) {
    notes.push('先接入、后改造：增容改造工程已计入电网侧工程及其费用');
  }
  return [...new Set(notes)].sort(pyCompare);
}

function decide(supply, needs, capacityKva, zone, policy, manual) {
  if (manual) return 'manual';
  if (isLv(supply)) return 'auto';
  if (needs.sources > 1) return 'cosign';
  const [onsite] = onsiteRule(policy.zone(zone), supply.voltage_kv, capacityKva);
  return onsite ? 'onsite_reply' : 'cosign';
}

function emergencyPower(needs, policy) {
  const note = policy.engineering.emergency_power_note;
  return needs.emergency_power ? [`${note.value}（${note.source}）`] : [];
}

/** Chargers above a few hundred kVA are told to assess their harmonics (docs/ENGINEERING.md §4c). */
function powerQuality(req, policy) {
  const note = policy.engineering.ev_power_quality_note;
  return req.ev_charging && req.capacity_kva >= note.min_kva ? [`${note.value}（${note.source}）`] : [];
}

/** A generator is told how it is metered and connected (Q/GDW 1480). */
function generationNote(req, policy) {
  const note = policy.engineering.dg_note;
  return policy.business(req.business_type).nature === 'generation' ? [`${note.value}（${note.source}）`] : [];
}

async function finish(req, policy, grid, supply, needs, options, explanation, warnings, manual) {
  const decision = decide(supply, needs, req.capacity_kva, req.zone, policy, manual);
  const voltage = options.length && !isLv(supply) ? options[0].connection.voltage_kv : supply.voltage_kv;
  const scheme = {
    policy: { region: policy.region, year: policy.year, version: policy.version }, grid_version: grid.version,
    request: req, decision, supply_voltage_kv: voltage, sources: needs.sources, options, explanation,
    warnings: [...warnings, ...emergencyPower(needs, policy), ...powerQuality(req, policy), ...generationNote(req, policy)],
  };
  if (manual) scheme.manual_reason = manual;
  scheme.scheme_hash = await schemeHash(req, policy.version, grid.version, options);
  const text = JSON.stringify(scheme);
  const found = policy.bannedFees().filter((fee) => text.includes(fee));
  if (found.length) throw new BannedFeeInScheme(`banned fee in scheme: ${found.join(', ')}`);
  return scheme;
}

export async function schemeHash(req, policyVersion, gridVersion, options) {
  const payload = { request: req, policy_version: policyVersion, grid_version: gridVersion, options };
  return `sha256:${await sha256Hex(new TextEncoder().encode(canonicalJson(payload)))}`;
}
