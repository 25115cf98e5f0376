"""The follow-up cycle in a real browser (issue: reporting rounds and review).

An auditor opens a round with a deadline; ICT戦略課 staff submit two entries through the
confirmation step and abandon a third there; the auditor accepts one and returns the
other with a reason; the staff see the reason and submit again; the official (published)
PDF shows only the accepted entry, the working version every submitted one."""

from __future__ import annotations

import io
import re

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from audits.models import Audit
from findings.models import Finding
from remediation.models import RemediationEntry
from tests.e2e.conftest import sign_in
from tests.e2e.test_journeys import demo, shoot  # noqa: F401  (the demo fixture)

ACCEPTED = "CSIRT要員の追加任命を完了し、訓練を年2回とする要領を定めた。"
RETURNED = "サーバ室の入退室記録の様式を見直した。"
AGAIN = "サーバ室の入退室記録を新様式で3か月運用し、記録簿の写しを添付する。"
ABANDONED = "この文は提出しない。"
REASON = "運用の実績がわかる記録を添えて、あらためて報告してください。"


def _submit(page: Page, finding_url: str, status: str, text: str, *, confirm: bool) -> None:
    page.goto(finding_url)
    form = page.locator("section").filter(has=page.get_by_role("heading", name="措置を記録する"))
    form.get_by_role("radio", name=status).check()
    form.get_by_label("措置（具体的内容）・対応状況").fill(text)
    form.get_by_role("button", name="確認画面へ進む").click()
    expect(page.get_by_role("heading", name="提出内容の確認", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text(text)
    if confirm:
        page.get_by_role("button", name="この内容で提出する").click()
        expect(page.get_by_role("status").filter(has_text="提出しました")).to_be_visible()
    else:
        page.get_by_role("link", name="提出せずに戻る").click()


def _pdf_text(page: Page, url: str) -> str:
    response = page.request.get(url, timeout=90_000)
    assert response.status == 200, response.status
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)


def test_round_submit_review_return_resubmit_and_publish(page: Page, demo, shots):  # noqa: F811
    audit = Audit.objects.get(fiscal_year=2020, theme="情報セキュリティの管理について")
    csirt = Finding.objects.get(audit=audit, title="CSIRTの体制強化について")
    server = Finding.objects.filter(audit=audit).with_status().open().exclude(pk=csirt.pk).first()
    assert server is not None

    # 1. The auditor opens a round with a 基準日 and a deadline.
    sign_in(page, demo.url, "kansa", "kansa-demo-2026")
    page.goto(f"{demo.url}/rounds/new/")
    page.get_by_label("照会の名称").fill("令和3年9月30日現在の措置状況の照会")
    page.get_by_label("監査", exact=True).select_option(str(audit.pk))
    page.get_by_label("基準日").fill("2021-09-30")
    page.get_by_label("報告期限").fill("2021-10-15")
    shoot(page, shots, "01_round_form")
    page.get_by_role("button", name="照会を始める").click()
    expect(
        page.get_by_role("heading", name="令和3年9月30日現在の措置状況の照会", level=1)
    ).to_be_visible()
    table = page.get_by_role("region", name="所属ごとの状況の表")
    ict_row = table.get_by_role("row").filter(has_text="ICT戦略課")
    expect(ict_row.locator(".status-badge--overdue")).to_have_text("6件")  # past the deadline
    round_url = page.url
    shoot(page, shots, "02_round_progress")
    page.get_by_role("button", name="ログアウト").click()

    # 2. ICT戦略課 submits two entries and abandons a third at the confirmation step.
    sign_in(page, demo.url, "ict", "ict-demo-2026")
    page.goto(round_url)
    expect(page.locator("main")).to_contain_text("報告期限")
    csirt_url = f"{demo.url}/findings/{csirt.pk}/"
    server_url = f"{demo.url}/findings/{server.pk}/"
    _submit(page, csirt_url, "措置済", ACCEPTED, confirm=True)
    _submit(page, server_url, "措置済", RETURNED, confirm=True)
    _submit(page, server_url, "継続努力", ABANDONED, confirm=False)
    assert not RemediationEntry.objects.filter(content=ABANDONED).exists()
    page.goto(round_url)
    expect(page.get_by_role("region", name="所属ごとの状況の表")).to_contain_text("2件")
    shoot(page, shots, "03_round_as_staff")
    page.get_by_role("button", name="ログアウト").click()

    # 3. The auditor accepts one and returns the other with a reason.
    sign_in(page, demo.url, "kansa", "kansa-demo-2026")
    page.goto(f"{demo.url}/review/")
    accepted_card = page.locator("article.card").filter(has_text=ACCEPTED)
    returned_card = page.locator("article.card").filter(has_text=RETURNED)
    shoot(page, shots, "04_review_queue")
    accepted_card.get_by_label("受理").check()
    accepted_card.get_by_role("button", name="審査結果を登録").click()
    expect(page.get_by_role("status").filter(has_text="受理しました")).to_be_visible()
    returned_card.get_by_label("差戻し", exact=True).check()
    returned_card.get_by_role("button", name="審査結果を登録").click()
    # No reason: refused beside the field, nothing recorded.
    expect(
        page.locator(".field__error").filter(has_text="差戻しの理由を入力してください")
    ).to_be_visible()
    shoot(page, shots, "04b_return_without_reason")
    card = page.locator("article.card").filter(has_text=RETURNED)
    card.get_by_label("差戻し", exact=True).check()
    card.get_by_label("差戻しの理由").fill(REASON)
    card.get_by_role("button", name="審査結果を登録").click()
    expect(page.get_by_role("status").filter(has_text="差し戻しました")).to_be_visible()
    page.get_by_role("button", name="ログアウト").click()

    # 4. The staff see the reason and submit again.
    sign_in(page, demo.url, "ict", "ict-demo-2026")
    page.goto(server_url)
    expect(page.locator("main")).to_contain_text(REASON)
    shoot(page, shots, "05_returned_with_reason")
    _submit(page, server_url, "継続努力", AGAIN, confirm=True)
    page.get_by_role("button", name="ログアウト").click()

    # 5. The official PDF shows only accepted entries; the working version all submitted.
    sign_in(page, demo.url, "kanri", "kanri-demo-2026")
    official = _pdf_text(page, f"{demo.url}/reports/export.pdf/?audit={audit.pk}")
    working = _pdf_text(page, f"{demo.url}/reports/export.pdf/?audit={audit.pk}&basis=submitted")
    squash = lambda text: re.sub(r"\s+", "", text)  # noqa: E731  (PDF text wraps lines)
    assert squash(ACCEPTED) in squash(official)
    assert squash(RETURNED) not in squash(official) and squash(AGAIN) not in squash(official)
    assert "公表版" in official
    assert squash(ACCEPTED) in squash(working) and squash(AGAIN) in squash(working)
    assert squash(RETURNED) not in squash(working)
    assert "作業版" in working and "審査待ち" in working
