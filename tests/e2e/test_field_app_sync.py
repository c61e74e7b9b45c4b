"""The field app's sync state machine (field_app/live/sync.live.js, node's test runner) against the real
server: blobs then queue then pages, resumed uploads, refused ops, revoked tokens, no network."""
import os
import subprocess
from pathlib import Path

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e
APP = Path(__file__).resolve().parents[2] / "field_app"


def test_the_field_app_syncs_with_the_real_server(server):
    env = {**os.environ, "YEKUO_URL": server.url(""), "YEKUO_USER": "cm_a", "YEKUO_PASSWORD": PASSWORD}
    run = subprocess.run(["node", "--test", "--test-reporter=spec", "live/sync.live.js"], cwd=APP, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "ℹ fail 0" in run.stdout and "ℹ pass 5" in run.stdout, run.stdout[-2000:]
