"""Watching deadlines and telling people: warnings at a share of each limit, escalation when overdue,
progress pushes to the customer, heavy-load notices after a grid import.

Every notice has a key made of what it is about (ticket, deadline, stage start, level), so running
a job twice, or after a restart, or in two worker processes, queues it once.
"""
from datetime import datetime

from pdf.labels import STAGES, label
from server.storage import outbox, tickets as store
from server.storage.calendar import load_calendar

CHANNEL = "log"


def handler_of(ticket) -> str:
    return ticket.get("manager") or f"team:{ticket['team']}"


def monitor_deadlines(db, now: datetime, warn_share: float) -> dict:
    """Queue a warning once ``warn_share`` of a limit has passed and an escalation once it is over."""
    calendar, counts = load_calendar(db), {"warnings": 0, "escalations": 0}
    for ticket in store.open_tickets(db):
        for deadline in filter(None, (ticket.get("deadlines") or {}).values()):
            level = deadline_level(calendar, deadline, now, warn_share)
            if level:
                counts[{"warning": "warnings", "overdue": "escalations"}[level]] += queue_deadline(db, ticket, deadline,
                                                                                                 level, now)
    return counts


def deadline_level(calendar, deadline, now, warn_share):
    started, due = datetime.fromisoformat(deadline["started_at"]), datetime.fromisoformat(deadline["due_at"])
    if now >= due:
        return "overdue"
    warn_at = calendar.add(started, deadline["limit_days"] * warn_share, deadline["days_unit"]).due_at
    return "warning" if now >= warn_at else None


def queue_deadline(db, ticket, deadline, level, now) -> int:
    name = label(STAGES, deadline["stage"])
    key = f"{ticket['id']}:{deadline['stage']}:{deadline['started_at']}:{level}"
    text = (f"工单 {ticket['id']} {name}将于 {deadline['due_at'][:16]} 到期" if level == "warning"
            else f"工单 {ticket['id']} {name}已超期（期限 {deadline['due_at'][:16]}）")
    payload = {"text": text, "stage": deadline["stage"], "due_at": deadline["due_at"], "level": level}
    recipients = [handler_of(ticket)] + ([f"backoffice:{ticket['region']}"] if level == "overdue" else [])
    return sum(outbox.enqueue(db, f"{key}:{who}", f"deadline_{level}", ticket["id"], who, CHANNEL, payload, now)
               for who in recipients)


def progress_push(db, ticket, now):
    """办电进程主动推送: the customer hears of each stage the ticket enters."""
    name = label(STAGES, ticket["stage"])
    key = f"{ticket['id']}:progress:{ticket['stage']}:{ticket['stage_started_at']}"
    payload = {"text": f"您的用电申请（{ticket['id']}）已进入：{name}", "stage": ticket["stage"]}
    outbox.enqueue(db, key, "progress", ticket["id"], f"customer:{ticket['customer']['phone']}", CHANNEL, payload,
                   now)


def heavy_load_notices(db, region, snapshot_id, features, heavy_rate, now) -> int:
    """After an import: one notice per transformer or feeder loaded above ``heavy_rate``."""
    count = 0
    for feature in features:
        props = feature["properties"]
        if not props.get("rating_kva"):
            continue
        rate = (props.get("peak_kva", 0) + props.get("reserved_kva", 0)) / props["rating_kva"]
        if rate > heavy_rate:
            payload = {"text": f"{props['asset_id']} 重载 {rate * 100:.0f}%", "asset_id": props["asset_id"],
                       "load_rate": round(rate, 3)}
            count += outbox.enqueue(db, f"heavy:{region}:{snapshot_id}:{props['asset_id']}", "heavy_load", None,
                                    f"backoffice:{region}", CHANNEL, payload, now)
    return count
