"""The one entry point other apps call when an entity's credit evidence changes.

The rescore runs after the writing transaction commits, on a Celery worker.
"""

from __future__ import annotations

from django.db import transaction


def evidence_changed(entity_id: int) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.rescore_entity.delay(entity_id))
