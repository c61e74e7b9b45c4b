"""Console sessions: a random id in the (signed) cookie, its digest and owner here."""
import hashlib
import secrets
from datetime import timedelta

from server.storage import iso, now_iso, utcnow


def digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def open_session(db, username) -> str:
    sid = secrets.token_urlsafe(32)
    db.execute("INSERT INTO web_sessions (sid_hash, username, created_at) VALUES (?, ?, ?)",
               [digest(sid), username, now_iso()])
    return sid


def session_user(db, sid, max_hours) -> str | None:
    """The username of a live session (not logged out, younger than ``max_hours``), else None."""
    oldest = iso(utcnow() - timedelta(hours=max_hours))
    row = db.execute("SELECT username FROM web_sessions WHERE sid_hash = ? AND created_at > ?",
                     [digest(sid), oldest]).fetchone()
    return row[0] if row else None


def close_session(db, sid):
    db.execute("DELETE FROM web_sessions WHERE sid_hash = ?", [digest(sid)])


def purge_sessions(db, max_hours) -> int:
    return db.execute("DELETE FROM web_sessions WHERE created_at <= ?",
                      [iso(utcnow() - timedelta(hours=max_hours))]).rowcount
