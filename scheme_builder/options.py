"""Candidate connection points → priced, checked options (docs/ENGINEERING.md §8 steps 1-4)."""
from dataclasses import dataclass, field
from typing import Optional

from shapely.geometry import Point

from scheme_builder import capacity, cost, electrical, ranking
from scheme_builder.grid import Candidate, Grid

LV_KINDS = ("distribution_transformer",)
HV_KINDS = ("feeder", "ring_main_unit", "switching_station")


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
        asset = self.candidate.asset
        feeder = asset.asset_id if asset.kind == "feeder" else asset.feeder_id
        return {"feeder": feeder, "substation": self.capacity_asset.substation_id, "none": asset.asset_id}


def supply_radius_m(asset, supply, policy) -> float:
    table = policy.engineering["supply_radius_m"]["lv" if supply.is_lv else "hv"]
    return table.get(asset.area_class, table["C"])


def search(point, ctx: Context) -> list:
    """Evaluated sources, best first, growing the search radius until three fit or the radius ends."""
    radii = ctx.policy.engineering["search_radii_m"]["lv" if ctx.supply.is_lv else "hv"]
    kinds = LV_KINDS if ctx.supply.is_lv else HV_KINDS
    sources = []
    for radius in radii:
        ctx.skipped.clear()
        found = [c for c in ctx.grid.within(point, radius, kinds)
                 if voltage_matches(c.asset, ctx.supply)
                 and c.distance_m <= supply_radius_m(c.asset, ctx.supply, ctx.policy)]
        ctx.candidates_seen = len(found)
        sources = [s for s in (evaluate(c, ctx) for c in found) if s is not None]
        if len(sources) >= 3:
            break
    return sorted(sources, key=lambda s: (s.upgrade_first, s.score, s.candidate.asset.asset_id))


def voltage_matches(asset, supply) -> bool:
    """LV points serve LV; 10 kV requests connect to 10 or 20 kV assets (20 kV grids)."""
    return supply.is_lv or 10 <= asset.voltage_kv <= 20


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
    substation = ctx.grid.by_id.get(owner.substation_id) if owner.substation_id else None
    headroom = substation and capacity.n_minus_1_headroom_kva(substation, requested, ctx.policy)
    if headroom is not None and headroom < 0:
        return skip(ctx, asset, f"电源变电站 {substation.asset_id} 主变 N-1 后容量不足（缺 {-headroom:.0f} kVA）")
    extra = ctx.reserved.get(owner.asset_id, 0.0)
    open_kva = capacity.open_capacity_kva(owner, ctx.policy, extra)
    relief = []
    if open_kva < requested:
        relief = capacity_relief(owner, substation, candidate, requested, extra, ctx)
        if relief is None:
            return skip(ctx, asset, f"可开放容量 {open_kva:.0f} kVA 小于 {requested:g} kVA，且无可行的增容方案")
    detour, _ = ctx.policy.number("detour_factor")
    route_m = candidate.distance_m * detour
    conductor = electrical.choose_conductor(ctx.supply, ctx.request["capacity_kw"], ctx.request["power_factor"],
                                            requested, route_m / 1000, asset.area_class, ctx.policy,
                                            asset.voltage_pct)
    if conductor is None:
        low = f"（接入点电压已偏低 {-asset.voltage_pct:g}%）" if asset.voltage_pct < 0 else ""
        return skip(ctx, asset, electrical.no_conductor_cause(ctx.supply, requested, ctx.policy) + low)
    works = cost.line_works(ctx.supply, conductor.construction, route_m, asset.kind == "feeder", ctx.policy,
                            conductor.circuits)
    works += relief
    drop_limit, _ = electrical.drop_limit_pct(ctx.supply, ctx.policy)
    spare = open_kva - requested
    score = ranking.score(sum(w[2] for w in works), conductor.voltage_drop_pct, drop_limit, spare, requested,
                          bool(relief), ctx.policy.engineering["ranking"])
    return Source(candidate, owner, open_kva, capacity.load_rate_after(owner, requested, extra), route_m,
                  conductor, bool(relief), tuple(works), score)


def capacity_relief(owner, substation, candidate: Candidate, requested, extra, ctx: Context):
    """Priced works that make room (先接入、后改造): a bigger transformer, or a new feeder from the
    substation's spare bay for a full feeder; None when nothing the grid data offers helps."""
    if owner.kind == "feeder":
        distance = substation.geometry.distance(Point(candidate.point_xy)) if substation else 0
        return cost.feeder_relief(owner, substation, distance, ctx.policy)
    rating = capacity.upgraded_rating_kva(owner, requested, ctx.policy, extra)
    return cost.upgrade_works(owner, rating, ctx.policy) if rating else None


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
