"""The 措置状況 report as a PDF (WeasyPrint), from templates/reports/report_pdf.html.

Fonts come only from static/css/fonts.css (the bundled "Noto Sans JP Subset", regular
and bold), loaded through a FontConfiguration with the static directory as base URL,
so a server without any Japanese system font prints the same file.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.template.loader import render_to_string

from reports import pdf_parts
from reports.builder import FindingRow
from reports.pdf_parts import Layout

if TYPE_CHECKING:
    from reports.builder import Report
    from reports.summary import AuditSummary

STATIC_DIR = Path(settings.BASE_DIR) / "static"
FONTS_CSS = STATIC_DIR / "css" / "fonts.css"

# Rough text capacity of the A4 portrait layout in report_pdf.css (9pt type, 1.5 line
# height): characters per line in each column and lines per page body.
_FINDING_COLUMN_CHARS = 28
_MEASURE_COLUMN_CHARS = 25
# Rows up to ~40% of a page are kept whole; longer ones flow on as in the published
# table, or every page would end in a large gap.
_KEEP_MAX_LINES = 22


def _lines(paragraphs: list[str], width: int) -> int:
    return sum(max(1, math.ceil(len(p) / width)) for p in paragraphs)


def _fits_on_a_page(row: FindingRow) -> bool:
    """Only rows clearly shorter than a page get break-inside: avoid: an oversized row
    pushed to a new page would otherwise leave a gap or overflow."""
    left = [row.viewpoint.line if row.viewpoint else "", row.heading, *row.body.splitlines()]
    right = [line for e in row.entries for line in (e.heading, *e.content.splitlines())]
    return (
        max(_lines(left, _FINDING_COLUMN_CHARS), _lines(right, _MEASURE_COLUMN_CHARS))
        <= _KEEP_MAX_LINES
    )


def metadata(report: Report) -> dict[str, str]:
    """Description and keywords for the PDF's document information."""
    audits = report.audits
    description = report.title
    if report.selection_label:
        description += f"（{report.selection_label}）"
    keywords = ["措置状況"]
    keywords += sorted({a.fiscal_year_label for a in audits})
    keywords += sorted({a.kind_name for a in audits})
    if report.selection_label:
        keywords += report.selection_label.split("・")
    return {"description": description, "keywords": ", ".join(dict.fromkeys(keywords))}


def is_single_audit(report: Report) -> bool:
    return report.selection.audit_id is not None and len(report.audits) == 1


def render_html(
    report: Report,
    *,
    author: str = "",
    continuation: bool = False,
    summary: bool = True,
    single_audit: bool | None = None,
) -> str:
    """For a PDF made in parts (reports.pdf_parts): continuation leaves out the title
    block, summary is False but for the last part, single_audit is the whole report's."""
    keep = {
        row.finding_id
        for audit in report.audits
        for _, _, row in audit.rows()
        if _fits_on_a_page(row)
    }
    if single_audit is None:
        single_audit = is_single_audit(report)
    return render_to_string(
        "reports/report_pdf.html",
        {
            "report": report,
            "single_audit": single_audit,
            "show_summary": summary and not single_audit,
            "continuation": continuation,
            "show_departments": not single_audit,
            "keep_ids": keep,
            "author": author,
            **metadata(report),
        },
    )


# A run of characters with no line-break opportunity for Pango (Latin letters, digits,
# symbols; not spaces, CJK or the characters of an HTML tag or entity) ...
_UNBREAKABLE_RUN = re.compile(r"[^\s<>&;\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]{30,}")
# ... gets a zero-width space every this many characters, fewer than the narrowest table
# cell holds. overflow-wrap: anywhere in the stylesheet breaks such a run too, but
# WeasyPrint then lays out the rest of the run again for every line: a 100,000-character
# body took 293 s (20,000: 13 s); with the spaces it takes 10 s (bench/long_body_pdf.py).
_BREAK_EVERY = 10
_ZWSP = "\u200b"
_TAG = re.compile(r"(<[^>]*>)")


def _break_run(match: re.Match[str]) -> str:
    run = match.group(0)
    return _ZWSP.join(run[i : i + _BREAK_EVERY] for i in range(0, len(run), _BREAK_EVERY))


def breakable_html(html: str) -> str:
    """The page with break opportunities in long unbroken text of its body (URLs, file
    names, pasted tokens): only text between tags changes, never a tag or an entity."""
    head, marker, body = html.partition("<body")
    if not marker:
        head, body = "", html
    parts = _TAG.split(body)
    for i in range(0, len(parts), 2):  # even items are text, odd ones tags
        parts[i] = _UNBREAKABLE_RUN.sub(_break_run, parts[i])
    return head + marker + "".join(parts)


class PdfTooLarge(Exception):
    """The page holds more text than a web request may lay out; str() is the message."""


_SPACE = re.compile(r"\s+")


def text_size(html: str) -> int:
    """Characters of printed text in the page's body (tags and white space left out):
    what WeasyPrint's layout time grows with."""
    body = html.partition("<body")[2] or html
    return len(_SPACE.sub("", _TAG.sub("", body)))


def check_size(html: str, limit: int | None) -> None:
    """PdfTooLarge when the page is over the limit: a web request must end well within
    the worker timeout (GUNICORN_TIMEOUT), so a larger PDF is made by the command."""
    if limit is not None:
        check_chars(text_size(html), limit)


