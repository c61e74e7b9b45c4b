"""Tickets: the record as JSON plus the columns that scope and filter it, and the stage history.

Every write takes a new ``change_seq`` from ``changes``; it becomes the record's ``version``
(and later the sync pull cursor).
"""
import json

import orjson

from server.storage import iso, now_iso, utc_iso
from sync.engine import dialect, dict_rows, utf8
from sync.storage import ChangeLog


def next_change(db, entity, entity_id, op="upsert", team=None, region=None) -> int:
    """A new change_seq; ``team``/``region`` record who could see the entity then (pull scope)."""
    return ChangeLog.record(db, entity, entity_id, now_iso(), team, region, op)


def claim_number(db, ticket_id):
    """The next ticket number for a new ticket ``ticket_id``, or None when that id is taken (one
    statement: read inside the write transaction, so no other writer takes either meanwhile)."""
    return db.execute("SELECT CASE WHEN EXISTS (SELECT 1 FROM tickets WHERE id = ?) THEN NULL "
                      "ELSE coalesce(max(number), 0) + 1 END FROM tickets", [ticket_id]).fetchone()[0]


def exists(db, ticket_id) -> bool:
    return db.execute("SELECT 1 FROM tickets WHERE id = ?", [ticket_id]).fetchone() is not None


def record_of(text: str) -> dict:
    """A stored record, read by orjson (records written before it by the json module may hold what
    only that module reads back)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def get_ticket(db, ticket_id):
    row = db.execute("SELECT record FROM tickets WHERE id = ?", [ticket_id]).fetchone()
    return record_of(row[0]) if row else None


SCOPE_COLUMNS = ("id", "team", "region")


def ticket_scope(db, ticket_id):
    """The columns that say who sees a ticket (id, team, region), without reading its record. Once per
    evidence op: named here rather than read from the cursor's description (``dict_rows``), which cost
    more than the row itself (5 % of a crowd's interpreter time)."""
    row = db.execute("SELECT id, team, region FROM tickets WHERE id = ?", [ticket_id]).fetchone()
    return dict(zip(SCOPE_COLUMNS, row)) if row else None


def save_ticket(db, record) -> dict:
    """Insert or replace the record under a new version; returns it with the version set."""
    record["version"] = next_change(db, "ticket", record["id"], team=record["team"], region=record["region"])
    deadlines = record.get("deadlines", {})
    db.execute(SAVE_TICKET, [
        record["id"], record["number"], record["region"], record["team"], record.get("manager"),
        record["business_type"], record["stage"], record["version"], record["updated_at"],
        utc_iso((deadlines.get("stage") or {}).get("due_at")), utc_iso((deadlines.get("process") or {}).get("due_at")),
        scheme_queue(record), record["created_at"], orjson.dumps(record, option=orjson.OPT_SORT_KEYS).decode()])
    return record


def scheme_queue(record):
    """The back office's scheme queue the ticket's scheme waits in, if any (closed tickets are left out by
    the queries): ``manual`` (an engineer writes the scheme), ``cosign`` (chosen, to be co-signed).
    A column, so that opening a queue reads the few tickets in it, not every open ticket's record;
    migration 011 fills it for the tickets saved before."""
    scheme = record.get("scheme") or {}
    decision, chosen = scheme.get("decision"), scheme.get("chosen_option")
    if decision == "manual" and chosen is None:
        return "manual"
    if decision == "cosign" and chosen is not None and scheme.get("cosigned_at") is None:
        return "cosign"
    return None


TICKET_COLUMNS = ("id", "number", "region", "team", "manager", "business_type", "stage", "version", "updated_at",
                  "stage_due_at", "process_due_at", "scheme_queue", "created_at", "record")
SAVE_TICKET = (f"INSERT INTO tickets ({', '.join(TICKET_COLUMNS)}) VALUES ({', '.join('?' * len(TICKET_COLUMNS))}) "
               f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in TICKET_COLUMNS[1:])}")
HISTORY_COLUMNS = ("ticket_id", "command", "from_stage", "to_stage", "args", "username", "device_id", "client_time",
                   "server_time", "result")


