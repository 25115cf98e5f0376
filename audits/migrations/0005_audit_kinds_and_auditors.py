"""Carry every audit's single kind into its list of kinds, and the comma-joined external
auditors into one name per line, before the old column goes (0006)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Audit = apps.get_model("audits", "Audit")
    for audit in Audit.objects.all():
        audit.kinds.add(audit.kind_id)
        if "、" in audit.auditor_names:
            names = [n.strip() for n in audit.auditor_names.split("、") if n.strip()]
            audit.auditor_names = "\n".join(names)
            audit.save(update_fields=["auditor_names"])


def backwards(apps, schema_editor):
    Audit = apps.get_model("audits", "Audit")
    for audit in Audit.objects.all():
        first = audit.kinds.order_by("sort_order", "pk").first()
        if first is not None:
            audit.kind_id = first.pk
        audit.auditor_names = "、".join(audit.auditor_names.splitlines())[:200]
        audit.save(update_fields=["kind", "auditor_names"])


class Migration(migrations.Migration):
    dependencies = [("audits", "0004_audit_shapes")]

    operations = [migrations.RunPython(forwards, backwards)]
