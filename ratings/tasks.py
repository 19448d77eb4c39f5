"""Celery tasks of ratings."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def rescore_entity(entity_id: int) -> None:
    """Recompute one entity's score after its evidence changed (idempotent)."""
    from .services import entity_rescore

    entity_rescore(entity_id=entity_id)
