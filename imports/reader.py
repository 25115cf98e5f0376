"""Reading a CSV-layout workbook (imports.layout) and checking every row on its own.

The file as a whole is refused with ImportFileError (not a workbook, too large, wrong
header); each data row gets its own list of Japanese errors (unknown department,
status, 区分 or 監査の種類, an unreadable date, a formula). Nothing is written here:
imports.services turns the checked rows into audits, findings and entries.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from audits.dates import DateParameterError, in_range, out_of_range_message, parse_date_text
from audits.models import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, AuditKind, Department, PeriodPrecision
from audits.wareki import ERA_BY_NAME, parse_fiscal_year
from findings.models import UNREPORTED_LABEL, FindingKind, FindingSubclass
from organisation.naming import departments_as_of, naming_date
from remediation.models import RemediationStatus
from reports.csv_export import COLUMNS

MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED = 200 * 1024 * 1024
DEPARTMENT_SEPARATOR = "、"


class ImportFileError(Exception):
    """The file as a whole cannot be read; str() says why, in Japanese."""


@dataclass
class ImportRow:
    line: int  # as the spreadsheet numbers it (header = 1)
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # imported, with this caveat
    fiscal_year: int = 0
    audit_kinds: list[AuditKind] = field(default_factory=list)
    kind: FindingKind | None = None
    section: tuple[str, str] | None = None  # (number, title)
    key_risk: tuple[str, str] | None = None
    departments: list[Department] = field(default_factory=list)
    status: RemediationStatus | None = None
    entry_date: datetime.date | None = None
    subclass: FindingSubclass | None = None
    report_date: datetime.date | None = None
    report_date_precision: str = PeriodPrecision.DAY
    period: tuple[datetime.date | None, datetime.date | None, str] = (
        None,
        None,
        PeriodPrecision.DAY,
    )

    @property
    def audit_key(self) -> tuple[int, str, str]:
        return (self.fiscal_year, self.values["監査の種類"], self.values["監査のテーマ"])

    @property
    def is_container(self) -> bool:
        """A row with 状況 left empty and no entry: a parent that introduces sub-items
        (or a finding listed without any report)."""
        return not self.values["状況"] and not self.values["措置内容"]


class _Formula(str):
    """A cell holding a formula: refused, its result is not known without Excel."""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(stream: IO[bytes], size: int) -> list[list[object]]:
    """The cell values of the first sheet (formulas marked), or ImportFileError."""
    if size > MAX_BYTES:
        raise ImportFileError(
            f"ファイルが大きすぎます（{size / 1024 / 1024:.1f}MB）。10MB以下にしてください。"
        )
    if size == 0:
        raise ImportFileError("ファイルが空です。")
    not_a_workbook = ImportFileError(
        "Excel ファイル（.xlsx）として読めません。Excel で「Excel ブック」として保存し直してください。"
    )
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            if sum(m.file_size for m in members) > MAX_UNPACKED:
                raise ImportFileError("展開後のサイズが大きすぎるファイルは読み込めません。")
            if any(m.filename.lower().endswith("vbaproject.bin") for m in members):
                raise ImportFileError("マクロを含むファイルは読み込めません。")
        stream.seek(0)
        book = load_workbook(stream, read_only=True, data_only=False)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, EOFError):
        raise not_a_workbook from None
    try:
        if not book.sheetnames:
            raise not_a_workbook
        sheet = book[book.sheetnames[0]]
        result: list[list[object]] = []
        for row in sheet.iter_rows():
            result.append(
                [
                    _Formula(str(cell.value))
                    if getattr(cell, "data_type", None) == "f"
                    else cell.value
                    for cell in row
                ]
            )
        return result
    except ImportFileError:
        raise
    except Exception:  # noqa: BLE001  a damaged sheet may fail anywhere inside openpyxl
        raise ImportFileError(
            "Excel ファイル（.xlsx）のシートを読み取れません。ファイルが壊れていないか確かめてください。"
        ) from None
    finally:
        book.close()


class _Lookups:
    """The reference data, read once per file."""

    def __init__(self) -> None:
        self.audit_kinds = {k.name: k for k in AuditKind.objects.all()}
        self.kinds = {k.name: k for k in FindingKind.objects.all()}
        self.statuses = {s.name: s for s in RemediationStatus.objects.all()}
        self.subclasses = {(s.kind_id, s.name): s for s in FindingSubclass.objects.all()}
        self.by_pk = {d.pk: d for d in Department.objects.select_related("parent")}
        self.departments = self._names(self.by_pk.values())
        self.names_then: dict[int, dict[str, list[Department]]] = {}
        # A file repeats its dates (the header of an audit on each of its rows): each
        # text is read once. Only what reads is kept; an error is raised again each time.
        self.entry_dates: dict[str, datetime.date] = {}
        self.periods: dict[str, tuple[datetime.date | None, datetime.date | None, str]] = {}

    def entry_date(self, text: str) -> datetime.date:
        day = self.entry_dates.get(text)
        if day is None:
            day = self.entry_dates[text] = parse_date_text(text, "措置日")
        return day

    def period(self, text: str) -> tuple[datetime.date | None, datetime.date | None, str]:
        found = self.periods.get(text)
        if found is None:
            found = self.periods[text] = _period(text)
        return found

    def _names(self, departments: Iterable[Department]) -> dict[str, list[Department]]:
        names: dict[str, list[Department]] = {}
        for dept in departments:
            for key in {dept.name, dept.full_name}:
                names.setdefault(key, []).append(self.by_pk[dept.pk])
        return names

    def department(self, name: str, fiscal_year: int) -> list[Department]:
        """The departments `name` means in that 年度's names (as its reports print them
        after a reorganisation), else in today's."""
        if fiscal_year and fiscal_year not in self.names_then:
            day = naming_date(None, fiscal_year)
            self.names_then[fiscal_year] = self._names(departments_as_of(day).values())
        found = self.names_then.get(fiscal_year, {}).get(name, [])
        return found or self.departments.get(name, [])


