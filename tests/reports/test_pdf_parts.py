"""A large PDF laid out in parts on several cores (reports.pdf_parts): the same rows in
the same order, page numbers "n / N" continuous across the parts."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from reports import pdf_parts
from reports.builder import Selection, build_report
from reports.pdf import render_pdf
from tests.reports.conftest import compact, pdf_text


def _rows(report):
    return [row.finding_id for audit in report.audits for _, _, row in audit.rows()]


def test_parts_hold_every_row_once_in_order_and_continue_what_they_cut(
    seed_report_user, seed_audit
):
    report = build_report(seed_report_user, Selection(audit_id=seed_audit.pk))

    first, second = pdf_parts.split(report, 2)

    assert _rows(first) + _rows(second) == _rows(report)
    assert _rows(first) and _rows(second)
    assert not first.audits[0].continued
    assert second.audits[0].continued  # one audit: the second part goes on with it
    kinds = [k.code for k in first.audits[0].kinds] + [
        k.code for k in second.audits[0].kinds if not k.continued
    ]
    assert kinds == [k.code for k in report.audits[0].kinds]  # every kind once


def test_small_reports_are_laid_out_in_one_piece():
    assert pdf_parts.workers_for(1_000) == 1


@pytest.fixture
def in_two_parts(monkeypatch):
    monkeypatch.setattr(pdf_parts, "workers_for", lambda chars: 2)


def test_a_pdf_in_parts_numbers_its_pages_across_the_whole_document(
    in_two_parts, seed_report_user, seed_audit, seed_fixture, assert_in_order
):
    from tests.reports.test_pdf import _expected_sequence

    report = build_report(seed_report_user, Selection(audit_id=seed_audit.pk))
    told: list[float] = []
    content = render_pdf(report, author="監査 太郎", progress=told.append)

    # Progress: this process's part page by page, then the join; never back.
    assert told == sorted(told)
    assert any(0 < fraction < 0.9 for fraction in told)
    assert told[-2:] == [0.9, 1.0]
    reader = PdfReader(io.BytesIO(content))
    pages = [compact(page.extract_text()) for page in reader.pages]
    total = len(pages)
    for number, page in enumerate(pages, 1):
        assert f"{number}/{total}" in page, f"page {number} lacks its number"
    assert_in_order(pdf_text(content), _expected_sequence(seed_fixture))
    title = compact(report.title)
    assert sum(page.count(title) for page in pages) == 1  # the title block printed once
    assert reader.metadata is not None
    assert reader.metadata.get("/Author") == "監査 太郎"


def test_a_part_that_fails_in_its_child_falls_back_to_one_layout(
    in_two_parts, monkeypatch, seed_report_user, seed_audit
):
    """A child that dies (or hangs past its time, killed) gives no part: the report is
    then laid out in one process, with the numbers WeasyPrint prints itself."""

    def die(layout, html, pipe):  # what a crashed child leaves: a closed pipe, nothing sent
        pipe.close()

    monkeypatch.setattr(pdf_parts, "_layout_into", die)
    report = build_report(seed_report_user, Selection(audit_id=seed_audit.pk))
    content = render_pdf(report)

    pages = [compact(page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]
    assert all(f"{n}/{len(pages)}" in page for n, page in enumerate(pages, 1))
    assert sum(page.count(compact(report.title)) for page in pages) == 1


def test_a_child_slower_than_its_grace_is_killed(monkeypatch):
    monkeypatch.setattr(pdf_parts, "CHILD_GRACE_SECONDS", 0.5)

    def hang(layout, html, pipe):
        import time

        time.sleep(60)

    monkeypatch.setattr(pdf_parts, "_layout_into", hang)
    pages = ["<p>1</p>", "<p>2</p>"]
    assert pdf_parts._layout_side_by_side(pages, lambda html: b"%PDF-first") is None


def test_the_joined_file_holds_each_page_once(in_two_parts, seed_report_user, seed_audit):
    """The number pages leave no orphans (they were appended, then deleted) and each
    page's content is written once: per page its content stream, the q and the Q that
    draws the number, and the number's form; then the fonts."""
    from pypdf.generic import StreamObject

    report = build_report(seed_report_user, Selection(audit_id=seed_audit.pk))
    reader = PdfReader(io.BytesIO(render_pdf(report)))

    streams = [
        number
        for numbers in reader.xref.values()
        for number in numbers
        if isinstance(reader.get_object(number), StreamObject)
    ]
    fonts_and_maps = (2 * 2 + 1) * 2  # the parts' 2 weights, the numbers' 1: font + map
    assert len(streams) == 4 * len(reader.pages) + fonts_and_maps


def test_a_cut_near_an_audits_start_moves_there(seed_report_user, monkeypatch):
    """Each audit after the first starts a new page: a part that starts there looks as
    in a single layout, so a cut close enough moves to it."""
    report = build_report(seed_report_user, Selection())
    assert len(report.audits) >= 2
    monkeypatch.setattr(pdf_parts, "AUDIT_CUT_SLACK", 1.0)  # any audit start is near

    parts = pdf_parts.split(report, 2)

    assert _rows(parts[0]) + _rows(parts[1]) == _rows(report)
    assert not parts[1].audits[0].continued  # the second part begins with an audit
    monkeypatch.setattr(pdf_parts, "AUDIT_CUT_SLACK", 0.0)
    assert pdf_parts.split(report, 2)[1].audits[0].continued  # the balanced cut
