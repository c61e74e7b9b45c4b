"""Working days of mainland China: deadlines that count public holidays and 调休 weekends.

``chinesecalendar`` knows the State Council's holiday notices up to the year of its release. For
later years the back office enters override days (and marks a year complete); where neither knows
a day, it counts as a working day on Monday-Friday and the deadline is flagged ``provisional``:
never a crash, never silently wrong.

Time model: the stage clock runs only on working days. A limit of ``n`` working days is
``n × 24 h`` of time on working dates, from the stage's start; 0.5 is half a working day.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

import chinese_calendar

CHINA = timezone(timedelta(hours=8), "CST")   # no daylight saving since 1991
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    due_at: datetime
    provisional: bool


@lru_cache(maxsize=8192)
def national_workday(day: date):
    """chinesecalendar's answer for one date, or None for a year it does not cover.

    Computed once per date: the package finds its covered years with min()/max() over its whole
    holiday table on every call, which made deadline arithmetic the costliest part of a ticket write.
    """
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def national_year(year: int) -> bool:
    """Does chinesecalendar hold the State Council's notice for ``year``?"""
    return national_workday(date(year, 6, 1)) is not None


class WorkCalendar:
    """Is a date a working day, and is that answer certain?"""

    def __init__(self, overrides=None, complete_years=()):
        self.overrides = dict(overrides or {})          # date -> bool (True = working day)
        self.complete_years = set(complete_years)
        self.added = {}               # (start, days, unit) -> Deadline: a push's tickets share their start

    def add(self, start: datetime, days: float, unit: str = "working") -> Deadline:
        """The instant ``days`` working (or calendar) days after ``start``."""
        key = (start, days, unit)
        if key not in self.added:
            self.added[key] = self.count_from(start, days, unit)
        return self.added[key]

    def is_workday(self, day: date) -> tuple[bool, bool]:
        """(working day?, provisional?) for one date."""
        if day in self.overrides:
            return self.overrides[day], False
        national = national_workday(day)
        if national is None:
            return day.weekday() < 5, day.year not in self.complete_years
        return national, False

    def count_from(self, start: datetime, days: float, unit: str) -> Deadline:
        start = start.astimezone(CHINA)
        if unit == "calendar":
            return Deadline(start + timedelta(days=days), False)
        remaining, moment, provisional = timedelta(days=days), start, False
        while remaining > timedelta(0):
            workday, unsure = self.is_workday(moment.date())
            provisional |= unsure
            midnight = datetime.combine(moment.date() + DAY, time(), CHINA)
            if workday:
                step = min(remaining, midnight - moment)
                remaining -= step
                moment += step
            else:
                moment = midnight
        return Deadline(moment, provisional)

    def working_days_between(self, start: datetime, end: datetime) -> float:
        """Working days elapsed from ``start`` to ``end`` (the inverse of :meth:`add`)."""
        start, end = start.astimezone(CHINA), end.astimezone(CHINA)
        elapsed, moment = timedelta(0), start
        while moment < end:
            midnight = datetime.combine(moment.date() + DAY, time(), CHINA)
            step_end = min(midnight, end)
            if self.is_workday(moment.date())[0]:
                elapsed += step_end - moment
            moment = step_end
        return round(elapsed / DAY, 3)
