"""Real-browser tests: Playwright drives Debian's chromium against a live test server.

`playwright install` cannot download browsers on a closed network, so the system
chromium is used (make test installs it). Screenshots of each journey go to
test-results/e2e/<test name>/ so a person can look at them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (loading the demo, checking rows) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make test` (it installs Debian's chromium) "
            "or `apt-get install chromium`, or set CHROMIUM_PATH."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def e2e_db(django_db_serialized_rollback, live_server):
    """A live server whose database has the rows the migrations made (roles, statuses).

    A live-server test runs outside a transaction and the tables are flushed after it;
    serialized rollback should restore the migration data, but in a full run it did not
    for every test, so the reference data is ensured here too (idempotent)."""
    from audits.services import ensure_reference_data

    ensure_reference_data()
    return live_server


@pytest.fixture
def shots(request) -> Path:
    folder = RESULTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser, e2e_db) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="ja-JP", accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    # The app must never reach outside the machine: fail on any request that leaves it.
    outside: list[str] = []
    page.on(
        "request",
        lambda req: (
            outside.append(req.url)
            if not req.url.startswith((e2e_db.url, "data:", "blob:", "about:"))
            else None
        ),
    )
    # Nothing the Content-Security-Policy blocks: Chromium reports each refusal (an
    # inline script or style, a style injected by htmx) as a console error.
    blocked: list[str] = []
    page.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield page
    context.close()
    assert not outside, f"requests left the server: {outside}"
    assert not blocked, f"the CSP blocked: {blocked}"


def sign_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state("networkidle")
