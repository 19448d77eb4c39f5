"""双随机一公开: shares sampled per grade, reproducibility from the seed, inspectors drawn within their scope."""

from __future__ import annotations

import datetime
import random
from collections import Counter

import pytest
from django.utils import timezone

from complaints import planning, sampling
from complaints.models import InspectionPlan, InspectionPlanItem
from complaints.sampling import (
    DEFAULT_ANNUAL_RATES,
    RATE_BANDS,
    InspectorScope,
    draw_entities,
    validate_rates,
)
from core.models import UserRole
from entities.models import EntityStatus, Sector
from ratings.models import CreditScore
from tests.support import api_client
from tests.support.factories import EntityFactory, UserFactory

POPULATION_SIZE = 120_000
GRADE_WEIGHTS = {"A": 15, "B": 50, "C": 25, "D": 10}
RATES = [
    DEFAULT_ANNUAL_RATES,
    {"A": 0.03, "B": 0.06, "C": 0.22, "D": 0.62},   # near the lower edges
    {"A": 0.05, "B": 0.20, "C": 0.60, "D": 1.00},   # the upper edges
]


@pytest.fixture(scope="module")
def population() -> list[tuple[int, str]]:
    rng = random.Random(20260101)
    grades = rng.choices(list(GRADE_WEIGHTS), weights=list(GRADE_WEIGHTS.values()), k=POPULATION_SIZE)
    return list(zip(range(1, POPULATION_SIZE + 1), grades, strict=True))


def annual_draws(population, rates) -> tuple[Counter, dict[str, set[int]]]:
    """Twelve monthly draws as the planner makes them: draws per grade and the distinct entities drawn."""
    grade_of = dict(population)
    draws: Counter = Counter()
    distinct: dict[str, set[int]] = {grade: set() for grade in RATE_BANDS}
    drawn: set[int] = set()
    for month in range(1, 13):
        sample = draw_entities(population, rates, seed=f"1408-2026-{month:02d}", month=month, already_drawn=drawn)
        drawn.update(sample)
        for entity_id in sample:
            draws[grade_of[entity_id]] += 1
            distinct[grade_of[entity_id]].add(entity_id)
    return draws, distinct


@pytest.mark.parametrize("rates", RATES, ids=["default", "low_edges", "high_edges"])
def test_annual_share_per_grade_stays_in_its_band_and_within_one_point_of_the_rate(rates, population):
    sizes = Counter(grade for _, grade in population)
    draws, _ = annual_draws(population, rates)
    for grade, (low, high) in RATE_BANDS.items():
        share = draws[grade] / sizes[grade]
        assert low - 1e-9 <= share <= high + 0.005, (grade, share)  # rounding may pass 100 % by a hair
        assert abs(share - rates[grade]) <= 0.01, (grade, share, rates[grade])


@pytest.mark.parametrize("rates", RATES, ids=["default", "low_edges", "high_edges"])
def test_distinct_entities_inspected_per_year_stay_in_their_grade_band(rates, population):
    """Each month draws from those not drawn earlier in the year, so no entity is counted twice."""
    sizes = Counter(grade for _, grade in population)
    draws, distinct = annual_draws(population, rates)
    for grade, (low, high) in RATE_BANDS.items():
        assert sum(1 for _ in distinct[grade]) == draws[grade]  # nobody drawn twice in a year
        share = len(distinct[grade]) / sizes[grade]
        assert low - 1e-9 <= share <= high + 1e-9, (grade, share)
        assert abs(share - rates[grade]) <= 0.01, (grade, share)


def test_a_small_group_is_not_over_sampled():
    """Ten grade-A entities at 5 % a year: at most one draw in the whole year, not one a month."""
    population = [(i, "A") for i in range(1, 11)]
    drawn: set[int] = set()
    for month in range(1, 13):
        drawn.update(draw_entities(population, DEFAULT_ANNUAL_RATES, seed=f"m{month}", month=month,
                                   already_drawn=drawn))
    assert len(drawn) <= 1


