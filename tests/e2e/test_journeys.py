"""Whole journeys through the browser, one per kind of user, asserting what they see.

Each journey starts from the demo data (the seed audit 令和2年度 行政監査「情報セキュリティの
管理について」, transcribed from seed 000) and saves a full-page screenshot of every key
page under test-results/e2e/<test name>/ for a person to look at.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from audits.demo import load_demo
from audits.wareki import format_wareki
from findings.models import Finding
from tests.e2e.conftest import sign_in

SEED_THEME = "情報セキュリティの管理について"
CSIRT_TITLE = "CSIRTの体制強化について"
NEW_TITLE = "標的型攻撃メール訓練の実施について"
NEW_BODY = "標的型攻撃メールへの対応訓練を全職員を対象に毎年度実施されたい。"
SUB_TITLE = "訓練結果の分析について"
SUB_BODY = "訓練で開封した職員の傾向を分析し、研修内容に反映されたい。"
# A PDF whose first bytes say so: the upload check sniffs the content, not the name.
EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
# Downloads that render a whole report (WeasyPrint) may take longer than a page load.
DOWNLOAD_TIMEOUT_MS = 90_000


@pytest.fixture
def demo(e2e_db, settings, tmp_path):
    """The demo data on the live server, with evidence files kept in a scratch folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "evidence", "base_url": None},
        },
    }
    load_demo()
    return e2e_db


def shoot(page: Page, shots, name: str) -> None:
    page.screenshot(path=shots / f"{name}.png", full_page=True)


def texts(locator: Locator) -> list[str]:
    return [" ".join(t.split()) for t in locator.all_inner_texts()]


def option_value(select: Locator, starts_with: str) -> str:
    """The value of the one option whose text starts with `starts_with`."""
    pattern = re.compile("^" + re.escape(starts_with))
    option = select.locator("option").filter(has_text=pattern)
    expect(option).to_have_count(1)
    return option.get_attribute("value") or ""


def fits_width(page: Page) -> bool:
    """No horizontal scrolling of the page itself (wide tables scroll inside .table-wrap)."""
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


# --- 1. auditor ---------------------------------------------------------------------------


