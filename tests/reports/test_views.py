"""Report preview and downloads: who gets what, the headers, and refusals."""

from __future__ import annotations

import datetime
from urllib.parse import unquote

import pytest
from django.urls import reverse

from reports.builder import Selection, build_report
from tests.html_checks import body_of
from tests.reports.conftest import compact, pdf_text


def _login(client, user):
    client.force_login(user)
    return client


def _export(client, fmt: str, **params):
    return client.get(reverse("report_export", args=[fmt]), params)


def test_pdf_download_has_content_type_and_japanese_filename(client, manager, finding, make_entry):
    make_entry(finding)
    response = _export(_login(client, manager), "pdf", audit=finding.audit_id)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="sochi-report_audit')
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == "措置状況_令和2年度_行政監査.pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("csv", "text/csv; charset=utf-8", b""),
    ],
)
def test_excel_and_csv_downloads_use_their_renderers(
    client, auditor, finding, fmt, content_type, magic
):
    response = _export(_login(client, auditor), fmt, audit=finding.audit_id, as_of="2021-09-30")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    # The CSV is streamed (reports.builder.ReportStream), the workbook is not.
    body = body_of(response)
    assert body.startswith(magic)
    name = unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name == f"措置状況_令和2年度_行政監査_令和3年9月30日現在.{fmt}"


def test_unknown_format_is_not_found(client, manager, finding):
    assert _export(_login(client, manager), "docx", audit=finding.audit_id).status_code == 404


def test_anonymous_user_is_sent_to_login(client, finding):
    for url in (reverse("report_preview"), reverse("report_export", args=["pdf"])):
        response = client.get(url, {"audit": finding.audit_id})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_staff_download_holds_only_their_departments_findings(
    client, jinji_staff, finding, jinji_finding
):
    response = _export(_login(client, jinji_staff), "pdf", audit=finding.audit_id)

    text = compact(pdf_text(response.content))
    assert response.status_code == 200
    assert compact("人事記録の持ち出しについて") in text
    assert compact("サーバ室内の整理整頓について") not in text


def test_staff_cannot_ask_for_another_departments_findings(
    client, ict_staff, finding, jinji_finding, jinji
):
    _login(client, ict_staff)
    for fmt in ("pdf", "xlsx", "csv"):
        response = _export(client, fmt, department=jinji.pk)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert "選択肢にない値です" in response.content.decode()
        assert "人事記録" not in response.content.decode()

    preview = client.get(reverse("report_preview"), {"department": jinji.pk})
    assert preview.status_code == 400
    assert preview.context["report"] is None
    assert preview.context["form"].errors["department"]
    assert "人事記録" not in preview.content.decode()


def test_staff_cannot_download_an_audit_with_nothing_addressed_to_them(
    client, jinji_staff, finding
):
    response = _export(_login(client, jinji_staff), "pdf", audit=finding.audit_id)

    assert response.status_code == 400
    assert "サーバ室" not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"as_of": "2021-02-30"}, "as_of"),
        ({"as_of": "令和3年2月30日"}, "as_of"),
        ({"as_of": "平成35年1月1日"}, "as_of"),
        ({"as_of": "x" * 500}, "as_of"),
        ({"as_of": "1900-01-01"}, "as_of"),
        ({"as_of": "昭和64年1月7日"}, "as_of"),
        ({"as_of": "9999-12-31"}, "as_of"),
        ({"audit": "abc"}, "audit"),
        ({"audit": "99999999999999999999"}, "audit"),
        ({"fiscal_year": "1800"}, "fiscal_year"),
        ({"fiscal_year": "令和99年度"}, "fiscal_year"),
        ({"department": "-1"}, "department"),
    ],
)
def test_bad_params_give_field_errors_and_a_400_never_a_file(
    client, manager, finding, params, field
):
    _login(client, manager)
    preview = client.get(reverse("report_preview"), params)
    assert preview.status_code == 400
    assert preview.context["form"].errors[field]
    assert 'class="field__error"' in preview.content.decode()

    for fmt in ("pdf", "xlsx", "csv"):
        response = _export(client, fmt, **params)
        assert response.status_code == 400
        assert "Content-Disposition" not in response
        assert "出力できませんでした" in response.content.decode()


