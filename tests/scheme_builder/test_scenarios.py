"""Each scenario a planner tries, per region, gives the answer docs/SCENARIOS.md states, for the reason it states."""
import json
from pathlib import Path

import pytest

from scheme_builder import Grid, build_scheme
from scheme_builder.errors import InvalidRequest
from tests.scheme_builder.conftest import policy_for
from tests.scheme_builder.scenarios import GRID, REGIONS, SCENARIOS, markdown, request_of

BUILT = Grid.from_features(GRID, version="scenarios")
CASES = [(scenario, pack_id) for scenario in SCENARIOS for pack_id in REGIONS]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "SCENARIOS.md"


@pytest.mark.parametrize("scenario, pack_id", CASES, ids=[f"{p}:{s.name}" for s, p in CASES])
def test_the_planner_gets_the_expected_answer(scenario, pack_id):
    expected, policy = scenario.expect[pack_id], policy_for(pack_id)
    if expected.error_field:
        with pytest.raises(InvalidRequest) as refused:
            build_scheme(request_of(scenario, pack_id), policy, BUILT)
        assert expected.error_field in refused.value.errors
        return
    scheme = build_scheme(request_of(scenario, pack_id), policy, BUILT)
    assert (scheme["decision"], scheme["supply_voltage_kv"]) == (expected.decision, expected.voltage_kv)
    if expected.first:
        first = scheme["options"][0]
        assert first["connection"]["asset_id"] == expected.first
        assert len(first["sources"]) == expected.sources
    text = json.dumps(scheme, ensure_ascii=False)
    assert [words for words in expected.says if words not in text] == []
    limit = next(row["value"] for row in scheme["explanation"] if row["rule"] == "voltage_drop_limit_pct") \
        if scheme["options"] else None
    for option in scheme["options"]:           # what a planner checks on every option before signing
        assert option["voltage_drop_pct"] <= limit
        assert option["cost_estimate_yuan"]["high"] >= option["cost_estimate_yuan"]["low"] >= 0
        assert (option["cost_estimate_yuan"]["high"] > 0) == bool(option["works"])


def test_the_scenarios_page_is_current():
    """docs/SCENARIOS.md is the table these tests hold (regenerate: python -m tests.scheme_builder.scenarios)."""
    assert DOCS.read_text(encoding="utf-8") == markdown()
