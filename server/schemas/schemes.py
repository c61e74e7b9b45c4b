"""The scheme request and response of docs/SCHEME_API.md, and the scheme commands' arguments."""
from marshmallow import Schema, fields, validate

from scheme_builder.gridfile import AREA_CLASSES
from server.schemas.tickets import BLOB_REF, CUSTOMER_CLASSES, RELIABILITY_CLASSES, LocationSchema

HASH = validate.Regexp(r"^sha256:[0-9a-f]{64}$", error="a scheme hash: sha256:<64 hex>")
POSITIVE = validate.Range(min=0, min_inclusive=False, max=1e6)


class SchemeRequestSchema(Schema):
    region = fields.String(required=True, validate=validate.Length(min=1, max=64))
    policy_year = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=2000, max=2100),
                                 metadata={"description": "default: the region's newest pack"})
    zone = fields.String(load_default=None, allow_none=True)
    business_type = fields.String(required=True, validate=validate.Length(min=1, max=64))
    customer_class = fields.String(required=True, validate=validate.OneOf(CUSTOMER_CLASSES))
    capacity_kva = fields.Float(allow_none=True, validate=POSITIVE)
    capacity_kw = fields.Float(allow_none=True, validate=POSITIVE)
    phase = fields.Integer(load_default=3, validate=validate.OneOf([1, 3]))
    power_factor = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0.1, max=1))
    reliability_class = fields.String(load_default="ordinary", validate=validate.OneOf(RELIABILITY_CLASSES))
    location = fields.Nested(LocationSchema, required=True)
    area_class = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(AREA_CLASSES))
    park_or_electrification = fields.Boolean(load_default=False)
    ev_charging = fields.Boolean(load_default=False)


class RuleSchema(Schema):
    rule = fields.String()
    value = fields.Raw()
    source = fields.String()


class CostSchema(Schema):
    low = fields.Float()
    high = fields.Float()
    customer_pays = fields.Float()


class LoadTransferSchema(Schema):
    asset_id = fields.String(metadata={"description": "the neighbouring feeder that takes the load"})
    kva = fields.Float(metadata={"description": "the load moved onto it, reserved there when the customer signs"})


class ConnectionSchema(Schema):
    asset_id = fields.String()
    kind = fields.String()
    voltage_kv = fields.Float()
    point = fields.Nested(LocationSchema)
    capacity_asset_id = fields.String(metadata={"description": "the rated asset whose capacity is used"})
    distance_m = fields.Float()
    route_length_m = fields.Float()
    open_capacity_kva = fields.Float()
    conductor = fields.String()
    load_transfer = fields.Nested(LoadTransferSchema, metadata={
        "description": "present when the relief moves part of the full feeder's load to a neighbour (切改)"})


class OptionSchema(Schema):
    rank = fields.Integer()
    connection = fields.Nested(ConnectionSchema)
    distance_m = fields.Float()
    route_length_m = fields.Float()
    open_capacity_kva = fields.Float(metadata={"description": "free before this request"})
    load_rate_after = fields.Float()
    conductor = fields.String()
    voltage_drop_pct = fields.Float()
    metering = fields.String()
    investment_boundary = fields.String()
    works = fields.List(fields.String())
    cost_estimate_yuan = fields.Nested(CostSchema)
    customer_works_yuan = fields.Dict(allow_none=True, metadata={
        "description": "{low, high}: reference cost of the customer's own 受电工程 (HV: its substation); null for LV"})
    upgrade_first = fields.Boolean(metadata={"description": "先接入、后改造"})
    filing_instead_of_approval = fields.Boolean()
    working_days = fields.Dict(keys=fields.String(), values=fields.Float())
    sources = fields.List(fields.Nested(ConnectionSchema), metadata={"description": "one per source"})
    score = fields.Float(metadata={"description": "lower is better (README: ranking)"})


class PolicyRefSchema(Schema):
    region = fields.String()
    year = fields.Integer()
    version = fields.String()


