"""GET /health/: whether this instance can serve, for the proxy's and the monitor's probe.

Answers 200 with {"status": "ok", ...} when the database answers and the evidence
storage is reachable, else 503 naming the failing part. Open to anyone (a probe has no
session) and says nothing beyond ok/error; the reason goes to the log.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.http import HttpRequest, JsonResponse
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
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results},
        status=200 if healthy else 503,
    )
