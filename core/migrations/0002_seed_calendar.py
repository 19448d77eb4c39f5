from django.db import migrations


def seed(apps, schema_editor):
    from core.holidays import calendar_rows

    CalendarDay = apps.get_model("core", "CalendarDay")
    for day, kind, name in calendar_rows():
        CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "name": name})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
