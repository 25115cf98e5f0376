"""The 管理者's pages for the organisation and its people: the department tree,
reorganisations (planned, previewed, applied), accounts and the 人事異動 upload; and
the handover view of a department, which every role may open for the departments it
sees.

Every view says who may use it: @administrators_only answers 404 to everyone else,
whatever the method; the handover view fetches the department through
visible_departments (fail closed).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.views import administrators_only
from audits.access import get_or_404, visible_departments
from audits.forms import form_field, grouped_department_choices
from audits.http import AuthenticatedHttpRequest
from audits.models import Department, Membership, User
from audits.roles import ROLE_PRECEDENCE
from findings.access import visible_findings
from followup.models import ReportingRound
from organisation import people, services
from organisation.forms import (
    DepartmentForm,
    PasswordResetForm,
    PersonForm,
    PersonSearchForm,
    ReorganisationForm,
    TransferUploadForm,
)
from organisation.models import PersonnelChange, Reorganisation
from organisation.services import OrganisationError
from organisation.transfers import TransferFileError, read_transfer_file, template_workbook
from remediation.models import RemediationEntry, ReviewDecision

PAGE_SIZE = 50
SESSION_KEY = "organisation_transfer"


def _errors_to_form(form: Any, error: OrganisationError) -> None:
    for name, message in error.errors.items():
        form.add_error(name if name in form.fields else None, message)


# --- the tree ---------------------------------------------------------------------------


@administrators_only
@require_safe
def department_tree(request: AuthenticatedHttpRequest) -> HttpResponse:
    """管理者: every 部局 with its 課, their codes, order, staff and open findings."""
    today = timezone.localdate()
    rows = list(
        Department.objects.select_related("successor__parent")
        .annotate(
            people=Count(
                "memberships",
                filter=Q(memberships__valid_from__lte=today)
                & (Q(memberships__valid_to__isnull=True) | Q(memberships__valid_to__gte=today)),
                distinct=True,
            ),
        )
        .order_by("sort_order", "code")
    )
    by_parent: dict[int | None, list[Department]] = {}
    for dept in rows:
        by_parent.setdefault(dept.parent_id, []).append(dept)
    tree = [(top, by_parent.get(top.pk, [])) for top in by_parent.get(None, [])]
    return render(
        request,
        "organisation/department_tree.html",
        {"tree": tree, "count": len(rows), "active": sum(1 for d in rows if d.is_active)},
    )


@administrators_only
@require_http_methods(["GET", "POST"])
def department_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DepartmentForm(request.POST or None, initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dept = services.create_department(
                name=data["name"],
                code=data["code"],
                parent=data["parent"],
                sort_order=data["sort_order"],
                user=request.user,
            )
        except OrganisationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"「{dept.full_name}」を追加しました。")
            return redirect("department_tree")
    return render(request, "organisation/department_form.html", {"form": form, "dept": None})


@administrators_only
@require_http_methods(["GET", "POST"])
def department_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dept = get_or_404(Department.objects.select_related("parent"), pk)
    initial = {
        "name": dept.name,
        "code": dept.code,
        "parent": dept.parent_id,
        "sort_order": dept.sort_order,
    }
    form = DepartmentForm(request.POST or None, initial=initial, editing=dept)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dept = services.update_department(
                dept,
                name=data["name"],
                code=data["code"],
                parent=data["parent"],
                sort_order=data["sort_order"],
                correction=data.get("correction", False),
                user=request.user,
            )
        except OrganisationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"「{dept.full_name}」を保存しました。")
            return redirect("department_tree")
    past = list(dept.past_names.select_related("parent").order_by("-valid_to"))
    return render(
        request, "organisation/department_form.html", {"form": form, "dept": dept, "past": past}
    )


@administrators_only
@require_http_methods(["GET", "POST"])
def department_retire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dept = get_or_404(Department.objects.select_related("parent"), pk)
    if request.method == "POST":
        try:
            services.retire_department(dept, user=request.user)
        except OrganisationError as error:
            messages.error(request, str(error))
            return redirect("department_retire", pk=dept.pk)
        messages.success(request, f"「{dept.full_name}」を廃止しました。")
        return redirect("department_tree")
    return render(
        request,
        "organisation/department_retire.html",
        {"dept": dept, "findings": services.open_findings_of([dept])},
    )


@require_safe
def department_handover(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Whoever may see the department: what its incoming staff inherit: the open findings
    addressed to it (or to the departments it absorbed), the reports sent back to it,
    and the reporting rounds still to answer."""
    dept = get_or_404(visible_departments(request.user).select_related("parent"), pk)
    today = timezone.localdate()
    scope = absorbed_by(dept)
    addressed = visible_findings(request.user).filter(departments__in=scope).distinct()
    findings = list(
        addressed.with_status()
        .counted()
        .open()
        .select_related("audit", "kind")
        .order_by("due_date", "audit__fiscal_year", "id")
    )
    later = RemediationEntry.objects.filter(
        finding_id=OuterRef("finding_id"), recorded_at__gt=OuterRef("recorded_at")
    )
    returned = list(
        RemediationEntry.objects.filter(
            finding__in=addressed.values("pk"), review__decision=ReviewDecision.RETURNED
        )
        .filter(~Exists(later))
        .select_related("finding__audit", "review", "status")
        .order_by("-recorded_at")
    )
    rounds = list(
        ReportingRound.objects.filter(
            findings__in=addressed.values("pk"), deadline__gte=today - datetime.timedelta(days=365)
        )
        .select_related("audit")
        .distinct()
        .order_by("deadline")
    )
    members = list(
        Membership.objects.current(today)
        .filter(department=dept)
        .select_related("user")
        .order_by("user__display_name")
    )
    return render(
        request,
        "organisation/handover.html",
        {
            "dept": dept,
            "findings": findings,
            "returned": returned,
            "rounds": rounds,
            "members": members,
            "today": today,
        },
    )


