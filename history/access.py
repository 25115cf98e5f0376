"""Who may read the audit log. Fails closed: only auditors and administrators get the
log page; department staff and managers see no log beyond a finding's own timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from audits.roles import Role, role_of

if TYPE_CHECKING:
    from audits.access import AnyUser

READS_LOG = frozenset({Role.AUDITOR, Role.ADMINISTRATOR})


def can_read_log(user: AnyUser) -> bool:
    return role_of(user) in READS_LOG
