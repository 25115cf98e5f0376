"""措置状況 as an Excel workbook a clerk can edit and print as the official table.

Sheet 1 「措置状況」 follows the printed report (seed 000): title, the audit's 報告番号,
報告日 and signers, its header lines, then per kind (指 摘 / 意見 / …) and per section the
two-column table, with 特になし where a kind or section has nothing. Sheet 2 「集計」
counts findings by status. An audit that groups its viewpoints under key risks adds the
sheet 「重要リスク」 with the three-column table 重要リスク | 着眼点 | 監査の結果.

Layout choice: one worksheet row per remediation entry. Column A carries the finding
on its first row; the rows below it leave A empty and draw no border between them, so
the finding reads as one tall cell beside its dated entries, as in the printed table.
A clerk inserts a row to add the next round's entry instead of editing inside a
crowded cell, and a page can break between two entries of a long history. A text
taller than Excel's highest row (409 points) continues in the row below. Merged cells are avoided in the table
because Excel cannot fit a merged cell's height to its text.

Every row gets a height estimated from its text. Excel would fit a row left without
one when it opens the file, but LibreOffice (used by some municipalities) does not,
and neither fits a merged row. The estimate counts a kanji as two units and anything
else as one, which overestimates proportional Latin text: a little white space at the
foot of a cell is better than a printed sentence cut off.

Written in openpyxl's write-only mode: rows stream to disk as they are appended, so
memory stays flat for thousands of findings. Every text cell goes through
reports.cells.safe_text.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from copy import copy
from dataclasses import dataclass
from typing import cast

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.worksheet import Worksheet

from audits.wareki import format_wareki
from reports.builder import (
    NOTHING,
    AuditBlock,
    FindingRow,
    KindBlock,
    Report,
    Summary,
    SummaryLine,
)
from reports.cells import safe_text

TABLE_SHEET = "措置状況"
SUMMARY_SHEET = "集計"
KEY_RISK_SHEET = "重要リスク"
KEY_RISK_WIDTHS = (36, 56, 28)
MEASURES_HEADING = "措置（具体的内容）・対応状況"

# ＭＳ Ｐゴシック ships with every Japanese Windows and with Office for Mac, and prints
# at the width it shows on screen; 游ゴシック (Office's newer default) is known to print
# wider than it displays, which cuts off the last characters of wrapped lines.
FONT_NAME = "ＭＳ Ｐゴシック"
BODY_SIZE = 10.5
LINE_HEIGHT = 1.35  # points of row height per point of font size
MAX_ROW_HEIGHT = 409  # Excel's limit, in points
CELL_PADDING = 4  # width units lost to the cell's margins and Japanese line breaking
MAX_LINES = int((MAX_ROW_HEIGHT - 3) / (BODY_SIZE * LINE_HEIGHT))  # body lines in one row

# Widths in Excel's units (about one half-width character; a kanji takes two).
FINDING_WIDTH = 60
MEASURES_WIDTH = 60


def _font(size: float = BODY_SIZE, bold: bool = False) -> Font:
    # charset 128 (Shift_JIS) and family 3 are what Excel itself writes for this font.
    return Font(name=FONT_NAME, size=size, bold=bold, charset=128, family=3)


THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="E7E6E6")

HEADER_LABEL_WIDTH = 6  # longest label (監査のテーマ, 監査実施期間) in kanji


@dataclass(frozen=True)
class Look:
    """A cell style, registered once per workbook as a named style. Assigning font,
    alignment and border object by object costs a deep hash of each per cell, which
    was most of the time for a 5,000-finding report; a named style is a lookup."""

    name: str
    font: Font
    alignment: Alignment
    border: Border | None = None
    fill: PatternFill | None = None

    @property
    def indent(self) -> int:
        return int(self.alignment.indent or 0)

    def named_style(self) -> NamedStyle:
        style = NamedStyle(name=self.name, font=self.font, alignment=self.alignment)
        if self.border is not None:
            style.border = self.border
        if self.fill is not None:
            style.fill = self.fill
        return style


def _wrap(horizontal: str | None = None, indent: int = 0) -> Alignment:
    vertical = "center" if horizontal == "center" else "top"
    return Alignment(horizontal=horizontal, vertical=vertical, wrap_text=True, indent=indent)


def _open_cell(name: str, top: bool, bottom: bool, indent: int = 0) -> Look:
    """A table cell that may continue in the row below: no line is drawn between its
    rows, so the finding (or a long entry) reads as one tall cell."""
    border = Border(
        left=THIN, right=THIN, top=THIN if top else None, bottom=THIN if bottom else None
    )
    name += ("・始" if top else "") + ("・終" if bottom else "")
    return Look(name, _font(), _wrap(indent=indent), border)


TITLE = Look("措置状況 表題", _font(14, bold=True), _wrap("center"))
AUDIT_TITLE = Look("措置状況 監査名", _font(12, bold=True), _wrap())
LINE = Look("措置状況 見出し行", _font(), _wrap())
KIND = Look("措置状況 区分", _font(12, bold=True), Alignment(vertical="top"))
SECTION = Look("措置状況 節", _font(11, bold=True), _wrap())
NOTE = Look("措置状況 注記", _font(), Alignment(vertical="top"))
NOTE_RIGHT = Look("措置状況 注記右", _font(), Alignment(horizontal="right", vertical="top"))
NOTHING_LOOK = Look("措置状況 特になし", _font(), Alignment(vertical="top", indent=1))
TABLE_HEAD = Look("措置状況 表見出し", _font(bold=True), _wrap("center"), BOX, HEAD_FILL)
EDGES = [(top, bottom) for top in (True, False) for bottom in (True, False)]
FINDING = {
    (sub, top, bottom): _open_cell("措置状況 指摘" + ("・細目" if sub else ""), top, bottom, sub)
    for sub in (0, 1)
    for top, bottom in EDGES
}
MEASURE = {edges: _open_cell("措置状況 措置", *edges) for edges in EDGES}
COUNT_LABEL = Look("集計 項目", _font(), _wrap(), BOX)
COUNT = Look("集計 件数", _font(), Alignment(horizontal="right", vertical="top"), BOX)
TOTAL_LABEL = Look("集計 合計項目", _font(bold=True), _wrap(), BOX)
TOTAL = Look("集計 合計件数", _font(bold=True), Alignment(horizontal="right", vertical="top"), BOX)
LOOKS = (
    TITLE,
    AUDIT_TITLE,
    LINE,
    KIND,
    SECTION,
    NOTE,
    NOTE_RIGHT,
    NOTHING_LOOK,
    TABLE_HEAD,
    *FINDING.values(),
    *MEASURE.values(),
    COUNT_LABEL,
    COUNT,
    TOTAL_LABEL,
    TOTAL,
)


# The table sheet is most of a workbook's time; progress is told every this many rows.
TABLE_SHARE = 0.8
PROGRESS_EVERY = 500


class _Writer:
    """Appends styled rows to one write-only sheet and remembers the row number."""

    def __init__(self, ws: WriteOnlyWorksheet, width: int) -> None:
        self.ws = ws
        self.layout = _layout(ws)
        self.width = width  # total width of the merged heading rows
        self.row = 0
        self._heights: dict[float, RowDimension] = {}
        self._styles: dict[str, StyleArray] = {}
        self._merges: list[CellRange] = []
        self.findings = 0  # finding rows written, for progress
        self.on_findings: Callable[[int], None] | None = None

    def finding_written(self) -> None:
        self.findings += 1
        if self.on_findings is not None and self.findings % PROGRESS_EVERY == 0:
            self.on_findings(self.findings)

    def _dimension(self, height: float) -> RowDimension:
        """One RowDimension per distinct height, shared by every row of that height:
        the write-only writer takes only a row's attributes (ht, customHeight) from it,
        never its index, and building one per row cost a quarter of the render."""
        if height not in self._heights:
            self._heights[height] = RowDimension(self.layout, ht=height)
        return self._heights[height]

    # Cell._value and Cell._style are slots of openpyxl's Cell that types-openpyxl
    # leaves out, hence the ignores below.

    def _style(self, look: Look) -> StyleArray:
        """The cell style of `look`, looked up by name once: assigning the name to a cell
        searches the workbook's named styles one by one, for every cell."""
        style = self._styles.get(look.name)
        if style is None:
            probe = WriteOnlyCell(self.ws)
            probe.style = look.name
            style = self._styles[look.name] = probe._style  # type: ignore[attr-defined]
        return style

    def cell(self, value: str | float | None, look: Look) -> Cell:
        if value == "":
            value = None
        style = self._style(look)
        if isinstance(value, str):
            safe = safe_text(value)
            cell = WriteOnlyCell(self.ws)
            # A string cell is never evaluated, whatever openpyxl would guess ("=…" is a
            # formula to it, "#N/A" an error value): the text is set as text, unguessed.
            cell._value = safe.text  # type: ignore[attr-defined]
            cell.data_type = "s"
            if safe.formula_like:
                style = copy(style)  # the shared one stays as it is
                style.quotePrefix = True
        else:
            cell = WriteOnlyCell(self.ws, value)
        # One style array shared by every cell of a look: a written cell is gone once
        # its row is, and the workbook indexes styles by value.
        cell._style = style  # type: ignore[attr-defined]
        return cell

    def append(self, cells: Sequence[Cell | None] = ()) -> None:
        self.ws.append(list(cells))
        self.row += 1

    def fitted(self, values: Sequence[tuple[str | None, Look, float]]) -> None:
        """Append a row of (value, look, column width), tall enough for its texts."""
        lines = 1
        size = BODY_SIZE
        for value, look, width in values:
            if isinstance(value, str) and value:
                size = max(size, look.font.size)
                capacity = width * BODY_SIZE / look.font.size - look.indent * 2
                lines = max(lines, line_count(value, capacity))
        self.layout.row_dimensions[self.row + 1] = self._dimension(row_height(lines, size))
        self.append([self.cell(value, look) for value, look, _ in values])

    def merged(self, text: str, look: Look, columns: int = 2) -> None:
        """One line of text across the table's columns."""
        next_row = self.row + 1
        self.fitted([(text, look, self.width)])
        if columns > 1:
            last = chr(ord("A") + columns - 1)
            self._merges.append(CellRange(f"A{next_row}:{last}{next_row}"))

    def close(self) -> None:
        """Hand the sheet its merged ranges, all at once. MultiCellRange.add compares a
        new range with every earlier one (to skip a range already inside another), which
        made a 50,000-finding workbook quadratic: 165 s. Each range here is one row of
        its own, so none can overlap another and the check has nothing to find; the
        write-only sheet writes its merges when it is closed, after the last row."""
        self.layout.merged_cells = MultiCellRange(self._merges)


