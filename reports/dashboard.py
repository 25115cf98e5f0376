"""管理職ダッシュボード: where findings stand, counted by current status per fiscal year,
per audit and per department, each count linking into the filtered finding list.

Counts come from GROUP BY queries over the status kept on the finding (an indexed
column, see Finding.latest_status), so the page costs the same handful of queries at
5 findings or 50,000. Like the report builder's Summary, only leaf findings count:
a parent that introduces sub-items (ア, イ) takes no entries of its own.

Everyone who may see findings may open it: managers, auditors and administrators see
everything; department staff see the same page narrowed to their own department(s) by
visible_findings / visible_audits / visible_departments. A user without a role sees an
empty page, never someone else's numbers.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from audits.access import (
    department_scope,
    sees_everything,
    visible_audits,
    visible_fiscal_years,
)
from audits.http import AuthenticatedHttpRequest
from audits.models import Audit, Department
from audits.wareki import format_fiscal_year
from findings import tallies
from findings.access import visible_findings
from findings.models import UNREPORTED_LABEL, FindingQuerySet, badge_for
from followup.access import visible_rounds
from followup.progress import COLUMNS as ROUND_COLUMNS
from followup.progress import RoundProgress, round_progress
from remediation.models import RemediationStatus

if TYPE_CHECKING:
    from audits.access import AnyUser

# The finding list's status parameter for findings without any entry (FindingFilter).
UNREPORTED_KEY = "unreported"

# Bar fills: the border colour of each .status-badge modifier in static/css/app.css
# (DADS tokens). Written as hex because SVG presentation attributes cannot read CSS
# custom properties; each has at least 4.5:1 against white, so white gaps between
# segments keep neighbouring shares apart and white numbers stay legible.
BADGE_FILL = {
    "closed": "#197a4b",  # --color-primitive-green-800
    "ongoing": "#927200",  # --color-primitive-yellow-900
    "reviewing": "#264af4",  # --color-primitive-blue-700
    "unreported": "#666666",  # --color-neutral-solid-gray-600
}
# A segment narrower than this (percent of the bar) carries no number inside it.
MIN_LABELLED_SHARE = 6.0


@dataclass(frozen=True)
class StatusColumn:
    key: str  # the finding list's status parameter: a RemediationStatus id or "unreported"
    name: str
    is_closed: bool
    badge: str  # .status-badge--<badge>

    @property
    def fill(self) -> str:
        return BADGE_FILL[self.badge]


@dataclass(frozen=True)
class CountCell:
    column: StatusColumn
    count: int
    query: str  # urlencoded finding-list parameters for exactly these findings


@dataclass(frozen=True)
class BarSegment:
    column: StatusColumn
    count: int
    x: float  # percent of the bar width
    width: float

    @property
    def text_x(self) -> float:
        return self.x + self.width / 2

    @property
    def labelled(self) -> bool:
        return self.width >= MIN_LABELLED_SHARE


@dataclass
class CountLine:
    """One row of counts (a fiscal year, an audit, a department or the total)."""

    label: str
    params: dict[str, str]  # the finding-list filter that selects this row's findings
    columns: list[StatusColumn]
    counts: list[int]
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def open_count(self) -> int:
        return sum(n for c, n in zip(self.columns, self.counts, strict=True) if not c.is_closed)

    def _query(self, **extra: str) -> str:
        return urlencode({**self.params, **extra})

    @property
    def cells(self) -> list[CountCell]:
        return [
            CountCell(c, n, self._query(status=c.key))
            for c, n in zip(self.columns, self.counts, strict=True)
        ]

    @property
    def total_query(self) -> str:
        return self._query()

    @property
    def open_query(self) -> str:
        return self._query(status="open")

    @property
    def overdue_query(self) -> str:
        return self._query(overdue="1")

    @property
    def segments(self) -> list[BarSegment]:
        total = self.total
        if not total:
            return []
        segments, x = [], 0.0
        for column, count in zip(self.columns, self.counts, strict=True):
            if count:
                width = 100.0 * count / total
                segments.append(BarSegment(column, count, round(x, 3), round(width, 3)))
                x += width
        return segments

    @property
    def description(self) -> str:
        """The bar in words, for its aria-label and <title>."""
        total = self.total
        if not total:
            return f"{self.label}: 対象の指摘事項はありません"
        parts = [
            f"{c.name} {n}件（{round(100 * n / total)}%）"
            for c, n in zip(self.columns, self.counts, strict=True)
        ]
        return f"{self.label}: 全{total}件のうち " + "、".join(parts)


@dataclass
class Dashboard:
    columns: list[StatusColumn]
    totals: CountLine
    by_fiscal_year: list[CountLine]
    by_audit: list[CountLine]  # the audits of audit_page only
    by_department: list[CountLine]  # the departments of department_page only
    today: datetime.date
    scoped: bool  # narrowed to the user's own department(s)
    audit_page: Page[Audit]
    department_page: Page[Department]


# Rows per page of the per-audit and per-department tables: a shared service holds
# thousands of audits and hundreds of departments.
LINES_PER_PAGE = 20
AUDIT_PAGE = "audit_page"
DEPARTMENT_PAGE = "department_page"


def _columns() -> list[StatusColumn]:
    columns = []
    for status in RemediationStatus.objects.order_by("sort_order", "id"):
        badge = badge_for(status.code, status.is_closed)
        columns.append(StatusColumn(str(status.pk), status.name, status.is_closed, badge))
    columns.append(StatusColumn(UNREPORTED_KEY, UNREPORTED_LABEL, False, "unreported"))
    return columns


def leaf_findings(user: AnyUser) -> FindingQuerySet:
    """What the dashboard counts: visible findings that take entries themselves."""
    return visible_findings(user).counted().with_status()


Groups = dict[object, dict[str, tuple[int, int]]]


def _grouped(findings: FindingQuerySet, key: str, today: datetime.date) -> Groups:
    """{value of key: {status column key: (findings, overdue findings)}}: one GROUP BY
    query. Grouping by status too makes every group wholly open or wholly closed, so
    the caller sums overdue over the open columns only."""
    rows = (
        findings.values(key, "status_id_now")
        .annotate(
            n=Count("id", distinct=True),
            late=Count("id", filter=Q(due_date__lt=today), distinct=True),
        )
        .order_by()
    )
    groups: Groups = defaultdict(dict)
    for row in rows:
        status = row["status_id_now"]
        groups[row[key]][UNREPORTED_KEY if status is None else str(status)] = (
            row["n"],
            row["late"],
        )
    return groups


def _tallied(counts: tallies.Tallied) -> Groups:
    """findings.tallies' counts in the shape _grouped gives."""
    return {
        key: {
            UNREPORTED_KEY if status == tallies.UNREPORTED else str(status): pair
            for status, pair in by_status.items()
        }
        for key, by_status in counts.items()
    }


