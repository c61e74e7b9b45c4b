"""The op log's canonical text (sync.push.canonical_text): orjson's bytes only where they are the json
module's, the module every logged op's hash was first taken on."""
import json
import math

from hypothesis import given, settings, strategies as st

from sync.push import canonical_text, logged_body, same_json

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
scalars = st.none() | st.booleans() | st.integers(-2**70, 2**70) | text
floats = st.floats(allow_nan=True, allow_infinity=True)


def json_values(leaves):
    """Objects and arrays of ``leaves``, nested."""
    return st.recursive(leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
                        max_leaves=20)


def json_module_text(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def finite_floats_only(value) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(map(finite_floats_only, value))
    if isinstance(value, dict):
        return all(map(finite_floats_only, value.values()))
    return True


@settings(max_examples=400, deadline=None)
@given(json_values(scalars))
def test_without_floats_the_text_is_the_json_modules(value):
    body, encoded = canonical_text({"op": value})
    assert body == json_module_text({"op": value}) and encoded == body.encode("utf-8")


@settings(max_examples=400, deadline=None)
@given(json_values(scalars | floats))
def test_with_floats_the_text_reads_back_as_the_same_value_or_is_the_json_modules(value):
    body, _ = canonical_text({"op": value})
    if body != json_module_text({"op": value}):
        assert finite_floats_only(value) and same_json(json.loads(body), {"op": value})


def test_nan_lone_surrogates_and_long_integers_are_the_json_modules_and_suspect():
    for value in (float("nan"), float("inf"), "\ud83d", 2**70):
        body, _hash, unstorable = logged_body({"op": value})
        assert unstorable is not None, value
