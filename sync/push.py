"""Push (SYNC_PROTOCOL.md "Push"): apply each op once, in per-device ``seq`` order.

Every op runs in its own write transaction that holds the op's effect, its log row and the device
cursor together: a crash leaves all three or none. A resent ``op_id`` gets its first result back
(``duplicate``). An op whose ``seq`` is past a gap is stored as ``held`` and applied when the gap
fills, in the push that fills it.

``apply_op(op)`` is the server's: it returns ``{"status": applied|merged|conflict|rejected, …}`` and
raises only for failures that must not consume the op (a locked database: the client retries).
A rejected op's partial effect is rolled back to a savepoint; its log row stays.
"""
from typing import Callable

from sync import oplog


class Device:
    """Who is pushing: the token's user and device."""

    def __init__(self, device_id: str, username: str):
        self.device_id, self.username = device_id, username


def push(db, device: Device, ops: list, apply_op: Callable, transaction, now: Callable) -> dict:
    results = []
    for op in sorted(ops, key=lambda o: o["seq"]):
        results.append(push_one(db, device, op, apply_op, transaction, now))
        if results[-1]["status"] not in ("held", "duplicate"):
            results += drain_held(db, device, apply_op, transaction, now)
    return {"acked_seq": oplog.acked_seq(db, device.device_id, device.username),
            "held": oplog.held_seqs(db, device.device_id, device.username), "results": results}


def push_one(db, device: Device, op, apply_op, transaction, now) -> dict:
    with transaction(db):
        first = oplog.get_op(db, op["op_id"])
        if first is not None and first["status"] != "held":
            return {"op_id": op["op_id"], "seq": op["seq"], "status": "duplicate", "first": first["result"]}
        acked = oplog.acked_seq(db, device.device_id, device.username)
        if first is None and (op["seq"] <= acked or oplog.seq_taken(db, device.device_id, device.username, op["seq"])):
            return {"op_id": op["op_id"], "seq": op["seq"], "status": "rejected", "error": {
                "type": "/problems/validation-error", "title": "The request is not valid", "status": 422,
                "detail": f"seq {op['seq']} was already used by another op of this device",
                "errors": {"seq": [f"must be unique; the device is at {acked}"]}}}
        if op["seq"] > acked + 1:
            if first is None:
                oplog.record(db, op, device.device_id, device.username, "held", {"status": "held"}, now(), False)
            return {"op_id": op["op_id"], "seq": op["seq"], "status": "held"}
        return apply_logged(db, device, op, apply_op, now)


def drain_held(db, device: Device, apply_op, transaction, now) -> list:
    """Apply held ops whose turn has come, each in its own transaction."""
    applied = []
    while True:
        with transaction(db):
            acked = oplog.acked_seq(db, device.device_id, device.username)
            waiting = [op for op in oplog.held_ops(db, device.device_id, device.username) if op["seq"] == acked + 1]
            if not waiting:
                return applied
            applied.append(apply_logged(db, device, waiting[0]["body"], apply_op, now))


def apply_logged(db, device: Device, op, apply_op, now) -> dict:
    """Inside the caller's transaction: the effect (to a savepoint), the log row, the cursor."""
    db.execute("SAVEPOINT op_effect")
    try:
        outcome = apply_op(op)
    except BaseException:
        db.execute("ROLLBACK TO op_effect")
        db.execute("RELEASE op_effect")
        raise
    if outcome["status"] == "rejected":
        db.execute("ROLLBACK TO op_effect")
    db.execute("RELEASE op_effect")
    result = {"op_id": op["op_id"], "seq": op["seq"], **outcome}
    oplog.record(db, op, device.device_id, device.username, outcome["status"], result, now())
    oplog.set_acked(db, device.device_id, device.username, op["seq"])
    return result
