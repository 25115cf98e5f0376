"""The audit report (監査報告書 / 概要版) in the browser: a manager opens seed 001's report
from the audit page, reads it, and downloads the PDF."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from audits.demo import load_demo
from tests.e2e.conftest import sign_in

# Rendering the whole report (WeasyPrint) may take longer than a page load.
DOWNLOAD_TIMEOUT_MS = 90_000


@pytest.fixture
def demo(e2e_db):
    load_demo()
    return e2e_db


def test_manager_reads_the_audit_report_and_downloads_its_pdf(page: Page, demo, shots):
    sign_in(page, demo.url, "kanri", "kanri-demo-2026")
    page.goto(f"{demo.url}/audits/")
    page.get_by_role("link", name=re.compile("監査対象とするシステムについて")).first.click()
    page.get_by_role("link", name="画面で確認").last.click()

    report = page.get_by_role("article", name="監査報告書")
    expect(
        report.get_by_role("heading", name="荒川区情報セキュリティ監査報告書(概要版)", level=1)
    ).to_be_visible()
    headings = [
        " ".join(t.split()) for t in report.get_by_role("heading", level=2).all_inner_texts()
    ]
    assert headings == [
        "1 監査目的", "2 監査テーマ", "3 監査範囲", "4 監査方法", "5 監査実施日程",
        "6 監査実施体制", "7 監査項目", "8 適用基準等", "9 監査結果",
    ]  # fmt: skip
    expect(report.get_by_role("heading", name="(3) 改善を求める点", level=3)).to_be_visible()
    # The 課 cell spans its systems: 税務課 once for 税務システム and 税滞納整理支援システム.
    expect(report.locator(".summary-table--scope td", has_text="税務課")).to_have_count(1)
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    page.screenshot(path=shots / "01_audit_report.png", full_page=True)

    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as download_info:
        page.get_by_role("link", name="PDFでダウンロード").click()
    download = download_info.value
    assert download.suggested_filename == "監査報告書_平成28年度_情報セキュリティ監査.pdf"
    pdf = download.path().read_bytes()
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert "9監査結果" in text and "(3)改善を求める点" in text
