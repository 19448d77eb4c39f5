"""Due process of a listing (DOMAIN.md, Due process): the transition table, the objection window, the decision."""

from __future__ import annotations

import copy
import datetime

import pytest
from django.forms.models import model_to_dict

from config.api.exceptions import ConflictError
from entities.models import Sector
from regulator.lists import rules
from regulator.lists import services as listings
from regulator.lists.models import (
    Listing,
    ListingEvent,
    ListingStatus,
    Objection,
    RuleSet,
)
from regulator.lists.rules import DEFAULT_DOCUMENT
from regulator.lists.selectors import rule_set_on
from regulator.lists.transitions import API_ACTIONS, TRANSITIONS
from tests.support import DECISION, api_client, listing_in, today
from tests.support.factories import EntityFactory
from tests.support.states import (
    catalogue_until_seeded,  # noqa: F401 (a fixture)
    notify_served,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

ALL_STATES = list(ListingStatus.values)
ILLEGAL_API_PAIRS = [(state, action) for state in ALL_STATES for action in API_ACTIONS
                     if (state, action) not in TRANSITIONS]
ILLEGAL_SYSTEM_PAIRS = [(state, action) for state in ALL_STATES for action in ("expire", "repair")
                        if (state, action) not in TRANSITIONS]
FRIDAY = datetime.date(2026, 3, 6)


def snapshot(listing: Listing) -> dict:
    listing.refresh_from_db()
    return {**model_to_dict(listing), "updated_at": listing.updated_at, "events": listing.events.count()}


def post(client, listing: Listing, action: str, body: dict | None = None):
    return client.post(f"/api/v1/listings/{listing.pk}/{action}/", body or {}, format="json")


# --- the transition table ------------------------------------------------------------------------------


def test_the_table_leaves_illegal_pairs_to_test():
    # 8 states x 6 API actions, of which 8 are the lifecycle: everything else must be refused.
    assert len(ILLEGAL_API_PAIRS) == 40
    assert ("published", "withdraw") in ILLEGAL_API_PAIRS  # withdrawn only before publication


@pytest.mark.parametrize(("state", "action"), ILLEGAL_API_PAIRS)
def test_an_action_not_in_the_transition_table_is_409_and_changes_nothing(state, action, entity_a, regulator_client):
    listing = listing_in(state, entity=entity_a)
    before = snapshot(listing)
    response = post(regulator_client, listing, action, {"reason": "依据变更", **DECISION})
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "illegal_transition"
    assert snapshot(listing) == before  # every field, and no event written
    assert ListingEvent.objects.filter(listing=listing).count() == before["events"]
    assert not Objection.objects.exists()


@pytest.mark.parametrize(("state", "action"), ILLEGAL_SYSTEM_PAIRS)
def test_expire_and_repair_outside_published_are_refused(state, action, entity_a):
    listing = listing_in(state, entity=entity_a)
    before = snapshot(listing)
    with pytest.raises(ConflictError):
        {"expire": listings.listing_expire, "repair": listings.listing_repair}[action](listing_id=listing.pk, today=today())
    assert snapshot(listing) == before  # every field, and no event written
    assert ListingEvent.objects.filter(listing=listing).count() == before["events"]


@pytest.mark.parametrize("action", ["notify", "decide", "publish", "remove", "withdraw"])
def test_only_a_regulator_moves_a_listing(action, entity_a, business_a, inspector_client):
    listing = listing_in("proposed", entity=entity_a)
    assert post(api_client(business_a), listing, action, {"reason": "x"}).status_code == 403
    assert post(inspector_client, listing, action, {"reason": "x"}).status_code == 403
    assert Listing.objects.get(pk=listing.pk).status == "proposed"


# --- the objection window (working days) ---------------------------------------------------------------


@pytest.mark.parametrize(("notified_on", "due"), [
    (FRIDAY, datetime.date(2026, 3, 13)),  # a weekend skipped: Mon..Fri of the next week
    (datetime.date(2026, 9, 30), datetime.date(2026, 10, 13)),  # 国庆 1-7 Oct off, Sat 10 Oct a make-up workday
    (datetime.date(2026, 2, 13), datetime.date(2026, 2, 27)),  # 春节: Sat 14 Feb worked, 15-23 Feb off
])
def test_objection_due_is_five_working_days_after_delivery(notified_on, due, entity_a):
    listing = listings.listing_propose(list_type="black", subject_type="entity", entity=entity_a, reason="甩团",
                                       today=notified_on)
    issued = listings.listing_notify(listing_id=listing.pk, today=notified_on)
    assert issued.status == "notified" and issued.notice_document.number
    assert (issued.notified_on, issued.objection_due) == (None, None)  # no window before the service
    listing = notify_served(listings.listing_propose(list_type="black", subject_type="entity", entity=entity_a,
                                                     reason="甩团（二）", today=notified_on), notified_on)
    assert listing.notified_on == notified_on
    assert listing.objection_due == due


def test_an_elderly_care_home_has_ten_working_days_to_object(db):
    elderly_care = EntityFactory(name="盐湖区颐养院", sector=Sector.WELLNESS, category="elderly_care")
    listing = listings.listing_propose(list_type="black", subject_type="entity", entity=elderly_care, reason="欺老虐老",
                                       today=datetime.date(2026, 9, 30))
    listing = notify_served(listing, datetime.date(2026, 9, 30))
    # 8, 9, 10 (make-up Saturday), 12..16, 19, 20 October
    assert listing.objection_due == datetime.date(2026, 10, 20)
    # Past the default five working days (13 October) but inside its own ten: still 409.
    with pytest.raises(ConflictError):
        listings.listing_decide(listing_id=listing.pk, **DECISION, today=datetime.date(2026, 10, 14))
    assert listings.listing_decide(listing_id=listing.pk, **DECISION, today=datetime.date(2026, 10, 21)).status == "decided"


def test_a_wellness_person_listing_uses_its_entitys_window(db):
    from tests.support.factories import PersonFactory

    elderly_care = EntityFactory(name="盐湖区康养中心", sector=Sector.WELLNESS, category="elderly_care")
    listing = listings.listing_propose(list_type="black", subject_type="person", person=PersonFactory(),
                                       related_entity=elderly_care, person_role="legal_representative",
                                       reason="所任职主体虐老", today=FRIDAY)
    listing = notify_served(listing, FRIDAY)
    assert listing.objection_due == datetime.date(2026, 3, 20)


def notified_on_friday(entity) -> Listing:
    listing = listings.listing_propose(list_type="black", subject_type="entity", entity=entity, reason="甩团",
                                       today=FRIDAY)
    return notify_served(listing, FRIDAY)


def test_decide_on_the_last_day_of_the_window_is_409_and_the_next_day_succeeds(entity_a):
    listing = notified_on_friday(entity_a)
    for inside in (FRIDAY, datetime.date(2026, 3, 9), listing.objection_due):
        with pytest.raises(ConflictError) as raised:
            listings.listing_decide(listing_id=listing.pk, **DECISION, today=inside)
        assert raised.value.get_codes() == "objection_window_open"
    assert Listing.objects.get(pk=listing.pk).status == "notified"
    decided = listings.listing_decide(listing_id=listing.pk, **DECISION, today=listing.objection_due + datetime.timedelta(days=1))
    assert decided.status == "decided" and decided.decided_on == datetime.date(2026, 3, 14)


def test_decide_through_the_api_inside_the_window_is_409(entity_a, regulator_client):
    created = regulator_client.post("/api/v1/listings/", {"list_type": "black", "subject_type": "entity",
                                                          "entity": entity_a.pk, "reason": "甩团"}, format="json")
    assert created.status_code == 201, created.content
    listing = Listing.objects.get(pk=created.json()["id"])
    notified = post(regulator_client, listing, "notify")
    assert notified.status_code == 200
    assert notified.json()["objection_due"] is None and notified.json()["notice_document"]["served"] is False
    unserved = post(regulator_client, listing, "decide", DECISION)
    assert unserved.status_code == 409 and unserved.json()["code"] == "notice_not_served"
    served = post(regulator_client, listing, "notice-delivery", {"method": "direct", "delivered_on": str(today())})
    assert served.status_code == 200, served.content
    assert served.json()["objection_due"] > str(today())
    before = snapshot(listing)
    response = post(regulator_client, listing, "decide", DECISION)
    assert response.status_code == 409
    assert response.json()["code"] == "objection_window_open"
    assert snapshot(listing) == before


def test_publish_inside_the_objection_window_is_409(entity_a, regulator_client):
    listing = listing_in("decided", entity=entity_a)
    # The services never decide inside the window (the same guard), so a decided listing whose window is
    # still open is a row they cannot make: written directly, to show publish checks the window again.
    Listing.objects.filter(pk=listing.pk).update(objection_due=today() + datetime.timedelta(days=3))
    response = post(regulator_client, listing, "publish")
    assert response.status_code == 409
    assert response.json()["code"] == "objection_window_open"
    assert Listing.objects.get(pk=listing.pk).status == "decided"


def test_decide_with_an_unanswered_objection_is_409_and_succeeds_once_answered(entity_a, business_a, regulator,
                                                                               regulator_client):
    listing = notified_on_friday(entity_a)
    objection = listings.objection_file(listing_id=listing.pk, actor=business_a, statement="游客自行离团，非甩团",
                                        today=datetime.date(2026, 3, 11))
    after_window = datetime.date(2026, 3, 16)
    with pytest.raises(ConflictError) as raised:
        listings.listing_decide(listing_id=listing.pk, **DECISION, today=after_window)
    assert raised.value.get_codes() == "objection_unanswered"
    answered = regulator_client.post(f"/api/v1/objections/{objection.pk}/answer/",
                                     {"answer": "经核查，申辩理由不成立", "upheld": False}, format="json")
    assert answered.status_code == 200, answered.content
    assert answered.json()["upheld"] is False and answered.json()["answered_at"]
    again = regulator_client.post(f"/api/v1/objections/{objection.pk}/answer/", {"answer": "再答", "upheld": True},
                                  format="json")
    assert again.status_code == 409
    decided = listings.listing_decide(listing_id=listing.pk, **DECISION, actor=regulator, today=after_window)
    assert decided.status == "decided"


def test_the_business_cannot_answer_its_own_objection(entity_a, business_a):
    listing = notified_on_friday(entity_a)
    objection = listings.objection_file(listing_id=listing.pk, actor=business_a, statement="有误",
                                        today=datetime.date(2026, 3, 9))
    response = api_client(business_a).post(f"/api/v1/objections/{objection.pk}/answer/",
                                           {"answer": "成立", "upheld": True}, format="json")
    assert response.status_code == 403
    assert Objection.objects.get(pk=objection.pk).answered_at is None


# --- the decision ---------------------------------------------------------------------------------------


def past_window(entity) -> Listing:
    return listing_in("notified", entity=entity, objection_due=today() - datetime.timedelta(days=1))


def test_a_decision_after_the_window_carries_its_rule_set_period_and_expiry(entity_a, regulator_client):
    listing = past_window(entity_a)
    response = post(regulator_client, listing, "decide", DECISION)
    assert response.status_code == 200, response.content
    body = response.json()
    in_force = rule_set_on(today())
    assert body["status"] == "decided"
    assert body["decided_on"] == str(today())
    assert body["rule_set_version"] == in_force.version
    assert body["period_days"] == in_force.document["periods_days"]["black"]
    assert body["expires_on"] == str(today() + datetime.timedelta(days=body["period_days"]))
    catalogue = rules.measures_for(in_force.document, "black")
    # No measures named: every measure the catalogue attaches to the list; the remedies are the rule set's.
    assert body["measure_codes"] == [measure["code"] for measure in catalogue]
    assert body["measures"] == "；".join(measure["label"] for measure in catalogue)
    assert body["appeal_routes"] == "；".join(route["text"] for route in rules.appeal_routes(in_force.document))
    assert body["decision_number"] == body["decision_document"]["number"] != ""


@pytest.mark.parametrize("measures", ["", "   ", [], "no_such_measure", ["no_such_measure"], 7, [7]])
def test_decide_with_no_or_unknown_measure_codes_is_400_naming_measures(measures, entity_a, regulator_client):
    listing = past_window(entity_a)
    before = snapshot(listing)
    response = post(regulator_client, listing, "decide", {"measures": measures})
    assert response.status_code == 400
    assert set(response.json()) - {"code"} == {"measures"}, response.json()
    assert snapshot(listing) == before


def test_measures_are_codes_as_a_list_or_a_comma_separated_string(entity_a, entity_b, regulator_client):
    codes = [measure["code"] for measure in rules.measures_for(rule_set_on(today()).document, "black")][:2]
    as_list = post(regulator_client, past_window(entity_a), "decide", {"measures": codes})
    as_text = post(regulator_client, past_window(entity_b), "decide", {"measures": "，".join(codes),
                                                                       "appeal_routes": "旧客户端的自由文本（不再使用）"})
    assert as_list.status_code == as_text.status_code == 200, (as_list.content, as_text.content)
    assert as_list.json()["measure_codes"] == as_text.json()["measure_codes"] == codes


def test_a_measure_of_another_list_is_refused(entity_a, regulator_client):
    document = rule_set_on(today()).document
    red_only = [m["code"] for m in rules.measures_for(document, "red")
                if m["code"] not in {b["code"] for b in rules.measures_for(document, "black")}]
    response = post(regulator_client, past_window(entity_a), "decide", {"measures": red_only[:1]})
    assert response.status_code == 400 and "measures" in response.json()


def test_period_above_the_rule_sets_maximum_is_400(entity_a, regulator_client):
    listing = past_window(entity_a)
    maximum = rule_set_on(today()).document["periods_days"]["black"]
    response = post(regulator_client, listing, "decide", {**DECISION, "period_days": maximum + 1})
    assert response.status_code == 400
    assert "period_days" in response.json()
    assert Listing.objects.get(pk=listing.pk).status == "notified"
    shorter = post(regulator_client, listing, "decide", {**DECISION, "period_days": 730})
    assert shorter.status_code == 200
    assert shorter.json()["period_days"] == 730
    assert shorter.json()["expires_on"] == str(today() + datetime.timedelta(days=730))


@pytest.mark.parametrize(("state", "action"), [("published", "remove"), ("proposed", "withdraw"),
                                               ("notified", "withdraw"), ("decided", "withdraw")])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_remove_or_withdraw_without_a_reason_is_400(state, action, reason, entity_a, regulator_client):
    listing = listing_in(state, entity=entity_a)
    before = snapshot(listing)
    response = post(regulator_client, listing, action, {} if reason is None else {"reason": reason})
    assert response.status_code == 400
    assert "reason" in response.json()
    assert snapshot(listing) == before


def test_remove_with_a_reason_ends_the_listing_today(entity_a, regulator_client):
    listing = listing_in("published", entity=entity_a)
    response = post(regulator_client, listing, "remove", {"reason": "处罚决定被复议撤销"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "removed" and body["ended_on"] == str(today())
    assert body["end_reason"] == "处罚决定被复议撤销"


# --- objections -------------------------------------------------------------------------------------------


def object_to(client, listing: Listing, statement: str = "事实有误，请复核"):
    return client.post(f"/api/v1/listings/{listing.pk}/objections/", {"statement": statement}, format="json")


def test_the_listed_business_objects_inside_the_window(entity_a, business_a, regulator_client):
    listing = listing_in("notified", entity=entity_a, objection_due=today() + datetime.timedelta(days=2))
    response = object_to(api_client(business_a), listing)
    assert response.status_code == 201, response.content
    assert Objection.objects.get().filed_by == business_a
    listed = regulator_client.get(f"/api/v1/listings/{listing.pk}/objections/").json()
    assert [o["statement"] for o in listed] == ["事实有误，请复核"]


def test_an_objection_on_the_due_day_is_still_in_time(entity_a, business_a):
    listing = listing_in("notified", entity=entity_a, objection_due=today())
    assert object_to(api_client(business_a), listing).status_code == 201


def test_another_business_cannot_object(entity_a, business_b):
    listing = listing_in("notified", entity=entity_a, objection_due=today() + datetime.timedelta(days=2))
    assert object_to(api_client(business_b), listing).status_code in (403, 404)
    assert not Objection.objects.exists()


def test_an_inspector_cannot_object_on_the_subjects_behalf(entity_a, inspector):
    listing = listing_in("notified", entity=entity_a, objection_due=today() + datetime.timedelta(days=2))
    assert object_to(api_client(inspector), listing).status_code == 403
    assert not Objection.objects.exists()


def test_a_regulator_records_a_paper_objection_only_with_its_received_date(entity_a, regulator):
    listing = listing_in("notified", entity=entity_a, objection_due=today() + datetime.timedelta(days=2))
    response = object_to(api_client(regulator), listing)
    assert response.status_code == 400 and "received_on" in response.json()
    assert not Objection.objects.exists()


def test_anonymous_cannot_object(entity_a, anon_client):
    listing = listing_in("notified", entity=entity_a, objection_due=today() + datetime.timedelta(days=2))
    assert object_to(anon_client, listing).status_code == 401
    assert not Objection.objects.exists()


@pytest.mark.parametrize("state", ["proposed", "decided", "published", "withdrawn"])
def test_objections_only_while_notified(state, entity_a, business_a):
    # A notice withdrawn today still has its window open: the state, not the date, refuses the objection.
    listing = listing_in(state, entity=entity_a, **({"notified_on": today()} if state == "withdrawn" else {}))
    response = object_to(api_client(business_a), listing)
    assert response.status_code == 409
    assert response.json()["code"] == "not_in_objection_window"
    assert not Objection.objects.exists()


def test_an_objection_after_objection_due_is_409(entity_a, business_a):
    listing = listing_in("notified", entity=entity_a, objection_due=today() - datetime.timedelta(days=1))
    response = object_to(api_client(business_a), listing)
    assert response.status_code == 409
    assert response.json()["code"] == "objection_window_closed"
    assert not Objection.objects.exists()


def test_a_blank_objection_is_400(entity_a, business_a):
    listing = listing_in("notified", entity=entity_a, objection_due=today() + datetime.timedelta(days=2))
    response = object_to(api_client(business_a), listing, statement="  ")
    assert response.status_code == 400
    assert "statement" in response.json()


# --- rule sets in force on the decision date ------------------------------------------------------------


def new_document(black_days: int) -> dict:
    document = copy.deepcopy(DEFAULT_DOCUMENT)
    document["periods_days"]["black"] = black_days
    return document


def test_a_decision_uses_the_rule_set_in_force_on_its_date(entity_a, entity_b, regulator_client):
    created = regulator_client.post("/api/v1/rule-sets/", {
        "version": 3, "name": "2027 修订", "effective_from": "2027-01-01", "document": new_document(730)},
        format="json")
    assert created.status_code == 201, created.content
    before = listings.listing_propose(list_type="black", subject_type="entity", entity=entity_a, reason="甩团",
                                      today=datetime.date(2026, 12, 1))
    after = listings.listing_propose(list_type="black", subject_type="entity", entity=entity_b, reason="甩团",
                                     today=datetime.date(2026, 12, 1))
    for listing in (before, after):
        notify_served(listing, datetime.date(2026, 12, 1))
    old = listings.listing_decide(listing_id=before.pk, **DECISION, today=datetime.date(2026, 12, 28))
    new = listings.listing_decide(listing_id=after.pk, **DECISION, today=datetime.date(2027, 1, 11))
    assert old.rule_set.version == 2 and old.period_days == 1095
    assert new.rule_set.version == 3 and new.period_days == 730
    assert new.expires_on == datetime.date(2029, 1, 10)
    assert regulator_client.get(f"/api/v1/listings/{after.pk}/").json()["rule_set_version"] == 3


def test_a_decision_is_not_judged_by_the_rule_set_of_its_proposal(entity_a):
    listing = listings.listing_propose(list_type="black", subject_type="entity", entity=entity_a, reason="甩团",
                                       today=datetime.date(2026, 3, 20))
    proposal_set = rule_set_on(datetime.date(2026, 3, 20))
    assert listing.rule_set == proposal_set
    notify_served(listing, datetime.date(2026, 3, 20))
    decided = listings.listing_decide(listing_id=listing.pk, **DECISION, today=datetime.date(2026, 4, 8))
    assert decided.rule_set == rule_set_on(datetime.date(2026, 4, 1)) != proposal_set  # in force from 2026-04-01


def test_the_period_maximum_comes_from_the_rule_set_of_the_decision_date(entity_a):
    RuleSet.objects.create(version=3, name="短期", effective_from=datetime.date(2027, 1, 1),
                           document=new_document(730))
    listing = listings.listing_propose(list_type="black", subject_type="entity", entity=entity_a, reason="甩团",
                                       today=datetime.date(2026, 12, 1))
    notify_served(listing, datetime.date(2026, 12, 1))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        listings.listing_decide(listing_id=listing.pk, **{**DECISION, "period_days": 1000}, today=datetime.date(2027, 1, 11))
    assert "period_days" in raised.value.message_dict


@pytest.mark.parametrize("document", [
    {},
    "not an object",
    {**copy.deepcopy(DEFAULT_DOCUMENT), "periods_days": {"black": -1, "watch": 365, "red": 365}},
    {**copy.deepcopy(DEFAULT_DOCUMENT), "restrictions": [{"licence_types": [], "list_type": "grey",
                                                          "subject_roles": ["cat"], "effect": "ban"}]},
])
def test_a_rule_set_with_an_invalid_document_is_400_naming_document(document, regulator_client):
    count = RuleSet.objects.count()
    response = regulator_client.post("/api/v1/rule-sets/", {
        "version": 9, "name": "坏规则", "effective_from": "2027-06-01", "document": document}, format="json")
    assert response.status_code == 400, response.content
    assert "document" in response.json()
    assert RuleSet.objects.count() == count


def test_only_a_regulator_adds_a_rule_set(business_a, inspector_client):
    body = {"version": 9, "name": "x", "effective_from": "2027-06-01", "document": new_document(700)}
    assert api_client(business_a).post("/api/v1/rule-sets/", body, format="json").status_code == 403
    assert inspector_client.post("/api/v1/rule-sets/", body, format="json").status_code == 403
    assert not RuleSet.objects.filter(version=9).exists()


# --- every transition is written down ------------------------------------------------------------------


def events(listing: Listing) -> list[tuple[str, str, str]]:
    return list(ListingEvent.objects.filter(listing=listing).order_by("id").values_list(
        "action", "from_status", "to_status"))


def test_every_step_of_the_lifecycle_writes_a_listing_event(entity_a, business_a, regulator):
    listing = listings.listing_propose(list_type="black", subject_type="entity", entity=entity_a, reason="甩团",
                                       actor=regulator, today=FRIDAY)
    notify_served(listing, FRIDAY, actor=regulator)
    objection = listings.objection_file(listing_id=listing.pk, actor=business_a, statement="有误",
                                        today=datetime.date(2026, 3, 10))
    listings.objection_answer(objection_id=objection.pk, actor=regulator, answer="不成立", upheld=False)
    day = datetime.date(2026, 3, 16)
    listings.listing_decide(listing_id=listing.pk, actor=regulator, **DECISION, today=day)
    listings.listing_publish(listing_id=listing.pk, actor=regulator, today=day)
    listings.listing_remove(listing_id=listing.pk, actor=regulator, reason="依据撤销", today=day)
    assert events(listing) == [
        ("propose", "", "proposed"), ("notify", "proposed", "notified"), ("notice_served", "notified", "notified"),
        ("objection", "notified", "notified"),
        ("objection_answer", "notified", "notified"), ("decide", "notified", "decided"),
        ("publish", "decided", "published"), ("remove", "published", "removed"),
    ]
    names = set(ListingEvent.objects.filter(listing=listing).values_list("actor_name", flat=True))
    assert names == {"regulator", "business_a"}
    assert ListingEvent.objects.get(listing=listing, action="remove").reason == "依据撤销"


@pytest.mark.parametrize(("state", "action", "target"), [
    ("proposed", "withdraw", "withdrawn"), ("notified", "withdraw", "withdrawn"), ("decided", "withdraw", "withdrawn"),
    ("published", "expire", "expired"), ("published", "repair", "repaired"), ("published", "remove", "removed"),
])
def test_each_ending_writes_its_event(state, action, target, entity_a, regulator):
    listing = listing_in(state, entity=entity_a)
    events_before = listing.events.count()
    if action == "expire":
        listings.listing_expire(listing_id=listing.pk, today=today())
    else:
        {"withdraw": listings.listing_withdraw, "repair": listings.listing_repair, "remove": listings.listing_remove}[action](
            listing_id=listing.pk, actor=regulator, reason="理由", today=today())
    assert listing.events.count() == events_before + 1
    event = ListingEvent.objects.filter(listing=listing).latest("id")
    assert (event.action, event.from_status, event.to_status) == (action, state, target)
    if action == "expire":  # the nightly job, not a person
        assert event.actor is None and event.actor_name == "系统"
    else:
        assert event.actor == regulator and event.actor_name == "regulator"


def test_an_event_survives_its_actor_under_a_frozen_name(entity_a, regulator):
    listing = listing_in("proposed", entity=entity_a)
    listings.listing_notify(listing_id=listing.pk, actor=regulator, today=today())
    regulator.username = "renamed"
    regulator.save()
    assert ListingEvent.objects.get(listing=listing, action="notify").actor_name == "regulator"


def test_decide_through_the_api_with_an_unanswered_objection_is_409(entity_a, business_a, regulator_client):
    listing = listing_in("notified", entity=entity_a)  # noticed a month ago: the window is over
    listings.objection_file(listing_id=listing.pk, actor=business_a, statement="不是我们的团",
                            today=listing.notified_on)
    response = post(regulator_client, listing, "decide", DECISION)
    assert response.status_code == 409
    assert response.json()["code"] == "objection_unanswered"
    assert Listing.objects.get(pk=listing.pk).status == "notified"


# --- manual proposals -------------------------------------------------------------------------------------


def test_a_regulator_proposes_manually_with_the_rule_sets_basis_and_period(entity_a, regulator, regulator_client):
    response = regulator_client.post("/api/v1/listings/", {"list_type": "watch", "subject_type": "entity",
                                                           "entity": entity_a.pk, "reason": "拒不执行投诉处理决定"},
                                     format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    document = rule_set_on(today()).document
    assert body["status"] == "proposed" and body["source"]["type"] == "manual"
    assert body["legal_basis"] == document["criteria"]["legal_basis"]["watch"]
    assert body["period_days"] == document["periods_days"]["watch"]
    event = ListingEvent.objects.get(listing_id=body["id"])
    assert (event.action, event.to_status, event.actor) == ("propose", "proposed", regulator)


@pytest.mark.parametrize(("body", "field"), [
    ({"subject_type": "person"}, "person"),
    ({"reason": "  "}, "reason"),
    ({"list_type": "grey"}, "list_type"),
])
def test_a_manual_proposal_with_a_bad_subject_or_no_reason_is_400(body, field, entity_a, regulator_client):
    response = regulator_client.post("/api/v1/listings/", {"list_type": "black", "subject_type": "entity",
                                                           "entity": entity_a.pk, "reason": "甩团", **body},
                                     format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Listing.objects.exists()


def test_a_business_cannot_propose_a_listing(entity_b, business_a):
    response = api_client(business_a).post("/api/v1/listings/", {
        "list_type": "black", "subject_type": "entity", "entity": entity_b.pk, "reason": "同行举报"}, format="json")
    assert response.status_code == 403
    assert not Listing.objects.exists()
