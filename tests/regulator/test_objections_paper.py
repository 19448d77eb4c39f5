"""Objections (陈述申辩, issue 13 item 2): recorded on paper by a regulator for any subject, persons included, on
the day they were received; an upheld objection withdraws the listing or sends it back, and its grounds can
never carry a decision."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from config.api.exceptions import ConflictError
from core.workdays import add_working_days
from regulator.lists import services as listings
from regulator.lists.models import Listing, ListingStatus, Objection
from tests.support import api_client, page_client, today
from tests.support.factories import PersonFactory, UserFactory
from tests.support.states import (
    catalogue_until_seeded,  # noqa: F401 (a fixture)
    listing_in,
    notify_served,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

ISSUED = datetime.date(2026, 6, 1)
DELIVERED = datetime.date(2026, 6, 3)
DUE = datetime.date(2026, 6, 10)  # the fifth working day after the delivery


def person_listing(**kwargs) -> Listing:
    """A natural person listed with no entity and no account: only a regulator can record what they send."""
    listing = listings.listing_propose(list_type="black", subject_type="person", person=PersonFactory(name="李导游"),
                                       reason="导游擅自中止服务，滞留旅游者", legal_basis="《旅行社条例》", today=ISSUED,
                                       **kwargs)
    return notify_served(listing, ISSUED, delivered_on=DELIVERED, method="post")


def entity_listing(entity, reason: str = "甩团，滞留旅游者") -> Listing:
    listing = listings.listing_propose(list_type="black", subject_type="entity", entity=entity, reason=reason,
                                       today=ISSUED)
    return notify_served(listing, ISSUED, delivered_on=DELIVERED, method="post")


# --- paper objections ----------------------------------------------------------------------------------------


def test_a_regulator_records_a_persons_paper_objection_received_on_the_last_day(regulator):
    listing = person_listing()
    assert listing.objection_due == DUE
    # received on the last day, typed in a week later: in time
    objection = listings.objection_file(listing_id=listing.pk, actor=regulator, statement="本人当日突发疾病",
                                        received_on=DUE, objector_name="李导游（信函）",
                                        today=DUE + datetime.timedelta(days=7))
    assert (objection.channel, objection.received_on, objection.objector_name) == ("paper", DUE, "李导游（信函）")
    assert objection.filed_by == regulator
    assert listing.events.filter(action="objection_paper").exists()


def test_a_paper_objection_received_the_day_after_the_window_is_late(regulator):
    listing = person_listing()
    with pytest.raises(ConflictError) as raised:
        listings.objection_file(listing_id=listing.pk, actor=regulator, statement="迟到的申辩",
                                received_on=DUE + datetime.timedelta(days=1), today=DUE + datetime.timedelta(days=1))
    assert raised.value.get_codes() == "objection_window_closed"
    assert not Objection.objects.exists()


@pytest.mark.parametrize(("received_on", "today_", "field"), [
    (None, DUE, "received_on"),  # a paper objection has a received date
    (DUE, DUE - datetime.timedelta(days=1), "received_on"),  # not in the future
    (ISSUED - datetime.timedelta(days=1), DUE, "received_on"),  # not before the notice was issued
])
def test_a_paper_objections_received_date_is_checked(received_on, today_, field, regulator):
    listing = person_listing()
    with pytest.raises(ValidationError) as raised:
        listings.objection_file(listing_id=listing.pk, actor=regulator, statement="申辩", received_on=received_on,
                                today=today_)
    assert field in raised.value.message_dict
    assert not Objection.objects.exists()


def test_a_paper_objection_through_the_api_for_a_person(regulator_client):
    listing = listing_in("notified", person=PersonFactory(name="王家政"), objection_due=today())
    response = regulator_client.post(f"/api/v1/listings/{listing.pk}/objections/", {
        "statement": "本人已与雇主和解", "received_on": str(today()), "objector_name": "王家政"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == "paper" and response.json()["received_on"] == str(today())
    late = regulator_client.post(f"/api/v1/listings/{listing.pk}/objections/", {
        "statement": "补充", "received_on": str(today() + datetime.timedelta(days=1))}, format="json")
    assert late.status_code == 400 and "received_on" in late.json()


def test_a_paper_supplement_is_added_to_the_open_objection(entity_a, business_a, regulator):
    listing = entity_listing(entity_a)
    online = listings.objection_file(listing_id=listing.pk, actor=business_a, statement="网上申辩",
                                     today=datetime.date(2026, 6, 4))
    paper = listings.objection_file(listing_id=listing.pk, actor=regulator, statement="书面补充证据",
                                    received_on=datetime.date(2026, 6, 5), today=datetime.date(2026, 6, 8))
    assert paper.pk == online.pk and paper.amended
    assert "网上申辩" in paper.statement and "书面补充证据" in paper.statement
    assert Objection.objects.count() == 1


def test_an_inspector_records_no_objection(entity_a, inspector):
    listing = entity_listing(entity_a)
    with pytest.raises(PermissionDenied):
        listings.objection_file(listing_id=listing.pk, actor=inspector, statement="代填", received_on=DUE, today=DUE)


def test_the_admin_records_a_paper_objection(entity_a):
    from tests.admin.conftest import act, messages_of

    admin = page_client(UserFactory(username="paper_admin", role="regulator", is_staff=True))
    listing = listing_in("notified", person=PersonFactory(name="赵导游"), objection_due=today())
    response = act(admin, Listing, "listing_objection_paper", [listing],
                   {"received_on": today().isoformat(), "statement": "书面申辩：并非本人带团", "objector_name": ""})
    assert "「登记书面陈述申辩」已完成 1 条。" in messages_of(response)
    objection = Objection.objects.get(listing=listing)
    assert (objection.channel, objection.objector_name) == ("paper", listing.subject_name)


# --- the answer ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("upheld", "outcome"), [(True, ""), (True, "forget"), (False, "withdraw")])
def test_an_upheld_answer_chooses_an_outcome_and_only_an_upheld_one(upheld, outcome, entity_a, business_a, regulator):
    listing = entity_listing(entity_a)
    objection = listings.objection_file(listing_id=listing.pk, actor=business_a, statement="有误", today=DUE)
    with pytest.raises(ValidationError) as raised:
        listings.objection_answer(objection_id=objection.pk, actor=regulator, answer="答复", upheld=upheld,
                                  outcome=outcome)
    assert "outcome" in raised.value.message_dict
    assert Objection.objects.get(pk=objection.pk).answered_at is None


def test_an_upheld_objection_may_withdraw_the_listing(entity_a, business_a, regulator_client):
    listing = entity_listing(entity_a)
    objection = listings.objection_file(listing_id=listing.pk, actor=business_a, statement="游客系自行离团", today=DUE)
    response = regulator_client.post(f"/api/v1/objections/{objection.pk}/answer/", {
        "answer": "经核查，申辩成立", "upheld": True, "outcome": "withdraw"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "withdraw"
    listing.refresh_from_db()
    assert listing.status == ListingStatus.WITHDRAWN
    assert listing.set_aside_grounds == [{"reason": listing.reason, "legal_basis": listing.legal_basis}]
    # a new proposal on the same grounds can never reach a decision: its notice is refused
    again = listings.listing_propose(list_type="black", subject_type="entity", entity=entity_a, reason=listing.reason,
                                     today=datetime.date(2026, 7, 1))
    with pytest.raises(ConflictError) as raised:
        listings.listing_notify(listing_id=again.pk, today=datetime.date(2026, 7, 1))
    assert raised.value.get_codes() == "same_grounds"


def test_an_upheld_objection_may_send_the_listing_back_for_corrected_grounds(entity_a, business_a, regulator,
                                                                             regulator_client):
    listing = entity_listing(entity_a)
    first_notice = listing.notice_document
    objection = listings.objection_file(listing_id=listing.pk, actor=business_a, statement="认定事实有误", today=DUE)
    listings.objection_answer(objection_id=objection.pk, actor=regulator, answer="申辩成立，事实须重新认定",
                              upheld=True, outcome="revise", today=DUE)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PROPOSED
    assert (listing.notice_document, listing.notified_on, listing.objection_due) == (None, None, None)
    assert listing.events.filter(action="send_back", from_status="notified", to_status="proposed").exists()

    # not re-noticed on the same grounds, nor "revised" to the same grounds
    with pytest.raises(ConflictError) as raised:
        listings.listing_notify(listing_id=listing.pk, today=datetime.date(2026, 6, 15))
    assert raised.value.get_codes() == "same_grounds"
    same = regulator_client.post(f"/api/v1/listings/{listing.pk}/revise/", {"reason": listing.reason}, format="json")
    assert same.status_code == 400 and "reason" in same.json()

    revised = regulator_client.post(f"/api/v1/listings/{listing.pk}/revise/", {
        "reason": "导游擅自离团，旅行社未采取补救措施，造成旅游者滞留"}, format="json")
    assert revised.status_code == 200, revised.content
    renotified = notify_served(Listing.objects.get(pk=listing.pk), datetime.date(2026, 6, 15))
    assert renotified.notice_document.number != first_notice.number
    after = add_working_days(datetime.date(2026, 6, 15), 6)
    # the old grounds, given back at the decision, are refused; the corrected ones carry it
    with pytest.raises(ConflictError) as raised:
        listings.listing_decide(listing_id=listing.pk, reason="甩团，滞留旅游者", today=after)
    assert raised.value.get_codes() == "same_grounds"
    decided = listings.listing_decide(listing_id=listing.pk, today=after)
    assert decided.status == ListingStatus.DECIDED and "补救措施" in decided.reason


def test_revise_only_while_proposed(entity_a, regulator_client):
    listing = entity_listing(entity_a)
    response = regulator_client.post(f"/api/v1/listings/{listing.pk}/revise/", {"reason": "新事由"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"


def test_a_rejected_objection_lets_the_decision_follow(entity_a, business_a, regulator):
    listing = entity_listing(entity_a)
    objection = listings.objection_file(listing_id=listing.pk, actor=business_a, statement="有误", today=DUE)
    listings.objection_answer(objection_id=objection.pk, actor=regulator, answer="不成立", upheld=False)
    assert listings.listing_decide(listing_id=listing.pk, today=DUE + datetime.timedelta(days=1)).status == "decided"


def test_a_business_objects_only_online_and_cannot_backdate(entity_a, business_a):
    listing = entity_listing(entity_a)
    objection = listings.objection_file(listing_id=listing.pk, actor=business_a, statement="有误",
                                        received_on=ISSUED, today=DUE)
    assert (objection.channel, objection.received_on) == ("online", DUE)
    assert api_client(business_a).get(f"/api/v1/listings/{listing.pk}/objections/").json()[0]["channel"] == "online"
