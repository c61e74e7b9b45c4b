"""Every SQLite connection the engine writes through: WAL, durable commits, statement journals in memory."""
import sqlite3

import server.db
from sync.engine import configure_sqlite

SETTINGS = {"journal_mode": "wal", "synchronous": 2, "temp_store": 2}     # FULL, MEMORY


def settings(conn) -> dict:
    return {name: conn.execute(f"PRAGMA {name}").fetchone()[0] for name in SETTINGS}


def test_the_engine_configures_a_connection(tmp_path):
    conn = configure_sqlite(sqlite3.connect(tmp_path / "engine.sqlite", isolation_level=None))
    assert settings(conn) == SETTINGS


def test_the_server_connects_with_the_engine_settings_and_foreign_keys(tmp_path):
    db = server.db.connect(str(tmp_path / "server.sqlite"))
    assert settings(db.conn) == SETTINGS
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
