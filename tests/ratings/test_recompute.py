"""Full recompute: chunked, idempotent, resumable after a chunk dies mid-way."""

from __future__ import annotations

import datetime
import random

import pytest

from ratings import services
from ratings.models import CreditEvent, CreditScore, RecomputeRun
from tests.support import today
from tests.support.factories import EntityFactory

RULES = ["finding_serious", "finding_general", "complaint_substantiated", "rectified_on_time", "inspection_clean"]


@pytest.fixture
def province(db):
    rng = random.Random(11)
    entities = [EntityFactory() for _ in range(25)]
    CreditEvent.objects.bulk_create(
        CreditEvent(entity=e, source_type="finding", source_id=i * 100 + j, rule=rng.choice(RULES),
                    occurred_on=today() - datetime.timedelta(days=rng.randint(0, 900)))
        for i, e in enumerate(entities) for j in range(rng.randint(0, 12))
    )
    return entities


def _scores():
    return dict(CreditScore.objects.values_list("entity_id", "score"))


def test_chunked_recompute_scores_everyone(province):
    run = services.recompute_plan(chunk_size=7)
    assert len(run.chunk_bounds) == 4
    for index in services.pending_chunks(run):
        services.recompute_chunk(run_id=run.pk, index=index)
    run.refresh_from_db()
    assert run.finished_at is not None
    assert set(_scores()) == {e.pk for e in province}


def test_a_run_cut_short_then_resumed_equals_an_uninterrupted_run(province, monkeypatch):
    uninterrupted = services.recompute_plan(chunk_size=7)
    for index in services.pending_chunks(uninterrupted):
        services.recompute_chunk(run_id=uninterrupted.pk, index=index)
    expected = _scores()
    CreditScore.objects.all().delete()

    run = services.recompute_plan(chunk_size=7)
    services.recompute_chunk(run_id=run.pk, index=0)
    from ratings import scoring_sql

    real = scoring_sql.score_range

    def dies(**kwargs):
        real(**kwargs)
        raise RuntimeError("worker killed")

    monkeypatch.setattr(scoring_sql, "score_range", dies)
    with pytest.raises(RuntimeError):
        services.recompute_chunk(run_id=run.pk, index=1)
    monkeypatch.setattr(scoring_sql, "score_range", real)
    run.refresh_from_db()
    assert run.done_chunks == [0]  # the dead chunk rolled back whole
    for index in services.pending_chunks(run):
        services.recompute_chunk(run_id=run.pk, index=index)
    assert _scores() == expected
    assert services.recompute_chunk(run_id=run.pk, index=0) == 0  # a chunk already done is not redone


def test_recompute_command_runs_and_reports(province, capsys):
    from django.core.management import call_command

    call_command("recompute_scores", "--chunk-size", "10", verbosity=0)
    assert "25 entities scored" in capsys.readouterr().out
    assert RecomputeRun.objects.get().finished_at is not None