def add_history(db, ticket_id, entry):
    row = {**entry, "ticket_id": ticket_id, "args": json.dumps(entry["args"], ensure_ascii=False)}
    db.execute(f"INSERT INTO stage_history ({', '.join(HISTORY_COLUMNS)}) "
               f"VALUES ({', '.join('?' * len(HISTORY_COLUMNS))})", [row.get(c) for c in HISTORY_COLUMNS])


def record_texts(db, changes, scope) -> dict:
    """{id: the stored record's JSON as UTF-8 bytes} of the tickets of ``changes`` (the change_seq and id
    of each one's latest change, a pull page's) in ``scope``.

    A ticket's version is the change_seq of its latest change (save_ticket takes both at once), so a
    page's tickets are one range of the version index, read in order: half the time of looking each id
    up (23 vs 46 ms per 10,000 on SQLite, 44 vs 59 on PostgreSQL). Ids the range does not give (out of
    scope: sent as ``remove``) are looked up by id."""
    spelled, wanted = dialect(db), {ticket_id for _, ticket_id in changes}
    seqs = [seq for seq, _ in changes]
    rows = db.execute(f"SELECT id, {spelled.utf8('record')} FROM tickets WHERE version BETWEEN ? AND ? "
                      f"AND ({scope[0]})", [min(seqs), max(seqs), *scope[1]])
    texts = {ticket_id: utf8(text) for ticket_id, text in rows if ticket_id in wanted}
    missing = [ticket_id for ticket_id in wanted if ticket_id not in texts]
    if missing:
        rows = db.execute(f"SELECT id, {spelled.utf8('record')} FROM tickets WHERE {spelled.one_of('id')} "
                          f"AND ({scope[0]})", [json.dumps(missing), *scope[1]])
        texts.update((ticket_id, utf8(text)) for ticket_id, text in rows)
    return texts


def get_history(db, ticket_id) -> list:
    rows = dict_rows(db.execute("SELECT * FROM stage_history WHERE ticket_id = ? ORDER BY id", [ticket_id]))
    return [{**{k: v for k, v in row.items() if k not in ("id", "ticket_id")}, "args": json.loads(row["args"])}
            for row in rows]


OPEN = "stage NOT IN ('completed', 'cancelled')"
OVERDUE = (f"{OPEN} AND ((stage_due_at IS NOT NULL AND stage_due_at < ?) "
           "OR (process_due_at IS NOT NULL AND process_due_at < ?))")
FILTER_COLUMNS = ("stage", "business_type", "manager", "team", "region")


def open_tickets(db) -> list:
    return records_where(db, ("1 = 1", []), OPEN)


def filter_sql(db, scope, filters) -> tuple[list, list]:
    """WHERE clauses and their parameters for the ticket list's and the inbox's filters.

    ``overdue`` True keeps overdue tickets and False the others; None (absent) does not filter.
    """
    where, params = [f"({scope[0]})"], list(scope[1])
    for column in FILTER_COLUMNS:
        if filters.get(column):
            where.append(f"{column} = ?")
            params.append(filters[column])
    if filters.get("updated_since"):
        where.append("updated_at >= ?")
        params.append(iso(filters["updated_since"]))
    if filters.get("overdue") is not None:
        where.append(f"({OVERDUE})" if filters["overdue"] else f"NOT ({OVERDUE})")
        params += [iso(filters["now"])] * 2
    if filters.get("due_soon"):
        where.append(f"{OPEN} AND stage_due_at BETWEEN ? AND ?")
        params += [iso(filters["now"]), iso(filters["soon"])]
    if filters.get("has_conflict"):
        where.append(dialect(db).json_true("record", "has_conflict"))
    return where, params


def list_tickets(db, scope, filters, after_number, limit) -> list:
    """Records in ``scope`` (SQL condition, params) matching ``filters``, ordered by number."""
    where, params = filter_sql(db, scope, filters)
    sql = f"SELECT record FROM tickets WHERE {' AND '.join(where)} AND number > ? ORDER BY number LIMIT ?"
    return [record_of(row[0]) for row in db.execute(sql, [*params, after_number, limit])]


