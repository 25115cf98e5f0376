"""Fixed query counts: the same for 1 row as for 50 (pages, entries, findings)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from remediation.files import check_upload
from remediation.services import record_entry

# Every signed-in page starts with these.
REQUEST = [
    "session",
    "user with department and its parent (the header's 所属)",
    "user's groups (role_of)",
]

LIST_AS_STAFF = [
    *REQUEST,
    "department_scope: departments with a successor",
    "filter: fiscal years of visible audits",
    "filter: status choices",
    "COUNT of filtered findings, up to CappedPaginator.CAP + 1",
    "the page's keys, in the list's order",
    "the page's findings with status, audit, kind, viewpoint, parent",
    "prefetch: departments (+ parent) of the page's findings",
    "prefetch: the kinds of the page's audits",
    "filter: audit choices",
    "filter: the audit choices' kinds",
    "filter: kind choices",
    "filter: department choices (+ parent)",
]
MY_FINDINGS = [
    *REQUEST,
    "department_scope: departments with a successor",
    "ids of the visible findings (from the department side: the page query then reads them by id)",
    "COUNT of the open and of the closed findings (one aggregate)",
    "a page of open findings with status, audit, kind, viewpoint, parent (and whether visible)",
    # (a page of closed findings likewise; none here, so the empty page asks nothing)
    "the kinds of both pages' audits",
    "names of the departments in scope (+ parent)",
]
DETAIL_AS_STAFF = [
    *REQUEST,
    "department_scope: departments with a successor",
    "the finding with audit, kind, section, viewpoint, key risk, parent, sub-class",
    "prefetch: its departments (+ parent)",
    "prefetch: the audit's kinds",
    "prefetch: its entries (+ status, author, author's department and parent)",
    "prefetch: the entries' evidence files",
    "prefetch: the audit's audited departments (+ parent)",
    "visible sub-items with status",
    "the timeline: log rows of the finding with actor and content type",
    "entry form: status radio choices",
]


@pytest.fixture
def many_findings(make_finding, make_entry):
    def make(n: int) -> None:
        for i in range(n):
            if i % 5 == 1:
                parent = make_finding(label=f"({i})", title=f"親{i}")
                make_entry(make_finding(label="ア", title=f"子{i}", parent=parent))
            else:
                finding = make_finding(
                    label=f"{i}", title=f"件名{i}", due_date=datetime.date(2021, 3, 31)
                )
                if i % 2:
                    make_entry(finding)

    return make


@pytest.mark.parametrize("n", [1, 50])
def test_finding_list_query_count_is_fixed(
    client, ict_staff, many_findings, django_assert_num_queries, n
):
    many_findings(n)
    client.force_login(ict_staff)
    with django_assert_num_queries(len(LIST_AS_STAFF)):
        response = client.get(reverse("finding_list"), {"o": "-status_date"})
    assert response.status_code == 200
    assert response.content.decode().count('scope="row"') == min(n, 25)


@pytest.mark.parametrize("n", [1, 50])
def test_my_findings_query_count_is_fixed(
    client, ict_staff, many_findings, django_assert_num_queries, n
):
    many_findings(n)
    client.force_login(ict_staff)
    with django_assert_num_queries(len(MY_FINDINGS)):
        response = client.get(reverse("my_findings"))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 50])
def test_finding_detail_query_count_is_fixed(
    client, ict_staff, finding, statuses, django_assert_num_queries, n
):
    for i in range(n):
        record_entry(
            finding,
            status=statuses["keizoku"],
            entry_date=datetime.date(2021, 3, 1) + datetime.timedelta(days=i),
            content=f"経過{i}",
            user=ict_staff,
            files=[check_upload(SimpleUploadedFile(f"{i}.pdf", b"%PDF-1.4 x"))],
        )
    client.force_login(ict_staff)
    with django_assert_num_queries(len(DETAIL_AS_STAFF)):
        response = client.get(reverse("finding_detail", args=[finding.pk]))
    assert response.content.decode().count("【 継続努力 】") == n
    # Each entry and each evidence file is one timeline row (plus record_entry's own line).
    assert len(response.context["timeline"]) >= 2 * n
