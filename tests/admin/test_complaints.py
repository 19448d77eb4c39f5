"""Complaints and inspections in the admin: handling steps through complaints.services, records read-only."""

from __future__ import annotations

import datetime

import pytest
from django.forms.models import model_to_dict

from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    Finding,
    InspectionPlan,
    ViolationType,
)
from core.workdays import add_working_days
from tests.support import complaint_in, today
from tests.support.factories import EntityFactory

from .conftest import act, admin_url, messages_of, results

pytestmark = pytest.mark.django_db


def snapshot(complaint: Complaint) -> dict:
    complaint.refresh_from_db()
    return {**model_to_dict(complaint), "updated_at": complaint.updated_at, "events": complaint.events.count()}


def test_accept_goes_through_the_service_with_deadlines_and_history(admin_client, staff_regulator, entity):
    complaint = complaint_in(entity=entity)
    response = act(admin_client, Complaint, "complaint_accept", [complaint])
    assert "「受理」已完成 1 条。" in messages_of(response)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACCEPTED
    assert complaint.accepted_on == today() and complaint.notify_due == add_working_days(today(), 5)
    assert complaint.reply_due == today() + datetime.timedelta(days=10)
    event = complaint.events.get(action="accept")
    assert (event.from_status, event.to_status, event.actor) == ("submitted", "accepted", staff_regulator)


def test_reject_asks_for_the_reason_first(admin_client, entity):
    complaint = complaint_in(entity=entity)
    before = snapshot(complaint)
    page = act(admin_client, Complaint, "complaint_reject", [complaint])
    assert [t.name for t in page.templates][0] == "admin/transition_confirmation.html"
    assert snapshot(complaint) == before
    act(admin_client, Complaint, "complaint_reject", [complaint], {"reason": "已向法院起诉"})
    complaint.refresh_from_db()
    assert (complaint.status, complaint.rejection_reason) == (ComplaintStatus.REJECTED, "已向法院起诉")


def test_resolve_records_the_outcome(admin_client, entity):
    complaint = complaint_in("investigating", entity=entity)
    act(admin_client, Complaint, "complaint_resolve", [complaint], {"outcome": "mediated", "reason": "双方达成调解"})
    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome, complaint.resolution) == ("resolved", "mediated", "双方达成调解")
    assert complaint.resolved_on == today()


def test_a_step_out_of_order_is_refused_and_changes_nothing(admin_client, entity):
    complaint = complaint_in(entity=entity)
    before = snapshot(complaint)
    response = act(admin_client, Complaint, "complaint_close", [complaint])
    assert messages_of(response) == [f"「归档」未执行——{complaint}：不能对状态为「已提交」的投诉执行「归档」。"]
    assert snapshot(complaint) == before


def test_a_late_complaint_may_be_taken_up_by_a_regulator_with_a_reason(admin_client, entity):
    late = complaint_in("rejected", entity=entity, late=True)
    assert (late.status, late.late_filing) == ("rejected", True)
    page = admin_client.get(admin_url(Complaint, "change", late.pk)).content.decode()
    assert 'value="超期决定受理"' in page and 'value="受理"' not in page
    act(admin_client, Complaint, "complaint_override_late_filing", [late], {"reason": "旅游者住院，延误投诉"})
    late.refresh_from_db()
    assert (late.status, late.late_filing_overridden) == ("submitted", True)
    assert late.accept_due == add_working_days(today(), 5)


def test_override_is_refused_for_a_complaint_rejected_for_another_reason(admin_client, entity):
    complaint = complaint_in("rejected", entity=entity)
    before = snapshot(complaint)
    assert 'value="超期决定受理"' not in admin_client.get(admin_url(Complaint, "change", complaint.pk)).content.decode()
    response = act(admin_client, Complaint, "complaint_override_late_filing", [complaint], {"reason": "试一试"})
    assert any("只有因超过 90 日被拒的投诉可以决定受理。" in message for message in messages_of(response))
    assert snapshot(complaint) == before