def _split_heading(text: str) -> tuple[str, str] | None:
    """ "1 想定される…" → ("1", "想定される…"); None when empty."""
    if not text:
        return None
    number, _, title = text.partition(" ")
    return number, title


_MONTH_RE = re.compile(r"^\s*(令和|平成|昭和)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*$")


def _month(text: str) -> datetime.date:
    match = _MONTH_RE.match(unicodedata.normalize("NFKC", text))
    if not match:
        raise ValueError(text)
    era = ERA_BY_NAME[match.group(1)]
    year = 1 if match.group(2) == "元" else int(match.group(2))
    day = datetime.date(era.start.year + year - 1, int(match.group(3)), 1)
    if not in_range(day):
        raise ValueError(text)
    return day


def _date_or_month(text: str, label: str) -> tuple[datetime.date, str]:
    try:
        return parse_date_text(text, label), PeriodPrecision.DAY
    except DateParameterError as error:
        try:
            return _month(text), PeriodPrecision.MONTH
        except ValueError:
            raise error from None


def _period(text: str) -> tuple[datetime.date | None, datetime.date | None, str]:
    """監査実施期間 as reports print it: one day, "A ～ B", or months ("令和5年6月～8月")."""
    if not text.strip():
        return None, None, PeriodPrecision.DAY
    first, _, last = (part.strip() for part in text.partition("～"))
    start, precision = _date_or_month(first, "監査実施期間")
    if not last:
        return start, None, precision
    if precision == PeriodPrecision.MONTH and re.fullmatch(r"\d{1,2}月", last):
        end = start.replace(month=int(last[:-1]))
        return start, end, precision
    end, _ = _date_or_month(last, "監査実施期間")
    return start, end, precision


