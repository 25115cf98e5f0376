"""Nothing can edit or remove the log: not the model, not its queryset, not SQL. On
PostgreSQL a TRUNCATE is refused too. (Run with DATABASE_URL for PostgreSQL.)"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from history.models import LogEntry, LogIsAppendOnly

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only"
)


@pytest.fixture
def row(finding) -> LogEntry:
    first: LogEntry = LogEntry.objects.filter(finding_id=finding.pk).earliest("id")
    return first


def test_a_saved_row_cannot_be_saved_again(row):
    row.object_repr = "書き換え"
    with pytest.raises(LogIsAppendOnly):
        row.save()


def test_a_row_cannot_be_deleted(row):
    with pytest.raises(LogIsAppendOnly):
        row.delete()


def test_the_queryset_refuses_update_and_delete(row):
    with pytest.raises(LogIsAppendOnly):
        LogEntry.objects.filter(pk=row.pk).update(object_repr="書き換え")
    with pytest.raises(LogIsAppendOnly):
        LogEntry.objects.all().delete()
    with pytest.raises(LogIsAppendOnly):
        LogEntry._base_manager.all().delete()


def _refused(sql: str, params: list[int] | None = None) -> None:
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_the_database_refuses_update_of_a_row(row):
    _refused("UPDATE history_logentry SET object_repr = 'x' WHERE id = %s", [row.pk])
    row.refresh_from_db()
    assert row.object_repr != "x"


def test_the_database_refuses_delete_of_a_row(row):
    _refused("DELETE FROM history_logentry WHERE id = %s", [row.pk])
    _refused("DELETE FROM history_logentry")
    assert LogEntry.objects.filter(pk=row.pk).exists()


@postgres_only
def test_postgresql_refuses_truncate_of_the_log(row):
    # The test's own transaction holds deferred foreign-key checks, which would make
    # PostgreSQL refuse TRUNCATE before the trigger ran; a real TRUNCATE session has none.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    _refused("TRUNCATE history_logentry")
    _refused("TRUNCATE history_logentry CASCADE")
    assert LogEntry.objects.filter(pk=row.pk).exists()


def test_a_user_named_in_the_log_cannot_be_deleted(finding, auditor):
    """The log outlives its actors: a user who did something is deactivated, not deleted
    (the foreign key protects, instead of rewriting the log with NULL)."""
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        auditor.delete()
