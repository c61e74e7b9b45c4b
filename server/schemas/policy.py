"""The shape of a policy pack file; loading builds the frozen dataclasses of ``server.policy``."""
from marshmallow import Schema, fields, post_load, validate, validates_schema, ValidationError

from scheme_builder.request import CUSTOMER_CLASSES, RELIABILITY_CLASSES
from server import policy as model

STAGES = ["accepted", "scheme_reply", "design_review", "mid_inspection", "grid_works", "connect"]
CONDITIONS = [None, "has_grid_works", "important_customer"]


class SourcedNumber(Schema):
    value = fields.Float(required=True, validate=validate.Range(min=0))
    source = fields.String(required=True, validate=validate.Length(min=1))

    @post_load
    def build(self, data, **_):
        return model.Sourced(**data)


class SourcedText(SourcedNumber):
    value = fields.String(required=True)


class StageRow(Schema):
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    label = fields.String(required=True)
    limit_days = fields.Float(required=True, allow_none=True, validate=validate.Range(min=0.5))
    when = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(CONDITIONS))
    source = fields.String(required=True, validate=validate.Length(min=1))

    @post_load
    def build(self, data, **_):
        return model.StageRule(**data)


class PipelineSchema(Schema):
    label = fields.String(required=True)
    days_unit = fields.String(required=True, validate=validate.OneOf(["working", "calendar"]))
    stages = fields.List(fields.Nested(StageRow), required=True, validate=validate.Length(min=1))
    total_limit_days = fields.Nested(SourcedNumber, allow_none=True, required=True)
    total_limit_days_with_works = fields.Nested(SourcedNumber, allow_none=True, load_default=None)
    source = fields.String(required=True)

    @validates_schema
    def first_stage_is_acceptance(self, data, **_):
        if data["stages"][0].stage != "accepted":
            raise ValidationError("the first stage must be 'accepted'", "stages")

    @post_load
    def build(self, data, **_):
        return model.Pipeline(**{**data, "stages": tuple(data["stages"])})


class TrackSchema(Schema):
    pipeline = fields.String(required=True)
    customer_class = fields.List(fields.String(validate=validate.OneOf(CUSTOMER_CLASSES)), allow_none=True)
    reliability_class = fields.List(fields.String(validate=validate.OneOf(RELIABILITY_CLASSES)), allow_none=True)

    @post_load
    def build(self, data, **_):
        return model.Track(data["pipeline"], to_set(data.get("customer_class")),
                           to_set(data.get("reliability_class")))


def to_set(values):
    return frozenset(values) if values is not None else None


class BusinessTypeSchema(Schema):
    label = fields.String(required=True)
    voltage = fields.String(required=True, validate=validate.OneOf(["lv", "hv", "none"]))
    documents = fields.List(fields.String(), required=True)
    documents_source = fields.String(required=True)
    tracks = fields.List(fields.Nested(TrackSchema), required=True, validate=validate.Length(min=1))
    source = fields.String(required=True)

    @post_load
    def build(self, data, **_):
        return model.BusinessType(**{**data, "documents": tuple(data["documents"]),
                                     "tracks": tuple(data["tracks"])})


class DocumentSchema(Schema):
    label = fields.String(required=True)
    waivable = fields.Boolean(required=True)
    source = fields.String(required=True)

    @post_load
    def build(self, data, **_):
        return model.DocumentRule(**data)


class ZoneSchema(Schema):
    zone = fields.String(required=True)
    label = fields.String(required=True)
    onsite_reply_limit_kva = fields.Nested(SourcedNumber, required=True)

    @post_load
    def build(self, data, **_):
        return model.Zone(**data)


class FeeSchema(Schema):
    name = fields.String(required=True)
    source = fields.String(required=True)


class SchemeRulesSchema(Schema):
    lv_limit_kw = fields.Nested(SourcedNumber, required=True)
    direct_connection_limit_kva = fields.Nested(SourcedNumber, required=True)
    filing_max_route_m = fields.Nested(SourcedNumber, allow_none=True, required=True)
    investment_boundary = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)
    banned_fees = fields.List(fields.Nested(FeeSchema), required=True, validate=validate.Length(min=1))
    banned_practices = fields.List(fields.Nested(FeeSchema), required=True)


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


pack_schema = PackSchema()
