"""No 500 from any input, nothing half-written: each test sends what a careless client or an attacker
would, and fails on a 500, on a silently stored value, or on a value that comes back unchanged."""
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from pypdf import PdfWriter

from pdf import signing
from tests.api.test_schemes import grid, propose  # noqa: F401 - fixture and helper
from tests.conftest import assert_problem
from tests.factories import make_ticket
from tests.sync.test_push_pull import Device, statuses

CHINA = timezone(timedelta(hours=8))


def raw_post(api, path, username, text: str):
    """POST a hand-written JSON text (json.dumps cannot write a lone surrogate or NaN as we need)."""
    return api.call("POST", path, username, data=text.encode("utf-8"), content_type="application/json")


@pytest.mark.parametrize("escaped, why", [("\\ud83d", "surrogate"), ("\\u0000", "NUL")])
def test_unstorable_text_is_a_422_naming_the_field_and_nothing_is_stored(api, escaped, why):
    ticket = make_ticket()
    text = json.dumps(ticket, ensure_ascii=False).replace('"常州示范机械厂"', f'"厂{escaped}"')
    body = assert_problem(raw_post(api, "/api/tickets", "cm_a", text), 422, "validation-error")
    assert "customer.name" in body["errors"], body
    assert api.get(f"/api/tickets/{ticket['id']}", "cm_a").status_code == 404


@pytest.mark.parametrize("escaped", ["\\ud800", "\\u0000"])
def test_log_in_with_unstorable_text_is_a_422(client, escaped):
    response = client.post("/api/auth/token", data=f'{{"username": "cm_a{escaped}", "password": "x", '
                                                    f'"device_id": "d"}}', content_type="application/json")
    assert "username" in assert_problem(response, 422, "validation-error")["errors"]


def test_console_log_in_with_nul_is_refused_not_a_500(app):
    from tests.web.test_console import Browser
    browser = Browser(app)
    response = browser.client.post("/login", data={"username": "cm_a\x00", "password": "x\x00",
                                                   "csrf_token": browser.token("/login")})
    assert response.status_code == 401


def test_json_nested_beyond_the_limit_is_a_400_before_parsing(api):
    deep = "[" * 50_000 + "]" * 50_000
    assert_problem(raw_post(api, "/api/tickets", "cm_a", deep), 400, "malformed-json")
    assert_problem(raw_post(api, "/sync/push", "cm_a", '{"ops": ' + deep + "}"), 400, "malformed-json")


@pytest.mark.parametrize("literal, field", [("123456789012345678901234567890", "capacity_kw"),
                                            ("NaN", "capacity_kw"), ("1e999", "capacity_kw")])
def test_numbers_beyond_64_bits_or_not_finite_are_a_422(api, literal, field):
    text = json.dumps(make_ticket()).replace('"capacity_kw": 120', f'"capacity_kw": {literal}')
    body = assert_problem(raw_post(api, "/api/tickets", "cm_a", text), 422, "validation-error")
    assert field in body["errors"]


def test_control_and_bidi_override_characters_are_stripped_at_input(api):
    ticket = make_ticket(address="常州市\u202e区北新\u202c新北区\u0007", customer={
        "name": "\u2066常州\u200f示范厂\u2069", "phone": "13912345678"})
    created = api.post("/api/tickets", "cm_a", json=ticket)
    assert created.status_code == 201, created.json
    assert created.json["address"] == "常州市区北新新北区" and created.json["customer"]["name"] == "常州示范厂"
    note = "签字\u202e完成\r\n第二行"
    device = Device(api, "cm_a")
    assert statuses(device.push(device.op("note.add", ticket["id"], data={"text": note}))) == ["applied"]
    [change] = [c for c in device.pull_all().values() if c["entity"] == "evidence"]
    assert change["data"]["data"]["text"] == "签字完成\r\n第二行"


