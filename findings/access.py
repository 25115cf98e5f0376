"""The one place that says which findings a user may see and change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef

from audits.access import can_edit_audits, department_scope, get_or_404, sees_everything
from audits.roles import Role, role_of
from findings.models import Finding, FindingQuerySet

if TYPE_CHECKING:
    from audits.access import AnyUser


def visible_findings(user: AnyUser, queryset: FindingQuerySet | None = None) -> FindingQuerySet:
    """Narrow `queryset` (default: all findings) to what the user may see."""
    base = Finding.objects.all() if queryset is None else queryset
    if sees_everything(user):
        return base
    scope = department_scope(user)
    if not scope:
        return base.none()
    addressed = Finding.departments.through.objects.filter(
        finding=OuterRef("pk"), department_id__in=scope
    )
    return base.filter(Exists(addressed))


@dataclass(frozen=True)
class FindingAccess:
    finding: Finding
    can_change: bool  # edit the finding itself (auditors)
    can_post_entry: bool  # add a remediation entry


def can_post_entry(user: AnyUser, finding: Finding) -> bool:
    """Auditors may record entries for any finding (e.g. transcribing a paper reply);
    department staff only for findings addressed to their department."""
    role = role_of(user)
    if role in (Role.ADMINISTRATOR, Role.AUDITOR):
        return True
    if role == Role.DEPARTMENT_STAFF:
        scope = department_scope(user)
        return any(d.id in scope for d in finding.departments.all())
    return False


def get_finding_for_user(
    user: AnyUser, pk: object, queryset: FindingQuerySet | None = None
) -> FindingAccess:
    """The finding, or Http404 for anyone who may not see it."""
    finding = get_or_404(visible_findings(user, queryset), pk)
    return FindingAccess(finding, can_edit_audits(user), can_post_entry(user, finding))
