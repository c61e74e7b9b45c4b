"""Append-only evidence of a ticket (notes, photos, document scans, signatures, GPS fixes)."""
import json

from server.storage import now_iso
from sync.engine import dialect

EVIDENCE_COLUMNS = ("id", "ticket_id", "kind", "data", "op_id", "username", "device_id", "client_time", "created_at")


def add(db, ticket_id, kind, data, op_id, username, device_id, client_time) -> int:
    return db.execute(
        "INSERT INTO evidence (ticket_id, kind, data, op_id, username, device_id, client_time, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", [ticket_id, kind, json.dumps(data, ensure_ascii=False), op_id,
                                                         username, device_id, client_time, now_iso()]).fetchone()[0]


def rows_in_scope(db, evidence_ids, scope) -> list:
    """Evidence rows among ``evidence_ids`` whose ticket is in ``scope`` (SQL over tickets)."""
    rows = db.execute(f"SELECT e.id, e.ticket_id, e.kind, e.data, e.op_id, e.username, e.device_id, e.client_time, "
                      f"e.created_at FROM evidence e JOIN tickets ON tickets.id = e.ticket_id "
                      f"WHERE {dialect(db).one_of('e.id', integers=True)} AND ({scope[0]})",
                      [json.dumps(evidence_ids), *scope[1]])
    return [{**dict(zip(EVIDENCE_COLUMNS, row)), "data": json.loads(row[3])} for row in rows]
