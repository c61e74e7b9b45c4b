"""Golden vectors for the field app's scheme builder: the Python builder's answers, written as JSON.

    python -m tests.golden_vectors field_app/test/golden/vectors.json

For every policy pack: a synthetic city grid of its region and a hand-made grid with the cases the
city lacks (substations with N-1 data and spare bays, low voltage at a point, the negative list, a
switching station with no rated feeder, a 20 kV line), and a few hundred generated requests (LV and
HV, single-phase, important customers, zones, reservations, points outside the grid, invalid
fields, 35 kV requests above the direct-connection limit, generators, load transfers). Each case carries the full expected scheme (or the error and its fields); the JavaScript
port must reproduce it and its ``scheme_hash`` exactly. ``make test`` regenerates the file, so the two
builders cannot drift apart.
"""
import json
import math
import random
import sys
from pathlib import Path

from pdf.labels import device_tables
from pdf.sources import official_source
from scheme_builder import Grid, build_scheme
from scheme_builder.errors import SchemeError
from scheme_builder.grid import extent_centre
from scheme_builder.pack import dump_pack
from scheme_builder.synthetic import Layout, feature, make_city_grid
from server.grid import ENGINEERING
from server.policy import load_policy_book
from tests.scheme_builder.scenarios import GRID as SCENARIO_GRID, SCENARIOS, request_of

CENTRES = {"changzhou": (119.974, 31.811), "shanghai": (121.47, 31.23), "chongqing": (106.55, 29.56),
           "xihua": (104.07, 30.67), "jiangsu": (118.78, 32.06)}
CASES_PER_PACK = 70
GENERATORS_PER_PACK = 30     # where the pack has the business (Xihua)


def special_grid(region, centre) -> dict:
    """The cases a synthetic city lacks, laid out in metres around ``centre``."""
    at = Layout(centre, 0).lonlat
    common = {"region": region, "area_class": "B"}
    return {"type": "FeatureCollection", "features": [
        feature("Point", at(-900, 0), asset_id="SUB-N1", kind="substation", voltage_kv=110, rating_kva=63000,
                peak_kva=52000, transformers=2, spare_bays={"10": 1}, **common),
        feature("Point", at(900, 50), asset_id="SUB-OK", kind="substation", voltage_kv=110, rating_kva=80000,
                peak_kva=30000, transformers=3, spare_bays={"10": 2, "35": 1}, **common),
        feature("LineString", [at(-900, 0), at(-300, 200), at(300, 220)], asset_id="F-FULL", kind="feeder",
                voltage_kv=10, rating_kva=8000, peak_kva=4300, ties=1, substation_id="SUB-OK", **common),
        feature("LineString", [at(900, 50), at(200, -250), at(-400, -300)], asset_id="F-OK", kind="feeder",
                voltage_kv=10, rating_kva=10000, peak_kva=3000, ties=2, substation_id="SUB-OK", voltage_pct=-3.5,
                generation_kva=1800, **common),
        feature("LineString", [at(-900, 0), at(-500, 600)], asset_id="F-N1", kind="feeder", voltage_kv=10,
                rating_kva=8000, peak_kva=2000, ties=0, substation_id="SUB-N1", **common),
        feature("LineString", [at(0, 900), at(700, 900)], asset_id="F-20KV", kind="feeder", voltage_kv=20,
                rating_kva=16000, peak_kva=4000, ties=1, substation_id="SUB-OK", **common),
        feature("LineString", [at(-600, -700), at(600, -700)], asset_id="F-NEG", kind="feeder", voltage_kv=10,
                rating_kva=8000, peak_kva=1000, negative_list=True, substation_id="SUB-OK", **common),
        feature("Point", at(150, 260), asset_id="RMU-1", kind="ring_main_unit", voltage_kv=10, feeder_id="F-OK",
                **common),
        feature("Point", at(-200, 450), asset_id="SW-LONE", kind="switching_station", voltage_kv=10,
                feeder_id="F-GONE", **common),
        feature("Point", at(60, 40), asset_id="TX-FULL", kind="distribution_transformer", voltage_kv=0.4,
                rating_kva=400, peak_kva=380, feeder_id="F-OK", voltage_pct=-4.0, **common),
        feature("Point", at(-120, -60), asset_id="TX-BIG", kind="distribution_transformer", voltage_kv=0.4,
                rating_kva=1250, peak_kva=300, reserved_kva=100, generation_kva=150, feeder_id="F-OK", **common),
        feature("Point", at(250, -150), asset_id="TX-C", kind="distribution_transformer", voltage_kv=0.4,
                rating_kva=630, peak_kva=200, feeder_id="F-FULL", load_limit=0.7, region=region, area_class="C"),
        feature("Point", at(-300, 300), asset_id="TX-NEG", kind="distribution_transformer", voltage_kv=0.4,
                rating_kva=800, peak_kva=100, negative_list=True, feeder_id="F-FULL", **common),
        feature("Point", at(*INHERITED_NAME_AT), asset_id="constructor", kind="distribution_transformer",
                voltage_kv=0.4, rating_kva=630, peak_kva=150, feeder_id="F-OK", **common),
    ]}


