"""诚信评选 (awards): the procedure end to end, the notice period, objections, scoring, red list, revocation, API."""

from __future__ import annotations

import copy
import datetime

import pytest
from django.utils import timezone

from core.models import CalendarDay, ServedDocument, UserRole
from ratings.models import CreditScore
from ratings.services import entity_rescore
from regulator.lists import award_services as awards
from regulator.lists.awards import AwardApplication, AwardEvent, AwardStatus
from regulator.lists.models import ListingStatus, RuleSet
from tests.support import api_client
from tests.support.factories import EntityFactory, UserFactory
from tests.support.states import listing_in

pytestmark = pytest.mark.django_db

FRIDAY = datetime.date(2026, 12, 4)  # the round's day: a notice approved on a Friday runs over a weekend
NEXT_FRIDAY = datetime.date(2026, 12, 11)  # 5 working days after FRIDAY


def graded(entity, score: int, grade: str) -> None:
    """The entity's current score, as the nightly recompute would have left it."""
    CreditScore.objects.update_or_create(entity=entity, defaults={
        "score": score, "grade": grade, "model_version": 1, "as_of": FRIDAY, "breakdown": [],
        "computed_at": timezone.now()})


@pytest.fixture
def round_(regulator):
    return awards.award_round_open(kind="honest_enterprise", name="2026年度运城市诚信企业评选", region_code="140800",
                                   opens_on=datetime.date(2026, 11, 1), closes_on=datetime.date(2026, 12, 31),
                                   actor=regulator, today=FRIDAY)


@pytest.fixture
def firm(entity_a):
    graded(entity_a, 900, "A")
    return entity_a


def in_notice(round_, entity, regulator, day=FRIDAY) -> AwardApplication:
    application = awards.award_nominate(round_id=round_.pk, entity_id=entity.pk, actor=regulator, today=day)
    assert application.status == AwardStatus.UNDER_REVIEW
    return awards.award_review(application_id=application.pk, actor=regulator, approve=True, today=day)


def granted(round_, entity, regulator) -> AwardApplication:
    application = in_notice(round_, entity, regulator)
    return awards.award_decide(application_id=application.pk, actor=regulator, today=NEXT_FRIDAY + datetime.timedelta(1))


# --- the done-when scenario ------------------------------------------------------------------------------------


def test_refused_on_a_failing_criterion_objected_granted_then_revoked_by_a_black_listing(
        round_, entity_a, business_a, regulator, django_capture_on_commit_callbacks):
    # 1. grade B: the automatic check refuses, each criterion's result stored in words
    graded(entity_a, 899, "B")
    refused = awards.award_apply(round_id=round_.pk, entity_id=entity_a.pk, actor=business_a, today=FRIDAY)
    assert refused.status == AwardStatus.REFUSED
    grade_row = next(row for row in refused.check_results if row["code"] == "grade_at_least")
    assert grade_row["passed"] is False and "B 级" in grade_row["detail"] and "899" in grade_row["detail"]
    assert all(row["passed"] for row in refused.check_results if row["code"] != "grade_at_least")
    assert list(refused.events.values_list("action", flat=True)) == ["apply", "check", "refuse"]

    # 2. grade A: applied again, checked, reviewed, in notice; an objection inside the period
    graded(entity_a, 900, "A")
    application = awards.award_apply(round_id=round_.pk, entity_id=entity_a.pk, actor=business_a, today=FRIDAY)
    assert application.status == AwardStatus.UNDER_REVIEW
    application = awards.award_review(application_id=application.pk, actor=regulator, approve=True, today=FRIDAY)
    assert (application.status, application.notice_due) == (AwardStatus.IN_NOTICE, NEXT_FRIDAY)
    objection = awards.award_object(application_id=application.pk, reason="该企业上月强迫游客购物", name="王五",
                                    contact="13900000000", today=datetime.date(2026, 12, 8))
    application.refresh_from_db()
    assert application.status == AwardStatus.OBJECTED
    with pytest.raises(Exception) as early:
        awards.award_decide(application_id=application.pk, actor=regulator, today=datetime.date(2026, 12, 14))
    assert early.value.status_code == 409
    awards.award_objection_answer(objection_id=objection.pk, actor=regulator, upheld=False,
                                  answer="经核查，该投诉不属实", today=datetime.date(2026, 12, 9))
    application.refresh_from_db()
    assert application.status == AwardStatus.IN_NOTICE

    # 3. granted after the period, with a decision number from the served-document series
    application = awards.award_decide(application_id=application.pk, actor=regulator, today=datetime.date(2026, 12, 14))
    assert application.status == AwardStatus.GRANTED
    document = ServedDocument.objects.get(pk=application.decision_document_id)
    assert application.decision_number == document.number and "信奖〔2026〕" in document.number
    assert application.valid_until == datetime.date(2026, 12, 14) + datetime.timedelta(days=365)

    # 4. a black listing published: the award is revoked automatically (the evidence hook, after commit)
    with django_capture_on_commit_callbacks(execute=True):
        listing_in("published", entity=entity_a, list_type="black", reason="甩团，滞留旅游者")
    application.refresh_from_db()
    assert application.status == AwardStatus.REVOKED and application.revoked_automatically
    assert "严重失信主体名单" in application.end_reason
    last = AwardEvent.objects.filter(application=application).last()
    assert (last.action, last.actor_id) == ("revoke", None)


