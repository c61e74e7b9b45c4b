/** How options are ranked: a score, lower is better (scheme_builder/ranking.py). */
import { pyRound } from './canon.js';

export function score(costHigh, dropPct, dropLimitPct, spareAfterKva, requestedKva, upgradeFirst, weights) {
  const margin = Math.min(1.0, Math.max(0.0, spareAfterKva) / requestedKva);
  return pyRound(costHigh / weights.cost_per_point_yuan
    + weights.voltage_drop_weight * dropPct / dropLimitPct
    + weights.capacity_margin_weight * (1 - margin)
    + weights.upgrade_penalty * (upgradeFirst ? 1 : 0), 3);
}
