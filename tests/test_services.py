import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audits.models import AuditKind
from audits.services import add_section, add_viewpoint, create_audit
from findings.models import Finding
from findings.services import FindingHasHistory, delete_finding, move_finding, update_finding
from history.models import Action, LogEntry

D = datetime.date


def test_create_audit_records_who_did_it(audit, auditor):
    created = LogEntry.objects.get(
        content_type__model="audit", object_id=audit.pk, action=Action.CREATE
    )
    assert created.actor == auditor
    assert list(audit.finding_kinds.values_list("code", flat=True)) == ["shiteki", "iken", "risk"]


def test_create_audit_needs_a_department(auditor):
    with pytest.raises(ValidationError) as info:
        create_audit(
            fiscal_year=2020,
            kinds=[AuditKind.objects.all()[0]],
            theme="テーマ",
            audited_departments=[],
            period_start=D(2021, 2, 10),
            user=auditor,
        )
    assert "audited_departments" in info.value.message_dict


def test_create_audit_refuses_period_end_before_start(ict, auditor):
    with pytest.raises(ValidationError) as info:
        create_audit(
            fiscal_year=2020,
            kinds=[AuditKind.objects.all()[0]],
            theme="テーマ",
            audited_departments=[ict],
            period_start=D(2021, 2, 10),
            period_end=D(2021, 2, 1),
            user=auditor,
        )
    assert "period_end" in info.value.message_dict


def test_duplicate_section_and_viewpoint_numbers_are_explained(audit, section, viewpoint, auditor):
    with pytest.raises(ValidationError, match="既にあります"):
        add_section(audit, number="1", title="x", user=auditor)
    with pytest.raises(ValidationError, match="既にあります"):
        add_viewpoint(audit, number="(3)", text="x", user=auditor)


def test_findings_append_after_their_last_sibling(make_finding):
    first, second = make_finding(label="①"), make_finding(label="②")
    child_a = make_finding(label="ア", parent=first)
    child_b = make_finding(label="イ", parent=first)
    assert (first.sort_order, second.sort_order) == (0, 1)
    assert (child_a.sort_order, child_b.sort_order) == (0, 1)
    assert child_a.viewpoint == first.viewpoint


def test_sub_items_nest_one_level_only(make_finding):
    parent = make_finding(label="③")
    child = make_finding(label="ア", parent=parent)
    with pytest.raises(ValidationError) as info:
        make_finding(label="a", parent=child)
    assert "parent" in info.value.message_dict


def test_finding_needs_a_responsible_department(make_finding):
    with pytest.raises(ValidationError) as info:
        make_finding(departments=[])
    assert "departments" in info.value.message_dict


def test_finding_cannot_use_another_audits_section(make_finding, ict, auditor):
    other = create_audit(
        fiscal_year=2021,
        kinds=[AuditKind.objects.all()[0]],
        theme="別の監査",
        audited_departments=[ict],
        period_start=D(2021, 6, 1),
        user=auditor,
    )
    other_section = add_section(other, number="1", title="別の節", user=auditor)
    with pytest.raises(ValidationError) as info:
        make_finding(section=other_section)
    assert "section" in info.value.message_dict


def test_update_finding_changes_text_and_departments(finding, jinji, auditor):
    updated = update_finding(finding, departments=[jinji], user=auditor, title="新しい件名")
    assert updated.title == "新しい件名"
    assert list(updated.departments.all()) == [jinji]


def test_finding_with_history_cannot_be_deleted(finding, make_entry, auditor):
    make_entry(finding)
    with pytest.raises(FindingHasHistory, match="履歴"):
        delete_finding(finding, user=auditor)
    assert Finding.objects.filter(pk=finding.pk).exists()


def test_finding_without_history_can_be_deleted(finding, auditor):
    delete_finding(finding, user=auditor)
    assert not Finding.objects.filter(pk=finding.pk).exists()


def test_move_finding_reorders_siblings(make_finding, auditor):
    make_finding(label="①")
    make_finding(label="②")
    c = make_finding(label="③")
    move_finding(c, offset=-2, user=auditor)
    order = list(
        Finding.objects.filter(parent=None).order_by("sort_order").values_list("label", flat=True)
    )
    assert order == ["③", "①", "②"]


def test_staff_records_entry_for_own_department(finding, make_entry, ict_staff, ict):
    entry = make_entry(finding, user=ict_staff)
    assert entry.author == ict_staff
    assert entry.author_department == ict


def test_staff_of_other_department_cannot_record_entry(finding, make_entry, jinji_staff):
    with pytest.raises(PermissionDenied):
        make_entry(finding, user=jinji_staff)
    assert not finding.entries.exists()


def test_manager_cannot_record_entry(finding, make_entry, manager):
    with pytest.raises(PermissionDenied):
        make_entry(finding, user=manager)


def test_entry_date_before_the_audit_is_refused(finding, make_entry):
    with pytest.raises(ValidationError) as info:
        make_entry(finding, day=D(2021, 2, 9))
    assert "entry_date" in info.value.message_dict


def test_entry_date_in_the_future_is_refused(finding, make_entry):
    with pytest.raises(ValidationError) as info:
        make_entry(finding, day=D(2999, 1, 1))
    assert "entry_date" in info.value.message_dict


def test_blank_entry_content_is_refused(finding, make_entry):
    with pytest.raises(ValidationError) as info:
        make_entry(finding, content="   ")
    assert "content" in info.value.message_dict


def test_sub_items_follow_their_parent_to_another_kind(make_finding, kinds, ict, auditor):
    parent = make_finding(label="③")
    child = make_finding(label="ア", parent=parent)
    update_finding(parent, departments=[ict], user=auditor, kind=kinds["iken"])
    child.refresh_from_db()
    assert child.kind == kinds["iken"]


def test_update_audit_refuses_to_drop_a_kind_in_use(finding, audit, ict, kinds, auditor):
    from audits.services import update_audit

    with pytest.raises(ValidationError) as info:
        update_audit(
            audit,
            user=auditor,
            kinds=audit.kinds.all(),
            audited_departments=[ict],
            finding_kinds=[kinds["iken"]],
        )
    assert "finding_kinds" in info.value.message_dict


def test_finding_added_late_prints_under_its_own_viewpoint(make_finding, audit, auditor):
    """(5)④ entered after (7)'s findings still prints under (5), before (7)."""
    five = add_viewpoint(audit, number="(5)", text="不正アクセス対策は適切か。", user=auditor)
    seven = add_viewpoint(audit, number="(7)", text="PDCAサイクルは機能しているか。", user=auditor)
    make_finding(viewpoint=five, label="①")
    make_finding(viewpoint=seven, label="①")
    make_finding(viewpoint=five, label="②")
    order = [
        f.label_path
        for f in Finding.objects.filter(parent=None, viewpoint__isnull=False)
        .exclude(viewpoint__number="(3)")
        .order_by("sort_order")
    ]
    assert order == ["(5)①", "(5)②", "(7)①"]
