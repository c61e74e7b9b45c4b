"""The policy pack: one typed, validated model of a region's rules for a year (docs/DOMAIN.md).

Ticket rules (business types, pipelines, time limits, documents, zones) and scheme rules (LV and
direct-connection limits, investment boundary, banned fees), each number with its ``source``
clause and, when borrowed from another region's document, ``assumed: true``. The server loads
the pack files with :func:`load_pack`; the offline client loads the same model from the pulled
reference data (:func:`dump_pack` is what it pulls), so both validate the same way and get the
same ``version`` — a hash of the pack and the engineering tables it is used with, echoed by every
ticket and every scheme.
"""
import hashlib
from dataclasses import dataclass
from typing import Optional

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from scheme_builder.errors import InvalidRequest
from scheme_builder.policy import canonical_json
from scheme_builder.request import CUSTOMER_CLASSES, RELIABILITY_CLASSES

STAGES = ["accepted", "scheme_reply", "design_review", "mid_inspection", "grid_works", "connect"]
CONDITIONS = [None, "has_grid_works", "important_customer"]
LIMIT_CONDITIONS = [None, "works_filed"]
BOUNDARY_KEYS = ("lv_micro", "lv_resident", "hv", "extended")


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
    engineering_overrides: dict
    zone_required: bool = False      # the seed's rule differs by zone and names no default (Chongqing)
    version: str = ""

    def business(self, business_type: str) -> BusinessType:
        found = self.business_types.get(business_type)
        if found is None:
            raise InvalidRequest(f"{self.id} offers no business type {business_type!r}",
                                 {"business_type": [f"one of {', '.join(sorted(self.business_types))}"]})
        return found

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


# ---- the file format --------------------------------------------------------------------------

class SortedSet(fields.List):
    """A JSON list loaded as a frozenset (None: any) and written back sorted, so hashes are stable."""

    def _deserialize(self, value, attr, data, **kwargs):
        return frozenset(super()._deserialize(value, attr, data, **kwargs))

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else sorted(value)


class SourcedNumberSchema(Schema):
    value = fields.Float(required=True, validate=validate.Range(min=0))
    source = fields.String(required=True, validate=validate.Length(min=1))
    assumed = fields.Boolean(load_default=False)

    @post_load
    def build(self, data, **_):
        return Sourced(**data)


class SourcedTextSchema(SourcedNumberSchema):
    value = fields.String(required=True, validate=validate.Length(min=1))


class StageRowSchema(Schema):
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    label = fields.String(required=True)
    limit_days = fields.Float(required=True, allow_none=True, validate=validate.Range(min=0.5))
    when = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(CONDITIONS))
    source = fields.String(required=True, validate=validate.Length(min=1))
    limit_when = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LIMIT_CONDITIONS))
    limit_zones = SortedSet(fields.String(), load_default=None, allow_none=True)

    @post_load
    def build(self, data, **_):
        return StageRule(**data)


class PipelineSchema(Schema):
    label = fields.String(required=True)
    days_unit = fields.String(required=True, validate=validate.OneOf(["working", "calendar"]))
    stages = fields.List(fields.Nested(StageRowSchema), required=True, validate=validate.Length(min=1))
    process_limit_days = fields.Nested(SourcedNumberSchema, allow_none=True, required=True)
    process_limit_days_with_works = fields.Nested(SourcedNumberSchema, allow_none=True, load_default=None)
    average_target_days = fields.Nested(SourcedNumberSchema, allow_none=True, load_default=None)
    process_excludes = fields.List(fields.String(validate=validate.OneOf(STAGES)), load_default=["grid_works"])
    source = fields.String(required=True)

    @validates_schema
    def first_stage_is_acceptance(self, data, **_):
        if data["stages"][0].stage != "accepted":
            raise ValidationError("the first stage must be 'accepted'", "stages")

    @post_load
    def build(self, data, **_):
        return Pipeline(**{**data, "stages": tuple(data["stages"]), "process_excludes": tuple(data["process_excludes"])})


class TrackSchema(Schema):
    pipeline = fields.String(required=True)
    customer_class = SortedSet(fields.String(validate=validate.OneOf(CUSTOMER_CLASSES)), allow_none=True,
                               load_default=None)
    reliability_class = SortedSet(fields.String(validate=validate.OneOf(RELIABILITY_CLASSES)), allow_none=True,
                                  load_default=None)

    @post_load
    def build(self, data, **_):
        return Track(**data)


class BusinessTypeSchema(Schema):
    label = fields.String(required=True)
    voltage = fields.String(required=True, validate=validate.OneOf(["lv", "hv", "none"]))
    documents = fields.List(fields.String(), required=True)
    documents_source = fields.String(required=True)
    tracks = fields.List(fields.Nested(TrackSchema), required=True, validate=validate.Length(min=1))
    source = fields.String(required=True)

    @post_load
    def build(self, data, **_):
        return BusinessType(**{**data, "documents": tuple(data["documents"]), "tracks": tuple(data["tracks"])})


class DocumentSchema(Schema):
    label = fields.String(required=True)
    waivable = fields.Boolean(required=True)
    source = fields.String(required=True)

    @post_load
    def build(self, data, **_):
        return DocumentRule(**data)


