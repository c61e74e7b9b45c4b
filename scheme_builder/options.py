"""Candidate connection points → priced, checked options (docs/ENGINEERING.md §8 steps 1-4)."""
from dataclasses import dataclass, field
from typing import Optional

from shapely.geometry import Point

from scheme_builder import capacity, cost, electrical, ranking
from scheme_builder.grid import Candidate, Grid

LV_KINDS = ("distribution_transformer",)
HV_KINDS = ("feeder", "ring_main_unit", "switching_station")
LINE_OWNERS = ("feeder", "substation")      # assets whose connection is a line of their own


@dataclass
class Context:
    """What every candidate of one request is judged against."""
    request: dict
    policy: object
    grid: Grid
    supply: electrical.Supply
    reserved: dict
    boundary: dict
    skipped: list = field(default_factory=list)       # (asset_id, why) for the explanation
    candidates_seen: int = 0
    generation: bool = False      # the capacity is a generator's: checked for back-feed (docs/ENGINEERING.md §4c)


@dataclass(frozen=True)
class Source:
    """One evaluated connection: a candidate with its capacity, route, conductor and works."""
    candidate: Candidate
    capacity_asset: object
    open_kva: float
    load_rate_after: float
    route_length_m: float
    conductor: electrical.Conductor
    upgrade_first: bool
    works: tuple
    score: float

    @property
    def independence(self) -> dict:
        """What must differ between two sources of one customer: a dedicated line from a substation is a
        feeder of its own, and its substation is the station itself."""
        asset, owner = self.candidate.asset, self.capacity_asset
        feeder = asset.asset_id if asset.kind in LINE_OWNERS else asset.feeder_id
        substation = owner.asset_id if owner.kind == "substation" else owner.substation_id
        return {"feeder": feeder, "substation": substation, "none": asset.asset_id}


def within_radius(candidate: Candidate, supply, ctx: Context) -> bool:
    """The supply radius is measured along the route (docs/ENGINEERING.md §4b), not the straight line."""
    return route_m(candidate, ctx) <= supply_radius_m(candidate.asset, supply, ctx.policy)


def supply_radius_m(asset, supply, policy) -> float:
    table = policy.engineering["supply_radius_m"]["lv" if supply.is_lv else "hv"]
    return table.get(asset.area_class, table["C"])


def search(point, ctx: Context) -> list:
    """Evaluated sources, best first, growing the search radius until three fit or the radius ends."""
    radii = ctx.policy.engineering["search_radii_m"]["lv" if ctx.supply.is_lv else "hv"]
    kinds = LV_KINDS if ctx.supply.is_lv else HV_KINDS
    public = ctx.supply.is_lv or ctx.supply.voltage_kv <= 20     # above 20 kV only a dedicated line serves
    sources = []
    for radius in radii if public else ():
        ctx.skipped.clear()
        found = [c for c in ctx.grid.within(point, radius, kinds)
                 if voltage_matches(c.asset, ctx.supply)
                 and within_radius(c, ctx.supply, ctx)]
        ctx.candidates_seen = len(found)
        sources = [s for s in (evaluate(c, ctx) for c in found) if s is not None]
        if len(sources) >= 3:
            break
    if not ctx.supply.is_lv and all(s.upgrade_first for s in sources):
        sources += dedicated_lines(point, ctx)
    if ctx.supply.is_lv and not sources and not ctx.generation:
        sources = new_sites(point, ctx)
    return sorted(sources, key=lambda s: (s.upgrade_first, s.score, s.candidate.asset.asset_id))


def dedicated_lines(point, ctx: Context) -> list:
    """专线 (docs/ENGINEERING.md §4a): a line of its own from a substation's spare bay of the supply
    voltage, within the supply radius, when no public line carries the load without works."""
    bay = f"{ctx.supply.voltage_kv:g}"
    radius = max(ctx.policy.engineering["search_radii_m"]["hv"])
    stations = [c for c in ctx.grid.within(point, radius, ("substation",))
                if (c.asset.spare_bays or {}).get(bay, 0) > 0
                and within_radius(c, ctx.supply, ctx)]
    ctx.candidates_seen += len(stations)
    return [s for s in (dedicated_line(c, ctx) for c in stations) if s is not None]


