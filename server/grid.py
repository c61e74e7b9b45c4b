"""Grid data in the server: importing files as numbered snapshots, and the built Grid per region.

An import replaces the snapshot of each region present in the file and no other (docs/SCHEME_API.md),
all or nothing. Reservations of signed schemes live in their own table keyed by ``asset_id``, so a
re-import keeps them; an asset that vanished while holding reservations is reported.

Building a Grid (projection + STRtree) costs about a second at 100k assets, so each process keeps
the newest one per region and rebuilds only when the snapshot number moves on.
"""
import json
import threading
from collections import defaultdict

from scheme_builder import Grid, load_engineering
from scheme_builder.errors import GridDataError, NoGridData
from scheme_builder.gridfile import issue, read_grid_file
from server.db import transaction
from server.errors import Problem
from server.policy import PolicyBook
from server.storage import grid as store, users
from server.monitor import heavy_load_notices
from server.storage import utcnow
from server.storage.tickets import next_change


def grid_version(region: str, snapshot_id: int) -> str:
    """The snapshot's name inside a scheme (and its hash): the same on the server and the devices."""
    return f"{region}/{snapshot_id}"


def import_grid(db, book: PolicyBook, text: str, filename: str, username: str, allowed_regions=None) -> dict:
    """Validate the whole file, then store one snapshot per region in one transaction.

    ``allowed_regions`` (None: any) are the regions the importer may replace; a back-office user
    imports their own region only.
    """
    features = read_grid_file(text, filename)
    by_region = defaultdict(list)
    for feature in features:
        by_region[feature["properties"]["region"]].append(feature)
    unknown = [issue(f"feature {i}", f["properties"]["asset_id"], "region", "no policy pack for this region")
               for i, f in enumerate(features) if f["properties"]["region"] not in book.regions()]
    if unknown:
        raise GridDataError(f"{filename}: {len(unknown)} feature(s) of unknown regions; nothing imported", unknown)
    foreign = sorted(set(by_region) - set(allowed_regions)) if allowed_regions is not None else []
    if foreign:
        raise Problem("forbidden", f"you may import grid data of {', '.join(sorted(allowed_regions))} only; "
                      f"the file has {', '.join(foreign)}")
    with transaction(db):
        snapshots = [import_region(db, region, region_features, filename, username)
                     for region, region_features in sorted(by_region.items())]
    return {"filename": filename, "asset_count": len(features), "snapshots": snapshots}


def import_region(db, region, features, filename, username) -> dict:
    previous = store.current_snapshot(db, region)
    snapshot_id = store.save_snapshot(db, region, features, filename, username)
    announce_tiles(db, region, snapshot_id, previous and previous["id"])
    heavy_rate = ENGINEERING["heavy_load_rate"]["value"]
    heavy = heavy_load_notices(db, region, snapshot_id, features, heavy_rate, utcnow())
    present = {f["properties"]["asset_id"] for f in features}
    absorbed = store.absorb_connected(db, region, [f["properties"]["asset_id"] for f in features
                                                   if f["properties"].get("generation_kva") is not None])
    orphaned = [r for r in store.active_reservations(db, region) if r["asset_id"] not in present]
    return {"id": snapshot_id, "region": region, "version": grid_version(region, snapshot_id),
            "asset_count": len(features), "absorbed_reservations": absorbed, "vanished_reserved_assets": orphaned,
            "heavy_load_notices": heavy}


def tile_entity(region: str, name: str) -> str:
    return f"tile:{region}:{name}"


def announce_tiles(db, region, snapshot_id, previous_id=None):
    """A change for the region's tile index and for each tile, new or gone: devices pull the new assets."""
    names = set(store.tile_index(db, snapshot_id)["tiles"])
    gone = set(store.tile_index(db, previous_id)["tiles"]) - names if previous_id else set()
    next_change(db, "reference", f"grid:{region}", region=region)
    for name in sorted(names | gone):
        next_change(db, "reference", tile_entity(region, name), region=region)


def set_area(db, team, bbox) -> bool:
    """A team's work area; its region's tiles are announced again so devices pull those now in it."""
    if not users.set_team_area(db, team, bbox):
        return False
    region = users.team_region(db, team)
    snapshot = store.current_snapshot(db, region)
    if snapshot:
        announce_tiles(db, region, snapshot["id"])
    return True


def tile_snapshots(db):
    """At start-up: tile the snapshots imported before tiles existed, and announce the current ones."""
    untiled = store.untiled_snapshots(db)
    for snapshot_id in untiled:
        texts = store.feature_texts(db, snapshot_id)
        store.save_tiles(db, snapshot_id, [json.loads(text) for text in texts], texts)
    for region in {s["region"] for s in store.list_snapshots(db) if s["id"] in untiled}:
        announce_tiles(db, region, store.current_snapshot(db, region)["id"])


class GridCache:
    """The newest Grid of each region, built once per snapshot and shared by the process's threads."""

    def __init__(self):
        self._grids = {}
        self._lock = threading.Lock()

    def get(self, db, region: str) -> Grid:
        snapshot = store.current_snapshot(db, region)
        if snapshot is None:
            raise NoGridData(f"no grid data has been imported for {region}",
                             {"region": [f"no grid snapshot for {region}"]})
        cached = self._grids.get(region)
        if cached and cached[0] == snapshot["id"]:
            return cached[1]
        with self._lock:
            cached = self._grids.get(region)
            if not cached or cached[0] < snapshot["id"]:
                features = store.snapshot_features(db, snapshot["id"])
                cached = (snapshot["id"], Grid.from_features(features, grid_version(region, snapshot["id"])))
                self._grids[region] = cached
            return cached[1]


ENGINEERING = load_engineering()
