"""Calendar overrides: the notice of a year chinesecalendar lacks, and single-day corrections, each audited."""
import json
from datetime import date

from server.storage import iso, utcnow
from server.workdays import WorkCalendar


def load_calendar(db) -> WorkCalendar:
    overrides = {date.fromisoformat(day): bool(workday)
                 for day, workday in db.execute("SELECT day, workday FROM calendar_days")}
    complete = [year for (year,) in db.execute("SELECT year FROM calendar_years WHERE complete = 1")]
    return WorkCalendar(overrides, complete)


def put_year(db, year, days, complete, username, reason):
    """Replace the override days of ``year``."""
    db.execute("DELETE FROM calendar_days WHERE day LIKE ?", [f"{year}-%"])
    db["calendar_days"].insert_all(
        {"day": d["date"].isoformat(), "workday": int(d["workday"]), "note": d.get("note", "")} for d in days)
    db["calendar_years"].upsert({"year": year, "complete": int(complete)}, pk="year")
    change = {"complete": complete, "days": [{**d, "date": d["date"].isoformat()} for d in days]}
    audit(db, year, None, change, username, reason)


def put_day(db, day: date, workday: bool, note: str, username, reason):
    """Override one date (a local holiday, a correction of the national calendar)."""
    db.execute("INSERT OR REPLACE INTO calendar_days (day, workday, note) VALUES (?, ?, ?)",
               [day.isoformat(), int(workday), note])
    audit(db, day.year, day.isoformat(), {"workday": workday, "note": note}, username, reason)


def audit(db, year, day, change, username, reason):
    db.execute("INSERT INTO calendar_changes (at, username, year, day, change, reason) VALUES (?, ?, ?, ?, ?, ?)",
               [iso(utcnow()), username, year, day, json.dumps(change, ensure_ascii=False), reason])


def get_year(db, year):
    days = [{"date": r["day"], "workday": bool(r["workday"]), "note": r["note"]}
            for r in db["calendar_days"].rows_where("day LIKE ?", [f"{year}-%"], order_by="day")]
    years = list(db["calendar_years"].rows_where("year = ?", [year]))
    changes = [{**row, "change": json.loads(row["change"])}
               for row in db["calendar_changes"].rows_where("year = ?", [year], order_by="id",
                                                           select="at, username, day, change, reason")]
    return {"year": year, "complete": bool(years and years[0]["complete"]), "days": days, "changes": changes}
