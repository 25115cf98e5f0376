"""The PDF a 監査委員 receives: the seed-000 table's structure, wording and dates."""

from __future__ import annotations

import datetime
import io
import logging
from typing import Any

import pytest
from pypdf import PdfReader

from audits.wareki import format_wareki
from remediation.models import RemediationStatus
from reports.builder import Selection, build_report
from reports.pdf import render_pdf
from tests.reports.conftest import compact, pdf_text


def _seed_pdf(user, audit, **selection) -> str:
    report = build_report(user, Selection(audit_id=audit.pk, **selection))
    return pdf_text(render_pdf(report))


def _expected_sequence(fixture: dict[str, Any], as_of: datetime.date | None = None) -> list[str]:
    """Every finding heading and every entry heading of the transcription, in print order."""
    names = dict(RemediationStatus.objects.values_list("code", "name"))
    sequence = []

    def walk(row: dict[str, Any]) -> None:
        if row["title"]:
            sequence.append(" ".join(p for p in (row["label"], row["title"]) if p))
        else:
            sequence.append(f"{row['label']} {row['body'][:15]}")
        for entry in sorted(row["entries"], key=lambda e: e["date"]):
            day = datetime.date.fromisoformat(entry["date"])
            if as_of is None or day <= as_of:
                sequence.append(f"【 {names[entry['status']]} 】 {format_wareki(day, padded=True)}")
        for child in row.get("children", []):
            walk(child)

    for row in fixture["findings"]:
        walk(row)
    return sequence


def test_seed_pdf_has_the_title_and_header_lines(seed_report_user, seed_audit):
    text = _seed_pdf(seed_report_user, seed_audit)

    assert compact(
        "令和2年度 行政監査の結果（指摘・意見・リスク発現の可能性があるもの）に基づく措置状況等の報告"
    ) in compact(text)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "1 監査の種類 行政監査" in lines
    assert "2 監査のテーマ 情報セキュリティの管理について" in lines
    assert "3 監査対象 総務部 ICT戦略課" in lines
    assert "4 監査実施期間 令和 3年 2月10日" in lines


def test_seed_pdf_prints_every_finding_and_entry_in_order(
    seed_report_user, seed_audit, seed_fixture, assert_in_order
):
    text = _seed_pdf(seed_report_user, seed_audit)

    assert_in_order(text, _expected_sequence(seed_fixture))
    # The padded 和暦 of the official table survives as printed, spaces included.
    assert "【 措置済 】 令和 3年 5月31日" in text.splitlines()
    assert "【 継続努力 】 令和 4年 3月31日" in text.splitlines()


def test_seed_pdf_prints_kinds_sections_and_nothing_where_empty(
    seed_report_user, seed_audit, assert_in_order
):
    text = _seed_pdf(seed_report_user, seed_audit)

    assert_in_order(
        text,
        [
            "指 摘",
            "1 想定されるリスクからの着眼点に着目して行った監査の結果",
            "指 摘 措置（具体的内容）・対応状況",
            "(2) 全庁的な情報システムに係るセキュリティ管理を統括する体制",
            "情報セキュリティ責任者等について",
            "2 3E（経済性、効率性、有効性）、合規性等の視点から行った監査の結果",
            "特になし",  # 指摘 section 2 is empty
            "意見",
            "意見 措置（具体的内容）・対応状況",
            "リスク発現の可能性があるもの",
            "特になし",  # the whole kind is empty: no sections printed
        ],
    )
    tail = compact(text).split(compact("リスク発現の可能性があるもの"))[-1]
    assert "監査の結果" not in tail


def test_table_header_repeats_on_every_page_of_a_table(seed_report_user, seed_audit):
    reader = PdfReader(
        io.BytesIO(render_pdf(build_report(seed_report_user, Selection(audit_id=seed_audit.pk))))
    )
    pages = [compact(page.extract_text()) for page in reader.pages]

    assert len(pages) > 2
    header = compact("措置（具体的内容）・対応状況")
    # Every page holding a table row starts that table's header again (thead).
    for number, page in enumerate(pages, 1):
        if "【" in page:
            assert header in page, f"page {number} lacks the table header"
    assert f"1/{len(pages)}" in pages[0]


def test_as_of_report_shows_the_state_on_that_date(
    seed_report_user, seed_audit, seed_fixture, assert_in_order
):
    as_of = datetime.date(2021, 9, 30)
    text = _seed_pdf(seed_report_user, seed_audit, as_of=as_of)

    assert "令和 4年" not in text
    assert_in_order(text, _expected_sequence(seed_fixture, as_of))
    # (3)① was 継続努力 on 令和3年9月30日; its 措置済 came in 令和4年.
    assert_in_order(
        text,
        [
            "① サーバ室内の整理整頓について",
            "【 継続努力 】 令和 3年 9月30日",
            "② サーバのバックアップ",
        ],
    )
    assert "令和3年9月30日現在" in text


