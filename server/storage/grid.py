"""Grid snapshots per region and the capacity reservations of signed schemes."""
import json

from scheme_builder import tiles
from scheme_builder.grid import extent_centre
from server.storage import now_iso
from sync.engine import dialect, utf8
from sync.storage import ChangeLog

SNAPSHOT_COLUMNS = ("id", "region", "filename", "asset_count", "imported_by", "imported_at")


def save_snapshot(db, region, features, filename, username) -> int:
    """A new numbered snapshot of ``region``; older snapshots stay for the history."""
    snapshot_id = db.execute(
        "INSERT INTO grid_snapshots (region, filename, asset_count, imported_by, imported_at) VALUES (?, ?, ?, ?, ?) "
        "RETURNING id", [region, filename, len(features), username, now_iso()]).fetchone()[0]
    texts = [json.dumps(f, ensure_ascii=False) for f in features]
    db.conn.executemany("INSERT INTO grid_assets (snapshot_id, asset_id, feature) VALUES (?, ?, ?)",
                        [(snapshot_id, f["properties"]["asset_id"], text) for f, text in zip(features, texts)])
    save_tiles(db, snapshot_id, features, texts)
    return snapshot_id


def save_tiles(db, snapshot_id, features, texts):
    """The snapshot split into tiles (``[[ordinal, feature], …]`` as JSON text) and its projection centre."""
    rows = [(snapshot_id, name, "[" + ",".join(f"[{o},{texts[o]}]" for o in ordinals) + "]")
            for name, ordinals in tiles.split(features).items()]
    db.conn.executemany("INSERT INTO grid_tiles (snapshot_id, tile, features) VALUES (?, ?, ?)", rows)
    db.execute("UPDATE grid_snapshots SET centre = ? WHERE id = ?", [json.dumps(extent_centre(features)), snapshot_id])


def untiled_snapshots(db) -> list:
    """Snapshots imported before tiles existed (tiled at start-up)."""
    return [row[0] for row in db.execute("SELECT id FROM grid_snapshots WHERE centre IS NULL")]


def tile_index(db, snapshot_id) -> dict:
    """The snapshot's projection centre and the names of its non-empty tiles."""
    centre = db.execute("SELECT centre FROM grid_snapshots WHERE id = ?", [snapshot_id]).fetchone()[0]
    names = [row[0] for row in db.execute("SELECT tile FROM grid_tiles WHERE snapshot_id = ? ORDER BY tile",
                                          [snapshot_id])]
    return {"centre": json.loads(centre), "tiles": names}


def tile_text(db, snapshot_id, name):
    """The tile's ``[[ordinal, feature], …]`` as UTF-8 JSON bytes, or None."""
    row = db.execute(f"SELECT {dialect(db).utf8('features')} FROM grid_tiles WHERE snapshot_id = ? AND tile = ?",
                     [snapshot_id, name]).fetchone()
    return utf8(row[0]) if row else None


def feature_texts(db, snapshot_id) -> list:
    return [row[0] for row in db.execute("SELECT feature FROM grid_assets WHERE snapshot_id = ? "
                                         f"ORDER BY {dialect(db).insert_order}", [snapshot_id])]


def current_snapshot(db, region):
    """The newest snapshot row of ``region``, or None."""
    row = db.execute(f"SELECT {', '.join(SNAPSHOT_COLUMNS)} FROM grid_snapshots WHERE region = ? "
                     "ORDER BY id DESC LIMIT 1", [region]).fetchone()
    return dict(zip(SNAPSHOT_COLUMNS, row)) if row else None


def list_snapshots(db, region=None) -> list:
    sql, params = f"SELECT {', '.join(SNAPSHOT_COLUMNS)} FROM grid_snapshots", []
    if region:
        sql, params = sql + " WHERE region = ?", [region]
    return [dict(zip(SNAPSHOT_COLUMNS, row)) for row in db.execute(sql + " ORDER BY id DESC", params)]


def snapshot_features(db, snapshot_id) -> list:
    return [json.loads(text) for text in feature_texts(db, snapshot_id)]


