"""Auditors' pages for audits: the list, the header form and the detail page where an
audit's structure (節, 重要リスク, 着眼点) and its findings are built up.

Reading (list, detail) is open to every role through visible_audits; everything that
changes something is for can_edit_audits users only and answers 404 to anyone else.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import TypedDict, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms import Form
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits.access import can_edit_audits, get_audit_for_user, get_editable_audit, visible_audits
from audits.forms import AuditForm, KeyRiskForm, SectionForm, ViewpointForm, attach_errors
from audits.http import AuthenticatedHttpRequest
from audits.models import Audit, AuditKind, Department, Section, User, Viewpoint
from audits.services import add_key_risk, add_section, add_viewpoint, create_audit, update_audit
from findings.access import visible_findings
from findings.models import Finding, FindingKind


def require_editor(request: AuthenticatedHttpRequest) -> None:
    """Fail closed: anyone who may not edit audits gets the same 404 as a missing page."""
    if not can_edit_audits(request.user):
        raise Http404


def editors_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Outermost on every editing view, so a non-editor gets 404 whatever the method
    (never a 405 that reveals the URL exists)."""

    @wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        require_editor(request)
        return view(request, *args, **kwargs)

    return wrapped


# --- list -----------------------------------------------------------------------------


def _count_of(findings: QuerySet[Finding]) -> Coalesce:
    """A correlated COUNT over `findings` (already filtered on audit=OuterRef("pk"))."""
    counted = findings.order_by().values("audit_id").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def audits_with_counts(user: User) -> QuerySet[Audit]:
    """The user's audits with how many findings (and open ones) they may see in each."""
    of_audit = visible_findings(user, Finding.objects.filter(audit=OuterRef("pk")))
    open_ids = Finding.objects.with_status().open().values("pk")
    return (
        visible_audits(user)
        .select_related("kind")
        .prefetch_related(
            Prefetch(
                "audited_departments",
                queryset=Department.objects.select_related("parent"),
            )
        )
        .annotate(
            finding_count=_count_of(of_audit),
            open_count=_count_of(of_audit.filter(pk__in=open_ids)),
        )
        .order_by("-fiscal_year", "-period_start", "-id")
    )


@require_GET
def audit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    audits = list(audits_with_counts(request.user))
    return render(
        request,
        "audits/audit_list.html",
        {"audits": audits, "can_edit": can_edit_audits(request.user)},
    )


# --- header form ----------------------------------------------------------------------


class AuditHeader(TypedDict):
    """The header fields AuditForm hands to create_audit / update_audit."""

    fiscal_year: int
    kind: AuditKind
    theme: str
    period_start: datetime.date
    period_end: datetime.date | None
    report_number: str
    report_date: datetime.date | None
    auditor_names: str


def _header_values(form: AuditForm) -> AuditHeader:
    data = form.cleaned_data
    return {
        "fiscal_year": data["fiscal_year"],
        "kind": data["kind"],
        "theme": data["theme"],
        "period_start": data["period_start"],
        "period_end": data["period_end"],
        "report_number": data["report_number"],
        "report_date": data["report_date"],
        "auditor_names": data["auditor_names"],
    }


@editors_only
@require_http_methods(["GET", "POST"])
def audit_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_editor(request)
    form = AuditForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            audit = create_audit(
                **_header_values(form),
                audited_departments=form.cleaned_data["audited_departments"],
                finding_kinds=form.cleaned_data["finding_kinds"],
                user=request.user,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                f"監査「{audit.theme}」を登録しました。続けて節と着眼点を登録してください。",
            )
            return redirect("audit_detail", pk=audit.pk)
    return render(request, "audits/audit_form.html", {"form": form, "audit": None})


