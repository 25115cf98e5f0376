"""Reviews are append-only like the entries they judge, and every entry recorded before
the review step existed counts as accepted: it was final the moment it was posted."""

from django.db import migrations

TABLE = "remediation_entryreview"
REASON = ""


def protect(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION remediation_refuse_update() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'append-only: %% rows cannot be updated', TG_TABLE_NAME; "
            "END; $$ LANGUAGE plpgsql;"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION remediation_refuse_update();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, 'append-only: {TABLE} rows cannot be updated'); END;"
        )


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update ON {TABLE};")
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update;")


def accept_existing(apps, schema_editor):
    Entry = apps.get_model("remediation", "RemediationEntry")
    Review = apps.get_model("remediation", "EntryReview")
    Review.objects.bulk_create(
        [
            Review(entry_id=pk, decision="accepted", reason=REASON, reviewed_at=recorded_at)
            for pk, recorded_at in Entry.objects.values_list("pk", "recorded_at").iterator()
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("remediation", "0003_entry_review")]

    operations = [
        migrations.RunPython(protect, unprotect),
        migrations.RunPython(accept_existing, migrations.RunPython.noop),
    ]
