"""One access policy (server/access.py), tried from outside: role × resource × action, over HTTP.

Each row is an attempt; the table says what every kind of user must get. A role that gains a right
it should not have, or scope that leaks across teams or regions, fails a row.
"""
import json
import re
from pathlib import Path

import pytest

from tests.api.test_schemes import CHANGZHOU, SHANGHAI, grid, preview_body  # noqa: F401 - fixture
from tests.factories import make_ticket
from tests.web.test_console import Browser

USERS = ("cm_a", "pm_a", "cm_b", "bo_cz", "bo_sh", "root")
SERVER = Path(__file__).resolve().parents[2] / "server"


@pytest.fixture
def cz_ticket(api):
    response = api.post("/api/tickets", "cm_a", json=make_ticket())
    assert response.status_code == 201, response.json
    return response.json["id"]


# (method, path, body, {user: status}); {ticket} is a Changzhou team-A ticket
API_TABLE = [
    ("GET", "/api/tickets/{ticket}", None,
     {"cm_a": 200, "pm_a": 200, "cm_b": 404, "bo_cz": 200, "bo_sh": 404, "root": 200}),
    ("GET", "/api/tickets/{ticket}/audit", None,
     {"cm_a": 200, "cm_b": 404, "bo_sh": 404, "root": 200}),
    ("PATCH", "/api/tickets/{ticket}", {"address": "常州市武进区"},
     {"cm_b": 404, "bo_sh": 404, "cm_a": 200}),
    ("POST", "/api/tickets/{ticket}/grab", None, {"pm_a": 403, "bo_cz": 403, "root": 403, "cm_b": 404}),
    ("GET", "/api/devices", None, {"cm_a": 403, "pm_a": 403, "bo_cz": 200, "root": 200}),
    ("GET", "/api/grid/imports", None, {"cm_a": 403, "pm_a": 403, "bo_cz": 200, "root": 200}),
    ("GET", "/api/grid/imports?region=shanghai", None, {"bo_cz": 403, "bo_sh": 200, "root": 200}),
    ("POST", "/api/grid/imports", SHANGHAI, {"cm_a": 403, "bo_cz": 403, "bo_sh": 201}),
    ("GET", "/api/schemes/manual", None, {"cm_a": 403, "pm_a": 403, "bo_cz": 200, "root": 200}),
    ("POST", "/api/schemes/preview", preview_body(region="shanghai"),
     {"cm_a": 403, "bo_cz": 403, "root": 200}),
    ("POST", "/api/schemes/preview", preview_body(), {"cm_a": 200, "bo_cz": 200, "bo_sh": 403}),
    ("GET", "/api/calendar/2027", None, {user: 200 for user in USERS}),
    ("PUT", "/api/calendar/2027", {"complete": False, "days": [], "reason": "通知"},
     {"cm_a": 403, "pm_a": 403, "bo_cz": 403, "root": 200}),
    ("POST", "/api/calendar/overrides", {"date": "2027-05-06", "workday": False, "reason": "地方假日"},
     {"cm_a": 403, "bo_cz": 403, "bo_sh": 403, "root": 200}),
    ("DELETE", "/api/devices/pda-cm_sh", None, {"cm_a": 403, "bo_cz": 404}),
]


@pytest.mark.parametrize("method, path, body, expected", API_TABLE,
                         ids=[f"{m} {p}" for m, p, _b, _e in API_TABLE])
def test_api_access_table(api, grid, cz_ticket, method, path, body, expected):
    api.token("cm_sh", "pda-cm_sh")          # a Shanghai device exists for the back office to (not) revoke
    for user, status in expected.items():
        kwargs = {"json": body} if body is not None and "features" not in body else {}
        if body is not None and "features" in body:
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
        response = api.call(method, path.format(ticket=cz_ticket), user, **kwargs)
        assert response.status_code == status, (user, response.get_data(as_text=True)[:300])


def test_the_back_office_sees_devices_of_its_region_only(api):
    api.token("cm_sh", "pda-sh-1")
    api.token("cm_a", "pda-cz-1")
    listed = {d["device_id"] for d in api.get("/api/devices", "bo_cz").json}
    assert "pda-cz-1" in listed and "pda-sh-1" not in listed
    assert "pda-sh-1" in {d["device_id"] for d in api.get("/api/devices", "root").json}


# (path, {user: status}) for the console
PAGE_TABLE = [
    ("/", {"cm_a": 200, "bo_cz": 200, "root": 200}),
    ("/cosign", {"cm_a": 403, "pm_a": 403, "bo_cz": 200, "root": 200}),
    ("/manual", {"cm_a": 403, "bo_cz": 200}),
    ("/grid", {"cm_a": 403, "pm_a": 403, "bo_cz": 200}),
    ("/jobs", {"cm_a": 403, "bo_cz": 200}),
    ("/pool", {"cm_a": 200, "bo_cz": 200}),
    ("/dashboard", {"cm_a": 200, "bo_cz": 200}),
    ("/dashboard?region=shanghai", {"bo_cz": 403, "cm_a": 403, "bo_sh": 200, "root": 200}),
    ("/dashboard.csv?region=shanghai&table=summary", {"bo_cz": 403, "bo_sh": 200}),
]


@pytest.mark.parametrize("path, expected", PAGE_TABLE, ids=[p for p, _e in PAGE_TABLE])
def test_page_access_table(app, path, expected):
    for user, status in expected.items():
        browser = Browser(app)
        assert browser.login(user).status_code == 302
        assert browser.get(path).status_code == status, user


def test_no_module_but_access_compares_roles():
    """Role rules in one place: a role compared anywhere else in the server is a second policy."""
    comparison = re.compile(r"\.role\s*(==|!=|not in|in)\s|\brole\s*(==|!=)\s*\"")
    offenders = [f"{path.relative_to(SERVER)}:{n}" for path in SERVER.rglob("*.py") if path.name != "access.py"
                 for n, line in enumerate(path.read_text().splitlines(), 1) if comparison.search(line)]
    assert offenders == []