@editors_only
@require_http_methods(["GET", "POST"])
def audit_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_editor(request)
    audit = get_audit_for_user(request.user, pk).audit
    form = AuditForm(request.POST or None, audit=audit)
    if request.method == "POST" and form.is_valid():
        try:
            update_audit(
                audit,
                user=request.user,
                audited_departments=form.cleaned_data["audited_departments"],
                finding_kinds=form.cleaned_data["finding_kinds"],
                **_header_values(form),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "監査の内容を保存しました。")
            return redirect("audit_detail", pk=audit.pk)
    return render(request, "audits/audit_form.html", {"form": form, "audit": audit})


# --- detail ---------------------------------------------------------------------------


@dataclass
class FindingNode:
    finding: Finding
    children: list[FindingNode] = field(default_factory=list)
    viewpoint_heading: Viewpoint | None = None  # printed when the viewpoint changes
    is_first: bool = False
    is_last: bool = False


@dataclass
class SectionGroup:
    section: Section | None
    findings: list[FindingNode]


@dataclass
class KindGroup:
    kind: FindingKind
    sections: list[SectionGroup]

    @property
    def is_empty(self) -> bool:
        return not any(group.findings for group in self.sections)


def _mark_ends(nodes: list[FindingNode]) -> None:
    for index, node in enumerate(nodes):
        node.is_first = index == 0
        node.is_last = index == len(nodes) - 1


def group_findings(
    kinds: list[FindingKind], sections: list[Section], findings: list[Finding]
) -> list[KindGroup]:
    """Findings as the report prints them: kind → section → (viewpoint) → finding →
    sub-items. `findings` must be in print order. A sub-item whose parent the user may
    not see is shown at the top level rather than dropped."""
    nodes = {f.pk: FindingNode(f) for f in findings}
    tops: dict[tuple[int, int | None], list[FindingNode]] = {}
    for finding in findings:
        node = nodes[finding.pk]
        parent = nodes.get(finding.parent_id) if finding.parent_id else None
        if parent is not None:
            parent.children.append(node)
        else:
            tops.setdefault((finding.kind_id, finding.section_id), []).append(node)
    all_kinds = list(kinds)
    for finding in findings:
        if finding.kind not in all_kinds:
            all_kinds.append(finding.kind)
    section_slots: list[Section | None] = list(sections)
    if any(section_id is None for _, section_id in tops):
        section_slots.insert(0, None)
    groups = []
    for kind in all_kinds:
        section_groups = []
        for section in section_slots:
            top_nodes = tops.get((kind.pk, section.pk if section else None), [])
            previous_viewpoint: int | None = None
            for node in top_nodes:
                if node.finding.viewpoint_id and node.finding.viewpoint_id != previous_viewpoint:
                    node.viewpoint_heading = node.finding.viewpoint
                previous_viewpoint = node.finding.viewpoint_id
                _mark_ends(node.children)
            _mark_ends(top_nodes)
            if top_nodes or section is not None:
                section_groups.append(SectionGroup(section, top_nodes))
        groups.append(KindGroup(kind, section_groups))
    return groups


