"""The incident register's pages: the yearly list (with its downloads), one incident,
reporting and editing one, adding a 再発防止策, and the 種別 vocabulary.

Who may do what is decided in incidents.access: every view fetches through it or is
wrapped in reporters_only / editors_only (404 for anyone else, whatever the method).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits.access import get_or_404
from audits.forms import FISCAL_YEARS_BACK, attach_errors
from audits.http import AuthenticatedHttpRequest
from audits.ordered import OrderedPart, Place, delete_row, edit_row, move_row
from audits.pages import editors_only
from incidents import services
from incidents.access import (
    can_report_incidents,
    get_editable_incident,
    get_incident_for_user,
    reporters_only,
)
from incidents.exports import INCIDENT_FORMATS, register_ascii_filename, register_filename
from incidents.forms import (
    IncidentForm,
    IncidentTypeForm,
    MeasureForm,
    RegisterSelectionForm,
    current_fiscal_year,
)
from incidents.models import IncidentType
from incidents.register import build_register, measure_rows, measures_prefetch, register_years
from reports.render import content_disposition

TYPES_TITLE = "障害の種別"


def _selection(request: AuthenticatedHttpRequest) -> RegisterSelectionForm:
    """The years asked for; without a choice, the newest year with incidents. Any recent
    year may be chosen (an empty year prints 「…ありません」), and older ones that hold
    incidents."""
    visible = register_years(request.user)
    this_year = current_fiscal_year()
    data = request.GET.copy()
    if not data.get("fiscal_year"):
        data["fiscal_year"] = str(visible[0] if visible else this_year)
    recent = range(this_year - FISCAL_YEARS_BACK + 1, this_year + 1)
    return RegisterSelectionForm(data, years=sorted({*visible, *recent}, reverse=True))


def _query(form: RegisterSelectionForm) -> str:
    """The chosen years as a query string, for the download links."""
    first, last = form.years()
    return f"fiscal_year={first}" + (f"&to={last}" if last != first else "")


@require_GET
def incident_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _selection(request)
    doc = build_register(request.user, *form.years()) if form.is_valid() else None
    return render(
        request,
        "incidents/incident_list.html",
        {
            "form": form,
            "doc": doc,
            "formats": INCIDENT_FORMATS.values(),
            "query": _query(form) if doc else "",
            "can_report": can_report_incidents(request.user),
        },
    )


@require_GET
def incident_export(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    export = INCIDENT_FORMATS.get(fmt)
    if export is None:
        raise Http404
    form = _selection(request)
    if not form.is_valid():
        return render(
            request,
            "incidents/export_error.html",
            {"form": form, "format_label": export.label},
            status=400,
        )
    doc = build_register(request.user, *form.years())
    response = HttpResponse(export.render(doc), content_type=export.content_type)
    response["Content-Disposition"] = content_disposition(
        register_filename(doc, export.extension), register_ascii_filename(doc, export.extension)
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _detail(
    request: AuthenticatedHttpRequest, pk: int, measure_form: MeasureForm | None = None
) -> HttpResponse:
    access = get_incident_for_user(request.user, pk)
    incident = access.incident
    prefetch_related_objects([incident], measures_prefetch())
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "measures": measure_rows(incident),
            "can_change": access.can_change,
            "measure_form": measure_form or MeasureForm(),
        },
    )


@require_GET
def incident_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@reporters_only
@require_http_methods(["GET", "POST"])
def incident_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = IncidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.report_incident(
                user=request.user, measures=form.measure_lines(), **form.incident_fields()
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"セキュリティ障害「{incident.title}」を登録しました。")
            return redirect("incident_detail", incident.pk)
    return render(request, "incidents/incident_form.html", {"form": form, "incident": None})


@reporters_only
@require_http_methods(["GET", "POST"])
def incident_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = get_editable_incident(request.user, pk)
    form = IncidentForm(request.POST or None, user=request.user, incident=incident)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_incident(incident, user=request.user, **form.incident_fields())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"セキュリティ障害「{incident.title}」を保存しました。")
            return redirect("incident_detail", incident.pk)
    return render(request, "incidents/incident_form.html", {"form": form, "incident": incident})


@reporters_only
@require_POST
def measure_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = get_editable_incident(request.user, pk)
    form = MeasureForm(request.POST)
    if form.is_valid():
        try:
            services.add_measure(incident, text=form.cleaned_data["text"], user=request.user)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "再発防止策を追加しました。")
            return redirect(reverse("incident_detail", args=[incident.pk]) + "#measures")
    return _detail(request, pk, measure_form=form)


# --- 種別: the vocabulary, for the audit office ---------------------------------------------


def _types_page(
    request: AuthenticatedHttpRequest, form: IncidentTypeForm | None = None
) -> HttpResponse:
    return render(
        request,
        "incidents/incident_types.html",
        {"types": list(IncidentType.objects.all()), "form": form or IncidentTypeForm()},
    )


@editors_only
@require_GET
def incident_types(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _types_page(request)


@editors_only
@require_POST
def incident_type_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = IncidentTypeForm(request.POST)
    if form.is_valid():
        try:
            added = services.add_incident_type(name=form.cleaned_data["name"], user=request.user)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"種別「{added}」を追加しました。")
            return redirect("incident_types")
    return _types_page(request, form)


TYPE_PART: OrderedPart[IncidentType] = OrderedPart(
    "種別",
    lambda data, row: IncidentTypeForm(data, initial={"name": row.name}),
    services.update_incident_type,
    services.move_incident_type,
    services.delete_incident_type,
    services.incident_type_delete_refusal,
)


def _type_row(item: int) -> tuple[OrderedPart[IncidentType], IncidentType, Place]:
    row = get_or_404(IncidentType.objects.all(), item)
    return TYPE_PART, row, Place(reverse("incident_types"), TYPES_TITLE)


@editors_only
@require_http_methods(["GET", "POST"])
def incident_type_edit(request: AuthenticatedHttpRequest, item: int) -> HttpResponse:
    return edit_row(request, *_type_row(item))


@editors_only
@require_POST
def incident_type_move(request: AuthenticatedHttpRequest, item: int) -> HttpResponse:
    return move_row(request, *_type_row(item))


@editors_only
@require_http_methods(["GET", "POST"])
def incident_type_delete(request: AuthenticatedHttpRequest, item: int) -> HttpResponse:
    return delete_row(request, *_type_row(item))
