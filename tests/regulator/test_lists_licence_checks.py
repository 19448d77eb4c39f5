"""许可核查 (DOMAIN.md, Consequences and licence restrictions): who is denied which licence, until when."""

from __future__ import annotations

import datetime
import random

import pytest

from entities import codes
from entities.models import PersonRoleKind, Sector
from regulator.lists.models import PublicChange
from tests.support import api_client, listing_in, today
from tests.support.factories import EntityFactory, PersonFactory, PersonRoleFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

_rng = random.Random(1408)
RESULT_FIELDS = ("licence_type", "as_of", "allowed", "blocking", "warnings", "unknown")


def id_number() -> str:
    return codes.id_number("140802", datetime.date(1980, 5, 6), _rng)


@pytest.fixture
def decided_on():
    return today() - datetime.timedelta(days=30)


@pytest.fixture
def black_a(entity_a, decided_on):
    """entity_a (tourism) on the black list, decided and published a month ago."""
    return listing_in("published", entity=entity_a, decided_on=decided_on)


@pytest.fixture
def representative(entity_a):
    """Legal representative of entity_a since 2020, still in office."""
    number = id_number()
    person = PersonFactory(name="王五", id_number=number)
    PersonRoleFactory(entity=entity_a, person=person, started_on=datetime.date(2020, 1, 1))
    person.number = number
    return person


