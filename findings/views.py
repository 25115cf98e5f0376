"""The read side of findings: the filtered list, a department's own list, one finding."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from audits.access import department_scope
from audits.http import AuthenticatedHttpRequest
from audits.models import Department
from audits.paging import CappedPaginator
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
    """A page of findings; a malformed or out-of-range page number gives page 1 / the
    last page (Paginator.get_page), never an error.

    The page's keys are read first, with only the joins the filter and the order need,
    then its rows with everything they show: with the nine joins of the full query the
    planner walked every finding in order to find one department's 25 (0.7–15 s at 10⁶
    findings); the keys alone take 2–30 ms."""
    keys = queryset.prefetch_related(None).values_list("pk", flat=True)
    page: Page[Any] = CappedPaginator(keys, PAGE_SIZE).get_page(number)
    ids = list(page.object_list)
    found = {f.pk: f for f in queryset.order_by().filter(pk__in=ids)}
    page.object_list = [found[pk] for pk in ids]
    return page


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


def _my_rows(findings: list[Finding], today: datetime.date) -> tuple[list[MyRow], list[MyRow]]:
    """Leaf findings split into (open, closed), each sub-item preceded once by its
    parent as a context row when the parent is visible too."""
    visible_parents = {f.pk: f for f in findings if f.has_sub_items}
    groups: tuple[list[MyRow], list[MyRow]] = ([], [])
    for finding in findings:
        if finding.has_sub_items:
            continue
        status = finding.current_status
        rows = groups[1] if status.is_closed else groups[0]
        parent = visible_parents.get(finding.parent_id) if finding.parent_id else None
        if parent is not None and not any(r.finding.pk == parent.pk for r in rows):
            rows.append(MyRow(parent, True, None))
        days = (today - status.date).days if status.date else None
        rows.append(MyRow(finding, False, days))
    return groups


@require_safe
def my_findings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Department staff's start page: every finding addressed to their department(s)."""
    user = request.user
    is_staff = role_of(user) == Role.DEPARTMENT_STAFF
    findings: list[Finding] = []
    if is_staff:
        findings = list(
            visible_findings(user)
            .with_status()
            .annotate(has_children=has_children())
            .select_related("audit", "kind", "viewpoint__key_risk", "parent__viewpoint")
            .prefetch_related("audit__kinds")
            .in_print_order()
        )
    today = timezone.localdate()
    open_rows, closed_rows = _my_rows(findings, today)
    scope_names = _scope_names(user) if is_staff else []
    return render(
        request,
        "findings/my_findings.html",
        {
            "is_staff": is_staff,
            "open_rows": open_rows,
            "closed_rows": closed_rows,
            "open_count": sum(1 for r in open_rows if not r.is_context),
            "closed_count": sum(1 for r in closed_rows if not r.is_context),
            "scope_names": scope_names,
            "today": today,
        },
    )


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
