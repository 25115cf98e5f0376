"""The audit kinds the rounds' container audits carry: 調査 and 訪問調査 (自己点検 is
in the default vocabulary already). Literal values: later code may change."""

from django.db import migrations

KINDS = [("自己点検", 40), ("調査", 45), ("訪問調査", 46)]


def add_kinds(apps, schema_editor):
    audit_kind = apps.get_model("audits", "AuditKind")
    for name, order in KINDS:
        audit_kind.objects.get_or_create(name=name, defaults={"sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial"), ("audits", "0009_activity_moved_to_history")]

    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
