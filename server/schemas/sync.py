"""Push bodies and ops, pull pages, info and digest (docs/SYNC_PROTOCOL.md)."""
from marshmallow import EXCLUDE, Schema, fields, validate

from server.schemas.auth import ID_PATTERN
from server.schemas.common import ClientTime, Instant
from server.schemas.tickets import BLOB_REF
from server.storage import MAX_ROW_ID

OP_TYPES = ["ticket.create", "ticket.update", "ticket.command", "note.add", "document.add", "photo.add",
            "gps.add", "signature.add"]


class PushSchema(Schema):
    """The body; unknown top-level fields are ignored (forward compatibility)."""
    class Meta:
        unknown = EXCLUDE
    protocol = fields.Integer(required=True, strict=True)
    device_id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    ops = fields.List(fields.Raw(), required=True, metadata={"description": "ops (objects); each is checked on its own"})


class OpEnvelopeSchema(Schema):
    """What every op has; unknown fields inside an op reject that op."""
    op_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    seq = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    type = fields.String(required=True, validate=validate.OneOf(OP_TYPES))
    entity = fields.String(validate=validate.OneOf(["ticket"]))
    entity_id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN))
    client_time = ClientTime(load_default=None, allow_none=True)


class CreateOpSchema(OpEnvelopeSchema):
    data = fields.Dict(required=True)


class ChangeSchema(Schema):
    base = fields.Raw(allow_none=True, load_default=None)
    value = fields.Raw(required=True, allow_none=True)


class UpdateOpSchema(OpEnvelopeSchema):
    base_version = fields.Integer(allow_none=True, load_default=None)
    changes = fields.Dict(keys=fields.String(), values=fields.Nested(ChangeSchema), required=True,
                          validate=validate.Length(min=1))


class CommandOpSchema(OpEnvelopeSchema):
    command = fields.String(required=True, validate=validate.Length(min=1, max=64))
    args = fields.Dict(load_default=dict)


class EvidenceOpSchema(OpEnvelopeSchema):
    data = fields.Dict(required=True)


class NoteSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class BlobEvidenceSchema(Schema):
    blob = fields.String(required=True, validate=validate.Regexp(BLOB_REF))
    media_type = fields.String(load_default=None, validate=validate.Length(max=100))
    caption = fields.String(load_default=None, validate=validate.Length(max=500))


class DocumentEvidenceSchema(BlobEvidenceSchema):
    kind = fields.String(required=True, validate=validate.Length(min=1, max=64))


class SignatureEvidenceSchema(BlobEvidenceSchema):
    signer_name = fields.String(load_default=None, validate=validate.Length(max=200))


class GpsSchema(Schema):
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    accuracy_m = fields.Float(load_default=None, validate=validate.Range(min=0))
    fix_time = Instant(load_default=None)


OP_SCHEMAS = {"ticket.create": CreateOpSchema(), "ticket.update": UpdateOpSchema(),
              "ticket.command": CommandOpSchema(), **{t: EvidenceOpSchema() for t in OP_TYPES if t.endswith(".add")}}
EVIDENCE_SCHEMAS = {"note.add": NoteSchema(), "document.add": DocumentEvidenceSchema(),
                    "photo.add": BlobEvidenceSchema(), "gps.add": GpsSchema(),
                    "signature.add": SignatureEvidenceSchema()}


class OpResultSchema(Schema):
    op_id = fields.String()
    seq = fields.Integer()
    status = fields.String(validate=validate.OneOf(["applied", "merged", "conflict", "rejected", "duplicate", "held"]))
    change_seq = fields.Integer()
    error = fields.Dict(metadata={"description": "problem details of a rejected op: validation-error (also for "
                                                 "text with NUL or lone surrogates, integers beyond 64 bits, NaN, "
                                                 "nesting deeper than 16), op-id-reused (the op_id was sent before "
                                                 "with another body), or what the REST API would answer"})
    first = fields.Dict(metadata={"description": "the first result of a resent op"})
    conflicts = fields.List(fields.Dict())


class PushResultSchema(Schema):
    protocol = fields.Integer()
    acked_seq = fields.Integer()
    held = fields.List(fields.Integer())
    results = fields.List(fields.Nested(OpResultSchema))
    server_time = fields.String()


class PullQuerySchema(Schema):
    since = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_ROW_ID), metadata={
        "description": "the cursor (next of the last page); beyond the newest change → 422"})
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=5000))


class ChangeOutSchema(Schema):
    change_seq = fields.Integer()
    entity = fields.String(metadata={"description": "ticket | evidence | reference"})
    entity_id = fields.String(metadata={"description": "a ticket id; an evidence row number; for reference data "
                                                     "policy:<pack id>, engineering:, grid:<region> (the tile index) "
                                                     "or tile:<region>:<i>_<j> (one 0.05° tile of the grid)"})
    op = fields.String(validate=validate.OneOf(["upsert", "remove"]))
    data = fields.Dict(metadata={"description": "the current record (absent on remove); grid: {region, version, "
                                                "asset_count, tile_degrees, tiles, centre}; tile: {region, version, "
                                                "tile, features: [[ordinal, feature], …]}; policy: {id, version, "
                                                "pack}; engineering: {engineering}. Field devices get the tiles "
                                                "within the farthest supply radius of their team's area"})


class PullSchema(Schema):
    changes = fields.List(fields.Nested(ChangeOutSchema))
    next = fields.Integer()
    more = fields.Boolean()


class DigestSchema(Schema):
    count = fields.Integer()
    hash = fields.String()


class DeviceStateSchema(Schema):
    acked_seq = fields.Integer()
    held = fields.List(fields.Integer())


class InfoSchema(Schema):
    protocols = fields.List(fields.Integer())
    max_ops = fields.Integer()
    max_bytes = fields.Integer()
    max_blob_bytes = fields.Integer()
    tombstone_horizon_days = fields.Integer()
    server_time = fields.String()
    device = fields.Nested(DeviceStateSchema)


class ConflictSchema(Schema):
    id = fields.Integer()
    ticket_id = fields.String()
    path = fields.String()
    base = fields.Raw()
    server_value = fields.Raw()
    device_value = fields.Raw()
    op_id = fields.String()
    username = fields.String()
    device_id = fields.String(allow_none=True)
    created_at = fields.String()
    resolved_at = fields.String(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolution = fields.Raw()


class ResolveSchema(Schema):
    value = fields.Raw(required=True, allow_none=True, metadata={
        "description": "the value to keep: the server's, the device's, or a new one"})


class AuditEntrySchema(Schema):
    op_id = fields.String()
    seq = fields.Integer()
    type = fields.String()
    username = fields.String()
    device_id = fields.String()
    client_time = fields.String(allow_none=True)
    received_at = fields.String()
    applied_at = fields.String(allow_none=True)
    status = fields.String()
    result = fields.Dict(allow_none=True)
    body = fields.Dict()
