"""Which reporting rounds a user may see: the audit office and managers every round,
department staff the rounds that ask about a finding addressed to them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet

from audits.access import get_or_404, sees_everything
from findings.access import visible_findings
from followup.models import ReportingRound

if TYPE_CHECKING:
    from audits.access import AnyUser


def visible_rounds(user: AnyUser) -> QuerySet[ReportingRound]:
    if sees_everything(user):
        return ReportingRound.objects.all()
    asked = ReportingRound.findings.through.objects.filter(
        reportinground_id=OuterRef("pk"), finding_id__in=visible_findings(user).values("pk")
    )
    return ReportingRound.objects.filter(Exists(asked))


def round_for_user(user: AnyUser, pk: object) -> ReportingRound:
    return get_or_404(visible_rounds(user).select_related("audit"), pk)
