"""Scenario tables per region for each rule of the scheme builder (docs/SCHEME_API.md, docs/ENGINEERING.md §8)."""
import re

import pytest

from scheme_builder import Grid
from scheme_builder.capacity import shortfalls
from scheme_builder.errors import InvalidRequest, OutsideGridExtent
from tests.scheme_builder.conftest import policy_for
from tests.factories import at, feeder, scheme_request, transformer

LV_POINT = transformer("TX1", 60, 0, rating_kva=630, peak_kva=100)             # open 0.8×630−100 = 404 kVA
HV_LINE = feeder("F1", [(-3000, 300), (3000, 300)], rating_kva=10000, peak_kva=1000)  # radial: open 9000 kVA


@pytest.mark.parametrize("pack, lv_kw, hv_kw", [
    ("changzhou-2020", 250, 251), ("shanghai-2020", 160, 161), ("jiangsu-2020", 160, 161),
    ("xihua-2022", 160, 161), ("chongqing-2021", 160, 161)])
def test_lv_hv_boundary_per_region(build, pack, lv_kw, hv_kw):
    request = scheme_request(business_type="lv_nonresident_new", capacity_kva=None, power_factor=1.0,
                             zone="main_city" if pack == "chongqing-2021" else None)
    lv = build({**request, "capacity_kw": lv_kw}, LV_POINT, HV_LINE, pack=pack)
    hv = build({**request, "capacity_kw": hv_kw}, LV_POINT, HV_LINE, pack=pack)
    assert (lv["supply_voltage_kv"], lv["decision"]) == (0.38, "auto")
    assert lv["options"][0]["connection"]["asset_id"] == "TX1"
    assert hv["supply_voltage_kv"] == 10 and hv["options"][0]["connection"]["asset_id"] == "F1"


def test_single_phase_small_load_is_220_v(build):
    scheme = build(scheme_request(business_type="lv_resident_new", customer_class="resident", capacity_kva=None,
                                  capacity_kw=8, phase=1), LV_POINT)
    assert scheme["supply_voltage_kv"] == 0.22


@pytest.mark.parametrize("kva, decision", [(8000, "onsite_reply"), (8001, "manual")])
def test_direct_connection_limit_is_inclusive(build, kva, decision):
    scheme = build(scheme_request(capacity_kva=kva), HV_LINE)
    assert scheme["decision"] == decision
    if decision == "manual":
        assert scheme["options"] == [] and "直接接入上限" in scheme["manual_reason"]
    else:
        assert scheme["options"][0]["open_capacity_kva"] == 9000


@pytest.mark.parametrize("pack, zone, kva, decision", [
    ("changzhou-2020", None, 5000, "onsite_reply"),
    ("shanghai-2020", None, 800, "onsite_reply"), ("shanghai-2020", None, 801, "cosign"),
    ("chongqing-2021", "main_city", 1250, "onsite_reply"), ("chongqing-2021", "main_city", 1251, "cosign"),
    ("chongqing-2021", "west_pilot", 400, "onsite_reply"), ("chongqing-2021", "west_pilot", 401, "cosign"),
    ("jiangsu-2020", None, 300, "cosign"), ("xihua-2022", None, 300, "onsite_reply"),
    ("xihua-2022", None, 6000, "onsite_reply"), ("changzhou-2020", None, 8000, "onsite_reply")])
def test_onsite_reply_or_cosign_per_region(build, pack, zone, kva, decision):
    # 300-400 kVA would be LV in kW terms at pf 0.9 only below 160 kW: keep these HV with pf 0.9 and kVA ≥ 300
    scheme = build(scheme_request(capacity_kva=kva, zone=zone), HV_LINE, pack=pack)
    assert scheme["decision"] == decision, scheme.get("manual_reason")


def test_negative_list_assets_are_skipped(build):
    blocked = feeder("F1", [(-3000, 300), (3000, 300)], negative_list=True)
    scheme = build(scheme_request(), blocked)
    assert scheme["decision"] == "manual" and "负面清单" in scheme["manual_reason"]
    farther = feeder("F2", [(-3000, 900), (3000, 900)], substation_id="S2")
    scheme = build(scheme_request(), blocked, farther)
    assert [o["connection"]["asset_id"] for o in scheme["options"]] == ["F2"]
    assert any(row["rule"] == "skipped" and "F1" in row["value"] for row in scheme["explanation"])


