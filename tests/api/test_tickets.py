"""Tickets over REST: create, read, list, edit, scope."""
import pytest

from tests.conftest import assert_problem
from tests.factories import RECEIVED, make_ticket


def create(api, username="cm_a", **overrides):
    response = api.post("/api/tickets", username, json=make_ticket(**overrides))
    assert response.status_code == 201, response.json
    return response.json


def test_create_fixes_pack_pipeline_checklist_and_deadlines(api):
    ticket = create(api)
    assert ticket["stage"] == "accepted" and ticket["policy_year"] == 2020
    assert ticket["policy_version"].startswith("sha256:")
    assert ticket["team"] == "A" and ticket["manager"] == "cm_a" and ticket["pipeline"] == "lv"
    assert [d["kind"] for d in ticket["documents"]] == ["subject_proof"]        # 000 att. 4: one document
    assert all(d["status"] == "missing" for d in ticket["documents"])
    assert ticket["deadlines"]["stage"]["limit_days"] == 0.5
    assert ticket["deadlines"]["process"]["limit_days"] == 1.5
    assert ticket["version"] > 0 and ticket["number"] == 1


def test_device_made_id_is_kept_and_get_returns_the_record(api):
    ticket = create(api, id="T-from-device-1")
    fetched = api.get("/api/tickets/T-from-device-1", "cm_a").json
    assert fetched["id"] == "T-from-device-1" and fetched["customer"] == ticket["customer"]
    assert fetched["stage_history"] == [] and "complete_acceptance" in fetched["allowed_commands"]


def test_same_id_twice_is_422_and_not_stored_twice(api):
    first = create(api, id="T-twice")
    body = assert_problem(api.post("/api/tickets", "cm_a", json=make_ticket(id="T-twice", address="另一处")), 422,
                          "validation-error")
    assert "id" in body["errors"]
    assert api.get("/api/tickets/T-twice", "cm_a").json["address"] == first["address"]
    assert create(api)["number"] == first["number"] + 1          # the refused create took no number


@pytest.mark.parametrize("overrides, field", [
    ({"business_type": "moon_base"}, "business_type"),
    ({"region": "atlantis"}, "region"),
    ({"policy_year": 2019}, "policy_year"),
    ({"capacity_kw": None}, "capacity_kw"),
    ({"capacity_kw": -5}, "capacity_kw"),
    ({"location": {"lon": 500, "lat": 31}}, "location.lon"),
    ({"customer": {"name": "x"}}, "customer.phone"),
    ({"customer_class": "alien"}, "customer_class"),
    ({"id": "has space"}, "id"),
    ({"documents": [{"kind": "horoscope", "status": "received"}]}, "documents"),
    ({"team": "B"}, "team"),
    ({"manager": "pm_a"}, "manager"),
    ({"stage": "connect"}, "stage"),
])
def test_bad_input_names_the_field_and_stores_nothing(api, overrides, field):
    body = assert_problem(api.post("/api/tickets", "cm_a", json=make_ticket(**overrides)), 422, "validation-error")
    assert field in body["errors"], body
    assert api.get("/api/tickets", "cm_a").json["items"] == []


def test_manager_of_another_team_gets_404(api):
    ticket = create(api)
    assert_problem(api.get(f"/api/tickets/{ticket['id']}", "cm_b"), 404, "not-found")
    assert_problem(api.command(ticket["id"], "cm_b", "cancel", reason="x"), 404, "not-found")
    assert api.get("/api/tickets", "cm_b").json["items"] == []


def test_backoffice_sees_its_region_only(api):
    ticket = create(api)
    assert api.get(f"/api/tickets/{ticket['id']}", "bo_cz").status_code == 200
    assert_problem(api.get(f"/api/tickets/{ticket['id']}", "bo_sh"), 404, "not-found")
    assert api.get(f"/api/tickets/{ticket['id']}", "root").status_code == 200


def test_backoffice_creates_for_a_team_of_its_region_only(api):
    assert create(api, "bo_cz", team="B", manager="cm_b")["manager"] == "cm_b"
    body = assert_problem(api.post("/api/tickets", "bo_sh", json=make_ticket(team="B")), 422, "validation-error")
    assert "region" in body["errors"]


