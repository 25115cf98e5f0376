"""「監査報告書の内容」: the page where auditors write what only the audit report
(監査報告書 / 概要版) prints — its title, purpose, method and standards, and three ordered
lists: 監査実施日程, 総評, 推奨する点. Editors only; everyone else gets 404.

The rows are edited, moved and deleted through the generic steps of audits.ordered, like the
audit's structure; nothing hangs on them, so a delete is never refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from audits import services
from audits.access import get_editable_audit, get_or_404
from audits.forms import (
    AuditReportForm,
    CommendationForm,
    OverallCommentForm,
    ScheduleItemForm,
    attach_errors,
)
from audits.http import AuthenticatedHttpRequest
from audits.models import Audit, Commendation, OverallComment, ScheduleItem
from audits.ordered import OrderedPart, Place, delete_row, edit_row, move_row
from audits.pages import editors_only


@dataclass(frozen=True)
class ReportList:
    """One ordered list of the page: its rows' model, its anchor, its add form and service."""

    model: type[Model]
    anchor: str
    prefix: str  # of the inline add form's fields
    form: type[Form]
    add: Callable[..., Model]
    part: OrderedPart[Any]


REPORT_LISTS: dict[str, ReportList] = {
    "schedule": ReportList(
        ScheduleItem,
        "schedule",
        "schedule",
        ScheduleItemForm,
        services.add_schedule_item,
        OrderedPart(
            "監査実施日程",
            lambda data, row: ScheduleItemForm(
                data, initial={"date": row.date, "category": row.category, "content": row.content}
            ),
            services.update_schedule_item,
            services.move_schedule_item,
            services.delete_schedule_item,
            services.never_refused,
        ),
    ),
    "overall_comment": ReportList(
        OverallComment,
        "overall-comments",
        "comment",
        OverallCommentForm,
        services.add_overall_comment,
        OrderedPart(
            "総評",
            lambda data, row: OverallCommentForm(
                data, initial={"heading": row.heading, "body": row.body}
            ),
            services.update_overall_comment,
            services.move_overall_comment,
            services.delete_overall_comment,
            services.never_refused,
        ),
    ),
    "commendation": ReportList(
        Commendation,
        "commendations",
        "commendation",
        CommendationForm,
        services.add_commendation,
        OrderedPart(
            "推奨する点",
            lambda data, row: CommendationForm(data, initial={"text": row.text}),
            services.update_commendation,
            services.move_commendation,
            services.delete_commendation,
            services.never_refused,
        ),
    ),
}


@dataclass(frozen=True)
class ListedRow:
    """A row as its list shows it: whether its up / down buttons can move it."""

    row: Model
    label: str  # names the row to screen readers on its buttons
    first: bool
    last: bool


def _listed(
    rows: list[Any], noun: str, group: Callable[[Any], object] = lambda row: None
) -> list[ListedRow]:
    """Rows in print order; a row is first or last within its group (the schedule's day),
    since moves never cross groups."""
    return [
        ListedRow(
            row,
            f"{noun} {i + 1}",
            i == 0 or group(rows[i - 1]) != group(row),
            i == len(rows) - 1 or group(rows[i + 1]) != group(row),
        )
        for i, row in enumerate(rows)
    ]


def _page(
    request: AuthenticatedHttpRequest,
    audit: Audit,
    report_form: Form | None = None,
    bound: dict[str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    add_forms = {
        what: spec.form(None, prefix=spec.prefix) for what, spec in REPORT_LISTS.items()
    } | (bound or {})
    return render(
        request,
        "audits/report_content.html",
        {
            "audit": audit,
            "form": report_form or AuditReportForm(audit=audit),
            "add_forms": add_forms,
            "schedule": _listed(list(audit.schedule.all()), "日程", lambda row: row.date),
            "overall_comments": _listed(list(audit.overall_comments.all()), "総評"),
            "commendations": _listed(list(audit.commendations.all()), "推奨する点"),
        },
        status=status,
    )


@editors_only
@require_http_methods(["GET", "POST"])
def report_content(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = get_editable_audit(request.user, pk)
    if request.method != "POST":
        return _page(request, audit)
    form = AuditReportForm(request.POST, audit=audit)
    if form.is_valid():
        try:
            services.update_audit_report(audit, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "監査報告書の内容を保存しました。")
            return redirect("audit_report_content", pk=audit.pk)
    return _page(request, audit, report_form=form)


def _add(request: AuthenticatedHttpRequest, pk: int, what: str) -> HttpResponse:
    audit = get_editable_audit(request.user, pk)
    spec = REPORT_LISTS[what]
    form = spec.form(request.POST, prefix=spec.prefix)
    if form.is_valid():
        try:
            added = spec.add(audit, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"{spec.part.noun}「{added}」を追加しました。")
            return redirect(reverse("audit_report_content", args=[audit.pk]) + f"#{spec.anchor}")
    return _page(request, audit, bound={what: form})


@editors_only
@require_POST
def schedule_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _add(request, pk, "schedule")


@editors_only
@require_POST
def overall_comment_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _add(request, pk, "overall_comment")


@editors_only
@require_POST
def commendation_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _add(request, pk, "commendation")


def _report_row(
    request: AuthenticatedHttpRequest, pk: int, what: str, item: int
) -> tuple[OrderedPart[Any], Model, Place]:
    """The row of this audit's report (404 for another audit's row or a non-editor)."""
    audit = get_editable_audit(request.user, pk)
    spec = REPORT_LISTS[what]
    row = get_or_404(spec.model._default_manager.filter(audit=audit), item)
    back = Place(
        reverse("audit_report_content", args=[audit.pk]) + f"#{spec.anchor}",
        "監査報告書の内容",
        (
            (reverse("audit_list"), "監査一覧"),
            (reverse("audit_detail", args=[audit.pk]), f"{audit.fiscal_year_label} {audit.theme}"),
        ),
    )
    return spec.part, row, back


@editors_only
@require_http_methods(["GET", "POST"])
def report_row_edit(
    request: AuthenticatedHttpRequest, pk: int, item: int, what: str
) -> HttpResponse:
    return edit_row(request, *_report_row(request, pk, what, item))


@editors_only
@require_POST
def report_row_move(
    request: AuthenticatedHttpRequest, pk: int, item: int, what: str
) -> HttpResponse:
    return move_row(request, *_report_row(request, pk, what, item))


@editors_only
@require_http_methods(["GET", "POST"])
def report_row_delete(
    request: AuthenticatedHttpRequest, pk: int, item: int, what: str
) -> HttpResponse:
    return delete_row(request, *_report_row(request, pk, what, item))
