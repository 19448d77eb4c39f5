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
from tests.conftest import client_for
from tests.factories import EntityFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    params = connection.settings_dict
    host = params["HOST"] or params.get("OPTIONS", {}).get("host", "")
    if host.startswith("/"):
        return f"postgresql://{params['USER']}:{params['PASSWORD'] or ''}@/{params['NAME']}?host={host}"
    return f"postgresql://{params['USER']}:{params['PASSWORD'] or ''}@{host}:{params['PORT'] or 5432}/{params['NAME']}"


@pytest.fixture
def real_worker(transactional_db):
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    worker = subprocess.Popen(  # noqa: S603 - our own celery binary and arguments
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--pool", "solo",
         "--without-mingle", "--without-gossip", "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield worker
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_a_finding_rescores_the_entity_through_a_real_worker(real_worker):
    entity = EntityFactory()
    inspector = UserFactory(role="inspector", region_codes=["1408"], sectors=["tourism"])
    started = time.monotonic()
    response = client_for(inspector).post("/api/v1/inspections/", {
        "entity": entity.pk, "inspected_on": str(datetime.date.today()), "kind": "targeted",
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
    print(f"\n[figure] write-to-visible score latency through a real worker: {time.monotonic() - started:.2f}s")
    assert score.score == 800 - 20 - 5
    assert {line["rule"] for line in score.breakdown} == {"finding_general", "penalty_warning"}
