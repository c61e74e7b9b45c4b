"""Log-in of a handheld: one token per (user, device), valid TOKEN_DAYS."""
from datetime import timedelta

from flask import current_app

from server.api import Blueprint
from server.auth import login
from server.db import get_db
from server.schemas.auth import TokenRequestSchema, TokenSchema
from server.schemas.common import ProblemSchema
from server.storage import iso, utcnow
from server.storage.users import get_user

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Device log-in")


@blp.route("/token", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(401, schema=ProblemSchema, description="unknown user or wrong password")
@blp.alt_response(429, schema=ProblemSchema, description="10 failures in 5 minutes; see Retry-After")
def create_token(body):
    """Log a device in; an earlier token of the same user and device stops working."""
    token = login(body["username"], body["password"], body["device_id"])
    user = get_user(get_db(), body["username"])
    expires = utcnow() + timedelta(days=current_app.config["TOKEN_DAYS"])
    return {"token": token, "expires_at": iso(expires), "device_id": body["device_id"], **user.__dict__}
