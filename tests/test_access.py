"""The access helpers: who sees which findings, entries and audits."""

import pytest
from django.http import Http404

from audits.access import get_audit_for_user, visible_audits, visible_departments
from audits.models import Department
from findings.access import get_finding_for_user, visible_findings
from remediation.access import visible_entries


@pytest.fixture
def two_findings(make_finding, jinji):
    return make_finding(label="①"), make_finding(label="②", departments=[jinji])


def test_staff_see_only_their_departments_findings(two_findings, ict_staff, jinji_staff):
    ict_finding, jinji_finding = two_findings
    assert list(visible_findings(ict_staff)) == [ict_finding]
    assert list(visible_findings(jinji_staff)) == [jinji_finding]


def test_staff_get_404_for_another_departments_finding(two_findings, ict_staff):
    _, jinji_finding = two_findings
    with pytest.raises(Http404):
        get_finding_for_user(ict_staff, jinji_finding.pk)


@pytest.mark.parametrize("bad_pk", ["abc", "", "-1", "99999999999999999999999", None, "1; DROP"])
def test_malformed_ids_are_404_not_500(bad_pk, ict_staff):
    with pytest.raises(Http404):
        get_finding_for_user(ict_staff, bad_pk)


def test_auditor_and_manager_see_everything(two_findings, auditor, manager):
    for user in (auditor, manager):
        assert set(visible_findings(user)) == set(two_findings)


def test_only_auditors_may_change_findings(two_findings, auditor, manager, ict_staff):
    ict_finding, _ = two_findings
    assert get_finding_for_user(auditor, ict_finding.pk).can_change
    assert not get_finding_for_user(manager, ict_finding.pk).can_change
    access = get_finding_for_user(ict_staff, ict_finding.pk)
    assert not access.can_change and access.can_post_entry
    assert not get_finding_for_user(manager, ict_finding.pk).can_post_entry


def test_user_without_role_sees_nothing(two_findings, ict):
    from tests.conftest import make_user

    nobody = make_user(None, ict)
    assert not visible_findings(nobody).exists()
    assert not visible_audits(nobody).exists()


def test_staff_without_department_sees_nothing(two_findings):
    from audits.roles import Role
    from tests.conftest import make_user

    homeless = make_user(Role.DEPARTMENT_STAFF, None)
    assert not visible_findings(homeless).exists()


def test_staff_see_entries_of_their_findings_only(two_findings, make_entry, ict_staff, jinji_staff):
    ict_finding, jinji_finding = two_findings
    mine = make_entry(ict_finding, user=ict_staff)
    make_entry(jinji_finding, user=jinji_staff)
    assert list(visible_entries(ict_staff)) == [mine]


def test_staff_see_audits_with_findings_for_them(audit, two_findings, ict_staff, soumu):
    from audits.roles import Role
    from tests.conftest import make_user

    assert get_audit_for_user(ict_staff, audit.pk).audit == audit
    other = make_user(
        Role.DEPARTMENT_STAFF, Department.objects.create(code="x", name="X課", parent=soumu)
    )
    with pytest.raises(Http404):
        get_audit_for_user(other, audit.pk)


def test_reorganised_department_keeps_its_history(two_findings, ict, soumu):
    """At the April reorganisation ICT戦略課 merges into a new DX推進課: its staff
    still see (and report on) the findings addressed to the old department."""
    from audits.roles import Role
    from tests.conftest import make_user

    ict_finding, _ = two_findings
    dx = Department.objects.create(code="dx", name="DX推進課", parent=soumu)
    Department.objects.filter(pk=ict.pk).update(is_active=False, successor=dx)
    dx_staff = make_user(Role.DEPARTMENT_STAFF, dx)
    assert list(visible_findings(dx_staff)) == [ict_finding]
    assert get_finding_for_user(dx_staff, ict_finding.pk).can_post_entry
    assert set(visible_departments(dx_staff)) == {dx, ict}


def test_fiscal_years_are_those_of_the_visible_audits_newest_first(
    audit, auditor, ict_staff, jinji_staff
):
    from audits.access import visible_fiscal_years
    from audits.models import Audit

    for year in (2015, 2018, 2018, 2023):  # a gap, a repeat
        Audit.objects.create(fiscal_year=year, theme=f"{year}年度の監査")
    everything = sorted(set(Audit.objects.values_list("fiscal_year", flat=True)), reverse=True)
    assert visible_fiscal_years(auditor) == everything
    # Staff: the years of audits with findings addressed to their department only.
    assert visible_fiscal_years(ict_staff) == []
    assert visible_fiscal_years(jinji_staff) == []
