"""The store: the embedded SQLite file (WAL, durable commits) or, when ``YEKUO_DATABASE_URL`` names
one, PostgreSQL for several application servers (docs/DEPLOYMENT.md); numbered migrations for each."""
import sqlite3
import threading
from collections import OrderedDict
from urllib.parse import urlsplit, urlunsplit

import click
import sqlite_utils
from flask import current_app, g, has_request_context
from flask.cli import with_appcontext

from sync.engine import PgConnection, configure_sqlite, is_postgres_url
from sync.storage import apply_migrations, migrate as migrate_sync, transaction  # noqa: F401 (one transaction)


def connect(target: str):
    """Open the store with the settings every connection must have: a PostgreSQL URL or a SQLite path."""
    if is_postgres_url(target):
        return PgConnection(target)
    conn = sqlite3.connect(target, timeout=30, isolation_level=None, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    configure_sqlite(conn)
    db.execute("PRAGMA foreign_keys=ON")
    return db


POOL_PER_THREAD = 4          # databases a thread keeps open (one in production; tests make many)
_pool = threading.local()


def get_db():
    """The request's connection: the thread's own, kept open between requests.

    Opening a connection costs its PRAGMAs, and closing the last one of a WAL database checkpoints
    it: about a millisecond per request, which a sync push of a few ops would mostly spend there.
    """
    if "db" not in g:
        g.db = pooled(current_app.config["DATABASE"])
    return g.db


def thread_connections() -> OrderedDict:
    """This thread's open connections by database, least recently used first."""
    return _pool.__dict__.setdefault("connections", OrderedDict())


def pooled(path: str):
    connections = thread_connections()
    if path in connections:
        connections.move_to_end(path)
    else:
        connections[path] = connect(path)
        while len(connections) > POOL_PER_THREAD:
            connections.popitem(last=False)[1].conn.close()
    return connections[path]


def per_request(key, load):
    """``load()`` once per request (what a push of hundreds of ops asks again for each: the calendar, a
    team's region, a user); outside a request, every time."""
    if not has_request_context():
        return load()
    cache = g.setdefault("per_request", {})
    if key not in cache:
        cache[key] = load()
    return cache[key]


def close_pool():
    """Close this thread's pooled connections (a PostgreSQL template or a dropped database needs it)."""
    connections = thread_connections()
    while connections:
        connections.popitem()[1].conn.close()


def close_db(_exc=None):
    """End of a request: the connection stays with its thread, never inside a transaction."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.rollback()


def migrate(db) -> int:
    """Apply the server's migrations not applied yet, then sync's own; returns the server's version."""
    version = apply_migrations(db, "server", "schema_version")
    migrate_sync(db)
    return version


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the database (safe to run again)."""
    version = migrate(get_db())
    click.echo(f"database {shown(current_app.config['DATABASE'])} at schema version {version}")


def shown(target: str) -> str:
    """The database as it may be printed: a URL's password replaced by ***."""
    if not is_postgres_url(target):
        return target
    parts = urlsplit(target)
    netloc = parts.netloc if parts.password is None else parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def init_app(app):
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
    with app.app_context():
        migrate(get_db())
