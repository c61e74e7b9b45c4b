"""Moving a SQLite installation into PostgreSQL: every table copied in key order, then checked on both
sides by row count and a digest of the rows (``flask --app wsgi migrate-to-postgres``)."""
import hashlib
import json

from sync.engine import dialect

BATCH = 1000
# Parents before children (foreign keys), each with the columns that order it; the schema version
# tables are not copied: the target has its own, from its own migrations.
TABLES = {
    "teams": ("name",), "users": ("username",), "devices": ("device_id", "username"),
    "login_failures": ("id",), "tickets": ("id",), "stage_history": ("id",), "calendar_days": ("day",),
    "calendar_years": ("year",), "calendar_changes": ("id",), "grid_snapshots": ("id",),
    "grid_assets": ("snapshot_id", "asset_id"), "grid_tiles": ("snapshot_id", "tile"), "reservations": ("id",),
    "evidence": ("id",), "conflicts": ("id",), "reference_versions": ("entity_id",), "outbox": ("id",),
    "job_runs": ("id",), "ratings": ("id",), "blob_uploads": ("hex", "username", "device_id"),
    "blob_refs": ("hex", "ticket_id"), "web_sessions": ("sid_hash",), "changes": ("change_seq",),
    "ops": ("device_id", "username", "op_id"), "device_cursors": ("device_id", "username"), "sync_meta": ("key",),
}
IDENTITIES = {"login_failures": "id", "stage_history": "id", "calendar_changes": "id", "grid_snapshots": "id",
              "reservations": "id", "evidence": "id", "conflicts": "id", "outbox": "id", "job_runs": "id",
              "ratings": "id", "changes": "change_seq"}


class NotEmpty(ValueError):
    """The target database already holds data: nothing is copied over it."""


def copy_table(source, target, table) -> int:
    """Copy ``table`` in its key order (grid assets in their file order, which PostgreSQL numbers anew)."""
    names = columns_of(source, table)
    order = dialect(source).insert_order if table == "grid_assets" else ", ".join(TABLES[table])
    insert = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    rows = source.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY {order}")
    copied = 0
    while batch := rows.fetchmany(BATCH):
        target.executemany(insert, batch)
        copied += len(batch)
    if table in IDENTITIES and copied:
        column = IDENTITIES[table]
        target.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                       f"(SELECT max({column}) FROM {table}))")
    return copied


def require_empty(target):
    filled = [table for table in TABLES if target.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()]
    if filled:
        raise NotEmpty(f"the target database already holds data in {', '.join(filled)}")


def fingerprint(db, table) -> tuple:
    """(rows, sha256 of the rows in key order): equal on both engines when the data is."""
    names = [name for name in columns_of(db, table) if not (table == "grid_assets" and name == "ordinal")]
    digest, count = hashlib.sha256(), 0
    for row in db.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY {', '.join(TABLES[table])}"):
        digest.update(json.dumps(list(row), ensure_ascii=False).encode() + b"\n")
        count += 1
    return count, digest.hexdigest()


def columns_of(db, table) -> list:
    """The table's columns on either engine (an empty select still describes them)."""
    return [column[0] for column in db.execute(f"SELECT * FROM {table} LIMIT 0").description]
