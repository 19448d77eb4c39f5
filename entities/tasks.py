"""Celery tasks of the registry: thin, each calling a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def flag_missed_retraining_phases() -> int:
    """Nightly: record the firms that missed a 回炉 phase deadline (idempotent: each firm once per phase)."""
    from entities.retraining_services import phases_flag_missed

    return len(phases_flag_missed())
