"""Log-in, sessions, tokens, headers, CSV and redirects, each tried as an attacker would."""
import csv
import io
import time

import pytest
import werkzeug.security
from flask import request

from server.db import get_db
from tests.conftest import assert_problem
from tests.factories import PASSWORD
from tests.web.test_console import Browser, text


def test_log_out_ends_the_session_on_the_server(app):
    browser = Browser(app)
    browser.login("bo_cz")
    stolen = browser.client.get_cookie("session").value
    assert browser.get("/cosign").status_code == 200
    browser.post("/logout", "/")
    replay = Browser(app)
    replay.client.set_cookie("session", stolen)
    assert replay.get("/cosign").status_code == 302                 # to the log-in page: the cookie is dead


@pytest.mark.parametrize("path, opened", [("/sync/push", False), ("/api/tickets", False), ("/cosign", True),
                                          ("/login", True)])
def test_only_the_console_opens_the_cookie_session(app, path, opened):
    """The API and sync authenticate by token: their requests get the null session, no cookie read."""
    browser = Browser(app)
    browser.login("bo_cz")
    with app.test_request_context(path, headers={"Cookie": f"session={browser.client.get_cookie('session').value}"}):
        session = app.session_interface.open_session(app, request)
        assert (session is not None and "sid" in session) is opened


def test_a_session_ends_after_session_hours(app):
    browser = Browser(app)
    browser.login("cm_a")
    assert browser.get("/").status_code == 200
    with app.app_context():
        get_db().execute("UPDATE web_sessions SET created_at = '2020-01-01T00:00:00+00:00'")
    assert browser.get("/").status_code == 302


def test_csrf_tokens_expire(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] == app.config["CSRF_HOURS"] * 3600
    app.config["WTF_CSRF_TIME_LIMIT"] = 1
    browser = Browser(app)
    browser.login("bo_cz")
    token = browser.token("/")
    time.sleep(2.1)
    response = browser.client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 400 and "CSRF" in text(response)


@pytest.mark.parametrize("target", ["//evil.example/x", "/\\evil.example", "https://evil.example/",
                                    "/\t/evil.example", "javascript:alert(1)", "\\\\evil.example"])
def test_next_after_log_in_stays_on_this_site(app, target):
    browser = Browser(app)
    response = browser.client.post("/login", data={"username": "cm_a", "password": PASSWORD, "next": target,
                                                   "csrf_token": browser.token("/login")})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_next_after_log_in_keeps_a_local_path(app):
    browser = Browser(app)
    response = browser.client.post("/login", data={"username": "cm_a", "password": PASSWORD,
                                                   "next": "/conflicts?x=1", "csrf_token": browser.token("/login")})
    assert response.headers["Location"] == "/conflicts?x=1"


def test_device_tokens_expire(api, app):
    assert api.get("/api/tickets", "cm_a").status_code == 200
    with app.app_context():
        get_db().execute("UPDATE devices SET created_at = '2020-01-01T00:00:00+00:00'")
    body = assert_problem(api.get("/api/tickets", "cm_a"), 401, "unauthorized")
    assert "expired" in body["detail"]
    fresh = api.client.post("/api/auth/token", json={"username": "cm_a", "password": PASSWORD,
                                                      "device_id": "pda-cm_a"})
    assert fresh.status_code == 201 and fresh.json["expires_at"] > "2026"
    assert api.client.get("/api/tickets", headers={"Authorization": f"Bearer {fresh.json['token']}"}).status_code == 200


def test_unknown_users_cost_a_password_check_like_wrong_passwords(client, monkeypatch):
    """Same work, so the same time: an unknown name is checked against a dummy hash."""
    checks = []
    real = werkzeug.security.check_password_hash
    monkeypatch.setattr("server.storage.users.check_password_hash",
                        lambda stored, password: checks.append(stored) or real(stored, password))
    for username in ("cm_a", "nobody-by-this-name"):
        response = client.post("/api/auth/token", json={"username": username, "password": "wrong",
                                                         "device_id": "pda"})
        assert_problem(response, 401, "unauthorized")
    assert len(checks) == 2 and checks[0] != checks[1]


def test_one_address_spraying_many_names_is_limited(make_app):
    client = make_app(LOGIN_MAX_FAILURES_PER_IP=3).test_client()
    for username in ("u1", "u2", "u3"):
        assert client.post("/api/auth/token", json={"username": username, "password": "x",
                                                     "device_id": "d"}).status_code == 401
    right = client.post("/api/auth/token", json={"username": "cm_a", "password": PASSWORD, "device_id": "d"})
    assert_problem(right, 429, "rate-limited")
    other_address = client.post("/api/auth/token", json={"username": "cm_a", "password": PASSWORD, "device_id": "d"},
                                environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other_address.status_code == 201


@pytest.mark.parametrize("hops, limited", [(0, True), (1, False)])
def test_forwarded_addresses_count_only_behind_a_trusted_proxy(make_app, hops, limited):
    """Without PROXY_HOPS a client cannot dodge the limit by inventing X-Forwarded-For."""
    client = make_app(LOGIN_MAX_FAILURES_PER_IP=2, PROXY_HOPS=hops).test_client()
    for n in range(3):
        response = client.post("/api/auth/token", json={"username": f"u{n}", "password": "x", "device_id": "d"},
                               headers={"X-Forwarded-For": f"203.0.113.{n}"})
    assert response.status_code == (429 if limited else 401)


def test_console_and_api_answers_carry_security_headers(app, api):
    browser = Browser(app)
    browser.login("cm_a")
    page, data = browser.get("/"), api.get("/api/tickets", "cm_a")
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "default-src 'none'" in data.headers["Content-Security-Policy"]
    for response in (page, data, browser.get("/login")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
    assert "<style>" not in text(page) and " style=" not in text(page)       # the policy would block them


def test_csv_cells_cannot_become_formulas(app):
    browser = Browser(app)
    browser.login("root")
    formula = '=HYPERLINK("http://evil.example","x")'
    response = browser.get(f"/dashboard.csv?table=summary&region={formula}")
    rows = {r["indicator"]: r["value"] for r in csv.DictReader(io.StringIO(text(response).lstrip("\ufeff")))}
    assert rows["地区"] == "'" + formula
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and '"' not in disposition.split("filename=", 1)[1].strip('"')
    assert browser.get("/dashboard.csv?table=summary&month=2026-13%22").status_code == 422
