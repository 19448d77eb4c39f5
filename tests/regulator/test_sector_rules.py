"""Sector and category rules (DOMAIN.md, Lists): 养老 (elderly_care only), 商务/家政, tourism; each side of its line.

A category's block overrides its sector's, which overrides the default: 养老 is category ``elderly_care``, not
all of 康养 (sector ``wellness``). Every proposal cites the legal basis of its own ground.
"""

from __future__ import annotations

import datetime

import pytest

from core.workdays import add_working_days
from regulator.lists import imports
from regulator.lists.models import Listing
from regulator.lists.proposals import entities_with_evidence, listings_propose_for_entity
from regulator.lists.rules import (
    criteria_for,
    legal_basis,
    longest_period_days,
    objection_working_days,
    period_days,
    repair_rules,
)
from regulator.lists.selectors import rule_set_on
from tests.support.factories import EntityFactory, PersonFactory, PersonRoleFactory

from .conftest import record_finding

pytestmark = pytest.mark.django_db

INSPECTED = datetime.date(2026, 6, 10)
RUN = datetime.date(2026, 6, 15)
ELDERLY = "民发〔2019〕103号"
CULTURE_TOURISM = "《文化和旅游市场信用管理规定》"
COMMERCE = "《商务信用联合惩戒对象名单管理办法》"


@pytest.fixture
def document():
    return rule_set_on(RUN).document


@pytest.fixture
def home(db):
    return EntityFactory(name="盐湖区颐养院", sector="wellness", category="elderly_care")


@pytest.fixture
def base(db):
    return EntityFactory(name="盐湖区康养基地", sector="wellness", category="wellness_base")


@pytest.fixture
def agency(db):
    return EntityFactory(name="盐湖区丁旅行社有限公司")


@pytest.fixture
def household(db):
    return EntityFactory(name="盐湖区好帮手家政服务有限公司", sector="household_service",
                         category="household_service_company")


def proposed(entity) -> list[tuple[str, str]]:
    return sorted(Listing.objects.filter(entity=entity).values_list("list_type", "source_rule"))


# --- 养老: grounds, window, removal ------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["elderly_fire_hazard_overdue", "obstruct_inspection", "elderly_abuse",
                                  "elderly_subsidy_fraud", "elderly_illegal_fundraising"])
def test_an_elderly_care_ground_proposes_black_citing_the_elderly_care_rule(code, home):
    record_finding(home, code, penalty="none", inspected_on=INSPECTED)
    listings_propose_for_entity(entity_id=home.pk, today=RUN)
    assert proposed(home) == [("black", "black_violation")]
    assert ELDERLY in Listing.objects.get(entity=home).legal_basis


def test_the_rest_of_wellness_is_not_held_to_the_elderly_care_grounds(base):
    record_finding(base, "elderly_fire_hazard_overdue", penalty="none", inspected_on=INSPECTED)
    record_finding(base, "obstruct_inspection", penalty="none", inspected_on=INSPECTED)
    listings_propose_for_entity(entity_id=base.pk, today=RUN)
    assert proposed(base) == [("watch", "watch_violation")]  # obstruction, as everywhere else
    assert ELDERLY not in Listing.objects.get(entity=base).legal_basis


def test_obstructing_an_inspection_stays_watch_outside_elderly_care(agency):
    record_finding(agency, "obstruct_inspection", penalty="none", inspected_on=INSPECTED)
    listings_propose_for_entity(entity_id=agency.pk, today=RUN)
    assert proposed(agency) == [("watch", "watch_violation")]
    assert CULTURE_TOURISM in Listing.objects.get(entity=agency).legal_basis


def test_a_revoked_elderly_care_licence_lists_its_representative_citing_the_elderly_care_rule(home):
    PersonRoleFactory(entity=home, person=PersonFactory(), started_on=datetime.date(2020, 1, 1))
    record_finding(home, "elderly_unfiled", penalty="revocation", inspected_on=INSPECTED)
    listings_propose_for_entity(entity_id=home.pk, today=RUN)
    bases = set(Listing.objects.filter(list_type="black").values_list("subject_type", "legal_basis"))
    assert {subject for subject, _basis in bases} == {"entity", "person"}
    assert all(ELDERLY in basis for _subject, basis in bases)


@pytest.mark.parametrize(("kind", "days"), [({"sector": "wellness", "category": "elderly_care"}, 10),
                                            ({"sector": "wellness", "category": "wellness_base"}, 5),
                                            ({"sector": "tourism", "category": "travel_agency"}, 5)])
def test_elderly_care_has_ten_working_days_to_object_the_rest_of_wellness_five(kind, days, document):
    assert objection_working_days(document, **kind) == days
    monday = datetime.date(2026, 6, 1)  # no holiday until 端午 (06-19)
    due = add_working_days(monday, objection_working_days(document, **kind))
    assert due == {5: datetime.date(2026, 6, 8), 10: datetime.date(2026, 6, 15)}[days]


def test_a_window_set_by_sector_code_in_an_older_document_still_counts(document):
    legacy = {**document, "objection_working_days": {"default": 5, "wellness": 7}, "categories": {}}
    assert objection_working_days(legacy, sector="wellness", category="wellness_base") == 7
    assert objection_working_days(legacy, sector="tourism") == 5


@pytest.mark.parametrize(("kind", "days"), [({"sector": "wellness", "category": "elderly_care"}, 730),
                                            ({"sector": "wellness", "category": "wellness_base"}, 365)])
def test_elderly_care_removal_may_be_applied_for_only_after_two_years(kind, days, document):
    decided = datetime.date(2026, 5, 1)
    earliest = decided + datetime.timedelta(days=repair_rules(document, "black", **kind)["min_days"])
    assert repair_rules(document, "black", **kind)["min_days"] == days
    assert (earliest - decided).days == days  # day 729 (364) too early, day 730 (365) allowed


