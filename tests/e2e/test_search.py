"""Searching the finding list as a clerk types: サーバー finds サーバ, ＵＳＢ finds an entry's USB."""

from __future__ import annotations

import datetime

from playwright.sync_api import Page, expect

from audits.models import User
from findings.models import Finding
from remediation.models import RemediationStatus
from remediation.services import record_entry
from tests.e2e.conftest import sign_in
from tests.e2e.test_journeys import demo, shoot  # noqa: F401 - the demo fixture

SERVER_ROOM = "サーバ室内の整理整頓について"


def test_keyword_search_finds_long_vowel_and_full_width_variants(page: Page, demo, shots):  # noqa: F811
    auditor = User.objects.get(username="kansa")
    csirt = Finding.objects.get(title="CSIRTの体制強化について")
    assert "USB" not in csirt.title + csirt.body
    record_entry(
        csirt,
        status=RemediationStatus.objects.get(code="kentou"),
        entry_date=datetime.date(2021, 9, 30),
        content="USBメモリの持出し手順をCSIRTの訓練に加えた。",
        user=auditor,
    )
    sign_in(page, demo.url, "kansa", "kansa-demo-2026")
    page.goto(f"{demo.url}/findings/")
    search = page.get_by_label("キーワード")

    search.fill("サーバー")
    page.get_by_role("button", name="絞り込む").click()
    results = page.get_by_role("region", name="指摘事項一覧")
    expect(results.get_by_role("link", name=SERVER_ROOM)).to_be_visible()
    expect(results.locator("mark").first).to_have_text("サーバ")
    shoot(page, shots, "01_server")

    search.fill("ＵＳＢ")
    page.get_by_role("button", name="絞り込む").click()
    expect(results.get_by_role("link", name="CSIRTの体制強化について")).to_be_visible()
    expect(results.get_by_role("link", name=SERVER_ROOM)).to_have_count(0)
    shoot(page, shots, "02_usb_in_entry")
