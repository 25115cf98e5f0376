"""The read side of findings: the filtered list, a department's own list, one finding."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from audits.access import department_scope
from audits.http import AuthenticatedHttpRequest
from audits.models import Department
from audits.paging import CappedPaginator, page_by_keys
from audits.roles import Role, role_of
from findings.access import get_finding_for_user, visible_findings
from findings.filters import FindingFilter
from findings.models import Finding, StatusSnapshot
from history.timeline import finding_timeline
from remediation.models import RemediationEntry

if TYPE_CHECKING:
    from audits.access import AnyUser

PAGE_SIZE = 25
RESULTS_TARGET = "finding-search"


def departments_prefetch() -> Prefetch[str, QuerySet[Department], str]:
    # Department.__str__ / full_name reads the parent: load it in the same query.
    return Prefetch("departments", queryset=Department.objects.select_related("parent"))


def has_children() -> Exists:
    return Exists(Finding.objects.filter(parent=OuterRef("pk")))


def _sort_links(request: AuthenticatedHttpRequest, current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the query string that sorts by it (a second click
    reverses the direction) and its aria-sort state."""
    columns = {
        "label": ("print", None),
        "audit": ("-audit", "audit"),
        "due": ("due", "-due"),
        "status": ("-status_date", "status_date"),
    }
    current = current or "print"
    links: dict[str, dict[str, str]] = {}
    for column, (first, second) in columns.items():
        params = request.GET.copy()
        params.pop("page", None)
        params["o"] = second if (current == first and second) else first
        state = ""
        if current in (first, second):
            state = "descending" if current.startswith("-") else "ascending"
        links[column] = {"query": params.urlencode(), "aria_sort": state}
    return links


def _page(queryset: QuerySet[Finding], number: str | None) -> Page[Finding]:
    return page_by_keys(queryset, number, PAGE_SIZE, CappedPaginator)


