"""The database task backend (django-tasks-db) and concurrent runs, on the configured
database: CI runs these on SQLite and on PostgreSQL (DATABASE_URL); the race test needs
PostgreSQL's row locks and is skipped on SQLite."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from reminders.digests import DigestPlanner
from reminders.models import DigestSent
from reminders.services import DigestRun, _send_once
from reminders.tasks import send_daily_digests
from tests.reminders.conftest import AFTER_DEADLINE

DATABASE_BACKEND = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}


@pytest.mark.django_db(transaction=True)
def test_database_backend_stores_the_task_and_the_worker_runs_it(round_, people, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_BACKEND
    result = send_daily_digests.enqueue("2021-10-16")
    assert result.status == "READY"
    assert mail.outbox == []
    assert DBTaskResult.objects.count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert result.return_value is not None
    assert result.return_value["sent"] == 4
    assert len(mail.outbox) == 4
    assert DigestSent.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_one_mail_per_person(round_, people):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite serialises writers anyway")
    digest = DigestPlanner(AFTER_DEADLINE).for_user(people["ict_staff"])
    assert digest is not None
    runs = [DigestRun(AFTER_DEADLINE, False), DigestRun(AFTER_DEADLINE, False)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def send(run: DigestRun) -> None:
        try:
            barrier.wait()
            _send_once(digest, run)
        except BaseException as error:  # surfaced below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted((len(r.sent), len(r.already_sent)) for r in runs) == [(0, 1), (1, 0)]
    assert len(mail.outbox) == 1
    assert DigestSent.objects.filter(user=people["ict_staff"]).count() == 1
