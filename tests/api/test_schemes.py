"""Schemes through the API: preview, the scheme commands on a ticket, co-sign, manual queue, reservations."""
import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import server.db
from tests.conftest import assert_problem, migrate_again_from
from tests.factories import CENTRE, RECEIVED, feeder, make_grid, make_ticket, strokes, transformer

LOCATION = {"lon": CENTRE[0], "lat": CENTRE[1]}
# TX-1 has 0.8 × 630 − 200 = 304 kVA open: room for exactly one 220 kW (244 kVA) customer.
CHANGZHOU = make_grid(transformer("TX-1", 80, 0), transformer("TX-2", 400, 0, rating_kva=200, peak_kva=150),
                      feeder("F-1", [(-3000, 600), (3000, 600)]))
SHANGHAI = make_grid(feeder("SH-F1", [(-3000, 400), (3000, 400)], region="shanghai"))


@pytest.fixture
def grid(api):
    for body, user in ((CHANGZHOU, "bo_cz"), (SHANGHAI, "bo_sh")):
        response = api.post("/api/grid/imports", user, data=json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.json


def preview_body(**overrides):
    return {"region": "changzhou", "business_type": "lv_nonresident_new", "customer_class": "non_resident",
            "capacity_kw": 100, "location": LOCATION, **overrides}


def new_ticket(api, username="cm_a", **overrides):
    ticket = make_ticket(location=LOCATION, documents=RECEIVED, **overrides)
    response = api.post("/api/tickets", username, json=ticket)
    assert response.status_code == 201, response.json
    return ticket["id"]


def propose(api, ticket_id, username="cm_a"):
    """Propose a scheme, first finishing acceptance where the pipeline has a scheme_reply stage."""
    if "propose_scheme" not in api.get(f"/api/tickets/{ticket_id}", username).json["allowed_commands"]:
        assert api.command(ticket_id, username, "complete_acceptance").status_code == 200
    response = api.command(ticket_id, username, "propose_scheme")
    assert response.status_code == 200, response.json
    return response.json["scheme"]


def choose_and_sign(api, ticket_id, username="cm_a", rank=1):
    scheme_hash = api.get(f"/api/tickets/{ticket_id}", username).json["scheme"]["scheme_hash"]
    chosen = api.command(ticket_id, username, "choose_option", rank=rank, scheme_hash=scheme_hash)
    assert chosen.status_code == 200, chosen.json
    return api.command(ticket_id, username, "sign_scheme", scheme_hash=scheme_hash, signer_name="李四",
                       signature_blob=api.upload(username, strokes()))


def history_length(api, ticket_id):
    return len(api.get(f"/api/tickets/{ticket_id}", "cm_a").json["stage_history"])


def test_preview_builds_a_ranked_scheme_and_stores_nothing(api, grid):
    response = api.post("/api/schemes/preview", "cm_a", json=preview_body())
    assert response.status_code == 200, response.json
    scheme = response.json
    assert scheme["decision"] == "auto" and scheme["supply_voltage_kv"] == 0.38
    assert scheme["options"][0]["connection"]["asset_id"] == "TX-1"
    assert scheme["grid_version"].startswith("changzhou/") and scheme["scheme_hash"].startswith("sha256:")
    again = api.post("/api/schemes/preview", "cm_a", json=preview_body()).json
    assert again["scheme_hash"] == scheme["scheme_hash"]


@pytest.mark.parametrize("body, field", [
    (preview_body(region="atlantis"), "region"),
    (preview_body(policy_year=1999), "policy_year"),
    (preview_body(policy_year=2031), "policy_year"),
    (preview_body(capacity_kw=0), "capacity_kw"),
    (preview_body(capacity_kw=None), "capacity_kva"),
    (preview_body(location={"lon": 121.5, "lat": 31.2}), "location"),
    (preview_body(location={"lon": 500, "lat": 31.2}), "location.lon"),
    (preview_body(customer_class="alien"), "customer_class"),
    (preview_body(business_type="teleport"), "business_type"),
])
def test_bad_preview_requests_name_the_field(api, grid, body, field):
    problem = assert_problem(api.post("/api/schemes/preview", "cm_a", json=body), 422, "validation-error")
    assert field in problem["errors"], problem


def test_no_grid_data_is_a_clear_422(api):
    problem = assert_problem(api.post("/api/schemes/preview", "cm_a", json=preview_body()), 422, "validation-error")
    assert "region" in problem["errors"] and "no grid" in problem["detail"]


def test_lv_ticket_from_acceptance_to_connection(api, grid):
    ticket_id = new_ticket(api)
    scheme = propose(api, ticket_id)
    assert scheme["request"]["capacity_kva"] == pytest.approx(120 / 0.9, abs=1e-3)
    signed = choose_and_sign(api, ticket_id)
    assert signed.status_code == 200, signed.json
    record = signed.json["scheme"]
    assert record["signed_at"] and record["signer_name"] == "李四" and record["chosen_option"]["rank"] == 1
    assert signed.json["planned_stages"] == ["accepted", "grid_works", "connect"]   # the cable is grid works
    for command in ("complete_acceptance", "complete_works", "connect"):
        response = api.command(ticket_id, "cm_a", command)
        assert response.status_code == 200, response.json
    final = api.get(f"/api/tickets/{ticket_id}", "cm_a").json
    assert final["stage"] == "completed"
    assert [h["command"] for h in final["stage_history"]] == [
        "propose_scheme", "choose_option", "sign_scheme", "complete_acceptance", "complete_works", "connect"]


def test_a_stale_hash_is_refused_and_nothing_is_stored(api, grid):
    ticket_id = new_ticket(api)
    propose(api, ticket_id)
    before = history_length(api, ticket_id)
    problem = assert_problem(api.command(ticket_id, "cm_a", "choose_option", rank=1, scheme_hash="sha256:" + "0" * 64),
                             409, "scheme-hash-mismatch")
    assert problem["scheme_hash"].startswith("sha256:")
    assert history_length(api, ticket_id) == before
    assert api.get(f"/api/tickets/{ticket_id}", "cm_a").json["scheme"]["chosen_option"] is None


def test_propose_with_the_previewed_hash_checks_it(api, grid):
    ticket_id = new_ticket(api, capacity_kw=100)
    previewed = api.post("/api/schemes/preview", "cm_a", json=preview_body(capacity_kw=100)).json
    ok = api.command(ticket_id, "cm_a", "propose_scheme", scheme_hash=previewed["scheme_hash"])
    assert ok.status_code == 200 and ok.json["scheme"]["scheme_hash"] == previewed["scheme_hash"]
    other = new_ticket(api, capacity_kw=50)
    problem = assert_problem(api.command(other, "cm_a", "propose_scheme", scheme_hash=previewed["scheme_hash"]),
                             409, "scheme-hash-mismatch")
    assert problem["fresh_scheme"]["request"]["capacity_kw"] == 50


def test_rank_beyond_the_options_names_the_field(api, grid):
    ticket_id = new_ticket(api)
    scheme = propose(api, ticket_id)
    rank = len(scheme["options"]) + 1
    assert rank <= 3
    problem = assert_problem(api.command(ticket_id, "cm_a", "choose_option", rank=rank,
                                         scheme_hash=scheme["scheme_hash"]), 422, "validation-error")
    assert "args.rank" in problem["errors"]
    problem = assert_problem(api.command(ticket_id, "cm_a", "choose_option", rank=0,
                                         scheme_hash=scheme["scheme_hash"]), 422, "validation-error")
    assert "args.rank" in problem["errors"]


def test_two_signatures_on_the_last_capacity_one_wins(api, grid):
    first, second = new_ticket(api, capacity_kw=220), new_ticket(api, capacity_kw=220)
    scheme_first, scheme_second = propose(api, first), propose(api, second)
    assert scheme_first["options"][0]["connection"]["asset_id"] == "TX-1"
    assert scheme_second["options"][0]["connection"]["asset_id"] == "TX-1"
    assert choose_and_sign(api, first).status_code == 200
    before = history_length(api, second)
    problem = assert_problem(choose_and_sign(api, second), 409, "capacity-taken")
    assert problem["assets"] == ["TX-1"]
    assert "TX-1" not in [o["connection"]["asset_id"] for o in problem["fresh_scheme"]["options"]
                          if not o["upgrade_first"]]
    assert history_length(api, second) == before + 1          # choose_option applied, sign_scheme not
    assert api.get(f"/api/tickets/{second}", "cm_a").json["scheme"]["signed_at"] is None


def test_cancelling_a_signed_ticket_frees_its_capacity(api, grid):
    first, second = new_ticket(api, capacity_kw=220), new_ticket(api, capacity_kw=220)
    propose(api, first), propose(api, second)
    assert choose_and_sign(api, first).status_code == 200
    assert api.command(first, "cm_a", "cancel", reason="客户撤回").status_code == 200
    assert choose_and_sign(api, second).status_code == 200


def test_hv_above_the_onsite_limit_needs_a_cosign_first(api, grid):
    ticket_id = new_ticket(api, "cm_sh", region="shanghai", business_type="hv_new", capacity_kw=None,
                           capacity_kva=1250)
    scheme = propose(api, ticket_id, "cm_sh")
    assert scheme["decision"] == "cosign"
    problem = assert_problem(choose_and_sign(api, ticket_id, "cm_sh"), 409, "illegal-command")
    assert "co-signed" in problem["detail"]
    assert_problem(api.command(ticket_id, "cm_sh", "cosign", scheme_hash=scheme["scheme_hash"]), 409,
                   "illegal-command")                             # managers may not co-sign
    cosigned = api.command(ticket_id, "bo_sh", "cosign", scheme_hash=scheme["scheme_hash"], comment="同意")
    assert cosigned.status_code == 200 and cosigned.json["scheme"]["cosigned_by"] == "bo_sh"
    signed = api.command(ticket_id, "cm_sh", "sign_scheme", scheme_hash=scheme["scheme_hash"], signer_name="王五",
                         signature_blob=api.upload("cm_sh", strokes()))
    assert signed.status_code == 200, signed.json
    assert signed.json["stage"] != "scheme_reply"


def test_above_direct_connection_goes_to_the_manual_queue(api, grid):
    ticket_id = new_ticket(api, business_type="hv_new", capacity_kw=None, capacity_kva=8001)
    scheme = propose(api, ticket_id)
    assert scheme["decision"] == "manual" and scheme["options"] == []
    queue = api.get("/api/schemes/manual", "bo_cz").json
    assert [item["ticket_id"] for item in queue] == [ticket_id]
    assert "8000" in queue[0]["manual_reason"] or "manual" in queue[0]["manual_reason"]
    assert api.get("/api/schemes/manual", "bo_sh").json == []
    assert_problem(api.get("/api/schemes/manual", "cm_a"), 403, "forbidden")
    problem = assert_problem(api.command(ticket_id, "cm_a", "choose_option", rank=1,
                                         scheme_hash=scheme["scheme_hash"]), 409, "illegal-command")
    assert "manual queue" in problem["detail"]


def test_each_scheme_queue_holds_its_tickets_also_after_migration_011_fills_the_column(app, api, grid):
    """The queues read the ``scheme_queue`` column save_ticket keeps; migration 011 fills it from the
    records of tickets saved before it (checked by taking the column away and migrating again)."""
    manual = new_ticket(api, business_type="hv_new", capacity_kw=None, capacity_kva=8001)
    propose(api, manual)
    cosign = new_ticket(api, "cm_sh", region="shanghai", business_type="hv_new", capacity_kw=None, capacity_kva=1250)
    propose(api, cosign, "cm_sh")
    choose_and_sign(api, cosign, "cm_sh")                   # chosen, refused signing: awaits its co-signature
    plain = new_ticket(api)
    propose(api, plain)
    expected = {manual: "manual", cosign: "cosign", plain: None}

    def queues():
        with app.app_context():
            return dict(server.db.get_db().execute("SELECT id, scheme_queue FROM tickets").fetchall())
    assert queues() == expected
    assert migrate_again_from(app, 11) >= 12
    assert queues() == expected
    assert [item["ticket_id"] for item in api.get("/api/schemes/manual", "bo_cz").json] == [manual]
    assert api.command(cosign, "bo_sh", "cosign", scheme_hash=api.get(f"/api/tickets/{cosign}", "cm_sh")
                       .json["scheme"]["scheme_hash"]).status_code == 200
    assert queues()[cosign] is None                                          # co-signed: out of the queue


def test_changing_capacity_drops_an_unsigned_scheme_and_is_refused_after_signing(api, grid):
    ticket_id = new_ticket(api)
    propose(api, ticket_id)
    patched = api.patch(f"/api/tickets/{ticket_id}", "cm_a", json={"capacity_kw": 90})
    assert patched.status_code == 200 and patched.json["scheme"] is None
    propose(api, ticket_id)
    assert choose_and_sign(api, ticket_id).status_code == 200
    assert_problem(api.patch(f"/api/tickets/{ticket_id}", "cm_a", json={"capacity_kw": 150}), 409, "illegal-command")
    assert api.patch(f"/api/tickets/{ticket_id}", "cm_a", json={"address": "新地址"}).status_code == 200


def test_signing_twice_is_refused(api, grid):
    ticket_id = new_ticket(api, business_type="hv_new", capacity_kw=None, capacity_kva=630)
    propose(api, ticket_id)
    assert choose_and_sign(api, ticket_id).status_code == 200
    scheme_hash = api.get(f"/api/tickets/{ticket_id}", "cm_a").json["scheme"]["scheme_hash"]
    assert_problem(api.command(ticket_id, "cm_a", "propose_scheme"), 409, "illegal-command")
    assert_problem(api.command(ticket_id, "cm_a", "sign_scheme", scheme_hash=scheme_hash, signer_name="x",
                               signature_blob=api.upload("cm_a", strokes())), 409,
                   "illegal-command")


REQUEST_FIELDS = ["region", "policy_year", "zone", "business_type", "customer_class", "capacity_kva", "capacity_kw",
                  "phase", "power_factor", "reliability_class", "location", "area_class", "ev_charging"]
json_values = st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**7) | st.floats(allow_nan=False)
                           | st.text(max_size=8) | st.sampled_from(["changzhou", "hv_new", "level1", "B", "west_pilot"]),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                               st.sampled_from(["lon", "lat", "x"]), inner, max_size=3), max_leaves=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(REQUEST_FIELDS), json_values, max_size=4))
