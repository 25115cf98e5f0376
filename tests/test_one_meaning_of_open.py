"""One meaning of "open" and of what is counted: the audit list, the finding list, the
dashboard and the report preview give the same numbers for the same fiscal year.

Counted are the findings that take entries themselves (a parent that only introduces
sub-items is not, its sub-items are); open means not closed by an accepted 措置済 (a
措置済 waiting for review, or returned, leaves the finding open)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from reports.builder import Selection, build_report

FY = 2020


@pytest.fixture
def mixed_year(make_finding, make_entry):
    """9 findings of 令和2年度 in one audit, of which a parent with two sub-items."""
    closed = make_finding(label="①")
    make_entry(closed, "sochizumi")
    make_entry(make_finding(label="②"), "keizoku")
    waiting = make_finding(label="③")
    make_entry(waiting, "sochizumi", review=None)  # claimed, not yet accepted: open
    returned = make_finding(label="④")
    make_entry(returned, "sochizumi", review="returned")  # returned: open
    make_finding(label="⑤")  # 未報告
    parent = make_finding(label="⑥")
    make_entry(make_finding(label="ア", parent=parent), "sochizumi")
    make_finding(label="イ", parent=parent)
    make_finding(label="⑦")
    # counted: ①②③④⑤ア イ⑦ = 8, open: all but ① and ア = 6
    return 8, 6


@pytest.mark.parametrize("who", ["auditor", "manager", "ict_staff"])
def test_every_page_and_report_gives_the_same_counts(client, mixed_year, audit, request, who):
    counted, open_ = mixed_year
    user = request.getfixturevalue(who)
    client.force_login(user)

    audits = client.get(reverse("audit_list")).context["audits"] if who != "ict_staff" else None
    if audits is not None:
        of_year = [a for a in audits if a.fiscal_year == FY]
        assert sum(a.finding_count for a in of_year) == counted
        assert sum(a.open_count for a in of_year) == open_

    listed = client.get(reverse("finding_list"), {"fiscal_year": FY, "status": "open"})
    assert listed.context["page"].paginator.count == open_

    board = client.get(reverse("dashboard")).context["dashboard"]
    year = next(line for line in board.by_fiscal_year if line.params == {"fiscal_year": str(FY)})
    assert (year.total, year.open_count) == (counted, open_)

    everything = build_report(user, Selection(fiscal_year=FY))
    assert everything.finding_count == counted
    assert everything.summary.totals.total == counted
    only_open = build_report(user, Selection(fiscal_year=FY, open_only=True))
    assert only_open.finding_count == open_
    preview = client.get(reverse("report_preview"), {"fiscal_year": FY, "open_only": "1"})
    assert preview.context["report"].finding_count == open_


def test_a_sochizumi_waiting_for_review_is_open_until_accepted(make_finding, make_entry, auditor):
    from findings.models import Finding
    from remediation.services import review_entry

    finding = make_finding(label="⑧")
    entry = make_entry(finding, "sochizumi", day=datetime.date(2021, 10, 1), review=None)
    assert Finding.objects.with_status().open().filter(pk=finding.pk).exists()
    review_entry(entry, decision="accepted", user=auditor)
    assert not Finding.objects.with_status().open().filter(pk=finding.pk).exists()
