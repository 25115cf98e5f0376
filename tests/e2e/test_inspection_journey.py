"""Self-inspection in a real browser (issue 11): the auditor copies last year's checklist
and opens a round for three departments; ICT戦略課 answers with a 未実施 that becomes a
finding in its own list; 人事課 answers, is returned with a reason and submits again; 財政課
never answers and shows as late; the results page and the PDF count what was submitted."""

from __future__ import annotations

import datetime
import io

from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from audits.models import Department, User
from inspections import services
from inspections.models import Checklist, InspectionRound
from inspections.services import OptionSpec
from tests.e2e.conftest import sign_in
from tests.e2e.test_journeys import demo, shoot  # noqa: F401  (the demo fixture)

REASON = "巡回の記録簿と照らして、回答をもう一度確かめてください。"


def _last_years_checklist(year: int) -> Checklist:
    auditor = User.objects.get(username="kansa")
    checklist = services.create_checklist(fiscal_year=year, name="自己点検票", user=auditor)
    options = (OptionSpec("実施", "done"), OptionSpec("未実施", "issue"))
    for number, title, phrase in (
        ("(1)", "巡回の実施", "巡回が実施されている"),
        ("(2)", "クリアデスク", "クリアデスクが実施されている"),
    ):
        category = services.add_category(checklist, number=number, title=title, user=auditor)
        services.add_item(
            category, number="①", question=title, result_phrase=phrase, options=options,
            user=auditor,
        )  # fmt: skip
    return checklist


def _answer(page: Page, answers: dict[str, str]) -> None:
    for question, label in answers.items():
        group = page.locator("fieldset").filter(has_text=question)
        group.get_by_role("radio", name=label, exact=True).check()
    page.get_by_role("button", name="提出する").click()
    expect(page.get_by_role("status").filter(has_text="提出しました")).to_be_visible()


def test_copy_open_answer_return_and_count(page: Page, demo, shots):  # noqa: F811
    today = timezone.localdate()
    year = today.year if today.month >= 4 else today.year - 1
    source = _last_years_checklist(year - 1)
    ict = Department.objects.get(code="ict")
    jinji = Department.objects.get(code="jinji")

    # 1. The auditor copies last year's checklist into this year.
    sign_in(page, demo.url, "kansa", "kansa-demo-2026")
    page.goto(f"{demo.url}/inspections/checklists/{source.pk}/")
    page.get_by_role("link", name="複写して新しい年度の点検票を作る").click()
    page.get_by_label("年度").select_option(str(year))
    page.get_by_role("button", name="複写する").click()
    expect(page.get_by_role("heading", level=2, name="(2) クリアデスク")).to_be_visible()
    copy = Checklist.objects.get(fiscal_year=year, name="自己点検票")
    shoot(page, shots, "01_checklist_copied")

    # 2. … and opens a round for three departments whose deadline was yesterday.
    page.goto(f"{demo.url}/inspections/rounds/new/")
    page.get_by_label("名称").fill("自己点検（ブラウザ）")
    page.get_by_label("年度").select_option(str(year))
    page.get_by_label("自己点検", exact=True).check()
    page.get_by_label("点検票").select_option(str(copy.pk))
    page.get_by_label("開始日").fill((today - datetime.timedelta(days=10)).isoformat())
    page.get_by_label("回答期限").fill((today - datetime.timedelta(days=1)).isoformat())
    for name in ("ICT戦略課", "人事課", "財政課"):
        page.get_by_label(name, exact=True).check()
    page.get_by_role("button", name="始める").click()
    expect(page.get_by_role("heading", name="自己点検（ブラウザ）", level=1)).to_be_visible()
    round_ = InspectionRound.objects.get(name="自己点検（ブラウザ）")
    round_url = f"{demo.url}/inspections/rounds/{round_.pk}/"
    page.get_by_role("button", name="ログアウト").click()

    # 3. ICT戦略課 answers 未実施 for 巡回: a finding in its own list.
    sign_in(page, demo.url, "ict", "ict-demo-2026")
    page.goto(round_url)
    table = page.get_by_role("region", name="所属ごとの回答状況の表")
    expect(table.get_by_role("row")).to_have_count(2)  # the header and ICT戦略課 only
    page.goto(f"{round_url}departments/{ict.pk}/")
    _answer(page, {"巡回の実施": "未実施", "クリアデスク": "実施"})
    expect(page.get_by_role("heading", name="回答から生じた課題（指摘事項）")).to_be_visible()
    page.goto(f"{demo.url}/findings/mine/")
    expect(page.locator("main")).to_contain_text("自己点検（ブラウザ）")
    shoot(page, shots, "02_ict_finding")
    page.goto(f"{round_url}departments/{jinji.pk}/")
    assert "人事課" not in page.locator("main").inner_text()
    page.get_by_role("button", name="ログアウト").click()

    # 4. 人事課 answers everything 実施.
    sign_in(page, demo.url, "jinji", "jinji-demo-2026")
    page.goto(f"{round_url}departments/{jinji.pk}/")
    _answer(page, {"巡回の実施": "実施", "クリアデスク": "実施"})
    page.get_by_role("button", name="ログアウト").click()

    # 5. The auditor sees 財政課 late and returns 人事課's answers with a reason.
    sign_in(page, demo.url, "kansa", "kansa-demo-2026")
    page.goto(round_url)
    table = page.get_by_role("region", name="所属ごとの回答状況の表")
    late = table.get_by_role("row").filter(has_text="財政課")
    expect(late).to_contain_text("未着手")
    expect(late.locator(".status-badge--overdue")).to_have_text("期限超過")
    expect(table.get_by_role("row").filter(has_text="ICT戦略課")).not_to_contain_text("期限超過")
    shoot(page, shots, "03_progress")
    page.goto(f"{round_url}departments/{jinji.pk}/")
    page.get_by_label("差戻しの理由").fill(REASON)
    page.get_by_role("button", name="差し戻す").click()
    expect(page.get_by_role("status").filter(has_text="差し戻しました")).to_be_visible()
    page.get_by_role("button", name="ログアウト").click()

    # 6. 人事課 reads the reason and submits again.
    sign_in(page, demo.url, "jinji", "jinji-demo-2026")
    page.goto(f"{round_url}departments/{jinji.pk}/")
    expect(page.locator("main")).to_contain_text(REASON)
    _answer(page, {"巡回の実施": "実施", "クリアデスク": "実施"})
    page.get_by_role("button", name="ログアウト").click()

    # 7. The results page and the PDF count the two submitted answers.
    sign_in(page, demo.url, "kanri", "kanri-demo-2026")
    page.goto(f"{round_url}results/")
    main = page.locator("main")
    expect(main).to_contain_text("2のうち1の部署で巡回が実施されている。（50.0%）")
    expect(main).to_contain_text("2のすべての部署でクリアデスクが実施されている。")
    expect(main).to_contain_text("未回答 1 部署")
    shoot(page, shots, "04_results")
    response = page.request.get(f"{round_url}results.pdf", timeout=90_000)
    assert response.status == 200
    text = "".join(
        "".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.body())).pages
    )
    assert "2のうち1の部署で巡回が実施されている。" in text
    assert "2のすべての部署でクリアデスクが実施されている。" in text
