"""诚信评选条件: each criterion at both sides of its boundary; the rule set's ``awards`` section, fail closed."""

from __future__ import annotations

import copy
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ratings.models import CreditScore
from regulator.lists import award_rules
from regulator.lists import award_services as awards
from regulator.lists.award_selectors import entity_facts
from regulator.lists.awards import AwardKind, AwardStatus
from regulator.lists.models import RuleSet
from regulator.lists.rules import DEFAULT_DOCUMENT, RuleSetError, validate_document
from tests.regulator.conftest import record_finding
from tests.support.states import complaint_in, listing_in

DAY = datetime.date(2026, 12, 4)
DEFAULT = award_rules.DEFAULT_AWARDS["criteria"]


def _facts(**overrides):
    return {"grade": "A", "score": 950, "complaints": [], "findings": [], "listed": [], **overrides}


def _result(code: str, facts: dict, criteria=DEFAULT) -> dict:
    return next(row for row in award_rules.evaluate(criteria, facts, day=DAY) if row["code"] == code)


# --- pure: each default criterion at its boundary ---------------------------------------------------------------


@pytest.mark.parametrize(("score", "grade", "passed"), [(900, "A", True), (899, "B", False)])
def test_grade_a_at_900_and_not_at_899(score, grade, passed):
    assert _result("grade_at_least", _facts(score=score, grade=grade))["passed"] is passed


def test_an_unscored_entity_is_grade_b_and_fails():
    row = _result("grade_at_least", _facts(score=None, grade=None))
    assert row["passed"] is False and "尚未评分" in row["detail"]


@pytest.mark.parametrize(("days_ago", "passed"), [(366, True), (364, False)])
def test_a_substantiated_complaint_counts_for_12_months(days_ago, passed):
    facts = _facts(complaints=[DAY - datetime.timedelta(days=days_ago)])
    assert _result("no_substantiated_complaint", facts)["passed"] is passed


@pytest.mark.parametrize(("severity", "passed"), [("minor", True), ("general", False), ("grave", False)])
def test_a_finding_above_minor_fails(severity, passed):
    facts = _facts(findings=[(severity, DAY - datetime.timedelta(days=30))])
    row = _result("max_finding_severity", facts)
    assert row["passed"] is passed
    if not passed:
        assert "超过“轻微”" in row["detail"]


@pytest.mark.parametrize(("days_ago", "passed"), [(366, True), (364, False)])
def test_a_general_finding_counts_for_12_months(days_ago, passed):
    facts = _facts(findings=[("general", DAY - datetime.timedelta(days=days_ago))])
    assert _result("max_finding_severity", facts)["passed"] is passed


@pytest.mark.parametrize(("listed", "passed"), [([], True), (["red"], True), (["watch"], False), (["black"], False)])
def test_a_black_or_watch_listing_fails(listed, passed):
    assert _result("not_listed", _facts(listed=listed))["passed"] is passed


@pytest.mark.parametrize(("score", "passed"), [(950, True), (949, False)])
def test_a_rounds_own_min_score_condition(score, passed):
    criteria = [*DEFAULT, {"code": "min_score", "score": 950}]
    assert _result("min_score", _facts(score=score), criteria)["passed"] is passed


def test_every_result_is_in_words():
    for row in award_rules.evaluate(DEFAULT, _facts(), day=DAY):
        assert row["label"] and row["detail"] and not row["detail"].isascii()


# --- the section of the rule set, fail closed -------------------------------------------------------------------


def _document_with(change) -> dict:
    document = copy.deepcopy(DEFAULT_DOCUMENT)
    change(document["awards"])
    return document


@pytest.mark.parametrize(("change", "message"), [
    (lambda a: a["criteria"].append({"code": "good_vibes"}), "unknown criterion"),
    (lambda a: a["criteria"].append({"code": "grade_at_least", "grade": "A+"}), "grade"),
    (lambda a: a["criteria"][1].update(within_days=0), "within_days"),
    (lambda a: a["criteria"][2].update(extra=1), "unknown keys"),
    (lambda a: a.update(criteria=[]), "non-empty"),
    (lambda a: a.update(notice_working_days=0), "notice_working_days"),
    (lambda a: a.update(validity_days=-1), "validity_days"),
    (lambda a: a["kinds"].update(best_shop={"name": "x", "basis": "y"}), "kinds.best_shop"),
    (lambda a: a["kinds"]["honest_merchant"].update(basis=""), "basis"),
    (lambda a: a["kinds"]["honest_merchant"].update(red_list="yes"), "red_list"),
    (lambda a: a.update(surprise=True), "unknown keys"),
])
def test_a_broken_awards_section_is_rejected(change, message):
    with pytest.raises(RuleSetError) as broken:
        validate_document(_document_with(change))
    assert any(message in text for text in broken.value.messages)