def check(client, **body):
    response = client.post("/api/v1/licence-checks/", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


# --- the listed entity ------------------------------------------------------------------------------------


@pytest.mark.parametrize("licence_type", ["travel_agency_business", "tour_guide", "homestay_filing"])
def test_a_black_listed_entity_is_denied_its_sectors_licences(licence_type, black_a, entity_a, regulator_client):
    answer = check(regulator_client, licence_type=licence_type, applicant_credit_code=entity_a.credit_code)
    assert answer["allowed"] is False
    (row,) = answer["blocking"]
    assert row["listing_id"] == black_a.pk and row["list_type"] == "black"
    assert entity_a.credit_code in row["subject"]
    assert row["restriction"]  # the legal basis of the restriction
    assert row["until"] == str(black_a.expires_on)


@pytest.mark.parametrize("licence_type", ["elderly_care_filing", "exhibition_filing", "household_service_filing"])
def test_a_black_listed_entity_may_get_another_sectors_licence(licence_type, black_a, entity_a, regulator_client):
    answer = check(regulator_client, licence_type=licence_type, applicant_credit_code=entity_a.credit_code)
    assert answer["allowed"] is True and answer["blocking"] == []


def test_a_wellness_black_listing_denies_wellness_licences_only(regulator_client):
    home = EntityFactory(name="盐湖区颐养院", sector=Sector.WELLNESS, category="elderly_care")
    listing_in("published", entity=home, decided_on=today() - datetime.timedelta(days=30))
    assert check(regulator_client, licence_type="elderly_care_filing",
                 applicant_credit_code=home.credit_code)["allowed"] is False
    assert check(regulator_client, licence_type="travel_agency_business",
                 applicant_credit_code=home.credit_code)["allowed"] is True


def test_a_watch_listing_allows_with_a_warning(entity_b, regulator_client):
    watch = listing_in("published", entity=entity_b, list_type="watch", decided_on=today() - datetime.timedelta(days=30))
    answer = check(regulator_client, licence_type="travel_agency_business", applicant_credit_code=entity_b.credit_code)
    assert answer["allowed"] is True
    assert answer["blocking"] == []
    (warning,) = answer["warnings"]
    assert warning["listing_id"] == watch.pk and warning["list_type"] == "watch" and warning["effect"] == "warn"


def test_a_clean_entity_is_allowed_without_warnings(black_a, entity_b, regulator_client):
    answer = check(regulator_client, licence_type="travel_agency_business", applicant_credit_code=entity_b.credit_code)
    assert (answer["allowed"], answer["blocking"], answer["warnings"]) == (True, [], [])


# --- persons follow their roles to another company -------------------------------------------------------


def test_the_representative_at_the_decision_date_is_blocked_through_a_new_company(black_a, representative,
                                                                                 regulator_client):
    new_company = EntityFactory(name="盐湖区新开旅行社有限公司")
    PersonRoleFactory(entity=new_company, person=representative, started_on=today() - datetime.timedelta(days=5))
    answer = check(regulator_client, licence_type="travel_agency_business",
                   applicant_credit_code=new_company.credit_code)
    assert answer["allowed"] is False
    (row,) = answer["blocking"]
    assert row["listing_id"] == black_a.pk
    assert row["subject_role"] == "legal_representative"
    assert representative.id_number_masked in row["subject"] and representative.number not in row["subject"]


def test_the_representative_is_blocked_by_id_number_alone(black_a, representative, regulator_client):
    answer = check(regulator_client, licence_type="tour_guide", person_id_numbers=[representative.number])
    assert answer["allowed"] is False
    assert [row["listing_id"] for row in answer["blocking"]] == [black_a.pk]


def test_a_representative_who_left_after_the_decision_is_still_blocked(entity_a, decided_on, regulator_client):
    number = id_number()
    former = PersonFactory(id_number=number)
    PersonRoleFactory(entity=entity_a, person=former, role=PersonRoleKind.PRINCIPAL,
                      started_on=datetime.date(2021, 1, 1), ended_on=decided_on + datetime.timedelta(days=3))
    listing_in("published", entity=entity_a, decided_on=decided_on)
    new_company = EntityFactory()
    PersonRoleFactory(entity=new_company, person=former, started_on=decided_on + datetime.timedelta(days=4))
    assert check(regulator_client, licence_type="travel_agency_business",
                 applicant_credit_code=new_company.credit_code)["allowed"] is False
    assert check(regulator_client, licence_type="travel_agency_business",
                 person_id_numbers=[number])["allowed"] is False


def test_a_person_who_joined_the_listed_entity_after_the_decision_is_not_blocked(entity_a, black_a, decided_on,
                                                                                regulator_client):
    number = id_number()
    newcomer = PersonFactory(id_number=number)
    PersonRoleFactory(entity=entity_a, person=newcomer, started_on=decided_on + datetime.timedelta(days=1))
    other = EntityFactory()
    PersonRoleFactory(entity=other, person=newcomer, role=PersonRoleKind.PRINCIPAL,
                      started_on=decided_on + datetime.timedelta(days=2))
    assert check(regulator_client, licence_type="travel_agency_business", person_id_numbers=[number])["allowed"] is True
    assert check(regulator_client, licence_type="travel_agency_business",
                 applicant_credit_code=other.credit_code)["allowed"] is True


def test_a_person_whose_role_ended_before_the_decision_is_not_blocked(entity_a, black_a, regulator_client):
    number = id_number()
    earlier = PersonFactory(id_number=number)
    PersonRoleFactory(entity=entity_a, person=earlier, started_on=datetime.date(2015, 1, 1),
                      ended_on=datetime.date(2019, 12, 31))
    assert check(regulator_client, licence_type="travel_agency_business", person_id_numbers=[number])["allowed"] is True


def test_a_practitioner_of_the_listed_entity_is_not_blocked_by_its_listing(entity_a, black_a, regulator_client):
    number = id_number()
    guide = PersonFactory(id_number=number)
    PersonRoleFactory(entity=entity_a, person=guide, role=PersonRoleKind.PRACTITIONER,
                      started_on=datetime.date(2020, 1, 1))
    assert check(regulator_client, licence_type="tour_guide", person_id_numbers=[number])["allowed"] is True


def test_a_black_listed_guide_is_denied_a_guide_licence(entity_a, regulator_client):
    number = id_number()
    guide = PersonFactory(name="周导", id_number=number)
    listing = listing_in("published", person=guide, related_entity=entity_a, person_role="practitioner",
                         decided_on=today() - datetime.timedelta(days=30), reason="导游证被吊销")
    answer = check(regulator_client, licence_type="tour_guide", person_id_numbers=[number])
    assert answer["allowed"] is False
    assert answer["blocking"][0]["listing_id"] == listing.pk


# --- dates ------------------------------------------------------------------------------------------------


def test_as_of_before_publication_is_allowed(black_a, entity_a, regulator_client):
    before = black_a.published_on - datetime.timedelta(days=1)
    answer = check(regulator_client, licence_type="travel_agency_business", applicant_credit_code=entity_a.credit_code,
                   as_of=str(before))
    assert answer["allowed"] is True and answer["as_of"] == str(before)


def test_as_of_at_or_after_expiry_is_allowed_and_the_day_before_is_denied(black_a, entity_a, regulator_client):
    def allowed_on(day):
        return check(regulator_client, licence_type="travel_agency_business",
                     applicant_credit_code=entity_a.credit_code, as_of=str(day))["allowed"]

    assert allowed_on(black_a.expires_on - datetime.timedelta(days=1)) is False
    assert allowed_on(black_a.expires_on) is True
    assert allowed_on(black_a.expires_on + datetime.timedelta(days=400)) is True


def test_as_of_during_a_listing_that_has_since_ended_is_denied(black_a, entity_a, regulator, regulator_client):
    from regulator.lists import services as listings

    listings.listing_remove(listing_id=black_a.pk, actor=regulator, reason="复议撤销", today=today())
    assert check(regulator_client, licence_type="travel_agency_business",
                 applicant_credit_code=entity_a.credit_code)["allowed"] is True
    assert check(regulator_client, licence_type="travel_agency_business", applicant_credit_code=entity_a.credit_code,
                 as_of=str(today() - datetime.timedelta(days=1)))["allowed"] is False


# --- input and access -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "field"), [
    ({"applicant_credit_code": "91140802MA0XXXXXXX"}, "applicant_credit_code"),
    ({"applicant_credit_code": "91110000600037341I"}, "applicant_credit_code"),
    ({"person_id_numbers": ["140802198005061234"]}, "person_id_numbers"),
    ({"person_id_numbers": ["not-a-number"]}, "person_id_numbers"),
    ({}, "applicant_credit_code"),
    ({"applicant_credit_code": "91110000600037341L", "licence_type": "Travel Agency!"}, "licence_type"),
])
def test_invalid_input_is_400_naming_the_field(body, field, regulator_client):
    response = regulator_client.post("/api/v1/licence-checks/", {"licence_type": "travel_agency_business", **body},
                                     format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_a_valid_but_unregistered_credit_code_is_reported_unknown(regulator_client):
    answer = check(regulator_client, licence_type="travel_agency_business",
                   applicant_credit_code="91110000600037341L")
    assert answer["allowed"] is True and answer["unknown"] == ["applicant_credit_code"]


def test_a_business_cannot_run_licence_checks(business_a, entity_a, black_a, anon_client):
    body = {"licence_type": "travel_agency_business", "applicant_credit_code": entity_a.credit_code}
    assert api_client(business_a).post("/api/v1/licence-checks/", body, format="json").status_code == 403
    assert api_client(business_a).post("/api/v1/licence-checks/batch/", {"checks": [body]},
                                       format="json").status_code == 403
    assert anon_client.post("/api/v1/licence-checks/", body, format="json").status_code == 401


def test_an_inspector_may_run_licence_checks(black_a, entity_a, inspector_client):
    assert check(inspector_client, licence_type="travel_agency_business",
                 applicant_credit_code=entity_a.credit_code)["allowed"] is False


# --- batches ----------------------------------------------------------------------------------------------


def test_a_batch_answers_each_check_in_order_with_its_own_receipt(black_a, entity_a, entity_b, representative,
                                                                  regulator_client, anon_client):
    checks = [
        {"licence_type": "travel_agency_business", "applicant_credit_code": entity_a.credit_code},
        {"licence_type": "travel_agency_business", "applicant_credit_code": entity_b.credit_code},
        {"licence_type": "tour_guide", "person_id_numbers": [representative.number]},
    ]
    response = regulator_client.post("/api/v1/licence-checks/batch/", {"checks": checks}, format="json")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["allowed"] for r in results] == [False, True, False]
    assert len({r["receipt"]["signature"] for r in results}) == 3
    for result in results:
        verdict = anon_client.post("/api/v1/public/receipts/verify/", {
            "payload": result["receipt"]["payload"], "signature": result["receipt"]["signature"],
            "result": {key: result[key] for key in RESULT_FIELDS}}, format="json").json()
        assert verdict["valid"] is True


