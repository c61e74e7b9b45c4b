"""The signed scheme reply: parsed back, verified, tampered with, and its strokes checked."""
import io
import json
import subprocess

import pytest
from pypdf import PdfReader, PdfWriter
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from tests.api.test_schemes import grid, new_ticket, propose  # noqa: F401 - fixtures and helpers
from tests.conftest import assert_problem
from tests.factories import strokes


def sign_ticket(api, username="cm_a", content=None, **overrides):
    ticket_id = new_ticket(api, username, **overrides)
    scheme = propose(api, ticket_id, username)
    api.command(ticket_id, username, "choose_option", rank=1, scheme_hash=scheme["scheme_hash"])
    response = api.command(ticket_id, username, "sign_scheme", scheme_hash=scheme["scheme_hash"], signer_name="李四",
                           signature_blob=api.upload(username, content or strokes()),
                           gps={"lon": 119.951, "lat": 31.781})
    return ticket_id, scheme, response


@pytest.fixture
def signed(api, grid):  # noqa: F811
    ticket_id, scheme, response = sign_ticket(api)
    assert response.status_code == 200, response.json
    pdf = api.get(f"/api/tickets/{ticket_id}/scheme.pdf", "cm_a")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    return ticket_id, scheme, response.json, pdf.data


def verify(api, data):
    response = api.client.post("/api/pdf/verify", data=data, content_type="application/pdf")
    assert response.status_code == 200, response.json
    return response.json


def test_the_pdf_reads_back_with_its_fields_hash_and_attachments(signed):
    ticket_id, scheme, record, data = signed
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "")
    option = record["scheme"]["chosen_option"]
    for expected in ("供电方案答复单", ticket_id, "常州示范机械厂", option["connection"]["asset_id"], option["conductor"],
                     "本方案不收取下列费用", "移表费", scheme["scheme_hash"][:40], scheme["scheme_hash"][40:]):
        assert expected.replace(" ", "") in text, expected
    attachments = reader.attachments
    assert json.loads(attachments["strokes.json"][0])["strokes"]
    evidence = json.loads(attachments["evidence.json"][0])
    assert evidence["ticket_id"] == ticket_id and evidence["scheme_hash"] == scheme["scheme_hash"]
    assert evidence["gps"] == {"lon": 119.951, "lat": 31.781} and evidence["device_id"] == "pda-cm_a"
    assert record["signed_pdf"]["url"] == f"/api/tickets/{ticket_id}/scheme.pdf"
    assert record["signed_pdf"]["blob"].startswith("sha256:")


def test_the_signature_validates_and_names_ticket_and_scheme(api, signed):
    ticket_id, scheme, _record, data = signed
    result = verify(api, data)
    assert result["valid"] and result["intact"] and result["trusted"]
    assert result["coverage"] == "entire_file" and result["modified_after_signing"] is False
    assert (result["ticket_id"], result["scheme_hash"]) == (ticket_id, scheme["scheme_hash"])
    assert "DEVELOPMENT" in result["signer"] and result["signed_at"]
    multipart = api.client.post("/api/pdf/verify", data={"file": (io.BytesIO(data), "s.pdf")},
                                content_type="multipart/form-data")
    assert multipart.json == result


def test_a_changed_byte_is_invalid(api, signed):
    data = bytearray(signed[3])
    position = data.find(b"YJV") if b"YJV" in data else len(data) // 3
    data[position] ^= 0x01
    result = api.client.post("/api/pdf/verify", data=bytes(data), content_type="application/pdf")
    assert result.status_code == 422 or result.json["valid"] is False


def test_an_appended_update_that_changes_content_is_invalid(api, signed):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed[3]))
    info = writer.root.get_object()
    info["/Lang"] = generic.TextStringObject("en")           # any content change after signing
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    result = verify(api, out.getvalue())
    assert result["valid"] is False and result["modified_after_signing"] is True
    assert result["coverage"] != "entire_file"


def test_a_removed_page_is_invalid(api, signed):
    reader = PdfReader(io.BytesIO(signed[3]))
    writer = PdfWriter()
    writer.add_page(reader.pages[0])
    out = io.BytesIO()
    writer.write(out)
    assert verify(api, out.getvalue())["valid"] is False


def test_garbage_is_unreadable(api):
    assert_problem(api.client.post("/api/pdf/verify", data=b"not a pdf", content_type="application/pdf"), 422,
                   "validation-error")


