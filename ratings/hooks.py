"""The one entry point other apps call when an entity's credit evidence changes.

The rescore is recorded in an outbox (``RescoreRequest``) inside the writing
transaction; after commit it is queued on Celery, and every registered
listener (the regulator app's proposing rules) too. If the broker is down,
the write still succeeds and the beat job ``drain_rescore_outbox`` closes the
gap once the broker is back: no credit evidence is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

LISTENERS: list[Callable[[int], None]] = []


def listen(callback: Callable[[int], None]) -> None:
    """Register ``callback(entity_id)`` to run after commit whenever an entity's evidence changes."""
    if callback not in LISTENERS:
        LISTENERS.append(callback)


def _send(send: Callable[[], object], what: str) -> None:
    """Queue a task; with the broker down, log and rely on the outbox (the write has committed)."""
    try:
        send()
    except (OperationalError, OSError, ConnectionError) as exc:
        logger.warning("broker unavailable, %s left to the outbox: %s", what, exc)


def evidence_changed(entity_id: int) -> None:
    """Record the rescore in the outbox inside the writer's transaction, and queue it after commit."""
    from django.utils import timezone

    from ratings import tasks
    from ratings.models import RescoreRequest

    RescoreRequest.objects.bulk_create(  # one upsert: concurrent writers never collide on the entity
        [RescoreRequest(entity_id=entity_id, requested_at=timezone.now())],
        update_conflicts=True, unique_fields=["entity"], update_fields=["requested_at"],
    )
    transaction.on_commit(lambda: _send(lambda: tasks.rescore_entity.delay(entity_id), f"rescore of {entity_id}"))
    for callback in LISTENERS:
        transaction.on_commit(lambda callback=callback: _send(lambda: callback(entity_id), f"listener {callback}"))
