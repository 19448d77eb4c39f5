"""Helpers of the complaint and inspection tests: complaints in any state, straight into the database."""

from __future__ import annotations

import datetime

import pytest

from complaints.models import Complaint, ComplaintEvent, ComplaintStatus
from core.models import UserRole
from entities.models import Sector
from tests.factories import EntityFactory, UserFactory

S = ComplaintStatus
TODAY = datetime.date(2026, 3, 2)  # a Monday with no holiday around it


def make_complaint(entity, status: str = S.SUBMITTED, *, received_on: datetime.date | None = None,
                   **fields) -> Complaint:
    """A complaint already in ``status``, with the dates and fields that state implies."""
    received_on = received_on or TODAY
    values = {
        "entity": entity, "category": "forced_shopping", "description": "导游强迫购物，不买不让下车",
        "channel": "web", "complainant_name": "李四", "complainant_phone": "13800000000",
        "incident_date": received_on - datetime.timedelta(days=3), "received_on": received_on,
        "accept_due": received_on + datetime.timedelta(days=7), "status": status,
    }
    if status in {S.ACCEPTED, S.INVESTIGATING, S.RESOLVED, S.CLOSED}:
        values.update(accepted_on=received_on, business_notified_on=received_on,
                      notify_due=received_on + datetime.timedelta(days=7),
                      reply_due=received_on + datetime.timedelta(days=10),
                      resolve_due=received_on + datetime.timedelta(days=60))
    if status in {S.RESOLVED, S.CLOSED}:
        values.update(outcome="substantiated", resolution="查实", resolved_on=received_on)
    if status == S.REJECTED:
        values.update(rejection_reason="不属于受理范围")
    values.update(fields)
    complaint = Complaint.objects.create(**values)
    ComplaintEvent.objects.create(complaint=complaint, action="file", from_status="", to_status=status,
                                  actor_name="test")
    return complaint


@pytest.fixture
def complaint_factory(entity_a):
    def factory(status: str = S.SUBMITTED, entity=None, **fields) -> Complaint:
        return make_complaint(entity or entity_a, status, **fields)

    return factory


@pytest.fixture
def entity_taiyuan(db):
    """A tourism entity in 太原市 (1401): outside the inspector fixture's 运城市 scope."""
    return EntityFactory(name="太原小店区丙旅行社有限公司", region_code="140105")


@pytest.fixture
def entity_wellness(db):
    """A wellness entity in 盐湖区: inside the inspector's region, outside its sector."""
    return EntityFactory(name="盐湖区康养中心", sector=Sector.WELLNESS, category="elderly_care")


@pytest.fixture
def inspector_taiyuan(db):
    return UserFactory(username="inspector_ty", role=UserRole.INSPECTOR, region_codes=["1401"],
                       sectors=[Sector.TOURISM])
