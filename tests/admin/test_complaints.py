"""Complaints and inspections in the admin: handling steps through complaints.services, records read-only."""

from __future__ import annotations

import datetime

import pytest
from django.forms.models import model_to_dict

from complaints import services
from complaints.documents import complaint_documents
from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    Finding,
    InspectionPlan,
    ViolationType,
)
from core.citations import cite
from core.workdays import add_working_days
from tests.complaints.citations import ensure_complaint_citations
from tests.support import complaint_in, today
from tests.support.factories import EntityFactory, PersonFactory

from .conftest import act, admin_url, messages_of, results

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _complaint_citations(db):
    ensure_complaint_citations()


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
    assert complaint.reply_due is None  # runs from the business notice's delivery
    event = complaint.events.get(action="accept")
    assert (event.from_status, event.to_status, event.actor) == ("submitted", "accepted", staff_regulator)
    assert [d.kind for d in complaint_documents(complaint.pk)] == ["complaint_acceptance"]


def test_reject_asks_for_the_reason_first(admin_client, entity):
    complaint = complaint_in(entity=entity)
    before = snapshot(complaint)
    page = act(admin_client, Complaint, "complaint_reject", [complaint])
    assert [t.name for t in page.templates][0] == "admin/transition_confirmation.html"
    assert snapshot(complaint) == before
    again = act(admin_client, Complaint, "complaint_reject", [complaint], {"reason": "已向法院起诉"})
    assert [t.name for t in again.templates][0] == "admin/transition_confirmation.html"  # the ground is asked for
    assert snapshot(complaint) == before
    act(admin_client, Complaint, "complaint_reject", [complaint], {"ground": "pending_elsewhere",
                                                                  "reason": "已向法院起诉"})
    complaint.refresh_from_db()
    assert (complaint.status, complaint.rejection_ground, complaint.rejection_reason) == (
        ComplaintStatus.REJECTED, "pending_elsewhere", "已向法院起诉")
    [notice] = complaint_documents(complaint.pk)
    assert notice.kind == "complaint_rejection"
    assert cite("complaint.pending_elsewhere") in str(notice.content)


def test_resolve_records_the_outcome(admin_client, entity):
    complaint = complaint_in("investigating", entity=entity)
    refused = act(admin_client, Complaint, "complaint_resolve", [complaint],
                  {"outcome": "mediated", "reason": "双方达成调解"})
    assert any("调解书" in message for message in messages_of(refused))
    assert Complaint.objects.get(pk=complaint.pk).status == "investigating"
    act(admin_client, Complaint, "complaint_mediation_agreement", [complaint], {
        "terms": "旅行社退还购物款 800 元", "complainant_signed_on": str(today()), "respondent_signed_on": str(today())})
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


def test_transfer_names_the_department_and_issues_the_transfer_notice(admin_client, entity):
    complaint = complaint_in(entity=entity)
    act(admin_client, Complaint, "complaint_transfer", [complaint],
        {"department": "运城市市场监督管理局", "contact": "0359-12315"})
    complaint.refresh_from_db()
    assert (complaint.status, complaint.transferred_to, complaint.transferred_on) == (
        "transferred", "运城市市场监督管理局", today())
    [notice] = complaint_documents(complaint.pk)
    assert notice.kind == "complaint_transfer" and "0359-12315" in str(notice.content)


def test_the_business_notice_is_issued_and_delivered_from_the_complaint(admin_client, entity):
    complaint = complaint_in("accepted", entity=entity)
    page = admin_client.get(admin_url(Complaint, "change", complaint.pk)).content.decode()
    assert 'value="发出答复通知书"' in page and 'value="登记答复通知书送达"' not in page
    act(admin_client, Complaint, "complaint_business_notice", [complaint], {"delivery_method": ""})
    complaint.refresh_from_db()
    assert complaint.business_notice is not None and complaint.reply_due is None
    act(admin_client, Complaint, "complaint_notice_delivery", [complaint],
        {"method": "post", "delivered_on": str(today())})
    complaint.refresh_from_db()
    assert (complaint.business_notified_on, complaint.reply_due) == (today(), today() + datetime.timedelta(days=10))
    assert complaint.events.filter(action="business_notice_served").exists()


def test_the_change_page_links_every_document_for_printing(admin_client, entity):
    complaint = complaint_in("accepted", entity=entity)
    [notice] = complaint_documents(complaint.pk)
    page = admin_client.get(admin_url(Complaint, "change", complaint.pk)).content.decode()
    html_url = admin_url(type(notice), "html", notice.pk)
    assert notice.number in page and html_url in page
    printed = admin_client.get(html_url)
    assert printed.status_code == 200 and notice.number in printed.content.decode()


def test_termination_of_mediation_issues_its_document(admin_client, entity):
    complaint = complaint_in("investigating", entity=entity)
    act(admin_client, Complaint, "complaint_mediation_termination", [complaint], {"reason": "经营者拒绝调解"})
    complaint.refresh_from_db()
    assert complaint.mediation_result == "termination"
    assert complaint.mediation_document.kind == "mediation_termination"


def test_an_unregistered_operator_is_linked_to_the_registry_record(admin_client, entity):
    complaint = services.complaint_file(category="unlicensed", description="无证经营一日游", respondent_kind="operator",
                                        operator_name="盐湖某某农家乐", region_code="140802",
                                        incident_date=today() - datetime.timedelta(days=2))
    page = admin_client.get(admin_url(Complaint, "change", complaint.pk)).content.decode()
    assert 'value="关联登记的被投诉人"' in page
    assert results(admin_client.get(admin_url(Complaint), {"q": "某某农家乐"})) == [complaint]
    assert results(admin_client.get(admin_url(Complaint), {"region": "1408"})) == [complaint]
    act(admin_client, Complaint, "complaint_link_respondent", [complaint], {"credit_code": entity.credit_code})
    complaint.refresh_from_db()
    assert (complaint.entity, complaint.respondent_kind) == (entity, "entity")
    assert entity.credit_code in complaint.events.get(action="link_respondent").reason


def test_a_person_complaint_is_linked_to_a_registered_person(admin_client):
    person = PersonFactory(name="王导")
    complaint = services.complaint_file(category="forced_shopping", description="导游强迫购物",
                                        person_name="王导", person_role="guide", region_code="140800",
                                        incident_date=today() - datetime.timedelta(days=2))
    act(admin_client, Complaint, "complaint_link_respondent", [complaint], {"person_id": str(person.pk)})
    complaint.refresh_from_db()
    assert (complaint.person, complaint.respondent_kind, complaint.entity) == (person, "person", None)
