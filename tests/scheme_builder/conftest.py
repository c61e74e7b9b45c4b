import json
from importlib import resources

import pytest

from scheme_builder import Grid, Pack, build_scheme, load_engineering
from server.policy import load_pack

ENGINEERING = load_engineering()


def policy_for(pack_id) -> Pack:
    text = (resources.files("server") / "policies" / f"{pack_id}.json").read_text(encoding="utf-8")
    return load_pack(json.loads(text), ENGINEERING)


@pytest.fixture
def build():
    """build(request, *features, pack="changzhou-2020", reserved=None) → scheme."""
    def run(request, *features, pack="changzhou-2020", reserved=None):
        grid = Grid.from_features(list(features), version="test-1")
        return build_scheme(request, policy_for(pack), grid, reserved)
    return run
