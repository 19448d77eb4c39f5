"""Celery tasks of ratings: thin and idempotent (a task run twice leaves the same scores)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from ratings.ledger import derive_overdue_rectifications


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def rescore_entity(entity_id: int) -> None:
    """Recompute one entity's score after its evidence changed."""
    # services import tasks at module top, so tasks import services here
    from ratings.services import entity_rescore

    entity_rescore(entity_id=entity_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def rescore_entities(entity_ids: list[int]) -> int:
    """Recompute the scores of a chunk of entities whose evidence changed in one write (an import)."""
    # services import tasks at module top, so tasks import services here
    from ratings.services import entity_rescore

    for entity_id in entity_ids:
        entity_rescore(entity_id=entity_id)
    return len(entity_ids)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def recompute_chunk_task(run_id: int, index: int) -> int:
    # services import tasks at module top, so tasks import services here
    from ratings.services import recompute_chunk

    return recompute_chunk(run_id=run_id, index=index)


@shared_task(acks_late=True)
def nightly_recompute() -> int:
    """Nightly: derive time-dependent events (overdue rectifications), then rescore everyone as of today."""
    # services import tasks at module top, so tasks import services here
    from ratings.services import recompute_dispatch, recompute_plan

    derive_overdue_rectifications(as_of=timezone.localdate())
    run = recompute_plan(reason="nightly")
    recompute_dispatch(run_id=run.pk)
    return run.pk


@shared_task(acks_late=True)
def drain_rescore_outbox() -> int:
    """Every minute: rescore what the outbox still holds (the transactional outbox's relay)."""
    # services import tasks at module top, so tasks import services here
    from ratings.services import drain_rescore_outbox as drain

    return drain()