def test_random_preview_bodies_get_a_scheme_or_a_422_naming_a_field(api, grid, changes):
    response = api.post("/api/schemes/preview", "cm_a", json={**preview_body(), **changes})
    if response.status_code == 200:
        assert response.json["scheme_hash"].startswith("sha256:")
    else:
        problem = assert_problem(response, 422, "validation-error")
        assert problem["errors"], problem


def test_the_back_office_writes_a_manual_scheme_and_the_customer_signs_it(api, grid):
    ticket_id = new_ticket(api, business_type="hv_new", capacity_kw=None, capacity_kva=9000)
    scheme = propose(api, ticket_id)
    manual = {"asset_id": "SUB-NEW-110", "point": LOCATION, "supply_voltage_kv": 35, "route_length_m": 2400,
              "conductor": "LGJ-240", "works": ["35 kV line 2.4 km", "bay at SUB-NEW-110"],
              "cost_estimate_yuan": {"low": 1800000, "high": 2600000}, "working_days": {"grid_works": 60, "connect": 1},
              "note": "超过直接接入上限，经核算由新建 35 kV 间隔供电"}
    assert_problem(api.command(ticket_id, "cm_a", "write_manual_scheme", **manual), 409, "illegal-command")
    written = api.command(ticket_id, "bo_cz", "write_manual_scheme", **manual)
    assert written.status_code == 200, written.json
    record = written.json["scheme"]
    assert record["scheme_hash"] != scheme["scheme_hash"] and record["chosen_option"]["connection"]["asset_id"] == \
        "SUB-NEW-110" and record["cosigned_by"] == "bo_cz"
    assert api.get("/api/schemes/manual", "bo_cz").json == []                           # answered: off the queue
    signed = api.command(ticket_id, "cm_a", "sign_scheme", scheme_hash=record["scheme_hash"], signer_name="赵六",
                         signature_blob=api.upload("cm_a", strokes()))
    assert signed.status_code == 200, signed.json
    assert signed.json["signed_pdf"]["url"].endswith("/scheme.pdf")
    assert_problem(api.command(ticket_id, "bo_cz", "write_manual_scheme", **manual), 409, "illegal-command")


