"""The notification outbox: one row per notice, keyed so that a notice is never queued twice."""
import json

import orjson

from server.storage import iso, now_iso
from sync.engine import dict_rows


def enqueue(db, key, kind, ticket_id, recipient, channel, payload, now) -> bool:
    """Queue a notice unless one with ``key`` exists; True when it is new."""
    cursor = db.execute(
        "INSERT INTO outbox (key, kind, ticket_id, recipient, channel, payload, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [key, kind, ticket_id, recipient, channel, orjson.dumps(payload).decode(), iso(now)])
    return cursor.rowcount == 1


def unsent(db, limit=100) -> list:
    rows = dict_rows(db.execute("SELECT * FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?", [limit]))
    return [{**row, "payload": json.loads(row["payload"])} for row in rows]


def mark_sent(db, notice_id):
    db.execute("UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?", [now_iso(), notice_id])


def mark_failed(db, notice_id, error):
    db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?", [error, notice_id])


def notices(db, ticket_id=None) -> list:
    where, params = ("WHERE ticket_id = ?", [ticket_id]) if ticket_id else ("", [])
    return [{**row, "payload": json.loads(row["payload"])}
            for row in dict_rows(db.execute(f"SELECT * FROM outbox {where} ORDER BY id", params))]
