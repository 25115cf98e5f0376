"""The audit office imports past 措置状況 in the browser: a file with a bad row shows
the error and imports nothing; the demo audit's report, downloaded in the import layout
and imported where that audit is not, previews every row as new, imports, and a second
upload of the same file finds everything already there.

Screenshots go to test-results/e2e/<test name>/ for a person to look at.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from audits.demo import load_demo
from audits.models import Audit, User
from imports.layout import report_workbook, write_workbook
from reports.builder import Selection, build_report
from reports.csv_export import rows
from tests.e2e.conftest import sign_in
from tests.e2e.test_journeys import shoot

THEME = "情報セキュリティの管理について"


@pytest.fixture
def demo(e2e_db):
    load_demo()
    return e2e_db


def test_auditor_imports_the_demo_audit(page: Page, demo, shots):
    audit = Audit.objects.get(fiscal_year=2020, theme=THEME)
    report = build_report(User.objects.get(username="kanri"), Selection(audit_id=audit.pk))
    good = shots / "sochi.xlsx"
    good.write_bytes(report_workbook(report))
    bad_rows = [list(r) for r in rows(report)]
    bad_rows[2][8] = "存在しない課"
    bad = shots / "sochi_bad.xlsx"
    bad.write_bytes(write_workbook(bad_rows))
    # The installation the file goes to has no such audit: the original steps aside.
    Audit.objects.filter(pk=audit.pk).update(theme="（移行元）")

    sign_in(page, demo.url, "kansa", "kansa-demo-2026")
    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="措置状況の取込み"
    ).click()
    page.get_by_label("措置状況のファイル（Excel）").set_input_files(bad)
    page.get_by_role("button", name="読み込んで確認する").click()
    alert = page.locator(".banner--error")
    expect(alert).to_contain_text("1行に誤りがあります")
    expect(alert).to_contain_text("4行目: 担当所属「存在しない課」が登録されていません。")
    expect(page.get_by_role("button", name="取り込む")).to_have_count(0)
    shoot(page, shots, "01-errors")

    page.get_by_label("措置状況のファイル（Excel）").set_input_files(good)
    page.get_by_role("button", name="読み込んで確認する").click()
    count = len(bad_rows)
    expect(page.get_by_role("heading", name=f"取り込む {count}行")).to_be_visible()
    assert not Audit.objects.filter(theme=THEME).exists()
    shoot(page, shots, "02-preview")
    page.get_by_role("button", name=f"取り込む（{count}行）").click()
    expect(page.locator(".banner")).to_contain_text("取り込みました: 監査 1件")
    assert Audit.objects.filter(theme=THEME).count() == 1
    shoot(page, shots, "03-imported")

    page.get_by_label("措置状況のファイル（Excel）").set_input_files(good)
    page.get_by_role("button", name="読み込んで確認する").click()
    expect(page.get_by_text("すべての行が登録済みです。")).to_be_visible()
    assert Audit.objects.filter(theme=THEME).count() == 1
