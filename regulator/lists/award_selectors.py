"""Reads of the 诚信评选 (awards), scoped to the caller, and the facts its criteria are checked against.

Regulators see every round and application; a business sees the open rounds and its own entities'
applications (another business's is simply not found); the public sees the applications in their notice period
and the awards in force, never an objector or the check results' internals beyond the words.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from complaints.models import Complaint, Finding
from entities.selectors import entities_for
from ratings.ledger import Derived
from ratings.selectors import scores_for
from regulator.lists.award_transitions import NOTICE_STATES
from regulator.lists.awards import AwardApplication, AwardObjection, AwardRound, AwardRoundStatus, AwardStatus
from regulator.lists.models import Listing, ListingStatus

_RELATED = ("round", "entity", "decision_document")


def rounds_for(user) -> QuerySet[AwardRound]:
    """Regulators: every round; everyone else: the rounds open for applications."""
    queryset = AwardRound.objects.select_related("rule_set")
    if getattr(user, "is_regulator", False):
        return queryset
    return queryset.filter(status=AwardRoundStatus.OPEN)


def applications_for(user) -> QuerySet[AwardApplication]:
    queryset = AwardApplication.objects.select_related(*_RELATED)
    if getattr(user, "is_regulator", False):
        return queryset
    if not getattr(user, "is_business", False):
        return queryset.none()
    return queryset.filter(entity__in=entities_for(user).values("pk"))


def objections_for(user) -> QuerySet[AwardObjection]:
    """Objections are read by regulators only: an objector's name and contact are never shown to the business."""
    if not getattr(user, "is_regulator", False):
        return AwardObjection.objects.none()
    return AwardObjection.objects.select_related("application")


def public_notices(*, day: datetime.date) -> QuerySet[AwardApplication]:
    """公示中: the applications whose notice period runs on ``day``, objections possible."""
    return (AwardApplication.objects.select_related("round", "entity")
            .filter(status__in=NOTICE_STATES, notice_starts_on__lte=day, notice_due__gte=day)
            .order_by("notice_due", "id"))


def awards_in_force(*, day: datetime.date) -> QuerySet[AwardApplication]:
    """已授予且在有效期内."""
    return (AwardApplication.objects.select_related("round", "entity")
            .filter(status=AwardStatus.GRANTED, decided_on__lte=day, valid_until__gte=day)
            .order_by("-decided_on", "-id"))


def badges_for(entity_ids: Iterable[int], *, day: datetime.date) -> dict[int, list[dict[str, Any]]]:
    """Per entity, its awards in force on ``day`` as the public sees them (one statement for any number)."""
    ids = list(entity_ids)
    found: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    if not ids:
        return found
    for award in awards_in_force(day=day).filter(entity_id__in=ids):
        found[award.entity_id].append(badge(award))
    return found


def badge(award: AwardApplication) -> dict[str, Any]:
    return {"id": award.pk, "kind": award.round.kind, "kind_label": award.round.get_kind_display(),
            "round_name": award.round.name, "decision_number": award.decision_number,
            "decided_on": award.decided_on, "valid_until": award.valid_until, "legal_basis": award.legal_basis}


def badges_attach(rows: list[dict[str, Any]], entity_ids: list[int], *, day: datetime.date) -> None:
    """Add ``awards`` to each public registry row (rows and ids in the same order): one statement per page."""
    badges = badges_for(entity_ids, day=day)
    for row, entity_id in zip(rows, entity_ids, strict=True):
        row["awards"] = badges.get(entity_id, [])


def badges_by_credit_code(credit_code: str, *, day: datetime.date) -> list[dict[str, Any]]:
    return [badge(award) for award in awards_in_force(day=day).filter(entity__credit_code=credit_code)]


def entity_facts(entity_id: int, *, day: datetime.date, horizon_days: int = 3660) -> dict[str, Any]:
    """What the criteria read about one entity on ``day``: its score and grade, the substantiated complaints and
    the findings of the horizon, the lists it is published on."""
    since = day - datetime.timedelta(days=horizon_days)
    score = scores_for([entity_id]).get(entity_id)
    complaints = list(Complaint.objects.filter(
        entity_id=entity_id, outcome="substantiated", status__in=["resolved", "closed"],
        resolved_on__gt=since, resolved_on__lte=day).values_list("resolved_on", flat=True))
    findings = list(Finding.objects.filter(
        inspection__entity_id=entity_id, inspection__inspected_on__gt=since, inspection__inspected_on__lte=day)
        .values_list("severity", "inspection__inspected_on"))
    listed = sorted(set(Listing.objects.filter(entity_id=entity_id, status=ListingStatus.PUBLISHED)
                        .values_list("list_type", flat=True)))
    return {"grade": score.grade if score else None, "score": score.score if score else None,
            "complaints": complaints, "findings": findings, "listed": listed}


def award_events(entity_id: int, as_of: datetime.date) -> Iterable[Derived]:
    """The ledger's ``award`` source: each award in force on ``as_of`` is one ``award`` line (+50 by default);
    a revoked or expired award yields none, so its line leaves the breakdown at the next rescore."""
    rows = AwardApplication.objects.filter(entity_id=entity_id, status=AwardStatus.GRANTED, decided_on__lte=as_of,
                                           valid_until__gte=as_of).select_related("round")
    for award in rows:
        yield Derived("award", award.pk, "award", award.decided_on, "general", award.valid_until,
                      f"{award.round.get_kind_display()}（{award.decision_number}）")
