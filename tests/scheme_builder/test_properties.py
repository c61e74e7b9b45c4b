"""Properties: metres agree with geodesics, more capacity never hurts, hashes are deterministic."""
import json
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st
from pyproj import Geod

from scheme_builder import Grid, build_scheme
from scheme_builder.api import assert_no_banned_fees
from scheme_builder.errors import BannedFeeInScheme
from scheme_builder.policy import canonical_json, encode
from scheme_builder.synthetic import make_city_grid
from tests.factories import feeder, scheme_request, transformer
from tests.scheme_builder.conftest import policy_for

GEOD = Geod(ellps="WGS84")
CITY = make_city_grid(2000, seed=7)
CITY_GRID = Grid.from_features(CITY["features"], "city-7")


@settings(max_examples=200, deadline=None)
@given(index=st.integers(0, len(CITY["features"]) - 1),
       d_lon=st.floats(-0.12, 0.12), d_lat=st.floats(-0.12, 0.12))
def test_distances_agree_with_geodesic_within_half_a_percent(index, d_lon, d_lat):
    feature = CITY["features"][index]
    if feature["geometry"]["type"] != "Point":
        return
    lon, lat = feature["geometry"]["coordinates"]
    here = (lon + d_lon, lat + d_lat)
    projected = CITY_GRID.assets[index].geometry.distance(CITY_GRID.project(*here))
    _, _, geodesic = GEOD.inv(lon, lat, *here)
    assert projected == pytest.approx(geodesic, rel=0.005, abs=0.01)


@settings(max_examples=60, deadline=None)
@given(peak=st.floats(0, 7000), less=st.floats(0, 7000), kva=st.floats(300, 6000))
def test_more_open_capacity_never_gives_a_worse_best_option(peak, less, kva):
    policy = policy_for("changzhou-2020")

    def best(peak_kva):
        grid = Grid.from_features([feeder("F1", [(-3000, 300), (3000, 300)], rating_kva=8000, peak_kva=peak_kva, ties=1),
                                   feeder("F2", [(-3000, 1500), (3000, 1500)], rating_kva=8000, peak_kva=4000,
                                          substation_id="S2")], "p")
        scheme = build_scheme(scheme_request(capacity_kva=kva), policy, grid)
        return scheme["options"][0] if scheme["options"] else None

    worse, better = best(peak), best(max(0.0, peak - less))
    if worse is not None:
        assert better is not None
        assert (better["upgrade_first"], better["score"]) <= (worse["upgrade_first"], worse["score"])


REQUEST = scheme_request(capacity_kva=1600, location={"lon": 119.982, "lat": 31.822})
HASH_SCRIPT = """
import json, sys
from scheme_builder import Grid, build_scheme
from scheme_builder.synthetic import make_city_grid
from tests.scheme_builder.conftest import policy_for
grid = Grid.from_features(make_city_grid(2000, seed=7)["features"], "city-7")
print(build_scheme(json.loads(sys.argv[1]), policy_for("changzhou-2020"), grid)["scheme_hash"])
"""


def test_scheme_hash_is_identical_across_processes():
    here = build_scheme(REQUEST, policy_for("changzhou-2020"), CITY_GRID)
    assert here["options"], here.get("manual_reason")
    hashes = {subprocess.run([sys.executable, "-c", HASH_SCRIPT, json.dumps(REQUEST)], capture_output=True, text=True,
                             check=True, env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout.strip()
              for seed in (1, 2)}
    assert hashes == {here["scheme_hash"]}


def test_hash_changes_with_any_input():
    policy = policy_for("changzhou-2020")
    base = build_scheme(REQUEST, policy, CITY_GRID)["scheme_hash"]
    assert build_scheme({**REQUEST, "capacity_kva": 1601}, policy, CITY_GRID)["scheme_hash"] != base
    other_snapshot = Grid.from_features(CITY["features"], "city-8")
    assert build_scheme(REQUEST, policy, other_snapshot)["scheme_hash"] != base


@pytest.mark.parametrize("pack", ["changzhou-2020", "shanghai-2020", "jiangsu-2020", "xihua-2022", "chongqing-2021"])
def test_real_schemes_carry_no_banned_fee_and_a_planted_one_is_caught(pack):
    policy = policy_for(pack)
    grid = Grid.from_features([transformer("TX1", 60, 0), feeder("F1", [(-3000, 300), (3000, 300)])], "g")
    zone = {"zone": "main_city"} if pack == "chongqing-2021" else {}
    for request in (scheme_request(**zone), scheme_request(business_type="lv_nonresident_new", capacity_kva=None,
                                                           capacity_kw=60, **zone)):
        scheme = build_scheme(request, policy, grid)
        assert_no_banned_fees(scheme, policy)
    scheme["options"][0]["works"].append("调试费")
    with pytest.raises(BannedFeeInScheme):
        assert_no_banned_fees(scheme, policy)


@pytest.mark.parametrize("module", ["scheme_builder"])
def test_pure_libraries_import_no_flask_or_storage(module):
    code = (f"import sys, {module}; bad = {{'flask', 'sqlite_utils', 'marshmallow', 'sqlite3', 'server', 'werkzeug'}} & "
            "set(sys.modules); print(sorted(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**18, 10**18) | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e-5, 1e-7, 9.999e-5, 1e-4, 1e16, 1e20, 1e21, 1.5e22, -0.0, 0.1, 2.0**53, 2.0**53 + 2, 9.5e15]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_the_fast_canonical_json_writes_the_exact_paths_bytes(value):
    """The hash's bytes come from the json module (fast) where they equal the exact JavaScript-number writer."""
    assert canonical_json(value) == encode(value).encode("utf-8")
