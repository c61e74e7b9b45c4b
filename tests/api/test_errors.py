"""Every error is application/problem+json, and bad bodies never reach a 500."""
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.conftest import assert_problem
from tests.factories import make_ticket


def test_unknown_route_is_404_problem(client):
    assert_problem(client.get("/api/nothing-here"), 404, "not-found")


def test_wrong_method_is_405_problem(client):
    assert_problem(client.delete("/api/policies"), 405, "method-not-allowed")


def test_malformed_json_is_400_problem(api):
    response = api.post("/api/tickets", "cm_a", data="{not json", headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "malformed-json")


def test_non_json_body_is_415_problem(api):
    response = api.post("/api/tickets", "cm_a", data="a=b", headers={"Content-Type": "text/plain"})
    assert_problem(response, 415, "unsupported-media-type")


def test_oversized_body_is_413_problem(app, api):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = api.post("/api/tickets", "cm_a", json=make_ticket(address="x" * 2000))
    assert_problem(response, 413, "payload-too-large")


def test_problem_types_resolve(client):
    assert client.get("/problems/illegal-command").json["status"] == 409


json_values = st.recursive(st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=20),
                           lambda children: st.lists(children, max_size=3)
                           | st.dictionaries(st.text(max_size=10), children, max_size=3), max_leaves=10)
FIELDS = list(make_ticket()) + ["capacity_kva", "power_factor", "phase", "reliability_class", "documents", "team",
                                "manager", "zone", "policy_year"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=4))
def test_random_ticket_bodies_get_201_or_a_4xx_problem(api, changes):
    before = len(api.get("/api/tickets?limit=500", "cm_a").json["items"])
    response = api.post("/api/tickets", "cm_a", json={**make_ticket(), **changes})
    after = len(api.get("/api/tickets?limit=500", "cm_a").json["items"])
    if response.status_code == 201:
        assert after == before + 1
    else:
        assert 400 <= response.status_code < 500, response.json
        assert response.mimetype == "application/problem+json"
        assert after == before
