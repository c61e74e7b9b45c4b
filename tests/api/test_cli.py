"""Command-line tasks: init-db, user add, demo."""
from server import create_app
from server.db import close_pool, get_db, migrate
from server.demo import TEAM, TICKETS, password_for
from tests.conftest import sqlite_only
from tests.factories import make_ticket


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


@sqlite_only("the source of the move is a SQLite installation")
def test_migrate_to_postgres_moves_a_city_with_its_history(app, pg_cluster):
    """Demo data (tickets at every stage, a signed scheme with its reservation, a grid with tiles, the
    change log) moves over, verified; the PostgreSQL installation then serves it and carries on."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    url = pg_cluster.create_database("moved_city")
    moved = runner.invoke(args=["migrate-to-postgres", url])
    assert moved.exit_code == 0, moved.output
    assert "verified" in moved.output and "tickets: " in moved.output and "yekuo@" in moved.output
    again = runner.invoke(args=["migrate-to-postgres", url])
    assert again.exit_code == 1 and "already holds data" in again.output
    before = pulled(app.test_client())
    on_postgres = create_app({"TESTING": True, "DATA_DIR": app.config["DATA_DIR"], "DATABASE": url})
    client = on_postgres.test_client()
    assert pulled(client) == before                            # the same changes, the same cursors
    token = login_token(client)
    ticket = make_ticket(id="T-AFTER-MOVE", team=TEAM)
    assert client.post("/api/tickets", json=ticket, headers={"Authorization": f"Bearer {token}"}).status_code == 201
    newest = max(change["change_seq"] for change in pulled(client)["changes"])
    assert newest > max(change["change_seq"] for change in before["changes"])   # the sequence carried on
    close_pool()


def test_migrate_to_postgres_wants_a_postgres_url(app):
    result = app.test_cli_runner().invoke(args=["migrate-to-postgres", "/tmp/other.sqlite"])
    assert result.exit_code == 2 and "postgresql://" in result.output


def login_token(client) -> str:
    return client.post("/api/auth/token", json={"username": "cm1", "password": password_for("cm1"),
                                                "device_id": "pda-move"}).json["token"]


def pulled(client) -> dict:
    response = client.get("/sync/pull?since=0&limit=1000", headers={"Authorization": f"Bearer {login_token(client)}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json
