"""The scheme request (docs/SCHEME_API.md "Request"), checked and completed with defaults.

The server validates with marshmallow first; this check is what the offline client relies on.
"""
import math
from typing import TYPE_CHECKING

from scheme_builder.errors import InvalidRequest

if TYPE_CHECKING:                      # the pack's schema reads the classes below
    from scheme_builder.pack import Pack

RELIABILITY_CLASSES = ("ordinary", "level2", "level1", "special")
CUSTOMER_CLASSES = ("resident", "non_resident", "micro_enterprise")


def positive(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def normalize_request(request: dict, policy: "Pack") -> dict:
    """A complete request: both capacities, defaults filled, floats rounded for a stable hash."""
    errors = {}
    for name in ("business_type", "customer_class", "location"):
        if request.get(name) in (None, ""):
            errors[name] = ["required"]
    power_factor = request.get("power_factor") or policy.number("default_power_factor")[0]
    if not positive(power_factor) or power_factor > 1:
        errors["power_factor"] = ["a number in (0, 1]"]
    kw, kva = request.get("capacity_kw"), request.get("capacity_kva")
    if kva is None and kw is None:
        errors["capacity_kva"] = ["give capacity_kva or capacity_kw"]
    for name, value in (("capacity_kva", kva), ("capacity_kw", kw)):
        if value is not None and not positive(value):
            errors[name] = ["must be > 0"]
    location = request.get("location")
    if location is not None and not valid_location(location):
        errors["location"] = ["lon in [-180, 180] and lat in [-90, 90]"]
    if request.get("reliability_class", "ordinary") not in RELIABILITY_CLASSES:
        errors["reliability_class"] = [f"one of {', '.join(RELIABILITY_CLASSES)}"]
    if request.get("customer_class") not in (None, "") and request["customer_class"] not in CUSTOMER_CLASSES:
        errors["customer_class"] = [f"one of {', '.join(CUSTOMER_CLASSES)}"]
    if request.get("phase", 3) not in (1, 3):
        errors["phase"] = ["1 or 3"]
    if errors:
        raise InvalidRequest("the scheme request is not valid", errors)
    charging = policy.business(request["business_type"]).nature == "charging"   # a charging business is EV charging
    if kva is None:
        kva = kw / power_factor
    if kw is None:
        kw = kva * power_factor
    return {
        "region": policy.region, "policy_year": policy.year, "zone": policy.zone(request.get("zone")).zone,
        "business_type": request["business_type"], "customer_class": request["customer_class"],
        "capacity_kva": round(float(kva), 3), "capacity_kw": round(float(kw), 3),
        "phase": request.get("phase", 3), "power_factor": round(float(power_factor), 4),
        "reliability_class": request.get("reliability_class", "ordinary"),
        "location": {"lon": round(float(location["lon"]), 7), "lat": round(float(location["lat"]), 7)},
        "area_class": request.get("area_class"),
        "park_or_electrification": bool(request.get("park_or_electrification", False)),
        "ev_charging": bool(request.get("ev_charging", False)) or charging,
    }


def valid_location(location) -> bool:
    if not isinstance(location, dict):
        return False
    lon, lat = location.get("lon"), location.get("lat")
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (lon, lat))
    return numbers and -180 <= lon <= 180 and -90 <= lat <= 90


TICKET_FIELDS = ("business_type", "customer_class", "capacity_kva", "capacity_kw", "phase", "power_factor",
                 "reliability_class", "location", "park_or_electrification", "ev_charging", "zone")


def ticket_request(ticket: dict) -> dict:
    """The scheme request a ticket record makes (the server and the offline client use this one)."""
    return {**{name: ticket.get(name) for name in TICKET_FIELDS}, "region": ticket["region"],
            "policy_year": ticket["policy_year"], "area_class": None}
