"""The console through the Flask client: log-in, CSRF, scope by URL, queues, dashboard, customer links."""
import csv
import io
import json
import re
import time
from datetime import datetime, timedelta, timezone

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

import server.tickets
from tests.api.test_schemes import grid, new_ticket, propose  # noqa: F401 - fixtures and helpers
from tests.conftest import migrate_again_from
from tests.factories import PASSWORD, RECEIVED, make_ticket, strokes

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A Flask test client that logs in through the form and sends each form's CSRF token."""

    def __init__(self, app):
        self.client = app.test_client()

    def token(self, path):
        return TOKEN.search(self.client.get(path).get_data(as_text=True)).group(1)

    def login(self, username, password=PASSWORD):
        return self.client.post("/login", data={"username": username, "password": password,
                                                "csrf_token": self.token("/login")})

    def get(self, path):
        return self.client.get(path)

    def post(self, path, form_page, **data):
        return self.client.post(path, data={**data, "csrf_token": self.token(form_page)})


@pytest.fixture
def browser(app):
    return Browser(app)


def text(response):
    return response.get_data(as_text=True)


def test_pages_need_a_log_in_and_the_right_role(browser):
    assert browser.get("/").status_code == 302 and "/login" in browser.get("/").headers["Location"]
    assert browser.login("cm_a", "wrong").status_code == 401
    assert browser.login("cm_a").status_code == 302
    assert browser.get("/").status_code == 200
    assert browser.get("/cosign").status_code == 403 and "后台" in text(browser.get("/cosign"))