def test_a_monthly_draw_takes_one_twelfth_of_the_annual_rate(population):
    sizes = Counter(grade for _, grade in population)
    grade_of = dict(population)
    drawn = Counter(grade_of[i] for i in draw_entities(population, DEFAULT_ANNUAL_RATES, seed="s"))
    for grade, rate in DEFAULT_ANNUAL_RATES.items():
        assert drawn[grade] == round(sizes[grade] * rate / 12)


def test_the_draw_is_reproducible_from_the_seed_and_ignores_input_order(population):
    first = draw_entities(population, DEFAULT_ANNUAL_RATES, seed="c0ffee")
    shuffled = population[:]
    random.Random(7).shuffle(shuffled)
    assert draw_entities(shuffled, DEFAULT_ANNUAL_RATES, seed="c0ffee") == first
    assert draw_entities(population, DEFAULT_ANNUAL_RATES, seed="c0ffef") != first


def test_a_draw_has_no_duplicates_and_only_population_members(population):
    sample = draw_entities(population, DEFAULT_ANNUAL_RATES, seed="x")
    assert len(sample) == len(set(sample))
    assert set(sample) <= {entity_id for entity_id, _ in population}
    assert sample == sorted(sample)


def test_a_grade_with_rate_zero_is_never_drawn():
    population = [(i, "A") for i in range(1, 1001)] + [(i, "D") for i in range(1001, 1101)]
    sample = draw_entities(population, {"A": 0.0, "B": 0.1, "C": 0.3, "D": 0.9}, seed="z")
    assert sample and all(entity_id > 1000 for entity_id in sample)


def test_an_empty_population_draws_nothing():
    assert draw_entities([], DEFAULT_ANNUAL_RATES, seed="z") == []


# --- configured rates ------------------------------------------------------------------------------


def test_the_default_rates_are_inside_their_bands():
    assert validate_rates(DEFAULT_ANNUAL_RATES) == {}


@pytest.mark.parametrize(("grade", "rate"), [
    ("A", 0.06), ("A", -0.01), ("B", 0.04), ("B", 0.21), ("C", 0.20), ("C", 0.205), ("C", 0.61),
    ("D", 0.60), ("D", 1.01),
])
def test_a_rate_outside_its_band_is_rejected(grade, rate):
    errors = validate_rates({**DEFAULT_ANNUAL_RATES, grade: rate})
    assert set(errors) == {grade}


@pytest.mark.parametrize(("grade", "rate"), [("A", 0.0), ("A", 0.05), ("B", 0.05), ("B", 0.20), ("C", 0.21),
                                             ("C", 0.60), ("D", 0.61), ("D", 1.0)])
def test_a_rate_on_the_edge_of_its_band_is_accepted(grade, rate):
    assert validate_rates({**DEFAULT_ANNUAL_RATES, grade: rate}) == {}


def test_missing_unknown_and_non_numeric_rates_are_rejected():
    missing = {k: v for k, v in DEFAULT_ANNUAL_RATES.items() if k != "C"}
    assert set(validate_rates(missing)) == {"C"}
    assert set(validate_rates({**DEFAULT_ANNUAL_RATES, "E": 0.5})) == {"E"}
    assert set(validate_rates({**DEFAULT_ANNUAL_RATES, "B": "0.1"})) == {"B"}


# --- inspectors drawn within their scope ---------------------------------------------------------------


SCOPES = [
    InspectorScope(1, ("1408",), ("tourism",)),
    InspectorScope(2, ("140802",), ("tourism", "wellness")),
    InspectorScope(3, ("1401",), ("tourism",)),
    InspectorScope(4, ("14",), ()),  # no sector: covers nothing
]


def test_inspector_scope_needs_both_the_region_prefix_and_the_sector():
    assert SCOPES[0].covers("140802", "tourism")
    assert not SCOPES[0].covers("140105", "tourism")
    assert not SCOPES[0].covers("140802", "wellness")
    assert not SCOPES[3].covers("140802", "tourism")