def test_auditor_adds_a_finding_and_its_sub_item_with_quick_entry(page: Page, demo, shots):
    sign_in(page, demo.url, "kansa", "kansa-demo-2026")
    expect(page.get_by_role("heading", name="監査一覧", level=1)).to_be_visible()
    seed_row = page.get_by_role("row").filter(has_text="令和2年度").filter(has_text=SEED_THEME)
    expect(seed_row).to_have_count(1)
    expect(seed_row).to_contain_text("行政監査")
    shoot(page, shots, "01_audit_list")

    seed_row.get_by_role("link", name=SEED_THEME, exact=True).click()
    expect(page.get_by_role("heading", name=SEED_THEME, level=1)).to_be_visible()
    expect(page.locator(".page-header__lead").first).to_have_text("令和2年度 行政監査")
    shoot(page, shots, "02_audit_detail_before")

    # The first finding: 意見 / 1 / (5), number ④ (suggested after ③), for ICT戦略課.
    page.get_by_role("link", name="この監査に指摘事項を追加").click()
    expect(page.get_by_role("heading", name="指摘事項の登録", level=1)).to_be_visible()
    page.get_by_label("区分 必須").select_option(label="意見")
    section = page.get_by_label("節")
    section.select_option(option_value(section, "1 想定されるリスク"))
    viewpoint = page.get_by_label("着眼点")
    viewpoint.select_option(option_value(viewpoint, "(5) "))
    page.get_by_label("番号").fill("④")
    page.get_by_label("件名").fill(NEW_TITLE)
    page.get_by_label("本文").fill(NEW_BODY)
    page.get_by_label("ICT戦略課", exact=True).check()
    shoot(page, shots, "03_finding_form_filled")
    page.get_by_role("button", name="保存して次を入力").click()

    # Quick entry: a fresh form, the saved one announced, kind/section/viewpoint kept.
    banner = page.get_by_role("status").filter(has_text="を登録しました")
    expect(banner).to_contain_text(f"「(5)④ {NEW_TITLE}」を登録しました。")
    expect(page.get_by_label("区分 必須").locator("option:checked")).to_have_text("意見")
    expect(page.get_by_label("着眼点").locator("option:checked")).to_contain_text("(5)")
    expect(page.get_by_label("件名")).to_have_value("")
    shoot(page, shots, "04_quick_entry_next_form")

    # The sub-item ア under the new ④.
    parent = page.get_by_label("親項目")
    parent.select_option(option_value(parent, f"［意見 1］ (5)④ {NEW_TITLE}"))
    page.get_by_label("番号").fill("ア")
    page.get_by_label("件名").fill(SUB_TITLE)
    page.get_by_label("本文").fill(SUB_BODY)
    page.get_by_label("ICT戦略課", exact=True).check()
    page.get_by_role("button", name="保存して終了").click()

    expect(page.get_by_role("heading", name=SEED_THEME, level=1)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="登録しました")).to_contain_text(
        f"指摘事項「(5)④ア {SUB_TITLE}」を登録しました。"
    )
    new = Finding.objects.get(audit__theme=SEED_THEME, title=NEW_TITLE)
    sub = Finding.objects.get(audit__theme=SEED_THEME, title=SUB_TITLE)
    assert sub.parent_id == new.pk

    # Print order: ④ directly followed by its sub-item ア, which sits nested (indented)
    # inside ④; ③ and its own sub-items come before ④.
    iken = page.locator("section.kind-block").filter(
        has=page.get_by_role("heading", name=re.compile(r"^意\s*見$"))
    )
    titles = texts(iken.locator(".finding-row__title"))
    at_new = titles.index(f"④ {NEW_TITLE}")
    assert titles[at_new + 1] == f"ア {SUB_TITLE}", titles
    at_third = titles.index("③ 情報システムの適正な稼働の確保について")
    assert at_third < at_new, titles
    assert [t[0] for t in titles[at_third + 1 : at_third + 3]] == ["ア", "イ"], titles
    new_row = page.locator(f"#finding-{new.pk} > .finding-row")
    sub_row = page.locator(f"#finding-{new.pk} .finding-tree #finding-{sub.pk} > .finding-row")
    expect(new_row).to_contain_text("小項目 1件")
    expect(sub_row).to_contain_text("未報告")
    expect(sub_row).to_contain_text("ICT戦略課")
    new_box, sub_box = new_row.bounding_box(), sub_row.bounding_box()
    assert new_box and sub_box and sub_box["x"] > new_box["x"] + 8, (new_box, sub_box)
    assert sub_box["y"] > new_box["y"]
    new_row.scroll_into_view_if_needed()
    shoot(page, shots, "05_audit_detail_with_new_finding")

    # The finding's own page: the parent introduces its sub-item, which takes the entries.
    new_row.get_by_role("link", name=NEW_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"意見 (5)④ {NEW_TITLE}")
    # The body section (the timeline below repeats the body as the value it was given).
    body = page.locator("section[aria-labelledby=body-heading]")
    expect(body.get_by_text(NEW_BODY)).to_be_visible()
    expect(body.get_by_text("着眼点 (5)")).to_be_visible()
    children = page.locator("section").filter(
        has=page.get_by_role("heading", name="小項目", exact=True)
    )
    expect(children.get_by_role("link")).to_have_text([f"(5)④ア {SUB_TITLE}"])
    expect(children).to_contain_text("未報告")
    shoot(page, shots, "06_finding_detail_parent")

    children.get_by_role("link", name=SUB_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"意見 (5)④ア {SUB_TITLE}")
    expect(page.get_by_text("親項目:")).to_contain_text(f"(5)④ {NEW_TITLE}")
    expect(page.get_by_text("まだ措置の報告はありません（未報告）。")).to_be_visible()
    shoot(page, shots, "07_finding_detail_sub_item")


