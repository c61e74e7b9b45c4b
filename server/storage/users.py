"""Teams and users. Passwords are hashed with werkzeug (scrypt/pbkdf2), never stored in clear."""
import json
import secrets
from functools import lru_cache
from dataclasses import dataclass
from typing import Optional

from werkzeug.security import check_password_hash, generate_password_hash

from server.storage import iso, utcnow

ROLES = ("customer_manager", "project_manager", "backoffice", "admin")


class TeamRegionMismatch(ValueError):
    """A team belongs to one region; a user of another region cannot join it."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    team: str
    region: str


def add_user(db, username, password, role, team, region) -> User:
    """Create the user (and the team on first use); replaces the password if the user exists."""
    existing_team = db["teams"].get(team) if db["teams"].count_where("name = ?", [team]) else None
    if existing_team and existing_team["region"] != region:
        raise TeamRegionMismatch(f"team {team!r} belongs to region {existing_team['region']!r}")
    if not existing_team:
        db["teams"].insert({"name": team, "region": region})
    db["users"].upsert({"username": username, "password_hash": generate_password_hash(password),
                        "role": role, "team": team, "region": region, "created_at": iso(utcnow())},
                       pk="username")
    return User(username, role, team, region)


def get_user(db, username) -> Optional[User]:
    row = db.execute("SELECT username, role, team, region FROM users WHERE username = ?", [username]).fetchone()
    return User(*row) if row else None


def check_credentials(db, username, password) -> Optional[User]:
    """The user for a right password. An unknown name is checked against a dummy hash, so the answer
    takes as long as for a wrong password and timing does not tell which names exist."""
    rows = list(db["users"].rows_where("username = ?", [username]))
    stored = rows[0]["password_hash"] if rows else dummy_hash()
    if check_password_hash(stored, password) and rows:
        return to_user(rows[0])
    return None


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def usernames_in(db, region) -> list:
    return [name for (name,) in db.execute("SELECT username FROM users WHERE region = ?", [region])]


def team_region(db, team) -> Optional[str]:
    row = db.execute("SELECT region FROM teams WHERE name = ?", [team]).fetchone()
    return row[0] if row else None


def team_area(db, team):
    """The lon/lat box [west, south, east, north] the team works in, or None (its whole region)."""
    row = db.execute("SELECT area FROM teams WHERE name = ?", [team]).fetchone()
    return json.loads(row[0]) if row and row[0] else None


def set_team_area(db, team, bbox) -> bool:
    return db.execute("UPDATE teams SET area = ? WHERE name = ?",
                      [json.dumps(list(bbox)) if bbox else None, team]).rowcount == 1


def to_user(row) -> User:
    return User(row["username"], row["role"], row["team"], row["region"])


def team_members(db, team) -> list:
    return [to_user(row) for row in db["users"].rows_where("team = ?", [team], order_by="username")]