def check_chars(size: int, limit: int | None) -> None:
    """check_size for a page whose printed text is `size` characters."""
    if limit is not None and size > limit:
        raise PdfTooLarge(
            f"選んだ範囲は文字数が多すぎるため（{size:,}文字、画面からの PDF は"
            f"{limit:,}文字まで）、PDF を作れません。条件（監査・年度・担当所属）を絞るか、"
            "Excel・CSV で出力してください。全体の PDF は管理者がコマンド"
            "（python manage.py export_report）で作成できます。"
        )


# Told how far a PDF is, as a fraction from 0 to 1 (reports.jobs writes it to the job).
Progress = Callable[[float], None]

# Printed characters a page of the 措置状況 table holds, about (500 findings / 1,500
# entries: 250 pages): turns WeasyPrint's page count into a fraction of the layout.
CHARS_PER_PAGE = 1_300
# Layout is most of the work; writing the PDF (and joining parts) is the rest.
LAYOUT_SHARE = 0.85

_PAGE_MESSAGE = "Step 5 - Creating layout - Page %d"


class _PageListeners(logging.Handler):
    """WeasyPrint logs each page it lays out on the 'weasyprint.progress' logger; a PDF
    made with progress listens there for its own thread's pages. Keyed by process and
    thread: a forked child inherits the listener but must not call it (it would write
    to the database through its parent's connection)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.listeners: dict[tuple[int, int], Callable[[int], None]] = {}
        self.guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        listener = self.listeners.get((os.getpid(), record.thread or 0))
        if listener is not None and record.msg == _PAGE_MESSAGE and record.args:
            listener(cast(tuple[int], record.args)[0])

    @contextmanager
    def listening(self, listener: Callable[[int], None]) -> Iterator[None]:
        logger = logging.getLogger("weasyprint.progress")
        key = (os.getpid(), threading.get_ident())
        with self.guard:
            if not self.listeners:
                logger.addHandler(self)
                # The page messages go to this handler only, not to the console.
                logger.setLevel(logging.INFO)
                logger.propagate = False
            self.listeners[key] = listener
        try:
            yield
        finally:
            with self.guard:
                self.listeners.pop(key, None)
                if not self.listeners:
                    logger.removeHandler(self)
                    logger.setLevel(logging.NOTSET)
                    logger.propagate = True


_PAGES = _PageListeners()


def html_to_pdf(html: str, progress: Progress | None = None) -> bytes:
    """A print HTML page as PDF, with the bundled font and nothing from the system.
    With `progress`, told the share of the pages laid out (estimated from the text),
    then 1 when the PDF is written."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    fonts_css = CSS(filename=str(FONTS_CSS), font_config=font_config)
    document = HTML(string=breakable_html(html), base_url=f"{STATIC_DIR}/")
    if progress is None:
        pdf: bytes = document.write_pdf(stylesheets=[fonts_css], font_config=font_config)
        return pdf
    report = progress
    expected = max(1, text_size(html) // CHARS_PER_PAGE)

    def laid_out(page: int) -> None:
        report(min(page / expected, 1.0) * LAYOUT_SHARE)

    with _PAGES.listening(laid_out):
        rendering = document.render(stylesheets=[fonts_css], font_config=font_config)
    report(LAYOUT_SHARE)
    pdf = rendering.write_pdf()
    report(1.0)
    return pdf


def render_pdf(
    report: Report,
    *,
    author: str = "",
    max_chars: int | None = None,
    progress: Progress | None = None,
) -> bytes:
    """max_chars: refuse (PdfTooLarge) past this much text; the views pass
    settings.PDF_MAX_CHARS, the command no limit. A large report is laid out in parts
    on the machine's cores (reports.pdf_parts). progress: told the fraction done as
    pages are laid out (the parts advance together, so this process's part stands
    for all of them), then when the parts are joined and numbered."""
    parts = pdf_parts.split(report, pdf_parts.workers_for(pdf_parts.text_estimate(report)))
    if len(parts) < 2:  # a small report, or one row that cannot be cut
        html = render_html(report, author=author)
        check_size(html, max_chars)
        return html_to_pdf(html, progress)
    htmls = [
        render_html(
            part,
            author=author,
            continuation=i > 0,
            summary=i == len(parts) - 1,
            single_audit=is_single_audit(report),
        )
        for i, part in enumerate(parts)
    ]
    # The parts print the whole report's text once: their sizes add up to its size.
    check_chars(sum(text_size(html) for html in htmls), max_chars)
    own_part: Layout = html_to_pdf
    if progress is not None:
        told = progress

        def own_part(html: str) -> bytes:
            # This part's layout and writing stand for the first 90 %; the join and
            # the page numbers for the rest.
            return html_to_pdf(html, lambda done: told(done * 0.9))

    joined = pdf_parts.render_in_parts(htmls, report.selection_label, html_to_pdf, own_part)
    if joined is not None:
        if progress is not None:
            progress(1.0)
        return joined
    return html_to_pdf(render_html(report, author=author), progress)


def summary_html(summary: AuditSummary) -> str:
    """The audit report (監査報告書) as the print page the PDF is made from."""
    return render_to_string("reports/audit_summary_pdf.html", {"summary": summary})


def render_summary_pdf(summary: AuditSummary, *, max_chars: int | None = None) -> bytes:
    html = summary_html(summary)
    check_size(html, max_chars)
    return html_to_pdf(html)
