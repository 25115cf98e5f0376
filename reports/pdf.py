"""The 措置状況 report as a PDF (WeasyPrint), from templates/reports/report_pdf.html.

Fonts come only from static/css/fonts.css (the bundled "Noto Sans JP Subset", regular
and bold), loaded through a FontConfiguration with the static directory as base URL,
so a server without any Japanese system font prints the same file.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string

from reports.builder import FindingRow

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


def render_html(report: Report, *, author: str = "") -> str:
    keep = {
        row.finding_id
        for audit in report.audits
        for _, _, row in audit.rows()
        if _fits_on_a_page(row)
    }
    single_audit = report.selection.audit_id is not None and len(report.audits) == 1
    return render_to_string(
        "reports/report_pdf.html",
        {
            "report": report,
            "single_audit": single_audit,
            "show_summary": not single_audit,
            "show_departments": not single_audit,
            "keep_ids": keep,
            "author": author,
            **metadata(report),
        },
    )


def html_to_pdf(html: str) -> bytes:
    """A print HTML page as PDF, with the bundled font and nothing from the system."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    fonts_css = CSS(filename=str(FONTS_CSS), font_config=font_config)
    document = HTML(string=html, base_url=f"{STATIC_DIR}/")
    pdf: bytes = document.write_pdf(stylesheets=[fonts_css], font_config=font_config)
    return pdf


def render_pdf(report: Report, *, author: str = "") -> bytes:
    return html_to_pdf(render_html(report, author=author))


def summary_html(summary: AuditSummary) -> str:
    """The audit report (監査報告書) as the print page the PDF is made from."""
    return render_to_string("reports/audit_summary_pdf.html", {"summary": summary})


def render_summary_pdf(summary: AuditSummary) -> bytes:
    return html_to_pdf(summary_html(summary))
