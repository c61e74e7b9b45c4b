"""Device log-in, tokens, revocation and the failed-log-in limit."""
from tests.conftest import assert_problem
from tests.factories import PASSWORD


def login(client, username="cm_a", password=PASSWORD, device_id="pda-1"):
    return client.post("/api/auth/token", json={"username": username, "password": password, "device_id": device_id})


def test_login_returns_a_working_token(client):
    response = login(client)
    assert response.status_code == 201 and response.json["role"] == "customer_manager"
    me = client.get("/api/tickets", headers={"Authorization": f"Bearer {response.json['token']}"})
    assert me.status_code == 200


def test_tokens_are_stored_hashed(app, client):
    token = login(client).json["token"]
    from server.db import get_db
    with app.app_context():
        stored = [row[0] for row in get_db().execute("SELECT token_hash FROM devices")]
    assert token not in stored and len(stored) == 1


def test_wrong_password_is_401_problem(client):
    assert_problem(login(client, password="nope"), 401, "unauthorized")


def test_missing_and_garbage_tokens_are_401(client):
    assert_problem(client.get("/api/tickets"), 401, "unauthorized")
    assert_problem(client.get("/api/tickets", headers={"Authorization": "Bearer nope"}), 401, "unauthorized")


def test_new_login_of_same_device_replaces_old_token(client):
    first = login(client).json["token"]
    login(client)
    assert_problem(client.get("/api/tickets", headers={"Authorization": f"Bearer {first}"}), 401, "unauthorized")


def test_ten_failures_in_five_minutes_give_429_with_retry_after(client):
    for _ in range(10):
        assert login(client, password="wrong").status_code == 401
    response = login(client)               # even the right password waits now
    assert_problem(response, 429, "rate-limited")
    assert 1 <= int(response.headers["Retry-After"]) <= 300
    assert login(client, username="cm_b").status_code == 201   # other users are not affected


def test_successful_logins_do_not_count(client):
    for _ in range(12):
        assert login(client).status_code == 201
    assert login(client, password="wrong").status_code == 401


def test_backoffice_lists_and_revokes_devices(api, client):
    token = api.token("cm_a", "pda-7")
    devices = api.get("/api/devices", "bo_cz").json
    assert {"device_id": "pda-7", "username": "cm_a"}.items() <= next(
        d for d in devices if d["device_id"] == "pda-7").items()
    assert api.call("DELETE", "/api/devices/pda-7", "bo_cz").json["revoked_tokens"] == 1
    assert_problem(client.get("/api/tickets", headers={"Authorization": f"Bearer {token}"}), 401, "unauthorized")


def test_backoffice_of_another_region_cannot_revoke(api):
    api.token("cm_a", "pda-8")
    assert_problem(api.call("DELETE", "/api/devices/pda-8", "bo_sh"), 404, "not-found")
    assert all(d["region"] == "shanghai" for d in api.get("/api/devices", "bo_sh").json)


def test_managers_cannot_list_devices(api):
    assert_problem(api.get("/api/devices", "cm_a"), 403, "forbidden")
