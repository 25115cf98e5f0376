"""措置状況 as CSV: one row per remediation entry, for sorting, filtering and pivoting.

UTF-8 with a BOM (without it Excel reads the file as Shift_JIS and garbles every
kanji), CRLF line ends, every text cell through reports.cells.safe_text.

- A finding with nothing reported gets one row with 状況 未報告.
- A parent that only introduces sub-items (意見 (5)③ before ア, イ) gets one row with
  状況 left empty: its text is what ア and イ answer, so it stays in the file, but it
  takes no entries, so it is neither 未報告 nor counted (as in the 集計 sheet).
- 節 is the section heading, number and title ("1 想定されるリスク…"): the number
  alone repeats under every kind and means nothing once the rows are filtered.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
from collections.abc import Iterable, Iterator

from audits.wareki import format_wareki
from findings.models import UNREPORTED_LABEL
from reports.builder import AuditBlock, Report
from reports.cells import csv_text

COLUMNS = (
    "年度",
    "監査の種類",
    "監査のテーマ",
    "区分",
    "節",
    "番号",
    "件名",
    "本文",
    "担当所属",
    "状況",
    "措置日",
    "措置内容",
    # Added with the audit shapes (existing columns keep their place): see README.
    "重要リスク",
    "着眼点番号",
    "着眼点",
    "ほかに答える着眼点",
    "細区分",
    "あて先",
    "措置日（和暦）",
    "報告番号",
    "報告日",
    "監査実施期間",
)


def rows(report: Report) -> Iterator[list[object]]:
    """The data rows, in print order, before spreadsheet-safe escaping."""
    return audit_rows(report.audits)


def audit_rows(audits: Iterable[AuditBlock]) -> Iterator[list[object]]:
    for audit in audits:
        for kind in audit.kinds:
            for section in kind.sections:
                for row in section.rows:
                    finding = [
                        audit.fiscal_year,
                        audit.kind_name,
                        audit.theme,
                        kind.name,
                        section.heading,
                        row.path,
                        row.title,
                        row.body,
                        "、".join(row.departments),
                    ]
                    shape = [
                        row.key_risk_text,
                        row.viewpoint_number,
                        row.viewpoint_text,
                        "、".join(row.extra_viewpoints),
                        row.subclass,
                        row.addressee,
                    ]
                    header = [
                        audit.report_number,
                        audit.report_date_text,
                        audit.period_text,
                    ]
                    if row.entries:
                        for entry in row.entries:
                            yield [
                                *finding,
                                entry.status,
                                entry.date.isoformat(),
                                entry.content,
                                *shape,
                                format_wareki(entry.date),
                                *header,
                            ]
                    else:
                        status = "" if row.is_container else UNREPORTED_LABEL
                        yield [*finding, status, "", "", *shape, "", *header]


@functools.lru_cache(maxsize=4096)
def _safe_text(value: str) -> str:
    # The audit's texts repeat on every row, a section's on each of its rows: escaping
    # each once was a third of the time of a 50,000-finding file.
    return csv_text(value)


def _safe(value: object) -> object:
    return _safe_text(value) if isinstance(value, str) else value


@functools.lru_cache(maxsize=4096)
def _dates(day: datetime.date) -> tuple[object, object]:
    """措置日 and 措置日（和暦）, escaped: a few dozen report dates cover every entry."""
    return _safe(day.isoformat()), _safe(format_wareki(day))


def _fresh_text(value: str) -> str:
    """A text seldom seen twice (a finding's title and body): escaped without the cache,
    where it would only push out the texts that repeat."""
    return csv_text(value)


@functools.lru_cache(maxsize=1024)
def _shape(row_shape: tuple[str, str, str, tuple[str, ...], str, str]) -> tuple[object, ...]:
    """重要リスク … あて先 escaped: one set of values for all a viewpoint's rows."""
    key_risk, number, text, extra, subclass, addressee = row_shape
    return (
        _safe_text(key_risk),
        _safe_text(number),
        _safe_text(text),
        _safe_text("、".join(extra)),
        _safe_text(subclass),
        _safe_text(addressee),
    )


@functools.lru_cache(maxsize=1024)
def _departments(names: tuple[str, ...]) -> object:
    return _safe_text("、".join(names))


def _escaped_rows(audits: Iterable[AuditBlock]) -> Iterator[list[list[object]]]:
    """audit_rows escaped for the file, the rows of one finding at a time: a finding's
    texts are escaped once, not once for each of its entries' rows, and the values
    many rows share (audit, section, viewpoint, departments, dates) once for all."""
    for audit in audits:
        header = (
            _safe(audit.report_number),
            _safe(audit.report_date_text),
            _safe(audit.period_text),
        )
        top = (audit.fiscal_year, _safe(audit.kind_name), _safe(audit.theme))
        for kind in audit.kinds:
            kind_name = _safe(kind.name)
            for section in kind.sections:
                heading = _safe(section.heading)
                for row in section.rows:
                    finding = (
                        *top,
                        kind_name,
                        heading,
                        _safe_text(row.path),
                        _fresh_text(row.title),
                        _fresh_text(row.body),
                        _departments(row.departments),
                    )
                    shape = _shape(
                        (
                            row.key_risk_text,
                            row.viewpoint_number,
                            row.viewpoint_text,
                            row.extra_viewpoints,
                            row.subclass,
                            row.addressee,
                        )
                    )
                    if row.entries:
                        lines = []
                        for entry in row.entries:
                            iso, wareki = _dates(entry.date)
                            lines.append(
                                [
                                    *finding,
                                    _safe_text(entry.status),
                                    iso,
                                    _safe_text(entry.content),
                                    *shape,
                                    wareki,
                                    *header,
                                ]
                            )
                        yield lines
                    else:
                        status = "" if row.is_container else UNREPORTED_LABEL
                        yield [[*finding, status, "", "", *shape, "", *header]]


# Bytes gathered before a piece of the file is handed on: large enough that writing it
# costs little per row, small enough that memory stays flat.
CHUNK_CHARS = 256 * 1024


def csv_chunks(parts: Iterable[Iterable[AuditBlock]]) -> Iterator[bytes]:
    """The file in pieces, part after part of a report (ReportStream.parts, or one part:
    a built report's audits): only a piece of text is held at a time. Pieces end
    between rows, so each encodes on its own to the same bytes as the whole file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # lineterminator defaults to CRLF
    buffer.write("\ufeff")  # the BOM "utf-8-sig" writes
    writer.writerow(COLUMNS)
    for audits in parts:
        for lines in _escaped_rows(audits):
            writer.writerows(lines)
            if buffer.tell() >= CHUNK_CHARS:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def render_csv(report: Report) -> bytes:
    return b"".join(csv_chunks([report.audits]))
