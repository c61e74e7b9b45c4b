"""Group commit: pushes that arrive while another push of the same process is writing are written
together, in the next write transaction.

Every push used to take its own turn of the write lock: its own BEGIN, its own COMMIT (one fsync of the
WAL, the pages it touched written again), and between two turns a gap while the next writer's poll
slept. With 200 devices on two worker processes the lock was busy or idle-between-turns all the time,
and the cores were 40 % idle (vmstat; README "Sync"). Here pushes wait in a process queue behind one
leader, which takes the lock and then everyone queued by then (up to ``GROUP_OPS`` ops: those that
arrived while it waited for the other process's writer too; taken before the wait, groups averaged 2.4
pushes in the crowd, after it 3.4, a third fewer commits), writes each push as before (each op in its
own savepoint, each device's log and cursor), commits once and wakes them; the first push still queued
leads the next group. Nobody is answered before the commit that holds their ops, so every acknowledged
op stays durable. A push that fails (the database, or a bug) takes no other push down with it: the group
is rolled back and written again one push per transaction (:func:`write_group`).
"""
import threading
from dataclasses import dataclass, field
from typing import Callable

from sync.storage import transaction

GROUP_OPS = 400         # ops per group transaction: a bounded turn of the lock (a push chunk is ≤ 200)


@dataclass(eq=False)
class Write:
    """One push chunk waiting for its turn: ``run(db)`` does its writes inside an open transaction."""
    run: Callable
    ops: int
    lead: bool = False
    done: threading.Event = field(default_factory=threading.Event)
    result: object = None
    error: BaseException = None

    def outcome(self):
        if self.error is not None:
            raise self.error
        return self.result


class GroupCommit:
    """One per database and process (the server keeps it with its app)."""

    def __init__(self, max_ops=GROUP_OPS):
        self.max_ops, self.lock, self.queue, self.writing = max_ops, threading.Lock(), [], False

    def write(self, db, run: Callable, ops: int):
        """``run(db)``'s result once it is committed, in a group with whatever else was waiting; ``db``
        is this thread's connection, used if this thread leads the group."""
        mine = Write(run, ops)
        with self.lock:
            self.queue.append(mine)
            if not self.writing:
                self.writing = mine.lead = True
        if not mine.lead:
            mine.done.wait()               # set by the leader that wrote it, or to make this one lead
        if mine.lead:
            self.lead(db)
        return mine.outcome()

    def lead(self, db):
        group = []

        def take() -> list:            # called once the write lock is held: whoever queued meanwhile joins
            with self.lock:
                group[:] = self.take()
            return group
        try:
            write_group(db, take)
        finally:
            with self.lock:
                successor = self.queue[0] if self.queue else None
                self.writing = successor is not None
                if successor is not None:
                    successor.lead = True
            for write in group:
                write.done.set()
            if successor is not None:
                successor.done.set()

    def take(self) -> list:
        """The queue's head, up to ``max_ops`` ops (always at least one push)."""
        taken, ops = 0, 0
        for write in self.queue:
            if taken and ops + write.ops > self.max_ops:
                break
            taken, ops = taken + 1, ops + write.ops
        group, self.queue[:taken] = self.queue[:taken], []
        return group


def write_group(db, take: Callable):
    """The pushes ``take()`` gives once the write lock is held, in one transaction. If a push fails in
    it, the group is written again one push per transaction, so that failure is only its own; if the
    transaction could not begin (the wait for the lock ran out) or the interpreter is stopping, every
    push queued then gets that error at once, not after one more wait each."""
    group = None
    try:
        with transaction(db):
            group = take()
            for write in group:
                write.result = write.run(db)
        return
    except BaseException as exc:
        failure = exc
    if group is None or len(group) == 1 or not isinstance(failure, Exception):
        for write in group if group is not None else take():
            write.error = failure
        return
    for write in group:
        try:
            with transaction(db):
                write.result = write.run(db)
        except BaseException as exc:
            write.error = exc


def write_alone(db, run: Callable):
    """No group (the engine used as a library): ``run(db)`` in a transaction of its own."""
    with transaction(db):
        return run(db)
