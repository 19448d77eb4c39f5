"""Celery tasks of the workbench: thin, each calling a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def send_alerts() -> int:
    """Hourly: tell the responsible regulators of deadlines about to pass (decision 0015)."""
    # imported in the body, like every task's service
    from regulator.workbench.alerts import alerts_send

    return len(alerts_send())


@shared_task(acks_late=True)
def take_stats_snapshot() -> int:
    """Nightly: the statistics snapshot (set-based SQL), read by the start page, the API and the bulletin."""
    from regulator.workbench.stats import snapshot_take

    return snapshot_take()


@shared_task(acks_late=True)
def monthly_bulletin() -> int | None:
    """Daily: on the first working day of a month (or later if it is still missing), last month's bulletin."""
    from regulator.workbench.bulletin import bulletin_due

    bulletin = bulletin_due()
    return bulletin.issue if bulletin else None
