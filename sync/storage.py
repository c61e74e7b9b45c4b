"""The SQL of sync's own tables: the change log, the op log with each device's cursor, the horizon.

The server hands in its connection (a ``sqlite3.Connection``, a ``sqlite_utils.Database`` or a
:class:`sync.engine.PgConnection`); every statement here is a constant string, so the engine prepares it
once per connection and the hot path never introspects the schema. ``migrate`` applies
``sync/migrations`` (numbered like the server's, versioned in their own table; PostgreSQL's in
``migrations/postgres``).
"""
import json
import sqlite3
from contextvars import ContextVar
from datetime import datetime, timezone
from importlib import resources

import orjson

from sync.engine import POSTGRES, begin_op_savepoint, begin_write, conn_of, dialect, end_op_savepoint, utf8

OP_COLUMNS = ("op_id", "device_id", "username", "seq", "type", "entity_id", "body", "body_hash", "client_time",
              "received_at", "applied_at", "status", "result")
SELECT_OP = f"SELECT {', '.join(OP_COLUMNS)} FROM ops"
# The log rows of a JSON array of op_ids of one device and user. On PostgreSQL each op_id is looked up on
# its own (LIMIT 1 keeps the subquery a lookup per element): given the choice, a planner without
# statistics on a young table, or with one device owning most rows, scans the device's whole history.
PREFETCH_OPS = {
    "sqlite": SELECT_OP + " WHERE op_id IN (SELECT value FROM json_each(?)) AND device_id = ? AND username = ?",
    "postgres": "SELECT found.* FROM json_array_elements_text(CAST(? AS json)) AS wanted(op_id) CROSS JOIN LATERAL "
                f"({SELECT_OP} WHERE device_id = ? AND username = ? AND op_id = wanted.op_id LIMIT 1) AS found"}
IN_OP_SAVEPOINT = ContextVar("in_op_savepoint", default=False)    # an op's effect is being applied


class transaction:
    """``with transaction(db):`` — a write transaction (:func:`sync.engine.begin_write`) … COMMIT, or
    ROLLBACK on any error.

    The write lock is taken up front, so two writers queue instead of failing mid-way.
    Inside an open transaction it is a SAVEPOINT instead, so a failure rolls back only its own effect;
    inside an op's own savepoint (:func:`apply_in_savepoint`) it joins that one: whatever fails there
    reaches the op's handler, which rolls the op back (a round trip saved per op on PostgreSQL).
    """

    def __init__(self, db):
        self.conn, self.savepoint, self.joined = conn_of(db), None, False

    def __enter__(self):
        if self.conn.in_transaction and IN_OP_SAVEPOINT.get():
            self.joined = True
        elif self.conn.in_transaction:
            self.savepoint = f"sp_{id(self)}"
            self.conn.execute(f"SAVEPOINT {self.savepoint}")
        else:
            begin_write(self.conn)
        return self

    def __exit__(self, exc_type, exc, tb):
        if self.joined:              # undo now, so the op's handler can still read (PostgreSQL refuses
            if exc_type:             # every statement of a transaction an error has aborted)
                self.conn.execute("ROLLBACK TO op_effect")
            return False
        if self.savepoint:
            if exc_type:
                self.conn.execute(f"ROLLBACK TO {self.savepoint}")
            self.conn.execute(f"RELEASE {self.savepoint}")
        else:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        return False


def apply_in_savepoint(conn, apply) -> dict:
    """``apply()``'s outcome; a rejected op's partial effect is rolled back, a raising one takes the chunk
    down with it."""
    begin_op_savepoint(conn)
    inside = IN_OP_SAVEPOINT.set(True)
    try:
        outcome = apply()
    except BaseException:
        conn.execute("ROLLBACK TO op_effect")
        end_op_savepoint(conn)
        raise
    finally:
        IN_OP_SAVEPOINT.reset(inside)
    if outcome["status"] == "rejected":
        conn.execute("ROLLBACK TO op_effect")
    end_op_savepoint(conn)
    return outcome


# ---- migrations -------------------------------------------------------------------------------

def split_statements(sql: str):
    """Statements of a migration file (executescript would commit on its own)."""
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer
            buffer = ""


