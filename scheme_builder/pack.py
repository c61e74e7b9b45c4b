"""The policy pack: one typed, validated model of a region's rules for a year (docs/DOMAIN.md).

Ticket rules (business types, pipelines, time limits, documents, zones) and scheme rules (LV and
direct-connection limits, investment boundary, banned fees), each number with its ``source``
clause and, when borrowed from another region's document, ``assumed: true``. The server validates
the pack files with its schema (server/schemas/policy.py) and builds this model with
:func:`pack_from_dict`; the offline client builds the same model from the pulled reference data
(:func:`dump_pack` is what it pulls), so both get the same ``version`` — a hash of the pack and the
engineering tables it is used with, echoed by every ticket and every scheme. No marshmallow here:
the library runs in the offline client too (docs/SCHEME_API.md).
"""
import hashlib
from dataclasses import dataclass, fields, is_dataclass
from typing import Optional

from scheme_builder.errors import InvalidRequest
from scheme_builder.policy import canonical_json

BOUNDARY_KEYS = ("lv_micro", "lv_resident", "hv", "extended")
NATURES = ("load", "generation", "charging")


class PackError(Exception):
    """A pack that does not validate; the message names the file and every bad field."""


# ---- the model ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Sourced:
    value: object
    source: str
    assumed: bool = False       # taken from another region's document (``source`` says whose and why)


@dataclass(frozen=True)
class StageRule:
    stage: str
    label: str
    limit_days: Optional[float]
    when: Optional[str]                     # the stage is planned only when this holds
    source: str
    limit_when: Optional[str] = None        # the limit applies only when this holds (works filed …)
    limit_zones: Optional[frozenset] = None     # … or only in these zones (a pilot)


@dataclass(frozen=True)
class Pipeline:
    """A business's stages, with the whole-process limits the seed states (per ticket, measured without
    the works' own clock) and the average it targets (a KPI for the dashboard, never a deadline)."""
    label: str
    days_unit: str
    stages: tuple
    process_limit_days: Optional[Sourced]
    source: str
    process_limit_days_with_works: Optional[Sourced] = None
    average_target_days: Optional[Sourced] = None
    process_excludes: tuple = ("grid_works",)    # stages with their own clock: the process clock pauses


@dataclass(frozen=True)
class Track:
    pipeline: str
    customer_class: Optional[frozenset]
    reliability_class: Optional[frozenset]

    def matches(self, customer_class, reliability_class) -> bool:
        return ((self.customer_class is None or customer_class in self.customer_class)
                and (self.reliability_class is None or reliability_class in self.reliability_class))


@dataclass(frozen=True)
class BusinessType:
    label: str
    voltage: str
    documents: tuple
    documents_source: str
    tracks: tuple
    source: str
    nature: str = "load"      # what the capacity is: load, generation (checked for back-feed, metered both
                              # ways) or charging (power-quality note, extended boundary): docs/ENGINEERING.md §4c


@dataclass(frozen=True)
class DocumentRule:
    label: str
    waivable: bool
    source: str


@dataclass(frozen=True)
class Zone:
    """Where HV schemes are answered on site: up to a voltage (Changzhou, Xihua's 10 kV model), up to a
    capacity (Shanghai, Chongqing), or not at all (a limit of 0); the rest is co-signed online."""
    zone: str
    label: str
    onsite_reply_limit_kva: Optional[Sourced] = None
    onsite_reply_max_kv: Optional[Sourced] = None

    def onsite_rule(self, voltage_kv, capacity_kva) -> tuple:
        """(answered on site?, the rule that decided it)."""
        if self.onsite_reply_max_kv is not None and voltage_kv <= self.onsite_reply_max_kv.value:
            return True, ("onsite_reply_max_kv", self.onsite_reply_max_kv)
        if self.onsite_reply_limit_kva is not None:
            return capacity_kva <= self.onsite_reply_limit_kva.value, ("onsite_reply_limit_kva",
                                                                      self.onsite_reply_limit_kva)
        return False, ("onsite_reply_max_kv", self.onsite_reply_max_kv)


@dataclass(frozen=True)
class Fee:
    name: str
    source: str