def display_width(text: str) -> int:
    """Width in Excel's units: two for every non-ASCII character (kanji, kana, full-width
    punctuation), one for ASCII. Counted from the UTF-8 length, which is C-fast: the
    estimate runs for every cell of a 5,000-finding report."""
    encoded = len(text.encode("utf-8"))
    return len(text) + (encoded - len(text)) // 2


def line_count(text: str, capacity: float) -> int:
    usable = max(capacity - CELL_PADDING, 1)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in text.split("\n"))


def split_to_fit(text: str, width: float) -> list[str]:
    """`text` in pieces that each fit in one row of a column `width` wide: whole lines
    where possible, a single over-long paragraph cut between characters."""
    if line_count(text, width) <= MAX_LINES:
        return [text]
    room = MAX_LINES * max(width - CELL_PADDING, 1)  # width units one row can hold
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    for line in text.split("\n"):
        while line_count(line, width) > MAX_LINES:
            cut, taken = 0, 0
            while cut < len(line) and taken + display_width(line[cut]) <= room * 0.9:
                taken += display_width(line[cut])
                cut += 1
            if current:
                pieces.append("\n".join(current))
                current, used = [], 0
            pieces.append(line[:cut])
            line = line[cut:]
        lines = line_count(line, width)
        if current and used + lines > MAX_LINES:
            pieces.append("\n".join(current))
            current, used = [], 0
        current.append(line)
        used += lines
    if current:
        pieces.append("\n".join(current))
    return pieces


