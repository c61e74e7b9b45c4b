"""Tickets over REST: the same service (and rules) that sync uses."""
from flask import current_app, g

from server import access, tickets as service
from server.api import Blueprint
from server.auth import auth_required
from server.db import get_db
from server.schemas.common import ProblemSchema
from server.schemas.tickets import (CommandSchema, TicketCreateSchema, TicketPageSchema, TicketPatchSchema,
                                    TicketQuerySchema, TicketSchema)
from server.storage import tickets as store, utcnow
from server.schemas.sync import AuditEntrySchema
from sync import storage as sync_store

blp = Blueprint("tickets", __name__, url_prefix="/api/tickets", description="Tickets, their stages and deadlines")


def policies():
    return current_app.extensions["yekuo.policies"]


def actor():
    return service.Actor(g.user, g.device_id)


def present(ticket):
    pack = policies().get(ticket["region"], ticket["policy_year"])
    return service.with_history(get_db(), ticket, pack, g.user)


@blp.route("", methods=["POST"])
@auth_required("tickets.write")
@blp.arguments(TicketCreateSchema)
@blp.response(201, TicketSchema)
@blp.alt_response(422, schema=ProblemSchema, description="invalid field; `errors` names it")
def create_ticket(body):
    """Accept an application (the id may be made on the device)."""
    return present(service.create_ticket(get_db(), policies(), actor(), body))


@blp.route("", methods=["GET"])
@auth_required("tickets.read")
@blp.arguments(TicketQuerySchema, location="query")
@blp.response(200, TicketPageSchema)
def list_tickets(query):
    """Tickets the caller may see, oldest first, filtered, in pages (``next_cursor``)."""
    limit = query.pop("limit", current_app.config["PAGE_SIZE"])
    after = int(query.pop("cursor", 0))
    rows = store.list_tickets(get_db(), access.ticket_filter(g.user), {**query, "now": utcnow()}, after, limit + 1)
    page = rows[:limit]
    return {"items": [present(t) for t in page],
            "next_cursor": str(page[-1]["number"]) if len(rows) > limit else None}


@blp.route("/<ticket_id>", methods=["GET"])
@auth_required("tickets.read")
@blp.response(200, TicketSchema)
@blp.alt_response(404, schema=ProblemSchema)
def get_ticket(ticket_id):
    """One ticket with its stage history, deadlines and the commands the caller may run now."""
    return present(service.get_visible(get_db(), g.user, ticket_id))


@blp.route("/<ticket_id>", methods=["PATCH"])
@auth_required("tickets.write")
@blp.arguments(TicketPatchSchema)
@blp.response(200, TicketSchema)
def patch_ticket(body, ticket_id):
    """Change fields (documents received, phone, location …); the stage changes only by commands."""
    return present(service.update_ticket(get_db(), policies(), actor(), ticket_id, body))


@blp.route("/<ticket_id>/commands", methods=["POST"])
@auth_required("tickets.write")
@blp.arguments(CommandSchema)
@blp.response(200, TicketSchema)
@blp.alt_response(409, schema=ProblemSchema,
                  description="illegal-command (names the current `stage` and the `allowed_commands`), "
                              "scheme-hash-mismatch (the scheme changed since it was shown: `scheme_hash` is the "
                              "current one), capacity-taken (signing: another scheme took the capacity; "
                              "`fresh_scheme` is the scheme now)")
def run_command(body, ticket_id):
    """Run a command of the stage machine (complete_acceptance, connect, cancel, scheme commands …)."""
    ticket = service.run_command(get_db(), policies(), actor(), ticket_id, body["command"], body["args"],
                                 body["client_time"], current_app.extensions["yekuo.services"])
    return present(ticket)


@blp.route("/<ticket_id>/audit", methods=["GET"])
@auth_required("tickets.read")
@blp.response(200, AuditEntrySchema(many=True))
@blp.alt_response(404, schema=ProblemSchema)
def audit(ticket_id):
    """Every sync op on the ticket: user, device, client and server time, the op and its result."""
    service.get_visible(get_db(), g.user, ticket_id)
    return sync_store.entity_ops(get_db(), ticket_id)


@blp.route("/<ticket_id>/grab", methods=["POST"])
@auth_required("pool.grab")
@blp.response(200, TicketSchema)
@blp.alt_response(409, schema=ProblemSchema, description="already taken, or the caller's open load is full")
def grab(ticket_id):
    """抢单: take an unassigned ticket of the caller's team (docs/DOMAIN.md §6)."""
    return present(service.grab(get_db(), actor(), ticket_id, current_app.config["POOL_MAX_OPEN"]))