def migration_files(package: str, engine=None):
    """(number, sql) of every ``NNN_name.sql`` in ``package``/migrations (``…/postgres`` for PostgreSQL),
    in order."""
    folder = resources.files(package) / "migrations"
    if engine is POSTGRES:
        folder = folder / "postgres"
    files = sorted(f for f in folder.iterdir() if f.name.endswith(".sql"))
    return [(int(f.name.split("_")[0]), f.read_text(encoding="utf-8")) for f in files]


def apply_migrations(db, package: str, version_table: str) -> int:
    """Apply ``package``'s migrations not applied yet, each in its own write transaction, the version read
    inside it (two servers starting at once apply each file once); the version."""
    conn = conn_of(db)
    with transaction(conn):
        conn.execute(f"CREATE TABLE IF NOT EXISTS {version_table} (version INTEGER PRIMARY KEY, applied_at TEXT)")
    current = 0
    for number, sql in migration_files(package, dialect(conn)):
        with transaction(conn):
            current = conn.execute(f"SELECT coalesce(max(version), 0) FROM {version_table}").fetchone()[0]
            if number <= current:
                continue
            for statement in split_statements(sql):
                conn.execute(statement)
            conn.execute(f"INSERT INTO {version_table} VALUES (?, ?)",
                         [number, datetime.now(timezone.utc).isoformat(timespec="seconds")])
            current = number
    return current


def migrate(db) -> int:
    return apply_migrations(db, "sync", "sync_schema_version")


# ---- the op log -------------------------------------------------------------------------------

RECORD_OP = ("INSERT INTO ops (device_id, username, op_id, seq, type, entity_id, body, body_hash, client_time, "
             "received_at, applied_at, status, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
             "ON CONFLICT (device_id, username, op_id) DO UPDATE SET entity_id = excluded.entity_id, "
             "applied_at = excluded.applied_at, status = excluded.status, result = excluded.result")

def decode_op(row) -> dict:
    op = dict(zip(OP_COLUMNS, row))
    op["body"] = json.loads(op["body"])
    op["result"] = json.loads(op["result"]) if op["result"] else None
    return op


class OpLog:
    """One device's ops (keyed by device, user and ``op_id``) and its cursor ``acked_seq``.

    Made inside the push's write transaction: nobody else writes this device's rows meanwhile, so
    the cursor and the held count are read once and kept here, and the rows ``record`` makes are
    written together (one ``executemany``: one round trip on PostgreSQL) before anything reads the
    log again and at ``flush``, which also writes the cursor back.
    """

    def __init__(self, db, device_id: str, username: str):
        self.db, self.conn, self.key = db, conn_of(db), (device_id, username)
        row = self.conn.execute("SELECT acked_seq FROM device_cursors WHERE device_id = ? AND username = ?",
                                self.key).fetchone()
        self.acked = self.stored_acked = row[0] if row else 0
        self.known, self.complete, self.pending = {}, set(), []
        self.held_count = self.conn.execute(
            "SELECT count(*) FROM ops WHERE device_id = ? AND username = ? AND status = 'held'", self.key).fetchone()[0]

    def prefetch(self, op_ids: list):
        """Read the log rows of a chunk's ops in one query; ``find`` then answers from memory.

        One lookup of the whole key per op (see ``PREFETCH_OPS``)."""
        rows = self.conn.execute(PREFETCH_OPS[dialect(self.conn).name], [json.dumps(op_ids), *self.key])
        self.known = {row[0]: decode_op(row) for row in rows}
        self.complete = set(op_ids)

    def find(self, op_id: str):
        if op_id in self.known or op_id in self.complete:
            return self.known.get(op_id)
        self.write_pending()
        row = self.conn.execute(SELECT_OP + " WHERE device_id = ? AND username = ? AND op_id = ?",
                                [*self.key, op_id]).fetchone()
        return decode_op(row) if row else None

    def seq_taken(self, seq: int) -> bool:
        """Whether an op past the cursor already waits under ``seq`` (ops up to the cursor are all done)."""
        if not self.held_count:
            return False
        self.write_pending()
        return self.conn.execute("SELECT 1 FROM ops WHERE device_id = ? AND username = ? AND status = 'held' "
                                 "AND seq = ? LIMIT 1", [*self.key, seq]).fetchone() is not None

    def record(self, op: dict, body: str, body_hash: str, status: str, result: dict, now: str, entity_id=None):
        """Insert or finish the log row of ``op`` (a held op is recorded first, finished later), under
        ``entity_id`` (the op's own unless the server said otherwise)."""
        applied = None if status == "held" else now
        self.pending.append(
            [*self.key, op["op_id"], op["seq"], (text_or_none(op.get("type")) or "")[:64], text_or_none(entity_id),
             body, body_hash, text_or_none(op.get("client_time")), now, applied, status, result_text(result)])
        if status == "held":
            self.held_count += 1
        self.known[op["op_id"]] = {"op_id": op["op_id"], "seq": op["seq"], "body": op, "body_hash": body_hash,
                                   "status": status, "result": result}

    def advance(self, seq: int, was_held: bool):
        self.acked = seq
        if was_held:
            self.held_count -= 1

    def next_held(self):
        """The held op whose turn has come (seq = acked + 1), or None."""
        if not self.held_count:
            return None
        self.write_pending()
        row = self.conn.execute(SELECT_OP + " WHERE device_id = ? AND username = ? AND seq = ? AND status = 'held'",
                                [*self.key, self.acked + 1]).fetchone()
        return decode_op(row) if row else None

    def held_seqs(self) -> list:
        if not self.held_count:
            return []
        self.write_pending()
        rows = self.conn.execute("SELECT seq FROM ops WHERE device_id = ? AND username = ? AND status = 'held' "
                                 "ORDER BY seq", self.key)
        return [row[0] for row in rows]

    def write_pending(self):
        """Write the rows ``record`` has made since the last time (a held op's row, then its finish, in order)."""
        if self.pending:
            self.conn.executemany(RECORD_OP, self.pending)
            self.pending = []

    def flush(self):
        self.write_pending()
        if self.acked != self.stored_acked:
            self.conn.execute("INSERT INTO device_cursors (device_id, username, acked_seq) VALUES (?, ?, ?) "
                              "ON CONFLICT (device_id, username) DO UPDATE SET acked_seq = excluded.acked_seq",
                              [*self.key, self.acked])
            self.stored_acked = self.acked