def row_height(lines: int, size: float = BODY_SIZE) -> float:
    return min(round(lines * size * LINE_HEIGHT + 3, 1), MAX_ROW_HEIGHT)


def finding_text(row: FindingRow, show_departments: bool = False) -> str:
    """Column A: the viewpoint (once, before its first finding), label and title, body,
    and across audits the departments it is addressed to (as the PDF prints them)."""
    parts = []
    if row.key_risk is not None:
        parts.append(row.key_risk.line)
    if row.viewpoint is not None:
        parts.append(row.viewpoint.line)
    if row.addressee:
        parts.append(row.addressee)
    if row.title:
        heading = " ".join(part for part in (row.heading, row.subclass_mark) if part)
        parts += [part for part in (heading, row.body) if part]
    else:
        # A sub-item without a title starts its text with its label: "ア この事故は…".
        parts.append(" ".join(part for part in (row.label, row.subclass_mark, row.body) if part))
    if show_departments and row.departments and not row.addressee:
        parts.append(f"担当: {'、'.join(row.departments)}")
    return "\n".join(parts)


def measure_texts(row: FindingRow) -> list[str]:
    """Column B, one text per entry: "【 措置済 】 令和 3年 5月31日" and what was done.
    A finding with nothing reported says so; a parent of sub-items takes no entries."""
    if row.entries:
        return [f"{entry.heading}\n{entry.content}" for entry in row.entries]
    if row.is_container:
        return [""]
    return [f"（{row.status.name}）"]


