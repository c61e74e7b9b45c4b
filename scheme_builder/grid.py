"""The grid as the scheme builder sees it: assets in metres, behind a spatial index.

Coordinates arrive as WGS84 lon/lat and are projected once, per snapshot, to a transverse Mercator
centred on the data's extent (scale error below 0.01 % within 100 km of the centre), so every
distance is in metres and nothing is measured in degrees. ``STRtree`` answers "assets within r m".
"""
from dataclasses import dataclass
from typing import Optional

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely import STRtree
from shapely.geometry import Point

POINT_KINDS = ("distribution_transformer", "ring_main_unit", "switching_station", "substation")
KINDS = POINT_KINDS + ("feeder",)


@dataclass(frozen=True)
class Asset:
    asset_id: str
    kind: str
    voltage_kv: float
    region: str
    rating_kva: Optional[float]
    peak_kva: Optional[float]
    reserved_kva: float
    load_limit: Optional[float]
    area_class: str
    feeder_id: Optional[str]
    substation_id: Optional[str]
    ties: int
    negative_list: bool
    geometry: object          # projected shapely geometry, metres
    transformers: int = 0     # a substation's main transformers (0: unknown, no N-1 check)
    voltage_pct: float = 0.0  # measured deviation from nominal at this point, % (signed)
    spare_bays: Optional[dict] = None     # a substation's spare bays by bus voltage ("10": 2)
    generation_kva: float = 0.0           # generation installed on the asset (装机), taking back-feed room


@dataclass(frozen=True)
class Candidate:
    asset: Asset
    distance_m: float
    point_xy: tuple           # the connection point, projected


def extent_centre(features) -> tuple:
    """The centre of the data's extent, rounded as the projection names it: (lon, lat)."""
    coords = list(all_coordinates(features))
    if not coords:
        return 0.0, 0.0
    lons, lats = [c[0] for c in coords], [c[1] for c in coords]
    return round((min(lons) + max(lons)) / 2, 6), round((min(lats) + max(lats)) / 2, 6)


def local_crs(centre) -> CRS:
    """A transverse Mercator centred on ``centre`` (the whole snapshot's, also on a device holding part)."""
    lon0, lat0 = centre
    return CRS.from_proj4(f"+proj=tmerc +lat_0={lat0:.6f} +lon_0={lon0:.6f} +k=1 +x_0=0 +y_0=0 "
                          "+ellps=WGS84 +units=m +no_defs")


def all_coordinates(features):
    for feature in features:
        coords = feature["geometry"]["coordinates"]
        yield from ([coords] if feature["geometry"]["type"] == "Point" else coords)


