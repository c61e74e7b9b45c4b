"""Field conflicts between a device's change and the server's value, kept until a person decides."""
import json

from server.storage import now_iso
from sync.engine import dialect, dict_rows

JSON_COLUMNS = ("base", "server_value", "device_value", "resolution")


def add(db, ticket_id, path, base, server_value, device_value, op_id, username, device_id) -> int:
    return db.execute(
        "INSERT INTO conflicts (ticket_id, path, base, server_value, device_value, op_id, username, device_id, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [ticket_id, path, *(json.dumps(v, ensure_ascii=False) for v in (base, server_value, device_value)), op_id,
         username, device_id, now_iso()]).fetchone()[0]


def decode(row) -> dict:
    return {**row, **{k: json.loads(row[k]) if row[k] is not None else None for k in JSON_COLUMNS}}


def get(db, conflict_id):
    rows = dict_rows(db.execute("SELECT * FROM conflicts WHERE id = ?", [conflict_id]))
    return decode(rows[0]) if rows else None


def list_open(db, ticket_filter) -> list:
    """Open conflicts of the tickets ``ticket_filter`` (SQL over tickets, parameters) selects, each open
    conflict's ticket probed against the filter (listing the region's tickets first cost 100 ms at 50,000
    tickets, with no conflict open)."""
    where, params = ticket_filter
    sql = (f"SELECT * FROM conflicts WHERE resolved_at IS NULL AND EXISTS (SELECT 1 FROM tickets "
           f"WHERE tickets.id = conflicts.ticket_id AND ({where}){dialect(db).row_by_row}) ORDER BY id")
    return [decode(row) for row in dict_rows(db.execute(sql, params))]


def open_count_of(db, ticket_ids) -> int:
    """Unresolved conflicts over ``ticket_ids``."""
    return db.execute("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL "
                      f"AND {dialect(db).one_of('ticket_id')}", [json.dumps(list(ticket_ids))]).fetchone()[0]


def open_count(db, ticket_id) -> int:
    return open_count_of(db, [ticket_id])


def resolve(db, conflict_id, value, username):
    db.execute("UPDATE conflicts SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE id = ?",
               [now_iso(), username, json.dumps(value, ensure_ascii=False), conflict_id])
