"""Customers' ratings of finished stages, and the figures the dashboard shows of them."""
import json

from sync.engine import dialect, dict_rows


def rate(db, ticket_id, stage, score, comment, created_at):
    """One rating per ticket and stage; a second one replaces the first."""
    db.execute("INSERT INTO ratings (ticket_id, stage, score, comment, created_at) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT (ticket_id, stage) DO UPDATE SET score = excluded.score, comment = excluded.comment",
               [ticket_id, stage, score, comment, created_at])


def of_ticket(db, ticket_id) -> list:
    return dict_rows(db.execute("SELECT * FROM ratings WHERE ticket_id = ? ORDER BY id", [ticket_id]))


def average(db, ticket_ids) -> tuple:
    """(average score or None, count) over ``ticket_ids``."""
    mean, count = db.execute(f"SELECT avg(score), count(*) FROM ratings WHERE {dialect(db).one_of('ticket_id')}",
                             [json.dumps(list(ticket_ids))]).fetchone()
    return (None if mean is None else float(mean)), count