def absorbed_by(dept: Department) -> set[int]:
    """The department and every retired one whose successor chain leads to it."""
    successor_of = dict(
        Department.objects.filter(successor__isnull=False).values_list("id", "successor_id")
    )
    scope = {dept.pk}
    for start in successor_of:
        seen: set[int] = set()
        node: int | None = start
        while node is not None and node not in seen:
            if node == dept.pk:
                scope.add(start)
                break
            seen.add(node)
            node = successor_of.get(node)
    return scope


# --- reorganisations --------------------------------------------------------------------


@administrators_only
@require_safe
def reorganisation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    reorgs = list(
        Reorganisation.objects.select_related("new_parent", "created_by").prefetch_related(
            Prefetch("sources", queryset=Department.objects.select_related("parent")),
            Prefetch("targets", queryset=Department.objects.select_related("parent")),
        )[:200]
    )
    return render(
        request,
        "organisation/reorganisation_list.html",
        {"reorgs": [(r, services.describe(r)) for r in reorgs]},
    )


@administrators_only
@require_http_methods(["GET", "POST"])
def reorganisation_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ReorganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reorg = services.plan_reorganisation(
                kind=data["kind"],
                effective_date=data["effective_date"],
                sources=data["sources"],
                targets=data["targets"],
                new_name=data["new_name"],
                new_parent=data["new_parent"],
                note=data["note"],
                user=request.user,
            )
        except OrganisationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, "組織改編を登録しました。適用される内容を確認してください。")
            return redirect("reorganisation_detail", pk=reorg.pk)
    return render(request, "organisation/reorganisation_form.html", {"form": form})


@administrators_only
@require_safe
def reorganisation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """管理者: the preview: what applying will rename, retire and move."""
    reorg = get_or_404(Reorganisation.objects.select_related("new_parent"), pk)
    plan = services.preview(reorg)
    return render(
        request,
        "organisation/reorganisation_detail.html",
        {
            "reorg": reorg,
            "plan": plan,
            "summary": services.describe(reorg),
            "targets": list(reorg.targets.select_related("parent")),
        },
    )


