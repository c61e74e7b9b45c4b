"""The stage machine: which command is legal in which stage, for whom, and where it leads.

A ticket follows its pack's pipeline (申请受理 → … → 装表接电). Stages change only through the
commands of ``COMMANDS``; each names the stages it is legal in, the
preconditions that must hold and the stage it completes. The REST API and sync both call
:func:`check_command`, so there is one set of rules.
"""
from dataclasses import dataclass

from server import access
from scheme_builder.pack import Pack

SCHEME_STAGE = "@scheme"        # the scheme_reply stage, or acceptance where the pipeline has none
TERMINAL = ("completed", "cancelled")


class IllegalCommand(Exception):
    """The command is unknown, not legal in the current stage, not for this role, or unmet."""

    def __init__(self, detail, stage, allowed):
        super().__init__(detail)
        self.stage, self.allowed = stage, allowed


@dataclass(frozen=True)
class Command:
    name: str
    legal_in: frozenset           # stage names, SCHEME_STAGE, or "*" for any open stage
    requires: tuple = ()
    completes: frozenset = frozenset()   # stages this command finishes (the ticket moves on)
    cancels: bool = False


COMMANDS = {c.name: c for c in (
    Command("complete_acceptance", frozenset({"accepted"}),
            ("documents_accepted", "scheme_signed_in_scheme_stage"), frozenset({"accepted"})),
    Command("propose_scheme", frozenset({SCHEME_STAGE}), ("needs_scheme", "scheme_unsigned")),
    Command("choose_option", frozenset({SCHEME_STAGE}), ("scheme_unsigned", "scheme_proposed")),
    Command("write_manual_scheme", frozenset({SCHEME_STAGE}), ("scheme_unsigned", "scheme_is_manual")),
    Command("cosign", frozenset({SCHEME_STAGE}),
            ("scheme_unsigned", "scheme_chosen", "scheme_awaits_cosign")),
    Command("sign_scheme", frozenset({SCHEME_STAGE}),
            ("scheme_unsigned", "scheme_chosen", "scheme_cosigned_if_required"), frozenset({"scheme_reply"})),
    Command("complete_design_review", frozenset({"design_review"}), (),
            frozenset({"design_review"})),
    Command("complete_mid_inspection", frozenset({"mid_inspection"}), (),
            frozenset({"mid_inspection"})),
    Command("complete_works", frozenset({"grid_works"}), ("scheme_signed",), frozenset({"grid_works"})),
    Command("connect", frozenset({"connect"}), ("scheme_signed", "documents_received"),
            frozenset({"connect"})),
    Command("cancel", frozenset({"*"}), (), cancels=True),
)}


# ---- the ticket facts preconditions and optional stages read --------------------------------

def needs_scheme(ticket, pack: Pack) -> bool:
    """Connection businesses get a supply scheme; renames, tariff changes … do not."""
    return pack.business_types[ticket["business_type"]].voltage != "none"


def scheme(ticket) -> dict:
    return ticket.get("scheme") or {}


def has_grid_works(ticket) -> bool:
    chosen = scheme(ticket).get("chosen_option") or {}
    return bool(chosen.get("works"))


def is_important(ticket) -> bool:
    return ticket.get("reliability_class", "ordinary") != "ordinary"


STAGE_CONDITIONS = {None: lambda t: True, "has_grid_works": has_grid_works, "important_customer": is_important}


def planned_stages(ticket, pack: Pack) -> list:
    """The pipeline's stage rules that apply to this ticket, in order."""
    pipeline = pack.pipelines[ticket["pipeline"]]
    return [rule for rule in pipeline.stages if STAGE_CONDITIONS[rule.when](ticket)]


def scheme_stage(ticket, pack: Pack) -> str:
    names = [rule.stage for rule in pack.pipelines[ticket["pipeline"]].stages]
    return "scheme_reply" if "scheme_reply" in names else "accepted"


def missing_documents(ticket, *, waivable_ok: bool, pack: Pack) -> list:
    """Kinds not received; with ``waivable_ok``, 容缺 items with a promised date are fine."""
    def acceptable(doc):
        if doc.get("status") == "received":
            return True
        rule = pack.documents.get(doc["kind"])
        return waivable_ok and rule is not None and rule.waivable and doc.get("promised_date")
    return [doc["kind"] for doc in ticket.get("documents", []) if not acceptable(doc)]


