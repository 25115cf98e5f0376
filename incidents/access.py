"""Who may see, report and change incidents. Fails closed like audits.access: a user
without a role, or staff without a department, sees nothing.

- Auditors, administrators and managers see the whole register.
- Department staff see the incidents of their own department (department_scope: their
  課 and the ones it absorbed) and nothing else.
- Reporting an incident: the audit office (auditors, administrators) for any 課, and
  department staff for their own — seed 003's register is what 各課 reported.
- Changing one: the audit office, and staff of the incident's own department.
  Managers only read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404, HttpResponse

from audits.access import can_edit_audits, department_scope, get_or_404, sees_everything
from audits.http import AuthenticatedHttpRequest
from audits.models import Department
from audits.roles import Role, role_of
from incidents.models import Incident

if TYPE_CHECKING:
    from audits.access import AnyUser


def visible_incidents(user: AnyUser) -> QuerySet[Incident]:
    if sees_everything(user):
        return Incident.objects.all()
    scope = department_scope(user)
    if not scope:
        return Incident.objects.none()
    return Incident.objects.filter(department_id__in=scope)


def can_report_incidents(user: AnyUser) -> bool:
    if can_edit_audits(user):
        return True
    return role_of(user) == Role.DEPARTMENT_STAFF and bool(department_scope(user))


def reportable_departments(user: AnyUser) -> QuerySet[Department]:
    """The 所管課 a user may name on an incident: any current one for the audit office,
    their own (current) department for staff, none for anyone else."""
    current = Department.objects.filter(is_active=True).select_related("parent")
    if can_edit_audits(user):
        return current
    if can_report_incidents(user):
        return current.filter(id__in=department_scope(user))
    return current.none()


def may_change(user: AnyUser, incident: Incident) -> bool:
    if can_edit_audits(user):
        return True
    return role_of(user) == Role.DEPARTMENT_STAFF and incident.department_id in department_scope(
        user
    )


@dataclass(frozen=True)
class IncidentAccess:
    incident: Incident
    can_change: bool


def _detail_queryset(user: AnyUser) -> QuerySet[Incident]:
    return visible_incidents(user).select_related(
        "department__parent", "incident_type", "section__audit"
    )


def get_incident_for_user(user: AnyUser, pk: object) -> IncidentAccess:
    """The incident, or Http404 for anyone who may not see it."""
    incident = get_or_404(_detail_queryset(user), pk)
    return IncidentAccess(incident, may_change(user, incident))


def get_editable_incident(user: AnyUser, pk: object) -> Incident:
    """Http404 for everyone who may not change it, even those who may read it."""
    access = get_incident_for_user(user, pk)
    if not access.can_change:
        raise Http404
    return access.incident


def reporters_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Outermost on the pages that report or change incidents: 404 (whatever the method)
    for anyone who may not report one, so the URL reveals nothing."""

    @wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not can_report_incidents(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
