"""Policy packs: every pack loads, carries the docs/DOMAIN.md numbers with sources, and bad packs stop start-up."""
import json
from importlib import resources

import pytest

from scheme_builder import load_engineering, pack_from_dict
from scheme_builder.errors import InvalidRequest
from scheme_builder.pack import dump_pack
from server.policy import PolicyError, PolicyNotFound, load_policy_book

BOOK = load_policy_book()
PACK_IDS = ["changzhou-2020", "shanghai-2020", "jiangsu-2020", "xihua-2022", "chongqing-2021"]


def test_all_five_packs_load():
    assert sorted(BOOK.packs) == sorted(PACK_IDS)


@pytest.mark.parametrize("pack_id, lv_limit_kw", [
    ("changzhou-2020", 250), ("shanghai-2020", 160), ("jiangsu-2020", 160), ("xihua-2022", 160),
    ("chongqing-2021", 160)])
def test_lv_limit_per_region(pack_id, lv_limit_kw):
    assert BOOK.packs[pack_id].scheme.lv_limit_kw.value == lv_limit_kw


@pytest.mark.parametrize("pack_id, zone, kva", [
    ("shanghai-2020", None, 800), ("jiangsu-2020", None, 0),
    ("chongqing-2021", "main_city", 1250), ("chongqing-2021", "west_pilot", 400),
    ("chongqing-2021", "other", 0)])
def test_onsite_reply_threshold(pack_id, zone, kva):
    assert BOOK.packs[pack_id].zone(zone).onsite_reply_limit_kva.value == kva


@pytest.mark.parametrize("pack_id, kv", [("changzhou-2020", 20), ("xihua-2022", 10)])
def test_onsite_reply_by_voltage_where_the_seed_says_so(pack_id, kv):
    """000 m.8: every 10(20) kV customer on site; 003 §(二)1: the 10 kV model issues the scheme directly."""
    zone = BOOK.packs[pack_id].zone(None)
    assert zone.onsite_reply_max_kv.value == kv and zone.onsite_reply_limit_kva is None
    assert zone.onsite_rule(kv, 7999)[0] is True and zone.onsite_rule(35, 7999)[0] is False


@pytest.mark.parametrize("pack_id, own", [("changzhou-2020", True), ("shanghai-2020", False),
                                          ("jiangsu-2020", False), ("xihua-2022", False), ("chongqing-2021", False)])
def test_only_changzhou_names_a_direct_connection_limit(pack_id, own):
    """The other regions borrow Changzhou's 8000 kVA, marked assumed (docs/DOMAIN.md §4)."""
    limit = BOOK.packs[pack_id].scheme.direct_connection_limit_kva
    assert limit.value == 8000 and limit.assumed is not own


@pytest.mark.parametrize("pack_id, count", [("changzhou-2020", 14), ("shanghai-2020", 18), ("jiangsu-2020", 14),
                                            ("xihua-2022", 14), ("chongqing-2021", 14)])
def test_banned_fees_with_shanghais_extra_ones(pack_id, count):
    names = BOOK.packs[pack_id].banned_fees()
    assert len(names) == count and "带电作业费" in names
    assert ("临时接电容量费" in names) is (pack_id == "shanghai-2020")


@pytest.mark.parametrize("pack_id, pipeline, limits, process, average", [
    ("changzhou-2020", "lv", {"accepted": 0.5, "grid_works": 1, "connect": 1}, 1.5, None),
    ("changzhou-2020", "hv", {"accepted": 0.5, "scheme_reply": 0.5, "grid_works": 5, "connect": 1}, 2, None),
    ("chongqing-2021", "hv_single", {"accepted": 1, "scheme_reply": 10, "design_review": 3, "connect": 6}, 40, None),
    ("chongqing-2021", "hv_dual", {"accepted": 1, "scheme_reply": 18, "mid_inspection": 2, "connect": 6}, 55, None),
    ("chongqing-2021", "lv", {"accepted": 1, "scheme_reply": 3, "connect": 2}, 6, None),
    ("chongqing-2021", "lv_micro", {"accepted": 1, "connect": 2}, 20, 7),
    ("xihua-2022", "rename_resident", {"accepted": 1}, 1, None),
    ("xihua-2022", "hv", {}, None, 16),
    ("jiangsu-2020", "hv", {}, None, 40),
    ("shanghai-2020", "hv", {"grid_works": 30}, None, 60),
])
def test_time_limits_are_those_of_the_seeds(pack_id, pipeline, limits, process, average):
    """Stage limits and stated maxima are per-ticket; averages (Jiangsu, Shanghai, Xihua HV) only targets."""
    rules = BOOK.packs[pack_id].pipelines[pipeline]
    by_stage = {rule.stage: rule.limit_days for rule in rules.stages}
    assert {stage: by_stage[stage] for stage in limits} == limits
    assert (rules.process_limit_days.value if rules.process_limit_days else None) == process
    assert (rules.average_target_days.value if rules.average_target_days else None) == average


