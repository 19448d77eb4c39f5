"""What the public may see: published listings in their period and published penalties (信用信息公示).

No personal data beyond a masked name: persons appear as 张** with their role
and company; ID numbers and complainants never appear.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from complaints.models import Finding
from entities.models import Entity, Person
from entities.selectors import entities_for, search_names
from regulator.disclosure.models import PublicStatement, StatementStatus
from regulator.lists.models import (
    Listing,
    ListingStatus,
    ListType,
    SubjectType,
)
from regulator.lists.selectors import rule_set_on


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧阳**: the surname and nothing else."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    keep = 2 if len(name) >= 4 else 1
    return name[:keep] + "*" * (len(name) - keep)


def published_listings(list_type: str, *, as_of: datetime.date | None = None) -> QuerySet[Listing]:
    day = as_of or timezone.localdate()
    return (
        Listing.objects.filter(list_type=list_type, status=ListingStatus.PUBLISHED, published_on__lte=day)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=day))
        .select_related("entity", "person", "related_entity")
        .order_by("-published_on", "-id")
    )


def search_listings(queryset: QuerySet[Listing], query: str) -> QuerySet[Listing]:
    """By credit code, by name (simplified or traditional), by pinyin or initials, by any part of the name."""
    query = (query or "").strip()
    if not query:
        return queryset
    entities = search_names(Entity.objects.all(), query, code_field="credit_code").values("pk")
    persons = search_names(Person.objects.all(), query).values("pk")
    return queryset.filter(Q(entity__in=entities) | Q(related_entity__in=entities) | Q(person__in=persons))


def approved_statements(*, listing_ids=(), finding_ids=()) -> dict[tuple[str, int], list[dict[str, Any]]]:
    rows = PublicStatement.objects.filter(status=StatementStatus.APPROVED).filter(
        Q(listing_id__in=list(listing_ids)) | Q(finding_id__in=list(finding_ids))
    ).order_by("id")
    result: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for row in rows:
        key = ("listing", row.listing_id) if row.listing_id else ("finding", row.finding_id)
        result.setdefault(key, []).append({"text": row.text, "published_at": row.reviewed_at})
    return result


def public_listing(listing: Listing, statements: dict | None = None) -> dict[str, Any]:
    entity = listing.entity if listing.subject_type == SubjectType.ENTITY else listing.related_entity
    row = {
        "id": listing.pk,
        "list_type": listing.list_type,
        "subject_type": listing.subject_type,
        "name": listing.entity.name if listing.subject_type == SubjectType.ENTITY else mask_name(listing.person.name),
        "credit_code": listing.entity.credit_code if listing.subject_type == SubjectType.ENTITY else None,
        "related_entity_name": entity.name if entity is not None and listing.subject_type == SubjectType.PERSON else None,
        "person_role": listing.person_role or None,
        "sector": entity.sector if entity is not None else None,
        "region_code": entity.region_code if entity is not None else None,
        "reason": listing.reason,
        "legal_basis": listing.legal_basis,
        "decision_number": listing.decision_number,
        "decided_on": listing.decided_on,
        "published_on": listing.published_on,
        "expires_on": listing.expires_on,
        "measures": listing.measures,
        "source_authority": listing.source_authority or None,
    }
    if statements is not None:
        row["statements"] = statements.get(("listing", listing.pk), [])
    return row


def _penalty_max_days(finding, publicity: dict[str, Any]) -> int:
    serious = finding.severity in ("serious", "grave") or finding.penalty in ("suspension", "revocation")
    return publicity["serious_max_days"] if serious else publicity["general_max_days"]


def published_penalties(entity: Entity, *, as_of: datetime.date | None = None) -> list[dict[str, Any]]:
    """Penalties inside their publicity period; a warning alone is not published (DOMAIN.md)."""
    day = as_of or timezone.localdate()
    publicity = rule_set_on(day).document["publicity"]
    excluded = ["none"] + ([] if publicity.get("warning_published") else ["warning"])
    findings = (
        Finding.objects.filter(inspection__entity=entity).exclude(penalty__in=excluded)
        .select_related("violation_type", "inspection").order_by("-inspection__inspected_on", "-id")
    )
    statements = approved_statements(finding_ids=[f.pk for f in findings])
    result = []
    for finding in findings:
        decided = finding.decided_on or finding.inspection.inspected_on
        until = decided + datetime.timedelta(days=_penalty_max_days(finding, publicity))
        if decided > day or until <= day:
            continue
        result.append({
            "id": finding.pk,
            "violation": finding.violation_type.name,
            "legal_basis": finding.violation_type.legal_basis,
            "penalty": finding.penalty,
            "fine_amount": finding.fine_amount,
            "decision_number": finding.decision_number,
            "decided_on": decided,
            "publicity_until": until,
            "rectified_on": finding.rectified_on,
            "statements": statements.get(("finding", finding.pk), []),
        })
    return result


def public_profile(entity: Entity, *, as_of: datetime.date | None = None) -> dict[str, Any]:
    day = as_of or timezone.localdate()
    listings = [listing for list_type in ListType.values for listing in published_listings(list_type, as_of=day)
                .filter(Q(entity=entity) | Q(related_entity=entity))]
    statements = approved_statements(listing_ids=[listing.pk for listing in listings])
    return {
        "credit_code": entity.credit_code,
        "name": entity.name,
        "sector": entity.sector,
        "category": entity.category,
        "region_code": entity.region_code,
        "status": entity.status,
        # DOMAIN.md: the grade is shown to the business and regulators; the public sees lists and penalties.
        "grade": None,
        "listings": [public_listing(listing, statements) for listing in listings],
        "penalties": published_penalties(entity, as_of=day),
    }


def statements_for(user) -> QuerySet[PublicStatement]:
    queryset = PublicStatement.objects.select_related("entity")
    if getattr(user, "is_regulator", False):
        return queryset
    return queryset.filter(entity__in=entities_for(user).values("pk"))
