"""One manual proposal per subject, list type and reason while in due process; one open objection per listing.

Databases that already hold duplicates (the finding was 20 identical proposals, and any number of objections)
are made to fit first, the way the services now treat them:

- of identical manual proposals still in due process, the most advanced (then the oldest) stays; the others are
  withdrawn (撤回), each with a history row saying which one it duplicated;
- several unanswered objections to one listing become the oldest one, amended: its statement carries every
  statement in the order filed, the others are deleted, and the listing's history records the amendment.
"""

from django.db import migrations, models
from django.db.models.functions import MD5

IN_PROCESS = ["proposed", "notified", "decided"]
ADVANCE = {"decided": 0, "notified": 1, "proposed": 2}


def _event(ListingEvent, listing, *, action, from_status, reason):
    ListingEvent.objects.create(listing=listing, action=action, from_status=from_status, to_status=listing.status,
                                actor=None, actor_name="系统", reason=reason)


def fit_existing_rows(apps, schema_editor):
    Listing = apps.get_model("regulator", "Listing")
    ListingEvent = apps.get_model("regulator", "ListingEvent")
    Objection = apps.get_model("regulator", "Objection")

    changed = False
    groups = {}
    for listing in Listing.objects.filter(source_type="manual", status__in=IN_PROCESS).order_by("id"):
        key = (listing.list_type, listing.subject_type, listing.entity_id, listing.person_id, listing.reason)
        groups.setdefault(key, []).append(listing)
    for rows in groups.values():
        if len(rows) < 2:
            continue
        rows.sort(key=lambda row: (ADVANCE[row.status], row.pk))
        kept = rows[0]
        for duplicate in rows[1:]:
            from_status = duplicate.status
            duplicate.status = "withdrawn"
            duplicate.end_reason = f"与名单 #{kept.pk} 为同一主体、同一名单类型、同一事由的重复拟列入，迁移时撤回。"
            duplicate.save(update_fields=["status", "end_reason", "updated_at"])
            _event(ListingEvent, duplicate, action="withdraw", from_status=from_status, reason=duplicate.end_reason)
            changed = True

    listing_ids = (Objection.objects.filter(answered_at__isnull=True).values("listing_id")
                   .annotate(n=models.Count("id")).filter(n__gt=1).values_list("listing_id", flat=True))
    for listing_id in list(listing_ids):
        objections = list(Objection.objects.filter(listing_id=listing_id, answered_at__isnull=True).order_by("id"))
        first, later = objections[0], objections[1:]
        first.statement = "\n\n".join(objection.statement for objection in objections)
        first.save(update_fields=["statement"])
        Objection.objects.filter(pk__in=[objection.pk for objection in later]).delete()
        listing = Listing.objects.get(pk=listing_id)
        _event(ListingEvent, listing, action="objection_amend", from_status=listing.status,
               reason=f"合并 {len(objections)} 份未答复的陈述申辩（迁移）。")
        changed = True
    if changed:
        # Check the deferred foreign keys now: PostgreSQL will not index a table with trigger events pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ("regulator", "0002_seed_rule_sets"),
    ]

    operations = [
        migrations.RunPython(fit_existing_rows, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="listing",
            constraint=models.UniqueConstraint(
                models.F("list_type"), models.F("subject_type"), models.F("entity"), models.F("person"),
                MD5("reason"), condition=models.Q(("source_type", "manual"), ("status__in", IN_PROCESS)),
                name="listing_manual_proposal_once", nulls_distinct=False,
            ),
        ),
        migrations.AddConstraint(
            model_name="objection",
            constraint=models.UniqueConstraint(condition=models.Q(("answered_at__isnull", True)),
                                               fields=("listing",), name="one_open_objection_per_listing"),
        ),
    ]
