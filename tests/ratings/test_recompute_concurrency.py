"""Workers add speed: two chunks of one recompute run at the same time (each locks only its own row)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from ratings import scoring_sql, services
from ratings.models import RecomputeRun
from tests.support.factories import EntityFactory

DEADLINE_S = 60  # generous: the machine may be busy; the assertion is about order, not speed


@pytest.mark.django_db(transaction=True)
def test_a_second_chunk_finishes_while_the_first_is_still_scoring(monkeypatch):
    for _ in range(6):
        EntityFactory()
    run = services.recompute_plan(reason="concurrency", chunk_size=3)
    assert len(run.chunk_bounds) == 2
    first_range = run.chunk_bounds[0]
    scoring_started, release = threading.Event(), threading.Event()
    real_score_range = scoring_sql.score_range

    def slow_first_chunk(**kwargs):
        if [kwargs["first_id"], kwargs["last_id"]] == first_range:
            scoring_started.set()
            assert release.wait(DEADLINE_S), "the first chunk was never released"
        return real_score_range(**kwargs)

    monkeypatch.setattr(scoring_sql, "score_range", slow_first_chunk)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            services.recompute_chunk(run_id=run.pk, index=index)
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=worker, args=(0,))
    first.start()
    assert scoring_started.wait(DEADLINE_S)
    # chunk 0 is mid-transaction; chunk 1 on another "worker" must not wait for it
    second = threading.Thread(target=worker, args=(1,))
    second.start()
    second.join(DEADLINE_S)
    finished_while_first_held = not second.is_alive()
    release.set()
    first.join(DEADLINE_S)
    second.join(DEADLINE_S)
    assert errors == []
    assert finished_while_first_held, "chunk 1 waited for chunk 0's transaction (a shared lock)"
    run = RecomputeRun.objects.get(pk=run.pk)
    assert run.done_chunks == [0, 1] and run.finished_at is not None  # the last to finish closes the run


@pytest.mark.django_db
def test_a_chunk_delivered_twice_scores_once():
    for _ in range(4):
        EntityFactory()
    run = services.recompute_plan(reason="twice", chunk_size=10)
    assert services.recompute_chunk(run_id=run.pk, index=0) == 4
    assert services.recompute_chunk(run_id=run.pk, index=0) == 0