def test_a_court_listed_dishonest_debtor_among_elderly_care_homes_is_proposed_for_their_list(home, agency):
    rows = [{"credit_code": entity.credit_code, "name": entity.name, "list_type": "black", "reason": "失信被执行人",
             "legal_basis": "最高人民法院关于公布失信被执行人名单信息的若干规定", "decided_on": "2026-06-01",
             "source_authority": "运城市中级人民法院", "source_reference": f"(2026)晋08执{n}号",
             "ground": "court_dishonest_debtor"} for n, entity in enumerate((home, agency), start=1)]
    imports.listings_import(rows)
    assert {home.pk, agency.pk} <= set(entities_with_evidence(today=RUN))
    (created,) = listings_propose_for_entity(entity_id=home.pk, today=RUN)
    assert (created.list_type, created.source_type, created.source_rule) == ("black", "listing",
                                                                             "court_dishonest_debtor")
    assert ELDERLY in created.legal_basis and "运城市中级人民法院" in created.reason
    assert listings_propose_for_entity(entity_id=agency.pk, today=RUN) == []  # 文旅 does not list on it


def test_an_import_with_an_unknown_ground_is_refused(home):
    from config.api.exceptions import RuleViolation

    with pytest.raises(RuleViolation):
        imports.listings_import([{"credit_code": home.credit_code, "name": home.name, "list_type": "black",
                                  "reason": "x", "legal_basis": "y", "decided_on": "2026-06-01",
                                  "source_authority": "某机关", "source_reference": "1", "ground": "rumour"}])


# --- 商务/家政: 重点关注 2 years ------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "watch", "black"), [
    ({"sector": "household_service", "category": "household_service_company"}, 730, 1095),
    ({"sector": "tourism", "category": "travel_agency"}, 365, 1095)])
def test_household_watch_runs_two_years_where_tourism_runs_one(kind, watch, black, document):
    assert period_days(document, "watch", **kind) == watch
    assert period_days(document, "black", **kind) == black
    assert longest_period_days(document, "watch") == 730


def test_a_household_penalty_proposes_watch_for_two_years_citing_the_commerce_rule(household):
    record_finding(household, "household_no_health_check", penalty="fine", inspected_on=INSPECTED)
    listings_propose_for_entity(entity_id=household.pk, today=RUN)
    listing = Listing.objects.get(entity=household)
    assert (listing.list_type, listing.period_days) == ("watch", 730)
    assert COMMERCE in listing.legal_basis


def test_a_household_fine_older_than_a_year_still_proposes_watch_within_its_two_years(household, agency):
    old = RUN - datetime.timedelta(days=400)
    record_finding(household, "household_no_health_check", penalty="fine", inspected_on=old)
    record_finding(agency, "forced_shopping", penalty="fine", inspected_on=old)
    assert [listing.list_type for listing in listings_propose_for_entity(entity_id=household.pk, today=RUN)] == [
        "watch"]
    assert listings_propose_for_entity(entity_id=agency.pk, today=RUN) == []


# --- tourism: the criteria that had no rule --------------------------------------------------------------


@pytest.mark.parametrize(("code", "severity", "expected"), [
    ("major_safety_accident", "grave", [("black", "black_violation")]),
    ("major_safety_accident", "serious", []),
    ("unlicensed_travel_agency", "grave", [("black", "black_violation")]),
    ("unlicensed_travel_agency", "serious", []),
    ("refuse_complaint_ruling", "serious", [("watch", "watch_violation")]),
])
def test_tourism_grounds_from_their_severity_up(code, severity, expected, agency):
    record_finding(agency, code, penalty="none", severity=severity, inspected_on=INSPECTED)
    listings_propose_for_entity(entity_id=agency.pk, today=RUN)
    assert proposed(agency) == expected
    assert all(CULTURE_TOURISM in basis for basis in Listing.objects.values_list("legal_basis", flat=True))


# --- the accessors' layers -------------------------------------------------------------------------------


def test_each_ground_cites_its_own_basis(document):
    elderly = {"sector": "wellness", "category": "elderly_care"}
    assert ELDERLY in legal_basis(document, "black", ground="elderly_fire_hazard_overdue", **elderly)
    assert ELDERLY in legal_basis(document, "black", ground="licence_revoked_person", **elderly)
    assert CULTURE_TOURISM in legal_basis(document, "black", ground="major_safety_accident", sector="tourism",
                                          category="travel_agency")
    assert "释义" in legal_basis(document, "black", ground="licence_revoked_person", sector="tourism")
    assert COMMERCE in legal_basis(document, "watch", ground="penalty_above_warning", sector="household_service",
                                   category="household_service_company")
    assert "晋政发〔2021〕44号" in legal_basis(document, "red", sector="tourism")
    for list_type in ("black", "watch"):
        assert "黑名单" not in legal_basis(document, list_type)
        assert "第八条" not in legal_basis(document, list_type) and "第十条" not in legal_basis(document, list_type)


def test_a_category_block_overrides_the_sector_which_overrides_the_default(document):
    elderly = criteria_for(document, sector="wellness", category="elderly_care")
    wellness = criteria_for(document, sector="wellness", category="wellness_base")
    assert "elderly_fire_hazard_overdue" in elderly["black_violation_codes"]
    assert "obstruct_inspection" in elderly["black_violation_codes"]
    assert "obstruct_inspection" not in elderly["watch_violation_codes"]
    assert wellness["black_violation_codes"] == document["criteria"]["black_violation_codes"]
    assert elderly["complaints_to_watch"] == document["criteria"]["complaints_to_watch"]  # inherited