def _check(row: ImportRow, lookups: _Lookups) -> None:
    values, errors = row.values, row.errors
    year_text = values["年度"].strip()
    try:
        year = int(year_text) if year_text.isdigit() else parse_fiscal_year(year_text)
        if not MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR:
            raise ValueError(year_text)
        row.fiscal_year = year
    except ValueError:
        errors.append(f"年度「{year_text}」を読めません（例: 2020 または 令和2年度）。")
    kinds_text = values["監査の種類"]
    if kinds_text in lookups.audit_kinds:
        row.audit_kinds = [lookups.audit_kinds[kinds_text]]
    else:
        names = [n for n in kinds_text.split("・") if n]
        unknown = [n for n in names if n not in lookups.audit_kinds]
        if not names or unknown:
            errors.append(f"監査の種類「{kinds_text}」が登録されていません。")
        else:
            row.audit_kinds = [lookups.audit_kinds[n] for n in names]
    if not values["監査のテーマ"].strip():
        errors.append("監査のテーマを入力してください。")
    row.kind = lookups.kinds.get(values["区分"])
    if row.kind is None:
        errors.append(
            f"区分「{values['区分']}」が登録されていません（{'、'.join(lookups.kinds)}）。"
        )
    row.section = _split_heading(values["節"])
    row.key_risk = _split_heading(values["重要リスク"])
    if not values["本文"].strip():
        errors.append("本文を入力してください。")
    for name in [n.strip() for n in values["担当所属"].split(DEPARTMENT_SEPARATOR) if n.strip()]:
        wanted = " ".join(name.replace("\u3000", " ").split())
        found = lookups.department(wanted, row.fiscal_year)
        if len(found) != 1:
            errors.append(
                f"担当所属「{name}」が登録されていません。"
                if not found
                else f"担当所属「{name}」に当たる所属が複数あります。部局名から書いてください。"
            )
        else:
            row.departments.append(found[0])
    if not values["担当所属"].strip():
        errors.append("担当所属を入力してください。")
    status_text = values["状況"]
    if status_text and status_text != UNREPORTED_LABEL:
        row.status = lookups.statuses.get(status_text)
        if row.status is None:
            errors.append(
                f"状況「{status_text}」が登録されていません（{'、'.join(lookups.statuses)}）。"
            )
        if not values["措置内容"].strip():
            errors.append("措置内容を入力してください。")
        try:
            row.entry_date = lookups.entry_date(values["措置日"])
        except DateParameterError as error:
            errors.append(str(error))
    elif values["措置日"] or values["措置内容"]:
        errors.append("措置日・措置内容のある行には状況を入力してください。")
    if values["細区分"] and row.kind is not None:
        row.subclass = lookups.subclasses.get((row.kind.pk, values["細区分"]))
        if row.subclass is None:
            errors.append(f"細区分「{values['細区分']}」は区分「{row.kind.name}」にありません。")
    if values["報告日"]:
        try:
            row.report_date, row.report_date_precision = _date_or_month(values["報告日"], "報告日")
        except DateParameterError as error:
            errors.append(str(error))
    try:
        row.period = lookups.period(values["監査実施期間"])
    except DateParameterError:
        errors.append(
            f"監査実施期間「{values['監査実施期間']}」を読めません"
            "（例: 令和3年2月10日 ～ 令和3年2月12日）。"
        )
    except ValueError:
        errors.append(out_of_range_message("監査実施期間"))


def read_workbook(stream: IO[bytes], size: int) -> list[ImportRow]:
    """Every data row with its own errors; ImportFileError when the file is unusable."""
    raw_rows = read_rows(stream, size)
    if not raw_rows:
        raise ImportFileError("シートが空です。1行目に見出しを入れてください。")
    header = [_text(v).strip() for v in raw_rows[0]]
    while header and not header[-1]:
        header.pop()
    if tuple(header) != COLUMNS:
        missing = [c for c in COLUMNS if c not in header]
        detail = f"（足りない列: {'、'.join(missing)}）" if missing else "（列の順序が違います）"
        raise ImportFileError(
            "1行目の見出しが取込みの様式と違います"
            + detail
            + "。ひな形の見出しの行をそのまま使ってください。"
        )
    lookups = _Lookups()
    result: list[ImportRow] = []
    for offset, raw in enumerate(raw_rows[1:]):
        cells = list(raw) + [None] * (len(COLUMNS) - len(raw))
        if not any(_text(v).strip() for v in cells):
            continue  # a blank line
        row = ImportRow(line=offset + 2, values={c: _text(cells[i]) for i, c in enumerate(COLUMNS)})
        formulas = [
            COLUMNS[i] for i, v in enumerate(cells[: len(COLUMNS)]) if isinstance(v, _Formula)
        ]
        if formulas:
            row.errors.append(
                f"{'、'.join(formulas)}に数式があります。値として貼り付けてから読み込んでください。"
            )
        else:
            _check(row, lookups)
        result.append(row)
    if not result:
        raise ImportFileError("データの行がありません。見出しの下に1行に1件ずつ入力してください。")
    return result


def read_bytes(data: bytes) -> list[ImportRow]:
    return read_workbook(io.BytesIO(data), len(data))
