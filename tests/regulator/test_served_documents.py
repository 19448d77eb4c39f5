"""Served documents of due process (issue 13, item 2): the 告知书 and 认定决定书, their numbers, content, service,
and the objection window that runs from the delivery date, not from the click."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from config.api.exceptions import ConflictError
from core.models import ServedDocument, UserRole
from core.workdays import add_working_days
from entities.models import Sector
from regulator.lists import rules
from regulator.lists import services as listings
from regulator.lists.models import Listing, ListingStatus
from regulator.lists.selectors import rule_set_on
from tests.support import api_client, page_client, today
from tests.support.factories import EntityFactory, PersonFactory, UserFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

ISSUED = datetime.date(2026, 6, 1)  # a Monday; no holiday until 端午 (19 June)
DELIVERED = datetime.date(2026, 6, 3)  # by post, two days later
#: the n-th working day after the delivery (the weekend of 6-7 June skipped)
WORKING_DAY = {n: datetime.date(2026, 6, day) for n, day in enumerate((4, 5, 8, 9, 10, 11, 12), start=1)}


def propose(entity, *, day: datetime.date = ISSUED, list_type: str = "black", reason: str = "甩团，滞留旅游者"):
    return listings.listing_propose(list_type=list_type, subject_type="entity", entity=entity, reason=reason,
                                    today=day)


def notified_by_post(entity, **kwargs) -> Listing:
    listing = propose(entity, **kwargs)
    listings.listing_notify(listing_id=listing.pk, today=ISSUED)
    return listings.listing_document_serve(listing_id=listing.pk, method="post", delivered_on=DELIVERED,
                                           note="EMS 1100 0000 1", today=DELIVERED)


def text(document: ServedDocument) -> str:
    return "\n".join(f"{section['heading']}\n{section['text']}" for section in document.content)


# --- the 告知书 ---------------------------------------------------------------------------------------------


def test_the_notice_is_numbered_in_the_authoritys_series_and_states_the_grounds_measures_and_window(entity_a):
    listing = listings.listing_notify(listing_id=propose(entity_a).pk, today=ISSUED)
    notice = listing.notice_document
    assert notice.kind == "listing_notice" and notice.number == "运盐文旅信告〔2026〕1号"
    assert notice.authority.short_name == "运盐文旅" and notice.issued_on == ISSUED
    assert entity_a.name in notice.recipient and entity_a.credit_code in notice.recipient
    body = text(notice)
    document = rule_set_on(ISSUED).document
    assert listing.reason in body and listing.legal_basis in body
    for measure in rules.measures_for(document, "black"):
        assert measure["label"] in body and (measure["basis"] or "") in body
    days = rules.objection_working_days(document, sector=entity_a.sector, category=entity_a.category)
    assert listing.objection_days == days and f"收到本告知书之日起{days}个工作日内" in body
    assert notice.authority.name in body
    # issued, not served: no window yet, and the next notice takes the next number
    assert (listing.notified_on, listing.objection_due) == (None, None)
    second = listings.listing_notify(listing_id=propose(EntityFactory()).pk, today=ISSUED)
    assert second.notice_document.number == "运盐文旅信告〔2026〕2号"


def test_an_elderly_care_notice_states_its_own_window(db):
    home = EntityFactory(name="盐湖区颐养院", sector=Sector.WELLNESS, category="elderly_care")
    listing = listings.listing_notify(listing_id=propose(home, reason="欺老虐老").pk, today=ISSUED)
    days = rules.objection_working_days(rule_set_on(ISSUED).document, sector="wellness", category="elderly_care")
    assert days == 10
    assert listing.objection_days == 10 and "10个工作日内" in text(listing.notice_document)
    served = listings.listing_document_serve(listing_id=listing.pk, method="direct", delivered_on=DELIVERED,
                                             today=DELIVERED)
    assert served.objection_due == add_working_days(DELIVERED, 10)


def test_a_person_is_served_under_a_masked_id_number_by_the_authority_of_their_entity(entity_a):
    person = PersonFactory(name="张三")
    listing = listings.listing_propose(list_type="black", subject_type="person", person=person,
                                       related_entity=entity_a, person_role="legal_representative",
                                       reason="所任职旅行社被吊销许可", today=ISSUED)
    notice = listings.listing_notify(listing_id=listing.pk, today=ISSUED).notice_document
    assert person.id_number_masked in notice.recipient and notice.authority.region_code == "140802"


# --- the window runs from the delivery ------------------------------------------------------------------------


def test_the_window_is_counted_from_the_delivery_date_not_the_issue(entity_a):
    listing = notified_by_post(entity_a)
    assert listing.notified_on == DELIVERED
    assert listing.objection_due == WORKING_DAY[5] == add_working_days(DELIVERED, 5) == datetime.date(2026, 6, 10)
    assert listing.notice_document.delivery_method == "post"
    assert listing.events.filter(action="notice_served").exists()


@pytest.mark.parametrize(("day", "accepted"), [(4, True), (5, True), (6, False)])
def test_an_objection_on_working_day_4_or_5_after_delivery_is_in_time_and_day_6_is_late(day, accepted, entity_a,
                                                                                          business_a):
    listing = notified_by_post(entity_a)
    if accepted:
        objection = listings.objection_file(listing_id=listing.pk, actor=business_a, statement="游客自行离团",
                                            today=WORKING_DAY[day])
        assert objection.received_on == WORKING_DAY[day]
    else:
        with pytest.raises(ConflictError) as raised:
            listings.objection_file(listing_id=listing.pk, actor=business_a, statement="游客自行离团",
                                    today=WORKING_DAY[day])
        assert raised.value.get_codes() == "objection_window_closed"


@pytest.mark.parametrize(("day", "allowed"), [(4, False), (5, False), (6, True)])
def test_a_decision_waits_until_working_day_6_after_delivery(day, allowed, entity_a):
    listing = notified_by_post(entity_a)
    if allowed:
        assert listings.listing_decide(listing_id=listing.pk, today=WORKING_DAY[day]).status == "decided"
    else:
        with pytest.raises(ConflictError) as raised:
            listings.listing_decide(listing_id=listing.pk, today=WORKING_DAY[day])
        assert raised.value.get_codes() == "objection_window_open"


def test_a_decision_on_an_unserved_notice_is_409_however_long_ago_it_was_issued(entity_a, regulator_client):
    listing = listings.listing_notify(listing_id=propose(entity_a).pk, today=ISSUED)
    with pytest.raises(ConflictError) as raised:
        listings.listing_decide(listing_id=listing.pk, today=ISSUED + datetime.timedelta(days=90))
    assert raised.value.get_codes() == "notice_not_served"
    response = regulator_client.post(f"/api/v1/listings/{listing.pk}/decide/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "notice_not_served"
    assert Listing.objects.get(pk=listing.pk).status == "notified"


def test_an_objection_before_the_delivery_is_recorded_is_accepted(entity_a, business_a):
    listing = listings.listing_notify(listing_id=propose(entity_a).pk, today=ISSUED)
    objection = listings.objection_file(listing_id=listing.pk, actor=business_a, statement="已看到电子告知书，申辩如下",
                                        today=ISSUED)
    assert objection.received_on == ISSUED


def test_service_by_announcement_counts_from_the_end_of_the_rule_sets_wait(entity_a):
    listing = listings.listing_notify(listing_id=propose(entity_a).pk, today=ISSUED)
    announced = datetime.date(2026, 6, 2)
    served = listings.listing_document_serve(listing_id=listing.pk, method="announcement", announced_on=announced,
                                             today=announced)
    wait = rules.announcement_wait_days(rule_set_on(ISSUED).document)
    assert served.notice_document.delivered_on == announced + datetime.timedelta(days=wait)
    assert served.notified_on == announced + datetime.timedelta(days=wait)
    assert served.objection_due == add_working_days(served.notified_on, 5)


def test_the_service_is_recorded_once_through_any_door(entity_a, regulator, regulator_client):
    listing = listings.listing_notify(listing_id=propose(entity_a).pk, today=ISSUED)
    # the kernel's documents API runs the listing's hook: the window opens
    response = regulator_client.post(f"/api/v1/documents/{listing.notice_document_id}/delivery/",
                                     {"method": "direct", "delivered_on": str(ISSUED)}, format="json")
    assert response.status_code == 200, response.content
    listing.refresh_from_db()
    assert listing.objection_due == add_working_days(ISSUED, 5)
    again = regulator_client.post(f"/api/v1/listings/{listing.pk}/notice-delivery/",
                                  {"method": "post", "delivered_on": str(ISSUED)}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_served"


@pytest.mark.parametrize(("body", "field"), [
    ({"method": "pigeon", "delivered_on": "2026-06-03"}, "method"),
    ({"method": "post"}, "delivered_on"),
    ({"method": "announcement"}, "announced_on"),
])
def test_a_bad_delivery_is_400_naming_the_field(body, field, entity_a, regulator_client):
    listing = listings.listing_notify(listing_id=propose(entity_a).pk, today=ISSUED)
    response = regulator_client.post(f"/api/v1/listings/{listing.pk}/notice-delivery/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert ServedDocument.objects.get(pk=listing.notice_document_id).delivered_on is None


def test_notify_through_the_api_can_record_a_service_at_the_counter(entity_a, regulator_client):
    created = regulator_client.post("/api/v1/listings/", {"list_type": "black", "subject_type": "entity",
                                                          "entity": entity_a.pk, "reason": "甩团"}, format="json")
    day = today()
    response = regulator_client.post(f"/api/v1/listings/{created.json()['id']}/notify/",
                                     {"delivery": {"method": "direct", "delivered_on": str(day),
                                                   "note": "窗口签收"}}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["notified_on"] == str(day) and body["objection_due"] == str(add_working_days(day, 5))
    assert body["notice_document"]["served"] is True and body["notice_document"]["number"].startswith("运盐文旅信告")
    late = regulator_client.post(f"/api/v1/listings/{body['id']}/notice-delivery/",
                                 {"method": "direct", "delivered_on": str(day)}, format="json")
    assert late.status_code == 409


def test_a_notice_dated_before_the_issue_or_in_the_future_is_refused(entity_a):
    listing = listings.listing_notify(listing_id=propose(entity_a).pk, today=ISSUED)
    with pytest.raises(ValidationError) as raised:
        listings.listing_document_serve(listing_id=listing.pk, method="post", delivered_on=ISSUED
                                        - datetime.timedelta(days=1), today=DELIVERED)
    assert "delivered_on" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        listings.listing_document_serve(listing_id=listing.pk, method="post", delivered_on=DELIVERED,
                                        today=ISSUED)
    assert "delivered_on" in raised.value.message_dict


# --- fail closed --------------------------------------------------------------------------------------------


def test_no_measure_catalogue_means_no_notice_and_no_decision(entity_a, entity_b, monkeypatch):
    decided_later = notified_by_post(entity_b)
    monkeypatch.setattr(rules, "measures_for", lambda document, list_type: [])
    with pytest.raises(ConflictError) as raised:
        listings.listing_notify(listing_id=propose(entity_a).pk, today=ISSUED)
    assert raised.value.get_codes() == "no_measure_catalogue"
    with pytest.raises(ConflictError) as raised:
        listings.listing_decide(listing_id=decided_later.pk, today=WORKING_DAY[6])
    assert raised.value.get_codes() == "no_measure_catalogue"
    assert not ServedDocument.objects.filter(kind="listing_decision").exists()


def test_no_appeal_routes_means_no_decision(entity_a, monkeypatch, regulator_client):
    listing = notified_by_post(entity_a)
    monkeypatch.setattr(rules, "appeal_routes", lambda document: [])
    with pytest.raises(ConflictError) as raised:
        listings.listing_decide(listing_id=listing.pk, today=WORKING_DAY[6])
    assert raised.value.get_codes() == "no_appeal_routes"
    assert Listing.objects.get(pk=listing.pk).status == "notified"


# --- the 认定决定书 -------------------------------------------------------------------------------------------


def test_the_decision_is_numbered_and_states_basis_measures_period_and_remedies(entity_a, business_a):
    listing = notified_by_post(entity_a)
    listings.objection_answer(
        objection_id=listings.objection_file(listing_id=listing.pk, actor=business_a, statement="游客自行离团",
                                             today=WORKING_DAY[2]).pk,
        actor=None, answer="经核查，导游擅自离团属实", upheld=False)
    document = rule_set_on(WORKING_DAY[6]).document
    codes = [m["code"] for m in rules.measures_for(document, "black")][:2]
    decided = listings.listing_decide(listing_id=listing.pk, measures=",".join(codes), period_days=730,
                                      today=WORKING_DAY[6])
    decision = decided.decision_document
    assert decided.decision_number == decision.number == "运盐文旅信决〔2026〕1号"
    assert decided.measure_codes == codes
    body = text(decision)
    for measure in rules.measures_for(document, "black"):
        assert (measure["label"] in body) == (measure["code"] in codes)
    assert "2年" in body and "2026年6月11日" in body and "2028年6月10日" in body  # 730 days from 11 June 2026
    for route in rules.appeal_routes(document):
        assert route["text"] in body
    assert listing.notice_document.number in body and "经核查，导游擅自离团属实" in body
    assert decided.appeal_routes == "；".join(route["text"] for route in rules.appeal_routes(document))


@pytest.mark.parametrize(("extra", "ok"), [(0, True), (1, False)])
def test_the_period_may_reach_the_rule_sets_maximum_and_not_a_day_more(extra, ok, entity_a):
    listing = notified_by_post(entity_a)
    maximum = rules.period_days(rule_set_on(WORKING_DAY[6]).document, "black", sector=entity_a.sector,
                                category=entity_a.category)
    if ok:
        decided = listings.listing_decide(listing_id=listing.pk, period_days=maximum + extra, today=WORKING_DAY[6])
        assert decided.expires_on == WORKING_DAY[6] + datetime.timedelta(days=maximum)
    else:
        with pytest.raises(ValidationError) as raised:
            listings.listing_decide(listing_id=listing.pk, period_days=maximum + extra, today=WORKING_DAY[6])
        assert "period_days" in raised.value.message_dict
        assert not ServedDocument.objects.filter(kind="listing_decision").exists()  # the number is not used up


def test_the_decision_is_served_like_the_notice(entity_a, regulator_client):
    listing = listings.listing_decide(listing_id=notified_by_post(entity_a).pk, today=WORKING_DAY[6])
    served = listings.listing_document_serve(listing_id=listing.pk, document="decision", method="electronic",
                                             delivered_on=WORKING_DAY[7], note="企业服务平台", today=WORKING_DAY[7])
    assert served.decision_document.delivered_on == WORKING_DAY[7]
    assert served.events.filter(action="decision_served").exists()
    body = regulator_client.get(f"/api/v1/listings/{listing.pk}/").json()
    assert body["decision_document"]["served"] is True and body["decision_document"]["delivered_on"] == str(
        WORKING_DAY[7])


def test_the_measures_endpoint_offers_the_catalogue_of_the_list(entity_a, regulator_client):
    listing = propose(entity_a)
    body = regulator_client.get(f"/api/v1/listings/{listing.pk}/measures/").json()
    document = rule_set_on(today()).document
    assert [m["code"] for m in body["measures"]] == [m["code"] for m in rules.measures_for(document, "black")]
    assert body["appeal_routes"] == rules.appeal_routes(document)


# --- who reads a document --------------------------------------------------------------------------------------


def test_the_listed_business_reads_its_documents_and_another_does_not(entity_a, business_a, business_b):
    listing = notified_by_post(entity_a)
    url = f"/api/v1/documents/{listing.notice_document_id}/"
    assert api_client(business_a).get(url).status_code == 200
    assert api_client(business_b).get(url).status_code == 404
    assert api_client(business_b).get(url + "pdf/").status_code == 404
    listed = api_client(business_a).get("/api/v1/documents/", {"about_type": "listing"}).json()
    assert [row["number"] for row in listed["results"]] == [listing.notice_document.number]


# --- the scenario of the issue --------------------------------------------------------------------------------


def test_scenario_notified_by_post_objection_on_day_5_decided_after_the_window_printed_everywhere(
        entity_a, business_a, regulator, regulator_client):
    """Notice issued Monday 1 June, delivered by post Wednesday 3 June; the business objects on working day 5;
    a paper supplement received on day 6 is late; the decision is refused inside the window, made on day 6 with
    its number, published; the business sees both documents on its pages; the regulator prints both."""
    listing = propose(entity_a)
    issued = listings.listing_notify(listing_id=listing.pk, actor=regulator, today=ISSUED)
    assert issued.status == ListingStatus.NOTIFIED and issued.objection_due is None
    listing = listings.listing_document_serve(listing_id=listing.pk, method="post", delivered_on=DELIVERED,
                                              note="EMS 1100 0000 1", actor=regulator, today=DELIVERED)
    assert listing.objection_due == WORKING_DAY[5]

    with pytest.raises(ConflictError):  # day 4: the window is open
        listings.listing_decide(listing_id=listing.pk, actor=regulator, today=WORKING_DAY[4])
    objection = listings.objection_file(listing_id=listing.pk, actor=business_a, statement="游客系自行离团",
                                        today=WORKING_DAY[5])
    with pytest.raises(ConflictError) as late:
        listings.objection_file(listing_id=listing.pk, actor=regulator, statement="补充材料",
                                received_on=WORKING_DAY[6], today=WORKING_DAY[6])
    assert late.value.get_codes() == "objection_window_closed"
    with pytest.raises(ConflictError):  # day 5: still inside
        listings.listing_decide(listing_id=listing.pk, actor=regulator, today=WORKING_DAY[5])
    listings.objection_answer(objection_id=objection.pk, actor=regulator, answer="经核查，申辩不成立", upheld=False)
    decided = listings.listing_decide(listing_id=listing.pk, actor=regulator, today=WORKING_DAY[6])
    assert decided.decision_number == decided.decision_document.number != ""
    published = listings.listing_publish(listing_id=listing.pk, actor=regulator, today=WORKING_DAY[6])
    assert published.status == ListingStatus.PUBLISHED
    notice, decision = published.notice_document, published.decision_document

    # the business sees both on its pages
    pages = page_client(business_a)
    entity_page = pages.get(f"/business/entities/{entity_a.pk}/").content.decode()
    assert notice.number in entity_page and decision.number in entity_page
    listed = pages.get("/business/documents/").content.decode()
    assert notice.number in listed and decision.number in listed
    for document in (notice, decision):
        page = pages.get(f"/business/documents/{document.pk}/")
        assert page.status_code == 200 and document.number in page.content.decode()
        pdf = pages.get(f"/business/documents/{document.pk}/pdf/")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # the regulator prints both from the admin and the API
    admin = page_client(UserFactory(username="scenario_admin", role=UserRole.REGULATOR, is_staff=True))
    for document in (notice, decision):
        printed = admin.get(reverse("admin:core_serveddocument_pdf", args=[document.pk]))
        assert printed.status_code == 200 and printed["Content-Type"] == "application/pdf"
        html = admin.get(reverse("admin:core_serveddocument_html", args=[document.pk]))
        assert document.number in html.content.decode()
        api = regulator_client.get(f"/api/v1/documents/{document.pk}/pdf/")
        assert api.status_code == 200 and api.content.startswith(b"%PDF")
    assert decision.number in admin.get(reverse("admin:regulator_listing_change", args=[listing.pk])).content.decode()
