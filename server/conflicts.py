"""Resolving a field conflict: a person picks a value; the resolution is a change devices pull."""
from server import access, sync_ops, tickets
from server.db import transaction
from server.errors import Problem
from server.policy import PolicyBook
from server.storage import conflicts as store


def visible_conflicts(db, user) -> list:
    return store.list_open(db, access.ticket_filter(user))


def resolve(db, book: PolicyBook, actor: tickets.Actor, conflict_id: int, value) -> dict:
    """Back office of the region, or the ticket's own manager, writes ``value`` to the field."""
    with transaction(db):
        conflict = store.get(db, conflict_id)
        if conflict is None:
            raise Problem("not-found", f"no conflict {conflict_id}")
        ticket = tickets.get_visible(db, actor.user, conflict["ticket_id"])
        if not access.may_resolve_conflict(actor.user, ticket):
            raise Problem("forbidden", "only the back office or the ticket's manager resolves its conflicts")
        if conflict["resolved_at"]:
            raise Problem("illegal-command", f"conflict {conflict_id} was resolved by {conflict['resolved_by']}")
        patch = sync_ops.patch_for(ticket, {conflict["path"]: value})
        store.resolve(db, conflict_id, value, actor.user.username)
        patch["has_conflict"] = store.open_count(db, ticket["id"]) > 0
        tickets.update_ticket(db, book, actor, ticket["id"], patch)
        return store.get(db, conflict_id)