def test_a_form_without_or_with_a_wrong_csrf_token_is_400(browser):
    assert browser.client.post("/login", data={"username": "cm_a", "password": PASSWORD}).status_code == 400
    response = browser.client.post("/login", data={"username": "cm_a", "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400 and "CSRF" in text(response)


def test_the_session_cookie_is_http_only_and_same_site(browser):
    response = browser.login("cm_a")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_manager_of_team_a_cannot_open_team_bs_ticket_by_url(browser, api):
    other = make_ticket()
    api.post("/api/tickets", "cm_b", json=other)
    browser.login("cm_a")
    assert browser.get(f"/tickets/{other['id']}").status_code == 404
    assert other["id"] not in text(browser.get("/"))
    mine = make_ticket()
    api.post("/api/tickets", "cm_a", json=mine)
    page = browser.get(f"/tickets/{mine['id']}")
    assert page.status_code == 200 and mine["id"] in text(page)


def test_inbox_filters_and_pages(browser, api):
    ids = []
    for _ in range(27):
        body = make_ticket()
        api.post("/api/tickets", "cm_a", json=body)
        ids.append(body["id"])
    hv = make_ticket(business_type="hv_new", capacity_kw=None, capacity_kva=630, documents=RECEIVED)
    api.post("/api/tickets", "cm_a", json=hv)
    api.command(hv["id"], "cm_a", "complete_acceptance")
    browser.login("bo_cz")
    first = text(browser.get("/"))
    assert "第 1 / 2 页" in first
    filtered = text(browser.get("/?stage=scheme_reply"))
    assert hv["id"] in filtered and ids[0] not in filtered
    assert hv["id"] not in text(browser.get("/?has_conflict=1"))


def test_cosign_from_the_queue(browser, api, grid):  # noqa: F811
    ticket_id = new_ticket(api, "cm_sh", region="shanghai", business_type="hv_new", capacity_kw=None,
                           capacity_kva=1250)
    scheme = propose(api, ticket_id, "cm_sh")
    api.command(ticket_id, "cm_sh", "choose_option", rank=1, scheme_hash=scheme["scheme_hash"])
    browser.login("bo_sh")
    assert ticket_id in text(browser.get("/cosign"))
    done = browser.post(f"/cosign/{ticket_id}", "/cosign", scheme_hash=scheme["scheme_hash"], comment="同意")
    assert done.status_code == 302
    assert "没有待会签的方案" in text(browser.get("/cosign"))
    assert api.get(f"/api/tickets/{ticket_id}", "cm_sh").json["scheme"]["cosigned_by"] == "bo_sh"
    stale = browser.post(f"/cosign/{ticket_id}", "/cosign", scheme_hash="sha256:" + "0" * 64)
    assert stale.status_code == 409


def test_customer_links_reach_their_own_ticket_only_and_expire(app, browser, api, grid):  # noqa: F811
    ticket_id = new_ticket(api)
    scheme = propose(api, ticket_id)
    api.command(ticket_id, "cm_a", "choose_option", rank=1, scheme_hash=scheme["scheme_hash"])
    api.command(ticket_id, "cm_a", "sign_scheme", scheme_hash=scheme["scheme_hash"], signer_name="张三",
                signature_blob=api.upload("cm_a", strokes()))
    assert api.command(ticket_id, "cm_a", "complete_acceptance").status_code == 200
    other = new_ticket(api)
    browser.login("cm_a")
    link = re.search(r'id="customer-link" href="([^"]+)"', text(browser.get(f"/tickets/{ticket_id}"))).group(1)
    path = link.split("localhost", 1)[-1]
    customer = Browser(app)
    page = customer.get(path)
    assert page.status_code == 200 and ticket_id in text(page) and other not in text(page)
    assert customer.get(path + "/scheme.pdf").data.startswith(b"%PDF")
    rated = customer.post(path + "/rate", path, stage="accepted", score="5", comment="很快")
    assert rated.status_code == 302 and "5 分" in text(customer.get(path))
    head, signature = path.rsplit(".", 1)           # the signature's first character carries six whole bits
    forged = f"{head}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"       # (its last one only padding)
    assert customer.get(forged).status_code == 404
    class MadeLastMonth(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 31 * 86400

    old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="customer-link", signer=MadeLastMonth)
    expired = customer.get("/customer/" + old.dumps(ticket_id))
    assert expired.status_code == 403 and "过期" in text(expired)
    fresh = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="customer-link")
    assert other in text(customer.get("/customer/" + fresh.dumps(other)))      # a link made for Y shows Y


def test_dashboard_and_csv(browser, api, grid):  # noqa: F811
    ticket_id = new_ticket(api)
    browser.login("bo_cz")
    page = text(browser.get("/dashboard"))
    assert "获得电力指标" in page and "非居民" in page and "<svg" in page
    csv_text = text(browser.get("/dashboard.csv?table=by_class"))
    assert csv_text.lstrip("\ufeff").startswith("customer_class,applications")
    assert browser.get("/dashboard.csv?table=nonsense").status_code == 404
    assert ticket_id


def applications_in(browser, month) -> int:
    rows = csv.DictReader(io.StringIO(text(browser.get(f"/dashboard.csv?table=summary&month={month}")).lstrip("\ufeff")))
    return int(next(row["value"] for row in rows if row["indicator"] == "申请数"))


def test_the_dashboards_month_counts_its_applications_also_after_migration_012(app, browser, api, monkeypatch):
    """A month is a range of the ``created_at`` column (December's ends at January); migration 012 fills
    the column from the records of tickets saved before it (checked by taking it away and migrating again)."""
    monkeypatch.setattr(server.tickets, "utcnow", lambda: datetime(2025, 12, 31, 23, 59, 59, tzinfo=timezone.utc))
    new_ticket(api)
    monkeypatch.setattr(server.tickets, "utcnow", lambda: datetime(2026, 1, 1, tzinfo=timezone.utc))
    new_ticket(api), new_ticket(api)
    browser.login("bo_cz")
    expected = {"2025-11": 0, "2025-12": 1, "2026-01": 2, "2026-02": 0}
    assert {month: applications_in(browser, month) for month in expected} == expected
    assert migrate_again_from(app, 12) >= 12
    assert {month: applications_in(browser, month) for month in expected} == expected


def test_grid_upload_shows_the_report(browser):
    browser.login("bo_cz")
    bad = b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"kind": "x"}}]}'
    response = browser.client.post("/grid", data={"csrf_token": browser.token("/grid"),
                                                  "file": (io.BytesIO(bad), "bad.geojson")},
                                   content_type="multipart/form-data")
    assert response.status_code == 200 and "未导入" in text(response) and "asset_id" in text(response)


def test_jobs_page_lists_every_job(browser):
    browser.login("bo_cz")
    page = text(browser.get("/jobs"))
    assert all(name in page for name in ("deadline_monitor", "deliver_notices", "purge_tombstones", "backup"))


