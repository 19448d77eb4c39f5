"""Ratings' side of ``core.evidence``: the rescore outbox, written inside the evidence's transaction.

The rescore is recorded in an outbox (``RescoreRequest``) inside the writing
transaction; after commit it is queued on Celery. If the broker is down, the
write still succeeds and the beat job ``drain_rescore_outbox`` closes the gap
once the broker is back: no credit evidence is lost. Other apps never call this
module: they call ``core.evidence.evidence_changed``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.evidence import chunks, evidence_changed, send_tolerantly
from ratings.models import RescoreRequest
from ratings.tasks import rescore_entities as rescore_entities_task
from ratings.tasks import rescore_entity as rescore_entity_task

__all__ = ["evidence_changed", "rescore_record"]


def rescore_record(entity_ids: list[int]) -> None:
    """Upsert the entities into the outbox in one statement (sorted: concurrent writers lock in one order and
    never collide on it) and queue them after commit: one message for one entity, one per chunk for many."""
    now = timezone.now()
    RescoreRequest.objects.bulk_create(
        [RescoreRequest(entity_id=entity_id, requested_at=now) for entity_id in entity_ids],
        update_conflicts=True, unique_fields=["entity"], update_fields=["requested_at"],
    )

    def queue() -> None:
        if len(entity_ids) == 1:
            send_tolerantly(lambda: rescore_entity_task.delay(entity_ids[0]), f"rescore of {entity_ids[0]}")
            return
        for part in chunks(entity_ids):
            send_tolerantly(lambda part=part: rescore_entities_task.delay(part), f"rescore of {len(part)} entities")

    transaction.on_commit(queue)
