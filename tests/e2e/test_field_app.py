"""The field app at /app/ in Debian's chromium (Playwright): a customer manager's day, offline.

Log in with network, lose it, reload the app from its service worker, take an application, close the
tab, build the scheme on the tablet, choose an option and have the customer sign, all offline; come
back online, sync, and open the signed reply PDF on the device: the server's scheme has the hash the
tablet showed, the back office sees the ticket, the PDF's signature validates, and a second device's
edit of the same field shows as a conflict on both sides.
Screenshots of each step, at tablet and phone size, go to test-output/field_app/.
"""
import base64
import hashlib
import io
import json
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from pypdf import PdfReader

from benchmarks.field_app import until
from sync.client import Client
from tests.factories import CENTRE, PASSWORD, make_grid, transformer

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "field_app"
TABLET, PHONE = {"width": 1280, "height": 800}, {"width": 412, "height": 915}
PHOTO = bytes(range(256)) * 1200          # 300 KiB: more than one upload chunk
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


# The signed reply as the device keeps it for offline reading (IndexedDB store "blobs").
KEPT_PDF = """() => new Promise((resolve, reject) => {
    const open = indexedDB.open('yekuo-field');
    open.onerror = reject;
    open.onsuccess = () => {
        const all = open.result.transaction('blobs').objectStore('blobs').getAll();
        all.onsuccess = () => {
            const pdf = all.result.find((row) => row.media_type === 'application/pdf');
            let text = ''; for (const b of pdf.bytes) text += String.fromCharCode(b);
            resolve(btoa(text));
        };
    };
})"""


META = """(key) => new Promise((resolve, reject) => {
    const open = indexedDB.open('yekuo-field');
    open.onerror = reject;
    open.onsuccess = () => {
        const get = open.result.transaction('meta').objectStore('meta').get(key);
        get.onsuccess = () => resolve(get.result);
    };
})"""


def back_office(browser, server):
    """A console page logged in as the Changzhou back office (the log-in page checked as it came: a
    once-seen 30 s wait for its form said nothing of what the server had answered)."""
    console = browser.new_page(viewport=TABLET)
    response = console.goto(server.url("/login"))
    page = console.content()
    assert response is not None and response.ok and 'name="username"' in page, (response and response.status, page[:800])
    console.fill("input[name=username]", "bo_cz")
    console.fill("input[name=password]", PASSWORD)
    console.click("button[type=submit]")
    return console


class Device:
    """One browser context: a tablet with its own IndexedDB, service worker and GPS fix."""

    def __init__(self, browser, server, viewport, label):
        self.server, self.label, self.step = server, label, 0
        self.context = browser.new_context(viewport=viewport, geolocation={"longitude": CENTRE[0], "latitude": CENTRE[1]},
                                           permissions=["geolocation"], locale="zh-CN", timezone_id="Asia/Shanghai")
        self.page = self.context.new_page()

    def shot(self, name):
        self.step += 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        bar = "document.querySelector('.bar')"          # sticky on the device; in a full-page shot, at the top
        self.page.evaluate(f"{bar} && ({bar}.style.position = 'static')")
        self.page.screenshot(path=SHOTS / f"{self.label}-{self.step:02d}-{name}.png", full_page=True)
        self.page.evaluate(f"{bar} && ({bar}.style.position = '')")

    def open_app(self, username="cm_a"):
        self.page.goto(self.server.url("/app/"))
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.shot("login")
        self.page.click("#login button[type=submit]")
        expect(self.page.locator("#sync-state")).to_contain_text("已同步", timeout=20000)
        until(self.page, "navigator.serviceWorker.controller !== null")

    def offline(self, flag=True):
        self.context.set_offline(flag)

    def synced(self):
        expect(self.page.locator("#pending-count")).to_have_count(0, timeout=20000)
        expect(self.page.locator("#sync-state")).to_contain_text("已同步", timeout=20000)

    def take_application(self, name, photo=None):
        page = self.page
        page.click("#new-ticket")
        page.select_option("select[name=business_type]", "lv_nonresident_new")
        page.fill("input[name=capacity]", "50")
        page.fill("input[name=name]", name)
        page.fill("input[name=phone]", "13900000001")
        page.fill("input[name=address]", "常州市天宁区现场路 8 号")
        page.click("#locate")
        expect(page.locator("input[name=lon]")).not_to_have_value("")
        if photo:
            page.set_input_files("#documents input[type=file]", files=[
                {"name": "licence.jpg", "mimeType": "image/jpeg", "buffer": photo}])
            expect(page.locator("#documents")).to_contain_text("已拍照")
        self.shot("application")
        page.click("#submit-ticket")
        expect(page.locator("#ticket h1")).to_contain_text(name)
        return page.url.rsplit("/", 1)[-1]

    def sign(self):
        page = self.page
        page.click("#sign")
        box = page.locator("#signature").bounding_box()
        page.mouse.move(box["x"] + 40, box["y"] + 60)
        page.mouse.down()
        for i in range(1, 30):
            page.mouse.move(box["x"] + 40 + i * (box["width"] - 80) / 30, box["y"] + 60 + (i % 2) * 80, steps=2)
        page.mouse.up()
        self.shot("signature")
        page.click("#confirm-signature")
        expect(page.locator("#signed-pending")).to_be_visible()


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def grid(server):
    backoffice = server.session("bo_cz")
    body = make_grid(transformer("TX-APP-1", 0, 60, rating_kva=630, peak_kva=200))
    assert backoffice.post(server.url("/api/grid/imports"), data=json.dumps(body),
                           headers={"Content-Type": "application/geo+json"}).status_code == 201


