"""The ticket aggregate: create, edit and run commands, each in one transaction.

Views and sync both come here; the rules live in ``stages`` (what is legal) and the pack (limits).
Each runs in one transaction from its first read, so a failed check leaves nothing behind and two
writers never act on the same stale read.
"""
from dataclasses import dataclass
from typing import Optional

from marshmallow import ValidationError

from server import access, monitor, schemes, stages
from server.deadlines import compute_deadlines, leave_stage
from server.db import per_request, transaction
from server.errors import Problem, flatten_errors
from server.schemas.commands import command_args_schema
from scheme_builder.pack import Pack
from server.policy import PolicyBook
from server.storage import blobs as blob_scope, iso, tickets as store, users, utcnow
from server.storage.calendar import load_calendar
from server.storage.users import User
from sync.blobs import hex_of
from sync.ids import new_id


@dataclass(frozen=True)
class Actor:
    user: User
    device_id: Optional[str] = None


@dataclass(frozen=True)
class Services:
    """What commands need beyond the database and the packs (the app holds one)."""
    grids: object = None        # server.grid.GridCache
    blobs: object = None        # sync.blobs.BlobStore
    signing: object = None      # pdf.signing.SigningIdentity


# ---- scope --------------------------------------------------------------------------------

def get_visible(db, user: User, ticket_id, read=store.get_ticket) -> dict:
    """The ticket if it exists and ``user`` may see it; 404 otherwise (no hint that it exists).
    ``read=store.ticket_scope``: only its id, team and region (what evidence needs, without the record)."""
    ticket = read(db, ticket_id)
    if ticket is None or not access.sees_ticket(user, ticket):
        raise Problem("not-found", f"no ticket {ticket_id!r}")
    return ticket


def working_calendar(db):
    return per_request("calendar", lambda: load_calendar(db))


# ---- create -------------------------------------------------------------------------------

def assign_team(db, actor: Actor, data) -> tuple[str, Optional[str]]:
    """The ticket's team and manager: the caller's own unless the back office names others."""
    user = actor.user
    team = data.get("team") or user.team
    region = per_request(("team_region", team), lambda: users.team_region(db, team))
    if region is None:
        raise Problem("validation-error", f"no team {team!r}", errors={"team": ["unknown team"]})
    refusal = access.may_create_for(user, team, region)
    if refusal:
        raise Problem("validation-error", f"you cannot open tickets for team {team!r}", errors={refusal[0]: [refusal[1]]})
    if region != data["region"]:
        raise Problem("validation-error", f"team {team!r} works in region {region!r}",
                      errors={"region": [f"team {team!r} is in region {region!r}"]})
    manager = data["manager"] if "manager" in data else access.default_manager(user)
    check_manager(db, manager, team)
    return team, manager


def check_manager(db, manager, team):
    if manager is None:
        return
    person = per_request(("user", manager), lambda: users.get_user(db, manager))
    if not person or person.team != team or not access.may(person, "tickets.handle"):
        raise Problem("validation-error", f"{manager!r} is not a customer manager of team {team!r}",
                      errors={"manager": ["not a customer manager of the ticket's team"]})


def checklist(pack: Pack, business_type, given) -> list:
    """The pack's document list for the business type, merged with what the device reported."""
    known = {doc["kind"]: doc for doc in given}
    unknown = set(known) - set(pack.documents)
    if unknown:
        raise Problem("validation-error", "unknown document kinds",
                      errors={"documents": [f"unknown kind {k!r}" for k in sorted(unknown)]})
    required = pack.business_types[business_type].documents
    listed = [known.get(kind, {"kind": kind, "status": "missing"}) for kind in required]
    extra = [doc for kind, doc in known.items() if kind not in required]
    return [jsonable_document(doc) for doc in listed + extra]


def documents_of(db, actor: Actor, ticket, pack: Pack, given) -> list:
    """The checklist, each named scan a complete blob the caller may use, now referenced by the ticket."""
    documents = checklist(pack, ticket["business_type"], given)
    reference_scans(db, actor, ticket["id"], documents)
    return documents


def reference_scans(db, actor: Actor, ticket_id, documents):
    """Each document's scan must be a blob the caller may use; the ticket (its row must exist: the
    reference points at it) then references it."""
    for doc in documents:
        if doc.get("blob"):
            use_blob(db, actor.user, doc["blob"], ticket_id, field="documents")


def check_complete(ticket):
    """PATCH may not take away what every ticket needs."""
    if ticket.get("capacity_kw") is None and ticket.get("capacity_kva") is None:
        raise Problem("validation-error", "a ticket needs capacity_kw or capacity_kva",
                      errors={"capacity_kw": ["cannot be removed while capacity_kva is empty"]})


