"""Auditors' pages for audits: the list, the header form and the detail page where an
audit's structure (節, 重要リスク, 着眼点) and its findings are built up.

Reading (list, detail) is open to every role through visible_audits; everything that
changes something is for can_edit_audits users only and answers 404 to anyone else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, Model, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms import Form
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits import services
from audits.access import (
    can_edit_audits,
    get_audit_for_user,
    get_editable_audit,
    get_or_404,
    visible_audits,
)
from audits.forms import (
    AuditedSystemForm,
    AuditForm,
    KeyRiskForm,
    SectionForm,
    ViewpointForm,
    attach_errors,
)
from audits.http import AuthenticatedHttpRequest
from audits.models import Audit, AuditedSystem, Department, KeyRisk, Section, User, Viewpoint
from audits.ordered import OrderedPart, Place, delete_row, edit_row, move_row
from audits.paging import page_by_keys
from audits.services import (
    add_key_risk,
    add_section,
    add_system,
    add_viewpoint,
    create_audit,
    update_audit,
)
from audits.versions import ConflictRow, StaleEdit, carry_new_version, conflict_rows
from findings.access import visible_findings
from findings.models import Finding, FindingKind, FindingViewpoint
from findings.outline import (
    KeyRiskRow,
    OutlineFinding,
    key_risk_table,
    outline,
    outline_slice,
    top_level,
)


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
    of_audit = visible_findings(user, Finding.objects.filter(audit=OuterRef("pk")).counted())
    return (
        visible_audits(user)
        .prefetch_related(
            "kinds",
            Prefetch(
                "audited_departments",
                queryset=Department.objects.select_related("parent"),
            ),
        )
        .annotate(
            finding_count=_count_of(of_audit),
            open_count=_count_of(of_audit.open()),
        )
        .order_by("-fiscal_year", "-period_start", "-id")
    )


AUDITS_PER_PAGE = 50


@require_GET
def audit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    # A malformed or out-of-range page number gives page 1 / the last page, never an
    # error; the counts are computed for the rows of this page only.
    page = page_by_keys(audits_with_counts(request.user), request.GET.get("page"), AUDITS_PER_PAGE)
    return render(
        request,
        "audits/audit_list.html",
        {
            "audits": list(page.object_list),
            "page": page,
            "query": "",
            "can_edit": can_edit_audits(request.user),
        },
    )


# --- header form ----------------------------------------------------------------------


@editors_only
@require_http_methods(["GET", "POST"])
def audit_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_editor(request)
    form = AuditForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            audit = create_audit(user=request.user, **form.list_values(), **form.header_values())
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
    conflict: list[ConflictRow] = []
    if request.method == "POST" and form.is_valid():
        try:
            update_audit(
                audit,
                user=request.user,
                version=form.cleaned_data["version"],
                **form.list_values(),
                **form.header_values(),
            )
        except StaleEdit as stale:
            conflict = conflict_rows(form, AuditForm(audit=stale.current))
            form.add_error(None, stale)
            carry_new_version(form, stale.version)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "監査の内容を保存しました。")
            return redirect("audit_detail", pk=audit.pk)
    return render(
        request, "audits/audit_form.html", {"form": form, "audit": audit, "conflict": conflict}
    )


# --- detail ---------------------------------------------------------------------------


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


# What the print order, the numbering and the key-risk table read of every finding.
OUTLINE_COLUMNS = (
    "audit",
    "kind",
    "section",
    "viewpoint",
    "parent",
    "label",
    "sort_order",
    "title",
    "body",
)


def audit_findings(
    user: User, audit: Audit, kinds: list[FindingKind], viewpoints: list[Viewpoint]
) -> list[Finding]:
    """Every finding of this audit the user may see, with only what the outline reads:
    its class, viewpoint (with key risk) and parent are attached from the rows the page
    loaded already rather than joined, as a 500-finding audit would build 3,000 model
    objects. The page draws one page of them (page_findings)."""
    light = Finding.objects.only(*OUTLINE_COLUMNS).order_by()
    findings = list(visible_findings(user, light.filter(audit=audit)))
    by_id = {finding.pk: finding for finding in findings}
    # A sub-item's parent the user may not see (addressed to another department) still
    # numbers and places it.
    hidden = {f.parent_id for f in findings if f.parent_id and f.parent_id not in by_id}
    parents = list(light.filter(pk__in=hidden)) if hidden else []
    by_id.update((parent.pk, parent) for parent in parents)
    kind_of = {kind.pk: kind for kind in kinds}
    missing = {f.kind_id for f in findings if f.kind_id not in kind_of}
    if missing:  # a finding of a class the audit no longer reports
        kind_of.update(FindingKind.objects.in_bulk(missing))
    viewpoint_of = {viewpoint.pk: viewpoint for viewpoint in viewpoints}
    strays = {f.viewpoint_id for f in [*findings, *parents]} - {None, *viewpoint_of}
    if strays:  # not expected: a finding answers its own audit's viewpoints
        viewpoint_of.update(Viewpoint.objects.select_related("key_risk").in_bulk(strays))
    for finding in [*findings, *parents]:
        finding.kind = kind_of[finding.kind_id]
        if finding.viewpoint_id is not None:
            finding.viewpoint = viewpoint_of[finding.viewpoint_id]
        if finding.parent_id is not None:
            finding.parent = by_id[finding.parent_id]
    return findings


def page_findings(nodes: list[OutlineFinding]) -> None:
    """Load what the rows of one page show (status, entry and sub-item counts, 細区分,
    departments) and put it in the nodes in place of the outline's lighter rows."""
    ids = [node.finding.pk for top in nodes for node in top.walk()]
    shown = (
        Finding.objects.filter(pk__in=ids)
        .with_status()
        .annotate(entry_count=_entry_count(), child_count=_child_count())
        .select_related("subclass")
        .prefetch_related("departments")
        .order_by()
    )
    by_id = {finding.pk: finding for finding in shown}
    for top in nodes:
        for node in top.walk():
            node.finding = by_id[node.finding.pk]


