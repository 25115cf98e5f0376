"""Fill the kept current status from the entries as they stand: the status of each
finding's latest accepted entry (by entry date, then when it was recorded, then id),
none for 未報告. Frozen: historical models and the literal decision value."""

from typing import Any

from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill(apps: Any, schema_editor: Any) -> None:
    Finding = apps.get_model("findings", "Finding")
    Entry = apps.get_model("remediation", "RemediationEntry")
    latest = Entry.objects.filter(finding=OuterRef("pk"), review__decision="accepted").order_by(
        "-entry_date", "-recorded_at", "-id"
    )
    Finding.objects.update(
        latest_status_id=Subquery(latest.values("status_id")[:1]),
        latest_status_date=Subquery(latest.values("entry_date")[:1]),
        is_closed=Coalesce(Subquery(latest.values("status__is_closed")[:1]), Value(False)),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("findings", "0006_kept_current_status"),
        ("remediation", "0005_refuse_delete_and_truncate"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