def test_managers_grab_unassigned_tickets_once_and_within_their_load(app, api):
    unassigned = make_ticket(manager=None)
    assert api.post("/api/tickets", "bo_cz", json={**unassigned, "team": "A"}).status_code == 201
    assert api.get(f"/api/tickets/{unassigned['id']}", "cm_a").json["manager"] is None
    grabbed = api.post(f"/api/tickets/{unassigned['id']}/grab", "cm_a")
    assert grabbed.status_code == 200 and grabbed.json["manager"] == "cm_a"
    assert_problem(api.post(f"/api/tickets/{unassigned['id']}/grab", "cm_a2"), 409, "illegal-command")
    assert_problem(api.post(f"/api/tickets/{unassigned['id']}/grab", "cm_b"), 404, "not-found")
    app.config["POOL_MAX_OPEN"] = 1
    another = make_ticket(manager=None)
    api.post("/api/tickets", "bo_cz", json={**another, "team": "A"})
    problem = assert_problem(api.post(f"/api/tickets/{another['id']}/grab", "cm_a"), 409, "illegal-command")
    assert "open tickets" in problem["detail"]


def reserved_on(app, asset_id) -> float:
    from server.db import get_db
    from server.storage import grid as grid_store
    with app.app_context():
        return grid_store.reserved_by_asset(get_db(), "changzhou").get(asset_id, 0)


