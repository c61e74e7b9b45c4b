"""Command-line tasks: init-db, user add, demo."""
from server.db import get_db, migrate
from server.demo import TICKETS, password_for


def test_init_db_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])
    assert first.exit_code == second.exit_code == 0
    with app.app_context():
        assert migrate(get_db()) >= 5
        for table in ("ops", "changes", "device_cursors", "sync_schema_version"):     # each exists on either engine
            assert get_db().execute(f"SELECT count(*) FROM {table}").fetchone()[0] >= 0


def test_user_add_creates_team_and_user_who_can_log_in(app, client):
    result = app.test_cli_runner().invoke(args=["user", "add", "zhang", "--role", "customer_manager",
                                                "--team", "新北一组", "--region", "changzhou", "--password", "s3cret"])
    assert result.exit_code == 0, result.output
    response = client.post("/api/auth/token", json={"username": "zhang", "password": "s3cret", "device_id": "pda-9"})
    assert response.json["team"] == "新北一组"


def test_user_add_prompts_for_hidden_password(app):
    result = app.test_cli_runner().invoke(args=["user", "add", "li", "--role", "backoffice", "--team", "BO2",
                                                "--region", "changzhou"], input="pw1\npw1\n")
    assert result.exit_code == 0 and "pw1" not in result.output


def test_user_add_rejects_unknown_region_and_role(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["user", "add", "x", "--role", "customer_manager", "--team", "T", "--region", "mars",
                               "--password", "p"]).exit_code != 0
    assert runner.invoke(args=["user", "add", "x", "--role", "boss", "--team", "T", "--region", "changzhou",
                               "--password", "p"]).exit_code != 0


def test_demo_loads_once_and_its_users_log_in(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert "cm1-demo" in first.output and first.output.count("created") == len(TICKETS)
    assert "created" not in second.output and "synthetic grid" not in second.output
    token = client.post("/api/auth/token", json={"username": "cm1", "password": password_for("cm1"),
                                                 "device_id": "pda-demo"}).json["token"]
    items = client.get("/api/tickets", headers={"Authorization": f"Bearer {token}"}).json["items"]
    assert {t["stage"] for t in items} >= {"accepted", "scheme_reply", "cancelled"}
    schemes = {t["id"]: t["scheme"] for t in items if t["scheme"]}
    assert schemes["T-DEMO-0001"]["signed_at"] and schemes["T-DEMO-0005"]["decision"] == "manual"