def test_a_finding_added_to_an_earlier_viewpoint_prints_under_that_viewpoint(
    page: Page, demo, shots
):
    sign_in(page, demo.url, "kansa", "kansa-demo-2026")
    audit = Finding.objects.get(title=CSIRT_TITLE).audit
    page.goto(f"{demo.url}/audits/{audit.pk}/findings/new/")
    page.get_by_label("区分 必須").select_option(label="意見")
    section = page.get_by_label("節")
    section.select_option(option_value(section, "1 想定されるリスク"))
    viewpoint = page.get_by_label("着眼点")
    viewpoint.select_option(option_value(viewpoint, "(5) "))
    page.get_by_label("番号").fill("④")
    page.get_by_label("件名").fill(NEW_TITLE)
    page.get_by_label("本文").fill(NEW_BODY)
    page.get_by_label("ICT戦略課", exact=True).check()
    page.get_by_role("button", name="保存して終了").click()
    expect(page.get_by_role("heading", name=SEED_THEME, level=1)).to_be_visible()

    iken = page.locator("section.kind-block").filter(
        has=page.get_by_role("heading", name=re.compile(r"^意\s*見$"))
    )
    shoot(page, shots, "01_audit_detail")
    headings = texts(iken.locator(".viewpoint-heading"))
    assert sum(h.startswith("(5)") for h in headings) == 1, headings
    titles = texts(iken.locator(".finding-row__title"))
    assert titles.index(f"④ {NEW_TITLE}") < titles.index("情報セキュリティ意識の向上について")


# --- 2. department staff ------------------------------------------------------------------


