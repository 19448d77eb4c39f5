from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0006_jobs")]

    operations = [
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["table_name", "id"], name="audit_table_head"),
        ),
    ]