def test_full_transformer_gives_connect_first_upgrade_later(build):
    full = transformer("TX1", 60, 0, rating_kva=200, peak_kva=150)           # open 10 kVA
    scheme = build(scheme_request(business_type="lv_nonresident_new", capacity_kva=None, capacity_kw=100), full)
    option, = scheme["options"]
    assert option["upgrade_first"] is True and scheme["decision"] == "auto"
    assert "TX1 增容 200 → 400 kVA" in option["works"]          # 0.8 × 400 ≥ 150 + 111.1
    assert any("先接入、后改造" in w for w in scheme["warnings"])
    assert not any(re.search(r"[a-z]{3,}", w) for w in scheme["warnings"])     # printed on the Chinese reply


def test_feeder_with_no_room_and_no_spare_bay_is_manual(build):
    scheme = build(scheme_request(), feeder("F1", [(-3000, 300), (3000, 300)], rating_kva=8000, peak_kva=7900))
    assert scheme["decision"] == "manual" and scheme["options"] == []
    assert "含增容方案" in scheme["manual_reason"]


def test_signed_reservations_reduce_open_capacity(build):
    tied = feeder("F1", [(-3000, 300), (3000, 300)], rating_kva=10000, peak_kva=1000, ties=1)  # 50 %: open 4000
    free = build(scheme_request(capacity_kva=1000), tied)
    held = build(scheme_request(capacity_kva=1000), tied, reserved={"F1": 3500})
    assert free["options"][0]["open_capacity_kva"] == 4000 and free["options"][0]["upgrade_first"] is False
    assert held["decision"] == "manual"          # no spare bay behind it: more ties would only lower its limit
    assert free["scheme_hash"] != held["scheme_hash"]


def test_a_full_feeder_is_relieved_by_a_priced_new_feeder_from_a_spare_bay(build):
    """docs/ENGINEERING.md §4a: relief is a new feeder from the substation's spare bay, with its cost."""
    tied = feeder("F1", [(-3000, 300), (3000, 300)], rating_kva=10000, peak_kva=1000, ties=1)
    station = {**substation("S1", 0, 2000, 80000, 20000, 2)}
    station["properties"]["spare_bays"] = {"10": 1}
    held = build(scheme_request(capacity_kva=1000), tied, station, reserved={"F1": 3500})
    option = next(o for o in held["options"] if o["connection"]["asset_id"] == "F1")
    assert option["upgrade_first"] is True and held["decision"] != "manual"
    relief = [w for w in option["works"] if "备用间隔新出" in w]
    assert relief and "F1" in relief[0]
    assert option["cost_estimate_yuan"]["low"] >= 300_000


@pytest.mark.parametrize("reliability, second_substation, decision, sources", [
    ("level1", "S2", "cosign", 2), ("level1", "S1", "manual", 0),
    ("level2", "S1", "cosign", 2), ("ordinary", "S1", "onsite_reply", 1)])
def test_dual_source_needs_independent_feeders(build, reliability, second_substation, decision, sources):
    first = feeder("F1", [(-3000, 300), (3000, 300)], substation_id="S1")
    second = feeder("F2", [(-3000, -700), (3000, -700)], substation_id=second_substation)
    scheme = build(scheme_request(reliability_class=reliability), first, second)
    assert scheme["decision"] == decision
    if sources:
        assert len(scheme["options"][0]["sources"]) == sources


def test_feeder_connection_is_the_nearest_point_mid_line(build):
    scheme = build(scheme_request(), feeder("F1", [(-1000, 400), (1000, 400)]))
    option = scheme["options"][0]
    assert option["distance_m"] == pytest.approx(400, abs=0.5)
    expected = at(0, 400)
    assert option["connection"]["point"]["lon"] == pytest.approx(expected[0], abs=2e-6)
    assert option["connection"]["point"]["lat"] == pytest.approx(expected[1], abs=2e-6)
    assert "新建环网柜" in option["works"]


def test_location_outside_the_grid_is_rejected_with_the_field(build):
    with pytest.raises(OutsideGridExtent) as error:
        build(scheme_request(location=dict(zip(("lon", "lat"), at(0, 40000)))), HV_LINE)
    assert "location" in error.value.errors


@pytest.mark.parametrize("request_change, field", [
    ({"capacity_kva": 0}, "capacity_kva"), ({"capacity_kva": None}, "capacity_kva"),
    ({"location": {"lon": 500, "lat": 0}}, "location"), ({"location": None}, "location"),
    ({"reliability_class": "vip"}, "reliability_class"), ({"business_type": "moon_base"}, "business_type")])
