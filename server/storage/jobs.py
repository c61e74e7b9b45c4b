"""Scheduled job runs: one row per (job, time slot), claimed by exactly one process."""
import json


def claim_slot(db, job, slot, started_at) -> bool:
    """True if this process claimed the slot (another process got there first: False)."""
    return bool(db.execute("INSERT INTO job_runs (job, slot, started_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                           [job, slot, started_at]).rowcount)


def finish_slot(db, job, slot, finished_at, result, error):
    db.execute("UPDATE job_runs SET finished_at = ?, result = ?, error = ? WHERE job = ? AND slot = ?",
               [finished_at, json.dumps(result, ensure_ascii=False), error, job, slot])


def last_run(db, job):
    row = db.execute("SELECT slot, started_at, finished_at, result, error FROM job_runs WHERE job = ? "
                     "ORDER BY id DESC LIMIT 1", [job]).fetchone()
    return dict(zip(("slot", "started_at", "finished_at", "result", "error"), row)) if row else None
