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

RECORDERS: list[Callable[[int], None]] = []
LISTENERS: list[Callable[[int], None]] = []


def record_with(callback: Callable[[int], None]) -> None:
    """Register ``callback(entity_id)`` to run inside the writing transaction."""
    if callback not in RECORDERS:
        RECORDERS.append(callback)


def listen(callback: Callable[[int], None]) -> None:
    """Register ``callback(entity_id)`` to run after commit whenever an entity's evidence changes."""
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
    if not RECORDERS:  # fail closed: evidence nobody records would never reach the score
        raise RuntimeError("no recorder of credit evidence is registered (ratings.apps registers the outbox)")
    for recorder in RECORDERS:
        recorder(entity_id)
    for callback in LISTENERS:
        transaction.on_commit(
            lambda callback=callback: send_tolerantly(lambda: callback(entity_id), f"listener {callback}"))
