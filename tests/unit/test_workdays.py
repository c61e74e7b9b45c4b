"""Deadlines in working days of mainland China (chinesecalendar + overrides)."""
from datetime import date, datetime

import pytest

from server.workdays import CHINA, WorkCalendar


def at(y, m, d, h=10):
    return datetime(y, m, d, h, tzinfo=CHINA)


@pytest.mark.parametrize("start, days, due", [
    # National Day 2026: 1-7 October off; Friday 9 Oct, then Saturday 10 Oct is a 调休 working day
    (at(2026, 9, 30), 1, at(2026, 10, 8)),
    (at(2026, 9, 30), 2, at(2026, 10, 9)),
    (at(2026, 10, 9), 1, at(2026, 10, 10)),          # the 调休 Saturday counts
    (at(2026, 10, 10), 1, at(2026, 10, 12)),         # Sunday 11 Oct does not
    (at(2026, 10, 3), 1, at(2026, 10, 9, 0)),         # started on a holiday: the clock starts on the 8th
    (at(2026, 11, 24, 9), 0.5, at(2026, 11, 24, 21)),  # half a working day is 12 h of working-date time
    (at(2026, 11, 27, 18), 0.5, at(2026, 11, 30, 6)),  # Friday evening + half a day runs into Monday
])
def test_deadline_counts_only_working_days(start, days, due):
    deadline = WorkCalendar().add(start, days)
    assert deadline.due_at == due
    assert deadline.provisional is False


def test_year_the_package_does_not_cover_is_weekdays_and_provisional():
    deadline = WorkCalendar().add(at(2026, 12, 30), 3)
    # 31 Dec, then 1 Jan 2027 (a Friday, unknown year: counted as a weekday), then Monday 4 Jan
    assert deadline.due_at == at(2027, 1, 4)
    assert deadline.provisional is True


def test_overrides_for_a_complete_year_make_it_certain():
    calendar = WorkCalendar({date(2027, 1, 1): False}, complete_years={2027})
    deadline = calendar.add(at(2026, 12, 30), 3)
    assert deadline.due_at == at(2027, 1, 5)      # New Year's Day is off now
    assert deadline.provisional is False


def test_override_day_in_incomplete_year_is_still_provisional_elsewhere():
    calendar = WorkCalendar({date(2027, 1, 1): False})
    deadline = calendar.add(at(2026, 12, 30), 3)
    assert deadline.due_at == at(2027, 1, 5)
    assert deadline.provisional is True            # 4-5 Jan are still guessed


def test_calendar_days_ignore_holidays():
    assert WorkCalendar().add(at(2026, 9, 30), 10, "calendar").due_at == at(2026, 10, 10)


@pytest.mark.parametrize("start, days", [(at(2026, 9, 28, 15), 4.5), (at(2026, 2, 10, 8), 7), (at(2026, 12, 28), 6)])
def test_elapsed_working_days_inverts_add(start, days):
    calendar = WorkCalendar()
    assert calendar.working_days_between(start, calendar.add(start, days).due_at) == days