def test_bad_requests_name_the_field(build, request_change, field):
    with pytest.raises(InvalidRequest) as error:
        build({**scheme_request(), **request_change}, HV_LINE)
    assert field in error.value.errors


def test_heavy_load_after_connection_is_warned(build):
    busy = feeder("F1", [(-3000, 300), (3000, 300)], rating_kva=8000, peak_kva=5500)
    scheme = build(scheme_request(capacity_kva=1250), busy)
    assert "F1 接入后重载：负载率 84%" in scheme["warnings"]


def test_voltage_drop_agrees_with_a_hand_computation(build):
    # 100 kW at pf 0.9 over 190 m × 1.3 = 247 m of YJLV22-4×120 (r0 0.253, x0 0.07 Ω/km) at the nominal 0.38 kV:
    # Q = 100 · tan(acos 0.9) = 48.43 kvar; ΔU = (100·0.253·0.247 + 48.43·0.07·0.247) / (10 · 0.38²) = 4.908 %
    scheme = build(scheme_request(business_type="lv_nonresident_new", capacity_kva=None, capacity_kw=100),
                   transformer("TX1", 190, 0))
    option = scheme["options"][0]
    assert option["conductor"] == "YJLV22-4x120"
    assert option["route_length_m"] == pytest.approx(247, abs=0.2)
    assert option["voltage_drop_pct"] == pytest.approx(4.908, abs=0.005)


def test_the_supply_radius_is_measured_along_the_route(build):
    """docs/ENGINEERING.md §4b: 200 m away in a B area (250 m) is 260 m of cable: beyond the radius."""
    request = scheme_request(business_type="lv_nonresident_new", capacity_kva=None, capacity_kw=60)
    assert build(request, transformer("TX1", 190, 0))["options"][0]["connection"]["asset_id"] == "TX1"
    assert build(request, transformer("TX1", 200, 0))["decision"] == "manual"


def test_larger_conductor_when_the_drop_is_too_high(build):
    scheme = build(scheme_request(business_type="lv_nonresident_new", capacity_kva=None, capacity_kw=150),
                   transformer("TX1", 190, 0, rating_kva=1000))
    assert scheme["options"][0]["conductor"] == "YJV22-4x240"
    assert scheme["options"][0]["voltage_drop_pct"] <= 7


@pytest.mark.parametrize("pack, east, filing", [
    ("changzhou-2020", 300, True), ("changzhou-2020", 500, False), ("shanghai-2020", 300, False)])
def test_filing_instead_of_approval_for_short_works(build, pack, east, filing):
    line = feeder("F1", [(east, -3000), (east, 3000)])
    option = build(scheme_request(capacity_kva=500), line, pack=pack)["options"][0]
    assert option["filing_instead_of_approval"] is filing


def test_working_days_have_a_key_per_stage_ahead(build):
    hv = build(scheme_request(), HV_LINE)["options"][0]["working_days"]
    assert hv == {"scheme_reply": 0.5, "grid_works": 5, "connect": 1}
    near = transformer("TX1", 30, 0)
    lv = build(scheme_request(business_type="lv_nonresident_new", capacity_kva=None, capacity_kw=50), near)
    assert lv["options"][0]["works"] == [] and lv["options"][0]["working_days"] == {"connect": 1}


@pytest.mark.parametrize("overrides, boundary", [
    ({}, "客户红线"),
    ({"park_or_electrification": True}, "客户规划红线"),
    ({"ev_charging": True}, "客户规划红线")])
def test_investment_boundary_and_customer_pays_nothing_outside(build, overrides, boundary):
    option = build(scheme_request(**overrides), HV_LINE)["options"][0]
    assert option["investment_boundary"] == boundary
    assert option["cost_estimate_yuan"]["customer_pays"] == 0
    assert 0 < option["cost_estimate_yuan"]["low"] < option["cost_estimate_yuan"]["high"]


def test_jiangsu_builds_to_the_asset_boundary(build):
    option = build(scheme_request(), HV_LINE, pack="jiangsu-2020")["options"][0]
    assert option["investment_boundary"] == "资产分界点"


def test_at_most_three_options_ranked_by_score(build):
    lines = [feeder(f"F{i}", [(-3000, 300 + 200 * i), (3000, 300 + 200 * i)]) for i in range(6)]
    options = build(scheme_request(), *lines)["options"]
    assert [o["rank"] for o in options] == [1, 2, 3]
    assert [o["score"] for o in options] == sorted(o["score"] for o in options)


