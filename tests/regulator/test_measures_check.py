"""联合奖惩核查 (issue 18, item 4): the catalogue, who is denied which measure through whom, rewards, periods."""

from __future__ import annotations

import copy
import datetime
import random

import pytest
from django.core.exceptions import ValidationError

from entities import codes
from regulator.lists.models import RuleSet
from regulator.lists.rules import DEFAULT_DOCUMENT, RuleSetError, validate_document
from regulator.lists.selectors import rule_set_on
from tests.support import listing_in, today
from tests.support.factories import EntityFactory, PersonFactory, PersonRoleFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

_rng = random.Random(1818)
LICENCE_TYPES = ["travel_agency_business", "outbound_travel_business", "tour_guide", "homestay_filing",
                 "elderly_care_filing", "household_service_filing"]


def id_number() -> str:
    return codes.id_number("140802", datetime.date(1982, 3, 4), _rng)


def days(offset: int) -> datetime.date:
    return today() + datetime.timedelta(days=offset)


def check(client, **body):
    response = client.post("/api/v1/measures-checks/", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def listed_and_representative(entity_a):
    """entity_a black-listed 30 days ago; 王五 its legal representative then, and now of entity_b too."""
    black = listing_in("published", entity=entity_a, decided_on=days(-30))
    number = id_number()
    person = PersonFactory(name="王五", id_number=number)
    PersonRoleFactory(entity=entity_a, person=person, started_on=datetime.date(2020, 1, 1))
    other = EntityFactory(name="盐湖区另一家文化传媒有限公司")
    PersonRoleFactory(entity=other, person=person, started_on=days(-5))
    return {"black": black, "number": number, "other": other, "person": person}


# --- the catalogue -----------------------------------------------------------------------------------------


def _document_with(**binding_changes):
    document = copy.deepcopy(DEFAULT_DOCUMENT)
    document["joint_measures"][0]["bindings"][0].update(binding_changes)
    return document


def test_the_default_catalogue_validates_and_every_set_in_force_has_it():
    assert validate_document(copy.deepcopy(DEFAULT_DOCUMENT))
    for day in (datetime.date(2022, 6, 1), datetime.date(2023, 6, 1), today()):
        codes_ = {row["code"] for row in rule_set_on(day).document["joint_measures"]}
        assert {"public_procurement", "government_funding", "green_channel", "tolerance_acceptance"} <= codes_


@pytest.mark.parametrize(("change", "message"), [
    ({"effect": "ban"}, "effect"),
    ({"subject_roles": ["entity", "neighbour"]}, "subject_roles"),
    ({"list_types": ["grey"]}, "list_types"),
    ({"list_types": ["black"], "effect": "reward"}, "reward"),
    ({"list_types": ["red"], "effect": "deny"}, "reward"),
    ({"period_days": 0}, "period_days"),
    ({"subject_role": ["entity"]}, "unknown keys"),
])
def test_a_catalogue_with_an_unknown_effect_role_or_list_type_is_refused(change, message):
    with pytest.raises(RuleSetError) as error:
        validate_document(_document_with(**change))
    assert message in str(error.value)


def test_a_measure_code_that_is_a_licence_type_or_repeats_is_refused():
    document = copy.deepcopy(DEFAULT_DOCUMENT)
    document["joint_measures"][0]["code"] = "tour_guide"
    document["joint_measures"][1]["code"] = document["joint_measures"][2]["code"]
    with pytest.raises(RuleSetError) as error:
        validate_document(document)
    assert "'tour_guide' is taken" in str(error.value) and "'awards_honours' is taken" in str(error.value)


def test_a_rule_set_saved_with_a_bad_catalogue_is_refused(regulator_client):
    rule_set = RuleSet(version=99, name="测试", effective_from=days(400), document=_document_with(effect="ban"))
    with pytest.raises(ValidationError) as error:
        rule_set.full_clean()
    assert "document" in error.value.message_dict
    response = regulator_client.post("/api/v1/rule-sets/", {"version": 99, "name": "测试", "effective_from":
                                     str(days(400)), "document": _document_with(effect="ban")}, format="json")
    assert response.status_code == 400
    assert "effect" in str(response.json())


def test_the_catalogue_endpoint_lists_licences_and_joint_measures(anon_client):
    response = anon_client.get("/api/v1/measures/")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert rows["travel_agency_business"]["kind"] == "licence"
    assert rows["public_procurement"]["kind"] == "procurement" and rows["public_procurement"]["basis"]
    assert rows["green_channel"]["bindings"][0]["effect"] == "reward"
    assert anon_client.get("/api/v1/measures/?as_of=1999-13-01").status_code == 400


# --- unknown measures ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("measure", ["procurement", "travel_agency", "", "PUBLIC_PROCUREMENT", "x" * 60])
def test_an_unknown_measure_is_a_400_naming_measure(measure, entity_a, regulator_client):
    response = regulator_client.post("/api/v1/measures-checks/", {"measure": measure,
                                     "applicant_credit_code": entity_a.credit_code}, format="json")
    assert response.status_code == 400
    assert "measure" in response.json()


def test_an_unknown_measure_in_a_batch_is_named_by_its_index(entity_a, regulator_client):
    good = {"measure": "public_procurement", "applicant_credit_code": entity_a.credit_code}
    response = regulator_client.post("/api/v1/measures-checks/batch/", {"checks": [good, {**good, "measure": "bid"}]},
                                     format="json")
    assert response.status_code == 400
    assert list(response.json()["checks"]) == ["1"] and "measure" in response.json()["checks"]["1"]


def test_a_staff_account_without_a_checking_role_is_refused(business_a, entity_a):
    from tests.support import api_client

    response = api_client(business_a).post("/api/v1/measures-checks/", {
        "measure": "public_procurement", "applicant_credit_code": entity_a.credit_code}, format="json")
    assert response.status_code == 403


# --- joint punishment: through another company --------------------------------------------------------------


@pytest.mark.parametrize("measure", ["public_procurement", "government_funding", "awards_honours"])
def test_a_black_listed_entitys_legal_representative_is_denied_through_another_company(
        measure, listed_and_representative, regulator_client):
    world = listed_and_representative
    answer = check(regulator_client, measure=measure, applicant_credit_code=world["other"].credit_code)
    assert answer["allowed"] is False
    (row,) = answer["blocking"]
    assert row["listing_id"] == world["black"].pk and row["subject_role"] == "legal_representative"
    assert world["person"].id_number_masked in row["subject"] and world["number"] not in str(answer)
    assert row["basis"] and row["until"] == str(world["black"].expires_on)
    assert answer["receipt"]["payload"]["kind"] == "measures_check"
    # named in person, by ID number, the same
    alone = check(regulator_client, measure=measure, person_id_numbers=[world["number"]])
    assert alone["allowed"] is False and alone["blocking"][0]["listing_id"] == world["black"].pk


def test_a_name_change_binds_the_listed_entity_only(listed_and_representative, entity_a, regulator_client):
    world = listed_and_representative
    assert check(regulator_client, measure="name_change", applicant_credit_code=entity_a.credit_code)["allowed"] is False
    assert check(regulator_client, measure="name_change",
                 applicant_credit_code=world["other"].credit_code)["allowed"] is True


def test_a_representative_appointed_after_the_listing_is_not_bound(entity_a, regulator_client):
    listing_in("published", entity=entity_a, decided_on=days(-30))
    number = id_number()
    late = PersonFactory(id_number=number)
    PersonRoleFactory(entity=entity_a, person=late, started_on=days(-29))
    other = EntityFactory()
    PersonRoleFactory(entity=other, person=late, started_on=days(-3))
    assert check(regulator_client, measure="public_procurement", applicant_credit_code=other.credit_code)["allowed"]


def test_a_watch_listing_denies_awards_but_not_procurement(entity_a, regulator_client):
    watch = listing_in("published", entity=entity_a, list_type="watch", decided_on=days(-10))
    awards = check(regulator_client, measure="merit_evaluation", applicant_credit_code=entity_a.credit_code)
    assert awards["allowed"] is False and awards["blocking"][0]["listing_id"] == watch.pk
    assert check(regulator_client, measure="public_procurement", applicant_credit_code=entity_a.credit_code)["allowed"]


# --- rewards ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("measure", ["green_channel", "tolerance_acceptance"])
def test_a_red_listed_firm_gets_its_rewards(measure, entity_a, entity_b, regulator_client):
    red = listing_in("published", entity=entity_a, list_type="red", reason="诚信经营", decided_on=days(-60))
    answer = check(regulator_client, measure=measure, applicant_credit_code=entity_a.credit_code)
    assert answer["allowed"] is True and answer["blocking"] == []
    (reward,) = answer["rewards"]
    assert reward["listing_id"] == red.pk and reward["effect"] == "reward" and reward["basis"]
    assert "可享受" in answer["receipt"]["payload"]["result"]
    assert check(regulator_client, measure=measure, applicant_credit_code=entity_b.credit_code)["rewards"] == []


def test_a_red_firms_representative_does_not_carry_its_rewards_to_another_company(entity_a, regulator_client):
    listing_in("published", entity=entity_a, list_type="red", reason="诚信经营", decided_on=days(-60))
    person = PersonFactory(id_number=id_number())
    PersonRoleFactory(entity=entity_a, person=person, started_on=datetime.date(2020, 1, 1))
    other = EntityFactory()
    PersonRoleFactory(entity=other, person=person, started_on=days(-5))
    assert check(regulator_client, measure="green_channel", applicant_credit_code=other.credit_code)["rewards"] == []


# --- periods, both sides ------------------------------------------------------------------------------------


def test_a_binding_runs_until_the_listing_expires_and_not_before_its_publication(entity_a, regulator_client):
    black = listing_in("published", entity=entity_a, decided_on=days(-30))

    def allowed(day):
        return check(regulator_client, measure="public_procurement", applicant_credit_code=entity_a.credit_code,
                     as_of=str(day))["allowed"]

    assert allowed(black.expires_on - datetime.timedelta(days=1)) is False
    assert allowed(black.expires_on) is True
    assert allowed(black.published_on) is False
    assert allowed(black.published_on - datetime.timedelta(days=1)) is True


def test_a_bindings_own_period_counts_from_the_listing_decision(entity_a, regulator_client):
    document = copy.deepcopy(rule_set_on(today()).document)
    for row in document["joint_measures"]:
        if row["code"] == "public_procurement":
            row["bindings"][0]["period_days"] = 20
    RuleSet.objects.create(version=98, name="测试：采购限制 20 天", effective_from=days(-100), document=document)
    black = listing_in("published", entity=entity_a, decided_on=days(-60))
    on_day = black.decided_on + datetime.timedelta(days=19)
    answer = check(regulator_client, measure="public_procurement", applicant_credit_code=entity_a.credit_code,
                   as_of=str(on_day))
    assert answer["allowed"] is False and answer["blocking"][0]["until"] == str(on_day + datetime.timedelta(days=1))
    assert check(regulator_client, measure="public_procurement", applicant_credit_code=entity_a.credit_code,
                 as_of=str(on_day + datetime.timedelta(days=1)))["allowed"] is True
    # the funding binding has no period of its own: the listing's
    assert check(regulator_client, measure="government_funding", applicant_credit_code=entity_a.credit_code,
                 as_of=str(on_day + datetime.timedelta(days=1)))["allowed"] is False


def test_a_red_listings_reward_ends_with_it(entity_a, regulator_client):
    red = listing_in("published", entity=entity_a, list_type="red", reason="诚信经营", decided_on=days(-60))

    def rewards(day):
        return check(regulator_client, measure="green_channel", applicant_credit_code=entity_a.credit_code,
                     as_of=str(day))["rewards"]

    assert len(rewards(red.expires_on - datetime.timedelta(days=1))) == 1
    assert rewards(red.expires_on) == []


# --- licences are measures: the licence check's own answers -------------------------------------------------


def test_licence_measures_answer_as_the_licence_check(listed_and_representative, entity_a, regulator_client):
    world = listed_and_representative
    listing_in("published", entity=world["other"], list_type="watch", decided_on=days(-3))
    asked = [{"applicant_credit_code": entity_a.credit_code}, {"applicant_credit_code": world["other"].credit_code},
             {"person_id_numbers": [world["number"]]}, {"applicant_credit_code": codes.credit_code("140802", _rng)}]
    for licence_type in LICENCE_TYPES:
        for body in asked:
            licence = regulator_client.post("/api/v1/licence-checks/", {"licence_type": licence_type, **body},
                                            format="json").json()
            measure = check(regulator_client, measure=licence_type, **body)
            assert measure["kind"] == "licence" and measure["rewards"] == []
            for key in ("allowed", "blocking", "warnings", "unknown", "as_of"):
                assert measure[key] == licence[key], (licence_type, body, key)
