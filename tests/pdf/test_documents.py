"""Chinese line breaking, glyph coverage of every document text, the application form, start-up checks."""
import io
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, strategies as st
from pypdf import PdfReader

from pdf import fonts
from pdf.application_form import render_application_form
from pdf.linebreak import NO_LINE_END, NO_LINE_START, break_lines
from pdf.labels import ASSET_KINDS, CUSTOMER_CLASSES, DECISIONS, ID_KINDS, METERING, RULES, STAGES
from pdf.scheme_reply import SchemeDocument, render_scheme_reply
from pdf.signing import DEV_COMMON_NAME, development_identity
from pdf.strokes import parse_strokes
from scheme_builder import Grid, build_scheme
from server.policy import load_policy_book
from tests.factories import CENTRE, feeder, make_grid, make_ticket, strokes, transformer

FONT = fonts.register_font()
BOOK = load_policy_book()


def width_of(text):
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


@pytest.mark.parametrize("text, width", [
    ("本方案不收取下列费用：移表费、计量装置赔偿费、环境监测费。", 7),
    ("客户（常州示范机械厂）于“现场”签字，确认无误！", 5),
    ("线路长度 520 m，YJV22-3x240 电缆。", 9),
])
def test_no_line_starts_with_a_closer_or_ends_with_an_opener(text, width):
    lines = break_lines(text, width, width_of)
    assert len(lines) > 1 and "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line[0] in NO_LINE_START for line in lines[1:])
    assert not any(line[-1] in NO_LINE_END for line in lines[:-1])


@given(text=st.text(alphabet="供电方案答复单客户签字，。、；：！？）》”（《“abc 12", min_size=1, max_size=80),
       width=st.integers(4, 30))
def test_line_breaking_keeps_every_character_and_the_rules(text, width):
    lines = break_lines(text, width, width_of)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")
    assert not any(line[:1] in NO_LINE_START for line in lines[1:])
    assert not any(line[-1:] in NO_LINE_END for line in lines[:-1])


def scheme_for(pack, capacity_kva=1250):
    policy = pack
    grid = Grid.from_features(make_grid(transformer("TX-1", 80, 0, region=pack.region),
                                        feeder("F-1", [(-2000, 400), (2000, 400)], region=pack.region))["features"],
                              f"{pack.region}/1")
    scheme = build_scheme({"business_type": "hv_new", "customer_class": "non_resident", "capacity_kva": capacity_kva,
                           "location": {"lon": CENTRE[0], "lat": CENTRE[1]}, "zone": pack.zones[0].zone}, policy, grid)
    return {**scheme, "chosen_option": scheme["options"][0]}


@pytest.mark.parametrize("pack_id", sorted(BOOK.packs))
def test_every_character_the_documents_use_has_a_glyph(pack_id):
    pack = BOOK.packs[pack_id]
    ticket = {**make_ticket(region=pack.region, capacity_kva=1250), "customer_class": "non_resident",
              "created_at": "2026-11-24T09:00:00+00:00", "documents": [{"kind": "property_proof", "status": "missing",
                                                                         "promised_date": "2026-12-01"}]}
    signature = {**parse_strokes(strokes()), "signer_name": "李四", "signed_at": "2026-11-24T10:00:00+08:00"}
    labels = [b.label for b in pack.business_types.values()]
    _pdf, lines = render_scheme_reply(SchemeDocument(ticket, scheme_for(pack), labels[0], pack.banned_fees(),
                                                     signature, "cm_a"))
    _form, form_lines = render_application_form(ticket, labels[0], {k: d.label for k, d in pack.documents.items()})
    tables = [*DECISIONS.values(), *METERING.values(), *STAGES.values(), *CUSTOMER_CLASSES.values(),
              *ID_KINDS.values(), *labels,
              *(d.label for d in pack.documents.values())]
    assert fonts.missing_glyphs(FONT, "".join(lines + form_lines + tables)) == set()


def test_the_application_form_is_filled_from_the_ticket():
    ticket = {**make_ticket(), "created_at": "2026-11-24T09:00:00+00:00",
              "documents": [{"kind": "subject_proof", "status": "received"},
                            {"kind": "property_proof", "status": "missing", "promised_date": "2026-12-01"}]}
    data, _lines = render_application_form(ticket, "低压非居民新装", {"subject_proof": "主体证明",
                                                                "property_proof": "产权证明"})
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text().replace(" ", "")
    for expected in ("用电申请表", ticket["id"], "常州示范机械厂", "13912345678", "产权证明", "2026-12-01", "客户签字"):
        assert expected in text, expected


