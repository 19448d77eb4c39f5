"""Licence restrictions with a start event and a period of their own (DOMAIN.md, Consequences; issue 13 item 4).

A penalty binds by itself, listed or not, counted from the penalty decision: the principal of a travel agency
whose 旅行社业务经营许可证 was revoked may not be principal of any agency for 5 years (旅行社条例), its managers
may not run travel-agency business for 3 (旅游法); an agency penalised above a fine for harming tourists gets no
outbound-travel licence for 2 years (旅行社条例). A listed guide's 导游证 runs 3 years from the penalty.
"""

from __future__ import annotations

import datetime
import random

import pytest

from entities import codes
from entities.models import PersonRoleKind
from regulator.lists import licence_checks
from tests.support import listing_in, today
from tests.support.factories import EntityFactory, PersonFactory, PersonRoleFactory

from .conftest import record_finding

pytestmark = pytest.mark.django_db

_rng = random.Random(1825)
PENALTY = datetime.date(2026, 3, 2)


def id_number() -> str:
    return codes.id_number("140802", datetime.date(1978, 3, 4), _rng)


def after(days: int) -> datetime.date:
    return PENALTY + datetime.timedelta(days=days)


def check(licence_type: str, *, on: datetime.date, applicant=None, numbers=()) -> dict:
    return licence_checks.licence_check(licence_type=licence_type, as_of=on, person_id_numbers=list(numbers),
                                        applicant_credit_code=applicant.credit_code if applicant else None)


@pytest.fixture
def revoked():
    """盐湖区甲旅行社 lost its 旅行社业务经营许可证 on PENALTY; its principal and legal representative then."""
    agency = EntityFactory(name="盐湖区甲旅行社有限公司")
    principal, representative = id_number(), id_number()
    people = {"principal": PersonFactory(name="赵主", id_number=principal),
              "representative": PersonFactory(name="钱法", id_number=representative)}
    PersonRoleFactory(entity=agency, person=people["principal"], role=PersonRoleKind.PRINCIPAL,
                      started_on=datetime.date(2019, 1, 1), ended_on=after(10))
    PersonRoleFactory(entity=agency, person=people["representative"], started_on=datetime.date(2019, 1, 1))
    finding = record_finding(agency, "forced_shopping", penalty="revocation", severity="grave",
                             inspected_on=PENALTY - datetime.timedelta(days=20), decided_on=PENALTY)
    return {"agency": agency, "finding": finding, "principal": people["principal"], "principal_number": principal,
            "representative": people["representative"], "representative_number": representative}


def _new_agency(person, role, started_on):
    agency = EntityFactory(name="盐湖区新开旅行社有限公司")
    PersonRoleFactory(entity=agency, person=person, role=role, started_on=started_on)
    return agency


# --- the principal: 5 years from the penalty decision ---------------------------------------------------------


def test_the_principal_of_a_revoked_agency_may_not_be_principal_of_any_agency_for_five_years(revoked):
    other = _new_agency(revoked["principal"], PersonRoleKind.PRINCIPAL, after(30))
    denied = check("travel_agency_business", on=after(1824), applicant=other)
    assert denied["allowed"] is False
    (row,) = denied["blocking"]
    assert (row["finding_id"], row["listing_id"], row["subject_role"]) == (revoked["finding"].pk, None, "principal")
    assert row["restriction"] == "《旅行社条例》第六十四条"
    assert (row["start_event"], row["starts_on"], row["until"]) == ("penalty_date", PENALTY, after(1825))
    assert check("travel_agency_business", on=after(1825), applicant=other)["allowed"] is True


def test_the_five_year_ban_is_on_being_principal_not_on_every_role(revoked):
    other = _new_agency(revoked["principal"], PersonRoleKind.ACTUAL_CONTROLLER, after(30))
    # Past the managers' 3 years, the principal as actual controller of another agency is not barred.
    assert check("travel_agency_business", on=after(1200), applicant=other)["allowed"] is True
    # Applying in person (by ID number), they are.
    assert check("travel_agency_business", on=after(1200), numbers=[revoked["principal_number"]])["allowed"] is False


def test_a_principal_who_joined_after_the_penalty_is_not_bound(revoked):
    number = id_number()
    newcomer = PersonFactory(id_number=number)
    PersonRoleFactory(entity=revoked["agency"], person=newcomer, role=PersonRoleKind.PRINCIPAL, started_on=after(11))
    assert check("travel_agency_business", on=after(20), numbers=[number])["allowed"] is True


# --- the managers: 3 years from the penalty decision, not from a listing ---------------------------------------


def test_the_managers_are_barred_three_years_from_the_penalty_even_before_any_listing(revoked):
    number = revoked["representative_number"]
    first = check("travel_agency_business", on=PENALTY, numbers=[number])
    assert first["allowed"] is False
    (row,) = first["blocking"]
    assert row["restriction"] == "《中华人民共和国旅游法》第一百零三条" and row["until"] == after(1095)
    assert check("outbound_travel_business", on=after(1094), numbers=[number])["allowed"] is False
    assert check("travel_agency_business", on=after(1095), numbers=[number])["allowed"] is True
    assert check("travel_agency_business", on=PENALTY - datetime.timedelta(days=1), numbers=[number])["allowed"] is True


