"""Status updates to the complainant (投诉进展通知): opt-in only, one message per change and channel, then erased."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from complaints import attachment_services, services, status_update_services
from complaints.models import ComplaintEvent
from complaints.status_updates import ComplaintNotification, ComplaintSubscription
from core import sms
from tests.support import api_client, page_client, today

pytestmark = pytest.mark.django_db

PHONE = "139 1234 5678"
EMAIL = "visitor@example.com"


@pytest.fixture(autouse=True)
def _backends(settings):
    settings.SMS_BACKEND = "core.sms.LocmemBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def file(entity, *, capture, **options):
    with capture(execute=True):
        return attachment_services.complaint_submit(
            entity=entity, category="price", description="房价与挂牌价不符，另收清洁费", incident_date=today(),
            complainant_name="王小明", complainant_phone=PHONE, **options)


def test_no_opt_in_no_message_and_no_contact_kept(entity_a, django_capture_on_commit_callbacks):
    complaint = file(entity_a, capture=django_capture_on_commit_callbacks)
    assert not ComplaintSubscription.objects.filter(complaint=complaint).exists()
    assert mail.outbox == [] and sms.outbox == []


def test_opting_in_sends_the_filing_confirmation_with_the_code(entity_a, django_capture_on_commit_callbacks):
    complaint = file(entity_a, capture=django_capture_on_commit_callbacks, notify_email=EMAIL, notify_sms=True)
    assert ComplaintSubscription.objects.get(complaint=complaint).phone == "13912345678"
    assert [message.to for message in mail.outbox] == [[EMAIL]]
    assert complaint.tracking_code in mail.outbox[0].subject and "已提交" in mail.outbox[0].subject
    assert [message.to for message in sms.outbox] == ["13912345678"]
    assert complaint.tracking_code in sms.outbox[0].body
    # no personal data, no complaint text in the messages
    for text in (mail.outbox[0].body, sms.outbox[0].body):
        assert "王小明" not in text and "清洁费" not in text


def test_one_message_per_transition_and_channel(entity_a, regulator, django_capture_on_commit_callbacks):
    complaint = file(entity_a, capture=django_capture_on_commit_callbacks, notify_email=EMAIL, notify_sms=True)
    mail.outbox.clear()
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_accept(complaint_id=complaint.pk, actor=regulator)
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1
    assert "已受理" in mail.outbox[0].subject and "已受理" in sms.outbox[0].body
    # a step that keeps the state (the business notice) is no status change: nothing is sent
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_notify_business(complaint_id=complaint.pk, actor=regulator)
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_start_investigation(complaint_id=complaint.pk, actor=regulator)
    assert len(mail.outbox) == 2 and len(sms.outbox) == 2


def test_sending_twice_sends_once(entity_a, regulator, django_capture_on_commit_callbacks):
    complaint = file(entity_a, capture=django_capture_on_commit_callbacks, notify_email=EMAIL)
    event = ComplaintEvent.objects.filter(complaint=complaint, action="file").get()
    assert len(mail.outbox) == 1
    assert status_update_services.notification_send(event_id=event.pk) == 0  # a retried task
    assert len(mail.outbox) == 1
    assert ComplaintNotification.objects.filter(event=event, channel="email", sent_at__isnull=False).count() == 1


def test_a_failed_send_is_retried_later(entity_a, django_capture_on_commit_callbacks, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("SMS gateway down")

    monkeypatch.setattr(sms.LocmemBackend, "send_messages", down)
    complaint = file(entity_a, capture=django_capture_on_commit_callbacks, notify_sms=True)
    event = ComplaintEvent.objects.get(complaint=complaint, action="file")
    assert not ComplaintNotification.objects.filter(event=event, sent_at__isnull=False).exists()
    monkeypatch.undo()
    assert status_update_services.notification_send(event_id=event.pk) == 1
    assert len(sms.outbox) == 1


def test_sms_needs_a_mobile_number(entity_a):
    with pytest.raises(ValidationError) as refused:
        attachment_services.complaint_submit(entity=entity_a, category="price", description="价格欺诈",
                                             incident_date=today(), complainant_phone="0359-1234567",
                                             notify_sms=True)
    assert "notify_sms" in refused.value.message_dict


def test_the_api_takes_the_opt_in_and_answers_the_channels(entity_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client().post("/api/v1/complaints/", {
            "entity": entity_a.pk, "category": "price", "description": "价格欺诈", "incident_date": str(today()),
            "complainant_phone": "13912345678", "notify_email": EMAIL, "notify_sms": True}, format="json")
    assert response.status_code == 201 and response.json()["notifications"] == ["email", "sms"]
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1
    bad = api_client().post("/api/v1/complaints/", {
        "entity": entity_a.pk, "category": "price", "description": "价格欺诈", "incident_date": str(today()),
        "notify_email": "not-an-address"}, format="json")
    assert bad.status_code == 400 and "notify_email" in bad.json()


def test_the_form_sends_the_email_only_when_its_box_is_ticked(entity_a, django_capture_on_commit_callbacks):
    data = {"entity_credit_code": entity_a.credit_code, "category": "price", "description": "价格欺诈",
            "incident_date": today().isoformat(), "complainant_count": "1", "notify_email": EMAIL}
    with django_capture_on_commit_callbacks(execute=True):
        assert page_client().post("/complaints/new/", data).status_code == 302
    assert mail.outbox == [] and not ComplaintSubscription.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert page_client().post("/complaints/new/", {**data, "notify_by_email": "on"}).status_code == 302
    assert len(mail.outbox) == 1 and ComplaintSubscription.objects.get().email == EMAIL
    ticked_without_address = page_client().post("/complaints/new/", {**data, "notify_by_email": "on",
                                                                      "notify_email": ""})
    assert ticked_without_address.status_code == 400
    assert 'id="id_notify_email_error"' in ticked_without_address.content.decode()


def test_the_business_never_sees_the_subscription(entity_a, business_a, django_capture_on_commit_callbacks):
    complaint = file(entity_a, capture=django_capture_on_commit_callbacks, notify_email=EMAIL, notify_sms=True)
    text = api_client(business_a).get(f"/api/v1/complaints/{complaint.pk}/").content.decode()
    assert EMAIL not in text and "13912345678" not in text
    tracked = page_client().get(f"/complaints/track/{complaint.tracking_code}/").content.decode()
    assert EMAIL not in tracked and "13912345678" not in tracked


def test_contacts_are_erased_30_days_after_the_complaint_ended(entity_a, regulator,
                                                              django_capture_on_commit_callbacks):
    complaint = file(entity_a, capture=django_capture_on_commit_callbacks, notify_email=EMAIL, notify_sms=True)
    services.complaint_withdraw(complaint_id=complaint.pk, actor=None, reason="已与商家和解")
    ended = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=29)
    type(complaint).objects.filter(pk=complaint.pk).update(updated_at=ended)
    assert status_update_services.contacts_erase_expired() == 0  # 29 days: kept
    type(complaint).objects.filter(pk=complaint.pk).update(updated_at=ended - datetime.timedelta(days=2))
    assert status_update_services.contacts_erase_expired() == 1  # 31 days: erased
    subscription = ComplaintSubscription.objects.get(complaint=complaint)
    assert (subscription.email, subscription.phone, subscription.erased_on) == ("", "", today())


def test_an_open_complaint_keeps_its_contact(entity_a, django_capture_on_commit_callbacks):
    complaint = file(entity_a, capture=django_capture_on_commit_callbacks, notify_email=EMAIL)
    type(complaint).objects.filter(pk=complaint.pk).update(
        updated_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=90))
    assert status_update_services.contacts_erase_expired() == 0
