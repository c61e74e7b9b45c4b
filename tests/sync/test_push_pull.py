"""Push and pull through the Flask test client: idempotency, gaps, merge, conflicts, scope, blobs."""
import gzip
import hashlib
import json
import uuid

import pytest

from server.db import get_db, transaction
from server.storage import tickets as store
from tests.conftest import assert_problem
from tests.factories import RECEIVED, make_ticket


class Device:
    """A handheld as the tests drive it: numbered ops, push, pull."""

    def __init__(self, api, username, device_id=None):
        self.api, self.username = api, username
        self.device_id = device_id or f"sync-{username}"
        self.seq = 0

    def op(self, type_, entity_id, **fields):
        self.seq += 1
        return {"op_id": str(uuid.uuid4()), "seq": self.seq, "type": type_, "entity_id": entity_id,
                "client_time": "2026-11-24T09:00:00+08:00", **fields}

    def push(self, *ops, **body):
        self.api.token(self.username, self.device_id)
        response = self.api.client.post("/sync/push", json={"protocol": 1, "device_id": self.device_id,
                                                             "ops": list(ops), **body},
                                        headers=self.headers())
        return response

    def headers(self):
        return {"Authorization": f"Bearer {self.api.token(self.username, self.device_id)}"}

    def pull(self, since=0, limit=500):
        return self.api.client.get(f"/sync/pull?since={since}&limit={limit}", headers=self.headers())

    def pull_all(self, since=0, limit=500) -> dict:
        latest = {}
        while True:
            page = self.pull(since, limit).json
            for change in page["changes"]:
                latest[(change["entity"], change["entity_id"])] = change
            since = page["next"]
            if not page["more"]:
                return latest


def create_op(device, **overrides):
    ticket = make_ticket(documents=RECEIVED, **overrides)
    ticket_id = ticket.pop("id")
    return device.op("ticket.create", ticket_id, data=ticket), ticket_id


@pytest.fixture
def pda(api):
    return Device(api, "cm_a")


