"""Push (docs/SYNC_PROTOCOL.md "Push"): apply each op once, in per-device ``seq`` order.

A push runs in one write transaction per chunk of ``CHUNK`` ops (shared with other pushes waiting
meanwhile: ``sync.group``); each op's effect sits in its own
savepoint beside its log row, and the device cursor is written once per chunk. The answer is built
only after the last commit, so every acknowledged op is durable, and a crash before a commit loses
only ops the device has not been told about (it resends them). A resent op (same device, user,
``op_id`` and body) gets its first result back as ``duplicate``; the same ``op_id`` with another
body is ``rejected`` (op-id-reused). An op past a seq gap is stored as ``held`` and applied when
the gap fills, in the push that fills it.

Each op is made ready (its logged body, the server's ``prepare``) before the write lock is taken;
only the checks against the log and the op's effect run while holding it. The server's part is an
``Applier``.
"""
import hashlib
import json
import math
from dataclasses import dataclass
from functools import partial
from typing import Callable

import orjson

from sync.errors import OpIdReused, SeqReused, Unidentified, Unstorable
from sync.group import GroupCommit, write_alone
from sync.storage import OpLog, apply_in_savepoint, unstorable_reason

CHUNK = 200                 # ops per write transaction: bounded lock hold, bounded loss on a crash
MAX_DEPTH = 16              # nesting of an op's JSON (the ticket record is 3 deep)
MAX_INT = 2**63 - 1         # SQLite's (and JSON numbers') 64-bit integers
MAX_ID = 64
SUSPECT_MARKS = ("NaN", "Infinity", "\\u0000")     # in an op's JSON text: a value to look at closely …
DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))   # … and a number
LONG_NUMBER = b"0" * 19       # that may be beyond 64 bits: 19 digits in a row (bytes.translate, no regex)


@dataclass(frozen=True)
class Device:
    """Who is pushing: the token's user and device."""
    device_id: str
    username: str


def identify(op) -> None:
    """Raise ``Unidentified`` unless the op has an ``op_id`` and a ``seq`` to log and order it by."""
    if not isinstance(op, dict):
        raise Unidentified("an op is an object", {"_op": ["an op is an object"]})
    errors, op_id, seq = {}, op.get("op_id"), op.get("seq")
    if not isinstance(op_id, str) or not 1 <= len(op_id) <= MAX_ID:
        errors["op_id"] = [f"a string of 1 to {MAX_ID} characters"]
    elif reason := unstorable_reason(op_id):
        errors["op_id"] = [reason]
    if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= MAX_INT:
        errors["seq"] = ["an integer from 1"]
    if errors:
        raise Unidentified("the op cannot be identified", errors)


def unstorable_text(text: str, path: str):
    if reason := unstorable_reason(text):
        raise Unstorable(f"{path}: {reason}", {path: [reason]})


