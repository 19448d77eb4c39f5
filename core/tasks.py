"""Celery tasks of the kernel: thin, idempotent, each calling a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def audit_checkpoint() -> int | None:
    """Daily: record the chain's count and head hash and publish it, signed, outside the database
    (``core.audit_checkpoints``), so a cut-off tail or a re-chained history cannot go unnoticed."""
    from core.audit import checkpoint  # tasks import services in their body (services import tasks at top)

    row = checkpoint()
    return row.entry_count if row else None