def _act_on_reorganisation(
    request: AuthenticatedHttpRequest,
    pk: int,
    action: Callable[..., object],
    done: str,
) -> HttpResponse:
    """Apply or cancel: the service's refusal becomes a message, then back to the preview."""
    reorg = get_or_404(Reorganisation.objects.all(), pk)
    try:
        action(reorg, user=request.user)
    except OrganisationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("reorganisation_detail", pk=reorg.pk)


@administrators_only
@require_POST
def reorganisation_apply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act_on_reorganisation(
        request, pk, services.apply_reorganisation, "組織改編を適用しました。"
    )


@administrators_only
@require_POST
def reorganisation_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act_on_reorganisation(
        request, pk, services.cancel_reorganisation, "組織改編を取り消しました。"
    )


# --- people -----------------------------------------------------------------------------


@administrators_only
@require_safe
def person_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET or None)
    field = form_field(form, "department", forms.ModelChoiceField)
    field.queryset = Department.objects.select_related("parent")
    field.widget.choices = grouped_department_choices(field.queryset, "すべて")
    people_qs = User.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            people_qs = people_qs.filter(
                Q(display_name__icontains=q)
                | Q(username__icontains=q)
                | Q(employee_number__icontains=q)
            )
        if data["department"] is not None:
            people_qs = people_qs.filter(
                Exists(
                    Membership.objects.current().filter(
                        user=OuterRef("pk"), department=data["department"]
                    )
                )
            )
        if data["role"]:
            people_qs = people_qs.filter(groups__name=data["role"])
        if not data["inactive"]:
            people_qs = people_qs.filter(is_active=True)
    else:
        people_qs = people_qs.filter(is_active=True)
    today = timezone.localdate()
    page = Paginator(
        people_qs.prefetch_related(
            "groups",
            Prefetch(
                "memberships",
                queryset=Membership.objects.current(today).select_related("department__parent"),
                to_attr="current_memberships",
            ),
        ).order_by("username"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    order = {r.value: i for i, r in enumerate(ROLE_PRECEDENCE)}
    rows = []
    for person in page:
        names = sorted((g.name for g in person.groups.all()), key=lambda n: order.get(n, 99))
        rows.append((person, names[0] if names else "", person.current_memberships))  # type: ignore[attr-defined]
    return render(
        request,
        "organisation/person_list.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


@administrators_only
@require_http_methods(["GET", "POST"])
def person_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = people.create_person(
                username=data["username"],
                display_name=data["display_name"],
                email=data["email"],
                employee_number=data["employee_number"],
                role=people.role_from_text(data["role"]),
                departments=data["departments"],
                password=data["password1"],
                user=request.user,
            )
        except OrganisationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"利用者「{person}」を登録しました。")
            return redirect("person_list")
    return render(request, "organisation/person_form.html", {"form": form, "person": None})


def _person(pk: int) -> User:
    return get_or_404(User.objects.prefetch_related("groups"), pk)


@administrators_only
@require_http_methods(["GET", "POST"])
def person_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    current = people.current_departments(person)
    order = {r.value: i for i, r in enumerate(ROLE_PRECEDENCE)}
    roles = sorted((g.name for g in person.groups.all()), key=lambda n: order.get(n, 99))
    initial = {
        "username": person.username,
        "display_name": person.display_name,
        "employee_number": person.employee_number,
        "email": person.email,
        "role": roles[0] if roles else "",
        "departments": [str(d.pk) for d in current],
    }
    form = PersonForm(
        request.POST or None, initial=initial, person=person, keep=[d.pk for d in current]
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = people.update_person(
                person,
                username=data["username"],
                display_name=data["display_name"],
                email=data["email"],
                employee_number=data["employee_number"],
                role=people.role_from_text(data["role"]),
                departments=data["departments"],
                user=request.user,
            )
        except OrganisationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"利用者「{person}」を保存しました。")
            return redirect("person_list")
    history = list(
        Membership.objects.filter(user=person)
        .select_related("department__parent")
        .order_by("-valid_from", "-id")
    )
    return render(
        request,
        "organisation/person_form.html",
        {"form": form, "person": person, "history": history, "password_form": PasswordResetForm()},
    )


@administrators_only
@require_POST
def person_password(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    form = PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            people.reset_password(
                person, password=form.cleaned_data["password1"], user=request.user
            )
        except OrganisationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"「{person}」のパスワードを再設定しました。")
            return redirect("person_edit", pk=person.pk)
    return render(
        request, "organisation/person_password.html", {"person": person, "form": form}, status=200
    )


@administrators_only
@require_POST
def person_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    active = request.POST.get("active") == "1"
    try:
        people.set_active(person, active=active, user=request.user)
    except OrganisationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"「{person}」を{'有効にしました' if active else '無効にしました（ログインできません）'}。",
        )
    return redirect("person_edit", pk=person.pk)


# --- 人事異動 ---------------------------------------------------------------------------


@administrators_only
@require_http_methods(["GET", "POST"])
def transfer_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """管理者: upload a 人事異動 list; every row is checked and shown; nothing is applied
    until the list is free of errors and confirmed."""
    form = TransferUploadForm(request.POST or None, request.FILES or None)
    rows = None
    file_error = ""
    token = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = read_transfer_file(upload.read(), upload.name or "")
        except TransferFileError as error:
            file_error = str(error)
            form.add_error("file", file_error)
        else:
            if not any(row.errors for row in rows):
                token = secrets.token_urlsafe(16)
                request.session[SESSION_KEY] = {
                    "token": token,
                    "rows": [row.as_session() for row in rows],
                }
    pending = list(
        PersonnelChange.objects.filter(applied_at__isnull=True)
        .select_related("user", "department__parent")
        .order_by("effective_date", "id")[:200]
    )
    return render(
        request,
        "organisation/transfer_upload.html",
        {
            "form": form,
            "rows": rows,
            "bad": [row for row in rows if row.errors] if rows else [],
            "token": token,
            "pending": pending,
        },
    )


@administrators_only
@require_POST
def transfer_apply(request: AuthenticatedHttpRequest) -> HttpResponse:
    stored = request.session.get(SESSION_KEY)
    if not stored or stored.get("token") != request.POST.get("token"):
        messages.error(
            request, "確認した一覧が見つかりません。もう一度ファイルを読み込んでください。"
        )
        return redirect("transfer_upload")
    batch = stored["token"]
    users = User.objects.in_bulk([row["user"] for row in stored["rows"]])
    departments = Department.objects.in_bulk(
        [row["department"] for row in stored["rows"] if row["department"]]
    )
    try:
        with transaction.atomic():
            for row in stored["rows"]:
                person = users.get(row["user"])
                dept = departments.get(row["department"]) if row["department"] else None
                if person is None or (row["department"] and (dept is None or not dept.is_active)):
                    raise OrganisationError(
                        f"{row['line']}行目: 職員か所属が読み込み後に変わりました。もう一度読み込んでください。"
                    )
                people.schedule_change(
                    person,
                    department=dept,
                    role=people.role_from_text(row["role"]) if row["role"] else None,
                    leaves=row["leaves"],
                    effective_date=datetime.date.fromisoformat(row["date"]),
                    batch=batch,
                    user=request.user,
                )
    except OrganisationError as error:
        messages.error(request, str(error))
        return redirect("transfer_upload")
    del request.session[SESSION_KEY]
    messages.success(
        request,
        f"人事異動 {len(stored['rows'])}件を登録しました。発令日が来たものは適用済です。",
    )
    return redirect("transfer_upload")


@administrators_only
@require_safe
def transfer_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    response = HttpResponse(
        template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        "attachment; filename=\"jinji-idou-template.xlsx\"; filename*=UTF-8''%E4%BA%BA%E4%BA%8B%E7%95%B0%E5%8B%95_%E3%81%B2%E3%81%AA%E5%BD%A2.xlsx"
    )
    return response
