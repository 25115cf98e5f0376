"""The managers' dashboard: counts by current status, links into the finding
list, staff scoping, a fixed number of queries, and the share bars."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from audits.models import AuditKind
from audits.services import create_audit
from findings.services import add_finding
from reports.builder import Selection, build_report
from reports.dashboard import build_dashboard
from tests.conftest import make_user

PAST = datetime.date(2020, 1, 1)
FUTURE = datetime.date.today() + datetime.timedelta(days=365)  # within the accepted range


@pytest.fixture
def dataset(make_finding, make_entry, ict, jinji, kinds, auditor):
    """Audit 令和2年度 (the conftest audit):
      ① 措置済, ict, past due (closed, so not overdue)
      ② 継続努力, ict + jinji, past due (overdue)
      ③ no entry, ict, due in the future
      ④ parent, ict: ア 検討中, イ no entry (the parent itself is not counted)
      ⑤ 検討中, jinji only, past due (overdue)
    Audit 令和3年度: ① 措置済, ict.
    """
    done = make_finding(label="①", due_date=PAST)
    make_entry(done, "sochizumi")
    shared = make_finding(label="②", departments=[ict, jinji], due_date=PAST)
    make_entry(shared, "kentou", day=datetime.date(2021, 5, 31))
    make_entry(shared, "keizoku", day=datetime.date(2021, 9, 30))
    silent = make_finding(label="③", due_date=FUTURE)
    parent = make_finding(label="④", due_date=PAST)
    sub_a = make_finding(label="ア", parent=parent)
    make_entry(sub_a, "kentou")
    make_finding(label="イ", parent=parent)
    jinji_only = make_finding(label="⑤", departments=[jinji], due_date=PAST)
    make_entry(jinji_only, "kentou", user=auditor)

    later = create_audit(
        fiscal_year=2021,
        kinds=[AuditKind.objects.get(name="行政監査")],
        theme="個人情報の管理について",
        audited_departments=[ict],
        period_start=datetime.date(2021, 11, 1),
        user=auditor,
    )
    later_finding = add_finding(
        later,
        kind=kinds["shiteki"],
        label="①",
        body="台帳を整備すること。",
        departments=[ict],
        user=auditor,
    )
    make_entry(later_finding, "sochizumi", day=datetime.date(2022, 3, 31))
    return {"audit_2020": done.audit, "audit_2021": later, "silent": silent}


def _counts(line):
    """{status name: count} of a CountLine."""
    return {cell.column.name: cell.count for cell in line.cells}


def _line(lines, label_part):
    (found,) = [line for line in lines if label_part in line.label]
    return found


def _ids(statuses):
    return {code: str(s.pk) for code, s in statuses.items()}


# --- counts -------------------------------------------------------------------------


def test_totals_count_leaf_findings_by_current_status(dataset, manager):
    totals = build_dashboard(manager).totals
    assert _counts(totals) == {"措置済": 2, "継続努力": 1, "検討中": 2, "未報告": 2}
    assert totals.total == 7
    assert totals.open_count == 5


def test_parent_with_sub_items_is_not_counted_but_its_sub_items_are(dataset, manager):
    audit_2020 = _line(build_dashboard(manager).by_audit, "令和2年度")
    # ①②③⑤ + ア + イ; not ④ itself.
    assert audit_2020.total == 6
    assert _counts(audit_2020) == {"措置済": 1, "継続努力": 1, "検討中": 2, "未報告": 2}


def test_counts_per_fiscal_year(dataset, manager):
    years = build_dashboard(manager).by_fiscal_year
    assert [line.label for line in years] == ["令和3年度", "令和2年度"]
    assert _counts(years[0]) == {"措置済": 1, "継続努力": 0, "検討中": 0, "未報告": 0}
    assert _counts(years[1]) == {"措置済": 1, "継続努力": 1, "検討中": 2, "未報告": 2}


def test_finding_addressed_to_two_departments_counts_for_each(dataset, manager):
    by_department = build_dashboard(manager).by_department
    assert [line.label for line in by_department] == ["総務部 ICT戦略課", "総務部 人事課"]
    ict_line, jinji_line = by_department
    assert _counts(ict_line) == {"措置済": 2, "継続努力": 1, "検討中": 1, "未報告": 2}
    assert _counts(jinji_line) == {"措置済": 0, "継続努力": 1, "検討中": 1, "未報告": 0}


def test_overdue_counts_open_findings_past_their_due_date_only(dataset, manager):
    dashboard = build_dashboard(manager)
    # ② and ⑤; ① is past due but 措置済, ④ is a parent, ③ is due in the future.
    assert dashboard.totals.overdue == 2
    ict_line, jinji_line = dashboard.by_department
    assert (ict_line.overdue, jinji_line.overdue) == (1, 2)
    assert _line(dashboard.by_audit, "令和3年度").overdue == 0


def test_counts_agree_with_the_report_builders_summary(dataset, manager):
    summary = build_report(manager, Selection()).summary
    dashboard = build_dashboard(manager)
    assert summary.columns == [c.name for c in dashboard.columns]
    assert list(summary.totals.counts) == dashboard.totals.counts


def test_a_later_entry_replaces_the_earlier_status(dataset, manager):
    # ② went 検討中 → 継続努力: only the latest counts.
    assert _counts(build_dashboard(manager).totals)["継続努力"] == 1


# --- who sees what ------------------------------------------------------------------


def test_staff_see_only_their_own_departments_findings(dataset, jinji_staff):
    dashboard = build_dashboard(jinji_staff)
    assert dashboard.scoped
    assert _counts(dashboard.totals) == {"措置済": 0, "継続努力": 1, "検討中": 1, "未報告": 0}
    assert [line.label for line in dashboard.by_department] == ["総務部 人事課"]
    assert [line.label for line in dashboard.by_fiscal_year] == ["令和2年度"]


def test_staff_never_count_another_departments_finding(dataset, ict_staff, client):
    dashboard = build_dashboard(ict_staff)
    # ⑤ (人事課 only, 検討中) is absent; ② (shared) is counted once, for ICT戦略課.
    assert _counts(dashboard.totals) == {"措置済": 2, "継続努力": 1, "検討中": 1, "未報告": 2}
    assert [line.label for line in dashboard.by_department] == ["総務部 ICT戦略課"]
    client.force_login(ict_staff)
    page = client.get(reverse("dashboard")).content.decode()
    assert "人事課" not in page


def test_user_without_a_role_sees_nothing(dataset, ict):
    nobody = make_user(None, ict)
    dashboard = build_dashboard(nobody)
    assert dashboard.totals.total == 0
    assert dashboard.by_audit == dashboard.by_department == []


@pytest.mark.parametrize("persona", ["manager", "auditor", "administrator", "ict_staff"])
def test_every_role_may_open_the_dashboard(persona, dataset, client, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert "年度別" in response.content.decode()


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_dashboard_changes_nothing_and_refuses_post(dataset, client, manager):
    client.force_login(manager)
    assert client.post(reverse("dashboard")).status_code == 405
    assert "<form" not in client.get(reverse("dashboard")).content.decode().split("</header>")[1]


# --- links --------------------------------------------------------------------------


def _href(params: dict[str, str]) -> str:
    url = reverse("finding_list")
    query = urlencode(params).replace("&", "&amp;")
    return f'href="{url}?{query}"' if params else f'href="{url}"'


def test_each_count_links_to_the_finding_list_with_its_filter(
    dataset, client, manager, statuses, ict
):
    client.force_login(manager)
    page = client.get(reverse("dashboard")).content.decode()
    ids = _ids(statuses)
    audit_id = str(dataset["audit_2020"].pk)
    expected = [
        {"fiscal_year": "2020", "status": ids["sochizumi"]},
        {"fiscal_year": "2020", "status": "unreported"},
        {"fiscal_year": "2020", "status": "open"},
        {"fiscal_year": "2020", "overdue": "1"},
        {"audit": audit_id, "status": ids["kentou"]},
        {"audit": audit_id, "status": ids["keizoku"]},
        {"audit": audit_id, "overdue": "1"},
        {"department": str(ict.pk), "status": ids["sochizumi"]},
        {"department": str(ict.pk), "status": "unreported"},
        {"department": str(ict.pk), "overdue": "1"},
        {"status": "open"},
        {"overdue": "1"},
        {"status": ids["sochizumi"]},
    ]
    for params in expected:
        assert _href(params) in page, params


def test_zero_counts_are_not_links(dataset, client, manager, statuses):
    client.force_login(manager)
    page = client.get(reverse("dashboard")).content.decode()
    # 令和3年度 has no 未報告 finding: no link that would open an empty list.
    assert _href({"fiscal_year": "2021", "status": "unreported"}) not in page


def test_links_to_the_report_preview_of_open_items(dataset, client, manager):
    client.force_login(manager)
    page = client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("report_preview")}?open_only=1"' in page


# --- the picture --------------------------------------------------------------------


def test_share_bars_are_inline_svg_with_a_text_alternative(dataset, client, manager):
    client.force_login(manager)
    page = client.get(reverse("dashboard")).content.decode()
    labels = re.findall(r'<svg class="share-chart__bar" role="img" aria-label="([^"]+)"', page)
    # one bar per fiscal year and per audit
    assert len(labels) == 4
    assert (
        "令和2年度: 全6件のうち 措置済 1件（17%）、継続努力 1件（17%）、"
        "検討中 2件（33%）、未報告 2件（33%）"
    ) in labels
    assert "<title>令和3年度: 全1件のうち 措置済 1件（100%）" in page
    for colour in ("#197a4b", "#927200", "#264af4", "#666666"):
        assert f'fill="{colour}"' in page
    assert 'aria-label="凡例"' in page
    assert "<script" not in page.split("</header>")[1]


def test_bar_segments_fill_the_whole_width(dataset, manager):
    line = _line(build_dashboard(manager).by_audit, "令和2年度")
    segments = line.segments
    assert segments[0].x == 0
    assert sum(s.width for s in segments) == pytest.approx(100, abs=0.01)
    assert [s.count for s in segments] == [1, 1, 2, 2]


def test_empty_audit_shows_an_empty_bar_not_an_error(client, manager, audit):
    client.force_login(manager)
    page = client.get(reverse("dashboard")).content.decode()
    assert "令和2年度: 対象の指摘事項はありません" in page


# --- queries ------------------------------------------------------------------------


def _many_findings(make_finding, make_entry, jinji, auditor, count: int) -> None:
    codes = ["sochizumi", "keizoku", "kentou", None]
    for i in range(count):
        finding = make_finding(
            label=str(i), departments=[jinji] if i % 3 else [jinji, jinji.parent], due_date=PAST
        )
        if codes[i % 4]:
            make_entry(finding, codes[i % 4], user=auditor)


# The manager's page costs 13 queries whatever the number of findings or audits:
#   1 session, 2 user with their department (the base.html header),
#   3 remediation statuses (the columns),
#   4 the user's groups (role, for visible_findings; cached on the user afterwards),
#   5 leaf findings GROUP BY fiscal year, status (the year lines and the totals),
#   6 the fiscal years of the visible audits (a year without findings keeps its line),
#   7 COUNT of the visible audits, 8 one page of them, 9 their kinds,
#   10 leaf findings of that page's audits GROUP BY audit, status,
#   11 leaf findings × departments GROUP BY department, status,
#   12 the counted departments with their parent (full names; one page is shown),
#   13 the newest reporting rounds (none here; each shown costs 3 more, at most 3 rounds).
MANAGER_QUERIES = 13


@pytest.mark.parametrize("count", [1, 50])
def test_manager_query_count_does_not_grow_with_findings(
    count, make_finding, make_entry, jinji, auditor, manager, client, django_assert_num_queries
):
    _many_findings(make_finding, make_entry, jinji, auditor, count)
    client.force_login(manager)
    with django_assert_num_queries(MANAGER_QUERIES):
        response = client.get(reverse("dashboard"))
    assert response.context["dashboard"].totals.total == count


# Staff add one: the departments' successor links (department_scope) after query 4.
STAFF_QUERIES = MANAGER_QUERIES + 1


@pytest.mark.parametrize("count", [1, 50])
def test_staff_query_count_does_not_grow_with_findings(
    count, make_finding, make_entry, jinji, auditor, jinji_staff, client, django_assert_num_queries
):
    _many_findings(make_finding, make_entry, jinji, auditor, count)
    client.force_login(jinji_staff)
    with django_assert_num_queries(STAFF_QUERIES):
        response = client.get(reverse("dashboard"))
    assert response.context["dashboard"].totals.total == count