def test_department_staff_posts_an_entry_with_evidence_other_department_gets_404(
    page: Page, demo, shots, tmp_path
):
    today = timezone.localdate()
    sign_in(page, demo.url, "ict", "ict-demo-2026")
    expect(page).to_have_url(re.compile(r"/findings/mine/$"))
    expect(page.get_by_role("heading", name="担当の指摘事項", level=1)).to_be_visible()
    expect(page.locator(".page-header__lead")).to_contain_text("ICT戦略課")

    # Open ones first: the 未完了 table comes before the 措置済 one and holds no 措置済.
    open_table = page.get_by_role("region", name="未完了の指摘事項")
    closed_table = page.get_by_role("region", name="措置済の指摘事項")
    open_heading = page.get_by_role("heading", name=re.compile("^未完了"))
    closed_heading = page.get_by_role("heading", name=re.compile("^措置済"))
    open_y = open_heading.bounding_box()["y"]  # type: ignore[index]
    assert open_y < closed_heading.bounding_box()["y"]  # type: ignore[index]
    open_badges = texts(open_table.locator("td .status-badge:not(.status-badge--overdue)"))
    assert open_badges and "措置済" not in open_badges, open_badges
    assert set(texts(closed_table.locator("td .status-badge"))) == {"措置済"}
    csirt_row = open_table.get_by_role("row").filter(has_text=CSIRT_TITLE)
    expect(csirt_row).to_contain_text("(2)②")
    expect(csirt_row.locator(".status-badge")).to_have_text("継続努力")
    expect(closed_table).to_contain_text("サーバのバックアップデータの管理について")
    shoot(page, shots, "01_my_findings")

    csirt_row.get_by_role("link", name=CSIRT_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"意見 (2)② {CSIRT_TITLE}")
    finding_url = page.url
    history = page.get_by_role("list", name="措置の経過（古い順）")
    entries_before = history.locator(":scope > [role=listitem]").count()
    shoot(page, shots, "02_finding_detail_before")

    evidence = tmp_path / "CSIRT訓練実施報告.pdf"
    evidence.write_bytes(EVIDENCE_PDF)
    content = "CSIRT要員2名を追加で任命し、インシデント対応訓練を実施した。"
    form = page.locator("section").filter(has=page.get_by_role("heading", name="措置を記録する"))
    form.get_by_role("radio", name="継続努力").check()
    form.get_by_label("措置日").fill(today.isoformat())
    form.get_by_label("措置（具体的内容）・対応状況").fill(content)
    form.get_by_label("証跡ファイル").set_input_files(evidence)
    expect(form.locator("#id_entry_date_understood")).to_contain_text(format_wareki(today))
    shoot(page, shots, "03_entry_form_filled")
    form.get_by_role("button", name="確認画面へ進む").click()

    # The confirmation step shows exactly what will be sent; nothing is recorded yet.
    expect(page.get_by_role("heading", name="提出内容の確認", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text(content)
    expect(page.locator("main")).to_contain_text(evidence.name)
    shoot(page, shots, "03b_confirmation")
    page.get_by_role("button", name="この内容で提出する").click()

    expect(page).to_have_url(finding_url)
    expect(page.get_by_role("status").filter(has_text="措置の報告を提出しました")).to_contain_text(
        "措置の報告を提出しました（証跡ファイル1件）。"
    )
    entries = history.locator(":scope > [role=listitem]")
    expect(entries).to_have_count(entries_before + 1)
    latest = entries.last
    expect(latest.get_by_role("heading")).to_have_text(
        f"【 継続努力 】 {format_wareki(today, padded=True)}"
    )
    expect(latest).to_contain_text(content)
    expect(latest).to_contain_text("情報 花子")
    expect(latest.locator(".status-badge--pending")).to_have_text("審査待ち")
    evidence_link = latest.get_by_role("link", name=evidence.name)
    expect(evidence_link).to_be_visible()
    # Until the audit office accepts it, the current status is the last accepted one.
    status_card = page.locator("section.card").filter(
        has=page.get_by_role("heading", name="現在の状況")
    )
    expect(status_card.locator(".status-badge").first).to_have_text("継続努力")
    latest.scroll_into_view_if_needed()
    shoot(page, shots, "04_finding_detail_after_entry")

    with page.expect_download() as download_info:
        evidence_link.click()
    download = download_info.value
    assert download.suggested_filename == evidence.name
    assert download.path().read_bytes() == EVIDENCE_PDF

    # Another department's staff: the finding does not exist for them.
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
    sign_in(page, demo.url, "jinji", "jinji-demo-2026")
    expect(page.get_by_role("heading", name="担当の指摘事項", level=1)).to_be_visible()
    expect(page.locator(".page-header__lead")).to_contain_text("人事課")
    expect(page.get_by_text(CSIRT_TITLE)).to_have_count(0)
    shoot(page, shots, "05_jinji_my_findings")

    response = page.goto(finding_url)
    assert response is not None and response.status == 404
    expect(page.get_by_text(CSIRT_TITLE)).to_have_count(0)
    shoot(page, shots, "06_jinji_finding_404")

    response = page.goto(f"{demo.url}/findings/?q=CSIRT")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", name="指摘事項一覧", level=1)).to_be_visible()
    expect(page.get_by_text("条件に合う指摘事項はありません。")).to_be_visible()
    expect(page.get_by_text(CSIRT_TITLE)).to_have_count(0)


# --- 3. manager ---------------------------------------------------------------------------


def test_manager_filters_open_findings_and_downloads_pdf_and_excel(
    page: Page, demo, shots, tmp_path
):
    sign_in(page, demo.url, "kanri", "kanri-demo-2026")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", name="ダッシュボード", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="年度別")).to_be_visible()
    shoot(page, shots, "01_dashboard")

    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="指摘事項一覧"
    ).click()
    expect(page.get_by_role("heading", name="指摘事項一覧", level=1)).to_be_visible()
    filters = page.get_by_role("search", name="指摘事項の絞り込み")
    # Choosing a year refreshes the list (and the audit choices of that year) at once.
    with page.expect_response(lambda r: "fiscal_year=2020" in r.url):
        filters.get_by_label("年度").select_option(label="令和2年度")
    expect(page).to_have_url(re.compile(r"[?&]fiscal_year=2020(&|$)"))  # pushed once swapped
    filters.get_by_label("現在の状況").select_option(value="open")
    filters.get_by_role("button", name="絞り込む").click()

    expect(page).to_have_url(re.compile(r"[?&]status=open(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]fiscal_year=2020(&|$)"))
    table = page.get_by_role("region", name="指摘事項一覧")
    rows = table.locator("tbody tr")
    expect(rows.first).to_be_visible()
    expect(filters.get_by_label("現在の状況").locator("option:checked")).to_have_text(
        re.compile("^未完了")
    )
    badges = texts(table.locator("tbody td .status-badge:not(.status-badge--overdue)"))
    assert len(badges) == rows.count(), (badges, rows.count())
    assert "措置済" not in badges and "継続努力" in badges, badges
    assert all("令和2年度" in t for t in texts(rows.locator("td:nth-child(4)")))
    expect(table).to_contain_text(CSIRT_TITLE)
    expect(table).not_to_contain_text("サーバのバックアップデータの管理について")
    expect(page.locator(".table-meta")).to_contain_text(f"全 {rows.count()} 件")
    shoot(page, shots, "02_finding_list_open_2020")

    # The same filtered list straight from its URL (bookmark, reload) shows the same rows.
    page.reload()
    expect(page.get_by_role("region", name="指摘事項一覧").locator("tbody tr")).to_have_count(
        len(badges)
    )

    exports = page.get_by_role("group", name="この条件で措置状況を出力")
    pdf_link = exports.get_by_role("link", name="PDF", exact=True)
    expect(pdf_link).to_have_attribute("href", re.compile(r"status=open"))
    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as download_info:
        pdf_link.click()
    pdf_bytes = download_info.value.path().read_bytes()
    assert pdf_bytes.startswith(b"%PDF")
    assert download_info.value.suggested_filename.endswith(".pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes)).pages)
    flat = re.sub(r"\s+", "", text)
    assert "措置状況" in flat and "継続努力" in flat, text[:500]
    assert CSIRT_TITLE in flat
    assert "サーバのバックアップデータの管理について" not in flat

    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as download_info:
        exports.get_by_role("link", name="Excel", exact=True).click()
    assert download_info.value.suggested_filename.endswith(".xlsx")
    xlsx = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(xlsx)
    workbook = openpyxl.load_workbook(xlsx)
    cells = " ".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    assert "措置状況" in cells and "継続努力" in cells and CSIRT_TITLE in cells


# --- tablet width and keyboard ------------------------------------------------------------


def test_staff_pages_fit_a_tablet_width(page: Page, demo, shots):
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, demo.url, "ict", "ict-demo-2026")
    expect(page.get_by_role("heading", name="担当の指摘事項", level=1)).to_be_visible()
    assert fits_width(page)
    shoot(page, shots, "01_my_findings_768")

    page.get_by_role("region", name="未完了の指摘事項").get_by_role(
        "link", name=CSIRT_TITLE
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CSIRT_TITLE)
    expect(page.get_by_role("button", name="確認画面へ進む")).to_be_visible()
    assert fits_width(page)
    shoot(page, shots, "02_finding_detail_768")

    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="指摘事項一覧"
    ).click()
    expect(page.get_by_role("heading", name="指摘事項一覧", level=1)).to_be_visible()
    assert fits_width(page)
    shoot(page, shots, "03_finding_list_768")


def test_login_works_with_the_keyboard_only(page: Page, demo, shots):
    page.goto(f"{demo.url}/accounts/login/")
    username = page.get_by_label("ユーザー名")
    expect(username).to_be_focused()  # the form is ready to type into on arrival
    # Backwards: the service name, then the skip link, which shows itself when focused.
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("link", name="措置状況管理")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    skip = page.get_by_role("link", name="本文へスキップ")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    shoot(page, shots, "01_skip_link_focused")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(username).to_be_focused()
    outline = username.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "the focused field shows no focus ring"
    page.keyboard.type("kanri")
    page.keyboard.press("Tab")
    expect(page.get_by_label("パスワード")).to_be_focused()
    page.keyboard.type("kanri-demo-2026")
    shoot(page, shots, "02_login_keyboard")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", name="ダッシュボード", level=1)).to_be_visible()
    expect(page.get_by_text("管理 三郎").first).to_be_visible()
    page.wait_for_load_state("networkidle")
