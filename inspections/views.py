"""Self-inspection and survey pages.

The audit office (監査担当, 管理者) keeps checklists, opens rounds, reviews responses,
writes the results' texts and records visits; managers read rounds, results and
visits; department staff see the rounds their department is asked in and answer for
their own department only. Anyone else gets 404, whatever the method.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audits.access import department_scope, get_or_404, sees_everything
from audits.forms import attach_errors
from audits.http import AuthenticatedHttpRequest
from audits.pages import editors_only
from findings.models import Finding
from inspections import services
from inspections.access import (
    can_manage,
    checklist_for_user,
    department_for_answer,
    managed_checklist,
    managed_round,
    may_answer,
    round_for_user,
    visible_checklists,
    visible_rounds,
    visible_visits,
    visit_for_user,
)
from inspections.exports import RESULT_FORMATS, results_filename
from inspections.forms import (
    CategoryForm,
    ChecklistForm,
    CopyForm,
    ItemForm,
    NoteForm,
    ResponseForm,
    ReturnForm,
    RoundForm,
    VisitForm,
)
from inspections.models import ChecklistItem, InspectionResponse, ResponseState
from inspections.progress import COLUMNS, round_progress
from inspections.results import build_results
from reports.render import content_disposition

ROTATION_SUGGESTIONS = 5


def _scope(request: AuthenticatedHttpRequest) -> set[int] | None:
    return None if sees_everything(request.user) else department_scope(request.user)


@require_safe
def inspection_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every role: the rounds it may see; the office and managers also checklists and visits."""
    user = request.user
    rounds = list(visible_rounds(user).select_related("checklist")[:50])
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "rounds": rounds,
            "checklists": list(visible_checklists(user)[:50]),
            "visits": list(visible_visits(user).select_related("audit")[:50]),
            "can_manage": can_manage(user),
            "sees_all": sees_everything(user),
            "today": timezone.localdate(),
        },
    )


# --- checklists ---------------------------------------------------------------------------


@editors_only
@require_http_methods(["GET", "POST"])
def checklist_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ChecklistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            checklist = services.create_checklist(
                fiscal_year=form.cleaned_data["fiscal_year"],
                name=form.cleaned_data["name"],
                user=request.user,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, f"点検票「{checklist}」を作りました。分類と項目を加えてください。"
            )
            return redirect("checklist_detail", pk=checklist.pk)
    return render(
        request,
        "inspections/checklist_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_safe
def checklist_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    checklist = checklist_for_user(request.user, pk)
    return _checklist_page(request, checklist.pk)


def _checklist_page(
    request: AuthenticatedHttpRequest,
    pk: int,
    category_form: CategoryForm | None = None,
    status: int = 200,
) -> HttpResponse:
    checklist = checklist_for_user(request.user, pk)
    editable = can_manage(request.user) and not services.checklist_in_use(checklist)
    categories = list(
        checklist.categories.prefetch_related(
            "items__options", "items__applies_to", "items__depends_on__item__category"
        )
    )
    return render(
        request,
        "inspections/checklist_detail.html",
        {
            "checklist": checklist,
            "categories": categories,
            "can_manage": can_manage(request.user),
            "editable": editable,
            "category_form": category_form or CategoryForm(),
        },
        status=status,
    )


@editors_only
@require_POST
def category_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    checklist = managed_checklist(request.user, pk)
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            services.add_category(checklist, **form.cleaned_data, user=request.user)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "分類を加えました。")
            return redirect("checklist_detail", pk=checklist.pk)
    return _checklist_page(request, checklist.pk, form, status=400)


@editors_only
@require_http_methods(["GET", "POST"])
def item_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    checklist = managed_checklist(request.user, pk)
    form = ItemForm(request.POST or None, checklist=checklist)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_item(
                data["category"],
                number=data["number"],
                question=data["question"],
                result_phrase=data["result_phrase"],
                options=data["options"],
                applies_to=data["applies_to"],
                depends_on=data["depends_on"],
                denominator_label=data["denominator_label"],
                allows_other_text=data["allows_other_text"],
                user=request.user,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "項目を加えました。")
            return redirect("checklist_detail", pk=checklist.pk)
    return render(
        request,
        "inspections/item_form.html",
        {"form": form, "checklist": checklist},
        status=400 if form.errors else 200,
    )


