"""Fuzzing every operation: no input, from anyone, gets a 500.

Schemathesis generates requests from the OpenAPI document, both fitting it (positive) and
breaking it (negative), as the back office, as a field user and as nobody at all. A second,
hand-made strategy sends what generators rarely find: lone surrogates, NUL, bidi overrides,
integers beyond 64 bits, NaN, deep nesting and hostile path segments, to every operation of the
API and every page of the console.
"""
import json
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode

from tests.conftest import Api
from tests.factories import make_ticket

FUZZ_CONFIG = {"LOGIN_MAX_FAILURES": 10**6, "LOGIN_MAX_FAILURES_PER_IP": 10**6}   # the fuzzer logs in a lot
SETTINGS = settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)


@schemathesis.serializer("application/offset+octet-stream", "application/pdf", "text/csv", "application/geo+json")
def as_bytes(ctx, value):
    """Raw bodies (blob chunks, PDFs, grid files): whatever was generated, as bytes."""
    return value if isinstance(value, bytes) else str(value).encode()


@pytest.fixture
def fuzz_app(make_app):
    return make_app(**FUZZ_CONFIG)


# (generation mode, caller, examples per operation)
RUNS = [(GenerationMode.POSITIVE, "bo_cz", 25), (GenerationMode.NEGATIVE, "cm_a", 15),
        (GenerationMode.NEGATIVE, None, 10)]


@pytest.mark.parametrize("mode, caller, examples", RUNS, ids=[f"{m.value}-{c or 'anonymous'}" for m, c, _e in RUNS])
def test_no_generated_request_gets_a_500(fuzz_app, mode, caller, examples):
    headers = {"Authorization": f"Bearer {Api(fuzz_app.test_client()).token(caller, 'pda-fuzz')}"} if caller else {}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", fuzz_app)
    checked = []
    for operation in (result.ok() for result in schema.get_all_operations()):
        @settings(SETTINGS, max_examples=examples)
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        try:
            call()
        except Unsatisfiable:          # negative mode: an operation without inputs has nothing to break
            assert mode is GenerationMode.NEGATIVE
            continue
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 25, checked


# ---- hostile values, to every operation ------------------------------------------------------

HOSTILE = ['"\\ud83d"', '"\\udc00x"', '"\\u0000"', '"a\\u202eb"', '"\\u2066x\\u2069"', '"=1+1"', '""', '"\\u0007"',
           "123456789012345678901234567890", "-99999999999999999999", "NaN", "Infinity", "1e999", "-0",
           "9223372036854775808", "null", "true", "[]", "{}", '"' + "长" * 5000 + '"', "[" * 40 + "]" * 40]
MARK = "@@hostile@@"
PATH_VALUES = ["{ticket}", "..%2F..", "%00", "%F0%9F", "99999999999999999999999", "-1", "a" * 300, "%E2%80%AE",
               "2026", "0"]
CONSOLE = ["/", "/tickets/{x}", "/cosign", "/cosign/{x}", "/manual", "/manual/{x}", "/conflicts", "/conflicts/{x}",
           "/grid", "/pool", "/pool/{x}", "/jobs", "/dashboard", "/dashboard.csv", "/login", "/logout",
           "/customer/{x}", "/problems/{x}", "/api/docs"]


