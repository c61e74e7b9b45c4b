"""How options are ranked: a score, lower is better, with weights from the engineering data::

    score = cost_high / cost_per_point
          + voltage_drop_weight × ΔU / ΔU_limit
          + capacity_margin_weight × (1 − min(1, spare_after / requested))
          + upgrade_penalty × upgrade_first

Cheaper works, more voltage margin and more capacity left after connection rank first; an option
that needs an upgrade ranks after every one that does not cost much more.
"""


def score(cost_high, drop_pct, drop_limit_pct, spare_after_kva, requested_kva, upgrade_first, weights) -> float:
    margin = min(1.0, max(0.0, spare_after_kva) / requested_kva)
    return round(cost_high / weights["cost_per_point_yuan"]
                 + weights["voltage_drop_weight"] * drop_pct / drop_limit_pct
                 + weights["capacity_margin_weight"] * (1 - margin)
                 + weights["upgrade_penalty"] * (1 if upgrade_first else 0), 3)
