"""The working-day calendar: chinesecalendar's national notices, and the admin's audited overrides.

A year chinesecalendar covers is never replaced; one of its days may be corrected (or a local
holiday entered) by an admin, with a reason. A year it lacks gets the State Council notice as a
whole, also by an admin with a reason. Open tickets' deadlines are recomputed at once.
"""
from flask import current_app, g
from marshmallow import Schema, fields, validate

from server import tickets as service
from server.api import Blueprint
from server.auth import auth_required
from server.db import get_db, transaction
from server.errors import Problem
from server.schemas.common import ProblemSchema
from server.storage import calendar
from server.workdays import national_year

blp = Blueprint("calendar", __name__, url_prefix="/api/calendar", description="Working-day calendar overrides")
REASON = fields.String(required=True, validate=validate.Length(min=2, max=500),
                       metadata={"description": "why (the notice's number, the local decision); kept in the audit"})


class DaySchema(Schema):
    date = fields.Date(required=True)
    workday = fields.Boolean(required=True, metadata={"description": "true for a 调休 working weekend"})
    note = fields.String(load_default="", validate=validate.Length(max=200))


class YearSchema(Schema):
    days = fields.List(fields.Nested(DaySchema), required=True)
    complete = fields.Boolean(required=True, metadata={
        "description": "every holiday and working weekend of the year is entered: deadlines stop being provisional"})
    reason = REASON


class OverrideSchema(DaySchema):
    reason = REASON


class ChangeSchema(Schema):
    at = fields.String()
    username = fields.String()
    day = fields.String(allow_none=True, metadata={"description": "null: the whole year's notice"})
    change = fields.Dict()
    reason = fields.String()


class YearOutSchema(Schema):
    year = fields.Integer()
    national = fields.Boolean(metadata={"description": "chinesecalendar holds this year's notice"})
    complete = fields.Boolean()
    days = fields.List(fields.Dict())
    changes = fields.List(fields.Nested(ChangeSchema))
    reopened_deadlines = fields.Integer()


YEARS = range(1949, 2200)


def checked(year) -> int:
    if year not in YEARS:
        raise Problem("validation-error", f"no calendar for {year}", errors={"year": [f"{YEARS.start}–{YEARS.stop - 1}"]})
    return year


def year_view(db, year) -> dict:
    return {**calendar.get_year(db, year), "national": national_year(year)}


def recompute(db) -> int:
    return service.recompute_deadlines(db, current_app.extensions["yekuo.policies"])


@blp.route("/<int:year>", methods=["GET"])
@auth_required("calendar.read")
@blp.response(200, YearOutSchema)
def get_year(year):
    """The year's override days and the audit of every change to them."""
    return year_view(get_db(), checked(year))


@blp.route("/<int:year>", methods=["PUT"])
@auth_required("calendar.override")
@blp.arguments(YearSchema)
@blp.response(200, YearOutSchema)
@blp.alt_response(409, schema=ProblemSchema, description="national-calendar: chinesecalendar covers the year")
def put_year(body, year):
    """Enter the holiday notice of a year chinesecalendar does not cover (replaces earlier entries)."""
    year = checked(year)
    if national_year(year):
        raise Problem("national-calendar", f"chinesecalendar holds the notice for {year}; correct single days "
                                           f"with POST /api/calendar/overrides")
    wrong = [d["date"].isoformat() for d in body["days"] if d["date"].year != year]
    if wrong:
        raise Problem("validation-error", "days outside the year", errors={"days": [f"{d} is not in {year}" for d in wrong]})
    db = get_db()
    with transaction(db):
        calendar.put_year(db, year, body["days"], body["complete"], g.user.username, body["reason"])
        count = recompute(db)
    return {**year_view(db, year), "reopened_deadlines": count}


@blp.route("/overrides", methods=["POST"])
@auth_required("calendar.override")
@blp.arguments(OverrideSchema)
@blp.response(200, YearOutSchema)
def override_day(body):
    """Override one date: a local holiday, or a correction of the national calendar."""
    day = body["date"]
    checked(day.year)
    db = get_db()
    with transaction(db):
        calendar.put_day(db, day, body["workday"], body["note"], g.user.username, body["reason"])
        count = recompute(db)
    return {**year_view(db, day.year), "reopened_deadlines": count}
