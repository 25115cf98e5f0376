"""What every export shares: the formats, the file name, the response headers.

The renderers themselves live in reports/pdf.py, reports/excel.py and
reports/csv_export.py; each takes a built document (a Report, the 措置状況, or an
AuditSummary, the 監査報告書) and returns bytes. They are imported when used, so one
format's dependencies never slow down or break another's.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar
from urllib.parse import quote

if TYPE_CHECKING:
    from reports.builder import Report
    from reports.summary import AuditSummary

Document = TypeVar("Document")


@dataclass(frozen=True)
class ExportFormat(Generic[Document]):
    code: str
    label: str
    extension: str
    content_type: str
    module: str
    function: str
    # The renderer takes progress= (a callable told the fraction done, 0 to 1): the
    # background job's bar then moves while the file is made, not only at its end.
    steps: bool = False

    def renderer(self) -> Callable[..., bytes]:
        renderer: Callable[..., bytes] = getattr(
            importlib.import_module(self.module), self.function
        )
        return renderer

    def render(self, document: Document, progress: Callable[[float], None] | None = None) -> bytes:
        if progress is not None and self.steps:
            return self.renderer()(document, progress=progress)
        return self.renderer()(document)


def _by_code(*formats: ExportFormat[Document]) -> dict[str, ExportFormat[Document]]:
    return {f.code: f for f in formats}


# The 措置状況 report (reports.builder.Report).
FORMATS: dict[str, ExportFormat[Report]] = _by_code(
    ExportFormat("pdf", "PDF", "pdf", "application/pdf", "reports.pdf", "render_pdf", True),
    ExportFormat(
        "xlsx",
        "Excel",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "reports.excel",
        "render_xlsx",
        True,
    ),
    # Excel opens a UTF-8 CSV correctly only with a BOM; the renderer writes it.
    ExportFormat(
        "csv", "CSV", "csv", "text/csv; charset=utf-8", "reports.csv_export", "render_csv"
    ),
    # The CSV's rows as a workbook: the layout the import (imports/) reads back.
    ExportFormat(
        "table",
        "Excel（取込み様式）",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "imports.layout",
        "report_workbook",
    ),
)

# The audit report (監査報告書 / 概要版, reports.summary.AuditSummary): a document to read
# and print, so no spreadsheet formats; in the browser it is its own page.
SUMMARY_FORMATS: dict[str, ExportFormat[AuditSummary]] = _by_code(
    ExportFormat("pdf", "PDF", "pdf", "application/pdf", "reports.pdf", "render_summary_pdf"),
)


@dataclass(frozen=True)
class ReportType:
    """A report the export command writes (--report), and the formats it comes in."""

    code: str
    label: str
    format_codes: tuple[str, ...]


REPORT_TYPES: dict[str, ReportType] = {
    t.code: t
    for t in (
        ReportType("sochi", "措置状況報告", tuple(FORMATS)),
        ReportType("summary", "監査報告書（概要版）", tuple(SUMMARY_FORMATS)),
    )
}

# Characters Windows, macOS or a mail client refuse or mangle in a file name.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_SPACES = re.compile(r"\s+")


def _clean(part: str) -> str:
    return _SPACES.sub("", _UNSAFE.sub("", part))


def report_filename(report: Report, extension: str) -> str:
    """ "措置状況_令和2年度_行政監査.pdf" for one audit; for a selection across audits
    its description: "措置状況_令和2年度_総務部ICT戦略課_未措置のみ.pdf"."""
    parts = ["措置状況"]
    if report.selection.audit_id is not None and len(report.audits) == 1:
        audit = report.audits[0]
        parts += [audit.fiscal_year_label, audit.kind_name]
        if report.selection_label:
            parts += report.selection_label.split("・")
    else:
        parts += report.selection_label.split("・") if report.selection_label else ["全件"]
    name = "_".join(p for p in (_clean(p) for p in parts) if p)
    return f"{name[:150]}.{extension}"


def ascii_filename(report: Report, extension: str) -> str:
    """For clients that ignore filename*: "sochi-report_fy2020_audit1.pdf"."""
    selection = report.selection
    parts = ["sochi-report"]
    if selection.fiscal_year is not None:
        parts.append(f"fy{selection.fiscal_year}")
    if selection.audit_id is not None:
        parts.append(f"audit{selection.audit_id}")
    if selection.department_id is not None:
        parts.append(f"dept{selection.department_id}")
    if selection.open_only:
        parts.append("open")
    if selection.as_of is not None:
        parts.append(f"asof{selection.as_of.isoformat()}")
    return "_".join(parts) + f".{extension}"


def summary_filename(summary: AuditSummary, extension: str) -> str:
    """ "監査報告書_平成28年度_情報セキュリティ監査.pdf"."""
    parts = ["監査報告書", summary.fiscal_year_label, summary.kinds_label]
    name = "_".join(p for p in (_clean(p) for p in parts) if p)
    return f"{name[:150]}.{extension}"


def summary_ascii_filename(summary: AuditSummary, extension: str) -> str:
    """For clients that ignore filename*: "audit-report_audit7.pdf"."""
    return f"audit-report_audit{summary.audit_id}.{extension}"


def content_disposition(filename: str, fallback: str) -> str:
    """attachment with an ASCII fallback and the real name per RFC 6266 / RFC 5987."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
