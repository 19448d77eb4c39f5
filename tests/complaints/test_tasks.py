"""The hourly overdue job, its reminder to regulators, and the business notice's e-mail to the business."""

from __future__ import annotations

import datetime

import pytest

from complaints import services, tasks
from complaints.models import Complaint, InspectionPlan
from core.models import UserRole
from tests.support import api_client, complaint_in, today
from tests.support.factories import EntityFactory, UserFactory

from .conftest import S

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def open_and_closed(entity_a):
    """A complaint in each state, received Monday 2026-03-02: accept_due 2026-03-09 and, once accepted,
    resolve_due 2026-05-01."""
    made = {status: complaint_in(status, entity=entity_a, received_on=D(2026, 3, 2))
            for status in S.values if status != S.TRANSFERRED}
    assert {complaint.accept_due for complaint in made.values()} == {D(2026, 3, 9)}
    assert {made[s].resolve_due for s in (S.ACCEPTED, S.INVESTIGATING, S.RESOLVED, S.CLOSED)} == {D(2026, 5, 1)}
    return made


def step_overdue(flagged: dict[int, list[str]]) -> set[int]:
    return {pk for pk, flags in flagged.items() if "overdue" in flags}


def test_submitted_complaint_past_accept_due_is_flagged(open_and_closed):
    assert step_overdue(services.complaints_flag_overdue(today=D(2026, 3, 10))) == {open_and_closed[S.SUBMITTED].pk}
    complaint = Complaint.objects.get(pk=open_and_closed[S.SUBMITTED].pk)
    assert complaint.overdue is True and complaint.overdue_notified_on == D(2026, 3, 10)


def test_nothing_is_overdue_on_the_due_date_itself(open_and_closed):
    assert services.complaints_mark_overdue(today=D(2026, 3, 9)) == []  # notify_due is 03-09 too
    assert not Complaint.objects.filter(overdue=True).exists()


def test_accepted_complaint_is_judged_by_resolve_due_not_accept_due(open_and_closed):
    services.complaints_mark_overdue(today=D(2026, 4, 1))
    assert Complaint.objects.get(pk=open_and_closed[S.ACCEPTED].pk).overdue is False
    assert Complaint.objects.get(pk=open_and_closed[S.INVESTIGATING].pk).overdue is False


def test_accepted_and_investigating_complaints_past_resolve_due_are_flagged_finished_ones_are_not(open_and_closed):
    flagged = step_overdue(services.complaints_flag_overdue(today=D(2026, 5, 2)))
    assert flagged == {open_and_closed[s].pk for s in (S.SUBMITTED, S.ACCEPTED, S.INVESTIGATING)}
    for status in (S.REJECTED, S.RESOLVED, S.CLOSED, S.WITHDRAWN):
        assert Complaint.objects.get(pk=open_and_closed[status].pk).overdue is False, status


def test_mark_overdue_is_idempotent(open_and_closed):
    first = services.complaints_mark_overdue(today=D(2026, 5, 2))
    assert first
    assert services.complaints_mark_overdue(today=D(2026, 5, 3)) == []
    # the first flagging date is kept
    assert set(Complaint.objects.filter(overdue=True).values_list("overdue_notified_on", flat=True)) == {D(2026, 5, 2)}


def test_an_overdue_complaint_stays_overdue_after_a_late_acceptance(open_and_closed, regulator):
    submitted = open_and_closed[S.SUBMITTED]
    services.complaints_mark_overdue(today=D(2026, 3, 10))
    complaint = services.complaint_accept(complaint_id=submitted.pk, actor=regulator, today=D(2026, 3, 11))
    assert complaint.overdue is True
    assert api_client(regulator).get("/api/v1/complaints/", {"overdue": "true"}).json()["count"] == 1


# --- the reminder to regulators -------------------------------------------------------------------------------


@pytest.fixture
def overdue_complaint(entity_a):
    long_ago = today() - datetime.timedelta(days=30)
    return complaint_in(S.SUBMITTED, entity=entity_a, received_on=long_ago, complainant_name="李四",
                        complainant_phone="13800000000")


