"""Reads of the household workers' credit files (家政服务员信用档案), scoped to the caller.

A firm sees only its own workers: the persons it has employed (any period), and of them its own employments and
cards; the file's entries (identity, health, training, skills) are the person's and travel with them from firm to
firm. Regulators see every file; inspectors the workers of firms in their scope. Out of scope is not found.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from entities.models import Entity, Person
from entities.selectors import entities_for, entity_scope_q
from entities.workers import (
    Employment,
    HealthCheck,
    IdentityVerification,
    ServiceCard,
    SkillCertificate,
    TrainingKind,
    TrainingRecord,
)


def _sees_everyone(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_regulator)


def employments_for(user) -> QuerySet[Employment]:
    queryset = Employment.objects.select_related("entity", "person")
    scope = entity_scope_q(user, "entity__")
    return queryset if scope is None else queryset.filter(scope)


def workers_for(user) -> QuerySet[Person]:
    """The persons whose file the caller may open: everyone for a regulator, else those employed by a firm in scope."""
    if _sees_everyone(user):
        return Person.objects.filter(pk__in=Employment.objects.values("person_id"))
    return Person.objects.filter(pk__in=employments_for(user).values("person_id"))


def worker_files(user) -> QuerySet[Person]:
    """Worker files with everything a list or a detail shows prefetched: a fixed number of queries per page."""
    cards = ServiceCard.objects.select_related("employment__entity")
    employments = employments_for(user).prefetch_related(Prefetch("cards", queryset=cards))
    return workers_for(user).order_by("id").prefetch_related(
        Prefetch("employments", queryset=employments.order_by("-started_on", "-id"), to_attr="visible_employments"),
        Prefetch("identity_verifications", queryset=IdentityVerification.objects.order_by("-verified_on", "-id")),
        Prefetch("health_checks", queryset=HealthCheck.objects.order_by("-checked_on", "-id")),
        Prefetch("trainings", queryset=TrainingRecord.objects.order_by("-completed_on", "-id")),
        Prefetch("skill_certificates", queryset=SkillCertificate.objects.order_by("-issued_on", "-id")),
    )


def _entries_for(model, user) -> QuerySet:
    """File entries of the workers the caller may see."""
    queryset = model.objects.select_related("person", "recorded_by_entity")
    if _sees_everyone(user):
        return queryset
    return queryset.filter(person__in=workers_for(user).values("pk"))


def identity_verifications_for(user) -> QuerySet[IdentityVerification]:
    return _entries_for(IdentityVerification, user)


def health_checks_for(user) -> QuerySet[HealthCheck]:
    return _entries_for(HealthCheck, user)


def trainings_for(user) -> QuerySet[TrainingRecord]:
    return _entries_for(TrainingRecord, user)


def skill_certificates_for(user) -> QuerySet[SkillCertificate]:
    return _entries_for(SkillCertificate, user)


def cards_for(user) -> QuerySet[ServiceCard]:
    """Cards of the caller's own employments (a firm never sees another firm's card of the same worker)."""
    queryset = ServiceCard.objects.select_related("employment__entity", "employment__person")
    scope = entity_scope_q(user, "employment__entity__")
    return queryset if scope is None else queryset.filter(scope)


def writable_firms(user) -> QuerySet[Entity]:
    """Household-service firms the caller may record workers for: its own (business) or any (regulator)."""
    if not getattr(user, "is_authenticated", False) or not (user.is_regulator or user.is_business):
        return Entity.objects.none()
    return entities_for(user).filter(sector="household_service")


# ------------------------------------------------------------------ the card's state on a day (pure over rows)


@dataclass(frozen=True)
class CardState:
    """A card on one day: ``status`` valid | expired | revoked, why it is not valid, and its last valid day."""

    status: str
    reasons: tuple[str, ...] = field(default_factory=tuple)
    valid_until: datetime.date | None = None
    identity_verified: bool = False
    health_check_valid: bool = False
    health_check_expires_on: datetime.date | None = None
    training_done: bool = False

    @property
    def valid(self) -> bool:
        return self.status == "valid"


#: why a card is not valid on a day, in words
CARD_REASONS = {
    "revoked": "证件已注销",
    "employment_ended": "已离开发证企业（在职登记已终止）",
    "employment_not_started": "尚未入职",
    "health_check_lapsed": "健康体检已过有效期或不合格",
    "card_expired": "证件已过有效期",
    "not_issued": "证件尚未生效",
}


def health_check_on(checks, day: datetime.date):
    """The passed health check covering ``day`` (checked on or before it, valid to it inclusive), latest first."""
    covering = [c for c in checks if c.passed and c.checked_on <= day <= c.expires_on]
    return max(covering, key=lambda c: (c.expires_on, c.pk or 0)) if covering else None


def training_done(trainings, day: datetime.date) -> bool:
    """岗前培训 or 回炉 retraining completed by ``day``."""
    done = {TrainingKind.PRE_JOB, TrainingKind.RETRAINING}
    return any(t.kind in done and t.completed_on <= day for t in trainings)


def card_state(card: ServiceCard, *, day: datetime.date, health_checks, verifications, trainings) -> CardState:
    """The card on ``day``: revoked from its revocation day; else expired the day after the employment ends, the
    health check lapses or the card's own limit passes; the last day of each is still valid."""
    employment = card.employment
    check = health_check_on(health_checks, day)
    verified = any(v.verified_on <= day for v in verifications)
    limits = [d for d in (employment.ended_on, card.expires_on, check.expires_on if check else None) if d]
    flags = {"identity_verified": verified, "health_check_valid": check is not None,
             "health_check_expires_on": check.expires_on if check else None,
             "training_done": training_done(trainings, day)}
    if card.revoked_on is not None and card.revoked_on <= day:
        return CardState("revoked", ("revoked",), None, **flags)
    reasons = []
    if day < card.issued_on:
        reasons.append("not_issued")
    if day < employment.started_on:
        reasons.append("employment_not_started")
    if employment.ended_on is not None and day > employment.ended_on:
        reasons.append("employment_ended")
    if card.expires_on is not None and day > card.expires_on:
        reasons.append("card_expired")
    if check is None:
        reasons.append("health_check_lapsed")
    if reasons:
        return CardState("expired", tuple(reasons), None, **flags)
    return CardState("valid", (), min(limits) if limits else None, **flags)


def card_by_code(code: str | None) -> ServiceCard | None:
    """The card with this (normalised) code and what its state needs, in a fixed number of queries; None if none."""
    if not code:
        return None
    return (ServiceCard.objects.filter(code=code).select_related("employment__entity", "employment__person")
            .prefetch_related("employment__person__health_checks", "employment__person__identity_verifications",
                              "employment__person__trainings").first())


def employment_on(*, person_id: int, entity_id: int, day: datetime.date) -> Employment | None:
    """The employment of the person by the firm covering ``day`` (a complaint's or a finding's date), else None."""
    return (Employment.objects.filter(person_id=person_id, entity_id=entity_id, started_on__lte=day)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day)).order_by("-started_on").first())
