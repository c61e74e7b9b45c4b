"""The scenarios a planner tries per region, with the answer expected and why (issue: the scheme a planner
would sign). Each row is a test (tests/scheme_builder/test_scenarios.py) and a line of docs/SCENARIOS.md:

    python -m tests.scheme_builder.scenarios > docs/SCENARIOS.md

One hand-made grid serves every region (east/north metres from a centre): two healthy 110 kV
substations with spare bays, one whose N-1 is exhausted, a feeder behind each, an LV transformer by
the customer and a long rural overhead line in a D area far to the east.
"""
from dataclasses import dataclass, field
from typing import Optional

from tests.factories import at, feeder, scheme_request, transformer

REGIONS = {"changzhou-2020": None, "shanghai-2020": None, "jiangsu-2020": None, "xihua-2022": None,
           "chongqing-2021": "main_city"}


def substation(asset_id, east, north, rating_kva, peak_kva, bays) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": at(east, north)},
            "properties": {"asset_id": asset_id, "kind": "substation", "voltage_kv": 110, "rating_kva": rating_kva,
                           "peak_kva": peak_kva, "transformers": 2, "spare_bays": bays, "region": "changzhou",
                           "area_class": "B"}}


GRID = [
    substation("S-A", 0, 2000, 80000, 30000, {"10": 2, "35": 1}),
    substation("S-B", 0, -2500, 80000, 30000, {"10": 1}),
    substation("S-FULL", -4000, 0, 63000, 52000, {}),      # N-1: 0.65 × 63000 = 40950 < 52000
    feeder("F-A", [(0, 2000), (0, 300), (3000, 300)], rating_kva=10000, peak_kva=2000, substation_id="S-A"),
    feeder("F-B", [(0, -2500), (0, -400), (2500, -400)], rating_kva=10000, peak_kva=3000, substation_id="S-B"),
    feeder("F-X", [(-4000, 0), (-600, 0), (-600, 1500)], rating_kva=10000, peak_kva=1000, substation_id="S-FULL"),
    transformer("TX-1", 60, 0, rating_kva=800, peak_kva=100),
    feeder("F-RURAL", [(30000, 0), (30000, 12000)], rating_kva=8000, peak_kva=1500, area_class="D",
           substation_id=None),
]
RURAL_POINT = (23000, 6000)          # 7 km west of the rural line: 9.1 km along the route, D radius 15 km


@dataclass(frozen=True)
class Expected:
    decision: Optional[str] = None            # None: the request is refused
    voltage_kv: Optional[float] = None
    first: Optional[str] = None               # the rank-1 connection's asset
    sources: int = 1
    says: tuple = ()                          # words the scheme must contain (warnings, works, reasons)
    error_field: Optional[str] = None


@dataclass(frozen=True)
class Scenario:
    name: str
    request: dict
    why: str
    expect: dict = field(default_factory=dict)     # pack id → Expected
    at_m: tuple = (0, 0)


def lv(kw) -> dict:
    return {"business_type": "lv_nonresident_new", "capacity_kva": None, "capacity_kw": kw}


def hv(kva, **extra) -> dict:
    return {"business_type": "hv_new", "capacity_kva": kva, **extra}


def every(**expected) -> dict:
    return {pack: Expected(**expected) for pack in REGIONS}