@pytest.mark.parametrize("size", ["tablet", "phone"])
def test_a_day_on_site_offline_then_synced(browser, server, grid, size):
    device = Device(browser, server, {"tablet": TABLET, "phone": PHONE}[size], size)
    page = device.page
    device.open_app()
    device.shot("worklist")

    device.offline()
    page.reload()                                     # the shell comes from the service worker
    expect(page.locator(".count")).to_be_visible()
    expect(page.locator("#sync-state")).to_contain_text("离线")
    ticket_id = device.take_application("常州现场测试五金厂", photo=PHOTO)
    expect(page.locator("#pending")).to_contain_text("新建工单")
    device.shot("created-offline")

    page.close()                                      # a closed tab loses nothing
    device.page = page = device.context.new_page()
    page.goto(server.url("/app/"))
    expect(page.locator("#tickets")).to_contain_text("常州现场测试五金厂")
    expect(page.locator("#pending-count")).to_have_text("1")

    page.click("text=常州现场测试五金厂")             # still offline: the scheme is built on the tablet
    page.click("#do-propose_scheme")
    expect(page.locator("#scheme-on-device")).to_be_visible()
    expect(page.locator("#option-1")).to_contain_text("TX-APP-1")
    page.click("#explanation summary")                 # every number with its clause, in Chinese
    expect(page.locator("#explanation")).to_contain_text("低压接入容量上限（千瓦）")
    expect(page.locator("#explanation")).to_contain_text("常供电办〔2019〕53号")   # the documents, as on the reply,
    expect(page.locator("#explanation")).not_to_contain_text("docs/")           # never the project's own files
    device.shot("scheme-built-offline")
    page.click("#choose-1")
    expect(page.locator("#option-1")).to_contain_text("已选")
    device.sign()
    device.shot("signed-offline")
    shown_hash = page.evaluate(META, f"scheme:{ticket_id}")["scheme"]["scheme_hash"]   # built on the tablet

    device.offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    device.synced()
    expect(page.locator("#signed")).to_be_visible(timeout=20000)
    record = server.session("cm_a").get(server.url(f"/api/tickets/{ticket_id}")).json()
    assert record["customer"]["name"] == "常州现场测试五金厂" and record["capacity_kw"] == 50
    assert record["scheme"]["scheme_hash"] == shown_hash and record["scheme"]["signed_at"]
    photo_ref = record["documents"][0]["blob"]          # the photo went up before the op naming it
    assert photo_ref == "sha256:" + hashlib.sha256(PHOTO).hexdigest()
    assert server.session("cm_a").get(server.url(f"/sync/blobs/{photo_ref[7:]}")).content == PHOTO
    page.click("#get-pdf")
    expect(page.locator("#open-pdf")).to_be_visible()
    device.shot("signed-reply")

    pdf = base64.b64decode(page.evaluate(KEPT_PDF))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")
    assert ticket_id in text and "常州现场测试五金厂" in text
    verdict = server.session("bo_cz").post(server.url("/api/pdf/verify"), data=pdf,
                                           headers={"Content-Type": "application/pdf"}).json()
    assert verdict["valid"] and verdict["ticket_id"] == ticket_id

    console = back_office(browser, server)
    console.goto(server.url(f"/tickets/{ticket_id}"))
    expect(console.locator("h1")).to_contain_text(ticket_id)
    link = console.locator("text=签署的方案 PDF")                       # the back office opens the same reply
    reply = console.context.request.get(server.url(link.get_attribute("href")))
    assert reply.ok and reply.body() == pdf
    console.screenshot(path=SHOTS / "tablet-console-ticket.png", full_page=True)


