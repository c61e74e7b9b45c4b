"""The embedded SQLite store: one file, WAL, durable commits, numbered migrations."""
import sqlite3
import threading
from collections import OrderedDict

import click
import sqlite_utils
from flask import current_app, g
from flask.cli import with_appcontext

from sync.storage import apply_migrations, migrate as migrate_sync, transaction  # noqa: F401 (one transaction)


def connect(path: str) -> sqlite_utils.Database:
    """Open the store with the settings every connection must have."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")   # an acknowledged write survives power loss
    db.execute("PRAGMA foreign_keys=ON")
    return db


POOL_PER_THREAD = 4          # databases a thread keeps open (one in production; tests make many)
_pool = threading.local()


def get_db() -> sqlite_utils.Database:
    """The request's connection: the thread's own, kept open between requests.

    Opening a connection costs its PRAGMAs, and closing the last one of a WAL database checkpoints
    it: about a millisecond per request, which a sync push of a few ops would mostly spend there.
    """
    if "db" not in g:
        g.db = pooled(current_app.config["DATABASE"])
    return g.db


def pooled(path: str) -> sqlite_utils.Database:
    connections = _pool.__dict__.setdefault("connections", OrderedDict())
    if path in connections:
        connections.move_to_end(path)
    else:
        connections[path] = connect(path)
        while len(connections) > POOL_PER_THREAD:
            connections.popitem(last=False)[1].conn.close()
    return connections[path]


def close_db(_exc=None):
    """End of a request: the connection stays with its thread, never inside a transaction."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.rollback()


def migrate(db: sqlite_utils.Database) -> int:
    """Apply the server's migrations not applied yet, then sync's own; returns the server's version."""
    version = apply_migrations(db, "server", "schema_version")
    migrate_sync(db)
    return version


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
