"""Rule sets that follow the law over time (DOMAIN.md, Publicity of penalties, Credit repair; issue 13 item 3).

Three sets: 2022-01-01 (令第7号; publicity as 发改办财金〔2019〕527号), 2023-05-01 (国家发展改革委令第58号) and
2026-04-01 (信用修复管理办法). Each figure is read through an accessor, and each rule is pinned on both sides of
its boundary.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest

from regulator.disclosure.selectors import published_penalties
from regulator.lists import rules
from regulator.lists.models import RuleSet
from regulator.lists.rules import (
    DEFAULT_DOCUMENT,
    RuleSetError,
    announcement_wait_days,
    appeal_routes,
    measures_for,
    objection_working_days,
    penalty_publicity,
    period_days,
    repair_rules,
    validate_document,
)
from regulator.lists.selectors import rule_set_on
from tests.support.factories import EntityFactory

from .conftest import record_finding

pytestmark = pytest.mark.django_db

D = datetime.date
LAST_DAY_OF_58 = D(2026, 3, 31)
FIRST_DAY_OF_2026 = D(2026, 4, 1)


def document_on(day: datetime.date) -> dict[str, Any]:
    return rule_set_on(day).document


# --- the sets and their dates ----------------------------------------------------------------------------


def test_three_sets_follow_the_law_and_each_validates():
    sets = list(RuleSet.objects.order_by("effective_from").values_list("effective_from", "version"))
    assert sets[:3] == [(D(2022, 1, 1), 1), (D(2023, 5, 1), 4), (D(2026, 4, 1), 2)]
    for rule_set in RuleSet.objects.all():
        assert validate_document(rule_set.document) is rule_set.document


@pytest.mark.parametrize(("day", "effective"), [
    (D(2023, 4, 30), D(2022, 1, 1)), (D(2023, 5, 1), D(2023, 5, 1)),
    (LAST_DAY_OF_58, D(2023, 5, 1)), (FIRST_DAY_OF_2026, D(2026, 4, 1)),
])
def test_the_set_in_force_changes_on_its_first_day(day, effective):
    assert rule_set_on(day).effective_from == effective


def test_the_2026_set_is_the_default_document():
    assert rule_set_on(FIRST_DAY_OF_2026).document == DEFAULT_DOCUMENT


# --- publicity of penalties, both sides of 2026-04-01 ------------------------------------------------------


@pytest.mark.parametrize(("day", "published", "max_days"), [(LAST_DAY_OF_58, True, 365), (FIRST_DAY_OF_2026, False, 0)])
def test_a_minor_penalty_is_published_until_2026_and_not_after(day, published, max_days):
    answer = penalty_publicity(document_on(day), severity="minor", penalty="fine", safety_related=False)
    assert (answer["published"], answer["max_days"]) == (published, max_days)


def test_a_minor_penalty_is_published_at_most_three_months_where_the_2026_set_publishes_it():
    document = copy.deepcopy(document_on(FIRST_DAY_OF_2026))
    document["publicity"]["classes"]["minor"]["published"] = True
    assert penalty_publicity(document, severity="minor", penalty="fine", safety_related=False) == {
        "published": True, "min_days": 0, "max_days": 90}


@pytest.mark.parametrize("day", [D(2022, 6, 1), LAST_DAY_OF_58, FIRST_DAY_OF_2026])
def test_a_warning_alone_is_never_published(day):
    assert penalty_publicity(document_on(day), severity="general", penalty="warning",
                             safety_related=False)["published"] is False
    assert penalty_publicity(document_on(day), severity="general", penalty="none",
                             safety_related=False)["published"] is False


@pytest.mark.parametrize("day", [D(2022, 6, 1), LAST_DAY_OF_58, FIRST_DAY_OF_2026])
def test_a_general_penalty_is_published_three_months_to_a_year(day):
    assert penalty_publicity(document_on(day), severity="general", penalty="fine", safety_related=False) == {
        "published": True, "min_days": 90, "max_days": 365}


@pytest.mark.parametrize(("day", "minimum"), [(D(2023, 4, 30), 180), (D(2023, 5, 1), 365), (FIRST_DAY_OF_2026, 365)])
def test_a_serious_penalty_is_published_up_to_three_years_at_least_half_a_year_then_one(day, minimum):
    for severity, penalty in (("serious", "fine"), ("general", "suspension"), ("grave", "revocation")):
        assert penalty_publicity(document_on(day), severity=severity, penalty=penalty, safety_related=False) == {
            "published": True, "min_days": minimum, "max_days": 1095}


@pytest.mark.parametrize("day", [D(2023, 5, 1), LAST_DAY_OF_58, FIRST_DAY_OF_2026])
def test_a_safety_related_penalty_is_published_at_least_a_year(day):
    assert penalty_publicity(document_on(day), severity="general", penalty="fine", safety_related=True) == {
        "published": True, "min_days": 365, "max_days": 365}


def test_before_2023_a_safety_suspension_ran_its_full_term_and_a_safety_fine_had_no_extra_minimum():
    document = document_on(D(2023, 4, 30))
    assert penalty_publicity(document, severity="serious", penalty="suspension", safety_related=True) == {
        "published": True, "min_days": 1095, "max_days": 1095}
    assert penalty_publicity(document, severity="general", penalty="fine", safety_related=True)["min_days"] == 90


def _public_ids(entity, day):
    return {row["id"] for row in published_penalties(entity, as_of=day)}


def test_published_penalties_apply_the_set_in_force_on_the_day_asked(db):
    entity = EntityFactory()
    minor = record_finding(entity, "price_fraud", penalty="fine", severity="minor", inspected_on=D(2026, 3, 1))
    general = record_finding(entity, "price_fraud", penalty="fine", severity="general", inspected_on=D(2026, 3, 1))
    warning = record_finding(entity, "price_fraud", penalty="warning", severity="general", inspected_on=D(2026, 3, 1))
    assert _public_ids(entity, LAST_DAY_OF_58) == {minor.pk, general.pk}
    assert _public_ids(entity, FIRST_DAY_OF_2026) == {general.pk}
    assert warning.pk not in _public_ids(entity, D(2026, 3, 2))


def test_a_general_penalty_leaves_public_view_after_its_maximum(db):
    entity = EntityFactory()
    fine = record_finding(entity, "price_fraud", penalty="fine", severity="general", inspected_on=D(2026, 5, 1))
    assert _public_ids(entity, D(2026, 5, 1) + datetime.timedelta(days=364)) == {fine.pk}
    assert _public_ids(entity, D(2026, 5, 1) + datetime.timedelta(days=365)) == set()
    assert _public_ids(entity, D(2026, 4, 30)) == set()  # not before its decision


def test_a_serious_penalty_stays_public_for_three_years(db):
    entity = EntityFactory()
    decided = D(2026, 5, 1)
    suspension = record_finding(entity, "forced_shopping", penalty="suspension", severity="serious",
                                inspected_on=decided)
    assert _public_ids(entity, decided + datetime.timedelta(days=1094)) == {suspension.pk}
    assert _public_ids(entity, decided + datetime.timedelta(days=1095)) == set()


def test_the_public_row_names_when_repair_may_end_its_publicity(db):
    entity = EntityFactory()
    decided = D(2026, 5, 4)
    fine = record_finding(entity, "price_fraud", penalty="fine", severity="general", inspected_on=decided)
    fire = record_finding(entity, "hotel_fire_hazard", penalty="fine", severity="general", inspected_on=decided)
    rows = {row["id"]: row for row in published_penalties(entity, as_of=D(2026, 6, 1))}
    assert rows[fine.pk]["repairable_from"] == decided + datetime.timedelta(days=90)
    assert rows[fire.pk]["repairable_from"] == decided + datetime.timedelta(days=365)  # safety-related
    assert rows[fire.pk]["publicity_until"] == decided + datetime.timedelta(days=365)


# --- repair: a public 信用承诺, from black subjects too, from 2026-04-01 ---------------------------------------


@pytest.mark.parametrize(("day", "for_black"), [(D(2022, 6, 1), False), (LAST_DAY_OF_58, False),
                                                (FIRST_DAY_OF_2026, True)])
def test_a_black_subject_gives_a_public_commitment_from_2026(day, for_black):
    black = repair_rules(document_on(day), "black")
    assert (black["commitment_required"], black["commitment_allowed"], black["commitment_public"]) == (
        for_black, for_black, for_black)
    watch = repair_rules(document_on(day), "watch")
    assert watch["commitment_required"] is True and watch["commitment_public"] is for_black


@pytest.mark.parametrize("day", [D(2022, 6, 1), LAST_DAY_OF_58, FIRST_DAY_OF_2026])
def test_repair_figures_of_every_set(day):
    assert repair_rules(document_on(day), "black") == {
        "min_days": 365, "commitment_required": day >= FIRST_DAY_OF_2026, "commitment_allowed": day >= FIRST_DAY_OF_2026,
        "commitment_public": day >= FIRST_DAY_OF_2026, "training_required": True, "decision_working_days": 10}
    assert repair_rules(document_on(day), "watch")["min_days"] == 0


def test_black_repair_waits_its_minimum_365_days_from_the_decision():
    decided = D(2026, 5, 1)
    earliest = decided + datetime.timedelta(days=repair_rules(document_on(decided), "black")["min_days"])
    assert earliest - datetime.timedelta(days=1) == decided + datetime.timedelta(days=364)
    assert earliest == decided + datetime.timedelta(days=365)


# --- the other figures, each through its accessor ------------------------------------------------------------


def test_periods_windows_service_and_remedies_of_the_2026_set():
    document = document_on(FIRST_DAY_OF_2026)
    assert [period_days(document, t) for t in ("black", "watch", "red")] == [1095, 365, 365]
    assert objection_working_days(document) == 5
    assert announcement_wait_days(document) == 30
    assert [(r["route"], r.get("within_days"), r.get("within_months")) for r in appeal_routes(document)] == [
        ("administrative_review", 60, None), ("administrative_litigation", None, 6)]
    assert {m["code"] for m in measures_for(document, "watch")} == {"no_awards", "inspection_higher",
                                                                    "licence_strict_review"}
    assert "no_new_licence" in {m["code"] for m in measures_for(document, "black")}
    assert {m["code"] for m in measures_for(document, "red")} == {"inspection_reduced", "honour_published"}


def _figures(value: Any, path: tuple = ()) -> list[tuple]:
    """Every number and flag of a document outside the criteria and restrictions (which proposals and licence
    checks read, with their own tests) and the awards section (tests/regulator/test_award_criteria.py reads
    each of its figures through its accessor)."""
    if isinstance(value, dict):
        return [f for key, item in value.items() if key not in ("criteria", "restrictions", "awards")
                for f in _figures(item, (*path, key))]
    if isinstance(value, list):
        return [f for i, item in enumerate(value) for f in _figures(item, (*path, i))]
    return [path] if isinstance(value, (int, bool)) else []


def _answers(document: dict[str, Any]) -> list:
    """What every accessor answers, for every kind of subject and penalty."""
    kinds = [(None, None), ("tourism", "travel_agency"), ("wellness", "elderly_care"), ("wellness", "wellness_base"),
             ("household_service", "household_service_company"), ("exhibition", "exhibition_venue")]
    answers: list = [announcement_wait_days(document), appeal_routes(document)]
    for sector, category in kinds:
        answers.append(objection_working_days(document, sector=sector, category=category))
        for list_type in rules.LIST_TYPES:
            answers += [period_days(document, list_type, sector=sector, category=category),
                        repair_rules(document, list_type, sector=sector, category=category)]
    for severity in ("minor", "general", "serious"):
        for penalty in ("warning", "fine", "suspension"):
            for safety in (False, True):
                answers.append(penalty_publicity(document, severity=severity, penalty=penalty, safety_related=safety))
    return answers


def _nudged(value):
    return (not value) if isinstance(value, bool) else value + 1


@pytest.mark.parametrize("path", _figures(DEFAULT_DOCUMENT), ids=lambda path: ".".join(map(str, path)))
def test_every_figure_of_the_document_is_read_by_an_accessor(path):
    document = copy.deepcopy(DEFAULT_DOCUMENT)
    if "minor" in path and path[-1] != "published":  # a class not published shows its days once published
        document["publicity"]["classes"]["minor"]["published"] = True
    before = copy.deepcopy(_answers(document))
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = _nudged(target[path[-1]])
    assert _answers(document) != before, f"nothing reads {'.'.join(map(str, path))}"


# --- validation of the new parts of the schema ---------------------------------------------------------------


def _broken(change) -> dict[str, Any]:
    document = copy.deepcopy(DEFAULT_DOCUMENT)
    change(document)
    return document


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["sectors"].update(mining={}), "sectors.mining"),
    (lambda d: d["categories"]["elderly_care"].update(restrictions=[]), "unknown keys"),
    (lambda d: d["categories"]["elderly_care"].update(objection_working_days=0), "objection_working_days"),
    (lambda d: d["sectors"]["household_service"]["periods_days"].update(watch=-1), "periods_days"),
    (lambda d: d["publicity"]["classes"]["general"].update(min_days=400), "publicity.classes.general"),
    (lambda d: d["publicity"]["classes"].pop("minor"), "publicity.classes"),
    (lambda d: d.pop("publicity"), "publicity"),
    (lambda d: d["restrictions"].append({**d["restrictions"][6], "period_days": None}), "period_days"),
    (lambda d: d["restrictions"].append({**d["restrictions"][6], "penalties": ["jail"]}), "penalties"),
    (lambda d: d["restrictions"].append({**d["restrictions"][6], "start_event": "listing_decision"}), "start_event"),
    (lambda d: d["restrictions"].append({**d["restrictions"][6], "applicant_roles": ["cat"]}), "applicant_roles"),
    (lambda d: d["restrictions"].append({**d["restrictions"][0], "trigger": "rumour"}), "trigger"),
    (lambda d: d["criteria"]["violation_min_severity"].update(forged_licence="awful"), "violation_min_severity"),
    (lambda d: d["criteria"]["legal_basis"].update(black=""), "legal_basis"),
    (lambda d: d["criteria"]["black_on_imported_grounds"].append("gossip"), "black_on_imported_grounds"),
    (lambda d: d["service"].update(announcement_wait_days=0), "announcement_wait_days"),
    (lambda d: d["repair"].update(commitment_for_black="yes"), "commitment_for_black"),
])
def test_an_invalid_document_is_refused_naming_the_part(change, message):
    with pytest.raises(RuleSetError) as raised:
        validate_document(_broken(change))
    assert any(message in text for text in raised.value.messages), raised.value.messages


def test_legal_texts_never_call_the_black_list_黑名单():
    def strings(value):
        if isinstance(value, dict):
            return [s for item in value.values() for s in strings(item)]
        if isinstance(value, list):
            return [s for item in value for s in strings(item)]
        return [value] if isinstance(value, str) else []

    for rule_set in RuleSet.objects.all():
        assert not [text for text in strings(rule_set.document) if "黑名单" in text], rule_set
