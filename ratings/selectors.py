"""Reads of credit scores; other apps read grades only through here."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from ratings.models import CreditScore, CreditScoreHistory, Grade

UNSCORED_GRADE = Grade.B  # DOMAIN.md: a new entity starts at 800, grade B


def grades_for(entity_ids: Iterable[int]) -> dict[int, str]:
    """The grade of each entity; an entity not yet scored is grade B."""
    ids = list(entity_ids)
    grades = dict(CreditScore.objects.filter(entity_id__in=ids).values_list("entity_id", "grade"))
    return {entity_id: grades.get(entity_id, UNSCORED_GRADE) for entity_id in ids}


def grade_q(grades: Iterable[str], prefix: str = "") -> Q:
    """Entities whose grade is one of ``grades`` (unscored entities count as B)."""
    wanted = list(grades)
    condition = Q(**{f"{prefix}credit_score__grade__in": wanted})
    if UNSCORED_GRADE in wanted:
        condition |= Q(**{f"{prefix}credit_score__isnull": True})
    return condition


def score_for(entity_id: int) -> CreditScore | None:
    return CreditScore.objects.filter(entity_id=entity_id).first()


def scores_for(entity_ids: Iterable[int]) -> dict[int, CreditScore]:
    """The scores of these entities, by entity (one query; an entity not yet scored is absent)."""
    return {score.entity_id: score for score in CreditScore.objects.filter(entity_id__in=list(entity_ids))}


def history_for(entity_id: int) -> QuerySet[CreditScoreHistory]:
    return CreditScoreHistory.objects.filter(entity_id=entity_id).order_by("-computed_at", "-id")
