"""An auditor builds an audit grouped by key risks entirely in the browser, edits its
structure, is refused a delete that would orphan a finding, enters findings that answer
two viewpoints each with 是正 / 改善, and reads the key-risk table of the report.

Screenshots go to test-results/e2e/<test name>/ for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from audits.demo import load_demo
from audits.models import Audit
from tests.e2e.conftest import sign_in
from tests.e2e.test_journeys import shoot, texts

THEME = "公共施設の維持管理に係る財務事務の執行について"
DEPARTMENTS = ["ICT戦略課", "人事課", "財政課", "市民課", "税務課"]
SECTIONS = [("1", "公共施設の維持管理に関する監査の結果"), ("2", "委託契約に関する監査の結果")]
KEY_RISKS = [
    ("(1)", "施設の点検が行われず事故が起きる"),
    ("(2)", "修繕計画が立てられず費用が膨らむ"),
    ("(3)", "委託業務の履行確認が不十分になる"),
    ("(4)", "契約事務が法令に沿わない"),
]


@pytest.fixture
def demo(e2e_db):
    """The demo's departments and logins on the live server."""
    load_demo()
    return e2e_db


def _form(page: Page, action_end: str) -> Locator:
    return page.locator(f"form[action$='{action_end}']")


def _add_key_risk(page: Page, number: str, title: str) -> None:
    details = page.locator("#viewpoints details.inline-add")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    form = _form(page, "/key-risks/new/")
    form.get_by_label("番号").fill(number)
    form.get_by_label("重要リスク").fill(title)
    form.get_by_role("button", name="重要リスクを追加").click()
    expect(page.locator("#viewpoints [role=status]")).to_contain_text(
        f"重要リスク「{number} {title}」を追加しました。"
    )


def _add_viewpoint(page: Page, risk: str, number: str, text: str) -> None:
    form = _form(page, "/viewpoints/new/")
    form.get_by_label("番号").fill(number)
    form.get_by_label("着眼点").fill(text)
    select = form.get_by_label("重要リスク")
    select.select_option(label=next(f"{n} {t}" for n, t in KEY_RISKS if n == risk))
    form.get_by_role("button", name="着眼点を追加").click()
    expect(page.locator("#viewpoints [role=status]")).to_contain_text(
        f"着眼点「{number}」を追加しました。"
    )


def _viewpoint_text(risk: str, number: str) -> str:
    return f"重要リスク{risk}の着眼点{number}は守られているか。"


EDITED = ("(2)", "イ")  # the viewpoint whose text the journey corrects
CORRECTION = "（修正）"


def _viewpoint_choice(risk: str, number: str) -> str:
    """How the finding form offers a viewpoint: key risk, label, text."""
    edited = CORRECTION if (risk, number) == EDITED else ""
    return f"{risk} {number} {_viewpoint_text(risk, number)}{edited}"


def _enter_finding(
    page: Page,
    *,
    section: str,
    label: str,
    title: str,
    viewpoint: tuple[str, str],
    extra: tuple[str, str],
    subclass: str,
    department: str,
    finish: bool,
) -> None:
    page.locator("#id_kind").select_option(label="指摘")
    page.locator("#id_section").select_option(
        label=next(f"{n} {t}" for n, t in SECTIONS if n == section)
    )
    page.locator("#id_viewpoint").select_option(label=_viewpoint_choice(*viewpoint))
    further = page.locator("#id_extra_viewpoints_group")
    further.get_by_label(_viewpoint_choice(*extra)).check()
    page.locator("#id_label").fill(label)
    page.locator("#id_title").fill(title)
    page.locator("#id_body").fill(f"{title}について、適切に対応されたい。")
    page.get_by_label(department, exact=True).check()
    page.locator("#id_subclass").select_option(label=f"指摘：{subclass}")
    if finish:
        page.get_by_role("button", name="保存して終了").click()
    else:
        page.get_by_role("button", name="保存して次を入力").click()
        expect(page.get_by_role("status").filter(has_text="を登録しました")).to_contain_text(title)


