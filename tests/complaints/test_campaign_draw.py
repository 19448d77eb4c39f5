"""专项行动 and 双随机: a draw for a campaign draws only within its scope and period; its inspections carry it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from complaints import campaign_services, planning
from complaints.models import InspectionPlan
from core.models import UserRole
from entities.models import EntityStatus, Sector
from tests.support import api_client, today
from tests.support.factories import EntityFactory, UserFactory

pytestmark = pytest.mark.django_db

RATES = {"A": 0.05, "B": 0.20, "C": 0.40, "D": 0.80}
TODAY = today()


@pytest.fixture
def scoped_world(db):
    """10 tourism entities of 运城市 in scope; wellness ones, 太原 ones and a suspended one out of it."""
    inside = [EntityFactory(name=f"运城旅行社{index}") for index in range(10)]
    outside = [
        *(EntityFactory(name=f"盐湖区康养{index}", sector=Sector.WELLNESS, category="elderly_care") for index in range(3)),
        *(EntityFactory(name=f"太原旅行社{index}", region_code="140105") for index in range(3)),
        EntityFactory(name="停业的运城旅行社", status=EntityStatus.SUSPENDED),
    ]
    return {"inside": {entity.pk for entity in inside}, "outside": {entity.pk for entity in outside}}


def make_campaign(regulator, *, starts_on, ends_on, **fields):
    data = {"name": "运城市旅游价格诚信专项行动", "kind": "price", "sectors": [Sector.TOURISM], "region_prefix": "1408",
            "starts_on": starts_on, "ends_on": ends_on, **fields}
    return campaign_services.campaign_create(actor=regulator, **data)


@pytest.fixture
def running(regulator):
    return make_campaign(regulator, starts_on=TODAY - datetime.timedelta(days=10),
                         ends_on=TODAY + datetime.timedelta(days=10))


@pytest.mark.parametrize("seed", ["s1", "s2", "s3", "s4", "s5"])
def test_a_campaign_draw_draws_only_in_its_scope(seed, scoped_world, running):
    plan = planning.plan_draw(month=TODAY, region_prefix="1408", rates=RATES, seed=seed, campaign=running)
    assert plan.campaign_id == running.pk
    assert {entity_id for entity_id, _grade in plan.population} == scoped_world["inside"]
    drawn = set(plan.items.values_list("entity_id", flat=True))
    assert drawn <= scoped_world["inside"] and not drawn & scoped_world["outside"]
    # the annual rate applied at once to the campaign's population: 20 % of 10 grade-B entities
    assert plan.sample_size == len(drawn) == 2
    assert planning.plan_verify(plan=plan)


def test_a_later_campaign_draw_leaves_out_the_entities_drawn_before(scoped_world, regulator):
    campaign = make_campaign(regulator, starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 5, 31))
    first = planning.plan_draw(month=datetime.date(2026, 3, 1), region_prefix="1408", rates=RATES, campaign=campaign)
    second = planning.plan_draw(month=datetime.date(2026, 4, 1), region_prefix="1408", rates=RATES, campaign=campaign)
    first_drawn = set(first.items.values_list("entity_id", flat=True))
    assert set(second.excluded) == first_drawn
    assert not first_drawn & set(second.items.values_list("entity_id", flat=True))


@pytest.mark.parametrize(("month", "allowed"), [
    (datetime.date(2026, 2, 1), False), (datetime.date(2026, 3, 1), True),
    (datetime.date(2026, 5, 1), True), (datetime.date(2026, 6, 1), False),
], ids=["month_before_start", "month_of_start", "month_of_end", "month_after_end"])
def test_the_month_of_a_campaign_draw_must_fall_in_its_period(month, allowed, scoped_world, regulator):
    campaign = make_campaign(regulator, starts_on=datetime.date(2026, 3, 31), ends_on=datetime.date(2026, 5, 1))
    if allowed:
        assert planning.plan_draw(month=month, region_prefix="1408", rates=RATES, campaign=campaign).pk
    else:
        with pytest.raises(ValidationError) as refused:
            planning.plan_draw(month=month, region_prefix="1408", rates=RATES, campaign=campaign)
        assert "month" in refused.value.message_dict
        assert not InspectionPlan.objects.exists()


@pytest.mark.parametrize("region_prefix", ["14", "1401"])
def test_a_campaign_draw_outside_its_region_is_refused(region_prefix, scoped_world, running):
    with pytest.raises(ValidationError) as refused:
        planning.plan_draw(month=TODAY, region_prefix=region_prefix, rates=RATES, campaign=running)
    assert "region_prefix" in refused.value.message_dict


def test_the_monthly_plan_is_drawn_beside_a_campaign_plan_and_ignores_it(scoped_world, running):
    campaign_plan = planning.plan_draw(month=TODAY, region_prefix="1408", rates=RATES, campaign=running)
    monthly = planning.plan_draw(month=TODAY, region_prefix="1408", rates=RATES)
    assert monthly.campaign_id is None
    # the monthly population is the whole jurisdiction's active entities, wellness ones included
    population = {entity_id for entity_id, _grade in monthly.population}
    assert scoped_world["inside"] < population
    assert not set(campaign_plan.items.values_list("entity_id", flat=True)) & set(monthly.excluded)
    assert planning.plan_verify(plan=monthly)


def test_a_campaign_plan_seals_its_campaign(scoped_world, running):
    plan = planning.plan_draw(month=TODAY, region_prefix="1408", rates=RATES, campaign=running)
    InspectionPlan.objects.filter(pk=plan.pk).update(campaign=None)
    plan.refresh_from_db()
    assert not planning.plan_verify(plan=plan)


def test_draw_for_a_campaign_through_the_api(scoped_world, running, regulator_client):
    response = regulator_client.post("/api/v1/inspection-plans/draw/", {
        "month": str(TODAY.replace(day=1)), "region_prefix": "1408", "rates": RATES, "campaign": running.pk},
        format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["campaign"] == running.pk
    assert {item["entity"] for item in body["items"]} <= scoped_world["inside"]
    taiyuan = api_client(UserFactory(username="reg_ty", role=UserRole.REGULATOR, region_codes=["1401"]))
    refused = taiyuan.post("/api/v1/inspection-plans/draw/", {
        "month": str(TODAY.replace(day=1)), "region_prefix": "1408", "rates": RATES, "campaign": running.pk},
        format="json")
    assert refused.status_code == 400 and "campaign" in refused.json()


def test_inspections_recorded_from_a_campaign_draw_carry_the_campaign(scoped_world, running, regulator,
                                                                     inspector_client):
    other = make_campaign(regulator, name="质量诚信专项行动", kind="quality", starts_on=running.starts_on,
                          ends_on=running.ends_on)
    plan = planning.plan_draw(month=TODAY, region_prefix="1408", rates=RATES, campaign=running)
    first, second = plan.items.order_by("id")[:2]

    def record(item, **extra):
        return inspector_client.post("/api/v1/inspections/", {
            "entity": item.entity_id, "inspected_on": str(TODAY - datetime.timedelta(days=1)), "kind": "random",
            "plan_item": item.pk, "findings": [], **extra}, format="json")

    carried = record(first)
    assert carried.status_code == 201, carried.content
    assert carried.json()["campaign"] == running.pk
    refused = record(second, campaign=other.pk)
    assert refused.status_code == 400 and "campaign" in refused.json()
    # and it cannot be moved off the campaign whose draw it came from
    moved = inspector_client.post(f"/api/v1/inspections/{carried.json()['id']}/campaign/", {"campaign": other.pk},
                                  format="json")
    assert moved.status_code == 400 and "campaign" in moved.json()
    untagged = inspector_client.post(f"/api/v1/inspections/{carried.json()['id']}/campaign/", {"campaign": None},
                                     format="json")
    assert untagged.status_code == 400 and "campaign" in untagged.json()
