"""Reads of rectification evidence (整改材料), scoped like the findings they answer (out of scope = not found).

A business sees the submissions for the findings of its own entities, staff those of the entities in their
jurisdiction and sectors (entities.selectors.entity_scope_q), the public none.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from complaints.rectification import RectificationEvidence, RectificationEvidenceFile
from entities.selectors import entity_scope_q

_ENTITY = "finding__inspection__entity__"


def _files() -> Prefetch:
    return Prefetch("files", queryset=RectificationEvidenceFile.objects.order_by("position"))


def evidence_for(user) -> QuerySet[RectificationEvidence]:
    """Every submission the caller may read, with its finding, entity and files (a fixed number of queries)."""
    queryset = RectificationEvidence.objects.select_related(
        "finding__inspection__entity", "finding__violation_type", "submitted_by", "reviewer",
    ).prefetch_related(_files())
    scope = entity_scope_q(user, _ENTITY)
    return queryset if scope is None else queryset.filter(scope)


def evidence_by_finding(user, finding_ids: Iterable[int]) -> dict[int, list[RectificationEvidence]]:
    """The caller's visible submissions for ``finding_ids``, newest first, grouped by finding (two queries)."""
    grouped: dict[int, list[RectificationEvidence]] = {}
    for row in evidence_for(user).filter(finding_id__in=list(finding_ids)).order_by("-created_at", "-id"):
        grouped.setdefault(row.finding_id, []).append(row)
    return grouped


def evidence_files_for(user) -> QuerySet[RectificationEvidenceFile]:
    queryset = RectificationEvidenceFile.objects.select_related("evidence")
    scope = entity_scope_q(user, f"evidence__{_ENTITY}")
    return queryset if scope is None else queryset.filter(scope)
