"""Teams and users. Passwords are hashed with werkzeug (scrypt/pbkdf2), never stored in clear."""
import json
import secrets
from functools import lru_cache
from dataclasses import dataclass
from typing import Optional

from werkzeug.security import check_password_hash, generate_password_hash

from server.storage import now_iso
from sync.engine import dict_rows

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
    existing_region = team_region(db, team)
    if existing_region and existing_region != region:
        raise TeamRegionMismatch(f"team {team!r} belongs to region {existing_region!r}")
    if not existing_region:
        db.execute("INSERT INTO teams (name, region) VALUES (?, ?)", [team, region])
    db.execute("INSERT INTO users (username, password_hash, role, team, region, created_at) VALUES (?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role, "
               "team = excluded.team, region = excluded.region, created_at = excluded.created_at",
               [username, generate_password_hash(password), role, team, region, now_iso()])
    return User(username, role, team, region)


def get_user(db, username) -> Optional[User]:
    row = db.execute("SELECT username, role, team, region FROM users WHERE username = ?", [username]).fetchone()
    return User(*row) if row else None


def check_credentials(db, username, password) -> Optional[User]:
    """The user for a right password. An unknown name is checked against a dummy hash, so the answer
    takes as long as for a wrong password and timing does not tell which names exist."""
    rows = dict_rows(db.execute("SELECT * FROM users WHERE username = ?", [username]))
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
    return [to_user(row) for row in dict_rows(db.execute("SELECT * FROM users WHERE team = ? ORDER BY username",
                                                         [team]))]