def test_inspectors_are_drawn_only_among_those_covering_the_entity():
    entities = [(i, region, sector) for i, (region, sector) in enumerate(
        [("140802", "tourism"), ("140821", "tourism"), ("140802", "wellness"), ("140105", "tourism"),
         ("140902", "tourism"), ("140802", "exhibition")] * 40, start=1)]
    assignment = sampling.assign_inspectors(entities, SCOPES, seed="s")
    scopes = {scope.inspector_id: scope for scope in SCOPES}
    for entity_id, region, sector in entities:
        eligible = {s.inspector_id for s in SCOPES if s.covers(region, sector)}
        if eligible:
            assert assignment[entity_id] in eligible
            assert scopes[assignment[entity_id]].covers(region, sector)
        else:
            assert assignment[entity_id] is None  # 忻州 tourism and exhibition: nobody covers them
    # both inspectors covering 盐湖区 tourism get a share of the work
    yanhu_tourism = {assignment[i] for i, region, sector in entities if (region, sector) == ("140802", "tourism")}
    assert yanhu_tourism == {1, 2}
    assert sampling.assign_inspectors(entities, SCOPES, seed="s") == assignment
    assert sampling.assign_inspectors(entities, list(reversed(SCOPES)), seed="s") == assignment


# --- the plan through the API ------------------------------------------------------------------------------


def _draw(client, region_prefix: str, **extra):
    return client.post("/api/v1/inspection-plans/draw/",
                       {"month": "2026-03-15", "region_prefix": region_prefix, **extra}, format="json")


@pytest.fixture
def yuncheng(db):
    """40 active tourism entities in 运城市 plus some that must stay out of the population."""
    entities = [EntityFactory(region_code="140802") for _ in range(40)]
    EntityFactory(region_code="140802", status=EntityStatus.DEREGISTERED)
    EntityFactory(region_code="140802", status=EntityStatus.SUSPENDED)
    EntityFactory(region_code="140105")
    return entities


@pytest.mark.django_db
def test_plan_draw_records_seed_population_and_sample_and_verifies(yuncheng, regulator_client):
    response = _draw(regulator_client, "1408")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["month"] == "2026-03-01" and body["region_prefix"] == "1408"
    assert body["seed"] and body["rates"] == DEFAULT_ANNUAL_RATES
    plan = InspectionPlan.objects.get(pk=body["id"])
    assert plan.population == [[e.pk, "B"] for e in sorted(yuncheng, key=lambda e: e.pk)]
    assert body["population_size"] == 40
    assert body["sample_size"] == len(body["items"]) == plan.items.count() >= 1
    expected = draw_entities([tuple(row) for row in plan.population], plan.rates, plan.seed)
    assert [item["entity"] for item in body["items"]] == expected
    assert regulator_client.get(f"/api/v1/inspection-plans/{plan.pk}/verify/").json() == {"valid": True}


@pytest.mark.django_db
@pytest.mark.parametrize("tamper", ["swap_entity", "delete_item", "add_item", "change_seed"])
def test_tampering_with_a_stored_plan_makes_verify_false(tamper, yuncheng, regulator_client):
    plan = InspectionPlan.objects.get(pk=_draw(regulator_client, "1408").json()["id"])
    sampled = set(plan.items.values_list("entity_id", flat=True))
    outsider = next(e for e in yuncheng if e.pk not in sampled)
    item = plan.items.first()
    if tamper == "swap_entity":
        InspectionPlanItem.objects.filter(pk=item.pk).update(entity=outsider)
    elif tamper == "delete_item":
        item.delete()
    elif tamper == "add_item":
        InspectionPlanItem.objects.create(plan=plan, entity=outsider, grade="B")
    else:
        InspectionPlan.objects.filter(pk=plan.pk).update(seed=plan.seed + "0")
    assert regulator_client.get(f"/api/v1/inspection-plans/{plan.pk}/verify/").json() == {"valid": False}


