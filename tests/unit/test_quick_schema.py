"""``quick(schema)`` answers exactly as ``schema.load``: the same result for what is valid, the same
errors for what is not — on valid ops of every kind and on generated damage to them."""
import copy
import math

import pytest
from hypothesis import given, settings, strategies as st
from marshmallow import ValidationError

from server.schemas.quick import quick
from server.schemas.sync import EVIDENCE_SCHEMAS, OP_SCHEMAS
from server.schemas.tickets import ticket_create_schema, ticket_patch_schema
from tests.factories import CENTRE, RECEIVED, make_ticket

OP = {"op_id": "op-1", "seq": 3, "entity_id": "T-1", "client_time": "2026-11-24T09:00:00+08:00"}
TICKET = {**copy.deepcopy(make_ticket(documents=RECEIVED, location={"lon": CENTRE[0], "lat": CENTRE[1]})),
          "power_factor": 0.95, "phase": 3, "ev_charging": False, "manager": None}
TICKET["documents"][0].update(promised_date="2026-12-01", blob="sha256:" + "ab" * 32)
VALID = {
    "ticket fields": (ticket_create_schema, TICKET),
    "ticket patch": (ticket_patch_schema, {"capacity_kw": 80, "customer": TICKET["customer"], "zone": "A"}),
    "ticket.create op": (OP_SCHEMAS["ticket.create"], {**OP, "type": "ticket.create", "data": TICKET}),
    "ticket.update op": (OP_SCHEMAS["ticket.update"], {**OP, "type": "ticket.update", "base_version": 4,
                                                       "changes": {"address": {"base": "a", "value": "b"}}}),
    "ticket.command op": (OP_SCHEMAS["ticket.command"], {**OP, "type": "ticket.command", "command": "cancel",
                                                         "args": {"reason": "x"}}),
    "note": (EVIDENCE_SCHEMAS["note.add"], {"text": "现场记录"}),
    "gps": (EVIDENCE_SCHEMAS["gps.add"], {"lon": 119.9, "lat": 31.8, "accuracy_m": 5,
                                          "fix_time": "2026-11-24T09:00:00Z"}),
    "document": (EVIDENCE_SCHEMAS["document.add"], {"blob": "sha256:" + "cd" * 32, "kind": "subject_proof"}),
    "signature": (EVIDENCE_SCHEMAS["signature.add"], {"blob": "sha256:" + "ef" * 32, "signer_name": None}),
}
QUICK = {name: quick(schema) for name, (schema, _) in VALID.items()}

SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-2**70, max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
           | st.sampled_from(["", "received", "changzhou", "2026-12-01", "3", "1.5", "true", "sha256:" + "0" * 64]))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                          max_size=3), max_leaves=8)


def outcome(load, data):
    """What a load answers, comparable: the result's repr (NaN-safe, order-sensitive) or the messages."""
    try:
        return "loaded", repr(load(copy.deepcopy(data)))
    except ValidationError as exc:
        return "refused", exc.messages


def paths(value, prefix=()):
    yield prefix
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from paths(child, (*prefix, key))


def damaged(value, path, action, replacement):
    value = copy.deepcopy(value)
    if not path:
        return replacement
    parent = value
    for key in path[:-1]:
        parent = parent[key]
    if action == "drop":
        parent.pop(path[-1]) if isinstance(parent, dict) else parent.pop(path[-1])
    elif action == "add" and isinstance(parent, dict):
        parent[f"{path[-1]}_extra"] = replacement
    else:
        parent[path[-1]] = replacement
    return value


@pytest.mark.parametrize("name", VALID)
def test_a_valid_input_loads_as_marshmallow_loads_it(name):
    schema, data = VALID[name]
    assert outcome(QUICK[name], data)[0] == "loaded"
    assert outcome(QUICK[name], data) == outcome(schema.load, data)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(VALID)), st.data())
def test_damaged_input_gets_marshmallows_answer(name, data):
    schema, valid = VALID[name]
    path = data.draw(st.sampled_from(list(paths(valid))))
    action = data.draw(st.sampled_from(["replace", "drop", "add"]))
    replacement = data.draw(JSON)
    broken = damaged(valid, path, action, replacement)
    assert outcome(QUICK[name], broken) == outcome(schema.load, broken)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(VALID)), JSON)
def test_any_json_gets_marshmallows_answer(name, value):
    schema, _ = VALID[name]
    assert outcome(QUICK[name], value) == outcome(schema.load, value)


def test_floats_are_floats_and_defaults_are_filled_as_marshmallow_fills_them():
    loaded = QUICK["ticket fields"]({**TICKET, "capacity_kw": 120})
    assert loaded["capacity_kw"] == 120.0 and isinstance(loaded["capacity_kw"], float)
    assert loaded["customer"]["id_kind"] == TICKET["customer"]["id_kind"]
    assert QUICK["ticket.command op"]({**OP, "type": "ticket.command", "command": "x"})["args"] == {}
    assert not math.isnan(QUICK["gps"]({"lon": 1, "lat": 2})["lon"])
