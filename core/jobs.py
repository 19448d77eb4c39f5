"""后台任务: submit, run, report progress, finish, and send again what was left behind (decision 0017).

* :func:`job_submit` stages the input (``JobInput``) and the job in one transaction, and only after commit
  sends the message. A broker that refuses it is logged, never raised: the job stays ``queued`` with no
  ``enqueued_at`` and :func:`jobs_sweep` sends it again.
* :func:`job_run` (the Celery task ``core.tasks.job_run``) holds a PostgreSQL advisory lock on the job for
  the whole run, on its own connection: a second message for the same job does nothing, and a worker that
  dies releases the lock with its connection, so the sweep can tell a job still running from one whose
  worker is gone. The run writes under the audit context of the job's submitter (user, role, IP, and the
  endpoint it was submitted at, ``POST /api/v1/listings/import/ (job 12)``).
* Progress: ``done`` of ``total`` units. :meth:`JobContext.advance` commits it to the job row (between
  transactions); :meth:`JobContext.note` writes it to the cache (Redis in production), which other
  processes read while the runner's transaction is still open (a second database connection would not do:
  the audit trigger serialises writers on an advisory lock the open transaction holds).
* Who sees a job: its submitter, and whoever the kind's ``may_view`` admits (for the listing import, the
  regulators); anyone else gets a 404 (:func:`jobs_for`).

Kinds register here, as documents register their procedures: the kernel imports no domain app. Each app
that has kinds declares them in a module ``<app>.jobs`` (``regulator/jobs.py``), found the way the admin
finds ``admin.py``, so a worker that has never imported the domain's views still knows every kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from core import audit
from core.models import FINISHED_STATES, Job, JobInput, JobState
from core.tasks import job_run as job_run_task
from core.transitions import authenticated

logger = logging.getLogger(__name__)

#: ``pg_try_advisory_lock(LOCK_CLASS, job id)``: the two-key space of job leases (the audit chain uses one key)
LOCK_CLASS = 7243311
#: a queued job whose message may still be on its way is left alone this long by the sweep
QUEUED_GRACE_SECONDS = 10
#: a message sent this long ago for a job still queued is taken as lost (a broker restarted empty)
RESEND_AFTER_SECONDS = 600
#: live progress is kept this long in the cache (a job longer than this shows its committed progress)
PROGRESS_TTL_SECONDS = 3600


class JobFailed(Exception):
    """The job's input was refused (nothing written): the job ends ``failed`` with this message and report."""

    def __init__(self, message: str, *, report: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.report = report or {}


@dataclass(frozen=True)
class Kind:
    """What a domain registers for a kind of job.

    ``run(context)`` does the work and returns its result (or calls ``context.complete`` itself, inside its
    own transaction, so that "done" commits with what it wrote); it raises :class:`JobFailed` to refuse the
    input. ``may_view(user)``: whether a user other than the submitter may see the kind's jobs.
    ``field_labels``: the Chinese names of the fields its report names (the admin shows them).
    """

    name: str
    label: str
    run: Callable[[JobContext], Any]
    may_view: Callable[[Any], bool]
    field_labels: Mapping[str, str] = field(default_factory=dict)


_KINDS: dict[str, Kind] = {}
_discovered = False


def register(name: str, *, label: str, run: Callable[[JobContext], Any], may_view: Callable[[Any], bool],
             field_labels: Mapping[str, str] | None = None) -> Kind:
    kind = Kind(name=name, label=label, run=run, may_view=may_view, field_labels=dict(field_labels or {}))
    _KINDS[name] = kind
    return kind


def kinds() -> dict[str, Kind]:
    """Every registered kind (the apps' ``jobs`` modules are imported the first time this is asked)."""
    global _discovered
    if not _discovered:
        _discovered = True
        autodiscover_modules("jobs")
    return _KINDS


def kind_of(name: str) -> Kind | None:
    return kinds().get(name)


# ------------------------------------------------------------------ reading


def jobs_for(user) -> QuerySet[Job]:
    """The jobs ``user`` may see: its own, and those of the kinds its role may see (others: not found)."""
    if authenticated(user) is None or not user.is_active:
        return Job.objects.none()
    visible = [name for name, kind in kinds().items() if kind.may_view(user)]
    return Job.objects.filter(Q(created_by=user) | Q(kind__in=visible)).select_related("created_by")


def _progress_key(job_id: int) -> str:
    return f"core:job:{job_id}:progress"


def live_done(job: Job) -> tuple[int, str]:
    """(units done, phase) as far as anyone can tell now: the cache's count while the job runs, if ahead."""
    done, phase = job.done, job.phase
    if job.state != JobState.RUNNING:
        return done, phase
    try:
        noted = cache.get(_progress_key(job.pk))
    except Exception:  # the cache is down: the committed count is still true, only older
        logger.warning("job %s: live progress unavailable (cache)", job.pk)
        noted = None
    if isinstance(noted, dict) and noted.get("attempt") == job.attempts and int(noted.get("done", 0)) > done:
        done, phase = min(int(noted["done"]), job.total), str(noted.get("phase") or phase)
    return done, phase


def job_progress(job: Job) -> float:
    """0-1: done / total (1 once done)."""
    if job.state == JobState.DONE:
        return 1.0
    done, _phase = live_done(job)
    return round(done / job.total, 4) if job.total else 0.0


# ------------------------------------------------------------------ submitting


@transaction.atomic
def job_submit(*, kind: str, data: Any, items: int, total: int, actor=None, endpoint: str = "",
               client_ip: str | None = None) -> Job:
    """Stage ``data`` and a queued job in one transaction; the message is sent once it has committed."""
    if kind_of(kind) is None:
        raise LookupError(f"no job kind {kind!r} is registered")
    job = Job.objects.create(kind=kind, total=total, created_by=authenticated(actor), endpoint=endpoint[:300],
                             client_ip=client_ip or None)
    JobInput.objects.create(job=job, data=data, items=items)
    transaction.on_commit(lambda: job_send(job_id=job.pk))
    return job


def job_send(*, job_id: int) -> bool:
    """Put the job on the queue; with the broker down, log it and leave the job to the sweep (never raise)."""
    try:
        job_run_task.delay(job_id)
    except (BrokerError, OSError, ConnectionError) as exc:
        logger.warning("broker unavailable, job %s left queued for the sweep: %s", job_id, exc)
        return False
    except Exception:  # after commit nothing may turn the accepted upload into an error
        logger.exception("job %s could not be sent; left queued for the sweep", job_id)
        return False
    Job.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
    return True


# ------------------------------------------------------------------ running


class JobContext:
    """What a kind's ``run`` gets: the job, its staged input, its submitter, and the progress calls."""

    def __init__(self, job: Job):
        self.job = job
        self.done = 0
        self.completed = False
        self._data: Any = None

    @property
    def actor(self):
        return self.job.created_by

    @property
    def data(self) -> Any:
        if self._data is None:
            self._data = JobInput.objects.values_list("data", flat=True).get(job_id=self.job.pk)
        return self._data

    def advance(self, units: int, *, phase: str) -> None:
        """``units`` more done, committed to the job row (call it between transactions, not inside one)."""
        self.done = min(self.done + units, self.job.total)
        Job.objects.filter(pk=self.job.pk).update(done=self.done, phase=phase)
        self._note(phase)

    def note(self, units: int, *, phase: str) -> None:
        """``units`` more done, in the cache only: for progress inside a transaction, which others cannot see."""
        self.done = min(self.done + units, self.job.total)
        self._note(phase)

    def _note(self, phase: str) -> None:
        try:
            cache.set(_progress_key(self.job.pk), {"done": self.done, "phase": phase, "attempt": self.job.attempts},
                      PROGRESS_TTL_SECONDS)
        except Exception:  # progress is a courtesy: a cache outage must not fail the import
            logger.warning("job %s: progress not written to the cache", self.job.pk)

    def complete(self, result: Any, *, report: dict[str, Any] | None = None) -> None:
        """Done: called inside the kind's transaction, so "done" commits with the writes or not at all."""
        Job.objects.filter(pk=self.job.pk).update(
            state=JobState.DONE, done=self.job.total, phase="", result=result, report=report or {},
            finished_at=timezone.now())
        self.completed = True


@contextmanager
def _lease(job_id: int) -> Iterator[bool]:
    """Hold the job's advisory lock for the block (False: someone else runs it)."""
    key = job_id % 2_147_483_647
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, key])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, key])


