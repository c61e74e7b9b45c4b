"""SIGKILL the server at random moments while a device pushes: nothing acknowledged is lost, nothing doubles.

``make test`` kills 20 times; ``make soak`` sets YEKUO_SOAK_KILLS=200.
"""
import os
import random
import threading
import time
from collections import Counter

import pytest

from sync.client import Client
from tests.factories import PASSWORD, make_ticket

pytestmark = pytest.mark.e2e
KILLS = int(os.environ.get("YEKUO_SOAK_KILLS", "20"))


class Worker(threading.Thread):
    """Keeps queuing tickets and notes and pushing them, in small batches, until told to stop."""

    def __init__(self, client: Client):
        super().__init__(daemon=True)
        self.client, self.stop, self.error = client, threading.Event(), None

    def run(self):
        try:
            while not self.stop.is_set():
                ticket_id = self.client.create_ticket(make_ticket())
                self.client.add("note.add", ticket_id, text="现场勘查")
                self.client.push()
        except Exception as exc:    # surfaced by the test
            self.error = exc


def test_sigkill_during_pushes_loses_and_doubles_nothing(server, tmp_path):
    server.kill()
    server.workers = 1          # one worker restarts fastest; the kills are what matters
    server.start()
    client = Client(server.url(""), tmp_path / "pda.sqlite", "pda-crash", max_attempts=400, base_delay=0.02,
                    max_delay=0.3)
    client.login("cm_a", PASSWORD)
    client.set_meta("max_ops", 3)
    worker = Worker(client)
    worker.start()
    rng = random.Random(KILLS)
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.05, 0.5))
        server.kill()
        server.start()
    worker.stop.set()
    worker.join(timeout=120)
    assert worker.error is None, worker.error
    client.sync()
    assert client.queue() == [], "every op is eventually applied"
    acknowledged = client.results()
    server.stop()

    db = server.database()
    ops = dict(db.execute("SELECT op_id, status FROM ops WHERE device_id = 'pda-crash'").fetchall())
    queued = [row[0] for row in client.db.execute("SELECT op_id FROM queue")]
    assert len(queued) >= 10 and set(ops) == set(queued)
    assert all(ops[op_id] == result["status"] == "applied" for op_id, result in acknowledged.items())
    creates = [op["entity_id"] for op in client.queue("done") if op["type"] == "ticket.create"]
    tickets = {row[0] for row in db.execute("SELECT id FROM tickets")}
    assert set(creates) == tickets
    notes = Counter(row[0] for row in db.execute("SELECT op_id FROM evidence"))
    assert len(notes) == len(creates) and set(notes.values()) == {1}
    seqs = [row[0] for row in db.execute("SELECT seq FROM ops WHERE device_id = 'pda-crash' ORDER BY seq")]
    assert seqs == list(range(1, len(queued) + 1))