def test_the_default_section_is_valid_and_knows_every_title():
    assert validate_document(copy.deepcopy(DEFAULT_DOCUMENT))
    assert set(award_rules.AWARD_KINDS) == set(AwardKind.values) == set(DEFAULT_DOCUMENT["awards"]["kinds"])


@pytest.mark.django_db
def test_a_rule_set_with_an_unknown_criterion_cannot_be_saved():
    rule_set = RuleSet(version=99, name="测试", effective_from=datetime.date(2030, 1, 1),
                       document=_document_with(lambda a: a["criteria"].append({"code": "good_vibes"})))
    with pytest.raises(ValidationError) as broken:
        rule_set.full_clean()
    assert "good_vibes" in str(broken.value.message_dict["document"])


@pytest.mark.django_db
def test_every_seeded_rule_set_carries_the_awards_section():
    for rule_set in RuleSet.objects.all():
        assert rule_set.document["awards"]["criteria"] == DEFAULT
        validate_document(rule_set.document)


@pytest.mark.parametrize(("path", "read_as"), [
    (("notice_working_days",), "notice_working_days"), (("validity_days",), "validity_days"),
    (("kinds", "honest_enterprise", "red_list"), "red_list"), (("kinds", "honest_enterprise", "basis"), "basis"),
])
def test_every_figure_of_the_section_is_read(path, read_as):
    document = copy.deepcopy(DEFAULT_DOCUMENT)
    before = award_rules.kind_rules(document, "honest_enterprise")[read_as]
    target = document["awards"]
    for key in path[:-1]:
        target = target[key]
    value = target[path[-1]]
    target[path[-1]] = (not value) if isinstance(value, bool) else (value + 1 if isinstance(value, int) else value + "！")
    assert award_rules.kind_rules(document, "honest_enterprise")[read_as] != before


def test_a_kinds_own_validity_overrides_the_default():
    document = copy.deepcopy(DEFAULT_DOCUMENT)
    document["awards"]["kinds"]["honest_merchant"]["validity_days"] = 730
    assert award_rules.kind_rules(document, "honest_merchant")["validity_days"] == 730
    assert award_rules.kind_rules(document, "honest_enterprise")["validity_days"] == 365


# --- facts from the database, the boundaries end to end ---------------------------------------------------------




@pytest.fixture
def round_(regulator):
    return awards.award_round_open(kind="civilised_merchant", name="文明诚信商户评选", region_code="140802",
                                   opens_on=datetime.date(2026, 11, 1), closes_on=datetime.date(2026, 12, 31),
                                   actor=regulator, today=DAY)


def _grade(entity, score, grade):
    CreditScore.objects.update_or_create(entity=entity, defaults={
        "score": score, "grade": grade, "model_version": 1, "as_of": DAY, "breakdown": [],
        "computed_at": timezone.now()})


@pytest.mark.django_db
@pytest.mark.parametrize(("days_ago", "status"), [(366, AwardStatus.UNDER_REVIEW), (364, AwardStatus.REFUSED)])
def test_a_complaint_366_days_ago_passes_364_fails(round_, entity_a, regulator, days_ago, status):
    _grade(entity_a, 920, "A")
    complaint_in("closed", entity=entity_a, resolved_on=DAY - datetime.timedelta(days=days_ago))
    application = awards.award_nominate(round_id=round_.pk, entity_id=entity_a.pk, actor=regulator, today=DAY)
    assert application.status == status


@pytest.mark.django_db
@pytest.mark.parametrize(("severity", "status"), [("minor", AwardStatus.UNDER_REVIEW), ("general", AwardStatus.REFUSED)])
def test_a_minor_finding_passes_a_general_one_fails(round_, entity_a, regulator, severity, status):
    _grade(entity_a, 920, "A")
    record_finding(entity_a, "no_written_contract", inspected_on=DAY - datetime.timedelta(days=10), severity=severity)
    application = awards.award_nominate(round_id=round_.pk, entity_id=entity_a.pk, actor=regulator, today=DAY)
    assert application.status == status


@pytest.mark.django_db
@pytest.mark.parametrize(("score", "grade", "status"), [(900, "A", AwardStatus.UNDER_REVIEW),
                                                        (899, "B", AwardStatus.REFUSED)])
def test_grade_900_passes_899_fails(round_, entity_a, regulator, score, grade, status):
    _grade(entity_a, score, grade)
    application = awards.award_nominate(round_id=round_.pk, entity_id=entity_a.pk, actor=regulator, today=DAY)
    assert application.status == status


@pytest.mark.django_db
def test_facts_read_the_published_lists_only(entity_a):
    listing_in("proposed", entity=entity_a, list_type="watch", reason="拒不配合检查")
    assert entity_facts(entity_a.pk, day=timezone.localdate())["listed"] == []
    listing_in("published", entity=entity_a, list_type="watch", reason="拒不执行投诉处理决定")
    assert entity_facts(entity_a.pk, day=timezone.localdate())["listed"] == ["watch"]