Block = tuple[str | None, bool, bool]  # text, first piece, last piece


def _pieces(text: str, width: float) -> list[Block]:
    chunks = split_to_fit(text, width)
    return [(chunk, i == 0, i == len(chunks) - 1) for i, chunk in enumerate(chunks)]


def _column(blocks: list[Block], rows: int) -> list[Block]:
    """Pad a column to `rows`: its last cell runs on, its line drawn under the last row."""
    padded = [*blocks, *[(None, False, False)] * (rows - len(blocks))]
    return [
        (text, top, i == rows - 1 if i >= len(blocks) - 1 else bottom)
        for i, (text, top, bottom) in enumerate(padded)
    ]


def _write_finding(out: _Writer, row: FindingRow, show_departments: bool) -> None:
    """The finding in column A beside one row per entry in column B. A text taller than
    Excel's highest row continues in the next row instead of being cut off."""
    indent = row.depth * 2
    finding = _pieces(finding_text(row, show_departments), FINDING_WIDTH - indent)
    measures = [p for text in measure_texts(row) for p in _pieces(text, MEASURES_WIDTH)]
    rows = max(len(finding), len(measures))
    for (a, a_top, a_end), (b, b_top, b_end) in zip(
        _column(finding, rows), _column(measures, rows), strict=True
    ):
        out.fitted(
            [
                (a, FINDING[row.depth and 1, a_top, a_end], FINDING_WIDTH),
                (b, MEASURE[b_top, b_end], MEASURES_WIDTH),
            ]
        )


def _write_kind(out: _Writer, kind: KindBlock, show_departments: bool) -> None:
    out.append([out.cell(kind.heading, KIND)])
    if kind.is_empty:
        out.append([out.cell(NOTHING, NOTHING_LOOK)])
        out.append()
        return
    for section in kind.sections:
        if section.heading:
            out.merged(section.heading, SECTION)
        if not section.rows:
            out.append([out.cell(NOTHING, NOTHING_LOOK)])
            out.append()
            continue
        out.append(
            [
                out.cell(kind.heading, TABLE_HEAD),
                out.cell(MEASURES_HEADING, TABLE_HEAD),
            ]
        )
        for row in section.rows:
            _write_finding(out, row, show_departments)
            out.finding_written()
        out.append()


