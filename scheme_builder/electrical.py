"""Supply voltage, load current, conductor and voltage drop (docs/ENGINEERING.md §1, §3, §5, §6)."""
import math
from dataclasses import dataclass
from typing import Optional

from scheme_builder.pack import Pack


@dataclass(frozen=True)
class Supply:
    voltage_kv: float
    phase: int
    manual_reason: Optional[str]
    explanation: tuple

    @property
    def is_lv(self) -> bool:
        return self.voltage_kv < 1


def rule(name, value, source, assumed=False) -> dict:
    """One line of a scheme's explanation; a value borrowed from another region's document says so."""
    return {"rule": name, "value": value, "source": source, **({"assumed": True} if assumed else {})}


def rule_of(name, sourced) -> dict:
    return rule(name, sourced.value, sourced.source, sourced.assumed)


def supply_voltage(capacity_kw, capacity_kva, phase, customer_class, policy: Pack) -> Supply:
    """LV up to the region's limit for the customer class (kW), 10 kV up to the direct-connection limit
    (kVA), else manual."""
    lv_rule = policy.lv_limit(customer_class)
    lv_limit, direct = lv_rule.value, policy.scheme.direct_connection_limit_kva.value
    explained = [rule_of("lv_limit_kw", lv_rule),
                 rule_of("direct_connection_limit_kva", policy.sourced("direct_connection_limit_kva"))]
    if capacity_kw <= lv_limit:
        single, single_source = policy.number("single_phase_limit_kw")
        if phase == 1 and capacity_kw < single:
            return Supply(policy.number("lv_single_phase_kv")[0], 1, None,
                          tuple(explained + [rule("single_phase_limit_kw", single, single_source)]))
        return Supply(policy.number("lv_nominal_kv")[0], 3, None, tuple(explained))   # ΔU % and currents on it
    level = next(row for row in policy.engineering["hv_levels"] if row["max_kva"] is None or capacity_kva <= row["max_kva"])
    explained.append(rule("supply_voltage_kv", level["voltage_kv"], level["source"]))
    supply = Supply(level["voltage_kv"], 3, None, ())
    reason = None
    if capacity_kva > direct and not cosigned_online(supply, policy):
        reason = f"报装容量 {capacity_kva:g} kVA 超过直接接入上限 {direct:g} kVA"
    elif capacity_kva > direct:
        explained.append(rule_of("cosign_online_min_kv", policy.scheme.cosign_online_min_kv))
    return Supply(level["voltage_kv"], 3, reason, tuple(explained))


def generation_voltage(capacity_kw, policy: Pack) -> Supply:
    """A generator connects at the voltage Q/GDW 1480 gives for its capacity (docs/ENGINEERING.md §4c),
    not by the region's load limits; above 20 kV only where the region computes such schemes online."""
    table = policy.engineering["dg_connection_voltage"]
    row = next((r for r in table["rows"] if capacity_kw <= r["max_kw"]), None)
    largest = table["rows"][-1]
    if row is None:
        reason = f"分布式电源容量 {capacity_kw:g} kW 超过 {largest['max_kw']:g} kW"
        return Supply(largest["voltage_kv"], 3, reason, (rule("dg_connection_voltage_kv", None, table["source"]),))
    supply = Supply(row["voltage_kv"], row["phase"], None, ())
    explained = (rule("dg_connection_voltage_kv", row["voltage_kv"], table["source"]),)
    reason = None
    if supply.voltage_kv > 20 and not cosigned_online(supply, policy):
        reason = f"分布式电源需 {supply.voltage_kv:g} 千伏接入，本地区该电压等级的接入方案不在线编制"
    return Supply(row["voltage_kv"], row["phase"], reason, explained)


def cosigned_online(supply: Supply, policy: Pack) -> bool:
    """Above the direct-connection limit the region computes the access scheme and co-signs it online
    (Changzhou, 35 kV and up) — where the engineering tables have conductors for that voltage."""
    rule_ = policy.scheme.cosign_online_min_kv
    return bool(rule_ and supply.voltage_kv >= rule_.value
                and any(row["voltage"] == voltage_class(supply) for row in policy.engineering["conductors"]))


def voltage_class(supply: Supply) -> str:
    """The conductor and cost tables' class: "lv", "hv" (10/20 kV) or "35kv"."""
    if supply.is_lv:
        return "lv"
    return "hv" if supply.voltage_kv <= 20 else f"{supply.voltage_kv:g}kv"


