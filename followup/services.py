"""Opening a reporting round. The review of what comes back is remediation.services."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from audits.access import can_review_entries
from audits.models import Audit, User
from findings.models import Finding
from followup.models import ReportingRound
from history.models import record_activity


def open_findings_of(audit: Audit | None, fiscal_year: int | None) -> list[int]:
    """The findings a round asks about: those that take entries (not a parent that only
    introduces sub-items) and are not closed by an accepted 措置済."""
    findings = Finding.objects.all()
    if audit is not None:
        findings = findings.filter(audit=audit)
    elif fiscal_year is not None:
        findings = findings.filter(audit__fiscal_year=fiscal_year)
    else:
        return []
    return list(findings.counted().with_status().open().values_list("pk", flat=True))


@transaction.atomic
def open_round(
    *,
    name: str,
    base_date: datetime.date,
    deadline: datetime.date,
    user: User,
    audit: Audit | None = None,
    fiscal_year: int | None = None,
) -> ReportingRound:
    if not can_review_entries(user):
        raise PermissionDenied("措置状況の照会を始める権限がありません。")
    errors: dict[str, str] = {}
    if audit is None and fiscal_year is None:
        errors["audit"] = "監査か年度のどちらかを選んでください。"
    if deadline < base_date:
        errors["deadline"] = "報告期限は基準日以降の日付にしてください。"
    if not name.strip():
        errors["name"] = "照会の名称を入力してください。"
    if errors:
        raise ValidationError(errors)
    finding_ids = open_findings_of(audit, fiscal_year)
    if not finding_ids:
        raise ValidationError(
            {"audit": "照会する未完了の指摘事項がありません（すべて措置済として受理済みです）。"}
        )
    round_ = ReportingRound(
        name=name.strip(),
        audit=audit,
        fiscal_year=None if audit is not None else fiscal_year,
        base_date=base_date,
        deadline=deadline,
        opened_by=user,
    )
    round_.full_clean(exclude=["findings"])
    round_.save()
    round_.findings.set(finding_ids)
    record_activity(user, "措置状況を照会", round_, f"{round_} 期限 {deadline:%Y-%m-%d}")
    return round_
