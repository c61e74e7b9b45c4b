/** Works, their cost range from the typical-cost table, and who pays (scheme_builder/cost.py). */
import { fixedHalfEven, formatG, pyRound } from './canon.js';
import { isLv, voltageClass } from './electrical.js';

const costRow = (policy, key) => policy.engineering.typical_cost[key];

/** [label, low, high, source] of each item of grid-side works. */
export function lineWorks(supply, construction, routeLengthM, viaNewRmu, policy, circuits = 1) {
  if (isLv(supply)) {
    const [dropMax] = policy.number('service_drop_max_m');
    if (routeLengthM <= dropMax && circuits === 1) return [];
    const row = costRow(policy, `lv_${construction}_yuan_per_m`);
    const length = routeLengthM * circuits;
    const parallel = circuits > 1 ? `（${circuits} 回并联）` : '';
    const kind = construction === 'cable' ? '低压电缆' : '低压架空绝缘线';
    return [[`${kind} ${fixedHalfEven(routeLengthM, 0)} 米${parallel}`, row.low * length, row.high * length, row.source]];
  }
  const row = costRow(policy, `${voltageClass(supply)}_${construction}_yuan_per_km`);
  const label = construction === 'cable' ? '电缆线路' : '架空线路';
  const items = [[`${formatG(supply.voltage_kv)} 千伏${label} ${fixedHalfEven(routeLengthM, 0)} 米`,
    row.low * routeLengthM / 1000, row.high * routeLengthM / 1000, row.source]];
  if (viaNewRmu) {
    const rmu = costRow(policy, 'ring_main_unit_yuan');
    items.push(['新建环网柜', rmu.low, rmu.high, rmu.source]);
  }
  return items;
}

export function feederRelief(feeder, substation, distanceM, policy) {
  const bays = substation ? ((substation.spare_bays || {})[formatG(feeder.voltage_kv)] ?? 0) : 0;
  if (!bays) return null;
  return cabled('hv_bay_yuan', distanceM, policy, (metres) => `${substation.asset_id} 备用间隔新出 `
    + `${formatG(feeder.voltage_kv)} 千伏线路 ${fixedHalfEven(metres, 0)} 米，为 ${feeder.asset_id} 分流`);
}

/** 切改: a tie cable from the full feeder to its neighbour and a ring main unit to switch the load over; the
 * item's fifth element is the load it moves (`movedLoad`), which the customer's signature reserves. */
export function loadTransferWorks(feeder, neighbour, shortfallKva, distanceM, policy) {
  const moved = { asset_id: neighbour.asset_id, kva: pyRound(shortfallKva, 1) };
  return cabled('ring_main_unit_yuan', distanceM, policy, (metres) => `切改：${feeder.asset_id} 部分负荷 `
    + `${fixedHalfEven(shortfallKva, 0)} kVA 转由 ${neighbour.asset_id} 供电（联络电缆 ${fixedHalfEven(metres, 0)} 米、环网柜）`)
    .map((item) => [...item, moved]);
}

/** {asset_id, kva} of the load a source's works move to a neighbouring feeder, or null. */
export function movedLoad(works) {
  const item = works.find((w) => w.length > 4);
  return item ? item[4] : null;
}

/** One works item: switchgear (`item` of the cost table) and the 10 kV cable to it along the route. */
function cabled(item, distanceM, policy, label) {
  const [detour] = policy.number('detour_factor');
  const cable = costRow(policy, 'hv_cable_yuan_per_km');
  const fixed = costRow(policy, item);
  const km = distanceM * detour / 1000;
  return [[label(km * 1000), fixed.low + cable.low * km, fixed.high + cable.high * km, fixed.source]];
}

export function upgradeWorks(asset, newRatingKva, policy) {
  const row = costRow(policy, 'box_substation_yuan_per_kva');
  return [[`${asset.asset_id} 增容 ${formatG(asset.rating_kva)} → ${formatG(newRatingKva)} kVA`, row.low * newRatingKva,
    row.high * newRatingKva, row.source]];
}

export function investmentBoundary(request, supply, policy) {
  const boundary = policy.scheme.investment_boundary;
  let key = 'hv';
  if (request.park_or_electrification || request.ev_charging) key = 'extended';
  else if (isLv(supply) && request.customer_class === 'micro_enterprise') key = 'lv_micro';
  else if (isLv(supply) && request.customer_class === 'resident') key = 'lv_resident';
  const rule = boundary[key];
  return { key, value: rule.value, source: rule.source, assumed: rule.assumed,
    customer_pays_external: boundary.customer_pays_outside.includes(key) };
}

export function costEstimate(items, boundary) {
  const low = items.reduce((sum, item) => sum + item[1], 0);
  const high = items.reduce((sum, item) => sum + item[2], 0);
  return { low: roundYuan(low), high: roundYuan(high), customer_pays: boundary.customer_pays_external ? roundYuan(high) : 0 };
}

export function customerWorks(supply, capacityKva, policy) {
  if (isLv(supply)) return null;
  const row = costRow(policy, 'box_substation_yuan_per_kva');
  return { low: roundYuan(row.low * capacityKva), high: roundYuan(row.high * capacityKva) };
}

export function roundYuan(value) {
  return pyRound(value / 100.0) * 100;
}