INHERITED_NAME_AT = (-40, -420)      # a transformer named as what every JavaScript object inherits


def inherited_names(pack, layout, grid, name) -> list:
    """Names a JavaScript object answers for without holding them — an asset, reservations, a business type
    called "constructor", "__proto__" or "toString": the tablet must treat them as any other name."""
    lv = next(k for k, t in pack.business_types.items() if t.voltage == "lv" and t.nature == "load")
    lon, lat = layout.lonlat(*INHERITED_NAME_AT)
    base = {"customer_class": "non_resident", "capacity_kw": 100.0, "location": {"lon": lon, "lat": lat},
            **({"zone": pack.zones[0].zone} if pack.zone_required else {})}
    asked = [({**base, "business_type": lv}, reserved) for reserved in (
        {}, {"constructor": 250.0}, {"__proto__": 50.0, "toString": 10.0})]
    asked += [({**base, "business_type": odd}, {}) for odd in INHERITED_NAMES]
    return [{"pack": pack.id, "grid": name, "request": request, "reserved": reserved,
             **outcome(request, pack, grid, reserved)} for request, reserved in asked]


def grid_entry(name, collection, version) -> dict:
    features = collection["features"]
    return {"name": name, "version": version, "centre": list(extent_centre(features)), "features": features}


def random_request(rng, pack, layout) -> dict:
    business = rng.choice([k for k, t in pack.business_types.items() if t.voltage in ("lv", "hv")])
    voltage = pack.business_types[business].voltage
    reach = rng.choices((300, 1500, 12000), weights=(7, 2, 1))[0]
    distance, azimuth = rng.uniform(0, reach), rng.uniform(0, 360)
    lon, lat = layout.lonlat(distance * math.sin(math.radians(azimuth)), distance * math.cos(math.radians(azimuth)))
    request = {"business_type": business, "customer_class": rng.choice(("resident", "non_resident", "micro_enterprise")),
               "location": {"lon": lon + rng.uniform(-1e-6, 1e-6), "lat": lat}}
    if pack.business_types[business].nature == "generation":      # 220 V, 380 V, 10 kV, 35 kV and beyond
        request["capacity_kw"] = rng.choice((rng.uniform(2, 8), rng.uniform(8, 400), rng.uniform(400, 6000),
                                             rng.uniform(6000, 60000)))
    elif voltage == "lv":
        request["capacity_kw"] = rng.choice((rng.uniform(2, 60), rng.uniform(60, 320), float(rng.randint(5, 200))))
        request["phase"] = rng.choice((3, 3, 1))
    else:
        request["capacity_kva"] = rng.choice((rng.uniform(80, 2000), rng.uniform(2000, 12000), float(rng.choice((630, 1250, 8000)))))
    if rng.random() < 0.2:
        request["reliability_class"] = rng.choice(("level2", "level1", "special"))
    if rng.random() < 0.2:
        request["power_factor"] = round(rng.uniform(0.8, 0.98), 2)
    if rng.random() < 0.1:
        request[rng.choice(("park_or_electrification", "ev_charging"))] = True
    if pack.zone_required or rng.random() < 0.2:
        request["zone"] = rng.choice(pack.zones).zone
    return request


def broken(rng, request) -> dict:
    """A request the builder must refuse, naming the field."""
    field, value = rng.choice((("capacity_kw", -5), ("capacity_kva", 0), ("location", {"lon": 200, "lat": 0}),
                               ("phase", 2), ("reliability_class", "gold"), ("power_factor", 1.5),
                               ("customer_class", "vip"), ("zone", "nowhere")))
    return {**request, field: value}


def outcome(request, pack, grid, reserved) -> dict:
    try:
        return {"scheme": build_scheme(request, pack, grid, reserved)}
    except SchemeError as exc:
        return {"error": type(exc).__name__, "errors": exc.errors}


