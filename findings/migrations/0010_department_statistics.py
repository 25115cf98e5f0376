"""On PostgreSQL, finer statistics of which departments findings are addressed to. With
the default sample a small department (500 of 10⁶ findings) was estimated at the
average (9,000) and the planner walked every audit newest first to find its twenty
(1.1 s); with these it builds the department's few hundred and sorts them (9 ms)."""

from django.db import migrations

TABLE_COLUMN = "findings_finding_departments ALTER COLUMN department_id"


def finer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE_COLUMN} SET STATISTICS 1000")
        schema_editor.execute("ANALYZE findings_finding_departments")


def default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE_COLUMN} SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("findings", "0009_sort_indexes")]

    operations = [migrations.RunPython(finer, default)]
