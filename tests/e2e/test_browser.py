"""The console in a real headless Chromium (Debian's package, driven by Playwright; no download).

Each test saves a screenshot under test-output/.
"""
import json
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from sync.client import Client
from tests.factories import CENTRE, PASSWORD, RECEIVED, feeder, make_grid, make_ticket

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-output"


@pytest.fixture
def page(server, request):
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        yield tab
        tab.screenshot(path=SHOTS / f"{request.node.name}.png", full_page=True)
        browser.close()


def log_in(page, server, username):
    page.goto(server.url("/login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def shanghai_scheme_awaiting_cosign(server) -> tuple[str, str]:
    backoffice, manager = server.session("bo_sh"), server.session("cm_sh")
    grid = make_grid(feeder("SH-F1", [(-3000, 400), (3000, 400)], region="shanghai"))
    assert backoffice.post(server.url("/api/grid/imports"), data=json.dumps(grid),
                           headers={"Content-Type": "application/geo+json"}).status_code == 201
    ticket = make_ticket(region="shanghai", business_type="hv_new", capacity_kw=None, capacity_kva=1250,
                         location={"lon": CENTRE[0], "lat": CENTRE[1]}, documents=RECEIVED)
    assert manager.post(server.url("/api/tickets"), json=ticket).status_code == 201
    url = server.url(f"/api/tickets/{ticket['id']}/commands")
    manager.post(url, json={"command": "complete_acceptance"})
    scheme = manager.post(url, json={"command": "propose_scheme"}).json()["scheme"]
    manager.post(url, json={"command": "choose_option", "args": {"rank": 1, "scheme_hash": scheme["scheme_hash"]}})
    return ticket["id"], scheme["scheme_hash"]


def test_log_in_filter_the_inbox_and_open_a_ticket(page, server):
    manager = server.session("cm_a")
    hv = make_ticket(business_type="hv_new", capacity_kw=None, capacity_kva=630, documents=RECEIVED)
    lv = make_ticket()
    for ticket in (hv, lv):
        assert manager.post(server.url("/api/tickets"), json=ticket).status_code == 201
    manager.post(server.url(f"/api/tickets/{hv['id']}/commands"), json={"command": "complete_acceptance"})
    log_in(page, server, "bo_cz")
    expect(page.locator("#tickets")).to_contain_text(lv["id"])
    page.select_option("select[name=stage]", "scheme_reply")
    page.click("#filter")
    expect(page.locator("#tickets")).to_contain_text(hv["id"])
    expect(page.locator("#tickets")).not_to_contain_text(lv["id"])
    page.click(f"text={hv['id']}")
    expect(page.locator("h1")).to_contain_text(hv["id"])
    expect(page.locator("#timeline")).to_contain_text("申请受理")


def test_co_sign_a_scheme(page, server):
    ticket_id, _hash = shanghai_scheme_awaiting_cosign(server)
    log_in(page, server, "bo_sh")
    page.click("text=网上会签")
    expect(page.locator("#cosign")).to_contain_text(ticket_id)
    page.fill("#cosign input[name=comment]", "同意接入")
    page.click("#cosign button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("已会签")
    record = server.session("cm_sh").get(server.url(f"/api/tickets/{ticket_id}")).json()
    assert record["scheme"]["cosigned_by"] == "bo_sh"


def test_resolve_a_conflict(page, server, tmp_path):
    device = Client(server.url(""), tmp_path / "pda.sqlite", "pda-browser", base_delay=0.05)
    device.login("cm_a", PASSWORD)
    ticket_id = device.create_ticket(make_ticket())
    device.sync()
    server.session("bo_cz").patch(server.url(f"/api/tickets/{ticket_id}"), json={"address": "后台地址"})
    device.update_ticket(ticket_id, {"address": "设备地址"})      # based on the old address: a collision
    device.sync()
    log_in(page, server, "bo_cz")
    page.click("text=同步冲突")
    expect(page.locator("#conflicts")).to_contain_text("设备地址")
    page.check("#conflicts input[value=device]")
    page.click("#conflicts button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("已解决")
    assert server.session("cm_a").get(server.url(f"/api/tickets/{ticket_id}")).json()["address"] == "设备地址"


def test_see_the_dashboard(page, server):
    server.session("cm_a").post(server.url("/api/tickets"), json=make_ticket())
    log_in(page, server, "bo_cz")
    page.click("text=指标")
    expect(page.locator("h1")).to_contain_text("获得电力指标")
    expect(page.locator("#by-class")).to_contain_text("非居民")
    expect(page.locator("#summary")).to_contain_text("申请数")
    assert page.locator("#chart rect").count() >= 2