def header_line_texts(audit: AuditBlock) -> list[str]:
    """ "1 監査の種類　　行政監査", values lined up after the longest label."""
    return [
        f"{number} {label}{'　' * (HEADER_LABEL_WIDTH - len(label) + 1)}{value}"
        for number, label, value in audit.header_lines
    ]


def _write_audit(out: _Writer, audit: AuditBlock, single_audit: bool) -> None:
    for line in audit.issuer_lines:
        out.append([None, out.cell(line, NOTE_RIGHT)])
    if not single_audit:
        out.merged(audit.title, AUDIT_TITLE)
    for line in header_line_texts(audit):
        out.merged(line, LINE)
    if audit.key_risks:
        out.merged(
            f"※ 重要リスクと着眼点ごとの監査の結果は「{KEY_RISK_SHEET}」シートのとおり。", NOTE
        )
    out.append()
    for kind in audit.kinds:
        _write_kind(out, kind, show_departments=not single_audit)


def _layout(ws: WriteOnlyWorksheet) -> Worksheet:
    """The write-only sheet as the Worksheet whose dimensions, merged cells and print
    settings it carries: WriteOnlyWorksheet.__init__ sets them up with Worksheet._setup,
    which types-openpyxl does not model."""
    return cast(Worksheet, ws)


def _print_setup(sheet: WriteOnlyWorksheet, title_rows: str | None) -> None:
    """A4 portrait, as wide as the page, as many pages down as needed, page numbers."""
    ws = _layout(sheet)
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = Worksheet.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    # Worksheet._setup makes the page setup properties and the footer's three parts.
    assert ws.sheet_properties.pageSetUpPr is not None
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.7
    ws.page_margins.footer = 0.3
    if title_rows:
        ws.print_title_rows = title_rows
    assert ws.oddFooter is not None
    footer = ws.oddFooter.center
    footer.text = "&P / &N"
    footer.font = FONT_NAME
    footer.size = 9


def _write_table_sheet(
    wb: Workbook, report: Report, progress: Callable[[float], None] | None = None
) -> None:
    ws = wb.create_sheet(TABLE_SHEET)
    # Write-only: widths and print settings must exist before the first row.
    ws.column_dimensions["A"].width = FINDING_WIDTH
    ws.column_dimensions["B"].width = MEASURES_WIDTH
    _print_setup(ws, "1:2")
    out = _Writer(ws, FINDING_WIDTH + MEASURES_WIDTH)

    out.merged(report.title, TITLE)
    created = f"{format_wareki(report.generated_at.date())} 作成"
    out.append([out.cell(report.selection_label, NOTE), out.cell(created, NOTE_RIGHT)])
    out.append([out.cell(report.selection.basis_label, NOTE)])
    out.append()
    # As in the PDF: one audit's report is titled by the audit itself; across audits
    # each audit gets its title and each finding its departments.
    single = report.selection.audit_id is not None and len(report.audits) == 1
    if progress is not None:
        told = progress
        rows = sum(1 for audit in report.audits for _ in audit.rows()) or 1
        out.on_findings = lambda written: told(TABLE_SHARE * min(written / rows, 1.0))
    for audit in report.audits:
        _write_audit(out, audit, single)
    if not report.audits:
        out.append([out.cell(NOTHING, NOTHING_LOOK)])
    out.close()


