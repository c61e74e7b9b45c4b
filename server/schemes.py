"""Supply schemes on tickets: preview, propose, choose, co-sign and sign.

The scheme itself comes from ``scheme_builder``; this module feeds it the ticket, the region's
current grid snapshot and the capacity other signed schemes hold, and keeps the scheme's life on
the ticket: proposed → option chosen → co-signed (when the decision asks for it) → signed.
Every step after the proposal names the ``scheme_hash`` it was shown, so nobody signs a scheme that
changed under their eyes.

Signing reserves the option's capacity inside the command's transaction (BEGIN IMMEDIATE): two
managers signing the last kVA of one transformer are serialised, and the second is told the
capacity is taken and given a fresh scheme.
"""
from datetime import datetime, timedelta

from scheme_builder import build_scheme
from scheme_builder.api import assert_no_banned_fees, scheme_hash
from scheme_builder.capacity import shortfalls
from scheme_builder.pack import Pack
from scheme_builder.request import TICKET_FIELDS, ticket_request
from server.errors import Problem
from server.scheme_pdf import load_strokes, signed_scheme_pdf
from server import monitor
from server.storage import grid as grid_store, iso, now_iso, outbox, tickets as ticket_store, utcnow


def room(pack: Pack, request) -> str:
    """The room ``request`` (not validated yet: anything) is checked against (:meth:`Pack.room`)."""
    return pack.room(request.get("business_type") if isinstance(request, dict) else None)


def build(db, grids, pack, request: dict, exclude_ticket=None) -> dict:
    """The scheme for ``request`` on the region's newest snapshot, net of other tickets' reservations of
    the same room."""
    grid = grids.get(db, pack.region)
    reserved = grid_store.reserved_by_asset(db, pack.region, exclude_ticket, room(pack, request))
    return build_scheme(request, pack, grid, reserved)


def build_for_ticket(ticket, ctx) -> dict:
    return build(ctx["db"], ctx["grids"], ctx["pack"], ticket_request(ticket), ticket["id"])


SHOWN_HASH_COMMANDS = ("choose_option", "cosign", "sign_scheme")


def check_shown_hash(command, ticket, raw_args):
    """docs/SYNC_PROTOCOL.md "Commands": after the stage check and before the arguments are validated,
    the ``scheme_hash`` a command names must be the ticket's current scheme."""
    shown, scheme = raw_args.get("scheme_hash"), ticket.get("scheme") or {}
    if command in SHOWN_HASH_COMMANDS and isinstance(shown, str) and scheme and shown != scheme["scheme_hash"]:
        raise Problem("scheme-hash-mismatch", "the ticket's scheme changed since it was shown; show it again",
                      scheme_hash=scheme["scheme_hash"])


# ---- the command effects -------------------------------------------------------------------

AGREE = ("region", "policy_year", "zone", "business_type", "customer_class", "capacity_kva", "capacity_kw", "phase",
         "power_factor")          # the ticket's own facts: a request must not contradict them


def same(given, own) -> bool:
    if isinstance(given, float) and isinstance(own, (int, float)) and not isinstance(own, bool):
        return abs(given - own) <= 1e-6 * max(1.0, abs(own))
    return given == own


def request_for(ticket, given: dict) -> dict:
    """The ticket's request with the surveyed fields of ``given``; a contradicted ticket field is a 422."""
    own = ticket_request(ticket)
    wrong = {f"args.request.{name}": [f"the ticket has {own.get(name)!r}"] for name in AGREE
             if name in given and not same(given[name], own.get(name))}
    if wrong:
        raise Problem("validation-error", "the scheme request disagrees with the ticket", errors=wrong)
    return {**own, **{name: value for name, value in given.items() if name not in AGREE}}


