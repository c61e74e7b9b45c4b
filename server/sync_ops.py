"""The server's side of push: each op type handled by the same ticket service the REST API uses.

``apply_op`` never raises for a bad op: it returns ``rejected`` with the problem the REST API would
have answered. Only a locked or failing database propagates (the op is not consumed; the client
retries). Pull renders each changed entity as the caller may see it now.
"""
import copy
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

from marshmallow import ValidationError

from pdf.labels import device_tables
from scheme_builder.pack import dump_pack
from scheme_builder.policy import canonical_json
from server import access, tickets
from server.db import transaction
from server.errors import Problem, flatten_errors, problem_of
from scheme_builder import tiles
from server.grid import ENGINEERING, grid_version, tile_snapshots
from server.schemas.quick import quick
from server.schemas.sync import EVIDENCE_SCHEMAS, OP_SCHEMAS
from server.schemas.tickets import TicketPatchSchema, ticket_create_schema, ticket_patch_schema
from server.storage import conflicts, evidence, grid as grid_store, iso, references as reference_store, tickets as ticket_store
from sync.engine import LOCKED_ERRORS
from sync import merge

PATCHABLE = set(TicketPatchSchema().fields)
LOAD_OP = {op_type: quick(schema) for op_type, schema in OP_SCHEMAS.items()}
LOAD_EVIDENCE = {op_type: quick(schema) for op_type, schema in EVIDENCE_SCHEMAS.items()}
load_ticket_fields, load_patch = quick(ticket_create_schema), quick(ticket_patch_schema)


@dataclass(frozen=True)
class Prepared:
    """An op read before the write lock: loaded by its schema (and its data by the data's schema).

    A failure is kept and raised at the op's turn, where the REST API would raise it: an op that
    cannot be loaded is rejected outright; invalid data only after the ticket's scope is checked.
    """
    op: dict = None
    data: object = None
    error: Exception = None
    data_error: Exception = None
    entity_id: object = None       # as sent, even when the op could not be loaded

    def loaded_data(self):
        if self.data_error:
            raise self.data_error
        return self.data


def prepare(raw: dict) -> Prepared:
    """Parse and validate an op; runs outside the write lock, touches no database."""
    try:
        op = LOAD_OP[raw.get("type")](raw) if raw.get("type") in LOAD_OP else invalid_type(raw)
    except Exception as exc:       # raised at its turn, answered as REST would answer it
        return Prepared(error=exc, entity_id=raw.get("entity_id"))
    loader = DATA_LOADERS.get(op["type"])
    try:
        return Prepared(op, loader(op) if loader else None, entity_id=op["entity_id"])
    except Exception as exc:       # raised at its turn, after the scope check
        return Prepared(op, data_error=exc, entity_id=op["entity_id"])


def apply_op(prepared: Prepared, ctx: dict) -> dict:
    """``ctx``: db, book, services, actor. Returns the op's outcome."""
    try:
        if prepared.error:
            raise prepared.error
        return HANDLERS[prepared.op["type"]](prepared, ctx)
    except LOCKED_ERRORS:          # the engine failed, not the op: the whole push answers it
        raise
    except Exception as exc:       # every other failure is this op's rejection, as REST would answer it
        return {"status": "rejected", "error": problem_of(exc), **audit_entity(prepared.entity_id, ctx)}


def audit_entity(entity_id, ctx) -> dict:
    """A rejected op naming a ticket its sender may not see (or none yet) is logged under the device
    only: another team's audit trail is not theirs to write in."""
    ticket = ticket_store.get_ticket(ctx["db"], entity_id) if isinstance(entity_id, str) else None
    return {} if ticket and access.sees_ticket(ctx["actor"].user, ticket) else {"audit_entity": None}


def invalid_type(op):
    raise ValidationError({"type": [f"one of {', '.join(LOAD_OP)}"]})


def load_ticket(op) -> dict:
    data = {**op["data"]}
    if data.setdefault("id", op["entity_id"]) != op["entity_id"]:
        raise Problem("validation-error", "data.id differs from entity_id", errors={"data.id": ["must be entity_id"]})
    try:
        return load_ticket_fields(data)
    except ValidationError as exc:
        raise Problem("validation-error", "the ticket is not valid", errors=flatten_errors(exc.messages, "data"))


