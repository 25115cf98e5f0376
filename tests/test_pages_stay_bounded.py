"""Pages stay the same size however much data there is: no list draws more than one
page of rows, and no <select> offers more than a few hundred options (the audit
choice lists one fiscal year's audits, at most AUDIT_CHOICES_MAX)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audits.forms import AUDIT_CHOICES_MAX
from audits.models import Audit, AuditKind, Department
from audits.pages import AUDITS_PER_PAGE
from findings.models import Finding
from findings.views import PAGE_SIZE
from reports.dashboard import LINES_PER_PAGE
from tests.html_checks import select_sizes, table_body_rows

MAX_OPTIONS = 300
AUDITS_IN_2020 = AUDIT_CHOICES_MAX + 50  # one year with more audits than a select lists
AUDITS_IN_2021 = 100
DEPARTMENTS = LINES_PER_PAGE + 5
FINDINGS = PAGE_SIZE * 2 + 3


@pytest.fixture
def lots(soumu, kinds, auditor) -> list[Audit]:
    """Many audits, departments and findings, made cheaply in bulk (no services: the
    pages only read them)."""
    kind = AuditKind.objects.get(name="行政監査")
    audits = Audit.objects.bulk_create(
        Audit(
            fiscal_year=2020 if n < AUDITS_IN_2020 else 2021,
            theme=f"テーマ{n}",
            period_start=datetime.date(2021, 2, 10) + datetime.timedelta(days=n % 300),
        )
        for n in range(AUDITS_IN_2020 + AUDITS_IN_2021)
    )
    Audit.kinds.through.objects.bulk_create(
        Audit.kinds.through(audit_id=a.pk, auditkind_id=kind.pk) for a in audits
    )
    departments = Department.objects.bulk_create(
        Department(code=f"d{n}", name=f"課{n}", parent=soumu) for n in range(DEPARTMENTS)
    )
    findings = Finding.objects.bulk_create(
        Finding(audit=audits[n % 3], kind=kinds["shiteki"], label=str(n), body=f"本文{n}")
        for n in range(FINDINGS)
    )
    Finding.departments.through.objects.bulk_create(
        Finding.departments.through(finding_id=f.pk, department_id=departments[n % DEPARTMENTS].pk)
        for n, f in enumerate(findings)
    )
    return audits


PAGES = [
    ("finding_list", {}, PAGE_SIZE),
    ("finding_list", {"fiscal_year": "2020"}, PAGE_SIZE),
    ("finding_list", {"status": "open", "o": "-status_date"}, PAGE_SIZE),
    ("audit_list", {}, AUDITS_PER_PAGE),
    ("dashboard", {}, LINES_PER_PAGE),
    ("dashboard", {"audit_page": "3", "department_page": "2"}, LINES_PER_PAGE),
    ("report_preview", {}, 0),
    ("report_preview", {"fiscal_year": "2021"}, None),
]


@pytest.mark.parametrize(("name", "params", "rows"), PAGES)
def test_no_page_draws_more_than_a_page_of_rows_or_a_huge_select(
    client, auditor, lots, name, params, rows
):
    client.force_login(auditor)
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    html = response.content.decode()
    sizes = select_sizes(html)
    assert max(sizes.values(), default=0) <= MAX_OPTIONS, sizes
    if rows is not None:
        bodies = table_body_rows(html)
        assert max(bodies, default=0) <= rows, bodies


def test_the_audit_select_lists_the_chosen_years_audits(client, auditor, lots):
    client.force_login(auditor)
    latest = select_sizes(client.get(reverse("finding_list")).content.decode())
    assert latest["audit"] == AUDITS_IN_2021 + 1  # the latest year, and "すべて"
    chosen = client.get(reverse("finding_list"), {"fiscal_year": "2020"})
    assert select_sizes(chosen.content.decode())["audit"] == AUDIT_CHOICES_MAX + 1
    # An audit of an earlier year still filters (a dashboard link names no year) and
    # its year's audits are listed with it selected.
    oldest = lots[0]
    linked = client.get(reverse("finding_list"), {"audit": str(oldest.pk)})
    assert not linked.context["form"].errors
    assert f'<option value="{oldest.pk}" selected>' in linked.content.decode()
    assert linked.context["page"].paginator.count == len(range(0, FINDINGS, 3))
    report = client.get(reverse("report_preview"), {"audit": str(oldest.pk)})
    assert not report.context["form"].errors
    assert f'<option value="{oldest.pk}" selected>' in report.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/findings/?fiscal_year=²",
        "/findings/?audit=²",
        "/findings/?audit=99999999999999999999",
        "/reports/?audit=²&fiscal_year=³",
        "/review/?round=²",
    ],
)
def test_digits_that_int_refuses_are_no_500(client, auditor, url):
    """'²'.isdigit() is true but int('²') fails: a select narrowed by year or a round
    chosen by id reads such a value as no choice, never as a server error."""
    client.force_login(auditor)
    assert client.get(url).status_code in (200, 400)