def test_patch_keeps_the_ticket_valid(api):
    ticket = api.post("/api/tickets", "cm_a", json=make_ticket()).json
    url = f"/api/tickets/{ticket['id']}"
    assert "capacity_kw" in assert_problem(api.patch(url, "cm_a", json={"capacity_kw": None}), 422,
                                           "validation-error")["errors"]
    assert "zone" in assert_problem(api.patch(url, "cm_a", json={"zone": "atlantis"}), 422,
                                    "validation-error")["errors"]
    missing = api.patch(url, "cm_a", json={"documents": [
        {"kind": "subject_proof", "status": "received", "blob": "sha256:" + "ab" * 32}]})
    assert "documents" in assert_problem(missing, 409, "missing-blob")["errors"]
    after = api.get(url, "cm_a").json
    assert after["capacity_kw"] == 120 and after["zone"] == ticket["zone"] and after["documents"] == ticket["documents"]
    assert "zone" in assert_problem(api.post("/api/tickets", "cm_a", json=make_ticket(zone="atlantis")), 422,
                                    "validation-error")["errors"]


def test_updated_since_compares_instants_whatever_the_offset(api):
    ticket = api.post("/api/tickets", "cm_a", json=make_ticket()).json
    updated = datetime.fromisoformat(ticket["updated_at"])
    for moment, listed in ((updated - timedelta(minutes=1), True), (updated + timedelta(minutes=1), False)):
        local = moment.astimezone(CHINA).isoformat(timespec="seconds")        # …+08:00: compares wrong as text
        page = api.get("/api/tickets", "cm_a", query_string={"updated_since": local})
        assert page.status_code == 200, page.json
        assert (ticket["id"] in {t["id"] for t in page.json["items"]}) is listed, local


def test_a_client_time_years_away_is_a_validation_error(api):
    ticket = api.post("/api/tickets", "cm_a", json=make_ticket()).json
    far = (datetime.now(CHINA) - timedelta(days=800)).isoformat()
    response = api.post(f"/api/tickets/{ticket['id']}/commands", "cm_a",
                        json={"command": "cancel", "args": {"reason": "x"}, "client_time": far})
    assert "client_time" in assert_problem(response, 422, "validation-error")["errors"]
    device = Device(api, "cm_a")
    op = device.op("note.add", ticket["id"], data={"text": "x"})
    assert statuses(device.push({**op, "client_time": far})) == ["rejected"]


def test_rejected_ops_of_another_team_leave_no_trace_in_the_tickets_audit(api):
    ticket = api.post("/api/tickets", "cm_a", json=make_ticket()).json
    intruder = Device(api, "cm_b")
    response = intruder.push(intruder.op("ticket.command", ticket["id"], command="cancel", args={"reason": "x"}),
                             intruder.op("note.add", ticket["id"], data={"text": "我来过"}))
    assert statuses(response) == ["rejected", "rejected"]
    audit = api.get(f"/api/tickets/{ticket['id']}/audit", "cm_a").json
    assert all(entry["username"] != "cm_b" for entry in audit), audit


def test_a_conflict_keeps_only_values_the_field_accepts(api):
    ticket = api.post("/api/tickets", "cm_a", json=make_ticket()).json
    assert api.patch(f"/api/tickets/{ticket['id']}", "bo_cz", json={"capacity_kw": 150}).status_code == 200
    device = Device(api, "cm_a")
    response = device.push(device.op("ticket.update", ticket["id"], base_version=ticket["version"], changes={
        "capacity_kw": {"base": 120, "value": -5}}))
    assert statuses(response) == ["rejected"]
    listed = api.get("/api/conflicts", "bo_cz")
    assert json.loads(listed.get_data(as_text=True), parse_constant=lambda c: pytest.fail(c)) == []


def test_the_pdf_verifier_survives_a_decompression_bomb(api, app):
    """A validly signed file whose evidence inflates to 100 MB: unreadable (422), not a 500."""
    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.write(blank)
    identity = app.extensions["yekuo.services"].signing
    bomb = signing.sign(blank.getvalue(), identity, {"evidence.json": b" " * 100_000_000}, "bomb")
    assert len(bomb) < 1_000_000
    response = api.client.post("/api/pdf/verify", data=bomb, content_type="application/pdf")
    assert response.status_code in (200, 422), response.get_data(as_text=True)[:300]
    if response.status_code == 200:
        assert response.json["valid"] is False
