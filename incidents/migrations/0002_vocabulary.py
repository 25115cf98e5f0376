"""The register's starting vocabulary: the audit kind of its container audits and the
種別 of seed 003 (plus common ones). Literal values and historical models only.

The finding class 再発防止策 is made by the service with the first register year, not
here: an audit created without chosen classes reports every class there is, and every
existing report would otherwise gain an empty 「再発防止策 特になし」 block."""

from django.db import migrations

AUDIT_KIND = "セキュリティ障害"
INCIDENT_TYPES = [
    "誤送付",
    "紛失・盗難",
    "誤廃棄",
    "機器の障害",
    "プログラムミス",
    "データの取り込みミス",
    "不正アクセス",
    "ウイルス感染",
    "その他",
]


def forwards(apps, schema_editor):
    audit_kind = apps.get_model("audits", "AuditKind")
    if not audit_kind.objects.filter(name=AUDIT_KIND).exists():
        last = audit_kind.objects.order_by("-sort_order").first()
        audit_kind.objects.create(
            name=AUDIT_KIND, sort_order=(last.sort_order + 10) if last else 0
        )
    incident_type = apps.get_model("incidents", "IncidentType")
    for position, type_name in enumerate(INCIDENT_TYPES):
        incident_type.objects.get_or_create(name=type_name, defaults={"sort_order": position})


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_initial"),
        ("audits", "0003_default_vocabulary_and_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
