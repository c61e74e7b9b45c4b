"""The policy pack file format, validated when the server loads a pack (docs/POLICY_PACK.md).

Validation only: the loaded dict becomes the typed model of :mod:`scheme_builder.pack`
(``pack_from_dict``), which the offline client builds the same way from pulled reference data.
"""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from scheme_builder.pack import BOUNDARY_KEYS, NATURES
from scheme_builder.request import CUSTOMER_CLASSES, RELIABILITY_CLASSES

STAGES = ["accepted", "scheme_reply", "design_review", "mid_inspection", "grid_works", "connect"]
CONDITIONS = [None, "has_grid_works", "important_customer"]
LIMIT_CONDITIONS = [None, "works_filed"]


class SourcedNumberSchema(Schema):
    value = fields.Float(required=True, validate=validate.Range(min=0))
    source = fields.String(required=True, validate=validate.Length(min=1))
    assumed = fields.Boolean(load_default=False)


class SourcedTextSchema(SourcedNumberSchema):
    value = fields.String(required=True, validate=validate.Length(min=1))


class StageRowSchema(Schema):
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    label = fields.String(required=True)
    limit_days = fields.Float(required=True, allow_none=True, validate=validate.Range(min=0.5))
    when = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(CONDITIONS))
    source = fields.String(required=True, validate=validate.Length(min=1))
    limit_when = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LIMIT_CONDITIONS))
    limit_zones = fields.List(fields.String(), load_default=None, allow_none=True)


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
        if data["stages"][0]["stage"] != "accepted":
            raise ValidationError("the first stage must be 'accepted'", "stages")


class TrackSchema(Schema):
    pipeline = fields.String(required=True)
    customer_class = fields.List(fields.String(validate=validate.OneOf(CUSTOMER_CLASSES)),
                                 allow_none=True, load_default=None)
    reliability_class = fields.List(fields.String(validate=validate.OneOf(RELIABILITY_CLASSES)),
                                    allow_none=True, load_default=None)


class BusinessTypeSchema(Schema):
    label = fields.String(required=True)
    voltage = fields.String(required=True, validate=validate.OneOf(["lv", "hv", "none"]))
    documents = fields.List(fields.String(), required=True)
    documents_source = fields.String(required=True)
    tracks = fields.List(fields.Nested(TrackSchema), required=True, validate=validate.Length(min=1))
    source = fields.String(required=True)
    nature = fields.String(load_default="load", validate=validate.OneOf(NATURES))


class DocumentSchema(Schema):
    label = fields.String(required=True)
    waivable = fields.Boolean(required=True)
    source = fields.String(required=True)


class ZoneSchema(Schema):
    zone = fields.String(required=True)
    label = fields.String(required=True)
    onsite_reply_limit_kva = fields.Nested(SourcedNumberSchema, allow_none=True, load_default=None)
    onsite_reply_max_kv = fields.Nested(SourcedNumberSchema, allow_none=True, load_default=None)

    @validates_schema
    def has_a_rule(self, data, **_):
        if data.get("onsite_reply_limit_kva") is None and data.get("onsite_reply_max_kv") is None:
            raise ValidationError("give onsite_reply_limit_kva or onsite_reply_max_kv", "onsite_reply_limit_kva")


class FeeSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    source = fields.String(required=True, validate=validate.Length(min=1))


class InvestmentBoundarySchema(Schema):
    """Every key the scheme builder reads is required: a pack missing one does not load."""
    lv_micro = fields.Nested(SourcedTextSchema, required=True)
    lv_resident = fields.Nested(SourcedTextSchema, required=True)
    hv = fields.Nested(SourcedTextSchema, required=True)
    extended = fields.Nested(SourcedTextSchema, required=True)
    electrification_share = fields.Nested(SourcedNumberSchema, required=True)
    customer_pays_outside = fields.List(fields.String(validate=validate.OneOf(BOUNDARY_KEYS)), load_default=list)


class SchemeRulesSchema(Schema):
    lv_limit_kw = fields.Nested(SourcedNumberSchema, required=True)
    direct_connection_limit_kva = fields.Nested(SourcedNumberSchema, required=True)
    filing_max_route_m = fields.Nested(SourcedNumberSchema, allow_none=True, required=True)
    investment_boundary = fields.Nested(InvestmentBoundarySchema, required=True)
    banned_fees = fields.List(fields.Nested(FeeSchema), required=True, validate=validate.Length(min=1))
    banned_practices = fields.List(fields.Nested(FeeSchema), required=True)
    validity_lv_days = fields.Nested(SourcedNumberSchema, required=True)
    validity_hv_days = fields.Nested(SourcedNumberSchema, required=True)
    lv_limit_customer_classes = fields.List(fields.String(validate=validate.OneOf(CUSTOMER_CLASSES)), allow_none=True,
                                          load_default=None)
    cosign_online_min_kv = fields.Nested(SourcedNumberSchema, allow_none=True, load_default=None)


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
            for track in business["tracks"]:
                if track["pipeline"] not in data.get("pipelines", {}):
                    errors[f"business_types.{key}.tracks"] = [f"unknown pipeline {track['pipeline']!r}"]
            for kind in business["documents"]:
                if kind not in data.get("documents", {}):
                    errors[f"business_types.{key}.documents"] = [f"unknown document {kind!r}"]
        if data.get("id") != f"{data.get('region')}-{data.get('year')}":
            errors["id"] = ["must be <region>-<year>"]
        if errors:
            raise ValidationError(errors)


pack_schema = PackSchema()
