"""``build_scheme``: request + policy + grid → a ranked, explained, hashed supply scheme.

Follows docs/ENGINEERING.md §8 and the region's pack; the response is docs/SCHEME_API.md "Response".
"""
import hashlib
import json

from scheme_builder import cost, electrical
from scheme_builder.errors import BannedFeeInScheme, NoGridData, OutsideGridExtent
from scheme_builder.grid import Grid
from scheme_builder.options import Context, combine, search
from scheme_builder.pack import Pack
from scheme_builder.policy import canonical_json
from scheme_builder.tiles import farthest_radius_m
from scheme_builder.request import normalize_request

rule, rule_of = electrical.rule, electrical.rule_of


def build_scheme(request: dict, policy: Pack, grid: Grid, reserved=None) -> dict:
    """The scheme for ``request``; ``reserved`` adds kVA per asset_id held by signed schemes."""
    req = normalize_request(request, policy)
    pipeline = policy.pipeline(req["business_type"], req["customer_class"], req["reliability_class"])
    generation = policy.business(req["business_type"]).nature == "generation"
    supply = (electrical.generation_voltage(req["capacity_kw"], policy) if generation else
              electrical.supply_voltage(req["capacity_kw"], req["capacity_kva"], req["phase"], req["customer_class"],
                                        policy))
    point = locate(req, policy, grid)
    explanation = list(supply.explanation)
    needs = policy.engineering["sources_by_reliability"][req["reliability_class"]]
    explanation.append(rule("sources", needs["sources"], needs["source"]))
    ctx = Context(req, policy, grid, supply, reserved or {}, cost.investment_boundary(req, supply, policy),
                  generation=generation)
    if supply.manual_reason:
        return finish(req, policy, grid, supply, needs, [], explanation, [], supply.manual_reason)
    if supply.is_lv and needs["sources"] > 1:
        reason = f"该客户需要 {needs['sources']} 路电源：由后台人工编制方案"
        return finish(req, policy, grid, supply, needs, [], explanation, [], reason)
    sources = search(point, ctx)
    groups = combine(sources, needs["sources"], needs["independent"])
    options = [make_option(rank, group, ctx, pipeline) for rank, group in enumerate(groups, start=1)]
    explanation += option_rules(ctx, pipeline, options)
    reason = None if options else manual_reason(ctx, needs)
    return finish(req, policy, grid, supply, needs, options, explanation, warnings_for(groups, ctx, policy), reason)


def locate(req, policy: Pack, grid: Grid):
    """The customer's point in metres; 422 when it lies beyond every supply radius of the grid."""
    if not grid.assets:
        raise NoGridData(f"no grid data for {policy.region}", {"region": ["no grid snapshot for this region"]})
    point = grid.project(req["location"]["lon"], req["location"]["lat"])
    farthest = farthest_radius_m(policy.engineering)
    distance = grid.nearest_distance(point)
    if distance > farthest:
        raise OutsideGridExtent(f"the location is {distance / 1000:.1f} km from the nearest asset of {policy.region}",
                                {"location": [f"farther than {farthest / 1000:g} km from the region's grid data"]})
    return point


def make_option(rank, group, ctx: Context, pipeline) -> dict:
    first = group[0]
    works = [w for source in group for w in source.works]
    method, _ = electrical.metering(ctx.supply, ctx.request["capacity_kva"], ctx.policy, ctx.generation)
    filing_max = ctx.policy.scheme.filing_max_route_m
    route = sum(s.route_length_m for s in group)
    return {
        "rank": rank, "connection": connection(first, ctx), "distance_m": round(first.candidate.distance_m, 1),
        "route_length_m": round(route, 1), "open_capacity_kva": round(first.open_kva, 1),
        "load_rate_after": round(first.load_rate_after, 3), "conductor": first.conductor.name,
        "voltage_drop_pct": round(max(s.conductor.voltage_drop_pct for s in group), 3),
        "metering": method, "investment_boundary": ctx.boundary["value"],
        "works": [w[0] for w in works], "cost_estimate_yuan": cost.cost_estimate(works, ctx.boundary),
        "customer_works_yuan": cost.customer_works(ctx.supply, ctx.request["capacity_kva"], ctx.policy),
        "upgrade_first": any(s.upgrade_first for s in group),
        "filing_instead_of_approval": bool(filing_max and all(s.route_length_m <= filing_max.value for s in group)),
        "working_days": working_days(pipeline, bool(works)),
        "sources": [connection(s, ctx) for s in group], "score": round(sum(s.score for s in group), 3),
    }


