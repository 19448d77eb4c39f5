"""Writes of ratings: model activation, incremental rescore and the chunked full recompute."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from config.api.exceptions import ConflictError
from core.evidence import send_tolerantly
from ratings import ledger, scoring_sql
from ratings.models import RecomputeChunk, RecomputeRun, RescoreRequest, ScoringModel
from ratings.tasks import recompute_chunk_task

DEFAULT_CHUNK_SIZE = 10_000


def active_model() -> ScoringModel:
    return ScoringModel.objects.get(is_active=True)


def entity_rescore(*, entity_id: int, as_of: datetime.date | None = None) -> None:
    """Incremental path: bring the entity's ledger up to date, then score it with the same SQL as the full run."""
    day = as_of or timezone.localdate()
    model = active_model()
    started = timezone.now()
    with transaction.atomic():
        ledger.derive_entity_events(entity_id=entity_id, as_of=day)
        scoring_sql.score_range(rules=model.rules, version=model.version, as_of=day, first_id=entity_id,
                                last_id=entity_id)
        # Done: a request made after this rescore started stays for the next one.
        RescoreRequest.objects.filter(entity_id=entity_id, requested_at__lte=started).delete()


def drain_rescore_outbox(*, older_than_seconds: int = 30, limit: int = 5000) -> int:
    """Rescore the entities whose queued rescore never ran (broker down at commit, worker lost)."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    ids = list(RescoreRequest.objects.filter(requested_at__lte=cutoff).order_by("requested_at")
               .values_list("entity_id", flat=True)[:limit])
    for entity_id in ids:
        entity_rescore(entity_id=entity_id)
    return len(ids)


@transaction.atomic
def scoring_model_create(*, actor=None, **fields) -> ScoringModel:
    model = ScoringModel(created_by=actor if actor is not None and actor.is_authenticated else None, **fields)
    model.is_active = False
    model.full_clean()
    model.save()
    return model


@transaction.atomic
def scoring_model_update(*, model: ScoringModel, **fields) -> ScoringModel:
    """A model that has ever been active is evidence of past scores: change it by adding a new version."""
    model = ScoringModel.objects.select_for_update().get(pk=model.pk)
    if model.activated_at is not None:
        raise ConflictError(_("已启用过的评分模型不可修改，请新建版本。"), code="model_frozen")
    for name, value in fields.items():
        setattr(model, name, value)
    model.full_clean()
    model.save()
    return model


@transaction.atomic
def scoring_model_activate(*, model_id: int) -> RecomputeRun:
    """Make this version the one active model and schedule a full recompute under it."""
    list(ScoringModel.objects.select_for_update().filter(is_active=True))  # serialise activations
    model = ScoringModel.objects.get(pk=model_id)
    if model.is_active:
        raise ConflictError(_("该模型已是当前启用的模型。"), code="already_active")
    if model.effective_from > timezone.localdate():
        raise ConflictError(_("模型尚未到生效日期。"), code="not_yet_effective")
    ScoringModel.objects.filter(is_active=True).update(is_active=False)
    model.is_active = True
    model.activated_at = timezone.now()
    model.save(update_fields=["is_active", "activated_at"])
    run = recompute_plan(reason=f"activate v{model.version}")
    # After commit, tolerantly: with the broker down the run stays recorded (pending) and the nightly run follows.
    transaction.on_commit(lambda: send_tolerantly(lambda: recompute_dispatch(run_id=run.pk),
                                                  f"dispatch of recompute run {run.pk}"))
    return run


def _chunk_bounds(chunk_size: int) -> list[list[int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT min(id), max(id) FROM (
                SELECT id, (row_number() OVER (ORDER BY id) - 1) / %s AS chunk FROM entities_entity
            ) numbered GROUP BY chunk ORDER BY chunk
            """,
            [chunk_size],
        )
        return [[first, last] for first, last in cursor.fetchall()]


def recompute_plan(*, reason: str = "", as_of: datetime.date | None = None,
                   chunk_size: int = DEFAULT_CHUNK_SIZE) -> RecomputeRun:
    """Record a full recompute: the id ranges it will score, under the model active now."""
    model = active_model()
    bounds = _chunk_bounds(chunk_size)
    with transaction.atomic():
        run = RecomputeRun.objects.create(
            model_version=model.version, as_of=as_of or timezone.localdate(), chunk_bounds=bounds, reason=reason,
        )
        RecomputeChunk.objects.bulk_create(
            RecomputeChunk(run=run, index=index, first_id=first, last_id=last)
            for index, (first, last) in enumerate(bounds)
        )
        if not bounds:  # nothing to score: the run is over as it starts
            run.finished_at = timezone.now()
            run.save(update_fields=["finished_at"])
    return run


def recompute_chunk(*, run_id: int, index: int) -> int:
    """Score one chunk of a run and mark it done, in one transaction (a crash leaves it undone, not half-done).

    Only the chunk's own row is locked: a second delivery of the same chunk waits and then finds it
    done, while other chunks proceed on other workers in parallel.
    """
    with transaction.atomic():
        chunk = RecomputeChunk.objects.select_for_update(of=("self",)).select_related("run").get(
            run_id=run_id, index=index)
        if chunk.done_at is not None:
            return 0
        run = chunk.run
        model = ScoringModel.objects.get(version=run.model_version)
        scored, _changed = scoring_sql.score_range(rules=model.rules, version=model.version, as_of=run.as_of,
                                                   first_id=chunk.first_id, last_id=chunk.last_id)
        chunk.done_at = timezone.now()
        chunk.save(update_fields=["done_at"])
        _run_finish(run_id)
    return scored


def _run_finish(run_id: int) -> None:
    """At the end of a chunk's transaction: mark the run finished once no chunk is pending.

    The run row is locked only here, after the scoring, for the moment to commit: the last two chunks
    to finish take turns, and the second (its statement sees the first's committed chunk) finishes it.
    """
    RecomputeRun.objects.select_for_update().filter(pk=run_id).values_list("pk", flat=True).first()
    pending = RecomputeChunk.objects.filter(run=OuterRef("pk"), done_at__isnull=True)
    RecomputeRun.objects.filter(pk=run_id, finished_at__isnull=True).filter(~Exists(pending)).update(
        finished_at=timezone.now())


def pending_chunks(run: RecomputeRun) -> list[int]:
    return list(run.chunks.filter(done_at__isnull=True).order_by("index").values_list("index", flat=True))


def recompute_dispatch(*, run_id: int) -> None:
    """Fan the run's pending chunks out to the Celery workers (any number of them, on any machine)."""
    run = RecomputeRun.objects.get(pk=run_id)
    for index in pending_chunks(run):
        recompute_chunk_task.delay(run_id, index)
