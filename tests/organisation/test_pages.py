"""The 管理者's pages end to end through the test client: forms, bad input (Japanese
messages, nothing half-applied, never a 500) and fixed query counts."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from audits.models import Department, Membership, User
from audits.roles import Role
from organisation.models import PersonnelChange, Reorganisation
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Kanri-Sochi-2026!"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def _xlsx(rows, sheet="人事異動", formula_cell=None) -> bytes:
    book = Workbook()
    ws = book.create_sheet(sheet, 0)
    del book[book.sheetnames[1]]
    for row in rows:
        ws.append(row)
    if formula_cell:
        ws[formula_cell] = "=A1"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, data: bytes, name="idou.xlsx"):
    return client.post(reverse("transfer_upload"), {"file": SimpleUploadedFile(name, data, XLSX)})


HEADER = ["職員番号", "ログインID", "氏名", "新所属", "役割", "発令日"]


def test_create_department_and_user_on_the_pages(admin_client, soumu):
    response = admin_client.post(
        reverse("department_create"),
        {"name": "デジタル推進課", "code": "dx", "parent": soumu.pk, "sort_order": "3"},
    )
    assert response.status_code == 302
    dx = Department.objects.get(code="dx")
    response = admin_client.post(
        reverse("person_create"),
        {
            "username": "dx_tanto", "display_name": "推進 花子", "employee_number": "5001",
            "email": "", "role": Role.DEPARTMENT_STAFF.value, "departments": [str(dx.pk)],
            "password1": PASSWORD, "password2": PASSWORD,
        },
    )  # fmt: skip
    assert response.status_code == 302
    person = User.objects.get(username="dx_tanto")
    assert person.groups.get().name == "所管課担当"
    assert Membership.objects.get(user=person).department == dx


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "code": "x", "sort_order": "0"}, "name", "名称を入力してください。"),
        ({"name": "課", "code": "ict", "sort_order": "0"}, "code", "すでに使われています"),
        ({"name": "課", "code": "y", "sort_order": "-1"}, "sort_order", "0以上"),
        ({"name": "課", "code": "z", "sort_order": "abc"}, "sort_order", "数字で"),
        (
            {"name": "課", "code": "w", "sort_order": "0", "parent": "999999"},
            "parent",
            "一覧にある部局",
        ),
    ],
)
def test_department_form_errors_are_japanese_and_keep_input(
    admin_client, ict, data, field, message
):
    response = admin_client.post(reverse("department_create"), data)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert data["name"] in response.content.decode() or not data["name"]


def test_person_form_rejects_weak_password_and_mismatch(admin_client, ict):
    base = {
        "username": "weak", "display_name": "弱い 人", "employee_number": "", "email": "bad",
        "role": Role.DEPARTMENT_STAFF.value, "departments": [], "password1": "abc",
        "password2": "abd",
    }  # fmt: skip
    response = admin_client.post(reverse("person_create"), base)
    errors = response.context["form"].errors
    assert "メールアドレスの形式" in str(errors["email"])
    assert "一致しません" in str(errors["password2"])
    assert not User.objects.filter(username="weak").exists()
    base.update(email="", password2="abc", departments=[str(ict.pk)])
    response = admin_client.post(reverse("person_create"), base)
    assert "password1" in response.context["form"].errors
    base.update(password1=PASSWORD, password2=PASSWORD, departments=[])
    response = admin_client.post(reverse("person_create"), base)
    assert "所属を1つ以上" in str(response.context["form"].errors["departments"])


def test_disabled_user_cannot_sign_in_and_keeps_their_name(
    admin_client, client, ict_staff, finding, statuses
):
    from remediation.services import record_entry

    record_entry(
        finding, status=statuses["keizoku"], entry_date=datetime.date(2021, 9, 30),
        content="対応中。", user=ict_staff,
    )  # fmt: skip
    admin_client.post(reverse("person_active", args=[ict_staff.pk]), {"active": "0"})
    ict_staff.refresh_from_db()
    assert not ict_staff.is_active
    from django.test import Client

    anon = Client()
    response = anon.post(
        reverse("login"), {"username": ict_staff.username, "password": "test-pass-12345"}
    )
    assert "_auth_user_id" not in anon.session
    assert response.status_code == 200
    page = admin_client.get(reverse("finding_detail", args=[finding.pk])).content.decode()
    assert ict_staff.display_name in page


def test_transfer_file_with_bad_rows_shows_every_error_and_applies_nothing(
    admin_client, ict, jinji, ict_staff, jinji_staff
):
    rows = [
        HEADER,
        ["", ict_staff.username, ict_staff.display_name, "jinji", "", "2025-04-01"],
        ["", "nobody", "誰か", "jinji", "", "2025-04-01"],
        ["", jinji_staff.username, jinji_staff.display_name, "存在しない課", "", "2025-04-01"],
        ["", jinji_staff.username, jinji_staff.display_name, "ict", "社長", "令和99年13月1日"],
        ["", ict_staff.username, ict_staff.display_name, "ict", "", "1900-01-01"],
    ]
    response = _upload(admin_client, _xlsx(rows))
    html = response.content.decode()
    assert response.status_code == 200
    assert "3行目: 職員「nobody」が登録されていません" in html
    assert "新所属「存在しない課」という所属はありません" in html
    assert "役割「社長」はありません" in html
    assert "発令日「令和99年13月1日」を日付として読めません" in html
    assert "同じ職員です" in html
    assert "平成元年1月8日（1989-01-08）から" in html
    assert not response.context["token"]
    assert not PersonnelChange.objects.exists()


def test_transfer_file_applies_all_rows_after_preview(admin_client, ict, jinji, ict_staff):
    today = datetime.date.today().isoformat()
    rows = [HEADER, ["", ict_staff.username, ict_staff.display_name, "総務部 人事課", "", today]]
    response = _upload(admin_client, _xlsx(rows))
    token = response.context["token"]
    assert token
    response = admin_client.post(reverse("transfer_apply"), {"token": token})
    assert response.status_code == 302
    ict_staff.refresh_from_db()
    assert ict_staff.department == jinji
    # The same token cannot be used twice.
    admin_client.post(reverse("transfer_apply"), {"token": token})
    assert PersonnelChange.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"not a workbook at all", "idou.xlsx", "Excel ファイル（.xlsx）として読めません"),
        (b"PK\x03\x04broken zip", "idou.xlsx", "Excel ファイル（.xlsx）として読めません"),
        (b"\x00" * 100, "idou.csv", "CSV または Excel"),
        (b"a,b,c\n1,2,3\n", "idou.csv", "見出しの行が見つかりません"),
        (b"\x89PNG" + b"\x00" * 10, "x.png", "CSV または Excel"),
        ("ログインID,氏名\nx,y\n".encode(), "idou.csv", "見出しに次の列がありません"),
    ],
)
def test_malformed_files_are_refused_in_japanese(admin_client, ict, data, name, message):
    response = _upload(admin_client, data, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PersonnelChange.objects.exists()


def test_ten_megabytes_of_junk_is_refused(admin_client):
    response = _upload(admin_client, b"\xff" * (10 * 1024 * 1024), "junk.xlsx")
    assert response.status_code == 200
    assert "5MB以下にしてください" in response.content.decode()


def test_wrong_sheet_and_formulas_are_explained(admin_client, ict, ict_staff):
    book = Workbook()
    book.create_sheet("その他")
    out = io.BytesIO()
    book.save(out)
    response = _upload(admin_client, out.getvalue())
    assert "「人事異動」という名前のシートがありません" in response.content.decode()
    rows = [HEADER, ["", ict_staff.username, "", "ict", "", "2025-04-01"]]
    response = _upload(admin_client, _xlsx(rows, formula_cell="C2"))
    assert "氏名に数式があります" in response.content.decode()


def test_template_download_is_a_workbook_listing_departments(admin_client, ict):
    response = admin_client.get(reverse("transfer_template"))
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["人事異動", "所属一覧"]
    header = next(book["人事異動"].iter_rows(values_only=True))
    assert list(header) == HEADER
    listed = [row[1] for row in book["所属一覧"].iter_rows(values_only=True)]
    assert "総務部 ICT戦略課" in listed


def test_reorganisation_preview_then_apply_on_the_pages(admin_client, soumu, ict, jinji, finding):
    response = admin_client.post(
        reverse("reorganisation_create"),
        {
            "kind": "merge", "effective_date": datetime.date.today().isoformat(),
            "sources": [str(ict.pk), str(jinji.pk)], "targets": [str(jinji.pk)],
            "new_name": "", "new_parent": "", "note": "",
        },
    )  # fmt: skip
    reorg = Reorganisation.objects.get()
    assert response.status_code == 302
    page = admin_client.get(reverse("reorganisation_detail", args=[reorg.pk])).content.decode()
    assert "移る未完了の指摘事項（1件）" in page
    admin_client.post(reverse("reorganisation_apply", args=[reorg.pk]))
    assert list(finding.departments.all()) == [jinji]
    handover = admin_client.get(reverse("department_handover", args=[jinji.pk])).content.decode()
    assert finding.title in handover


def test_reorganisation_form_errors(admin_client, ict):
    response = admin_client.post(
        reverse("reorganisation_create"),
        {"kind": "merge", "effective_date": "2025-02-30", "sources": [str(ict.pk)]},
    )
    errors = response.context["form"].errors
    assert "実在する日付" in str(errors["effective_date"])
    response = admin_client.post(
        reverse("reorganisation_create"),
        {"kind": "merge", "effective_date": "2025-04-01", "sources": [str(ict.pk)], "targets": []},
    )
    assert "2つ以上" in str(response.context["form"].errors["sources"])
    assert not Reorganisation.objects.exists()


@pytest.mark.parametrize("count", [1, 30])
def test_person_list_query_count_is_fixed(admin_client, ict, count, django_assert_num_queries):
    for i in range(count):
        make_user(Role.DEPARTMENT_STAFF, ict, f"p{i:03}")
    # 1 session, 2 the user with their department, 3 their groups (role), 4 the count,
    # 5 the page of users, 6 their groups, 7 their current memberships with departments,
    # 8 the department choices of the search form.
    with django_assert_num_queries(8):
        response = admin_client.get(reverse("person_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 30])
def test_department_tree_query_count_is_fixed(
    admin_client, soumu, count, django_assert_num_queries
):
    for i in range(count):
        Department.objects.create(code=f"k{i}", name=f"課{i}", parent=soumu)
    # 1 session, 2 the user, 3 their groups (role), 4 every department with counts.
    with django_assert_num_queries(4):
        response = admin_client.get(reverse("department_tree"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 20])
def test_handover_query_count_is_fixed(
    admin_client, ict, make_finding, make_entry, count, django_assert_num_queries
):
    for i in range(count):
        finding = make_finding(label=f"({i})")
        make_entry(finding, review="returned")
    # 1 session, 2 the user, 3 their groups (role), 4 the department, 5 the successor
    # links, 6 open findings, 7 returned reports, 8 reporting rounds, 9 current staff.
    with django_assert_num_queries(9):
        response = admin_client.get(reverse("department_handover", args=[ict.pk]))
    assert response.status_code == 200
    assert len(response.context["returned"]) == count


def test_log_page_names_the_organisation_changes(admin_client, ict, jinji):
    admin_client.post(
        reverse("reorganisation_create"),
        {
            "kind": "abolish", "effective_date": datetime.date.today().isoformat(),
            "sources": [str(ict.pk)], "targets": [str(jinji.pk)],
        },
    )  # fmt: skip
    reorg = Reorganisation.objects.get()
    admin_client.post(reverse("reorganisation_apply", args=[reorg.pk]))
    page = admin_client.get(reverse("log_list")).content.decode()
    assert "組織改編を適用" in page


def test_committee_sees_reports_but_no_organisation_page(client, committee):
    client.force_login(committee)
    assert client.get(reverse("home")).url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("department_tree")).status_code == 404


def test_department_pickers_are_grouped_by_bureau(admin_client, audit, ict, jinji, kansaka):
    """The audit form's checkboxes carry the filter box (static JS); the finding list's
    department select is grouped in <optgroup>s per 部局."""
    form = admin_client.get(reverse("audit_edit", args=[audit.pk])).content.decode()
    assert "data-department-filter" in form and "department-filter.js" in form
    listing = admin_client.get(reverse("finding_list")).content.decode()
    assert '<optgroup label="総務部">' in listing
    assert "ICT戦略課" in listing.split('<optgroup label="総務部">')[1].split("</optgroup>")[0]


@pytest.mark.parametrize("count", [1, 20])
def test_reorganisation_preview_query_count_is_fixed(
    admin_client, administrator, ict, jinji, make_finding, count, django_assert_num_queries
):
    from organisation.services import plan_reorganisation

    for i in range(count):
        make_finding(label=f"({i})")
    reorg = plan_reorganisation(
        kind="abolish", effective_date=datetime.date.today(), sources=[ict], targets=[jinji],
        user=administrator,
    )  # fmt: skip
    # 1 session, 2 the user, 3 their groups (role), 4 the reorganisation, preview: 5 its
    # sources, 6 its targets, 7 open findings, 8 their departments, 9 staff who move;
    # 10 the summary's sources, 11 its targets, 12 the targets shown.
    with django_assert_num_queries(12):
        response = admin_client.get(reverse("reorganisation_detail", args=[reorg.pk]))
    assert len(response.context["plan"].findings) == count


@pytest.mark.parametrize("count", [1, 10])
def test_reorganisation_list_query_count_is_fixed(
    admin_client, administrator, soumu, count, django_assert_num_queries
):
    from organisation.services import plan_reorganisation

    for i in range(count):
        dept = Department.objects.create(code=f"r{i}", name=f"課{i}", parent=soumu)
        plan_reorganisation(
            kind="rename", effective_date=datetime.date.today(), sources=[dept],
            new_name=f"新{i}", user=administrator,
        )  # fmt: skip
    # 1 session, 2 the user, 3 their groups (role), 4 the reorganisations with their
    # new 部局 and author, 5 their sources, 6 their targets.
    with django_assert_num_queries(6):
        response = admin_client.get(reverse("reorganisation_list"))
    assert len(response.context["reorgs"]) == count


def test_handover_includes_findings_of_departments_absorbed_twice(
    admin_client, soumu, ict, jinji, kansaka, finding
):
    """ICT戦略課 retired into 人事課, which later retired into 監査課: a finding still
    addressed to ICT戦略課 (closed ones stay) is inherited by 監査課."""
    Department.objects.filter(pk=ict.pk).update(is_active=False, successor=jinji)
    Department.objects.filter(pk=jinji.pk).update(is_active=False, successor=kansaka)
    page = admin_client.get(reverse("department_handover", args=[kansaka.pk])).content.decode()
    assert finding.title in page


def test_person_search_by_role_and_bad_values(admin_client, manager, ict_staff):
    response = admin_client.get(reverse("person_list"), {"role": "管理職"})
    names = [person.username for person, _, _ in response.context["rows"]]
    assert names == ["manager"]
    response = admin_client.get(reverse("person_list"), {"role": "社長", "department": "x"})
    assert response.status_code == 200
    assert "選択肢にない値です" in response.content.decode()
