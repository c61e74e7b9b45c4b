"""Append-only evidence of a ticket (notes, photos, document scans, signatures, GPS fixes)."""
import json

from server.storage import iso, utcnow


def add(db, ticket_id, kind, data, op_id, username, device_id, client_time) -> int:
    return db["evidence"].insert({
        "ticket_id": ticket_id, "kind": kind, "data": json.dumps(data, ensure_ascii=False), "op_id": op_id,
        "username": username, "device_id": device_id, "client_time": client_time,
        "created_at": iso(utcnow())}).last_pk


def get(db, evidence_id):
    rows = list(db["evidence"].rows_where("id = ?", [evidence_id]))
    return {**rows[0], "data": json.loads(rows[0]["data"])} if rows else None