def documents_accepted(ticket, pack):
    missing = missing_documents(ticket, waivable_ok=True, pack=pack)
    return missing and (f"documents missing (only the pack's 容缺 items may be missing, with a "
                        f"promised date): {', '.join(missing)}")


def documents_received(ticket, pack):
    missing = missing_documents(ticket, waivable_ok=False, pack=pack)
    return missing and f"documents still missing: {', '.join(missing)}"


def scheme_signed(ticket, pack):
    if needs_scheme(ticket, pack) and not scheme(ticket).get("signed_at"):
        return "the supply scheme is not signed by the customer yet"


def scheme_signed_in_scheme_stage(ticket, pack):
    if scheme_stage(ticket, pack) == ticket["stage"]:
        return scheme_signed(ticket, pack)


def scheme_proposed(ticket, pack):
    if scheme(ticket).get("decision") == "manual" and not scheme(ticket).get("options"):
        return f"no automatic scheme ({scheme(ticket).get('manual_reason')}): it is in the back office's manual queue"
    if not scheme(ticket).get("options"):
        return "no scheme has been proposed"


PRECONDITIONS = {
    "documents_accepted": documents_accepted,
    "documents_received": documents_received,
    "scheme_signed": scheme_signed,
    "scheme_signed_in_scheme_stage": scheme_signed_in_scheme_stage,
    "needs_scheme": lambda t, p: not needs_scheme(t, p) and "this business type has no supply scheme",
    "scheme_proposed": scheme_proposed,
    "scheme_is_manual": lambda t, p: scheme(t).get("decision") != "manual" and "only a manual scheme is written by hand",
    "scheme_unsigned": lambda t, p: bool(scheme(t).get("signed_at")) and "the customer has signed the scheme already",
    "scheme_chosen": lambda t, p: not scheme(t).get("chosen_option") and "no scheme option has been chosen",
    "scheme_awaits_cosign": lambda t, p: (scheme(t).get("decision") != "cosign" or scheme(t).get("cosigned_at"))
    and "the scheme does not await a co-sign",
    "scheme_cosigned_if_required": lambda t, p: (scheme(t).get("decision") == "cosign"
                                                 and not scheme(t).get("cosigned_at"))
    and "the scheme must be co-signed by the back office first",
}


# ---- the checks ----------------------------------------------------------------------------

def is_legal_here(command: Command, ticket, pack: Pack) -> bool:
    stage = ticket["stage"]
    if stage in TERMINAL:
        return False
    legal = {scheme_stage(ticket, pack) if s == SCHEME_STAGE else s for s in command.legal_in}
    return "*" in legal or stage in legal


def allowed_commands(ticket, pack: Pack, role: str) -> list:
    """Commands this role may run in the ticket's current stage (preconditions aside)."""
    return [c.name for c in COMMANDS.values() if access.may_run(role, c.name) and is_legal_here(c, ticket, pack)]


def check_command(name: str, ticket, pack: Pack, role: str) -> Command:
    """The command, if ``role`` may run it on ``ticket`` now; else :class:`IllegalCommand`."""
    stage, allowed = ticket["stage"], allowed_commands(ticket, pack, role)
    command = COMMANDS.get(name)
    if command is None or not is_legal_here(command, ticket, pack):
        raise IllegalCommand(f"{name!r} is not legal in stage {stage!r}", stage, allowed)
    if not access.may_run(role, name):
        raise IllegalCommand(f"role {role!r} may not run {name!r}", stage, allowed)
    for requirement in command.requires:
        unmet = PRECONDITIONS[requirement](ticket, pack)
        if unmet:
            raise IllegalCommand(f"{name!r} not possible yet: {unmet}", stage, allowed)
    return command


def stage_after(command: Command, ticket, pack: Pack) -> str:
    """Where the ticket goes once ``command`` has been applied (its effects included)."""
    if command.cancels:
        return "cancelled"
    if ticket["stage"] not in command.completes:
        return ticket["stage"]
    names = [rule.stage for rule in planned_stages(ticket, pack)]
    position = names.index(ticket["stage"])
    return names[position + 1] if position + 1 < len(names) else "completed"
