"""The fixed 是正 / 改善 choice becomes configurable sub-classes of each finding class:
every (class, request type) in use gets a sub-class of the same name."""

from django.db import migrations

LABELS = {"zesei": ("是正", 10), "kaizen": ("改善", 20)}


def forwards(apps, schema_editor):
    Finding = apps.get_model("findings", "Finding")
    FindingKind = apps.get_model("findings", "FindingKind")
    FindingSubclass = apps.get_model("findings", "FindingSubclass")
    # The default 指摘 class offers 是正 and 改善 from the start (DOMAIN: 指摘 may be split).
    for kind in FindingKind.objects.filter(code="shiteki"):
        for name, order in LABELS.values():
            FindingSubclass.objects.get_or_create(kind=kind, name=name, defaults={"sort_order": order})
    for finding in Finding.objects.exclude(request_type=""):
        name, order = LABELS[finding.request_type]
        subclass, _ = FindingSubclass.objects.get_or_create(
            kind_id=finding.kind_id, name=name, defaults={"sort_order": order}
        )
        finding.subclass = subclass
        finding.save(update_fields=["subclass"])


def backwards(apps, schema_editor):
    Finding = apps.get_model("findings", "Finding")
    codes = {name: code for code, (name, _) in LABELS.items()}
    for finding in Finding.objects.exclude(subclass=None).select_related("subclass"):
        finding.request_type = codes.get(finding.subclass.name, "")
        finding.save(update_fields=["request_type"])


class Migration(migrations.Migration):
    dependencies = [("findings", "0002_audit_shapes")]

    operations = [migrations.RunPython(forwards, backwards)]
