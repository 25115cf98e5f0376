"""The CSV-layout workbook: an .xlsx whose first sheet has reports.csv_export.COLUMNS as
its header row and one row per remediation entry below it (the finding's columns
repeated; a finding without entries gets one row with 状況/措置日/措置内容 empty or
「未報告」). Written by reports (the Excel form of the CSV export) and read back by
imports.reader, so a fiscal year exported here imports into another installation."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from reports.builder import Report
from reports.cells import safe_text
from reports.csv_export import COLUMNS, rows

SHEET_TITLE = "措置状況"

EXAMPLE_ROW: tuple[object, ...] = (
    2020,
    "行政監査",
    "（記入例）情報セキュリティの管理について",
    "指摘",
    "1 想定されるリスクからの着眼点に着目して行った監査の結果",
    "(3)①",
    "サーバ室内の整理整頓について",
    "サーバ室内が雑然としていた。整理整頓を行うこと。",
    "総務部 ICT戦略課",
    "措置済",
    "令和3年9月30日",
    "不用なものを廃棄し、サーバ室内の整理整頓を行った。",
    "",
    "(3)",
    "情報システムのサーバ等の管理は適切になされているか。",
    "",
    "",
    "",
    "",
    "",
    "",
    "令和 3年 2月10日",
)


def _cell(sheet: WriteOnlyWorksheet, value: object) -> Cell:
    if isinstance(value, str):
        safe = safe_text(value)
        cell = WriteOnlyCell(sheet, safe.text or None)
        # Text stays text: openpyxl would take "=…" for a formula.
        cell.data_type = "s"
        if safe.formula_like:
            cell.quotePrefix = True
        return cell
    if value is None or isinstance(value, int | float | datetime.date):
        return WriteOnlyCell(sheet, value)  # type: ignore[arg-type]
    return WriteOnlyCell(sheet, str(value))


def write_workbook(data_rows: Iterable[Iterable[object]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    sheet.append([_cell(sheet, name) for name in COLUMNS])
    for row in data_rows:
        sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report_workbook(report: Report) -> bytes:
    """The report's CSV rows as a CSV-layout workbook (readable by the import)."""
    return write_workbook(rows(report))


def template_workbook() -> bytes:
    """The header row and one example row, for the download on the import page."""
    return write_workbook([EXAMPLE_ROW])
