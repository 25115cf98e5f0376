"""Issue 13's acceptance check: in a real browser, a 1,000-finding PDF asked for on the
report page shows its progress while the worker makes it (a value between none and
all, not only the two ends) and is then downloaded from ダウンロード一覧."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from findings.models import Finding
from findings.search import refresh_search_text
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

FINDINGS = 1000
BODY = (
    "サーバ室内には、サーバが設置されているほかに、作業を行うための職員がいたり、印刷機や"
    "多数の不用となったパソコン、空きダンボール箱などが置かれていたりして、精密機器と人と物が"
    "混在し、雑然とした状況であった。不用なものは廃棄し、整理整頓を行うこと。"
)

# Records every value the progress bar shows: htmx swaps the bar in every 2 s while the
# worker runs in this thread, so the values are read back once it is done.
WATCH_PROGRESS = """() => {
  window.seenProgress = [];
  const read = () => {
    const bar = document.querySelector("progress");
    if (bar) window.seenProgress.push(Number(bar.getAttribute("value")));
  };
  new MutationObserver(read).observe(document.body, {subtree: true, childList: true});
  read();
}"""


@pytest.fixture
def thousand_findings(e2e_db, audit, section, viewpoint, kinds, ict, auditor):
    """1,000 findings in one audit, inserted in bulk (the services would take minutes)."""
    created = Finding.objects.bulk_create(
        [
            Finding(
                audit=audit,
                kind=kinds["shiteki"],
                section=section,
                viewpoint=viewpoint,
                label="①",
                sort_order=i,
                title=f"整理整頓について（{i + 1}）",
                body=BODY,
                created_by=auditor,
            )
            for i in range(FINDINGS)
        ],
        batch_size=500,
    )
    Finding.departments.through.objects.bulk_create(
        [Finding.departments.through(finding_id=f.pk, department_id=ict.pk) for f in created],
        batch_size=500,
    )
    refresh_search_text(f.pk for f in created)
    return audit


def test_a_thousand_finding_pdf_shows_its_progress_and_is_downloaded_from_my_downloads(
    page: Page, e2e_db, manager, thousand_findings, shots
):
    sign_in(page, e2e_db.url, manager.username, PASSWORD)
    page.goto(f"{e2e_db.url}/reports/?audit={thousand_findings.pk}")
    expect(page.get_by_text(f"{FINDINGS} 件", exact=True)).to_be_visible()
    expect(page.get_by_text("バックグラウンドで作成します")).to_be_visible()
    page.get_by_role("link", name="PDFでダウンロード").click()

    expect(page.get_by_role("heading", name="ファイルの作成（PDF）", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="パンくずリスト")).to_be_visible()
    expect(page.get_by_text(f"0 / {FINDINGS} 件")).to_be_visible()
    page.screenshot(path=shots / "01_waiting.png", full_page=True)
    page.evaluate(WATCH_PROGRESS)

    # The worker, once, in this thread: what `make run`'s db_worker does.
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    expect(page.get_by_text(f"{FINDINGS} / {FINDINGS} 件")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("完了")).to_be_visible()
    seen = page.evaluate("window.seenProgress")
    assert any(0 < value < FINDINGS for value in seen), seen
    assert seen == sorted(seen), "the bar never goes back"
    page.screenshot(path=shots / "02_done.png", full_page=True)

    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="ダウンロード一覧"
    ).click()
    expect(page.get_by_role("heading", name="ダウンロード一覧", level=1)).to_be_visible()
    page.screenshot(path=shots / "03_my_downloads.png", full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^措置状況_.*\.pdf$")).click()
    content = download_info.value.path().read_bytes()
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    pages = len(reader.pages)
    assert pages >= FINDINGS // 10  # about six findings a page
    last = "".join(reader.pages[-1].extract_text().split())
    before = "".join(reader.pages[-2].extract_text().split())
    assert f"（{FINDINGS}）" in before + last  # the last finding is printed
    assert f"{pages}/{pages}" in last  # numbered across the whole document
