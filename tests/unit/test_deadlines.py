"""Deadlines that mean something: only real limits make a ticket overdue (docs/DOMAIN.md §3).

The year-long test walks tickets of every pipeline of every pack through their stages, each stage
well within every rule that applies to it, starting on every few days of a year of Chinese working
days (holidays and 调休 included), and fails if the monitor would call any of them overdue.
"""
from datetime import datetime, timedelta, timezone

import pytest

from server import stages
from server.deadlines import compute_deadlines, leave_stage
from server.monitor import deadline_level
from server.policy import load_policy_book
from server.storage import iso
from server.workdays import WorkCalendar

BOOK = load_policy_book()
CALENDAR = WorkCalendar()
CHINA = timezone(timedelta(hours=8))
UNLIMITED_DAYS = 30      # a stage no rule limits may take long (works included): no rule is broken


def ticket_for(pack, pipeline_name, works, important, filed, zone, created):
    business = next(key for key, b in pack.business_types.items()
                    if any(t.pipeline == pipeline_name for t in b.tracks))
    track = next(t for t in pack.business_types[business].tracks if t.pipeline == pipeline_name)
    customer_class = sorted(track.customer_class)[0] if track.customer_class else "non_resident"
    reliability = sorted(track.reliability_class)[0] if track.reliability_class else (
        "level1" if important else "ordinary")
    ticket = {"business_type": business, "customer_class": customer_class, "reliability_class": reliability,
              "pipeline": pipeline_name, "zone": zone, "stage": "accepted", "created_at": iso(created),
              "stage_started_at": iso(created), "documents": []}
    if stages.needs_scheme(ticket, pack):
        ticket["scheme"] = {"signed_at": iso(created), "decision": "auto", "options": [{}],
                            "chosen_option": {"works": ["cable"] if works else [],
                                              "filing_instead_of_approval": filed}}
    return ticket


def on_time_durations(ticket, pack) -> dict:
    """Working days each planned stage takes, inside every rule that applies: 90 % of its own limit, and
    the whole process within 90 % of its limit; a stage no rule limits takes UNLIMITED_DAYS."""
    pipeline = pack.pipelines[ticket["pipeline"]]
    planned = stages.planned_stages(ticket, pack)
    limited = {}
    for rule in planned:
        ticket["stage"] = rule.stage
        stage_deadline = compute_deadlines(ticket, pack, CALENDAR)["stage"]
        limited[rule.stage] = 0.9 * stage_deadline["limit_days"] if stage_deadline else None
    with_works = pipeline.process_limit_days_with_works if stages.has_grid_works(ticket) else None
    process = with_works or pipeline.process_limit_days
    counted = [r.stage for r in planned if with_works or r.stage not in pipeline.process_excludes]
    free = [s for s in counted if limited[s] is None]
    budget = 0.9 * process.value - sum(limited[s] for s in counted if limited[s] is not None) if process else None
    durations = {}
    for rule in planned:
        if limited[rule.stage] is not None:
            durations[rule.stage] = limited[rule.stage]
        elif rule.stage in free and budget is not None:
            durations[rule.stage] = max(budget, 0) / len(free)
        else:
            durations[rule.stage] = UNLIMITED_DAYS
    ticket["stage"] = "accepted"
    return durations


def overdue_moments(pack, ticket) -> list:
    """Walk the ticket through its stages; the moments (just before each stage ends) the monitor says overdue."""
    pipeline = pack.pipelines[ticket["pipeline"]]
    found, moment = [], datetime.fromisoformat(ticket["created_at"])
    for rule in stages.planned_stages(ticket, pack):
        durations = on_time_durations(dict(ticket), pack)
        ticket["stage"] = rule.stage
        ticket["stage_started_at"] = iso(moment)
        deadlines = compute_deadlines(ticket, pack, CALENDAR)
        end = CALENDAR.add(moment, durations[rule.stage], pipeline.days_unit).due_at
        check = end - timedelta(minutes=1)
        found += [(rule.stage, name, d["due_at"], iso(check)) for name, d in deadlines.items()
                  if d and deadline_level(CALENDAR, d, check, 0.8) == "overdue"]
        leave_stage(ticket, pack, CALENDAR, iso(end))
        moment = end
    return found


