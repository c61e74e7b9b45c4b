"""Over HTTP against a real gunicorn process: an LV application from acceptance to connection."""
import json

import pytest

from tests.e2e.conftest import command, upload
from tests.factories import CENTRE, make_grid, make_ticket, strokes, transformer

pytestmark = pytest.mark.e2e
ADVANCE = {"accepted": "complete_acceptance", "grid_works": "complete_works", "connect": "connect"}


def test_lv_ticket_walks_from_acceptance_to_connection(server):
    backoffice, manager = server.session("bo_cz"), server.session("cm_a", "pda-7")
    grid = make_grid(transformer("TX-1", 60, 0), transformer("TX-2", -250, 100))
    imported = backoffice.post(server.url("/api/grid/imports"), data=json.dumps(grid),
                               headers={"Content-Type": "application/geo+json"})
    assert imported.status_code == 201, imported.text

    ticket = make_ticket(capacity_kw=60, location={"lon": CENTRE[0], "lat": CENTRE[1]}, documents=[
        {"kind": "subject_proof", "status": "received"},
        {"kind": "property_proof", "status": "missing", "promised_date": "2026-12-20"}])
    created = manager.post(server.url("/api/tickets"), json=ticket)
    assert created.status_code == 201, created.text
    assert created.json()["deadlines"]["process"]["due_at"]

    scheme = command(manager, server, ticket["id"], "propose_scheme").json()["scheme"]
    assert scheme["decision"] == "auto" and scheme["options"][0]["connection"]["asset_id"] == "TX-1"
    signature = upload(manager, server, strokes())
    for name, args in (("choose_option", {"rank": 1}),
                       ("sign_scheme", {"signer_name": "赵六", "signature_blob": signature})):
        response = command(manager, server, ticket["id"], name, scheme_hash=scheme["scheme_hash"], **args)
        assert response.status_code == 200, response.text

    accepted = command(manager, server, ticket["id"], "complete_acceptance")     # 容缺: promised date given
    assert accepted.status_code == 200, accepted.text
    blocked = command(manager, server, ticket["id"], ADVANCE[accepted.json()["stage"]])
    if accepted.json()["stage"] == "connect":
        assert blocked.status_code == 409 and "property_proof" in blocked.json()["detail"]
    documents = [{"kind": "subject_proof", "status": "received"}, {"kind": "property_proof", "status": "received"}]
    assert manager.patch(server.url(f"/api/tickets/{ticket['id']}"), json={"documents": documents}).ok

    record = manager.get(server.url(f"/api/tickets/{ticket['id']}")).json()
    while record["stage"] != "completed":
        response = command(manager, server, ticket["id"], ADVANCE[record["stage"]])
        assert response.status_code == 200, response.text
        record = response.json()
    history = manager.get(server.url(f"/api/tickets/{ticket['id']}")).json()["stage_history"]
    assert history[-1]["command"] == "connect" and history[-1]["to_stage"] == "completed"
    assert {h["device_id"] for h in history} == {"pda-7"}
    assert [h["from_stage"] for h in history if h["from_stage"] != h["to_stage"]] == record["planned_stages"]


def test_a_revoked_device_is_locked_out_at_once(server):
    manager, backoffice = server.session("cm_a", "pda-lost"), server.session("bo_cz")
    assert manager.get(server.url("/api/tickets")).status_code == 200
    assert backoffice.delete(server.url("/api/devices/pda-lost")).status_code in (200, 204)
    response = manager.get(server.url("/api/tickets"))
    assert response.status_code == 401 and response.headers["Content-Type"] == "application/problem+json"
