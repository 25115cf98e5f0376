"""The CSV rendering: one row per remediation entry, Excel-readable, never a formula."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from audits.demo import load_demo
from audits.models import Audit, User
from reports.builder import Selection, build_report
from reports.csv_export import render_csv

EXPECTED = json.loads(
    (Path(settings.BASE_DIR) / "fixtures" / "audit_000_expected.json").read_text("utf-8")
)
# The first twelve columns keep their place; the audit shapes added the rest after them.
HEADER = (
    "年度,監査の種類,監査のテーマ,区分,節,番号,件名,本文,担当所属,状況,措置日,措置内容,"
    "重要リスク,着眼点番号,着眼点,ほかに答える着眼点,細区分,あて先,措置日（和暦）,"
    "報告番号,報告日,監査実施期間"
)
SECTION_1 = "1 想定されるリスクからの着眼点に着目して行った監査の結果"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # load_demo hashes five demo passwords; the default hasher would take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seed_audit(db) -> Audit:
    load_demo()
    return Audit.objects.get(fiscal_year=2020, theme="情報セキュリティの管理について")


def parse(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def seed_csv(audit: Audit, **selection: Any) -> bytes:
    manager = User.objects.get(username="kanri")
    return render_csv(build_report(manager, Selection(audit_id=audit.pk, **selection)))


def test_file_starts_with_a_bom_and_the_exact_header_and_uses_crlf(seed_audit):
    data = seed_csv(seed_audit)

    assert data.startswith(b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n")
    assert data.endswith(b"\r\n")


def test_seed_000_has_one_row_per_entry_in_print_order(seed_audit):
    rows = parse(seed_csv(seed_audit))
    entry_rows = [r for r in rows if r["措置日"]]
    expected = [
        [finding["path"], status, day]
        for finding in EXPECTED["findings"]
        for status, day in finding["entries"]
    ]

    assert len(entry_rows) == 33
    assert [[r["番号"], r["状況"], r["措置日"]] for r in entry_rows] == expected
    assert {r["年度"] for r in rows} == {"2020"}
    assert {r["監査の種類"] for r in rows} == {"行政監査"}
    assert {r["担当所属"] for r in rows} == {"総務部 ICT戦略課"}


def test_a_parent_of_sub_items_gets_one_row_without_a_status(seed_audit):
    rows = parse(seed_csv(seed_audit))
    no_entry = [r for r in rows if not r["措置日"]]

    assert len(rows) == 34
    assert [(r["番号"], r["状況"], r["措置内容"]) for r in no_entry] == [("(5)③", "", "")]
    assert no_entry[0]["件名"] == "情報システムの適正な稼働の確保について"


def test_a_finding_with_two_entries_repeats_its_text_on_both_rows(seed_audit):
    rows = [r for r in parse(seed_csv(seed_audit)) if r["番号"] == "(3)①" and r["区分"] == "指摘"]

    assert [(r["状況"], r["措置日"]) for r in rows] == [
        ("継続努力", "2021-09-30"),
        ("措置済", "2022-03-31"),
    ]
    assert rows[0]["件名"] == rows[1]["件名"] == "サーバ室内の整理整頓について"
    assert rows[0]["節"] == SECTION_1
    assert rows[0]["措置内容"].startswith("不用なものは廃棄するなど")


def test_sub_items_carry_their_full_number(seed_audit):
    numbers = [r["番号"] for r in parse(seed_csv(seed_audit)) if r["区分"] == "意見"]

    assert "(5)③ア" in numbers and "(5)③イ" in numbers


def test_as_of_leaves_out_later_entries(seed_audit):
    rows = parse(seed_csv(seed_audit, as_of=datetime.date(2021, 9, 30)))

    assert rows
    assert all(r["措置日"] <= "2021-09-30" for r in rows if r["措置日"])
    assert not any(r["措置日"].startswith("2022") for r in rows)
    finding = [r for r in rows if r["番号"] == "(3)①" and r["区分"] == "指摘"]
    assert [(r["状況"], r["措置日"]) for r in finding] == [("継続努力", "2021-09-30")]
    assert len([r for r in rows if r["措置日"]]) == sum(
        1 for f in EXPECTED["findings"] for _, day in f["entries"] if day <= "2021-09-30"
    )


def test_a_finding_without_entries_gets_one_unreported_row(finding, auditor):
    rows = parse(render_csv(build_report(auditor, Selection(audit_id=finding.audit_id))))

    assert [(r["番号"], r["状況"], r["措置日"], r["措置内容"]) for r in rows] == [
        ("(3)①", "未報告", "", "")
    ]


def test_a_department_selection_leaves_out_another_departments_finding(
    make_finding, make_entry, auditor, ict, jinji, jinji_staff
):
    ours = make_finding(title="ICT戦略課の件", departments=[ict])
    theirs = make_finding(label="②", title="人事課の件", departments=[jinji])
    make_entry(ours)
    make_entry(theirs, user=jinji_staff)

    rows = parse(render_csv(build_report(auditor, Selection(department_id=ict.pk))))

    assert [r["件名"] for r in rows] == ["ICT戦略課の件"]
    assert rows[0]["担当所属"] == "総務部 ICT戦略課"


def test_several_departments_are_joined_with_the_japanese_comma(make_finding, auditor, ict, jinji):
    finding = make_finding(departments=[ict, jinji])

    rows = parse(render_csv(build_report(auditor, Selection(audit_id=finding.audit_id))))

    assert set(rows[0]["担当所属"].split("、")) == {"総務部 ICT戦略課", "総務部 人事課"}


FORMULAS = ['=HYPERLINK("http://evil.example/","開く")', "+1", "-1", "@SUM(A1:A2)", "\tx"]


def test_formula_like_text_gets_an_apostrophe_and_bell_characters_are_dropped(
    make_finding, make_entry, auditor
):
    for i, title in enumerate(FORMULAS):
        finding = make_finding(label=str(i), title=title, body="鐘\x07の音")
        make_entry(finding, content="-1 から始まる措置")
    rows = parse(render_csv(build_report(auditor, Selection())))

    assert [r["件名"] for r in rows] == [f"'{title}" for title in FORMULAS]
    assert {r["本文"] for r in rows} == {"鐘の音"}
    assert {r["措置内容"] for r in rows} == {"'-1 から始まる措置"}
    assert {r["番号"] for r in rows} == {f"(3){i}" for i in range(len(FORMULAS))}
