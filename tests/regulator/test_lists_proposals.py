"""Rules that propose listings (DOMAIN.md, Lists): each criterion of the rule set, and nothing twice."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from entities.models import PersonRoleKind
from ratings.models import CreditScore
from regulator.lists import services as listings
from regulator.lists.models import Listing
from regulator.lists.proposals import listings_propose_for_entity, listings_propose_red
from tests.support import complaint_in, listing_in, today
from tests.support.factories import EntityFactory, PersonFactory, PersonRoleFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

from .conftest import record_finding

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

INSPECTED = datetime.date(2026, 6, 10)
RUN = datetime.date(2026, 6, 15)


def proposed(entity=None, **filters) -> list[tuple[str, str]]:
    rows = Listing.objects.filter(**({"entity": entity} if entity is not None else {}), **filters)
    return sorted(rows.values_list("list_type", "source_rule"))


# --- licence revoked -> black, for the entity and its people at that time --------------------------------


def test_a_revoked_licence_proposes_black_for_the_entity_and_its_representatives_at_that_date(entity_a):
    representative = PersonFactory(name="王五")
    principal = PersonFactory(name="赵六")
    left_before = PersonFactory(name="钱七")
    joined_after = PersonFactory(name="孙八")
    guide = PersonFactory(name="周九")
    PersonRoleFactory(entity=entity_a, person=representative, started_on=datetime.date(2020, 1, 1))
    PersonRoleFactory(entity=entity_a, person=principal, role=PersonRoleKind.PRINCIPAL,
                      started_on=datetime.date(2024, 3, 1), ended_on=datetime.date(2026, 6, 12))
    PersonRoleFactory(entity=entity_a, person=left_before, started_on=datetime.date(2015, 1, 1),
                      ended_on=datetime.date(2019, 12, 31))
    PersonRoleFactory(entity=entity_a, person=joined_after, role=PersonRoleKind.PRINCIPAL,
                      started_on=datetime.date(2026, 6, 11))
    PersonRoleFactory(entity=entity_a, person=guide, role=PersonRoleKind.PRACTITIONER,
                      started_on=datetime.date(2022, 1, 1))
    # 严重 (not 特别严重): the revocation alone lists it, not the unlicensed-business ground as well.
    finding = record_finding(entity_a, "unlicensed_travel_agency", penalty="revocation", severity="serious",
                             inspected_on=INSPECTED)

    created = listings_propose_for_entity(entity_id=entity_a.pk, today=RUN)

    entity_listing = Listing.objects.get(subject_type="entity", entity=entity_a, list_type="black")
    assert entity_listing.status == "proposed"
    assert (entity_listing.source_type, entity_listing.source_id, entity_listing.source_rule) == (
        "finding", finding.pk, "licence_revoked")
    persons = Listing.objects.filter(subject_type="person", list_type="black")
    assert {listing.person for listing in persons} == {representative, principal}
    assert {(listing.person_role, listing.related_entity) for listing in persons} == {
        ("legal_representative", entity_a), ("principal", entity_a)}
    assert len(created) == 3


def test_a_revocation_uses_the_penalty_decision_date_for_who_held_the_role(entity_a):
    before, after = PersonFactory(), PersonFactory()
    PersonRoleFactory(entity=entity_a, person=before, started_on=datetime.date(2020, 1, 1),
                      ended_on=datetime.date(2026, 6, 1))
    PersonRoleFactory(entity=entity_a, person=after, started_on=datetime.date(2026, 6, 2))
    record_finding(entity_a, "forged_licence", penalty="revocation", inspected_on=datetime.date(2026, 6, 10),
                   decided_on=datetime.date(2026, 5, 20))
    listings_propose_for_entity(entity_id=entity_a.pk, today=RUN)
    assert set(Listing.objects.filter(subject_type="person").values_list("person", flat=True)) == {before.pk}


# --- black violations, penalties, obstruction -------------------------------------------------------------


@pytest.mark.parametrize("code", ["abandoned_tourists", "forged_licence"])
def test_a_black_violation_code_proposes_black(code, entity_a):
    record_finding(entity_a, code, penalty="none", inspected_on=INSPECTED)
    listings_propose_for_entity(entity_id=entity_a.pk, today=RUN)
    assert proposed(entity_a) == [("black", "black_violation")]


def test_an_elderly_abuse_finding_proposes_black_for_a_wellness_entity(db):
    home = EntityFactory(name="盐湖区颐养院", sector="wellness", category="elderly_care")
    record_finding(home, "elderly_abuse", penalty="none", inspected_on=INSPECTED)
    listings_propose_for_entity(entity_id=home.pk, today=RUN)
    assert proposed(home) == [("black", "black_violation")]


@pytest.mark.parametrize("penalty", ["fine", "suspension"])
def test_a_penalty_above_a_warning_proposes_watch(penalty, entity_a):
    finding = record_finding(entity_a, "forced_shopping", penalty=penalty, inspected_on=INSPECTED)
    listings_propose_for_entity(entity_id=entity_a.pk, today=RUN)
    assert proposed(entity_a) == [("watch", "penalty_above_warning")]
    assert Listing.objects.get().source_id == finding.pk


@pytest.mark.parametrize("penalty", ["warning", "none"])
def test_a_warning_alone_proposes_nothing(penalty, entity_a):
    record_finding(entity_a, "no_written_contract", penalty=penalty, inspected_on=INSPECTED)
    assert listings_propose_for_entity(entity_id=entity_a.pk, today=RUN) == []
    assert not Listing.objects.exists()


def test_a_fine_more_than_a_year_old_proposes_nothing(entity_a):
    record_finding(entity_a, "forced_shopping", penalty="fine", inspected_on=datetime.date(2025, 5, 1))
    assert listings_propose_for_entity(entity_id=entity_a.pk, today=RUN) == []


def test_obstructing_an_inspection_proposes_watch(entity_a):
    record_finding(entity_a, "obstruct_inspection", penalty="none", inspected_on=INSPECTED)
    listings_propose_for_entity(entity_id=entity_a.pk, today=RUN)
    assert proposed(entity_a) == [("watch", "watch_violation")]


def test_a_finding_of_another_entity_does_not_list_this_one(entity_a, entity_b):
    record_finding(entity_b, "forced_shopping", penalty="fine", inspected_on=INSPECTED)
    assert listings_propose_for_entity(entity_id=entity_a.pk, today=RUN) == []


# --- complaints in a quarter ------------------------------------------------------------------------------


def test_three_substantiated_complaints_within_a_quarter_propose_watch(entity_a):
    for day in (datetime.date(2026, 3, 2), datetime.date(2026, 4, 15), datetime.date(2026, 5, 30)):  # 89 days
        last = complaint_in("resolved", entity=entity_a, resolved_on=day)
    listings_propose_for_entity(entity_id=entity_a.pk, today=RUN)
    listing = Listing.objects.get()
    assert (listing.list_type, listing.source_type, listing.source_rule) == ("watch", "complaint",
                                                                             "complaints_in_quarter")
    assert listing.source_id == last.pk


def test_two_substantiated_complaints_propose_nothing(entity_a):
    complaint_in("resolved", entity=entity_a, resolved_on=datetime.date(2026, 5, 1))
    complaint_in("resolved", entity=entity_a, resolved_on=datetime.date(2026, 5, 2))
    assert listings_propose_for_entity(entity_id=entity_a.pk, today=RUN) == []


def test_three_complaints_spread_over_more_than_91_days_propose_nothing(entity_a):
    for day in (datetime.date(2026, 2, 1), datetime.date(2026, 3, 15), datetime.date(2026, 5, 10)):  # 98 days
        complaint_in("resolved", entity=entity_a, resolved_on=day)
    assert listings_propose_for_entity(entity_id=entity_a.pk, today=RUN) == []


def test_mediated_or_unsubstantiated_complaints_do_not_count(entity_a):
    complaint_in("resolved", entity=entity_a, resolved_on=datetime.date(2026, 5, 1))
    complaint_in("resolved", entity=entity_a, resolved_on=datetime.date(2026, 5, 2), outcome="mediated")
    complaint_in("resolved", entity=entity_a, resolved_on=datetime.date(2026, 5, 3), outcome="unsubstantiated")
    assert listings_propose_for_entity(entity_id=entity_a.pk, today=RUN) == []


# --- watch twice in 12 months -> black -------------------------------------------------------------------


def test_watch_twice_within_twelve_months_proposes_black(entity_a):
    listing_in("published", entity=entity_a, list_type="watch", day=datetime.date(2025, 9, 1),
               source_type="finding", source_id=1)
    second = listing_in("published", entity=entity_a, list_type="watch", day=datetime.date(2026, 5, 1),
                        source_type="finding", source_id=2)
    listings_propose_for_entity(entity_id=entity_a.pk, today=RUN)
    black = Listing.objects.get(list_type="black")
    assert (black.source_type, black.source_id, black.source_rule) == ("listing", second.pk, "watch_twice")


def test_watch_twice_more_than_twelve_months_apart_proposes_nothing(entity_a):
    listing_in("expired", entity=entity_a, list_type="watch", day=datetime.date(2025, 5, 1))
    listing_in("published", entity=entity_a, list_type="watch", day=datetime.date(2026, 5, 1))
    assert listings_propose_for_entity(entity_id=entity_a.pk, today=RUN) == []


def test_a_removed_or_merely_proposed_watch_does_not_count(entity_a):
    listing_in("removed", entity=entity_a, list_type="watch", day=datetime.date(2026, 1, 5))
    listing_in("published", entity=entity_a, list_type="watch", day=datetime.date(2026, 5, 1))
    listing_in("proposed", entity=entity_a, list_type="watch", day=datetime.date(2026, 6, 1), reason="拒不整改")
    assert listings_propose_for_entity(entity_id=entity_a.pk, today=RUN) == []


# --- red candidates --------------------------------------------------------------------------------------


def graded(entity, grade: str = "A", score: int = 950):
    CreditScore.objects.create(entity=entity, score=score, grade=grade, model_version=1, as_of=RUN,
                               computed_at=timezone.now())
    return entity


def test_a_clean_grade_a_entity_is_proposed_for_the_red_list(db):
    clean = graded(EntityFactory(name="运城诚信旅行社有限公司"))
    minor = graded(EntityFactory())
    record_finding(minor, "household_no_contract", severity="minor", inspected_on=INSPECTED)
    created = listings_propose_red(today=RUN)
    assert {listing.entity for listing in created} == {clean, minor}
    assert all(listing.list_type == "red" and listing.status == "proposed" for listing in created)


def test_red_candidates_exclude_a_general_finding_a_complaint_a_lower_grade_or_an_open_black_listing(db):
    general = graded(EntityFactory())
    record_finding(general, "no_written_contract", severity="general", inspected_on=INSPECTED)
    complained = graded(EntityFactory())
    complaint_in("resolved", entity=complained, resolved_on=datetime.date(2026, 2, 1))
    grade_b = graded(EntityFactory(), grade="B", score=850)
    watched = graded(EntityFactory())
    listing_in("published", entity=watched, list_type="watch", day=datetime.date(2026, 3, 1))
    old_finding = graded(EntityFactory())
    record_finding(old_finding, "no_written_contract", severity="general", inspected_on=datetime.date(2025, 5, 1))
    ungraded = EntityFactory()
    created = listings_propose_red(today=RUN)
    entities = {listing.entity for listing in created}
    assert old_finding in entities  # a general finding outside the 12-month evaluation period no longer counts
    assert not entities & {general, complained, grade_b, watched, ungraded}


# --- nothing twice ----------------------------------------------------------------------------------------


def test_running_the_rules_twice_proposes_nothing_new(entity_a):
    PersonRoleFactory(entity=entity_a, person=PersonFactory(), started_on=datetime.date(2020, 1, 1))
    record_finding(entity_a, "abandoned_tourists", penalty="revocation", inspected_on=INSPECTED)
    record_finding(entity_a, "obstruct_inspection", penalty="fine", inspected_on=INSPECTED)
    for day in (datetime.date(2026, 4, 1), datetime.date(2026, 4, 2), datetime.date(2026, 4, 3)):
        complaint_in("resolved", entity=entity_a, resolved_on=day)
    first = listings_propose_for_entity(entity_id=entity_a.pk, today=RUN)
    assert len(first) == 6  # black x2 + person, watch x2 (penalty, obstruction), watch (complaints)
    count = Listing.objects.count()
    assert listings_propose_for_entity(entity_id=entity_a.pk, today=RUN) == []
    assert listings_propose_for_entity(entity_id=entity_a.pk, today=RUN + datetime.timedelta(days=1)) == []
    assert Listing.objects.count() == count


def test_red_candidates_twice_in_a_quarter_propose_nothing_new(db):
    graded(EntityFactory())
    assert len(listings_propose_red(today=RUN)) == 1
    assert listings_propose_red(today=RUN + datetime.timedelta(days=5)) == []


def test_a_withdrawn_proposal_is_not_proposed_again(entity_a, regulator):
    record_finding(entity_a, "forced_shopping", penalty="fine", inspected_on=INSPECTED)
    (listing,) = listings_propose_for_entity(entity_id=entity_a.pk, today=RUN)
    listings.listing_withdraw(listing_id=listing.pk, actor=regulator, reason="处罚已被撤销", today=RUN)
    assert listings_propose_for_entity(entity_id=entity_a.pk, today=RUN + datetime.timedelta(days=1)) == []
    assert list(Listing.objects.values_list("status", flat=True)) == ["withdrawn"]


# --- the hook: a new finding through the API proposes after commit ---------------------------------------


def test_a_new_finding_through_the_api_triggers_proposals_after_commit(entity_a, inspector_client,
                                                                       django_capture_on_commit_callbacks):
    representative = PersonFactory()
    PersonRoleFactory(entity=entity_a, person=representative, started_on=datetime.date(2020, 1, 1))
    inspected_on = today() - datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = inspector_client.post("/api/v1/inspections/", {
            "entity": entity_a.pk, "inspected_on": str(inspected_on), "kind": "targeted", "summary": "专项检查",
            "findings": [{"violation_code": "unreasonable_low_price", "description": "不合理低价游",
                          "penalty": "revocation", "decision_number": "运盐文旅罚〔2026〕9号"}]}, format="json")
    assert response.status_code == 201, response.content
    finding_id = response.json()["findings"][0]["id"]
    assert proposed(entity_a) == [("black", "licence_revoked")]
    assert Listing.objects.get(entity=entity_a).source_id == finding_id
    assert Listing.objects.get(subject_type="person").person == representative
    assert set(Listing.objects.values_list("status", flat=True)) == {"proposed"}  # a regulator still decides


def test_a_warning_through_the_api_proposes_nothing(entity_a, inspector_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = inspector_client.post("/api/v1/inspections/", {
            "entity": entity_a.pk, "inspected_on": str(today()), "kind": "random",
            "findings": [{"violation_code": "no_written_contract", "description": "未签合同", "penalty": "warning",
                          "decision_number": "运盐文旅罚〔2026〕10号"}]}, format="json")
    assert response.status_code == 201, response.content
    assert not Listing.objects.exists()


def test_an_entity_already_on_the_red_list_is_not_proposed_again_until_renewal_is_due(db):
    entity = graded(EntityFactory())
    current = listing_in("published", entity=entity, list_type="red", day=datetime.date(2026, 1, 12),
                         source_type="rule", source_id=20261, source_rule="red_quarterly")
    assert current.expires_on == datetime.date(2027, 1, 12)
    assert listings_propose_red(today=datetime.date(2026, 4, 2)) == []
    assert listings_propose_red(today=datetime.date(2026, 7, 1)) == []
    # In the quarter before it ends, the award is renewable (DOMAIN.md: red, 1 year, renewable).
    (renewal,) = listings_propose_red(today=datetime.date(2026, 10, 20))
    assert renewal.entity == entity and renewal.status == "proposed"


def test_a_red_proposal_still_in_due_process_is_not_proposed_again_next_quarter(db):
    entity = graded(EntityFactory())
    assert len(listings_propose_red(today=datetime.date(2026, 3, 20))) == 1
    assert listings_propose_red(today=datetime.date(2026, 4, 2)) == []
    assert Listing.objects.filter(entity=entity).count() == 1


# --- the nightly pass visits only entities with evidence, and misses none -------------------------------------


def test_the_nightly_pass_visits_exactly_the_entities_a_rule_could_fire_for(db, monkeypatch):
    from regulator.lists import proposals, tasks
    from regulator.lists.proposals import entities_with_evidence

    nothing = EntityFactory(name="无记录旅行社")
    old_finding = EntityFactory(name="旧处罚旅行社")
    record_finding(old_finding, "forced_shopping", penalty="fine", inspected_on=RUN - datetime.timedelta(days=1100))
    two_complaints = EntityFactory(name="两件投诉旅行社")
    for days in (10, 20):
        complaint_in("resolved", entity=two_complaints, resolved_on=RUN - datetime.timedelta(days=days))
    three_complaints = EntityFactory(name="三件投诉旅行社")
    for days in (10, 20, 30):
        complaint_in("resolved", entity=three_complaints, resolved_on=RUN - datetime.timedelta(days=days))
    recent_warning = EntityFactory(name="近期警告旅行社")
    record_finding(recent_warning, "forced_shopping", penalty="warning", inspected_on=INSPECTED)
    recent_fine = EntityFactory(name="近期罚款旅行社")
    record_finding(recent_fine, "forced_shopping", penalty="fine", inspected_on=INSPECTED)
    watched_twice = EntityFactory(name="两次关注旅行社")
    for months in (2, 8):
        listing_in("decided", entity=watched_twice, list_type="watch", day=RUN - datetime.timedelta(days=30 * months),
                   reason=f"{months} 个月前罚款")
    watched_once = EntityFactory(name="一次关注旅行社")
    listing_in("decided", entity=watched_once, list_type="watch", day=RUN - datetime.timedelta(days=60))
    closed = EntityFactory(name="已注销旅行社", status="deregistered")
    record_finding(closed, "forced_shopping", penalty="fine", inspected_on=INSPECTED)

    candidates = set(entities_with_evidence(today=RUN))
    assert candidates == {three_complaints.pk, recent_warning.pk, recent_fine.pk, watched_twice.pk}
    # Equivalent to visiting everyone: no entity outside the set is proposed by any rule.
    others = [e for e in (nothing, old_finding, two_complaints, watched_once) if e.pk not in candidates]
    assert all(listings_propose_for_entity(entity_id=e.pk, today=RUN) == [] for e in others)

    visited = []
    real = proposals.listings_propose_for_entity
    monkeypatch.setattr(proposals, "listings_propose_for_entity",
                        lambda *, entity_id, today=None: visited.append(entity_id) or real(entity_id=entity_id, today=RUN))
    monkeypatch.setattr(proposals, "entities_with_evidence", lambda today=None: entities_with_evidence(today=RUN))
    monkeypatch.setattr(tasks, "NIGHTLY_CHUNK", 3)
    before = Listing.objects.count()
    result = tasks.nightly_lists()  # chunks run inline under eager Celery
    assert sorted(visited) == sorted(candidates)
    assert result["entities_checked"] == 4 and result["chunks"] == 2
    assert Listing.objects.count() - before == 3  # complaints -> watch, the fine -> watch, watch twice -> black
    assert proposed(three_complaints) == [("watch", "complaints_in_quarter")]
    assert proposed(recent_fine) == [("watch", "penalty_above_warning")]
    assert ("black", "watch_twice") in proposed(watched_twice)
    assert proposed(recent_warning) == []
