"""Fixtures: a real app on a temporary SQLite file, a test client, and users with device tokens."""
import hashlib
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from server import create_app
from server.db import get_db, transaction
from server.storage.users import add_user
from tests.factories import PASSWORD

# make test is a gate: the same examples on every run (HYPOTHESIS_PROFILE=explore draws new ones)
settings.register_profile("gate", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "gate"))

# (username, role, team, region)
PEOPLE = [
    ("cm_a", "customer_manager", "A", "changzhou"),
    ("pm_a", "project_manager", "A", "changzhou"),
    ("cm_a2", "customer_manager", "A", "changzhou"),
    ("cm_b", "customer_manager", "B", "changzhou"),
    ("bo_cz", "backoffice", "CZ-BO", "changzhou"),
    ("bo_sh", "backoffice", "SH-BO", "shanghai"),
    ("cm_sh", "customer_manager", "SH", "shanghai"),
    ("cm_cq", "customer_manager", "CQ", "chongqing"),
    ("cm_xh", "customer_manager", "XH", "xihua"),
    ("cm_js", "customer_manager", "JS", "jiangsu"),
    ("root", "admin", "HQ", "changzhou"),
]


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """A database with PEOPLE in it, built once: password hashing is slow on purpose."""
    data_dir = tmp_path_factory.mktemp("template")
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir)})
    with app.app_context():
        db = get_db()
        with transaction(db):
            for username, role, team, region in PEOPLE:
                add_user(db, username, PASSWORD, role, team, region)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Path(app.config["DATABASE"])


@pytest.fixture
def app(tmp_path, template_db):
    """A real app on its own copy of the template SQLite file."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(template_db, data_dir / "yekuo.sqlite")
    return create_app({"TESTING": True, "DATA_DIR": str(data_dir)})


@pytest.fixture
def client(app):
    return app.test_client()


class Api:
    """Calls the JSON API as a given user, logging in once per user."""

    def __init__(self, client):
        self.client, self.tokens = client, {}

    def token(self, username, device_id=None):
        key = (username, device_id)
        if key not in self.tokens:
            response = self.client.post("/api/auth/token", json={
                "username": username, "password": PASSWORD, "device_id": device_id or f"pda-{username}"})
            assert response.status_code == 201, response.json
            self.tokens[key] = response.json["token"]
        return self.tokens[key]

    def call(self, method, path, username, **kwargs):
        headers = {"Authorization": f"Bearer {self.token(username)}", **kwargs.pop("headers", {})}
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path, username, **kw):
        return self.call("GET", path, username, **kw)

    def post(self, path, username, **kw):
        return self.call("POST", path, username, **kw)

    def patch(self, path, username, **kw):
        return self.call("PATCH", path, username, **kw)

    def upload(self, username, content: bytes) -> str:
        """Upload a blob in one chunk; returns its sha256: reference."""
        hex_ = hashlib.sha256(content).hexdigest()
        response = self.call("PATCH", f"/sync/blobs/{hex_}", username, data=content, headers={
            "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0",
            "Upload-Length": str(len(content))})
        assert response.status_code in (204, 409), response.get_data(as_text=True)
        return f"sha256:{hex_}"

    def command(self, ticket_id, username, command, **args):
        return self.post(f"/api/tickets/{ticket_id}/commands", username, json={"command": command, "args": args})


@pytest.fixture
def api(client):
    return Api(client)


def assert_problem(response, status, slug):
    """The response is an RFC 9457 problem of the given type."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"].rsplit("/", 1)[-1] == slug
    assert body["status"] == status and body["title"] and body["detail"]
    return body
