"""Devices: the back office sees who logged in from where and revokes lost handhelds."""
from flask import g

from server import access
from server.api import Blueprint
from server.auth import auth_required
from server.db import get_db, transaction
from server.errors import Problem
from server.schemas.auth import DeviceSchema, RevokedSchema
from server.storage import devices

blp = Blueprint("devices", __name__, url_prefix="/api/devices", description="Handheld devices and their tokens")


def region_of_caller():
    return access.region_or_own(g.user, None)


@blp.route("", methods=["GET"])
@auth_required("devices.manage")
@blp.response(200, DeviceSchema(many=True))
def list_devices():
    """Devices with a token in the caller's region (all regions for admin)."""
    return devices.list_devices(get_db(), region_of_caller())


@blp.route("/<device_id>", methods=["DELETE"])
@auth_required("devices.manage")
@blp.response(200, RevokedSchema)
def revoke_device(device_id):
    """Revoke the device: its next request gets 401; the device keeps its queue for a new log-in."""
    db = get_db()
    with transaction(db):
        count = devices.revoke_device(db, device_id, region_of_caller())
    if not count:
        raise Problem("not-found", f"no live token for device {device_id!r}")
    return {"device_id": device_id, "revoked_tokens": count}
