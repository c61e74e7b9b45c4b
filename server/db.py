"""The embedded SQLite store: one file, WAL, durable commits, numbered migrations."""
import sqlite3
from importlib import resources

import click
import sqlite_utils
from flask import current_app, g
from flask.cli import with_appcontext


def connect(path: str) -> sqlite_utils.Database:
    """Open the store with the settings every connection must have."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")   # an acknowledged write survives power loss
    db.execute("PRAGMA foreign_keys=ON")
    return db


def get_db() -> sqlite_utils.Database:
    """The request's connection, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exc=None):
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def migrations():
    """(number, sql) for every file in server/migrations, in order."""
    folder = resources.files("server") / "migrations"
    files = sorted(f for f in folder.iterdir() if f.name.endswith(".sql"))
    return [(int(f.name.split("_")[0]), f.read_text(encoding="utf-8")) for f in files]


def schema_version(db: sqlite_utils.Database) -> int:
    if not db["schema_version"].exists():
        return 0
    row = db.execute("SELECT max(version) FROM schema_version").fetchone()
    return row[0] or 0


def migrate(db: sqlite_utils.Database) -> int:
    """Apply the migrations not applied yet, each in its own transaction; returns the version."""
    db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)")
    current = schema_version(db)
    for number, sql in migrations():
        if number <= current:
            continue
        with transaction(db):
            for statement in split_statements(sql):
                db.execute(statement)
            db.execute("INSERT INTO schema_version VALUES (?, datetime('now'))", [number])
        current = number
    return current


def split_statements(sql: str):
    """Statements of a migration file (executescript would commit on its own)."""
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer
            buffer = ""


class transaction:
    """``with transaction(db):`` — BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any error.

    IMMEDIATE takes the write lock up front, so two writers queue instead of failing mid-way.
    Inside an open transaction it is a SAVEPOINT instead: a sync push applies each op in the same
    transaction as its log entry, and a failing op rolls back only its own effect.
    """

    def __init__(self, db: sqlite_utils.Database):
        self.db, self.savepoint = db, None

    def __enter__(self):
        if self.db.conn.in_transaction:
            self.savepoint = f"sp_{id(self)}"
            self.db.execute(f"SAVEPOINT {self.savepoint}")
        else:
            self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        if self.savepoint:
            if exc_type:
                self.db.execute(f"ROLLBACK TO {self.savepoint}")
            self.db.execute(f"RELEASE {self.savepoint}")
        else:
            self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        return False


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the database (safe to run again)."""
    version = migrate(get_db())
    click.echo(f"database {current_app.config['DATABASE']} at schema version {version}")


def init_app(app):
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
    with app.app_context():
        migrate(get_db())