def vectors(seed=20261128) -> dict:
    rng, book = random.Random(seed), load_policy_book()
    packs, grids, cases = {}, {}, []
    for pack in sorted(book.packs.values(), key=lambda p: p.id):
        packs[pack.id] = {"pack": dump_pack(pack), "version": pack.version}
        centre = CENTRES[pack.region]
        entries = [grid_entry(f"{pack.region}-city", make_city_grid(300, seed=len(cases), centre=centre, region=pack.region),
                              f"{pack.region}/city"),
                   grid_entry(f"{pack.region}-special", special_grid(pack.region, centre), f"{pack.region}/special")]
        for entry in entries:
            grids[entry["name"]] = entry
        built = {e["name"]: Grid.from_features(e["features"], e["version"], e["centre"]) for e in entries}
        layout = Layout(centre, 0)
        for n in range(CASES_PER_PACK):
            name = entries[n % 2]["name"]
            request = random_request(rng, pack, layout)
            if n % 13 == 5:
                request = broken(rng, request)
            if n % 17 == 3:                     # far beyond every supply radius of the grid
                request["location"] = {"lon": centre[0] + 0.9, "lat": centre[1] - 0.6}
            assets = [a.asset_id for a in built[name].assets if a.rating_kva]
            reserved = {rng.choice(assets): round(rng.uniform(50, 3000), 1)} if rng.random() < 0.25 else {}
            cases.append({"pack": pack.id, "grid": name, "request": request, "reserved": reserved,
                          **outcome(request, pack, built[name], reserved)})
        special = entries[1]["name"]
        for kva in (9000, 15000, 39000):          # above the direct-connection limit: 35 kV
            lon, lat = layout.lonlat(600, rng.uniform(-300, 300))
            request = {"business_type": "hv_new", "customer_class": "non_resident", "capacity_kva": float(kva),
                       "location": {"lon": lon, "lat": lat}, **({"zone": pack.zones[0].zone} if pack.zone_required else {})}
            cases.append({"pack": pack.id, "grid": special, "request": request, "reserved": {},
                          **outcome(request, pack, built[special], {})})
        cases += inherited_names(pack, layout, built[special], special)
        scenarios = grids["scenarios"] = grid_entry("scenarios", {"features": SCENARIO_GRID}, "scenarios")
        built["scenarios"] = Grid.from_features(scenarios["features"], scenarios["version"], scenarios["centre"])
        for scenario in SCENARIOS:             # the planner's table (docs/SCENARIOS.md), answered the same on the tablet
            request = request_of(scenario, pack.id)
            cases.append({"pack": pack.id, "grid": "scenarios", "request": request, "reserved": {},
                          **outcome(request, pack, built["scenarios"], {})})
        for n in range(GENERATORS_PER_PACK if "distributed_generation" in pack.business_types else 0):
            name = entries[n % 2]["name"]
            request = {**random_request(rng, pack, layout), "business_type": "distributed_generation"}
            request.pop("capacity_kva", None)
            request["capacity_kw"] = rng.choice((rng.uniform(2, 8), rng.uniform(8, 400), rng.uniform(400, 6000)))
            cases.append({"pack": pack.id, "grid": name, "request": request, "reserved": {},
                          **outcome(request, pack, built[name], {})})
    return {"engineering": ENGINEERING, "packs": packs, "grids": grids, "cases": cases, "labels": device_tables(),
            "official_sources": official_sources(cases), "rooms": rooms(sorted(book.packs.values(), key=lambda p: p.id))}


# Names every JavaScript object answers for without holding them (an asset, a reservation, a business type).
INHERITED_NAMES = ("constructor", "__proto__", "toString")
# Business types no pack offers.
UNKNOWN_TYPES = ("no_such_type", *INHERITED_NAMES)


def rooms(packs) -> list:
    """[pack, business type, the room its reservations are counted in] for every type of every pack."""
    return [[pack.id, business_type, pack.room(business_type)] for pack in packs
            for business_type in (*pack.business_types, *UNKNOWN_TYPES)]


# Sources no pack holds yet, where regular expressions of two languages may part: digits glued to Chinese
# text or written full width, the rules' year in either bracket, a seed named twice.
EDGE_SOURCES = ("第001号文", "seed 002, 002 again; GB/T １２３２５-２００８", "供电营业规则 (1996) 第十条",
                "供电营业规则（1996）and 004 att. 3: 「一」「二」「三」", "DL/T 448.2-2016x", "nothing official")


def official_sources(cases) -> list:
    """[source, assumed, what the reply PDF prints] of every explanation row (and EDGE_SOURCES): the app
    prints the same."""
    rows = {(row["source"], bool(row.get("assumed"))): None for case in cases
            for row in (case.get("scheme") or {}).get("explanation", [])}
    rows.update({(source, assumed): None for source in EDGE_SOURCES for assumed in (False, True)})
    return [[source, assumed, official_source(source, assumed)] for source, assumed in rows]


def main(path):
    data = vectors()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    kinds = {}
    for case in data["cases"]:
        kind = case.get("error") or case["scheme"]["decision"]
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"golden vectors: {len(data['cases'])} cases {dict(sorted(kinds.items()))} → {path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "field_app/test/golden/vectors.json")