def hv_supply(policy: Pack) -> Supply:
    """The first HV level (10 kV): what feeds a new transformer site."""
    return Supply(policy.engineering["hv_levels"][0]["voltage_kv"], 3, None, ())


def load_current_a(capacity_kva, supply: Supply) -> float:
    if supply.phase == 1:
        return capacity_kva / supply.voltage_kv
    return capacity_kva / (math.sqrt(3) * supply.voltage_kv)


def voltage_drop_pct(p_kw, power_factor, r0, x0, length_km, supply: Supply) -> float:
    """ΔU% = (P·r0·L + Q·x0·L) / (10·Ue²); single-phase 220 V: twice that, on the phase voltage."""
    q_kvar = p_kw * math.tan(math.acos(power_factor))
    drop = (p_kw * r0 * length_km + q_kvar * x0 * length_km) / (10 * supply.voltage_kv ** 2)
    return drop * 2 if supply.phase == 1 else drop


def drop_limit_pct(supply: Supply, policy: Pack):
    key = "single_phase" if supply.phase == 1 else "three_phase" if supply.voltage_kv <= 20 else "35kv_and_above"
    return policy.number("voltage_drop_limit_pct", key)


@dataclass(frozen=True)
class Conductor:
    name: str
    construction: str
    ampacity_a: float
    voltage_drop_pct: float
    circuits: int = 1            # parallel LV cables (docs/ENGINEERING.md §4b)


def choose_conductor(supply: Supply, p_kw, power_factor, capacity_kva, length_km, area_class,
                     policy: Pack, deviation_pct: float = 0.0) -> Optional[Conductor]:
    """The cheapest conductor (table order) that carries the current and keeps the customer's terminal
    within the GB/T 12325 limit: the connection point's measured deviation (signed) less the new
    section's drop may not fall below −limit."""
    engineering = policy.engineering
    by_area = engineering["lv_construction_by_area" if supply.is_lv else "hv_construction_by_area"]
    construction = by_area.get(area_class, "overhead")
    current = load_current_a(capacity_kva, supply)
    limit, _source = drop_limit_pct(supply, policy)
    limit += min(deviation_pct, 0.0)          # a point already low leaves less room for the drop
    circuits = range(1, engineering["lv_parallel_max"]["value"] + 1) if supply.is_lv else (1,)
    for count in circuits:                    # one cable of each size first, then two in parallel, …
        for row in engineering["conductors"]:
            if (row["voltage"] != voltage_class(supply) or row["construction"] != construction
                    or row["ampacity_a"] * count < current):
                continue
            drop = voltage_drop_pct(p_kw, power_factor, row["r0"] / count, row["x0"] / count, length_km, supply)
            if drop <= limit:
                name = row["name"] if count == 1 else f"{count}×{row['name']}"
                return Conductor(name, construction, row["ampacity_a"] * count, drop, count)
    return None


def no_conductor_cause(supply: Supply, capacity_kva, policy: Pack) -> str:
    """Why no conductor fits: the current beyond what the parallel cables carry, or the voltage drop."""
    most = max(row["ampacity_a"] for row in policy.engineering["conductors"] if row["voltage"] == voltage_class(supply))
    most *= policy.engineering["lv_parallel_max"]["value"] if supply.is_lv else 1
    current = load_current_a(capacity_kva, supply)
    return f"电流 {current:.0f} A 超过可选导线载流量 {most:.0f} A" if current > most else "各型号导线电压降均超限"


def metering(supply: Supply, capacity_kva, policy: Pack, generation=False) -> tuple:
    """(method, rule row): both ways for a generator; direct or CT meter for LV by current; 高供低计 /
    高供高计 for HV by kVA."""
    if generation:
        return "bidirectional", rule("dg_metering", *policy.number("dg_metering"))
    if supply.is_lv:
        direct_max, source = policy.number("metering", "lv_direct_max_a")
        method = "lv_direct" if load_current_a(capacity_kva, supply) <= direct_max else "lv_ct_operated"
        return method, rule("lv_direct_meter_max_a", direct_max, source)
    low_max, source = policy.number("metering", "hv_low_metering_max_kva")
    method = "high_supply_low_metering" if capacity_kva <= low_max else "high_supply_high_metering"
    return method, rule("high_supply_low_metering_max_kva", low_max, source)
