"""Celery tasks of the kernel: thin, idempotent, each calling a service."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready


@shared_task(acks_late=True)
def audit_checkpoint() -> int | None:
    """Daily: record the chain's count and head hash and publish it, signed, outside the database
    (``core.audit_checkpoints``), so a cut-off tail or a re-chained history cannot go unnoticed."""
    from core.audit import checkpoint  # tasks import services in their body (services import tasks at top)

    row = checkpoint()
    return row.entry_count if row else None


@shared_task(acks_late=True)
def job_run(job_id: int) -> str | None:
    """Run one background job (``core.jobs``); a second delivery of the same message does nothing."""
    from core import jobs  # tasks import services in their body (services import tasks at top)

    return jobs.job_run(job_id=job_id)


@shared_task(acks_late=True)
def jobs_sweep() -> list[int]:
    """Every minute, and when a worker starts: send again the jobs left queued or orphaned (decision 0017)."""
    from core import jobs  # tasks import services in their body (services import tasks at top)

    return jobs.jobs_sweep()


@shared_task(acks_late=True)
def tokens_purge() -> int:
    """Hourly: delete expired API tokens (request authentication checks only the token it was shown)."""
    from core.authentication import tokens_purge as purge

    return purge()


@worker_ready.connect(weak=False, dispatch_uid="core.tasks.jobs_sweep_on_start")
def _sweep_when_a_worker_starts(sender=None, **kwargs) -> None:
    """A restarted worker picks up what its predecessor left running (and what waited for a broker)."""
    from core.evidence import send_tolerantly

    send_tolerantly(jobs_sweep.delay, "the jobs sweep at worker start")