def statuses(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [r["status"] for r in response.json["results"]]


def test_create_then_resend_is_a_duplicate_with_the_first_result(pda, api):
    op, ticket_id = create_op(pda)
    first = pda.push(op)
    assert statuses(first) == ["applied"] and first.json["acked_seq"] == 1, first.json
    again = pda.push(op)
    assert statuses(again) == ["duplicate"] and again.json["results"][0]["first"] == first.json["results"][0]
    assert api.get(f"/api/tickets/{ticket_id}", "cm_a").status_code == 200
    assert len([t for t in api.get("/api/tickets", "cm_a").json["items"] if t["id"] == ticket_id]) == 1


def test_a_gap_holds_later_ops_until_it_is_filled(pda, api):
    op1, ticket_id = create_op(pda)
    op2 = pda.op("note.add", ticket_id, data={"text": "客户在厂区东门"})
    op3 = pda.op("ticket.update", ticket_id, changes={"address": {"base": "常州市新北区", "value": "东门"}})
    held = pda.push(op3, op2)
    assert statuses(held) == ["held", "held"] and held.json["held"] == [2, 3] and held.json["acked_seq"] == 0
    info = api.client.get("/sync/info", headers=pda.headers()).json
    assert info["device"] == {"acked_seq": 0, "held": [2, 3]} and info["protocols"] == [1]
    filled = pda.push(op1)
    assert statuses(filled) == ["applied", "applied", "applied"] and filled.json["held"] == []
    assert pda.push(op3).json["results"][0]["first"]["status"] == "applied"
    assert api.get(f"/api/tickets/{ticket_id}", "cm_a").json["address"] == "东门"


def test_one_bad_op_never_blocks_the_rest(pda, api):
    op1, ticket_id = create_op(pda)
    bad = pda.op("ticket.create", "T-bad", data={"business_type": "lv_nonresident_new", "surprise": 1})
    illegal = pda.op("ticket.command", ticket_id, command="connect")
    unknown = pda.op("ticket.teleport", ticket_id)
    note = pda.op("note.add", ticket_id, data={"text": "ok"})
    response = pda.push(op1, bad, illegal, unknown, note)
    assert statuses(response) == ["applied", "rejected", "rejected", "rejected", "applied"]
    errors = [r.get("error", {}).get("type", "").rsplit("/", 1)[-1] for r in response.json["results"]]
    assert errors == ["", "validation-error", "illegal-command", "validation-error", ""]
    assert "data.surprise" in response.json["results"][1]["error"]["errors"]
    assert response.json["acked_seq"] == 5
    assert api.get("/api/tickets/T-bad", "cm_a").status_code == 404


def test_fields_merge_and_collisions_become_conflicts(pda, api):
    op, ticket_id = create_op(pda)
    pda.push(op)
    version = api.get(f"/api/tickets/{ticket_id}", "cm_a").json["version"]
    assert api.patch(f"/api/tickets/{ticket_id}", "bo_cz", json={"address": "后台改的地址"}).status_code == 200
    merged = pda.push(pda.op("ticket.update", ticket_id, base_version=version,
                             changes={"customer.phone": {"base": "13912345678", "value": "13900000001"}}))
    assert statuses(merged) == ["merged"]
    collided = pda.push(pda.op("ticket.update", ticket_id, base_version=version, changes={
        "address": {"base": "常州市新北区", "value": "设备改的地址"},
        "capacity_kw": {"base": 120, "value": 100}}))
    assert statuses(collided) == ["conflict"]
    record = api.get(f"/api/tickets/{ticket_id}", "cm_a").json
    assert record["address"] == "后台改的地址" and record["capacity_kw"] == 100 and record["has_conflict"]
    assert record["customer"]["phone"] == "13900000001"
    (conflict,) = api.get("/api/conflicts", "bo_cz").json
    assert (conflict["server_value"], conflict["device_value"]) == ("后台改的地址", "设备改的地址")
    assert [c["id"] for c in api.get("/api/conflicts", "cm_a").json] == [conflict["id"]]     # the ticket's team
    assert api.get("/api/conflicts", "cm_b").json == [] and api.get("/api/conflicts", "bo_sh").json == []
    assert_problem(api.post(f"/api/conflicts/{conflict['id']}/resolve", "cm_b", json={"value": "x"}), 404, "not-found")
    resolved = api.post(f"/api/conflicts/{conflict['id']}/resolve", "cm_a", json={"value": "设备改的地址"})
    assert resolved.status_code == 200 and resolved.json["resolved_by"] == "cm_a"
    record = api.get(f"/api/tickets/{ticket_id}", "cm_a").json
    assert record["address"] == "设备改的地址" and record["has_conflict"] is False
    assert api.get("/api/conflicts", "bo_cz").json == []
    pulled = pda.pull_all()[("ticket", ticket_id)]
    assert pulled["data"]["address"] == "设备改的地址"


def test_commands_through_push_use_the_same_rules(pda, api):
    op, ticket_id = create_op(pda, business_type="hv_new", capacity_kw=None, capacity_kva=630)
    response = pda.push(op, pda.op("ticket.command", ticket_id, command="complete_acceptance"),
                        pda.op("ticket.command", ticket_id, command="cancel", args={}))
    assert statuses(response) == ["applied", "applied", "rejected"]
    assert "args.reason" in response.json["results"][2]["error"]["errors"]
    assert api.get(f"/api/tickets/{ticket_id}", "cm_a").json["stage"] == "scheme_reply"


def move_to_team(api, ticket_id, team):
    """The back office reassigns a ticket (through storage: REST does not change a ticket's team)."""
    with api.client.application.app_context():
        db = get_db()
        with transaction(db):
            record = store.get_ticket(db, ticket_id)
            record["team"] = team
            store.save_ticket(db, record)


def test_pull_is_scoped_and_sends_remove_when_a_ticket_leaves(pda, api):
    op, ticket_id = create_op(pda)
    pda.push(op)
    other = Device(api, "cm_b")
    assert ("ticket", ticket_id) not in other.pull_all()
    seen = pda.pull_all()
    assert seen[("ticket", ticket_id)]["op"] == "upsert"
    assert ("reference", "policy:changzhou-2020") in seen and ("reference", "policy:shanghai-2020") not in seen
    cursor = max(c["change_seq"] for c in seen.values())
    move_to_team(api, ticket_id, "B")
    change = pda.pull_all(since=cursor)[("ticket", ticket_id)]
    assert change["op"] == "remove" and "data" not in change
    assert other.pull_all()[("ticket", ticket_id)]["op"] == "upsert"


def test_every_page_carries_each_tickets_current_record_or_its_removal(pda, api):
    """Pages of 3 over tickets created, some edited since (a later version) and one moved to another
    team: each change holds exactly the record the REST API returns now, the moved one a ``remove``."""
    created = [create_op(pda) for _ in range(8)]
    pda.push(*[op for op, _ in created])
    ids = [ticket_id for _, ticket_id in created]
    for ticket_id in ids[1:6:2]:
        version = api.get(f"/api/tickets/{ticket_id}", "cm_a").json["version"]
        assert statuses(pda.push(pda.op("ticket.update", ticket_id, base_version=version, changes={
            "address": {"base": "常州市新北区", "value": f"改 {ticket_id[-4:]}"}}))) == ["applied"]
    move_to_team(api, ids[4], "B")
    changes, since = [], 0
    while True:
        page = pda.pull(since, limit=3).json
        changes += [c for c in page["changes"] if c["entity"] == "ticket"]
        since = page["next"]
        if not page["more"]:
            break
    sent = {c["entity_id"]: c for c in changes}
    assert sorted(sent) == sorted(ids) and len(changes) == len(ids)
    assert sent[ids[4]]["op"] == "remove"
    for ticket_id in ids[:4] + ids[5:]:
        now = api.get(f"/api/tickets/{ticket_id}", "cm_a").json
        assert sent[ticket_id]["data"]["version"] == now["version"] == sent[ticket_id]["change_seq"]
        assert sent[ticket_id]["data"]["address"] == now["address"]


def test_pull_pages_latest_state_and_digest_matches(pda, api):
    ops = [create_op(pda)[0] for _ in range(7)]
    pda.push(*ops)
    for op in ops[:3]:
        pda.push(pda.op("note.add", op["entity_id"], data={"text": "again"}))
    pages, since = [], 0
    while True:
        page = pda.pull(since, limit=4).json
        pages.append(page)
        assert page["next"] >= since
        since = page["next"]
        if not page["more"]:
            break
    assert len(pages) > 2
    tickets = {c["entity_id"]: c["data"]["version"] for p in pages for c in p["changes"] if c["entity"] == "ticket"}
    digest = api.client.get("/sync/digest", headers=pda.headers()).json
    expected = "".join(f"{i}\t{v}\n" for i, v in sorted(tickets.items()))
    assert digest == {"count": 7, "hash": "sha256:" + hashlib.sha256(expected.encode()).hexdigest()}


def test_gzip_both_ways(pda, api):
    op, ticket_id = create_op(pda)
    body = gzip.compress(json.dumps({"protocol": 1, "device_id": pda.device_id, "ops": [op]}).encode())
    response = api.client.post("/sync/push", data=body, headers={**pda.headers(), "Content-Encoding": "gzip",
                                                                  "Content-Type": "application/json"})
    assert statuses(response) == ["applied"]
    pulled = api.client.get("/sync/pull", headers={**pda.headers(), "Accept-Encoding": "gzip"})
    assert pulled.headers["Content-Encoding"] == "gzip"
    assert any(c["entity_id"] == ticket_id for c in json.loads(gzip.decompress(pulled.data))["changes"])


@pytest.mark.parametrize("body, status, slug", [
    (b"{not json", 400, "malformed-json"),
    (json.dumps({"protocol": 1, "device_id": "sync-cm_a"}).encode(), 422, "validation-error"),
    (json.dumps({"protocol": "1", "device_id": "sync-cm_a", "ops": []}).encode(), 422, "validation-error"),
    (json.dumps({"protocol": 2, "device_id": "sync-cm_a", "ops": []}).encode(), 400, "unsupported-protocol"),
    (json.dumps({"protocol": 1, "device_id": "pda-other", "ops": []}).encode(), 403, "forbidden"),
])
def test_malformed_bodies_are_problems_and_store_nothing(pda, api, body, status, slug):
    response = api.client.post("/sync/push", data=body, headers={**pda.headers(), "Content-Type": "application/json"})
    assert_problem(response, status, slug)
    assert api.client.get("/sync/info", headers=pda.headers()).json["device"]["acked_seq"] == 0


def test_batch_limits_are_413(app, pda):
    app.config.update(SYNC_MAX_OPS=2)
    ops = [create_op(pda)[0] for _ in range(3)]
    assert_problem(pda.push(*ops), 413, "payload-too-large")
    app.config.update(SYNC_MAX_OPS=1000, SYNC_MAX_BYTES=200)
    assert_problem(pda.push(*ops), 413, "payload-too-large")


def test_unknown_top_level_fields_are_ignored_but_not_inside_an_op(pda):
    op, _ = create_op(pda)
    response = pda.push({**op, "colour": "red"}, future_field=True)
    assert statuses(response) == ["rejected"]
    assert "colour" in response.json["results"][0]["error"]["errors"]


def test_blob_upload_resumes_and_checks_the_hash(pda, api):
    content = ("签名" * 5000).encode()
    hex_ = hashlib.sha256(content).hexdigest()
    url, headers = f"/sync/blobs/{hex_}", {**pda.headers(), "Content-Type": "application/offset+octet-stream"}
    assert api.client.head(url, headers=pda.headers()).status_code == 404
    first = api.client.patch(url, data=content[:10000], headers={**headers, "Upload-Offset": "0",
                                                                  "Upload-Length": str(len(content))})
    assert first.status_code == 204 and first.headers["Upload-Offset"] == "10000"
    head = api.client.head(url, headers=pda.headers())
    assert (head.headers["Upload-Offset"], head.headers["Upload-Length"]) == ("10000", str(len(content)))
    assert_problem(api.client.patch(url, data=content[5000:], headers={**headers, "Upload-Offset": "5000"}),
                   409, "offset-mismatch")
    last = api.client.patch(url, data=content[10000:], headers={**headers, "Upload-Offset": "10000"})
    assert last.status_code == 204 and last.headers["Upload-Offset"] == str(len(content))
    assert api.client.get(url, headers=pda.headers()).data == content
    wrong = hashlib.sha256(b"other").hexdigest()
    assert_problem(api.client.patch(f"/sync/blobs/{wrong}", data=b"not other",
                                    headers={**headers, "Upload-Offset": "0", "Upload-Length": "9"}),
                   422, "hash-mismatch")
    assert api.client.head(f"/sync/blobs/{wrong}", headers=pda.headers()).status_code == 404


def test_an_op_naming_a_missing_blob_is_rejected(pda):
    op, ticket_id = create_op(pda)
    photo = pda.op("photo.add", ticket_id, data={"blob": "sha256:" + "a" * 64, "media_type": "image/jpeg"})
    response = pda.push(op, photo)
    assert statuses(response) == ["applied", "rejected"]
    assert response.json["results"][1]["error"]["type"].endswith("/missing-blob")


def test_purge_past_the_horizon_makes_older_cursors_re_seed(app, pda, api):
    op, ticket_id = create_op(pda)
    pda.push(op, pda.op("note.add", ticket_id, data={"text": "1"}))
    old_cursor = pda.pull().json["next"]
    for text in ("2", "3"):
        api.patch(f"/api/tickets/{ticket_id}", "cm_a", json={"address": text})
    before = pda.pull_all()
    with app.app_context():
        from server.db import get_db
        get_db().execute("UPDATE changes SET at = '2020-01-01T00:00:00+00:00'")
    result = app.test_cli_runner().invoke(args=["sync", "purge", "--days", "30"])
    assert result.exit_code == 0 and "deleted 2 superseded" in result.output, result.output
    assert_problem(pda.pull(since=old_cursor - 1), 410, "cursor-expired")
    assert pda.pull_all() == before                                  # re-seeding gives the same state
    latest = max(c["change_seq"] for c in before.values())
    assert pda.pull(since=latest).json["changes"] == []


def test_an_overloaded_server_answers_503_with_retry_after(make_app):
    from tests.conftest import Api
    busy = make_app(SYNC_CONCURRENT_PUSHES=0, SYNC_PUSH_WAIT_SECONDS=0)
    device = Device(Api(busy.test_client()), "cm_a")
    response = device.push(create_op(device)[0])
    assert_problem(response, 503, "overloaded")
    assert response.headers["Retry-After"] == "2"


def test_blobs_above_the_limit_are_413(app, pda, api):
    app.extensions["yekuo.services"].blobs.max_bytes = 10
    content = b"x" * 11
    response = api.client.patch(f"/sync/blobs/{hashlib.sha256(content).hexdigest()}", data=content, headers={
        **pda.headers(), "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0",
        "Upload-Length": "11"})
    assert_problem(response, 413, "payload-too-large")
