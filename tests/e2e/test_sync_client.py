"""The reference offline client against a real server: offline work, lost answers, revocation, merging."""
import json
from datetime import timedelta

import pytest
import requests

from sync.client import Client, Unauthorized
from tests.factories import PASSWORD, RECEIVED, CENTRE, make_grid, make_ticket, transformer

pytestmark = pytest.mark.e2e


def device(server, tmp_path, username, device_id, **kwargs) -> Client:
    client = Client(server.url(""), tmp_path / f"{device_id}.sqlite", device_id, base_delay=0.05, **kwargs)
    client.login(username, PASSWORD)
    return client


def new_ticket(**overrides) -> dict:
    return make_ticket(location={"lon": CENTRE[0], "lat": CENTRE[1]}, documents=RECEIVED, **overrides)


def test_offline_work_syncs_and_the_offline_scheme_has_the_servers_hash(server, tmp_path):
    grid = make_grid(transformer("TX-1", 60, 0), transformer("TX-2", -200, 90))
    assert server.session("bo_cz").post(server.url("/api/grid/imports"), data=json.dumps(grid),
                                        headers={"Content-Type": "application/geo+json"}).status_code == 201
    pda = device(server, tmp_path, "cm_a", "pda-1")
    ticket_id = pda.create_ticket(new_ticket())
    pda.add("note.add", ticket_id, text="客户要求尽快接电")
    pda.add("gps.add", ticket_id, lon=CENTRE[0], lat=CENTRE[1], accuracy_m=4.5)
    assert pda.sync()["pushed"] == 3 and pda.queue() == []
    assert pda.digest() == pda.server_digest()

    offline = pda.build_scheme(ticket_id)                    # no network needed from here
    pda.command(ticket_id, "propose_scheme", scheme_hash=offline["scheme_hash"])
    pda.command(ticket_id, "choose_option", rank=1, scheme_hash=offline["scheme_hash"])
    signature = pda.upload_blob(json.dumps({"canvas": {"width": 800, "height": 300}, "strokes": [
        [{"x": 10 + i, "y": 40, "t": i * 10, "pressure": 0.5} for i in range(12)]]}).encode())
    pda.add("signature.add", ticket_id, blob=signature, signer_name="王五")
    pda.command(ticket_id, "sign_scheme", scheme_hash=offline["scheme_hash"], signer_name="王五",
                signature_blob=signature)
    pda.sync()
    assert all(r["status"] == "applied" for r in pda.results().values()), pda.results()
    record = pda.record("ticket", ticket_id)
    assert record["scheme"]["scheme_hash"] == offline["scheme_hash"] and record["scheme"]["signed_at"]
    audit = server.session("bo_cz").get(server.url(f"/api/tickets/{ticket_id}/audit")).json()
    assert [a["type"] for a in audit][:3] == ["ticket.create", "note.add", "gps.add"]
    assert {a["device_id"] for a in audit} == {"pda-1"}


class DropFirstAnswers(requests.Session):
    """The request reaches the server, the answer is lost on the way back (the first ``n`` times)."""

    def __init__(self, n):
        super().__init__()
        self.left = n

    def request(self, method, url, *args, **kwargs):
        response = super().request(method, url, *args, **kwargs)
        if url.endswith("/sync/push") and self.left:
            self.left -= 1
            raise requests.ConnectionError("connection reset after the server committed")
        return response


def test_a_lost_answer_is_retried_and_answered_duplicate_nothing_twice(server, tmp_path):
    pda = device(server, tmp_path, "cm_a", "pda-2", http=DropFirstAnswers(2))
    ids = [pda.create_ticket(new_ticket()) for _ in range(3)]
    pda.push()
    results = list(pda.results().values())
    assert [r["status"] for r in results] == ["applied"] * 3      # the duplicate's first result is kept
    listed = server.session("cm_a").get(server.url("/api/tickets?limit=100")).json()["items"]
    assert sorted(t["id"] for t in listed) == sorted(ids)
    info = pda.info()["device"]
    assert info == {"acked_seq": 3, "held": []}


def test_a_revoked_device_keeps_its_queue_and_resumes_after_login(server, tmp_path):
    pda = device(server, tmp_path, "cm_a", "pda-3")
    first = pda.create_ticket(new_ticket())
    pda.sync()
    assert server.session("bo_cz").delete(server.url("/api/devices/pda-3")).status_code in (200, 204)
    second = pda.create_ticket(new_ticket())
    with pytest.raises(Unauthorized):
        pda.sync()
    assert [op["entity_id"] for op in pda.queue()] == [second]
    pda.login("cm_a", PASSWORD)
    pda.sync()
    assert pda.queue() == [] and {first, second} <= set(pda.records("ticket"))


