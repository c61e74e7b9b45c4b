"""A real server process (gunicorn, several workers) on a free port and its own SQLite file (or a
PostgreSQL database several servers share)."""
import hashlib
import itertools
import os
import signal
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from server.db import connect
from tests.conftest import ENGINE, TEMPLATE
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``gunicorn wsgi:app`` started in a subprocess; ``url(path)`` and a logged-in ``session(user)``."""

    def __init__(self, data_dir: Path, workers: int = 3, database_url: str = ""):
        self.data_dir, self.port, self.workers, self.database_url = data_dir, free_port(), workers, database_url
        self.log = open(data_dir / "server.log", "ab")
        self.start()

    def start(self):
        env = {**os.environ, "YEKUO_DATA_DIR": str(self.data_dir), "YEKUO_DATABASE_URL": self.database_url}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--threads", "4",
             "--bind", f"127.0.0.1:{self.port}", "wsgi:app"], cwd=ROOT, env=env, stdout=self.log, stderr=self.log,
            start_new_session=True)
        self.wait_ready()

    def kill(self):
        """SIGKILL to the master and its workers at once: no shutdown code runs."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {(self.data_dir / 'server.log').read_text()}")
            try:
                if requests.get(self.url("/api/policies"), timeout=5).status_code == 200:
                    return
            except requests.RequestException:       # not listening yet, or workers still booting
                time.sleep(0.1)
        raise RuntimeError("server did not answer in time")

    def session(self, username, device_id=None) -> requests.Session:
        session = requests.Session()
        response = session.post(self.url("/api/auth/token"), json={
            "username": username, "password": PASSWORD, "device_id": device_id or f"pda-{username}"})
        assert response.status_code == 201, response.text
        session.headers["Authorization"] = f"Bearer {response.json()['token']}"
        return session

    def database(self):
        """A connection of the test's own to the server's database, either engine."""
        return connect(self.database_url or str(self.data_dir / "yekuo.sqlite"))

    def stop(self):
        """Quick shutdown (SIGINT; SIGTERM's graceful one costs ~2.5 s); a server still there after 3 s is
        killed with the rest of the group (gunicorn.conf.py's worker no longer deadlocks in its quit
        handler, tests/unit/test_gunicorn_conf.py, but a test must not hang on a server)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.kill()


def command(session, server, ticket_id, name, **args):
    """Run a ticket command over HTTP as ``session``'s user."""
    return session.post(server.url(f"/api/tickets/{ticket_id}/commands"), json={"command": name, "args": args})


def upload(session, server, content: bytes) -> str:
    """Upload a blob in one chunk over HTTP; returns its sha256: reference."""
    hex_ = hashlib.sha256(content).hexdigest()
    response = session.patch(server.url(f"/sync/blobs/{hex_}"), data=content, headers={
        "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0", "Upload-Length": str(len(content))})
    assert response.status_code in (204, 409), response.text
    return f"sha256:{hex_}"


INSTALLATIONS = itertools.count(1)


@contextmanager
def installed_server(data_dir: Path, template_db, request, **options):
    """A server on a copy of the template database: the SQLite file in ``data_dir``, or (in the
    PostgreSQL leg) a database of its own in the test cluster."""
    data_dir.mkdir(parents=True, exist_ok=True)
    name = None
    if ENGINE == "postgres":
        cluster, name = request.getfixturevalue("pg_cluster"), f"e2e_{next(INSTALLATIONS)}"
        options["database_url"] = cluster.create_database(name, template=TEMPLATE)
    else:
        shutil.copy(template_db, data_dir / "yekuo.sqlite")
    running = Server(data_dir, **options)
    try:
        yield running
    finally:
        running.stop()
        running.log.close()
        if name:
            cluster.drop_database(name)


@pytest.fixture
def server(tmp_path, template_db, request):
    with installed_server(tmp_path / "server", template_db, request) as running:
        yield running
