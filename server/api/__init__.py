"""The JSON API: one blueprint per resource, documented from the marshmallow schemas."""
from flask import request
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser, is_json_request
from webargs import core

from server import json_input
from server.errors import Problem


ITEMWISE = {"sync.push_ops"}       # endpoints that check each item of the body themselves


class ProblemParser(FlaskParser):
    """webargs, but a bad body is one of our problems, not a generic 400."""

    def _raw_load_json(self, req):
        if not req.get_data(cache=True):
            return core.missing
        if not is_json_request(req):
            raise Problem("unsupported-media-type", "Send the body as application/json.")
        return json_input.load(req.get_data(cache=True), itemwise=req.endpoint in ITEMWISE)


def uploaded_file(accepted: dict) -> tuple[bytes, str]:
    """(bytes, filename) of a multipart ``file`` field, or of a raw body of an ``accepted`` media type
    (``accepted`` maps media type → default filename)."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise Problem("validation-error", "no file in the form", errors={"file": ["required"]})
        return upload.read(), upload.filename or next(iter(accepted.values()))
    if request.mimetype not in accepted:
        raise Problem("unsupported-media-type", f"send {' or '.join(accepted)}, or a multipart form with a file field")
    return request.get_data(), request.args.get("filename") or accepted[request.mimetype]


def file_body_doc(*media_types) -> dict:
    """The OpenAPI requestBody of an upload endpoint."""
    binary = {"type": "string", "format": "binary"}
    content = {media_type: {"schema": binary} for media_type in media_types}
    content["multipart/form-data"] = {"schema": {"type": "object", "properties": {"file": binary}}}
    return {"required": True, "content": content}


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = ProblemParser()

    def arguments(self, schema, *args, **kwargs):
        """As flask-smorest's, with a schema class made an instance once: webargs would make a new one per
        request (a marshmallow schema copies its declared fields when made)."""
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)


def register_blueprints(api):
    from server.api import auth, blobs, calendar, conflicts, devices, grid, pdf, policies, schemes, sync, tickets
    for module in (auth, devices, policies, tickets, calendar, schemes, grid, sync, blobs, conflicts, pdf):
        api.register_blueprint(module.blp)
