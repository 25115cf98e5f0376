"""Carry every row of the old 操作記録 (audits.Activity) into the audit log, before the
old table goes (audits 0007). An Activity row said what someone did in words, with no
before → after: it becomes an explicit line (action 9, 操作) with the same time, actor,
words and target, marked as carried over. Rows about a finding or one of its entries
keep their place in that finding's timeline.

Frozen: historical models and literal values only.
"""

from django.db import migrations

NOTE = 9
MIGRATED = "migrated"


def carry_over(apps, schema_editor):
    Activity = apps.get_model("audits", "Activity")
    LogEntry = apps.get_model("history", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    RemediationEntry = apps.get_model("remediation", "RemediationEntry")
    content_types = {}
    rows = []
    for activity in Activity.objects.order_by("at", "id").iterator():
        app_label, _, model = activity.target_type.partition(".")
        key = (app_label, model)
        if key not in content_types:
            content_types[key], _ = ContentType.objects.get_or_create(
                app_label=app_label, model=model
            )
        finding_id = None
        if activity.target_type == "findings.finding":
            finding_id = activity.target_id
        elif activity.target_type == "remediation.remediationentry":
            finding_id = (
                RemediationEntry.objects.filter(pk=activity.target_id)
                .values_list("finding_id", flat=True)
                .first()
            )
        rows.append(
            LogEntry(
                content_type=content_types[key],
                object_pk=str(activity.target_id),
                object_id=activity.target_id,
                object_repr=activity.summary or activity.action,
                action=NOTE,
                activity=activity.action[:100],
                additional_data={"summary": activity.summary} if activity.summary else None,
                actor_id=activity.actor_id,
                timestamp=activity.at,
                source=MIGRATED,
                finding_id=finding_id,
            )
        )
    LogEntry.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("history", "0002_append_only_triggers"),
        ("audits", "0006_remove_audit_kind"),
        ("remediation", "0002_append_only_trigger"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # One way: the log cannot give rows back (its rows cannot be deleted either).
    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