def test_explanation_names_every_number_with_its_source(build):
    scheme = build(scheme_request(), HV_LINE)
    rules = {row["rule"] for row in scheme["explanation"]}
    assert {"lv_limit_kw", "direct_connection_limit_kva", "onsite_reply_max_kv", "detour_factor",
            "voltage_drop_limit_pct", "investment_boundary", "working_days.connect"} <= rules
    assert all(row["source"] for row in scheme["explanation"])


def test_a_borrowed_number_is_marked_assumed_in_the_explanation(build):
    """Shanghai's seed names no direct-connection limit: the scheme says the 8000 kVA is Changzhou's, assumed."""
    request = scheme_request(business_type="lv_nonresident_new", capacity_kva=None, capacity_kw=100)
    shanghai = {r["rule"]: r for r in build(request, LV_POINT, HV_LINE, pack="shanghai-2020")["explanation"]}
    changzhou = {r["rule"]: r for r in build(request, LV_POINT, HV_LINE, pack="changzhou-2020")["explanation"]}
    assert shanghai["direct_connection_limit_kva"]["assumed"] is True
    assert "000" in shanghai["direct_connection_limit_kva"]["source"]
    assert "assumed" not in changzhou["direct_connection_limit_kva"]


@pytest.mark.parametrize("customer_class, kw, voltage", [
    ("non_resident", 160, 0.38), ("micro_enterprise", 160, 0.38), ("resident", 100, 0.38), ("resident", 120, 10)])
def test_xihuas_lv_limit_is_for_industrial_and_commercial_customers_only(build, customer_class, kw, voltage):
    """003 §(三)3: 「工商业客户（…不包括农业生产、居民生活和非居民照明客户）…160 千瓦及以下可实行低压接入，其他类型客户
    仍按照供电营业规则要求执行」: others get 供电营业规则's 100 kW."""
    request = scheme_request(business_type="lv_nonresident_new", customer_class=customer_class, capacity_kva=None,
                             capacity_kw=kw, power_factor=1.0)
    scheme = build(request, LV_POINT, HV_LINE, pack="xihua-2022")
    assert scheme["supply_voltage_kv"] == voltage
    limit = next(r for r in scheme["explanation"] if r["rule"] == "lv_limit_kw")
    assert ("供电营业规则" in limit["source"]) is (customer_class == "resident")


@pytest.mark.parametrize("pack, extra, pays", [("xihua-2022", {}, True), ("xihua-2022", {"park_or_electrification": True}, False),
                                              ("changzhou-2020", {}, False)])
def test_who_pays_follows_the_regions_investment_boundary(build, pack, extra, pays):
    """003 §(三)1: Xihua invests to the connection point only; the red line only for parks, electrification
    and EV charging. Changzhou builds to the red line (000 m.15)."""
    scheme = build(scheme_request(**extra), HV_LINE, pack=pack)
    cost = scheme["options"][0]["cost_estimate_yuan"]
    assert (cost["customer_pays"] == cost["high"] > 0) if pays else cost["customer_pays"] == 0


@pytest.mark.parametrize("reliability, told", [("ordinary", False), ("level2", True), ("level1", True)])
def test_important_customers_are_told_to_provide_emergency_power(build, reliability, told):
    scheme = build(scheme_request(reliability_class=reliability), HV_LINE)
    assert any("自备应急电源" in w for w in scheme["warnings"]) is told


def test_an_hv_scheme_gives_the_reference_cost_of_the_customers_own_works(build):
    """000 m.8: 受电工程方案、参考工程造价现场确定 — the customer's substation, by the typical cost per kVA."""
    option = build(scheme_request(capacity_kva=1000), HV_LINE)["options"][0]
    assert option["customer_works_yuan"] == {"low": 400_000, "high": 700_000}
    lv = build(scheme_request(business_type="lv_nonresident_new", capacity_kva=None, capacity_kw=60), LV_POINT)
    assert lv["options"][0]["customer_works_yuan"] is None


def substation(asset_id, east, north, rating_kva, peak_kva, transformers) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": at(east, north)},
            "properties": {"asset_id": asset_id, "kind": "substation", "voltage_kv": 110, "rating_kva": rating_kva,
                           "peak_kva": peak_kva, "transformers": transformers, "region": "changzhou"}}