def test_an_upheld_objection_refuses_and_no_award_follows(round_, firm, regulator):
    application = in_notice(round_, firm, regulator)
    objection = awards.award_object(application_id=application.pk, reason="虚假宣传", today=FRIDAY)
    awards.award_objection_answer(objection_id=objection.pk, actor=regulator, upheld=True, answer="异议属实",
                                  today=FRIDAY)
    application.refresh_from_db()
    assert application.status == AwardStatus.REFUSED
    with pytest.raises(Exception) as refused:
        awards.award_decide(application_id=application.pk, actor=regulator, today=datetime.date(2026, 12, 14))
    assert refused.value.status_code == 409


def test_grant_waits_for_every_objection(round_, firm, regulator):
    application = in_notice(round_, firm, regulator)
    first = awards.award_object(application_id=application.pk, reason="一", today=FRIDAY)
    awards.award_object(application_id=application.pk, reason="二", today=FRIDAY)
    awards.award_objection_answer(objection_id=first.pk, actor=regulator, upheld=False, answer="不属实", today=FRIDAY)
    application.refresh_from_db()
    assert application.status == AwardStatus.OBJECTED  # the second is still open


# --- the notice period in working days ------------------------------------------------------------------------


@pytest.mark.parametrize(("holiday", "due"), [(None, NEXT_FRIDAY), (datetime.date(2026, 12, 9), datetime.date(2026, 12, 14))])
def test_notice_period_counts_working_days_over_the_weekend_and_holidays(round_, firm, regulator, holiday, due):
    if holiday:
        CalendarDay.objects.create(date=holiday, kind="holiday", name="测试假日")
    application = in_notice(round_, firm, regulator)
    assert application.notice_due == due
    with pytest.raises(Exception) as open_:
        awards.award_decide(application_id=application.pk, actor=regulator, today=due)
    assert open_.value.status_code == 409
    done = awards.award_decide(application_id=application.pk, actor=regulator, today=due + datetime.timedelta(1))
    assert done.status == AwardStatus.GRANTED


@pytest.mark.parametrize(("day", "accepted"), [(NEXT_FRIDAY, True), (NEXT_FRIDAY + datetime.timedelta(1), False)])
def test_objection_only_within_the_notice_period(round_, firm, regulator, day, accepted):
    application = in_notice(round_, firm, regulator)
    if accepted:
        assert awards.award_object(application_id=application.pk, reason="有投诉", today=day).pk
    else:
        with pytest.raises(Exception) as late:
            awards.award_object(application_id=application.pk, reason="有投诉", today=day)
        assert late.value.status_code == 409


def test_an_objection_needs_a_reason(round_, firm, regulator):
    application = in_notice(round_, firm, regulator)
    with pytest.raises(Exception) as empty:
        awards.award_object(application_id=application.pk, reason="  ", today=FRIDAY)
    assert "reason" in empty.value.message_dict


# --- scoring, red list, revocation, expiry --------------------------------------------------------------------


def _award_lines(entity):
    return [line for line in CreditScore.objects.get(entity=entity).breakdown if line["rule"] == "award"]


def test_the_award_line_is_plus_50_and_goes_away_on_revocation(round_, firm, regulator):
    application = granted(round_, firm, regulator)
    entity_rescore(entity_id=firm.pk, as_of=datetime.date(2026, 12, 20))
    lines = _award_lines(firm)
    assert [(line["source_type"], line["source_id"], line["points"]) for line in lines] == [
        ("award", application.pk, 50)]
    awards.award_revoke(application_id=application.pk, reason="弄虚作假骗取称号", actor=regulator,
                        today=datetime.date(2026, 12, 21))
    entity_rescore(entity_id=firm.pk, as_of=datetime.date(2026, 12, 21))
    assert _award_lines(firm) == []