def load_evidence(op) -> dict:
    try:
        data = LOAD_EVIDENCE[op["type"]](op["data"])
    except ValidationError as exc:
        raise Problem("validation-error", "the evidence is not valid", errors=flatten_errors(exc.messages, "data"))
    return {k: iso(v) if hasattr(v, "isoformat") else v for k, v in data.items()}


def create(prepared, ctx) -> dict:
    record = tickets.create_ticket(ctx["db"], ctx["book"], ctx["actor"], prepared.loaded_data())
    return {"status": "applied", "change_seq": record["version"]}


def update(prepared, ctx) -> dict:
    db, actor, op = ctx["db"], ctx["actor"], prepared.op
    ticket = tickets.get_visible(db, actor.user, op["entity_id"])
    check_paths(op["changes"])
    outcome = merge.merge(ticket, op["changes"], op["base_version"])
    patch = patch_for(ticket, outcome.apply)
    for path, _base, _current, value in outcome.conflicts:
        patch_for(ticket, {path: value})          # a conflict keeps only a value the field accepts
    for path, base, current, value in outcome.conflicts:
        conflicts.add(db, ticket["id"], path, base, current, value, op["op_id"], actor.user.username, actor.device_id)
    if outcome.conflicts:
        patch["has_conflict"] = True
    saved = tickets.update_ticket(db, ctx["book"], actor, ticket["id"], patch) if patch else ticket
    result = {"status": outcome.status, "change_seq": saved["version"]}
    if outcome.conflicts:
        result["conflicts"] = [{"path": path, "server_value": current, "device_value": value}
                               for path, _base, current, value in outcome.conflicts]
    return result


def check_paths(changes):
    errors = {}
    for path in changes:
        try:
            top = merge.split(path)[0]
        except merge.BadPath as exc:
            errors[f"changes.{path}"] = [str(exc)]
            continue
        if top not in PATCHABLE:
            errors[f"changes.{path}"] = ["not a field a device may change (stages change by commands)"]
    if errors:
        raise Problem("validation-error", "some changes name fields that cannot change", errors=errors)


def patch_for(ticket, apply: dict) -> dict:
    """The top-level fields the applied paths touch, validated like a REST PATCH."""
    if not apply:
        return {}
    scratch = copy.deepcopy(ticket)
    for path, value in apply.items():
        merge.set_path(scratch, path, value)
    raw = {top: scratch[top] for top in {path.split(".")[0] for path in apply}}
    try:
        return load_patch(raw)
    except ValidationError as exc:
        raise Problem("validation-error", "the changes are not valid", errors=flatten_errors(exc.messages, "changes"))


def command(prepared, ctx) -> dict:
    op = prepared.op
    record = tickets.run_command(ctx["db"], ctx["book"], ctx["actor"], op["entity_id"], op["command"], op["args"],
                                 op["client_time"], ctx["services"])
    return {"status": "applied", "change_seq": record["version"]}


def add_evidence(prepared, ctx) -> dict:
    """Insert-only evidence; a document scan also marks its checklist item received."""
    db, actor, op = ctx["db"], ctx["actor"], prepared.op
    ticket = tickets.get_visible(db, actor.user, op["entity_id"], read=ticket_store.ticket_scope)
    data = prepared.loaded_data()
    if "blob" in data:
        tickets.use_blob(db, actor.user, data["blob"], ticket["id"])
    evidence_id = evidence.add(db, ticket["id"], op["type"].split(".")[0], data, op["op_id"], actor.user.username,
                               actor.device_id, iso(op["client_time"]) if op["client_time"] else None)
    if op["type"] == "document.add":
        mark_received(ctx, ticket["id"], data)
    change_seq = ticket_store.next_change(db, "evidence", str(evidence_id), team=ticket["team"],
                                          region=ticket["region"])
    return {"status": "applied", "change_seq": change_seq}


def mark_received(ctx, ticket_id, scan):
    """The checklist item the scan is for is received (added when the checklist lacks it)."""
    db, actor = ctx["db"], ctx["actor"]
    ticket = tickets.get_visible(db, actor.user, ticket_id)
    documents = [{**d, "status": "received", "blob": scan["blob"]} if d["kind"] == scan["kind"] else d
                 for d in ticket["documents"]]
    if scan["kind"] not in {d["kind"] for d in documents}:
        documents.append({"kind": scan["kind"], "status": "received", "blob": scan["blob"]})
    tickets.update_ticket(db, ctx["book"], actor, ticket_id, {"documents": documents})