def test_a_feeder_counts_only_if_its_substation_survives_n_minus_1(build):
    """docs/ENGINEERING.md §4a: with the largest main transformer out the rest carry the load (2 units ≤ 65 %)."""
    near = feeder("F1", [(-3000, 300), (3000, 300)], substation_id="S1")
    far = feeder("F2", [(-3000, 900), (3000, 900)], substation_id="S2")
    loaded, spare = substation("S1", 0, 5000, 80000, 52000, 2), substation("S2", 0, -5000, 80000, 30000, 2)
    scheme = build(scheme_request(capacity_kva=1250), near, far, loaded, spare)
    assert [o["connection"]["asset_id"] for o in scheme["options"]] == ["F2"]
    skipped = [row["value"] for row in scheme["explanation"] if row["rule"] == "skipped"]
    assert any("F1" in value and "N-1" in value for value in skipped)
    assert any(row["rule"] == "substation_n1_load_share" for row in scheme["explanation"])


def test_a_connection_point_already_low_leaves_less_room_for_the_drop(build):
    """GB/T 12325 at the customer's terminal: the point's measured deviation plus the new section's drop."""
    request = scheme_request(business_type="lv_nonresident_new", capacity_kva=None, capacity_kw=100)
    healthy = build(request, transformer("TX1", 190, 0))["options"][0]
    assert healthy["conductor"] == "YJLV22-4x120" and healthy["voltage_drop_pct"] > 4     # fine at 0 %
    sagging = build(request, transformer("TX1", 190, 0, voltage_pct=-3.0))["options"][0]
    assert sagging["conductor"] == "YJV22-4x240" and sagging["voltage_drop_pct"] <= 4     # -3 % + drop ≥ -7 %


def test_the_largest_lv_customer_gets_parallel_cables_not_a_manual_scheme(build):
    """250 kW in Changzhou needs more current than one LV cable carries: two in parallel (§4b)."""
    big = transformer("TX1", 60, 0, rating_kva=800, peak_kva=100)
    request = scheme_request(business_type="lv_nonresident_new", capacity_kva=None, capacity_kw=250)
    option = build(request, big)["options"][0]
    assert option["conductor"].startswith(("2×", "3×")) and any("并联" in w for w in option["works"])


def test_the_skip_names_the_real_cause(build):
    sagging = transformer("TX1", 190, 0, rating_kva=800, peak_kva=100, voltage_pct=-6.95)
    scheme = build(scheme_request(business_type="lv_nonresident_new", capacity_kva=None, capacity_kw=120), sagging)
    reasons = [row["value"] for row in scheme["explanation"] if row["rule"] == "skipped"]
    assert reasons and all("电压降" in r and "偏低" in r for r in reasons)


def test_lv_lines_are_overhead_in_c_and_d_areas(build):
    """docs/ENGINEERING.md §4b: JKLYJ 0.4 kV overhead insulated lines in C/D areas, cable in A+/A/B."""
    request = scheme_request(business_type="lv_nonresident_new", capacity_kva=None, capacity_kw=60)
    rural = build(request, transformer("TX1", 200, 0, area_class="D"))["options"][0]
    urban = build(request, transformer("TX1", 190, 0, area_class="B"))["options"][0]
    assert rural["conductor"].startswith("JKLYJ") and any("架空" in w for w in rural["works"])
    assert urban["conductor"].startswith(("YJ", "2×", "3×")) and any("电缆" in w for w in urban["works"])


BAY_LOW, CABLE_LOW_PER_KM = 300_000, 290_000       # engineering.json typical_cost: hv_bay_yuan, hv_cable_yuan_per_km


def station_with_bays(asset_id, east, north, bays=1, peak_kva=20000, transformers=2) -> dict:
    station = substation(asset_id, east, north, 80000, peak_kva, transformers)
    station["properties"].update(spare_bays={"10": bays}, area_class="B")
    return station


def test_a_large_customer_the_public_lines_cannot_carry_gets_a_dedicated_line(build):
    """docs/ENGINEERING.md §4a: a line of its own from a spare 10 kV bay, priced with the bay; not manual."""
    full = feeder("F1", [(-3000, 300), (3000, 300)], rating_kva=8000, peak_kva=7000, substation_id="S9")
    scheme = build(scheme_request(capacity_kva=6000), full, station_with_bays("S1", 0, 1500))
    option = scheme["options"][0]
    assert scheme["decision"] != "manual" and option["connection"]["kind"] == "substation"
    assert option["connection"]["asset_id"] == "S1" and option["upgrade_first"] is False
    assert option["connection"]["voltage_kv"] == 10 and scheme["supply_voltage_kv"] == 10     # the bay, not 110 kV
    assert option["distance_m"] == pytest.approx(1500, abs=1) and option["route_length_m"] == pytest.approx(1950, abs=2)
    assert option["works"][0] == "S1 备用间隔出线（专线）"
    # 80000 × 0.65 − 20000 = 32000 kVA before the request; a bay and 1.95 km of cable (B area)
    assert option["open_capacity_kva"] == 32000
    assert option["cost_estimate_yuan"]["low"] == round((BAY_LOW + CABLE_LOW_PER_KM * 1.95) / 100) * 100
    assert 0 < option["voltage_drop_pct"] < 7