def test_a_connected_customers_reservation_is_absorbed_by_the_next_import(api, app, grid):
    """Until an import carries the new load in its peak the reservation holds; that import releases it and
    says so."""
    ticket_id = new_ticket(api, capacity_kw=220)
    propose(api, ticket_id)
    assert choose_and_sign(api, ticket_id).status_code == 200
    for command in ("complete_acceptance", "complete_works", "connect"):
        assert api.command(ticket_id, "cm_a", command).status_code == 200
    assert reserved_on(app, "TX-1") == pytest.approx(220 / 0.9, abs=0.01)
    imported = api.post("/api/grid/imports", "bo_cz", data=json.dumps(CHANGZHOU), content_type="application/json")
    assert imported.status_code == 201, imported.json
    [snapshot] = imported.json["snapshots"]
    assert [(r["ticket_id"], r["asset_id"]) for r in snapshot["absorbed_reservations"]] == [(ticket_id, "TX-1")]
    assert reserved_on(app, "TX-1") == 0


def test_a_signed_scheme_states_its_validity_and_lapses_after_it(api, app, grid):
    from datetime import datetime, timedelta
    from server.jobs import run_job
    from server.db import get_db
    ticket_id = new_ticket(api, capacity_kw=220)
    propose(api, ticket_id)
    signed = choose_and_sign(api, ticket_id).json
    scheme = signed["scheme"]
    days = (datetime.fromisoformat(scheme["valid_until"]) - datetime.fromisoformat(scheme["signed_at"])).days
    assert days == 90 and "供电营业规则" in scheme["validity_source"]           # LV: three months (assumed)
    pdf = api.get(f"/api/tickets/{ticket_id}/scheme.pdf", "cm_a").data
    from pypdf import PdfReader
    import io
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "方案有效期至" in text and scheme["valid_until"][:10] in text
    with app.app_context():
        soon = run_job(get_db(), app.config, "expire_schemes", datetime.fromisoformat(scheme["signed_at"]) + timedelta(days=89))
        late = run_job(get_db(), app.config, "expire_schemes", datetime.fromisoformat(scheme["signed_at"]) + timedelta(days=91))
    assert soon["result"]["lapsed"] == 0 and late["result"]["lapsed"] == 1
    assert reserved_on(app, "TX-1") == 0
    assert api.get(f"/api/tickets/{ticket_id}", "cm_a").json["scheme"]["lapsed_at"]


