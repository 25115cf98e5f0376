"""Logging findings in the browser: quick entry, sub-items, order, deletion, bad input."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from findings.forms import next_label
from findings.models import Finding, FindingSubclass
from history.models import Action, LogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def valid(kinds, section, viewpoint, ict) -> dict[str, object]:
    return {
        "kind": kinds["shiteki"].pk,
        "section": section.pk,
        "viewpoint": viewpoint.pk,
        "parent": "",
        "label": "①",
        "title": "サーバ室内の整理整頓について",
        "body": "不用なものは廃棄すること。",
        "departments": [ict.pk],
        "subclass": "",
        "due_date": "",
    }


def create_url(audit) -> str:
    return reverse("finding_create", args=[audit.pk])


def test_saving_a_finding_opens_the_next_form_with_kind_section_viewpoint_carried_over(
    auditor_client, audit, valid, kinds, section, viewpoint
):
    response = auditor_client.post(create_url(audit), valid)

    finding = Finding.objects.get(audit=audit)
    assert response.status_code == 302
    next_page = auditor_client.get(response["Location"])
    form = next_page.context["form"]
    assert form.initial["kind"] == kinds["shiteki"].pk
    assert form.initial["section"] == section.pk
    assert form.initial["viewpoint"] == viewpoint.pk
    assert form.initial["label"] == "②"
    assert next_page.context["saved"] == finding
    assert "を登録しました" in next_page.content.decode()
    assert finding.departments.count() == 1
    assert LogEntry.objects.filter(
        content_type__model="finding", object_id=finding.pk, action=Action.CREATE, source="app"
    ).exists()


def test_save_and_finish_returns_to_the_audit_page(auditor_client, audit, valid):
    response = auditor_client.post(create_url(audit), {**valid, "finish": "1"})

    finding = Finding.objects.get(audit=audit)
    page = reverse("audit_detail", args=[audit.pk])
    assert response["Location"] == f"{page}?finding={finding.pk}#finding-{finding.pk}"


def test_sub_item_is_created_under_its_parent_and_next_form_suggests_the_next_katakana(
    auditor_client, audit, valid, finding
):
    query = f"?kind={finding.kind_id}&section={finding.section_id}&parent={finding.pk}"
    blank = auditor_client.get(create_url(audit) + query)
    assert blank.context["form"].initial["parent"] == finding.pk
    assert blank.context["form"].initial["label"] == "ア"

    response = auditor_client.post(
        create_url(audit),
        {**valid, "parent": finding.pk, "label": "ア", "title": "", "viewpoint": ""},
    )

    child = Finding.objects.get(parent=finding)
    assert response.status_code == 302
    assert child.viewpoint_id == finding.viewpoint_id  # inherits the parent's viewpoint
    assert child.label_path == "(3)①ア"
    following = auditor_client.get(response["Location"])
    assert following.context["form"].initial["parent"] == finding.pk
    assert following.context["form"].initial["label"] == "イ"


def test_carried_over_ids_of_another_audit_are_ignored(
    auditor_client, audit, other_section, other_viewpoint, other_finding
):
    query = f"?section={other_section.pk}&viewpoint={other_viewpoint.pk}&parent={other_finding.pk}&saved={other_finding.pk}"
    response = auditor_client.get(create_url(audit) + query)

    initial = response.context["form"].initial
    assert "section" not in initial and "viewpoint" not in initial and "parent" not in initial
    assert response.context["saved"] is None


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("①", "②"),
        ("⑳", "㉑"),
        ("ア", "イ"),
        ("(1)", "(2)"),
        ("（９）", "（１０）"),
        ("3", "4"),
        ("", ""),
        ("(1", ""),
    ],
)
def test_next_label_follows_the_audits_numbering(label, expected):
    assert next_label(label) == expected


def test_edit_changes_the_finding_and_returns_to_the_audit(auditor_client, finding, valid):
    response = auditor_client.post(
        reverse("finding_edit", args=[finding.pk]), {**valid, "title": "新しい件名"}
    )

    finding.refresh_from_db()
    assert response.status_code == 302
    assert finding.title == "新しい件名"


def test_move_down_and_up_reorders_siblings(auditor_client, make_finding, audit):
    first = make_finding(label="①")
    second = make_finding(label="②")

    auditor_client.post(reverse("finding_move", args=[first.pk]), {"direction": "down"})
    order = list(audit.findings.order_by("sort_order").values_list("label", flat=True))
    assert order == ["②", "①"]

    auditor_client.post(reverse("finding_move", args=[first.pk]), {"direction": "up"})
    order = list(audit.findings.order_by("sort_order").values_list("label", flat=True))
    assert order == ["①", "②"]
    assert second.pk in audit.findings.values_list("pk", flat=True)


def test_move_with_a_bad_direction_changes_nothing(auditor_client, make_finding, audit):
    first = make_finding(label="①")
    make_finding(label="②")

    response = auditor_client.post(
        reverse("finding_move", args=[first.pk]), {"direction": "sideways"}
    )

    assert response.status_code == 302
    assert list(audit.findings.order_by("sort_order").values_list("label", flat=True)) == ["①", "②"]


def test_finding_without_history_can_be_deleted(auditor_client, finding):
    page = auditor_client.get(reverse("finding_delete", args=[finding.pk]))
    assert "削除する" in page.content.decode()

    response = auditor_client.post(reverse("finding_delete", args=[finding.pk]))

    assert response.status_code == 302
    assert not Finding.objects.filter(pk=finding.pk).exists()


def test_delete_page_explains_why_a_finding_with_entries_stays_and_offers_no_button(
    auditor_client, finding, make_entry
):
    make_entry(finding)

    page = auditor_client.get(reverse("finding_delete", args=[finding.pk]))

    html = page.content.decode()
    assert "履歴を残すため" in html
    assert "削除する</button>" not in html


def test_posting_delete_anyway_keeps_a_finding_with_entries(auditor_client, finding, make_entry):
    make_entry(finding)

    response = auditor_client.post(reverse("finding_delete", args=[finding.pk]))

    assert response.status_code == 409
    assert "削除できませんでした" in response.content.decode()
    assert Finding.objects.filter(pk=finding.pk).exists()


def test_posting_delete_keeps_a_finding_with_sub_items(auditor_client, finding, make_finding):
    make_finding(parent=finding, label="ア")

    response = auditor_client.post(reverse("finding_delete", args=[finding.pk]))

    assert "小項目" in response.content.decode()
    assert Finding.objects.filter(pk=finding.pk).exists()


def _post_invalid(client, audit, data):
    response = client.post(create_url(audit), data)
    assert response.status_code == 200  # the form again, never a 500
    assert not Finding.objects.filter(audit=audit).exists()
    return response


def test_missing_body_is_reported_beside_the_field_and_the_title_is_kept(
    auditor_client, audit, valid
):
    response = _post_invalid(
        auditor_client, audit, {**valid, "body": "   ", "title": "入力した件名"}
    )

    form = response.context["form"]
    assert form.errors["body"] == ["本文を入力してください。"]
    html = response.content.decode()
    assert 'value="入力した件名"' in html
    assert 'id="id_body_error"' in html


def test_missing_departments_is_a_field_error(auditor_client, audit, valid):
    data = {k: v for k, v in valid.items() if k != "departments"}
    response = _post_invalid(auditor_client, audit, data)

    assert response.context["form"].errors["departments"] == ["担当所属を1つ以上選んでください。"]


def test_impossible_due_date_is_a_field_error_and_the_text_is_kept(auditor_client, audit, valid):
    response = _post_invalid(auditor_client, audit, {**valid, "due_date": "2021-02-30"})

    assert "実在する日付" in response.context["form"].errors["due_date"][0]
    assert 'value="2021-02-30"' in response.content.decode()


def test_too_long_title_is_a_field_error(auditor_client, audit, valid):
    response = _post_invalid(auditor_client, audit, {**valid, "title": "あ" * 201})

    assert "200文字以内" in response.context["form"].errors["title"][0]


@pytest.mark.parametrize("field", ["section", "viewpoint", "parent"])
def test_tampered_id_from_another_audit_is_a_field_error(
    auditor_client, audit, valid, field, other_section, other_viewpoint, other_finding
):
    tampered = {"section": other_section, "viewpoint": other_viewpoint, "parent": other_finding}
    response = _post_invalid(auditor_client, audit, {**valid, field: tampered[field].pk})

    assert response.context["form"].errors[field][0].startswith("この監査の")


@pytest.mark.parametrize("value", ["999999", "abc", "-1", "99999999999999999999999"])
def test_nonexistent_or_malformed_kind_id_is_a_field_error(auditor_client, audit, valid, value):
    response = _post_invalid(auditor_client, audit, {**valid, "kind": value})

    assert response.context["form"].errors["kind"] == ["この監査の区分を一覧から選んでください。"]


def test_kind_not_reported_by_this_audit_is_refused(auditor_client, audit, valid, kinds):
    audit.finding_kinds.set([kinds["shiteki"]])

    response = _post_invalid(auditor_client, audit, {**valid, "kind": kinds["iken"].pk})

    assert "kind" in response.context["form"].errors


def test_sub_item_under_a_sub_item_is_a_field_error(
    auditor_client, audit, valid, finding, make_finding
):
    child = make_finding(parent=finding, label="ア")

    response = _post_invalid_after(auditor_client, audit, {**valid, "parent": child.pk}, existing=2)

    assert response.context["form"].errors["parent"] == [
        "小項目（ア、イ …）の下にさらに小項目は作れません。"
    ]


def test_sub_item_in_another_section_than_its_parent_is_a_field_error(
    auditor_client, audit, valid, finding
):
    response = _post_invalid_after(
        auditor_client, audit, {**valid, "parent": finding.pk, "section": ""}, existing=1
    )

    assert response.context["form"].errors["parent"] == ["親項目と同じ区分・節にしてください。"]


def _post_invalid_after(client, audit, data, existing):
    response = client.post(create_url(audit), data)
    assert response.status_code == 200
    assert Finding.objects.filter(audit=audit).count() == existing
    return response


def test_department_id_that_does_not_exist_is_a_field_error(auditor_client, audit, valid):
    response = _post_invalid(auditor_client, audit, {**valid, "departments": ["424242"]})

    assert "選択肢にない所属" in response.context["form"].errors["departments"][0]


@pytest.mark.parametrize("value", ["hack", "424242"])
def test_unknown_subclass_is_a_field_error(auditor_client, audit, valid, value):
    response = _post_invalid(auditor_client, audit, {**valid, "subclass": value})

    assert response.context["form"].errors["subclass"] == ["細区分は一覧から選んでください。"]


def test_subclass_of_another_class_is_a_field_error(auditor_client, audit, valid, kinds):
    other = FindingSubclass.objects.create(kind=kinds["iken"], name="要望")

    response = _post_invalid(auditor_client, audit, {**valid, "subclass": other.pk})

    assert response.context["form"].errors["subclass"] == [
        "細区分「要望」は区分「指摘」にはありません。"
    ]


def test_valid_due_date_and_subclass_are_saved(auditor_client, audit, valid, kinds):
    zesei = FindingSubclass.objects.get(kind=kinds["shiteki"], name="是正")
    auditor_client.post(
        create_url(audit), {**valid, "due_date": "2022-03-31", "subclass": zesei.pk}
    )

    finding = Finding.objects.get(audit=audit)
    assert finding.due_date == datetime.date(2022, 3, 31)
    assert finding.subclass == zesei