def test_a_second_device_edits_the_same_field_and_the_conflict_shows_on_both_sides(browser, server, grid, tmp_path):
    device = Device(browser, server, TABLET, "conflict")
    page = device.page
    device.open_app()
    ticket_id = device.take_application("冲突测试商店")
    device.synced()

    other = Client(server.url(""), tmp_path / "other.sqlite", "pda-other", base_delay=0.01)
    other.login("cm_a2", PASSWORD)
    other.sync()

    device.offline()
    page.click("#edit-contact")
    page.fill("input[name='customer.phone']", "13911112222")
    page.click("#save-contact")
    other.update_ticket(ticket_id, {"customer.phone": "13733334444"})
    other.sync()
    device.offline(False)
    page.click("#sync-now")
    device.synced()
    expect(page.locator("#conflict")).to_be_visible(timeout=20000)
    page.click("#sync-state")
    expect(page.locator("#problems")).to_contain_text("有冲突")
    device.shot("conflict-on-device")

    console = back_office(browser, server)
    console.goto(server.url("/conflicts"))
    expect(console.locator("#conflicts")).to_contain_text(ticket_id)
    expect(console.locator("#conflicts")).to_contain_text("13911112222")
    console.screenshot(path=SHOTS / "conflict-console.png", full_page=True)

    expect(page.locator("#conflicts")).to_contain_text("13911112222")      # or resolved on the device
    page.click("#conflicts button[id^=keep-device]")
    expect(page.locator("#conflicts")).not_to_contain_text("13911112222")
    record = server.session("cm_a").get(server.url(f"/api/tickets/{ticket_id}")).json()
    assert record["customer"]["phone"] == "13911112222" and not record["has_conflict"]


def test_a_half_typed_application_survives_a_closed_tab_at_phone_size(browser, server, grid):
    device = Device(browser, server, PHONE, "draft")
    page = device.page
    device.open_app()
    page.click("#new-ticket")
    page.select_option("select[name=business_type]", "lv_resident_new")
    page.fill("input[name=name]", "半途关闭测试户")
    page.fill("input[name=phone]", "13700000000")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways at phone size ({width} px)"
    page.close()
    device.page = page = device.context.new_page()
    page.goto(server.url("/app/#/new"))
    expect(page.locator("input[name=name]")).to_have_value("半途关闭测试户")
    expect(page.locator("input[name=phone]")).to_have_value("13700000000")
    expect(page.locator("select[name=business_type]")).to_have_value("lv_resident_new")
    device.shot("draft-restored")


def test_a_revoked_device_asks_for_log_in_and_keeps_its_queue(browser, server, grid):
    device = Device(browser, server, TABLET, "revoked")
    page = device.page
    device.open_app()
    device_id = page.evaluate(META, "device_id")
    device.offline()
    ticket_id = device.take_application("停用设备测试户")
    backoffice = server.session("bo_cz")
    assert backoffice.delete(server.url(f"/api/devices/{device_id}")).status_code == 200
    device.offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")          # the network is back: sync runs
    expect(page.locator(".login .warning")).to_contain_text("登录已失效")
    device.shot("signed-out")
    assert server.session("cm_a").get(server.url(f"/api/tickets/{ticket_id}")).status_code == 404
    page.fill("input[name=password]", PASSWORD)
    page.click("#login button[type=submit]")
    device.synced()
    assert server.session("cm_a").get(server.url(f"/api/tickets/{ticket_id}")).json()["customer"]["name"] == "停用设备测试户"


@pytest.fixture
def own_build(tmp_path, template_db, monkeypatch, request):
    """A server serving a copy of the field app's build, so a test can publish a new version."""
    import shutil
    from tests.e2e.conftest import installed_server
    build = tmp_path / "dist"
    shutil.copytree(Path(__file__).resolve().parents[2] / "field_app" / "dist", build)
    monkeypatch.setenv("YEKUO_FIELD_APP_DIR", str(build))
    with installed_server(tmp_path / "server", template_db, request) as running:
        yield running, build


def test_a_new_version_waits_for_the_user_then_replaces_the_old(browser, own_build):
    server, build = own_build
    device = Device(browser, server, TABLET, "update")
    page = device.page
    device.open_app()
    worker = build / "sw.js"
    text = worker.read_text(encoding="utf-8")
    version = text.split("const VERSION = '")[1].split("'")[0]
    worker.write_text(text.replace(version, "0123456789ab"), encoding="utf-8")
    page.reload()
    expect(page.locator("#update")).to_be_visible(timeout=20000)      # installed, waiting for the user
    assert f"yekuo-field-{version}" in page.evaluate("caches.keys()")     # the old version still serves
    device.shot("update-offered")
    page.click("#update")
    until(page, "caches.keys().then((k) => k.length === 1 && k[0] === 'yekuo-field-0123456789ab')")
    expect(page.locator("#update")).to_be_hidden()
    expect(page.locator(".count")).to_be_visible()
