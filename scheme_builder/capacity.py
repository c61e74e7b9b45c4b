"""Open capacity of a connection point (docs/ENGINEERING.md §4)::

    open = load_limit × rating − peak_12_months − reserved_not_yet_connected
"""
from scheme_builder.grid import Asset
from scheme_builder.pack import Pack


def load_limit(asset: Asset, policy: Pack) -> float:
    """The asset's own limit if the grid data gives one, else the engineering table's."""
    if asset.load_limit is not None:
        return asset.load_limit
    table = policy.engineering["load_limit"]
    if asset.kind == "feeder":
        return table["feeder_by_ties"][str(min(asset.ties, 3))]
    return table["distribution_transformer"]["value"]


def open_capacity_kva(asset: Asset, policy: Pack, reserved_extra=0.0) -> float:
    return load_limit(asset, policy) * asset.rating_kva - asset.peak_kva - asset.reserved_kva - reserved_extra


def n_minus_1_headroom_kva(substation: Asset, requested_kva, policy: Pack):
    """What the substation can still take with its largest main transformer out (docs/ENGINEERING.md §4a):
    its loading limit by the number of units times its rating, less its peak, what is reserved and the
    request; None when the grid data does not say enough to check."""
    if not substation.transformers or not substation.rating_kva or substation.peak_kva is None:
        return None
    shares = policy.engineering["substation_n1_load_share"]["by_transformers"]
    share = shares[str(min(substation.transformers, max(int(k) for k in shares)))]
    return share * substation.rating_kva - substation.peak_kva - substation.reserved_kva - requested_kva


def load_rate_after(asset: Asset, requested_kva, reserved_extra=0.0) -> float:
    return (asset.peak_kva + asset.reserved_kva + reserved_extra + requested_kva) / asset.rating_kva


def hosting_kva(asset: Asset, policy: Pack, reserved_extra=0.0) -> float:
    """The generation an asset can still take (docs/ENGINEERING.md §4c): its hosting share of the rating
    less the generation installed on it, what the grid data says is reserved on it (not told apart by
    kind there: the safe side) and the generation signed schemes hold (``reserved_extra``: the server
    passes a generator's request only generators' reservations, a load's only loads')."""
    share = policy.engineering["dg_hosting_share"][asset.kind]
    return share * asset.rating_kva - asset.generation_kva - asset.reserved_kva - reserved_extra


def hosting_rate_after(asset: Asset, requested_kva, policy: Pack, reserved_extra=0.0) -> float:
    """The share of the hosting limit used once the generator is connected."""
    share = policy.engineering["dg_hosting_share"][asset.kind]
    return (asset.generation_kva + asset.reserved_kva + reserved_extra + requested_kva) / (share * asset.rating_kva)


def upgraded_rating_kva(asset: Asset, requested_kva, policy: Pack, reserved_extra=0.0):
    """For "connect first, upgrade later": the rating a transformer swap needs, or None if none helps.

    A feeder has no rating to raise (more ties only lower its N-1 limit, docs/ENGINEERING.md §4a): its
    relief is a new feeder from its substation's spare bay (``cost.feeder_relief``).
    """
    if asset.kind == "feeder":
        return None
    needed = asset.peak_kva + asset.reserved_kva + reserved_extra + requested_kva
    limit = load_limit(asset, policy)
    ratings = policy.engineering["transformer_ratings_kva"]["value"]
    return next((r for r in ratings if r > asset.rating_kva and limit * r >= needed), None)


def shortfalls(option: dict, requested_kva, policy: Pack, grid, reserved, generation=False) -> list:
    """Capacity assets of a chosen option that can no longer take ``requested_kva``.

    Checked when the customer signs: another scheme signed meanwhile may have reserved the capacity
    this option counted on. Upgrade-first sources are exempt: the upgrade is what makes them fit; but the
    neighbouring feeder a load transfer moves load to must still take it. An asset missing from the
    current grid is a shortfall too.
    """
    short = []
    for source in option["sources"]:
        moved = source.get("load_transfer")
        if moved and not fits(grid.by_id.get(moved["asset_id"]), moved["kva"], open_capacity_kva, policy, reserved):
            short.append(moved["asset_id"])
        if option["upgrade_first"]:
            continue
        if not fits(grid.by_id.get(source["capacity_asset_id"]), requested_kva,
                    hosting_kva if generation else open_capacity_kva, policy, reserved):
            short.append(source["capacity_asset_id"])
    return short


def fits(asset, kva, room, policy: Pack, reserved) -> bool:
    """``asset`` is in the grid and ``room`` (open or hosting capacity, net of ``reserved``) still takes ``kva``."""
    return asset is not None and room(asset, policy, reserved.get(asset.asset_id, 0.0)) >= kva
