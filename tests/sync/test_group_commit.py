"""Group commit (sync/group.py): pushes waiting behind a writer share its next transaction, each
answered only after that commit, none failing because another did."""
import sqlite3
import threading
import uuid

import pytest

from sync import push as push_engine
from sync.engine import configure_sqlite
from sync.group import GroupCommit
from sync.storage import ChangeLog, migrate
from server.db import get_db
from tests.factories import RECEIVED, make_ticket
from tests.sync.test_push_pull import Device, statuses

WAIT = 10     # seconds a test thread waits for another before failing


def connect(path, timeout=30) -> sqlite3.Connection:
    return configure_sqlite(sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=timeout))


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "group.sqlite"
    conn = connect(path)
    migrate(conn)
    conn.execute("CREATE TABLE entities (id TEXT PRIMARY KEY, data TEXT)")
    conn.close()
    return path


class Pusher:
    """One device on its own connection, as one request thread of a server process; ``gate`` (an
    Event) holds its first op's effect until set, so the test knows who is writing meanwhile."""

    def __init__(self, path, name, commits, gate=None, fail=False, timeout=30):
        self.conn, self.name, self.gate, self.fail = connect(path, timeout), name, gate, fail
        self.begins = 0             # write transactions this connection tried to open
        self.conn.set_trace_callback(lambda sql: self.traced(sql, commits))
        self.started, self.answer, self.error = threading.Event(), None, None

    def traced(self, sql, commits):
        if sql == "COMMIT":
            commits.append(self.name)
        elif sql == "PRAGMA busy_timeout = 0":         # sync.engine.begin_immediate starts polling
            self.begins += 1

    def apply(self, op, db):
        self.started.set()
        if self.gate is not None:
            assert self.gate.wait(WAIT)
        if self.fail:
            raise sqlite3.OperationalError("disk I/O error")     # the database failing for this push
        db.execute("INSERT INTO entities VALUES (?, ?)", [op["entity_id"], self.name])
        return {"status": "applied", "change_seq": ChangeLog.record(db, "entity", op["entity_id"], "now")}

    def push(self, group, count=3):
        ops = [{"op_id": str(uuid.uuid4()), "seq": seq, "type": "entity.put", "entity_id": f"{self.name}-{seq}",
                "client_time": None, "data": {}} for seq in range(1, count + 1)]
        applier = push_engine.Applier(prepare=lambda op: op, apply=self.apply, problem=lambda exc: {"detail": str(exc)},
                                      now=lambda: "2026-11-29T00:00:00+00:00")
        try:
            self.answer = push_engine.push(self.conn, push_engine.Device(self.name, "u"), ops, applier, group)
        except Exception as exc:            # noqa: BLE001 - the test reads it
            self.error = exc

    def start(self, group) -> threading.Thread:
        thread = threading.Thread(target=self.push, args=(group,))
        thread.start()
        return thread


def until(condition, what):
    """Wait (a bounded while) until ``condition()`` holds."""
    for _ in range(WAIT * 1000):
        if condition():
            return
        threading.Event().wait(0.001)
    raise AssertionError(f"never: {what}")


def queued(group, count):
    """Wait until ``count`` pushes wait in ``group``'s queue."""
    def waiting():
        with group.lock:
            return len(group.queue) >= count
    until(waiting, f"{count} pushes queued")


def committed(path, name) -> int:
    conn = connect(path)
    try:
        return conn.execute("SELECT count(*) FROM entities WHERE data = ?", [name]).fetchone()[0]
    finally:
        conn.close()


def behind_a_writer(database, group, commits, behind: list) -> "Pusher":
    """A first push writing (its first op held), the pushes ``behind`` queued after it in this order,
    then the first let go and every push finished. None is answered before the commit of its ops."""
    gate = threading.Event()
    first = Pusher(database, "first", commits, gate=gate)
    threads = [first.start(group)]
    assert first.started.wait(WAIT)
    for count, pusher in enumerate(behind, 1):
        threads.append(pusher.start(group))
        queued(group, count)
    assert all(p.answer is None and p.error is None for p in behind)
    gate.set()
    for thread in threads:
        thread.join(WAIT)
    return first


def test_pushes_waiting_behind_a_writer_are_committed_together(database):
    group, commits = GroupCommit(), []
    waiting = [Pusher(database, f"device{n}", commits) for n in range(4)]
    first = behind_a_writer(database, group, commits, waiting)
    for pusher in [first, *waiting]:
        assert pusher.error is None and pusher.answer["acked_seq"] == 3, pusher.error
        assert [r["status"] for r in pusher.answer["results"]] == ["applied"] * 3
        assert committed(database, pusher.name) == 3
    assert len(commits) == 2             # the first push's transaction, then one for the four that waited
    assert not group.writing and not group.queue


