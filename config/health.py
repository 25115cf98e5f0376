"""GET /health/: whether this instance can serve, for the proxy's and the monitor's probe.

Answers 200 with {"status": "ok", ...} when the database answers and the evidence
storage is reachable, else 503 naming the failing part. Open to anyone (a probe has no
session) and says nothing beyond ok/error; the reason goes to the log.

The task worker (`manage.py db_worker`) is reported too, with figures: "stale" when a
task has waited longer than WORKER_STALE_MINUTES (no worker running, or one stuck).
That makes the status "degraded" but still 200: the web pages work without the worker,
so the proxy keeps sending requests while the monitor raises the alarm.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.db.models import Max, Min
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _evidence_storage() -> None:
    storage = storages["evidence"]
    if isinstance(storage, FileSystemStorage):
        location = storage.location
        if not (os.path.isdir(location) and os.access(location, os.W_OK | os.X_OK)):
            raise OSError(f"evidence folder {location} is missing or not writable")
        return
    # Object storage: one HEAD request proves the endpoint, bucket and credentials.
    storage.exists(".health-probe")


def worker_figures() -> dict[str, int | str | None]:
    """The database task queue as the worker sees it: tasks ready to run and running,
    how long the oldest ready one has waited and when a task last finished."""
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if backend != "django_tasks_db.DatabaseBackend":
        return {"state": "not_used"}
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    ready = DBTaskResult.objects.ready()
    waiting_since = [
        ready.filter(run_after=get_date_max()).aggregate(t=Min("enqueued_at"))["t"],
        ready.exclude(run_after=get_date_max()).aggregate(t=Min("run_after"))["t"],
    ]
    oldest = min((t for t in waiting_since if t is not None), default=None)
    last = DBTaskResult.objects.finished().aggregate(t=Max("finished_at"))["t"]
    oldest_seconds = int((now - oldest).total_seconds()) if oldest else None
    stale = oldest_seconds is not None and oldest_seconds > settings.WORKER_STALE_MINUTES * 60
    return {
        "state": "stale" if stale else "ok",
        "ready": ready.count(),
        "running": DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
        "oldest_ready_seconds": oldest_seconds,
        "last_finished_seconds_ago": int((now - last).total_seconds()) if last else None,
    }


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "evidence_storage": _evidence_storage,
}


@login_not_required
@require_safe
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception:
            logger.exception("health check %s failed", name)
            results[name] = "error"
    healthy = all(value == "ok" for value in results.values())
    try:
        worker = worker_figures()
    except Exception:
        logger.exception("health check worker failed")
        worker = {"state": "error"}
    results["worker"] = str(worker["state"])
    status = (
        "error" if not healthy else "ok" if worker["state"] in ("ok", "not_used") else "degraded"
    )
    return JsonResponse(
        {"status": status, "checks": results, "worker": worker},
        status=200 if healthy else 503,
    )