def test_a_business_cannot_revoke(round_, firm, regulator, business_a):
    application = granted(round_, firm, regulator)
    with pytest.raises(Exception) as denied:
        awards.award_revoke(application_id=application.pk, reason="x", actor=business_a)
    assert type(denied.value).__name__ == "PermissionDenied"


@pytest.fixture
def red_list_kind():
    rule_set = RuleSet.objects.get(effective_from=datetime.date(2026, 4, 1))
    document = copy.deepcopy(rule_set.document)
    document["awards"]["kinds"]["honest_enterprise"]["red_list"] = True
    RuleSet.objects.filter(pk=rule_set.pk).update(document=document)


def test_where_the_rule_set_says_so_a_grant_proposes_a_red_listing_and_revocation_withdraws_it(
        red_list_kind, round_, firm, regulator):
    application = granted(round_, firm, regulator)
    red = application.red_listing
    assert (red.list_type, red.status, red.source_type, red.source_id) == ("red", ListingStatus.PROPOSED, "award",
                                                                          application.pk)
    assert application.decision_number in red.reason
    awards.award_revoke(application_id=application.pk, reason="条件不再符合", actor=regulator,
                        today=datetime.date(2026, 12, 21))
    red.refresh_from_db()
    assert red.status == ListingStatus.WITHDRAWN


def test_without_the_flag_no_red_listing(round_, firm, regulator):
    assert granted(round_, firm, regulator).red_listing is None


@pytest.mark.parametrize(("severity", "revoked"), [("minor", False), ("general", True)])
def test_the_nightly_recheck_revokes_on_a_finding_above_minor(round_, firm, regulator, severity, revoked):
    from tests.regulator.conftest import record_finding

    application = granted(round_, firm, regulator)
    record_finding(firm, "no_written_contract", inspected_on=datetime.date(2026, 12, 18), severity=severity)
    assert (awards.awards_recheck(today=datetime.date(2026, 12, 20)) == [application.pk]) is revoked
    application.refresh_from_db()
    assert (application.status == AwardStatus.REVOKED) is revoked


def test_a_substantiated_complaint_revokes_at_the_recheck(round_, firm, regulator):
    from tests.support.states import complaint_in

    application = granted(round_, firm, regulator)
    complaint_in("closed", entity=firm, resolved_on=datetime.date(2026, 12, 18))
    assert awards.awards_recheck(entity_ids=[firm.pk], today=datetime.date(2026, 12, 20)) == [application.pk]


@pytest.mark.parametrize(("day", "expired"), [(datetime.date(2027, 12, 12), False), (datetime.date(2027, 12, 13), True)])
def test_an_award_expires_after_its_validity(round_, firm, regulator, day, expired):
    application = granted(round_, firm, regulator)
    assert application.valid_until == datetime.date(2027, 12, 12)  # decided 2026-12-12, 365 days
    assert (awards.awards_expire_due(today=day) == [application.pk]) is expired


def test_the_criteria_are_rechecked_at_the_grant(round_, firm, regulator):
    application = in_notice(round_, firm, regulator)
    graded(firm, 880, "B")
    with pytest.raises(Exception) as broken:
        awards.award_decide(application_id=application.pk, actor=regulator, today=datetime.date(2026, 12, 14))
    assert broken.value.status_code == 409 and "B 级" in str(broken.value.detail)


def test_one_open_application_per_round_and_entity(round_, firm, regulator):
    awards.award_nominate(round_id=round_.pk, entity_id=firm.pk, actor=regulator, today=FRIDAY)
    with pytest.raises(Exception) as twice:
        awards.award_nominate(round_id=round_.pk, entity_id=firm.pk, actor=regulator, today=FRIDAY)
    assert twice.value.status_code == 409


@pytest.mark.parametrize(("day", "open_"), [(datetime.date(2026, 12, 31), True), (datetime.date(2027, 1, 1), False)])
def test_applications_only_inside_the_round(round_, firm, regulator, day, open_):
    if open_:
        assert awards.award_nominate(round_id=round_.pk, entity_id=firm.pk, actor=regulator, today=day).pk
    else:
        with pytest.raises(Exception) as closed:
            awards.award_nominate(round_id=round_.pk, entity_id=firm.pk, actor=regulator, today=day)
        assert closed.value.status_code == 409


def test_an_entity_outside_the_rounds_region_is_refused_naming_the_field(round_, regulator):
    far = EntityFactory(region_code="141002")  # 临汾市尧都区, not 运城市
    with pytest.raises(Exception) as outside:
        awards.award_nominate(round_id=round_.pk, entity_id=far.pk, actor=regulator, today=FRIDAY)
    assert "entity" in outside.value.message_dict


# --- the API ---------------------------------------------------------------------------------------------------