def jsonable_document(doc) -> dict:
    promised = doc.get("promised_date")
    return {**doc, "promised_date": promised.isoformat() if hasattr(promised, "isoformat") else promised}


def create_ticket(db, book: PolicyBook, actor: Actor, data) -> dict:
    """Accept an application: the pack is fixed now, the checklist generated, deadlines set."""
    pack = book.get(data["region"], data.get("policy_year"))
    if data["business_type"] not in pack.business_types:
        raise Problem("validation-error", f"{pack.id} offers no business type {data['business_type']!r}",
                      errors={"business_type": [f"one of {', '.join(sorted(pack.business_types))}"]})
    ticket_id = data.get("id") or f"T-{new_id()}"
    team, manager = assign_team(db, actor, data)
    now = iso(utcnow())
    record = {"capacity_kw": None, "capacity_kva": None, "power_factor": 0.9, "phase": 3,
              "reliability_class": "ordinary", "address": "", "park_or_electrification": False,
              "ev_charging": False, **data,
              "id": ticket_id, "team": team, "manager": manager, "policy_year": pack.year,
              "policy_version": pack.version, "zone": pack.zone(data.get("zone")).zone,
              "documents": [],
              "stage": "accepted", "stage_started_at": now, "created_at": now, "updated_at": now,
              "created_by": actor.user.username, "scheme": None, "signed_pdf": None,
              "has_conflict": False}
    record["pipeline"] = pack.pipeline_for(record["business_type"], record["customer_class"],
                                           record["reliability_class"])
    record["documents"] = checklist(pack, record["business_type"], data.get("documents", []))
    with transaction(db):
        record["number"] = store.claim_number(db, ticket_id)
        if record["number"] is None:
            raise Problem("validation-error", f"ticket {ticket_id!r} exists", errors={"id": ["already exists"]})
        refresh(record, pack, working_calendar(db))
        monitor.progress_push(db, record, utcnow())
        saved = store.save_ticket(db, record)
        reference_scans(db, actor, ticket_id, record["documents"])     # a missing scan rolls all back
        return saved


def refresh(ticket, pack: Pack, calendar):
    """Derived fields that follow from the stage and the scheme."""
    ticket["planned_stages"] = [rule.stage for rule in stages.planned_stages(ticket, pack)]
    ticket["deadlines"] = compute_deadlines(ticket, pack, calendar)


# ---- edit ---------------------------------------------------------------------------------

def update_ticket(db, book: PolicyBook, actor: Actor, ticket_id, changes) -> dict:
    """Change fields (never the stage: that takes a command); an unsigned scheme built on them goes."""
    with transaction(db):
        ticket = get_visible(db, actor.user, ticket_id)
        if ticket["stage"] in stages.TERMINAL:
            raise Problem("illegal-command", f"ticket {ticket_id!r} is {ticket['stage']}; it can no longer change")
        pack = book.get(ticket["region"], ticket["policy_year"])
        if "manager" in changes:
            check_manager(db, changes["manager"], ticket["team"])
        if "documents" in changes:
            changes["documents"] = documents_of(db, actor, ticket, pack, changes["documents"])
        if "zone" in changes:
            changes["zone"] = pack.zone(changes["zone"]).zone      # unknown: 422
        schemes.unsettle(ticket, changes)
        ticket.update(changes, updated_at=iso(utcnow()))
        check_complete(ticket)
        refresh(ticket, pack, working_calendar(db))
        return store.save_ticket(db, ticket)


# ---- commands -----------------------------------------------------------------------------

def cancel(ticket, args, context):
    ticket["cancel_reason"] = args["reason"]
    schemes.release(ticket, context)


COMMAND_EFFECTS = {**schemes.SCHEME_EFFECTS, "cancel": cancel}   # what a command does beyond the stage


def load_args(name, args) -> dict:
    """The command's ``args``, checked; errors are keyed ``args.<field>`` like the body's other fields."""
    try:
        return command_args_schema(name).load(args)
    except ValidationError as exc:
        raise Problem("validation-error", f"invalid arguments for {name!r}",
                      errors=flatten_errors(exc.messages, "args")) from None


BLOB_ARGS = ("signature_blob",)


def use_blob(db, user: User, ref, ticket_id, field="blob"):
    """A blob a ticket names must be complete and usable by the caller (uploaded by them, or on a ticket
    they see): naming a hash is no way to read someone else's photo. The ticket then references it.

    Both facts are recorded only once a blob is complete, so the database answers for the file.
    """
    hex_ = hex_of(ref)
    if not blob_scope.visible(db, hex_, user.username, access.ticket_filter(user)):
        raise Problem("missing-blob", f"blob {ref} is not uploaded (completely) by you yet", blob=ref,
                      errors={field: [f"upload {ref} first"]})
    blob_scope.add_ref(db, hex_, ticket_id)


