"""The 90-day rule (旅游投诉处理办法 第十条) and the regulator's override of it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from complaints import services
from complaints.models import Complaint, ComplaintEvent, ComplaintStatus
from tests.support import api_client, complaint_in, today

from .conftest import S

pytestmark = pytest.mark.django_db

D = datetime.date


def file_through_api(client, entity, incident_date: datetime.date):
    return client.post("/api/v1/complaints/", {
        "entity": entity.pk, "category": "contract", "description": "行程缩水",
        "complainant_name": "王五", "complainant_phone": "13900000000", "incident_date": str(incident_date),
    }, format="json")


def test_incident_90_days_before_receipt_is_accepted_as_submitted(anon_client, entity_a):
    response = file_through_api(anon_client, entity_a, today() - datetime.timedelta(days=90))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert body["rejection_reason"] == ""
    assert Complaint.objects.get(pk=body["id"]).late_filing is False


def test_incident_91_days_before_receipt_is_rejected_with_the_reason(anon_client, entity_a):
    response = file_through_api(anon_client, entity_a, today() - datetime.timedelta(days=91))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "rejected"
    assert "90" in body["rejection_reason"]
    complaint = Complaint.objects.get(pk=body["id"])
    assert complaint.late_filing is True
    events = list(ComplaintEvent.objects.filter(complaint=complaint).values_list("action", "to_status"))
    assert events == [("file", "rejected"), ("reject", "rejected")]
    # the public tracking view tells the complainant why
    track = anon_client.get(f"/api/v1/complaints/track/{body['tracking_code']}/").json()
    assert track["status"] == "rejected" and "90" in track["rejection_reason"]


@pytest.mark.parametrize(("received_on", "status"), [
    (D(2026, 4, 1), S.SUBMITTED),   # 2026-01-01 + 90 days
    (D(2026, 4, 2), S.REJECTED),    # 91 days
])
def test_90_day_boundary_counts_calendar_days(received_on, status, entity_a):
    complaint = services.complaint_file(entity=entity_a, category="contract", description="x",
                                        incident_date=D(2026, 1, 1), today=received_on)
    assert complaint.status == status


def test_incident_date_in_the_future_is_400_naming_incident_date(anon_client, entity_a):
    response = file_through_api(anon_client, entity_a, today() + datetime.timedelta(days=1))
    assert response.status_code == 400
    assert "incident_date" in response.json()
    assert not Complaint.objects.exists()


def test_regulator_override_moves_a_late_complaint_back_to_submitted_and_it_can_be_accepted(
        entity_a, regulator_client):
    complaint = services.complaint_file(entity=entity_a, category="contract", description="x",
                                        incident_date=today() - datetime.timedelta(days=120))
    assert complaint.status == S.REJECTED

    response = regulator_client.post(f"/api/v1/complaints/{complaint.pk}/override_late_filing/",
                                     {"reason": "投诉人住院，有正当理由"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert body["late_filing_overridden"] is True
    assert body["rejection_reason"] == ""
    event = ComplaintEvent.objects.filter(complaint=complaint).latest("id")
    assert (event.action, event.from_status, event.to_status) == ("override_late_filing", "rejected", "submitted")
    assert event.reason == "投诉人住院，有正当理由"

    accepted = regulator_client.post(f"/api/v1/complaints/{complaint.pk}/accept/", {}, format="json")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"


def test_override_restarts_the_five_working_days_to_accept(entity_a, regulator):
    complaint = services.complaint_file(entity=entity_a, category="contract", description="x",
                                        incident_date=D(2025, 10, 1), today=D(2026, 2, 2))
    assert complaint.status == S.REJECTED
    complaint = services.complaint_override_late_filing(complaint_id=complaint.pk, actor=regulator, reason="有正当理由", today=D(2026, 2, 13))
    assert complaint.accept_due == D(2026, 2, 27)


def test_override_without_reason_is_400_naming_reason(entity_a, regulator_client):
    complaint = complaint_in(S.REJECTED, entity=entity_a, late=True)
    before = Complaint.objects.values().get(pk=complaint.pk)
    response = regulator_client.post(f"/api/v1/complaints/{complaint.pk}/override_late_filing/", {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert Complaint.objects.values().get(pk=complaint.pk) == before


def test_inspector_cannot_override_the_90_day_rule(entity_a, inspector_client):
    complaint = complaint_in(S.REJECTED, entity=entity_a, late=True)
    before = Complaint.objects.values().get(pk=complaint.pk)
    response = inspector_client.post(f"/api/v1/complaints/{complaint.pk}/override_late_filing/",
                                     {"reason": "x"}, format="json")
    assert response.status_code == 403
    assert Complaint.objects.values().get(pk=complaint.pk) == before


def test_inspector_cannot_override_even_through_the_service(entity_a, inspector):
    complaint = complaint_in(S.REJECTED, entity=entity_a, late=True)
    with pytest.raises(PermissionDenied):
        services.complaint_override_late_filing(complaint_id=complaint.pk, actor=inspector, reason="x")
    assert Complaint.objects.get(pk=complaint.pk).status == S.REJECTED


def test_override_of_a_rejection_for_another_reason_is_409(entity_a, regulator_client):
    complaint = complaint_in(S.REJECTED, entity=entity_a)
    before = Complaint.objects.values().get(pk=complaint.pk)
    response = regulator_client.post(f"/api/v1/complaints/{complaint.pk}/override_late_filing/",
                                     {"reason": "x"}, format="json")
    assert response.status_code == 409
    assert Complaint.objects.values().get(pk=complaint.pk) == before


def test_a_late_complaint_can_be_overridden_only_once(entity_a, regulator):
    complaint = complaint_in(S.REJECTED, entity=entity_a, late=True)
    services.complaint_override_late_filing(complaint_id=complaint.pk, actor=regulator, reason="有正当理由")
    services.complaint_reject(complaint_id=complaint.pk, actor=regulator, reason="已诉至法院")
    response = api_client(regulator).post(f"/api/v1/complaints/{complaint.pk}/override_late_filing/",
                                          {"reason": "再议"}, format="json")
    assert response.status_code == 409
    assert Complaint.objects.get(pk=complaint.pk).status == ComplaintStatus.REJECTED
