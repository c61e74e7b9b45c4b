"""Grid data paged by area: a device pulls the tiles around its team's area, builds the server's
scheme from them, and says so when a location needs tiles it does not hold."""
import json
import os
import subprocess
import sys

import pytest
import requests

from scheme_builder import tiles
from scheme_builder.synthetic import make_city_grid
from sync.client import Client
from tests.e2e.conftest import ROOT, command, upload
from tests.factories import CENTRE, PASSWORD, RECEIVED, at, make_grid, make_ticket, strokes, transformer

pytestmark = pytest.mark.e2e
CITY_CENTRE = (119.951, 31.781)


def set_area(server, team, bbox):
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "team", "area", team, "--bbox",
                             ",".join(map(str, bbox))], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "YEKUO_DATA_DIR": str(server.data_dir),
                                 "YEKUO_SCHEDULER": "0"})
    assert result.returncode == 0, result.stderr


def ticket_at(east_m, north_m) -> dict:
    lon, lat = at(east_m, north_m, CITY_CENTRE)
    return make_ticket(business_type="hv_new", capacity_kw=None, capacity_kva=630, documents=RECEIVED,
                       location={"lon": lon, "lat": lat})


def test_a_device_holds_the_tiles_around_its_area_and_builds_the_servers_scheme(server, tmp_path):
    grid = make_city_grid(8000, seed=3, centre=CITY_CENTRE)
    backoffice = server.session("bo_cz")
    imported = backoffice.post(server.url("/api/grid/imports"), data=json.dumps(grid),
                               headers={"Content-Type": "application/geo+json"})
    assert imported.status_code == 201, imported.text
    east = at(12000, 0, CITY_CENTRE)
    area = [east[0] - 0.01, east[1] - 0.01, east[0] + 0.01, east[1] + 0.01]
    set_area(server, "A", area)

    pda = Client(server.url(""), tmp_path / "pda.sqlite", "pda-tiles", base_delay=0.05)
    pda.login("cm_a", PASSWORD)
    inside, outside = pda.create_ticket(ticket_at(12000, 300)), pda.create_ticket(ticket_at(-14000, 0))
    pda.sync()

    index = pda.record("reference", "grid:changzhou")
    held = {entity_id.rsplit(":", 1)[1] for entity_id in pda.records("reference") if entity_id.startswith("tile:")}
    allowed = set(tiles.tiles_of_bbox(tiles.expand(area, 15000)))
    assert "features" not in index and held and held <= allowed & set(index["tiles"])
    assert len(held) < len(index["tiles"]), "the whole region came down"
    assert max(len(json.dumps(pda.record("reference", f"tile:changzhou:{n}"))) for n in held) < 2_000_000

    offline = pda.build_scheme(inside)
    online = requests.post(server.url("/api/schemes/preview"), json={
        "region": "changzhou", "business_type": "hv_new", "customer_class": "non_resident", "capacity_kva": 630,
        "location": pda.record("ticket", inside)["location"]}, headers={"Authorization": f"Bearer {pda.meta('token')}"})
    assert online.status_code == 200, online.text
    assert offline["scheme_hash"] == online.json()["scheme_hash"]
    with pytest.raises(tiles.OutsideHeldTiles) as refused:
        pda.build_scheme(outside)
    assert "tile" in str(refused.value) and refused.value.missing


def test_a_new_import_removes_tiles_that_are_gone(server, tmp_path):
    backoffice = server.session("bo_cz")
    first = make_city_grid(600, seed=5, centre=CITY_CENTRE)
    assert backoffice.post(server.url("/api/grid/imports"), data=json.dumps(first),
                           headers={"Content-Type": "application/geo+json"}).status_code == 201
    pda = Client(server.url(""), tmp_path / "pda.sqlite", "pda-tiles", base_delay=0.05)
    pda.login("cm_a", PASSWORD)
    pda.sync()
    before = {e for e in pda.records("reference") if e.startswith("tile:")}
    smaller = {**first, "features": [f for f in first["features"] if f["properties"]["kind"] == "substation"]}
    assert backoffice.post(server.url("/api/grid/imports"), data=json.dumps(smaller),
                           headers={"Content-Type": "application/geo+json"}).status_code == 201
    pda.sync()
    after = {e for e in pda.records("reference") if e.startswith("tile:")}
    index = pda.record("reference", "grid:changzhou")
    assert after == {f"tile:changzhou:{n}" for n in index["tiles"]} and after < before
    assert all(pda.record("reference", e)["version"] == index["version"] for e in after)


def test_the_scheme_built_on_the_device_is_net_of_other_tickets_signatures(server, tmp_path):
    """TX-1 has room for one 220 kW customer: once another manager's customer signs for it, the device's
    offline scheme for the next customer needs TX-1 upgraded first, with the hash the server gives (on
    the device TX-1 looked free before its reservations were sent)."""
    grid = make_grid(transformer("TX-1", 80, 0))
    imported = server.session("bo_cz").post(server.url("/api/grid/imports"), data=json.dumps(grid),
                                            headers={"Content-Type": "application/geo+json"})
    assert imported.status_code == 201, imported.text
    other = server.session("cm_a2", "pda-other")
    signed = make_ticket(capacity_kw=220, location={"lon": CENTRE[0], "lat": CENTRE[1]})
    assert other.post(server.url("/api/tickets"), json=signed).status_code == 201
    scheme = command(other, server, signed["id"], "propose_scheme").json()["scheme"]
    assert scheme["options"][0]["connection"]["asset_id"] == "TX-1"
    for name, args in (("choose_option", {"rank": 1}), ("sign_scheme", {
            "signer_name": "王五", "signature_blob": upload(other, server, strokes())})):
        response = command(other, server, signed["id"], name, scheme_hash=scheme["scheme_hash"], **args)
        assert response.status_code == 200, response.text

    pda = Client(server.url(""), tmp_path / "pda.sqlite", "pda-reserved", base_delay=0.05)
    pda.login("cm_a", PASSWORD)
    ticket_id = pda.create_ticket(make_ticket(capacity_kw=220, documents=RECEIVED,
                                              location={"lon": CENTRE[0], "lat": CENTRE[1]}))
    pda.sync()
    offline = pda.build_scheme(ticket_id)
    assert [(o["connection"]["asset_id"], o["upgrade_first"]) for o in offline["options"]] == [("TX-1", True)]
    online = command(server.session("cm_a"), server, ticket_id, "propose_scheme")
    assert online.status_code == 200, online.text
    assert online.json()["scheme"]["scheme_hash"] == offline["scheme_hash"]
