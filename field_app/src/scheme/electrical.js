/** Supply voltage, load current, conductor and voltage drop (scheme_builder/electrical.py, docs/ENGINEERING.md §1, §3, §5, §6). */
import { fixedHalfEven, formatG } from './canon.js';

export function rule(name, value, source, assumed = false) {
  return { rule: name, value, source, ...(assumed ? { assumed: true } : {}) };
}

export function ruleOf(name, sourced) {
  return rule(name, sourced.value, sourced.source, sourced.assumed);
}

export const isLv = (supply) => supply.voltage_kv < 1;

export function supplyVoltage(capacityKw, capacityKva, phase, customerClass, policy) {
  const lvRule = policy.lvLimit(customerClass);
  const lvLimit = lvRule.value;
  const direct = policy.scheme.direct_connection_limit_kva.value;
  const explained = [ruleOf('lv_limit_kw', lvRule), ruleOf('direct_connection_limit_kva', policy.sourced('direct_connection_limit_kva'))];
  if (capacityKw <= lvLimit) {
    const [single, singleSource] = policy.number('single_phase_limit_kw');
    if (phase === 1 && capacityKw < single) {
      return { voltage_kv: policy.number('lv_single_phase_kv')[0], phase: 1, manual_reason: null,
        explanation: [...explained, rule('single_phase_limit_kw', single, singleSource)] };
    }
    return { voltage_kv: policy.number('lv_nominal_kv')[0], phase: 3, manual_reason: null, explanation: explained };
  }
  const level = policy.engineering.hv_levels.find((row) => row.max_kva === null || capacityKva <= row.max_kva);
  explained.push(rule('supply_voltage_kv', level.voltage_kv, level.source));
  const supply = { voltage_kv: level.voltage_kv, phase: 3 };
  let reason = null;
  if (capacityKva > direct && !cosignedOnline(supply, policy)) {
    reason = `报装容量 ${formatG(capacityKva)} kVA 超过直接接入上限 ${formatG(direct)} kVA`;
  } else if (capacityKva > direct) {
    explained.push(ruleOf('cosign_online_min_kv', policy.scheme.cosign_online_min_kv));
  }
  return { ...supply, manual_reason: reason, explanation: explained };
}

/** A generator connects at the voltage Q/GDW 1480 gives for its capacity (§4c), not by the load limits. */
export function generationVoltage(capacityKw, policy) {
  const table = policy.engineering.dg_connection_voltage;
  const row = table.rows.find((r) => capacityKw <= r.max_kw);
  const largest = table.rows[table.rows.length - 1];
  if (!row) {
    return { voltage_kv: largest.voltage_kv, phase: 3, manual_reason: `分布式电源容量 ${formatG(capacityKw)} kW 超过 ${formatG(largest.max_kw)} kW`,
      explanation: [rule('dg_connection_voltage_kv', null, table.source)] };
  }
  const supply = { voltage_kv: row.voltage_kv, phase: row.phase };
  const reason = supply.voltage_kv > 20 && !cosignedOnline(supply, policy)
    ? `分布式电源需 ${formatG(supply.voltage_kv)} 千伏接入，本地区该电压等级的接入方案不在线编制` : null;
  return { ...supply, manual_reason: reason, explanation: [rule('dg_connection_voltage_kv', row.voltage_kv, table.source)] };
}

/** Above the direct-connection limit, computed and co-signed online where the pack says so (Changzhou 35 kV). */
export function cosignedOnline(supply, policy) {
  const limit = policy.scheme.cosign_online_min_kv;
  return Boolean(limit && supply.voltage_kv >= limit.value
    && policy.engineering.conductors.some((row) => row.voltage === voltageClass(supply)));
}

/** The conductor and cost tables' class: "lv", "hv" (10/20 kV) or "35kv". */
export function voltageClass(supply) {
  if (isLv(supply)) return 'lv';
  return supply.voltage_kv <= 20 ? 'hv' : `${formatG(supply.voltage_kv)}kv`;
}

