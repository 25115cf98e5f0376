"""The Excel rendering: the official table of seed 000 on sheet 1, the counts on sheet 2,
print settings a clerk can print from, and no formula ever written."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from openpyxl import load_workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

import reports.excel
from audits.demo import load_demo
from audits.models import Audit, User
from audits.wareki import format_wareki
from reports.builder import Selection, build_report
from reports.excel import FONT_NAME, render_xlsx

EXPECTED = json.loads(
    (Path(settings.BASE_DIR) / "fixtures" / "audit_000_expected.json").read_text("utf-8")
)
TITLE = (
    "令和2年度 行政監査の結果（指摘・意見・リスク発現の可能性があるもの）に基づく措置状況等の報告"
)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # load_demo hashes five demo passwords; the default hasher would take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seed_audit(db) -> Audit:
    load_demo()
    return Audit.objects.get(fiscal_year=2020, theme="情報セキュリティの管理について")


@pytest.fixture
def seed_book(seed_audit):
    manager = User.objects.get(username="kanri")
    report = build_report(manager, Selection(audit_id=seed_audit.pk))
    return load_workbook(io.BytesIO(render_xlsx(report)))


def column(ws, letter: str) -> list[str | None]:
    return [cell.value for cell in ws[letter]]


def test_sheet_one_starts_with_the_title_and_the_four_header_lines(seed_book):
    ws = seed_book["措置状況"]
    values = [v for v in column(ws, "A") if v]

    assert seed_book.sheetnames == ["措置状況", "集計"]
    assert values[0] == TITLE
    assert values[1] == "公表版（受理済みの報告のみ）"
    assert values[2:6] == [
        "1 監査の種類　　行政監査",
        "2 監査のテーマ　情報セキュリティの管理について",
        "3 監査対象　　　総務部 ICT戦略課",
        "4 監査実施期間　令和 3年 2月10日",
    ]


def test_every_entry_appears_in_print_order_with_status_and_wareki_date(seed_book):
    ws = seed_book["措置状況"]
    headings = [
        v.split("\n")[0] for v in column(ws, "B") if isinstance(v, str) and v.startswith("【")
    ]
    expected = [
        f"【 {status} 】 {format_wareki(datetime.date.fromisoformat(day), padded=True)}"
        for finding in EXPECTED["findings"]
        for status, day in finding["entries"]
    ]

    assert len(expected) == EXPECTED["total_entries"] == 33
    assert headings == expected
    assert headings[0] == "【 措置済 】 令和 3年 5月31日"


def test_each_finding_starts_a_row_with_its_viewpoint_title_and_body(seed_audit, seed_book):
    ws = seed_book["措置状況"]
    rows = [(a.value, b.value) for a, b in ws.iter_rows(min_col=1, max_col=2)]
    findings = list(seed_audit.findings.in_print_order().select_related("viewpoint"))
    starts = [a for a, b in rows if a and a.startswith(("(", "①", "②", "③", "④", "ア", "イ"))]

    assert len(starts) == len(findings) == 23
    for text, finding in zip(starts, findings, strict=True):
        assert finding.body in text
        if finding.title:
            assert f"{finding.label} {finding.title}".strip() in text
    first = starts[1]  # 指摘 (3)①: the viewpoint line comes first, once
    assert first.split("\n")[:2] == [
        "(3) 情報システムのサーバ等の管理は適切になされているか。",
        "① サーバ室内の整理整頓について",
    ]
    assert not starts[2].startswith("(3)")  # ② under the same viewpoint


def test_a_finding_with_two_entries_gets_two_rows_beside_one_finding_cell(seed_book):
    ws = seed_book["措置状況"]
    rows = [(a.value, b.value) for a, b in ws.iter_rows(min_col=1, max_col=2)]
    start = next(i for i, (a, _) in enumerate(rows) if a and "① サーバ室内の整理整頓について" in a)

    assert rows[start][1].startswith("【 継続努力 】 令和 3年 9月30日\n不用なものは廃棄する")
    assert rows[start + 1][0] is None
    assert rows[start + 1][1].startswith("【 措置済 】 令和 4年 3月31日\n")


def test_sub_items_are_indented_and_their_parent_takes_no_entry(seed_book):
    ws = seed_book["措置状況"]
    cells = list(ws.iter_rows(min_col=1, max_col=2))
    parent = next(r for r in cells if r[0].value and "③ 情報システムの適正な稼働" in r[0].value)
    sub_item = next(r for r in cells if r[0].value and r[0].value.startswith("ア この事故は"))

    assert parent[1].value is None
    assert parent[0].alignment.indent == 0
    assert sub_item[0].alignment.indent == 1
    assert sub_item[1].value.startswith("【 検討中 】 令和 3年 9月30日")


def test_empty_sections_and_the_risk_kind_print_nothing_in_particular(seed_book):
    values = [v for v in column(seed_book["措置状況"], "A") if v]
    shiteki_2 = values.index("2 3E（経済性、効率性、有効性）、合規性等の視点から行った監査の結果")
    risk = values.index("リスク発現の可能性があるもの")

    assert values[shiteki_2 + 1] == "特になし"
    assert values[risk + 1] == "特になし"
    assert values[-1] == "特になし"
    assert values.count("特になし") == 2
    assert "指 摘" in values and "意見" in values


def test_table_cells_wrap_at_the_top_in_a_japanese_font_with_borders(seed_book):
    ws = seed_book["措置状況"]
    cell = next(c for c in ws["B"] if isinstance(c.value, str) and c.value.startswith("【"))

    assert cell.font.name == FONT_NAME
    assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
    assert all(
        side.style == "thin"
        for side in (cell.border.left, cell.border.right, cell.border.top, cell.border.bottom)
    )
    assert ws.column_dimensions["A"].width == 60
    assert ws.column_dimensions["B"].width == 60
    assert ws.row_dimensions[cell.row].height > 15  # sized for its wrapped text


def test_sheet_one_prints_on_a4_one_page_wide_with_titles_and_page_numbers(seed_book):
    ws = seed_book["措置状況"]

    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$2"
    assert ws.oddFooter.center.text == "&P / &N"


def test_summary_sheet_counts_current_statuses_with_a_totals_row(seed_book):
    rows = [r for r in seed_book["集計"].iter_rows(values_only=True) if any(r)]
    header = next(r for r in rows if r[0] == "監査")
    total = next(r for r in rows if r[0] == "合計")
    counts = dict(zip(header[1:], total[1:], strict=True))

    assert counts == {"措置済": 16, "継続努力": 6, "検討中": 0, "未報告": 0, "合計": 22}
    department = next(r for r in rows if r[0] == "総務部 ICT戦略課")
    assert department[1:] == total[1:]


def test_as_of_report_shows_only_entries_up_to_that_date(seed_audit):
    manager = User.objects.get(username="kanri")
    report = build_report(
        manager, Selection(audit_id=seed_audit.pk, as_of=datetime.date(2021, 9, 30))
    )
    ws = load_workbook(io.BytesIO(render_xlsx(report)))["措置状況"]
    values = [v for v in column(ws, "B") if isinstance(v, str)]

    assert not any("令和 4年" in v for v in values)
    assert any("令和3年9月30日現在" in (v or "") for v in column(ws, "A")[:3])


def test_a_report_across_audits_prints_each_audit_with_its_title_and_header(seed_audit):
    manager = User.objects.get(username="kanri")
    report = build_report(manager, Selection())
    ws = load_workbook(io.BytesIO(render_xlsx(report)))["措置状況"]
    values = [v for v in column(ws, "A") if v]

    assert len(report.audits) >= 2
    for audit in report.audits:
        assert audit.title in values
    assert sum(v.startswith("1 監査の種類") for v in values) == len(report.audits)
    assert any("担当: 総務部 ICT戦略課" in v for v in values)


FORMULAS = ['=HYPERLINK("http://evil.example/","開く")', "+1", "-1", "@SUM(A1:A2)", "\tx"]


def test_formula_like_titles_are_written_as_quoted_text_and_bell_characters_dropped(
    make_finding, make_entry, auditor
):
    for title in FORMULAS:
        # No label and no viewpoint: the title is the very start of its cell.
        finding = make_finding(label="", viewpoint=None, title=title, body="鐘\x07の音")
        make_entry(finding, content="=1+1")
    data = render_xlsx(build_report(auditor, Selection()))
    ws = load_workbook(io.BytesIO(data))["措置状況"]
    cells = [c for c in ws["A"] if isinstance(c.value, str) and "鐘の音" in c.value]
    entries = [c for c in ws["B"] if isinstance(c.value, str) and c.value.endswith("=1+1")]

    assert [c.value.split("\n")[0] for c in cells] == FORMULAS
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert all(c.value.split("\n")[1] == "鐘の音" for c in cells)
    assert len(entries) == len(FORMULAS)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet


def test_error_codes_typed_as_text_stay_text(make_finding, auditor):
    finding = make_finding(label="", title="", viewpoint=None, body="#N/A")
    report = build_report(auditor, Selection(audit_id=finding.audit_id))
    ws = load_workbook(io.BytesIO(render_xlsx(report)))["措置状況"]
    cell = next(c for c in ws["A"] if c.value == "#N/A")

    assert cell.data_type == "s"


def test_an_unreported_finding_says_so_in_the_measures_column(finding, auditor):
    report = build_report(auditor, Selection())
    ws = load_workbook(io.BytesIO(render_xlsx(report)))["措置状況"]
    row = next(
        r
        for r in ws.iter_rows(min_col=1, max_col=2)
        if isinstance(r[0].value, str) and finding.body in r[0].value
    )

    assert row[1].value == "（未報告）"


def test_the_workbook_is_streamed_in_write_only_mode(finding, auditor, monkeypatch):
    made = []
    real = openpyxl.Workbook

    def spy(**kwargs):
        workbook = real(**kwargs)
        made.append(workbook)
        return workbook

    monkeypatch.setattr(reports.excel, "Workbook", spy)
    render_xlsx(build_report(auditor, Selection()))

    assert made and made[0].write_only
    assert all(isinstance(ws, WriteOnlyWorksheet) for ws in made[0].worksheets)


def test_a_text_taller_than_excels_highest_row_continues_in_the_next_rows(
    make_finding, make_entry, auditor
):
    body = "\n".join(f"第{n}段落。" + "サーバ室の整理整頓を徹底すること。" * 12 for n in range(12))
    finding = make_finding(body=body)
    make_entry(finding, content="短い措置。")
    ws = load_workbook(
        io.BytesIO(render_xlsx(build_report(auditor, Selection(audit_id=finding.audit_id))))
    )["措置状況"]
    rows = list(ws.iter_rows(min_col=1, max_col=2))
    start = next(
        i
        for i, r in enumerate(rows)
        if isinstance(r[0].value, str) and r[0].value.startswith("(3)")
    )
    pieces: list[str] = []
    for a, _ in rows[start:]:
        if a.value is None:
            break
        pieces.append(str(a.value))

    assert len(pieces) > 1
    assert "".join(pieces).replace("\n", "").endswith(body.replace("\n", ""))
    assert all(ws.row_dimensions[start + 1 + i].height <= 409 for i in range(len(pieces)))
    assert str(rows[start][1].value).startswith("【 継続努力 】")
    assert rows[start + 1][1].value is None
    # One tall cell to the eye: no line between the pieces, one under the last.
    assert not (rows[start][0].border.bottom and rows[start][0].border.bottom.style)
    assert not (rows[start + 1][0].border.top and rows[start + 1][0].border.top.style)
    assert rows[start + len(pieces) - 1][0].border.bottom.style == "thin"
    assert rows[start + len(pieces) - 1][1].border.bottom.style == "thin"


def test_a_single_paragraph_taller_than_a_row_is_cut_between_characters():
    from reports.excel import FINDING_WIDTH, MAX_LINES, line_count, split_to_fit

    text = "情報セキュリティ対策を徹底すること。" * 120

    pieces = split_to_fit(text, FINDING_WIDTH)

    assert len(pieces) > 1
    assert "".join(pieces) == text
    assert all(line_count(piece, FINDING_WIDTH) <= MAX_LINES for piece in pieces)


def test_headings_are_merged_across_the_table_and_nothing_else_is(seed_book):
    # The merges are handed to the sheet at once (excel._Writer.close); these are the
    # ones the per-range MultiCellRange.add wrote before, for seed 000.
    merged = {
        ws.title: sorted(str(r) for r in ws.merged_cells.ranges) for ws in seed_book.worksheets
    }

    assert merged["措置状況"] == sorted(f"A{n}:B{n}" for n in (1, 5, 6, 7, 8, 11, 21, 25, 46))
    assert merged["集計"] == ["A1:F1"]
