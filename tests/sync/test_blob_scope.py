"""Blobs in scope: each test tries to read, finish or claim someone else's blob and fails if it can."""
import hashlib
from datetime import timedelta

import pytest

from server.jobs import run_job
from server.storage import utcnow
from tests.conftest import assert_problem
from tests.factories import make_ticket
from tests.sync.test_push_pull import Device, statuses

UPLOAD = "application/offset+octet-stream"
PHOTO = ("现场照片" * 3000).encode()
HEX = hashlib.sha256(PHOTO).hexdigest()
URL = f"/sync/blobs/{HEX}"


def device(api, username, device_id=None):
    return Device(api, username, device_id)


def put(api, dev, content=PHOTO, offset=0, length=None, hex_=HEX):
    headers = {**dev.headers(), "Content-Type": UPLOAD, "Upload-Offset": str(offset)}
    if length is not None:
        headers["Upload-Length"] = str(length)
    return api.client.patch(f"/sync/blobs/{hex_}", data=content, headers=headers)


def can_read(api, dev) -> bool:
    head, get = api.client.head(URL, headers=dev.headers()), api.client.get(URL, headers=dev.headers())
    assert head.status_code == get.status_code, (head.status_code, get.status_code)
    assert get.status_code in (200, 404)
    return get.status_code == 200 and get.data == PHOTO


def attach(dev, ticket_id=None):
    """Push a photo op naming the blob on ``ticket_id`` (a new ticket of the device's team when None)."""
    ops = []
    if ticket_id is None:
        ticket = make_ticket()
        ops.append(dev.op("ticket.create", ticket["id"], data=ticket))
        ticket_id = ticket["id"]
    ops.append(dev.op("photo.add", ticket_id, data={"blob": f"sha256:{HEX}", "media_type": "image/jpeg"}))
    return ticket_id, dev.push(*ops)


@pytest.fixture
def uploaded(api):
    """cm_a's tablet uploaded the photo completely."""
    dev = device(api, "cm_a")
    assert put(api, dev, length=len(PHOTO)).status_code == 204
    return dev


def test_an_unreferenced_blob_is_its_uploaders_only(api, uploaded):
    assert can_read(api, uploaded)
    assert can_read(api, device(api, "cm_a", "cm_a-second-tablet"))       # the same person, another device
    for other in ("cm_a2", "cm_b", "bo_cz", "cm_sh"):
        assert not can_read(api, device(api, other)), other


def test_once_referenced_the_tickets_scope_decides(api, uploaded):
    ticket_id, response = attach(uploaded)
    assert statuses(response) == ["applied", "applied"]
    readers = {user: can_read(api, device(api, user)) for user in ("cm_a2", "pm_a", "bo_cz", "root", "cm_b",
                                                                   "bo_sh", "cm_sh")}
    assert readers == {"cm_a2": True, "pm_a": True, "bo_cz": True, "root": True, "cm_b": False, "bo_sh": False,
                       "cm_sh": False}


def test_naming_a_hash_is_no_way_to_read_it(api, uploaded):
    """cm_b learned the hash and attaches it to a team-B ticket: rejected, and still unreadable."""
    thief = device(api, "cm_b")
    _ticket_id, response = attach(thief)
    assert statuses(response) == ["applied", "rejected"]
    assert response.json["results"][1]["error"]["type"].endswith("/missing-blob")
    ticket = api.post("/api/tickets", "cm_b", json=make_ticket(documents=[
        {"kind": "subject_proof", "status": "received", "blob": f"sha256:{HEX}"}]))
    assert_problem(ticket, 409, "missing-blob")
    assert not can_read(api, thief)


