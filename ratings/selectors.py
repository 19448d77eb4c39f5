"""Reads of credit scores other apps may use."""

from __future__ import annotations

from collections.abc import Iterable

from .models import CreditScore, Grade

UNSCORED_GRADE = Grade.B  # DOMAIN.md: a new entity starts at 800, grade B


def grades_for(entity_ids: Iterable[int]) -> dict[int, str]:
    """The grade of each entity; an entity not yet scored is grade B."""
    ids = list(entity_ids)
    grades = dict(CreditScore.objects.filter(entity_id__in=ids).values_list("entity_id", "grade"))
    return {entity_id: grades.get(entity_id, UNSCORED_GRADE) for entity_id in ids}