def test_a_batch_holds_at_most_1000_checks(regulator_client):
    check_body = {"licence_type": "travel_agency_business", "applicant_credit_code": "91110000600037341L"}
    response = regulator_client.post("/api/v1/licence-checks/batch/", {"checks": [check_body] * 1001}, format="json")
    assert response.status_code == 400
    assert "checks" in response.json()
    assert regulator_client.post("/api/v1/licence-checks/batch/", {"checks": []}, format="json").status_code == 400


def test_a_batch_of_exactly_1000_checks_is_answered(regulator_client):
    check_body = {"licence_type": "travel_agency_business", "applicant_credit_code": "91110000600037341L"}
    response = regulator_client.post("/api/v1/licence-checks/batch/", {"checks": [check_body] * 1000}, format="json")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1000


def test_one_bad_check_in_a_batch_is_400_naming_its_index(regulator_client):
    checks = [{"licence_type": "travel_agency_business", "applicant_credit_code": "91110000600037341L"},
              {"licence_type": "travel_agency_business", "applicant_credit_code": "BAD"}]
    response = regulator_client.post("/api/v1/licence-checks/batch/", {"checks": checks}, format="json")
    assert response.status_code == 400
    errors = response.json()["checks"]
    assert "applicant_credit_code" in (errors["1"] if isinstance(errors, dict) else errors[1])


