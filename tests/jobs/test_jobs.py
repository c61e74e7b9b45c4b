"""Scheduled work with a controlled clock: deadline warnings and escalations, no duplicates after a
restart, a holiday in the way, progress pushes, heavy-load notices, one run per slot, backups."""
import json
import sqlite3
from pathlib import Path
from datetime import datetime, timedelta, timezone

import pytest

from server import create_app
from server.db import get_db, transaction
from server.jobs import run_job
from server.notifications import LogSender, deliver
from server.policy import load_policy_book
from server.storage import outbox, tickets as store
from server.storage.calendar import load_calendar
from server.tickets import refresh
from tests.conftest import sqlite_only
from tests.factories import make_grid, make_ticket, strokes, transformer

CST = timezone(timedelta(hours=8))
BOOK = load_policy_book()


def start_stage_at(app, ticket_id, started: datetime) -> dict:
    """Put the ticket's current stage (and the process) at ``started`` and recompute its deadlines."""
    with app.app_context():
        db = get_db()
        record = store.get_ticket(db, ticket_id)
        record["stage_started_at"] = record["created_at"] = started.isoformat()
        refresh(record, BOOK.get(record["region"], record["policy_year"]), load_calendar(db))
        with transaction(db):
            store.save_ticket(db, record)
        return record["deadlines"]["stage"]


def another_process(app):
    """The same installation as another server process sees it (a restart, a second server)."""
    return create_app({"TESTING": True, "DATA_DIR": app.config["DATA_DIR"], "DATABASE": app.config["DATABASE"]})


def notices(app, kind_prefix="deadline"):
    with app.app_context():
        return [n for n in outbox.notices(get_db()) if n["kind"].startswith(kind_prefix)]


def run(app, name, now):
    with app.app_context():
        return run_job(get_db(), app.config, name, now)


@pytest.fixture
def ticket(api):
    body = make_ticket()
    assert api.post("/api/tickets", "cm_a", json=body).status_code == 201
    return body["id"]


def test_warning_at_80_percent_then_escalation_and_no_duplicates_after_restart(app, ticket):
    deadline = start_stage_at(app, ticket, datetime(2026, 11, 24, 9, 0, tzinfo=CST))    # a Tuesday
    started, due = datetime.fromisoformat(deadline["started_at"]), datetime.fromisoformat(deadline["due_at"])
    warn_at = started + (due - started) * 0.8           # no non-working date inside this half day
    run(app, "deadline_monitor", warn_at - timedelta(minutes=5))
    assert notices(app) == []
    run(app, "deadline_monitor", warn_at + timedelta(minutes=1))
    (warning,) = notices(app)
    assert warning["kind"] == "deadline_warning" and warning["recipient"] == "cm_a"
    restarted = another_process(app)
    run(restarted, "deadline_monitor", warn_at + timedelta(minutes=30))
    assert len(notices(restarted)) == 1
    run(restarted, "deadline_monitor", due + timedelta(minutes=1))
    overdue = [n for n in notices(restarted) if n["kind"] == "deadline_overdue"]
    assert sorted(n["recipient"] for n in overdue) == ["backoffice:changzhou", "cm_a"]
    assert "超期" in overdue[0]["payload"]["text"]


def test_a_holiday_pushes_the_warning_back(app, ticket):
    deadline = start_stage_at(app, ticket, datetime(2025, 9, 30, 16, 0, tzinfo=CST))   # eve of National Day
    started = datetime.fromisoformat(deadline["started_at"])
    naive_warn = started + timedelta(days=deadline["limit_days"] * 0.8)
    run(app, "deadline_monitor", naive_warn + timedelta(days=3))                          # Oct 3-4: holiday
    assert notices(app) == []
    with app.app_context():
        warn_at = load_calendar(get_db()).add(started, deadline["limit_days"] * 0.8).due_at
    assert warn_at.astimezone(CST).date() > datetime(2025, 10, 8).date()                 # after the holiday
    run(app, "deadline_monitor", warn_at + timedelta(minutes=1))
    assert [n["kind"] for n in notices(app)] == ["deadline_warning"]


def test_one_run_per_slot_even_from_two_processes(app):
    now = datetime(2026, 11, 24, 10, 2, tzinfo=timezone.utc)
    other = another_process(app)
    assert run(app, "deadline_monitor", now) is not None
    assert run(other, "deadline_monitor", now + timedelta(minutes=1)) is None          # same 5-minute slot
    assert run(other, "deadline_monitor", now + timedelta(minutes=5)) is not None


def test_progress_is_pushed_to_the_customer_at_each_stage(api, app):
    body = make_ticket(business_type="hv_new", capacity_kw=None, capacity_kva=630,
                       documents=[{"kind": "subject_proof", "status": "received"},
                                  {"kind": "property_proof", "status": "received"}])
    api.post("/api/tickets", "cm_a", json=body)
    api.command(body["id"], "cm_a", "complete_acceptance")
    pushes = notices(app, "progress")
    assert [n["payload"]["stage"] for n in pushes] == ["accepted", "scheme_reply"]
    assert {n["recipient"] for n in pushes} == {"customer:13912345678"}


