"""The database itself refuses to DELETE or TRUNCATE entries, evidence files and reviews.

Migrations 0002 and 0004 refused UPDATE; this closes the other ways a row can disappear: a row
DELETE (also what the ORM's base manager and cascades issue) and, on PostgreSQL, a
TRUNCATE (statement trigger; it also fires for tables reached by TRUNCATE … CASCADE).
Both raise SQLSTATE 23001 (restrict_violation) / SQLite's constraint error, so Django
reports an IntegrityError on either database.

Only the table owner can disable or drop these triggers: production runs the app as a
role that owns nothing (scripts/db_roles.sql). The test suite's flush between
live-server tests disables them for its own transaction (tests/conftest.py).
"""

from django.db import migrations

TABLES = ["remediation_remediationentry", "remediation_evidence", "remediation_entryreview"]

PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION remediation_refuse_removal() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'append-only: %% rows cannot be removed (%%)', TG_TABLE_NAME, TG_OP "
    "USING ERRCODE = 'restrict_violation'; END; $$ LANGUAGE plpgsql;"
)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION remediation_refuse_removal();"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION remediation_refuse_removal();"
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only: {table} rows cannot be removed'); END;"
            )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table};")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS remediation_refuse_removal();")


class Migration(migrations.Migration):
    dependencies = [("remediation", "0004_existing_entries_accepted")]

    operations = [
        migrations.AlterModelOptions(
            name="evidence",
            options={
                "base_manager_name": "objects",
                "ordering": ["entry_id", "id"],
                "verbose_name": "証跡ファイル",
                "verbose_name_plural": "証跡ファイル",
            },
        ),
        migrations.AlterModelOptions(
            name="entryreview",
            options={
                "base_manager_name": "objects",
                "ordering": ["-reviewed_at", "-id"],
                "verbose_name": "措置の審査",
                "verbose_name_plural": "措置の審査",
            },
        ),
        migrations.AlterModelOptions(
            name="remediationentry",
            options={
                "base_manager_name": "objects",
                "ordering": ["finding_id", "entry_date", "recorded_at", "id"],
                "verbose_name": "措置",
                "verbose_name_plural": "措置",
            },
        ),
        migrations.RunPython(create, drop),
    ]
