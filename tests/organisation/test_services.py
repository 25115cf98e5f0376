"""The organisation over time: memberships decide access from their dates, a merge moves
open findings to the successor, and reports print the names true at their date."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone

from audits.access import department_scope
from audits.models import Department, Membership, User
from audits.roles import Role, role_of
from findings.access import visible_findings
from organisation.models import FindingTransfer, ReorganisationState
from organisation.naming import departments_as_of, naming_date
from organisation.people import create_person, schedule_change, set_active, update_person
from organisation.scheduled import apply_due
from organisation.services import (
    OrganisationError,
    apply_reorganisation,
    create_department,
    plan_reorganisation,
    preview,
    retire_department,
    update_department,
)
from reports.builder import Selection, build_report
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
PASSWORD = "Kanri-Sochi-2026!"


def test_staff_act_for_every_current_membership(ict, jinji, make_finding):
    staff = make_user(Role.DEPARTMENT_STAFF, ict)
    Membership.objects.create(
        user=staff, department=jinji, role=Role.DEPARTMENT_STAFF.value, valid_from=YESTERDAY
    )
    jinji_finding = make_finding(label="②", departments=[jinji])
    assert department_scope(staff) == {ict.pk, jinji.pk}
    assert visible_findings(staff).filter(pk=jinji_finding.pk).exists()


def test_membership_counts_only_within_its_dates(ict, jinji):
    staff = make_user(Role.DEPARTMENT_STAFF, None)
    Membership.objects.create(
        user=staff, department=ict, role=Role.DEPARTMENT_STAFF.value,
        valid_from=datetime.date(2020, 4, 1), valid_to=YESTERDAY,
    )  # fmt: skip
    Membership.objects.create(
        user=staff, department=jinji, role=Role.DEPARTMENT_STAFF.value,
        valid_from=TODAY + datetime.timedelta(days=3),
    )  # fmt: skip
    assert department_scope(staff) == set()


def test_legacy_user_without_membership_acts_for_their_department(ict):
    staff = make_user(Role.DEPARTMENT_STAFF, None)
    staff.department = ict
    staff.save()
    assert department_scope(staff) == {ict.pk}


def test_membership_in_another_role_grants_no_department(ict):
    staff = make_user(Role.DEPARTMENT_STAFF, None)
    Membership.objects.create(
        user=staff, department=ict, role=Role.MANAGER.value, valid_from=YESTERDAY
    )
    assert department_scope(staff) == set()


def test_committee_reads_everything_and_is_read_only(committee, make_finding, jinji):
    finding = make_finding(departments=[jinji])
    assert role_of(committee) == Role.AUDIT_COMMITTEE
    assert visible_findings(committee).filter(pk=finding.pk).exists()
    from audits.access import can_edit_audits, can_review_entries

    assert not can_edit_audits(committee) and not can_review_entries(committee)


def test_create_department_refuses_duplicate_code_and_a_ka_as_parent(administrator, soumu, ict):
    with pytest.raises(OrganisationError) as error:
        create_department(name="別の課", code="ict", parent=soumu, sort_order=0, user=administrator)
    assert "すでに使われています" in error.value.errors["code"]
    with pytest.raises(OrganisationError) as error:
        create_department(name="孫", code="mago", parent=ict, sort_order=0, user=administrator)
    assert "部局" in error.value.errors["parent"]


def test_rename_keeps_the_old_name_for_earlier_dates(administrator, ict):
    update_department(
        ict, name="デジタル戦略課", code="ict", parent=ict.parent, sort_order=0,
        correction=False, user=administrator,
    )  # fmt: skip
    assert departments_as_of(YESTERDAY)[ict.pk].full_name == "総務部 ICT戦略課"
    assert departments_as_of(TODAY)[ict.pk].full_name == "総務部 デジタル戦略課"


def test_correction_leaves_no_history(administrator, ict):
    update_department(
        ict, name="ＩＣＴ戦略課", code="ict", parent=ict.parent, sort_order=0,
        correction=True, user=administrator,
    )  # fmt: skip
    assert departments_as_of(datetime.date(2020, 1, 1))[ict.pk].name == "ＩＣＴ戦略課"


def test_retire_refuses_a_department_with_open_findings(administrator, ict, finding):
    with pytest.raises(OrganisationError, match="未完了の指摘事項"):
        retire_department(ict, user=administrator)


def _merge(administrator, soumu, sources, day):
    target = create_department(
        name="情報人事課", code="joho", parent=soumu, sort_order=9, user=administrator
    )
    reorg = plan_reorganisation(
        kind="merge", effective_date=day, sources=sources, targets=[target], user=administrator
    )
    return target, reorg


def test_merge_moves_open_findings_to_the_successor_and_staff_follow(
    administrator, soumu, ict, jinji, finding, make_finding, make_entry, ict_staff
):
    closed = make_finding(label="②")
    make_entry(closed, status="sochizumi")
    target, reorg = _merge(administrator, soumu, [ict, jinji], TODAY)
    plan = preview(reorg)
    assert [f.pk for f in plan.findings] == [finding.pk]  # the closed one stays
    assert [m.user for m in plan.memberships] == [ict_staff]
    apply_reorganisation(reorg, user=administrator)
    finding.refresh_from_db()
    assert list(finding.departments.all()) == [target]
    assert list(closed.departments.all()) == [ict]
    ict.refresh_from_db()
    assert not ict.is_active and ict.successor == target
    assert FindingTransfer.objects.filter(finding=finding, from_department=ict).exists()
    ict_staff.__dict__.pop("_department_scope_cache", None)
    assert target.pk in department_scope(ict_staff)
    assert visible_findings(ict_staff).filter(pk=finding.pk).exists()


def test_report_of_an_earlier_year_prints_the_department_of_that_time(
    administrator, manager, soumu, ict, jinji, finding
):
    _, reorg = _merge(administrator, soumu, [ict, jinji], TODAY)
    apply_reorganisation(reorg, user=administrator)
    old = build_report(manager, Selection(fiscal_year=2020))
    rows = [row for block in old.audits for _, _, row in block.rows()]
    assert rows[0].departments == ("総務部 ICT戦略課",)
    now = build_report(manager, Selection(fiscal_year=2020, as_of=TODAY))
    rows = [row for block in now.audits for _, _, row in block.rows()]
    assert rows[0].departments == ("総務部 情報人事課",)


def test_report_of_an_earlier_year_names_that_time_whatever_the_dates_of_its_entries(
    administrator, manager, soumu, ict, jinji, finding, make_entry
):
    # The departments were turned back to the date of the selection's latest entry
    # instead of the report's naming date: an entry of the day of the merge printed
    # the new name in the report of 令和2年度.
    make_entry(finding, day=TODAY)
    _, reorg = _merge(administrator, soumu, [ict, jinji], TODAY)
    apply_reorganisation(reorg, user=administrator)
    report = build_report(manager, Selection(fiscal_year=2020))
    rows = [row for block in report.audits for _, _, row in block.rows()]
    assert rows[0].departments == ("総務部 ICT戦略課",)


def test_reorganisation_waits_for_its_date(administrator, soumu, ict, jinji, finding):
    later = TODAY + datetime.timedelta(days=10)
    target, reorg = _merge(administrator, soumu, [ict, jinji], later)
    with pytest.raises(OrganisationError, match="発効日"):
        apply_reorganisation(reorg, user=administrator)
    assert apply_due(TODAY) == (0, 0)
    assert apply_due(later) == (1, 0)
    reorg.refresh_from_db()
    assert reorg.state == ReorganisationState.APPLIED
    assert list(finding.departments.all()) == [target]
    # Reports before the date print the department of that time.
    assert naming_date(None, 2020, today=later) == datetime.date(2021, 3, 31)


def test_reorganisation_input_errors_are_per_field(administrator, ict):
    with pytest.raises(OrganisationError) as error:
        plan_reorganisation(
            kind="merge", effective_date=datetime.date(1900, 1, 1), sources=[ict], targets=[],
            user=administrator,
        )  # fmt: skip
    assert set(error.value.errors) >= {"effective_date", "sources", "targets"}


def test_create_person_checks_password_rules(administrator, ict):
    with pytest.raises(OrganisationError) as error:
        create_person(
            username="newbie", display_name="新人 一郎", email="", employee_number="",
            role=Role.DEPARTMENT_STAFF, departments=[ict], password="short", user=administrator,
        )  # fmt: skip
    assert "password1" in error.value.errors
    person = create_person(
        username="newbie", display_name="新人 一郎", email="", employee_number="9001",
        role=Role.DEPARTMENT_STAFF, departments=[ict], password=PASSWORD, user=administrator,
    )  # fmt: skip
    assert department_scope(person) == {ict.pk}


def test_update_person_moves_departments_from_today(administrator, ict, jinji, ict_staff):
    update_person(
        ict_staff, username=ict_staff.username, display_name="移る 人", email="",
        employee_number="", role=Role.DEPARTMENT_STAFF, departments=[jinji], user=administrator,
    )  # fmt: skip
    old = Membership.objects.get(user=ict_staff, department=ict)
    assert old.valid_to == YESTERDAY
    ict_staff.refresh_from_db()
    assert ict_staff.department == jinji
    assert department_scope(ict_staff) == {jinji.pk}


def test_administrator_cannot_disable_or_demote_themselves(administrator):
    with pytest.raises(OrganisationError):
        set_active(administrator, active=False, user=administrator)


def test_transfer_takes_effect_on_its_date(administrator, ict, jinji, ict_staff):
    later = TODAY + datetime.timedelta(days=5)
    schedule_change(
        ict_staff, department=jinji, role=None, leaves=False, effective_date=later,
        batch="t", user=administrator,
    )  # fmt: skip
    assert department_scope(ict_staff) == {ict.pk}
    assert Membership.objects.current(later).get(user=ict_staff).department == jinji
    assert apply_due(later) == (0, 1)
    ict_staff.refresh_from_db()
    assert ict_staff.department == jinji


def test_leaver_is_disabled_not_deleted(administrator, ict_staff):
    schedule_change(
        ict_staff, department=None, role=None, leaves=True, effective_date=TODAY,
        batch="t", user=administrator,
    )  # fmt: skip
    ict_staff.refresh_from_db()
    assert not ict_staff.is_active
    assert not Membership.objects.current().filter(user=ict_staff).exists()


def test_departments_as_of_handles_a_move_between_bureaus(administrator, soumu, ict):
    zaisei = Department.objects.create(code="zaisei", name="財政部")
    update_department(
        ict, name="ICT戦略課", code="ict", parent=zaisei, sort_order=0, correction=False,
        user=administrator,
    )  # fmt: skip
    assert departments_as_of(YESTERDAY)[ict.pk].full_name == "総務部 ICT戦略課"
    assert departments_as_of(TODAY)[ict.pk].full_name == "財政部 ICT戦略課"


def test_split_addresses_open_findings_to_every_successor(administrator, soumu, ict, finding):
    a = create_department(
        name="基盤課", code="kiban", parent=soumu, sort_order=1, user=administrator
    )
    b = create_department(
        name="推進課", code="suishin", parent=soumu, sort_order=2, user=administrator
    )
    reorg = plan_reorganisation(
        kind="split", effective_date=TODAY, sources=[ict], targets=[a, b], user=administrator
    )
    assert preview(reorg).memberships == []  # people move by 人事異動 at a split
    apply_reorganisation(reorg, user=administrator)
    assert set(finding.departments.all()) == {a, b}
    then = departments_as_of(YESTERDAY)
    assert then[ict.pk].full_name == "総務部 ICT戦略課"


def test_abolish_hands_over_to_the_successor_and_earlier_reports_keep_it(
    administrator, manager, ict, jinji, finding
):
    reorg = plan_reorganisation(
        kind="abolish", effective_date=TODAY, sources=[ict], targets=[jinji], user=administrator
    )
    apply_reorganisation(reorg, user=administrator)
    assert list(finding.departments.all()) == [jinji]
    report = build_report(manager, Selection(as_of=YESTERDAY))
    rows = [row for block in report.audits for _, _, row in block.rows()]
    assert rows[0].departments == ("総務部 ICT戦略課",)


def test_a_second_plan_for_the_same_department_is_refused(administrator, ict, jinji):
    plan_reorganisation(
        kind="rename", effective_date=TODAY, sources=[ict], new_name="新課", user=administrator
    )
    with pytest.raises(OrganisationError, match="適用前の組織改編"):
        plan_reorganisation(
            kind="abolish", effective_date=TODAY, sources=[ict], targets=[jinji],
            user=administrator,
        )  # fmt: skip


def test_applying_twice_is_refused(administrator, ict):
    reorg = plan_reorganisation(
        kind="rename", effective_date=TODAY, sources=[ict], new_name="新課", user=administrator
    )
    apply_reorganisation(reorg, user=administrator)
    with pytest.raises(OrganisationError, match="適用済"):
        apply_reorganisation(reorg, user=administrator)
    ict.refresh_from_db()
    assert ict.name == "新課"


def test_demo_command_adds_the_organisation_demo_once():
    from django.core.management import call_command

    from organisation.models import Reorganisation

    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    reorg = Reorganisation.objects.get()
    assert reorg.state == ReorganisationState.PLANNED
    assert preview(reorg).retired  # 戸籍住民課 would retire into 市民課
    committee = User.objects.get(username="iin")
    assert role_of(committee) == Role.AUDIT_COMMITTEE
    ict_user = User.objects.get(username="ict")
    assert Membership.objects.filter(user=ict_user).count() == 1


def test_audit_report_prints_the_audited_department_by_its_name_of_the_time(
    administrator, manager, ict, audit
):
    from reports.summary import build_audit_summary

    update_department(
        ict, name="デジタル戦略課", code="ict", parent=ict.parent, sort_order=0,
        correction=False, user=administrator,
    )  # fmt: skip
    summary = build_audit_summary(manager, audit)  # 令和2年度: before the rename
    scope = [row.department for part in summary.parts for row in part.scope]
    assert scope == ["ICT戦略課"]


def test_command_applies_what_is_due_and_refuses_a_bad_date(administrator, ict, jinji, finding):
    from django.core.management import CommandError, call_command

    later = TODAY + datetime.timedelta(days=2)
    plan_reorganisation(
        kind="abolish", effective_date=later, sources=[ict], targets=[jinji], user=administrator
    )
    out = io.StringIO()
    call_command("apply_scheduled_changes", stdout=out)
    assert "組織改編 0件" in out.getvalue()
    call_command("apply_scheduled_changes", "--date", later.isoformat(), stdout=out)
    assert "組織改編 1件" in out.getvalue()
    assert list(finding.departments.all()) == [jinji]
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("apply_scheduled_changes", "--date", "令和8年")
