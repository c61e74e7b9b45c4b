"""Works, their cost range from the typical-cost table, and who pays (docs/DOMAIN.md §4, docs/ENGINEERING.md §7)."""
from typing import Optional

from scheme_builder.electrical import voltage_class
from scheme_builder.pack import Pack


def cost_row(policy: Pack, key) -> dict:
    return policy.engineering["typical_cost"][key]


def line_works(supply, construction, route_length_m, via_new_rmu, policy: Pack, circuits=1) -> list:
    """(label, low, high, source) of each item of grid-side works."""
    if supply.is_lv:
        drop_max, _ = policy.number("service_drop_max_m")
        if route_length_m <= drop_max and circuits == 1:
            return []
        row, length = cost_row(policy, f"lv_{construction}_yuan_per_m"), route_length_m * circuits
        parallel = f"（{circuits} 回并联）" if circuits > 1 else ""
        kind = "低压电缆" if construction == "cable" else "低压架空绝缘线"
        return [(f"{kind} {route_length_m:.0f} 米{parallel}", row["low"] * length, row["high"] * length,
                 row["source"])]
    row = cost_row(policy, f"{voltage_class(supply)}_{construction}_yuan_per_km")
    label = "电缆线路" if construction == "cable" else "架空线路"
    items = [(f"{supply.voltage_kv:g} 千伏{label} {route_length_m:.0f} 米", row["low"] * route_length_m / 1000,
              row["high"] * route_length_m / 1000, row["source"])]
    if via_new_rmu:
        rmu = cost_row(policy, "ring_main_unit_yuan")
        items.append(("新建环网柜", rmu["low"], rmu["high"], rmu["source"]))
    return items


def feeder_relief(feeder, substation, distance_m, policy: Pack):
    """Works that relieve a full feeder: a new 10 kV feeder from a spare bay of its substation, taking
    part of its load (分流) — a bay and a cable to the customer's area; None without a spare bay."""
    bays = (substation.spare_bays or {}).get(f"{feeder.voltage_kv:g}", 0) if substation else 0
    if not bays:
        return None
    return cabled("hv_bay_yuan", distance_m, policy, lambda metres: (
        f"{substation.asset_id} 备用间隔新出 {feeder.voltage_kv:g} 千伏线路 {metres:.0f} 米，为 {feeder.asset_id} 分流"))


def load_transfer_works(feeder, neighbour, shortfall_kva, distance_m, policy: Pack) -> list:
    """切改: a tie cable from the full feeder to its neighbour and a ring main unit to switch the load over.
    The item carries a fifth element, the load it moves (:func:`moved_load`): the neighbour's room it
    takes, which the customer's signature reserves."""
    moved = {"asset_id": neighbour.asset_id, "kva": round(shortfall_kva, 1)}
    return [(*item, moved) for item in cabled("ring_main_unit_yuan", distance_m, policy, lambda metres: (
        f"切改：{feeder.asset_id} 部分负荷 {shortfall_kva:.0f} kVA 转由 {neighbour.asset_id} 供电（联络电缆 "
        f"{metres:.0f} 米、环网柜）"))]


def moved_load(works) -> Optional[dict]:
    """{asset_id, kva} of the load a source's works move to a neighbouring feeder, if they do."""
    return next((item[4] for item in works if len(item) > 4), None)


def cabled(item, distance_m, policy: Pack, label) -> list:
    """One works item: a piece of switchgear (``item`` of the cost table) and the 10 kV cable to it along the
    route (``distance_m`` × detour), labelled by ``label(route metres)``."""
    detour, _ = policy.number("detour_factor")
    cable, fixed = cost_row(policy, "hv_cable_yuan_per_km"), cost_row(policy, item)
    km = distance_m * detour / 1000
    return [(label(km * 1000), fixed["low"] + cable["low"] * km, fixed["high"] + cable["high"] * km, fixed["source"])]


def upgrade_works(asset, new_rating_kva, policy: Pack) -> list:
    row = cost_row(policy, "box_substation_yuan_per_kva")
    return [(f"{asset.asset_id} 增容 {asset.rating_kva:g} → {new_rating_kva:g} kVA", row["low"] * new_rating_kva,
             row["high"] * new_rating_kva, row["source"])]


def investment_boundary(request, supply, policy: Pack) -> dict:
    """The boundary rule that applies: extended, LV micro, LV resident, or 10(20) kV and below."""
    boundary = policy.scheme.investment_boundary
    if request["park_or_electrification"] or request["ev_charging"]:
        key = "extended"
    elif supply.is_lv and request["customer_class"] == "micro_enterprise":
        key = "lv_micro"
    elif supply.is_lv and request["customer_class"] == "resident":
        key = "lv_resident"
    else:
        key = "hv"
    rule = getattr(boundary, key)
    return {"key": key, "value": rule.value, "source": rule.source, "assumed": rule.assumed,
            "customer_pays_external": key in boundary.customer_pays_outside}


def cost_estimate(items, boundary) -> dict:
    """The range over all items. Where the company invests to the customer's red line, every external
    item lies within its share and the customer pays none of it; where its investment stops at the
    connection point (Xihua's HV customers), the external works are the customer's: the upper end of
    the range is what to budget."""
    low = sum(item[1] for item in items)
    high = sum(item[2] for item in items)
    pays = round_yuan(high) if boundary["customer_pays_external"] else 0
    return {"low": round_yuan(low), "high": round_yuan(high), "customer_pays": pays}


def customer_works(supply, capacity_kva, policy: Pack):
    """The reference cost of the customer's own 受电工程 the seeds require on site (000 m.8, m.17): for an
    HV customer its substation (transformer and switchgear) by the typical cost per kVA; an LV customer's
    installation is not estimated (None)."""
    if supply.is_lv:
        return None
    row = cost_row(policy, "box_substation_yuan_per_kva")
    return {"low": round_yuan(row["low"] * capacity_kva), "high": round_yuan(row["high"] * capacity_kva)}


def round_yuan(value) -> int:
    return int(round(value / 100.0)) * 100