def test_propose_takes_the_full_request_a_device_hashed(api, grid):
    """docs/SCHEME_API.md: a full request (as sent to preview) is accepted; the ticket's fields must agree."""
    ticket_id = new_ticket(api, capacity_kw=100)
    assert api.command(ticket_id, "cm_a", "complete_acceptance").status_code in (200, 409)
    ticket = api.get(f"/api/tickets/{ticket_id}", "cm_a").json
    request = {key: ticket[key] for key in ("region", "policy_year", "business_type", "customer_class",
                                             "capacity_kw", "capacity_kva", "location", "zone")}
    preview = api.post("/api/schemes/preview", "cm_a", json=request).json
    proposed = api.command(ticket_id, "cm_a", "propose_scheme", request=request, scheme_hash=preview["scheme_hash"])
    assert proposed.status_code == 200, proposed.json
    wrong = api.command(ticket_id, "cm_a", "propose_scheme", request={**request, "capacity_kw": 180})
    assert "args.request.capacity_kw" in assert_problem(wrong, 422, "validation-error")["errors"]


# Load room 0.8 × 400 − 100 = 220 kVA, back-feed room 0.25 × 400 = 100 kVA.
XIHUA = make_grid(transformer("TX-X", 80, 0, rating_kva=400, peak_kva=100, region="xihua"))


