"""The activity log (操作記録) is append-only in the database: no UPDATE, DELETE or
TRUNCATE, on PostgreSQL and SQLite alike (see remediation 0002/0003 for entries).

Only the table owner can disable or drop these triggers: production runs the app as a
role that owns nothing (scripts/db_roles.sql).
"""

from django.db import migrations

TABLE = "audits_activity"

PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION audits_refuse_change() RETURNS trigger AS $$ "
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
                "FOR EACH ROW EXECUTE FUNCTION audits_refuse_change();"
            )
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audits_refuse_change();"
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
        schema_editor.execute("DROP FUNCTION IF EXISTS audits_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("audits", "0007_audit_report_date_precision")]

    operations = [migrations.RunPython(create, drop)]
