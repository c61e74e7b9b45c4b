"""The op log (the audit log too) and each device's cursor, in the server's SQLite store."""
import json

OP_COLUMNS = ("op_id", "device_id", "username", "seq", "type", "entity_id", "body", "client_time", "received_at",
              "applied_at", "status", "result")


def get_op(db, op_id):
    row = db.execute(f"SELECT {', '.join(OP_COLUMNS)} FROM ops WHERE op_id = ?", [op_id]).fetchone()
    return decode(row) if row else None


def decode(row) -> dict:
    op = dict(zip(OP_COLUMNS, row))
    op["body"] = json.loads(op["body"])
    op["result"] = json.loads(op["result"]) if op["result"] else None
    return op


def acked_seq(db, device_id, username) -> int:
    row = db.execute("SELECT acked_seq FROM device_cursors WHERE device_id = ? AND username = ?",
                     [device_id, username]).fetchone()
    return row[0] if row else 0


def set_acked(db, device_id, username, seq):
    db.execute("INSERT INTO device_cursors (device_id, username, acked_seq) VALUES (?, ?, ?) "
               "ON CONFLICT (device_id, username) DO UPDATE SET acked_seq = excluded.acked_seq",
               [device_id, username, seq])


def record(db, op: dict, device_id, username, status, result, now, applied=True):
    """Insert or finish the log row of ``op`` (a held op is recorded first, finished later)."""
    db.execute(
        "INSERT INTO ops (op_id, device_id, username, seq, type, entity_id, body, client_time, received_at, "
        "applied_at, status, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (op_id) DO UPDATE SET "
        "applied_at = excluded.applied_at, status = excluded.status, result = excluded.result",
        [op["op_id"], device_id, username, op["seq"], op.get("type", ""), op.get("entity_id"),
         json.dumps(op, ensure_ascii=False), op.get("client_time"), now, now if applied else None, status,
         json.dumps(result, ensure_ascii=False)])


def held_ops(db, device_id, username) -> list:
    rows = db.execute(f"SELECT {', '.join(OP_COLUMNS)} FROM ops WHERE device_id = ? AND username = ? "
                      "AND status = 'held' ORDER BY seq", [device_id, username])
    return [decode(row) for row in rows]


def held_seqs(db, device_id, username) -> list:
    return [op["seq"] for op in held_ops(db, device_id, username)]


def seq_taken(db, device_id, username, seq) -> bool:
    return db.execute("SELECT 1 FROM ops WHERE device_id = ? AND username = ? AND seq = ? LIMIT 1",
                      [device_id, username, seq]).fetchone() is not None


def entity_ops(db, entity_id) -> list:
    rows = db.execute(f"SELECT {', '.join(OP_COLUMNS)} FROM ops WHERE entity_id = ? ORDER BY received_at, seq",
                      [entity_id])
    return [decode(row) for row in rows]