def dedicated_line(candidate: Candidate, ctx: Context) -> Optional[Source]:
    station, requested = candidate.asset, ctx.request["capacity_kva"]
    extra = ctx.reserved.get(station.asset_id, 0.0)
    headroom = station_headroom(station, requested, extra, ctx)
    if headroom is None:
        return skip(ctx, station, "变电站缺少主变台数、容量或负荷数据，无法校核专线")
    if headroom < 0:
        check = "反送电容量" if ctx.generation else "主变 N-1 后容量"
        return skip(ctx, station, f"专线：电源变电站{check}不足（缺 {-headroom:.0f} kVA）")
    conductor = choose(candidate, ctx)
    if conductor is None:
        return skip(ctx, station, "专线：" + electrical.no_conductor_cause(ctx.supply, requested, ctx.policy))
    row = cost.cost_row(ctx.policy, f"{electrical.voltage_class(ctx.supply)}_bay_yuan")
    works = cost.line_works(ctx.supply, conductor.construction, route_m(candidate, ctx), False, ctx.policy)
    works = [(f"{station.asset_id} 备用间隔出线（专线）", row["low"], row["high"], row["source"])] + works
    open_kva = headroom + requested
    return source_of(candidate, station, open_kva, conductor, works, False, extra, ctx)


def station_headroom(station, requested, extra, ctx: Context):
    """What a substation has left after the request: N-1 for a load, its hosting limit for a generator;
    None when the grid data does not say enough."""
    if not ctx.generation:
        return capacity.n_minus_1_headroom_kva(station, requested + extra, ctx.policy)
    return capacity.hosting_kva(station, ctx.policy, extra) - requested if station.rating_kva else None


def voltage_matches(asset, supply) -> bool:
    """LV points serve LV; 10 kV requests connect to 10 or 20 kV assets (20 kV grids); above 20 kV only a
    dedicated line from a bay of that voltage serves."""
    return supply.is_lv or (supply.voltage_kv <= 20 and 10 <= asset.voltage_kv <= 20)


def capacity_asset(candidate: Candidate, grid: Grid):
    """A switching point has no rating of its own: its feeder's capacity is what it offers."""
    asset = candidate.asset
    owner = asset if asset.rating_kva is not None else grid.by_id.get(asset.feeder_id)
    return owner if owner is not None and owner.rating_kva else None


def evaluate(candidate: Candidate, ctx: Context) -> Optional[Source]:
    asset, requested = candidate.asset, ctx.request["capacity_kva"]
    owner = capacity_asset(candidate, ctx.grid)
    if asset.negative_list or (owner is not None and owner.negative_list):
        return skip(ctx, asset, "列入电网受限负面清单")
    if owner is None:
        return skip(ctx, asset, "该开关站后无额定容量的馈线")
    if ctx.generation:
        return hosted(candidate, owner, ctx)
    substation, headroom = behind(owner, requested, ctx)
    if headroom is not None and headroom < 0:
        return skip(ctx, asset, f"电源变电站 {substation.asset_id} 主变 N-1 后容量不足（缺 {-headroom:.0f} kVA）")
    extra = ctx.reserved.get(owner.asset_id, 0.0)
    open_kva = capacity.open_capacity_kva(owner, ctx.policy, extra)
    relief = []
    if open_kva < requested:
        relief = capacity_relief(owner, substation, candidate, requested, extra, ctx)
        if relief is None:
            return skip(ctx, asset, f"可开放容量 {open_kva:.0f} kVA 小于 {requested:g} kVA，且无可行的增容方案")
    return connect(candidate, owner, open_kva, relief, extra, ctx)


def hosted(candidate: Candidate, owner, ctx: Context) -> Optional[Source]:
    """A generator is checked for back-feed, not load (docs/ENGINEERING.md §4c): no N-1 check (it relieves
    its substation) and no relief works (how much generation a feeder hosts is the region's plan)."""
    requested, extra = ctx.request["capacity_kva"], ctx.reserved.get(owner.asset_id, 0.0)
    room = capacity.hosting_kva(owner, ctx.policy, extra)
    if room < requested:
        return skip(ctx, candidate.asset, f"反送电校核：可接入电源容量 {room:.0f} kVA 小于 {requested:g} kVA")
    return connect(candidate, owner, room, [], extra, ctx)


