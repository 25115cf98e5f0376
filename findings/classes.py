"""区分の設定: each authority's finding classes (区分, e.g. 指摘 / 意見 / 要望 / 勧告, with the
heading each prints, e.g. 「指 摘」), their sub-classes (細区分, e.g. 是正 / 改善 under 指摘)
and the kinds of audit (監査の種類: 行政監査, 財務監査 …), added, edited, reordered and
deleted in the app.

Who: auditors and administrators (can_edit_audits), the people who enter audits by their
authority's 監査基準 — the same people who already choose an audit's classes in its
header. Everyone else gets 404, as on every editing page. A class, sub-class or audit kind
is deleted only while nothing uses it; otherwise the delete is refused, saying what uses it.
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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits import services as audit_services
from audits.access import get_or_404
from audits.forms import AuditKindForm, attach_errors
from audits.http import AuthenticatedHttpRequest
from audits.models import AuditKind
from audits.ordered import OrderedPart, Place, delete_row, edit_row, move_row
from audits.pages import editors_only
from findings import services
from findings.forms import FindingKindForm, FindingSubclassForm
from findings.models import FindingKind, FindingSubclass

PAGE_TITLE = "区分の設定"


def _subclass_prefix(kind: FindingKind) -> str:
    return f"subclass-{kind.pk}"


def _page(
    request: AuthenticatedHttpRequest,
    *,
    audit_kind_form: Form | None = None,
    kind_form: Form | None = None,
    subclass_form: Form | None = None,
    subclass_kind: FindingKind | None = None,
) -> HttpResponse:
    """The page, with the add form that was posted (and its errors) where it belongs."""
    kinds = list(FindingKind.objects.prefetch_related("subclasses"))
    kind_rows = [
        (
            kind,
            list(kind.subclasses.all()),
            subclass_form
            if subclass_kind is not None and kind.pk == subclass_kind.pk
            else FindingSubclassForm(prefix=_subclass_prefix(kind)),
        )
        for kind in kinds
    ]
    return render(
        request,
        "findings/classes.html",
        {
            "audit_kinds": list(AuditKind.objects.all()),
            "kind_rows": kind_rows,
            "audit_kind_form": audit_kind_form or AuditKindForm(prefix="audit_kind"),
            "kind_form": kind_form or FindingKindForm(prefix="kind"),
        },
    )


@editors_only
@require_GET
def finding_classes(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _page(request)


def _add(
    request: AuthenticatedHttpRequest,
    form: Form,
    add: Callable[..., Model],
    noun: str,
    anchor: str,
    again: Callable[[Form], HttpResponse],
    **fixed: object,
) -> HttpResponse:
    """One add form of the page: call the service, or show the page with the errors."""
    if form.is_valid():
        try:
            added = add(user=request.user, **fixed, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"{noun}「{added}」を追加しました。")
            return redirect(reverse("finding_classes") + f"#{anchor}")
    return again(form)


@editors_only
@require_POST
def audit_kind_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _add(
        request,
        AuditKindForm(request.POST, prefix="audit_kind"),
        audit_services.add_audit_kind,
        "監査の種類",
        "audit-kinds",
        lambda form: _page(request, audit_kind_form=form),
    )


@editors_only
@require_POST
def finding_kind_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _add(
        request,
        FindingKindForm(request.POST, prefix="kind"),
        services.add_finding_kind,
        "区分",
        "finding-kinds",
        lambda form: _page(request, kind_form=form),
    )


@editors_only
@require_POST
def finding_subclass_add(request: AuthenticatedHttpRequest, kind: int) -> HttpResponse:
    parent = get_or_404(FindingKind.objects.all(), kind)
    return _add(
        request,
        FindingSubclassForm(request.POST, prefix=_subclass_prefix(parent)),
        services.add_finding_subclass,
        "細区分",
        f"kind-{parent.pk}",
        lambda form: _page(request, subclass_form=form, subclass_kind=parent),
        kind=parent,
    )


# --- edit, reorder, delete one row ---------------------------------------------------------


@dataclass(frozen=True)
class ClassRow:
    model: type[Model]
    anchor: Callable[[Any], str]  # where on the page the row is listed
    part: OrderedPart[Any]


CLASS_ROWS: dict[str, ClassRow] = {
    "audit_kind": ClassRow(
        AuditKind,
        lambda row: "audit-kinds",
        OrderedPart(
            "監査の種類",
            lambda data, row: AuditKindForm(data, initial={"name": row.name}),
            audit_services.update_audit_kind,
            audit_services.move_audit_kind,
            audit_services.delete_audit_kind,
            audit_services.audit_kind_delete_refusal,
        ),
    ),
    "finding_kind": ClassRow(
        FindingKind,
        lambda row: f"kind-{row.pk}",
        OrderedPart(
            "区分",
            lambda data, row: FindingKindForm(
                data, initial={"name": row.name, "heading": row.heading}
            ),
            services.update_finding_kind,
            services.move_finding_kind,
            services.delete_finding_kind,
            services.finding_kind_delete_refusal,
        ),
    ),
    "finding_subclass": ClassRow(
        FindingSubclass,
        lambda row: f"kind-{row.kind_id}",
        OrderedPart(
            "細区分",
            lambda data, row: FindingSubclassForm(data, initial={"name": row.name}),
            services.update_finding_subclass,
            services.move_finding_subclass,
            services.delete_finding_subclass,
            services.finding_subclass_delete_refusal,
        ),
    ),
}


def _class_row(what: str, item: int) -> tuple[OrderedPart[Any], Model, Place]:
    spec = CLASS_ROWS[what]
    row = get_or_404(spec.model._default_manager.all(), item)
    back = Place(reverse("finding_classes") + f"#{spec.anchor(row)}", PAGE_TITLE)
    return spec.part, row, back


@editors_only
@require_http_methods(["GET", "POST"])
def class_edit(request: AuthenticatedHttpRequest, item: int, what: str) -> HttpResponse:
    return edit_row(request, *_class_row(what, item))


@editors_only
@require_POST
def class_move(request: AuthenticatedHttpRequest, item: int, what: str) -> HttpResponse:
    return move_row(request, *_class_row(what, item))


@editors_only
@require_http_methods(["GET", "POST"])
def class_delete(request: AuthenticatedHttpRequest, item: int, what: str) -> HttpResponse:
    return delete_row(request, *_class_row(what, item))
