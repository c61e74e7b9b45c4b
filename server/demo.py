"""Demo data: a Changzhou team with its roles, a synthetic grid, and tickets in different stages."""
import json

from pyproj import Geod

from scheme_builder.synthetic import make_city_grid
from server import tickets as service
from server.db import transaction
from server.grid import import_grid
from server.storage import blobs as blob_scope, grid as grid_store, tickets as store
from server.storage.users import add_user
from sync.blobs import hex_of

REGION, TEAM = "changzhou", "changzhou-A"
CENTRE = {"lon": 119.9741, "lat": 31.8112}
SITE_OFFSET_M = 40          # the demo customers sit this far north of the transformer nearest the centre
GRID_ASSETS, GRID_SEED = 400, 7
GEOD = Geod(ellps="WGS84")
USERS = [("cm1", "customer_manager"), ("pm1", "project_manager"), ("bo1", "backoffice"), ("admin", "admin")]
CUSTOMER = {"name": "常州市天宁区示范五金厂", "id_kind": "business_license", "id_number": "91320402MA1XXXXX0Q",
            "phone": "13800000000"}
SIGN_SCHEME = [("cm1", "propose_scheme", {}), ("cm1", "choose_option", {"rank": 1}),
               ("cm1", "sign_scheme", {"signer_name": "王小明"})]
CANVAS = {"width": 800, "height": 300}
TICKETS = [
    ("T-DEMO-0001", "lv_resident_new", "resident", {"capacity_kw": 8, "phase": 1,
                                                     "customer": {**CUSTOMER, "name": "王小明", "id_kind": "resident_id"}},
     SIGN_SCHEME),
    ("T-DEMO-0002", "lv_nonresident_new", "micro_enterprise", {"capacity_kw": 120,
     "documents": [{"kind": "subject_proof", "status": "received"},
                   {"kind": "property_proof", "status": "missing", "promised_date": "2026-12-15"}]}, []),
    ("T-DEMO-0003", "hv_new", "non_resident", {"capacity_kva": 1250, "documents": [
        {"kind": "subject_proof", "status": "received"}, {"kind": "property_proof", "status": "received"}]},
     [("cm1", "complete_acceptance", {}), ("cm1", "propose_scheme", {})]),
    ("T-DEMO-0004", "hv_capacity_increase", "non_resident", {"capacity_kva": 630},
     [("cm1", "cancel", {"reason": "客户撤回申请"})]),
    ("T-DEMO-0005", "hv_new", "non_resident", {"capacity_kva": 9000, "documents": [
        {"kind": "subject_proof", "status": "received"}, {"kind": "property_proof", "status": "received"}]},
     [("cm1", "complete_acceptance", {}), ("cm1", "propose_scheme", {})]),
]


def customer_site(grid) -> dict:
    """A point near the synthetic grid's most central transformer, so the demo schemes have options."""
    def distance(feature):
        lon, lat = feature["geometry"]["coordinates"]
        return GEOD.inv(CENTRE["lon"], CENTRE["lat"], lon, lat)[2]
    transformers = [f for f in grid["features"] if f["properties"]["kind"] == "distribution_transformer"]
    lon, lat = min(transformers, key=distance)["geometry"]["coordinates"]
    site_lon, site_lat, _ = GEOD.fwd(lon, lat, 0, SITE_OFFSET_M)
    return {"lon": round(site_lon, 7), "lat": round(site_lat, 7)}


def password_for(username):
    return f"{username}-demo"


def demo_strokes() -> bytes:
    """A short zigzag "signature" in the strokes format."""
    points = [{"x": 60 + 40 * i, "y": 100 + 80 * (i % 2), "t": 30 * i, "pressure": 0.6} for i in range(14)]
    return json.dumps({"canvas": CANVAS, "strokes": [points]}).encode()


def load_demo(db, book, services):
    """Create what is missing; running it twice changes nothing."""
    with transaction(db):
        people = {name: add_user(db, name, password_for(name), role, TEAM, REGION) for name, role in USERS}
    yield f"demo team {TEAM} in {REGION}; log in with:"
    for name, role in USERS:
        yield f"  {name:6} password {password_for(name):12} ({role})"
    grid = make_city_grid(GRID_ASSETS, GRID_SEED, (CENTRE["lon"], CENTRE["lat"]), REGION)
    if grid_store.current_snapshot(db, REGION) is None:
        result = import_grid(db, book, json.dumps(grid), "demo-grid.geojson", "admin")
        yield f"synthetic grid of {REGION}: snapshot {result['snapshots'][0]['id']}, {result['asset_count']} assets"
    location = customer_site(grid)
    signature = services.blobs.put(demo_strokes())
    with transaction(db):           # as if cm1's tablet had uploaded the customer's strokes
        blob_scope.record_upload(db, hex_of(signature), "cm1", "demo")
    for ticket_id, business_type, customer_class, fields, commands in TICKETS:
        if store.exists(db, ticket_id):
            continue
        data = {"id": ticket_id, "business_type": business_type, "customer_class": customer_class,
                "region": REGION, "customer": CUSTOMER, "address": "常州市天宁区青洋北路 1 号",
                "location": location, **fields}
        service.create_ticket(db, book, service.Actor(people["cm1"], "demo"), data)
        for username, command, args in commands:
            if command in ("choose_option", "sign_scheme"):
                args = {**args, "scheme_hash": store.get_ticket(db, ticket_id)["scheme"]["scheme_hash"]}
            if command == "sign_scheme":
                args["signature_blob"] = signature
            service.run_command(db, book, service.Actor(people[username], "demo"), ticket_id, command, args,
                                services=services)
        yield f"ticket {ticket_id} ({business_type}) created, now in {store.get_ticket(db, ticket_id)['stage']}"
