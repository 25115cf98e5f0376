"""The five roles, as Django groups. A user's role is read from their groups only.

Only 所管課担当 is scoped to departments: which ones is said by the user's dated
memberships (audits.models.Membership), see audits.access.department_scope.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from audits.models import User


class Role(StrEnum):
    ADMINISTRATOR = "管理者"
    AUDITOR = "監査担当"
    MANAGER = "管理職"
    # The audit committee: reads everything, changes nothing (like 管理職).
    AUDIT_COMMITTEE = "監査委員"
    DEPARTMENT_STAFF = "所管課担当"

    @property
    def label(self) -> str:
        return self.value


# Strongest first: a user in several groups acts with the first that matches.
ROLE_PRECEDENCE: tuple[Role, ...] = (
    Role.ADMINISTRATOR,
    Role.AUDITOR,
    Role.MANAGER,
    Role.AUDIT_COMMITTEE,
    Role.DEPARTMENT_STAFF,
)

# Model permissions granted to each group ("app_label.codename"). What a role may do
# to which department's objects is decided by the access helpers; these permissions
# also make the admin usable for auditors and administrators.
_VIEW_ALL = [
    "audits.view_department",
    "audits.view_audit",
    "audits.view_auditkind",
    "audits.view_section",
    "audits.view_keyrisk",
    "audits.view_viewpoint",
    "audits.view_auditedsystem",
    "findings.view_finding",
    "findings.view_findingkind",
    "remediation.view_remediationentry",
    "remediation.view_remediationstatus",
    "remediation.view_evidence",
]
_EDIT_AUDITS = [
    f"{app}.{verb}_{model}"
    for app, model in [
        ("audits", "audit"),
        ("audits", "section"),
        ("audits", "keyrisk"),
        ("audits", "viewpoint"),
        ("audits", "auditedsystem"),
        ("findings", "finding"),
    ]
    for verb in ("add", "change", "delete")
]
GROUP_PERMISSIONS: dict[Role, list[str]] = {
    Role.ADMINISTRATOR: _VIEW_ALL
    + _EDIT_AUDITS
    + [
        f"{app}.{verb}_{model}"
        for app, model in [
            ("audits", "department"),
            ("audits", "user"),
            ("audits", "auditkind"),
            ("findings", "findingkind"),
            ("remediation", "remediationstatus"),
        ]
        for verb in ("add", "change", "view")
    ],
    Role.AUDITOR: _VIEW_ALL + _EDIT_AUDITS + ["remediation.add_remediationentry"],
    Role.MANAGER: _VIEW_ALL,
    Role.AUDIT_COMMITTEE: _VIEW_ALL,
    Role.DEPARTMENT_STAFF: [
        "findings.view_finding",
        "remediation.view_remediationentry",
        "remediation.add_remediationentry",
        "remediation.add_evidence",
        "remediation.view_evidence",
    ],
}


def role_of(user: User | AnonymousUser) -> Role | None:
    """The user's role, or None (no access at all) when they hold none."""
    if not user.is_authenticated or not user.is_active:
        return None
    # Cached on the user object: a request asks several times, the answer cannot change.
    if hasattr(user, "_role_cache"):
        return user._role_cache
    names = {group.name for group in user.groups.all()}
    role = next((r for r in ROLE_PRECEDENCE if r.value in names), None)
    user._role_cache = role
    return role
