"""信用事件台账: derive credit events from their sources, idempotently.

Each source (complaint outcome, finding, penalty, rectification, clean
inspection, listing) yields events keyed by (source type, source id, rule).
Deriving twice writes the same rows; a source that changed or disappeared
takes its stale events with it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Count

from complaints.models import Complaint, Finding, Inspection
from ratings.models import CreditEvent

SERIOUS_SEVERITIES = {"serious", "grave"}
SERIOUS_PENALTIES = {"suspension", "revocation"}


class Derived(NamedTuple):
    source_type: str
    source_id: int
    rule: str
    occurred_on: datetime.date
    publicity: str = "general"
    ends_on: datetime.date | None = None
    note: str = ""


def complaint_events(entity_id: int, as_of: datetime.date) -> Iterable[Derived]:
    rows = Complaint.objects.filter(
        entity_id=entity_id, status__in=["resolved", "closed"], outcome__in=["substantiated", "mediated"]
    ).values_list("id", "outcome", "resolved_on", "category")
    for complaint_id, outcome, resolved_on, category in rows:
        if resolved_on is not None and resolved_on <= as_of:
            yield Derived("complaint", complaint_id, f"complaint_{outcome}", resolved_on, note=category)


def finding_events(entity_id: int, as_of: datetime.date) -> Iterable[Derived]:
    rows = Finding.objects.filter(inspection__entity_id=entity_id).values_list(
        "id", "severity", "penalty", "decided_on", "rectify_by", "rectified_on", "inspection__inspected_on",
        "violation_type__name",
    )
    for fid, severity, penalty, decided_on, rectify_by, rectified_on, inspected_on, name in rows:
        serious = severity in SERIOUS_SEVERITIES
        yield Derived("finding", fid, f"finding_{severity}", inspected_on, "serious" if serious else "general", note=name)
        if penalty != "none":
            publicity = "serious" if serious or penalty in SERIOUS_PENALTIES else "general"
            yield Derived("finding", fid, f"penalty_{penalty}", decided_on or inspected_on, publicity, note=name)
        if rectify_by is None:
            continue
        if rectified_on is not None and rectified_on <= rectify_by:
            yield Derived("finding", fid, "rectified_on_time", rectified_on, note=name)
        elif (rectified_on is None and as_of > rectify_by) or (rectified_on is not None and rectified_on > rectify_by):
            yield Derived("finding", fid, "rectification_overdue", rectify_by + datetime.timedelta(days=1), note=name)


def inspection_events(entity_id: int, as_of: datetime.date) -> Iterable[Derived]:
    clean = (
        Inspection.objects.filter(entity_id=entity_id, inspected_on__lte=as_of)
        .annotate(n=Count("findings")).filter(n=0).values_list("id", "inspected_on")
    )
    for inspection_id, inspected_on in clean:
        yield Derived("inspection", inspection_id, "inspection_clean", inspected_on)


# Each deriver owns the source types it yields; listings register theirs from the regulator app.
DERIVERS: dict[str, Callable[[int, datetime.date], Iterable[Derived]]] = {
    "complaint": complaint_events,
    "finding": finding_events,
    "inspection": inspection_events,
}


def register(source_type: str, deriver: Callable[[int, datetime.date], Iterable[Derived]]) -> None:
    DERIVERS[source_type] = deriver


@transaction.atomic
def derive_entity_events(*, entity_id: int, as_of: datetime.date) -> int:
    """Bring the entity's ledger in line with its sources; returns the number of events it holds."""
    desired = {(d.source_type, d.source_id, d.rule): d for deriver in DERIVERS.values()
               for d in deriver(entity_id, as_of)}
    CreditEvent.objects.bulk_create(
        [CreditEvent(entity_id=entity_id, source_type=d.source_type, source_id=d.source_id, rule=d.rule,
                     occurred_on=d.occurred_on, publicity=d.publicity, ends_on=d.ends_on, note=d.note[:200])
         for d in desired.values()],
        update_conflicts=True,
        unique_fields=["source_type", "source_id", "rule"],
        update_fields=["entity", "occurred_on", "publicity", "ends_on", "note"],
    )
    existing = CreditEvent.objects.filter(entity_id=entity_id, source_type__in=list(DERIVERS)).values_list(
        "id", "source_type", "source_id", "rule"
    )
    stale = [pk for pk, source_type, source_id, rule in existing if (source_type, source_id, rule) not in desired]
    CreditEvent.objects.filter(pk__in=stale).delete()
    return len(desired)


def derive_overdue_rectifications(*, as_of: datetime.date) -> list[int]:
    """Nightly: findings whose rectification deadline passed unrectified; returns the entities touched."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO ratings_creditevent (entity_id, source_type, source_id, rule, occurred_on, publicity, note,
                                             created_at)
            SELECT i.entity_id, 'finding', f.id, 'rectification_overdue', f.rectify_by + 1, 'general',
                   left(vt.name, 200), now()
            FROM complaints_finding f
            JOIN complaints_inspection i ON i.id = f.inspection_id
            JOIN complaints_violationtype vt ON vt.id = f.violation_type_id
            WHERE f.rectify_by < %s AND f.rectified_on IS NULL
            ON CONFLICT (source_type, source_id, rule) DO NOTHING
            RETURNING entity_id
            """,
            [as_of],
        )
        return sorted({row[0] for row in cursor.fetchall()})