def import_xihua(api, username="root"):
    response = api.post("/api/grid/imports", username, data=json.dumps(XIHUA), content_type="application/json")
    assert response.status_code == 201, response.json
    return response.json


def xihua_ticket(api, business_type, capacity_kw):
    kinds = ("id_proof", "property_proof") if business_type == "distributed_generation" else ("subject_proof",
                                                                                          "property_proof")
    ticket = make_ticket(region="xihua", business_type=business_type, capacity_kw=capacity_kw, location=LOCATION,
                         documents=[{"kind": kind, "status": "received"} for kind in kinds])
    response = api.post("/api/tickets", "cm_xh", json=ticket)
    assert response.status_code == 201, response.json
    return ticket["id"]


def signed_on(api, ticket_id) -> list:
    """The assets the signed scheme's chosen option connects to (its reservation's)."""
    assert propose(api, ticket_id, "cm_xh")["options"], "no option"
    signed = choose_and_sign(api, ticket_id, "cm_xh")
    assert signed.status_code == 200, signed.json
    return [s["capacity_asset_id"] for s in signed.json["scheme"]["chosen_option"]["sources"]]


def held_by_room(app) -> tuple:
    from server.storage import grid as grid_store
    with app.app_context():
        return tuple(grid_store.reserved_by_asset(server.db.get_db(), "xihua", nature=room)["TX-X"]
                     for room in ("load", "generation"))


