"""``GET /api/v1/stats/satisfaction/``: satisfaction by sector, city and month matches a hand count; the public gets
aggregates only, small cells withheld; bad parameters are 400s naming them."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from complaints import satisfaction
from complaints.models import ComplaintStatus
from complaints.satisfaction_ratings import ComplaintSatisfaction
from core.models import UserRole
from entities import review_services
from entities.models import Category, Sector
from entities.reviews import ServiceReview
from tests.entities.worker_fixtures import ready_worker
from tests.support import api_client, complaint_in, page_client
from tests.support.factories import EntityFactory, UserFactory

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
NOV = datetime.datetime(2026, 11, 15, 10, 0, tzinfo=BEIJING)
OCT = datetime.datetime(2026, 10, 15, 10, 0, tzinfo=BEIJING)
URL = "/api/v1/stats/satisfaction/"


@pytest.fixture
def regulator(db):
    return UserFactory(username="sat-regulator", role=UserRole.REGULATOR)


def _firm(region: str):
    return EntityFactory(region_code=region, sector=Sector.HOUSEHOLD_SERVICE,
                         category=Category.HOUSEHOLD_SERVICE_COMPANY)


def _owner(firm, name):
    return UserFactory(username=name, role=UserRole.BUSINESS, entities=[firm])


def _review(owner, employment, rating: int, when: datetime.datetime, *, regulator=None, reject: bool = False):
    order = review_services.service_order_create(
        actor=owner, entity=employment.entity, worker=employment.person, served_on=employment.started_on,
        service_kind="cleaning", customer_phone="13912345678")
    review = review_services.review_submit(token=order.link_token, rating=rating, comment="独特评语ABC")
    if regulator is not None:
        if reject:
            review_services.review_reject(actor=regulator, review=review, reason="无关")
        else:
            review_services.review_approve(actor=regulator, review=review)
    ServiceReview.objects.filter(pk=review.pk).update(submitted_at=when)
    return review


def _rated(entity, rating: int, when: datetime.datetime):
    complaint = complaint_in(ComplaintStatus.CLOSED, entity=entity)
    record = satisfaction.satisfaction_rate(complaint=complaint, rating=rating, comment="投诉评语XYZ")
    ComplaintSatisfaction.objects.filter(pk=record.pk).update(rated_at=when)


@pytest.fixture
def world(regulator):
    yuncheng_firm, taiyuan_firm = _firm("140802"), _firm("140105")
    tourism = EntityFactory(region_code="140802")
    owner_y, owner_t = _owner(yuncheng_firm, "sat-y"), _owner(taiyuan_firm, "sat-t")
    worker_y = ready_worker(owner_y, yuncheng_firm, started_on=datetime.date(2026, 1, 1))
    worker_t = ready_worker(owner_t, taiyuan_firm, started_on=datetime.date(2026, 1, 1))
    for rating in (5, 4, 2):
        _review(owner_y, worker_y, rating, NOV, regulator=regulator)
    _review(owner_y, worker_y, 3, OCT, regulator=regulator)
    _review(owner_y, worker_y, 1, NOV)  # pending: not counted
    _review(owner_y, worker_y, 1, NOV, regulator=regulator, reject=True)  # rejected: not counted
    _review(owner_t, worker_t, 5, NOV, regulator=regulator)
    _rated(tourism, 5, NOV)
    _rated(tourism, 1, NOV)
    _rated(yuncheng_firm, 4, NOV)
    return {"yuncheng_firm": yuncheng_firm, "owner": owner_y, "worker": worker_y}


def _cells(answer):
    return {(row["month"], row["sector"], row["city_code"], row["source"]):
            (row["count"], row["average"], row["satisfied"], row["satisfaction_rate"]) for row in answer["results"]}


def test_figures_by_sector_city_and_month_match_a_hand_count(world, regulator):
    answer = api_client(regulator).get(URL, {"city": "140800", "month": "2026-11"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert _cells(body) == {
        ("2026-11", "household_service", "140800", "complaint_handling"): (1, 4.0, 1, 1.0),
        ("2026-11", "household_service", "140800", "service_review"): (3, 3.67, 2, 0.6667),
        ("2026-11", "tourism", "140800", "complaint_handling"): (2, 3.0, 1, 0.5),
    }
    assert body["totals"]["all"] == {"count": 6, "suppressed": False, "average": 3.5, "satisfied": 4,
                                     "satisfaction_rate": 0.6667}
    assert body["totals"]["service_review"]["count"] == 3 and body["totals"]["complaint_handling"]["count"] == 3
    rows = {row["source"]: row for row in body["results"] if row["sector"] == "tourism"}
    assert rows["complaint_handling"]["city_name"] == "山西省运城市" and rows["complaint_handling"]["sector_label"]


def test_the_whole_province_by_month_and_sector(world, regulator):
    body = api_client(regulator).get(URL).json()
    cells = _cells(body)
    assert cells[("2026-10", "household_service", "140800", "service_review")] == (1, 3.0, 0, 0.0)
    assert cells[("2026-11", "household_service", "140100", "service_review")] == (1, 5.0, 1, 1.0)
    assert body["totals"]["service_review"]["count"] == 5  # 3 + 1 + 1 published; the pending and rejected are not
    household = api_client(regulator).get(URL, {"sector": "household_service"}).json()
    assert {key[1] for key in _cells(household)} == {"household_service"}
    assert household["totals"]["all"]["count"] == 6


def test_the_month_is_beijing_time_on_both_sides_of_midnight(world, regulator):
    late_nov = datetime.datetime(2026, 11, 30, 23, 59, tzinfo=BEIJING)
    early_dec = datetime.datetime(2026, 12, 1, 0, 0, tzinfo=BEIJING)
    _review(world["owner"], world["worker"], 5, late_nov, regulator=regulator)
    _review(world["owner"], world["worker"], 4, early_dec, regulator=regulator)
    staff = api_client(regulator)
    nov = staff.get(URL, {"month": "2026-11", "sector": "household_service", "city": "140800"}).json()
    dec = staff.get(URL, {"month": "2026-12", "sector": "household_service", "city": "140800"}).json()
    assert nov["totals"]["service_review"]["count"] == 4
    assert dec["totals"]["service_review"]["count"] == 1 and dec["results"][0]["month"] == "2026-12"


def test_the_public_reads_aggregates_only_with_small_cells_withheld(world):
    answer = api_client().get(URL, {"city": "140800", "month": "2026-11"})
    assert answer.status_code == 200
    body = answer.json()
    for row in body["results"]:
        assert row["suppressed"] is True and row["average"] is None and row["satisfaction_rate"] is None
        assert row["count"] < 5
    assert body["totals"]["all"]["suppressed"] is False and body["totals"]["all"]["average"] == 3.5
    text = answer.content.decode()
    assert "独特评语" not in text and "投诉评语" not in text and "13912345678" not in text


@pytest.mark.parametrize(("params", "field"), [
    ({"city": "140802"}, "city"), ({"city": "999900"}, "city"), ({"city": "140000"}, "city"),
    ({"month": "2026-13"}, "month"), ({"month": "202611"}, "month"), ({"sector": "mining"}, "sector")])
def test_bad_parameters_are_400_naming_them(params, field):
    answer = api_client().get(URL, params)
    assert answer.status_code == 400 and field in answer.json()


def test_blank_parameters_mean_no_filter(world):
    assert api_client().get(URL, {"city": "", "sector": "", "month": ""}).status_code == 200


def test_the_regulators_admin_shows_the_figures(world, regulator):
    staff = UserFactory(username="sat-admin", role=UserRole.REGULATOR, is_staff=True)
    page = page_client(staff).get("/admin/complaints/complaintsatisfaction/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "满意在山西" in text and "运城市" in text and "家政服务" in text
    assert "household_service" not in text


@pytest.mark.django_db(transaction=True)
def test_synthetic_reviews_cover_the_synthetic_workers():
    from django.db import connection

    from core.database.roles import owner_session
    from entities.reviews import ServiceOrder
    from entities.workers import Employment
    from regulator.demo.synthetic import generate
    from regulator.demo.synthetic_reviews import review_marks, synthetic_reviews
    from regulator.lists.models import RuleSet
    from tests.regulator.test_service_cards import _reseed

    if not RuleSet.objects.exists():
        _reseed()
    with owner_session(connection):
        marks = review_marks()
        generate(entities=60, seed=12)
        counts = synthetic_reviews(seed=12, since=marks)
    employments = Employment.objects.count()
    assert employments > 0 and employments <= counts.orders <= 3 * employments
    assert ServiceOrder.objects.count() == counts.orders and ServiceReview.objects.count() == counts.reviews
    assert 0.4 * counts.orders <= counts.reviews <= 0.8 * counts.orders
    assert counts.published > counts.reviews / 2
    assert ComplaintSatisfaction.objects.count() == counts.satisfaction > 0
    assert not ComplaintSatisfaction.objects.exclude(complaint__status="closed").exists()
    # every order's worker was employed by its firm on the day served
    for order in ServiceOrder.objects.select_related("employment")[:200]:
        assert order.employment.entity_id == order.entity_id and order.employment.covers(order.served_on)
    body = api_client().get(URL).json()
    assert body["totals"]["service_review"]["count"] == counts.published