def test_overdue_job_emails_the_regulators_responsible_for_the_entity(overdue_complaint, mailoutbox):
    UserFactory(username="reg_all", role=UserRole.REGULATOR, email="all@example.cn")
    UserFactory(username="reg_yuncheng", role=UserRole.REGULATOR, email="yc@example.cn", region_codes=["1408"])
    UserFactory(username="reg_yanhu", role=UserRole.REGULATOR, email="yh@example.cn", region_codes=["140802"])
    UserFactory(username="reg_taiyuan", role=UserRole.REGULATOR, email="ty@example.cn", region_codes=["1401"])
    UserFactory(username="reg_no_mail", role=UserRole.REGULATOR, email="")
    UserFactory(username="reg_gone", role=UserRole.REGULATOR, email="gone@example.cn", is_active=False)
    UserFactory(username="insp_mail", role=UserRole.INSPECTOR, email="insp@example.cn", region_codes=["1408"],
                sectors=["tourism"])

    assert tasks.mark_overdue_complaints() == 1

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert set(message.to) == {"all@example.cn", "yc@example.cn", "yh@example.cn"}
    assert str(overdue_complaint.pk) in message.subject
    assert "李四" not in message.body and "13800000000" not in message.body
    assert Complaint.objects.get(pk=overdue_complaint.pk).overdue is True


def test_overdue_job_sends_nothing_the_second_night(overdue_complaint, mailoutbox):
    UserFactory(username="reg_all", role=UserRole.REGULATOR, email="all@example.cn")
    tasks.mark_overdue_complaints()
    assert tasks.mark_overdue_complaints() == 0
    assert len(mailoutbox) == 1


def test_overdue_job_without_a_regulator_email_flags_but_sends_nothing(overdue_complaint, regulator, mailoutbox):
    assert tasks.mark_overdue_complaints() == 1
    assert mailoutbox == []
    assert Complaint.objects.get(pk=overdue_complaint.pk).overdue is True


# --- the acceptance notice to the business ------------------------------------------------------------------------


def test_the_business_notice_emails_the_business_without_the_complainants_details(
        entity_a, business_a, business_b, regulator_client, mailoutbox, django_capture_on_commit_callbacks):
    business_a.email = "a@biz.example.cn"
    business_a.save()
    business_b.email = "b@biz.example.cn"
    business_b.save()
    UserFactory(username="a_former", role=UserRole.BUSINESS, email="old@biz.example.cn", entities=[entity_a],
                is_active=False)
    complaint = complaint_in(S.ACCEPTED, entity=entity_a, complainant_name="李四", complainant_phone="13800000000")

    with django_capture_on_commit_callbacks(execute=True):
        response = regulator_client.post(f"/api/v1/complaints/{complaint.pk}/business_notice/", {}, format="json")
    assert response.status_code == 200, response.content

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["a@biz.example.cn"]
    assert str(complaint.pk) in message.subject
    complaint.refresh_from_db()
    assert complaint.business_notice.number in message.body and "10 日内" in message.body
    for private in ("李四", "13800000000", complaint.tracking_code):
        assert private not in message.body and private not in message.subject


def test_acceptance_no_longer_emails_the_business(entity_a, business_a, regulator_client, mailoutbox,
                                                  django_capture_on_commit_callbacks):
    business_a.email = "a@biz.example.cn"
    business_a.save()
    complaint = complaint_in(S.SUBMITTED, entity=entity_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = regulator_client.post(f"/api/v1/complaints/{complaint.pk}/accept/", {}, format="json")
    assert response.status_code == 200
    assert mailoutbox == []


def test_a_notice_without_business_accounts_sends_nothing_and_succeeds(
        entity_a, regulator_client, mailoutbox, django_capture_on_commit_callbacks):
    complaint = complaint_in(S.ACCEPTED, entity=entity_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = regulator_client.post(f"/api/v1/complaints/{complaint.pk}/business_notice/", {}, format="json")
    assert response.status_code == 200
    assert mailoutbox == []


def test_no_notice_is_sent_when_it_fails(entity_a, business_a, regulator_client, mailoutbox,
                                         django_capture_on_commit_callbacks):
    business_a.email = "a@biz.example.cn"
    business_a.save()
    complaint = complaint_in(S.CLOSED, entity=entity_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = regulator_client.post(f"/api/v1/complaints/{complaint.pk}/business_notice/", {}, format="json")
    assert response.status_code == 409
    assert callbacks == [] and mailoutbox == []


# --- the monthly draw -----------------------------------------------------------------------------------------


def test_monthly_draw_makes_one_plan_per_prefecture_and_is_idempotent(entity_a, entity_taiyuan):
    EntityFactory(region_code="140902")
    created = tasks.draw_monthly_inspection_plans()
    plans = InspectionPlan.objects.filter(pk__in=created)
    assert sorted(plans.values_list("region_prefix", flat=True)) == ["1401", "1408", "1409"]
    assert {plan.month for plan in plans} == {today().replace(day=1)}
    assert tasks.draw_monthly_inspection_plans() == []
    assert InspectionPlan.objects.count() == 3