def test_a_generators_reservation_leaves_the_load_room_alone_and_a_loads_the_back_feed_room(api, app):
    """A load customer takes 167 kVA of TX-X's 220: the generator after it still finds its 89 kVA of
    back-feed room (100), and a load customer after both the 53 kVA left of the load room."""
    import_xihua(api)
    assert signed_on(api, xihua_ticket(api, "lv_nonresident_new", 150)) == ["TX-X"]
    assert signed_on(api, xihua_ticket(api, "distributed_generation", 80)) == ["TX-X"]
    assert signed_on(api, xihua_ticket(api, "lv_nonresident_new", 45)) == ["TX-X"]
    assert held_by_room(app) == pytest.approx(((150 + 45) / 0.9, 80 / 0.9), abs=0.01)
    assert migrate_again_from(app, 13) >= 13        # reservations made before the rooms were told apart
    assert held_by_room(app) == pytest.approx(((150 + 45) / 0.9, 80 / 0.9), abs=0.01)
    late = xihua_ticket(api, "distributed_generation", 15)        # 17 kVA: more than the 11 left to back-feed
    assert "TX-X" not in [s["capacity_asset_id"] for o in propose(api, late, "cm_xh")["options"] for s in o["sources"]]


def test_an_import_absorbs_a_connected_loads_reservation_but_keeps_a_connected_generators(api, app):
    """The import's peak carries a connected load; a connected generator's reservation keeps the back-feed
    room taken until a file states the generation installed on its asset (generation_kva)."""
    import_xihua(api)
    load, generator = xihua_ticket(api, "lv_nonresident_new", 150), xihua_ticket(api, "distributed_generation", 80)
    for ticket_id in (load, generator):
        assert signed_on(api, ticket_id) == ["TX-X"]
        while (allowed := [c for c in ("complete_acceptance", "complete_works", "connect")
                           if c in api.get(f"/api/tickets/{ticket_id}", "cm_xh").json["allowed_commands"]]):
            assert api.command(ticket_id, "cm_xh", allowed[0]).status_code == 200
        assert api.get(f"/api/tickets/{ticket_id}", "cm_xh").json["stage"] == "completed"
    [snapshot] = import_xihua(api)["snapshots"]
    assert [r["ticket_id"] for r in snapshot["absorbed_reservations"]] == [load]
    from server.storage import grid as grid_store
    with app.app_context():
        db = server.db.get_db()
        assert grid_store.reserved_by_asset(db, "xihua", nature="load") == {}
        generation = grid_store.reserved_by_asset(db, "xihua", nature="generation")
    assert generation == {"TX-X": pytest.approx(80 / 0.9, abs=0.01)}
    stated = json.loads(json.dumps(XIHUA))
    stated["features"][0]["properties"]["generation_kva"] = 89
    response = api.post("/api/grid/imports", "root", data=json.dumps(stated), content_type="application/json")
    assert response.status_code == 201, response.json
    assert [r["ticket_id"] for r in response.json["snapshots"][0]["absorbed_reservations"]] == [generator]
    with app.app_context():
        assert grid_store.reserved_by_asset(server.db.get_db(), "xihua", nature="generation") == {}
    late = xihua_ticket(api, "distributed_generation", 15)        # 17 kVA: more than the 11 left to back-feed
    assert "TX-X" not in [s["capacity_asset_id"] for o in propose(api, late, "cm_xh")["options"] for s in o["sources"]]


def pulled_reservations(api, username, region) -> dict:
    """The region's reservations record as a device of ``username`` holds it after a full pull."""
    from tests.sync.test_push_pull import Device
    change = Device(api, username, f"pda-{username}-{uuid.uuid4().hex[:6]}").pull_all().get(
        ("reference", f"reservations:{region}"))
    return change and change.get("data")


