"""The database itself refuses to UPDATE a posted entry or evidence file.

DELETE is refused by the model layer and by PROTECT foreign keys; a DELETE trigger would
also block the test framework's table flushes on SQLite.
"""

from django.db import migrations

TABLES = ["remediation_remediationentry", "remediation_evidence"]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(
                "CREATE OR REPLACE FUNCTION remediation_refuse_update() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'append-only: %% rows cannot be updated', TG_TABLE_NAME; "
                "END; $$ LANGUAGE plpgsql;"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION remediation_refuse_update();"
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only: {table} rows cannot be updated'); END;"
            )


def drop(apps, schema_editor):
    for table in TABLES:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table};")
        elif schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")


class Migration(migrations.Migration):
    dependencies = [("remediation", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
