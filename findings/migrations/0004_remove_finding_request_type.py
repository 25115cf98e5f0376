from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("findings", "0003_request_type_to_subclass")]

    operations = [
        migrations.RemoveConstraint(model_name="finding", name="finding_request_type_valid"),
        migrations.RemoveField(model_name="finding", name="request_type"),
    ]