@editors_only
@require_POST
def item_delete(request: AuthenticatedHttpRequest, pk: int, item: int) -> HttpResponse:
    checklist = managed_checklist(request.user, pk)
    target = get_or_404(ChecklistItem.objects.filter(category__checklist=checklist), item)
    try:
        services.delete_item(target, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "項目を削除しました。")
    return redirect("checklist_detail", pk=checklist.pk)


@editors_only
@require_POST
def category_delete(request: AuthenticatedHttpRequest, pk: int, category: int) -> HttpResponse:
    checklist = managed_checklist(request.user, pk)
    target = get_or_404(checklist.categories.all(), category)
    try:
        services.delete_category(target, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "分類を削除しました。")
    return redirect("checklist_detail", pk=checklist.pk)


@editors_only
@require_http_methods(["GET", "POST"])
def checklist_copy(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    source = managed_checklist(request.user, pk)
    initial = {"fiscal_year": source.fiscal_year + 1, "name": source.name}
    form = CopyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.copy_checklist(
                source,
                fiscal_year=form.cleaned_data["fiscal_year"],
                name=form.cleaned_data["name"],
                user=request.user,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"「{source}」を複写して「{copy}」を作りました。")
            return redirect("checklist_detail", pk=copy.pk)
    return render(
        request,
        "inspections/checklist_copy.html",
        {"form": form, "source": source},
        status=400 if form.errors else 200,
    )


# --- rounds -------------------------------------------------------------------------------


@editors_only
@require_http_methods(["GET", "POST"])
def inspection_round_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.open_inspection_round(**form.cleaned_data, user=request.user)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                f"「{round_}」を始めました（{len(form.cleaned_data['departments'])}所属、"
                f"回答期限 {round_.deadline_text}）。",
            )
            return redirect("inspection_round_detail", pk=round_.pk)
    return render(
        request,
        "inspections/round_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_safe
def inspection_round_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Progress per department; staff see their own department's line only."""
    round_ = round_for_user(request.user, pk)
    today = timezone.localdate()
    progress = round_progress(round_, today, _scope(request))
    return render(
        request,
        "inspections/round_detail.html",
        {
            "round": round_,
            "progress": progress,
            "columns": COLUMNS,
            "is_overdue": round_.is_overdue(today),
            "can_manage": can_manage(request.user),
            "sees_all": sees_everything(request.user),
            "formats": RESULT_FORMATS.values(),
        },
    )


@require_http_methods(["GET", "POST"])
def response_form(request: AuthenticatedHttpRequest, pk: int, department: int) -> HttpResponse:
    """A department's answers: draft, submit; the office's review beside them."""
    round_ = round_for_user(request.user, pk)
    dept = department_for_answer(request.user, round_, department)
    can_answer = may_answer(request.user, dept)
    if request.method == "POST" and not can_answer:
        raise Http404
    response = (
        InspectionResponse.objects.filter(round=round_, department=dept)
        .select_related("updated_by", "reviewed_by")
        .prefetch_related("answers")
        .first()
    )
    items_all = services.checklist_items(round_.checklist)
    applies = services.applies_map(items_all)
    items = [i for i in items_all if not applies.get(i.pk) or dept.pk in applies[i.pk]]
    form = ResponseForm(request.POST or None, items=items, response=response)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                response = services.save_answers(round_, dept, form.answers(), user=request.user)
                if "submit" in request.POST:
                    services.submit_response(round_, dept, user=request.user)
                    messages.success(request, f"{dept.full_name}の回答を提出しました。")
                else:
                    messages.success(request, "回答を一時保存しました（まだ提出していません）。")
                return redirect("response_form", pk=round_.pk, department=dept.pk)
            except ValidationError as error:
                attach_errors(form, error)
        status = 400
    findings = (
        list(
            Finding.objects.filter(source_answer__response=response)
            .with_status()
            .select_related("viewpoint")
            .order_by("sort_order", "id")
        )
        if response is not None
        else []
    )
    return render(
        request,
        "inspections/response_form.html",
        {
            "round": round_,
            "department": dept,
            "response": response,
            "form": form,
            "rows": form.rows(),
            "editable": can_answer and (response is None or response.is_editable),
            "can_review": can_manage(request.user)
            and response is not None
            and response.state == ResponseState.SUBMITTED,
            "return_form": ReturnForm(),
            "findings": findings,
            "is_overdue": round_.is_overdue(),
        },
        status=status,
    )


@editors_only
@require_POST
def response_review(request: AuthenticatedHttpRequest, pk: int, department: int) -> HttpResponse:
    """受理 (decision=accept) or 差戻し with a reason (decision=return)."""
    round_ = managed_round(request.user, pk)
    dept = department_for_answer(request.user, round_, department)
    response = InspectionResponse.objects.filter(round=round_, department=dept).first()
    if response is None:
        raise Http404
    back = redirect("response_form", pk=round_.pk, department=dept.pk)
    try:
        if request.POST.get("decision") == "accept":
            services.accept_response(response, user=request.user)
            messages.success(request, f"{dept.full_name}の回答を受理しました。")
            return back
        form = ReturnForm(request.POST)
        if form.is_valid():
            services.return_response(
                response, reason=form.cleaned_data["reason"], user=request.user
            )
            messages.success(request, f"{dept.full_name}の回答を差し戻しました。")
            return back
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return back
    messages.error(request, "差戻しの理由を入力してください（所属に表示されます）。")
    return back


@require_safe
def inspection_results(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The results as published. Counts cover every department, so staff (who see
    only their own answers elsewhere) get them too, as the published report does."""
    round_ = round_for_user(request.user, pk)
    results = build_results(round_)
    return render(
        request,
        "inspections/results.html",
        {
            "round": round_,
            "results": results,
            "chart": results.chart,
            "formats": RESULT_FORMATS.values(),
            "can_manage": can_manage(request.user),
        },
    )


@require_safe
def inspection_results_export(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    export = RESULT_FORMATS.get(fmt)
    if export is None:
        raise Http404
    round_ = round_for_user(request.user, pk)
    content = export.render(build_results(round_))
    response = HttpResponse(content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition(
        results_filename(round_, export.extension), f"inspection-{round_.pk}.{export.extension}"
    )
    return response


@editors_only
@require_http_methods(["GET", "POST"])
def item_note(request: AuthenticatedHttpRequest, pk: int, item: int) -> HttpResponse:
    """The office picks その他の対応 lines from the free texts and writes 今後の方向性."""
    round_ = managed_round(request.user, pk)
    results = build_results(round_)
    found = next(((c, r) for c in results.categories for r in c.items if r.item.pk == item), None)
    if found is None:
        raise Http404
    category, result = found
    initial = {
        "other_lines": "\n".join(result.other_lines),
        "direction": "\n".join(result.direction_lines),
    }
    form = NoteForm(request.POST or None, free_texts=result.free_texts, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_item_note(
            round_,
            result.item,
            other_lines=form.joined_lines(),
            direction=form.cleaned_data["direction"],
            user=request.user,
        )
        messages.success(request, "結果の記述を保存しました。")
        return redirect(reverse("inspection_results", args=[round_.pk]) + f"#item-{item}")
    return render(
        request,
        "inspections/item_note.html",
        {"round": round_, "category": category, "result": result, "form": form},
        status=400 if form.errors else 200,
    )


# --- visits -------------------------------------------------------------------------------


@editors_only
@require_http_methods(["GET", "POST"])
def visit_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    suggested = [d.pk for d in services.rotation_candidates(ROTATION_SUGGESTIONS)]
    form = VisitForm(request.POST or None, suggested=suggested)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.create_visit(
                name=data["name"],
                fiscal_year=data["fiscal_year"],
                departments=data["departments"],
                selection_note=data["selection_note"],
                visit_date=data["visit_date"],
                user=request.user,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"訪問調査「{visit}」を作りました。")
            return redirect("visit_detail", pk=visit.pk)
    return render(
        request,
        "inspections/visit_form.html",
        {"form": form, "rotation_count": ROTATION_SUGGESTIONS},
        status=400 if form.errors else 200,
    )


@require_safe
def visit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    visit = visit_for_user(request.user, pk)
    audit = visit.audit
    findings = list(
        audit.findings.with_status()
        .select_related("viewpoint")
        .prefetch_related("departments__parent")
        .order_by("sort_order", "id")
    )
    return render(
        request,
        "inspections/visit_detail.html",
        {
            "visit": visit,
            "audit": audit,
            "departments": list(audit.audited_departments.select_related("parent")),
            "findings": findings,
            "practices": list(audit.commendations.all()),
            "can_manage": can_manage(request.user),
        },
    )
