"""The two storage engines behind one connection interface: SQLite, the embedded default, and
PostgreSQL for several application servers on one database (docs/DEPLOYMENT.md).

Statements are written once, with ``?`` placeholders, in the SQL both engines speak (``ON CONFLICT``,
``RETURNING``, ``IS DISTINCT FROM``); the few things they spell differently are the methods of a
:class:`Dialect`, picked by the connection. :class:`PgConnection` answers like ``sqlite3``'s
connection (``execute`` → a cursor with ``fetchone``/``fetchall``/``rowcount``), so the storage
modules hold one copy of their SQL.

Writes are serialized on both engines: SQLite by its file lock, PostgreSQL by one transaction-scoped
advisory lock taken at BEGIN (:func:`begin_write`). A change's ``change_seq`` is therefore taken and
committed before the next writer takes one: the change log's order is commit order, and a pull never
hands out a cursor past a change that may still commit (docs/SYNC_PROTOCOL.md).
"""
import sqlite3
import time
from functools import lru_cache

import psycopg
from psycopg.pq import TransactionStatus

WRITER_LOCK = 0x79656B75      # "yeku": the advisory lock every PostgreSQL write transaction holds
LOCKED_ERRORS = (sqlite3.OperationalError, psycopg.OperationalError)   # the engine, not the op, failed


def conn_of(db):
    """The DB-API connection under a ``sqlite_utils.Database`` (or the connection itself)."""
    return getattr(db, "conn", db)


class Dialect:
    """SQLite's spelling; :class:`PostgresDialect` overrides what PostgreSQL spells otherwise."""
    name = "sqlite"
    insert_order = "rowid"                        # the order rows were inserted in
    row_by_row = ""                               # ends a subquery to be probed per outer row, never hashed

    def one_of(self, column: str, integers=False) -> str:
        """``column`` is one of the elements of a JSON array parameter (text, or integers)."""
        return f"{column} IN (SELECT value FROM json_each(?))"

    def json_field(self, column: str, *keys: str) -> str:
        """The JSON value at ``keys`` of a JSON text column (a string, a number, or NULL)."""
        return f"json_extract({column}, '$.{'.'.join(keys)}')"

    def json_true(self, column: str, *keys: str) -> str:
        return f"{self.json_field(column, *keys)} = 1"

    def json_values(self, column: str, paths) -> str:
        """A JSON array of the values at ``paths`` (dotted, two or more) of a JSON text column, the text
        parsed once per row (each ``json_field`` parses it again)."""
        return f"json_extract({column}, {', '.join(repr('$.' + path) for path in paths)})"

    def json_quote(self, expression: str) -> str:
        return f"json_quote({expression})"

    def utf8(self, expression: str) -> str:
        """Text as its UTF-8 bytes, to splice into a response without decoding (read it with :func:`utf8`)."""
        return f"CAST({expression} AS BLOB)"

    def seconds_between(self, later: str, earlier: str) -> str:
        return f"(julianday({later}) - julianday({earlier})) * 86400"

    def greatest(self, *expressions: str) -> str:
        return f"max({', '.join(expressions)})"

    def inserted(self, conn, insert: str, params, key: str) -> int:
        """Run ``insert`` (one row) and give the row's integer primary key ``key``: SQLite's rowid,
        without RETURNING, which costs a SQLite insert half as much again (a change: 4.8 → 9.2 µs)."""
        return conn.execute(insert, params).lastrowid


class PostgresDialect(Dialect):
    name = "postgres"
    insert_order = "ordinal"
    # PostgreSQL may turn a correlated EXISTS into a hash of every row the subquery could match, built
    # once per statement: a scan of a whole table for a check that a few rows need. OFFSET 0 keeps it a probe.
    row_by_row = " OFFSET 0"

    def one_of(self, column, integers=False):
        """An array compared once (an index condition), not a set-returning function joined row by row:
        before the planner's statistics know a table's size, it may rerun such a function per row."""
        return (f"{column} = ANY(ARRAY(SELECT CAST(json_array_elements_text(CAST(? AS json)) "
                f"AS {'bigint' if integers else 'text'})))")

    def json_field(self, column, *keys):
        return f"(CAST({column} AS json) #>> '{{{','.join(keys)}}}')"

    def json_true(self, column, *keys):
        return f"{self.json_field(column, *keys)} = 'true'"

    def json_values(self, column, paths):
        """Parsed once to jsonb (OFFSET 0 keeps the planner from copying the cast into each path)."""
        values = ", ".join(f"doc #> '{{{path.replace('.', ',')}}}'" for path in paths)
        return (f"(SELECT CAST(json_build_array({values}) AS text) "
                f"FROM (SELECT CAST({column} AS jsonb) AS doc OFFSET 0) AS one)")

    def json_quote(self, expression):
        return f"CAST(to_json({expression}) AS text)"

    def utf8(self, expression):
        return f"convert_to({expression}, 'UTF8')"     # bytea, sent as is: results are in binary format

    def seconds_between(self, later, earlier):
        return f"extract(epoch FROM CAST({later} AS timestamptz) - CAST({earlier} AS timestamptz))"

    def greatest(self, *expressions):
        return f"greatest({', '.join(expressions)})"

    def inserted(self, conn, insert, params, key):
        return conn.execute(f"{insert} RETURNING {key}", params).fetchone()[0]


