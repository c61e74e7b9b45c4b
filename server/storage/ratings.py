"""Customers' ratings of finished stages, and the figures the dashboard shows of them."""
import json


def rate(db, ticket_id, stage, score, comment, created_at):
    """One rating per ticket and stage; a second one replaces the first."""
    db.execute("INSERT INTO ratings (ticket_id, stage, score, comment, created_at) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT (ticket_id, stage) DO UPDATE SET score = excluded.score, comment = excluded.comment",
               [ticket_id, stage, score, comment, created_at])


def average(db, ticket_ids) -> tuple:
    """(average score or None, count) over ``ticket_ids``."""
    return tuple(db.execute("SELECT avg(score), count(*) FROM ratings WHERE ticket_id IN (SELECT value FROM json_each(?))",
                            [json.dumps(list(ticket_ids))]).fetchone())