def connection(source, ctx: Context) -> dict:
    """Where the customer connects; a dedicated line leaves its substation at a bay of the supply voltage;
    ``load_transfer`` when the relief moves load to a neighbouring feeder."""
    asset = source.candidate.asset
    voltage = ctx.supply.voltage_kv if asset.kind == "substation" else asset.voltage_kv
    moved = cost.moved_load(source.works)
    return {"asset_id": asset.asset_id, "kind": asset.kind, "voltage_kv": voltage,
            "point": ctx.grid.to_lonlat(source.candidate.point_xy), "capacity_asset_id": source.capacity_asset.asset_id,
            "distance_m": round(source.candidate.distance_m, 1), "route_length_m": round(source.route_length_m, 1),
            "open_capacity_kva": round(source.open_kva, 1), "conductor": source.conductor.name,
            **({"load_transfer": moved} if moved else {})}


def working_days(pipeline, has_works) -> dict:
    """A key for each stage still ahead once the scheme exists (docs/SCHEME_API.md)."""
    limits = {row.stage: row.limit_days for row in pipeline.stages}
    days = {}
    if "scheme_reply" in limits:
        days["scheme_reply"] = limits["scheme_reply"]
    if has_works and "grid_works" in limits:
        days["grid_works"] = limits["grid_works"]
    if "connect" in limits:
        days["connect"] = limits["connect"]
    return days


def option_rules(ctx: Context, pipeline, options) -> list:
    """The numbers the options used, each with its source."""
    policy, supply = ctx.policy, ctx.supply
    rows = [rule("detour_factor", *policy.number("detour_factor")),
            rule("voltage_drop_limit_pct", *electrical.drop_limit_pct(supply, policy)),
            electrical.metering(supply, ctx.request["capacity_kva"], policy, ctx.generation)[1],
            rule("investment_boundary", ctx.boundary["value"], ctx.boundary["source"], ctx.boundary["assumed"]),
            rule("customer_pays", "外部工程费用" if ctx.boundary["customer_pays_external"] else 0,
                 ctx.boundary["source"], ctx.boundary["assumed"]),
            typical_cost_rule(policy),
            rule("conductors", "按载流量和电压降选最经济的导线", policy.engineering["conductors_source"])]
    if ctx.generation:
        share = policy.engineering["dg_hosting_share"]
        rows.append(rule("dg_hosting_share", {k: v for k, v in share.items() if k != "source"}, share["source"]))
    elif not supply.is_lv:
        n1 = policy.engineering["substation_n1_load_share"]
        rows.append(rule("substation_n1_load_share", n1["by_transformers"], n1["source"]))
    radius = policy.engineering["supply_radius_m"]["lv" if supply.is_lv else "hv"]
    rows.append(rule("supply_radius_m", {k: v for k, v in radius.items() if k != "source"}, radius["source"]))
    if policy.scheme.filing_max_route_m:
        rows.append(rule("filing_max_route_m", *policy.number("filing_max_route_m")))
    rows += [rule(f"working_days.{row.stage}", row.limit_days, row.source) for row in pipeline.stages]
    if not supply.is_lv:
        _onsite, (name, sourced) = policy.zone(ctx.request["zone"]).onsite_rule(supply.voltage_kv,
                                                                                ctx.request["capacity_kva"])
        rows.append(rule_of(name, sourced))
    rows += [rule("skipped", f"{asset_id}，{why}", "docs/ENGINEERING.md §8 step 2") for asset_id, why in ctx.skipped]
    return rows


def typical_cost_rule(policy: Pack) -> dict:
    """The typical-cost table the prices come from: the region's own, or one borrowed (``assumed``)."""
    table = policy.engineering["typical_cost"]
    return rule("typical_cost_version", table["version"], table.get("source", "docs/ENGINEERING.md §7"),
                table.get("assumed", False))