def _write_key_risk_sheet(wb: Workbook, report: Report) -> None:
    """重要リスク | 着眼点 | 監査の結果, one table per audit that has key risks. The key
    risk is written on the first row of its viewpoints and runs on below it."""
    audits = [audit for audit in report.audits if audit.key_risks]
    if not audits:
        return
    ws = wb.create_sheet(KEY_RISK_SHEET)
    for letter, width in zip("ABC", KEY_RISK_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    _print_setup(ws, None)
    out = _Writer(ws, sum(KEY_RISK_WIDTHS))
    for audit in audits:
        out.merged(audit.title, AUDIT_TITLE, columns=3)
        out.append([out.cell(text, TABLE_HEAD) for text in ("重要リスク", "着眼点", "監査の結果")])
        for risk in audit.key_risks:
            items = risk.viewpoints or ()
            risk_text = f"{risk.key_risk.number} {risk.key_risk.title}"
            if not items:
                out.fitted(
                    [
                        (risk_text, MEASURE[True, True], KEY_RISK_WIDTHS[0]),
                        ("—", MEASURE[True, True], KEY_RISK_WIDTHS[1]),
                        ("—", MEASURE[True, True], KEY_RISK_WIDTHS[2]),
                    ]
                )
            for i, item in enumerate(items):
                first, last = i == 0, i == len(items) - 1
                out.fitted(
                    [
                        (risk_text if first else None, MEASURE[first, last], KEY_RISK_WIDTHS[0]),
                        (
                            f"{item.viewpoint.number} {item.viewpoint.text}",
                            MEASURE[True, True],
                            KEY_RISK_WIDTHS[1],
                        ),
                        (item.result_text, MEASURE[True, True], KEY_RISK_WIDTHS[2]),
                    ]
                )
        out.append()
    out.close()


def _write_summary_sheet(wb: Workbook, report: Report) -> None:
    summary: Summary = report.summary
    ws = wb.create_sheet(SUMMARY_SHEET)
    ws.column_dimensions["A"].width = 56
    for i in range(len(summary.columns) + 1):
        ws.column_dimensions[chr(ord("B") + i)].width = 10
    _print_setup(ws, None)
    ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    columns = len(summary.columns) + 2
    out = _Writer(ws, 56 + 10 * (columns - 1))

    out.merged(f"集計　{report.title}", AUDIT_TITLE, columns=columns)
    if report.selection_label:
        out.append([out.cell(report.selection_label, NOTE)])
    out.append()

    def table(heading: str, lines: list[SummaryLine], total: SummaryLine | None) -> None:
        out.append([out.cell(text, TABLE_HEAD) for text in (heading, *summary.columns, "合計")])
        for line in [*lines, *([total] if total is not None else [])]:
            label, count = (TOTAL_LABEL, TOTAL) if line is total else (COUNT_LABEL, COUNT)
            out.append(
                [
                    out.cell(line.label, label),
                    *(out.cell(n, count) for n in (*line.counts, line.total)),
                ]
            )
        out.append()

    table("監査", summary.by_audit, summary.totals)
    table("所属", summary.by_department, None)
    out.append([out.cell("※ 複数の所属に宛てた指摘等は、それぞれの所属に計上しています。", NOTE)])
    out.append([out.cell("※ 細目（ア、イ …）に分かれる指摘等は、細目ごとに計上しています。", NOTE)])
    out.close()


def render_xlsx(report: Report, progress: Callable[[float], None] | None = None) -> bytes:
    """progress: told the fraction done per chunk of the table's rows, then per sheet;
    saving (writing the zip) is the last tenth."""
    tell = progress or (lambda done: None)
    wb = Workbook(write_only=True)
    wb.properties.title = report.title
    wb.properties.creator = "措置状況管理"
    for look in LOOKS:
        wb.add_named_style(look.named_style())
    _write_table_sheet(wb, report, progress)
    tell(TABLE_SHARE)
    _write_summary_sheet(wb, report)
    tell(TABLE_SHARE + 0.05)
    _write_key_risk_sheet(wb, report)
    tell(TABLE_SHARE + 0.1)
    buffer = io.BytesIO()
    wb.save(buffer)
    tell(1.0)
    return buffer.getvalue()
