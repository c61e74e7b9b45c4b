"""Calendar overrides: the notice of a year chinesecalendar lacks, and single-day corrections, each audited."""
import json
from datetime import date

from server.storage import now_iso
from server.workdays import WorkCalendar
from sync.engine import dict_rows


def load_calendar(db) -> WorkCalendar:
    overrides = {date.fromisoformat(day): bool(workday)
                 for day, workday in db.execute("SELECT day, workday FROM calendar_days")}
    complete = [year for (year,) in db.execute("SELECT year FROM calendar_years WHERE complete = 1")]
    return WorkCalendar(overrides, complete)


def put_year(db, year, days, complete, username, reason):
    """Replace the override days of ``year``."""
    db.execute("DELETE FROM calendar_days WHERE day LIKE ?", [f"{year}-%"])
    db.conn.executemany("INSERT INTO calendar_days (day, workday, note) VALUES (?, ?, ?)",
                        [(d["date"].isoformat(), int(d["workday"]), d.get("note", "")) for d in days])
    db.execute("INSERT INTO calendar_years (year, complete) VALUES (?, ?) "
               "ON CONFLICT (year) DO UPDATE SET complete = excluded.complete", [year, int(complete)])
    change = {"complete": complete, "days": [{**d, "date": d["date"].isoformat()} for d in days]}
    audit(db, year, None, change, username, reason)


def put_day(db, day: date, workday: bool, note: str, username, reason):
    """Override one date (a local holiday, a correction of the national calendar)."""
    db.execute("INSERT INTO calendar_days (day, workday, note) VALUES (?, ?, ?) "
               "ON CONFLICT (day) DO UPDATE SET workday = excluded.workday, note = excluded.note",
               [day.isoformat(), int(workday), note])
    audit(db, day.year, day.isoformat(), {"workday": workday, "note": note}, username, reason)


def audit(db, year, day, change, username, reason):
    db.execute("INSERT INTO calendar_changes (at, username, year, day, change, reason) VALUES (?, ?, ?, ?, ?, ?)",
               [now_iso(), username, year, day, json.dumps(change, ensure_ascii=False), reason])


def get_year(db, year):
    days = [{"date": r["day"], "workday": bool(r["workday"]), "note": r["note"]} for r in dict_rows(
        db.execute("SELECT day, workday, note FROM calendar_days WHERE day LIKE ? ORDER BY day", [f"{year}-%"]))]
    years = dict_rows(db.execute("SELECT complete FROM calendar_years WHERE year = ?", [year]))
    changes = [{**row, "change": json.loads(row["change"])} for row in dict_rows(db.execute(
        "SELECT at, username, day, change, reason FROM calendar_changes WHERE year = ? ORDER BY id", [year]))]
    return {"year": year, "complete": bool(years and years[0]["complete"]), "days": days, "changes": changes}
