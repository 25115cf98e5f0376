"""A large report download in the browser: the PDF goes to the task queue, the user
watches its progress, the worker makes it, and it is fetched from ダウンロード一覧.
The threshold is lowered to two findings so the journey stays fast."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in


@pytest.fixture
def two_findings(e2e_db, make_finding, settings):
    settings.EXPORT_IN_BACKGROUND_FROM = {"pdf": 2, "xlsx": 2, "table": 2, "csv": 2}
    return [make_finding(), make_finding(label="②", title="鍵の管理について")]


def test_a_large_pdf_is_made_in_the_background_and_downloaded_from_my_downloads(
    page: Page, e2e_db, manager, two_findings, shots
):
    sign_in(page, e2e_db.url, manager.username, PASSWORD)
    page.goto(f"{e2e_db.url}/reports/?audit={two_findings[0].audit_id}")
    expect(page.get_by_text("バックグラウンドで作成します")).to_be_visible()
    page.get_by_role("link", name="PDFでダウンロード").click()

    expect(page.get_by_role("heading", name="ファイルの作成（PDF）")).to_be_visible()
    bar = page.get_by_role("progressbar", name="作成の進み具合")
    expect(bar).to_be_visible()
    expect(page.get_by_text("待機中")).to_be_visible()
    expect(page.get_by_text("0 / 2 件")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="令和2年度 行政監査「")).to_be_visible()
    page.screenshot(path=shots / "01_waiting.png", full_page=True)

    # The worker, once: what `make run`'s db_worker does in the background.
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    # The page polls every 2 s and shows the result without a reload.
    expect(page.get_by_text("2 / 2 件")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("完了")).to_be_visible()
    page.screenshot(path=shots / "02_done.png", full_page=True)

    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="ダウンロード一覧"
    ).click()
    expect(page.get_by_role("heading", name="ダウンロード一覧", level=1)).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^措置状況_.*\.pdf$")).click()
    download = download_info.value
    assert download.suggested_filename == "措置状況_令和2年度_行政監査.pdf"
    assert download.path().read_bytes().startswith(b"%PDF-")
