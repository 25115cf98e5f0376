"""Who may see and answer which round. The audit office (監査担当, 管理者) manages
checklists, rounds and visits; managers read everything; department staff see the
rounds their department is asked in and answer only for their own department."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from audits.access import can_review_entries, department_scope, get_or_404, sees_everything
from audits.models import Department
from inspections.models import Checklist, InspectionRound, VisitInvestigation

if TYPE_CHECKING:
    from audits.access import AnyUser


def can_manage(user: AnyUser) -> bool:
    return can_review_entries(user)


def visible_rounds(user: AnyUser) -> QuerySet[InspectionRound]:
    if sees_everything(user):
        return InspectionRound.objects.all()
    scope = department_scope(user)
    if not scope:
        return InspectionRound.objects.none()
    return InspectionRound.objects.filter(departments__in=scope).distinct()


def round_for_user(user: AnyUser, pk: object) -> InspectionRound:
    return get_or_404(visible_rounds(user).select_related("checklist", "audit"), pk)


def managed_round(user: AnyUser, pk: object) -> InspectionRound:
    """The round for the audit office; 404 for everyone else, even those who may read it."""
    if not can_manage(user):
        raise Http404
    return round_for_user(user, pk)


def department_for_answer(user: AnyUser, round_: InspectionRound, pk: object) -> Department:
    """A target department of the round whose response the user may open: every one for
    the roles that see everything, only their own for staff; 404 otherwise."""
    targets = round_.departments.select_related("parent")
    if not sees_everything(user):
        targets = targets.filter(pk__in=department_scope(user))
    return get_or_404(targets, pk)


def may_answer(user: AnyUser, department: Department) -> bool:
    """Staff answer for their own department; the audit office may type a paper answer
    in; managers only read."""
    if can_manage(user):
        return True
    return department.pk in department_scope(user)


def visible_checklists(user: AnyUser) -> QuerySet[Checklist]:
    if sees_everything(user):
        return Checklist.objects.all()
    return Checklist.objects.none()


def checklist_for_user(user: AnyUser, pk: object) -> Checklist:
    return get_or_404(visible_checklists(user), pk)


def managed_checklist(user: AnyUser, pk: object) -> Checklist:
    if not can_manage(user):
        raise Http404
    return checklist_for_user(user, pk)


def visible_visits(user: AnyUser) -> QuerySet[VisitInvestigation]:
    if sees_everything(user):
        return VisitInvestigation.objects.all()
    return VisitInvestigation.objects.none()


def visit_for_user(user: AnyUser, pk: object) -> VisitInvestigation:
    return get_or_404(visible_visits(user).select_related("audit", "round"), pk)
