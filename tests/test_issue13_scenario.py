"""The scenario of issue 13, end to end through the services, the API and the pages.

A letter received 3 days before it was entered keeps its deadline from the day it arrived; another complaint
is transferred to 市场监管 and its 转办告知书 is on the tracking page; an agency's 告知书 is sent by post and
delivered two days later, its objection on working day 5 after delivery is accepted, the decision is refused
while the window is open, then decided (numbered) and published; its legal representative, appointed to
another agency the same day, is flagged at once.
"""

from __future__ import annotations

import datetime

import pytest

from complaints import services as complaint_services
from complaints.models import ComplaintStatus
from config.api.exceptions import ConflictError
from core.models import UserRole
from core.workdays import add_working_days
from regulator.lists import services as listings
from regulator.lists.models import ListingStatus
from tests.support import api_client, page_client
from tests.support.factories import EntityFactory, PersonFactory, PersonRoleFactory, UserFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

ENTERED = datetime.date(2026, 6, 4)          # Thursday: the letter is typed in
LETTER_RECEIVED = datetime.date(2026, 6, 1)  # Monday: the letter arrived
ISSUED = datetime.date(2026, 6, 1)
DELIVERED = datetime.date(2026, 6, 3)        # by post, two days after the notice was issued


def test_issue_13_scenario(catalogue_until_seeded):  # noqa: F811
    regulator = UserFactory(role=UserRole.REGULATOR, region_codes=["1408"])
    agency = EntityFactory(name="盐湖区甲旅行社有限公司", region_code="140802")
    business = UserFactory(role=UserRole.BUSINESS, entities=[agency])
    representative = PersonFactory(name="王五")
    PersonRoleFactory(entity=agency, person=representative, started_on=datetime.date(2020, 1, 1))

    # 1. a letter received 3 days before it was entered: the 5-working-day deadline runs from its arrival
    letter = complaint_services.complaint_file(
        entity=agency, category="forced_shopping", description="导游强迫购物", channel="letter",
        incident_date=datetime.date(2026, 5, 20), received_on=LETTER_RECEIVED, actor=regulator, today=ENTERED)
    assert letter.received_on == LETTER_RECEIVED
    assert letter.accept_due == add_working_days(LETTER_RECEIVED, 5)

    # 2. another complaint transferred, its 转办告知书 on the public tracking page
    other = complaint_services.complaint_file(
        entity=agency, category="price", description="商品价格欺诈", incident_date=datetime.date(2026, 5, 30),
        today=ENTERED)
    transferred = complaint_services.complaint_transfer(complaint_id=other.pk, department="运城市市场监督管理局",
                                                        actor=regulator, today=ENTERED)
    assert transferred.status == ComplaintStatus.TRANSFERRED
    tracking = page_client().get(f"/complaints/track/{other.tracking_code}/").content.decode()
    assert "运城市市场监督管理局" in tracking and "转办告知书" in tracking and "〔2026〕" in tracking

    # 3. the agency's 告知书 by post, delivered two days later; the window runs from the delivery
    listing = listings.listing_propose(list_type="black", subject_type="entity", entity=agency,
                                       reason="甩团，滞留旅游者", actor=regulator, today=ISSUED)
    listings.listing_notify(listing_id=listing.pk, actor=regulator, today=ISSUED)
    listing = listings.listing_document_serve(listing_id=listing.pk, method="post", delivered_on=DELIVERED,
                                              note="EMS 1100 0000 1", actor=regulator, today=DELIVERED)
    day = {n: add_working_days(DELIVERED, n) for n in (4, 5, 6)}
    assert listing.objection_due == day[5]
    objection = listings.objection_file(listing_id=listing.pk, actor=business, statement="游客系自行离团",
                                        today=day[5])
    with pytest.raises(ConflictError):  # the window has not closed
        listings.listing_decide(listing_id=listing.pk, actor=regulator, today=day[5])
    listings.objection_answer(objection_id=objection.pk, actor=regulator, answer="经核查，申辩不成立", upheld=False)
    decided = listings.listing_decide(listing_id=listing.pk, actor=regulator, today=day[6])
    assert decided.decision_number and decided.decision_number == decided.decision_document.number
    published = listings.listing_publish(listing_id=listing.pk, actor=regulator, today=day[6])
    assert published.status == ListingStatus.PUBLISHED

    # 4. its legal representative appointed to another agency is flagged the moment the role is recorded
    other_agency = EntityFactory(name="盐湖区乙旅行社有限公司", region_code="140802")
    response = api_client(regulator).post("/api/v1/roles/", {
        "entity": other_agency.pk, "person": representative.pk, "role": "legal_representative",
        "started_on": str(day[6] + datetime.timedelta(days=1))}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["flagged"] is True and [w["code"] for w in body["warnings"]] == ["role_at_listed_entity"]