def every_sourced_number(node, path=""):
    if isinstance(node, dict):
        if "value" in node and isinstance(node["value"], (int, float)):
            yield path, node
        for key, child in node.items():
            yield from every_sourced_number(child, f"{path}.{key}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from every_sourced_number(child, f"{path}[{i}]")


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_every_number_has_a_source(pack_id):
    raw = dump_pack(BOOK.packs[pack_id])
    numbers = list(every_sourced_number(raw))
    assert numbers
    assert all(entry.get("source") for _path, entry in numbers)
    for pipeline in raw["pipelines"].values():
        assert all(stage["source"] for stage in pipeline["stages"])


def test_newest_year_is_the_default_and_unknown_region_fails():
    assert BOOK.get("chongqing").id == "chongqing-2021"
    with pytest.raises(PolicyNotFound):
        BOOK.get("atlantis")
    with pytest.raises(PolicyNotFound):
        BOOK.get("changzhou", 1999)


def copy_packs(tmp_path, edit):
    folder = resources.files("server") / "policies"
    for path in folder.iterdir():
        raw = json.loads(path.read_text(encoding="utf-8"))
        if path.name == "xihua-2022.json":
            edit(raw)
        (tmp_path / path.name).write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("edit, field", [
    (lambda raw: raw["scheme"]["lv_limit_kw"].pop("source"), "scheme.lv_limit_kw.source"),
    (lambda raw: raw["pipelines"]["lv"]["stages"][0].update(limit_days=-1), "pipelines.lv.value.stages.0.limit_days"),
    (lambda raw: raw["business_types"]["hv_new"]["tracks"][0].update(pipeline="nope"), "business_types.hv_new.tracks"),
    (lambda raw: raw.update(surprise=1), "surprise"),
    (lambda raw: raw["scheme"]["investment_boundary"].pop("lv_micro"), "scheme.investment_boundary.lv_micro"),
    (lambda raw: raw["scheme"]["investment_boundary"]["hv"].update(assumed="perhaps"),
     "scheme.investment_boundary.hv.assumed"),
])
def test_invalid_pack_names_file_and_field(tmp_path, edit, field):
    with pytest.raises(PolicyError) as error:
        load_policy_book(copy_packs(tmp_path, edit))
    assert "xihua-2022.json" in str(error.value)
    assert field in str(error.value)


def test_broken_json_pack_names_the_file(tmp_path):
    (tmp_path / "broken-2020.json").write_text("{", encoding="utf-8")
    with pytest.raises(PolicyError, match="broken-2020.json"):
        load_policy_book(tmp_path)


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_the_pulled_pack_loads_into_the_same_model_and_version(pack_id):
    """What a device pulls (the dump) is loaded by the same code into an equal pack with the same
    version, so a ticket's policy_version and its scheme's policy.version agree on every side."""
    pack = BOOK.packs[pack_id]
    again = pack_from_dict(json.loads(json.dumps(dump_pack(pack))), load_engineering())
    assert again == pack and again.version == pack.version


def test_one_zone_lookup_that_refuses_an_unknown_zone():
    changzhou = BOOK.get("changzhou")
    assert changzhou.zone(None) == changzhou.zones[0]
    with pytest.raises(InvalidRequest) as error:
        changzhou.zone("atlantis")
    assert "zone" in error.value.errors


def test_chongqing_has_no_silent_default_zone():
    """004 m.5: the on-site limit is 1250 kVA in the main city, 400 in some west companies, none elsewhere."""
    pack = BOOK.get("chongqing")
    assert {z.zone: z.onsite_reply_limit_kva.value for z in pack.zones} == {"main_city": 1250, "west_pilot": 400,
                                                                            "other": 0}
    with pytest.raises(InvalidRequest) as error:
        pack.zone(None)
    assert "zone" in error.value.errors