def test_the_managers_bar_counts_from_the_penalty_although_the_listing_was_decided_later(revoked):
    listing = listing_in("published", entity=revoked["agency"], decided_on=after(40), source_type="finding",
                         source_id=revoked["finding"].pk, source_rule="licence_revoked")
    rows = check("travel_agency_business", on=after(50), numbers=[revoked["representative_number"]])["blocking"]
    by_rule = {row["restriction"]: row for row in rows}
    assert by_rule["《中华人民共和国旅游法》第一百零三条"]["until"] == after(1095)
    # The listing binds the representative too, for the listing's own period from its decision.
    assert any(row["listing_id"] == listing.pk and row["until"] == listing.expires_on for row in rows)


def test_the_bar_is_on_travel_agency_business_not_on_other_licences(revoked):
    assert check("hotel_special_trade", on=after(5), numbers=[revoked["representative_number"]])["allowed"] is True


def test_a_fine_binds_nobody_by_itself(db):
    agency = EntityFactory()
    number = id_number()
    PersonRoleFactory(entity=agency, person=PersonFactory(id_number=number), started_on=datetime.date(2019, 1, 1))
    record_finding(agency, "forced_shopping", penalty="fine", inspected_on=PENALTY)
    assert check("travel_agency_business", on=after(1), numbers=[number])["allowed"] is True


def test_a_revocation_outside_travel_agencies_starts_no_agency_bar(db):
    hotel = EntityFactory(category="hotel")
    number = id_number()
    PersonRoleFactory(entity=hotel, person=PersonFactory(id_number=number), started_on=datetime.date(2019, 1, 1))
    record_finding(hotel, "hotel_fire_hazard", penalty="revocation", inspected_on=PENALTY)
    assert check("travel_agency_business", on=after(1), numbers=[number])["allowed"] is True


# --- outbound travel: 2 years after a penalty of a fine or more (罚款以上) for harming tourists ---------------------


@pytest.mark.parametrize("penalty", ["fine", "suspension", "revocation"])
def test_an_agency_penalised_with_a_fine_or_more_for_harming_tourists_gets_no_outbound_licence_for_two_years(penalty):
    agency = EntityFactory()
    finding = record_finding(agency, "forced_shopping", penalty=penalty, severity="serious", inspected_on=PENALTY)
    denied = check("outbound_travel_business", on=after(729), applicant=agency)
    assert denied["allowed"] is False
    assert [(row["finding_id"], row["restriction"], row["until"]) for row in denied["blocking"]] == [
        (finding.pk, "《旅行社条例》第八条", after(730))]
    assert check("outbound_travel_business", on=after(730), applicant=agency)["allowed"] is True
    assert "行政处罚" in licence_checks.licence_check_explained(
        licence_type="outbound_travel_business", applicant_credit_code=agency.credit_code,
        as_of=after(1))[1]["result_text"]


def test_a_warning_or_a_violation_that_harmed_no_tourist_leaves_the_outbound_licence_open(db):
    fined, unsafe = EntityFactory(), EntityFactory()
    record_finding(fined, "forced_shopping", penalty="warning", inspected_on=PENALTY)
    record_finding(unsafe, "hotel_fire_hazard", penalty="suspension", inspected_on=PENALTY)
    assert check("outbound_travel_business", on=after(1), applicant=fined)["allowed"] is True
    assert check("outbound_travel_business", on=after(1), applicant=unsafe)["allowed"] is True


# --- a listed guide: 3 years from the penalty the listing rests on -------------------------------------------


def test_a_listed_guides_licence_bar_runs_from_the_penalty_decision(db):
    agency = EntityFactory()
    finding = record_finding(agency, "guide_solicits_tips", penalty="fine", inspected_on=PENALTY)
    number = id_number()
    guide = PersonFactory(id_number=number)
    listing = listing_in("published", person=guide, related_entity=agency, person_role="practitioner",
                         decided_on=after(60), reason="导游证被吊销", source_type="finding", source_id=finding.pk,
                         source_rule="guide_licence_revoked", day=today())
    rows = check("tour_guide", on=after(100), numbers=[number])["blocking"]
    guide_rows = [row for row in rows if row["start_event"] == "penalty_date"]
    assert [(row["listing_id"], row["starts_on"], row["until"]) for row in guide_rows] == [
        (listing.pk, PENALTY, after(1095))]


# --- every blocking reason, and unknown licence types ------------------------------------------------------------


def test_a_check_answers_every_blocking_reason_with_its_basis(revoked):
    listing_in("published", entity=revoked["agency"], decided_on=after(40))
    other = _new_agency(revoked["principal"], PersonRoleKind.PRINCIPAL, after(30))
    PersonRoleFactory(entity=other, person=revoked["representative"], started_on=after(30))
    answer = check("travel_agency_business", on=after(50), applicant=other)
    bases = sorted({row["restriction"] for row in answer["blocking"]})
    assert answer["allowed"] is False and len(answer["blocking"]) >= 3
    assert "《旅行社条例》第六十四条" in bases and "《中华人民共和国旅游法》第一百零三条" in bases
    assert all(row["restriction"] for row in answer["blocking"])


def test_an_unknown_licence_type_is_still_refused(regulator_client):
    response = regulator_client.post("/api/v1/licence-checks/", {"licence_type": "travel_agency",
                                                                  "person_id_numbers": [id_number()]}, format="json")
    assert response.status_code == 400 and "licence_type" in response.json()