def result_text(result: dict) -> str:
    """An op's result as logged: by orjson (a tenth of the json module's time, which was a twentieth of an
    op's in the engine), or as ASCII escapes when it holds text orjson refuses (a lone surrogate echoed
    from a bad op)."""
    try:
        return orjson.dumps(result).decode()
    except TypeError:
        return json.dumps(result, ensure_ascii=True)


def unstorable_reason(text: str):
    """Why SQLite cannot store ``text`` as given (a NUL, a lone surrogate), or None when it can."""
    if "\x00" in text:
        return "NUL characters cannot be stored"
    if text.isascii():                      # no surrogate can hide in ASCII: skip the encoding
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "holds a lone surrogate (a cut emoji?): not valid Unicode text"
    return None


def text_or_none(value):
    """A column of a possibly malformed op: its text when SQLite can store it, else None."""
    return value if isinstance(value, str) and unstorable_reason(value) is None else None


def device_state(db, device_id: str, username: str) -> dict:
    """The device's cursor and held backlog (``GET /sync/info``)."""
    log = OpLog(db, device_id, username)
    return {"acked_seq": log.acked, "held": log.held_seqs()}


def entity_ops(db, entity_id) -> list:
    """Every op that named the entity, oldest first: the ticket's audit trail."""
    rows = conn_of(db).execute(SELECT_OP + " WHERE entity_id = ? ORDER BY received_at, seq", [entity_id])
    return [decode_op(row) for row in rows]


def client_lag_seconds(db, month: str, usernames=None):
    """Mean seconds from the device's clock to the server's receipt, over the ops of ``month`` (YYYY-MM),
    of ``usernames`` only when given."""
    spelled = dialect(db)
    who = f"AND {spelled.one_of('username')}" if usernames is not None else ""
    lag = conn_of(db).execute(
        f"SELECT avg({spelled.seconds_between('received_at', 'client_time')}) FROM ops "
        f"WHERE client_time IS NOT NULL AND substr(received_at, 1, 7) = ? {who}",
        [month, *([json.dumps(list(usernames))] if usernames is not None else [])]).fetchone()[0]
    return None if lag is None else float(lag)


# ---- the change log ---------------------------------------------------------------------------

