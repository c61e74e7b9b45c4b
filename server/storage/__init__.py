"""Write access to the store, one small module per aggregate; no SQL outside this package."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def utc_iso(text):
    """An ISO timestamp in UTC, so that stored times compare as strings."""
    return iso(datetime.fromisoformat(text).astimezone(timezone.utc)) if text else None

MAX_ROW_ID = 2**62        # well inside SQLite's 64-bit integers: ids and cursors above it cannot exist
ROW_ID = f"int(max={MAX_ROW_ID})"     # a URL converter for row ids: larger numbers are 404, not a crash