def manual_reason(ctx: Context, needs) -> str:
    if not ctx.candidates_seen and ctx.supply.voltage_kv > 20:
        kv, direct = f"{ctx.supply.voltage_kv:g}", ctx.policy.scheme.direct_connection_limit_kva.value
        return (f"报装容量 {ctx.request['capacity_kva']:g} kVA 超过直接接入上限 {direct:g} kVA，需 {kv} 千伏专线；"
                f"供电半径内没有 {kv} 千伏备用间隔：由后台人工编制方案")
    if not ctx.candidates_seen:
        return "供电半径内没有可接入点：由后台人工编制方案"
    if ctx.skipped and all("负面清单" in why for _id, why in ctx.skipped):
        return "附近可用接入点均列入电网受限负面清单：由后台人工编制方案"
    if needs["sources"] > 1:
        return f"没有满足要求的 {needs['sources']} 路独立电源：由后台人工编制方案"
    return "没有可行的接入点（含增容方案）：由后台人工编制方案"


def warnings_for(groups, ctx: Context, policy: Pack) -> list:
    heavy, _ = policy.number("heavy_load_rate")
    load = "接入后反送电接近限额：占可接入电源容量" if ctx.generation else "接入后重载：负载率"
    notes = []
    for source in {id(s): s for group in groups for s in group}.values():
        if source.load_rate_after > heavy:
            notes.append(f"{source.capacity_asset.asset_id} {load} {source.load_rate_after * 100:.0f}%")
    if any(s.upgrade_first for group in groups for s in group):
        notes.append("先接入、后改造：增容改造工程已计入电网侧工程及其费用")
    return sorted(set(notes))


def decide(supply, needs, capacity_kva, zone, policy: Pack, manual) -> str:
    """auto (LV) / onsite_reply (HV within the zone's on-site rule) / cosign (beyond it, or several sources)
    / manual."""
    if manual:
        return "manual"
    if supply.is_lv:
        return "auto"
    if needs["sources"] > 1:
        return "cosign"
    onsite, _rule = policy.zone(zone).onsite_rule(supply.voltage_kv, capacity_kva)
    return "onsite_reply" if onsite else "cosign"


def emergency_power(needs, policy: Pack) -> list:
    """An important customer is told to provide its own emergency power (GB/Z 29328)."""
    note = policy.engineering["emergency_power_note"]
    return [f"{note['value']}（{note['source']}）"] if needs.get("emergency_power") else []


def power_quality(req, policy: Pack) -> list:
    """Chargers above a few hundred kVA are told to assess their harmonics (docs/ENGINEERING.md §4c)."""
    note = policy.engineering["ev_power_quality_note"]
    return [f"{note['value']}（{note['source']}）"] if req["ev_charging"] and req["capacity_kva"] >= note["min_kva"] else []


def generation_note(req, policy: Pack) -> list:
    """A generator is told how it is metered and connected (Q/GDW 1480)."""
    note = policy.engineering["dg_note"]
    generation = policy.business(req["business_type"]).nature == "generation"
    return [f"{note['value']}（{note['source']}）"] if generation else []


def finish(req, policy, grid, supply, needs, options, explanation, warnings, manual) -> dict:
    decision = decide(supply, needs, req["capacity_kva"], req["zone"], policy, manual)
    voltage = options[0]["connection"]["voltage_kv"] if options and not supply.is_lv else supply.voltage_kv
    scheme = {
        "policy": {"region": policy.region, "year": policy.year, "version": policy.version},
        "grid_version": grid.version, "request": req, "decision": decision, "supply_voltage_kv": voltage,
        "sources": needs["sources"], "options": options, "explanation": explanation,
        "warnings": warnings + emergency_power(needs, policy) + power_quality(req, policy) + generation_note(req, policy),
    }
    if manual:
        scheme["manual_reason"] = manual
    scheme["scheme_hash"] = scheme_hash(req, policy.version, grid.version, options)
    assert_no_banned_fees(scheme, policy)
    return scheme


def scheme_hash(req, policy_version, grid_version, options) -> str:
    """sha256 of the canonical JSON of request, policy version, grid snapshot version and options."""
    payload = {"request": req, "policy_version": policy_version, "grid_version": grid_version, "options": options}
    return "sha256:" + hashlib.sha256(canonical_json(payload)).hexdigest()


def assert_no_banned_fees(scheme: dict, policy: Pack):
    """docs/DOMAIN.md §4: a banned fee can never appear in a scheme."""
    text = json.dumps(scheme, ensure_ascii=False)
    found = [fee for fee in policy.banned_fees() if fee in text]
    if found:
        raise BannedFeeInScheme(f"banned fee in scheme: {', '.join(found)}")
