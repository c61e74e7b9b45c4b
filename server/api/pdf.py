"""Signed scheme PDFs: download one, and verify any file someone hands in.

The renderer and pyHanko's validation are imported by the first request that needs them, not at
start-up (they were a third of a server's start)."""
from flask import Response, current_app, g
from marshmallow import Schema, fields

from server import tickets as service
from server.api import Blueprint, file_body_doc, uploaded_file
from server.auth import auth_required
from server.db import get_db
from server.schemas.common import ProblemSchema
from server.scheme_pdf import signed_reply

blp = Blueprint("pdf", __name__, url_prefix="/api", description="Signed scheme replies (PDF)")


class VerificationSchema(Schema):
    valid = fields.Boolean(metadata={"description": "intact, trusted, covering the whole file, with evidence"})
    intact = fields.Boolean()
    trusted = fields.Boolean(metadata={"description": "signed with this server's signing certificate"})
    coverage = fields.String(metadata={"description": "entire_file | entire_revision | …"})
    modified_after_signing = fields.Boolean()
    ticket_id = fields.String(allow_none=True)
    scheme_hash = fields.String(allow_none=True)
    signer = fields.String(allow_none=True)
    signed_at = fields.String(allow_none=True)


def trusted_certificates() -> list:
    return [current_app.extensions["yekuo.services"].signing.cert_path]


@blp.route("/tickets/<ticket_id>/scheme.pdf", methods=["GET"])
@auth_required("tickets.read")
@blp.response(200, description="the signed supply scheme reply (application/pdf)")
@blp.alt_response(404, schema=ProblemSchema)
def scheme_pdf(ticket_id):
    """The signed scheme reply of a ticket (customer manager of the team, back office of the region)."""
    ticket = service.get_visible(get_db(), g.user, ticket_id)
    return pdf_response(signed_reply(ticket, current_app.extensions["yekuo.services"].blobs), f"scheme-{ticket_id}.pdf")


@blp.route("/tickets/<ticket_id>/application.pdf", methods=["GET"])
@auth_required("tickets.read")
@blp.response(200, description="the generated application form (免填单), for the customer to check and sign")
@blp.alt_response(404, schema=ProblemSchema)
def application_pdf(ticket_id):
    """The application form generated from the ticket: the customer fills nothing in."""
    ticket = service.get_visible(get_db(), g.user, ticket_id)
    pack = current_app.extensions["yekuo.policies"].get(ticket["region"], ticket["policy_year"])
    labels = {kind: rule.label for kind, rule in pack.documents.items()}
    from pdf.application_form import render_application_form
    data, _lines = render_application_form(ticket, pack.business_types[ticket["business_type"]].label, labels)
    return pdf_response(data, f"application-{ticket_id}.pdf")


def pdf_response(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'})


@blp.route("/pdf/verify", methods=["POST"])
@blp.doc(requestBody=file_body_doc("application/pdf"))
@blp.response(200, VerificationSchema)
@blp.alt_response(422, schema=ProblemSchema, description="not a readable signed PDF")
def verify_pdf():
    """Check a signed scheme PDF: intact, whole file covered, not modified, which ticket and scheme."""
    data, _name = uploaded_file({"application/pdf": "upload.pdf"})
    from pdf.verify import verify
    return verify(data, trusted_certificates())
