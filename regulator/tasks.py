"""Celery tasks of the regulator app: thin, idempotent, each calling a service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def propose_listings(entity_id: int) -> list[int]:
    """Run the proposing rules for an entity whose evidence changed."""
    from .proposals import propose_for_entity

    return [listing.pk for listing in propose_for_entity(entity_id=entity_id)]


@shared_task(acks_late=True)
def nightly_lists() -> dict:
    """Nightly: expire listings whose period is over, re-run the proposing rules, refresh the exports.

    The rules are re-run only for the entities with evidence inside a rule's horizon (the others cannot
    be proposed), so the pass costs the evidence of the period, not the size of the registry.
    """
    from .exports import regenerate
    from .listings import expire_due
    from .proposals import entities_with_evidence, propose_for_entity

    expired = expire_due()
    proposed = 0
    for entity_id in list(entities_with_evidence()):
        proposed += len(propose_for_entity(entity_id=entity_id))
    regenerate()
    return {"expired": len(expired), "proposed": proposed, "date": str(timezone.localdate())}


@shared_task(acks_late=True)
def quarterly_red_candidates() -> int:
    from .proposals import propose_red_candidates

    return len(propose_red_candidates())


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def regenerate_exports() -> int:
    from .exports import regenerate

    return regenerate()["data_version"]


@shared_task(acks_late=True)
def audit_checkpoint() -> int | None:
    """Daily: record the chain's count and head hash, so a cut-off tail cannot go unnoticed."""
    from .audit import checkpoint

    row = checkpoint()
    return row.entry_count if row else None
