"""Auditors' pages to log, change, reorder and delete findings.

Quick entry: after a save the next blank form opens with the kind, section, viewpoint
(and parent, for sub-items) carried over and the next number suggested, so a whole
report can be typed in one sitting. Everything here is for can_edit_audits users only;
anyone else gets 404 on GET and POST alike.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from audits.access import get_editable_audit
from audits.forms import attach_errors
from audits.http import AuthenticatedHttpRequest
from audits.models import Audit
from audits.pages import editors_only, require_editor
from audits.versions import ConflictRow, StaleEdit, carry_new_version, conflict_rows
from findings.access import get_finding_for_user
from findings.forms import FindingForm, first_label, next_label
from findings.models import Finding
from findings.services import (
    FindingHasHistory,
    add_finding,
    delete_finding,
    move_finding,
    update_finding,
)

CARRIED_OVER = ("kind", "section", "viewpoint", "parent")


def _editable_finding(request: AuthenticatedHttpRequest, pk: int) -> Finding:
    require_editor(request)
    queryset = Finding.objects.select_related("kind", "section", "viewpoint", "parent__viewpoint")
    access = get_finding_for_user(request.user, pk, queryset)
    if not access.can_change:
        raise Http404
    return access.finding


def _pk_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError, OverflowError):
        return None


def _carried_over(request: AuthenticatedHttpRequest, audit: Audit) -> dict[str, int]:
    """The kind/section/viewpoint/parent asked for in the query string, kept only when
    they really belong to this audit (anything else is quietly ignored: it is a
    starting value, not input)."""
    wanted = {name: _pk_or_none(request.GET.get(name)) for name in CARRIED_OVER}
    checks = {
        "kind": audit.finding_kinds.all(),
        "section": audit.sections.all(),
        "viewpoint": audit.viewpoints.all(),
        "parent": audit.findings.filter(parent__isnull=True),
    }
    return {
        name: pk
        for name, pk in wanted.items()
        if pk is not None and checks[name].filter(pk=pk).exists()
    }


def _suggested_label(audit: Audit, initial: dict[str, int]) -> str:
    """The number after the last sibling's (same kind, section, viewpoint, parent)."""
    kind = initial.get("kind")
    if kind is None:
        return ""
    parent = initial.get("parent")
    siblings = audit.findings.filter(kind_id=kind, section=initial.get("section"), parent=parent)
    if parent is None:
        siblings = siblings.filter(viewpoint=initial.get("viewpoint"))
    last = siblings.order_by("-sort_order", "-id").values_list("label", flat=True).first()
    if last is None:
        return first_label(audit.findings.filter(pk=parent).first() if parent else None)
    return next_label(last)


@editors_only
@require_http_methods(["GET", "POST"])
def finding_create(request: AuthenticatedHttpRequest, audit_pk: int) -> HttpResponse:
    audit = get_editable_audit(request.user, audit_pk)
    saved = None
    if request.method == "POST":
        form = FindingForm(request.POST, audit=audit)
        if form.is_valid():
            try:
                finding = add_finding(
                    audit,
                    departments=form.cleaned_data["departments"],
                    user=request.user,
                    **form.service_values(),
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                return _after_create(request, audit, finding)
    else:
        carried = _carried_over(request, audit)
        initial: dict[str, object] = {**carried, "label": _suggested_label(audit, carried)}
        # A first finding most often goes into the audit's first kind and section.
        for name, queryset in (("kind", audit.finding_kinds), ("section", audit.sections)):
            if name not in initial:
                first = queryset.values_list("pk", flat=True).first()
                if first is not None:
                    initial[name] = first
        saved_pk = _pk_or_none(request.GET.get("saved"))
        if saved_pk is not None:
            saved = (
                Finding.objects.filter(audit=audit, pk=saved_pk)
                .select_related("viewpoint", "parent__viewpoint")
                .first()
            )
        form = FindingForm(audit=audit, initial=initial)
    return render(
        request,
        "findings/finding_form.html",
        {"form": form, "audit": audit, "finding": None, "saved": saved},
    )


def on_audit_page(finding: Finding) -> str:
    """The finding on its audit's page: the page of findings that holds it, scrolled to it."""
    url = reverse("audit_detail", args=[finding.audit_id])
    return f"{url}?finding={finding.pk}#finding-{finding.pk}"


def _after_create(
    request: AuthenticatedHttpRequest, audit: Audit, finding: Finding
) -> HttpResponse:
    if "finish" in request.POST:
        messages.success(request, f"指摘事項「{finding}」を登録しました。")
        return redirect(on_audit_page(finding))
    params = {
        "kind": finding.kind_id,
        "section": finding.section_id,
        "viewpoint": finding.viewpoint_id,
        "parent": finding.parent_id,
        "saved": finding.pk,
    }
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return redirect(reverse("finding_create", args=[audit.pk]) + "?" + query)


@editors_only
@require_http_methods(["GET", "POST"])
def finding_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding = _editable_finding(request, pk)
    audit = finding.audit
    form = FindingForm(request.POST or None, audit=audit, finding=finding)
    conflict: list[ConflictRow] = []
    if request.method == "POST" and form.is_valid():
        try:
            finding = update_finding(
                finding,
                departments=form.cleaned_data["departments"],
                user=request.user,
                version=form.cleaned_data["version"],
                **form.service_values(),
            )
        except StaleEdit as stale:
            conflict = conflict_rows(form, FindingForm(audit=audit, finding=stale.current))
            form.add_error(None, stale)
            carry_new_version(form, stale.version)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"指摘事項「{finding}」を保存しました。")
            return redirect(on_audit_page(finding))
    return render(
        request,
        "findings/finding_form.html",
        {"form": form, "audit": audit, "finding": finding, "saved": None, "conflict": conflict},
    )


@editors_only
@require_http_methods(["GET", "POST"])
def finding_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding = _editable_finding(request, pk)
    audit = finding.audit
    error = ""
    if request.method == "POST":
        label = str(finding)
        try:
            delete_finding(finding, user=request.user)
        except FindingHasHistory as refusal:
            error = refusal.messages[0]
        else:
            messages.success(request, f"指摘事項「{label}」を削除しました。")
            return redirect("audit_detail", pk=audit.pk)
    entry_count = finding.entries.count()
    child_count = finding.children.count()
    return render(
        request,
        "findings/finding_confirm_delete.html",
        {
            "finding": finding,
            "audit": audit,
            "entry_count": entry_count,
            "child_count": child_count,
            "can_delete": entry_count == 0 and child_count == 0,
            "error": error,
        },
        status=409 if error else 200,
    )


@editors_only
@require_POST
def finding_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding = _editable_finding(request, pk)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        messages.error(request, "移動の方向が正しくありません。")
    else:
        move_finding(finding, offset=offset, user=request.user)
    return redirect(on_audit_page(finding))
