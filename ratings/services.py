"""Writes of ratings: credit events and scores."""

from __future__ import annotations


def entity_rescore(*, entity_id: int) -> None:
    """Placeholder replaced by the scoring engine (issue 4)."""
