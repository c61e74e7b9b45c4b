"""Customers' ratings of finished stages, and the figures the dashboard shows of them."""


def rate(db, ticket_id, stage, score, comment, created_at):
    """One rating per ticket and stage; a second one replaces the first."""
    db.execute("INSERT INTO ratings (ticket_id, stage, score, comment, created_at) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT (ticket_id, stage) DO UPDATE SET score = excluded.score, comment = excluded.comment",
               [ticket_id, stage, score, comment, created_at])


def average(db, ticket_ids) -> tuple:
    """(average score or None, count) over ``ticket_ids``."""
    ids = list(ticket_ids) or [""]
    marks = ",".join("?" * len(ids))
    return tuple(db.execute(f"SELECT avg(score), count(*) FROM ratings WHERE ticket_id IN ({marks})", ids).fetchone())