def test_auditor_builds_a_key_risk_audit_and_edits_its_structure(page: Page, demo, shots):
    sign_in(page, demo.url, "kansa", "kansa-demo-2026")

    # 区分の設定 is in the menu: 指摘 prints 「指 摘」 and offers 是正 and 改善.
    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="区分の設定"
    ).click()
    shiteki = page.get_by_role("list", name="指摘 の細区分")
    expect(shiteki).to_contain_text("【是正】")
    expect(shiteki).to_contain_text("【改善】")
    shoot(page, shots, "00_classes")

    # The header: two kinds, no period, five departments, viewpoints numbered per key risk.
    page.goto(f"{demo.url}/audits/new/")
    page.get_by_label("財務監査", exact=True).check()
    page.get_by_label("行政監査", exact=True).check()
    page.get_by_label("監査のテーマ").fill(THEME)
    for name in DEPARTMENTS:
        page.get_by_label(name, exact=True).check()
    page.get_by_label("重要リスクごとに振り直す（ア, イ, ウ …）").check()
    page.get_by_role("button", name="登録して節・着眼点の入力へ").click()
    expect(page.get_by_role("heading", name=THEME, level=1)).to_be_visible()
    expect(page.locator(".page-header__lead").first).to_contain_text("財務監査・行政監査")
    audit = Audit.objects.get(theme=THEME)
    assert audit.period_start is None and audit.audited_departments.count() == 5

    # Two sections, four key risks, ア and イ under each (htmx: the card is swapped in place).
    for number, title in SECTIONS:
        form = _form(page, "/sections/new/")
        form.get_by_label("番号").fill(number)
        form.get_by_label("見出し").fill(title)
        form.get_by_role("button", name="節を追加").click()
        expect(page.locator("#sections [role=status]")).to_contain_text(f"節「{number} {title}」")
    for number, title in KEY_RISKS:
        _add_key_risk(page, number, title)
    for risk, _ in KEY_RISKS:
        for number in ("ア", "イ"):
            _add_viewpoint(page, risk, number, _viewpoint_text(risk, number))
    assert audit.viewpoints.count() == 8

    # A duplicate label under the same key risk is a field error beside the number.
    form = _form(page, "/viewpoints/new/")
    form.get_by_label("番号").fill("ア")
    form.get_by_label("着眼点").fill("重複")
    form.get_by_label("重要リスク").select_option(label=f"{KEY_RISKS[0][0]} {KEY_RISKS[0][1]}")
    form.get_by_role("button", name="着眼点を追加").click()
    expect(page.locator("#viewpoints .field__error")).to_have_text(
        "番号「ア」の着眼点は重要リスク「(1)」に既にあります。"
    )

    # Edit a viewpoint: its text, on its own page, and back to the card.
    page.get_by_role("link", name=f"重要リスク {EDITED[0]} の着眼点 {EDITED[1]} を編集").click()
    expect(page.get_by_role("heading", name="着眼点の編集", level=1)).to_be_visible()
    page.locator("#id_text").fill(_viewpoint_text(*EDITED) + CORRECTION)
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_role("status").filter(has_text="保存しました")).to_be_visible()
    expect(page.locator("#viewpoints")).to_contain_text(CORRECTION)

    # Reorder: イ of key risk (3) goes above its ア; the other risks are untouched.
    page.get_by_role("button", name="重要リスク (3) の着眼点 イ を上へ").click()
    risk3 = page.get_by_role("list", name="重要リスク (3) の着眼点")
    expect(risk3.locator(".num")).to_have_text(["イ", "ア"])
    expect(page.get_by_role("list", name="重要リスク (1) の着眼点").locator(".num")).to_have_text(
        ["ア", "イ"]
    )
    expect(page.get_by_role("button", name="重要リスク (3) の着眼点 イ を上へ")).to_be_disabled()

    # Findings answering two viewpoints each, with 是正 and 改善.
    page.get_by_role("link", name="この監査に指摘事項を追加").click()
    findings = [
        ("1", "指摘事項1", "点検記録の保存", ("(1)", "ア"), ("(2)", "ア"), "是正", "財政課"),
        ("1", "指摘事項2", "修繕計画の策定", ("(2)", "イ"), ("(1)", "イ"), "改善", "市民課"),
        ("2", "指摘事項3", "履行確認の徹底", ("(3)", "ア"), ("(4)", "ア"), "是正", "税務課"),
    ]
    for index, (section, label, title, viewpoint, extra, subclass, dept) in enumerate(findings):
        _enter_finding(
            page,
            section=section,
            label=label,
            title=title,
            viewpoint=viewpoint,
            extra=extra,
            subclass=subclass,
            department=dept,
            finish=index == len(findings) - 1,
        )
    expect(page.get_by_role("heading", name=THEME, level=1)).to_be_visible()
    assert audit.findings.count() == 3

    # A viewpoint a finding answers cannot be deleted: the refusal names the finding.
    page.get_by_role("link", name="重要リスク (1) の着眼点 ア を削除").click()
    refusal = page.locator("#delete-refusal")
    expect(refusal).to_contain_text(
        "この着眼点には指摘事項 指摘事項1 が載っているため削除できません。"
        "先に指摘事項の着眼点を変えてください。"
    )
    expect(page.get_by_role("button", name="削除する")).to_have_count(0)
    shoot(page, shots, "02_delete_refused")
    page.get_by_role("link", name="戻る").click()
    assert audit.viewpoints.count() == 8

    page.locator("#viewpoints").scroll_into_view_if_needed()
    shoot(page, shots, "01_audit_page")

    # The report: 重要リスク | 着眼点 | 監査の結果, each finding under both its viewpoints.
    page.goto(f"{demo.url}/reports/?audit={audit.pk}")
    table = page.locator("table.key-risk-table").first
    expect(table).to_be_visible()
    rows = texts(table.locator("tbody tr"))
    results: dict[tuple[str, str], str] = {}
    for row in table.locator("tbody tr").all():
        viewpoint_cell = row.locator("td").nth(0).inner_text()
        found = re.match(r"\s*(\S+)", viewpoint_cell)
        assert found, rows
        risk_text = row.evaluate(
            "r => { let x = r; while (x && !x.querySelector('th')) x = x.previousElementSibling;"
            " return x ? x.querySelector('th').innerText : ''; }"
        )
        risk = risk_text.split()[0]
        results[(risk, found.group(1))] = " ".join(row.locator("td").nth(1).inner_text().split())
    assert results == {
        ("(1)", "ア"): "指摘事項1",
        ("(1)", "イ"): "指摘事項2",
        ("(2)", "ア"): "指摘事項1",
        ("(2)", "イ"): "指摘事項2",
        ("(3)", "イ"): "—",
        ("(3)", "ア"): "指摘事項3",
        ("(4)", "ア"): "指摘事項3",
        ("(4)", "イ"): "—",
    }, rows
    # The reordered viewpoint prints in its new place.
    order = list(results)
    assert order.index(("(3)", "イ")) < order.index(("(3)", "ア")), order
    expect(page.locator(".report")).to_contain_text("【是正】")
    expect(page.locator(".report")).to_contain_text("【改善】")
    shoot(page, shots, "03_report_preview")