def _entry_count() -> Coalesce:
    from remediation.models import RemediationEntry

    counted = (
        RemediationEntry.objects.filter(finding=OuterRef("pk"))
        .order_by()
        .values("finding_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def audit_findings(user: User, audit: Audit) -> list[Finding]:
    """This audit's findings the user may see, in print order, with status and counts."""
    queryset = (
        Finding.objects.filter(audit=audit)
        .with_status()
        .annotate(entry_count=_entry_count(), child_count=Count("children", distinct=True))
        .select_related("kind", "section", "viewpoint", "parent__viewpoint")
        .prefetch_related(
            Prefetch("departments", queryset=Department.objects.select_related("parent"))
        )
        .in_print_order()
    )
    return list(visible_findings(user, queryset))


@dataclass
class StructureForms:
    section: Form
    key_risk: Form
    viewpoint: Form


def _detail_context(
    request: AuthenticatedHttpRequest,
    audit: Audit,
    can_change: bool,
    forms: StructureForms | None = None,
) -> dict[str, object]:
    kinds = list(audit.finding_kinds.all())
    sections = list(audit.sections.all())
    key_risks = list(audit.key_risks.all())
    viewpoints = list(audit.viewpoints.select_related("key_risk"))
    departments = list(audit.audited_departments.select_related("parent"))
    findings = audit_findings(request.user, audit)
    if can_change and forms is None:
        forms = StructureForms(
            SectionForm(prefix="section"),
            KeyRiskForm(prefix="risk"),
            ViewpointForm(prefix="viewpoint", audit=audit, key_risks=key_risks),
        )
    return {
        "audit": audit,
        "can_change": can_change,
        "departments": departments,
        "kinds": kinds,
        "sections": sections,
        "key_risks": key_risks,
        "viewpoints": viewpoints,
        "groups": group_findings(kinds, sections, findings),
        "finding_total": len(findings),
        "forms": forms,
    }


@require_GET
def audit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = get_audit_for_user(request.user, pk)
    return render(
        request,
        "audits/audit_detail.html",
        _detail_context(request, access.audit, access.can_change),
    )


# --- structure: sections, key risks, viewpoints -----------------------------------------


def _structure_response(
    request: AuthenticatedHttpRequest, audit: Audit, part: str, bound: StructureForms
) -> HttpResponse:
    """After an add: the card again for htmx, else the whole page (errors shown inline)
    or a redirect back to the card (success)."""
    context = _detail_context(request, audit, True, bound)
    if request.headers.get("HX-Request") == "true":
        return render(request, f"audits/_{part}_card.html", context)
    return render(request, "audits/audit_detail.html", context)


# The inline add forms of the audit page, by StructureForms slot: (data, audit) → form.
STRUCTURE_FORMS: dict[str, Callable[[QueryDict | None, Audit], Form]] = {
    "section": lambda data, audit: SectionForm(data, prefix="section"),
    "key_risk": lambda data, audit: KeyRiskForm(data, prefix="risk"),
    "viewpoint": lambda data, audit: ViewpointForm(data, prefix="viewpoint", audit=audit),
}


def _fresh_forms(audit: Audit) -> StructureForms:
    return StructureForms(**{slot: make(None, audit) for slot, make in STRUCTURE_FORMS.items()})


_Added = TypeVar("_Added")


def _add_structure(
    request: AuthenticatedHttpRequest,
    pk: int,
    part: str,
    slot: str,
    add: Callable[..., _Added],
    message: Callable[[_Added], str],
) -> HttpResponse:
    """One inline add form of the audit page (節, 重要リスク, 着眼点): validate, call the
    service, and answer with the card (htmx) or the page."""
    require_editor(request)
    audit = get_editable_audit(request.user, pk)
    forms = _fresh_forms(audit)
    form = STRUCTURE_FORMS[slot](request.POST, audit)
    setattr(forms, slot, form)
    if form.is_valid():
        try:
            added = add(audit, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            return _added(request, audit, part, message(added))
    return _structure_response(request, audit, part, forms)


@editors_only
@require_POST
def section_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _add_structure(
        request, pk, "sections", "section", add_section, lambda s: f"節「{s}」を追加しました。"
    )


@editors_only
@require_POST
def key_risk_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _add_structure(
        request,
        pk,
        "viewpoints",
        "key_risk",
        add_key_risk,
        lambda r: f"重要リスク「{r}」を追加しました。",
    )


@editors_only
@require_POST
def viewpoint_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _add_structure(
        request,
        pk,
        "viewpoints",
        "viewpoint",
        add_viewpoint,
        lambda v: f"着眼点「{v.number}」を追加しました。",
    )


def _added(
    request: AuthenticatedHttpRequest, audit: Audit, part: str, message: str
) -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        context = _detail_context(request, audit, True)
        context["added_message"] = message
        return render(request, f"audits/_{part}_card.html", context)
    messages.success(request, message)
    return redirect(reverse("audit_detail", args=[audit.pk]) + f"#{part}")
