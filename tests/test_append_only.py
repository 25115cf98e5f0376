"""Entries, evidence files and the activity log are append-only down to the last row:
no DELETE or TRUNCATE through any manager or in SQL, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, models, transaction

from history.models import LogEntry
from remediation.models import AppendOnlyError, Evidence, RemediationEntry
from remediation.services import CheckedFile, attach_evidence
from tests.conftest import APPEND_ONLY_TABLES

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TRUNCATE and roles exist on PostgreSQL only"
)


@pytest.fixture
def entry_with_evidence(finding, make_entry) -> RemediationEntry:
    entry = make_entry(finding)
    attach_evidence(entry, CheckedFile(SimpleUploadedFile("a.txt", b"memo"), "text/plain"))
    assert isinstance(entry, RemediationEntry)
    return entry


def _refused(sql: str, params: list[str] | None = None) -> None:
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_base_manager_refuses_delete_of_entries_and_evidence(entry_with_evidence):
    with pytest.raises(AppendOnlyError):
        RemediationEntry._base_manager.all().delete()
    with pytest.raises(AppendOnlyError):
        Evidence._base_manager.all().delete()


def test_a_plain_queryset_delete_is_refused_by_the_database(entry_with_evidence):
    for model in (Evidence, RemediationEntry, LogEntry):
        with pytest.raises(IntegrityError), transaction.atomic():
            models.QuerySet(model).all().delete()
    assert RemediationEntry.objects.count() == 1
    assert Evidence.objects.count() == 1
    assert LogEntry.objects.exists()


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_sql_delete_is_refused(entry_with_evidence, table):
    _refused(f"DELETE FROM {table}")


def test_the_log_cannot_be_rewritten(entry_with_evidence):
    with pytest.raises(IntegrityError), transaction.atomic():
        models.QuerySet(LogEntry).update(object_repr="書き換え")
    _refused("UPDATE history_logentry SET object_repr = %s", ["書き換え"])


def _check_deferred_constraints_now() -> None:
    """The test's own inserts leave deferred foreign-key checks pending, and PostgreSQL
    refuses TRUNCATE before they ran; a real TRUNCATE session has none."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@postgres_only
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_truncate_is_refused(entry_with_evidence, table):
    _check_deferred_constraints_now()
    _refused(f"TRUNCATE {table} CASCADE")


@postgres_only
def test_truncate_cascading_from_findings_is_refused(entry_with_evidence):
    _check_deferred_constraints_now()
    _refused("TRUNCATE findings_finding CASCADE")


@postgres_only
def test_app_role_without_ownership_cannot_remove_rows_or_triggers(entry_with_evidence):
    """What scripts/db_grants.sql grants the app role: it may read and add rows, but
    neither DELETE nor TRUNCATE them, nor drop or disable the triggers (owner only)."""
    grants = (
        "GRANT USAGE ON SCHEMA public TO sochi_test_app; "
        "GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO sochi_test_app; "
    )
    statements = [
        "DELETE FROM remediation_evidence",
        "TRUNCATE history_logentry",
        "DROP TRIGGER remediation_remediationentry_no_delete ON remediation_remediationentry",
        "ALTER TABLE remediation_evidence DISABLE TRIGGER USER",
    ]
    for statement in statements:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE ROLE sochi_test_app NOLOGIN")
            cursor.execute(grants)
            cursor.execute("SET LOCAL ROLE sochi_test_app")
            cursor.execute("SELECT count(*) FROM remediation_remediationentry")
            assert cursor.fetchone() == (1,)
            with (
                pytest.raises(DatabaseError, match="permission denied|must be owner"),
                transaction.atomic(),
            ):
                cursor.execute(statement)
            transaction.set_rollback(True)


def _enabled_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'O'"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_flush_between_live_server_tests_still_works_and_keeps_the_triggers(request):
    """The test-only flush (tests/conftest.py) sets the triggers aside for its own
    transaction and puts them back."""
    from audits.services import ensure_reference_data

    ensure_reference_data()
    request.getfixturevalue("make_entry")(request.getfixturevalue("finding"))
    before = _enabled_triggers()
    assert "remediation_remediationentry_no_delete" in before
    assert "history_logentry_no_delete" in before

    call_command("flush", interactive=False, verbosity=0)

    assert not RemediationEntry.objects.exists()
    assert not LogEntry.objects.exists()
    assert _enabled_triggers() == before
    ensure_reference_data()
