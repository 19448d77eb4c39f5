"""How a published listing ends (DOMAIN.md, Due process 6 and Credit repair): expiry, removal, repair."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from config.api.exceptions import ConflictError
from core.workdays import add_working_days
from regulator.lists import rules
from regulator.lists import services as listings
from regulator.lists.models import Listing, ListingEvent, RepairApplication
from regulator.lists.selectors import rule_set_on
from tests.support import api_client, listing_in, today
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

EVIDENCE = ["罚款缴纳凭证（运盐财〔2026〕18号）", "整改完成报告"]
TRAINING = "山西省信用修复培训合格证明 2026-0815"


def public_codes(client, list_type: str = "black") -> list[str]:
    response = client.get(f"/api/v1/public/{list_type}list/")
    assert response.status_code == 200
    return [row["credit_code"] for row in response.json()["results"]]


def history_ids(client, **params) -> list[int]:
    response = client.get("/api/v1/listings/", params)
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


# --- expiry ----------------------------------------------------------------------------------------------


def test_expire_due_ends_published_listings_past_their_period_and_they_leave_the_public_list(
        entity_a, entity_b, anon_client, regulator_client):
    ending = listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=10), period_days=40)
    staying = listing_in("published", entity=entity_b, decided_on=today() - datetime.timedelta(days=10))
    assert set(public_codes(anon_client)) == {entity_a.credit_code, entity_b.credit_code}

    assert listings.listings_expire_due(today=ending.expires_on - datetime.timedelta(days=1)) == []
    assert listings.listings_expire_due(today=ending.expires_on) == [ending.pk]

    ending.refresh_from_db()
    assert ending.status == "expired"
    assert ending.ended_on == ending.expires_on
    assert ListingEvent.objects.filter(listing=ending, action="expire", to_status="expired").exists()
    assert Listing.objects.get(pk=staying.pk).status == "published"
    assert public_codes(anon_client) == [entity_b.credit_code]
    public_page = anon_client.get(f"/api/v1/public/entities/{entity_a.credit_code}/").json()
    assert public_page["listings"] == []
    assert ending.pk in history_ids(regulator_client, status="expired")


def test_expire_due_runs_twice_without_harm(entity_a):
    listing = listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=10), period_days=40)
    assert listings.listings_expire_due(today=listing.expires_on) == [listing.pk]
    assert listings.listings_expire_due(today=listing.expires_on) == []
    assert ListingEvent.objects.filter(listing=listing, action="expire").count() == 1


def test_a_listing_past_its_expiry_is_out_of_public_view_even_before_the_nightly_job(entity_a, anon_client):
    listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=50), period_days=30)
    assert public_codes(anon_client) == []


@pytest.mark.parametrize("action", ["remove", "repair"])
def test_an_ended_listing_leaves_public_view_but_stays_in_the_regulators_history(
        action, entity_a, business_a, regulator, anon_client, regulator_client):
    listing = listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=10))
    assert public_codes(anon_client) == [entity_a.credit_code]
    {"remove": listings.listing_remove, "repair": listings.listing_repair}[action](
        listing_id=listing.pk, actor=regulator, reason="复议撤销原处罚", today=today())
    assert public_codes(anon_client) == []
    assert anon_client.get(f"/api/v1/public/entities/{entity_a.credit_code}/").json()["listings"] == []
    assert listing.pk in history_ids(regulator_client)
    row = regulator_client.get(f"/api/v1/listings/{listing.pk}/").json()
    assert row["status"] == {"remove": "removed", "repair": "repaired"}[action]
    assert row["ended_on"] == str(today())
    # The business still sees its own file.
    assert listing.pk in history_ids(api_client(business_a))


# --- credit repair ---------------------------------------------------------------------------------------


def black_decided(entity, decided_on: datetime.date) -> Listing:
    return listing_in("published", entity=entity, decided_on=decided_on)


def repair_rules(listing: Listing, day: datetime.date | None = None) -> dict:
    """What the rule set in force on ``day`` (today) asks of a repair of ``listing``."""
    entity = listing.entity or listing.related_entity
    return rules.repair_rules(rule_set_on(day or today()).document, listing.list_type, sector=entity.sector,
                              category=entity.category)


def apply(client, listing: Listing, **body):
    payload = {"listing": listing.pk, "statement": "已缴纳罚款并完成整改", "evidence": EVIDENCE,
               "commitment": repair_rules(listing)["commitment_required"], "training_record": TRAINING, **body}
    return client.post("/api/v1/repair-applications/", payload, format="json")


def file(listing: Listing, actor, day: datetime.date, **kwargs) -> RepairApplication:
    arguments = {"statement": "已整改", "evidence": EVIDENCE, "training_record": TRAINING,
                 "commitment": repair_rules(listing, day)["commitment_required"], **kwargs}
    return listings.repair_application_file(listing_id=listing.pk, actor=actor, today=day, **arguments)


def test_black_repair_before_the_rule_sets_minimum_after_the_decision_is_409(entity_a, business_a):
    decided = datetime.date(2026, 1, 20)
    listing = black_decided(entity_a, decided)
    minimum = repair_rules(listing, datetime.date(2027, 1, 20))["min_days"]
    assert minimum == 365  # a travel agency (elderly care: test_repair_2026)
    earliest = decided + datetime.timedelta(days=minimum)
    with pytest.raises(ConflictError) as raised:
        file(listing, business_a, earliest - datetime.timedelta(days=1))
    assert raised.value.get_codes() == "repair_too_early"
    assert file(listing, business_a, earliest).status == "submitted"


def test_black_repair_through_the_api_too_early_is_409(entity_a, business_a):
    listing = black_decided(entity_a, today() - datetime.timedelta(days=100))
    response = apply(api_client(business_a), listing)
    assert response.status_code == 409
    assert response.json()["code"] == "repair_too_early"
    assert not RepairApplication.objects.exists()


@pytest.mark.parametrize(("day", "commitment"), [(datetime.date(2026, 3, 31), True),
                                                 (datetime.date(2026, 4, 1), False)])
def test_a_black_subjects_commitment_before_and_from_2026_04_01(day, commitment, entity_a, business_a):
    """Before 2026-04-01 no 信用承诺 from a 严重失信 subject; from then a public one is required."""
    listing = black_decided(entity_a, datetime.date(2024, 1, 10))
    rule = repair_rules(listing, day)
    assert rule["commitment_allowed"] is (not commitment) and rule["commitment_required"] is (not commitment)
    with pytest.raises(ValidationError) as raised:
        file(listing, business_a, day, commitment=commitment)
    assert "commitment" in raised.value.message_dict
    assert not RepairApplication.objects.exists()
    assert file(listing, business_a, day, commitment=not commitment).status == "submitted"


@pytest.mark.parametrize(("body", "field"), [
    ({"evidence": []}, "evidence"),
    ({"evidence": ["  "]}, "evidence"),
    ({"training_record": ""}, "training_record"),
    ({"statement": "   "}, "statement"),
])
def test_repair_needs_evidence_and_a_training_record(body, field, entity_a, business_a):
    listing = black_decided(entity_a, today() - datetime.timedelta(days=400))
    response = apply(api_client(business_a), listing, **body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not RepairApplication.objects.exists()


def test_a_watch_subject_repairs_with_a_commitment_and_may_not_without(entity_a, business_a):
    listing = listing_in("published", entity=entity_a, list_type="watch", decided_on=today() - datetime.timedelta(days=20))
    without = apply(api_client(business_a), listing, commitment=False)
    assert without.status_code == 400
    assert "commitment" in without.json()
    with_commitment = apply(api_client(business_a), listing, commitment=True)
    assert with_commitment.status_code == 201, with_commitment.content
    assert with_commitment.json()["status"] == "submitted"


def test_the_repair_decision_is_due_ten_working_days_after_the_application(entity_a, business_a):
    listing = black_decided(entity_a, datetime.date(2025, 9, 1))
    # 8, 9, 10 (make-up Saturday), 12..16, 19, 20 October: the National Day week does not count.
    application = file(listing, business_a, datetime.date(2026, 9, 30))
    assert repair_rules(listing, datetime.date(2026, 9, 30))["decision_working_days"] == 10
    assert application.filed_on == datetime.date(2026, 9, 30)
    assert application.decision_due == datetime.date(2026, 10, 20)


def test_an_api_application_records_its_decision_due(entity_a, business_a):
    listing = black_decided(entity_a, today() - datetime.timedelta(days=400))
    response = apply(api_client(business_a), listing)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["filed_on"] == str(today())
    assert body["decision_due"] == str(add_working_days(today(), 10))
    assert ListingEvent.objects.filter(listing=listing, action="repair_apply").exists()


def test_a_second_open_application_for_one_listing_is_409(entity_a, business_a):
    listing = black_decided(entity_a, today() - datetime.timedelta(days=400))
    assert apply(api_client(business_a), listing).status_code == 201
    second = apply(api_client(business_a), listing)
    assert second.status_code == 409, second.content
    assert second.json()["code"] == "repair_pending"
    assert RepairApplication.objects.count() == 1


def test_granting_repair_ends_the_listing_and_takes_it_out_of_the_public_list(entity_a, business_a, regulator_client,
                                                                               anon_client):
    listing = black_decided(entity_a, today() - datetime.timedelta(days=400))
    application = apply(api_client(business_a), listing).json()
    assert public_codes(anon_client) == [entity_a.credit_code]
    response = regulator_client.post(f"/api/v1/repair-applications/{application['id']}/decide/",
                                     {"grant": True, "reason": "已履行义务并完成培训"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "granted" and response.json()["decided_on"] == str(today())
    listing.refresh_from_db()
    assert listing.status == "repaired" and listing.ended_on == today()
    assert public_codes(anon_client) == []
    assert listing.pk in history_ids(regulator_client, status="repaired")


def test_refusing_repair_keeps_the_listing_published(entity_a, business_a, regulator_client, anon_client):
    listing = black_decided(entity_a, today() - datetime.timedelta(days=400))
    application = apply(api_client(business_a), listing).json()
    response = regulator_client.post(f"/api/v1/repair-applications/{application['id']}/decide/",
                                     {"grant": False, "reason": "整改未到位"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "refused"
    assert Listing.objects.get(pk=listing.pk).status == "published"
    assert public_codes(anon_client) == [entity_a.credit_code]
    # A refusal closes the application: a new one may be filed.
    assert apply(api_client(business_a), listing).status_code == 201


@pytest.mark.parametrize("first", [True, False])
def test_a_second_decision_on_one_application_is_409(first, entity_a, business_a, regulator_client):
    listing = black_decided(entity_a, today() - datetime.timedelta(days=400))
    application = apply(api_client(business_a), listing).json()
    url = f"/api/v1/repair-applications/{application['id']}/decide/"
    assert regulator_client.post(url, {"grant": first, "reason": "决定"}, format="json").status_code == 200
    again = regulator_client.post(url, {"grant": not first, "reason": "改判"}, format="json")
    assert again.status_code == 409
    assert RepairApplication.objects.get().status == ("granted" if first else "refused")


def test_a_repair_decision_needs_a_reason(entity_a, business_a, regulator_client):
    listing = black_decided(entity_a, today() - datetime.timedelta(days=400))
    application = apply(api_client(business_a), listing).json()
    response = regulator_client.post(f"/api/v1/repair-applications/{application['id']}/decide/",
                                     {"grant": True, "reason": ""}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert Listing.objects.get(pk=listing.pk).status == "published"


def test_only_the_listed_business_applies_online(entity_a, business_b, inspector, inspector_client):
    listing = black_decided(entity_a, today() - datetime.timedelta(days=400))
    assert apply(api_client(business_b), listing).status_code in (400, 403, 404)
    assert apply(inspector_client, listing).status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        listings.repair_application_file(listing_id=listing.pk, actor=inspector, statement="x", evidence=EVIDENCE,
                                         commitment=False, training_record=TRAINING, today=today())
    assert not RepairApplication.objects.exists()


def test_a_regulator_records_a_paper_application_for_the_subject(entity_a, regulator_client):
    listing = black_decided(entity_a, today() - datetime.timedelta(days=400))
    response = apply(regulator_client, listing, filed_on=str(today() - datetime.timedelta(days=2)),
                     applicant_name="甲旅行社（来函）")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["channel"], body["applicant_name"]) == ("paper", "甲旅行社（来函）")
    assert body["filed_on"] == str(today() - datetime.timedelta(days=2))


def test_only_a_regulator_decides_a_repair(entity_a, business_a, inspector_client):
    listing = black_decided(entity_a, today() - datetime.timedelta(days=400))
    application = apply(api_client(business_a), listing).json()
    url = f"/api/v1/repair-applications/{application['id']}/decide/"
    assert api_client(business_a).post(url, {"grant": True, "reason": "自批"}, format="json").status_code == 403
    assert inspector_client.post(url, {"grant": True, "reason": "x"}, format="json").status_code in (403, 404)
    assert RepairApplication.objects.get().status == "submitted"


@pytest.mark.parametrize("state", ["proposed", "notified", "decided", "expired", "removed", "withdrawn"])
def test_only_a_published_listing_can_be_repaired(state, entity_a, business_a):
    listing = listing_in(state, entity=entity_a, list_type="watch")
    with pytest.raises(ConflictError):
        listings.repair_application_file(listing_id=listing.pk, actor=business_a, statement="x", evidence=EVIDENCE,
                              commitment=True, training_record=TRAINING, today=today())


def test_a_red_listing_is_not_repaired(entity_a, business_a):
    listing = listing_in("published", entity=entity_a, list_type="red")
    with pytest.raises(ConflictError):
        listings.repair_application_file(listing_id=listing.pk, actor=business_a, statement="x", evidence=EVIDENCE,
                              commitment=True, training_record=TRAINING, today=today())


def test_repair_rules_are_those_in_force_on_the_application_date(entity_a, business_a):
    import copy

    from regulator.lists.models import RuleSet

    document = copy.deepcopy(rule_set_on(datetime.date(2026, 12, 10)).document)
    document["repair"].update(black_min_days=730, requires_training=False)
    version = max(RuleSet.objects.values_list("version", flat=True)) + 1
    RuleSet.objects.create(version=version, name="严格修复", effective_from=datetime.date(2027, 1, 1), document=document)
    listing = black_decided(entity_a, datetime.date(2025, 12, 1))
    before, after = repair_rules(listing, datetime.date(2026, 12, 10)), repair_rules(listing, datetime.date(2027, 2, 1))
    assert (after["min_days"], after["training_required"]) == (730, False)
    # Under the 2027 rules a black subject waits two years, and no training record is required.
    with pytest.raises(ConflictError):
        file(listing, business_a, datetime.date(2027, 2, 1), training_record="")
    if before["training_required"]:
        with pytest.raises(ValidationError) as raised:
            file(listing, business_a, datetime.date(2026, 12, 10), training_record="")
        assert "training_record" in raised.value.message_dict
    application = file(listing, business_a, datetime.date(2027, 12, 1), training_record="")
    assert application.rule_set.version == version
