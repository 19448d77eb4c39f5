"""Credit endpoints: scope per role, breakdown adds up, models versioned and activated."""


import pytest

from ratings.engine import DEFAULT_RULES
from ratings.models import CreditEvent, CreditScore, ScoringModel
from ratings.services import entity_rescore
from tests.support import api_client, listing_in, today


def _breakdown_adds_up(body):
    assert body["score"] == body["base"] + sum(line["points"] for line in body["breakdown"])


def test_business_sees_own_credit_not_others(business_a, entity_a, entity_b):
    client = api_client(business_a)
    own = client.get(f"/api/v1/entities/{entity_a.pk}/credit/")
    assert own.status_code == 200
    assert set(own.json()) >= {"score", "grade", "model_version", "computed_at", "base", "breakdown"}
    _breakdown_adds_up(own.json())
    assert client.get(f"/api/v1/entities/{entity_b.pk}/credit/").status_code == 404
    assert client.get(f"/api/v1/entities/{entity_b.pk}/credit/history/").status_code == 404


def test_inspector_out_of_scope_gets_404(db, inspector):
    from tests.support.factories import EntityFactory

    outside = EntityFactory(region_code="140105")
    assert api_client(inspector).get(f"/api/v1/entities/{outside.pk}/credit/").status_code == 404


def test_new_entity_starts_at_800_grade_b(regulator_client, entity_a):
    body = regulator_client.get(f"/api/v1/entities/{entity_a.pk}/credit/").json()
    assert (body["score"], body["grade"], body["base"]) == (800, "B", 800)


def test_finding_lowers_score_with_traceable_line(regulator_client, inspector_client, entity_a):
    response = inspector_client.post("/api/v1/inspections/", {
        "entity": entity_a.pk, "inspected_on": str(today()), "kind": "targeted",
        "findings": [{"violation_code": "forced_shopping", "severity": "serious", "description": "强迫购物",
                      "penalty": "fine", "fine_amount": "1000", "decision_number": "罚〔2026〕9号"}],
    }, format="json")
    assert response.status_code == 201
    body = regulator_client.get(f"/api/v1/entities/{entity_a.pk}/credit/").json()
    rules = {line["rule"]: line for line in body["breakdown"]}
    assert rules["finding_serious"]["points"] == -60 and rules["penalty_fine"]["points"] == -30
    assert rules["finding_serious"]["source_type"] == "finding"
    assert body["score"] == 800 - 60 - 30
    _breakdown_adds_up(body)
    history = regulator_client.get(f"/api/v1/entities/{entity_a.pk}/credit/history/").json()
    assert history["results"][0]["score"] == 710


def test_black_listing_forces_grade_d(entity_a):
    listing = listing_in("published", entity=entity_a, list_type="black")
    entity_rescore(entity_id=entity_a.pk)
    event = CreditEvent.objects.get(entity=entity_a, source_type="listing")
    assert (event.rule, event.source_id) == ("listing_black", listing.pk)
    score = CreditScore.objects.get(entity=entity_a)
    assert score.grade == "D" and score.score == 599
    assert score.breakdown[-1]["source_type"] == "adjustment"
    assert score.score == score.base + sum(line["points"] for line in score.breakdown)


@pytest.mark.parametrize("score,grade", [(900, "A"), (899, "B"), (750, "B"), (749, "C"), (600, "C"), (599, "D")])
def test_grade_bands(score, grade):
    from ratings.engine import grade_for

    assert grade_for(score, DEFAULT_RULES) == grade


def test_grade_filter_counts_unscored_as_b(regulator_client, entity_a, entity_b):
    CreditScore.objects.create(entity=entity_b, score=500, grade="D", model_version=1, as_of=today(),
                               computed_at="2026-01-01T00:00:00Z")
    b_ids = {row["id"] for row in regulator_client.get("/api/v1/entities/?grade=B").json()["results"]}
    d_ids = {row["id"] for row in regulator_client.get("/api/v1/entities/?grade=D").json()["results"]}
    assert entity_a.pk in b_ids and entity_b.pk not in b_ids
    assert d_ids == {entity_b.pk}


def test_scoring_model_versions_and_activation_recomputes(regulator_client, entity_a, django_capture_on_commit_callbacks):
    rules = {**DEFAULT_RULES, "base": 700}
    created = regulator_client.post("/api/v1/scoring-models/", {
        "version": 2, "name": "测试模型", "effective_from": "2026-01-01", "rules": rules}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["is_active"] is False
    with django_capture_on_commit_callbacks(execute=True):
        activated = regulator_client.post(f"/api/v1/scoring-models/{created.json()['id']}/activate/")
    assert activated.status_code == 200
    assert ScoringModel.objects.get(is_active=True).version == 2
    assert CreditScore.objects.get(entity=entity_a).base == 700
    assert regulator_client.post(f"/api/v1/scoring-models/{created.json()['id']}/activate/").status_code == 409
    frozen = regulator_client.patch(f"/api/v1/scoring-models/{created.json()['id']}/", {"name": "x"}, format="json")
    assert frozen.status_code == 409


@pytest.mark.parametrize("bad", [
    {"base": "800"},
    {"grades": {"A": 900, "B": 950, "C": 600, "D": 0}},
    {"points": {"complaint_substantiated": -15}},
    {"publicity_days": {"general": 0, "serious": 1095}},
])
def test_invalid_rules_are_rejected_naming_rules(regulator_client, bad):
    response = regulator_client.post("/api/v1/scoring-models/", {
        "version": 3, "name": "坏模型", "effective_from": "2026-01-01", "rules": {**DEFAULT_RULES, **bad}},
        format="json")
    assert response.status_code == 400 and "rules" in response.json()
    assert not ScoringModel.objects.filter(version=3).exists()


def test_non_regulators_cannot_touch_scoring_models(inspector_client, business_a):
    assert inspector_client.get("/api/v1/scoring-models/").status_code == 403
    assert api_client(business_a).get("/api/v1/scoring-models/").status_code == 403