CASES = [(pack_id, name) for pack_id, pack in sorted(BOOK.packs.items()) for name in sorted(pack.pipelines)
         if any(t.pipeline == name for b in pack.business_types.values() for t in b.tracks)]


@pytest.mark.parametrize("pack_id, pipeline", CASES, ids=[f"{p}:{n}" for p, n in CASES])
def test_a_ticket_on_time_by_every_rule_is_never_overdue_over_a_year(pack_id, pipeline):
    pack = BOOK.packs[pack_id]
    zones = [z.zone for z in pack.zones]
    problems = []
    for day in range(0, 365, 4):
        created = datetime(2026, 1, 1, 9, 30, tzinfo=CHINA) + timedelta(days=day, hours=(day % 3) * 3)
        for works, important, filed in ((False, False, False), (True, False, False), (True, True, True)):
            ticket = ticket_for(pack, pipeline, works, important, filed, zones[day % len(zones)], created)
            problems += overdue_moments(pack, ticket)
    assert problems == []


def test_changzhous_works_limit_only_for_short_works_filed_instead_of_approved():
    pack = BOOK.packs["changzhou-2020"]
    created = datetime(2026, 3, 2, 9, tzinfo=CHINA)
    for filed, limit in ((True, 5), (False, None)):
        ticket = {**ticket_for(pack, "hv", True, False, filed, "default", created), "stage": "grid_works"}
        stage_deadline = compute_deadlines(ticket, pack, CALENDAR)["stage"]
        assert (stage_deadline and stage_deadline["limit_days"]) == limit


def test_chongqings_30_day_works_only_in_the_pilot_zones():
    pack = BOOK.packs["chongqing-2021"]
    created = datetime(2026, 3, 2, 9, tzinfo=CHINA)
    for zone, limit in (("main_city", 30), ("west_pilot", 30), ("other", None)):
        ticket = {**ticket_for(pack, "hv_single", True, False, False, zone, created), "stage": "grid_works"}
        stage_deadline = compute_deadlines(ticket, pack, CALENDAR)["stage"]
        assert (stage_deadline and stage_deadline["limit_days"]) == limit


@pytest.mark.parametrize("pack_id, pipeline", [("jiangsu-2020", "hv"), ("shanghai-2020", "hv"), ("xihua-2022", "hv")])
def test_averages_are_never_a_tickets_deadline(pack_id, pipeline):
    pack = BOOK.packs[pack_id]
    ticket = ticket_for(pack, pipeline, False, False, False, pack.zones[0].zone, datetime(2026, 3, 2, tzinfo=CHINA))
    assert compute_deadlines(ticket, pack, CALENDAR)["process"] is None
    assert pack.pipelines[pipeline].average_target_days.value > 0


def test_the_process_clock_pauses_while_works_run():
    pack = BOOK.packs["changzhou-2020"]
    created = datetime(2026, 3, 2, 9, tzinfo=CHINA)
    ticket = {**ticket_for(pack, "hv", True, False, False, "default", created), "stage": "grid_works",
              "stage_started_at": iso(created + timedelta(hours=4))}
    assert compute_deadlines(ticket, pack, CALENDAR)["process"] is None          # the works have their own clock
    leave_stage(ticket, pack, CALENDAR, iso(created + timedelta(days=14, hours=4)))
    ticket.update(stage="connect", stage_started_at=iso(created + timedelta(days=14, hours=4)))
    process = compute_deadlines(ticket, pack, CALENDAR)["process"]
    assert process["paused_days"] == 10 and process["limit_days"] == 2
    assert process["due_at"] == iso(CALENDAR.add(created, 12).due_at)
