"""Complaint attachments: up to five, all or nothing with the complaint, seen only by those who handle or answer it."""

from __future__ import annotations

import datetime

import pytest

from complaints import attachment_services
from complaints.attachments import ComplaintAttachment
from complaints.models import Complaint
from core.models import UserRole
from tests.support import api_client, page_client, today
from tests.support.factories import UserFactory
from tests.support.upload_files import PDF, jpeg_with_gps, png_bytes, upload

pytestmark = pytest.mark.django_db

COMPLAINANT, PHONE = "王小明", "13912345678"


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def stored_files(settings) -> list:
    root = settings.PRIVATE_MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def filing(entity, **overrides) -> dict:
    data = {"entity": entity.pk, "category": "service_quality", "description": "房间有霉味，前台拒绝换房",
            "incident_date": (today() - datetime.timedelta(days=2)).isoformat(), "complainant_name": COMPLAINANT,
            "complainant_phone": PHONE}
    data.update(overrides)
    return data


def photos(count: int) -> list:
    return [upload(jpeg_with_gps(), f"IMG_{number}.jpg") for number in range(count)]


def test_five_attachments_are_filed_with_the_complaint(anon_client, entity_a, settings):
    response = anon_client.post("/api/v1/complaints/", {**filing(entity_a), "attachments": photos(4) + [
        upload(PDF, "发票.pdf", "application/pdf")]}, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [row["kind"] for row in body["attachments"]] == ["jpeg"] * 4 + ["pdf"]
    assert [row["position"] for row in body["attachments"]] == [1, 2, 3, 4, 5]
    complaint = Complaint.objects.get(tracking_code=body["tracking_code"])
    assert complaint.attachments.count() == 5 and len(stored_files(settings)) == 5


def test_a_sixth_attachment_refuses_the_whole_complaint_naming_the_field(anon_client, entity_a, settings):
    response = anon_client.post("/api/v1/complaints/", {**filing(entity_a), "attachments": photos(6)},
                                format="multipart")
    assert response.status_code == 400
    assert "最多上传 5 个附件" in response.json()["attachments"][0]
    assert Complaint.objects.count() == 0 and ComplaintAttachment.objects.count() == 0
    assert stored_files(settings) == []


def test_one_bad_file_refuses_everything_and_leaves_no_file(anon_client, entity_a, settings):
    files = photos(3) + [upload(b"#!/bin/sh\necho pwned\n", "IMG_9.jpg", "image/jpeg")]
    response = anon_client.post("/api/v1/complaints/", {**filing(entity_a), "attachments": files},
                                format="multipart")
    assert response.status_code == 400
    assert "附件 4（IMG_9.jpg）" in response.json()["attachments"][0]
    assert Complaint.objects.count() == 0 and stored_files(settings) == []


def test_a_bad_complaint_keeps_none_of_its_good_files(anon_client, entity_a, settings):
    response = anon_client.post("/api/v1/complaints/", {**filing(entity_a, incident_date=(
        today() + datetime.timedelta(days=1)).isoformat()), "attachments": photos(2)}, format="multipart")
    assert response.status_code == 400 and "incident_date" in response.json()
    assert Complaint.objects.count() == 0 and stored_files(settings) == []


def test_a_failure_after_the_files_were_written_removes_them(entity_a, settings, monkeypatch):
    def broken(**kwargs):
        assert len(stored_files(settings)) == 2  # the files were on disk when the transaction failed
        raise RuntimeError("database went away")

    monkeypatch.setattr(attachment_services, "subscription_create", broken)
    with pytest.raises(RuntimeError):
        attachment_services.complaint_submit(
            entity=entity_a, category="price", description="价格欺诈", incident_date=today(),
            complainant_phone=PHONE, attachments=photos(2), notify_sms=True)
    assert Complaint.objects.count() == 0 and ComplaintAttachment.objects.count() == 0
    assert stored_files(settings) == []


def test_json_filing_still_works_without_attachments(anon_client, entity_a):
    response = anon_client.post("/api/v1/complaints/", filing(entity_a), format="json")
    assert response.status_code == 201 and response.json()["attachments"] == []


def test_the_form_takes_a_photo(entity_a, settings):
    response = page_client().post("/complaints/new/", {
        "entity_credit_code": entity_a.credit_code, "category": "service_quality", "description": "房间有霉味",
        "incident_date": today().isoformat(), "complainant_count": "1", "attachments": [photos(1)[0]]})
    assert response.status_code == 302, response.content.decode()[:2000]
    complaint = Complaint.objects.get()
    attachment = complaint.attachments.get()
    assert attachment.kind == "jpeg" and attachment.original_name == "IMG_0.jpg"
    page = page_client().get(response["Location"]).content.decode()
    assert "已随投诉提交 1 个附件" in page


def test_the_form_shows_a_refused_file_beside_the_field_and_files_nothing(entity_a, settings):
    response = page_client().post("/complaints/new/", {
        "entity_credit_code": entity_a.credit_code, "category": "service_quality", "description": "房间有霉味",
        "incident_date": today().isoformat(), "complainant_count": "1",
        "attachments": [upload(b"MZ\x90\x00", "invoice.pdf", "application/pdf")]})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_attachments_error"' in html and "invoice.pdf" in html
    assert Complaint.objects.count() == 0 and stored_files(settings) == []


# ---------------------------------------------------------------- who may see them


@pytest.fixture
def filed(entity_a):
    complaint = attachment_services.complaint_submit(
        entity=entity_a, category="service_quality", description="房间有霉味", incident_date=today(),
        complainant_name=COMPLAINANT, complainant_phone=PHONE,
        attachments=[upload(jpeg_with_gps(), "王小明的照片.jpg"), upload(PDF, "发票.pdf", "application/pdf")])
    return complaint


def _list(client, complaint):
    return client.get(f"/api/v1/complaints/{complaint.pk}/attachments/")


def _file(client, complaint, attachment):
    assert attachment.complaint_id == complaint.pk
    return client.get(f"/api/v1/complaint-attachments/{attachment.pk}/file/")


def test_staff_in_scope_see_and_open_the_attachments(filed, regulator, inspector):
    for user in (regulator, inspector):
        listed = _list(api_client(user), filed)
        assert listed.status_code == 200 and [row["position"] for row in listed.json()] == [1, 2]
    assert _list(api_client(regulator), filed).json()[0]["original_name"] == "王小明的照片.jpg"
    assert "original_name" not in _list(api_client(inspector), filed).json()[0]
    photo, pdf = filed.attachments.order_by("position")
    opened = _file(api_client(inspector), filed, photo)
    assert opened.status_code == 200 and opened["Content-Type"] == "image/jpeg"
    assert opened["X-Content-Type-Options"] == "nosniff"
    assert b"".join(opened.streaming_content).startswith(b"\xff\xd8\xff")
    download = _file(api_client(regulator), filed, pdf)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    assert "complaint-" in download["Content-Disposition"] and "发票" not in download["Content-Disposition"]


def test_staff_out_of_scope_find_nothing(filed, inspector_taiyuan):
    photo = filed.attachments.first()
    assert _list(api_client(inspector_taiyuan), filed).status_code == 404
    assert _file(api_client(inspector_taiyuan), filed, photo).status_code == 404


def test_the_business_concerned_sees_the_files_but_not_the_complainant(filed, business_a, business_b):
    listed = _list(api_client(business_a), filed)
    assert listed.status_code == 200 and len(listed.json()) == 2
    text = listed.content.decode()
    assert COMPLAINANT not in text and PHONE not in text and "original_name" not in text
    opened = _file(api_client(business_a), filed, filed.attachments.first())
    assert opened.status_code == 200 and COMPLAINANT not in opened["Content-Disposition"]
    assert _list(api_client(business_b), filed).status_code == 404
    assert _file(api_client(business_b), filed, filed.attachments.first()).status_code == 404


def test_the_public_gets_nothing(filed, anon_client):
    assert _list(anon_client, filed).status_code in (401, 403)
    assert _file(anon_client, filed, filed.attachments.first()).status_code in (401, 403)
    page = page_client().get(f"/complaints/track/{filed.tracking_code}/").content.decode()
    assert "/attachments/" not in page


def test_the_list_links_each_file(filed, business_a):
    urls = [row["url"] for row in _list(api_client(business_a), filed).json()]
    assert urls == [f"/api/v1/complaint-attachments/{a.pk}/file/" for a in filed.attachments.order_by("position")]
    assert all(api_client(business_a).get(url).status_code == 200 for url in urls)


def test_listing_the_attachments_takes_a_fixed_number_of_queries(filed, regulator, django_assert_max_num_queries):
    client = api_client(UserFactory(username="regulator2", role=UserRole.REGULATOR))
    with django_assert_max_num_queries(4):
        assert _list(client, filed).status_code == 200


def test_a_client_asking_for_the_files_own_type_gets_it(filed, regulator):
    pdf = filed.attachments.get(position=2)
    response = api_client(regulator).get(f"/api/v1/complaint-attachments/{pdf.pk}/file/",
                                         HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    missing = api_client(regulator).get("/api/v1/complaint-attachments/999999/file/",
                                        HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404


def test_the_admin_lists_attachments_and_subscriptions_for_regulators(entity_a, settings,
                                                                       django_capture_on_commit_callbacks):
    from django.urls import reverse

    from complaints.status_updates import ComplaintNotification, ComplaintSubscription

    settings.SMS_BACKEND = "core.sms.LocmemBackend"
    with django_capture_on_commit_callbacks(execute=True):
        complaint = attachment_services.complaint_submit(
            entity=entity_a, category="price", description="价格欺诈", incident_date=today(),
            complainant_phone=PHONE, notify_sms=True, attachments=[upload(png_bytes(), "a.png")])
    staff = UserFactory(username="admin_regulator2", role=UserRole.REGULATOR, is_staff=True)
    client = page_client(staff)
    for model, row in ((ComplaintAttachment, complaint.attachments.get()),
                       (ComplaintSubscription, complaint.subscription),
                       (ComplaintNotification, ComplaintNotification.objects.get(event__complaint=complaint))):
        opts = model._meta
        changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert changelist.status_code == 200 and changelist.context["cl"].result_count == 1, model
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change",
                                  args=[row.pk])).status_code == 200, model
        found = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": complaint.pk})
        assert found.context["cl"].result_count == 1, model
    page = client.get(reverse("admin:complaints_complaintattachment_change", args=[complaint.attachments.get().pk]))
    assert f"/api/v1/complaint-attachments/{complaint.attachments.get().pk}/file/" in page.content.decode()
    inspector = UserFactory(username="staff_inspector", role=UserRole.INSPECTOR, is_staff=True,
                            region_codes=["14"], sectors=["tourism"])
    assert page_client(inspector).get(reverse("admin:complaints_complaintsubscription_changelist")).status_code in (
        302, 403)


def test_the_support_helper_stores_an_attachment_like_the_service(entity_a, settings):
    from tests.support import complaint_in
    from tests.support.upload_files import attachment_for

    complaint = complaint_in(entity=entity_a)
    attachment = attachment_for(complaint)
    assert attachment.position == 1 and attachment.kind == "png" and len(stored_files(settings)) == 1


def test_a_body_larger_than_five_files_is_refused_before_it_is_read(entity_a, settings):
    settings.UPLOAD_MAX_BYTES = 1000  # the page takes five of them and 1 MB of form around them
    response = page_client().post("/complaints/new/", {
        "entity_credit_code": entity_a.credit_code, "category": "price", "description": "价格欺诈",
        "incident_date": today().isoformat(), "complainant_count": "1",
        "attachments": [upload(b"\xff\xd8\xff" + b"0" * (1024 * 1024 + 5000), "big.jpg")]})
    assert response.status_code == 413 and "过大" in response.content.decode()
    assert Complaint.objects.count() == 0 and stored_files(settings) == []


def test_a_retried_multipart_filing_with_its_idempotency_key_files_once(anon_client, entity_a):
    def send():
        return anon_client.post("/api/v1/complaints/", {**filing(entity_a), "attachments": photos(1)},
                                format="multipart", HTTP_IDEMPOTENCY_KEY="filing-1")

    first, second = send(), send()
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true" and second.json()["tracking_code"] == first.json()["tracking_code"]
    assert Complaint.objects.count() == 1