class ZoneSchema(Schema):
    zone = fields.String(required=True)
    label = fields.String(required=True)
    onsite_reply_limit_kva = fields.Nested(SourcedNumberSchema, allow_none=True, load_default=None)
    onsite_reply_max_kv = fields.Nested(SourcedNumberSchema, allow_none=True, load_default=None)

    @validates_schema
    def has_a_rule(self, data, **_):
        if data.get("onsite_reply_limit_kva") is None and data.get("onsite_reply_max_kv") is None:
            raise ValidationError("give onsite_reply_limit_kva or onsite_reply_max_kv", "onsite_reply_limit_kva")

    @post_load
    def build(self, data, **_):
        return Zone(**data)


class FeeSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    source = fields.String(required=True, validate=validate.Length(min=1))

    @post_load
    def build(self, data, **_):
        return Fee(**data)


class InvestmentBoundarySchema(Schema):
    """Every key the scheme builder reads is required: a pack missing one does not load."""
    lv_micro = fields.Nested(SourcedTextSchema, required=True)
    lv_resident = fields.Nested(SourcedTextSchema, required=True)
    hv = fields.Nested(SourcedTextSchema, required=True)
    extended = fields.Nested(SourcedTextSchema, required=True)
    electrification_share = fields.Nested(SourcedNumberSchema, required=True)
    customer_pays_outside = fields.List(fields.String(validate=validate.OneOf(BOUNDARY_KEYS)), load_default=list)

    @post_load
    def build(self, data, **_):
        return InvestmentBoundary(**{**data, "customer_pays_outside": tuple(data["customer_pays_outside"])})


class SchemeRulesSchema(Schema):
    lv_limit_kw = fields.Nested(SourcedNumberSchema, required=True)
    direct_connection_limit_kva = fields.Nested(SourcedNumberSchema, required=True)
    filing_max_route_m = fields.Nested(SourcedNumberSchema, allow_none=True, required=True)
    investment_boundary = fields.Nested(InvestmentBoundarySchema, required=True)
    banned_fees = fields.List(fields.Nested(FeeSchema), required=True, validate=validate.Length(min=1))
    banned_practices = fields.List(fields.Nested(FeeSchema), required=True)
    validity_lv_days = fields.Nested(SourcedNumberSchema, required=True)
    validity_hv_days = fields.Nested(SourcedNumberSchema, required=True)
    lv_limit_customer_classes = SortedSet(fields.String(validate=validate.OneOf(CUSTOMER_CLASSES)), allow_none=True,
                                          load_default=None)

    @post_load
    def build(self, data, **_):
        return SchemeRules(**{**data, "banned_fees": tuple(data["banned_fees"]),
                              "banned_practices": tuple(data["banned_practices"])})


class PackSchema(Schema):
    id = fields.String(required=True)
    region = fields.String(required=True, validate=validate.Regexp(r"^[a-z_]+$"))
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    title = fields.String(required=True)
    document = fields.String(required=True)
    seed = fields.String(required=True)
    zones = fields.List(fields.Nested(ZoneSchema), required=True, validate=validate.Length(min=1))
    documents = fields.Dict(keys=fields.String(), values=fields.Nested(DocumentSchema), required=True)
    pipelines = fields.Dict(keys=fields.String(), values=fields.Nested(PipelineSchema), required=True)
    business_types = fields.Dict(keys=fields.String(), values=fields.Nested(BusinessTypeSchema), required=True)
    scheme = fields.Nested(SchemeRulesSchema, required=True)
    engineering_overrides = fields.Dict(keys=fields.String(), load_default=dict)
    zone_required = fields.Boolean(load_default=False)

    @validates_schema
    def references_resolve(self, data, **_):
        """Every track names a pipeline of this pack, every checklist a document it defines."""
        errors = {}
        for key, business in data.get("business_types", {}).items():
            for track in business.tracks:
                if track.pipeline not in data.get("pipelines", {}):
                    errors[f"business_types.{key}.tracks"] = [f"unknown pipeline {track.pipeline!r}"]
            for kind in business.documents:
                if kind not in data.get("documents", {}):
                    errors[f"business_types.{key}.documents"] = [f"unknown document {kind!r}"]
        if data.get("id") != f"{data.get('region')}-{data.get('year')}":
            errors["id"] = ["must be <region>-<year>"]
        if errors:
            raise ValidationError(errors)


PACK_SCHEMA = PackSchema()


def flat_messages(messages, prefix="") -> list:
    if not isinstance(messages, dict):
        return [f"{prefix}: {' '.join(map(str, messages if isinstance(messages, list) else [messages]))}"]
    return [line for key, value in messages.items()
            for line in flat_messages(value, f"{prefix}.{key}" if prefix else str(key))]


def load_pack(raw: dict, engineering: dict, filename: str = "pack") -> Pack:
    """The validated pack; :class:`PackError` names the file and every bad field."""
    try:
        data = PACK_SCHEMA.load(raw)
    except ValidationError as exc:
        raise PackError(f"policy pack {filename} is invalid: {'; '.join(flat_messages(exc.messages))}") from None
    merged = {**engineering, **data["engineering_overrides"]}
    pack = Pack(**{**data, "zones": tuple(data["zones"]), "engineering": merged})
    digest = hashlib.sha256(canonical_json({"pack": dump_pack(pack), "engineering": merged})).hexdigest()
    return Pack(**{**pack.__dict__, "version": f"sha256:{digest[:16]}"})


def dump_pack(pack: Pack) -> dict:
    """The pack in its file format (what devices pull and :func:`load_pack` reads back)."""
    return PACK_SCHEMA.dump(pack)
