"""The signed scheme reply: rendered when the customer signs, stored as a blob, linked from the ticket.

The renderer (ReportLab's graphics) is imported by the first signature, not at start-up."""
import json
import logging
from pathlib import Path

from pdf import signing
from pdf.strokes import InvalidStrokes, parse_strokes
from server.errors import Problem
from scheme_builder.pack import Pack
from server.storage import blobs as blob_scope, iso, now_iso
from sync.blobs import hex_of

log = logging.getLogger(__name__)


def signing_identity(config) -> signing.SigningIdentity:
    """The configured company identity, or the development one (with a warning)."""
    if config["SIGNING_KEY"] and config["SIGNING_CERT"]:
        return signing.SigningIdentity(Path(config["SIGNING_KEY"]), Path(config["SIGNING_CERT"]), False,
                                       config["TSA_URL"])
    identity = signing.development_identity(Path(config["DATA_DIR"]) / "keys")
    log.warning("signing scheme PDFs with the DEVELOPMENT key %s: set YEKUO_SIGNING_KEY and YEKUO_SIGNING_CERT "
                "for production", identity.cert_path)
    return identity


def load_strokes(blobs, ref) -> tuple[bytes, dict]:
    raw = blobs.read(ref)
    try:
        return raw, parse_strokes(raw)
    except InvalidStrokes as exc:
        raise Problem("validation-error", str(exc),
                      errors={f"args.{k}": v for k, v in exc.errors.items()}) from None


def evidence(ticket, scheme, ctx, args) -> dict:
    actor = ctx["actor"]
    return {"ticket_id": ticket["id"], "scheme_hash": scheme["scheme_hash"], "user": actor.user.username,
            "device_id": actor.device_id, "gps": args.get("gps"), "signer_name": args["signer_name"],
            "client_time": iso(ctx["client_time"]) if ctx.get("client_time") else None,
            "server_time": scheme["signed_at"]}


def signed_scheme_pdf(ticket, scheme, pack: Pack, ctx, args, strokes_raw, strokes) -> dict:
    """Render, attach strokes and evidence, sign, store; the ticket's ``signed_pdf`` link."""
    from pdf.scheme_reply import SchemeDocument, render_scheme_reply
    document = SchemeDocument(
        ticket=ticket, scheme=scheme, business_label=pack.business_types[ticket["business_type"]].label,
        banned_fees=pack.banned_fees(),
        signature={**strokes, "signer_name": args["signer_name"], "signed_at": scheme["signed_at"]},
        manager=ticket.get("manager") or ctx["actor"].user.username, cosigned_by=scheme.get("cosigned_by"),
        policy_document=pack.document)
    pdf, _lines = render_scheme_reply(document)
    attachments = {"strokes.json": strokes_raw,
                   "evidence.json": json.dumps(evidence(ticket, scheme, ctx, args), ensure_ascii=False).encode()}
    identity = ctx["signing"]
    signed = signing.sign(pdf, identity, attachments, "客户签署供电方案", identity.tsa_url)
    ref = ctx["blobs"].put(signed)
    blob_scope.add_ref(ctx["db"], hex_of(ref), ticket["id"])
    return {"blob": ref, "url": f"/api/tickets/{ticket['id']}/scheme.pdf",
            "signed_at": now_iso()}


def signed_reply(ticket, blobs) -> bytes:
    """The signed reply of a ticket the caller may see (the API and the console serve the same bytes)."""
    link = ticket.get("signed_pdf")
    if not link:
        raise Problem("not-found", f"ticket {ticket['id']!r} has no signed scheme yet")
    return blobs.read(link["blob"])