def _child_count() -> Coalesce:
    counted = (
        Finding.objects.filter(parent=OuterRef("pk"))
        .order_by()
        .values("parent_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class StatusCount:
    name: str
    filter_value: str  # the finding list's status filter for it
    count: int


def status_counts(user: User, audit: Audit) -> list[StatusCount]:
    """How many of the audit's findings the user may see stand at each status, 未報告
    first, in one GROUP BY: the counted findings (a parent's sub-items, not the parent),
    as the finding list's status filter selects them. Statuses no finding has are left
    out."""
    counted = visible_findings(user, Finding.objects.filter(audit=audit).counted())
    rows = (
        counted.order_by()
        .values_list("latest_status", "latest_status__name", "latest_status__sort_order")
        .annotate(n=Count("pk"))
    )
    ordered = sorted(rows, key=lambda row: (row[0] is not None, row[2] or 0, row[0] or 0))
    return [
        StatusCount(name or "未報告", str(pk) if pk else "unreported", n)
        for pk, name, _, n in ordered
    ]


@dataclass
class StructureForms:
    section: Form
    key_risk: Form
    viewpoint: Form
    system: Form


@dataclass(frozen=True)
class ViewpointGroup:
    """The viewpoints of one key risk (or of none), as the card lists them."""

    key_risk: KeyRisk | None
    viewpoints: list[Viewpoint]


def _viewpoint_groups(
    key_risks: list[KeyRisk], viewpoints: list[Viewpoint]
) -> list[ViewpointGroup]:
    groups = [
        ViewpointGroup(r, [v for v in viewpoints if v.key_risk_id == r.pk]) for r in key_risks
    ]
    loose = [v for v in viewpoints if v.key_risk_id is None]
    if loose or not key_risks:
        groups.append(ViewpointGroup(None, loose))
    return groups


FINDINGS_PER_PAGE = 50


def _page_number(request: AuthenticatedHttpRequest, tops: list[OutlineFinding]) -> str | None:
    """?page=N, or ?finding=<id>: the page that holds that finding (a link back to one
    finding after editing or moving it names the finding, not its page)."""
    wanted = request.GET.get("finding", "")
    if wanted.isascii() and wanted.isdigit() and len(wanted) < 10:
        for index, top in enumerate(tops):
            if any(node.finding.pk == int(wanted) for node in top.walk()):
                return str(index // FINDINGS_PER_PAGE + 1)
    return request.GET.get("page")


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
    systems = list(audit.systems.select_related("department__parent"))
    findings = audit_findings(request.user, audit, kinds, viewpoints)
    groups = outline(kinds, sections, findings)
    key_risk_rows: list[KeyRiskRow] = []
    if key_risks:
        extra: dict[int, list[int]] = {}
        links = FindingViewpoint.objects.filter(finding__audit=audit)
        for finding_id, viewpoint_id in links.values_list("finding_id", "viewpoint_id"):
            extra.setdefault(finding_id, []).append(viewpoint_id)
        key_risk_rows = key_risk_table(key_risks, viewpoints, groups, extra)
    # The page draws one page of top-level findings (each with its sub-items) under the
    # headings of their class and section; the whole outline costs one light query.
    tops = top_level(groups)
    page = Paginator(tops, FINDINGS_PER_PAGE).get_page(_page_number(request, tops))
    page_findings(list(page.object_list))
    start = page.start_index() - 1 if tops else 0
    shown = outline_slice(groups, start, page.end_index(), last=not page.has_next())
    if can_change and forms is None:
        forms = StructureForms(
            SectionForm(prefix="section"),
            KeyRiskForm(prefix="risk"),
            ViewpointForm(prefix="viewpoint", audit=audit, key_risks=key_risks),
            AuditedSystemForm(prefix="system", audit=audit, departments=departments),
        )
    return {
        "audit": audit,
        "can_change": can_change,
        "departments": departments,
        "kinds": kinds,
        "sections": sections,
        "key_risks": key_risks,
        "viewpoints": viewpoints,
        "viewpoint_groups": _viewpoint_groups(key_risks, viewpoints),
        "systems": systems,
        "groups": shown,
        "page": page,
        "status_counts": status_counts(request.user, audit),
        "key_risk_rows": key_risk_rows,
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
    "system": lambda data, audit: AuditedSystemForm(data, prefix="system", audit=audit),
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


@editors_only
@require_POST
def system_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _add_structure(
        request,
        pk,
        "systems",
        "system",
        add_system,
        lambda s: f"監査対象システム「{s}」を追加しました。",
    )


# --- structure: edit, reorder, delete one row ---------------------------------------------


@dataclass(frozen=True)
class StructureRow:
    model: type[Model]
    card: str  # the audit page's card (and anchor) that lists the rows
    part: OrderedPart[Any]


STRUCTURE_ROWS: dict[str, StructureRow] = {
    "section": StructureRow(
        Section,
        "sections",
        OrderedPart(
            "節",
            lambda data, row: SectionForm(data, initial={"number": row.number, "title": row.title}),
            services.update_section,
            services.move_section,
            services.delete_section,
            services.section_delete_refusal,
        ),
    ),
    "key_risk": StructureRow(
        KeyRisk,
        "viewpoints",
        OrderedPart(
            "重要リスク",
            lambda data, row: KeyRiskForm(data, initial={"number": row.number, "title": row.title}),
            services.update_key_risk,
            services.move_key_risk,
            services.delete_key_risk,
            services.key_risk_delete_refusal,
        ),
    ),
    "viewpoint": StructureRow(
        Viewpoint,
        "viewpoints",
        OrderedPart(
            "着眼点",
            lambda data, row: ViewpointForm(
                data,
                audit=row.audit,
                initial={"number": row.number, "text": row.text, "key_risk": row.key_risk_id},
            ),
            services.update_viewpoint,
            services.move_viewpoint,
            services.delete_viewpoint,
            services.viewpoint_delete_refusal,
        ),
    ),
    "system": StructureRow(
        AuditedSystem,
        "systems",
        OrderedPart(
            "監査対象システム",
            lambda data, row: AuditedSystemForm(
                data, audit=row.audit, initial={"name": row.name, "department": row.department_id}
            ),
            services.update_system,
            services.move_system,
            services.delete_system,
            services.system_delete_refusal,
        ),
    ),
}


def _structure_row(
    request: AuthenticatedHttpRequest, pk: int, what: str, item: int
) -> tuple[OrderedPart[Any], Model, Place]:
    """The row of this audit (404 for another audit's row or a non-editor) and where it
    is shown."""
    audit = get_editable_audit(request.user, pk)
    spec = STRUCTURE_ROWS[what]
    row = get_or_404(spec.model._default_manager.filter(audit=audit), item)
    back = Place(
        reverse("audit_detail", args=[audit.pk]) + f"#{spec.card}",
        f"{audit.fiscal_year_label} {audit.theme}",
        ((reverse("audit_list"), "監査一覧"),),
    )
    return spec.part, row, back


@editors_only
@require_http_methods(["GET", "POST"])
def structure_edit(
    request: AuthenticatedHttpRequest, pk: int, item: int, what: str
) -> HttpResponse:
    return edit_row(request, *_structure_row(request, pk, what, item))


@editors_only
@require_POST
def structure_move(
    request: AuthenticatedHttpRequest, pk: int, item: int, what: str
) -> HttpResponse:
    return move_row(request, *_structure_row(request, pk, what, item))


@editors_only
@require_http_methods(["GET", "POST"])
def structure_delete(
    request: AuthenticatedHttpRequest, pk: int, item: int, what: str
) -> HttpResponse:
    return delete_row(request, *_structure_row(request, pk, what, item))