def _held_leases() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objsubid = 2 "
                       "AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                       [LOCK_CLASS])
        return {int(row[0]) for row in cursor.fetchall()}


def _audit_as_submitter(job: Job) -> None:
    """The run's writes are the submitter's, made through the endpoint it used (as the request's would be)."""
    who = audit.user_context(job.created_by) if job.created_by_id else {
        "user_id": None, "username": None, "role": "system"}
    audit.clear_context()
    audit.set_context(**who, ip=job.client_ip, endpoint=f"{job.endpoint or job.kind} (job {job.pk})"[:300],
                      task="core.tasks.job_run")


def _fail(job: Job, message: str, report: dict[str, Any] | None = None) -> None:
    Job.objects.filter(pk=job.pk).update(state=JobState.FAILED, error=message[:5000], report=report or {},
                                         phase="", finished_at=timezone.now())


def job_run(*, job_id: int) -> str | None:
    """Run a queued job (or one whose worker died) to ``done`` or ``failed``; None when there was nothing to do.

    Safe to call twice and concurrently: the lease and the state decide, the second call returns None.
    """
    with _lease(job_id) as held:
        if not held:
            return None
        job = Job.objects.select_related("created_by").filter(pk=job_id).first()
        if job is None or job.state in FINISHED_STATES:
            return None
        _audit_as_submitter(job)  # from the claim on, every write of the run is the submitter's
        Job.objects.filter(pk=job_id).update(state=JobState.RUNNING, started_at=timezone.now(),
                                             attempts=F("attempts") + 1, done=0, phase="", error="")
        job.refresh_from_db()
        kind = kind_of(job.kind)
        if kind is None:
            _fail(job, _("未知的任务类型：%(kind)s。") % {"kind": job.kind})
            return JobState.FAILED
        context = JobContext(job)
        try:
            result = kind.run(context)
            if not context.completed:
                with transaction.atomic():
                    context.complete(result)
        except JobFailed as refused:
            _fail(job, refused.message, refused.report)
            return JobState.FAILED
        except Exception as exc:  # a bug or an outage: the job says so instead of hanging in "running"
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            _fail(job, _("运行出错（%(error)s），未完成的写入已撤销；可重新提交。") % {"error": type(exc).__name__})
            return JobState.FAILED
        finally:
            _forget_progress(job.pk)
        return JobState.DONE


