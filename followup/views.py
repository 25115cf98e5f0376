"""Reporting rounds and the review of what departments submit.

The audit office (auditors, administrators) opens rounds and reviews entries; managers
read the rounds; department staff see the rounds that ask them something, with their
own findings only. Anyone else gets 404, whatever the method.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audits.access import can_review_entries, department_scope, sees_everything
from audits.forms import attach_errors
from audits.http import AuthenticatedHttpRequest
from audits.pages import editors_only
from findings.access import visible_findings
from followup.access import round_for_user, visible_rounds
from followup.forms import ReviewForm, RoundForm
from followup.models import ReportingRound
from followup.progress import COLUMNS, finding_states, round_progress
from followup.services import open_round
from remediation.models import RemediationEntry
from remediation.services import ReviewNotAllowed, review_entry

REVIEW_PAGE_SIZE = 20


def _scope(request: AuthenticatedHttpRequest) -> set[int] | None:
    """None for roles that see every department; the department ids for staff."""
    return None if sees_everything(request.user) else department_scope(request.user)


@require_safe
def round_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every role: the rounds it may see, newest first, with their counts."""
    rounds = list(visible_rounds(request.user).select_related("audit")[:50])
    scope = _scope(request)
    today = timezone.localdate()
    rows = [(r, round_progress(r, today, scope)) for r in rounds]
    return render(
        request,
        "followup/round_list.html",
        {
            "rows": rows,
            "columns": COLUMNS,
            "can_open": can_review_entries(request.user),
            "today": today,
        },
    )


@editors_only
@require_http_methods(["GET", "POST"])
def round_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = open_round(
                name=form.cleaned_data["name"],
                audit=form.cleaned_data["audit"],
                fiscal_year=form.cleaned_data["fiscal_year"],
                base_date=form.cleaned_data["base_date"],
                deadline=form.cleaned_data["deadline"],
                user=request.user,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                f"「{round_}」を始めました（指摘事項 {round_.findings.count()}件、"
                f"報告期限 {round_.deadline_text}）。",
            )
            return redirect("round_detail", pk=round_.pk)
    return render(request, "followup/round_form.html", {"form": form})


@require_safe
def round_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Progress per department; for staff, their own departments and findings only."""
    round_ = round_for_user(request.user, pk)
    scope = _scope(request)
    today = timezone.localdate()
    progress = round_progress(round_, today, scope)
    findings = list(
        visible_findings(request.user, round_.findings.all())
        .select_related("audit", "kind", "viewpoint", "parent__viewpoint")
        .prefetch_related("departments__parent")
        .order_by("audit_id", "kind__sort_order", "section_id", "sort_order", "id")
    )
    states = finding_states(round_, [f.pk for f in findings])
    return render(
        request,
        "followup/round_detail.html",
        {
            "round": round_,
            "progress": progress,
            "columns": COLUMNS,
            "rows": [(f, states[f.pk]) for f in findings],
            "is_overdue": round_.is_overdue(today),
            "can_review": can_review_entries(request.user),
        },
    )


def _pending_entries(
    round_pk: str | None,
) -> tuple[QuerySet[RemediationEntry], ReportingRound | None]:
    entries = (
        RemediationEntry.objects.filter(review__isnull=True)
        .select_related(
            "status",
            "author",
            "author_department__parent",
            "finding__audit",
            "finding__kind",
            "finding__viewpoint",
            "finding__parent__viewpoint",
        )
        .prefetch_related("evidence")
        .order_by("recorded_at", "id")
    )
    chosen = None
    if round_pk and round_pk.isascii() and round_pk.isdigit():
        chosen = ReportingRound.objects.filter(pk=int(round_pk)).first()
        if chosen is not None:
            entries = entries.filter(
                finding__reporting_rounds=chosen, recorded_at__gte=chosen.opened_at
            )
    return entries, chosen


@editors_only
@require_safe
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Entries submitted and not yet reviewed, oldest first (optionally one round's)."""
    entries, chosen = _pending_entries(request.GET.get("round"))
    page = Paginator(entries, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "followup/review_queue.html",
        {
            "page": page,
            "entries": list(page.object_list),
            "chosen_round": chosen,
            "rounds": list(ReportingRound.objects.order_by("-opened_at")[:20]),
            "form": ReviewForm(),
        },
    )


@editors_only
@require_POST
def review_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(
        RemediationEntry.objects.select_related("finding", "status", "author"), pk=pk
    )
    form = ReviewForm(request.POST)
    back = reverse("review_queue") + (
        f"?round={request.POST['round']}" if request.POST.get("round", "").isdigit() else ""
    )
    if form.is_valid():
        try:
            review_entry(
                entry,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ReviewNotAllowed as refusal:
            attach_errors(form, refusal)
        else:
            verb = (
                "受理しました" if form.cleaned_data["decision"] == "accepted" else "差し戻しました"
            )
            messages.success(
                request, f"「{entry.finding}」の報告（{entry.entry_date:%Y-%m-%d}）を{verb}。"
            )
            return redirect(back)
    return render(
        request,
        "followup/review_entry.html",
        {"entry": entry, "form": form, "finding": entry.finding},
        status=400,
    )
