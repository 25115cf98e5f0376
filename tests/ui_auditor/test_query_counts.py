"""The list and detail pages cost the same number of queries for 1 row and for 50."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audits.models import AuditKind
from audits.services import create_audit

pytestmark = pytest.mark.django_db

# Every request: session, the user with their 所属 (shown in base.html), the user's
# groups (role).
PER_REQUEST = 3


def _make_audits(count, ict, auditor, make_entry_for, kinds):
    from findings.services import add_finding

    kind = AuditKind.objects.get(name="行政監査")
    for number in range(count):
        audit = create_audit(
            fiscal_year=2020,
            kinds=[kind],
            theme=f"テーマ{number}",
            audited_departments=[ict],
            period_start=datetime.date(2021, 2, 10),
            user=auditor,
        )
        finding = add_finding(
            audit, kind=kinds["shiteki"], body="本文", departments=[ict], user=auditor
        )
        make_entry_for(finding)


@pytest.mark.parametrize("count", [1, 50])
def test_audit_list_query_count_does_not_grow_with_audits(
    auditor_client, django_assert_num_queries, ict, auditor, make_entry, kinds, count
):
    _make_audits(count, ict, auditor, make_entry, kinds)

    # + COUNT of the visible audits (the paginator)
    # + the page's keys, newest first (audits.paging.page_by_keys)
    # + the page's audits with finding count and open count as subqueries
    # + their kinds (one prefetch)
    # + audited departments with their 部局 (one prefetch)
    with django_assert_num_queries(PER_REQUEST + 5):
        response = auditor_client.get(reverse("audit_list"))

    assert len(response.context["audits"]) == count


@pytest.mark.parametrize("count", [1, 50])
def test_audit_detail_query_count_does_not_grow_with_findings_or_systems(
    auditor_client, django_assert_num_queries, audit, make_finding, make_entry, ict, auditor, count
):
    from audits.services import add_system

    parent = make_finding(label="①")
    make_entry(parent)
    for number in range(count - 1):
        child = make_finding(parent=parent, label=f"{number}", title="")
        make_entry(child)
    for number in range(count):
        add_system(audit, name=f"システム{number}", department=ict, user=auditor)

    # + the audit, + its kinds (get_audit_for_user)
    # + its finding kinds, sections, key risks, viewpoints (with key risk), departments,
    #   audited systems (with their 所管課)
    # + every finding, light, for the outline (class, viewpoint, parent attached)
    # + the page's findings with status, entry and sub-item counts, + their departments
    # + the counts per status (GROUP BY); no key risks, so no further viewpoints
    with django_assert_num_queries(PER_REQUEST + 2 + 6 + 1 + 2 + 1):
        response = auditor_client.get(reverse("audit_detail", args=[audit.pk]))

    assert response.context["finding_total"] == count
