"""The scheme part of a policy pack, plus the engineering tables, as one frozen object.

Built from plain dicts (the pack file, ``data/engineering.json``), so the offline client builds the
same object from pulled reference data. ``version`` covers both, so a changed number changes the
``scheme_hash`` of every scheme built after.
"""
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from typing import Optional

from scheme_builder.errors import InvalidRequest


def canonical_json(data) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same bytes on every machine."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def load_engineering() -> dict:
    """The national engineering tables shipped with the library."""
    text = (resources.files("scheme_builder") / "data" / "engineering.json").read_text(encoding="utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class SchemePolicy:
    region: str
    year: int
    version: str
    pack: dict            # the pack file as loaded (pipelines, business types, scheme rules)
    engineering: dict     # data/engineering.json, with the pack's overrides applied

    @classmethod
    def from_pack(cls, pack: dict, engineering: dict) -> "SchemePolicy":
        merged = {**engineering, **pack.get("engineering_overrides", {})}
        digest = hashlib.sha256(canonical_json({"pack": pack, "engineering": merged})).hexdigest()
        return cls(pack["region"], pack["year"], f"sha256:{digest[:16]}", pack, merged)

    @property
    def rules(self) -> dict:
        return self.pack["scheme"]

    def number(self, *path):
        """(value, source) of a sourced number of the pack's scheme rules or the engineering tables."""
        node = self.rules if path[0] in self.rules else self.engineering
        for key in path:
            node = node[key]
        return node["value"], node["source"]

    def zone(self, name: Optional[str]) -> dict:
        """The pack's zone of that name; the first (main) zone when no name is given."""
        zones = self.pack["zones"]
        if name is None:
            return zones[0]
        found = next((z for z in zones if z["zone"] == name), None)
        if found is None:
            raise InvalidRequest(f"{self.region}-{self.year} has no zone {name!r}",
                                 {"zone": [f"one of {', '.join(z['zone'] for z in zones)}"]})
        return found

    def onsite_limit(self, zone: Optional[str]):
        limit = self.zone(zone)["onsite_reply_limit_kva"]
        return limit["value"], limit["source"]

    def pipeline(self, business_type: str, customer_class: str, reliability_class: str) -> dict:
        business = self.pack["business_types"].get(business_type)
        if business is None:
            raise InvalidRequest(f"{self.region}-{self.year} offers no business type {business_type!r}",
                                 {"business_type": [f"one of {', '.join(sorted(self.pack['business_types']))}"]})
        for track in business["tracks"]:
            if ((track["customer_class"] is None or customer_class in track["customer_class"])
                    and (track["reliability_class"] is None or reliability_class in track["reliability_class"])):
                return self.pack["pipelines"][track["pipeline"]]
        raise InvalidRequest("no pipeline fits", {"customer_class": ["no track of the business type fits"]})

    def banned_fees(self) -> list:
        return [fee["name"] for fee in self.rules["banned_fees"]]
