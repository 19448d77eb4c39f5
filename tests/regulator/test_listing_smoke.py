"""Smoke: a black listing from proposal to publication, seen by licence checks and the public."""

import datetime

from regulator.lists import services as listings
from regulator.lists.models import Listing
from tests.support import api_client, today
from tests.support.factories import EntityFactory, PersonFactory, PersonRoleFactory
from tests.support.states import served


def test_listing_round_trip(regulator_client, business_a, entity_a, anon_client):
    created = regulator_client.post("/api/v1/listings/", {
        "list_type": "black", "subject_type": "entity", "entity": entity_a.pk, "reason": "甩团"}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    # the 告知书 handed over at once: its service is recorded with the notice and the window opens today
    notified = regulator_client.post(f"/api/v1/listings/{pk}/notify/", {
        "delivery": {"method": "direct", "delivered_on": today().isoformat()}}, format="json")
    assert notified.status_code == 200, notified.content
    assert notified.json()["objection_due"] is not None
    assert regulator_client.post(f"/api/v1/listings/{pk}/decide/", {}, format="json").status_code == 409
    objection = api_client(business_a).post(f"/api/v1/listings/{pk}/objections/", {"statement": "有误"}, format="json")
    assert objection.status_code == 201, objection.content
    listing = Listing.objects.get(pk=pk)
    # The API dates every step today and a test cannot wait out the window: the due date is written back
    # directly, as if the notice had gone out three weeks ago (the window has passed by today).
    Listing.objects.filter(pk=pk).update(objection_due=today() - datetime.timedelta(days=7))
    later = today()
    import pytest

    from config.api.exceptions import ConflictError
    with pytest.raises(ConflictError):
        listings.listing_decide(listing_id=pk, today=later)
    listings.objection_answer(objection_id=objection.json()["id"], actor=listing.created_by, answer="不成立",
                              upheld=False)
    decided = listings.listing_decide(listing_id=pk, today=later)  # the whole catalogue of the black list
    assert decided.measure_codes and decided.decision_number == decided.decision_document.number
    listings.listing_publish(listing_id=pk, today=later)
    body = anon_client.get("/api/v1/public/blacklist/?q=" + entity_a.credit_code).json()
    assert body["count"] == 1 and body["results"][0]["credit_code"] == entity_a.credit_code
    verify = anon_client.post("/api/v1/public/receipts/verify/", {"payload": body["receipt"]["payload"],
                                                                  "signature": body["receipt"]["signature"]},
                              format="json")
    assert verify.json()["valid"] is True
    profile = anon_client.get(f"/api/v1/public/entities/{entity_a.credit_code}/").json()
    assert profile["listings"][0]["list_type"] == "black"
    csv = anon_client.get("/api/v1/public/exports/blacklist.csv")
    assert csv.status_code == 200 and entity_a.credit_code in csv.content.decode()


def test_licence_check_follows_person_to_another_company(regulator_client, entity_a):
    person = PersonFactory()
    PersonRoleFactory(entity=entity_a, person=person, started_on=datetime.date(2020, 1, 1))
    listing = listings.listing_propose(list_type="black", subject_type="entity", entity=entity_a, reason="吊销")
    listings.listing_notify(listing_id=listing.pk, today=datetime.date(2026, 1, 5),
                            delivery=served(datetime.date(2026, 1, 5)))
    listings.listing_decide(listing_id=listing.pk, today=datetime.date(2026, 1, 20))
    listings.listing_publish(listing_id=listing.pk, today=datetime.date(2026, 1, 20))
    other = EntityFactory()
    PersonRoleFactory(entity=other, person=person, started_on=datetime.date(2026, 2, 1))
    answer = regulator_client.post("/api/v1/licence-checks/", {
        "licence_type": "travel_agency_business", "applicant_credit_code": other.credit_code}, format="json").json()
    assert answer["allowed"] is False
    assert answer["blocking"][0]["listing_id"] == listing.pk
    before = regulator_client.post("/api/v1/licence-checks/", {
        "licence_type": "travel_agency_business", "applicant_credit_code": other.credit_code,
        "as_of": "2026-01-10"}, format="json").json()
    assert before["allowed"] is True