def test_no_dedicated_line_while_a_public_line_carries_the_load(build):
    free = feeder("F1", [(-3000, 300), (3000, 300)], rating_kva=10000, peak_kva=1000)
    scheme = build(scheme_request(capacity_kva=2000), free, station_with_bays("S1", 0, 1500))
    assert [o["connection"]["kind"] for o in scheme["options"]] == ["feeder"]


def test_a_dedicated_line_needs_the_substation_to_survive_n_minus_1(build):
    scheme = build(scheme_request(capacity_kva=6000), station_with_bays("S1", 0, 1500, peak_kva=50000))
    assert scheme["decision"] == "manual"
    skipped = [row["value"] for row in scheme["explanation"] if row["rule"] == "skipped"]
    assert any(v.startswith("S1，专线") and "N-1" in v for v in skipped), skipped
    unknown = build(scheme_request(capacity_kva=6000), station_with_bays("S1", 0, 1500, transformers=0))
    assert any("无法校核专线" in row["value"] for row in unknown["explanation"] if row["rule"] == "skipped")


def test_two_substations_give_an_important_customer_two_independent_dedicated_lines(build):
    scheme = build(scheme_request(capacity_kva=5000, reliability_class="level1"),
                   station_with_bays("S1", 0, 1500), station_with_bays("S2", 0, -2000))
    assert scheme["decision"] == "cosign"
    assert sorted(s["asset_id"] for s in scheme["options"][0]["sources"]) == ["S1", "S2"]


def station_with_35kv_bay(asset_id, east, north, peak_kva=60000) -> dict:
    station = substation(asset_id, east, north, 180000, peak_kva, 3)
    station["properties"].update(spare_bays={"35": 1}, area_class="C")
    return station


def test_changzhou_computes_a_35_kv_scheme_from_a_35_kv_bay_and_co_signs_it(build):
    """000 measure 8: 「对 35 千伏及以上客户，实行接入方案网上会签」: computed, then co-signed online."""
    public = feeder("F1", [(-3000, 300), (3000, 300)], rating_kva=20000, peak_kva=1000)     # 10 kV: not for 35 kV
    scheme = build(scheme_request(capacity_kva=12000), public, station_with_35kv_bay("S35", 0, 3500))
    assert scheme["decision"] == "cosign" and scheme["supply_voltage_kv"] == 35
    option = scheme["options"][0]
    assert option["connection"] == {**option["connection"], "asset_id": "S35", "kind": "substation", "voltage_kv": 35}
    assert option["conductor"] == "JL/G1A-240/30"                  # C area: overhead
    assert option["works"][0] == "S35 备用间隔出线（专线）" and option["works"][1].startswith("35 千伏架空线路")
    assert option["metering"] == "high_supply_high_metering"
    assert any(row["rule"] == "cosign_online_min_kv" and row["value"] == 35 for row in scheme["explanation"])
    limit = next(row for row in scheme["explanation"] if row["rule"] == "voltage_drop_limit_pct")
    assert limit["value"] == 5 and "35 kV" in limit["source"]


def test_without_a_35_kv_bay_the_scheme_is_manual_and_says_why(build):
    scheme = build(scheme_request(capacity_kva=12000), feeder("F1", [(-3000, 300), (3000, 300)]))
    assert scheme["decision"] == "manual" and "35 千伏备用间隔" in scheme["manual_reason"]


def test_a_region_without_online_co_signing_leaves_35_kv_to_a_manual_scheme(build):
    scheme = build(scheme_request(capacity_kva=12000), station_with_35kv_bay("S35", 0, 3500), pack="shanghai-2020")
    assert scheme["decision"] == "manual" and "直接接入上限" in scheme["manual_reason"]


