"""Every error leaves the API as ``application/problem+json`` (RFC 9457), built in one place.

``PROBLEM_TYPES`` is the table of type slugs (docs/SYNC_PROTOCOL.md "Errors", plus the few generic
HTTP ones it does not name); views raise :class:`Problem` or a library error and never build
error JSON themselves.
"""
import logging

from flask import render_template, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM_TYPES = {
    "validation-error": (422, "The request is not valid"),
    "malformed-json": (400, "The body is not valid JSON"),
    "bad-request": (400, "Bad request"),
    "unauthorized": (401, "Authentication required"),
    "forbidden": (403, "Not allowed"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "illegal-command": (409, "Command not allowed now"),
    "scheme-hash-mismatch": (409, "The scheme changed since it was shown"),
    "missing-blob": (409, "A referenced blob is missing"),
    "capacity-taken": (409, "The capacity was taken meanwhile"),
    "offset-mismatch": (409, "Upload offset does not match"),
    "op-id-reused": (409, "The op_id was used for another op"),
    "national-calendar": (409, "The national calendar covers this year"),
    "hash-mismatch": (422, "Content does not match its hash"),
    "payload-too-large": (413, "Payload too large"),
    "unsupported-media-type": (415, "Unsupported media type"),
    "unsupported-protocol": (400, "Unsupported protocol version"),
    "cursor-expired": (410, "Cursor older than the tombstone horizon"),
    "rate-limited": (429, "Too many requests"),
    "internal-error": (500, "Internal server error"),
    "overloaded": (503, "Server overloaded"),
    "not-built": (503, "Not built on this server"),
}
SLUG_BY_STATUS = {status: slug for slug, (status, _title) in reversed(PROBLEM_TYPES.items())}
PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(Exception):
    """An HTTP problem raised by server code: a slug from PROBLEM_TYPES and what went wrong."""

    def __init__(self, slug, detail, errors=None, headers=None, **extra):
        super().__init__(detail)
        self.slug, self.detail, self.errors = slug, detail, errors
        self.headers, self.extra = headers or {}, extra


def problem_type(slug: str) -> str:
    return f"/problems/{slug}"


def problem_dict(slug, detail, errors=None, **extra) -> dict:
    """The body of a problem; push results reuse it for each op's ``error``."""
    status, title = PROBLEM_TYPES[slug]
    body = {"type": problem_type(slug), "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def flatten_errors(messages, prefix="") -> dict:
    """marshmallow's nested messages as ``{"customer.phone": ["…"]}``."""
    if not isinstance(messages, dict):
        return {prefix or "_body": messages if isinstance(messages, list) else [messages]}
    flat = {}
    for key, value in messages.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(flatten_errors(value, path))
        else:
            flat[path] = value if isinstance(value, list) else [value]
    return flat


def strip_location(messages):
    """webargs keys messages by location (``json``, ``query``); the client wants field paths."""
    if isinstance(messages, dict) and len(messages) == 1:
        (location, inner), = messages.items()
        if location in {"json", "query", "form", "headers", "view_args", "json_or_form"}:
            return inner
    return messages


def from_http_exception(exc: HTTPException) -> Problem:
    data = getattr(exc, "data", None) or {}
    if "messages" in data:
        messages = strip_location(data["messages"])
        return Problem("validation-error", "Some fields are not valid.", errors=flatten_errors(messages))
    slug = SLUG_BY_STATUS.get(exc.code, "bad-request")
    return Problem(slug, exc.description or PROBLEM_TYPES[slug][1], headers=dict(data.get("headers", {})))


def to_problem(exc: Exception) -> Problem:
    """Map any exception to the Problem the client sees."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, ValidationError):
        return Problem("validation-error", "Some fields are not valid.", errors=flatten_errors(exc.messages))
    if isinstance(exc, HTTPException):
        return from_http_exception(exc)
    for error_class, (slug, extra) in DOMAIN_ERRORS.items():
        if isinstance(exc, error_class):
            return Problem(slug, str(exc), errors=getattr(exc, "errors", None), **extra(exc))
    log.exception("unhandled error on %s %s", request.method, request.path)
    return Problem("internal-error", "The server failed; the error has been logged.")


DOMAIN_ERRORS: dict = {}


def register_domain_error(error_class, slug, extra=lambda exc: {}):
    """Library errors (scheme_builder, pdf, sync) map to a slug here, not in views.

    ``extra(exc)`` adds members to the problem body (a grid file's full report, …).
    """
    DOMAIN_ERRORS[error_class] = (slug, extra)


def body_of(problem: Problem) -> dict:
    return problem_dict(problem.slug, problem.detail, problem.errors, **problem.extra)


def problem_of(exc: Exception) -> dict:
    """The problem body of any error: an HTTP answer's, or a rejected op's ``error``."""
    return body_of(to_problem(exc))


def handle_error(exc: Exception):
    problem = to_problem(exc)
    body = body_of(problem)
    if request.blueprint == "web":          # a person in the console gets a page, not JSON
        return render_template("error.html", status=body["status"], message=problem.detail), body["status"]
    return body, body["status"], {"Content-Type": PROBLEM_MEDIA_TYPE, **problem.headers}


def init_app(app):
    app.register_error_handler(Exception, handle_error)
    app.register_error_handler(HTTPException, handle_error)
