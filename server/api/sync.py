"""The sync endpoints of docs/SYNC_PROTOCOL.md: push, pull, digest, info and blobs."""
import gzip
import io
import threading

import orjson
from isal import igzip
from flask import Response, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from server import access, sync_ops, tickets
from server.api import Blueprint
from server.auth import auth_required
from server.db import get_db
from server.errors import Problem, problem_of
from server.schemas.common import ProblemSchema
from server.schemas.sync import DigestSchema, InfoSchema, PullQuerySchema, PullSchema, PushResultSchema, PushSchema
from server.storage import now_iso, tickets as ticket_store
from sync import PROTOCOLS, pull as pull_engine, storage as sync_store
from sync.errors import Unidentified
from sync.group import GroupCommit
from sync.push import Applier, Device, identify, push

blp = Blueprint("sync", __name__, url_prefix="/sync", description="Offline sync (docs/SYNC_PROTOCOL.md)")


@blp.before_request
def inflate_gzip_body():
    """A gzip push is inflated here, within the byte limit, before anything parses it."""
    limit = current_app.config["SYNC_MAX_BYTES"]
    request.max_content_length = limit
    if request.headers.get("Content-Encoding", "").lower() != "gzip":
        return
    try:
        body = gzip.GzipFile(fileobj=io.BytesIO(request.get_data())).read(limit + 1)
    except (OSError, EOFError) as exc:
        raise Problem("malformed-json", f"the body is not valid gzip: {exc}") from None
    if len(body) > limit:
        raise RequestEntityTooLarge(f"the inflated body is above {limit} bytes")
    request.environ.update({"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))})
    request.environ.pop("HTTP_CONTENT_ENCODING", None)
    request._cached_data = body


def init_app(app):
    """Pushes running at once per process; more wait SYNC_PUSH_WAIT_SECONDS, then get 503."""
    app.extensions["yekuo.push_slots"] = threading.Semaphore(app.config["SYNC_CONCURRENT_PUSHES"])
    app.extensions["yekuo.push_group"] = GroupCommit()


def device() -> Device:
    return Device(g.device_id, g.user.username)


def op_context() -> dict:
    """What an op's handler needs besides the connection, which is the one holding the write lock
    (another request's when pushes are committed together: sync/group.py)."""
    return {"book": current_app.extensions["yekuo.policies"],
            "services": current_app.extensions["yekuo.services"], "actor": tickets.Actor(g.user, g.device_id)}


@blp.route("/push", methods=["POST"])
@auth_required("sync")
@blp.arguments(PushSchema)
@blp.response(200, PushResultSchema)
@blp.alt_response(413, schema=ProblemSchema, description="more than max_ops ops or max_bytes bytes")
@blp.alt_response(503, schema=ProblemSchema, description="overloaded: retry after Retry-After seconds")
def push_ops(body):
    """Push queued ops: each applied once, in seq order, with its own result."""
    if body["protocol"] not in PROTOCOLS:
        raise Problem("unsupported-protocol", f"protocol {body['protocol']} is not supported",
                      protocols=list(PROTOCOLS))
    if body["device_id"] != g.device_id:
        raise Problem("forbidden", "device_id is not the device this token belongs to")
    if len(body["ops"]) > current_app.config["SYNC_MAX_OPS"]:
        raise Problem("payload-too-large", f"at most {current_app.config['SYNC_MAX_OPS']} ops per push")
    slots = current_app.extensions["yekuo.push_slots"]
    if not slots.acquire(timeout=current_app.config["SYNC_PUSH_WAIT_SECONDS"]):
        raise Problem("overloaded", "too many pushes at once; retry later", headers={"Retry-After": "2"})
    try:
        answer = run_push(body["ops"])
    finally:
        slots.release()
    return Response(orjson.dumps(answer), mimetype="application/json")   # the shape PushResultSchema documents


def run_push(ops) -> dict:
    """Ops without an op_id and seq are answered here, unlogged; the rest go to the push engine."""
    identified, results = [], []
    for op in ops:
        try:
            identify(op)
            identified.append(op)
        except Unidentified as exc:
            op_id = op["op_id"] if isinstance(op, dict) and "op_id" not in exc.errors else None
            results.append({"op_id": op_id, "status": "rejected", "error": problem_of(exc)})
    ctx = op_context()
    applier = Applier(prepare=sync_ops.prepare, apply=lambda prepared, db: sync_ops.apply_op(prepared, {**ctx, "db": db}),
                      problem=problem_of, now=now_iso)
    outcome = push(get_db(), device(), identified, applier, current_app.extensions["yekuo.push_group"])
    return {"protocol": 1, **outcome, "results": results + outcome["results"], "server_time": now_iso()}


@blp.route("/pull", methods=["GET"])
@auth_required("sync")
@blp.arguments(PullQuerySchema, location="query")
@blp.response(200, PullSchema)
@blp.alt_response(410, schema=ProblemSchema, description="cursor-expired: pull again from 0")
def pull_changes(query):
    """What changed since a server cursor, latest state per entity, in the caller's scope (gzip on request)."""
    db = get_db()
    body = pull_engine.page(db, access.change_filter(db, g.user), query["since"], query["limit"],
                            sync_ops.renderer(db, current_app.extensions["yekuo.policies"], g.user))
    return Response(body, mimetype="application/json")


@blp.after_request
def gzip_pull(response):
    if (request.endpoint == "sync.pull_changes" and response.status_code == 200
            and "gzip" in request.headers.get("Accept-Encoding", "")):
        response.set_data(igzip.compress(response.get_data(), compresslevel=1))
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Vary"] = "Accept-Encoding"
    return response


@blp.route("/digest", methods=["GET"])
@auth_required("sync")
@blp.response(200, DigestSchema)
def digest():
    """Count and hash of (ticket id, version) the caller's pull delivers: compare with the device's."""
    return pull_engine.digest(ticket_store.id_versions(get_db(), access.ticket_filter(g.user)))


@blp.route("/info", methods=["GET"])
@auth_required("sync")
@blp.response(200, InfoSchema)
def info():
    """Protocol versions, batch limits, horizon, server time, and this device's cursor and held ops."""
    config, db = current_app.config, get_db()
    return {"protocols": list(PROTOCOLS), "max_ops": config["SYNC_MAX_OPS"], "max_bytes": config["SYNC_MAX_BYTES"],
            "max_blob_bytes": config["MAX_BLOB_BYTES"], "tombstone_horizon_days": config["TOMBSTONE_HORIZON_DAYS"],
            "server_time": now_iso(),
            "device": sync_store.device_state(db, g.device_id, g.user.username)}
