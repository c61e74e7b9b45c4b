"""Shapes shared by several resources: problems, paging."""
from marshmallow import Schema, fields


class ProblemSchema(Schema):
    """RFC 9457 problem details, as every error of this API returns them."""
    type = fields.String(metadata={"description": "/problems/<slug>; the slug names the failure"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "field path → messages, for validation errors"})
