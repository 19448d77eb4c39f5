"""The incremental path end to end through a real Celery worker (not eager mode).

A write commits, ``transaction.on_commit`` sends ``rescore_entity`` to the
broker, a separate worker process picks it up and the new score appears.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery_app import app
from ratings.models import CreditScore
from tests.support import api_client, today
from tests.support.factories import EntityFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    params = connection.settings_dict
    host = params["HOST"] or params.get("OPTIONS", {}).get("host", "")
    if host.startswith("/"):
        return f"postgresql://{params['USER']}:{params['PASSWORD'] or ''}@/{params['NAME']}?host={host}"
    return f"postgresql://{params['USER']}:{params['PASSWORD'] or ''}@{host}:{params['PORT'] or 5432}/{params['NAME']}"


def _start_worker(queue: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    return subprocess.Popen(  # noqa: S603 - our own celery binary and arguments
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--pool", "solo",
         "--without-mingle", "--without-gossip", "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )


@pytest.fixture
def queue(transactional_db):
    name = f"test-{uuid.uuid4().hex[:12]}"
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = name
    try:
        yield name
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous


@pytest.fixture
def real_worker(queue):
    worker = _start_worker(queue)
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_a_finding_rescores_the_entity_through_a_real_worker(real_worker):
    entity = EntityFactory()
    inspector = UserFactory(role="inspector", region_codes=["1408"], sectors=["tourism"])
    started = time.monotonic()
    response = api_client(inspector).post("/api/v1/inspections/", {
        "entity": entity.pk, "inspected_on": str(today()), "kind": "targeted",
        "findings": [{"violation_code": "no_written_contract", "description": "未签合同", "severity": "general",
                      "penalty": "warning", "decision_number": "罚〔2026〕7号"}],
    }, format="json")
    assert response.status_code == 201, response.content
    deadline = time.monotonic() + 60
    score = None
    while time.monotonic() < deadline:
        score = CreditScore.objects.filter(entity=entity).first()
        if score is not None:
            break
        if real_worker.poll() is not None:
            pytest.fail(f"worker exited: {real_worker.stdout.read().decode(errors='replace')}")
        time.sleep(0.1)
    if score is None:
        real_worker.terminate()
        output = real_worker.communicate(timeout=15)[0].decode(errors="replace")
        pytest.fail(f"the worker never scored the entity; worker output:\n{output[-3000:]}")
    print(f"\n[figure] write-to-visible score through a worker started with the test (start-up included): {time.monotonic() - started:.2f}s")
    assert score.score == 800 - 20 - 5
    assert {line["rule"] for line in score.breakdown} == {"finding_general", "penalty_warning"}


def test_a_worker_killed_mid_recompute_then_rerun_leaves_the_uninterrupted_scores(queue):
    """SIGKILL the worker part-way through a fanned-out full recompute; resume; compare with a clean run."""
    import random
    import signal

    from ratings import services
    from ratings.models import CreditEvent, RecomputeRun

    rng = random.Random(3)
    entities = [EntityFactory() for _ in range(60)]
    CreditEvent.objects.bulk_create(
        CreditEvent(entity=e, source_type="finding", source_id=i * 100 + j,
                    rule=rng.choice(["finding_serious", "finding_general", "complaint_substantiated"]),
                    occurred_on=today() - datetime.timedelta(days=rng.randint(0, 900)))
        for i, e in enumerate(entities) for j in range(rng.randint(0, 20)))
    reference = services.recompute_plan(chunk_size=2)
    for index in services.pending_chunks(reference):
        services.recompute_chunk(run_id=reference.pk, index=index)
    expected = dict(CreditScore.objects.values_list("entity_id", "score"))
    CreditScore.objects.all().delete()

    run = services.recompute_plan(chunk_size=2)
    worker = _start_worker(queue)
    try:
        services.recompute_dispatch(run_id=run.pk)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = len(RecomputeRun.objects.get(pk=run.pk).done_chunks)
            if done >= 3:
                break
            time.sleep(0.01)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=15)
    finally:
        if worker.poll() is None:
            worker.kill()
    run.refresh_from_db()
    print(f"\n[figure] worker killed after {len(run.done_chunks)}/{len(run.chunk_bounds)} chunks")
    assert 0 < len(run.done_chunks) < len(run.chunk_bounds), "the kill should land mid-run"

    # Rerun: a fresh worker and the pending chunks sent again (as `recompute_scores --resume RUN --celery` does).
    worker = _start_worker(queue)
    try:
        services.recompute_dispatch(run_id=run.pk)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and RecomputeRun.objects.get(pk=run.pk).finished_at is None:
            time.sleep(0.05)
    finally:
        worker.terminate()
        worker.wait(timeout=15)
    assert RecomputeRun.objects.get(pk=run.pk).finished_at is not None
    assert dict(CreditScore.objects.values_list("entity_id", "score")) == expected
