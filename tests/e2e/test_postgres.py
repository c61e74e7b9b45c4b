"""Several application servers on one PostgreSQL database (docs/DEPLOYMENT.md).

Two gunicorn servers share the database and the data directory (blobs, keys). Devices push to either
at random, so one device's retries cross servers; one server is SIGKILLed and restarted mid-push,
again and again; an observer pulls through both all along. Every acknowledged op is in the log once,
every ticket once, the observer's incremental pulls miss no change, and every race for the last
capacity of a transformer, signed through both servers at once, has exactly one winner.
"""
import itertools
import json
import random
import threading
import time
from collections import Counter

import pytest
import requests

from server import create_app
from server.db import close_pool, connect, get_db, transaction
from server.storage.users import add_user
from sync.client import Client
from tests.conftest import PEOPLE
from tests.e2e.conftest import Server, upload
from tests.e2e.test_concurrent_signing import GRID, RACERS, race, ready_to_sign
from tests.e2e.test_crash import Worker
from tests.factories import PASSWORD, make_ticket, strokes

pytestmark = pytest.mark.e2e
NUMBERS = itertools.count(1)
KILLS = 3


class Roaming:
    """``requests`` through a load balancer without affinity: each call goes to a server picked at random."""

    def __init__(self, servers, seed):
        self.servers, self.rng, self.http = servers, random.Random(seed), requests.Session()

    def rebase(self, url: str) -> str:
        return self.rng.choice(self.servers).url("/" + url.split("/", 3)[3])

    def request(self, method, url, **kwargs):
        return self.http.request(method, self.rebase(url), **kwargs)

    def head(self, url, **kwargs):
        return self.http.head(self.rebase(url), **kwargs)


@pytest.fixture
def two_servers(pg_cluster, tmp_path):
    """Two servers, two workers each, on a fresh database with the test users."""
    name = f"two_servers_{next(NUMBERS)}"
    url = pg_cluster.create_database(name)
    shared = tmp_path / "shared"
    shared.mkdir()
    app = create_app({"TESTING": True, "DATA_DIR": str(shared), "DATABASE": url})
    with app.app_context(), transaction(get_db()):
        for username, role, team, region in PEOPLE:
            add_user(get_db(), username, PASSWORD, role, team, region)
    close_pool()
    servers = [Server(shared, workers=2, database_url=url) for _ in range(2)]
    yield servers, url
    for server in servers:
        server.stop()
        server.log.close()
    pg_cluster.drop_database(name)


def roaming_client(servers, tmp_path, device_id, username, seed) -> Client:
    client = Client(servers[0].url(""), tmp_path / f"{device_id}.sqlite", device_id, http=Roaming(servers, seed),
                    max_attempts=400, base_delay=0.02, max_delay=0.3)
    client.login(username, PASSWORD)
    client.set_meta("max_ops", 3)
    return client


class Observer(threading.Thread):
    """Pulls incrementally, through both servers, until told to stop."""

    def __init__(self, client):
        super().__init__(daemon=True)
        self.client, self.stop, self.error = client, threading.Event(), None

    def run(self):
        try:
            while not self.stop.is_set():
                self.client.pull()
                time.sleep(0.05)
        except Exception as exc:      # surfaced by the test
            self.error = exc


