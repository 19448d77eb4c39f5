from django.db import migrations


def seed(apps, schema_editor):
    from complaints.catalogue import VIOLATION_TYPES

    ViolationType = apps.get_model("complaints", "ViolationType")
    for code, name, sector, severity, basis, safety in VIOLATION_TYPES:
        ViolationType.objects.update_or_create(
            code=code,
            defaults={"name": name, "sector": sector, "default_severity": severity, "legal_basis": basis,
                      "safety_related": safety},
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
