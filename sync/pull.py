"""Pull (docs/SYNC_PROTOCOL.md "Pull") and digest: what changed since a server cursor, in the caller's scope.

Only the latest change of each entity is sent. The page body is spliced together, as UTF-8 bytes,
from the JSON each entity already has (a ticket's stored record, a grid tile's stored features):
nothing is parsed, rendered or re-encoded per pull. ``render(rows)`` is the server's: for the
page's ``(change_seq, entity, entity_id, …)`` rows it gives ``{entity: {entity_id: JSON bytes}}`` of
what the caller may see now; an entity missing from it is sent as ``remove``.
"""
import hashlib

from sync.errors import CursorAhead, CursorExpired
from sync.storage import ChangeLog


def page(db, scope, since: int, limit: int, render) -> bytes:
    """One page as JSON: ``{"changes": […], "next": …, "more": …}``."""
    horizon = ChangeLog.horizon(db)
    if 0 < since < horizon:
        raise CursorExpired(f"cursor {since} is older than the tombstone horizon ({horizon}); pull from 0")
    rows, more = ChangeLog.page(db, scope, since, limit)
    if not rows and since > (newest := ChangeLog.newest(db)):
        raise CursorAhead(f"cursor {since} is beyond the newest change; this server never gave it",
                          {"since": [f"at most {newest}"]})
    data = render(rows)
    parts = [b'{"changes":[']
    for _seq, entity, entity_id, head in rows:
        text = data.get(entity, NOTHING).get(entity_id)
        parts += (head, UPSERT, text, b"},") if text is not None else (head, REMOVE)
    if rows:
        parts[-1] = parts[-1][:-1]         # no comma after the last change
    next_cursor = rows[-1][0] if rows else since
    parts.append(b'],"next":%d,"more":%b}' % (next_cursor, b"true" if more else b"false"))
    return b"".join(parts)               # one copy of the page, however many changes it holds


NOTHING, UPSERT, REMOVE = {}, b',"op":"upsert","data":', b',"op":"remove"},'


def digest(id_versions) -> dict:
    """sha256 over ``entity_id \\t version \\n`` lines sorted by id (docs/SYNC_PROTOCOL.md "Integrity")."""
    lines = sorted(id_versions)
    text = "".join(f"{entity_id}\t{version}\n" for entity_id, version in lines)
    return {"count": len(lines), "hash": "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()}
