"""Helpers of the complaint and inspection tests: complaints in any state (through the services) and scopes."""

from __future__ import annotations

import pytest

from complaints import services
from complaints.models import Complaint, ComplaintStatus
from core.models import UserRole
from entities.models import Sector
from tests.support import complaint_in
from tests.support.factories import EntityFactory, UserFactory

from .citations import ensure_complaint_citations

S = ComplaintStatus


@pytest.fixture(autouse=True)
def _complaint_citations(request):
    """The complaint procedure's citations, in the catalogue for every database test here."""
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        request.getfixturevalue("db")
        ensure_complaint_citations()


def complaint_state(status: str = S.SUBMITTED, *, entity, **fields) -> Complaint:
    """``complaint_in``, and a transferred complaint too (filed, then transferred to 市场监管局 the same day)."""
    if status != S.TRANSFERRED:
        return complaint_in(status, entity=entity, **fields)
    actor = fields.pop("actor", None)
    complaint = complaint_in(S.SUBMITTED, entity=entity, actor=actor, **fields)
    return services.complaint_transfer(complaint_id=complaint.pk, department="运城市市场监督管理局", actor=actor,
                                       today=complaint.received_on)


@pytest.fixture
def complaint_factory(entity_a):
    """``complaint_in`` against entity A unless told otherwise."""
    def factory(status: str = S.SUBMITTED, entity=None, **fields) -> Complaint:
        return complaint_state(status, entity=entity or entity_a, **fields)

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