SCENARIOS = [
    Scenario("LV at the region's limit (Changzhou 250 kW)", lv(250),
             "Changzhou supplies up to 250 kW at LV (000 measure 16): two parallel cables from the transformer "
             "beside the customer; elsewhere 160 kW is the limit, so 250 kW is a 10 kV customer on F-A",
             {**every(decision="onsite_reply", voltage_kv=10, first="F-A"),
              "changzhou-2020": Expected("auto", 0.38, "TX-1", says=("并联",)),
              "jiangsu-2020": Expected("cosign", 10, "F-A"), "chongqing-2021": Expected("onsite_reply", 10, "F-A")}),
    Scenario("LV at 160 kW", lv(160),
             "160 kW is LV in every region (the limit is inclusive)", every(decision="auto", voltage_kv=0.38,
                                                                            first="TX-1")),
    Scenario("8000 kVA", hv(8000),
             "the direct-connection limit is inclusive: F-A has exactly 8000 kVA open (radial, 10000 − 2000); "
             "on-site reply or co-signing by the zone's rule",
             {**every(decision="cosign", voltage_kv=10, first="F-A"),
              "changzhou-2020": Expected("onsite_reply", 10, "F-A"), "xihua-2022": Expected("onsite_reply", 10, "F-A")}),
    Scenario("9000 kVA (35 kV)", hv(9000),
             "above 8000 kVA: Changzhou computes a 35 kV dedicated line from S-A's spare 35 kV bay and co-signs it "
             "online (000 measure 8); the other regions leave it to a manual scheme",
             {**every(decision="manual", voltage_kv=35, says=("超过直接接入上限",)),
              "changzhou-2020": Expected("cosign", 35, "S-A", says=("备用间隔出线（专线）",))}),
    Scenario("level-1 important customer, 2000 kVA", hv(2000, reliability_class="level1"),
             "two sources from two substations (GB/Z 29328): F-A behind S-A and F-B behind S-B, co-signed; "
             "the customer is told to provide emergency power",
             every(decision="cosign", voltage_kv=10, first="F-A", sources=2, says=("自备应急电源",))),
    Scenario("charging station, 630 kVA", hv(630, ev_charging=True),
             "the investment extends to the planned red line (a charging facility) and a harmonics assessment "
             "note (GB/T 14549) comes with it",
             {**every(decision="onsite_reply", voltage_kv=10, first="F-A", says=("GB/T 14549", "谐波")),
              "jiangsu-2020": Expected("cosign", 10, "F-A", says=("GB/T 14549", "谐波"))}),
    Scenario("distributed generation, 150 kW", {"business_type": "distributed_generation", "capacity_kva": None,
                                                "capacity_kw": 150},
             "Xihua offers 分布式电源并网: 380 V by Q/GDW 1480, 167 kVA within 25 % of TX-1's 800 kVA, metered both "
             "ways; the other regions' packs have no such business (refused, naming the field)",
             {**every(error_field="business_type"),
              "xihua-2022": Expected("auto", 0.38, "TX-1", says=("双向计量",))}),
    Scenario("distributed generation, 2 MW", {"business_type": "distributed_generation", "capacity_kva": None,
                                              "capacity_kw": 2000},
             "400 kW–6 MW connect at 10 kV (Q/GDW 1480): F-A hosts it (within its rating)",
             {**every(error_field="business_type"),
              "xihua-2022": Expected("onsite_reply", 10, "F-A", says=("双向计量",))}),
    Scenario("rural customer on a long line, 1000 kVA", hv(1000),
             "a D-area customer 7 km from the only line: within the 15 km D radius along the route, an overhead "
             "line (C/D areas), voltage drop within 7 %",
             {**every(decision="cosign", voltage_kv=10, first="F-RURAL", says=("架空线路",)),
              "changzhou-2020": Expected("onsite_reply", 10, "F-RURAL", says=("架空线路",)),
              "xihua-2022": Expected("onsite_reply", 10, "F-RURAL", says=("架空线路",)),
              "chongqing-2021": Expected("onsite_reply", 10, "F-RURAL", says=("架空线路",))},
             at_m=RURAL_POINT),
    Scenario("N-1 exhausted behind the nearest feeder, 1000 kVA", hv(1000),
             "F-X is nearest but S-FULL cannot carry more with a main transformer out: skipped with that reason; "
             "F-A serves",
             {**every(decision="cosign", voltage_kv=10, first="F-A", says=("N-1",)),
              "changzhou-2020": Expected("onsite_reply", 10, "F-A", says=("N-1",)),
              "xihua-2022": Expected("onsite_reply", 10, "F-A", says=("N-1",)),
              "chongqing-2021": Expected("onsite_reply", 10, "F-A", says=("N-1",))},
             at_m=(-700, 800)),
]


def request_of(scenario: Scenario, pack_id) -> dict:
    zone = REGIONS[pack_id]
    return scheme_request(location=dict(zip(("lon", "lat"), at(*scenario.at_m))),
                          **scenario.request, **({"zone": zone} if zone else {}))


def markdown() -> str:
    lines = ["# Scenarios per region (what a planner tries, and the answer expected)", "",
             "Generated from `tests/scheme_builder/scenarios.py`; each cell is a test "
             "(`tests/scheme_builder/test_scenarios.py`).", "",
             "| scenario | " + " | ".join(REGIONS) + " | why |", "|---" * (len(REGIONS) + 2) + "|"]
    for scenario in SCENARIOS:
        cells = [cell(scenario.expect[pack]) for pack in REGIONS]
        lines.append(f"| {scenario.name} | " + " | ".join(cells) + f" | {scenario.why} |")
    return "\n".join(lines) + "\n"


def cell(expected: Expected) -> str:
    if expected.error_field:
        return f"422 `{expected.error_field}`"
    where = f" via {expected.first}" if expected.first else ""
    both = f" ×{expected.sources}" if expected.sources > 1 else ""
    return f"{expected.decision}, {expected.voltage_kv:g} kV{where}{both}"


if __name__ == "__main__":
    print(markdown(), end="")
