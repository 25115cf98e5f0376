"""The audit page's structure cards (節, 重要リスク, 着眼点, システム) and the 区分の設定 page:
edits, moves and deletes through the browser forms, and malformed input of every kind
(bad ids, empty, too long, duplicates) answered with Japanese field errors, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.models import AuditedSystem, AuditKind, Section, Viewpoint
from audits.services import add_key_risk, add_section, add_system, add_viewpoint
from findings.models import FindingKind, FindingSubclass

pytestmark = pytest.mark.django_db

HUGE_ID = 10**20


def _text(response) -> str:
    return str(response.content.decode())


# --- the audit page -----------------------------------------------------------------------


def test_audit_page_offers_move_edit_delete_for_each_row_to_auditors(
    auditor_client, audit, section, viewpoint, ict, auditor
):
    add_system(audit, name="メールシステム", department=ict, user=auditor)

    text = _text(auditor_client.get(reverse("audit_detail", args=[audit.pk])))

    assert reverse("section_edit", args=[audit.pk, section.pk]) in text
    assert reverse("viewpoint_delete", args=[audit.pk, viewpoint.pk]) in text
    assert 'aria-label="節 1 を上へ"' in text
    assert "メールシステム" in text and "システムを追加" in text


def test_manager_sees_the_structure_without_controls(client, manager, audit, section, viewpoint):
    client.force_login(manager)

    text = _text(client.get(reverse("audit_detail", args=[audit.pk])))

    assert section.title in text
    assert reverse("section_edit", args=[audit.pk, section.pk]) not in text
    assert "システムを追加" not in text


def test_section_is_edited_on_its_page_and_back_on_the_audit_page(auditor_client, audit, section):
    url = reverse("section_edit", args=[audit.pk, section.pk])
    assert 'value="1"' in _text(auditor_client.get(url))

    response = auditor_client.post(url, {"number": "第1", "title": "新しい見出し"})

    assert response.status_code == 302
    assert response["Location"].endswith("#sections")
    section.refresh_from_db()
    assert (section.number, section.title) == ("第1", "新しい見出し")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"number": "", "title": "見出し"}, "節の番号を入力してください。"),
        ({"number": "1", "title": "   "}, "節の見出しを入力してください。"),
        ({"number": "1" * 11, "title": "見出し"}, "番号は10文字以内で入力してください。"),
        ({"number": "1", "title": "あ" * 201}, "見出しは200文字以内で入力してください。"),
        ({"number": "2", "title": "見出し"}, "番号「2」の節はこの監査に既にあります。"),
        ({}, "節の番号を入力してください。"),
    ],
)
def test_malformed_section_edit_is_a_field_error(
    auditor_client, audit, section, auditor, data, message
):
    add_section(audit, number="2", title="二つ目", user=auditor)

    response = auditor_client.post(reverse("section_edit", args=[audit.pk, section.pk]), data)

    assert response.status_code == 200
    assert message in _text(response)
    section.refresh_from_db()
    assert section.number == "1"


@pytest.mark.parametrize("name", ["section_edit", "section_delete"])
def test_bad_row_ids_are_404(auditor_client, audit, section, other_section, name):
    for args in (
        [audit.pk, other_section.pk],  # a row of another audit
        [audit.pk, 999999],
        [audit.pk, HUGE_ID],
        [HUGE_ID, section.pk],
    ):
        assert auditor_client.get(reverse(name, args=args)).status_code == 404, args


def test_viewpoint_edit_keeps_the_number_unique_and_the_key_risk_in_the_audit(
    auditor_client, audit, viewpoint, auditor, other_audit
):
    add_viewpoint(audit, number="(4)", text="別", user=auditor)
    other_risk = add_key_risk(other_audit, number="1", title="別の監査のリスク", user=auditor)
    url = reverse("viewpoint_edit", args=[audit.pk, viewpoint.pk])

    duplicate = auditor_client.post(url, {"number": "(4)", "text": "x", "key_risk": ""})
    foreign = auditor_client.post(url, {"number": "(3)", "text": "x", "key_risk": other_risk.pk})
    garbage = auditor_client.post(url, {"number": "(3)", "text": "x", "key_risk": "abc"})

    assert "番号「(4)」の着眼点はこの監査に既にあります。" in _text(duplicate)
    assert "この監査の重要リスクを選んでください。" in _text(foreign)
    assert "この監査の重要リスクを選んでください。" in _text(garbage)
    viewpoint.refresh_from_db()
    assert viewpoint.text != "x"


def test_viewpoint_moves_by_its_buttons(auditor_client, audit, viewpoint, auditor):
    later = add_viewpoint(audit, number="(4)", text="後の着眼点", user=auditor)

    response = auditor_client.post(
        reverse("viewpoint_move", args=[audit.pk, later.pk]), {"direction": "up"}
    )

    assert response.status_code == 302
    assert list(audit.viewpoints.values_list("number", flat=True)) == ["(4)", "(3)"]


@pytest.mark.parametrize("direction", ["", "sideways", "up'--"])
def test_move_with_a_bad_direction_changes_nothing(
    auditor_client, audit, section, auditor, direction
):
    add_section(audit, number="2", title="二", user=auditor)

    response = auditor_client.post(
        reverse("section_move", args=[audit.pk, section.pk]), {"direction": direction}, follow=True
    )

    assert "移動の方向が正しくありません。" in _text(response)
    assert list(audit.sections.values_list("number", flat=True)) == ["1", "2"]


def test_delete_of_a_viewpoint_with_findings_is_refused_naming_them(
    auditor_client, audit, viewpoint, make_finding
):
    make_finding(label="①")
    make_finding(label="②")
    url = reverse("viewpoint_delete", args=[audit.pk, viewpoint.pk])

    page = _text(auditor_client.get(url))
    response = auditor_client.post(url)

    expected = "この着眼点には指摘事項 (3)①、(3)② が載っているため削除できません。"
    assert expected in page and "削除する</button>" not in page
    assert response.status_code == 409 and expected in _text(response)
    assert Viewpoint.objects.filter(pk=viewpoint.pk).exists()


def test_unused_section_is_deleted_after_confirming(auditor_client, audit, auditor):
    spare = add_section(audit, number="9", title="空の節", user=auditor)
    url = reverse("section_delete", args=[audit.pk, spare.pk])

    assert "削除する</button>" in _text(auditor_client.get(url))
    response = auditor_client.post(url, follow=True)

    assert "節「9 空の節」を削除しました。" in _text(response)
    assert not Section.objects.filter(pk=spare.pk).exists()


def test_system_is_added_with_htmx_and_only_the_card_comes_back(auditor_client, audit, ict):
    response = auditor_client.post(
        reverse("system_add", args=[audit.pk]),
        {"system-name": "ファイルサーバ", "system-department": ict.pk},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    text = _text(response)
    assert text.lstrip().startswith('<section class="card" id="systems"')
    assert "監査対象システム「ファイルサーバ」を追加しました。" in text
    assert AuditedSystem.objects.get(audit=audit).department == ict


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"system-name": ""}, "システム名を入力してください。"),
        ({"system-name": "あ" * 201}, "システム名は200文字以内で入力してください。"),
        (
            {"system-name": "x", "system-department": "999999"},
            "この監査の監査対象の所属を選んでください。",
        ),
        (
            {"system-name": "x", "system-department": "abc"},
            "この監査の監査対象の所属を選んでください。",
        ),
    ],
)
def test_malformed_system_is_a_field_error(auditor_client, audit, data, message):
    response = auditor_client.post(reverse("system_add", args=[audit.pk]), data)

    assert response.status_code == 200
    assert message in _text(response)
    assert not AuditedSystem.objects.exists()


def test_system_of_a_department_outside_the_audit_is_not_a_choice(auditor_client, audit, jinji):
    response = auditor_client.post(
        reverse("system_add", args=[audit.pk]), {"system-name": "x", "system-department": jinji.pk}
    )

    assert "この監査の監査対象の所属を選んでください。" in _text(response)


# --- 区分の設定 -------------------------------------------------------------------------------


def test_class_page_is_in_the_menu_of_auditors_and_not_of_managers(
    auditor_client, client, manager, kinds
):
    text = _text(auditor_client.get(reverse("finding_classes")))
    assert "【是正】" in text and "指 摘" in text and "行政監査" in text
    assert reverse("finding_classes") in _text(auditor_client.get(reverse("audit_list")))

    client.force_login(manager)
    assert reverse("finding_classes") not in _text(client.get(reverse("dashboard")))
    assert client.get(reverse("finding_classes")).status_code == 404


def test_class_is_added_and_printed_heading_kept(auditor_client, kinds):
    response = auditor_client.post(
        reverse("finding_kind_add"), {"kind-name": "勧告", "kind-heading": "勧 告"}, follow=True
    )

    assert "区分「勧告」を追加しました。" in _text(response)
    assert FindingKind.objects.get(name="勧告").report_heading == "勧 告"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind-name": ""}, "区分の名称を入力してください。"),
        ({"kind-name": "指摘"}, "区分「指摘」は既にあります。"),
        ({"kind-name": "あ" * 51}, "区分の名称は50文字以内で入力してください。"),
        (
            {"kind-name": "要望", "kind-heading": "あ" * 51},
            "報告書の見出しは50文字以内で入力してください。",
        ),
    ],
)
def test_malformed_class_is_a_field_error(auditor_client, kinds, data, message):
    before = FindingKind.objects.count()

    response = auditor_client.post(reverse("finding_kind_add"), data)

    assert response.status_code == 200
    assert message in _text(response)
    assert FindingKind.objects.count() == before


def test_subclass_is_added_under_its_class_and_duplicates_refused(auditor_client, kinds):
    shiteki = kinds["shiteki"]
    url = reverse("finding_subclass_add", args=[shiteki.pk])
    field = f"subclass-{shiteki.pk}-name"

    auditor_client.post(url, {field: "指導"})
    duplicate = auditor_client.post(url, {field: "是正"})
    empty = auditor_client.post(url, {field: ""})

    assert FindingSubclass.objects.filter(kind=shiteki, name="指導").exists()
    assert "細区分「是正」は区分「指摘」に既にあります。" in _text(duplicate)
    assert "細区分の名称を入力してください。" in _text(empty)
    assert (
        auditor_client.post(reverse("finding_subclass_add", args=[HUGE_ID]), {}).status_code == 404
    )


def test_audit_kind_in_use_cannot_be_deleted(auditor_client, audit):
    used = AuditKind.objects.get(name="行政監査")
    url = reverse("audit_kind_delete", args=[used.pk])

    response = auditor_client.post(url)

    assert response.status_code == 409
    assert "監査の種類「行政監査」は監査 1 件で使われているため削除できません。" in _text(response)
    assert AuditKind.objects.filter(pk=used.pk).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"audit_kind-name": ""}, "監査の種類を入力してください。"),
        ({"audit_kind-name": "財務監査"}, "監査の種類「財務監査」は既にあります。"),
        ({"audit_kind-name": "あ" * 51}, "監査の種類は50文字以内で入力してください。"),
    ],
)
def test_malformed_audit_kind_is_a_field_error(auditor_client, data, message):
    response = auditor_client.post(reverse("audit_kind_add"), data)

    assert response.status_code == 200
    assert message in _text(response)


def test_class_edit_page_renames_and_bad_ids_are_404(auditor_client, kinds):
    iken = kinds["iken"]
    url = reverse("finding_kind_edit", args=[iken.pk])

    assert auditor_client.post(url, {"name": "", "heading": ""}).status_code == 200
    response = auditor_client.post(url, {"name": "要望", "heading": "要 望"})

    assert response.status_code == 302
    iken.refresh_from_db()
    assert (iken.name, iken.heading) == ("要望", "要 望")
    for name in ("finding_kind_edit", "finding_subclass_delete", "audit_kind_edit"):
        assert auditor_client.get(reverse(name, args=[HUGE_ID])).status_code == 404