def _forget_progress(job_id: int) -> None:
    try:
        cache.delete(_progress_key(job_id))
    except Exception:
        logger.warning("job %s: live progress not removed from the cache", job_id)


# ------------------------------------------------------------------ the sweep


def jobs_sweep(*, grace_seconds: int = QUEUED_GRACE_SECONDS,
               resend_after_seconds: int = RESEND_AFTER_SECONDS) -> list[int]:
    """Send again every job left behind: queued and never sent (the broker was down), queued long after its
    message went out (lost), or running with no worker holding its lease (the worker died). Returns their ids.
    """
    now = timezone.now()
    held = _held_leases()
    unfinished = (Job.objects.exclude(state__in=FINISHED_STATES)
                  .values_list("pk", "state", "created_at", "enqueued_at").order_by("pk"))
    stale = []
    for pk, state, created_at, enqueued_at in unfinished:
        if pk % 2_147_483_647 in held:
            continue
        if state == JobState.RUNNING:
            stale.append(pk)
        elif enqueued_at is None and created_at <= now - timedelta(seconds=grace_seconds):
            stale.append(pk)
        elif enqueued_at is not None and enqueued_at <= now - timedelta(seconds=resend_after_seconds):
            stale.append(pk)
    for pk in stale:
        job_send(job_id=pk)
    return stale
