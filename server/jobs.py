"""Scheduled work, run by APScheduler inside each server process.

Several gunicorn workers each run the scheduler; a run first claims its time slot in ``job_runs``
(UNIQUE (job, slot)), so exactly one process does each run. Every job takes ``now``, which the
tests control. ``GET /jobs`` (issue 7's page) and ``flask jobs`` show the runs.
"""
import logging
import traceback
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler

from server import backup, monitor, notifications, schemes
from server.db import connect, transaction
from server.storage import iso, jobs as job_runs, now_iso, sessions, utcnow
from sync.blobs import BlobStore
from sync.engine import is_postgres_url
from sync.storage import ChangeLog

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: object         # fn(db, config, now) -> dict


def deadline_job(db, config, now):
    with transaction(db):
        return monitor.monitor_deadlines(db, now, config["DEADLINE_WARN_SHARE"])


def deliver_job(db, config, now):
    return notifications.deliver(db)


def purge_job(db, config, now):
    with transaction(db):
        return ChangeLog.purge(db, iso(now - timedelta(days=config["TOMBSTONE_HORIZON_DAYS"])))


def expire_job(db, config, now):
    """Unsigned schemes older than UNSIGNED_SCHEME_DAYS go; signed ones past their validity give their
    capacity back."""
    with transaction(db):
        return schemes.expire_schemes(db, now, config["UNSIGNED_SCHEME_DAYS"])


def partial_uploads_job(db, config, now):
    blobs = BlobStore(Path(config["DATA_DIR"]) / "blobs", config["MAX_BLOB_BYTES"])
    cutoff = now - timedelta(hours=config["BLOB_PARTIAL_HOURS"])
    return {"expired": blobs.expire_partials(cutoff.timestamp())}


def sessions_job(db, config, now):
    with transaction(db):
        return {"ended": sessions.purge_sessions(db, config["SESSION_HOURS"])}


def backup_job(db, config, now):
    """The SQLite file's nightly copy; PostgreSQL is backed up by its own tools (docs/DEPLOYMENT.md)."""
    if is_postgres_url(config["DATABASE"]):
        return {"skipped": "PostgreSQL: pg_dump or the cluster's own backups"}
    path = backup.backup(config["DATABASE"], Path(config["DATA_DIR"]) / "backups", config["BACKUP_KEEP"], now)
    return {"file": path.name}


JOBS = {job.name: job for job in (
    Job("deadline_monitor", timedelta(minutes=5), deadline_job),
    Job("deliver_notices", timedelta(minutes=1), deliver_job),
    Job("purge_tombstones", timedelta(days=1), purge_job),
    Job("expire_schemes", timedelta(hours=1), expire_job),
    Job("backup", timedelta(days=1), backup_job),
    Job("expire_partial_uploads", timedelta(hours=1), partial_uploads_job),
    Job("end_console_sessions", timedelta(hours=1), sessions_job),
)}


def slot_of(job: Job, now) -> str:
    """The run's time slot: the start of its interval (UTC), the same in every process."""
    seconds = int(job.every.total_seconds())
    return iso(now - timedelta(seconds=int(now.timestamp()) % seconds, microseconds=now.microsecond))


def run_job(db, config, name, now=None):
    """Run ``name`` for the slot of ``now`` unless another process has claimed it; the run row or None."""
    job, now = JOBS[name], now or utcnow()
    slot = slot_of(job, now)
    with transaction(db):
        claimed = job_runs.claim_slot(db, name, slot, now_iso())
    if not claimed:
        return None
    result, error = None, None
    try:
        result = job.run(db, config, now)
    except Exception:            # recorded on the jobs page; the scheduler keeps going
        error = traceback.format_exc(limit=5)
        log.exception("job %s failed", name)
    with transaction(db):
        job_runs.finish_slot(db, name, slot, now_iso(), result, error)
    return {"job": name, "slot": slot, "result": result, "error": error}


def job_status(db, scheduler=None) -> list:
    """Last run, its result and the next run of every job."""
    rows = []
    for name, job in JOBS.items():
        scheduled = scheduler.get_job(name) if scheduler else None
        rows.append({"job": name, "every": str(job.every), "last_run": job_runs.last_run(db, name),
                     "next_run": iso(scheduled.next_run_time) if scheduled and scheduled.next_run_time else None})
    return rows


def start_scheduler(app) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC", daemon=True)
    for name, job in JOBS.items():
        scheduler.add_job(run_in_app, "interval", seconds=job.every.total_seconds(), args=[app.config, name], id=name,
                          max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler


def run_in_app(config, name):
    db = connect(config["DATABASE"])
    try:
        run_job(db, config, name)
    finally:
        db.conn.close()
