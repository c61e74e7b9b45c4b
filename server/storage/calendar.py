"""Calendar overrides entered by the back office, for years chinesecalendar does not know yet."""
from datetime import date

from server.workdays import WorkCalendar


def load_calendar(db) -> WorkCalendar:
    overrides = {date.fromisoformat(day): bool(workday)
                 for day, workday in db.execute("SELECT day, workday FROM calendar_days")}
    complete = [year for (year,) in db.execute("SELECT year FROM calendar_years WHERE complete = 1")]
    return WorkCalendar(overrides, complete)


def put_year(db, year, days, complete):
    """Replace the override days of ``year``."""
    db.execute("DELETE FROM calendar_days WHERE day LIKE ?", [f"{year}-%"])
    db["calendar_days"].insert_all(
        {"day": d["date"].isoformat(), "workday": int(d["workday"]), "note": d.get("note", "")} for d in days)
    db["calendar_years"].upsert({"year": year, "complete": int(complete)}, pk="year")


def get_year(db, year):
    days = [{"date": r["day"], "workday": bool(r["workday"]), "note": r["note"]}
            for r in db["calendar_days"].rows_where("day LIKE ?", [f"{year}-%"], order_by="day")]
    years = list(db["calendar_years"].rows_where("year = ?", [year]))
    return {"year": year, "complete": bool(years and years[0]["complete"]), "days": days}