def connect(candidate: Candidate, owner, open_kva, relief, extra, ctx: Context) -> Optional[Source]:
    """The line from the candidate to the customer, with the relief works that make room, as a source."""
    asset = candidate.asset
    conductor = choose(candidate, ctx)
    if conductor is None:
        cause = electrical.no_conductor_cause(ctx.supply, ctx.request["capacity_kva"], ctx.policy)
        return skip(ctx, asset, cause + deviation_note(asset, ctx))
    works = cost.line_works(ctx.supply, conductor.construction, route_m(candidate, ctx), asset.kind == "feeder",
                            ctx.policy, conductor.circuits)
    return source_of(candidate, owner, open_kva, conductor, works + relief, bool(relief), extra, ctx)


def deviation(asset, ctx: Context) -> float:
    """The point's measured deviation as the room it takes: a load pulls the voltage down, so a low point
    has less room; a generator pushes it up, so a high point has less (docs/ENGINEERING.md §4b, §4c)."""
    return -asset.voltage_pct if ctx.generation else asset.voltage_pct


def deviation_note(asset, ctx: Context) -> str:
    if deviation(asset, ctx) >= 0:
        return ""
    return f"（接入点电压已偏{'高' if ctx.generation else '低'} {abs(asset.voltage_pct):g}%）"


def new_sites(point, ctx: Context) -> list:
    """新布点 (docs/ENGINEERING.md §4b): no LV transformer can carry the customer, so a box-type substation
    beside the customer, fed by a 10 kV line from the nearest public feeder with room for it."""
    hv = electrical.hv_supply(ctx.policy)
    rating = site_rating_kva(ctx.request["capacity_kva"], ctx.policy)
    if rating is None:
        return []
    radius = max(ctx.policy.engineering["search_radii_m"]["hv"])
    for candidate in ctx.grid.within(point, radius, ("feeder",)):
        site = new_site(candidate, hv, rating, ctx)
        if site is not None:
            return [site]
    return []


def site_rating_kva(requested, policy):
    """The smallest standard transformer that carries ``requested`` within its load limit."""
    limit = policy.engineering["load_limit"]["distribution_transformer"]["value"]
    return next((r for r in policy.engineering["transformer_ratings_kva"]["value"] if limit * r >= requested), None)


def new_site(candidate: Candidate, hv, rating, ctx: Context) -> Optional[Source]:
    feeder, requested = candidate.asset, ctx.request["capacity_kva"]
    if not 10 <= feeder.voltage_kv <= 20 or feeder.negative_list or not feeder.rating_kva:
        return None
    if not within_radius(candidate, hv, ctx):
        return None
    _substation, headroom = behind(feeder, requested, ctx)
    if headroom is not None and headroom < 0:
        return None
    extra = ctx.reserved.get(feeder.asset_id, 0.0)
    open_kva = capacity.open_capacity_kva(feeder, ctx.policy, extra)
    if open_kva < requested:
        return None
    conductor = choose(candidate, ctx, hv)
    if conductor is None:
        return None
    box = cost.cost_row(ctx.policy, "box_substation_yuan_per_kva")
    works = [(f"新布点箱式变电站 {rating:g} kVA（客户侧）", box["low"] * rating, box["high"] * rating, box["source"])]
    works += cost.line_works(hv, conductor.construction, route_m(candidate, ctx), False, ctx.policy)
    return source_of(candidate, feeder, open_kva, conductor, works, False, extra, ctx)


def route_m(candidate: Candidate, ctx: Context) -> float:
    detour, _ = ctx.policy.number("detour_factor")
    return candidate.distance_m * detour


