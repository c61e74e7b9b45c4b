"""Blobs (docs/SYNC_PROTOCOL.md "Blobs"): content-addressed, uploaded in resumable chunks."""
from flask import Response, current_app, request

from server.api import Blueprint
from server.auth import auth_required
from server.errors import Problem
from server.schemas.common import ProblemSchema
from sync.blobs import HEX

blp = Blueprint("blobs", __name__, url_prefix="/sync/blobs", description="Photos, scans, signatures, PDFs")
UPLOAD_TYPE = "application/offset+octet-stream"


def store():
    return current_app.extensions["yekuo.services"].blobs


def checked_hex(hex_: str) -> str:
    if not HEX.match(hex_):
        raise Problem("not-found", "a blob is named by its lowercase hex sha256")
    return hex_


def header_int(name, required=True):
    raw = request.headers.get(name)
    if raw is None and not required:
        return None
    if raw is None or not raw.isdigit():
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
    status = store().status(checked_hex(hex_))
    if status is None:
        raise Problem("not-found", f"no blob {hex_}")
    return Response(status=200, headers=upload_headers(*status))


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
    new_offset, total = store().write(hex_, offset, length, request.get_data())
    return Response(status=204, headers=upload_headers(new_offset, total))


@blp.route("/<hex_>", methods=["GET"])
@auth_required("blobs")
@blp.response(200, description="the blob's bytes")
@blp.alt_response(404, schema=ProblemSchema)
def get_blob(hex_):
    """Download a complete blob."""
    if not store().complete(checked_hex(hex_)):
        raise Problem("not-found", f"no complete blob {hex_}")
    return Response(store().read(hex_), mimetype="application/octet-stream",
                    headers={"Cache-Control": "private, max-age=31536000, immutable"})
