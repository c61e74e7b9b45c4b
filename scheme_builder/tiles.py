"""Grid data paged by area: square lon/lat tiles, so a device holds only the tiles around its work.

A tile is named ``"<i>_<j>"``: the ``i``-th column and ``j``-th row of ``size``-degree squares from
(0°, 0°). A feature belongs to every tile its bounding box touches (a feeder may cross several);
each carries its ordinal in the snapshot so that a device rebuilds the assets in the server's order.
Whether a device can answer a request offline is a question of coverage: every non-empty tile
within the farthest supply radius of the point must be held (``tiles_around``).
"""
import math
from collections import defaultdict

from pyproj import Geod

TILE_DEGREES = 0.05          # about 5 km × 5.5 km in China: a city is a few hundred tiles
GEOD = Geod(ellps="WGS84")


def tile_name(i: int, j: int) -> str:
    return f"{i}_{j}"


def tiles_of_bbox(bbox, size=TILE_DEGREES) -> list:
    """Names of the tiles a lon/lat box ``(west, south, east, north)`` touches."""
    west, south, east, north = bbox
    return [tile_name(i, j) for i in range(math.floor(west / size), math.floor(east / size) + 1)
            for j in range(math.floor(south / size), math.floor(north / size) + 1)]


def feature_bbox(feature) -> tuple:
    coords = feature["geometry"]["coordinates"]
    points = [coords] if feature["geometry"]["type"] == "Point" else coords
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def split(features, size=TILE_DEGREES) -> dict:
    """{tile name: [ordinal, …]} of the features (by their index in ``features``)."""
    tiles = defaultdict(list)
    for ordinal, feature in enumerate(features):
        for name in tiles_of_bbox(feature_bbox(feature), size):
            tiles[name].append(ordinal)
    return dict(tiles)


def expand(bbox, metres: float) -> tuple:
    """The box grown by ``metres`` on every side (geodesic offsets, not a degree guess)."""
    west, south, east, north = bbox
    lat_far = max(abs(south), abs(north))
    _, north_edge, _ = GEOD.fwd(west, north, 0, metres)
    _, south_edge, _ = GEOD.fwd(west, south, 180, metres)
    east_edge, _, _ = GEOD.fwd(east, math.copysign(lat_far, north), 90, metres)
    west_edge, _, _ = GEOD.fwd(west, math.copysign(lat_far, north), 270, metres)
    return west_edge, south_edge, east_edge, north_edge


def tiles_around(lon: float, lat: float, metres: float, size=TILE_DEGREES) -> list:
    """The tiles a scheme at (lon, lat) may look into: those within ``metres`` of the point."""
    return tiles_of_bbox(expand((lon, lat, lon, lat), metres), size)


def farthest_radius_m(engineering: dict) -> float:
    """The longest supply radius of the engineering tables: how far a scheme ever looks."""
    radii = engineering["supply_radius_m"]
    return max(v for table in radii.values() for k, v in table.items() if k != "source")


class OutsideHeldTiles(Exception):
    """A device holds grid tiles of another area: the request needs tiles it has not pulled."""

    def __init__(self, missing):
        super().__init__(f"this device holds no grid data for {len(missing)} tile(s) around the location "
                         f"({', '.join(sorted(missing)[:5])}{' …' if len(missing) > 5 else ''}); build the scheme "
                         "online or ask the back office to widen the team's area")
        self.missing = sorted(missing)
