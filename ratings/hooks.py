"""The one entry point other apps call when an entity's credit evidence changes.

After the writing transaction commits, the entity is rescored on a Celery
worker, and every registered listener (the regulator app's proposing rules)
is queued too.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

LISTENERS: list[Callable[[int], None]] = []


def listen(callback: Callable[[int], None]) -> None:
    """Register ``callback(entity_id)`` to run after commit whenever an entity's evidence changes."""
    if callback not in LISTENERS:
        LISTENERS.append(callback)


def evidence_changed(entity_id: int) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.rescore_entity.delay(entity_id))
    for callback in LISTENERS:
        transaction.on_commit(lambda callback=callback: callback(entity_id))
