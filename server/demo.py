"""Demo data: a Changzhou team with its three roles and a few tickets in different stages."""
from server import tickets as service
from server.db import transaction
from server.storage import tickets as store
from server.storage.users import add_user

REGION, TEAM = "changzhou", "changzhou-A"
USERS = [("cm1", "customer_manager"), ("pm1", "project_manager"), ("bo1", "backoffice"), ("admin", "admin")]
CUSTOMER = {"name": "常州市天宁区示范五金厂", "id_kind": "business_license", "id_number": "91320402MA1XXXXX0Q",
            "phone": "13800000000"}
TICKETS = [
    ("T-DEMO-0001", "lv_resident_new", "resident", {"capacity_kw": 8, "phase": 1,
                                                     "customer": {**CUSTOMER, "name": "王小明", "id_kind": "resident_id"}},
     []),
    ("T-DEMO-0002", "lv_nonresident_new", "micro_enterprise", {"capacity_kw": 120,
     "documents": [{"kind": "subject_proof", "status": "received"},
                   {"kind": "property_proof", "status": "missing", "promised_date": "2026-12-15"}]}, []),
    ("T-DEMO-0003", "hv_new", "non_resident", {"capacity_kva": 1250, "documents": [
        {"kind": "subject_proof", "status": "received"}, {"kind": "property_proof", "status": "received"}]},
     [("cm1", "complete_acceptance", {})]),
    ("T-DEMO-0004", "hv_capacity_increase", "non_resident", {"capacity_kva": 630},
     [("cm1", "cancel", {"reason": "客户撤回申请"})]),
]


def password_for(username):
    return f"{username}-demo"


def load_demo(db, book):
    """Create what is missing; running it twice changes nothing."""
    with transaction(db):
        people = {name: add_user(db, name, password_for(name), role, TEAM, REGION) for name, role in USERS}
    yield f"demo team {TEAM} in {REGION}; log in with:"
    for name, role in USERS:
        yield f"  {name:6} password {password_for(name):12} ({role})"
    for ticket_id, business_type, customer_class, fields, commands in TICKETS:
        if store.exists(db, ticket_id):
            continue
        data = {"id": ticket_id, "business_type": business_type, "customer_class": customer_class,
                "region": REGION, "customer": CUSTOMER, "address": "常州市天宁区青洋北路 1 号",
                "location": {"lon": 119.9741, "lat": 31.8112}, **fields}
        service.create_ticket(db, book, service.Actor(people["cm1"], "demo"), data)
        for username, command, args in commands:
            service.run_command(db, book, service.Actor(people[username], "demo"), ticket_id, command, args)
        yield f"ticket {ticket_id} ({business_type}) created"