def test_the_pool_lists_unassigned_tickets_and_a_manager_grabs_one(browser, api):
    ticket = make_ticket(manager=None)
    api.post("/api/tickets", "bo_cz", json={**ticket, "team": "A"})
    browser.login("cm_a2")
    page = text(browser.get("/pool"))
    assert ticket["id"] in page and "cm_a2 0 件" in page
    taken = browser.post(f"/pool/{ticket['id']}", "/pool")
    assert taken.status_code == 302 and api.get(f"/api/tickets/{ticket['id']}", "cm_a").json["manager"] == "cm_a2"
    assert "没有待分配的工单" in text(browser.get("/pool"))


def test_an_engineer_writes_a_manual_scheme_from_the_queue(browser, api, grid):  # noqa: F811
    ticket_id = new_ticket(api, business_type="hv_new", capacity_kw=None, capacity_kva=9000)
    propose(api, ticket_id)
    browser.login("bo_cz")
    assert ticket_id in text(browser.get("/manual"))
    incomplete = browser.post(f"/manual/{ticket_id}", "/manual", asset_id="SUB-9")
    assert incomplete.status_code == 422 and "请完整填写" in text(incomplete)
    written = browser.post(f"/manual/{ticket_id}", "/manual", asset_id="SUB-9", supply_voltage_kv="35", lon="119.95",
                           lat="31.78", route_length_m="2400", conductor="LGJ-240", cost_low="1800000",
                           cost_high="2600000", grid_works_days="60", connect_days="1",
                           works="35 kV 线路 2.4 km\n间隔一个", note="新建 35 kV 间隔")
    assert written.status_code == 302
    scheme = api.get(f"/api/tickets/{ticket_id}", "cm_a").json["scheme"]
    assert scheme["chosen_option"]["works"] == ["35 kV 线路 2.4 km", "间隔一个"]
    assert "没有待人工编制的方案" in text(browser.get("/manual"))


def test_grid_page_lists_open_capacity_net_of_signed_schemes(browser, api, grid):  # noqa: F811
    ticket_id = new_ticket(api, capacity_kw=90)
    scheme = propose(api, ticket_id)
    api.command(ticket_id, "cm_a", "choose_option", rank=1, scheme_hash=scheme["scheme_hash"])
    api.command(ticket_id, "cm_a", "sign_scheme", scheme_hash=scheme["scheme_hash"], signer_name="x",
                signature_blob=api.upload("cm_a", strokes()))
    browser.login("bo_cz")
    row = re.search(r"<tr><td>TX-1</td>(.*?)</tr>", text(browser.get("/grid")), re.S).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    assert cells[3] == "100.0" and cells[4] == str(round(0.8 * 630 - 200 - 100, 1))   # 90 kW / 0.9 = 100 kVA held


def test_dashboard_counts_a_connection_against_its_limit(browser, api, grid):  # noqa: F811
    ticket_id = new_ticket(api)
    scheme = propose(api, ticket_id)
    api.command(ticket_id, "cm_a", "choose_option", rank=1, scheme_hash=scheme["scheme_hash"])
    api.command(ticket_id, "cm_a", "sign_scheme", scheme_hash=scheme["scheme_hash"], signer_name="x",
                signature_blob=api.upload("cm_a", strokes()))
    for command in ("complete_acceptance", "complete_works", "connect"):
        assert api.command(ticket_id, "cm_a", command).status_code == 200
    browser.login("bo_cz")
    rows = list(csv.DictReader(io.StringIO(text(browser.get("/dashboard.csv?table=by_class")).lstrip("\ufeff"))))
    (row,) = rows
    assert row["customer_class"] == "非居民" and row["connected"] == "1" and row["on_time_share"] == "1.0"
    assert float(row["max_working_days"]) < float(row["limit_days"])
    summary = {r["indicator"]: r["value"] for r in csv.DictReader(io.StringIO(
        text(browser.get("/dashboard.csv?table=summary")).lstrip("\ufeff")))}
    assert summary["已签方案"] == "1" and summary["客户承担费用（元）"] == "0"


