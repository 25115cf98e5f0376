"""The sign-in locks in force, read from django-axes' failure records, for the page where a
管理者 lifts them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone

# The longest login name a user can have (audits.User.username), and its form field.
USERNAME_MAX = 150
USERNAME_FIELD = "username"


def username_for_lockout(request: HttpRequest, credentials: dict[str, object] | None) -> str | None:
    """The login name Axes counts failures under (AXES_USERNAME_CALLABLE). Django's sign-in
    form does not enforce the name's length, and Axes stores it in 255 characters: on
    PostgreSQL a longer one was a 500. No user's name is longer than 150, so the rest is
    cut off."""
    value = credentials.get(USERNAME_FIELD) if credentials else request.POST.get(USERNAME_FIELD)
    return None if value is None else str(value)[:USERNAME_MAX]


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


def _current_attempts() -> QuerySet[Any]:
    attempts: QuerySet[Any] = AccessAttempt.objects.all()
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