def test_no_lv_transformer_within_reach_gives_a_new_transformer_site_on_the_nearest_feeder(build):
    """docs/ENGINEERING.md §4b: 新布点 — a box-type substation beside the customer, fed from a feeder with room."""
    line = feeder("F1", [(-3000, 800), (3000, 800)], rating_kva=8000, peak_kva=2000)
    scheme = build(scheme_request(business_type="lv_nonresident_new", capacity_kva=None, capacity_kw=180), line)
    option = scheme["options"][0]
    assert scheme["decision"] == "auto" and scheme["supply_voltage_kv"] == 0.38
    assert option["connection"]["asset_id"] == "F1" and option["connection"]["kind"] == "feeder"
    # 180 kW / 0.9 = 200 kVA → the smallest rating with 0.8 × r ≥ 200 is 250 kVA; 800 m × 1.3 of 10 kV cable
    assert option["works"][0] == "新布点箱式变电站 250 kVA（客户侧）"
    assert option["works"][1] == "10 千伏电缆线路 1040 米"
    assert option["cost_estimate_yuan"]["low"] == round((400 * 250 + 290_000 * 1.04) / 100) * 100
    assert option["metering"] == "lv_ct_operated"


def test_a_transformer_within_reach_is_preferred_to_a_new_site(build):
    line = feeder("F1", [(-3000, 800), (3000, 800)], rating_kva=8000, peak_kva=2000)
    scheme = build(scheme_request(business_type="lv_nonresident_new", capacity_kva=None, capacity_kw=60),
                   line, transformer("TX1", 80, 0))
    assert [o["connection"]["asset_id"] for o in scheme["options"]] == ["TX1"]


@pytest.mark.parametrize("kva, told", [(400, True), (299, False)])
def test_a_large_charging_station_is_told_to_assess_its_harmonics(build, kva, told):
    """docs/ENGINEERING.md §4c: chargers above a few hundred kVA get a power-quality (GB/T 14549) note."""
    scheme = build(scheme_request(capacity_kva=kva, ev_charging=True), HV_LINE)
    assert any("GB/T 14549" in w and "谐波" in w for w in scheme["warnings"]) is told
    plain = build(scheme_request(capacity_kva=kva), HV_LINE)
    assert not any("GB/T 14549" in w for w in plain["warnings"])


def generator(kw, **extra) -> dict:
    return scheme_request(business_type="distributed_generation", customer_class="non_resident", capacity_kva=None,
                          capacity_kw=kw, **extra)


@pytest.mark.parametrize("kw, voltage, phase", [(8, 0.22, 1), (8.5, 0.38, 3), (400, 0.38, 3), (401, 10, 3),
                                                (6000, 10, 3)])
def test_generation_connects_at_the_voltage_of_q_gdw_1480(build, kw, voltage, phase):
    """docs/ENGINEERING.md §4c: ≤ 8 kW 220 V, 8–400 kW 380 V, 400 kW–6 MW 10 kV — not by the load limits."""
    big = transformer("TX1", 60, 0, rating_kva=2500, peak_kva=100)
    scheme = build(generator(kw), big, HV_LINE, pack="xihua-2022")
    assert scheme["supply_voltage_kv"] == voltage and scheme["request"]["phase"] in (1, 3)
    rule = next(row for row in scheme["explanation"] if row["rule"] == "dg_connection_voltage_kv")
    assert rule["value"] == voltage and "Q/GDW 1480" in rule["source"]
    assert scheme["options"] and all(o["metering"] == "bidirectional" for o in scheme["options"])
    assert any("双向计量" in w for w in scheme["warnings"])


def test_generation_is_checked_for_back_feed_not_load(build):
    """A full transformer takes a generator (it relieves the load) up to 25 % of its rating, no upgrade works."""
    full = transformer("TX1", 60, 0, rating_kva=400, peak_kva=390)          # no load room at all
    fits = build(generator(90), full, pack="xihua-2022")["options"][0]       # 90 kW / 0.9 = 100 kVA = 25 %
    assert fits["open_capacity_kva"] == 100 and fits["upgrade_first"] is False and fits["load_rate_after"] == 1.0
    over = build(generator(100), full, pack="xihua-2022")
    assert over["decision"] == "manual"
    skipped = [row["value"] for row in over["explanation"] if row["rule"] == "skipped"]
    assert any("反送电" in value for value in skipped)
    assert not any("新布点" in w for o in over["options"] for w in o["works"])


def test_generation_installed_on_an_asset_takes_its_back_feed_room(build):
    """The grid data's generation_kva (装机) counts against the 25 %: 60 kVA installed leaves 40 of 100."""
    stated = transformer("TX1", 60, 0, rating_kva=400, peak_kva=100, generation_kva=60)
    fits = build(generator(36), stated, pack="xihua-2022")["options"][0]             # 40 kVA
    assert fits["open_capacity_kva"] == 40 and fits["load_rate_after"] == 1.0
    assert build(generator(45), stated, pack="xihua-2022")["decision"] == "manual"    # 50 kVA
    assert build(generator(45), transformer("TX1", 60, 0, rating_kva=400, peak_kva=100),
                 pack="xihua-2022")["options"][0]["open_capacity_kva"] == 100