def printable(text: str) -> str:
    """``text`` with what cannot be stored or sent escaped, to name a field in an error."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def check_storable(op: dict):
    """Raise ``Unstorable`` naming the first value that cannot be stored or compared as sent."""
    stack = [(op, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Unstorable(f"{path} is nested deeper than {MAX_DEPTH}", {path: [f"nested deeper than {MAX_DEPTH}"]})
        if isinstance(value, str):
            unstorable_text(value, path or "_op")
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int) and not -MAX_INT - 1 <= value <= MAX_INT:
            raise Unstorable(f"{path} is beyond 64-bit integers", {path: ["an integer beyond 64 bits"]})
        elif isinstance(value, float) and not math.isfinite(value):
            raise Unstorable(f"{path} is not a finite number", {path: ["not a finite number"]})
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{printable(str(key))}".lstrip(".")
                unstorable_text(str(key), child)
                stack.append((item, child, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))


def logged_body(op: dict) -> tuple[str, str, Unstorable]:
    """The op's text as logged, the hash a resend is compared by, and why it cannot be applied.

    An op holding text SQLite cannot store is logged as ASCII JSON (escapes store anything), so
    it still takes its seq and stays in the audit trail.
    """
    text, encoded = canonical_text(op)
    suspect = (encoded is None or any(mark in text for mark in SUSPECT_MARKS) or has_long_number(encoded)
               or text.count("{") + text.count("[") > MAX_DEPTH)
    body_hash = hashlib.sha256(encoded or text.encode("utf-8", "surrogatepass")).hexdigest()
    try:
        if suspect:                   # the walk names the field; most ops never need it
            check_storable(op)
    except Unstorable as exc:
        return json_text(op, ascii=True), body_hash, exc
    return text, body_hash, None


def has_long_number(text: bytes) -> bool:
    """Nineteen digits in a row: maybe a number beyond 64 bits (a tenth of a regex's time)."""
    return LONG_NUMBER in text.translate(DIGITS_AS_ZEROS)


def canonical_text(op: dict) -> tuple[str, bytes]:
    """The op as JSON with sorted keys and no spaces, and its UTF-8 (None: it holds a lone surrogate).

    orjson's when orjson writes it as sent, in a twelfth of the json module's 8 µs for a ticket. orjson
    writes a non-finite float as null, where the json module's NaN marks the op as suspect, so text
    holding a null is the json module's; so is any op orjson refuses (a lone surrogate, an integer
    beyond 64 bits). The two differ only in how some floats are spelt (1e-05, 0.00001), which
    ``same_body`` allows for."""
    try:
        encoded = orjson.dumps(op, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        encoded = None
    if encoded is not None and b"null" not in encoded:
        return encoded.decode("utf-8"), encoded
    text = json_text(op)
    try:
        return text, text.encode("utf-8")
    except UnicodeEncodeError:
        return text, None


def json_text(op: dict, ascii=False) -> str:
    """The json module's canonical text of an op (sorted keys, no spaces)."""
    return json.dumps(op, ensure_ascii=ascii, sort_keys=True, separators=(",", ":"), default=str)


def same_body(first: dict, staged: "Staged") -> bool:
    """Whether a logged op and a resend of its ``op_id`` carry the same body: the same canonical hash,
    or the same JSON value (an op logged by a version that spelt a float otherwise)."""
    return ((first["body_hash"] or logged_body(first["body"])[1]) == staged.body_hash
            or same_json(first["body"], staged.op))


def same_json(a, b) -> bool:
    """Equal as JSON values: ``true``, ``1`` and ``1.0`` differ (Python's ``==`` holds them equal)."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return a.keys() == b.keys() and all(same_json(a[key], b[key]) for key in a)
    if type(a) is list:
        return len(a) == len(b) and all(map(same_json, a, b))
    return a == b


@dataclass(frozen=True)
class Applier:
    """What the server plugs in.

    ``prepare(op)`` runs before the write lock is taken (parsing and validation, so two processes
    do that at once) and ``apply(prepared, db)`` inside it, on ``db``: the connection holding the
    lock, another request's when pushes are committed together (``sync.group``; so everything about
    the sender comes with the applier, never from the thread's request state). It returns
    ``{"status": applied|merged|conflict|rejected, …}`` and raises only for failures that must not
    consume the op (the database failing: the client retries). An outcome with ``audit_entity``
    logs the op under that entity instead of the one it names (None: under the device only), so an
    op refused for naming an entity its sender may not see leaves no trace in that entity's audit
    trail. ``problem(exc)`` turns a ``sync.errors`` exception into the problem dict a result
    carries; ``now()`` is the server time as text.
    """
    prepare: Callable
    apply: Callable
    problem: Callable
    now: Callable


@dataclass(frozen=True)
class Staged:
    """An op made ready outside the write lock: as sent, as logged, as the server prepared it."""
    op: dict
    body: str
    body_hash: str
    unstorable: Unstorable
    prepared: object

    @classmethod
    def of(cls, op, applier: Applier) -> "Staged":
        return cls(op, *logged_body(op), applier.prepare(op))


def push(db, device: Device, ops: list, applier: Applier, group: GroupCommit = None) -> dict:
    """Results of ``ops`` (each already ``identify``-ed), in seq order, after the last commit; with
    ``group``, each chunk is committed together with other pushes waiting meanwhile."""
    staged = [Staged.of(op, applier) for op in sorted(ops, key=lambda o: o["seq"])]
    results, state = [], {}
    for start in range(0, max(len(staged), 1), CHUNK):
        chunk = staged[start:start + CHUNK]
        run = partial(write_chunk, device=device, chunk=chunk, applier=applier)
        written = group.write(db, run, len(chunk)) if group else write_alone(db, run)
        results += written.pop("results")
        state = written
    return {**state, "results": results}


def write_chunk(db, device: Device, chunk: list, applier: Applier) -> dict:
    """The chunk's ops checked against the device's log and applied, inside the caller's transaction."""
    log = OpLog(db, device.device_id, device.username)
    log.prefetch([s.op["op_id"] for s in chunk])
    results = []
    for op in chunk:
        results.append(push_one(log, op, applier))
        if results[-1]["status"] not in ("held", "duplicate"):
            results += drain_held(log, applier)
    log.flush()
    return {"acked_seq": log.acked, "held": log.held_seqs(), "results": results}


def push_one(log: OpLog, staged: Staged, applier: Applier) -> dict:
    op, problem = staged.op, applier.problem
    first = log.find(op["op_id"])
    if first is not None and not same_body(first, staged):
        return rejected(op, problem(OpIdReused(
            f"op {op['op_id']} was sent before with another body; give a new op its own op_id",
            {"op_id": ["already used by another op of this device"]})))
    if first is not None and first["status"] != "held":
        return {"op_id": op["op_id"], "seq": op["seq"], "status": "duplicate", "first": first["result"]}
    if first is None and (op["seq"] <= log.acked or log.seq_taken(op["seq"])):
        return rejected(op, problem(SeqReused(f"seq {op['seq']} was already used by another op of this device",
                                              {"seq": [f"must be unique; the device is at {log.acked}"]})))
    if op["seq"] > log.acked + 1:
        if first is None:
            log.record(op, staged.body, staged.body_hash, "held", {"status": "held"}, applier.now())
        return {"op_id": op["op_id"], "seq": op["seq"], "status": "held"}
    return take_turn(log, staged, applier, was_held=first is not None)


def rejected(op, error: dict) -> dict:
    return {"op_id": op["op_id"], "seq": op["seq"], "status": "rejected", "error": error}


def drain_held(log: OpLog, applier: Applier) -> list:
    """Apply held ops whose turn has come (prepared here: they were logged in an earlier push)."""
    applied = []
    while (held := log.next_held()) is not None:
        applied.append(take_turn(log, Staged.of(held["body"], applier), applier, was_held=True))
    return applied


def take_turn(log: OpLog, staged: Staged, applier: Applier, was_held) -> dict:
    """The op whose turn it is: its effect (to a savepoint), its log row, the cursor moved on."""
    op = staged.op
    entity_id = op.get("entity_id")
    if staged.unstorable is not None:
        result = rejected(op, applier.problem(staged.unstorable))
    else:
        outcome = apply_in_savepoint(log.conn, partial(applier.apply, staged.prepared, log.db))
        entity_id = outcome.pop("audit_entity", entity_id)
        result = {"op_id": op["op_id"], "seq": op["seq"], **outcome}
    log.record(op, staged.body, staged.body_hash, result["status"], result, applier.now(), entity_id)
    log.advance(op["seq"], was_held)
    return result