@dataclass(frozen=True)
class InvestmentBoundary:
    lv_micro: Sourced
    lv_resident: Sourced
    hv: Sourced
    extended: Sourced
    electrification_share: Sourced
    customer_pays_outside: tuple = ()    # boundary keys where the company stops short of the customer:
                                         # the external works are the customer's (Xihua's HV customers)


@dataclass(frozen=True)
class SchemeRules:
    lv_limit_kw: Sourced
    direct_connection_limit_kva: Sourced
    filing_max_route_m: Optional[Sourced]
    investment_boundary: InvestmentBoundary
    banned_fees: tuple
    banned_practices: tuple
    validity_lv_days: Sourced          # a signed scheme holds its capacity this long (calendar days) …
    validity_hv_days: Sourced          # … unless the customer is connected first
    lv_limit_customer_classes: Optional[frozenset] = None    # None: every class; others: 供电营业规则's limit
    cosign_online_min_kv: Optional[Sourced] = None   # from this voltage up, access schemes are computed and
                                                     # co-signed online (Changzhou 35 kV); None: manual


@dataclass(frozen=True)
class Pack:
    id: str
    region: str
    year: int
    title: str
    document: str
    seed: str
    zones: tuple
    documents: dict
    pipelines: dict
    business_types: dict
    scheme: SchemeRules
    engineering: dict           # data/engineering.json with the pack's overrides applied
    engineering_overrides: dict = None
    zone_required: bool = False      # the seed's rule differs by zone and names no default (Chongqing)
    version: str = ""

    def business(self, business_type: str) -> BusinessType:
        found = self.business_types.get(business_type)
        if found is None:
            raise InvalidRequest(f"{self.id} offers no business type {business_type!r}",
                                 {"business_type": [f"one of {', '.join(sorted(self.business_types))}"]})
        return found

    def room(self, business_type) -> str:
        """The capacity a request of ``business_type`` is checked against and its signature reserves:
        back-feed room for a generator, load room for everything else (charging is load). A generator's
        reservation leaves the load an asset can carry as it was, and a load's the generation it can take
        (docs/ENGINEERING.md §4, §4c). An unknown business type is load; the builder refuses it."""
        business = self.business_types.get(business_type) if isinstance(business_type, str) else None
        return "generation" if business is not None and business.nature == "generation" else "load"

    def pipeline_for(self, business_type: str, customer_class: str, reliability_class: str) -> str:
        """The name of the pipeline a ticket of this kind follows (its business type's first matching track)."""
        for track in self.business(business_type).tracks:
            if track.matches(customer_class, reliability_class):
                return track.pipeline
        raise InvalidRequest(f"{self.id}: no track of {business_type} fits {customer_class}/{reliability_class}",
                             {"customer_class": ["no track of the business type fits"]})

    def pipeline(self, business_type: str, customer_class: str, reliability_class: str) -> Pipeline:
        return self.pipelines[self.pipeline_for(business_type, customer_class, reliability_class)]

    def zone(self, name: Optional[str]) -> Zone:
        """The zone called ``name``; the first (main) zone when none is given, unless the pack's rules differ
        by zone with no default (then the zone is required); an unknown name is refused."""
        if name is None and self.zone_required:
            raise InvalidRequest(f"{self.id}: the zone decides the rules here; give one",
                                 {"zone": [f"required: one of {', '.join(z.zone for z in self.zones)}"]})
        if name is None:
            return self.zones[0]
        found = next((z for z in self.zones if z.zone == name), None)
        if found is None:
            raise InvalidRequest(f"{self.id} has no zone {name!r}",
                                 {"zone": [f"one of {', '.join(z.zone for z in self.zones)}"]})
        return found

    def sourced(self, *path) -> Sourced:
        """A sourced value of the pack's scheme rules, by attribute path."""
        node = self.scheme
        for key in path:
            node = getattr(node, key)
        return node

    def lv_limit(self, customer_class: str) -> Sourced:
        """The LV limit for a customer class: the pack's, or 供电营业规则's where the pack's rule is only
        for some classes (Xihua: industrial and commercial customers)."""
        classes = self.scheme.lv_limit_customer_classes
        if classes is None or customer_class in classes:
            return self.scheme.lv_limit_kw
        general = self.engineering["lv_limit_general_kw"]
        return Sourced(general["value"], general["source"])

    def number(self, *path):
        """(value, source) of a sourced number: a scheme rule of the pack, else an engineering table's."""
        if hasattr(self.scheme, path[0]):
            node = self.sourced(*path)
            return node.value, node.source
        node = self.engineering
        for key in path:
            node = node[key]
        return node["value"], node["source"]

    def banned_fees(self) -> list:
        return [fee.name for fee in self.scheme.banned_fees]