@pytest.mark.parametrize("skew", [timedelta(days=1), timedelta(days=-1)])
def test_a_skewed_device_clock_changes_no_ordering(server, tmp_path, skew):
    from datetime import datetime, timezone
    pda = device(server, tmp_path, "cm_a", "pda-skew", clock=lambda: datetime.now(timezone.utc) + skew)
    ticket_id = pda.create_ticket(new_ticket(business_type="hv_new", capacity_kw=None, capacity_kva=630))
    pda.command(ticket_id, "complete_acceptance")
    pda.update_ticket(ticket_id, {"address": "二号门"})
    pda.sync()
    record = pda.record("ticket", ticket_id)
    assert record["stage"] == "scheme_reply" and record["address"] == "二号门"
    history = server.session("cm_a").get(server.url(f"/api/tickets/{ticket_id}")).json()["stage_history"]
    assert history[0]["client_time"] and history[0]["client_time"] != history[0]["server_time"][:19]
    audit = server.session("cm_a").get(server.url(f"/api/tickets/{ticket_id}/audit")).json()
    assert [a["seq"] for a in audit] == [1, 2, 3]


def test_two_devices_and_rest_merge_conflict_and_the_resolution_reaches_both(server, tmp_path):
    one, two = device(server, tmp_path, "cm_a", "pda-a"), device(server, tmp_path, "cm_a2", "pda-b")
    ticket_id = one.create_ticket(new_ticket(manager="cm_a"))
    one.sync(), two.sync()
    rest = server.session("bo_cz")
    assert rest.patch(server.url(f"/api/tickets/{ticket_id}"), json={"zone": "default"}).ok
    one.update_ticket(ticket_id, {"customer.phone": "13700000001"})
    two.update_ticket(ticket_id, {"address": "设备二的地址"})
    one.sync(), two.sync()
    assert {r["status"] for r in one.results().values() if r.get("change_seq")} >= {"merged"}
    one.update_ticket(ticket_id, {"address": "设备一的地址"})            # base is the old address: collides
    one.sync()
    assert list(one.results().values())[-1]["status"] == "conflict"
    (conflict,) = one.conflicts()
    assert (conflict["server_value"], conflict["device_value"]) == ("设备二的地址", "设备一的地址")
    assert rest.post(server.url(f"/api/conflicts/{conflict['id']}/resolve"), json={"value": "协商后的地址"}).ok
    one.sync(), two.sync()
    for pda in (one, two):
        record = pda.record("ticket", ticket_id)
        assert record["address"] == "协商后的地址" and record["customer"]["phone"] == "13700000001"
        assert record["has_conflict"] is False and pda.digest() == pda.server_digest()


def test_a_device_offline_with_5000_ops_syncs_in_one_go(server, tmp_path):
    pda = device(server, tmp_path, "cm_a", "pda-offline")
    for _ in range(2500):
        ticket_id = pda.create_ticket(new_ticket())
        pda.add("note.add", ticket_id, text="离线记录")
    assert len(pda.queue()) == 5000
    outcome = pda.sync()
    assert outcome["pushed"] == 5000 and pda.queue() == []
    assert {r["status"] for r in pda.results().values()} == {"applied"}
    assert pda.digest() == pda.server_digest() and pda.digest()["count"] == 2500


def test_the_pda_command_line(server, tmp_path):
    import subprocess
    import sys

    def pda(*args):
        return subprocess.run([sys.executable, "-m", "sync.client", "--server", server.url(""),
                               "--db", str(tmp_path / "cli.sqlite"), "--device", "pda-cli", *args],
                              capture_output=True, text=True, timeout=60)

    assert "logged in as cm_a on pda-cli" in pda("login", "cm_a", "--password", PASSWORD).stdout
    ticket_file = tmp_path / "ticket.json"
    ticket_file.write_text(json.dumps(new_ticket()), encoding="utf-8")
    ticket_id = pda("create", str(ticket_file)).stdout.strip()
    assert ticket_id in pda("queue").stdout
    synced = pda("sync")
    assert "pushed 1 op(s)" in synced.stdout and "digest matches" in synced.stdout, synced.stdout + synced.stderr
    assert f"{ticket_id} accepted" in pda("tickets").stdout
    bad = pda("login", "cm_a", "--password", "wrong")
    assert bad.returncode == 1 and "unauthorized" in bad.stderr
