"""Pages stay the same size however much data there is: no list draws more than one
page of rows, and no <select> offers more than a few hundred options (the audit
choice lists one fiscal year's audits, at most AUDIT_CHOICES_MAX)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.forms import AUDIT_CHOICES_MAX
from audits.models import Audit, AuditKind, Department, Section
from audits.pages import AUDITS_PER_PAGE, FINDINGS_PER_PAGE
from findings.models import Finding
from findings.views import MY_PAGE_SIZE, PAGE_SIZE
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


TOP_FINDINGS = FINDINGS_PER_PAGE * 2 + 3


@pytest.fixture
def big_audit(audit, section, kinds, statuses, ict) -> Audit:
    """An audit with more than two pages of findings in one section, the first with two
    sub-items, and a second, empty section; made in bulk (the pages only read them)."""
    empty = Section.objects.create(audit=audit, number="2", title="空の節", sort_order=9)
    assert empty.pk
    closed, open_status = statuses["sochizumi"], statuses["keizoku"]
    findings = Finding.objects.bulk_create(
        Finding(
            audit=audit,
            kind=kinds["shiteki"],
            section=section,
            label=f"({n + 1})",
            sort_order=n,
            body=f"本文{n}",
            latest_status=closed if n % 2 else (open_status if n % 3 else None),
            is_closed=bool(n % 2),
        )
        for n in range(TOP_FINDINGS)
    )
    children = Finding.objects.bulk_create(
        Finding(
            audit=audit,
            kind=kinds["shiteki"],
            section=section,
            parent=findings[0],
            label=label,
            sort_order=n,
            body=f"小項目{label}",
        )
        for n, label in enumerate("アイ")
    )
    Finding.departments.through.objects.bulk_create(
        Finding.departments.through(finding_id=f.pk, department_id=ict.pk)
        for f in [*findings, *children]
    )
    big: Audit = audit
    return big


def _drawn_findings(html: str) -> int:
    return html.count('<li id="finding-')


@pytest.mark.parametrize("who", ["auditor", "ict_staff"])
def test_the_audit_page_draws_one_page_of_findings_with_as_many_queries_on_each(
    client, big_audit, request, who
):
    client.force_login(request.getfixturevalue(who))
    url = reverse("audit_detail", args=[big_audit.pk])
    queries = []
    for page in ("1", "2", "3"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"page": page})
        queries.append(len(captured))
        html = response.content.decode()
        assert _drawn_findings(html) <= FINDINGS_PER_PAGE + 2  # the sub-items of the first
        assert "1 想定されるリスク" in html  # the section's heading on every page
        assert ("2 空の節" in html) == (page == "3")  # 特になし where it falls: the end
    assert len(set(queries)) == 1, queries
    first, last = client.get(url), client.get(url, {"page": "3"})
    assert _drawn_findings(first.content.decode()) == FINDINGS_PER_PAGE + 2
    assert _drawn_findings(last.content.decode()) == TOP_FINDINGS - 2 * FINDINGS_PER_PAGE
    assert "（続き）" in last.content.decode()
    assert "（続き）" not in first.content.decode()
    # The whole audit is counted: every finding, and per status its counted findings
    # (the parent of ア, イ is counted through them).
    assert last.context["finding_total"] == TOP_FINDINGS + 2
    counts = {row.name: row.count for row in last.context["status_counts"]}
    assert sum(counts.values()) == TOP_FINDINGS - 1 + 2
    assert counts["措置済"] == len(range(1, TOP_FINDINGS, 2))


def test_a_link_to_one_finding_opens_the_page_that_holds_it(client, auditor, big_audit):
    client.force_login(auditor)
    last = Finding.objects.filter(audit=big_audit, parent=None).order_by("-sort_order").first()
    sub_item = Finding.objects.filter(audit=big_audit).exclude(parent=None).first()
    assert last is not None and sub_item is not None
    url = reverse("audit_detail", args=[big_audit.pk])
    assert client.get(url, {"finding": str(last.pk)}).context["page"].number == 3
    assert client.get(url, {"finding": str(sub_item.pk)}).context["page"].number == 1
    for odd in ("²", "x", "99999999999"):
        assert client.get(url, {"finding": odd}).context["page"].number == 1


def test_staff_own_list_draws_a_page_of_each_list_with_as_many_queries_on_each(
    client, ict_staff, big_audit
):
    client.force_login(ict_staff)
    leaves = Finding.objects.filter(audit=big_audit).counted()
    open_total, closed_total = (
        leaves.filter(is_closed=False).count(),
        leaves.filter(is_closed=True).count(),
    )
    assert open_total > MY_PAGE_SIZE and closed_total > MY_PAGE_SIZE
    queries = []
    for params in ({}, {"open_page": "2"}, {"open_page": "2", "closed_page": "2"}):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("my_findings"), params)
        queries.append(len(captured))
        bodies = table_body_rows(response.content.decode())
        assert len(bodies) == 2 and max(bodies) <= MY_PAGE_SIZE + 1, bodies  # + a parent row
        assert response.context["open_count"] == open_total
        assert response.context["closed_count"] == closed_total
    assert len(set(queries)) == 1, queries
    # Each list pages on its own and keeps the other's page in its links.
    last = response.context
    assert last["open_list"].page.number == 2 and last["closed_list"].page.number == 2
    assert "open_page=2&amp;closed_page=1" in response.content.decode()