# ---- from and to the file format (validated by the server's schema, server/schemas/policy.py) ----

def number(value):
    """JSON numbers as floats (as the server's schema loads them), so every side hashes the same bytes."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def build(cls, data: dict, **convert):
    """``cls`` from a dict of the file format, nested values converted; an unknown key is a PackError."""
    try:
        return cls(**{**data, **{key: fn(data[key]) for key, fn in convert.items() if data.get(key) is not None}})
    except TypeError as exc:
        raise PackError(f"{cls.__name__}: {exc}") from None


def sourced(data) -> Sourced:
    return build(Sourced, data, value=number)


def optional_set(values):
    return frozenset(values)


def stage_rule(data) -> StageRule:
    return build(StageRule, data, limit_days=number, limit_zones=optional_set)


def pipeline(data) -> Pipeline:
    return build(Pipeline, data, stages=lambda rows: tuple(map(stage_rule, rows)), process_limit_days=sourced,
                 process_limit_days_with_works=sourced, average_target_days=sourced, process_excludes=tuple)


def business_type(data) -> BusinessType:
    track = lambda row: build(Track, row, customer_class=optional_set, reliability_class=optional_set)  # noqa: E731
    return build(BusinessType, data, documents=tuple, tracks=lambda rows: tuple(map(track, rows)))


def scheme_rules(data) -> SchemeRules:
    boundary = lambda row: build(  # noqa: E731
        InvestmentBoundary, row, customer_pays_outside=tuple,
        **{key: sourced for key in (*BOUNDARY_KEYS, "electrification_share")})
    fees = lambda rows: tuple(build(Fee, row) for row in rows)  # noqa: E731
    return build(SchemeRules, data, investment_boundary=boundary, banned_fees=fees, banned_practices=fees,
                 lv_limit_customer_classes=optional_set,
                 **{key: sourced for key in ("lv_limit_kw", "direct_connection_limit_kva", "filing_max_route_m",
                                             "validity_lv_days", "validity_hv_days", "cosign_online_min_kv")})


def pack_from_dict(data: dict, engineering: dict) -> Pack:
    """The pack of a dict in the file format (a file the server's schema accepted, or what a device
    pulled), with the engineering tables it is used with and its ``version``."""
    overrides = data.get("engineering_overrides") or {}
    merged = {**engineering, **overrides}
    zone = lambda row: build(Zone, row, onsite_reply_limit_kva=sourced, onsite_reply_max_kv=sourced)  # noqa: E731
    pack = build(Pack, {**data, "engineering_overrides": overrides, "engineering": merged},
                 zones=lambda rows: tuple(map(zone, rows)),
                 documents=lambda rows: {key: build(DocumentRule, row) for key, row in rows.items()},
                 pipelines=lambda rows: {key: pipeline(row) for key, row in rows.items()},
                 business_types=lambda rows: {key: business_type(row) for key, row in rows.items()},
                 scheme=scheme_rules)
    digest = hashlib.sha256(canonical_json({"pack": dump_pack(pack), "engineering": merged})).hexdigest()
    return Pack(**{**pack.__dict__, "version": f"sha256:{digest[:16]}"})


def plain(value):
    """A model value as JSON data: dataclasses as objects, sets sorted, tuples as lists."""
    if is_dataclass(value):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def dump_pack(pack: Pack) -> dict:
    """The pack in its file format: what devices pull and :func:`pack_from_dict` reads back."""
    data = plain(pack)
    del data["engineering"], data["version"]
    return data