def propose(ticket, args, ctx):
    scheme = build(ctx["db"], ctx["grids"], ctx["pack"], request_for(ticket, args.get("request", {})), ticket["id"])
    if args.get("scheme_hash") not in (None, scheme["scheme_hash"]):
        raise Problem("scheme-hash-mismatch", "the grid, the policy or the ticket changed since the preview",
                      scheme_hash=scheme["scheme_hash"], fresh_scheme=scheme)
    ticket["scheme"] = {**scheme, "proposed_at": now_iso(), "proposed_by": ctx["actor"].user.username,
                        "chosen_option": None, "cosigned_at": None, "cosigned_by": None, "signed_at": None}


def choose(ticket, args, ctx):
    scheme = ticket["scheme"]
    if args["rank"] > len(scheme["options"]):
        raise Problem("validation-error", f"the scheme has {len(scheme['options'])} option(s)",
                      errors={"args.rank": [f"between 1 and {len(scheme['options'])}"]})
    scheme.update(chosen_option=scheme["options"][args["rank"] - 1], cosigned_at=None, cosigned_by=None)


def cosign(ticket, args, ctx):
    scheme = ticket["scheme"]
    scheme.update(cosigned_at=now_iso(), cosigned_by=ctx["actor"].user.username,
                  cosign_comment=args.get("comment"))


def sign(ticket, args, ctx):
    """The customer signs: reserve the capacity (or refuse with a fresh scheme if it is gone), and the
    neighbour's room a load transfer moves load into, then render the scheme reply with the strokes,
    sign it and link it from the ticket."""
    strokes_raw, strokes = load_strokes(ctx["blobs"], args["signature_blob"])
    scheme = ticket["scheme"]
    db, region, option = ctx["db"], ticket["region"], scheme["chosen_option"]
    kva = scheme["request"]["capacity_kva"]
    grid = ctx["grids"].get(db, region)
    nature = room(ctx["pack"], scheme["request"])
    short = [] if scheme["decision"] == "manual" else shortfalls(   # the engineer answered for a manual one
        option, kva, ctx["pack"], grid, grid_store.reserved_by_asset(db, region, ticket["id"], nature),
        nature == "generation")
    if short:
        raise Problem("capacity-taken", f"the open capacity of {', '.join(short)} was taken meanwhile; "
                      "show the customer the fresh scheme", assets=short, fresh_scheme=build_for_ticket(ticket, ctx))
    holds = [(asset_id, kva, nature) for asset_id in dict.fromkeys(s["capacity_asset_id"] for s in option["sources"])]
    holds += [(moved["asset_id"], moved["kva"], "load")
              for moved in filter(None, (source.get("load_transfer") for source in option["sources"]))]
    grid_store.reserve(db, ticket["id"], region, scheme["scheme_hash"], holds)
    actor = ctx["actor"]
    now = utcnow()
    scheme.update(signed_at=iso(now), signed_by=actor.user.username, signed_on_device=actor.device_id,
                  signer_name=args["signer_name"], signature_blob=args["signature_blob"], gps=args.get("gps"),
                  **valid_until(scheme, ctx["pack"], now))
    ticket["signed_pdf"] = signed_scheme_pdf(ticket, scheme, ctx["pack"], ctx, args, strokes_raw, strokes)


def release(ticket, ctx) -> int:
    """Give back the capacity a cancelled ticket held."""
    return grid_store.release(ctx["db"], ticket["id"], "cancelled")


def connected(ticket, args, ctx):
    """The customer is connected: its reservation stays until the next grid import carries the load."""
    grid_store.mark_connected(ctx["db"], ticket["id"])


def valid_until(scheme, pack: Pack, signed_at: datetime) -> dict:
    """The scheme's validity from the signature (the reply states it), by supply voltage."""
    rule = pack.scheme.validity_lv_days if scheme["supply_voltage_kv"] < 1 else pack.scheme.validity_hv_days
    return {"valid_until": iso(signed_at + timedelta(days=rule.value)), "validity_source": rule.source}