/** The first HV level (10 kV): what feeds a new transformer site. */
export function hvSupply(policy) {
  return { voltage_kv: policy.engineering.hv_levels[0].voltage_kv, phase: 3, manual_reason: null, explanation: [] };
}

export function loadCurrentA(capacityKva, supply) {
  if (supply.phase === 1) return capacityKva / supply.voltage_kv;
  return capacityKva / (Math.sqrt(3) * supply.voltage_kv);
}

export function voltageDropPct(pKw, powerFactor, r0, x0, lengthKm, supply) {
  const qKvar = pKw * Math.tan(Math.acos(powerFactor));
  const drop = (pKw * r0 * lengthKm + qKvar * x0 * lengthKm) / (10 * supply.voltage_kv ** 2);
  return supply.phase === 1 ? drop * 2 : drop;
}

export function dropLimitPct(supply, policy) {
  const key = supply.phase === 1 ? 'single_phase' : supply.voltage_kv <= 20 ? 'three_phase' : '35kv_and_above';
  return policy.number('voltage_drop_limit_pct', key);
}

/** The cheapest conductor (table order) that carries the current and keeps the terminal within GB/T 12325. */
export function chooseConductor(supply, pKw, powerFactor, capacityKva, lengthKm, areaClass, policy, deviationPct = 0.0) {
  const { engineering } = policy;
  const byArea = engineering[isLv(supply) ? 'lv_construction_by_area' : 'hv_construction_by_area'];
  const construction = byArea[areaClass] ?? 'overhead';
  const current = loadCurrentA(capacityKva, supply);
  let [limit] = dropLimitPct(supply, policy);
  limit += Math.min(deviationPct, 0.0);
  const maxCircuits = isLv(supply) ? engineering.lv_parallel_max.value : 1;
  for (let count = 1; count <= maxCircuits; count += 1) {
    for (const row of engineering.conductors) {
      if (row.voltage !== voltageClass(supply) || row.construction !== construction || row.ampacity_a * count < current) continue;
      const drop = voltageDropPct(pKw, powerFactor, row.r0 / count, row.x0 / count, lengthKm, supply);
      if (drop <= limit) {
        return { name: count === 1 ? row.name : `${count}×${row.name}`, construction, ampacity_a: row.ampacity_a * count,
          voltage_drop_pct: drop, circuits: count };
      }
    }
  }
  return null;
}

export function noConductorCause(supply, capacityKva, policy) {
  let most = Math.max(...policy.engineering.conductors.filter((r) => r.voltage === voltageClass(supply)).map((r) => r.ampacity_a));
  most *= isLv(supply) ? policy.engineering.lv_parallel_max.value : 1;
  const current = loadCurrentA(capacityKva, supply);
  return current > most ? `电流 ${fixedHalfEven(current, 0)} A 超过可选导线载流量 ${fixedHalfEven(most, 0)} A` : '各型号导线电压降均超限';
}

/** [method, rule row]: direct or CT meter for LV by current; 高供低计 / 高供高计 for HV by kVA. */
export function metering(supply, capacityKva, policy, generation = false) {
  if (generation) return ['bidirectional', rule('dg_metering', ...policy.number('dg_metering'))];
  if (isLv(supply)) {
    const [directMax, source] = policy.number('metering', 'lv_direct_max_a');
    const method = loadCurrentA(capacityKva, supply) <= directMax ? 'lv_direct' : 'lv_ct_operated';
    return [method, rule('lv_direct_meter_max_a', directMax, source)];
  }
  const [lowMax, source] = policy.number('metering', 'hv_low_metering_max_kva');
  return [capacityKva <= lowMax ? 'high_supply_low_metering' : 'high_supply_high_metering',
    rule('high_supply_low_metering_max_kva', lowMax, source)];
}
