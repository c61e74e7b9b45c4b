"""What the protocol itself refuses. The server maps each class to one problem type (its slug);
``sync/`` builds no HTTP bodies. ``errors`` (field path → messages), when set, names the field."""


class ProtocolError(Exception):
    errors: dict = None

    def __init__(self, detail: str, errors: dict = None):
        super().__init__(detail)
        self.errors = errors


class SeqReused(ProtocolError):
    """The op's ``seq`` was already used by another op of this device (validation-error)."""


class OpIdReused(ProtocolError):
    """The device resent an ``op_id`` with another body (op-id-reused)."""


class Unstorable(ProtocolError):
    """Text that cannot be stored, integers beyond 64 bits, nesting too deep (validation-error)."""


class Unidentified(ProtocolError):
    """An op without a usable ``op_id`` and ``seq``: it cannot be logged or ordered (validation-error)."""


class CursorExpired(ProtocolError):
    """The cursor is older than the tombstone horizon: re-seed from 0 (cursor-expired)."""


class CursorAhead(ProtocolError):
    """The cursor is beyond the newest change: it was not made by this server (validation-error)."""
