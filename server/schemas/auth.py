from marshmallow import Schema, fields, validate

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    device_id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN))


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_at = fields.String(metadata={"description": "log in again before this (TOKEN_DAYS after log-in)"})
    username = fields.String()
    role = fields.String()
    team = fields.String()
    region = fields.String()
    device_id = fields.String()


class DeviceSchema(Schema):
    device_id = fields.String()
    username = fields.String()
    team = fields.String()
    region = fields.String()
    created_at = fields.String()
    last_seen_at = fields.String(allow_none=True)
    revoked_at = fields.String(allow_none=True)


class RevokedSchema(Schema):
    device_id = fields.String()
    revoked_tokens = fields.Integer()


token_request_schema = TokenRequestSchema()