class ChangeLog:
    """Every write's ``change_seq`` (a record's version, a pull cursor) and who could see it then."""

    @staticmethod
    def record(db, entity: str, entity_id: str, at: str, team=None, region=None, op="upsert") -> int:
        conn = conn_of(db)
        assert conn.in_transaction, "a change is recorded inside a write transaction (its order is commit order)"
        return dialect(conn).inserted(conn, "INSERT INTO changes (entity, entity_id, op, at, team, region) "
                                      "VALUES (?, ?, ?, ?, ?, ?)", [entity, entity_id, op, at, team, region], "change_seq")

    @staticmethod
    def recorded(db, entity: str, entity_id: str) -> bool:
        """Whether a change of the entity was ever recorded (a purge keeps each entity's latest)."""
        return conn_of(db).execute("SELECT 1 FROM changes WHERE entity = ? AND entity_id = ? LIMIT 1",
                                   [entity, entity_id]).fetchone() is not None

    @staticmethod
    def newest(db) -> int:
        return conn_of(db).execute("SELECT coalesce(max(change_seq), 0) FROM changes").fetchone()[0]

    @staticmethod
    def page(db, scope, since: int, limit: int) -> tuple[list, bool]:
        """(change_seq, entity, entity_id, head) of each entity whose latest change is after ``since``; more?

        Walks the log in order from ``since`` and stops after ``limit`` rows, so a full pull costs
        one pass over the log whatever the page size. An entity counts when any of its changes was
        in ``scope`` (``scope(alias)`` → SQL over the change row ``alias`` and its parameters), so one
        that left the scope still reaches those who saw it, as a ``remove``; the latest change's own
        scope is tried first, which is nearly always enough. ``head`` is the change's JSON up to its
        ``op``, as UTF-8 bytes made by the database (``{"change_seq":…,"entity":…,"entity_id":…``).
        """
        own, earlier, spelled = scope("c"), scope("s"), dialect(db)
        head = (f"'{{\"change_seq\":' || c.change_seq || ',\"entity\":' || {spelled.json_quote('c.entity')} || "
                f"',\"entity_id\":' || {spelled.json_quote('c.entity_id')}")
        sql = (f"SELECT c.change_seq, c.entity, c.entity_id, {spelled.utf8(head)} "
               "FROM changes c WHERE c.change_seq > ? "
               "AND NOT EXISTS (SELECT 1 FROM changes later WHERE later.entity = c.entity "
               "AND later.entity_id = c.entity_id AND later.change_seq > c.change_seq) "
               f"AND (({own[0]}) OR EXISTS (SELECT 1 FROM changes s WHERE s.entity = c.entity "
               f"AND s.entity_id = c.entity_id AND ({earlier[0]}){spelled.row_by_row})) ORDER BY c.change_seq LIMIT ?")
        rows = conn_of(db).execute(sql, [since, *own[1], *earlier[1], limit + 1]).fetchall()
        return [(seq, entity, entity_id, utf8(head)) for seq, entity, entity_id, head in rows[:limit]], len(rows) > limit

    @staticmethod
    def horizon(db) -> int:
        """The oldest cursor a pull still serves (set by ``purge``)."""
        row = conn_of(db).execute("SELECT value FROM sync_meta WHERE key = 'purged_below'").fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def purge(db, cutoff_iso: str) -> dict:
        """Drop the superseded changes from before ``cutoff_iso`` (the tombstone horizon).

        The horizon becomes the last change_seq before the cutoff: a device whose cursor is at least
        that has already been sent every change (and every ``remove``) the deleted rows stood for;
        an older cursor gets 410 and the device re-seeds from 0. The latest change of each entity
        is never deleted.
        """
        conn = conn_of(db)
        horizon = conn.execute("SELECT coalesce(max(change_seq), 0) FROM changes WHERE at < ?",
                               [cutoff_iso]).fetchone()[0]
        deleted = conn.execute(
            "DELETE FROM changes WHERE change_seq <= ? AND EXISTS (SELECT 1 FROM changes later WHERE later.entity = "
            "changes.entity AND later.entity_id = changes.entity_id AND later.change_seq > changes.change_seq)",
            [horizon]).rowcount
        newer = dialect(conn).greatest("CAST(sync_meta.value AS INTEGER)", "CAST(excluded.value AS INTEGER)")
        conn.execute("INSERT INTO sync_meta (key, value) VALUES ('purged_below', ?) "
                     f"ON CONFLICT (key) DO UPDATE SET value = CAST({newer} AS TEXT)", [str(horizon)])
        return {"deleted": deleted, "horizon": horizon}
