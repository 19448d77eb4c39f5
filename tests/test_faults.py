"""Faults: the broker down at commit loses no credit evidence; public POSTs honour Idempotency-Key."""

from __future__ import annotations

import datetime

import pytest
from kombu.exceptions import OperationalError

from complaints.models import Complaint
from ratings import tasks as rating_tasks
from ratings.models import CreditScore, RescoreRequest
from ratings.services import drain_rescore_outbox
from tests.support import today


def _post_inspection(client, entity):
    return client.post("/api/v1/inspections/", {
        "entity": entity.pk, "inspected_on": str(today()), "kind": "targeted",
        "findings": [{"violation_code": "no_written_contract", "description": "未签合同", "severity": "general"}],
    }, format="json")


def test_with_the_broker_down_the_write_succeeds_and_the_outbox_closes_the_gap(
        inspector_client, entity_a, monkeypatch, django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to the broker. Connection refused.")

    monkeypatch.setattr(rating_tasks.rescore_entity, "delay", broker_down)
    from regulator.lists import tasks as regulator_tasks

    monkeypatch.setattr(regulator_tasks.propose_listings, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_inspection(inspector_client, entity_a)
    assert response.status_code == 201, response.content
    assert RescoreRequest.objects.filter(entity=entity_a).exists()
    assert not CreditScore.objects.filter(entity=entity_a).exists()  # the rescore never reached a worker

    # The broker is back: the beat job drains the outbox.
    assert drain_rescore_outbox(older_than_seconds=0) == 1
    score = CreditScore.objects.get(entity=entity_a)
    assert score.score == 780 and {line["rule"] for line in score.breakdown} == {"finding_general"}
    assert not RescoreRequest.objects.exists()


def test_a_real_dead_broker_fails_fast_and_the_request_still_succeeds(
        inspector_client, entity_a, django_capture_on_commit_callbacks, tmp_path):
    from config.celery_app import app

    def forget_connections():
        # Celery caches the broker connection pool and the producer pool: drop both.
        app._pool = None
        app.amqp._producer_pool = None

    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = f"redis+socket://{tmp_path}/no-broker.sock"
    forget_connections()
    try:
        import time

        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = _post_inspection(inspector_client, entity_a)
        elapsed = time.monotonic() - started
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
        forget_connections()
    assert response.status_code == 201
    assert RescoreRequest.objects.filter(entity=entity_a).exists()
    assert elapsed < 15, f"a dead broker held the request for {elapsed:.1f}s"


def test_rescore_removes_only_requests_made_before_it_started(entity_a):
    from django.utils import timezone

    from ratings.services import entity_rescore

    RescoreRequest.objects.create(entity=entity_a, requested_at=timezone.now() + datetime.timedelta(seconds=60))
    entity_rescore(entity_id=entity_a.pk)
    assert RescoreRequest.objects.filter(entity=entity_a).exists()  # a later request waits for the next run


def _file(client, entity, key=None, description="导游强迫购物"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/v1/complaints/", {
        "entity": entity.pk, "category": "forced_shopping", "description": description,
        "incident_date": str(today())}, format="json", **headers)


def test_the_same_idempotency_key_replays_the_first_answer(anon_client, entity_a):
    first = _file(anon_client, entity_a, key="client-42-attempt")
    second = _file(anon_client, entity_a, key="client-42-attempt")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert Complaint.objects.count() == 1


def test_an_idempotency_key_reused_with_another_body_is_422(anon_client, entity_a):
    assert _file(anon_client, entity_a, key="k-1").status_code == 201
    response = _file(anon_client, entity_a, key="k-1", description="另一件事")
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
    assert Complaint.objects.count() == 1


def test_without_a_key_each_post_is_a_new_complaint(anon_client, entity_a):
    assert _file(anon_client, entity_a).status_code == _file(anon_client, entity_a).status_code == 201
    assert Complaint.objects.count() == 2


@pytest.mark.parametrize("key", ["x" * 101, "bad key with spaces"])
def test_a_malformed_idempotency_key_is_400(anon_client, entity_a, key):
    response = _file(anon_client, entity_a, key=key)
    assert response.status_code == 400 and response.json()["code"] == "invalid_idempotency_key"
    assert not Complaint.objects.exists()