def test_devices_roaming_across_two_servers_one_killed_mid_push_lose_and_double_nothing(two_servers, tmp_path):
    servers, url = two_servers
    devices = [roaming_client(servers, tmp_path, f"pda-{n}", user, n)
               for n, user in enumerate(["cm_a", "cm_a2", "pm_a", "cm_a"])]
    observer = Observer(roaming_client(servers, tmp_path, "pda-observer", "pm_a", 99))
    workers = [Worker(client) for client in devices]
    for thread in [*workers, observer]:
        thread.start()
    rng = random.Random(KILLS)
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.5, 1.5))
        servers[1].kill()                       # mid-push: its acknowledged ops must all be there
        time.sleep(rng.uniform(0.1, 0.5))
        servers[1].start()
    time.sleep(0.5)
    for thread in [*workers, observer]:
        thread.stop.set()
        thread.join(timeout=120)
        assert thread.error is None, thread.error

    db = connect(url)
    tickets = Counter(row[0] for row in db.execute("SELECT id FROM tickets"))
    for client in devices:
        client.sync()
        assert client.queue() == [], "every op is eventually applied"
        ops = dict(db.execute("SELECT op_id, status FROM ops WHERE device_id = ?", [client.device_id]).fetchall())
        queued = [row[0] for row in client.db.execute("SELECT op_id FROM queue")]
        assert len(queued) >= 6 and set(ops) == set(queued)
        assert all(ops[op_id] == result["status"] == "applied" for op_id, result in client.results().items())
        seqs = [row[0] for row in db.execute("SELECT seq FROM ops WHERE device_id = ? ORDER BY seq",
                                             [client.device_id])]
        assert seqs == list(range(1, len(queued) + 1))
        creates = [op["entity_id"] for op in client.queue("done") if op["type"] == "ticket.create"]
        assert all(tickets[ticket_id] == 1 for ticket_id in creates)
    notes = Counter(row[0] for row in db.execute("SELECT op_id FROM evidence"))
    assert set(notes.values()) == {1} and len(notes) == sum(tickets.values())

    observer.client.pull()                     # what it pulled bit by bit is what a fresh pull gives
    fresh = roaming_client(servers, tmp_path, "pda-fresh", "pm_a", 7)
    fresh.pull()
    assert observer.client.records("ticket") == fresh.records("ticket")
    assert len(fresh.records("ticket")) == len(tickets)
    db.close()


def test_the_last_capacity_signed_through_two_servers_at_once_has_one_winner(two_servers):
    servers, _url = two_servers
    imported = servers[0].session("bo_cz").post(servers[0].url("/api/grid/imports"), data=json.dumps(GRID),
                                                headers={"Content-Type": "application/geo+json"})
    assert imported.status_code == 201, imported.text
    for round_ in range(2):
        through = [servers[i % 2] for i in range(len(RACERS))]
        sessions = [server.session(user, f"pda-{round_}-{i}") for i, (server, user) in enumerate(zip(through, RACERS))]
        tickets = [ready_to_sign(server, session, round_) for server, session in zip(through, sessions)]
        signatures = [upload(session, server, strokes(points=10 + i))
                      for i, (server, session) in enumerate(zip(through, sessions))]
        results = race(through, sessions, tickets, signatures)
        assert sorted(r.status_code for r in results) == [200] + [409] * (len(sessions) - 1), [r.text for r in results]



def test_one_push_sent_to_both_servers_at_once_applies_once(two_servers):
    """A device whose first try timed out retries through the other server while the first still works:
    the two requests race on the same ops; each op is applied once, the other answer says duplicate."""
    servers, url = two_servers
    session = servers[0].session("cm_a", "pda-twice")
    ops = [{"op_id": f"twice-{n}", "seq": n + 1, "type": "ticket.create", "entity_id": f"T-TWICE-{n}",
            "data": make_ticket(id=f"T-TWICE-{n}"), "client_time": "2026-11-29T09:00:00+08:00"} for n in range(40)]
    body = {"protocol": 1, "device_id": "pda-twice", "ops": ops}
    barrier, answers = threading.Barrier(2), [None, None]

    def push(i):
        barrier.wait()
        answers[i] = session.post(servers[i].url("/sync/push"), json=body)

    threads = [threading.Thread(target=push, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    for n in range(40):
        statuses = sorted(a.json()["results"][n]["status"] for a in answers)
        assert statuses == ["applied", "duplicate"], statuses
    db = connect(url)
    assert db.execute("SELECT count(*) FROM tickets WHERE id LIKE 'T-TWICE-%'").fetchone()[0] == 40
    assert db.execute("SELECT acked_seq FROM device_cursors WHERE device_id = 'pda-twice'").fetchone()[0] == 40
    db.close()
