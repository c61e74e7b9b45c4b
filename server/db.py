"""The embedded SQLite store: one file, WAL, durable commits, numbered migrations."""
import sqlite3

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


def get_db() -> sqlite_utils.Database:
    """The request's connection, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exc=None):
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


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
