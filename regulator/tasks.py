"""Celery tasks of the regulator app: thin, idempotent, each calling a service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def propose_listings(entity_id: int) -> list[int]:
    """Run the proposing rules for an entity whose evidence changed."""
    from regulator.proposals import propose_for_entity

    return [listing.pk for listing in propose_for_entity(entity_id=entity_id)]


NIGHTLY_CHUNK = 500


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def propose_listings_batch(entity_ids: list[int]) -> int:
    """One chunk of the nightly pass; idempotent (a proposal is never made twice), so a retry is safe."""
    from regulator.proposals import propose_for_entity

    return sum(len(propose_for_entity(entity_id=entity_id)) for entity_id in entity_ids)


@shared_task(acks_late=True)
def nightly_lists() -> dict:
    """Nightly: expire listings whose period is over, re-run the proposing rules, refresh the exports.

    The rules are re-run only for the entities with evidence inside a rule's horizon (the others cannot
    be proposed), in chunks of NIGHTLY_CHUNK spread over the workers.
    """
    from regulator.exports import regenerate
    from regulator.listings import expire_due
    from regulator.proposals import entities_with_evidence

    expired = expire_due()
    ids = list(entities_with_evidence())
    chunks = [ids[start:start + NIGHTLY_CHUNK] for start in range(0, len(ids), NIGHTLY_CHUNK)]
    for chunk in chunks:
        propose_listings_batch.delay(chunk)
    regenerate()
    return {"expired": len(expired), "entities_checked": len(ids), "chunks": len(chunks),
            "date": str(timezone.localdate())}


@shared_task(acks_late=True)
def quarterly_red_candidates() -> int:
    from regulator.proposals import propose_red_candidates

    return len(propose_red_candidates())


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def regenerate_exports() -> int:
    from regulator.exports import regenerate

    return regenerate()["data_version"]


@shared_task(acks_late=True)
def audit_checkpoint() -> int | None:
    """Daily: record the chain's count and head hash, so a cut-off tail cannot go unnoticed."""
    from regulator.audit import checkpoint

    row = checkpoint()
    return row.entry_count if row else None
