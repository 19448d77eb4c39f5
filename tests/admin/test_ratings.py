"""Credit ratings in the admin: scoring models through ratings.services, derived data read-only."""

from __future__ import annotations

import datetime
import json

import pytest

from ratings.engine import DEFAULT_RULES
from ratings.models import (
    CreditEvent,
    CreditScore,
    CreditScoreHistory,
    RecomputeRun,
    RescoreRequest,
    ScoringModel,
)
from tests.support import today
from tests.support.factories import EntityFactory

from .conftest import act, admin_url, messages_of, results

pytestmark = pytest.mark.django_db

DERIVED = [CreditEvent, CreditScore, CreditScoreHistory, RecomputeRun, RescoreRequest]


def _new_model(admin_client, *, version: int, effective_from: datetime.date, rules=DEFAULT_RULES):
    return admin_client.post(admin_url(ScoringModel, "add"), {
        "version": str(version), "name": f"第 {version} 版", "effective_from": str(effective_from),
        "rules": json.dumps(rules)})


def test_a_model_is_added_inactive_through_the_service(admin_client, staff_regulator):
    assert _new_model(admin_client, version=2, effective_from=today()).status_code == 302
    model = ScoringModel.objects.get(version=2)
    assert (model.is_active, model.activated_at, model.created_by) == (False, None, staff_regulator)


def test_rules_that_do_not_validate_are_refused(admin_client):
    response = _new_model(admin_client, version=3, effective_from=today(), rules={"points": "many"})
    assert response.status_code == 200 and "rules" in response.context["adminform"].form.errors
    assert not ScoringModel.objects.filter(version=3).exists()


def test_activation_waits_for_the_effective_date(admin_client):
    _new_model(admin_client, version=4, effective_from=today() + datetime.timedelta(days=30))
    model = ScoringModel.objects.get(version=4)
    response = act(admin_client, ScoringModel, "scoring_model_activate", [model])
    assert any("模型尚未到生效日期。" in message for message in messages_of(response))
    model.refresh_from_db()
    assert not model.is_active and ScoringModel.objects.get(is_active=True).version == 1


def test_activation_switches_the_model_and_plans_the_recompute(admin_client, entity):
    _new_model(admin_client, version=5, effective_from=today())
    model = ScoringModel.objects.get(version=5)
    runs = RecomputeRun.objects.count()
    act(admin_client, ScoringModel, "scoring_model_activate", [model])
    model.refresh_from_db()
    assert model.is_active and model.activated_at is not None
    assert list(ScoringModel.objects.filter(is_active=True)) == [model]
    assert RecomputeRun.objects.count() == runs + 1
    assert RecomputeRun.objects.latest("id").reason == "activate v5"
    # Evidence of past scores: no more edits.
    response = admin_client.post(admin_url(ScoringModel, "change", model.pk), {
        "version": "5", "name": "改名", "effective_from": str(today()), "rules": json.dumps(DEFAULT_RULES)})
    assert response.status_code == 403
    model.refresh_from_db()
    assert model.name == "第 5 版"


def test_derived_credit_data_is_read_only(admin_client, world):
    for model in DERIVED:
        row = model.objects.order_by("-pk").first()
        assert admin_client.get(admin_url(model, "add")).status_code == 403, model.__name__
        assert admin_client.post(admin_url(model, "change", row.pk), {}).status_code == 403, model.__name__
        assert admin_client.post(admin_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403, model.__name__
        assert model.objects.filter(pk=row.pk).exists()


def test_scores_and_events_are_found_by_entity(admin_client, world):
    entity = world["entity"]
    EntityFactory(name="太原市某某宾馆")
    [score] = results(admin_client.get(admin_url(CreditScore), {"q": "丙旅行社"}))
    assert score.entity == entity
    assert results(admin_client.get(admin_url(CreditScore), {"q": str(entity.pk)})) == [score]
    events = results(admin_client.get(admin_url(CreditEvent), {"q": entity.credit_code}))
    assert events and {event.entity_id for event in events} == {entity.pk}
    assert {e.source_type for e in results(admin_client.get(admin_url(CreditEvent),
                                                           {"source_type": "listing"}))} == {"listing"}
