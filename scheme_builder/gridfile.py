"""Reading grid files (GeoJSON, or CSV with lon/lat columns) into validated features.

All-or-nothing: every bad feature is reported (where, asset_id, field, reason) and the file is
rejected as a whole with :class:`GridDataError`; nothing half-read goes further.
"""
import csv
import io
import json
import math

from scheme_builder.errors import GridDataError
from scheme_builder.grid import KINDS

RATED_KINDS = ("distribution_transformer", "feeder")
AREA_CLASSES = ("A+", "A", "B", "C", "D", "E")
NUMBER_FIELDS = ("voltage_kv", "rating_kva", "peak_kva", "reserved_kva", "generation_kva", "load_limit")
TEXT_FIELDS = ("asset_id", "kind", "region", "area_class", "feeder_id", "substation_id")
MAX_TEXT = 64
WHOLE_FIELDS = {"ties": (0, 100), "transformers": (1, 20)}      # name → inclusive range
CSV_NUMBERS = NUMBER_FIELDS + ("lon", "lat", "ties", "transformers", "voltage_pct")


def read_grid_file(text: str, filename: str) -> list:
    """Features of a ``.geojson``/``.json`` or ``.csv`` file, validated."""
    if filename.lower().endswith(".csv"):
        features, report = csv_features(text)
    else:
        features, report = geojson_features(text)
    report += validate_features(features, locations=getattr(features, "locations", None))
    if report:
        raise GridDataError(f"{filename}: {len(report)} bad feature(s); nothing imported", report)
    return features


def geojson_features(text: str):
    try:
        collection = json.loads(text)
    except ValueError as exc:
        return [], [issue("file", None, "json", f"not JSON: {exc}")]
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection" \
            or not isinstance(collection.get("features"), list):
        return [], [issue("file", None, "type", "expected a GeoJSON FeatureCollection with a features list")]
    return collection["features"], []


class Located(list):
    """Features that remember where each came from (a CSV line)."""
    locations: list


def csv_features(text: str):
    features, report = Located(), []
    features.locations = []
    reader = csv.DictReader(io.StringIO(text))
    for line, row in enumerate(reader, start=2):
        try:
            props = {k: to_value(k, v) for k, v in row.items() if k and v not in (None, "")}
        except ValueError as exc:
            report.append(issue(f"line {line}", row.get("asset_id"), str(exc.args[0]), "not a number"))
            continue
        lon, lat = props.pop("lon", None), props.pop("lat", None)
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": "Point", "coordinates": [lon, lat]}})
        features.locations.append(f"line {line}")
    return features, report


def to_value(key, value):
    if key in CSV_NUMBERS:
        try:
            return float(value)
        except ValueError:
            raise ValueError(key) from None
    if key == "negative_list":
        return value.strip().lower() in ("1", "true", "yes")
    return value


def issue(where, asset_id, field, reason) -> dict:
    """One line of the report; an id that is not plain text is shown escaped, so the report can be sent."""
    if asset_id is not None:
        asset_id = str(asset_id).encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return {"where": where, "asset_id": asset_id, "field": field, "reason": reason}


def validate_features(features, locations=None) -> list:
    """Every problem of every feature; an empty list means the file is good."""
    report, seen = [], set()
    for index, feature in enumerate(features):
        where = locations[index] if locations else f"feature {index}"
        problems = feature_problems(feature)
        asset_id = (feature.get("properties") or {}).get("asset_id") if isinstance(feature, dict) else None
        asset_id = asset_id if isinstance(asset_id, str) else None        # a wrong type is reported, not keyed
        if asset_id is not None and asset_id in seen:
            problems.append(("asset_id", "duplicate asset_id"))
        seen.add(asset_id)
        report += [issue(where, asset_id, field, reason) for field, reason in problems]
    if not features and not report:
        report.append(issue("file", None, "features", "no features"))
    return report


