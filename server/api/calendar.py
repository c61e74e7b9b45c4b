"""Calendar overrides: the back office enters the holiday notice of a year chinesecalendar lacks."""
from flask import current_app
from marshmallow import Schema, fields, validate

from server import tickets as service
from server.api import Blueprint
from server.auth import auth_required
from server.db import get_db, transaction
from server.errors import Problem
from server.storage import calendar

blp = Blueprint("calendar", __name__, url_prefix="/api/calendar", description="Working-day calendar overrides")


class DaySchema(Schema):
    date = fields.Date(required=True)
    workday = fields.Boolean(required=True, metadata={"description": "true for a 调休 working weekend"})
    note = fields.String(load_default="", validate=validate.Length(max=200))


class YearSchema(Schema):
    days = fields.List(fields.Nested(DaySchema), required=True)
    complete = fields.Boolean(required=True, metadata={
        "description": "every holiday and working weekend of the year is entered: deadlines stop being provisional"})


class YearOutSchema(Schema):
    year = fields.Integer()
    complete = fields.Boolean()
    days = fields.List(fields.Dict())
    reopened_deadlines = fields.Integer()


YEARS = range(1949, 2200)


def checked(year) -> int:
    if year not in YEARS:
        raise Problem("validation-error", f"no calendar for {year}", errors={"year": [f"{YEARS.start}–{YEARS.stop - 1}"]})
    return year


@blp.route("/<int:year>", methods=["GET"])
@auth_required()
@blp.response(200, YearOutSchema)
def get_year(year):
    return calendar.get_year(get_db(), checked(year))


@blp.route("/<int:year>", methods=["PUT"])
@auth_required("backoffice", "admin")
@blp.arguments(YearSchema)
@blp.response(200, YearOutSchema)
def put_year(body, year):
    """Replace the override days of a year; open tickets' deadlines are recomputed at once."""
    year = checked(year)
    wrong = [d["date"].isoformat() for d in body["days"] if d["date"].year != year]
    if wrong:
        raise Problem("validation-error", "days outside the year", errors={"days": [f"{d} is not in {year}" for d in wrong]})
    db = get_db()
    with transaction(db):
        calendar.put_year(db, year, body["days"], body["complete"])
        count = service.recompute_deadlines(db, current_app.extensions["yekuo.policies"])
    return {**calendar.get_year(db, year), "reopened_deadlines": count}