def test_the_application_form_downloads(api):
    ticket = make_ticket()
    api.post("/api/tickets", "cm_a", json=ticket)
    response = api.get(f"/api/tickets/{ticket['id']}/application.pdf", "cm_a")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_no_usable_font_stops_start_up_with_the_path(tmp_path):
    from server import create_app
    with pytest.raises(fonts.FontNotFound, match="nowhere.ttc"):
        create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "PDF_FONT": "/nowhere.ttc"})
    not_a_font = tmp_path / "font.ttf"
    not_a_font.write_bytes(b"nope")
    with pytest.raises(fonts.FontNotFound, match="not a usable"):
        fonts.register_font(str(not_a_font))


def test_the_development_certificate_says_so(tmp_path, caplog):
    from cryptography import x509
    identity = development_identity(tmp_path)
    cert = x509.load_pem_x509_certificate(identity.cert_path.read_bytes())
    assert "DEVELOPMENT" in cert.subject.rfc4514_string() and DEV_COMMON_NAME in cert.subject.rfc4514_string()
    assert development_identity(tmp_path).cert_path.read_bytes() == identity.cert_path.read_bytes()   # made once
    from server import create_app
    with caplog.at_level("WARNING"):
        create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "d")})
    assert any("DEVELOPMENT" in record.getMessage() for record in caplog.records)


ENGINEERING_TABLES = BOOK.packs["changzhou-2020"].engineering
CODES = {"kVA", "kV", "kW", "GB/T", "GB/Z", "DL/T", "Q/GDW", "sha256", "m"} | {
    c["name"] for c in ENGINEERING_TABLES["conductors"]}
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


def raw_words(text: str, ticket_id: str) -> list:
    """Latin words left on the page once ids, hashes, units, conductor types and standard numbers go."""
    text = text.replace(ticket_id, "")
    tokens = re.findall(r"[A-Za-z][A-Za-z0-9/+._-]*", text)
    return [t for t in tokens if t not in CODES and not re.fullmatch(r"(TX|F)-?\d+|[0-9a-f]+|[A-Z]\+?|x\d+", t)
            and len(re.sub(r"[^A-Za-z]", "", t)) >= 2]


@pytest.mark.parametrize("pack_id", sorted(BOOK.packs))
def test_the_scheme_reply_is_chinese_only(pack_id):
    """Every code has its Chinese label and every source is an official document: no English words and no
    file names of this project on the customer's page. The pages are kept as PNG in test-output/."""
    pack = BOOK.packs[pack_id]
    ticket = {**make_ticket(region=pack.region, capacity_kva=1250), "customer_class": "non_resident",
              "created_at": "2026-11-24T09:00:00+00:00", "documents": [],
              "deadlines": {"process": {"due_at": "2026-12-01T09:00:00+00:00"}}}
    signature = {**parse_strokes(strokes()), "signer_name": "李四", "signed_at": "2026-11-24T10:00:00+08:00"}
    scheme = scheme_for(pack)
    data, _lines = render_scheme_reply(SchemeDocument(ticket, scheme, pack.business_types["hv_new"].label,
                                                      pack.banned_fees(), signature, "张经理",
                                                      policy_document=pack.document))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert raw_words(text, ticket["id"]) == []
    assert "docs/" not in text and ".md" not in text and "UTC" not in text and "北京时间" in text
    assert all(row["rule"] in RULES for row in scheme["explanation"]), [r["rule"] for r in scheme["explanation"]]
    assert all(option["connection"]["kind"] in ASSET_KINDS for option in scheme["options"])
    OUTPUT.mkdir(exist_ok=True)
    pdf_path = OUTPUT / f"scheme-reply-{pack_id}.pdf"
    pdf_path.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf_path), str(OUTPUT / f"scheme-reply-{pack_id}")],
                   check=True)
    assert list(OUTPUT.glob(f"scheme-reply-{pack_id}*.png"))


