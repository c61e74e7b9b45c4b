"""Push guarantees of the batched engine: op ids per device, reused ids, unstorable ops, statements per op."""
import hashlib
import json
import uuid

import pytest

import server.db
from sync.storage import PREFETCH_OPS, apply_in_savepoint, transaction
from tests.conftest import ENGINE, assert_problem, sqlite_only
from tests.sync.test_push_pull import Device, create_op, statuses


@pytest.fixture
def pda(api):
    return Device(api, "cm_a")


def push_ascii(device, *ops):
    """A push sent as ASCII JSON, as a device would send text it cannot encode (escaped surrogates, NaN)."""
    body = json.dumps({"protocol": 1, "device_id": device.device_id, "ops": list(ops)}, allow_nan=True)
    return device.api.client.post("/sync/push", data=body, content_type="application/json", headers=device.headers())


def test_the_same_op_id_from_another_device_is_another_op(api, pda):
    other = Device(api, "cm_a2", "pda-other")
    op, _ticket_id = create_op(pda)
    mine = pda.push(op)
    theirs_op, theirs_id = create_op(other)
    theirs_op["op_id"] = op["op_id"]
    theirs = other.push(theirs_op)
    assert statuses(mine) == statuses(theirs) == ["applied"]
    assert theirs.json["results"][0]["change_seq"] != mine.json["results"][0]["change_seq"]
    assert api.get(f"/api/tickets/{theirs_id}", "cm_a2").status_code == 200


def test_a_resent_op_id_with_another_body_is_rejected_not_a_duplicate(pda, api):
    op, ticket_id = create_op(pda)
    assert statuses(pda.push(op)) == ["applied"]
    changed = {**op, "data": {**op["data"], "address": "另一个地址"}}
    response = pda.push(changed)
    assert statuses(response) == ["rejected"]
    assert response.json["results"][0]["error"]["type"].endswith("/op-id-reused")
    assert response.json["results"][0]["error"]["status"] == 409
    assert api.get(f"/api/tickets/{ticket_id}", "cm_a").json["address"] == op["data"]["address"]
    assert statuses(pda.push(op)) == ["duplicate"]            # the true resend still answers with its result


@pytest.mark.parametrize("resent", [120.0, True], ids=["1.0 for 1", "true for 1"])
def test_a_resend_equal_only_to_python_is_another_body(pda, resent):
    """120, 120.0 and true are equal in Python, not in JSON: the resend is op-id-reused."""
    op, _ticket_id = create_op(pda)
    op["data"]["capacity_kw"] = 1 if resent is True else 120
    pda.push(op)
    response = pda.push({**op, "data": {**op["data"], "capacity_kw": resent}})
    assert response.json["results"][0]["error"]["type"].endswith("/op-id-reused"), response.json

