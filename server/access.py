"""Who may do what, and see which tickets, changes and regions: the one place role and scope rules live.

Views, commands, sync and queries ask here; nothing else compares a role. Scope has three sizes:
a field user (customer or project manager) sees the team's tickets, the back office its region's,
an admin everything. Reference data (grid, calendar, policy) follows the region.
"""
import json
from typing import Optional

from scheme_builder import tiles
from server.errors import Problem
from server.grid import ENGINEERING, tile_entity
from server.storage import users
from server.storage.users import User
from sync.engine import dialect

FIELD = frozenset({"customer_manager", "project_manager"})
BACKOFFICE = frozenset({"backoffice", "admin"})
EVERYONE = FIELD | BACKOFFICE
ADMIN = frozenset({"admin"})

ACTIONS = {        # what a role may do at all; which tickets and regions it applies to is scope, below
    "tickets.read": EVERYONE,
    "tickets.write": EVERYONE,
    "tickets.handle": frozenset({"customer_manager"}),    # be a ticket's manager
    "pool.grab": frozenset({"customer_manager"}),
    "scheme.preview": EVERYONE,
    "scheme.manual_queue": BACKOFFICE,
    "cosign.queue": BACKOFFICE,
    "conflicts.resolve_any": BACKOFFICE,    # others resolve only their own tickets' conflicts
    "grid.import": BACKOFFICE,
    "grid.history": BACKOFFICE,
    "calendar.read": EVERYONE,
    "calendar.override": ADMIN,             # a national-calendar override is audited, with its reason
    "devices.manage": BACKOFFICE,
    "jobs.read": BACKOFFICE,
    "dashboard.read": EVERYONE,
    "sync": EVERYONE,
    "blobs": EVERYONE,
}

COMMANDS = {       # ticket commands (server/stages.py) → the roles that may run them
    "complete_acceptance": FIELD,
    "propose_scheme": EVERYONE,
    "choose_option": EVERYONE,
    "write_manual_scheme": BACKOFFICE,
    "cosign": BACKOFFICE,
    "sign_scheme": FIELD,
    "complete_design_review": EVERYONE,
    "complete_mid_inspection": EVERYONE,
    "complete_works": FIELD,
    "connect": FIELD,
    "cancel": frozenset({"customer_manager"}) | BACKOFFICE,
}


def may(user: User, action: str) -> bool:
    return user.role in ACTIONS[action]


def require(user: User, action: str):
    """403 unless ``user``'s role may do ``action``."""
    if not may(user, action):
        needs = ", ".join(sorted(ACTIONS[action]))
        raise Problem("forbidden", f"role {user.role!r} may not do this ({action}); needs one of {needs}.")


def may_run(role: str, command: str) -> bool:
    return role in COMMANDS.get(command, ())


# ---- regions ------------------------------------------------------------------------------

def regions(user: User) -> Optional[frozenset]:
    """The regions whose grid, calendar, devices and figures ``user`` may see and change (None: all)."""
    return None if user.role == "admin" else frozenset({user.region})


def region_or_own(user: User, asked: Optional[str]) -> Optional[str]:
    """The region a region-filtered view shows: an admin's choice (None: all), anyone else's own.

    Asking for another region is a 403, not a silently different answer.
    """
    if regions(user) is None:
        return asked or None
    if asked:
        require_region(user, asked)
    return user.region


def require_region(user: User, region: str, field: str = "region"):
    allowed = regions(user)
    if allowed is not None and region not in allowed:
        raise Problem("forbidden", f"region {region!r} is outside your scope", errors={field: ["not your region"]})


# ---- tickets ------------------------------------------------------------------------------

def ticket_filter(user: User) -> tuple[str, list]:
    """SQL over the ``tickets`` table selecting the tickets ``user`` sees."""
    if user.role == "admin":
        return "1 = 1", []
    if user.role == "backoffice":
        return "region = ?", [user.region]
    return "team = ?", [user.team]


def sees_ticket(user: User, ticket) -> bool:
    if user.role == "admin":
        return True
    if user.role == "backoffice":
        return ticket["region"] == user.region
    return ticket["team"] == user.team


def may_create_for(user: User, team: str, team_region: str) -> Optional[tuple[str, str]]:
    """None when ``user`` may open a ticket for ``team``; else (field, reason)."""
    if user.role in FIELD and team != user.team:
        return "team", f"must be {user.team!r}"
    if user.role == "backoffice" and team_region != user.region:
        return "region", f"team {team!r} is in region {team_region!r}, outside yours"
    return None


def default_manager(user: User) -> Optional[str]:
    """A customer manager who opens a ticket handles it; anyone else leaves it to the team's pool."""
    return user.username if may(user, "tickets.handle") else None


def may_resolve_conflict(user: User, ticket) -> bool:
    return may(user, "conflicts.resolve_any") or ticket.get("manager") == user.username


# ---- the change feed ----------------------------------------------------------------------

def change_filter(db, user: User):
    """Which changes ``user``'s devices may ever have seen: ``scope(alias)`` → (SQL over the change
    row ``alias``, parameters).

    Field devices get the grid tiles around their team's area (the farthest supply radius beyond
    it, so every scheme inside the area can be built offline); without an area, the region's.
    """
    if user.role == "admin":
        return lambda a: ("1 = 1", [])
    if user.role == "backoffice":
        return lambda a: (f"{a}.region = ? OR {a}.region IS NULL", [user.region])
    area = users.team_area(db, user.team)
    names = area and tiles.tiles_of_bbox(tiles.expand(area, tiles.farthest_radius_m(ENGINEERING)))
    tile_params = [json.dumps([tile_entity(user.region, name) for name in names])] if area else []
    spelled = dialect(db)

    def scope(a):
        tiles_sql = f"{a}.entity_id NOT LIKE 'tile:%' OR {spelled.one_of(f'{a}.entity_id')}" if area else "1 = 1"
        return (f"({a}.entity IN ('ticket', 'evidence') AND {a}.team = ?) OR "
                f"({a}.entity = 'reference' AND ({a}.region = ? OR {a}.region IS NULL) AND ({tiles_sql}))",
                [user.team, user.region, *tile_params])
    return scope
