"""Hypothesis stateful test: devices editing offline over a flaky network always converge.

Several handhelds of one team create and edit tickets offline and sync whenever they like while
the network drops requests before or after the server sees them. Whatever the interleaving, once
every device has synced twice, its queue is empty, every op has a final answer and each
device's digest equals the server's.
"""
import random
import uuid

import pytest
import requests
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from sync.client import Client
from tests.e2e.conftest import installed_server
from tests.factories import PASSWORD, make_ticket

pytestmark = pytest.mark.e2e
USERS = ("cm_a", "cm_a2", "pm_a")


class FlakyNetwork(requests.Session):
    """Drops a share of requests before they leave, and of answers after the server acted."""

    def __init__(self, rng: random.Random, share: float):
        super().__init__()
        self.rng, self.share, self.enabled = rng, share, True

    def request(self, method, url, *args, **kwargs):
        if self.enabled and self.rng.random() < self.share:
            raise requests.ConnectionError("dropped before sending")
        response = super().request(method, url, *args, **kwargs)
        if self.enabled and self.rng.random() < self.share:
            raise requests.ConnectionError("answer lost")
        return response


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory, template_db, request):
    with installed_server(tmp_path_factory.mktemp("converge"), template_db, request, workers=2) as running:
        yield running


def test_devices_converge(shared_server, tmp_path_factory):
    class Devices(RuleBasedStateMachine):
        @initialize(seed=st.integers(0, 2**32 - 1), share=st.sampled_from([0.0, 0.2, 0.4]))
        def start(self, seed, share):
            folder = tmp_path_factory.mktemp("pdas")
            self.networks, self.devices = [], []
            for i, user in enumerate(USERS):
                network = FlakyNetwork(random.Random(seed + i), share)
                client = Client(shared_server.url(""), folder / f"{user}.sqlite", f"conv-{uuid.uuid4().hex[:8]}",
                                http=network, max_attempts=30, base_delay=0.001, max_delay=0.01)
                network.enabled = False
                client.login(user, PASSWORD)
                network.enabled = True
                self.networks.append(network)
                self.devices.append(client)
            self.created, self.created_by = [], [[] for _ in USERS]

        @rule(who=st.integers(0, len(USERS) - 1))
        def create(self, who):
            ticket_id = self.devices[who].create_ticket(make_ticket())
            self.created.append(ticket_id)
            self.created_by[who].append(ticket_id)

        @precondition(lambda self: self.created)
        @rule(who=st.integers(0, len(USERS) - 1), pick=st.integers(0, 10**6),
              field=st.sampled_from(["address", "customer.phone", "capacity_kw"]), value=st.integers(1, 99))
        def edit(self, who, pick, field, value):
            """A device edits a ticket it knows: pulled, or created on it."""
            known = sorted(set(self.devices[who].records("ticket")) | set(self.created_by[who]))
            if not known:
                return
            ticket_id = known[pick % len(known)]
            new = {"address": f"地址{value}", "customer.phone": f"1390000{value:04d}", "capacity_kw": value}[field]
            self.devices[who].update_ticket(ticket_id, {field: new})

        @rule(who=st.integers(0, len(USERS) - 1))
        def sync(self, who):
            try:
                self.devices[who].sync()
            except requests.ConnectionError:
                pass            # the network gave up this time; the queue is intact

        def teardown(self):
            for network in self.networks:
                network.enabled = False
            for _ in range(2):
                for client in self.devices:
                    client.sync()
            for client in self.devices:
                assert client.queue() == []
                assert client.digest() == client.server_digest()
                results = client.results().values()
                assert all(r["status"] in ("applied", "merged", "conflict") for r in results), list(results)

    Devices.TestCase.settings = settings(max_examples=8, stateful_step_count=12, deadline=None)
    Devices.TestCase().runTest()
