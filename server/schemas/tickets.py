"""The ticket record of docs/SYNC_PROTOCOL.md ("The ticket record"): create, patch, commands, output."""
from marshmallow import Schema, fields, validate, validates_schema, ValidationError

from scheme_builder.request import CUSTOMER_CLASSES, RELIABILITY_CLASSES
from server.schemas.auth import ID_PATTERN
from server.schemas.common import ClientTime, Instant

ID_KINDS = ["resident_id", "business_license", "passport", "other"]
BLOB_REF = r"^sha256:[0-9a-f]{64}$"


class IsoDate(fields.Date):
    """A date that loads from ISO text and dumps records that already hold it as text."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) else super()._serialize(value, attr, obj, **kwargs)


class LocationSchema(Schema):
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))


class CustomerSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    id_kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(ID_KINDS))
    id_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    phone = fields.String(required=True, validate=validate.Regexp(r"^\+?[0-9 -]{5,20}$"))


class DocumentSchema(Schema):
    kind = fields.String(required=True, validate=validate.Length(min=1, max=64))
    status = fields.String(required=True, validate=validate.OneOf(["received", "missing"]))
    blob = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(BLOB_REF))
    promised_date = IsoDate(load_default=None, allow_none=True,
                                metadata={"description": "容缺: the date the customer promises the document"})


class TicketFieldsSchema(Schema):
    """Fields a device or the back office may set (on create, and later by PATCH)."""
    capacity_kw = fields.Float(allow_none=True, validate=validate.Range(min=0, min_inclusive=False, max=1e6))
    capacity_kva = fields.Float(allow_none=True, validate=validate.Range(min=0, min_inclusive=False, max=1e6))
    power_factor = fields.Float(validate=validate.Range(min=0.1, max=1))
    phase = fields.Integer(validate=validate.OneOf([1, 3]))
    reliability_class = fields.String(validate=validate.OneOf(RELIABILITY_CLASSES))
    customer = fields.Nested(CustomerSchema)
    address = fields.String(validate=validate.Length(max=500))
    location = fields.Nested(LocationSchema)
    documents = fields.List(fields.Nested(DocumentSchema))
    manager = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    park_or_electrification = fields.Boolean()
    ev_charging = fields.Boolean()
    zone = fields.String(validate=validate.Length(min=1, max=64))


class TicketCreateSchema(TicketFieldsSchema):
    id = fields.String(validate=validate.Regexp(ID_PATTERN), metadata={"description": "made on the device"})
    business_type = fields.String(required=True)
    customer_class = fields.String(required=True, validate=validate.OneOf(CUSTOMER_CLASSES))
    region = fields.String(required=True)
    policy_year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    customer = fields.Nested(CustomerSchema, required=True)
    location = fields.Nested(LocationSchema, required=True)
    team = fields.String(validate=validate.Length(min=1, max=64))

    @validates_schema
    def one_capacity(self, data, **_):
        if data.get("capacity_kw") is None and data.get("capacity_kva") is None:
            raise ValidationError("give capacity_kw or capacity_kva", "capacity_kw")


class TicketPatchSchema(TicketFieldsSchema):
    @validates_schema
    def not_empty(self, data, **_):
        if not data:
            raise ValidationError("change at least one field", "_schema")


class CommandSchema(Schema):
    command = fields.String(required=True, validate=validate.Length(min=1, max=64))
    args = fields.Dict(keys=fields.String(), load_default=dict)
    client_time = ClientTime(load_default=None, allow_none=True,
                                       metadata={"description": "the device's clock, kept for the audit trail"})


class CancelArgsSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class NoArgsSchema(Schema):
    pass


class DeadlineSchema(Schema):
    stage = fields.String()
    started_at = fields.String()
    limit_days = fields.Float()
    days_unit = fields.String()
    due_at = fields.String()
    provisional = fields.Boolean(metadata={"description": "computed on weekdays: the calendar of that year is unknown"})
    source = fields.String()


class DeadlinesSchema(Schema):
    stage = fields.Nested(DeadlineSchema, allow_none=True)
    process = fields.Nested(DeadlineSchema, allow_none=True)


class HistorySchema(Schema):
    command = fields.String()
    from_stage = fields.String(allow_none=True)
    to_stage = fields.String()
    args = fields.Dict()
    username = fields.String()
    device_id = fields.String(allow_none=True)
    client_time = fields.String(allow_none=True)
    server_time = fields.String()
    result = fields.String()


class TicketSchema(TicketCreateSchema):
    """A ticket as the API returns it: the record plus what the server made."""
    class Meta:
        ordered = True
    number = fields.Integer()
    stage = fields.String()
    version = fields.Integer(metadata={"description": "change_seq of the record's latest change"})
    policy_version = fields.String()
    pipeline = fields.String()
    planned_stages = fields.List(fields.String())
    stage_started_at = fields.String()
    deadlines = fields.Nested(DeadlinesSchema)
    allowed_commands = fields.List(fields.String(), metadata={"description": "for the caller's role, now"})
    created_by = fields.String()
    created_at = fields.String()
    updated_at = fields.String()
    cancel_reason = fields.String(allow_none=True)
    scheme = fields.Dict(allow_none=True)
    signed_pdf = fields.Dict(allow_none=True, metadata={
        "description": "the signed scheme reply: {blob, url, signed_at}"})
    has_conflict = fields.Boolean(metadata={"description": "a sync conflict awaits a person (GET /api/conflicts)"})
    stage_history = fields.List(fields.Nested(HistorySchema))


class TicketPageSchema(Schema):
    items = fields.List(fields.Nested(TicketSchema))
    next_cursor = fields.String(allow_none=True, metadata={"description": "pass as ?cursor= for the next page"})


class TicketQuerySchema(Schema):
    stage = fields.String()
    business_type = fields.String()
    manager = fields.String()
    team = fields.String()
    region = fields.String()
    overdue = fields.Boolean()
    updated_since = Instant()
    cursor = fields.String(validate=validate.Regexp(r"^[0-9]{1,12}$"))
    limit = fields.Integer(validate=validate.Range(min=1, max=500))


ticket_create_schema = TicketCreateSchema()
ticket_patch_schema = TicketPatchSchema()