MANUAL = f"{OPEN} AND scheme_queue = 'manual'"           # open, the scheme to be written by an engineer
AWAITING_COSIGN = f"{OPEN} AND scheme_queue = 'cosign'"  # open, a co-signed scheme chosen, not co-signed yet


def awaiting_cosign(db, scope) -> list:
    return records_where(db, scope, AWAITING_COSIGN)


def created_in(month, region=None) -> tuple[str, list]:
    """Tickets created in ``month`` (YYYY-MM, UTC as stored), of ``region`` when given: a range of the
    indexed ``created_at`` column, so a month costs its own tickets, not the whole history."""
    year, number = int(month[:4]), int(month[5:7])
    following = f"{year + number // 12:04d}-{number % 12 + 1:02d}"
    condition, params = "created_at >= ? AND created_at < ?", [month, following]
    if region:
        condition, params = f"{condition} AND region = ?", [*params, region]
    return condition, params


APPLICATION_FIELDS = ("customer_class", "policy_year", "pipeline", "planned_stages", "scheme.signed_at",
                      "scheme.signed_on_device", "scheme.chosen_option.cost_estimate_yuan.customer_pays")
COMPLETED_AT = ("CASE WHEN stage = 'completed' THEN (SELECT max(server_time) FROM stage_history "
                "WHERE stage_history.ticket_id = tickets.id AND to_stage = 'completed') END")


def applications_in_month(db, scope, month, region=None) -> list:
    """What the month's indicators read of each ticket in ``scope`` created in ``month``: its id, stage,
    region and creation, the process deadline (UTC), when it was connected, and APPLICATION_FIELDS of the
    record. A province's month is tens of thousands of tickets: parsing each whole record and reading each
    connected one's history took 3 s for 50,000; this reads a few fields of each in SQL."""
    condition, params = created_in(month, region)
    rows = db.execute(f"SELECT id, stage, region, created_at, process_due_at, {COMPLETED_AT}, "
                      f"{dialect(db).json_values('record', APPLICATION_FIELDS)} FROM tickets "
                      f"WHERE ({scope[0]}) AND ({condition}) ORDER BY number", [*scope[1], *params])
    return [{"id": ticket_id, "stage": stage, "region": home, "created_at": created_at, "process_due_at": due,
             "completed_at": completed, **dict(zip(APPLICATION_FIELDS, orjson.loads(values)))}
            for ticket_id, stage, home, created_at, due, completed, values in rows]


UNASSIGNED = f"{OPEN} AND manager IS NULL"
INBOX_ORDER = {"due": "coalesce(stage_due_at, '9999') ASC, number ASC", "number": "number ASC",
               "updated": "updated_at DESC"}


def manual_scheme_tickets(db, scope) -> list:
    """Open tickets in ``scope`` whose proposed scheme has decision ``manual``."""
    return records_where(db, scope, MANUAL)


def inbox(db, scope, filters, order, offset, limit) -> tuple[list, int]:
    """A page of the back office's inbox and the total count, with the inbox's filters."""
    where, params = filter_sql(db, scope, filters)
    condition = " AND ".join(f"({w})" for w in where)
    total = db.execute(f"SELECT count(*) FROM tickets WHERE {condition}", params).fetchone()[0]
    rows = db.execute(f"SELECT record FROM tickets WHERE {condition} ORDER BY {INBOX_ORDER[order]} LIMIT ? OFFSET ?",
                      [*params, limit, offset])
    return [record_of(row[0]) for row in rows], total


def records_where(db, scope, condition, params=(), order=INBOX_ORDER["number"]) -> list:
    """Records in ``scope`` that meet ``condition`` (SQL over the tickets table), in ``order``."""
    sql = f"SELECT record FROM tickets WHERE ({scope[0]}) AND ({condition}) ORDER BY {order}"
    return [record_of(row[0]) for row in db.execute(sql, [*scope[1], *params])]


def id_versions(db, scope) -> list:
    """(id, version) of every ticket in ``scope``: what a device's digest covers."""
    return db.execute(f"SELECT id, version FROM tickets WHERE {scope[0]}", scope[1]).fetchall()


def open_load(db, username) -> int:
    return db.execute(f"SELECT count(*) FROM tickets WHERE manager = ? AND {OPEN}", [username]).fetchone()[0]