def test_a_generators_rise_needs_room_above_a_high_point(build):
    """A generator pushes the voltage up: a point already high leaves less room (a low one more)."""
    request = generator(300)
    high = build(request, transformer("TX1", 190, 0, rating_kva=2500, voltage_pct=5.0), pack="xihua-2022")
    low = build(request, transformer("TX1", 190, 0, rating_kva=2500, voltage_pct=-5.0), pack="xihua-2022")
    low_option = low["options"][0]
    assert low_option["voltage_drop_pct"] > 2
    assert not high["options"] or high["options"][0]["voltage_drop_pct"] <= 2


def test_a_non_resident_charging_business_is_ev_charging(build):
    """Xihua's 非居民充电设施 (003 att. 1 item 7): the extended boundary and the power-quality note."""
    request = scheme_request(business_type="ev_charger_nonresident", customer_class="non_resident",
                             capacity_kva=None, capacity_kw=150)
    scheme = build(request, transformer("TX1", 60, 0, rating_kva=630, peak_kva=100), pack="xihua-2022")
    assert scheme["request"]["ev_charging"] is True
    assert scheme["options"][0]["investment_boundary"] == "客户规划红线"


def test_a_full_feeder_is_relieved_by_a_load_transfer_when_it_is_cheaper(build):
    """切改 (§4a): part of the full feeder's load moves to a neighbour with room nearby, priced; preferred to
    a new feeder from a far substation's spare bay when it costs less."""
    full = feeder("F1", [(-3000, 300), (3000, 300)], rating_kva=10000, peak_kva=1000, ties=1)
    neighbour = feeder("F2", [(-3000, 700), (3000, 700)], rating_kva=10000, peak_kva=1000, ties=1,
                       negative_list=True)
    station = {**substation("S1", 0, 2500, 80000, 20000, 2)}
    station["properties"]["spare_bays"] = {"10": 1}
    scheme = build(scheme_request(capacity_kva=1000), full, station, reserved={"F1": 3500})
    assert not any("切改" in w for o in scheme["options"] for w in o["works"])     # no neighbour: a new feeder
    neighbour["properties"]["negative_list"] = False
    held = build(scheme_request(capacity_kva=1000), full, neighbour, station, reserved={"F1": 3500, "F2": 3000})
    option = next(o for o in held["options"] if o["connection"]["asset_id"] == "F1")
    transfer = [w for w in option["works"] if w.startswith("切改")]
    assert option["upgrade_first"] is True and transfer and "F2" in transfer[0] and "500 kVA" in transfer[0]
    assert option["connection"]["load_transfer"] == {"asset_id": "F2", "kva": 500.0}      # what signing reserves
    assert option["cost_estimate_yuan"]["low"] >= 80_000


@pytest.mark.parametrize("pack, zone, name", [
    ("changzhou-2020", None, "常州"), ("shanghai-2020", None, "上海"), ("jiangsu-2020", None, "江苏"),
    ("xihua-2022", None, "西华"), ("chongqing-2021", "main_city", "重庆")])
def test_every_region_prices_from_its_own_typical_cost_table_marked_assumed(build, pack, zone, name):
    """No region's own typical-cost manual is in the seeds: each region's table says whose numbers it borrows."""
    scheme = build(scheme_request(capacity_kva=1000, zone=zone), HV_LINE, pack=pack)
    row = next(r for r in scheme["explanation"] if r["rule"] == "typical_cost_version")
    assert row["assumed"] is True and row["value"].startswith(name) and "南方电网 2019" in row["value"]


def test_at_signing_a_generator_is_checked_against_the_hosting_room_not_the_load_room(build):
    """capacity.shortfalls at signature: a full transformer still hosts the generator it was offered."""
    full = transformer("TX1", 60, 0, rating_kva=400, peak_kva=390)
    option = build(generator(90), full, pack="xihua-2022")["options"][0]
    grid, policy = Grid.from_features([full], version="test-1"), policy_for("xihua-2022")
    assert shortfalls(option, 100, policy, grid, {}, generation=True) == []
    assert shortfalls(option, 100, policy, grid, {"TX1": 1}, generation=True) == ["TX1"]   # 99 kVA left
    assert shortfalls(option, 100, policy, grid, {}) == ["TX1"]                            # as a load it would not fit