def test_the_regions_devices_are_sent_what_signed_schemes_reserve_by_room_and_asset(api):
    """Sums per room and asset, no ticket named (grid data, like the snapshot's own reserved_kva): a scheme
    built on a tablet is net of them, as the server's is; a cancelled signature gives them back."""
    import_xihua(api)
    assert pulled_reservations(api, "cm_xh", "xihua") is None
    load, generator = xihua_ticket(api, "lv_nonresident_new", 150), xihua_ticket(api, "distributed_generation", 80)
    assert signed_on(api, load) == signed_on(api, generator) == ["TX-X"]
    held = {"region": "xihua", "load": {"TX-X": pytest.approx(150 / 0.9, abs=0.001)},
            "generation": {"TX-X": pytest.approx(80 / 0.9, abs=0.001)}}
    assert pulled_reservations(api, "cm_xh", "xihua") == held
    assert pulled_reservations(api, "cm_a", "xihua") is None              # another region's
    assert api.command(load, "cm_xh", "cancel", reason="客户撤回").status_code == 200
    assert pulled_reservations(api, "cm_xh", "xihua") == {**held, "load": {}}


def test_reservations_made_before_devices_were_sent_them_are_sent_after_an_upgrade(api, app):
    import_xihua(api)
    assert signed_on(api, xihua_ticket(api, "lv_nonresident_new", 150)) == ["TX-X"]
    with app.app_context():
        db = server.db.get_db()
        with server.db.transaction(db):
            db.execute("DELETE FROM changes WHERE entity_id = 'reservations:xihua'")
    assert pulled_reservations(api, "cm_xh", "xihua") is None
    from server.sync_ops import record_reference_versions
    with app.app_context():
        record_reference_versions(server.db.get_db(), app.extensions["yekuo.policies"])
    assert pulled_reservations(api, "cm_xh", "xihua")["load"] == {"TX-X": pytest.approx(150 / 0.9, abs=0.001)}


# F-FULL (N-1 limit 0.5 × 10,000 − 4,500 peak) has 500 kVA open; F-NEXT, 400 m on, 700: a 1000 kVA customer
# on F-FULL needs 500 kVA of its load moved to F-NEXT (切改), room for one such transfer only.
TRANSFER = make_grid(feeder("F-FULL", [(-3000, 300), (3000, 300)], rating_kva=10000, peak_kva=4500, ties=1),
                     feeder("F-NEXT", [(-3000, 700), (3000, 700)], rating_kva=10000, peak_kva=4300, ties=1))


def transfer_ticket(api) -> tuple[str, dict]:
    ticket_id = new_ticket(api, business_type="hv_new", capacity_kw=None, capacity_kva=1000)
    scheme = propose(api, ticket_id)
    [option] = [o for o in scheme["options"] if o["connection"]["asset_id"] == "F-FULL"]
    assert option["rank"] == 1 and option["upgrade_first"], scheme["options"]
    return ticket_id, option


def test_a_load_transfer_reserves_the_neighbours_room_it_moves_load_into(api, app):
    """Two customers shown the same transfer: the first to sign holds F-NEXT's room for the moved load,
    the second is refused with a fresh scheme (both were signed before: upgrade-first options were not
    checked and the moved load was never reserved)."""
    response = api.post("/api/grid/imports", "bo_cz", data=json.dumps(TRANSFER), content_type="application/json")
    assert response.status_code == 201, response.json
    (first, option), (second, _) = transfer_ticket(api), transfer_ticket(api)
    assert option["connection"]["load_transfer"] == {"asset_id": "F-NEXT", "kva": 500.0}
    assert any(w.startswith("切改") and "F-NEXT" in w for w in option["works"])
    assert choose_and_sign(api, first).status_code == 200
    from server.storage import grid as grid_store
    with app.app_context():
        held = grid_store.reserved_by_asset(server.db.get_db(), "changzhou")
    assert held == {"F-FULL": pytest.approx(1000), "F-NEXT": pytest.approx(500)}
    problem = assert_problem(choose_and_sign(api, second), 409, "capacity-taken")
    assert problem["assets"] == ["F-NEXT"]
    assert not any("load_transfer" in source for o in problem["fresh_scheme"]["options"] for source in o["sources"])
    assert api.command(first, "cm_a", "cancel", reason="客户撤回").status_code == 200
    assert choose_and_sign(api, second).status_code == 200
