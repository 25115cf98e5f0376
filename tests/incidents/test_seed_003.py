"""Seed 003 資料3 「セキュリティ障害について」: the demo's four incidents, printed as the
seed prints them (PDF text), as CSV rows, and through `export_report --incidents`."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from config.commandline import parse_fiscal_year_argument
from findings.models import Finding
from incidents.demo import load_incident_demo
from incidents.exports import INCIDENT_FORMATS
from incidents.models import Incident
from incidents.register import build_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed(auditor) -> list[Incident]:
    return load_incident_demo(auditor)


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def test_the_demo_is_idempotent_and_spans_two_fiscal_years(seed, auditor):
    assert load_incident_demo(auditor) == []
    assert Incident.objects.count() == 4
    assert sorted((i.fiscal_year, i.number) for i in seed) == [
        (2014, 1), (2014, 2), (2015, 1), (2015, 2),
    ]  # fmt: skip


def test_the_measures_are_tracked_with_the_seed_state(seed):
    statuses = [
        [f.current_status.name for f in Finding.objects.filter(section=i.section).with_status()]
        for i in seed
    ]
    assert statuses == [["継続努力"], ["未報告"], ["措置済"], ["措置済"]]


def test_the_pdf_prints_the_seed(seed, auditor):
    doc = build_register(auditor, 2014, 2015)

    text = _pdf_text(INCIDENT_FORMATS["pdf"].render(doc))

    expected = [
        "セキュリティ障害について",
        "以下の4件です。",
        "(1)プログラムミス（1件）",
        "平成26年8月財政局市民税企画課2,352件完全性",
        "【記者発表】平成26年8月7日",
        "システム構築時における仕様確定作業の見直しを行うとともにテスト結果の確認作業の徹底を図る。",
        "(2)データの取り込みミス（1件）",
        "平成26年12月健康福祉局障害企画課109件完全性",
        "【記者発表】平成26年12月19日",
        "(3)機器の障害（1件）",
        "平成27年5月交通局IC乗車券推進室785件(枚)可用性",
        "監視盤に警報が上がるよう改修を行った。",
        "(4)プログラムミス（1件）",
        "平成26年12月～平成27年5月交通局IC乗車券推進室251件(枚)完全性",
        "【記者発表】平成27年7月7日",
        "類似の誤処理が発生しないよう、プログラムを総点検した。",
        "措置状況：措置済（平成27年7月29日）",
        "プログラムミス2件",
        "合計4件",
    ]
    for line in expected:
        assert line in text, line
    assert (
        text.index("(1)プログラムミス")
        < text.index("(2)データの取り込みミス")
        < text.index("(3)機器の障害")
        < text.index("(4)プログラムミス")
    )


def test_each_fiscal_year_holds_its_own_two(seed, auditor):
    first, second = build_register(auditor, 2014), build_register(auditor, 2015)

    assert [r.department for r in first.rows] == ["財政局市民税企画課", "健康福祉局障害企画課"]
    assert [r.type_name for r in second.rows] == ["機器の障害", "プログラムミス"]
    assert [(c.name, c.count) for c in first.type_counts] == [
        ("プログラムミス", 1), ("データの取り込みミス", 1),
    ]  # fmt: skip
    assert (
        first.intro == "平成26年度に各課からセキュリティ障害として報告のあった事例は以下の2件です。"
    )


def test_the_csv_has_one_row_per_incident(seed, client, auditor):
    client.force_login(auditor)

    response = client.get(
        reverse("incident_export", args=["csv"]), {"fiscal_year": "2014", "to": "2015"}
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [
        (r["種別"], r["発生年月"], r["所管課"], r["データ件数"], r["分類"], r["記者発表"])
        for r in rows
    ] == [
        ("プログラムミス", "平成26年8月", "財政局市民税企画課", "2,352件", "完全性", "平成26年8月7日"),
        ("データの取り込みミス", "平成26年12月", "健康福祉局障害企画課", "109件", "完全性", "平成26年12月19日"),
        ("機器の障害", "平成27年5月", "交通局IC乗車券推進室", "785件(枚)", "可用性", "平成27年6月23日"),
        ("プログラムミス", "平成26年12月～平成27年5月", "交通局IC乗車券推進室", "251件(枚)", "完全性", "平成27年7月7日"),
    ]  # fmt: skip
    assert rows[2]["措置状況"] == "措置済（平成27年7月29日）"


def test_the_workbook_has_the_register_and_the_counts(seed, auditor):
    content = INCIDENT_FORMATS["xlsx"].render(build_register(auditor, 2014, 2015))

    book = load_workbook(io.BytesIO(content), read_only=True)
    register = [r for r in book["セキュリティ障害"].iter_rows(values_only=True)]
    counts = [r for r in book["種別ごとの件数"].iter_rows(values_only=True)]
    assert register[3][:4] == ("番号", "年度", "年度内番号", "種別")
    assert len(register) == 4 + 4
    assert ("プログラムミス", 2) in counts and ("合計", 4) in counts


def test_formula_like_text_is_neutralised(make_incident, auditor):
    make_incident(title='=HYPERLINK("http://x")', summary="@SUM(A1)")
    doc = build_register(auditor, 2014)

    text = INCIDENT_FORMATS["csv"].render(doc).decode("utf-8-sig")

    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text


@pytest.mark.parametrize(
    ("given", "year"),
    [
        ("2014", 2014),
        ("平成26", 2014),
        ("H26", 2014),
        ("平成26年度", 2014),
        ("ｈ２７", 2015),
        ("R元", 2019),
    ],
)
def test_fiscal_years_are_read_as_typed(given, year):
    assert parse_fiscal_year_argument(given, option="--incidents") == year


@pytest.mark.parametrize("given", ["26", "平成", "X26", "1800", "平成99年度x"])
def test_unreadable_fiscal_years_are_refused(given):
    with pytest.raises(CommandError, match="年度として読めません"):
        parse_fiscal_year_argument(given, option="--incidents")


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "csv"])
def test_export_report_writes_the_register(seed, auditor, tmp_path, fmt):
    target = tmp_path / f"register.{fmt}"
    out = io.StringIO()

    call_command(
        "export_report", "--incidents", "H26", "--through", "平成27", "--format", fmt,
        "-o", str(target), "--user", auditor.username, stdout=out,
    )  # fmt: skip

    assert "セキュリティ障害 4 件" in out.getvalue()
    content = target.read_bytes()
    if fmt == "pdf":
        assert "(4)プログラムミス（1件）" in _pdf_text(content)
    elif fmt == "csv":
        assert content.decode("utf-8-sig").count("\r\n") == 5


def test_export_report_refuses_options_of_other_reports(seed, tmp_path):
    with pytest.raises(CommandError, match="--audit"):
        call_command(
            "export_report", "--incidents", "2014", "--audit", "1", "-o", str(tmp_path / "x.pdf")
        )
    with pytest.raises(CommandError, match="--through"):
        call_command("export_report", "--through", "2015", "-o", str(tmp_path / "x.pdf"))


def test_export_report_as_staff_prints_only_their_department(seed, tmp_path):
    from audits.demo import staff_for

    staff = staff_for(seed[2].department)
    target = tmp_path / "mine.csv"

    call_command(
        "export_report", "--incidents", "2014", "--through", "2015", "--format", "csv",
        "-o", str(target), "--user", staff.username, stdout=io.StringIO(),
    )  # fmt: skip

    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert {r["所管課"] for r in rows} == {"交通局IC乗車券推進室"}