def test_heavy_load_notices_after_an_import(api, app):
    grid = make_grid(transformer("TX-OK", 0, 0, rating_kva=630, peak_kva=300),
                     transformer("TX-HOT", 50, 0, rating_kva=400, peak_kva=380))
    response = api.post("/api/grid/imports", "bo_cz", data=json.dumps(grid), content_type="application/json")
    assert response.json["snapshots"][0]["heavy_load_notices"] == 1
    (notice,) = notices(app, "heavy")
    assert notice["payload"]["asset_id"] == "TX-HOT" and notice["recipient"] == "backoffice:changzhou"


def test_delivery_marks_sent_and_keeps_failures_for_retry(app, ticket):
    class Broken:
        def send(self, notice):
            raise ConnectionError("gateway down")

    with app.app_context():
        db = get_db()
        assert deliver(db, {"log": Broken()}) == {"sent": 0, "failed": 1}
        assert deliver(db, {"log": LogSender()}) == {"sent": 1, "failed": 0}
        assert deliver(db, {"log": LogSender()}) == {"sent": 0, "failed": 0}
        (notice,) = outbox.notices(db)
        assert notice["attempts"] == 2 and notice["sent_at"] and notice["last_error"] == "gateway down"


@sqlite_only("the nightly backup copies the SQLite file (PostgreSQL has pg_dump)")
def test_backup_keeps_n_copies_and_restore_brings_the_data_back(app, api, ticket):
    app.config["BACKUP_KEEP"] = 2
    for day in (24, 25, 26):
        run(app, "backup", datetime(2026, 11, day, 2, 0, tzinfo=timezone.utc))
    assert run(app, "backup", datetime(2026, 11, 26, 3, 0, tzinfo=timezone.utc)) is None     # one per day
    backups = sorted((Path(app.config["DATA_DIR"]) / "backups").glob("*.sqlite"))
    assert [b.name for b in backups] == ["yekuo-20261125T020000.sqlite", "yekuo-20261126T020000.sqlite"]
    later = make_ticket()
    api.post("/api/tickets", "cm_a", json=later)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["restore", str(backups[-1]), "--yes"])
    assert result.exit_code == 0, result.output
    assert api.get(f"/api/tickets/{later['id']}", "cm_a").status_code == 404
    assert api.get(f"/api/tickets/{ticket}", "cm_a").status_code == 200
    junk = backups[-1].with_name("junk.sqlite")
    junk.write_bytes(b"not sqlite at all" * 100)
    assert runner.invoke(args=["restore", str(junk), "--yes"]).exit_code == 1
    with sqlite3.connect(app.config["DATABASE"]) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_jobs_cli_lists_and_runs(app):
    runner = app.test_cli_runner()
    ran = runner.invoke(args=["jobs", "--run", "deliver_notices"])
    assert ran.exit_code == 0 and json.loads(ran.output)["result"] == {"sent": 0, "failed": 0}
    listed = [json.loads(line) for line in runner.invoke(args=["jobs"]).output.splitlines()]
    assert {row["job"] for row in listed} == {"deadline_monitor", "deliver_notices", "purge_tombstones", "backup",
                                              "expire_schemes", "expire_partial_uploads",
                                              "end_console_sessions"}
    assert next(r for r in listed if r["job"] == "deliver_notices")["last_run"]["finished_at"]
    assert runner.invoke(args=["jobs", "--run", "nonsense"]).exit_code == 2


def test_unsigned_schemes_lapse_and_signed_ones_stay(app, api):
    from tests.api.test_schemes import CHANGZHOU, new_ticket, propose
    api.post("/api/grid/imports", "bo_cz", data=json.dumps(CHANGZHOU), content_type="application/json")
    waiting, signed = new_ticket(api), new_ticket(api)
    for ticket_id in (waiting, signed):
        propose(api, ticket_id)
    scheme = api.get(f"/api/tickets/{signed}", "cm_a").json["scheme"]
    api.command(signed, "cm_a", "choose_option", rank=1, scheme_hash=scheme["scheme_hash"])
    api.command(signed, "cm_a", "sign_scheme", scheme_hash=scheme["scheme_hash"], signer_name="x",
                signature_blob=api.upload("cm_a", strokes()))
    now = datetime.now(timezone.utc)
    assert run(app, "expire_schemes", now + timedelta(days=29))["result"] == {"expired": 0, "lapsed": 0}
    assert run(app, "expire_schemes", now + timedelta(days=31))["result"] == {"expired": 1, "lapsed": 0}
    assert api.get(f"/api/tickets/{waiting}", "cm_a").json["scheme"] is None
    assert api.get(f"/api/tickets/{signed}", "cm_a").json["scheme"]["signed_at"]
    assert [n["kind"] for n in notices(app, "scheme")] == ["scheme_expired"]