def _line(
    label: str,
    params: dict[str, str],
    columns: list[StatusColumn],
    *groups: dict[str, tuple[int, int]],
) -> CountLine:
    """A row summing one or more groups (a fiscal year sums its audits)."""
    counts = [sum(g.get(c.key, (0, 0))[0] for g in groups) for c in columns]
    overdue = sum(g.get(c.key, (0, 0))[1] for g in groups for c in columns if not c.is_closed)
    return CountLine(label, params, columns, counts, overdue)


def build_dashboard(
    user: AnyUser, audit_page: str | None = None, department_page: str | None = None
) -> Dashboard:
    """The counts, with the per-audit and per-department tables cut to one page each
    (a malformed or out-of-range page number gives page 1 / the last page)."""
    today = timezone.localdate()
    columns = _columns()
    findings = leaf_findings(user)
    # Whole-service counts at scale come from the kept tallies (findings.tallies).
    from_tallies = sees_everything(user) and tallies.kept()
    if from_tallies:
        per_year = _tallied(tallies.by_fiscal_year(today))
    else:
        per_year = _grouped(findings, "audit__fiscal_year", today)
    audits = visible_audits(user)
    # A year with audits but no counted finding still gets its (empty) line.
    years = set(visible_fiscal_years(user))
    by_fiscal_year = [
        _line(format_fiscal_year(year), {"fiscal_year": str(year)}, columns, per_year.get(year, {}))
        for year in sorted(years | {y for y in per_year if isinstance(y, int)}, reverse=True)
    ]

    page_of_audits = Paginator(
        audits.prefetch_related("kinds").order_by("-fiscal_year", "-period_start", "-id"),
        LINES_PER_PAGE,
    ).get_page(audit_page)
    shown = list(page_of_audits.object_list)
    per_audit = _grouped(findings.filter(audit__in=[a.pk for a in shown]), "audit_id", today)
    by_audit = [
        _line(
            f"{format_fiscal_year(audit.fiscal_year)} {audit.kinds_label}「{audit.theme}」",
            {"audit": str(audit.pk)},
            columns,
            per_audit.get(audit.pk, {}),
        )
        for audit in shown
    ]

    # A finding addressed to two departments counts once for each. Staff see only the
    # departments they act for, even where a finding is shared with another one.
    if from_tallies:
        per_department = _tallied(tallies.by_department(today))
    else:
        addressed = findings
        if not sees_everything(user):
            addressed = findings.filter(departments__in=department_scope(user))
        per_department = _grouped(addressed, "departments__id", today)
    departments = sorted(
        Department.objects.filter(
            pk__in=[pk for pk in per_department if pk is not None]
        ).select_related("parent"),
        key=lambda d: (
            d.parent.sort_order if d.parent is not None else d.sort_order,
            d.full_name,
            d.pk,
        ),
    )
    page_of_departments = Paginator(departments, LINES_PER_PAGE).get_page(department_page)
    by_department = [
        _line(d.full_name, {"department": str(d.pk)}, columns, per_department[d.pk])
        for d in page_of_departments.object_list
    ]

    return Dashboard(
        columns=columns,
        totals=_line("合計", {}, columns, *per_year.values()),
        by_fiscal_year=by_fiscal_year,
        by_audit=by_audit,
        by_department=by_department,
        today=today,
        scoped=not sees_everything(user),
        audit_page=page_of_audits,
        department_page=page_of_departments,
    )


