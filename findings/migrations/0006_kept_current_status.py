"""The current published status kept on the finding (filled by 0007), indexed for the
未措置 filter, the per-audit open counts and the sort by the status date."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("findings", "0005_finding_search_text"),
        ("remediation", "0005_refuse_delete_and_truncate"),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="is_closed",
            field=models.BooleanField(default=False, editable=False, verbose_name="完了"),
        ),
        migrations.AddField(
            model_name="finding",
            name="latest_status",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="remediation.remediationstatus",
                verbose_name="現在の状況",
            ),
        ),
        migrations.AddField(
            model_name="finding",
            name="latest_status_date",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="現在の状況の日付"
            ),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["is_closed", "audit"], name="finding_closed_audit"),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["latest_status_date"], name="finding_status_date"),
        ),
    ]
