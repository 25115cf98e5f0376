"""The database itself refuses to change or remove a log row: no UPDATE, DELETE or (on
PostgreSQL) TRUNCATE of history_logentry, whoever asks. Both databases raise an
IntegrityError to Django (SQLSTATE 23001 restrict_violation / SQLite's constraint
error), as the append-only triggers on remediation entries do.

Only the table owner can disable or drop these triggers: production should run the app as
a role that owns nothing. The test suite's flush between transactional tests sets them
aside for its own transaction only (tests/conftest.py).
"""

from django.db import migrations

TABLE = "history_logentry"

PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION history_refuse_change() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'append-only: %% rows cannot be changed (%%)', TG_TABLE_NAME, TG_OP "
    "USING ERRCODE = 'restrict_violation'; END; $$ LANGUAGE plpgsql;"
)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        for event in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER {TABLE}_no_{event.lower()} BEFORE {event} ON {TABLE} "
                "FOR EACH ROW EXECUTE FUNCTION history_refuse_change();"
            )
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION history_refuse_change();"
        )
    elif vendor == "sqlite":
        for event in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER {TABLE}_no_{event.lower()} BEFORE {event} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only: {TABLE} rows cannot be changed'); END;"
            )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for suffix in ("update", "delete", "truncate"):
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{suffix} ON {TABLE};")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{suffix};")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS history_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("history", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
