"""Who is calling: bearer tokens for devices, rate-limited log-in, and the role guard for views."""
import time
from functools import wraps

from flask import current_app, g, request

from server import access
from server.db import get_db, transaction
from server.errors import Problem
from server.storage import devices, users, utcnow

BEARER_SECURITY = [{"bearerAuth": []}]


def verify_credentials(username, password) -> users.User:
    """The user for valid credentials; failures count against (username, address) and against the
    address alone, each with its limit.

    Devices (a token) and the console (a session) both log in through here.
    """
    db, config = get_db(), current_app.config
    limits = {f"{username}|{request.remote_addr}": config["LOGIN_MAX_FAILURES"],      # guessing one password
              f"ip|{request.remote_addr}": config["LOGIN_MAX_FAILURES_PER_IP"]}       # spraying many names
    for key, limit in limits.items():
        check_rate_limit(db, key, limit)
    user = users.check_credentials(db, username, password)
    if user is None:
        with transaction(db):          # the failure must be committed before the 401 goes out
            for key in limits:
                devices.record_failure(db, key)
        raise Problem("unauthorized", "Unknown user or wrong password.")
    return user


def login(username, password, device_id) -> str:
    """A device token for valid credentials."""
    user = verify_credentials(username, password)
    with transaction(get_db()):
        return devices.issue_token(get_db(), user.username, device_id)


def check_rate_limit(db, key, limit):
    window = current_app.config["LOGIN_WINDOW_SECONDS"]
    failures = devices.recent_failures(db, key, window)
    if len(failures) >= limit:
        retry_after = max(1, int(failures[-limit] + window - time.time()) + 1)
        raise Problem("rate-limited", f"{limit} failed log-ins within {window} s; try again later.",
                      headers={"Retry-After": str(retry_after)})


def authenticate():
    """Set ``g.user`` and ``g.device_id`` from the bearer token, or raise 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem("unauthorized", "Send 'Authorization: Bearer <token>' from POST /api/auth/token.",
                      headers={"WWW-Authenticate": "Bearer"})
    db = get_db()
    row = devices.find_token(db, token.strip())
    user = row and users.get_user(db, row["username"])
    if not user:
        raise Problem("unauthorized", "The token is unknown or was revoked; log in again.",
                      headers={"WWW-Authenticate": "Bearer"})
    if devices.expires_at(row, current_app.config["TOKEN_DAYS"]) <= utcnow():
        raise Problem("unauthorized", "The token has expired; log in again to renew it.",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if devices.seen_long_ago(row):
        with transaction(db):          # queues with the other writers (a bare UPDATE waits on SQLite's busy sleeps)
            devices.touch(db, row)
    g.user, g.device_id = user, row["device_id"]


def auth_required(action: str):
    """Decorator: authenticate first, then ask :mod:`server.access` whether the role may do ``action``."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            authenticate()
            access.require(g.user, action)
            return view(*args, **kwargs)
        apidoc = dict(getattr(view, "_apidoc", {}))
        apidoc["manual_doc"] = {**apidoc.get("manual_doc", {}), "security": BEARER_SECURITY}
        wrapper._apidoc = apidoc
        return wrapper
    return decorator