HANDLERS = {"ticket.create": create, "ticket.update": update, "ticket.command": command,
            **{t: add_evidence for t in EVIDENCE_SCHEMAS}}
DATA_LOADERS = {"ticket.create": load_ticket, **{t: load_evidence for t in EVIDENCE_SCHEMAS}}


# ---- pull -----------------------------------------------------------------------------------

def renderer(db, book, user):
    """``render(rows)``: the JSON (UTF-8 bytes) of each changed entity the user may see now (else ``remove``)."""
    def render(rows) -> dict:
        changes = defaultdict(list)
        for row in rows:
            changes[row[1]].append((row[0], row[2]))
        return {entity: RENDERERS[entity](db, book, user, of_kind) for entity, of_kind in changes.items()}
    return render


def render_tickets(db, book, user, changes) -> dict:
    return ticket_store.record_texts(db, changes, access.ticket_filter(user))


def render_evidence(db, book, user, changes) -> dict:
    return {str(row["id"]): json.dumps(row, ensure_ascii=False).encode()
            for row in evidence.rows_in_scope(db, [int(i) for _, i in changes], access.ticket_filter(user))}


def render_reference(db, book, user, changes) -> dict:
    texts = {}
    for _, entity_id in changes:
        kind, _, name = entity_id.partition(":")
        text = REFERENCE[kind](db, book, name)
        if text is not None:
            texts[entity_id] = text
    return texts


def policy_reference(db, book, pack_id):
    pack = book.packs.get(pack_id)
    return pack and json.dumps({"id": pack.id, "version": pack.version, "pack": dump_pack(pack)},
                               ensure_ascii=False).encode()


def grid_reference(db, book, region):
    """The region's tile index: which tiles the snapshot has, and the projection centre to build with."""
    snapshot = grid_store.current_snapshot(db, region)
    return snapshot and json.dumps({"region": region, "version": grid_version(region, snapshot["id"]),
                                    "asset_count": snapshot["asset_count"], "tile_degrees": tiles.TILE_DEGREES,
                                    **grid_store.tile_index(db, snapshot["id"])}).encode()


def reservations_reference(db, book, region):
    """What other tickets' signed schemes hold in ``region``, per room and asset (docs/SYNC_PROTOCOL.md)."""
    return json.dumps({"region": region, **grid_store.reserved_by_room(db, region)}, sort_keys=True).encode()


def tile_reference(db, book, name):
    """One tile of the region's current snapshot, spliced from its stored text; gone tiles are removed."""
    region, _, tile = name.partition(":")
    snapshot = grid_store.current_snapshot(db, region)
    text = snapshot and grid_store.tile_text(db, snapshot["id"], tile)
    if not text:
        return None
    head = json.dumps({"region": region, "version": grid_version(region, snapshot["id"]), "tile": tile})
    return head[:-1].encode() + b',"features":' + text + b"}"


RENDERERS = {"ticket": render_tickets, "evidence": render_evidence, "reference": render_reference}
REFERENCE = {"policy": policy_reference, "grid": grid_reference, "tile": tile_reference,
             "reservations": reservations_reference,
             "engineering": lambda db, book, name: json.dumps({"engineering": ENGINEERING}, ensure_ascii=False).encode(),
             "labels": lambda db, book, name: json.dumps({"labels": device_tables()}, ensure_ascii=False).encode()}


def record_reference_versions(db, book):
    """At start-up: a change for each policy pack and the engineering tables whose version is new, tiles
    for grid snapshots imported before devices pulled tiles, and reservations made before devices were
    sent them."""
    current = {f"policy:{pack.id}": (pack.version, pack.region) for pack in book.packs.values()}
    current["engineering:"] = (hashlib.sha256(canonical_json(ENGINEERING)).hexdigest()[:16], None)
    current["labels:"] = (hashlib.sha256(canonical_json(device_tables())).hexdigest()[:16], None)
    with transaction(db):
        tile_snapshots(db)
        grid_store.announce_reservations(db)
        known = reference_store.known_versions(db)
        for entity_id, (version, region) in current.items():
            if known.get(entity_id) != version:
                ticket_store.next_change(db, "reference", entity_id, region=region)
                reference_store.set_version(db, entity_id, version)

