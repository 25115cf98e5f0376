"""The audit list, the audit header form and the detail page with its structure."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audits.models import Audit, AuditKind
from history.models import Action, LogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def valid_audit(ict, kinds) -> dict[str, object]:
    return {
        "fiscal_year": "2020",
        "kinds": [AuditKind.objects.get(name="行政監査").pk],
        "theme": "情報セキュリティの管理について",
        "audited_departments": [ict.pk],
        "period_start": "2021-02-10",
        "period_end": "",
        "report_number": "",
        "report_date": "",
        "auditor_names": "",
        "finding_kinds": [k.pk for k in kinds.values()],
    }


def test_audit_list_shows_fiscal_year_in_wareki_and_counts(
    auditor_client, audit, make_finding, make_entry
):
    make_finding(label="①")
    closed = make_finding(label="②")
    make_entry(closed, status="sochizumi")

    response = auditor_client.get(reverse("audit_list"))

    html = response.content.decode()
    assert "令和2年度" in html
    assert "令和3年2月10日" in html
    row = response.context["audits"][0]
    assert (row.finding_count, row.open_count) == (2, 1)
    assert reverse("audit_create") in html


def test_manager_sees_the_list_without_the_create_button(client, manager, audit):
    client.force_login(manager)

    html = client.get(reverse("audit_list")).content.decode()

    assert audit.theme in html
    assert reverse("audit_create") not in html


def test_staff_list_shows_only_audits_with_findings_for_them(
    client, ict_staff, audit, other_audit, finding, other_finding
):
    client.force_login(ict_staff)

    audits = client.get(reverse("audit_list")).context["audits"]

    assert [a.pk for a in audits] == [audit.pk]


def test_create_audit_saves_and_goes_to_the_detail_page(auditor_client, valid_audit, ict):
    response = auditor_client.post(reverse("audit_create"), valid_audit)

    audit = Audit.objects.get(theme="情報セキュリティの管理について")
    assert response["Location"] == reverse("audit_detail", args=[audit.pk])
    assert audit.fiscal_year == 2020
    assert list(audit.audited_departments.all()) == [ict]
    assert audit.finding_kinds.count() == 3
    assert LogEntry.objects.filter(
        content_type__model="audit", object_id=audit.pk, action=Action.CREATE, source="app"
    ).exists()


def test_new_audit_form_ticks_every_kind_and_offers_wareki_years(auditor_client, kinds):
    form = auditor_client.get(reverse("audit_create")).context["form"]

    assert set(form.initial["finding_kinds"]) == {k.pk for k in kinds.values()}
    assert (2020, "令和2年度（2020年度）") in form.fields["fiscal_year"].choices


def _post_invalid_audit(client, data):
    response = client.post(reverse("audit_create"), data)
    assert response.status_code == 200
    assert not Audit.objects.exists()
    return response.context["form"], response.content.decode()


def test_period_end_before_start_is_a_field_error(auditor_client, valid_audit):
    form, _ = _post_invalid_audit(auditor_client, {**valid_audit, "period_end": "2021-02-01"})

    assert form.errors["period_end"] == ["終了日は開始日以降の日付にしてください。"]


def test_impossible_period_date_is_a_field_error_and_the_text_is_kept(auditor_client, valid_audit):
    form, html = _post_invalid_audit(auditor_client, {**valid_audit, "period_start": "2021-02-30"})

    assert "実在する日付" in form.errors["period_start"][0]
    assert 'value="2021-02-30"' in html


@pytest.mark.parametrize("year", ["1800", "3000", "令和2", "abc", ""])
def test_fiscal_year_out_of_range_or_not_a_number_is_a_field_error(
    auditor_client, valid_audit, year
):
    form, _ = _post_invalid_audit(auditor_client, {**valid_audit, "fiscal_year": year})

    assert form.errors["fiscal_year"][0] in (
        "選択肢にない年度です。一覧から選んでください。",
        "年度を選んでください。",
    )


def test_missing_theme_and_departments_are_field_errors_and_other_input_is_kept(
    auditor_client, valid_audit
):
    data = {**valid_audit, "theme": "", "report_number": "監第12号"}
    del data["audited_departments"]

    form, html = _post_invalid_audit(auditor_client, data)

    assert form.errors["theme"] == ["監査のテーマを入力してください。"]
    assert form.errors["audited_departments"] == ["監査対象の所属を1つ以上選んでください。"]
    assert 'value="監第12号"' in html


def test_too_long_theme_is_a_field_error(auditor_client, valid_audit):
    form, _ = _post_invalid_audit(auditor_client, {**valid_audit, "theme": "あ" * 201})

    assert "200文字以内" in form.errors["theme"][0]


@pytest.mark.parametrize("field", ["kinds", "audited_departments", "finding_kinds"])
def test_tampered_choice_ids_are_field_errors(auditor_client, valid_audit, field):
    form, _ = _post_invalid_audit(auditor_client, {**valid_audit, field: "987654"})

    assert "選択肢にない" in form.errors[field][0]


def test_edit_audit_changes_the_header(auditor_client, audit, valid_audit, jinji):
    data = {
        **valid_audit,
        "theme": "新しいテーマ",
        "audited_departments": [jinji.pk],
        "period_end": "2021-02-12",
    }

    response = auditor_client.post(reverse("audit_edit", args=[audit.pk]), data)

    audit.refresh_from_db()
    assert response.status_code == 302
    assert audit.theme == "新しいテーマ"
    assert audit.period_end == datetime.date(2021, 2, 12)
    assert list(audit.audited_departments.all()) == [jinji]
    assert LogEntry.objects.filter(
        content_type__model="audit", object_id=audit.pk, action=Action.UPDATE, source="app"
    ).exists()


def test_edit_cannot_drop_a_kind_that_has_findings(
    auditor_client, audit, valid_audit, finding, kinds
):
    data = {**valid_audit, "finding_kinds": [kinds["iken"].pk]}

    response = auditor_client.post(reverse("audit_edit", args=[audit.pk]), data)

    assert response.status_code == 200
    assert "指摘" in response.context["form"].errors["finding_kinds"][0]
    assert audit.finding_kinds.filter(pk=kinds["shiteki"].pk).exists()


def test_detail_groups_findings_by_kind_section_and_viewpoint_with_sub_items(
    auditor_client, audit, finding, make_finding, kinds
):
    child = make_finding(parent=finding, label="ア", title="")

    response = auditor_client.get(reverse("audit_detail", args=[audit.pk]))

    groups = response.context["groups"]
    shiteki = groups[0]
    assert shiteki.kind == kinds["shiteki"]
    node = shiteki.sections[0].findings[0]
    assert node.finding == finding
    assert node.viewpoint_heading.number == "(3)"
    assert [c.finding for c in node.children] == [child]
    assert groups[1].is_empty  # 意見: printed as 特になし
    html = response.content.decode()
    assert "特になし" in html
    assert reverse("finding_create", args=[audit.pk]) in html


def test_detail_for_staff_lists_only_their_findings_and_no_edit_controls(
    client, jinji_staff, audit, finding, make_finding, jinji
):
    theirs = make_finding(label="②", departments=[jinji])
    client.force_login(jinji_staff)

    response = client.get(reverse("audit_detail", args=[audit.pk]))

    nodes = response.context["groups"][0].sections[0].findings
    assert [n.finding for n in nodes] == [theirs]
    assert reverse("finding_edit", args=[theirs.pk]) not in response.content.decode()


def test_section_is_added_from_the_detail_page(auditor_client, audit):
    response = auditor_client.post(
        reverse("section_add", args=[audit.pk]),
        {"section-number": "2", "section-title": "3Eの視点"},
    )

    assert response.status_code == 302
    assert audit.sections.filter(number="2", title="3Eの視点").exists()


def test_duplicate_section_number_is_a_field_error_and_the_title_is_kept(
    auditor_client, audit, section
):
    response = auditor_client.post(
        reverse("section_add", args=[audit.pk]),
        {"section-number": "1", "section-title": "重複した節"},
    )

    assert response.status_code == 200
    assert "既にあります" in response.context["forms"].section.errors["number"][0]
    assert 'value="重複した節"' in response.content.decode()


def test_htmx_section_add_returns_only_the_card(auditor_client, audit):
    response = auditor_client.post(
        reverse("section_add", args=[audit.pk]),
        {"section-number": "1", "section-title": "節"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="sections"')
    assert "を追加しました" in html


def test_viewpoint_with_key_risk_of_another_audit_is_a_field_error(
    auditor_client, audit, other_audit, auditor
):
    from audits.services import add_key_risk

    foreign = add_key_risk(other_audit, number="1", title="他の監査のリスク", user=auditor)

    response = auditor_client.post(
        reverse("viewpoint_add", args=[audit.pk]),
        {"viewpoint-number": "(1)", "viewpoint-text": "着眼点", "viewpoint-key_risk": foreign.pk},
    )

    assert response.status_code == 200
    assert response.context["forms"].viewpoint.errors["key_risk"] == [
        "この監査の重要リスクを選んでください。"
    ]
    assert not audit.viewpoints.exists()


def test_key_risk_and_viewpoint_are_added(auditor_client, audit):
    auditor_client.post(
        reverse("key_risk_add", args=[audit.pk]), {"risk-number": "1", "risk-title": "情報漏えい"}
    )
    risk = audit.key_risks.get()

    auditor_client.post(
        reverse("viewpoint_add", args=[audit.pk]),
        {
            "viewpoint-number": "(1)",
            "viewpoint-text": "管理されているか。",
            "viewpoint-key_risk": risk.pk,
        },
    )

    assert audit.viewpoints.get().key_risk == risk
