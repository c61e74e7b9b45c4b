"""Plain builders for test data: ``make_ticket(**overrides)``."""
import uuid

PASSWORD = "correct horse battery staple"


def make_ticket(**overrides) -> dict:
    """A valid LV non-resident Changzhou application, as a device would send it."""
    ticket = {
        "id": f"T-{uuid.uuid4()}",
        "business_type": "lv_nonresident_new",
        "customer_class": "non_resident",
        "region": "changzhou",
        "capacity_kw": 120,
        "customer": {"name": "常州示范机械厂", "id_kind": "business_license", "id_number": "91320400X",
                     "phone": "13912345678"},
        "address": "常州市新北区",
        "location": {"lon": 119.951, "lat": 31.781},
    }
    ticket.update(overrides)
    return ticket


RECEIVED = [{"kind": "subject_proof", "status": "received"}, {"kind": "property_proof", "status": "received"}]