def test_bad_finding_list_filter_is_a_form_error(client, manager, finding):
    _login(client, manager)
    preview = client.get(reverse("report_preview"), {"status": "nonsense"})

    assert preview.context["report"] is None
    assert preview.context["form"].non_field_errors()
    assert _export(client, "pdf", status="nonsense").status_code == 400


def test_wareki_as_of_is_accepted(client, manager, finding, make_entry):
    make_entry(finding, day=datetime.date(2022, 3, 31), status="sochizumi")
    _login(client, manager)
    response = client.get(
        reverse("report_preview"), {"audit": finding.audit_id, "as_of": "令和3年9月30日"}
    )

    assert response.context["report"].selection.as_of == datetime.date(2021, 9, 30)
    assert "令和 4年" not in response.content.decode()


def test_finding_list_filters_narrow_the_report(client, manager, finding, jinji_finding):
    _login(client, manager)
    response = client.get(reverse("report_preview"), {"audit": finding.audit_id, "q": "人事記録"})

    report = response.context["report"]
    assert [row.title for _, _, row in report.audits[0].rows()] == ["人事記録の持ち出しについて"]
    assert "キーワード「人事記録」" in report.selection_label


def test_preview_shows_report_summary_and_download_links(client, manager, finding, make_entry):
    make_entry(finding)
    response = (
        client.get(reverse("report_preview"), {"audit": finding.audit_id, "open_only": "1"})
        if _login(client, manager)
        else None
    )
    assert response is not None
    html = response.content.decode()

    assert response.status_code == 200
    assert "措置（具体的内容）・対応状況" in html
    assert "【 継続努力 】 令和 3年 9月30日" in html
    assert "集計" in html
    query = f"audit={finding.audit_id}&amp;open_only=1"
    for fmt in ("pdf", "xlsx", "csv"):
        assert f"{reverse('report_export', args=[fmt])}?{query}" in html


def test_preview_without_params_shows_only_the_form(client, manager, finding):
    response = _login(client, manager).get(reverse("report_preview"))

    assert response.status_code == 200
    assert response.context["report"] is None


def _make_findings(make_finding, make_entry, count: int) -> None:
    for i in range(count):
        created = make_finding(label=f"({i + 1})", title=f"指摘{i}", viewpoint=None)
        make_entry(created)


@pytest.mark.parametrize("count", [1, 50])
def test_build_report_query_count_does_not_grow_with_findings(
    manager, make_finding, make_entry, count, django_assert_num_queries
):
    _make_findings(make_finding, make_entry, count)
    selection = Selection(fiscal_year=2020)
    # 1 the statuses (names and summary columns), 2 every department (names),
    # 3 the user's groups (role), 4 findings with status annotations, 5 their entries,
    # 6 their department links, 7 their further viewpoints, 8 the audits, 9 their kinds,
    # 10 sections, 11 finding kinds, 12 key risks, 13 viewpoints, 14 audited
    # departments, 15 systems; names as of the report's date: 16 past department names,
    # 17 the findings' transfers by reorganisations.
    with django_assert_num_queries(17):
        report = build_report(manager, selection)
    assert report.finding_count == count


@pytest.mark.parametrize("count", [1, 50])
def test_preview_query_count_does_not_grow_with_findings(
    client, manager, make_finding, make_entry, count, django_assert_num_queries
):
    _make_findings(make_finding, make_entry, count)
    _login(client, manager)
    # 1 session, 2 user with their department (the header), 3 the user's groups (role),
    # 4 form: fiscal years of the visible audits; build_report: 5 statuses, 6 every
    # department (names), 7 findings with status, 8 entries, 9 department links,
    # 10 further viewpoints, 11 audits, 12 their kinds, 13 sections, 14 finding kinds,
    # 15 key risks, 16 viewpoints, 17 audited departments, 18 systems;
    # rendering: 19 the audit choices, 20 their kinds, 21 the department choices;
    # names as of the report's date: 22 past department names, 23 transfers.
    with django_assert_num_queries(23):
        response = client.get(reverse("report_preview"), {"fiscal_year": "2020"})
    assert response.context["report"].finding_count == count