class SchemeSchema(Schema):
    class Meta:
        ordered = True
    scheme_hash = fields.String()
    policy = fields.Nested(PolicyRefSchema)
    grid_version = fields.String(metadata={"description": "<region>/<snapshot number>"})
    request = fields.Dict(metadata={"description": "the request as completed with defaults"})
    decision = fields.String(validate=validate.OneOf(["auto", "onsite_reply", "cosign", "manual"]))
    supply_voltage_kv = fields.Float()
    sources = fields.Integer()
    options = fields.List(fields.Nested(OptionSchema))
    explanation = fields.List(fields.Nested(RuleSchema))
    warnings = fields.List(fields.String())
    manual_reason = fields.String()


class ManualQueueItemSchema(Schema):
    ticket_id = fields.String()
    number = fields.Integer()
    team = fields.String()
    manager = fields.String(allow_none=True)
    proposed_at = fields.String()
    manual_reason = fields.String()
    request = fields.Dict()


class ProposeRequestSchema(Schema):
    """A scheme request in ``propose_scheme``'s args (docs/SCHEME_API.md): a full request as sent to
    preview is accepted; the ticket's own fields must agree with it, the survey fields (location,
    area class, reliability class, park/electrification, EV charging) override the ticket's. No
    defaults here: a field left out is the ticket's."""
    region = fields.String(validate=validate.Length(min=1, max=64))
    policy_year = fields.Integer(allow_none=True, validate=validate.Range(min=2000, max=2100))
    zone = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    business_type = fields.String(validate=validate.Length(min=1, max=64))
    customer_class = fields.String(validate=validate.OneOf(CUSTOMER_CLASSES))
    capacity_kva = fields.Float(allow_none=True, validate=POSITIVE)
    capacity_kw = fields.Float(allow_none=True, validate=POSITIVE)
    phase = fields.Integer(validate=validate.OneOf([1, 3]))
    power_factor = fields.Float(allow_none=True, validate=validate.Range(min=0.1, max=1))
    area_class = fields.String(allow_none=True, validate=validate.OneOf(AREA_CLASSES))
    reliability_class = fields.String(validate=validate.OneOf(RELIABILITY_CLASSES))
    location = fields.Nested(LocationSchema)
    park_or_electrification = fields.Boolean()
    ev_charging = fields.Boolean()


class ProposeArgsSchema(Schema):
    scheme_hash = fields.String(validate=HASH, metadata={
        "description": "the hash the device showed; 409 scheme-hash-mismatch if the server's build differs"})
    request = fields.Nested(ProposeRequestSchema, load_default=dict, metadata={
        "description": "the scheme request (docs/SCHEME_API.md): the ticket's fields must agree, survey fields "
                       "override; left out: the ticket's"})


class ChooseArgsSchema(Schema):
    rank = fields.Integer(required=True, validate=validate.Range(min=1, max=3))
    scheme_hash = fields.String(required=True, validate=HASH)


class CosignArgsSchema(Schema):
    scheme_hash = fields.String(required=True, validate=HASH)
    comment = fields.String(validate=validate.Length(max=500))


class ManualCostSchema(Schema):
    low = fields.Float(required=True, validate=validate.Range(min=0))
    high = fields.Float(required=True, validate=validate.Range(min=0))


class ManualSchemeArgsSchema(Schema):
    """What the engineer decides when no rule could (the negative list, above direct connection …)."""
    asset_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    point = fields.Nested(LocationSchema, required=True)
    supply_voltage_kv = fields.Float(required=True, validate=validate.Range(min=0.22, max=500))
    route_length_m = fields.Float(required=True, validate=validate.Range(min=0, max=100000))
    conductor = fields.String(required=True, validate=validate.Length(min=1, max=64))
    works = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=list)
    cost_estimate_yuan = fields.Nested(ManualCostSchema, required=True)
    working_days = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class SignArgsSchema(Schema):
    scheme_hash = fields.String(required=True, validate=HASH)
    signer_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    signature_blob = fields.String(required=True, validate=validate.Regexp(BLOB_REF), metadata={
        "description": "the uploaded signature strokes (docs/SYNC_PROTOCOL.md \"Signature strokes\")"})
    gps = fields.Nested(LocationSchema, allow_none=True)
