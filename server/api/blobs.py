"""Blobs (docs/SYNC_PROTOCOL.md "Blobs"): content-addressed, uploaded in resumable chunks.

Scope: a complete blob is seen by whoever may see a ticket that references it, and by its
uploaders until one does; a partial upload only by the device that started it. Anyone else is
told nothing (404), and may still upload the same bytes themselves, which proves they hold them.
"""
from flask import Response, current_app, g, request

from server import access
from server.api import Blueprint
from server.auth import auth_required
from server.db import get_db, transaction
from server.errors import Problem
from server.schemas.common import ProblemSchema
from server.storage import blobs as scope
from sync.blobs import HEX, OffsetMismatch, owner_key

blp = Blueprint("blobs", __name__, url_prefix="/sync/blobs", description="Photos, scans, signatures, PDFs")
UPLOAD_TYPE = "application/offset+octet-stream"


def store():
    return current_app.extensions["yekuo.services"].blobs


def checked_hex(hex_: str) -> str:
    if not HEX.match(hex_):
        raise Problem("not-found", "a blob is named by its lowercase hex sha256")
    return hex_


def owner() -> str:
    return owner_key(g.user.username, g.device_id)


def visible(hex_: str) -> bool:
    """A complete blob the caller may read."""
    return store().complete(hex_) and scope.visible(get_db(), hex_, g.user.username, access.ticket_filter(g.user))


def status(hex_: str):
    """(offset, length) as the caller may know it: the visible blob, else the caller's own upload."""
    if visible(hex_):
        return store().size(hex_), store().size(hex_)
    return store().partial_status(hex_, owner())


def header_int(name, required=True):
    raw = request.headers.get(name)
    if raw is None and not required:
        return None
    if raw is None or not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        raise Problem("validation-error", f"{name} must be a non-negative integer", errors={name: ["required integer"]})
    return int(raw)


def upload_headers(offset, length) -> dict:
    return {"Upload-Offset": str(offset), "Upload-Length": str(length), "Cache-Control": "no-store"}


@blp.route("/<hex_>", methods=["HEAD"])
@auth_required("blobs")
@blp.response(200, description="known: Upload-Offset and Upload-Length say how much is stored")
@blp.alt_response(404, schema=ProblemSchema)
def head_blob(hex_):
    """How much of a blob the server has (it is complete when offset = length)."""
    known = status(checked_hex(hex_))
    if known is None:
        raise Problem("not-found", f"no blob {hex_}")
    return Response(status=200, headers=upload_headers(*known))


@blp.route("/<hex_>", methods=["PATCH"])
@auth_required("blobs")
@blp.doc(requestBody={"required": True, "content": {UPLOAD_TYPE: {"schema": {"type": "string", "format": "binary"}}}})
@blp.response(204, description="chunk stored; Upload-Offset is the new offset")
@blp.alt_response(409, schema=ProblemSchema, description="offset-mismatch: HEAD for the stored offset")
@blp.alt_response(413, schema=ProblemSchema)
@blp.alt_response(422, schema=ProblemSchema, description="hash-mismatch at the last chunk: the upload is discarded")
def patch_blob(hex_):
    """Append a chunk at Upload-Offset (Upload-Length on the first chunk); the hash is checked at the end."""
    checked_hex(hex_)
    if request.mimetype != UPLOAD_TYPE:
        raise Problem("unsupported-media-type", f"send chunks as {UPLOAD_TYPE}")
    request.max_content_length = current_app.config["MAX_BLOB_BYTES"]
    offset, length = header_int("Upload-Offset"), header_int("Upload-Length", required=False)
    if visible(hex_):                     # nothing to add: the caller may already read all of it
        size = store().size(hex_)
        if offset != size:
            raise OffsetMismatch(size)
        return Response(status=204, headers=upload_headers(size, size))
    new_offset, total = store().write(hex_, owner(), offset, length, request.get_data())
    if new_offset == total:
        with transaction(get_db()):
            scope.record_upload(get_db(), hex_, g.user.username, g.device_id)
    return Response(status=204, headers=upload_headers(new_offset, total))


@blp.route("/<hex_>", methods=["GET"])
@auth_required("blobs")
@blp.response(200, description="the blob's bytes")
@blp.alt_response(404, schema=ProblemSchema)
def get_blob(hex_):
    """Download a complete blob."""
    if not visible(checked_hex(hex_)):
        raise Problem("not-found", f"no complete blob {hex_} you may read")
    return Response(store().read(hex_), mimetype="application/octet-stream",
                    headers={"Cache-Control": "private, max-age=31536000, immutable"})
