"""Device tokens: one per (user, device), random, stored as a sha256 digest only."""
import hashlib
from datetime import datetime, timedelta
import secrets
import time

from server.storage import now_iso, utcnow
from sync.engine import dict_rows


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(db, username, device_id) -> str:
    """A new token for this user's device; an earlier one of the same pair stops working."""
    token = secrets.token_urlsafe(32)
    db.execute("INSERT INTO devices (device_id, username, token_hash, created_at) VALUES (?, ?, ?, ?) "
               "ON CONFLICT (device_id, username) DO UPDATE SET token_hash = excluded.token_hash, "
               "created_at = excluded.created_at, last_seen_at = NULL, revoked_at = NULL",
               [device_id, username, token_digest(token), now_iso()])
    return token


def find_token(db, token):
    """The live device row of a token, or None (unknown or revoked)."""
    rows = dict_rows(db.execute("SELECT * FROM devices WHERE token_hash = ? AND revoked_at IS NULL",
                                [token_digest(token)]))
    return rows[0] if rows else None


def expires_at(row, token_days) -> datetime:
    return datetime.fromisoformat(row["created_at"]) + timedelta(days=token_days)


SEEN_RESOLUTION_SECONDS = 60


def seen_long_ago(row) -> bool:
    """Whether the device's last sighting is worth a write: at most one a minute (each is a durable commit)."""
    seen = row.get("last_seen_at")
    return not seen or (utcnow() - datetime.fromisoformat(seen)).total_seconds() >= SEEN_RESOLUTION_SECONDS


def touch(db, row):
    """Record that the device was seen now."""
    db.execute("UPDATE devices SET last_seen_at = ? WHERE device_id = ? AND username = ?",
               [now_iso(), row["device_id"], row["username"]])


def list_devices(db, region=None):
    sql = ("SELECT d.device_id, d.username, u.team, u.region, d.created_at, d.last_seen_at, d.revoked_at "
           "FROM devices d JOIN users u ON u.username = d.username")
    params = []
    if region:
        sql, params = sql + " WHERE u.region = ?", [region]
    return [dict(zip(COLUMNS, row)) for row in db.execute(sql + " ORDER BY d.device_id", params)]


COLUMNS = ("device_id", "username", "team", "region", "created_at", "last_seen_at", "revoked_at")


def revoke_device(db, device_id, region=None) -> int:
    """Revoke every live token of the device (within ``region`` if given); returns how many."""
    sql = "UPDATE devices SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL"
    params = [now_iso(), device_id]
    if region:
        sql += " AND username IN (SELECT username FROM users WHERE region = ?)"
        params.append(region)
    return db.execute(sql, params).rowcount


def recent_failures(db, key, window_seconds) -> list:
    since = time.time() - window_seconds
    return [row[0] for row in db.execute(
        "SELECT at FROM login_failures WHERE key = ? AND at > ? ORDER BY at", [key, since])]


def record_failure(db, key):
    db.execute("INSERT INTO login_failures (key, at) VALUES (?, ?)", [key, time.time()])
