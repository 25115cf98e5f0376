"""The old 操作記録 (Activity) is gone: history 0003 carried its rows into the audit log
(history.LogEntry), which records every change by itself and is append-only in the
database (history 0002). Dropping the table drops its triggers (0008); their function
goes too."""

from django.db import migrations


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS audits_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0008_activity_append_only"),
        ("history", "0003_carry_over_activity"),
    ]

    operations = [
        migrations.DeleteModel(name="Activity"),
        migrations.RunPython(drop_function, migrations.RunPython.noop),
    ]
