"""Plain builders for test data: ``make_ticket(**overrides)``, tiny grids laid out in metres."""
import hashlib
import json
import math

from pyproj import Geod

from sync.ids import new_id

PASSWORD = "correct horse battery staple"


def make_ticket(**overrides) -> dict:
    """A valid LV non-resident Changzhou application, as a device would send it."""
    ticket = {
        "id": f"T-{new_id()}",
        "business_type": "lv_nonresident_new",
        "customer_class": "non_resident",
        "region": "changzhou",
        "capacity_kw": 120,
        "customer": {"name": "常州示范机械厂", "id_kind": "business_license", "id_number": "91320400X",
                     "phone": "13912345678"},
        "address": "常州市新北区",
        "location": {"lon": 119.951, "lat": 31.781},
    }
    ticket.update(overrides)
    return ticket


RECEIVED = [{"kind": "subject_proof", "status": "received"}, {"kind": "property_proof", "status": "received"}]


# ---- tiny grids, laid out in metres east/north of a centre ---------------------------------
GEOD = Geod(ellps="WGS84")
CENTRE = (119.951, 31.781)


def at(east_m=0.0, north_m=0.0, centre=CENTRE) -> list:
    """lon/lat of the point ``east_m`` east and ``north_m`` north of ``centre``."""
    if east_m == north_m == 0:
        return list(centre)
    lon, lat, _ = GEOD.fwd(centre[0], centre[1], math.degrees(math.atan2(east_m, north_m)), math.hypot(east_m, north_m))
    return [lon, lat]


def transformer(asset_id, east, north, rating_kva=630, peak_kva=200, region="changzhou", **props) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": at(east, north)},
            "properties": {"asset_id": asset_id, "kind": "distribution_transformer", "voltage_kv": 0.4,
                           "rating_kva": rating_kva, "peak_kva": peak_kva, "region": region, "area_class": "B",
                           **props}}


def feeder(asset_id, path, rating_kva=8000, peak_kva=2000, region="changzhou", **props) -> dict:
    return {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [at(e, n) for e, n in path]},
            "properties": {"asset_id": asset_id, "kind": "feeder", "voltage_kv": 10, "rating_kva": rating_kva,
                           "peak_kva": peak_kva, "region": region, "area_class": "B", "substation_id": "S1",
                           **props}}


def strokes(points=12, width=800, height=300, **canvas) -> bytes:
    """Signature strokes JSON (docs/SYNC_PROTOCOL.md): one zigzag stroke of ``points`` points."""
    stroke = [{"x": 20 + 30 * i, "y": 60 + 120 * (i % 2), "t": 25 * i, "pressure": 0.5} for i in range(points)]
    return json.dumps({"canvas": {"width": width, "height": height, **canvas}, "strokes": [stroke]}).encode()


def make_grid(*features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def scheme_request(**overrides) -> dict:
    request = {"business_type": "hv_new", "customer_class": "non_resident", "capacity_kva": 1250,
               "location": {"lon": CENTRE[0], "lat": CENTRE[1]}}
    request.update(overrides)
    return request
