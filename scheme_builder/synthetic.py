"""A synthetic city grid for demos, tests and benchmarks, the same for the same seed.

Substations with radial feeders (LineStrings, some tied), distribution transformers and ring main
units along them, realistic ratings and loads, area classes by distance from the centre, and a
few assets on the negative list. Offsets are laid out in metres around the centre and converted
to lon/lat once, for output: the builder itself never measures in degrees.
"""
import math
import random

from pyproj import Geod

TRANSFORMER_RATINGS_KVA = (200, 315, 400, 500, 630, 800, 1000, 1250)
AREA_RINGS_M = ((3000, "A"), (6000, "B"), (12000, "C"), (math.inf, "D"))
GEOD = Geod(ellps="WGS84")


def area_class(distance_m) -> str:
    return next(name for limit, name in AREA_RINGS_M if distance_m < limit)


class Layout:
    def __init__(self, centre, seed):
        self.lon0, self.lat0 = centre
        self.rng = random.Random(seed)

    def lonlat(self, x, y) -> list:
        """The point x m east and y m north of the centre."""
        azimuth = math.degrees(math.atan2(x, y))
        lon, lat, _ = GEOD.fwd(self.lon0, self.lat0, azimuth, math.hypot(x, y))
        return [round(lon, 7), round(lat, 7)]


def feature(geometry_type, coordinates, **properties) -> dict:
    return {"type": "Feature", "geometry": {"type": geometry_type, "coordinates": coordinates},
            "properties": properties}


def make_city_grid(assets=1000, seed=1, centre=(119.974, 31.811), region="changzhou") -> dict:
    """A FeatureCollection of about ``assets`` assets around ``centre``."""
    layout, features = Layout(centre, seed), []
    city_radius = 2500 * math.sqrt(max(assets, 200) / 200)
    substations = max(2, assets // 400)
    feeders_per_substation = max(2, min(8, assets // (substations * 25)))
    per_feeder = max(1, (assets - substations * (1 + feeders_per_substation)) // (substations * feeders_per_substation))
    for s in range(substations):
        angle, radius = layout.rng.uniform(0, 2 * math.pi), city_radius * math.sqrt(layout.rng.random())
        sx, sy = radius * math.cos(angle), radius * math.sin(angle)
        substation_id = f"SUB-{s:03d}"
        features.append(feature("Point", layout.lonlat(sx, sy), asset_id=substation_id, kind="substation",
                                voltage_kv=110, region=region, area_class=area_class(math.hypot(sx, sy))))
        for f in range(feeders_per_substation):
            features += make_feeder(layout, region, substation_id, f"F-{s:03d}-{f}", (sx, sy), per_feeder)
    return {"type": "FeatureCollection", "features": features}


def make_feeder(layout: Layout, region, substation_id, feeder_id, origin, assets_on_it) -> list:
    rng = layout.rng
    heading, step = rng.uniform(0, 2 * math.pi), rng.uniform(250, 600)
    path = [origin]
    for _ in range(rng.randint(6, 12)):
        heading += rng.uniform(-0.5, 0.5)
        x, y = path[-1]
        path.append((x + step * math.cos(heading), y + step * math.sin(heading)))
    rating = rng.choice((6000, 8000, 8660, 10000))
    middle = path[len(path) // 2]
    features = [feature("LineString", [layout.lonlat(*p) for p in path], asset_id=feeder_id, kind="feeder",
                        voltage_kv=10, rating_kva=rating, peak_kva=round(rating * rng.uniform(0.15, 0.6)),
                        reserved_kva=0, ties=rng.choice((0, 1, 1, 2, 3)), substation_id=substation_id,
                        area_class=area_class(math.hypot(*middle)), negative_list=rng.random() < 0.02,
                        region=region)]
    for i in range(assets_on_it):
        features.append(asset_along(layout, region, feeder_id, path, i))
    return features


def asset_along(layout: Layout, region, feeder_id, path, index) -> dict:
    rng = layout.rng
    a, b = rng.choice(list(zip(path, path[1:])))
    t = rng.random()
    x = a[0] + t * (b[0] - a[0]) + rng.uniform(-150, 150)
    y = a[1] + t * (b[1] - a[1]) + rng.uniform(-150, 150)
    common = dict(region=region, feeder_id=feeder_id, area_class=area_class(math.hypot(x, y)))
    if index % 12 == 11:
        return feature("Point", layout.lonlat(x, y), asset_id=f"RMU-{feeder_id}-{index}", kind="ring_main_unit",
                       voltage_kv=10, **common)
    rating = rng.choice(TRANSFORMER_RATINGS_KVA)
    return feature("Point", layout.lonlat(x, y), asset_id=f"TX-{feeder_id}-{index}", kind="distribution_transformer",
                   voltage_kv=0.4, rating_kva=rating, peak_kva=round(rating * rng.uniform(0.2, 0.85)),
                   reserved_kva=0, negative_list=rng.random() < 0.01, **common)
