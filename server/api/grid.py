"""Grid data: the back office imports a file (GeoJSON or CSV) as the regions' new snapshots."""
from flask import current_app, g, request

from server import access, grid as service
from server.api import Blueprint, file_body_doc, uploaded_file
from server.auth import auth_required
from server.db import get_db
from server.errors import Problem
from server.schemas.common import ProblemSchema
from server.schemas.grid import ImportResultSchema, SnapshotQuerySchema, SnapshotSchema
from server.storage import grid as store

blp = Blueprint("grid", __name__, url_prefix="/api/grid", description="Grid snapshots and their imports")

DEFAULT_NAMES = {"application/json": "upload.geojson", "application/geo+json": "upload.geojson",
                 "text/csv": "upload.csv"}


def grid_file() -> tuple[str, str]:
    """(text, filename) of the uploaded GeoJSON or CSV."""
    request.max_content_length = current_app.config["GRID_IMPORT_MAX_BYTES"]   # grid files are big
    data, filename = uploaded_file(DEFAULT_NAMES)
    return decode(data), filename


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Problem("validation-error", "the file is not UTF-8 text", errors={"file": [str(exc)]}) from None


@blp.route("/imports", methods=["POST"])
@auth_required("grid.import")
@blp.doc(requestBody=file_body_doc(*DEFAULT_NAMES))
@blp.response(201, ImportResultSchema)
@blp.alt_response(422, schema=ProblemSchema,
                  description="a bad feature rejects the whole file; `report` lists every one (where, asset_id, "
                              "field, reason)")
def import_grid(*_args):
    """Import a grid file: each region in it gets a new numbered snapshot; all or nothing."""
    text, filename = grid_file()
    regions = access.regions(g.user)
    return service.import_grid(get_db(), current_app.extensions["yekuo.policies"], text, filename,
                               g.user.username, regions)


@blp.route("/imports", methods=["GET"])
@auth_required("grid.history")
@blp.arguments(SnapshotQuerySchema, location="query")
@blp.response(200, SnapshotSchema(many=True))
def list_imports(query):
    """Snapshot history, newest first (back office: its region)."""
    region = access.region_or_own(g.user, query.get("region"))
    return store.list_snapshots(get_db(), region)