def test_every_metering_method_the_builder_emits_has_a_label():
    """LV customers are metered directly or through current transformers by their current, generators both
    ways; every name reaches the reply, so each needs its Chinese words (a missing one printed the code)."""
    emitted = set()
    for pack in BOOK.packs.values():
        grid = Grid.from_features(make_grid(transformer("TX-1", 60, 0, rating_kva=1250, peak_kva=100,
                                                        region=pack.region))["features"], f"{pack.region}/1")
        for capacity_kw in (10, 90):
            scheme = build_scheme({"business_type": "lv_nonresident_new", "customer_class": "non_resident",
                                   "capacity_kw": capacity_kw, "location": {"lon": CENTRE[0], "lat": CENTRE[1]},
                                   "zone": pack.zones[0].zone}, pack, grid)
            emitted |= {option["metering"] for option in scheme["options"]}
        if "distributed_generation" in pack.business_types:
            scheme = build_scheme({"business_type": "distributed_generation", "customer_class": "non_resident",
                                   "capacity_kw": 50, "location": {"lon": CENTRE[0], "lat": CENTRE[1]}}, pack, grid)
            emitted |= {option["metering"] for option in scheme["options"]}
            assert all(row["rule"] in RULES for row in scheme["explanation"]), scheme["explanation"]
    assert {"lv_direct", "lv_ct_operated", "bidirectional"} <= emitted
    assert emitted <= set(METERING), emitted - set(METERING)


def test_the_sketch_stays_on_the_page_of_its_heading():
    """Wherever the content above pushes it, the heading 接入示意图 and the drawing (its north arrow, a
    line of its own) share a page: a heading alone at the foot of a page is a layout bug."""
    pack = BOOK.packs["changzhou-2020"]
    scheme = scheme_for(pack)
    signature = {**parse_strokes(strokes()), "signer_name": "李四", "signed_at": "2026-11-24T10:00:00+08:00"}
    for lines in range(0, 60, 3):
        ticket = {**make_ticket(capacity_kva=1250), "customer_class": "non_resident", "documents": [],
                  "created_at": "2026-11-24T09:00:00+00:00", "address": "常州市新北区河海大道" * (lines * 3),
                  "deadlines": {"process": {"due_at": "2026-12-01T09:00:00+00:00"}}}
        data, _lines = render_scheme_reply(SchemeDocument(ticket, scheme, "高压新装", pack.banned_fees(), signature,
                                                          "张经理", policy_document=pack.document))
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
        heading = next(i for i, text in enumerate(pages) if "接入示意图" in text)
        arrow = next(i for i, text in enumerate(pages) if "北" in [line.strip() for line in text.splitlines()])
        assert heading == arrow, f"{lines} extra lines: heading on page {heading + 1}, sketch on page {arrow + 1}"


def test_a_generators_reply_names_its_hosting_room_and_two_way_metering():
    """A generator's option is its hosting room (可接入电源容量), metered both ways, in Chinese only."""
    pack = BOOK.packs["xihua-2022"]
    grid = Grid.from_features(make_grid(transformer("TX-1", 60, 0, rating_kva=800, peak_kva=100,
                                                    region="xihua"))["features"], "xihua/1")
    scheme = build_scheme({"business_type": "distributed_generation", "customer_class": "non_resident",
                           "capacity_kw": 150, "location": {"lon": CENTRE[0], "lat": CENTRE[1]}}, pack, grid)
    scheme["chosen_option"] = scheme["options"][0]
    ticket = {**make_ticket(region="xihua", capacity_kw=150, business_type="distributed_generation"),
              "customer_class": "non_resident", "created_at": "2026-11-24T09:00:00+00:00", "documents": [],
              "deadlines": {"process": {"due_at": "2026-12-01T09:00:00+00:00"}}}
    signature = {**parse_strokes(strokes()), "signer_name": "李四", "signed_at": "2026-11-24T10:00:00+08:00"}
    data, _lines = render_scheme_reply(SchemeDocument(ticket, scheme, pack.business_types["distributed_generation"].label,
                                                      pack.banned_fees(), signature, "张经理",
                                                      policy_document=pack.document))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "可接入电源容量" in text and "双向计量" in text and "可开放容量" not in text
    assert raw_words(text, ticket["id"]) == []
