"""The field app in Debian's chromium with a team's worth of data (issue 15): how long the first sync
takes, how fast the work list opens with 10,000 tickets in IndexedDB, and how long a scheme takes to
build on the tablet from the city's grid tiles. Read from the app's own User Timing marks
(``worklist-shown``, ``scheme-build``), on a server prepared by ``benchmarks/sync.py``."""
import statistics
import time

from playwright.sync_api import Error as PlaywrightError, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
TABLET = {"width": 1280, "height": 800}
TICKET_IDS = """() => new Promise((resolve, reject) => {
    const open = indexedDB.open('yekuo-field');
    open.onerror = reject;
    open.onsuccess = () => {
        const keys = open.result.transaction('records').objectStore('records').index('entity').getAllKeys('ticket');
        keys.onsuccess = () => resolve(keys.result.map((key) => key[1]));
    };
})"""


def until(page, expression, timeout_s=60.0):
    """Poll ``expression`` with page.evaluate (the app's CSP forbids the eval wait_for_function polls with)."""
    deadline = time.monotonic() + timeout_s
    while not holds(page, expression):
        if time.monotonic() > deadline:
            raise TimeoutError(expression)
        time.sleep(0.02)


def holds(page, expression) -> bool:
    try:
        return bool(page.evaluate(expression))
    except PlaywrightError as exc:           # the page navigated meanwhile (a reload): ask again
        if "Execution context was destroyed" not in str(exc):
            raise
        return False


def measure(server, username, password, schemes=20) -> dict:
    """{first_sync_s, tickets, list_ms (median of reloads), grid_ms (reading the held tiles and projecting
    them, once after start), scheme_first_ms (the first build after start), scheme_p50_ms and
    scheme_p95_ms (the builds after it)}."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport=TABLET)
            page = context.new_page()
            page.goto(server.url("/app/"))
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", password)
            start = time.perf_counter()
            page.click("#login button[type=submit]")
            page.wait_for_selector("#sync-state.idle", timeout=600_000)     # idle only after a whole run
            first_sync_s = time.perf_counter() - start
            ids = page.evaluate(TICKET_IDS)
            list_ms = []
            for _ in range(5):
                page.reload()
                until(page, "performance.getEntriesByName('worklist-shown').length > 0")
                list_ms.append(page.evaluate("performance.getEntriesByName('worklist-shown')[0].startTime"))
            context.set_offline(True)               # built on the tablet, nothing sent meanwhile
            page.reload()                           # the first scheme right after start: grid not warm yet
            for n, ticket_id in enumerate(ids[:schemes]):
                page.evaluate(f"location.hash = '#/ticket/{ticket_id}'")
                expect(page.locator("#ticket .meta")).to_contain_text(ticket_id)
                page.click("#do-propose_scheme")
                until(page, f"performance.getEntriesByName('scheme-build').length > {n}")
            build_ms = page.evaluate("performance.getEntriesByName('scheme-build').map((e) => e.duration)")
            grid_ms = page.evaluate("performance.getEntriesByName('grid-build').map((e) => e.duration)")
        finally:
            browser.close()
    warm = sorted(build_ms[1:])
    return {"first_sync_s": first_sync_s, "tickets": len(ids), "list_ms": statistics.median(list_ms),
            "scheme_first_ms": build_ms[0], "grid_ms": grid_ms[0] if grid_ms else None,
            "scheme_p50_ms": statistics.median(warm),
            "scheme_p95_ms": warm[int(0.95 * (len(warm) - 1))]}