def check_blobs(db, user, raw_args, ticket_id):
    for name in BLOB_ARGS:
        ref = raw_args.get(name)
        if isinstance(ref, str) and ref.startswith("sha256:"):
            use_blob(db, user, ref, ticket_id, field=f"args.{name}")


def run_command(db, book: PolicyBook, actor: Actor, ticket_id, name, args, client_time=None,
                services: Services = Services()) -> dict:
    """Check and apply one command in one transaction: read, check, effect, save and history.

    Holding the write lock from the read on means two commands on one ticket (or two signatures on
    one transformer) cannot both act on what they read before the other wrote.
    """
    with transaction(db):
        ticket = get_visible(db, actor.user, ticket_id)
        pack = book.get(ticket["region"], ticket["policy_year"])
        try:
            command = stages.check_command(name, ticket, pack, actor.user.role)
        except stages.IllegalCommand as exc:
            raise Problem("illegal-command", str(exc), stage=exc.stage, allowed_commands=exc.allowed) from None
        schemes.check_shown_hash(name, ticket, args)
        check_blobs(db, actor.user, args, ticket["id"])
        args = load_args(name, args)
        effect = COMMAND_EFFECTS.get(name)
        if effect:
            effect(ticket, args, {"db": db, "pack": pack, "actor": actor, "book": book, "client_time": client_time,
                                  "grids": services.grids, "blobs": services.blobs, "signing": services.signing})
        return apply_transition(db, ticket, pack, command, actor, args, client_time)


def apply_transition(db, ticket, pack, command, actor, args, client_time) -> dict:
    now, from_stage, calendar = iso(utcnow()), ticket["stage"], working_calendar(db)
    to_stage = stages.stage_after(command, ticket, pack)
    if to_stage != from_stage:
        leave_stage(ticket, pack, calendar, now)
        ticket.update(stage=to_stage, stage_started_at=now)
    ticket["updated_at"] = now
    refresh(ticket, pack, calendar)
    saved = store.save_ticket(db, ticket)
    if ticket["stage"] != from_stage:
        monitor.progress_push(db, ticket, utcnow())
    store.add_history(db, ticket["id"], {
        "command": command.name, "from_stage": from_stage, "to_stage": ticket["stage"], "args": args,
        "username": actor.user.username, "device_id": actor.device_id,
        "client_time": iso(client_time) if client_time else None, "server_time": now, "result": "applied"})
    return saved


def grab(db, actor: Actor, ticket_id, max_open: int) -> dict:
    """抢单: a customer manager takes an unassigned ticket of their team, while their open load allows."""
    with transaction(db):
        ticket = get_visible(db, actor.user, ticket_id)
        access.require(actor.user, "pool.grab")
        if ticket.get("manager"):
            raise Problem("illegal-command", f"ticket {ticket_id!r} is already handled by {ticket['manager']}")
        if ticket["stage"] in stages.TERMINAL:
            raise Problem("illegal-command", f"ticket {ticket_id!r} is {ticket['stage']}")
        load = store.open_load(db, actor.user.username)
        if load >= max_open:
            raise Problem("illegal-command", f"you have {load} open tickets (at most {max_open}); finish some first")
        ticket.update(manager=actor.user.username, updated_at=iso(utcnow()))
        return store.save_ticket(db, ticket)


def pool(db, user: User) -> list:
    """The team's unassigned open tickets, most urgent stage deadline first."""
    return store.records_where(db, access.ticket_filter(user), store.UNASSIGNED, order=store.INBOX_ORDER["due"])


def with_history(db, ticket, pack: Pack, user: User) -> dict:
    """The record as GET returns it: plus stage history and the caller's allowed commands."""
    return {**ticket, "stage_history": store.get_history(db, ticket["id"]),
            "allowed_commands": stages.allowed_commands(ticket, pack, user.role)}


def recompute_deadlines(db, book: PolicyBook) -> int:
    """After a calendar change: new due times for every open ticket (inside the caller's transaction)."""
    calendar, count = load_calendar(db), 0          # the changed one, never this request's earlier read
    for ticket in store.open_tickets(db):
        before = ticket["deadlines"]
        refresh(ticket, book.get(ticket["region"], ticket["policy_year"]), calendar)
        if ticket["deadlines"] != before:
            store.save_ticket(db, ticket)
            count += 1
    return count
