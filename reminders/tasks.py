"""Background tasks (django-tasks): run by `manage.py db_worker` from the database queue."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from reminders.services import send_digests


@task()
def send_daily_digests(day: str | None = None) -> dict[str, int]:
    """Send the digests of `day` (ISO date; today when omitted). Arguments travel as
    JSON, hence the string. Returns the counts of the run (stored as the task result)."""
    when = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return send_digests(when).counts()
