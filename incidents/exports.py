"""The register as PDF, Excel and CSV: each renders the same IncidentRegisterDoc.

The formats are registered once (INCIDENT_FORMATS): the download buttons, the
`export_report --incidents` command and the tests read this registry. Text cells of
the spreadsheet formats go through reports.cells.safe_text (no formula runs, no
character Excel rejects)."""

from __future__ import annotations

import csv
import io
from typing import cast

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.worksheet import Worksheet

from incidents.register import IncidentRegisterDoc, IncidentRow
from reports.cells import safe_text
from reports.excel import line_count, row_height
from reports.render import ExportFormat

_FORMATS: tuple[ExportFormat[IncidentRegisterDoc], ...] = (
    ExportFormat("pdf", "PDF", "pdf", "application/pdf", "incidents.exports", "render_pdf"),
    ExportFormat(
        "xlsx",
        "Excel",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "incidents.exports",
        "render_xlsx",
    ),
    ExportFormat("csv", "CSV", "csv", "text/csv; charset=utf-8", "incidents.exports", "render_csv"),
)
INCIDENT_FORMATS: dict[str, ExportFormat[IncidentRegisterDoc]] = {f.code: f for f in _FORMATS}


def register_filename(doc: IncidentRegisterDoc, extension: str) -> str:
    """ "セキュリティ障害_平成26年度.pdf"."""
    return f"セキュリティ障害_{doc.period_label}.{extension}"


def register_ascii_filename(doc: IncidentRegisterDoc, extension: str) -> str:
    years = f"fy{doc.first_year}" + (f"-{doc.last_year}" if doc.last_year != doc.first_year else "")
    return f"incidents_{years}.{extension}"


# --- PDF --------------------------------------------------------------------------------


def register_html(doc: IncidentRegisterDoc) -> str:
    return render_to_string("incidents/register_pdf.html", {"doc": doc})


def render_pdf(doc: IncidentRegisterDoc) -> bytes:
    from reports.pdf import html_to_pdf

    return html_to_pdf(register_html(doc))


# --- CSV: one row per incident ----------------------------------------------------------

COLUMNS = (
    "番号",
    "年度",
    "年度内番号",
    "種別",
    "件名",
    "発生年月",
    "所管課",
    "データ件数",
    "分類",
    "概要",
    "補足説明",
    "主な原因",
    "記者発表",
    "市民対応",
    "再発防止策",
    "措置状況",
    "報告日",
)


def incident_cells(row: IncidentRow) -> list[str | int]:
    return [
        row.position,
        row.fiscal_year_label,
        row.register_number,
        row.type_name,
        row.title,
        row.occurred_text,
        row.department,
        row.record_count_text,
        row.classification_text,
        row.summary,
        row.note,
        row.cause,
        row.press_release_text,
        row.citizen_response,
        "\n".join(m.text for m in row.measures),
        "\n".join(m.status_text for m in row.measures),
        row.reported_text,
    ]


def render_csv(doc: IncidentRegisterDoc) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in doc.rows:
        writer.writerow(
            [safe_text(v).for_csv if isinstance(v, str) else v for v in incident_cells(row)]
        )
    return buffer.getvalue().encode("utf-8-sig")


# --- Excel: the register and the counts per 種別 ----------------------------------------------

FONT = "ＭＳ Ｐゴシック"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WIDTHS = (6, 12, 6, 16, 24, 22, 22, 12, 10, 50, 30, 40, 18, 40, 50, 24, 18)
STYLES = {
    "title": NamedStyle(name="障害 表題", font=Font(name=FONT, size=14, bold=True)),
    "text": NamedStyle(name="障害 本文", font=Font(name=FONT, size=10.5)),
    "head": NamedStyle(
        name="障害 見出し",
        font=Font(name=FONT, size=10.5, bold=True),
        alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        border=BOX,
        fill=PatternFill("solid", fgColor="E7E6E6"),
    ),
    "cell": NamedStyle(
        name="障害 表",
        font=Font(name=FONT, size=10.5),
        alignment=Alignment(vertical="top", wrap_text=True),
        border=BOX,
    ),
}


def _cell(ws: WriteOnlyWorksheet, value: str | int | None, style: str) -> Cell:
    if isinstance(value, str):
        safe = safe_text(value)
        cell = WriteOnlyCell(ws, safe.text or None)
        cell.data_type = "s"
        if safe.formula_like:
            cell.quotePrefix = True
    else:
        cell = WriteOnlyCell(ws, value)
    cell.style = STYLES[style].name
    return cell


def _layout(ws: WriteOnlyWorksheet) -> Worksheet:
    """The write-only sheet as the Worksheet that carries its dimensions (set up by
    Worksheet._setup, which types-openpyxl does not model)."""
    return cast(Worksheet, ws)


def _height(values: list[str | int]) -> float:
    """Row height for the tallest wrapped cell (LibreOffice does not fit rows itself)."""
    lines = max(
        (
            line_count(value, width)
            for value, width in zip(values, WIDTHS, strict=True)
            if isinstance(value, str) and value
        ),
        default=1,
    )
    return row_height(lines, 10.5)


def render_xlsx(doc: IncidentRegisterDoc) -> bytes:
    wb = Workbook(write_only=True)
    wb.properties.title = f"{doc.title}（{doc.period_label}）"
    wb.properties.creator = "措置状況管理"
    for style in STYLES.values():
        wb.add_named_style(style)
    ws = wb.create_sheet("セキュリティ障害")
    layout = _layout(ws)
    for index, width in enumerate(WIDTHS, start=1):
        layout.column_dimensions[get_column_letter(index)].width = width
    ws.append([_cell(ws, f"{doc.title}（{doc.period_label}）", "title")])
    ws.append([_cell(ws, doc.intro, "text")])
    ws.append([])
    ws.append([_cell(ws, name, "head") for name in COLUMNS])
    for number, row in enumerate(doc.rows, start=5):
        values = incident_cells(row)
        layout.row_dimensions[number] = RowDimension(layout, ht=_height(values))
        ws.append([_cell(ws, value, "cell") for value in values])
    counts = wb.create_sheet("種別ごとの件数")
    counts_layout = _layout(counts)
    counts_layout.column_dimensions["A"].width = 28
    counts_layout.column_dimensions["B"].width = 10
    counts.append([_cell(counts, f"種別ごとの件数（{doc.period_label}）", "title")])
    counts.append([_cell(counts, "種別", "head"), _cell(counts, "件数", "head")])
    for line in doc.type_counts:
        counts.append([_cell(counts, line.name, "cell"), _cell(counts, line.count, "cell")])
    counts.append([_cell(counts, "合計", "head"), _cell(counts, doc.total, "cell")])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
