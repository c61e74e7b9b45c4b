"""Managers signing the last capacity of one transformer at the same moment: exactly one wins.

Eight signatures race per round through three gunicorn workers; three rounds, one transformer
each. (With a deferred BEGIN instead of BEGIN IMMEDIATE this test fails most runs.)
"""
import json
import threading

import pytest

from tests.e2e.conftest import command, upload
from tests.factories import at, make_grid, make_ticket, strokes, transformer

pytestmark = pytest.mark.e2e
ROUNDS = 3
SPACING_M = 3000
# 0.8 × 630 − 200 = 304 kVA open on each TX-r; each customer asks 220 kW = 244 kVA: room for one.
GRID = make_grid(*[transformer(f"TX-{r}", r * SPACING_M + 50, 0) for r in range(ROUNDS)])
RACERS = ["cm_a", "cm_a2", "pm_a", "cm_a"] * 2


def ready_to_sign(server, session, round_) -> tuple[str, str]:
    lon, lat = at(round_ * SPACING_M, 0)
    ticket = make_ticket(capacity_kw=220, location={"lon": lon, "lat": lat})
    assert session.post(server.url("/api/tickets"), json=ticket).status_code == 201
    scheme = command(session, server, ticket["id"], "propose_scheme").json()["scheme"]
    assert scheme["options"][0]["connection"]["asset_id"] == f"TX-{round_}"
    assert command(session, server, ticket["id"], "choose_option", rank=1,
                   scheme_hash=scheme["scheme_hash"]).status_code == 200
    return ticket["id"], scheme["scheme_hash"]


def race(servers, sessions, tickets, signatures) -> list:
    """Every session signs its ticket through its own server (``servers[i]``) at the same moment."""
    barrier, results = threading.Barrier(len(sessions)), [None] * len(sessions)

    def sign(i):
        ticket_id, scheme_hash = tickets[i]
        barrier.wait()
        results[i] = command(sessions[i], servers[i], ticket_id, "sign_scheme", scheme_hash=scheme_hash,
                             signer_name=f"客户{i}", signature_blob=signatures[i])

    threads = [threading.Thread(target=sign, args=(i,)) for i in range(len(sessions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_exactly_one_signature_gets_the_last_capacity(server, round_):
    imported = server.session("bo_cz").post(server.url("/api/grid/imports"), data=json.dumps(GRID),
                                            headers={"Content-Type": "application/geo+json"})
    assert imported.status_code == 201, imported.text
    sessions = [server.session(user, f"pda-{i}") for i, user in enumerate(RACERS)]
    tickets = [ready_to_sign(server, session, round_) for session in sessions]
    results = race([server] * len(sessions), sessions, tickets,
                   [upload(s, server, strokes(points=10 + i)) for i, s in enumerate(sessions)])
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [409] * (len(sessions) - 1), [r.text for r in results]
    for response in results:
        if response.status_code == 409:
            problem = response.json()
            assert problem["type"].endswith("/capacity-taken") and problem["assets"] == [f"TX-{round_}"]
            assert all(o["connection"]["asset_id"] != f"TX-{round_}" or o["upgrade_first"]
                       for o in problem["fresh_scheme"]["options"])
    winner = next(t for t, r in zip(tickets, results) if r.status_code == 200)
    admin = server.session("root")
    records = [admin.get(server.url(f"/api/tickets/{ticket_id}")).json() for ticket_id, _ in tickets]
    assert [r["id"] for r in records if r["scheme"]["signed_at"]] == [winner[0]]
