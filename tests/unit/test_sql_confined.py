"""All SQL lives in storage modules (issue 16's precondition: one place per engine to port).

Allowed: ``server/storage/`` (one module per aggregate), ``sync/storage.py`` (the sync log's own
storage), ``sync/engine.py`` (the two engines' spellings and their write lock), ``server/db.py`` (the
connection and its pragmas), ``server/backup.py`` (the SQLite file's
backup), ``sync/client.py`` (the reference handheld's own local store) and the migration files.
"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {"server/db.py", "server/backup.py", "sync/storage.py", "sync/engine.py", "sync/client.py"}
SQL = re.compile(r"""\.execute\(|["'](SELECT|INSERT|UPDATE|DELETE FROM|CREATE|BEGIN|SAVEPOINT|ROLLBACK|RELEASE|PRAGMA)\b""")


def sql_outside_storage() -> list:
    found = []
    for package in ("server", "sync", "scheme_builder", "pdf"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name in ALLOWED or name.startswith("server/storage/"):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if SQL.search(line):
                    found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_no_sql_outside_the_storage_modules():
    assert sql_outside_storage() == []


def test_the_check_finds_sql(tmp_path):
    assert SQL.search('db.execute("SELECT 1")') and SQL.search("q = 'INSERT INTO t VALUES (1)'")
    assert not SQL.search('label = "SELECTED 方案"') and not SQL.search("# we select the nearest")
