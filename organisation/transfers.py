"""人事異動 files: reading a CSV or Excel list, checking every row, and the template.

Columns (the header row names them; order free, extra columns ignored):
職員番号, ログインID, 氏名, 新所属, 役割, 発令日. A person is found by ログインID, else by
職員番号; 氏名 must match the account (a guard against a shifted row). 新所属 is a
所属コード or a name as printed ("総務部 ICT戦略課"); 「退職」 (or 「転出」) there means the
person leaves. 役割 may be empty (kept). 発令日 is 2025-04-01, 2025/4/1 or 令和7年4月1日.

Nothing is applied here: read_transfer_file returns rows and errors, and the view
applies all rows or none.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from audits.models import Department, User
from audits.roles import ROLE_PRECEDENCE
from audits.wareki import parse_wareki
from organisation.people import role_from_text
from organisation.services import check_date

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_UNPACKED = 50 * 1024 * 1024
SHEET_NAME = "人事異動"
COLUMNS = ("職員番号", "ログインID", "氏名", "新所属", "役割", "発令日")
LEAVING_WORDS = ("退職", "転出", "退職・転出")


class TransferFileError(Exception):
    """The file as a whole cannot be read; the message says why, in Japanese."""


@dataclass
class TransferRow:
    line: int  # as the spreadsheet numbers it (header = 1)
    values: dict[str, str]
    person: User | None = None
    department: Department | None = None
    role: str = ""
    leaves: bool = False
    effective_date: datetime.date | None = None
    errors: list[str] = field(default_factory=list)

    def as_session(self) -> dict[str, Any]:
        assert self.person is not None and self.effective_date is not None
        return {
            "line": self.line,
            "user": self.person.pk,
            "department": self.department.pk if self.department else None,
            "role": self.role,
            "leaves": self.leaves,
            "date": self.effective_date.isoformat(),
        }


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).replace("\u3000", " ").split())


def _read_rows(data: bytes, name: str) -> list[list[object]]:
    if len(data) > MAX_BYTES:
        raise TransferFileError(
            f"ファイルが大きすぎます（{len(data) / 1024 / 1024:.1f}MB）。5MB以下にしてください。"
        )
    if not data:
        raise TransferFileError("ファイルが空です。")
    if data.startswith(b"PK"):
        return _read_workbook(data)
    if name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise TransferFileError(
            "Excel ファイル（.xlsx）として読めません。Excel で「Excel ブック」として保存し直すか、CSV にしてください。"
        )
    return _read_csv(data)


def _read_csv(data: bytes) -> list[list[object]]:
    if b"\x00" in data[:4096]:
        raise TransferFileError("CSV または Excel（.xlsx）のファイルを選んでください。")
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TransferFileError(
            "文字コードを読み取れません。UTF-8 か Shift_JIS の CSV にしてください。"
        )
    try:
        rows: list[list[object]] = [list(row) for row in csv.reader(io.StringIO(text))]
        return rows[: MAX_ROWS + 1]
    except csv.Error:
        raise TransferFileError("CSV として読めません。") from None


def _read_workbook(data: bytes) -> list[list[object]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(m.file_size for m in archive.infolist()) > MAX_UNPACKED:
                raise TransferFileError("展開後のサイズが大きすぎるファイルは読み込めません。")
            if any(m.filename.lower().endswith("vbaproject.bin") for m in archive.infolist()):
                raise TransferFileError("マクロを含むファイルは読み込めません。")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except TransferFileError:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, EOFError):
        raise TransferFileError(
            "Excel ファイル（.xlsx）として読めません。ファイルが壊れていないか確かめてください。"
        ) from None
    try:
        names = book.sheetnames
        if SHEET_NAME in names:
            sheet = book[SHEET_NAME]
        elif len(names) == 1:
            sheet = book[names[0]]
        else:
            raise TransferFileError(
                f"「{SHEET_NAME}」という名前のシートがありません（シート: {'、'.join(names)}）。"
                "ひな形のシートに入力してください。"
            )
        rows: list[list[object]] = []
        for row in sheet.iter_rows():
            values: list[object] = []
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    values.append(_Formula(str(cell.value)))
                else:
                    values.append(cell.value)
            rows.append(values)
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    except TransferFileError:
        raise
    except Exception:  # noqa: BLE001  a damaged sheet may fail anywhere inside openpyxl
        raise TransferFileError(
            "Excel ファイル（.xlsx）のシートを読み取れません。ファイルが壊れていないか確かめてください。"
        ) from None
    finally:
        book.close()


class _Formula(str):
    """A cell holding a formula: refused, its result is not known without Excel."""


def _parse_date(text: str) -> datetime.date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return parse_wareki(text)


def _department_lookup() -> dict[str, list[Department]]:
    lookup: dict[str, list[Department]] = {}
    for dept in Department.objects.select_related("parent"):
        for key in {dept.code, dept.name, dept.full_name}:
            lookup.setdefault(key, []).append(dept)
    return lookup


def read_transfer_file(data: bytes, name: str) -> list[TransferRow]:
    """Every data row, each with its errors (empty when it can be applied). Raises
    TransferFileError when the file as a whole is unusable."""
    rows = _read_rows(data, name)
    header_at = next(
        (i for i, row in enumerate(rows[:10]) if any(_text(v) in COLUMNS for v in row)), None
    )
    if header_at is None:
        raise TransferFileError(
            "見出しの行が見つかりません。1行目に「"
            + "、".join(COLUMNS)
            + "」の見出しを入れてください。"
        )
    header = [_text(v) for v in rows[header_at]]
    missing = [c for c in ("新所属", "発令日") if c not in header]
    if "ログインID" not in header and "職員番号" not in header:
        missing.insert(0, "ログインID または 職員番号")
    if missing:
        raise TransferFileError("見出しに次の列がありません: " + "、".join(missing))
    body = rows[header_at + 1 :]
    if len(body) > MAX_ROWS:
        raise TransferFileError(f"一度に読み込めるのは{MAX_ROWS:,}行までです。")
    users = {u.username: u for u in User.objects.all()}
    by_number = {u.employee_number: u for u in users.values() if u.employee_number}
    departments = _department_lookup()
    result: list[TransferRow] = []
    seen: dict[int, int] = {}
    for offset, raw in enumerate(body):
        line = header_at + offset + 2
        values = {col: _text(raw[i]) if i < len(raw) else "" for i, col in enumerate(header) if col}
        if not any(values.get(c) for c in COLUMNS):
            continue  # a blank line
        row = TransferRow(line=line, values={c: values.get(c, "") for c in COLUMNS})
        formulas = [
            header[i] for i, v in enumerate(raw) if isinstance(v, _Formula) and i < len(header)
        ]
        if formulas:
            row.errors.append(
                f"{'、'.join(formulas)}に数式があります。値として貼り付けてから読み込んでください。"
            )
            result.append(row)
            continue
        _check_row(row, users, by_number, departments)
        if row.person is not None:
            if row.person.pk in seen:
                row.errors.append(
                    f"{seen[row.person.pk]}行目と同じ職員です（1人1行にしてください）。"
                )
            else:
                seen[row.person.pk] = line
        result.append(row)
    if not result:
        raise TransferFileError(
            "データの行がありません。見出しの下に1行に1人ずつ入力してください。"
        )
    return result


def _check_row(
    row: TransferRow,
    users: dict[str, User],
    by_number: dict[str, User],
    departments: dict[str, list[Department]],
) -> None:
    values = row.values
    login, number, name = values["ログインID"], values["職員番号"], values["氏名"]
    person = users.get(login) if login else None
    if person is None and number:
        person = by_number.get(number)
    if person is None:
        if login or number:
            row.errors.append(
                f"職員「{login or number}」が登録されていません（先に利用者を登録してください）。"
            )
        else:
            row.errors.append("ログインIDか職員番号を入力してください。")
    elif login and number and person.employee_number and person.employee_number != number:
        row.errors.append(
            f"ログインID「{login}」と職員番号「{number}」が同じ職員を指していません。"
        )
    elif name and name.replace(" ", "") != (person.display_name or "").replace(" ", "").replace(
        "\u3000", ""
    ):
        row.errors.append(
            f"氏名「{name}」が登録されている氏名「{person.display_name}」と違います。"
        )
    row.person = person
    target = values["新所属"]
    if target in LEAVING_WORDS:
        row.leaves = True
    elif not target:
        row.errors.append("新所属を入力してください（退職・転出は「退職」）。")
    else:
        found = departments.get(target, [])
        active = [d for d in found if d.is_active]
        if not found:
            row.errors.append(f"新所属「{target}」という所属はありません。")
        elif not active:
            row.errors.append(f"新所属「{target}」は廃止されています。")
        elif len(active) > 1:
            row.errors.append(
                f"新所属「{target}」に当たる所属が複数あります。所属コードで指定してください。"
            )
        else:
            row.department = active[0]
    role_text = values["役割"]
    if role_text and not row.leaves:
        role = role_from_text(role_text)
        if role is None:
            choices = "、".join(r.value for r in ROLE_PRECEDENCE)
            row.errors.append(f"役割「{role_text}」はありません（{choices}）。")
        else:
            row.role = role.value
    day_text = values["発令日"]
    if not day_text:
        row.errors.append("発令日を入力してください。")
    else:
        try:
            day = _parse_date(day_text)
        except ValueError:
            row.errors.append(
                f"発令日「{day_text}」を日付として読めません（例: 2025-04-01、令和7年4月1日）。"
            )
        else:
            message = check_date(day, "発令日")
            if message:
                row.errors.append(message)
            else:
                row.effective_date = day


def template_workbook() -> bytes:
    """The template to fill in: the 人事異動 sheet with its header and an example, and a
    sheet listing the current departments and roles to copy from."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_NAME
    sheet.append(list(COLUMNS))
    sheet.append(["12345", "yamada", "山田 太郎", "総務部 人事課", "所管課担当", "2025-04-01"])
    for column, width in zip("ABCDEF", (12, 16, 16, 28, 14, 14), strict=True):
        sheet.column_dimensions[column].width = width
    listing = book.create_sheet("所属一覧")
    listing.append(["所属コード", "所属（新所属に書く名前）", "役割（役割に書く名前）"])
    roles = [r.value for r in ROLE_PRECEDENCE]
    depts = list(Department.objects.filter(is_active=True).select_related("parent"))
    for i in range(max(len(depts), len(roles))):
        dept = depts[i] if i < len(depts) else None
        listing.append(
            [
                dept.code if dept else None,
                dept.full_name if dept else None,
                roles[i] if i < len(roles) else None,
            ]
        )
    listing.column_dimensions["B"].width = 32
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
