"""Pull (SYNC_PROTOCOL.md "Pull") and digest: what changed since a server cursor, in the caller's scope.

Only the latest change of each entity is sent. An entity is considered when any of its changes was
ever in the caller's scope (``changes.team``/``region`` record the scope at each change), so a
ticket that left the scope comes as an explicit ``remove`` to those who could see it, and to nobody
else. ``scope`` is SQL over a change row aliased ``s`` with its parameters.
"""
import hashlib


class CursorExpired(Exception):
    """The cursor is older than the tombstone horizon: re-seed from 0."""


def changed_entities(db, scope, since: int, limit: int) -> tuple[list, bool]:
    """(entity, entity_id, change_seq) of the latest change per entity after ``since``; and whether more."""
    sql = (f"SELECT c.entity, c.entity_id, max(c.change_seq) AS last FROM changes c WHERE c.change_seq > ? "
           f"GROUP BY c.entity, c.entity_id HAVING EXISTS (SELECT 1 FROM changes s WHERE s.entity = c.entity "
           f"AND s.entity_id = c.entity_id AND ({scope[0]})) ORDER BY last LIMIT ?")
    rows = db.execute(sql, [since, *scope[1], limit + 1]).fetchall()
    return rows[:limit], len(rows) > limit


def page(db, scope, since: int, limit: int, horizon: int, render) -> dict:
    """One page of changes; ``render(entity, entity_id)`` gives the current data or None (remove)."""
    if 0 < since < horizon:
        raise CursorExpired(f"cursor {since} is older than the tombstone horizon ({horizon}); pull from 0")
    rows, more = changed_entities(db, scope, since, limit)
    changes = []
    for entity, entity_id, change_seq in rows:
        data = render(entity, entity_id)
        change = {"change_seq": change_seq, "entity": entity, "entity_id": entity_id,
                  "op": "upsert" if data is not None else "remove"}
        if data is not None:
            change["data"] = data
        changes.append(change)
    return {"changes": changes, "next": rows[-1][2] if rows else since, "more": more}


def digest(id_versions) -> dict:
    """sha256 over ``entity_id \\t version \\n`` lines sorted by id (SYNC_PROTOCOL.md "Integrity")."""
    lines = sorted(id_versions)
    text = "".join(f"{entity_id}\t{version}\n" for entity_id, version in lines)
    return {"count": len(lines), "hash": "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()}


def horizon(db) -> int:
    """The oldest cursor a pull still serves (set by ``purge``)."""
    row = db.execute("SELECT value FROM sync_meta WHERE key = 'purged_below'").fetchone()
    return int(row[0]) if row else 0


def purge(db, cutoff_iso: str) -> dict:
    """Drop the superseded changes from before ``cutoff_iso`` (the tombstone horizon).

    The horizon becomes the last change_seq before the cutoff: a device whose cursor is at least
    that has already been sent every change (and every ``remove``) the deleted rows stood for;
    an older cursor gets 410 and the device re-seeds from 0. The latest change of each entity is
    never deleted.
    """
    horizon = db.execute("SELECT coalesce(max(change_seq), 0) FROM changes WHERE at < ?", [cutoff_iso]).fetchone()[0]
    deleted = db.execute(
        "DELETE FROM changes WHERE change_seq <= ? AND EXISTS (SELECT 1 FROM changes later WHERE later.entity = "
        "changes.entity AND later.entity_id = changes.entity_id AND later.change_seq > changes.change_seq)",
        [horizon]).rowcount
    db.execute("INSERT INTO sync_meta (key, value) VALUES ('purged_below', ?) "
               "ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), excluded.value)", [horizon])
    return {"deleted": deleted, "horizon": horizon}
