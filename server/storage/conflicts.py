"""Field conflicts between a device's change and the server's value, kept until a person decides."""
import json

from server.storage import iso, utcnow

JSON_COLUMNS = ("base", "server_value", "device_value", "resolution")


def add(db, ticket_id, path, base, server_value, device_value, op_id, username, device_id) -> int:
    return db["conflicts"].insert({
        "ticket_id": ticket_id, "path": path, "base": json.dumps(base, ensure_ascii=False),
        "server_value": json.dumps(server_value, ensure_ascii=False),
        "device_value": json.dumps(device_value, ensure_ascii=False), "op_id": op_id, "username": username,
        "device_id": device_id, "created_at": iso(utcnow()), "resolved_at": None, "resolved_by": None,
        "resolution": None}).last_pk


def decode(row) -> dict:
    return {**row, **{k: json.loads(row[k]) if row[k] is not None else None for k in JSON_COLUMNS}}


def get(db, conflict_id):
    rows = list(db["conflicts"].rows_where("id = ?", [conflict_id]))
    return decode(rows[0]) if rows else None


def list_open(db, ticket_filter) -> list:
    """Open conflicts of the tickets ``ticket_filter`` (SQL over tickets, parameters) selects."""
    where, params = ticket_filter
    sql = f"resolved_at IS NULL AND ticket_id IN (SELECT id FROM tickets WHERE {where})"
    return [decode(row) for row in db["conflicts"].rows_where(sql, params, order_by="id")]


def open_count_of(db, ticket_ids) -> int:
    """Unresolved conflicts over ``ticket_ids``."""
    return db.execute("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL "
                      "AND ticket_id IN (SELECT value FROM json_each(?))", [json.dumps(list(ticket_ids))]).fetchone()[0]


def open_count(db, ticket_id) -> int:
    return open_count_of(db, [ticket_id])


def resolve(db, conflict_id, value, username):
    db.execute("UPDATE conflicts SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE id = ?",
               [iso(utcnow()), username, json.dumps(value, ensure_ascii=False), conflict_id])