@pytest.mark.django_db
def test_entities_without_a_score_count_as_grade_b_and_a_score_gives_its_grade(yuncheng):
    scored = yuncheng[0]
    CreditScore.objects.create(entity=scored, score=550, grade="D", model_version=1, as_of=datetime.date(2026, 3, 1),
                               computed_at=timezone.now())
    plan = planning.plan_draw(month=datetime.date(2026, 3, 1), region_prefix="1408", seed="fixed")
    grades = dict(plan.population)
    assert grades[scored.pk] == "D"
    assert {grade for entity_id, grade in grades.items() if entity_id != scored.pk} == {"B"}
    # One D entity at 80 % a year is inspected once (its band's floor of 61 % rounds up to 1); cumulative
    # rounding of that one draw over twelve months puts it in June (round(1 * 6 / 12) = 1).
    assert not plan.items.filter(entity=scored).exists()
    june = planning.plan_draw(month=datetime.date(2026, 6, 1), region_prefix="1408", seed="fixed")
    assert june.items.get(entity=scored).grade == "D"


@pytest.mark.django_db
def test_the_same_month_and_region_cannot_be_drawn_twice(yuncheng, regulator_client):
    assert _draw(regulator_client, "1408").status_code == 201
    response = _draw(regulator_client, "1408")
    assert response.status_code == 409
    assert InspectionPlan.objects.count() == 1


@pytest.mark.django_db
def test_plan_draw_with_a_rate_outside_its_band_is_400_naming_rates(yuncheng, regulator_client):
    response = _draw(regulator_client, "1408", rates={**DEFAULT_ANNUAL_RATES, "A": 0.10})
    assert response.status_code == 400
    assert "rates" in response.json()
    assert not InspectionPlan.objects.exists()


@pytest.mark.django_db
def test_only_a_regulator_may_draw_a_plan(yuncheng, inspector_client, business_a):
    assert _draw(inspector_client, "1408").status_code == 403
    assert _draw(api_client(business_a), "1408").status_code == 403
    assert not InspectionPlan.objects.exists()


@pytest.mark.django_db
def test_plan_items_get_an_inspector_in_scope_or_none(inspector, inspector_taiyuan, regulator_client):
    yanhu = EntityFactory(region_code="140802")  # tourism in 运城: only `inspector` covers it
    xinzhou = EntityFactory(region_code="140902", sector=Sector.WELLNESS, category="elderly_care")  # nobody
    UserFactory(username="inactive", role=UserRole.INSPECTOR, region_codes=["14"], sectors=[Sector.TOURISM],
                is_active=False)
    UserFactory(username="regulator_wide", role=UserRole.REGULATOR, region_codes=["14"], sectors=[Sector.TOURISM])

    # A population of one is drawn once a year, in June (cumulative rounding of one draw over the months).
    yuncheng_plan = _draw(regulator_client, "1408", month="2026-06-15").json()
    assert [(i["entity"], i["inspector"]) for i in yuncheng_plan["items"]] == [(yanhu.pk, inspector.pk)]
    xinzhou_plan = _draw(regulator_client, "1409", month="2026-06-15").json()
    assert [(i["entity"], i["inspector"]) for i in xinzhou_plan["items"]] == [(xinzhou.pk, None)]


@pytest.mark.django_db
def test_a_plan_is_public_only_once_published(yuncheng, regulator_client, anon_client):
    plan_id = _draw(regulator_client, "1408").json()["id"]
    assert anon_client.get("/api/v1/public/inspection-plans/").json()["count"] == 0
    assert regulator_client.post(f"/api/v1/inspection-plans/{plan_id}/publish/").status_code == 200
    assert regulator_client.post(f"/api/v1/inspection-plans/{plan_id}/publish/").status_code == 409
    public = anon_client.get("/api/v1/public/inspection-plans/").json()["results"]
    assert [p["id"] for p in public] == [plan_id]
    assert public[0]["seed"] == InspectionPlan.objects.get(pk=plan_id).seed
