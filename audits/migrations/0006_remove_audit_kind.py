from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("audits", "0005_audit_kinds_and_auditors")]

    operations = [migrations.RemoveField(model_name="audit", name="kind")]