def test_a_push_that_fails_takes_no_other_push_of_its_group_down(database):
    group, commits = GroupCommit(), []
    failing = Pusher(database, "failing", commits, fail=True)
    others = [Pusher(database, f"device{n}", commits) for n in range(3)]
    first = behind_a_writer(database, group, commits, [failing, *others])
    assert isinstance(failing.error, sqlite3.OperationalError) and failing.answer is None
    assert committed(database, "failing") == 0
    for pusher in [first, *others]:
        assert pusher.error is None and committed(database, pusher.name) == 3
    log = connect(database).execute("SELECT count(*) FROM ops WHERE device_id = 'failing'").fetchone()[0]
    assert log == 0                      # not consumed: the device sends its ops again


def test_a_group_that_cannot_take_the_lock_fails_at_once_not_push_by_push(database):
    """The wait for the lock running out is every queued push's failure after one wait, not one each."""
    blocker = connect(database)
    blocker.execute("BEGIN IMMEDIATE")               # another writer holding the lock throughout
    group, commits = GroupCommit(), []
    first = Pusher(database, "first", commits, timeout=1)
    waiting = [Pusher(database, f"device{n}", commits, timeout=1) for n in range(3)]
    threads = [first.start(group)]
    until(lambda: first.begins, "the first push waiting for the lock")
    threads += [p.start(group) for p in waiting]
    queued(group, 4)                                 # the leader's own push stays queued until the lock
    for thread in threads:
        thread.join(WAIT)
    blocker.execute("ROLLBACK")
    for pusher in [first, *waiting]:
        assert isinstance(pusher.error, sqlite3.OperationalError) and "locked" in str(pusher.error), pusher.error
        assert committed(database, pusher.name) == 0
    assert first.begins == 1 and all(p.begins == 0 for p in waiting)    # one wait for all who queued
    assert not commits


def test_pushes_queued_while_the_leader_waits_for_the_lock_join_its_group(database):
    """The group is taken once the write lock is held (another process's writer had it), so whoever
    queued during the wait commits in the leader's transaction, not in one more turn of the lock."""
    blocker = connect(database)
    blocker.execute("BEGIN IMMEDIATE")
    group, commits = GroupCommit(), []
    first = Pusher(database, "first", commits)
    waiting = [Pusher(database, f"device{n}", commits) for n in range(3)]
    threads = [first.start(group)]
    until(lambda: first.begins, "the first push waiting for the lock")
    threads += [p.start(group) for p in waiting]
    queued(group, 4)
    blocker.execute("ROLLBACK")
    for thread in threads:
        thread.join(WAIT)
    for pusher in [first, *waiting]:
        assert pusher.error is None and committed(database, pusher.name) == 3, pusher.error
    assert commits == ["first"]


def test_a_group_is_bounded_and_the_next_waiting_push_leads_the_rest(database):
    group, commits = GroupCommit(max_ops=6), []
    waiting = [Pusher(database, f"device{n}", commits) for n in range(5)]
    behind_a_writer(database, group, commits, waiting)
    assert all(p.error is None and committed(database, p.name) == 3 for p in waiting)
    # the first alone; then groups of at most six ops, each led by the push at the head of the queue
    assert commits == ["first", "device0", "device2", "device4"]


def test_concurrent_pushes_to_the_server_each_apply_once(app, api):
    """Through the app and the group it keeps: devices of two users pushing at once from threads, every
    op applied and logged once, each under its own user and device (a leader writes the others' ops)."""
    ticket_id = api.post("/api/tickets", "cm_a", json=make_ticket(documents=RECEIVED)).json["id"]
    pdas = [Device(api, ("cm_a", "cm_a2")[n % 2], f"group-{n}") for n in range(8)]
    for pda in pdas:
        pda.headers()                       # tokens made before the threads start
    answers = []

    def device(pda):
        for _ in range(3):
            ops = [pda.op("note.add", ticket_id, data={"text": f"{pda.device_id} {pda.seq + 1}"}) for _ in range(5)]
            answers.append(app.test_client().post("/sync/push", headers=pda.headers(),
                                                  json={"protocol": 1, "device_id": pda.device_id, "ops": ops}))

    threads = [threading.Thread(target=device, args=(pda,)) for pda in pdas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == 24 and all(statuses(r) == ["applied"] * 5 for r in answers), \
        [r.get_data(as_text=True)[:300] for r in answers if r.status_code != 200][:1]
    with app.app_context():
        notes = get_db().execute("SELECT count(*), count(DISTINCT op_id) FROM evidence WHERE ticket_id = ?",
                                 [ticket_id]).fetchone()
        logged = get_db().execute("SELECT count(*), count(DISTINCT op_id) FROM ops WHERE device_id LIKE 'group-%'")
        assert tuple(notes) == tuple(logged.fetchone()) == (120, 120)
        authors = get_db().execute("SELECT DISTINCT username, device_id FROM evidence WHERE ticket_id = ?", [ticket_id])
        assert sorted(map(tuple, authors.fetchall())) == sorted((p.username, p.device_id) for p in pdas)
