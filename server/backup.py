"""Online backups with SQLite's backup API, and restoring one."""
import sqlite3
from datetime import datetime
from pathlib import Path


class NotABackup(ValueError):
    """The file is not a yekuo database."""


def backup(db_path: str, folder: Path, keep: int, now: datetime) -> Path:
    """A consistent copy of the live database (writers keep going); the oldest beyond ``keep`` go."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"yekuo-{now.strftime('%Y%m%dT%H%M%S')}.sqlite"
    with sqlite3.connect(db_path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    for old in sorted(folder.glob("yekuo-*.sqlite"))[:-keep]:
        old.unlink()
    return target


def restore(db_path: str, backup_file: Path) -> int:
    """Copy ``backup_file`` over the live database (page by page, under SQLite's locks)."""
    try:
        with sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True) as source:
            version = source.execute("SELECT max(version) FROM schema_version").fetchone()[0]
            with sqlite3.connect(db_path) as live:
                source.backup(live)
    except sqlite3.DatabaseError as exc:
        raise NotABackup(f"{backup_file} is not a yekuo database: {exc}") from None
    return version
