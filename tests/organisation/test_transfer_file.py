"""Reading 人事異動 files: the spellings people use in Excel and CSV."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import Workbook

from organisation.transfers import TransferFileError, read_transfer_file

pytestmark = pytest.mark.django_db


def test_shift_jis_csv_with_wareki_date_and_full_name(ict_staff, jinji):
    text = f"ログインID,氏名,新所属,役割,発令日\n{ict_staff.username},{ict_staff.display_name},総務部　人事課,所管課担当,令和7年4月1日\n"
    rows = read_transfer_file(text.encode("cp932"), "idou.csv")
    assert rows[0].errors == []
    assert rows[0].department == jinji
    assert rows[0].effective_date == datetime.date(2025, 4, 1)
    assert rows[0].role == "所管課担当"


def test_excel_date_cells_numbers_and_leavers(ict_staff):
    ict_staff.employee_number = "12345"
    ict_staff.save()
    book = Workbook()
    sheet = book.create_sheet("人事異動", 0)
    sheet.append(["職員番号", "ログインID", "氏名", "新所属", "役割", "発令日"])
    sheet.append([12345, None, None, "退職", None, datetime.datetime(2025, 3, 31)])
    out = io.BytesIO()
    book.save(out)
    rows = read_transfer_file(out.getvalue(), "idou.xlsx")
    assert rows[0].errors == []
    assert rows[0].person == ict_staff and rows[0].leaves
    assert rows[0].effective_date == datetime.date(2025, 3, 31)


def test_name_that_does_not_match_the_account_is_an_error(ict_staff, jinji):
    text = f"ログインID,氏名,新所属,役割,発令日\n{ict_staff.username},別人 太郎,jinji,,2025-04-01\n"
    rows = read_transfer_file(text.encode(), "idou.csv")
    assert "登録されている氏名" in rows[0].errors[0]


def test_a_file_with_only_a_header_is_refused():
    with pytest.raises(TransferFileError, match="データの行がありません"):
        read_transfer_file("ログインID,氏名,新所属,役割,発令日\n".encode(), "idou.csv")