@require_safe
def finding_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    base = (
        visible_findings(user)
        .with_status()
        .annotate(has_children=has_children())
        .select_related("audit", "kind", "viewpoint__key_risk", "parent__viewpoint")
        .prefetch_related(departments_prefetch(), "audit__kinds")
    )
    finding_filter = FindingFilter(request.GET or None, queryset=base, user=user)
    page = _page(finding_filter.qs, request.GET.get("page"))
    rows = list(page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    current_order = search_query = ""
    if finding_filter.is_bound and finding_filter.form.is_valid():
        current_order = (finding_filter.form.cleaned_data.get("o") or [""])[0]
        search_query = finding_filter.form.cleaned_data.get("q") or ""
    context = {
        "filter": finding_filter,
        "form": finding_filter.form,
        "page": page,
        "rows": rows,
        "query": params.urlencode(),
        "sort": _sort_links(request, current_order),
        "results_target": RESULTS_TARGET,
        "search_query": search_query,
    }
    partial = (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == RESULTS_TARGET
        and not request.headers.get("HX-History-Restore-Request")
    )
    template = "findings/_finding_search.html" if partial else "findings/finding_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@dataclass(frozen=True)
class MyRow:
    finding: Finding
    is_context: bool  # a parent shown only to introduce its sub-items
    days_since: int | None  # days since the latest entry's date


MY_PAGE_SIZE = 25  # as the finding list: each list of 担当の指摘事項 pages on its own


@dataclass(frozen=True)
class MyList:
    """One page of the open or of the closed findings, with its own page parameter."""

    page: Page[Finding]
    rows: list[MyRow]
    page_param: str
    query: str  # the other parameters, so paging one list keeps the other's page


def _my_rows(findings: list[Finding], today: datetime.date) -> list[MyRow]:
    """Leaf findings, each sub-item preceded once on the page by its parent as a context
    row when the user may see the parent."""
    rows: list[MyRow] = []
    introduced: set[int] = set()
    for finding in findings:
        parent = finding.parent
        if parent is not None and vars(finding)["parent_visible"] and parent.pk not in introduced:
            introduced.add(parent.pk)
            rows.append(MyRow(parent, True, None))
        status = finding.current_status
        days = (today - status.date).days if status.date else None
        rows.append(MyRow(finding, False, days))
    return rows


def _my_list(
    request: AuthenticatedHttpRequest, queryset: QuerySet[Finding], count: int, param: str
) -> tuple[Page[Finding], list[Finding], str]:
    paginator = Paginator(queryset, MY_PAGE_SIZE)
    paginator.count = count  # counted with the other list's in one query
    page = paginator.get_page(request.GET.get(param))
    params = request.GET.copy()
    params.pop(param, None)
    return page, list(page.object_list), params.urlencode()


@require_safe
def my_findings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Department staff's start page: the findings addressed to their department(s),
    open ones first, each list a page at a time."""
    user = request.user
    is_staff = role_of(user) == Role.DEPARTMENT_STAFF
    today = timezone.localdate()
    context: dict[str, object] = {"is_staff": is_staff, "today": today}
    if is_staff:
        # The findings that take entries (a parent only introduces its sub-items); the
        # parent comes with each row, shown when the user may see it.
        parent_visible = Exists(
            visible_findings(user, Finding.objects.filter(pk=OuterRef("parent_id")))
        )
        # The staff's findings by id first: asked for a page in print order, PostgreSQL
        # walks every finding in audit order checking each one's departments (127 ms at
        # 20,000 findings, growing with the table); the ids come from the department
        # side, a few hundred rows however large the table.
        ids = list(visible_findings(user).order_by().values_list("pk", flat=True))
        scope = visible_findings(user).counted().filter(pk__in=ids)
        leaves = (
            scope.with_status()
            .annotate(parent_visible=parent_visible)
            .select_related("audit", "kind", "viewpoint__key_risk", "parent__viewpoint")
            .in_print_order()
        )
        counts = scope.aggregate(
            open=Count("pk", filter=Q(is_closed=False)),
            closed=Count("pk", filter=Q(is_closed=True)),
        )
        lists = {
            name: _my_list(request, queryset, counts[name], f"{name}_page")
            for name, queryset in (("open", leaves.open()), ("closed", leaves.closed()))
        }
        # The kinds of both pages' audits in one query.
        prefetch_related_objects([f for _, rows, _ in lists.values() for f in rows], "audit__kinds")
        for name, (page, findings, query) in lists.items():
            context[f"{name}_list"] = MyList(page, _my_rows(findings, today), f"{name}_page", query)
            context[f"{name}_count"] = page.paginator.count
        context["scope_names"] = _scope_names(user)
    return render(request, "findings/my_findings.html", context)


def _scope_names(user: AnyUser) -> list[str]:
    scope = department_scope(user)
    return [d.full_name for d in Department.objects.filter(id__in=scope).select_related("parent")]


@require_safe
def finding_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    from remediation.forms import EntryForm

    entries = RemediationEntry.objects.select_related(
        "status", "author", "author_department__parent", "review__reviewer"
    ).prefetch_related("evidence")
    queryset = Finding.objects.select_related(
        "audit", "kind", "section", "viewpoint__key_risk", "parent__viewpoint", "subclass"
    ).prefetch_related(
        departments_prefetch(),
        "audit__kinds",
        Prefetch("entries", queryset=entries),
        Prefetch(
            "audit__audited_departments", queryset=Department.objects.select_related("parent")
        ),
    )
    # The parent is shown only to someone who may see it (a sub-item can be addressed to a
    # department its parent is not).
    parent_visible = Exists(
        visible_findings(request.user, Finding.objects.filter(pk=OuterRef("parent_id")))
    )
    access = get_finding_for_user(
        request.user,
        pk,
        queryset.annotate(has_children=has_children(), parent_visible=parent_visible),
    )
    finding = access.finding
    children = list(
        visible_findings(request.user, finding.children.all())
        .with_status()
        .select_related("viewpoint", "parent__viewpoint")
        .order_by("sort_order", "id")
    )
    # A parent only introduces its sub-items (ア, イ): they take the entries.
    takes_entries = not finding.has_sub_items
    status: StatusSnapshot = finding.current_status
    entry_list = list(finding.entries.all())
    form = None
    if access.can_post_entry and takes_entries:
        form = EntryForm(finding=finding)
    # Whoever may see the finding sees its timeline: it holds only rows about this
    # finding and what hangs on it, never another finding's or department's.
    show_parent = finding.parent_id is None or bool(vars(finding)["parent_visible"])
    timeline = finding_timeline(finding.pk, parent_visible=show_parent)
    return render(
        request,
        "findings/finding_detail.html",
        {
            "finding": finding,
            "audit": finding.audit,
            "access": access,
            "children": children,
            "takes_entries": takes_entries,
            "status": status,
            "entries": entry_list,
            "form": form,
            "timeline": timeline,
        },
    )