def feature_problems(feature) -> list:
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        return [("properties", "a feature needs a properties object")]
    props = feature["properties"]
    problems = [(name, "required") for name in ("asset_id", "kind", "voltage_kv", "region")
                if props.get(name) in (None, "")]
    problems += text_problems(props) + typed_problems(props)
    if props.get("kind") not in (None, "") and props["kind"] not in KINDS:
        problems.append(("kind", f"one of {', '.join(KINDS)}"))
    if props.get("kind") in RATED_KINDS:
        problems += [(name, f"required on a {props['kind']}") for name in ("rating_kva", "peak_kva")
                     if props.get(name) is None]
    problems += number_problems(props)
    if props.get("area_class") is not None and props["area_class"] not in AREA_CLASSES:
        problems.append(("area_class", f"one of {', '.join(AREA_CLASSES)}"))
    return problems + geometry_problems(feature.get("geometry"), props.get("kind"))


def text_problems(props) -> list:
    """Names and ids are short text (a list or a number in their place would break the import later)."""
    problems = []
    for name in TEXT_FIELDS:
        value = props.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or not 0 < len(value) <= MAX_TEXT or "\x00" in value:
            problems.append((name, f"text of 1 to {MAX_TEXT} characters"))
        elif not value.isascii() and value.encode("utf-8", "replace").decode("utf-8") != value:
            problems.append((name, "not valid Unicode text (a lone surrogate)"))
    return problems


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_whole(value, low, high) -> bool:
    return is_number(value) and float(value).is_integer() and low <= value <= high


def typed_problems(props) -> list:
    """The other typed properties: whole numbers in range, a boolean, the spare-bay object, a deviation."""
    problems = [(name, f"a whole number from {low} to {high}") for name, (low, high) in WHOLE_FIELDS.items()
                if props.get(name) is not None and not is_whole(props[name], low, high)]
    if props.get("negative_list") is not None and not isinstance(props["negative_list"], bool):
        problems.append(("negative_list", "true or false"))
    bays = props.get("spare_bays")
    if bays is not None and not (isinstance(bays, dict) and all(
            isinstance(k, str) and isinstance(v, int) and is_whole(v, 0, 50) for k, v in bays.items())):
        problems.append(("spare_bays", 'an object of bus voltage → spare bays, e.g. {"10": 2}'))
    deviation = props.get("voltage_pct")
    if deviation is not None and not (is_number(deviation) and abs(deviation) <= 50):
        problems.append(("voltage_pct", "a number of % between -50 and 50"))
    return problems


def number_problems(props) -> list:
    problems = []
    for name in NUMBER_FIELDS:
        value = props.get(name)
        if value is None:
            continue
        if not is_number(value) or value < 0:
            problems.append((name, "a number ≥ 0"))
    if isinstance(props.get("load_limit"), (int, float)) and not 0 < props["load_limit"] <= 1:
        problems.append(("load_limit", "a share between 0 and 1"))
    if isinstance(props.get("rating_kva"), (int, float)) and props["rating_kva"] == 0:
        problems.append(("rating_kva", "must be > 0"))
    return problems


def geometry_problems(geometry, kind) -> list:
    expected = "LineString" if kind == "feeder" else "Point"
    if not isinstance(geometry, dict) or geometry.get("type") != expected:
        return [("geometry", f"a {kind or 'feature'} needs a {expected} geometry")]
    coords = geometry.get("coordinates")
    points = [coords] if expected == "Point" else coords
    if not isinstance(points, list) or (expected == "LineString" and len(points) < 2):
        return [("geometry", "coordinates missing or too few")]
    for point in points:
        if not valid_lon_lat(point):
            return [("geometry", f"not a WGS84 lon/lat pair: {point!r}")]
    return []


def valid_lon_lat(point) -> bool:
    return (isinstance(point, list) and len(point) >= 2
            and all(is_number(v) for v in point[:2])
            and -180 <= point[0] <= 180 and -90 <= point[1] <= 90)
