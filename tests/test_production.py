"""The production configuration: environment readers, the health endpoint and
`check --deploy` with the settings the README documents."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError
from django.urls import reverse

from config.env import env_choice, evidence_storage_from_env

ROOT = Path(__file__).resolve().parents[1]

# The README's production example, behind a TLS proxy.
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 30 + "-production-secret-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "sochi.city.example.jp",
    "CSRF_TRUSTED_ORIGINS": "https://sochi.city.example.jp",
    "BEHIND_TLS_PROXY": "1",
}


def test_evidence_is_a_local_folder_by_default(tmp_path):
    storage = evidence_storage_from_env(tmp_path / "evidence", {})
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storage["OPTIONS"] == {"location": tmp_path / "evidence", "base_url": None}


def test_evidence_root_moves_the_local_folder(tmp_path):
    storage = evidence_storage_from_env(tmp_path, {"EVIDENCE_ROOT": "/srv/sochi/evidence"})
    assert storage["OPTIONS"]["location"] == Path("/srv/sochi/evidence")  # type: ignore[index]


def test_s3_storage_is_private_and_reads_its_variables(tmp_path):
    storage = evidence_storage_from_env(
        tmp_path,
        {
            "EVIDENCE_STORAGE": "S3",
            "EVIDENCE_S3_BUCKET": "sochi-evidence",
            "EVIDENCE_S3_ENDPOINT_URL": "https://minio.city.local:9000",
            "EVIDENCE_S3_ACCESS_KEY_ID": "id",
            "EVIDENCE_S3_SECRET_ACCESS_KEY": "secret",
        },
    )
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "sochi-evidence",
        "location": "evidence",
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
        "endpoint_url": "https://minio.city.local:9000",
        "access_key": "id",
        "secret_key": "secret",
    }


def test_s3_storage_without_a_bucket_names_the_variable(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="EVIDENCE_S3_BUCKET"):
        evidence_storage_from_env(tmp_path, {"EVIDENCE_STORAGE": "s3"})


def test_unknown_storage_kind_is_refused_with_the_choices():
    with pytest.raises(ImproperlyConfigured, match="EVIDENCE_STORAGE must be one of local, s3"):
        env_choice("EVIDENCE_STORAGE", ("local", "s3"), "local", {"EVIDENCE_STORAGE": "ftp"})


def test_health_reports_database_and_storage(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "evidence_storage": "ok", "worker": "ok"},
        "worker": {
            "state": "ok",
            "ready": 0,
            "running": 0,
            "oldest_ready_seconds": None,
            "last_finished_seconds_ago": None,
        },
    }
    assert "no-cache" in response["Cache-Control"]


def test_health_reports_a_stale_worker_with_figures_but_stays_200(client, db, settings):
    import datetime

    from django.utils import timezone
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from reminders.tasks import send_daily_digests

    settings.WORKER_STALE_MINUTES = 10
    done = send_daily_digests.enqueue("2021-10-15")
    waiting = send_daily_digests.enqueue("2021-10-16")
    now = timezone.now()
    DBTaskResult.objects.filter(pk=done.id).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=now - datetime.timedelta(hours=2)
    )
    DBTaskResult.objects.filter(pk=waiting.id).update(
        enqueued_at=now - datetime.timedelta(minutes=45)
    )

    response = client.get(reverse("health"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["worker"] == "stale"
    worker = body["worker"]
    assert worker["ready"] == 1
    assert 45 * 60 <= worker["oldest_ready_seconds"] < 46 * 60
    assert 2 * 3600 <= worker["last_finished_seconds_ago"] < 2 * 3600 + 60


def test_health_calls_a_recent_task_ok(client, db, settings):
    from reminders.tasks import send_daily_digests

    settings.WORKER_STALE_MINUTES = 10
    send_daily_digests.enqueue("2021-10-16")

    body = client.get(reverse("health")).json()

    assert body["status"] == "ok"
    assert body["worker"]["state"] == "ok"
    assert body["worker"]["ready"] == 1


def test_health_is_503_when_the_evidence_folder_is_missing(client, db, settings, tmp_path):
    evidence = settings.STORAGES["evidence"]
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {**evidence, "OPTIONS": {"location": str(tmp_path / "unmounted")}},
    }
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "evidence_storage": "error",
        "worker": "ok",
    }


def test_health_is_503_when_the_database_fails(client, db, monkeypatch):
    from config import health

    def broken() -> None:
        raise OperationalError("server closed the connection")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["database"] == "error"


def _deploy_check(extra: dict[str, str]) -> tuple[list[str], int]:
    """The ids `check --deploy` reports under the given environment, and the HSTS age."""
    # Only the documented variables: not the test run's DEBUG, nor the browser tests'
    # DJANGO_ALLOW_ASYNC_UNSAFE (a deployment check of its own).
    ignored = {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ = {k: v for k, v in os.environ.items() if k not in ignored}
    environ.update(PRODUCTION_ENV | extra)
    code = (
        "import django, json; from django.conf import settings; django.setup();"
        "from django.core.checks import run_checks;"
        "ids = sorted(m.id for m in run_checks(include_deployment_checks=True)"
        " if not m.is_silenced());"
        "print(json.dumps([ids, getattr(settings, 'SECURE_HSTS_SECONDS', 0) or 0]))"
    )
    environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "-c", code], env=environ, cwd=ROOT, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    ids, hsts = json.loads(result.stdout.strip().splitlines()[-1])
    return ids, hsts


def test_check_deploy_is_clean_with_the_documented_production_settings():
    ids, hsts = _deploy_check({})
    assert ids == []
    assert hsts >= 31_536_000


def test_check_deploy_names_what_is_missing_for_plain_http():
    ids, _ = _deploy_check({"SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0"})
    assert {"security.W008", "security.W012", "security.W016"} <= set(ids)
