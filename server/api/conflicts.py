"""Field conflicts from sync, for the back office and the owning manager to resolve."""
from flask import current_app, g

from server import conflicts as service, tickets
from server.api import Blueprint
from server.auth import auth_required
from server.db import get_db
from server.schemas.common import ProblemSchema
from server.schemas.sync import ConflictSchema, ResolveSchema
from server.storage import ROW_ID

blp = Blueprint("conflicts", __name__, url_prefix="/api/conflicts", description="Sync conflicts (both values kept)")


@blp.route("", methods=["GET"])
@auth_required("tickets.read")
@blp.response(200, ConflictSchema(many=True))
def list_conflicts():
    """Open conflicts on tickets the caller may see, oldest first."""
    return service.visible_conflicts(get_db(), g.user)


@blp.route(f"/<{ROW_ID}:conflict_id>/resolve", methods=["POST"])
@auth_required("tickets.write")
@blp.arguments(ResolveSchema)
@blp.response(200, ConflictSchema)
@blp.alt_response(409, schema=ProblemSchema, description="already resolved")
def resolve_conflict(body, conflict_id):
    """Keep a value (the server's, the device's or a new one); devices pull the ticket's new version."""
    return service.resolve(get_db(), current_app.extensions["yekuo.policies"], tickets.Actor(g.user, g.device_id),
                           conflict_id, body["value"])