def valid_bodies(ticket_id) -> dict:
    """A valid body per operation (path template → body): the hostile value replaces one of its leaves."""
    ticket = make_ticket()
    op = {"op_id": "op-1", "seq": 1, "type": "ticket.create", "entity_id": ticket["id"], "data": ticket,
          "client_time": "2026-11-24T09:00:00+08:00"}
    return {
        "/api/auth/token": {"username": "cm_a", "password": "x", "device_id": "pda-hostile"},
        "/api/tickets": ticket,
        "/api/tickets/{ticket_id}": {"address": "常州", "customer": {"name": "厂", "phone": "13912345678"},
                                     "documents": [{"kind": "subject_proof", "status": "received"}], "zone": "urban"},
        "/api/tickets/{ticket_id}/commands": {"command": "cancel", "args": {"reason": "x"},
                                              "client_time": "2026-11-24T09:00:00+08:00"},
        "/api/calendar/{year}": {"complete": False, "reason": "通知", "days": [
            {"date": "2027-01-01", "workday": False, "note": "元旦"}]},
        "/api/calendar/overrides": {"date": "2027-05-06", "workday": False, "reason": "地方假日", "note": "x"},
        "/api/schemes/preview": {"region": "changzhou", "business_type": "lv_nonresident_new",
                                 "customer_class": "non_resident", "capacity_kw": 100,
                                 "location": {"lon": 119.95, "lat": 31.78}},
        "/sync/push": {"protocol": 1, "device_id": "pda-hostile", "ops": [
            op, {**op, "op_id": "op-2", "seq": 2, "type": "ticket.update", "entity_id": ticket_id, "base_version": 1,
                 "changes": {"address": {"base": "a", "value": "b"}}}]},
        "/api/conflicts/{conflict_id}/resolve": {"value": "x"},
    }


def leaf_paths(value, path=()):
    if isinstance(value, dict) and value:
        return [p for key, item in value.items() for p in leaf_paths(item, (*path, key))]
    if isinstance(value, list) and value:
        return [p for i, item in enumerate(value) for p in leaf_paths(item, (*path, i))]
    return [path]


def with_hostile_leaf(body, path, hostile: str) -> str:
    """``body`` as JSON text with the leaf at ``path`` replaced by raw JSON text ``hostile``."""
    body = json.loads(json.dumps(body))
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = MARK
    return json.dumps(body, ensure_ascii=False).replace(json.dumps(MARK), hostile)


def routes_of(app) -> list:
    spec = app.test_client().get("/api/openapi.json").json
    return [(method.upper(), path) for path, item in spec["paths"].items() for method in item
            if method in ("get", "post", "put", "patch", "delete", "head")] + \
        [(method, path) for path in CONSOLE for method in ("GET", "POST")]


def test_hostile_values_to_every_operation_never_get_a_500(fuzz_app):
    client, routes = fuzz_app.test_client(), routes_of(fuzz_app)
    api = Api(client)
    tokens = {None: None, **{user: api.token(user, "pda-hostile") for user in ("cm_a", "bo_cz", "root")}}
    ticket_id = api.post("/api/tickets", "cm_a", json=make_ticket()).json["id"]
    bodies, seen = valid_bodies(ticket_id), []

    @settings(SETTINGS, max_examples=600)
    @given(route=st.sampled_from(routes), caller=st.sampled_from(list(tokens)), data=st.data(),
           hostile=st.sampled_from(HOSTILE), segment=st.sampled_from(PATH_VALUES),
           query=st.sampled_from(["since", "limit", "cursor", "month", "region", "table", "next", "updated_since",
                                  "stage", "overdue"]))
    def call(route, caller, data, hostile, segment, query):
        method, template = route
        path = re.sub(r"\{[^}]+\}", segment.format(ticket=ticket_id), template)
        valid = bodies.get(template)
        body = with_hostile_leaf(valid, data.draw(st.sampled_from(leaf_paths(valid))), hostile) if valid else hostile
        headers = {"Authorization": f"Bearer {tokens[caller]}"} if caller else {}
        content_type = "application/json"
        if "blobs" in template:
            headers.update({"Upload-Offset": segment[:20], "Upload-Length": "5"})
            content_type = "application/offset+octet-stream"
        response = client.open(f"{path}?{query}={segment}", method=method, headers=headers,
                               data=body.encode("utf-8", "surrogatepass"), content_type=content_type)
        seen.append(response.status_code)
        assert response.status_code < 500 or response.status_code == 503, \
            (method, path, caller, body[:300], response.get_data(as_text=True)[:300])

    call()
    assert len(set(seen)) >= 5, sorted(set(seen))          # the requests got past log-in and validation
