"""Editing, reordering and deleting an audit's structure and the class vocabulary: the
service rules every writer passes (uniqueness, nothing orphaned, order kept 0..n)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audits.models import AuditKind, Section, ViewpointNumbering
from audits.services import (
    StructureInUse,
    add_audit_kind,
    add_key_risk,
    add_section,
    add_system,
    add_viewpoint,
    delete_audit_kind,
    delete_key_risk,
    delete_section,
    delete_system,
    delete_viewpoint,
    move_audit_kind,
    move_section,
    move_system,
    move_viewpoint,
    update_audit_kind,
    update_key_risk,
    update_section,
    update_system,
    update_viewpoint,
)
from findings.models import FindingKind, FindingSubclass
from findings.services import (
    add_finding_kind,
    add_finding_subclass,
    delete_finding_kind,
    delete_finding_subclass,
    move_finding_kind,
    move_finding_subclass,
    update_finding,
    update_finding_kind,
    update_finding_subclass,
)
from history.models import LogEntry

pytestmark = pytest.mark.django_db


def _numbers(rows) -> list[str]:
    return [r.number for r in rows]


# --- sections -----------------------------------------------------------------------------


def test_section_is_renamed_and_the_change_recorded(audit, section, auditor):
    update_section(section, number="2", title="新しい見出し", user=auditor)

    section.refresh_from_db()
    assert (section.number, section.title) == ("2", "新しい見出し")
    assert LogEntry.objects.filter(activity="節を変更", object_id=section.pk).exists()


def test_section_number_of_another_section_is_refused(audit, section, auditor):
    other = add_section(audit, number="2", title="二つ目", user=auditor)

    with pytest.raises(ValidationError) as error:
        update_section(other, number="1", title="二つ目", user=auditor)

    assert "番号「1」の節はこの監査に既にあります。" in error.value.message_dict["number"]


def test_sections_move_up_and_down_and_stop_at_the_ends(audit, section, auditor):
    second = add_section(audit, number="2", title="二", user=auditor)
    third = add_section(audit, number="3", title="三", user=auditor)

    move_section(third, offset=-1, user=auditor)
    assert _numbers(audit.sections.all()) == ["1", "3", "2"]
    move_section(section, offset=-1, user=auditor)  # already first: nothing happens
    assert _numbers(audit.sections.all()) == ["1", "3", "2"]
    move_section(second, offset=1, user=auditor)  # already last
    assert list(audit.sections.values_list("sort_order", flat=True)) == [0, 1, 2]
    assert LogEntry.objects.filter(activity="節の順序を変更").count() == 1


def test_section_with_findings_is_kept_and_the_refusal_names_them(section, make_finding, auditor):
    make_finding(label="①")
    make_finding(label="②")

    with pytest.raises(StructureInUse) as error:
        delete_section(section, user=auditor)

    assert "(3)①、(3)②" in error.value.messages[0]
    assert Section.objects.filter(pk=section.pk).exists()


def test_empty_section_is_deleted(audit, auditor):
    section = add_section(audit, number="9", title="空の節", user=auditor)
    pk = section.pk

    delete_section(section, user=auditor)

    assert not audit.sections.filter(pk=pk).exists()
    assert LogEntry.objects.filter(activity="節を削除", object_id=pk).exists()


# --- key risks and viewpoints -----------------------------------------------------------------


@pytest.fixture
def per_risk_audit(audit):
    audit.viewpoint_numbering = ViewpointNumbering.PER_KEY_RISK
    audit.save()
    return audit


def test_viewpoint_numbers_restart_per_key_risk_and_edits_keep_them_unique(per_risk_audit, auditor):
    audit = per_risk_audit
    first = add_key_risk(audit, number="1", title="リスク1", user=auditor)
    second = add_key_risk(audit, number="2", title="リスク2", user=auditor)
    a1 = add_viewpoint(audit, number="ア", text="一のア", key_risk=first, user=auditor)
    add_viewpoint(audit, number="イ", text="一のイ", key_risk=first, user=auditor)
    add_viewpoint(audit, number="ア", text="二のア", key_risk=second, user=auditor)

    with pytest.raises(ValidationError) as error:
        update_viewpoint(a1, number="イ", text="一のア", key_risk=first, user=auditor)
    assert error.value.message_dict["number"] == [
        "番号「イ」の着眼点は重要リスク「1」に既にあります。"
    ]

    with pytest.raises(ValidationError):  # moving it under risk 2, where ア is taken
        update_viewpoint(a1, number="ア", text="一のア", key_risk=second, user=auditor)

    update_viewpoint(a1, number="ウ", text="書き換えた", key_risk=second, user=auditor)
    a1.refresh_from_db()
    assert (a1.number, a1.text, a1.key_risk) == ("ウ", "書き換えた", second)


def test_viewpoint_cannot_be_put_under_another_audits_key_risk(
    audit, viewpoint, other_risk, auditor
):
    with pytest.raises(ValidationError) as error:
        update_viewpoint(viewpoint, number="(3)", text="x", key_risk=other_risk, user=auditor)

    assert "key_risk" in error.value.message_dict


@pytest.fixture
def other_risk(auditor, jinji):
    import datetime

    from audits.services import create_audit

    other = create_audit(
        fiscal_year=2021,
        kinds=[AuditKind.objects.get(name="財務監査")],
        theme="別",
        audited_departments=[jinji],
        period_start=datetime.date(2021, 8, 1),
        user=auditor,
    )
    return add_key_risk(other, number="1", title="別のリスク", user=auditor)


def test_viewpoints_move_only_among_those_of_their_key_risk(per_risk_audit, auditor):
    audit = per_risk_audit
    first = add_key_risk(audit, number="1", title="リスク1", user=auditor)
    second = add_key_risk(audit, number="2", title="リスク2", user=auditor)
    a1 = add_viewpoint(audit, number="ア", text="1ア", key_risk=first, user=auditor)
    a2 = add_viewpoint(audit, number="ア", text="2ア", key_risk=second, user=auditor)
    b1 = add_viewpoint(audit, number="イ", text="1イ", key_risk=first, user=auditor)

    move_viewpoint(b1, offset=-1, user=auditor)  # jumps over 2ア, swaps with 1ア
    assert [v.text for v in audit.viewpoints.all()] == ["1イ", "2ア", "1ア"]
    move_viewpoint(a2, offset=-1, user=auditor)  # the only one of risk 2: stays
    assert [v.text for v in first.viewpoints.all()] == ["1イ", "1ア"]
    assert a1.pk in first.viewpoints.values_list("pk", flat=True)


def test_viewpoint_of_a_finding_is_kept_and_the_refusal_names_the_finding(
    viewpoint, make_finding, auditor
):
    make_finding(label="①")

    with pytest.raises(StructureInUse) as error:
        delete_viewpoint(viewpoint, user=auditor)

    assert error.value.messages[0] == (
        "この着眼点には指摘事項 (3)① が載っているため削除できません。"
        "先に指摘事項の着眼点を変えてください。"
    )
    assert viewpoint.__class__.objects.filter(pk=viewpoint.pk).exists()


def test_viewpoint_answered_as_a_further_viewpoint_is_kept(audit, viewpoint, make_finding, auditor):
    further = add_viewpoint(audit, number="(4)", text="もう一つ", user=auditor)
    finding = make_finding(label="①")
    update_finding(
        finding,
        departments=list(finding.departments.all()),
        extra_viewpoints=[further],
        user=auditor,
    )

    with pytest.raises(StructureInUse) as error:
        delete_viewpoint(further, user=auditor)

    assert "(3)①" in error.value.messages[0]


def test_unused_viewpoint_is_deleted(audit, auditor):
    spare = add_viewpoint(audit, number="(9)", text="使わない", user=auditor)

    delete_viewpoint(spare, user=auditor)

    assert not audit.viewpoints.filter(pk=spare.pk).exists()


def test_key_risk_with_viewpoints_is_kept_and_names_them(audit, auditor):
    risk = add_key_risk(audit, number="1", title="リスク", user=auditor)
    add_viewpoint(audit, number="(7)", text="x", key_risk=risk, user=auditor)

    with pytest.raises(StructureInUse) as error:
        delete_key_risk(risk, user=auditor)

    assert "着眼点 (7)" in error.value.messages[0]
    update_key_risk(risk, number="R1", title="改名", user=auditor)
    risk.refresh_from_db()
    assert risk.number == "R1"


def test_empty_key_risk_is_deleted(audit, auditor):
    risk = add_key_risk(audit, number="1", title="リスク", user=auditor)

    delete_key_risk(risk, user=auditor)

    assert not audit.key_risks.exists()


# --- audited systems ------------------------------------------------------------------------


def test_systems_are_added_edited_moved_and_deleted(audit, ict, auditor):
    mail = add_system(audit, name="メールシステム", department=ict, user=auditor)
    add_system(audit, name="財務会計システム", user=auditor)

    update_system(mail, name="グループウェア", department=None, user=auditor)
    move_system(mail, offset=1, user=auditor)

    assert [s.name for s in audit.systems.all()] == ["財務会計システム", "グループウェア"]
    delete_system(mail, user=auditor)
    assert [s.name for s in audit.systems.all()] == ["財務会計システム"]


def test_system_of_a_department_outside_the_audit_is_refused(audit, jinji, auditor):
    with pytest.raises(ValidationError) as error:
        add_system(audit, name="人事給与システム", department=jinji, user=auditor)

    assert "department" in error.value.message_dict


# --- classes, sub-classes, audit kinds ---------------------------------------------------------


def test_new_class_gets_a_code_and_goes_last(auditor):
    kind = add_finding_kind(name="勧告", heading="勧 告", user=auditor)

    assert kind.code and kind.report_heading == "勧 告"
    assert list(FindingKind.objects.all())[-1] == kind


def test_duplicate_class_name_is_refused(auditor, kinds):
    with pytest.raises(ValidationError) as error:
        add_finding_kind(name="指摘", heading="", user=auditor)

    assert error.value.message_dict["name"] == ["区分「指摘」は既にあります。"]
    with pytest.raises(ValidationError):
        update_finding_kind(kinds["iken"], name="指摘", heading="", user=auditor)


def test_classes_move_and_keep_their_order(auditor, kinds):
    move_finding_kind(kinds["iken"], offset=-1, user=auditor)

    assert [k.code for k in FindingKind.objects.all()][:2] == ["iken", "shiteki"]


def test_class_in_use_is_kept_and_the_refusal_says_by_what(auditor, kinds, finding):
    with pytest.raises(StructureInUse) as error:
        delete_finding_kind(kinds["shiteki"], user=auditor)

    message = error.value.messages[0]
    assert "指摘事項 1 件" in message and "細区分（是正、改善）" in message


def test_unused_class_is_deleted(auditor):
    kind = add_finding_kind(name="要望", heading="", user=auditor)

    delete_finding_kind(kind, user=auditor)

    assert not FindingKind.objects.filter(name="要望").exists()


def test_subclasses_are_added_renamed_moved_and_unique_within_their_class(auditor, kinds):
    shiteki = kinds["shiteki"]
    guidance = add_finding_subclass(kind=shiteki, name="指導", user=auditor)
    # The same name under another class is fine.
    add_finding_subclass(kind=kinds["iken"], name="指導", user=auditor)
    with pytest.raises(ValidationError):
        add_finding_subclass(kind=shiteki, name="是正", user=auditor)

    update_finding_subclass(guidance, name="検討", user=auditor)
    move_finding_subclass(guidance, offset=-1, user=auditor)

    assert [s.name for s in shiteki.subclasses.all()] == ["是正", "検討", "改善"]


def test_subclass_in_use_is_kept(auditor, kinds, make_finding):
    correction = FindingSubclass.objects.get(kind=kinds["shiteki"], name="是正")
    make_finding(subclass=correction)

    with pytest.raises(StructureInUse) as error:
        delete_finding_subclass(correction, user=auditor)

    assert "指摘事項 1 件" in error.value.messages[0]
    improvement = FindingSubclass.objects.get(kind=kinds["shiteki"], name="改善")
    delete_finding_subclass(improvement, user=auditor)
    assert not FindingSubclass.objects.filter(pk=improvement.pk).exists()


def test_audit_kinds_are_added_renamed_moved_and_deleted_only_when_unused(auditor, audit):
    ours = add_audit_kind(name="工事監査", user=auditor)
    with pytest.raises(ValidationError):
        add_audit_kind(name="行政監査", user=auditor)
    update_audit_kind(ours, name="工事技術監査", user=auditor)
    move_audit_kind(ours, offset=-1, user=auditor)
    assert list(AuditKind.objects.values_list("name", flat=True))[-2] == "工事技術監査"

    with pytest.raises(StructureInUse) as error:
        delete_audit_kind(AuditKind.objects.get(name="行政監査"), user=auditor)
    assert "監査 1 件" in error.value.messages[0]
    delete_audit_kind(ours, user=auditor)
    assert not AuditKind.objects.filter(pk=ours.pk).exists()
