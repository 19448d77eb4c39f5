"""证据变更: the one call a writer makes when an entity's credit evidence changed.

Complaints, findings and listings are written by apps below and beside ratings, which
scores them; they may not import ratings. So the kernel offers this registry:

* a **recorder** runs inside the writer's transaction (ratings records the rescore in its
  outbox, so it commits with the evidence or not at all);
* a **listener** runs after commit, and an outage of the broker it uses is logged, not
  raised: the write has committed and the outbox's relay closes the gap.

The apps register at start-up (``ratings.apps``, ``regulator.apps``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

#: callbacks take the ids of every entity whose evidence changed in one write, sorted (one id, or an import's
#: thousands): a recorder writes them in one statement, a listener queues them in a few messages, not one each
RECORDERS: list[Callable[[list[int]], None]] = []
LISTENERS: list[Callable[[list[int]], None]] = []


def record_with(callback: Callable[[list[int]], None]) -> None:
    """Register ``callback(entity_ids)`` to run inside the writing transaction."""
    if callback not in RECORDERS:
        RECORDERS.append(callback)


def listen(callback: Callable[[list[int]], None]) -> None:
    """Register ``callback(entity_ids)`` to run after commit whenever entities' evidence changes."""
    if callback not in LISTENERS:
        LISTENERS.append(callback)


def send_tolerantly(send: Callable[[], object], what: str) -> None:
    """Queue a task; with the broker down, log and rely on the outbox (the write has committed)."""
    try:
        send()
    except (OperationalError, OSError, ConnectionError) as exc:
        logger.warning("broker unavailable, %s left to the outbox: %s", what, exc)
    except Exception:  # after commit nothing may turn the committed write into an error
        logger.exception("%s failed after commit; left to the outbox and the nightly jobs", what)


def evidence_changed(entity_id: int) -> None:
    """Record the change inside the writer's transaction and notify the listeners after commit."""
    evidence_changed_many([entity_id])


def evidence_changed_many(entity_ids) -> None:
    """:func:`evidence_changed` for many entities at once (an import): one record, a few messages."""
    if not RECORDERS:  # fail closed: evidence nobody records would never reach the score
        raise RuntimeError("no recorder of credit evidence is registered (ratings.apps registers the outbox)")
    ids = sorted({int(entity_id) for entity_id in entity_ids if entity_id is not None})
    if not ids:
        return
    for recorder in RECORDERS:
        recorder(ids)
    for callback in LISTENERS:
        transaction.on_commit(
            lambda callback=callback: send_tolerantly(lambda: callback(ids), f"listener {callback}"))


def chunks(ids: list[int], size: int = 200):
    """``ids`` in messages of ``size``: a few messages for an import, each a task's worth of work."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
