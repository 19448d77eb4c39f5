"""The violation catalogue's legal bases checked against the texts (docs/decisions/0014-verified-citations.md).

0002 seeded the catalogue with article numbers that were never checked (令第7号 第八条 for obstruction and
forged licences, 《旅游法》第一百条 for a missing written contract...). This brings existing databases to
``complaints.catalogue.VIOLATION_TYPES``: corrected citations, and the new codes major_safety_accident and
refuse_complaint_ruling. Rows a regulator added in the admin are left alone.
"""

from django.db import migrations


def sync_catalogue(apps, schema_editor):
    from complaints.catalogue import VIOLATION_TYPES

    ViolationType = apps.get_model("complaints", "ViolationType")
    for code, name, sector, severity, basis, safety in VIOLATION_TYPES:
        ViolationType.objects.update_or_create(
            code=code,
            defaults={"name": name, "sector": sector, "default_severity": severity, "legal_basis": basis,
                      "safety_related": safety},
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0004_plan_seal")]
    operations = [migrations.RunPython(sync_catalogue, migrations.RunPython.noop)]
