"""Supply schemes: a preview with no side effects, and the back office's manual-scheme queue."""
from flask import current_app, g

from server import access, schemes
from server.api import Blueprint
from server.auth import auth_required
from server.db import get_db
from server.schemas.common import ProblemSchema
from server.schemas.schemes import ManualQueueItemSchema, SchemeRequestSchema, SchemeSchema
from server.storage import tickets as store

blp = Blueprint("schemes", __name__, url_prefix="/api/schemes",
                description="The supply scheme on the spot (docs/SCHEME_API.md)")


@blp.route("/preview", methods=["POST"])
@auth_required("scheme.preview")
@blp.arguments(SchemeRequestSchema)
@blp.response(200, SchemeSchema)
@blp.alt_response(422, schema=ProblemSchema,
                  description="invalid request field, unknown region/year, or a location outside the grid")
def preview(body):
    """Build a ranked, explained scheme for a request; nothing is stored or reserved."""
    pack = current_app.extensions["yekuo.policies"].get(body["region"], body["policy_year"])    # unknown: 422
    access.require_region(g.user, body["region"])
    return schemes.build(get_db(), current_app.extensions["yekuo.services"].grids, pack, body)


@blp.route("/manual", methods=["GET"])
@auth_required("scheme.manual_queue")
@blp.response(200, ManualQueueItemSchema(many=True))
def manual_queue():
    """Open tickets whose scheme needs a back-office engineer (no automatic answer), oldest first."""
    rows = store.manual_scheme_tickets(get_db(), access.ticket_filter(g.user))
    return [{"ticket_id": t["id"], "number": t["number"], "team": t["team"], "manager": t.get("manager"),
             "proposed_at": t["scheme"]["proposed_at"], "manual_reason": t["scheme"].get("manual_reason", ""),
             "request": t["scheme"]["request"]} for t in rows]