def test_the_grid_page_shows_load_and_generation_reserved_apart(browser, api):
    """Open capacity and load rate count the load reservations; beside them the generation installed, the
    generators' reservations and the back-feed room left (0.25 × 400 − 5 − 88.9)."""
    from tests.api.test_schemes import XIHUA, signed_on, xihua_ticket
    stated = json.loads(json.dumps(XIHUA))
    stated["features"][0]["properties"]["generation_kva"] = 5
    response = api.post("/api/grid/imports", "bo_xh", data=json.dumps(stated), content_type="application/json")
    assert response.status_code == 201, response.json
    assert signed_on(api, xihua_ticket(api, "distributed_generation", 80)) == ["TX-X"]
    assert signed_on(api, xihua_ticket(api, "lv_nonresident_new", 150)) == ["TX-X"]
    browser.login("bo_xh")
    row = re.search(r"<tr><td>TX-X</td>(.*?)</tr>", text(browser.get("/grid")), re.S).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    assert (cells[3], cells[4], cells[6], cells[7], cells[8]) == (
        "166.7", str(round(0.8 * 400 - 100 - 150 / 0.9, 1)), "5.0", "88.9", str(round(0.25 * 400 - 5 - 80 / 0.9, 1)))


def test_a_connection_after_its_deadline_is_late_whatever_the_offsets_say(browser, api, grid, monkeypatch):  # noqa: F811
    """The process deadline is written in China time (+08:00), the connection's time in UTC: compared as
    written, a connection up to eight hours late would sort before its deadline and count as on time."""
    ticket_id = new_ticket(api)
    scheme = propose(api, ticket_id)
    api.command(ticket_id, "cm_a", "choose_option", rank=1, scheme_hash=scheme["scheme_hash"])
    api.command(ticket_id, "cm_a", "sign_scheme", scheme_hash=scheme["scheme_hash"], signer_name="x",
                signature_blob=api.upload("cm_a", strokes()))
    for command in ("complete_acceptance", "complete_works"):
        assert api.command(ticket_id, "cm_a", command).status_code == 200
    due = api.get(f"/api/tickets/{ticket_id}", "cm_a").json["deadlines"]["process"]["due_at"]
    late = (datetime.fromisoformat(due) + timedelta(hours=1)).astimezone(timezone.utc)
    assert late.isoformat() < due                                 # the trap: as text, late sorts first
    monkeypatch.setattr(server.tickets, "utcnow", lambda: late)
    assert api.command(ticket_id, "cm_a", "connect").status_code == 200
    assert api.get(f"/api/tickets/{ticket_id}", "cm_a").json["deadlines"]["process"]["due_at"] == due
    browser.login("bo_cz")
    (row,) = csv.DictReader(io.StringIO(text(browser.get("/dashboard.csv?table=by_class")).lstrip("\ufeff")))
    assert row["connected"] == "1" and row["on_time_share"] == "0.0"


def test_the_ticket_page_draws_the_connection_sketch(browser, api, grid):  # noqa: F811
    ticket_id = new_ticket(api)
    propose(api, ticket_id)
    browser.login("cm_a")
    page = text(browser.get(f"/tickets/{ticket_id}"))
    svg = page.split('<svg id="sketch"', 1)[1].split("</svg>", 1)[0]
    assert "1. TX-1" in svg and "客户" in svg and " m</text>" in svg and "北" in svg


def test_console_log_ins_share_the_api_rate_limit(browser, client):
    for _ in range(10):
        assert browser.login("cm_a", "wrong").status_code == 401
    limited = browser.login("cm_a")
    assert limited.status_code == 429 and "try again later" in text(limited)
    api_login = client.post("/api/auth/token", json={"username": "cm_a", "password": PASSWORD, "device_id": "x"})
    assert api_login.status_code == 429


def test_the_policy_page_shows_each_rule_with_its_source_and_marks_assumed_ones(browser):
    browser.login("cm_sh")
    page = text(browser.get("/policies"))
    assert "shanghai-2020" in page and "「800 千伏安以上高压客户供电方案网上会签或集中会审」" in page
    assert page.count('class="assumed"') >= 2 and "假定" in page            # Changzhou's 8000 kVA, borrowed
    assert "常供电办" in text(browser.get("/policies?pack=changzhou-2020"))
    assert browser.get("/policies?pack=atlantis-1999").status_code == 404


def test_menus_follow_the_access_policy(browser):
    browser.login("cm_a")
    assert "网上会签" not in text(browser.get("/"))
    manager = Browser(browser.client.application)
    manager.login("bo_cz")
    assert "网上会签" in text(manager.get("/"))
