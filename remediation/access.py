"""Which remediation entries and evidence files a user may see: exactly those of the
findings they may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from audits.access import get_or_404
from findings.access import visible_findings
from remediation.models import Evidence, RemediationEntry

if TYPE_CHECKING:
    from audits.access import AnyUser


def visible_entries(user: AnyUser) -> QuerySet[RemediationEntry]:
    return RemediationEntry.objects.filter(finding__in=visible_findings(user))


def get_evidence_for_user(user: AnyUser, pk: object) -> Evidence:
    """The evidence file, or Http404 for anyone who may not see its finding.
    Nobody may change a file once posted."""
    return get_or_404(
        Evidence.objects.filter(entry__finding__in=visible_findings(user)).select_related(
            "entry__finding"
        ),
        pk,
    )