def test_open_only_leaves_out_findings_whose_measures_are_done(seed_report_user, seed_audit):
    text = compact(_seed_pdf(seed_report_user, seed_audit, open_only=True))

    assert compact("情報セキュリティ責任者等について") not in text  # 措置済
    assert compact("② CSIRTの体制強化について") in text  # 継続努力
    assert compact("① 認証情報の多要素化について") in text


def test_department_selection_excludes_other_departments_findings(
    manager, finding, jinji_finding, ict, make_entry
):
    make_entry(finding)
    report = build_report(manager, Selection(department_id=ict.pk))
    text = compact(pdf_text(render_pdf(report)))

    assert compact("サーバ室内の整理整頓について") in text
    assert compact("人事記録の持ち出しについて") not in text
    assert "ICT戦略課" in text  # the selection line


def test_cross_audit_pdf_ends_with_the_summary(manager, finding, jinji_finding, make_entry):
    make_entry(finding, status="sochizumi")
    report = build_report(manager, Selection(fiscal_year=2020))
    text = pdf_text(render_pdf(report))

    flat = compact(text)
    assert flat.index("集計") > flat.index(compact("人事記録の持ち出しについて"))
    assert compact("監査別") in flat and compact("担当所属別") in flat
    assert compact("総務部 人事課") in flat


def test_pdf_metadata_names_title_selection_and_author(manager, finding):
    report = build_report(manager, Selection(fiscal_year=2020, as_of=datetime.date(2021, 9, 30)))
    reader = PdfReader(io.BytesIO(render_pdf(report, author="総務部 管理 三郎")))

    meta = reader.metadata
    assert meta is not None
    assert meta.title == report.title
    assert "令和3年9月30日現在" in (meta.subject or "")
    assert "令和2年度" in str(meta["/Keywords"])
    assert meta.author == "総務部 管理 三郎"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_rare_kanji_render_with_the_bundled_font_without_missing_glyphs(
    manager, make_finding, make_entry
):
    rare = make_finding(
        title="髙橋・山﨑・𠮟責・剝離・頰について",
        body="髙木課長と山﨑係長が確認した。①②③ ㈱ ㍻ 〜 ～ ‐ ― ＝ ÷ ¥\n二行目の段落。",
    )
    make_entry(rare, content="髙﨑市の例を参考にした。")
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        content = render_pdf(build_report(manager, Selection(audit_id=rare.audit_id)))
    finally:
        logger.removeHandler(handler)

    suspicious = [
        m for m in handler.messages if any(w in m.lower() for w in ("glyph", "notdef", "font"))
    ]
    assert suspicious == []
    text = pdf_text(content)
    assert "髙" in text and "﨑" in text


def _fonts(reader: PdfReader) -> list[tuple[str, dict[str, Any]]]:
    found: dict[str, dict[str, Any]] = {}
    for page in reader.pages:
        resources: Any = page["/Resources"].get_object()
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            targets = [d.get_object() for d in descendants] if descendants else [font]
            for target in targets:
                found[str(target["/BaseFont"])] = target["/FontDescriptor"].get_object()
    return sorted(found.items())


def test_every_font_in_the_pdf_is_the_embedded_bundled_font(seed_report_user, seed_audit):
    reader = PdfReader(
        io.BytesIO(render_pdf(build_report(seed_report_user, Selection(audit_id=seed_audit.pk))))
    )

    fonts = _fonts(reader)
    assert {name.split("+")[-1] for name, _ in fonts} == {
        "Noto-Sans-JP-Subset",
        "Noto-Sans-JP-Subset-Bold",
    }
    for name, descriptor in fonts:
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), name


def test_a_row_longer_than_a_page_splits_instead_of_overflowing(manager, make_finding, make_entry):
    body = "\n".join(f"本文{i:03d}番の段落です。" + "長い本文が続きます。" * 6 for i in range(40))
    measures = "\n".join(
        f"措置{i:03d}番の段落です。" + "長い措置が続きます。" * 6 for i in range(40)
    )
    long = make_finding(title="長い指摘", body=body)
    make_entry(long, content=measures)
    content = render_pdf(build_report(manager, Selection(audit_id=long.audit_id)))
    text = compact(pdf_text(content))

    assert len(PdfReader(io.BytesIO(content)).pages) >= 3
    for i in range(40):  # nothing cut off at a page end
        assert f"本文{i:03d}番" in text
        assert f"措置{i:03d}番" in text


@pytest.mark.parametrize("count", [1])
def test_empty_per_audit_report_prints_nothing_for_every_kind(manager, audit, count):
    text = pdf_text(render_pdf(build_report(manager, Selection(audit_id=audit.pk))))

    assert compact(text).count("特になし") >= count