def test_a_resend_of_an_op_logged_with_another_spelling_of_a_float_is_a_duplicate(app, pda):
    """An op logged by a version that hashed the json module's text (``1e-05``; now ``0.00001``)."""
    op, _ticket_id = create_op(pda)
    op["data"]["capacity_kw"] = 0.00001
    first = pda.push(op)
    older = json.dumps(op, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert "1e-05" in older
    db = server.db.connect(app.config["DATABASE"])
    with transaction(db):
        db.execute("UPDATE ops SET body_hash = ? WHERE op_id = ?", [hashlib.sha256(older.encode()).hexdigest(),
                                                                  op["op_id"]])
    again = pda.push(op)
    assert statuses(again) == ["duplicate"], again.json
    assert again.json["results"][0]["first"] == first.json["results"][0]

BAD_VALUES = [
    ("address", "厂区\ud83d东门", "lone surrogate"),
    ("address", "东门\x00", "NUL"),
    ("capacity_kw", 2**70, "beyond 64 bits"),
    ("customer", {"name": "x", "phone": "1", "extra": [[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]}, "nesting"),
    ("capacity_kw", float("nan"), "not finite"),
]


@pytest.mark.parametrize("field, value, why", BAD_VALUES, ids=[b[2] for b in BAD_VALUES])
def test_an_unstorable_op_is_rejected_and_the_ops_around_it_apply(app, pda, api, field, value, why):
    before, before_id = create_op(pda)
    bad, bad_id = create_op(pda)
    bad["data"][field] = value
    after, after_id = create_op(pda)
    response = push_ascii(pda, before, bad, after)
    assert statuses(response) == ["applied", "rejected", "applied"], response.json
    error = response.json["results"][1]["error"]
    assert error["status"] == 422 and error["errors"], error
    assert response.json["acked_seq"] == 3
    assert api.get(f"/api/tickets/{bad_id}", "cm_a").status_code == 404
    assert api.get(f"/api/tickets/{after_id}", "cm_a").status_code == 200
    db = server.db.connect(app.config["DATABASE"])        # it stays in the log, under its seq
    logged = tuple(db.execute("SELECT seq, status, body FROM ops WHERE device_id = ? AND op_id = ?",
                              [pda.device_id, bad["op_id"]]).fetchone())
    db.conn.close()
    assert logged[:2] == (2, "rejected") and json.loads(logged[2])["entity_id"] == bad_id


def test_an_unstorable_op_after_a_gap_is_held_then_rejected_in_its_turn(pda):
    first, _ = create_op(pda)
    bad, _ = create_op(pda)
    bad["data"]["address"] = "\ud800"
    held = push_ascii(pda, bad)
    assert statuses(held) == ["held"]
    filled = push_ascii(pda, first)
    assert statuses(filled) == ["applied", "rejected"] and filled.json["acked_seq"] == 2 and filled.json["held"] == []


def test_a_pull_cursor_beyond_the_newest_change_is_422(pda):
    newest = pda.pull_all()
    assert newest is not None
    response = pda.pull(since=10**9)
    body = assert_problem(response, 422, "validation-error")
    assert "since" in body["errors"]


@sqlite_only("the statements are counted with sqlite3's trace callback")
def test_a_push_of_100_creates_costs_a_few_statements_per_op(app, pda):
    """Counted with sqlite3's trace callback over the whole request: no introspection, no per-op commits."""
    statements = []
    with app.app_context():                       # the thread's connection, which the requests use
        server.db.get_db().conn.set_trace_callback(statements.append)
    assert statuses(pda.push(create_op(pda)[0])) == ["applied"]       # token and first-use reads
    statements.clear()
    ops = [create_op(pda)[0] for _ in range(100)]
    assert set(statuses(pda.push(*ops))) == {"applied"}
    per_op = len(statements) / 100
    commits = sum(s.strip().upper() in ("COMMIT", "BEGIN IMMEDIATE") for s in statements)
    introspection = [s for s in statements if "sqlite_master" in s or s.upper().startswith("PRAGMA TABLE_INFO")]
    assert per_op <= 16, f"{per_op:.1f} statements per op"
    assert commits == 2, "one transaction for the whole push"
    assert introspection == []


def test_a_push_reads_its_ops_log_rows_by_their_whole_key_however_long_the_history(app, pda):
    """The log rows of a push's op_ids are looked up one by one, never found by filtering the device's
    history: on a young PostgreSQL table (no statistics yet) that filter cost a scan per push, 76 ms at
    10,000 ops of one device. Checked on the plan each engine makes after 300 ops of one device."""
    ops = [create_op(pda)[0] for _ in range(300)]
    assert set(statuses(pda.push(*ops))) == {"applied"}
    wanted = json.dumps([op["op_id"] for op in ops[:100]])
    conn = server.db.connect(app.config["DATABASE"])
    try:
        if ENGINE == "postgres":
            plan = "\n".join(row[0] for row in conn.execute("EXPLAIN ANALYZE " + PREFETCH_OPS["postgres"],
                                                            [wanted, pda.device_id, "cm_a"]))
            assert "Rows Removed by" not in plan and "op_id = wanted.op_id" in plan, plan
            assert "rows=100 loops=1)" in plan.splitlines()[0], plan                     # every op found
        else:
            plan = [row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + PREFETCH_OPS["sqlite"],
                                                    [wanted, pda.device_id, "cm_a"])]
            assert any("op_id=?" in step for step in plan), plan
    finally:
        conn.conn.close()


@pytest.mark.skipif(ENGINE != "postgres", reason="PostgreSQL only: an op's savepoint is released with the next op's")
def test_a_push_opens_its_own_op_savepoints_whatever_ended_the_last_transaction(app, pda):
    """A transaction that ended badly (a failed COMMIT) may leave the note that an op savepoint is open;
    the next write transaction starts without one."""
    with app.app_context():
        conn = server.db.get_db().conn
        conn.op_savepoint_open = True
        with transaction(conn):
            outcome = apply_in_savepoint(conn, lambda: {"status": "applied"})
    assert outcome == {"status": "applied"}
    assert statuses(pda.push(create_op(pda)[0], create_op(pda)[0])) == ["applied", "applied"]


def test_an_acknowledged_push_is_on_disk_before_the_answer(app, pda):
    """The answer comes after the commit: another connection sees every acknowledged op."""
    ops = [create_op(pda)[0] for _ in range(250)]        # more than one chunk
    response = pda.push(*ops)
    assert response.json["acked_seq"] == 250
    other = server.db.connect(app.config["DATABASE"])
    logged = other.execute("SELECT count(*) FROM ops WHERE device_id = ? AND status = 'applied'",
                           [pda.device_id]).fetchone()[0]
    other.conn.close()
    assert logged == 250


def test_ops_of_another_device_with_equal_ids_never_stall_my_queue(api, pda):
    other = Device(api, "cm_a2", "pda-other")
    held_op, _ = create_op(other)
    other.seq = 5
    held_op["seq"] = 5
    assert statuses(other.push(held_op)) == ["held"]
    mine, _ = create_op(pda)
    mine["op_id"] = held_op["op_id"]
    assert statuses(pda.push(mine)) == ["applied"]


def test_an_op_id_that_cannot_be_stored_rejects_that_op_only(pda):
    broken, _ = create_op(pda)
    broken["op_id"] = "op-\ud800"
    fine, fine_id = create_op(pda)
    fine["seq"] = 1
    response = push_ascii(pda, broken, fine)
    assert statuses(response) == ["rejected", "applied"], response.json
    assert response.json["results"][0]["op_id"] is None
    assert "op_id" in response.json["results"][0]["error"]["errors"]


def test_unidentifiable_ops_are_rejected_without_an_id(pda):
    response = pda.push({"op_id": "x" * 65, "seq": 1}, {"op_id": str(uuid.uuid4()), "seq": True}, "not an op")
    assert statuses(response) == ["rejected"] * 3
    assert all(r["op_id"] is None for r in response.json["results"][:1])