def test_cli_exit_codes(app, signed, tmp_path):
    good, bad, junk = tmp_path / "good.pdf", tmp_path / "bad.pdf", tmp_path / "junk.pdf"
    good.write_bytes(signed[3])
    bad.write_bytes(signed[3] + b"\n%extra\n")
    junk.write_bytes(b"junk")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["pdf", "verify", str(good)]).exit_code == 0
    assert runner.invoke(args=["pdf", "verify", str(bad)]).exit_code == 1
    assert runner.invoke(args=["pdf", "verify", str(junk)]).exit_code == 2


def test_a_mismatched_hash_is_rejected_and_nothing_is_stored(api, grid):  # noqa: F811
    ticket_id = new_ticket(api)
    scheme = propose(api, ticket_id)
    api.command(ticket_id, "cm_a", "choose_option", rank=1, scheme_hash=scheme["scheme_hash"])
    response = api.command(ticket_id, "cm_a", "sign_scheme", scheme_hash="sha256:" + "1" * 64, signer_name="x",
                           signature_blob=api.upload("cm_a", strokes()))
    assert_problem(response, 409, "scheme-hash-mismatch")
    record = api.get(f"/api/tickets/{ticket_id}", "cm_a").json
    assert record["signed_pdf"] is None and record["scheme"]["signed_at"] is None
    assert_problem(api.get(f"/api/tickets/{ticket_id}/scheme.pdf", "cm_a"), 404, "not-found")


@pytest.mark.parametrize("content, reason", [
    (json.dumps({"canvas": {"width": 800, "height": 300}, "strokes": []}).encode(), "empty"),
    (strokes(points=5), "fewer than 10"),
    (strokes(width=100), "outside the canvas"),
    (b"{broken", "not strokes JSON"),
])
def test_bad_strokes_are_rejected_and_nothing_is_stored(api, grid, content, reason):  # noqa: F811
    ticket_id, _scheme, response = sign_ticket(api, content=content)
    problem = assert_problem(response, 422, "validation-error")
    assert any(reason in message for message in problem["errors"]["args.signature_blob"])
    record = api.get(f"/api/tickets/{ticket_id}", "cm_a").json
    assert record["signed_pdf"] is None and record["scheme"]["signed_at"] is None


def test_a_missing_strokes_blob_is_409(api, grid):  # noqa: F811
    ticket_id = new_ticket(api)
    scheme = propose(api, ticket_id)
    api.command(ticket_id, "cm_a", "choose_option", rank=1, scheme_hash=scheme["scheme_hash"])
    assert_problem(api.command(ticket_id, "cm_a", "sign_scheme", scheme_hash=scheme["scheme_hash"], signer_name="x",
                               signature_blob="sha256:" + "2" * 64), 409, "missing-blob")


def test_only_those_who_see_the_ticket_download_it(api, signed):
    ticket_id = signed[0]
    assert api.get(f"/api/tickets/{ticket_id}/scheme.pdf", "bo_cz").status_code == 200
    assert_problem(api.get(f"/api/tickets/{ticket_id}/scheme.pdf", "cm_b"), 404, "not-found")


def test_page_one_rasterises(signed, tmp_path):
    (tmp_path / "s.pdf").write_bytes(signed[3])
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(tmp_path / "s.pdf"),
                    str(tmp_path / "page")], check=True, timeout=60)
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000


def test_the_qr_code_reads_back_as_the_scheme_hash(signed, tmp_path):
    """Rasterised and read by zbar, as a phone would scan the printed reply."""
    _ticket_id, scheme, _record, pdf = signed
    (tmp_path / "s.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "110", "-png", str(tmp_path / "s.pdf"), str(tmp_path / "page")], check=True,
                   timeout=60)
    found = [subprocess.run(["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True).stdout.strip()
             for page in sorted(tmp_path.glob("page*.png"))]
    assert scheme["scheme_hash"] in found


def test_the_signature_space_is_estimated_once_and_again_when_outgrown(tmp_path):
    from pdf import signing
    from pdf.verify import verify
    blank = PdfWriter()
    blank.add_blank_page(200, 200)
    out = io.BytesIO()
    blank.write(out)
    identity = signing.development_identity(tmp_path / "keys")
    key, pdf = (identity, ""), out.getvalue()
    signing.RESERVED.pop(key, None)
    first = signing.sign(pdf, identity, {"a.json": b"{}"}, "test")
    estimated = signing.RESERVED[key]
    second = signing.sign(pdf, identity, {"a.json": b"{}"}, "test")
    signing.RESERVED[key] = 64                   # far too small: the signature must still come out whole
    third = signing.sign(pdf, identity, {"a.json": b"{}"}, "test")
    assert abs(signing.RESERVED[key] - estimated) < estimated // 10      # estimated again (ECDSA varies by a byte)
    for signed in (first, second, third):
        result = verify(signed, [identity.cert_path])
        assert result["intact"] and result["trusted"] and result["coverage"] == "entire_file", result
