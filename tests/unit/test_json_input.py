"""The JSON gate reads a body as the json module reads it, whichever parser it uses: orjson for the
ordinary body, the json module for NaN, big integers and lone surrogates (which then reach the checks
that name their field); deep bodies are refused either way."""
import json

import pytest
from hypothesis import given, settings, strategies as st

from server.errors import Problem
from server.json_input import MAX_DEPTH, load, parsed

TEXT = st.text(max_size=10) | st.sampled_from(["\u202e", "\x7f", "\x00", "a\u200fb", "\x85", "常州"])
NUMBERS = (st.integers() | st.integers(min_value=-2**80, max_value=2**80)
           | st.floats(allow_nan=False, allow_infinity=False))
VALUES = st.recursive(st.none() | st.booleans() | NUMBERS | TEXT,
                      lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                      max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(VALUES, st.booleans())
def test_a_body_reads_as_the_json_module_reads_it(value, ascii_only):
    raw = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    try:
        expected = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return
    got, _ = parsed(raw)
    assert repr(got) == repr(expected)
    assert all(type(a) is type(b) for a, b in zip(leaves(got), leaves(expected)))


def leaves(value):
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]


@pytest.mark.parametrize("raw, strict", [(b'{"a": 1}', True), (b'{"a": 123456789012345678901}', False),
                                         (b'{"a": NaN}', False), (b'{"a": 1e999}', False),
                                         (b'{"a": "\\ud800"}', False)])
def test_orjson_reads_strict_json_and_the_json_module_the_rest(raw, strict):
    assert parsed(raw)[1] is strict


@pytest.mark.parametrize("depth, refused", [(MAX_DEPTH, False), (MAX_DEPTH + 1, True), (5000, True)])
@pytest.mark.parametrize("big_number", [False, True])
def test_depth_is_counted_on_either_path(depth, refused, big_number):
    inner = b"123456789012345678901" if big_number else b"1"
    raw = b"[" * depth + inner + b"]" * depth
    if refused:
        with pytest.raises(Problem, match="deeper"):
            parsed(raw)
    else:
        assert parsed(raw)[0] is not None


def test_control_and_bidi_characters_are_stripped_on_the_orjson_path():
    assert load('{"a": "x\u202ey\x7fz"}'.encode()) == {"a": "xyz"}
