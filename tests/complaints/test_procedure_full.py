"""The complaint procedure in full (旅游投诉处理办法, issue 13 item 6), each rule on both sides of its boundary.

Acceptance review has three outcomes, each with its written notice to the complainant; the received date of a
letter or hotline work order is the staff's; the business notice has a delivery date and the business's reply
runs from it; mediation ends with a 调解书 or a 终止调解书. Article numbers are never asserted here: documents
are compared with ``cite(key)``, whose texts are verified in the catalogue.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from complaints import services, tasks
from complaints.documents import complaint_documents
from complaints.models import Complaint, ComplaintEvent
from config.api.exceptions import ConflictError
from core.citations import cite
from core.models import UserRole
from core.workdays import add_working_days
from tests.support import api_client, complaint_in, today
from tests.support.factories import UserFactory

from .conftest import S

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = datetime.timedelta(days=1)
COMPLAINANT, PHONE = "李四", "13800000000"


def url(complaint: Complaint, action: str) -> str:
    return f"/api/v1/complaints/{complaint.pk}/{action}/"


def texts(document) -> str:
    return " ".join(f"{s['heading']} {s['text']}" for s in document.content) + document.recipient


def letter(client, entity, *, received_on, incident_date=None, channel="letter"):
    return client.post("/api/v1/complaints/", {
        "entity": entity.pk, "category": "contract", "description": "行程缩水", "channel": channel,
        "complainant_name": COMPLAINANT, "complainant_phone": PHONE,
        "incident_date": str(incident_date or received_on - 2 * DAY), "received_on": str(received_on),
    }, format="json")


# --- the received date ----------------------------------------------------------------------------------------


def test_staff_enter_a_letter_received_days_ago_and_the_accept_deadline_runs_from_receipt(entity_a, regulator_client):
    received = today() - 3 * DAY
    response = letter(regulator_client, entity_a, received_on=received)
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(pk=response.json()["id"])
    assert complaint.received_on == received
    assert complaint.accept_due == add_working_days(received, 5)


@pytest.mark.parametrize(("offset", "status"), [(0, 201), (1, 400)], ids=["today", "tomorrow"])
def test_received_on_today_is_taken_tomorrow_is_400_naming_received_on(offset, status, entity_a, inspector_client):
    response = letter(inspector_client, entity_a, received_on=today() + offset * DAY,
                      incident_date=today() - 5 * DAY)
    assert response.status_code == status, response.content
    if status == 400:
        assert "received_on" in response.json()
        assert not Complaint.objects.exists()


@pytest.mark.parametrize(("before_incident", "status"), [(0, 201), (1, 400)], ids=["incident-day", "day-before"])
def test_received_on_the_incident_date_is_taken_the_day_before_is_400(before_incident, status, entity_a,
                                                                      regulator_client):
    incident = today() - 10 * DAY
    response = letter(regulator_client, entity_a, received_on=incident - before_incident * DAY,
                      incident_date=incident)
    assert response.status_code == status, response.content
    if status == 400:
        assert "received_on" in response.json() and "incident_date" not in response.json()


@pytest.mark.parametrize("channel", ["hotline_12345", "hotline_12301", "letter"])
def test_every_staff_channel_takes_a_received_date(channel, entity_a, regulator_client):
    response = letter(regulator_client, entity_a, received_on=today() - 2 * DAY, channel=channel)
    assert response.status_code == 201, response.content


def test_a_web_complaint_keeps_todays_date(entity_a, regulator_client):
    response = letter(regulator_client, entity_a, received_on=today() - 2 * DAY, channel="web")
    assert response.status_code == 400 and "received_on" in response.json()


def test_the_public_cannot_backdate_its_complaint(entity_a, anon_client):
    response = letter(anon_client, entity_a, received_on=today() - 2 * DAY)
    assert response.status_code == 400 and "received_on" in response.json()
    assert letter(anon_client, entity_a, received_on=today()).status_code == 201  # today is today


def test_the_90_days_count_to_the_received_date(entity_a, regulator):
    received = D(2026, 4, 1)
    kept = services.complaint_file(entity=entity_a, category="contract", description="x", channel="letter",
                                   incident_date=received - 90 * DAY, received_on=received, actor=regulator,
                                   today=D(2026, 4, 8))
    late = services.complaint_file(entity=entity_a, category="contract", description="x", channel="letter",
                                   incident_date=received - 91 * DAY, received_on=received, actor=regulator,
                                   today=D(2026, 4, 8))
    assert (kept.status, late.status, late.rejection_ground) == (S.SUBMITTED, S.REJECTED, "late_filing")
    [notice] = complaint_documents(late.pk)
    assert notice.kind == "complaint_rejection" and cite("complaint.late_filing", on=D(2026, 4, 8)) in texts(notice)


# --- acceptance review: accept, reject, transfer, each with its notice -----------------------------------------


def test_acceptance_issues_the_acceptance_notice_to_the_complainant(complaint_factory, regulator_client):
    complaint = complaint_factory(S.SUBMITTED, complainant_name=COMPLAINANT, complainant_phone=PHONE)
    assert regulator_client.post(url(complaint, "accept"), {}, format="json").status_code == 200
    [notice] = complaint_documents(complaint.pk)
    assert notice.kind == "complaint_acceptance" and notice.number.startswith("运盐文旅诉受〔")
    assert notice.issued_on == today() and cite("complaint.accept_deadline") in texts(notice)
    assert COMPLAINANT not in texts(notice) and PHONE not in texts(notice)
    assert str(complaint.pk) in notice.recipient


@pytest.mark.parametrize("ground", ["late_filing", "pending_elsewhere", "decided_before", "outside_remit",
                                    "not_a_complaint"])
def test_each_ground_of_rejection_cites_its_own_article(ground, complaint_factory, regulator_client):
    complaint = complaint_factory(S.SUBMITTED)
    response = regulator_client.post(url(complaint, "reject"), {"ground": ground, "reason": "详见说明"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["rejection_ground"], body["rejection_reason"]) == ("rejected", ground, "详见说明")
    [notice] = complaint_documents(complaint.pk)
    key = {"not_a_complaint": "complaint.not_complaint"}.get(ground, f"complaint.{ground}")
    assert notice.kind == "complaint_rejection" and cite(key) in texts(notice) and "详见说明" in texts(notice)


def test_a_ground_alone_is_enough_and_the_reason_is_its_words(complaint_factory, regulator_client):
    complaint = complaint_factory(S.SUBMITTED)
    body = regulator_client.post(url(complaint, "reject"), {"ground": "outside_remit"}, format="json").json()
    assert body["rejection_reason"] == "不属于本机关职责范围或者管辖范围"


def test_the_old_reject_body_still_works_and_cites_the_grounds_in_general(complaint_factory, regulator_client):
    complaint = complaint_factory(S.SUBMITTED)
    response = regulator_client.post(url(complaint, "reject"), {"reason": "已向法院起诉"}, format="json")
    assert response.status_code == 200
    assert response.json()["rejection_ground"] == ""
    [notice] = complaint_documents(complaint.pk)
    assert cite("complaint.reject_grounds") in texts(notice)


def test_an_unknown_ground_is_400_naming_ground_and_changes_nothing(complaint_factory, regulator_client):
    complaint = complaint_factory(S.SUBMITTED)
    response = regulator_client.post(url(complaint, "reject"), {"ground": "bored", "reason": "x"}, format="json")
    assert response.status_code == 400 and "ground" in response.json()
    assert Complaint.objects.get(pk=complaint.pk).status == S.SUBMITTED
    assert not complaint_documents(complaint.pk).exists()


def test_transfer_names_the_department_and_the_complainant_is_told(complaint_factory, regulator_client):
    complaint = complaint_factory(S.SUBMITTED)
    response = regulator_client.post(url(complaint, "transfer"), {
        "department": "运城市市场监督管理局", "department_contact": "0359-12315", "reason": "涉及商品质量"},
        format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["transferred_to"], body["transferred_contact"], body["transferred_on"]) == (
        "transferred", "运城市市场监督管理局", "0359-12315", str(today()))
    [notice] = complaint_documents(complaint.pk)
    assert notice.kind == "complaint_transfer" and "运城市市场监督管理局" in texts(notice)
    assert cite("complaint.transfer") in texts(notice)
    event = ComplaintEvent.objects.filter(complaint=complaint).latest("id")
    assert event.action == "transfer" and "运城市市场监督管理局" in event.reason


def test_transfer_without_a_department_is_400_naming_department(complaint_factory, regulator_client):
    complaint = complaint_factory(S.SUBMITTED)
    for body in ({}, {"department": "  "}):
        response = regulator_client.post(url(complaint, "transfer"), body, format="json")
        assert response.status_code == 400 and "department" in response.json()
    assert Complaint.objects.get(pk=complaint.pk).status == S.SUBMITTED


def test_a_transferred_complaint_is_finished_here(complaint_factory, regulator_client):
    complaint = complaint_factory(S.TRANSFERRED)
    for action in ("accept", "reject", "transfer", "withdraw"):
        body = {"reason": "x", "department": "y"}
        assert regulator_client.post(url(complaint, action), body, format="json").status_code == 409, action


def test_a_notice_needs_an_issuing_authority(entity_a, regulator_client):
    from core.models import Authority

    complaint = complaint_in(S.SUBMITTED, entity=entity_a)
    Authority.objects.all().delete()
    response = regulator_client.post(url(complaint, "accept"), {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "no_authority"
    assert Complaint.objects.get(pk=complaint.pk).status == S.SUBMITTED  # the acceptance rolled back with it


# --- the business notice: issued within 5 working days, its reply 10 days after delivery ------------------------


ACCEPTED_ON = D(2026, 3, 2)  # a Monday: notify_due 2026-03-09


@pytest.fixture
def accepted(entity_a, regulator):
    complaint = complaint_in(S.SUBMITTED, entity=entity_a, received_on=ACCEPTED_ON - DAY)
    return services.complaint_accept(complaint_id=complaint.pk, actor=regulator, today=ACCEPTED_ON)


def test_the_business_is_not_notified_at_acceptance(accepted):
    assert accepted.notify_due == D(2026, 3, 9)
    assert (accepted.business_notice, accepted.business_notified_on, accepted.reply_due) == (None, None, None)


@pytest.mark.parametrize(("day", "flagged"), [(D(2026, 3, 9), False), (D(2026, 3, 10), True)],
                         ids=["due-day", "day-after"])
def test_a_notice_not_issued_by_its_due_date_is_flagged_the_day_after(day, flagged, accepted):
    result = services.complaints_flag_overdue(today=day)
    assert ("notice_overdue" in result.get(accepted.pk, [])) is flagged
    assert Complaint.objects.get(pk=accepted.pk).notice_overdue is flagged


def test_a_notice_issued_late_is_recorded_as_late(accepted, regulator):
    on_time = services.complaint_notify_business(complaint_id=accepted.pk, actor=regulator, today=D(2026, 3, 9))
    assert on_time.notice_overdue is False
    other = complaint_in(S.SUBMITTED, entity=accepted.entity, received_on=ACCEPTED_ON - DAY)
    services.complaint_accept(complaint_id=other.pk, actor=regulator, today=ACCEPTED_ON)
    late = services.complaint_notify_business(complaint_id=other.pk, actor=regulator, today=D(2026, 3, 10))
    assert late.notice_overdue is True


def test_the_notice_is_issued_once_and_only_while_handled(accepted, regulator, entity_a):
    services.complaint_notify_business(complaint_id=accepted.pk, actor=regulator, today=ACCEPTED_ON)
    with pytest.raises(ConflictError):
        services.complaint_notify_business(complaint_id=accepted.pk, actor=regulator, today=ACCEPTED_ON)
    submitted = complaint_in(S.SUBMITTED, entity=entity_a)
    with pytest.raises(ConflictError):
        services.complaint_notify_business(complaint_id=submitted.pk, actor=regulator)


def test_the_notice_says_what_the_business_must_do_and_cites_its_article(accepted, regulator):
    complaint = services.complaint_notify_business(complaint_id=accepted.pk, actor=regulator, today=ACCEPTED_ON)
    notice = complaint.business_notice
    assert notice.kind == "complaint_business_notice" and notice.recipient == accepted.entity.name
    assert "10 日内" in texts(notice) and cite("complaint.business_notice", on=ACCEPTED_ON) in texts(notice)
    assert complaint.events.filter(action="business_notice", reason__contains=notice.number).exists()


def test_delivery_recorded_on_the_document_sets_the_reply_deadline(accepted, regulator, regulator_client):
    complaint = services.complaint_notify_business(complaint_id=accepted.pk, actor=regulator, today=ACCEPTED_ON)
    assert complaint.reply_due is None  # issued, not yet delivered
    response = regulator_client.post(f"/api/v1/documents/{complaint.business_notice_id}/delivery/",
                                     {"method": "post", "delivered_on": "2026-03-04"}, format="json")
    assert response.status_code == 200, response.content
    complaint.refresh_from_db()
    assert (complaint.business_notified_on, complaint.reply_due) == (D(2026, 3, 4), D(2026, 3, 14))
    event = complaint.events.get(action="business_notice_served")
    assert complaint.business_notice.number in event.reason


@pytest.mark.parametrize(("day", "flagged"), [(D(2026, 3, 14), False), (D(2026, 3, 15), True)],
                         ids=["day-10", "day-11"])
def test_the_reply_is_overdue_from_day_11_after_delivery(day, flagged, accepted, regulator):
    services.complaint_notify_business(complaint_id=accepted.pk, actor=regulator, today=D(2026, 3, 4),
                                       delivery_method="direct", delivered_on=D(2026, 3, 4))
    result = services.complaints_flag_overdue(today=day)
    assert ("reply_overdue" in result.get(accepted.pk, [])) is flagged
    complaint = Complaint.objects.get(pk=accepted.pk)
    assert complaint.reply_overdue is flagged
    assert complaint.events.filter(action="reply_overdue").exists() is flagged


def test_a_reply_received_in_time_is_never_flagged(entity_a, regulator, business_a):
    complaint = complaint_in(S.ACCEPTED, entity=entity_a)
    services.complaint_notify_business(complaint_id=complaint.pk, actor=regulator, delivery_method="electronic",
                                       delivered_on=today())
    services.complaint_respond(complaint_id=complaint.pk, actor=business_a, statement="已退款")
    assert services.complaints_flag_overdue(today=today() + 11 * DAY).get(complaint.pk, []) == []
    assert Complaint.objects.get(pk=complaint.pk).reply_overdue is False


def test_a_late_reply_is_recorded_as_late(entity_a, regulator, business_a):
    complaint = complaint_in(S.ACCEPTED, entity=entity_a, received_on=today() - 20 * DAY)
    services.complaint_notify_business(complaint_id=complaint.pk, actor=regulator, today=today() - 20 * DAY,
                                       delivery_method="direct", delivered_on=today() - 20 * DAY)
    complaint = services.complaint_respond(complaint_id=complaint.pk, actor=business_a, statement="迟到的答复")
    assert complaint.reply_overdue is True


def test_an_immediate_delivery_without_a_date_is_400_naming_delivered_on(accepted, regulator_client):
    response = regulator_client.post(url(accepted, "business_notice"), {"delivery_method": "post"}, format="json")
    assert response.status_code == 400 and "delivered_on" in response.json()
    assert Complaint.objects.get(pk=accepted.pk).business_notice is None  # nothing issued either


def test_the_overdue_job_emails_the_regulators_which_deadline_passed(accepted, regulator, mailoutbox):
    UserFactory(username="reg_yc", role=UserRole.REGULATOR, email="yc@example.cn", region_codes=["1408"])
    services.complaint_notify_business(complaint_id=accepted.pk, actor=regulator, today=D(2026, 3, 4),
                                       delivery_method="direct", delivered_on=D(2026, 3, 4))
    assert tasks.mark_overdue_complaints(today="2026-03-15") == 1
    [message] = mailoutbox
    assert message.to == ["yc@example.cn"] and "2026-03-14" in message.body and "书面答复" in message.body
    assert tasks.mark_overdue_complaints(today="2026-03-16") == 0  # once


# --- mediation ----------------------------------------------------------------------------------------------


def test_mediated_needs_the_agreement_signed_by_both(complaint_factory, regulator_client):
    complaint = complaint_factory(S.INVESTIGATING)
    refused = regulator_client.post(url(complaint, "resolve"), {"outcome": "mediated", "reason": "和解"},
                                    format="json")
    assert refused.status_code == 400 and "outcome" in refused.json()
    agreed = regulator_client.post(url(complaint, "mediation"), {
        "result": "agreement", "terms": "旅行社退还 800 元", "complainant_signed_on": str(today()),
        "respondent_signed_on": str(today())}, format="json")
    assert agreed.status_code == 200, agreed.content
    assert agreed.json()["mediation_result"] == "agreement"
    document = Complaint.objects.get(pk=complaint.pk).mediation_document
    assert document.kind == "mediation_agreement" and "旅行社退还 800 元" in texts(document)
    assert cite("complaint.mediation") in texts(document)
    resolved = regulator_client.post(url(complaint, "resolve"), {"outcome": "mediated", "reason": "和解"},
                                     format="json")
    assert resolved.status_code == 200 and resolved.json()["outcome"] == "mediated"


@pytest.mark.parametrize("missing", ["terms", "complainant_signed_on", "respondent_signed_on"])
def test_an_agreement_without_terms_or_a_signature_is_400_naming_it(missing, complaint_factory, regulator_client):
    complaint = complaint_factory(S.INVESTIGATING)
    body = {"result": "agreement", "terms": "退款", "complainant_signed_on": str(today()),
            "respondent_signed_on": str(today())}
    body.pop(missing)
    response = regulator_client.post(url(complaint, "mediation"), body, format="json")
    assert response.status_code == 400 and missing in response.json()
    assert Complaint.objects.get(pk=complaint.pk).mediation_result == ""


@pytest.mark.parametrize(("offset", "status"), [(0, 200), (1, 400)], ids=["today", "tomorrow"])
def test_a_signature_is_not_dated_in_the_future(offset, status, complaint_factory, regulator_client):
    complaint = complaint_factory(S.INVESTIGATING)
    response = regulator_client.post(url(complaint, "mediation"), {
        "result": "agreement", "terms": "退款", "complainant_signed_on": str(today()),
        "respondent_signed_on": str(today() + offset * DAY)}, format="json")
    assert response.status_code == status


def test_termination_needs_a_reason_and_ends_mediation_once(complaint_factory, regulator_client):
    complaint = complaint_factory(S.ACCEPTED)
    assert regulator_client.post(url(complaint, "mediation"), {"result": "termination"},
                                 format="json").status_code == 400
    response = regulator_client.post(url(complaint, "mediation"), {"result": "termination",
                                                                   "reason": "经营者拒绝调解"}, format="json")
    assert response.status_code == 200
    assert Complaint.objects.get(pk=complaint.pk).mediation_document.kind == "mediation_termination"
    again = regulator_client.post(url(complaint, "mediation"), {"result": "termination", "reason": "再次"},
                                  format="json")
    assert again.status_code == 409


def test_mediation_is_refused_before_acceptance(complaint_factory, regulator):
    complaint = complaint_factory(S.SUBMITTED)
    with pytest.raises(ConflictError):
        services.complaint_mediation_terminate(complaint_id=complaint.pk, reason="x", actor=regulator)


# --- documents: who reads them, history in words ------------------------------------------------------------


def test_the_business_reads_the_documents_of_its_complaint_others_do_not(complaint_factory, business_a, business_b,
                                                                        inspector_taiyuan, regulator):
    complaint = complaint_factory(S.ACCEPTED, complainant_name=COMPLAINANT, complainant_phone=PHONE)
    services.complaint_notify_business(complaint_id=complaint.pk, actor=regulator)
    mine = api_client(business_a).get(url(complaint, "documents"))
    assert mine.status_code == 200
    assert {row["kind"] for row in mine.json()} == {"complaint_acceptance", "complaint_business_notice"}
    assert COMPLAINANT not in mine.content.decode() and PHONE not in mine.content.decode()
    assert api_client(business_b).get(url(complaint, "documents")).status_code == 404
    assert api_client(inspector_taiyuan).get(url(complaint, "documents")).status_code == 404
    generic = api_client(business_a).get("/api/v1/documents/", {"about_type": "complaint"}).json()
    assert generic["count"] == 2
    assert api_client(business_b).get("/api/v1/documents/", {"about_type": "complaint"}).json()["count"] == 0


def test_the_tracking_view_shows_the_complainants_notices_only(complaint_factory, regulator, anon_client):
    complaint = complaint_factory(S.ACCEPTED, complainant_name=COMPLAINANT)
    services.complaint_notify_business(complaint_id=complaint.pk, actor=regulator)
    body = anon_client.get(f"/api/v1/complaints/track/{complaint.tracking_code}/").json()
    assert [row["kind"] for row in body["documents"]] == ["complaint_acceptance"]
    assert body["documents"][0]["number"] and body["documents"][0]["content"]
    assert COMPLAINANT not in repr(body)


def test_every_step_is_in_the_history_in_words(complaint_factory, regulator, business_a):
    from complaints.transitions import ACTION_LABELS

    complaint = complaint_factory(S.ACCEPTED)
    services.complaint_notify_business(complaint_id=complaint.pk, actor=regulator, delivery_method="direct",
                                       delivered_on=today())
    services.complaint_respond(complaint_id=complaint.pk, actor=business_a, statement="已退款")
    services.complaint_mediation_agree(complaint_id=complaint.pk, actor=regulator, terms="退款",
                                       complainant_signed_on=today(), respondent_signed_on=today())
    actions = list(complaint.events.order_by("id").values_list("action", flat=True))
    assert actions == ["file", "accept", "business_notice", "business_notice_served", "respond",
                       "mediation_agreement"]
    assert all(action in ACTION_LABELS for action in actions)


def test_a_service_refuses_bad_input_with_the_field_named(complaint_factory, regulator):
    complaint = complaint_factory(S.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        services.complaint_transfer(complaint_id=complaint.pk, department="", actor=regulator)
    assert "department" in refused.value.message_dict


# --- the scenario of the issue ----------------------------------------------------------------------------------


def test_a_letter_received_3_days_before_entry_one_transferred_one_accepted_and_its_reply_overdue_after_day_10(
        entity_a, regulator, regulator_client, mailoutbox):
    regulator.email = "reg@example.cn"
    regulator.save()
    received = today() - 3 * DAY

    # a letter received 3 days before it was typed in: its acceptance deadline runs from receipt
    transferred = letter(regulator_client, entity_a, received_on=received).json()
    assert transferred["received_on"] == str(received)
    assert transferred["accept_due"] == str(add_working_days(received, 5))

    # transferred to 市场监管局: the 转办告知书 is on the complainant's tracking page
    response = regulator_client.post(f"/api/v1/complaints/{transferred['id']}/transfer/",
                                     {"department": "运城市市场监督管理局"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "transferred"
    [transfer_notice] = complaint_documents(transferred["id"])
    page = Client().get(f"/complaints/track/{transferred['tracking_code']}/").content.decode()
    assert "旅游投诉转办告知书" in page and transfer_notice.number in page and "运城市市场监督管理局" in page
    assert COMPLAINANT not in page and PHONE not in page

    # another accepted, its business notice issued and delivered today
    accepted = letter(regulator_client, entity_a, received_on=received).json()
    assert regulator_client.post(f"/api/v1/complaints/{accepted['id']}/accept/", {}, format="json").status_code == 200
    notice = regulator_client.post(f"/api/v1/complaints/{accepted['id']}/business_notice/",
                                   {"delivery_method": "direct", "delivered_on": str(today())}, format="json")
    assert notice.status_code == 200, notice.content
    assert (notice.json()["business_notified_on"], notice.json()["reply_due"]) == (
        str(today()), str(today() + 10 * DAY))

    # the hourly job: nothing on day 10 after delivery, the reply flagged (and the regulator told) on day 11
    assert tasks.mark_overdue_complaints(today=str(today() + 10 * DAY)) == 0
    assert tasks.mark_overdue_complaints(today=str(today() + 11 * DAY)) == 1
    complaint = Complaint.objects.get(pk=accepted["id"])
    assert complaint.reply_overdue is True and complaint.notice_overdue is False
    [message] = mailoutbox
    assert str(accepted["id"]) in message.subject and COMPLAINANT not in message.body
