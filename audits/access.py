"""Who may see and change what. Every view and export asks here; nothing else decides.

A missing rule means no access: a user without a role, or department staff without a
department, sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from audits.models import Audit, Department, Membership, User
from audits.roles import Role, role_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    AnyUser = User | AnonymousUser

_M = TypeVar("_M", bound=Model)

# Roles that see every department's data.
SEES_ALL = frozenset({Role.ADMINISTRATOR, Role.AUDITOR, Role.MANAGER, Role.AUDIT_COMMITTEE})
# Roles that create and edit audits and findings.
EDITS_AUDITS = frozenset({Role.ADMINISTRATOR, Role.AUDITOR})


def sees_everything(user: AnyUser) -> bool:
    return role_of(user) in SEES_ALL


def can_edit_audits(user: AnyUser) -> bool:
    return role_of(user) in EDITS_AUDITS


def can_review_entries(user: AnyUser) -> bool:
    """The audit office (auditors, administrators) accepts or returns what departments
    report and opens reporting rounds."""
    return role_of(user) in EDITS_AUDITS


def department_scope(user: AnyUser) -> set[int]:
    """The departments whose findings a member of staff acts for: those of their current
    memberships (a person may act for several), and the ones each absorbed at a
    reorganisation (a retired department whose successor chain leads to it), so history
    survives renames and mergers. Empty for anyone else.

    A user who was never given a membership (created before memberships existed, or by
    hand) acts for their User.department; once any membership exists, only the
    memberships in force today count, so a transfer takes effect on its 発令日."""
    if role_of(user) != Role.DEPARTMENT_STAFF or not isinstance(user, User):
        return set()
    if hasattr(user, "_department_scope_cache"):
        return user._department_scope_cache
    memberships = Membership.objects.filter(user_id=user.pk)
    current = memberships.current().filter(
        department=OuterRef("pk"), role=Role.DEPARTMENT_STAFF.value
    )
    # One query: the successor links, and which departments are the user's own.
    rows = (
        Department.objects.filter(
            Q(successor__isnull=False) | Exists(current) | Q(pk=user.department_id)
        )
        .annotate(own=Exists(current), has_any=Exists(memberships))
        .values_list("id", "successor_id", "own", "has_any")
    )
    successor_of: dict[int, int] = {}
    own: set[int] = set()
    for dept_id, successor_id, is_own, has_any in rows:
        if successor_id is not None:
            successor_of[dept_id] = successor_id
        if is_own or (not has_any and dept_id == user.department_id):
            own.add(dept_id)
    scope = set(own)
    for dept_id in successor_of:
        seen: set[int] = set()
        node: int | None = dept_id
        while node is not None and node not in seen:
            if node in own:
                scope.add(dept_id)
                break
            seen.add(node)
            node = successor_of.get(node)
    user._department_scope_cache = scope
    return scope


def visible_audits(user: AnyUser) -> QuerySet[Audit]:
    if sees_everything(user):
        return Audit.objects.all()
    scope = department_scope(user)
    if not scope:
        return Audit.objects.none()
    from findings.models import Finding

    # IN rather than a correlated EXISTS: the planner builds the department's audits once
    # instead of probing every audit newest first (9 ms against 30 at 10⁶ findings).
    addressed = Finding.departments.through.objects.filter(department_id__in=scope)
    return Audit.objects.filter(pk__in=addressed.values("finding__audit_id"))


# Every fiscal year with an audit, newest first, one index probe a year (the index
# audit_newest_first leads with fiscal_year): DISTINCT over 5 × 10⁴ audits took 7-30 ms
# on every finding list and report form.
_ALL_YEARS_SQL = """
WITH RECURSIVE years (fiscal_year) AS (
    SELECT MAX(fiscal_year) FROM audits_audit
    UNION ALL
    SELECT (SELECT MAX(a.fiscal_year) FROM audits_audit a WHERE a.fiscal_year < years.fiscal_year)
    FROM years WHERE years.fiscal_year IS NOT NULL
)
SELECT fiscal_year FROM years WHERE fiscal_year IS NOT NULL
"""


def visible_fiscal_years(user: AnyUser) -> list[int]:
    """The fiscal years of the audits the user may see, newest first."""
    if not sees_everything(user):
        audits = visible_audits(user).order_by("-fiscal_year")
        return list(audits.values_list("fiscal_year", flat=True).distinct())
    with connection.cursor() as cursor:
        cursor.execute(_ALL_YEARS_SQL)
        return [int(year) for (year,) in cursor.fetchall()]


@dataclass(frozen=True)
class AuditAccess:
    audit: Audit
    can_change: bool


def get_audit_for_user(user: AnyUser, pk: object) -> AuditAccess:
    audit = _get_or_404(visible_audits(user).prefetch_related("kinds"), pk)
    return AuditAccess(audit, can_edit_audits(user))


def get_editable_audit(user: AnyUser, pk: object) -> Audit:
    """The audit for someone who may change it; Http404 for everyone else, even those
    who may read it, so an editing URL reveals nothing."""
    access = get_audit_for_user(user, pk)
    if not access.can_change:
        raise Http404
    return access.audit


def visible_departments(user: AnyUser) -> QuerySet[Department]:
    """Choices for a department filter: all for those who see all, else their own scope."""
    if sees_everything(user):
        return Department.objects.all()
    return Department.objects.filter(id__in=department_scope(user))


def _get_or_404(queryset: QuerySet[_M], pk: object) -> _M:
    try:
        return queryset.get(pk=int(str(pk)))
    except (ValueError, TypeError, OverflowError, ObjectDoesNotExist):
        raise Http404 from None


get_or_404 = _get_or_404