# --- receipts ---------------------------------------------------------------------------------------------


def test_every_answer_carries_as_of_data_version_and_a_verifiable_receipt(black_a, entity_a, regulator_client,
                                                                          anon_client):
    answer = check(regulator_client, licence_type="travel_agency_business", applicant_credit_code=entity_a.credit_code)
    latest = PublicChange.objects.order_by("-id").first().pk
    assert answer["as_of"] == str(today())
    assert answer["data_version"] == latest
    receipt = answer["receipt"]
    assert receipt["payload"]["data_version"] == latest and receipt["payload"]["as_of"] == str(today())
    assert receipt["payload"]["kind"] == "licence_check"
    assert receipt["algorithm"] == "Ed25519"
    key = anon_client.get("/api/v1/public/receipts/key/").json()
    assert key["public_key"] == receipt["public_key"] and key["key_id"] == receipt["key_id"]

    def verify(payload, **extra):
        response = anon_client.post("/api/v1/public/receipts/verify/",
                                    {"payload": payload, "signature": receipt["signature"], **extra}, format="json")
        assert response.status_code == 200
        return response.json()["valid"]

    assert verify(receipt["payload"]) is True
    assert verify(receipt["payload"], result={key: answer[key] for key in RESULT_FIELDS}) is True
    assert verify({**receipt["payload"], "data_version": latest + 1}) is False
    assert verify({**receipt["payload"], "as_of": "2020-01-01"}) is False
    assert verify(receipt["payload"], result={**{key: answer[key] for key in RESULT_FIELDS}, "allowed": True}) is False


def test_a_garbled_signature_is_invalid_not_an_error(anon_client):
    response = anon_client.post("/api/v1/public/receipts/verify/", {"payload": {"kind": "x"}, "signature": "%%%"},
                                format="json")
    assert response.status_code == 200
    assert response.json()["valid"] is False


def test_the_data_version_moves_with_each_public_change(black_a, entity_a, entity_b, regulator_client):
    first = check(regulator_client, licence_type="travel_agency_business", applicant_credit_code=entity_b.credit_code)
    listing_in("published", entity=entity_b, decided_on=today() - datetime.timedelta(days=3))
    second = check(regulator_client, licence_type="travel_agency_business", applicant_credit_code=entity_b.credit_code)
    assert second["data_version"] > first["data_version"]
    assert (first["allowed"], second["allowed"]) == (True, False)