def test_the_regulator_sees_who_complained_and_cannot_edit_the_complaint(admin_client, entity):
    complaint = complaint_in(entity=entity)
    body = admin_client.get(admin_url(Complaint, "change", complaint.pk)).content.decode()
    assert "李四" in body and "13800000000" in body and complaint.tracking_code in body
    assert 'name="status"' not in body and 'name="_save"' not in body
    assert admin_client.post(admin_url(Complaint, "change", complaint.pk), {"status": "closed"}).status_code == 403
    assert admin_client.get(admin_url(Complaint, "add")).status_code == 403
    assert admin_client.post(admin_url(Complaint, "delete", complaint.pk), {"post": "yes"}).status_code == 403
    assert snapshot(complaint)["status"] == "submitted"


def test_complaints_are_found_by_tracking_code_entity_and_status(admin_client, entity):
    mine = complaint_in(entity=entity)
    other = complaint_in("accepted", entity=EntityFactory(name="太原市某某酒店", region_code="140105"))
    assert results(admin_client.get(admin_url(Complaint), {"q": mine.tracking_code})) == [mine]
    assert results(admin_client.get(admin_url(Complaint), {"q": "丙旅行社"})) == [mine]
    assert results(admin_client.get(admin_url(Complaint), {"q": str(other.pk)})) == [other]
    assert results(admin_client.get(admin_url(Complaint), {"status__exact": "accepted"})) == [other]
    assert results(admin_client.get(admin_url(Complaint), {"region": "1401"})) == [other]


def test_complaint_history_is_read_only(admin_client, entity):
    complaint = complaint_in(entity=entity)
    [event] = results(admin_client.get(admin_url(ComplaintEvent), {"q": str(complaint.pk)}))
    assert event.action == "file"
    assert results(admin_client.get(admin_url(ComplaintEvent), {"action": "file", "q": str(complaint.pk)})) == [event]
    assert admin_client.get(admin_url(ComplaintEvent, "add")).status_code == 403
    assert admin_client.post(admin_url(ComplaintEvent, "change", event.pk), {"reason": "改"}).status_code == 403
    assert admin_client.post(admin_url(ComplaintEvent, "delete", event.pk), {"post": "yes"}).status_code == 403


def test_rectification_goes_through_the_service_and_its_date_rules(admin_client, world):
    finding = world["finding"]
    response = act(admin_client, Finding, "finding_rectify", [finding],
                   {"rectified_on": str(today() + datetime.timedelta(days=3))})
    assert any("整改完成日期不能晚于今天。" in message for message in messages_of(response))
    finding.refresh_from_db()
    assert finding.rectified_on is None
    act(admin_client, Finding, "finding_rectify", [finding], {"rectified_on": str(today())})
    finding.refresh_from_db()
    assert finding.rectified_on == today()
    again = act(admin_client, Finding, "finding_rectify", [finding], {"rectified_on": str(today())})
    assert any(f"该问题已于 {today()} 整改完成。" in message for message in messages_of(again))
    assert results(admin_client.get(admin_url(Finding), {"rectified": "no"})) == []


def test_a_plan_is_published_once_and_verified_against_its_seed(admin_client, world):
    plan = world["plan"]
    act(admin_client, InspectionPlan, "plan_publish", [plan])
    plan.refresh_from_db()
    assert plan.published and plan.published_at is not None
    again = act(admin_client, InspectionPlan, "plan_publish", [plan])
    assert any("该计划已公开。" in message for message in messages_of(again))
    verified = act(admin_client, InspectionPlan, "plan_verify", [plan])
    assert f"{plan}：按记录的种子与总体重新抽取，结果一致。" in messages_of(verified)


def test_the_violation_catalogue_is_maintained_but_never_deleted(admin_client, world):
    response = admin_client.post(admin_url(ViolationType, "add"), {
        "code": "unsafe_bus", "name": "使用不合格旅游客车", "sector": "tourism", "default_severity": "serious",
        "legal_basis": "《旅游法》第五十条", "active": "on"})
    assert response.status_code == 302
    violation = ViolationType.objects.get(code="unsafe_bus")
    assert admin_client.post(admin_url(ViolationType, "delete", violation.pk), {"post": "yes"}).status_code == 403
    assert results(admin_client.get(admin_url(ViolationType), {"q": "旅游客车"})) == [violation]
