"""Celery tasks of disclosure: the open-data files, regenerated after each public change and nightly."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def regenerate_exports() -> int:
    """Rewrite the open-data files (idempotent: the same data version gives the same files)."""
    from regulator.disclosure.exports import regenerate  # tasks import services in their body

    return regenerate()["data_version"]


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def publicity_sweep() -> dict:
    """双公示 nightly: produce what the decisions' transactions missed, end what ended; then rewrite the files."""
    from regulator.disclosure.exports import regenerate
    from regulator.disclosure.publicity_services import publicity_sweep as sweep

    totals = sweep()
    regenerate()
    return totals
