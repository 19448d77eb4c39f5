"""Celery tasks of the regulator app: thin, idempotent, each calling a service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def propose_listings(entity_id: int) -> list[int]:
    """Run the proposing rules for an entity whose evidence changed."""
    # services import tasks at module top, so tasks import services here
    from regulator.lists.proposals import listings_propose_for_entity

    return [listing.pk for listing in listings_propose_for_entity(entity_id=entity_id)]


NIGHTLY_CHUNK = 500


def queue_proposals(entity_ids: list[int]) -> None:
    """After commit, for entities whose evidence changed: one message for one entity, one per chunk for an
    import's thousands (core.evidence.chunks)."""
    from core.evidence import chunks

    if len(entity_ids) == 1:
        propose_listings.delay(entity_ids[0])
        return
    for part in chunks(entity_ids):
        propose_listings_batch.delay(part)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def propose_listings_batch(entity_ids: list[int]) -> int:
    """One chunk of the nightly pass; idempotent (a proposal is never made twice), so a retry is safe."""
    # services import tasks at module top, so tasks import services here
    from regulator.lists.proposals import listings_propose_for_entity

    return sum(len(listings_propose_for_entity(entity_id=entity_id)) for entity_id in entity_ids)


@shared_task(acks_late=True)
def nightly_lists() -> dict:
    """Nightly: expire listings whose period is over and re-run the proposing rules.

    (The open-data files are rewritten by disclosure: after each public change, and nightly by beat.)

    The rules are re-run only for the entities with evidence inside a rule's horizon (the others cannot
    be proposed), in chunks of NIGHTLY_CHUNK spread over the workers.
    """
    from regulator.lists.proposals import entities_with_evidence
    from regulator.lists.services import listings_expire_due

    expired = listings_expire_due()
    ids = list(entities_with_evidence())
    chunks = [ids[start:start + NIGHTLY_CHUNK] for start in range(0, len(ids), NIGHTLY_CHUNK)]
    for chunk in chunks:
        propose_listings_batch.delay(chunk)
    return {"expired": len(expired), "entities_checked": len(ids), "chunks": len(chunks),
            "date": str(timezone.localdate())}


@shared_task(acks_late=True)
def quarterly_red_candidates() -> int:
    # services import tasks at module top, so tasks import services here
    from regulator.lists.proposals import listings_propose_red

    return len(listings_propose_red())


@shared_task(acks_late=True)
def queue_due_import_sources() -> list[int]:
    """Every minute (beat): queue a run of each 定时导入来源 that is due, recover runs left behind."""
    from regulator.lists.import_source_services import import_sources_queue_due

    return import_sources_queue_due()


@shared_task(acks_late=True)
def run_import_source(run_id: int) -> str | None:
    """One run of an import source; a second delivery of the same message does nothing."""
    from regulator.lists.import_source_services import import_source_run
    from regulator.lists.import_sources import ImportRun

    run = ImportRun.objects.select_related("source").filter(pk=run_id).first()
    if run is None:
        return None
    done = import_source_run(source=run.source, run=run)
    return done.state if done is not None else None