def test_list_filters_and_pages(api):
    ids = [create(api)["id"] for _ in range(5)]
    hv = create(api, business_type="hv_new", capacity_kw=None, capacity_kva=1000)
    first = api.get("/api/tickets?limit=2", "cm_a").json
    assert [t["id"] for t in first["items"]] == ids[:2] and first["next_cursor"]
    second = api.get(f"/api/tickets?limit=2&cursor={first['next_cursor']}", "cm_a").json
    assert [t["id"] for t in second["items"]] == ids[2:4]
    only_hv = api.get("/api/tickets?business_type=hv_new", "cm_a").json["items"]
    assert [t["id"] for t in only_hv] == [hv["id"]]
    assert api.get("/api/tickets?stage=connect", "cm_a").json["items"] == []
    assert len(api.get("/api/tickets?manager=cm_a&limit=100", "cm_a").json["items"]) == 6
    assert api.get("/api/tickets?updated_since=2100-01-01T00:00:00%2B08:00", "cm_a").json["items"] == []


def test_overdue_filter_uses_the_stage_deadline(api, app):
    ticket = create(api)
    from server.db import get_db
    with app.app_context():      # the stage started long ago: age the stored due time
        get_db().execute("UPDATE tickets SET stage_due_at = '2020-01-01T00:00:00+00:00' WHERE id = ?", [ticket["id"]])
    assert [t["id"] for t in api.get("/api/tickets?overdue=true", "cm_a").json["items"]] == [ticket["id"]]
    assert api.get("/api/tickets?overdue=false", "cm_a").json["items"] == []


def test_patch_changes_fields_not_stage(api):
    ticket = create(api)
    changed = api.patch(f"/api/tickets/{ticket['id']}", "pm_a",
                        json={"documents": RECEIVED, "customer": {**ticket["customer"], "phone": "13700000000"}}).json
    assert changed["customer"]["phone"] == "13700000000" and changed["version"] > ticket["version"]
    assert {d["status"] for d in changed["documents"]} == {"received"}
    assert_problem(api.patch(f"/api/tickets/{ticket['id']}", "cm_a", json={"stage": "connect"}), 422, "validation-error")
    assert_problem(api.patch(f"/api/tickets/{ticket['id']}", "cm_a", json={}), 422, "validation-error")


def test_deadline_crossing_an_uncovered_year_is_provisional(api, app, monkeypatch):
    from datetime import datetime, timezone
    import server.tickets
    monkeypatch.setattr(server.tickets, "utcnow", lambda: datetime(2026, 12, 31, 2, tzinfo=timezone.utc))
    ticket = create(api, business_type="hv_new", capacity_kw=None, capacity_kva=2000)
    assert ticket["deadlines"]["process"]["provisional"] is True
    year = api.call("PUT", "/api/calendar/2027", "root", json={"complete": True, "reason": "国办发明电〔2026〕7号", "days": [
        {"date": "2027-01-01", "workday": False, "note": "元旦"}]}).json
    assert year["reopened_deadlines"] >= 1
    after = api.get(f"/api/tickets/{ticket['id']}", "cm_a").json
    assert after["deadlines"]["process"]["provisional"] is False
    assert after["deadlines"]["process"]["due_at"] > ticket["deadlines"]["process"]["due_at"]


def test_calendar_is_changed_by_an_admin_only_with_a_reason(api):
    notice = {"complete": False, "reason": "国务院办公厅通知", "days": []}
    for user in ("cm_a", "bo_cz"):
        assert_problem(api.call("PUT", "/api/calendar/2027", user, json=notice), 403, "forbidden")
        assert_problem(api.post("/api/calendar/overrides", user, json={
            "date": "2026-12-01", "workday": False, "reason": "地方假日"}), 403, "forbidden")
    body = assert_problem(api.call("PUT", "/api/calendar/2027", "root", json={
        **notice, "days": [{"date": "2028-01-01", "workday": False}]}), 422, "validation-error")
    assert "days" in body["errors"]
    body = assert_problem(api.call("PUT", "/api/calendar/2027", "root", json={"complete": False, "days": []}),
                          422, "validation-error")
    assert "reason" in body["errors"]
    assert api.get("/api/calendar/2027", "cm_a").json["changes"] == []


def test_a_year_the_national_calendar_covers_is_never_replaced(api):
    """2026 is in chinesecalendar: wiping its holidays would move every deadline; single days only."""
    assert_problem(api.call("PUT", "/api/calendar/2026", "root", json={
        "complete": True, "reason": "试图覆盖", "days": []}), 409, "national-calendar")
    year = api.post("/api/calendar/overrides", "root", json={
        "date": "2026-12-03", "workday": False, "note": "地方假日", "reason": "市政府决定（测试）"})
    assert year.status_code == 200, year.json
    assert year.json["national"] is True
    assert {"date": "2026-12-03", "workday": False, "note": "地方假日"} in year.json["days"]
    [change] = api.get("/api/calendar/2026", "bo_cz").json["changes"]
    assert change["username"] == "root" and change["day"] == "2026-12-03" and change["reason"] == "市政府决定（测试）"
