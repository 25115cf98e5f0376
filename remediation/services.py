"""Recording remediation entries with their evidence files."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from audits.access import can_review_entries
from audits.models import User
from findings.access import can_post_entry
from findings.models import Finding, FindingQuerySet, counting_entries
from findings.search import append_entry_text, lock_findings
from history.models import record_activity
from remediation.models import (
    EntryReview,
    Evidence,
    RemediationEntry,
    RemediationStatus,
    ReviewDecision,
)


class EntryNotAllowed(ValidationError):
    """A rule of state refuses the entry (e.g. a parent that only introduces sub-items)."""


class ReviewNotAllowed(ValidationError):
    """The entry cannot be reviewed (already reviewed, or a return without a reason)."""


@dataclass(frozen=True)
class CheckedFile:
    """An upload whose size and content type were already checked (see remediation.files)."""

    upload: UploadedFile[bytes]
    content_type: str


def entry_date_error(
    finding: Finding, entry_date: datetime.date, today: datetime.date | None = None
) -> str | None:
    """Why an entry may not speak for this date, or None. Forms call it too, so the
    message shows beside the field together with the other fields' errors."""
    start = finding.audit.period_start
    if start is not None and entry_date < start:
        return "措置日は監査実施日より前にはできません。"
    if entry_date > (today or timezone.localdate()):
        return "措置日に未来の日付は指定できません。"
    return None


@transaction.atomic
def record_entry(
    finding: Finding,
    *,
    status: RemediationStatus,
    entry_date: datetime.date,
    content: str,
    user: User,
    files: Sequence[CheckedFile] = (),
    today: datetime.date | None = None,
) -> RemediationEntry:
    """Submit a dated entry for a finding. Nothing already recorded changes; the entry
    counts once the audit office accepts it (review_entry)."""
    if not can_post_entry(user, finding):
        raise PermissionDenied("この指摘事項に措置を記録する権限がありません。")
    # Locks the finding: two submissions at once queue here instead of interleaving.
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    if locked.children.exists():
        raise EntryNotAllowed(
            "この項目は小項目（ア、イ …）ごとに措置を記録します。小項目を選んでください。"
        )
    errors: dict[str, str] = {}
    date_error = entry_date_error(finding, entry_date, today)
    if date_error:
        errors["entry_date"] = date_error
    if not content.strip():
        errors["content"] = "措置の内容を入力してください。"
    if errors:
        raise ValidationError(errors)
    entry = RemediationEntry(
        finding=finding,
        status=status,
        entry_date=entry_date,
        content=content.strip(),
        author=user,
        author_department=user.department,
    )
    entry.full_clean()
    entry.save()
    append_entry_text(finding.pk, entry.content)
    for checked in files:
        attach_evidence(entry, checked)
    record_activity(user, "措置を記録", entry, f"{finding} 【{status.name}】{entry_date:%Y-%m-%d}")
    return entry


def attach_evidence(entry: RemediationEntry, checked: CheckedFile) -> Evidence:
    upload = checked.upload
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = Evidence(
        entry=entry,
        original_name=(upload.name or "file")[-200:],
        content_type=checked.content_type,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
    )
    evidence.file.save(upload.name or "file", upload, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def review_entry(
    entry: RemediationEntry, *, decision: str, reason: str = "", user: User
) -> EntryReview:
    """受理 or 差戻し of one submitted entry, once. The entry row is locked first, so an
    auditor reviewing while another does (or while staff submit) waits and then finds
    it reviewed; the unique key on the review is the last guard."""
    if not can_review_entries(user):
        raise PermissionDenied("措置の報告を審査する権限がありません。")
    if decision not in ReviewDecision.values:
        raise ReviewNotAllowed({"decision": "受理か差戻しを選んでください。"})
    reason = reason.strip()
    if decision == ReviewDecision.RETURNED and not reason:
        raise ReviewNotAllowed(
            {"reason": "差戻しの理由を入力してください（所管課に表示されます）。"}
        )
    locked = RemediationEntry.objects.select_for_update().get(pk=entry.pk)
    if EntryReview.objects.filter(entry=locked).exists():
        raise ReviewNotAllowed("この報告は既に審査済みです。")
    review = EntryReview(
        entry=locked,
        decision=decision,
        reason=reason if decision == ReviewDecision.RETURNED else "",
        reviewer=user,
    )
    review.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        raise ReviewNotAllowed("この報告は既に審査済みです。") from None
    refresh_current_status(locked.finding_id)
    label = "受理" if decision == ReviewDecision.ACCEPTED else "差戻し"
    record_activity(user, f"措置を{label}", locked, f"{locked.finding_id} {reason[:100]}")
    return review


# --- the current status kept on the finding -------------------------------------------
# An entry counts for the published status once accepted, so a review is the one event
# that moves it (record_entry leaves it alone: a submitted entry waits for review).


def refresh_current_status(finding_id: int) -> None:
    """Write the status of the finding's latest accepted entry onto the finding (None and
    not closed for 未報告). The finding row is locked first: two reviews of entries of
    one finding queue here, and the second reads what the first committed."""
    list(Finding.objects.select_for_update().filter(pk=finding_id).values_list("pk", flat=True))
    latest = (
        counting_entries(RemediationEntry.objects.filter(finding_id=finding_id))
        .select_related("status")
        .order_by(*RemediationEntry.LATEST_FIRST)
        .first()
    )
    Finding.objects.filter(pk=finding_id).update(
        latest_status=latest.status if latest is not None else None,
        latest_status_date=latest.entry_date if latest is not None else None,
        is_closed=latest.status.is_closed if latest is not None else False,
    )


def stale_current_status(findings: FindingQuerySet | None = None) -> list[int]:
    """Findings (all, or those of `findings`) whose kept status differs from the one
    computed from their entries (the correlated subquery the lists used before the
    status was kept), read in chunks."""
    # Names in a tuple: django-stubs cannot see the annotations in a literal call.
    columns = ("pk", "latest_status_id", "latest_status_date", "is_closed")
    computed = ("status_id_now", "status_date_now", "status_closed_now")
    chosen = Finding.objects.all() if findings is None else findings
    rows = chosen.with_computed_status().order_by("pk").values_list(*columns, *computed)
    return [
        pk
        for pk, status, day, closed, status_now, day_now, closed_now in rows.iterator(2000)
        if (status, day, closed) != (status_now, day_now, bool(closed_now))
    ]


@transaction.atomic
def rebuild_current_status() -> int:
    """Recompute the kept status of every finding in one statement (after a bulk load
    that wrote entries around the services, or to repair); how many were out of step."""
    stale = len(stale_current_status())
    _recompute_kept_status(Finding.objects.all())
    return stale


def refresh_current_status_of(finding_ids: Iterable[int], batch_size: int = 1000) -> None:
    """refresh_current_status for many findings at once, a statement per batch: for a
    service that inserts accepted entries in bulk (the Excel import). The findings are
    locked first, as refresh_current_status does."""
    ids = sorted(set(finding_ids))
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        lock_findings(chunk)
        _recompute_kept_status(Finding.objects.filter(pk__in=chunk))


def _recompute_kept_status(findings: QuerySet[Finding]) -> None:
    latest = counting_entries(RemediationEntry.objects.filter(finding=OuterRef("pk"))).order_by(
        *RemediationEntry.LATEST_FIRST
    )
    findings.update(
        latest_status_id=Subquery(latest.values("status_id")[:1]),
        latest_status_date=Subquery(latest.values("entry_date")[:1]),
        is_closed=Coalesce(Subquery(latest.values("status__is_closed")[:1]), Value(False)),
    )
