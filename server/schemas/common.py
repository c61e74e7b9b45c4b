"""Shapes shared by several resources: problems, paging, instants."""
from datetime import datetime, timedelta, timezone

from marshmallow import Schema, ValidationError, fields


class Instant(fields.AwareDateTime):
    """A moment with its UTC offset (``+08:00`` or ``Z``), loaded as UTC so that it compares with
    stored times as an instant, never as text."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(timezone.utc)
        except OverflowError:
            raise ValidationError("out of the range of dates") from None


class ClientTime(fields.AwareDateTime):
    """The device's clock, kept as sent (its offset says where) for the audit trail: more than a
    year off the server's is a broken clock or a made-up time, not a record worth keeping."""
    WINDOW = timedelta(days=366)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if abs(moment - datetime.now(timezone.utc)) > self.WINDOW:
            raise ValidationError("more than a year away from the server's clock")
        return moment


class ProblemSchema(Schema):
    """RFC 9457 problem details, as every error of this API returns them."""
    type = fields.String(metadata={"description": "/problems/<slug>; the slug names the failure"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "field path → messages, for validation errors"})
