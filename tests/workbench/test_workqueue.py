"""工作台: the work queue lists exactly what is due in the caller's jurisdiction, soonest first."""

from __future__ import annotations

import datetime
import random

import pytest
from django.test import Client
from django.utils import timezone

from complaints import services as complaint_services
from core.models import CalendarDay, UserRole
from core.workdays import current_calendar
from entities import codes
from entities.models import Category, Entity, Sector
from entities.services import entity_create
from regulator.lists import services as listings
from regulator.workbench.selectors import HORIZON_WORKING_DAYS, KINDS, workqueue_for

pytestmark = pytest.mark.django_db
#: the decision: the rule set's whole catalogue of measures for the list, its appeal routes, the series' number
DECISION: dict = {}


def _entity(name: str, region: str) -> Entity:
    return entity_create(name=name, credit_code=codes.credit_code(region, random.Random(name)), region_code=region,
                         sector=Sector.TOURISM, category=Category.TRAVEL_AGENCY, address="山西省")


def _complaint(entity: Entity, *, received: datetime.date):
    return complaint_services.complaint_file(entity=entity, category="forced_shopping", description="导游强迫购物",
                                             incident_date=received - datetime.timedelta(days=1),
                                             complainant_name="游客", complainant_phone="13900000000", today=received)


@pytest.fixture
def yuncheng():
    return _entity("运城甲旅行社有限公司", "140802")


@pytest.fixture
def taiyuan():
    return _entity("太原乙旅行社有限公司", "140105")


def _kinds(items) -> list[tuple[str, int]]:
    return [(item.kind, item.object_id) for item in items]


def test_a_complaint_is_due_within_the_horizon_in_working_days_and_not_a_day_earlier(yuncheng, regulator):
    today = timezone.localdate()
    calendar = current_calendar()
    # accept_due is 5 working days after receipt: received so that it falls exactly at the horizon ...
    at_horizon = _complaint(yuncheng, received=today)
    horizon = calendar.add_working_days(today, HORIZON_WORKING_DAYS)
    assert at_horizon.accept_due > horizon  # 5 working days > 3: not yet due
    assert ("complaint_accept", at_horizon.pk) not in _kinds(workqueue_for(regulator, today=today))
    # ... and on the day its due date comes within 3 working days, it is listed
    day = today
    while calendar.add_working_days(day, HORIZON_WORKING_DAYS) < at_horizon.accept_due:
        day += datetime.timedelta(days=1)
    assert day > today
    assert ("complaint_accept", at_horizon.pk) in _kinds(workqueue_for(regulator, today=day))
    # the day before, its due date was still more than 3 working days away
    assert ("complaint_accept", at_horizon.pk) not in _kinds(workqueue_for(regulator, today=day - datetime.timedelta(days=1)))


def test_an_overdue_complaint_is_flagged_and_sorted_first(yuncheng, regulator):
    today = timezone.localdate()
    old = _complaint(yuncheng, received=today - datetime.timedelta(days=30))
    fresh = _complaint(yuncheng, received=today - datetime.timedelta(days=2))
    items = [item for item in workqueue_for(regulator, today=today) if item.kind == "complaint_accept"]
    assert [item.object_id for item in items][:1] == [old.pk]
    assert items[0].overdue is True and items[0].due < today
    assert all(not item.overdue for item in items if item.object_id == fresh.pk)


def test_an_inspector_sees_only_their_jurisdiction(yuncheng, taiyuan, inspector, regulator):
    today = timezone.localdate()
    mine = _complaint(yuncheng, received=today - datetime.timedelta(days=10))
    theirs = _complaint(taiyuan, received=today - datetime.timedelta(days=10))
    inspector_rows = _kinds(workqueue_for(inspector, today=today))
    assert ("complaint_accept", mine.pk) in inspector_rows
    assert ("complaint_accept", theirs.pk) not in inspector_rows
    regulator_rows = _kinds(workqueue_for(regulator, today=today))
    assert {("complaint_accept", mine.pk), ("complaint_accept", theirs.pk)} <= set(regulator_rows)


def test_lists_steps_are_the_regulators_not_the_inspectors(yuncheng, inspector, regulator):
    listing = listings.listing_propose(list_type="black", subject_type="entity", entity=yuncheng,
                                       reason="拒不履行行政处罚决定", actor=regulator)
    assert ("listing_notify", listing.pk) in _kinds(workqueue_for(regulator))
    assert ("listing_notify", listing.pk) not in _kinds(workqueue_for(inspector))


def test_a_listing_moves_through_the_queue_with_its_due_process(yuncheng, regulator):
    today = timezone.localdate()
    notified_on = today - datetime.timedelta(days=40)
    listing = listings.listing_propose(list_type="black", subject_type="entity", entity=yuncheng,
                                       reason="拒不履行行政处罚决定", actor=regulator, today=notified_on)
    listing = listings.listing_notify(listing_id=listing.pk, actor=regulator, today=notified_on)
    rows = _kinds(workqueue_for(regulator, today=today))
    # the 告知书 is issued, not served: its service is due, the objection window has not opened
    assert ("listing_notify", listing.pk) not in rows and ("objection_window", listing.pk) not in rows
    assert ("document_serve", listing.notice_document_id) in rows
    listings.listing_document_serve(listing_id=listing.pk, document="notice", method="direct",
                                    delivered_on=notified_on, actor=regulator, today=notified_on)
    rows = _kinds(workqueue_for(regulator, today=today))
    assert ("document_serve", listing.notice_document_id) not in rows and ("objection_window", listing.pk) in rows
    listings.listing_decide(listing_id=listing.pk, actor=regulator, today=today, **DECISION)
    rows = _kinds(workqueue_for(regulator, today=today))
    assert ("objection_window", listing.pk) not in rows and ("listing_publish", listing.pk) in rows
    listings.listing_publish(listing_id=listing.pk, actor=regulator, today=today)
    assert not [row for row in _kinds(workqueue_for(regulator, today=today)) if row[1] == listing.pk
                and row[0].startswith("listing")]


def test_the_api_answers_counts_for_every_kind_and_refuses_an_unknown_kind(yuncheng, regulator_client, anon_client,
                                                                        business_a):
    _complaint(yuncheng, received=timezone.localdate() - datetime.timedelta(days=10))
    body = regulator_client.get("/api/v1/workqueue/").json()
    assert set(body["counts"]) == set(KINDS)
    assert body["counts"]["complaint_accept"] >= 1
    assert all(row["kind_label"] and row["next_action"] for row in body["results"])
    only = regulator_client.get("/api/v1/workqueue/?kind=complaint_accept").json()
    assert {row["kind"] for row in only["results"]} == {"complaint_accept"}
    refused = regulator_client.get("/api/v1/workqueue/?kind=zz_not_a_kind")
    assert refused.status_code == 400 and "kind" in str(refused.json())
    assert anon_client.get("/api/v1/workqueue/").status_code in (401, 403)


def test_the_admin_start_page_is_the_work_queue_in_words(yuncheng, db):
    from tests.support.factories import UserFactory

    staff = UserFactory(username="staff-regulator", role=UserRole.REGULATOR, is_staff=True)
    _complaint(yuncheng, received=timezone.localdate() - datetime.timedelta(days=10))
    CalendarDay.objects.get_or_create(date=datetime.date(2031, 1, 1), defaults={"kind": "holiday", "name": "元旦"})
    client = Client()
    client.force_login(staff)
    page = client.get("/admin/").content.decode()
    assert "待办事项" in page and "投诉待受理" in page and "运城甲旅行社有限公司" in page
    assert "complaint_accept" not in page  # no raw code reaches the page
