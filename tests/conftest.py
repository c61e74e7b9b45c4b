"""Fixtures: a real app on a temporary SQLite file (or, with ``YEKUO_TEST_ENGINE=postgres``, its own
database in a throwaway PostgreSQL cluster), a test client, and users with device tokens."""
import hashlib
import itertools
import os
import shutil

import pytest
from hypothesis import settings

from server import create_app
from server.db import close_pool, get_db, migrate, transaction
from server.storage.users import add_user
from tests.factories import PASSWORD
from tests.postgres import Cluster, unavailable_reason

ENGINE = os.environ.get("YEKUO_TEST_ENGINE", "sqlite")
TEMPLATE = "yekuo_template"


def sqlite_only(why: str):
    """A test of something only the SQLite engine has (its file, its trace callback)."""
    return pytest.mark.skipif(ENGINE != "sqlite", reason=f"SQLite only: {why}")

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
    ("bo_xh", "backoffice", "XH-BO", "xihua"),
    ("cm_js", "customer_manager", "JS", "jiangsu"),
    ("root", "admin", "HQ", "changzhou"),
]


def pytest_report_header(config):
    reason = unavailable_reason() if ENGINE == "postgres" else None
    return f"storage engine: {ENGINE}" + (f" — unavailable: {reason}" if reason else "")


@pytest.fixture(scope="session")
def pg_cluster():
    """The PostgreSQL leg's cluster (skipped, with the reason, where PostgreSQL cannot be installed)."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    cluster = Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory, request):
    """A database with PEOPLE in it, built once: password hashing is slow on purpose."""
    data_dir = tmp_path_factory.mktemp("template")
    config = {"TESTING": True, "DATA_DIR": str(data_dir)}
    if ENGINE == "postgres":
        config["DATABASE"] = request.getfixturevalue("pg_cluster").create_database(TEMPLATE)
    app = create_app(config)
    with app.app_context():
        db = get_db()
        with transaction(db):
            for username, role, team, region in PEOPLE:
                add_user(db, username, PASSWORD, role, team, region)
        if ENGINE == "sqlite":
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    close_pool()              # a template database is copied only when nobody is connected to it
    return app.config["DATABASE"]


DATABASE_NUMBERS = itertools.count(1)


@pytest.fixture
def make_app(tmp_path, template_db, request):
    """``make_app(**config)``: a real app on its own copy of the template database, with ``config``."""
    dropped = []

    def make(**config):
        data_dir = tmp_path / f"data{len(dropped) or ''}"
        data_dir.mkdir()
        config = {"TESTING": True, "DATA_DIR": str(data_dir), **config}
        if ENGINE == "postgres":
            name = f"test_{next(DATABASE_NUMBERS)}"
            config["DATABASE"] = request.getfixturevalue("pg_cluster").create_database(name, template=TEMPLATE)
            dropped.append(name)
        else:
            shutil.copy(template_db, data_dir / "yekuo.sqlite")
            dropped.append(None)
        return create_app(config)

    yield make
    close_pool()
    for name in filter(None, dropped):
        request.getfixturevalue("pg_cluster").drop_database(name)


@pytest.fixture
def app(make_app):
    return make_app()


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


# What each migration after the first schema added to tickets, to take away again (newest first)
UNDO_MIGRATIONS = {13: ("ALTER TABLE reservations DROP COLUMN nature",),
                   12: ("DROP INDEX tickets_created_at", "ALTER TABLE tickets DROP COLUMN created_at"),
                   11: ("DROP INDEX tickets_scheme_queue", "ALTER TABLE tickets DROP COLUMN scheme_queue")}


def migrate_again_from(app, version) -> int:
    """The database as it was before migration ``version`` (what it and the later ones added taken
    away), then migrated again: how a backfill is tested on rows saved before it. Returns the version."""
    with app.app_context():
        db = get_db()
        with transaction(db):
            for number in sorted(UNDO_MIGRATIONS, reverse=True):
                if number >= version:
                    for statement in UNDO_MIGRATIONS[number]:
                        db.execute(statement)
                    db.execute("DELETE FROM schema_version WHERE version = ?", [number])
        return migrate(db)
