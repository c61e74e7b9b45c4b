"""The JSON API: one blueprint per resource, documented from the marshmallow schemas."""
import json

from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser, is_json_request
from webargs import core

from server.errors import Problem


class ProblemParser(FlaskParser):
    """webargs, but a bad body is one of our problems, not a generic 400."""

    def _raw_load_json(self, req):
        if not req.get_data(cache=True):
            return core.missing
        if not is_json_request(req):
            raise Problem("unsupported-media-type", "Send the body as application/json.")
        return core.parse_json(req.get_data(cache=True))

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        raise Problem("malformed-json", f"The body is not valid JSON: {error}")


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = ProblemParser()


def register_blueprints(api):
    from server.api import auth, blobs, calendar, conflicts, devices, grid, pdf, policies, schemes, sync, tickets
    for module in (auth, devices, policies, tickets, calendar, schemes, grid, sync, blobs, conflicts, pdf):
        api.register_blueprint(module.blp)
