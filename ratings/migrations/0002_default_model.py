import datetime

from django.db import migrations


def create_default(apps, schema_editor):
    from ratings.engine import DEFAULT_RULES

    ScoringModel = apps.get_model("ratings", "ScoringModel")
    if not ScoringModel.objects.exists():
        ScoringModel.objects.create(
            version=1, name="默认模型（DOMAIN.md 缺省值）", effective_from=datetime.date(2023, 5, 1),
            rules=DEFAULT_RULES, is_active=True,
        )


class Migration(migrations.Migration):
    dependencies = [("ratings", "0001_initial")]
    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
