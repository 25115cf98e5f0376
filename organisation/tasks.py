"""Background task (django-tasks): the daily apply, for `db_worker` to run."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from organisation.scheduled import apply_due


@task()
def apply_scheduled_changes(day: str | None = None) -> dict[str, int]:
    """Apply what is due by `day` (ISO date; today when omitted)."""
    when = datetime.date.fromisoformat(day) if day else timezone.localdate()
    reorgs, changes = apply_due(when)
    return {"reorganisations": reorgs, "personnel_changes": changes}