def test_a_partial_upload_belongs_to_the_device_that_started_it(api):
    owner, other = device(api, "cm_a"), device(api, "cm_a2")
    assert put(api, owner, PHOTO[:5000], length=len(PHOTO)).status_code == 204
    assert api.client.head(URL, headers=other.headers()).status_code == 404
    assert put(api, other, PHOTO[5000:], offset=5000).status_code == 422      # it has no upload to append to
    poison = put(api, other, b"\0" * (len(PHOTO) - 5000), offset=5000, length=len(PHOTO))
    assert poison.status_code == 409
    assert put(api, owner, PHOTO[5000:], offset=5000).status_code == 204
    assert can_read(api, owner)
    assert api.client.get(URL, headers=other.headers()).status_code == 404
    head = api.client.head(URL, headers=other.headers())          # it sees only its own, empty upload
    assert (head.headers["Upload-Offset"], head.headers["Upload-Length"]) == ("0", str(len(PHOTO)))


def test_the_bytes_are_needed_to_claim_a_hash(api, uploaded):
    claimer = device(api, "cm_b")
    body = assert_problem(put(api, claimer, b"x", length=1), 422, "validation-error")   # a false length
    assert "Upload-Length" in body["errors"]
    assert_problem(put(api, claimer, b"y" * len(PHOTO), length=len(PHOTO)), 422, "hash-mismatch")
    assert not can_read(api, claimer)
    assert put(api, claimer, length=len(PHOTO)).status_code == 204      # holding the bytes is proof enough
    assert can_read(api, claimer)


def test_partial_uploads_expire(app, api):
    dev = device(api, "cm_a")
    assert put(api, dev, PHOTO[:100], length=len(PHOTO)).status_code == 204
    with app.app_context():
        from server.db import get_db
        soon = run_job(get_db(), app.config, "expire_partial_uploads", utcnow())
        later = run_job(get_db(), app.config, "expire_partial_uploads",
                        utcnow() + timedelta(hours=app.config["BLOB_PARTIAL_HOURS"] + 1))
    assert soon["result"] == {"expired": 0} and later["result"] == {"expired": 1}
    assert api.client.head(URL, headers=dev.headers()).status_code == 404
    assert put(api, dev, PHOTO, offset=0, length=len(PHOTO)).status_code == 204       # starts afresh


@pytest.mark.parametrize("offset", ["١٢", "+5", "0x10", " 7", "99999999999999999999999"])
def test_upload_offset_is_ascii_digits_only(api, offset):
    dev = device(api, "cm_a")
    response = api.client.patch(URL, data=b"a", headers={**dev.headers(), "Content-Type": UPLOAD,
                                                         "Upload-Offset": offset, "Upload-Length": "1"})
    assert_problem(response, 422, "validation-error")


def test_a_ticket_created_with_a_scanned_document_references_it(api, uploaded):
    """The scan is referenced once the ticket exists (a create naming a scan used to fail its foreign key,
    a 500 inside the push); another team still cannot read it."""
    ticket = make_ticket(documents=[{"kind": "subject_proof", "status": "received", "blob": f"sha256:{HEX}"}])
    response = uploaded.push(uploaded.op("ticket.create", ticket["id"], data=ticket))
    assert statuses(response) == ["applied"]
    record = api.get(f"/api/tickets/{ticket['id']}", "cm_a").json
    assert record["documents"][0]["blob"] == f"sha256:{HEX}"
    assert can_read(api, device(api, "cm_a2")) and not can_read(api, device(api, "cm_b"))
    rest = make_ticket(documents=[{"kind": "subject_proof", "status": "received", "blob": f"sha256:{HEX}"}])
    assert api.post("/api/tickets", "cm_a", json=rest).status_code == 201


def test_a_create_naming_a_scan_not_uploaded_stores_nothing(api):
    dev = device(api, "cm_a")
    ticket = make_ticket(documents=[{"kind": "subject_proof", "status": "received", "blob": "sha256:" + "ab" * 32}])
    response = dev.push(dev.op("ticket.create", ticket["id"], data=ticket))
    assert statuses(response) == ["rejected"] and response.json["results"][0]["error"]["type"].endswith("missing-blob")
    assert api.get(f"/api/tickets/{ticket['id']}", "cm_a").status_code == 404
