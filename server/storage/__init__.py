"""Write access to the store, one small module per aggregate; no SQL outside this package."""
import time
from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


_last_second = (None, None)


def now_iso() -> str:
    """The server's clock as stored text; formatted once a second (a push of a hundred ops stamps
    each op, change and row several times a second, and formatting is most of what that costs)."""
    global _last_second
    second = int(time.time())
    if second != _last_second[0]:
        _last_second = (second, iso(datetime.fromtimestamp(second, timezone.utc)))
    return _last_second[1]


def utc_iso(text):
    """An ISO timestamp in UTC, so that stored times compare as strings."""
    return iso(datetime.fromisoformat(text).astimezone(timezone.utc)) if text else None

MAX_ROW_ID = 2**62        # well inside SQLite's 64-bit integers: ids and cursors above it cannot exist
ROW_ID = f"int(max={MAX_ROW_ID})"     # a URL converter for row ids: larger numbers are 404, not a crash