def reserved_by_asset(db, region, exclude_ticket=None, nature="load") -> dict:
    """kVA of ``nature`` (load or generation room) held per asset by signed, not yet released schemes of
    ``region``."""
    rows = db.execute("SELECT asset_id, sum(kva) FROM reservations WHERE region = ? AND released_at IS NULL "
                      "AND nature = ? AND ticket_id IS DISTINCT FROM ? GROUP BY asset_id",
                      [region, nature, exclude_ticket])
    return {asset_id: kva for asset_id, kva in rows}


def reserved_by_room(db, region) -> dict:
    """The region's reservations as devices hold them: {room: {asset_id: kVA}}, the sums
    :func:`reserved_by_asset` gives a scheme built for a ticket that holds none."""
    return {nature: reserved_by_asset(db, region, None, nature) for nature in ("load", "generation")}


def reservations_changed(db, region):
    """The region's devices are sent the new sums (reference record ``reservations:<region>``), so that a
    scheme built offline is net of what other tickets' signatures hold, as the server's is."""
    ChangeLog.record(db, "reference", f"reservations:{region}", now_iso(), region=region)


def reserve(db, ticket_id, region, scheme_hash, holds):
    """What a signature holds: ``holds`` is (asset_id, kVA, nature) of each asset; one change for the lot."""
    now = now_iso()
    db.conn.executemany("INSERT INTO reservations (ticket_id, region, asset_id, kva, scheme_hash, created_at, "
                        "nature) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [(ticket_id, region, asset_id, kva, scheme_hash, now, nature) for asset_id, kva, nature in holds])
    reservations_changed(db, region)


def release(db, ticket_id, reason) -> int:
    released = db.execute("UPDATE reservations SET released_at = ?, release_reason = ? WHERE ticket_id = ? "
                          "AND released_at IS NULL RETURNING region", [now_iso(), reason, ticket_id]).fetchall()
    for region in sorted({region for region, in released}):
        reservations_changed(db, region)
    return len(released)


def mark_connected(db, ticket_id) -> int:
    """The customer is connected: the reservation holds until an import brings the load in the peak."""
    return db.execute("UPDATE reservations SET connected_at = ? WHERE ticket_id = ? AND released_at IS NULL",
                      [now_iso(), ticket_id]).rowcount


def absorb_connected(db, region, generation_stated=()) -> list:
    """Release the reservations of connected tickets of ``region`` that an import now carries: every
    load's (the peak carries it) and a generator's on an asset whose ``generation_kva`` the file states
    (``generation_stated``). Elsewhere a connected generator's stays: it is what keeps that back-feed
    room taken while the grid data does not say what is installed."""
    absorbed = (f"region = ? AND released_at IS NULL AND connected_at IS NOT NULL AND (nature = 'load' OR "
                f"(nature = 'generation' AND {dialect(db).one_of('asset_id')}))")
    params = [region, json.dumps(sorted(generation_stated))]
    rows = db.execute(f"SELECT asset_id, ticket_id, kva FROM reservations WHERE {absorbed} "
                      "ORDER BY asset_id, ticket_id", params).fetchall()
    db.execute(f"UPDATE reservations SET released_at = ?, release_reason = 'absorbed by import' "
               f"WHERE {absorbed}", [now_iso(), *params])
    if rows:
        reservations_changed(db, region)
    return [{"asset_id": a, "ticket_id": t, "kva": k} for a, t, k in rows]


def announce_reservations(db) -> list:
    """The reservations record of each region that reserved before devices were sent them (later every
    write records its change); returns those regions."""
    regions = [region for region, in db.execute("SELECT DISTINCT region FROM reservations ORDER BY region")]
    unsent = [region for region in regions if not ChangeLog.recorded(db, "reference", f"reservations:{region}")]
    for region in unsent:
        reservations_changed(db, region)
    return unsent


def active_reservations(db, region) -> list:
    """Capacity held by signed schemes of ``region`` (to report assets that vanished in an import)."""
    rows = db.execute("SELECT asset_id, ticket_id, kva FROM reservations WHERE region = ? AND released_at IS NULL "
                      "ORDER BY asset_id, ticket_id", [region])
    return [{"asset_id": a, "ticket_id": t, "kva": k} for a, t, k in rows]

