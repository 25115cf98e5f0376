"""A round's results as PDF (WeasyPrint, the bundled font), Excel and CSV: each renders
the one RoundResults structure of inspections.results. Registered once, like the
措置状況 formats: the page's buttons, the URL and export_report --round read it."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import timezone

from reports.cells import safe_text
from reports.render import ExportFormat, _by_code, _clean

if TYPE_CHECKING:
    from inspections.models import InspectionRound
    from inspections.results import RoundResults

RESULT_FORMATS: dict[str, ExportFormat[RoundResults]] = _by_code(
    ExportFormat("pdf", "PDF", "pdf", "application/pdf", "inspections.exports", "render_pdf"),
    ExportFormat(
        "xlsx",
        "Excel",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "inspections.exports",
        "render_xlsx",
    ),
    ExportFormat(
        "csv", "CSV", "csv", "text/csv; charset=utf-8", "inspections.exports", "render_csv"
    ),
)

ITEM_COLUMNS = (
    "分類番号",
    "分類",
    "項目番号",
    "点検項目",
    "対象の部署数",
    "実施の部署数",
    "割合（%）",
    "結果",
    "回答の内訳",
    "その他の対応（主な回答）",
    "今後の方向性",
)


def results_filename(round_: InspectionRound, extension: str) -> str:
    name = "_".join(p for p in (_clean(round_.fiscal_year_label), _clean(round_.name)) if p)
    return f"{name[:150]}.{extension}"


def item_rows(results: RoundResults) -> list[list[object]]:
    rows: list[list[object]] = []
    for category in results.categories:
        for item in category.items:
            rows.append(
                [
                    category.category.number,
                    category.category.title,
                    item.item.number,
                    item.item.question,
                    item.denominator,
                    item.done,
                    item.percent if item.percent is not None else "",
                    item.sentence,
                    "、".join(f"{label} {n}" for label, n in item.option_counts),
                    "\n".join(item.other_lines),
                    "\n".join(item.direction_lines),
                ]
            )
    return rows


def trend_header(results: RoundResults) -> list[str]:
    header = ["分類"]
    for year in results.trend_years:
        header += [f"{year} 課題あり", f"{year} 未改善課題あり"]
    return header


def trend_rows(results: RoundResults) -> list[list[object]]:
    return [
        [row.title, *(v for cell in row.cells for v in (cell.issues, cell.open))]
        for row in results.trend
    ]


def _safe(value: object) -> object:
    return safe_text(value).for_csv if isinstance(value, str) else value


def render_csv(results: RoundResults) -> bytes:
    """One row per item (the table of the PDF), UTF-8 with a BOM, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ITEM_COLUMNS)
    writer.writerows([_safe(v) for v in row] for row in item_rows(results))
    return buffer.getvalue().encode("utf-8-sig")


def render_xlsx(results: RoundResults) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def cells(
        sheet: WriteOnlyWorksheet, values: list[object], *, header: bool = False
    ) -> list[Cell]:
        out = []
        for value in values:
            if isinstance(value, str):
                safe = safe_text(value)
                cell = WriteOnlyCell(sheet, safe.text)
                # A string cell is never evaluated, whatever openpyxl guessed.
                cell.data_type = "s"
                if safe.formula_like:
                    cell.quotePrefix = True
            else:
                cell = WriteOnlyCell(sheet, value if isinstance(value, int | float) else None)
            cell.alignment = wrap
            if header:
                cell.font = bold
            out.append(cell)
        return out

    sheet = book.create_sheet("調査結果")
    sheet.append(cells(sheet, [results.title], header=True))
    sheet.append(
        cells(
            sheet,
            [
                f"{results.round.fiscal_year_label} {results.round.get_kind_display()}"
                f" 対象 {results.target_count} 部署（回答 {results.responded}）"
                f" 期間 {results.round.period_text}"
            ],
        )
    )
    sheet.append(cells(sheet, list(ITEM_COLUMNS), header=True))
    for row in item_rows(results):
        sheet.append(cells(sheet, row))
    trend = book.create_sheet("課題の推移")
    trend.append(cells(trend, list(trend_header(results)), header=True))
    for row in trend_rows(results):
        trend.append(cells(trend, row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render_html(results: RoundResults) -> str:
    return render_to_string(
        "inspections/results_pdf.html",
        {"results": results, "chart": results.chart, "generated_at": timezone.now()},
    )


def render_pdf(results: RoundResults) -> bytes:
    from reports.pdf import html_to_pdf

    return html_to_pdf(render_html(results))


def render_round_results(round_: InspectionRound, code: str) -> bytes:
    """The round's results in the format `code` (a RESULT_FORMATS key)."""
    from inspections.results import build_results

    return RESULT_FORMATS[code].render(build_results(round_))
