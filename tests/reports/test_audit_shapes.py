"""An audit of the shape other authorities publish (大阪市-style 監査委員監査): two kinds,
no audit period, five audited departments, two sections, four key risks with viewpoints
labelled ア, イ … again under each, findings that answer two viewpoints, 是正 / 改善
sub-classes, each finding addressed to one department. Every format prints it the same."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from audits.models import Audit, AuditKind, Department, User, ViewpointNumbering
from audits.services import add_key_risk, add_section, add_viewpoint, create_audit
from findings.models import Finding, FindingSubclass
from findings.services import add_finding
from reports.builder import Report, Selection, build_report
from reports.csv_export import render_csv
from reports.excel import KEY_RISK_SHEET, render_xlsx
from reports.pdf import render_pdf

KATAKANA = "アイウエ"
VIEWPOINTS_PER_RISK = (3, 3, 3, 2)  # 11 viewpoints under 4 key risks


@dataclass
class Shaped:
    audit: Audit
    findings: list[Finding]
    departments: list[Department]


@pytest.fixture
def shaped(db, auditor: User, kinds) -> Shaped:
    bureau = Department.objects.create(code="shimin", name="市民局")
    departments = [
        Department.objects.create(code=f"ka{i}", name=name, parent=bureau)
        for i, name in enumerate(["施設担当", "区政課", "窓口課", "戸籍課", "住民情報担当"])
    ]
    audit = create_audit(
        fiscal_year=2023,
        kinds=[AuditKind.objects.get(name="行政監査"), AuditKind.objects.get(name="財務監査")],
        theme="市民局の事務の執行について",
        audited_departments=departments,
        finding_kinds=[kinds["shiteki"], kinds["iken"]],
        report_number="監査公表第12号",
        report_date=datetime.date(2024, 3, 29),
        signers="監査委員　山田 太郎\n監査委員　鈴木 花子",
        viewpoint_numbering=ViewpointNumbering.PER_KEY_RISK,
        addressee_format="【{部局}（{課}）に対して】",
        user=auditor,
    )
    sections = [
        add_section(audit, number="1", title="重要リスクに着目した監査の結果", user=auditor),
        add_section(audit, number="2", title="その他の監査の結果", user=auditor),
    ]
    viewpoints = []
    for r, count in enumerate(VIEWPOINTS_PER_RISK, 1):
        risk = add_key_risk(audit, number=f"({r})", title=f"重要リスク{r}の内容", user=auditor)
        viewpoints.append(
            [
                add_viewpoint(
                    audit,
                    number=KATAKANA[v],
                    text=f"リスク{r}の着眼点{KATAKANA[v]}は適切か。",
                    key_risk=risk,
                    user=auditor,
                )
                for v in range(count)
            ]
        )
    zesei, kaizen = (
        FindingSubclass.objects.get(kind=kinds["shiteki"], name=name) for name in ("是正", "改善")
    )
    plan = [
        # (label, sub-class, first viewpoint, further viewpoint, department, section)
        ("指摘事項1", zesei, viewpoints[0][0], viewpoints[1][1], departments[0], sections[0]),
        ("指摘事項2", kaizen, viewpoints[0][2], viewpoints[2][0], departments[1], sections[0]),
        ("指摘事項3", zesei, viewpoints[2][1], viewpoints[3][1], departments[2], sections[0]),
        ("指摘事項4", kaizen, viewpoints[3][0], viewpoints[1][1], departments[3], sections[1]),
    ]
    findings = [
        add_finding(
            audit,
            kind=kinds["shiteki"],
            section=section,
            viewpoint=first,
            extra_viewpoints=[second],
            label=label,
            title=f"{label}の件名",
            body=f"{label}の本文。",
            subclass=subclass,
            departments=[department],
            user=auditor,
        )
        for label, subclass, first, second, department, section in plan
    ]
    return Shaped(audit, findings, departments)


def _report(shaped: Shaped, auditor: User) -> Report:
    return build_report(auditor, Selection(audit_id=shaped.audit.pk))


def test_header_joins_kinds_leaves_out_the_missing_period_and_names_the_signers(shaped, auditor):
    block = _report(shaped, auditor).audits[0]

    assert block.kind_name == "財務監査・行政監査"
    assert [label for _, label, _ in block.header_lines] == [
        "監査の種類",
        "監査のテーマ",
        "監査対象",
    ]
    assert [number for number, _, _ in block.header_lines] == ["1", "2", "3"]
    assert block.issuer_lines == [
        "監査公表第12号",
        "令和6年3月29日",
        "監査委員　山田 太郎",
        "監査委員　鈴木 花子",
    ]


def test_key_risk_table_lists_each_finding_under_every_viewpoint_it_answers(shaped, auditor):
    table = _report(shaped, auditor).audits[0].key_risks

    cells = {
        (row.key_risk.number, item.viewpoint.number): item.result_text
        for row in table
        for item in row.viewpoints
    }
    assert len(table) == 4
    assert len(cells) == 11
    assert cells[("(1)", "ア")] == "指摘事項1"
    assert cells[("(2)", "イ")] == "指摘事項1、指摘事項4"
    assert cells[("(3)", "ア")] == "指摘事項2"
    assert cells[("(4)", "イ")] == "指摘事項3"
    assert cells[("(1)", "イ")] == "—"
    assert sum(1 for text in cells.values() if text == "—") == 4


def test_each_finding_prints_once_under_its_first_viewpoint_with_key_risk_heading(shaped, auditor):
    rows = [
        row
        for kind in _report(shaped, auditor).audits[0].kinds
        for section in kind.sections
        for row in section.rows
    ]

    assert [row.path for row in rows] == ["指摘事項1", "指摘事項2", "指摘事項3", "指摘事項4"]
    first = rows[0]
    assert first.key_risk is not None and first.key_risk.line == "(1) 重要リスク1の内容"
    assert first.viewpoint is not None and first.viewpoint.line == "ア リスク1の着眼点アは適切か。"
    # 指摘事項2 stays under key risk (1): no second heading for it.
    assert rows[1].key_risk is None
    assert rows[1].viewpoint is not None and rows[1].viewpoint.number == "ウ"
    assert first.subclass_mark == "【是正】"
    assert first.addressee == "【市民局（施設担当）に対して】"
    assert first.extra_viewpoints == ("(2) イ",)


def test_csv_carries_viewpoint_sub_class_addressee_and_header_in_new_columns(shaped, auditor):
    rows = list(
        csv.DictReader(io.StringIO(render_csv(_report(shaped, auditor)).decode("utf-8-sig")))
    )

    first = rows[0]
    assert first["番号"] == "指摘事項1"
    assert first["重要リスク"] == "(1) 重要リスク1の内容"
    assert (first["着眼点番号"], first["着眼点"]) == ("ア", "リスク1の着眼点アは適切か。")
    assert first["ほかに答える着眼点"] == "(2) イ"
    assert first["細区分"] == "是正"
    assert first["あて先"] == "【市民局（施設担当）に対して】"
    assert first["報告番号"] == "監査公表第12号"
    assert first["監査の種類"] == "財務監査・行政監査"
    assert first["監査実施期間"] == ""


def test_csv_gives_the_wareki_date_of_each_entry(shaped, auditor, statuses):
    from remediation.services import record_entry, review_entry

    entry = record_entry(
        shaped.findings[0],
        status=statuses["keizoku"],
        entry_date=datetime.date(2024, 9, 30),
        content="検討を進めている。",
        user=auditor,
    )
    review_entry(entry, decision="accepted", user=auditor)
    rows = list(
        csv.DictReader(io.StringIO(render_csv(_report(shaped, auditor)).decode("utf-8-sig")))
    )

    assert (rows[0]["措置日"], rows[0]["措置日（和暦）"]) == ("2024-09-30", "令和6年9月30日")


def test_excel_has_the_key_risk_sheet_and_prints_marks_and_addressees(shaped, auditor):
    workbook = load_workbook(io.BytesIO(render_xlsx(_report(shaped, auditor))))

    table = [
        [cell for cell in row]
        for row in workbook[KEY_RISK_SHEET].iter_rows(min_row=2, values_only=True)
        if any(row)
    ]
    assert table[0] == ["重要リスク", "着眼点", "監査の結果"]
    assert table[1] == ["(1) 重要リスク1の内容", "ア リスク1の着眼点アは適切か。", "指摘事項1"]
    assert table[5] == [None, "イ リスク2の着眼点イは適切か。", "指摘事項1、指摘事項4"]
    main = "\n".join(
        str(value)
        for row in workbook["措置状況"].iter_rows(values_only=True)
        for value in row
        if value
    )
    assert "【市民局（施設担当）に対して】" in main
    assert "指摘事項1 指摘事項1の件名 【是正】" in main
    assert "監査公表第12号" in main


def test_pdf_prints_the_key_risk_table_marks_and_addressees(shaped, auditor):
    reader = PdfReader(io.BytesIO(render_pdf(_report(shaped, auditor))))
    text = "".join(page.extract_text() for page in reader.pages)

    for expected in (
        "重要リスク",
        "監査の結果",
        "財務監査・行政監査",
        "監査公表第12号",
        "監査委員　山田 太郎",
        "【是正】",
        "【改善】",
        "【市民局（施設担当）に対して】",
        "指摘事項1、指摘事項4",
        "—",
    ):
        assert expected in text, expected