SQLITE, POSTGRES = Dialect(), PostgresDialect()


def dialect(db) -> Dialect:
    return getattr(conn_of(db), "dialect", SQLITE)


@lru_cache(maxsize=4096)
def pg_sql(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (and a literal ``%`` doubled), outside quoted text."""
    out, quoted = [], False
    for char in sql:
        if char == "'":
            quoted = not quoted
        if char == "?" and not quoted:
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


class PgConnection:
    """A psycopg connection in autocommit mode that answers like ``sqlite3``'s with
    ``isolation_level=None``: BEGIN/COMMIT are statements, ``in_transaction`` says whether one is open.
    Statements run often are prepared by psycopg on the server (its ``prepare_threshold``). Results
    come in binary format: the same Python values, and a stored JSON text selected as bytea
    (:meth:`PostgresDialect.utf8`) arrives as its bytes, neither hex-escaped nor decoded and encoded again."""
    dialect = POSTGRES

    def __init__(self, url: str):
        self.raw = psycopg.connect(url, autocommit=True)
        self.conn = self              # as a sqlite_utils.Database's ``.conn``
        self.op_savepoint_open = False      # see begin_op_savepoint

    def execute_batch(self, sql: str):
        """Several statements without parameters in one round trip (the simple query protocol)."""
        self.raw.execute(sql)

    def execute(self, sql: str, params=()):
        cursor = self.raw.cursor()
        cursor.execute(pg_sql(sql), [without_nul(p) for p in params], binary=True)
        return cursor

    def executemany(self, sql: str, rows):
        cursor = self.raw.cursor()
        cursor.executemany(pg_sql(sql), [[without_nul(p) for p in row] for row in rows])
        return cursor

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def rollback(self):
        if self.in_transaction:
            self.raw.execute("ROLLBACK")

    def close(self):
        self.raw.close()


def without_nul(value):
    """PostgreSQL's text cannot hold NUL: U+FFFD takes its place. Writes never carry one (the input checks
    refuse it and JSON escapes it), so this only touches lookups — a name or an id with a NUL, which
    find nothing, as on SQLite where no stored key holds one."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) and "\x00" in value else value


def configure_sqlite(conn: sqlite3.Connection) -> sqlite3.Connection:
    """The settings every SQLite connection the sync engine writes through needs: WAL (readers never
    wait for the writer), a durable commit (an acknowledged op survives power loss), and statement
    journals in memory. Each op is applied under a savepoint, whose journal holds every page the
    transaction changes; past 64 KiB SQLite moves it to a temporary file, which made each of a
    ``ticket.create``'s inserts two to three times slower (the ticket's 8.6 → 22.5 µs: a push of 100
    ``ticket.create`` ops 180 → 148 µs of CPU an op)."""
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "temp_store=MEMORY"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def is_postgres_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def begin_write(conn):
    """Open a write transaction that no other writer shares: on PostgreSQL BEGIN and the writers'
    advisory lock (released at COMMIT or ROLLBACK), on SQLite BEGIN IMMEDIATE.

    Every SQLite writer polls the file lock itself, whichever process it is in (a process-wide queue in
    front of it let one process's writers hand the lock on among themselves while the other worker's
    one poller slept: starvation past the busy timeout).
    """
    if dialect(conn) is POSTGRES:
        conn.op_savepoint_open = False          # a new transaction has none, however the last one ended
        conn.execute_batch(f"BEGIN; SELECT pg_advisory_xact_lock({WRITER_LOCK})")
    else:
        begin_immediate(conn)


def begin_op_savepoint(conn):
    """The savepoint an op's effect is applied under. On PostgreSQL the previous op's is released only
    now, in the same round trip (one fewer per op): statements between two ops run inside the earlier
    op's savepoint, which is never rolled back once the op is done, and at most one stays open."""
    if dialect(conn) is POSTGRES and conn.op_savepoint_open:
        conn.execute_batch("RELEASE op_effect; SAVEPOINT op_effect")
    else:
        conn.execute("SAVEPOINT op_effect")


def end_op_savepoint(conn):
    """The op is done: released now on SQLite, with the next op's savepoint or the transaction's end on
    PostgreSQL (whose note of it begin_write clears)."""
    if dialect(conn) is POSTGRES:
        conn.op_savepoint_open = True
    else:
        conn.execute("RELEASE op_effect")


def begin_immediate(conn: sqlite3.Connection):
    """BEGIN IMMEDIATE, retried every 0.2–1 ms while another writer holds the lock.

    SQLite's own busy handler sleeps up to 100 ms between tries, so a queue of writers waits on
    sleeps rather than on each other; polling briefly keeps a short write's latency short, and the
    lock is not left idle between two processes' turns (pushes poll once per process and group:
    sync/group.py). The connection's busy timeout is the deadline, and is back in force for
    everything else.
    """
    timeout_ms = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    deadline, delay = time.monotonic() + timeout_ms / 1000, 0.0002
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 1.5, 0.001)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")


def utf8(value) -> bytes:
    """A column selected with ``Dialect.utf8`` as bytes, whichever engine answered."""
    return value if isinstance(value, bytes) else value.encode("utf-8")


def dict_rows(cursor) -> list:
    """The cursor's rows as dicts keyed by column name."""
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
