"""Checking a signed scheme PDF: intact, covering the whole file, unmodified, and which scheme.

Valid means all of: the signature is cryptographically intact and valid, it is trusted (made by
the configured certificate), it covers the entire file (no bytes added after signing), and the
evidence it covers names a ticket and scheme hash.
"""
import io
import json

from asn1crypto import pem, x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfError as PyHankoPdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from pdf import PdfError

COVERAGE = {SignatureCoverageLevel.ENTIRE_FILE: "entire_file", SignatureCoverageLevel.ENTIRE_REVISION: "entire_revision",
            SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START: "contiguous_block_from_start",
            SignatureCoverageLevel.UNCLEAR: "unclear"}


class UnreadablePdf(PdfError):
    """Not a PDF at all (a PDF without a signature is readable, and invalid)."""


# What the PDF libraries raise on a file made to hurt them: broken structure, streams that inflate
# past their decompression limits (pyHanko's PdfDecodeLimitError, pypdf's LimitReachedError), and
# the plain errors their parsers let through on nonsense.
UNREADABLE = (PyHankoPdfError, PyPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError,
              RecursionError)


def load_certificate(path) -> asn1_x509.Certificate:
    data = open(path, "rb").read()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return asn1_x509.Certificate.load(data)


def verify(data: bytes, trusted_cert_paths) -> dict:
    """The verdict on a file anyone may hand in; one that cannot be read is ``UnreadablePdf``."""
    try:
        return verdict(data, trusted_cert_paths)
    except UNREADABLE as exc:
        raise UnreadablePdf(f"not a readable signed PDF: {type(exc).__name__}: {exc}"[:300],
                            {"file": ["not a readable signed PDF"]}) from None


def verdict(data: bytes, trusted_cert_paths) -> dict:
    signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    if not signatures:
        return {"valid": False, "intact": False, "trusted": False, "coverage": "none", "modified_after_signing": True,
                "ticket_id": None, "scheme_hash": None, "signer": None, "signed_at": None}
    context = ValidationContext(trust_roots=[load_certificate(p) for p in trusted_cert_paths], allow_fetching=False)
    status = validate_pdf_signature(signatures[-1], context)
    coverage = COVERAGE.get(status.coverage, "unclear")
    modified = coverage != "entire_file" or len(signatures) > 1
    evidence = read_evidence(data) if status.intact and coverage == "entire_file" else {}
    return {
        "valid": bool(status.intact and status.valid and status.trusted and not modified and evidence),
        "intact": bool(status.intact), "trusted": bool(status.trusted), "coverage": coverage,
        "modified_after_signing": modified,
        "ticket_id": evidence.get("ticket_id"), "scheme_hash": evidence.get("scheme_hash"),
        "signer": status.signing_cert.subject.native.get("common_name"),
        "signed_at": status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
    }


def read_evidence(data: bytes) -> dict:
    """The evidence attachment; a signed file without one is not valid (a bomb in its place is unreadable)."""
    try:
        attachments = PdfReader(io.BytesIO(data)).attachments
        return json.loads(attachments["evidence.json"][0])
    except (KeyError, IndexError, json.JSONDecodeError, UnicodeDecodeError):
        return {}