# The reporting rounds shown with their per-department progress (3 queries each).
DASHBOARD_ROUNDS = 3


def latest_rounds(user: AnyUser, today: datetime.date) -> list[RoundProgress]:
    """The newest rounds the user may see, with 未報告 / 報告済 / 受理済 / 期限超過 per
    department (staff: their own departments only)."""
    scope = None if sees_everything(user) else department_scope(user)
    rounds = visible_rounds(user).select_related("audit")[:DASHBOARD_ROUNDS]
    return [round_progress(r, today, scope) for r in rounds]


def _other_params(request: AuthenticatedHttpRequest, page_param: str) -> str:
    """The query string that keeps the other table's page when this one turns."""
    params = request.GET.copy()
    params.pop(page_param, None)
    return params.urlencode()


@require_safe
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """管理職ダッシュボード. Read-only: it changes nothing, so every role may look."""
    board = build_dashboard(
        request.user, request.GET.get(AUDIT_PAGE), request.GET.get(DEPARTMENT_PAGE)
    )
    return render(
        request,
        "reports/dashboard.html",
        {
            "dashboard": board,
            "audit_query": _other_params(request, AUDIT_PAGE),
            "department_query": _other_params(request, DEPARTMENT_PAGE),
            "rounds": latest_rounds(request.user, board.today),
            "round_columns": ROUND_COLUMNS,
        },
    )
