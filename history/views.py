"""The audit log page (操作記録), for auditors and administrators only."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from audits.http import AuthenticatedHttpRequest
from audits.paging import CappedPaginator
from history.access import can_read_log
from history.display import rows_for
from history.filters import LogFilter
from history.models import LogEntry

PAGE_SIZE = 50


def log_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Who: auditors and administrators. Anyone else gets the 404 of a missing page,
    whatever the method, so the URL reveals nothing (fail closed)."""
    if not can_read_log(request.user):
        raise Http404
    return _log_list(request)


@require_safe
def _log_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    base = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    log_filter = LogFilter(request.GET or None, queryset=base)
    page = CappedPaginator(log_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "history/log_list.html",
        {
            "form": log_filter.form,
            "page": page,
            "rows": rows_for(page.object_list),
            "query": params.urlencode(),
        },
        # Filters that cannot be read (a date outside the range): 400, errors by the fields.
        status=400 if log_filter.is_bound and not log_filter.form.is_valid() else 200,
    )