def write_manual(ticket, args, ctx):
    """The engineer's scheme becomes the one option, chosen and signed off by the back office."""
    scheme, now, user = ticket["scheme"], now_iso(), ctx["actor"].user.username
    cost = {**args["cost_estimate_yuan"], "customer_pays": 0}
    connection = {"asset_id": args["asset_id"], "kind": "manual", "voltage_kv": args["supply_voltage_kv"],
                  "point": args["point"], "capacity_asset_id": args["asset_id"], "route_length_m": args["route_length_m"],
                  "conductor": args["conductor"]}
    option = {"rank": 1, "connection": connection, "sources": [connection], "distance_m": None,
              "route_length_m": args["route_length_m"], "open_capacity_kva": None, "load_rate_after": None,
              "conductor": args["conductor"], "voltage_drop_pct": None, "metering": None,
              "investment_boundary": scheme.get("options") and scheme["options"][0]["investment_boundary"] or "",
              "works": args["works"], "cost_estimate_yuan": cost, "upgrade_first": False,
              "filing_instead_of_approval": False, "working_days": args["working_days"], "score": 0,
              "manual_note": args["note"]}
    scheme.update(options=[option], chosen_option=option, supply_voltage_kv=args["supply_voltage_kv"],
                  written_by=user, cosigned_at=now, cosigned_by=user,
                  scheme_hash=scheme_hash(scheme["request"], scheme["policy"]["version"], scheme["grid_version"],
                                          [option]))
    assert_no_banned_fees(scheme, ctx["pack"])


SCHEME_EFFECTS = {"propose_scheme": propose, "choose_option": choose, "cosign": cosign, "sign_scheme": sign,
                  "write_manual_scheme": write_manual, "connect": connected}


def unsettle(ticket, changes):
    """A field the scheme was built from changed: the unsigned scheme goes; a signed one stays put."""
    scheme = ticket.get("scheme")
    touched = sorted(set(changes) & set(TICKET_FIELDS))
    if not scheme or not touched:
        return
    if scheme.get("signed_at"):
        raise Problem("illegal-command", f"the customer signed the scheme; {', '.join(touched)} can no longer "
                      "change (cancel the ticket and apply again)")
    ticket["scheme"] = None


def expire_schemes(db, now, unsigned_days: int) -> dict:
    """One pass over the open tickets. A scheme proposed more than ``unsigned_days`` ago and never
    signed lapses: the grid has moved on, so the manager proposes again (it held no capacity). A
    signed scheme past its validity whose customer is not connected gives its capacity back (the
    customer needs a new scheme). The handler is told either way."""
    counts, cutoff, moment = {"expired": 0, "lapsed": 0}, iso(now - timedelta(days=unsigned_days)), iso(now)
    for ticket in ticket_store.open_tickets(db):
        scheme = ticket.get("scheme") or {}
        if scheme and not scheme.get("signed_at") and scheme["proposed_at"] < cutoff:
            tell(db, ticket, scheme, "scheme_expired", "scheme-expired",
                 f"工单 {ticket['id']} 的供电方案超过 {unsigned_days} 天未签署，已失效，请重新编制", now)
            ticket["scheme"] = None
            counts["expired"] += 1
        elif scheme.get("valid_until") and not scheme.get("lapsed_at") and scheme["valid_until"] < moment:
            if grid_store.release(db, ticket["id"], "scheme lapsed"):
                tell(db, ticket, scheme, "scheme_lapsed", "scheme-lapsed",
                     f"工单 {ticket['id']} 的供电方案已过有效期（{scheme['valid_until'][:10]}），预留容量已释放，请重新答复方案",
                     now)
            scheme["lapsed_at"] = moment
            counts["lapsed"] += 1
        else:
            continue
        ticket["updated_at"] = moment
        ticket_store.save_ticket(db, ticket)
    return counts


def tell(db, ticket, scheme, kind, key, text, now):
    """A notice to the ticket's handler, once per scheme (keyed by its hash)."""
    outbox.enqueue(db, f"{ticket['id']}:{key}:{scheme['scheme_hash']}", kind, ticket["id"], monitor.handler_of(ticket),
                   monitor.CHANNEL, {"text": text}, now)