class Grid:
    """One snapshot of a region's assets, projected and indexed."""

    def __init__(self, assets, forward: Transformer, inverse: Transformer, version: str):
        self.assets = assets
        self.by_id = {a.asset_id: a for a in assets}
        self.version = version
        self.forward, self.inverse = forward, inverse
        self.geometries = np.array([a.geometry for a in assets], dtype=object)
        self.trees = {}       # kind → (the assets' indices, an STRtree of theirs): a query of one kind never
        for kind in dict.fromkeys(a.kind for a in assets):     # walks the thousands of others in its radius
            indices = np.array([i for i, a in enumerate(assets) if a.kind == kind])
            self.trees[kind] = (indices, STRtree(self.geometries[indices]))

    @classmethod
    def from_features(cls, features, version: str, centre=None) -> "Grid":
        """Build from validated GeoJSON features (see ``gridfile.validate_features``).

        ``centre`` is the projection's origin; a device building from some tiles of a snapshot
        passes the whole snapshot's, so its distances (and scheme hashes) equal the server's.
        """
        crs = local_crs(tuple(centre) if centre else extent_centre(features))
        forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        inverse = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        geometries = projected_geometries(features, forward)
        assets = [to_asset(f, g) for f, g in zip(features, geometries)]
        return cls(assets, forward, inverse, version)

    def project(self, lon, lat) -> Point:
        return Point(self.forward.transform(lon, lat))

    def to_lonlat(self, xy) -> dict:
        """lon/lat to 6 decimals (0.1 m). Rounded to 7 first: an asset's own 7-decimal coordinate comes
        back from the projection's round trip a few ulps off, on either side of a 6-decimal tie, and
        the offline app's projection (proj4) lands on another side than PROJ's; 7 decimals absorb it."""
        lon, lat = self.inverse.transform(*xy)
        return {"lon": round(round(lon, 7), 6), "lat": round(round(lat, 7), 6)}

    def within(self, point: Point, radius_m: float, kinds, voltage_kv=None) -> list:
        """Candidates of ``kinds`` within ``radius_m``, nearest first."""
        found = [indices[tree.query(point, predicate="dwithin", distance=radius_m)]
                 for indices, tree in (self.trees[kind] for kind in kinds if kind in self.trees)]
        return self.rank(point, np.concatenate(found) if found else [], kinds, voltage_kv, radius_m)

    def within_linear(self, point: Point, radius_m: float, kinds, voltage_kv=None) -> list:
        """The same answer by measuring every asset: the baseline the benchmark compares against."""
        distances = shapely.distance(point, self.geometries)
        return self.rank(point, np.nonzero(distances <= radius_m)[0], kinds, voltage_kv, radius_m)

    def rank(self, point, indices, kinds, voltage_kv, radius_m) -> list:
        found = []
        for i in indices:
            asset = self.assets[i]
            if asset.kind not in kinds or (voltage_kv is not None and asset.voltage_kv != voltage_kv):
                continue
            distance = asset.geometry.distance(point)
            if distance <= radius_m:
                nearest = shapely.shortest_line(point, asset.geometry).coords[1]
                found.append(Candidate(asset, distance, tuple(nearest)))
        return sorted(found, key=lambda c: (c.distance_m, c.asset.asset_id))

    def nearest_distance(self, point: Point) -> float:
        return min(float(self.assets[indices[tree.nearest(point)]].geometry.distance(point))
                   for indices, tree in self.trees.values())


def projected_geometries(features, forward: Transformer) -> list:
    """All features projected in one vectorised call: points stay points, feeders become lines."""
    flat, line_index, is_point = [], [], []
    for i, feature in enumerate(features):
        coords = feature["geometry"]["coordinates"]
        point = feature["geometry"]["type"] == "Point"
        is_point.append(point)
        for lon_lat in ([coords] if point else coords):
            flat.append(lon_lat[:2])
            line_index.append(i)
    lon_lat = np.asarray(flat, dtype=float)
    xs, ys = forward.transform(lon_lat[:, 0], lon_lat[:, 1])
    xy, owner = np.column_stack([xs, ys]), np.asarray(line_index)
    geometries = [None] * len(features)
    point_rows = np.array([is_point[j] for j in owner], dtype=bool)
    for row, point in zip(np.nonzero(point_rows)[0], shapely.points(xy[point_rows])):
        geometries[owner[row]] = point
    line_rows = ~point_rows
    if line_rows.any():
        feature_indices, consecutive = np.unique(owner[line_rows], return_inverse=True)
        lines = shapely.linestrings(xy[line_rows], indices=consecutive)
        for feature_index, line in zip(feature_indices, lines):
            geometries[feature_index] = line
    return geometries


def to_asset(feature, geometry) -> Asset:
    props = feature["properties"]
    return Asset(
        asset_id=str(props["asset_id"]), kind=props["kind"], voltage_kv=float(props["voltage_kv"]),
        region=props["region"], rating_kva=opt_float(props.get("rating_kva")),
        peak_kva=opt_float(props.get("peak_kva")), reserved_kva=float(props.get("reserved_kva") or 0),
        load_limit=opt_float(props.get("load_limit")), area_class=props.get("area_class") or "C",
        feeder_id=props.get("feeder_id"), substation_id=props.get("substation_id"),
        ties=int(props.get("ties") or 0), negative_list=bool(props.get("negative_list", False)),
        geometry=geometry, transformers=int(props.get("transformers") or 0),
        voltage_pct=float(props.get("voltage_pct") or 0), spare_bays=props.get("spare_bays"),
        generation_kva=float(props.get("generation_kva") or 0))


def opt_float(value):
    return None if value is None else float(value)