@pytest.fixture
def open_round(regulator):
    """A round open today (the API judges by today's date)."""
    day = timezone.localdate()
    return awards.award_round_open(kind="honest_merchant", name="诚信商家评选", region_code="140802",
                                   opens_on=day - datetime.timedelta(30), closes_on=day + datetime.timedelta(30),
                                   actor=regulator, today=day)


def test_a_business_cannot_apply_for_another_business(open_round, business_a, entity_b):
    response = api_client(business_a).post(f"/api/v1/award-rounds/{open_round.pk}/applications/",
                                           {"entity": entity_b.pk}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not AwardApplication.objects.exists()


def test_a_business_applies_for_its_own_and_sees_only_its_own(open_round, business_a, business_b, entity_a):
    graded(entity_a, 950, "A")
    response = api_client(business_a).post(f"/api/v1/award-rounds/{open_round.pk}/applications/",
                                           {"entity": entity_a.pk, "statement": "诚信经营十年"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "under_review" and {row["code"] for row in body["check_results"]} >= {"grade_at_least"}
    assert api_client(business_a).get(f"/api/v1/award-applications/{body['id']}/").status_code == 200
    assert api_client(business_b).get(f"/api/v1/award-applications/{body['id']}/").status_code == 404
    assert api_client(business_b).get("/api/v1/award-applications/").json()["count"] == 0


def test_a_business_cannot_take_a_regulators_step(open_round, business_a, entity_a, regulator):
    graded(entity_a, 950, "A")
    application = awards.award_apply(round_id=open_round.pk, entity_id=entity_a.pk, actor=business_a)
    response = api_client(business_a).post(f"/api/v1/award-applications/{application.pk}/approve/", {}, format="json")
    assert response.status_code == 403 and response.json()["code"]


def test_api_errors_are_json_and_name_the_field(regulator):
    client = api_client(regulator)
    response = client.post("/api/v1/award-rounds/", {
        "kind": "honest_enterprise", "name": "评选", "region_code": "140800", "opens_on": "2026-11-01",
        "closes_on": "2026-12-31", "conditions": [{"code": "never_heard_of"}]}, format="json")
    assert response.status_code == 400 and "conditions" in response.json()
    response = client.post("/api/v1/award-rounds/", {
        "kind": "best_shop", "name": "评选", "region_code": "140800", "opens_on": "2026-11-01",
        "closes_on": "2026-12-31"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()
    response = client.post("/api/v1/award-rounds/1/applications/", {"entity": "x"}, format="json")
    assert response.status_code in (400, 404) and response["Content-Type"].startswith("application/json")
    assert "entity" in response.json() or response.json()["code"] == "not_found"


def test_regulator_steps_through_the_api(open_round, entity_a, regulator):
    graded(entity_a, 950, "A")
    client = api_client(regulator)
    created = client.post(f"/api/v1/award-rounds/{open_round.pk}/applications/", {"entity": entity_a.pk},
                          format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    refused = client.post(f"/api/v1/award-applications/{pk}/refuse/", {"reason": ""}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()
    approved = client.post(f"/api/v1/award-applications/{pk}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "in_notice"
    early = client.post(f"/api/v1/award-applications/{pk}/grant/", {}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "notice_period_open"


def test_public_objection_through_the_api_keeps_the_objector_private(open_round, entity_a, regulator, anon_client):
    graded(entity_a, 950, "A")
    application = awards.award_nominate(round_id=open_round.pk, entity_id=entity_a.pk, actor=regulator)
    awards.award_review(application_id=application.pk, actor=regulator, approve=True)
    listed = anon_client.get("/api/v1/public/awards/").json()
    assert [row["id"] for row in listed["in_notice"]] == [application.pk]
    bad = anon_client.post(f"/api/v1/public/awards/{application.pk}/objections/", {"reason": ""}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()
    filed = anon_client.post(f"/api/v1/public/awards/{application.pk}/objections/",
                             {"reason": "虚假宣传", "name": "赵六", "contact": "13700000000"}, format="json")
    assert filed.status_code == 201
    text = anon_client.get("/api/v1/public/awards/").content.decode()
    assert "赵六" not in text and "13700000000" not in text
    assert anon_client.post("/api/v1/public/awards/999999/objections/", {"reason": "x"},
                            format="json").status_code == 404


def test_inspectors_read_nothing_of_the_applications(open_round, entity_a, regulator):
    graded(entity_a, 950, "A")
    awards.award_nominate(round_id=open_round.pk, entity_id=entity_a.pk, actor=regulator)
    inspector = UserFactory(role=UserRole.INSPECTOR, region_codes=["14"])
    assert api_client(inspector).get("/api/v1/award-applications/").json()["count"] == 0
