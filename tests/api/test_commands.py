"""Commands over REST: role × command matrix, illegal commands, history, nothing stored on failure."""
import pytest

from tests.conftest import assert_problem
from tests.factories import RECEIVED, make_ticket


def hv_ticket(api, **overrides):
    data = make_ticket(**{"business_type": "hv_new", "capacity_kw": None, "capacity_kva": 1000,
                          "documents": RECEIVED, **overrides})
    return api.post("/api/tickets", "cm_a", json=data).json


# Every role against every command that is legal in an HV ticket's first stage.
MATRIX = [
    ("complete_acceptance", {}, {"customer_manager": 200, "project_manager": 200, "backoffice": 409, "admin": 409}),
    ("cancel", {"reason": "客户撤回"}, {"customer_manager": 200, "project_manager": 409, "backoffice": 200, "admin": 200}),
]
ROLE_USER = {"customer_manager": "cm_a", "project_manager": "pm_a", "backoffice": "bo_cz", "admin": "root"}


@pytest.mark.parametrize("command, args, expected", MATRIX)
@pytest.mark.parametrize("role", sorted(ROLE_USER))
def test_role_command_matrix(api, command, args, expected, role):
    ticket = hv_ticket(api)
    response = api.command(ticket["id"], ROLE_USER[role], command, **args)
    assert response.status_code == expected[role], response.json
    if expected[role] == 409:
        body = assert_problem(response, 409, "illegal-command")
        assert body["stage"] == "accepted" and command not in body["allowed_commands"]


@pytest.mark.parametrize("role", sorted(ROLE_USER))
def test_field_commands_in_later_stages_belong_to_field_roles(api, role):
    ticket = hv_ticket(api)
    api.command(ticket["id"], "cm_a", "complete_acceptance")
    response = api.command(ticket["id"], ROLE_USER[role], "cosign", scheme_hash="sha256:" + "0" * 64)
    assert_problem(response, 409, "illegal-command")       # nobody co-signs without a chosen scheme


def test_illegal_command_is_409_with_stage_and_allowed_and_stores_nothing(api):
    ticket = hv_ticket(api)
    body = assert_problem(api.command(ticket["id"], "cm_a", "connect"), 409, "illegal-command")
    assert body["stage"] == "accepted" and "complete_acceptance" in body["allowed_commands"]
    after = api.get(f"/api/tickets/{ticket['id']}", "cm_a").json
    assert after["version"] == ticket["version"] and after["stage_history"] == []


def test_unknown_command_is_illegal(api):
    ticket = hv_ticket(api)
    assert_problem(api.command(ticket["id"], "cm_a", "teleport"), 409, "illegal-command")


def test_command_args_are_validated_after_the_stage_check(api):
    ticket = hv_ticket(api)
    body = assert_problem(api.command(ticket["id"], "cm_a", "cancel"), 422, "validation-error")
    assert "args.reason" in body["errors"]
    body = assert_problem(api.command(ticket["id"], "cm_a", "complete_acceptance", surprise=1), 422,
                          "validation-error")
    assert "args.surprise" in body["errors"]


def test_history_records_who_where_and_when(api):
    ticket = hv_ticket(api)
    response = api.post(f"/api/tickets/{ticket['id']}/commands", "cm_a", json={
        "command": "complete_acceptance", "args": {}, "client_time": "2026-11-24T09:00:00+08:00"})
    moved = response.json
    assert moved["stage"] == "scheme_reply"
    assert moved["deadlines"]["stage"]["stage"] == "scheme_reply"
    entry, = moved["stage_history"]
    assert entry["command"] == "complete_acceptance" and entry["from_stage"] == "accepted"
    assert entry["to_stage"] == "scheme_reply" and entry["username"] == "cm_a"
    assert entry["device_id"] == "pda-cm_a" and entry["client_time"] == "2026-11-24T09:00:00+08:00"
    assert entry["result"] == "applied" and entry["server_time"]


def test_waiver_only_for_documents_the_pack_marks(api):
    ticket = hv_ticket(api, documents=[{"kind": "subject_proof", "status": "received"},
                                       {"kind": "property_proof", "status": "missing", "promised_date": "2026-12-20"}])
    assert api.command(ticket["id"], "cm_a", "complete_acceptance").status_code == 200
    other = hv_ticket(api, documents=[{"kind": "subject_proof", "status": "missing", "promised_date": "2026-12-20"},
                                      {"kind": "property_proof", "status": "received"}])
    body = assert_problem(api.command(other["id"], "cm_a", "complete_acceptance"), 409, "illegal-command")
    assert "subject_proof" in body["detail"]


def test_cancelled_ticket_takes_no_more_commands_or_edits(api):
    ticket = hv_ticket(api)
    assert api.command(ticket["id"], "cm_a", "cancel", reason="客户撤回").json["stage"] == "cancelled"
    body = assert_problem(api.command(ticket["id"], "cm_a", "complete_acceptance"), 409, "illegal-command")
    assert body["allowed_commands"] == []
    assert_problem(api.patch(f"/api/tickets/{ticket['id']}", "cm_a", json={"address": "x"}), 409, "illegal-command")