def choose(candidate: Candidate, ctx: Context, supply=None):
    """The conductor for the route to ``candidate`` at ``supply`` (the request's unless a new site's 10 kV
    feed); None: none carries the load within the ΔU limit."""
    req = ctx.request
    return electrical.choose_conductor(supply or ctx.supply, req["capacity_kw"], req["power_factor"],
                                       req["capacity_kva"], route_m(candidate, ctx) / 1000, candidate.asset.area_class,
                                       ctx.policy, deviation(candidate.asset, ctx))


def behind(owner, requested, ctx: Context) -> tuple:
    """(the substation feeding ``owner`` or None, its N-1 headroom after ``requested`` or None)."""
    substation = ctx.grid.by_id.get(owner.substation_id) if owner.substation_id else None
    return substation, substation and capacity.n_minus_1_headroom_kva(substation, requested, ctx.policy)


def source_of(candidate, owner, open_kva, conductor, works, upgrade_first, extra, ctx: Context) -> Source:
    requested = ctx.request["capacity_kva"]
    drop_limit, _ = electrical.drop_limit_pct(ctx.supply, ctx.policy)
    score = ranking.score(sum(w[2] for w in works), conductor.voltage_drop_pct, drop_limit, open_kva - requested,
                          requested, upgrade_first, ctx.policy.engineering["ranking"])
    rate = (capacity.hosting_rate_after(owner, requested, ctx.policy, extra) if ctx.generation
            else capacity.load_rate_after(owner, requested, extra))
    return Source(candidate, owner, open_kva, rate, route_m(candidate, ctx), conductor, upgrade_first, tuple(works),
                  score)


def capacity_relief(owner, substation, candidate: Candidate, requested, extra, ctx: Context):
    """Priced works that make room (先接入、后改造): a bigger transformer, or a new feeder from the
    substation's spare bay for a full feeder; None when nothing the grid data offers helps."""
    if owner.kind == "feeder":
        distance = substation.geometry.distance(Point(candidate.point_xy)) if substation else 0
        priced = [works for works in (cost.feeder_relief(owner, substation, distance, ctx.policy),
                                      load_transfer(owner, candidate, requested, extra, ctx)) if works]
        return min(priced, key=lambda works: (sum(w[2] for w in works), works[0][0])) if priced else None
    rating = capacity.upgraded_rating_kva(owner, requested, ctx.policy, extra)
    return cost.upgrade_works(owner, rating, ctx.policy) if rating else None


def load_transfer(feeder, candidate: Candidate, requested, extra, ctx: Context):
    """切改 (docs/ENGINEERING.md §4a): the part of the full feeder's load the request does not fit moves to a
    neighbouring feeder near the connection point that has room for it, by a tie cable and a ring main
    unit; None when no neighbour within reach can take it."""
    shortfall = requested - capacity.open_capacity_kva(feeder, ctx.policy, extra)
    reach, _ = ctx.policy.number("load_transfer_max_m")
    for near in ctx.grid.within(Point(candidate.point_xy), reach, ("feeder",), feeder.voltage_kv):
        other = near.asset
        if other.asset_id == feeder.asset_id or other.negative_list or not other.rating_kva:
            continue
        room = capacity.open_capacity_kva(other, ctx.policy, ctx.reserved.get(other.asset_id, 0.0))
        _substation, headroom = behind(other, shortfall, ctx)
        if room >= shortfall and (other.substation_id == feeder.substation_id or headroom is None or headroom >= 0):
            return cost.load_transfer_works(feeder, other, shortfall, near.distance_m, ctx.policy)
    return None


def skip(ctx: Context, asset, why):
    ctx.skipped.append((asset.asset_id, why))
    return None


def combine(sources: list, count: int, independent: str, limit: int = 3) -> list:
    """Groups of ``count`` sources that are pairwise independent (feeder or substation), best first."""
    if count == 1:
        return [[s] for s in sources[:limit]]
    groups, seen = [], set()
    for first in sources:
        group = [first]
        for other in sources:
            keys = [s.independence[independent] for s in group]
            key = other.independence[independent]
            if other is not first and key is not None and None not in keys and key not in keys:
                group.append(other)
            if len(group) == count:
                members = frozenset(s.candidate.asset.asset_id for s in group)
                if members not in seen:
                    seen.add(members)
                    groups.append(group)
                break
        if len(groups) == limit:
            break
    return groups
