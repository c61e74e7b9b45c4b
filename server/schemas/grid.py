"""Grid imports and snapshots."""
from marshmallow import Schema, fields


class ReservationSchema(Schema):
    asset_id = fields.String()
    ticket_id = fields.String()
    kva = fields.Float()


class ImportedSnapshotSchema(Schema):
    id = fields.Integer()
    region = fields.String()
    version = fields.String(metadata={"description": "the grid_version schemes built on it carry"})
    asset_count = fields.Integer()
    heavy_load_notices = fields.Integer(metadata={"description": "assets loaded above the heavy-load rate"})
    vanished_reserved_assets = fields.List(fields.Nested(ReservationSchema), metadata={
        "description": "reservations of signed schemes on assets this import no longer has"})
    absorbed_reservations = fields.List(fields.Nested(ReservationSchema), metadata={
        "description": "reservations of connected customers released by this import: its peak carries their load"})


class ImportResultSchema(Schema):
    filename = fields.String()
    asset_count = fields.Integer()
    snapshots = fields.List(fields.Nested(ImportedSnapshotSchema))


class SnapshotSchema(Schema):
    id = fields.Integer()
    region = fields.String()
    filename = fields.String()
    asset_count = fields.Integer()
    imported_by = fields.String()
    imported_at = fields.String()


class SnapshotQuerySchema(Schema):
    region = fields.String()
