"""A ticket's deadlines, from its pack's real limits only (docs/DOMAIN.md §3).

- **Stage limits**: the current stage's, when the pack gives one and its condition holds
  (Changzhou's works limits only for short works filed instead of approved, 000 att. 1; Chongqing's
  30-day works only in the pilot zones, 004 m.8).
- **Whole-process limits**: a stated maximum over the stages it covers, measured without the time in
  stages with their own clock (grid-side works; Changzhou's design review and mid-inspection, which
  its total does not count), paused while they run; or, for tickets with works where the seed says
  so (Xihua ≤5), a limit that covers the works too.
- **Averages** (Jiangsu's 5/15/40, Shanghai's 60/10, Xihua's HV 16) are KPI targets for the dashboard
  (``Pipeline.average_target_days``), never a ticket's deadline: a ticket on time by every rule
  raises nothing.
"""
from datetime import datetime

from scheme_builder.pack import Pack, StageRule
from server import stages
from server.storage import iso

LIMIT_CONDITIONS = {None: lambda ticket: True,
                    "works_filed": lambda ticket: bool(chosen(ticket).get("filing_instead_of_approval"))}


def chosen(ticket) -> dict:
    return stages.scheme(ticket).get("chosen_option") or {}


def limit_applies(rule: StageRule, ticket) -> bool:
    zone_ok = rule.limit_zones is None or ticket.get("zone") in rule.limit_zones
    return rule.limit_days is not None and zone_ok and LIMIT_CONDITIONS[rule.limit_when](ticket)


def compute_deadlines(ticket, pack: Pack, calendar) -> dict:
    pipeline = pack.pipelines[ticket["pipeline"]]
    rule = next((r for r in pipeline.stages if r.stage == ticket["stage"]), None)
    stage_deadline = None
    if rule and limit_applies(rule, ticket):
        stage_deadline = deadline(calendar, ticket["stage_started_at"], rule.limit_days, pipeline.days_unit,
                                  rule.source, ticket["stage"])
    return {"stage": stage_deadline, "process": process_deadline(ticket, pipeline, calendar)}


def process_deadline(ticket, pipeline, calendar):
    """The whole-process deadline, or None when the pack states no per-ticket maximum (or works run)."""
    with_works = pipeline.process_limit_days_with_works
    if stages.has_grid_works(ticket) and with_works:
        return deadline(calendar, ticket["created_at"], with_works.value, pipeline.days_unit, with_works.source,
                        "process")
    limit = pipeline.process_limit_days
    if limit is None or ticket["stage"] in pipeline.process_excludes:
        return None
    paused = ticket.get("paused_days") or 0
    due = deadline(calendar, ticket["created_at"], limit.value + paused, pipeline.days_unit, limit.source, "process")
    return {**due, "limit_days": limit.value, "paused_days": paused}


def deadline(calendar, started_at: str, limit_days, unit, source, name) -> dict:
    due = calendar.add(datetime.fromisoformat(started_at), limit_days, unit)
    return {"stage": name, "started_at": started_at, "limit_days": limit_days, "days_unit": unit,
            "due_at": iso(due.due_at), "provisional": due.provisional, "source": source}


def leave_stage(ticket, pack: Pack, calendar, now: str):
    """Before a ticket moves on: time in a stage with its own clock (the works) pauses the process clock."""
    pipeline = pack.pipelines[ticket["pipeline"]]
    if ticket["stage"] not in pipeline.process_excludes:
        return
    start, end = datetime.fromisoformat(ticket["stage_started_at"]), datetime.fromisoformat(now)
    spent = (calendar.working_days_between(start, end) if pipeline.days_unit == "working"
             else round((end - start).total_seconds() / 86400, 3))
    ticket["paused_days"] = round((ticket.get("paused_days") or 0) + spent, 3)
