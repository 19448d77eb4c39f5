import datetime

from django.db import migrations


def seed(apps, schema_editor):
    from regulator.lists.rules import DEFAULT_DOCUMENT

    RuleSet = apps.get_model("regulator", "RuleSet")
    if RuleSet.objects.exists():
        return
    RuleSet.objects.create(
        version=1, name="文化和旅游市场信用管理规定（文化和旅游部令第7号）及发改委令第58号修复规则",
        effective_from=datetime.date(2022, 1, 1), document=DEFAULT_DOCUMENT,
    )
    RuleSet.objects.create(
        version=2, name="信用修复管理办法（令第36号）施行后",
        effective_from=datetime.date(2026, 4, 1), document=DEFAULT_DOCUMENT,
    )


class Migration(migrations.Migration):
    dependencies = [("regulator", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
