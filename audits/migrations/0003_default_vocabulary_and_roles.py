from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

AUDIT_KINDS = ["行政監査", "財務監査", "情報セキュリティ監査", "随時監査", "自己点検"]
FINDING_KINDS = [
    ("shiteki", "指摘", "指 摘", 10),
    ("iken", "意見", "意 見", 20),
    ("risk", "リスク発現の可能性があるもの", "", 30),
]
STATUSES = [
    ("sochizumi", "措置済", True, 10),
    ("keizoku", "継続努力", False, 20),
    ("kentou", "検討中", False, 30),
]


def forwards(apps, schema_editor):
    AuditKind = apps.get_model("audits", "AuditKind")
    for order, name in enumerate(AUDIT_KINDS):
        AuditKind.objects.get_or_create(name=name, defaults={"sort_order": order * 10})
    FindingKind = apps.get_model("findings", "FindingKind")
    for code, name, heading, order in FINDING_KINDS:
        FindingKind.objects.get_or_create(
            code=code, defaults={"name": name, "heading": heading, "sort_order": order}
        )
    RemediationStatus = apps.get_model("remediation", "RemediationStatus")
    for code, name, closed, order in STATUSES:
        RemediationStatus.objects.get_or_create(
            code=code, defaults={"name": name, "is_closed": closed, "sort_order": order}
        )
    # Permissions are normally created after all migrations; the groups need them now.
    for label in ("audits", "findings", "remediation"):
        create_permissions(global_apps.get_app_config(label), verbosity=0)
    from audits.services import ensure_role_groups

    ensure_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0002_initial"),
        ("findings", "0001_initial"),
        ("remediation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
