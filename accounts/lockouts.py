"""The sign-in locks in force, read from django-axes' failure records, for the page where a
管理者 lifts them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.utils import timezone


@dataclass(frozen=True)
class Lock:
    key: str  # the login name or the address
    failures: int
    last_attempt: datetime.datetime
    locked: bool  # at or past the limit; below it the failures are only counted

    @property
    def ends_at(self) -> datetime.datetime | None:
        """When the lock ends by itself; None when only a 管理者 can lift it."""
        if not settings.AXES_COOLOFF_TIME:
            return None
        return self.last_attempt + settings.AXES_COOLOFF_TIME


def _current_attempts() -> QuerySet[AccessAttempt]:
    attempts = AccessAttempt.objects.all()
    if settings.AXES_COOLOFF_TIME:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    return attempts


def _grouped(field: str) -> list[Lock]:
    limit = settings.AXES_FAILURE_LIMIT
    attempts = _current_attempts().exclude(**{f"{field}__isnull": True})
    if field == "username":
        attempts = attempts.exclude(username="")
    rows = (
        attempts.values(field)
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .order_by("-failures", "-last")
    )
    return [
        Lock(str(row[field]), row["failures"], row["last"], row["failures"] >= limit)
        for row in rows
    ]


def account_locks() -> list[Lock]:
    return _grouped("username")


def address_locks() -> list[Lock]:
    return _grouped("ip_address")
