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

from core.evidence import evidence_changed, send_tolerantly
from ratings.models import RescoreRequest
from ratings.tasks import rescore_entity as rescore_entity_task

__all__ = ["evidence_changed", "rescore_record"]


def rescore_record(entity_id: int) -> None:
    """Upsert the entity into the outbox (concurrent writers never collide on it) and queue it after commit."""
    RescoreRequest.objects.bulk_create(
        [RescoreRequest(entity_id=entity_id, requested_at=timezone.now())],
        update_conflicts=True, unique_fields=["entity"], update_fields=["requested_at"],
    )
    transaction.on_commit(lambda: send_tolerantly(lambda: rescore_entity_task.delay(entity_id),
                                                  f"rescore of {entity_id}"))
