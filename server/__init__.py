"""yekuo server: the Flask application factory."""
import logging
from pathlib import Path

from flask import Flask
from flask_smorest import Api

from server import cli, db, docs, errors, field_app, security, web
from server.api import register_blueprints, sync as sync_api
from server.config import load_config
from pdf import PdfError
from pdf.fonts import register_font
from server.grid import GridCache
from server.jobs import start_scheduler
from server.scheme_pdf import signing_identity
from server.tickets import Services
from server.policy import PolicyNotFound, load_policy_book
from scheme_builder import SchemeError
from scheme_builder.errors import GridDataError
from server.schemas.common import ProblemSchema
from server.sync_ops import record_reference_versions
from sync import errors as sync_errors
from sync.blobs import BadUpload, BlobStore, BlobTooLarge, HashMismatch, OffsetMismatch

OPENAPI = {
    "API_TITLE": "yekuo",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {"info": {"description": "On-site new connections (业扩): tickets, stages, deadlines. "
                                                 "Errors are application/problem+json (RFC 9457)."}},
}


class ProblemApi(Api):
    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = "DEFAULT_ERROR"


def create_app(test_config=None) -> Flask:
    """Build the app; a policy pack that fails validation stops here with the file and field."""
    app = Flask(__name__)
    app.config.update(OPENAPI)
    app.config.update(load_config(test_config))
    app.json.ensure_ascii = False
    logging.basicConfig(level=logging.INFO)
    app.extensions["yekuo.policies"] = load_policy_book()
    register_font(app.config["PDF_FONT"])       # no usable CJK font: start-up stops here, saying so
    app.extensions["yekuo.services"] = Services(
        grids=GridCache(), blobs=BlobStore(Path(app.config["DATA_DIR"]) / "blobs", app.config["MAX_BLOB_BYTES"]),
        signing=signing_identity(app.config))
    db.init_app(app)
    with app.app_context():
        record_reference_versions(db.get_db(), app.extensions["yekuo.policies"])
    api = ProblemApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    register_blueprints(api)
    sync_api.init_app(app)
    errors.init_app(app)          # after Api(): our handler replaces flask-smorest's
    errors.register_domain_error(PolicyNotFound, "validation-error")
    errors.register_domain_error(GridDataError, "validation-error", lambda exc: {"report": exc.report})
    errors.register_domain_error(SchemeError, "validation-error")
    errors.register_domain_error(OffsetMismatch, "offset-mismatch", lambda exc: {"upload_offset": exc.expected})
    errors.register_domain_error(HashMismatch, "hash-mismatch")
    errors.register_domain_error(BlobTooLarge, "payload-too-large")
    errors.register_domain_error(BadUpload, "validation-error")
    errors.register_domain_error(PdfError, "validation-error")
    errors.register_domain_error(sync_errors.OpIdReused, "op-id-reused")
    errors.register_domain_error(sync_errors.CursorExpired, "cursor-expired")
    errors.register_domain_error(sync_errors.ProtocolError, "validation-error")    # seq reused, unstorable …
    cli.init_app(app)
    web.init_app(app)
    field_app.init_app(app)
    if app.config["SCHEDULER"] and not app.config.get("TESTING"):
        app.extensions["yekuo.scheduler"] = start_scheduler(app)
    docs.init_app(app)
    security.init_app(app)
    return app
