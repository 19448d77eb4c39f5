from django.db import migrations


def seed(apps, schema_editor):
    from regulator.holidays import calendar_rows

    CalendarDay = apps.get_model("regulator", "CalendarDay")
    for day, kind, name in calendar_rows():
        CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "name": name})


class Migration(migrations.Migration):
    dependencies = [("regulator", "0002_calendar")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
