"""整改材料: a business sends evidence for an open finding; the inspector in scope accepts it (the rectification is
recorded and scored) or returns it with a reason; nobody else reaches it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from complaints import rectification_services as evidence_services
from complaints import services as complaint_services
from complaints.models import Finding, ViolationType
from complaints.rectification import (
    EvidenceStatus,
    RectificationEvidence,
    RectificationEvidenceEvent,
    RectificationEvidenceFile,
)
from core.models import UserRole
from ratings.models import CreditEvent
from ratings.services import entity_rescore
from tests.support import api_client, page_client, today
from tests.support.factories import UserFactory
from tests.support.upload_files import GPS_IFD, PDF, jpeg_with_gps, png_bytes, upload

pytestmark = pytest.mark.django_db

INSPECTED_ON = today() - datetime.timedelta(days=5)


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def stored_files(settings) -> list:
    root = settings.PRIVATE_MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def finding(entity_a, inspector) -> Finding:
    """An open finding of entity A (盐湖区, tourism), to be rectified within 30 days of the inspection."""
    inspection = complaint_services.inspection_create(
        actor=inspector, entity=entity_a, inspected_on=INSPECTED_ON, kind="targeted", summary="现场检查",
        findings=[{"violation_type": ViolationType.objects.filter(active=True, sector="tourism").order_by("id").first(),
                   "description": "未在经营场所公示许可证", "penalty": "none",
                   "rectify_by": INSPECTED_ON + datetime.timedelta(days=30)}])
    return inspection.findings.get()


def evidence_url(finding) -> str:
    return f"/api/v1/findings/{finding.pk}/evidence/"


def submit(user, finding, *, note="已在前台醒目位置公示许可证", files=None):
    body = {"note": note, "files": files if files is not None else [upload(jpeg_with_gps(), "IMG_1.jpg")]}
    return api_client(user).post(evidence_url(finding), body, format="multipart")


def submitted(finding, business, **kwargs) -> RectificationEvidence:
    response = submit(business, finding, **kwargs)
    assert response.status_code == 201, response.content
    return RectificationEvidence.objects.get(pk=response.json()["id"])


# ---------------------------------------------------------------- submitting


def test_the_entitys_business_submits_a_note_and_photos(finding, business_a, settings):
    from PIL import Image

    response = submit(business_a, finding, files=[upload(jpeg_with_gps(), "IMG_1.jpg"),
                                                  upload(PDF, "整改报告.pdf", "application/pdf")])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["finding"] == finding.pk
    assert [row["kind"] for row in body["files"]] == ["jpeg", "pdf"] and "reviewer" not in body
    evidence = RectificationEvidence.objects.get(pk=body["id"])
    assert evidence.submitted_by == business_a and evidence.files.count() == 2
    assert list(evidence.events.values_list("action", "to_status")) == [("submit", "submitted")]
    photo = evidence.files.get(position=1)
    with Image.open(settings.PRIVATE_MEDIA_ROOT / photo.stored_name) as stored:
        assert not stored.getexif().get_ifd(GPS_IFD)  # the photo's position did not survive
    assert Finding.objects.get(pk=finding.pk).rectified_on is None


def test_a_note_alone_may_come_as_json(finding, business_a):
    response = api_client(business_a).post(evidence_url(finding), {"note": "已整改"}, format="json")
    assert response.status_code == 201 and response.json()["files"] == []


def test_nothing_at_all_is_400_naming_note(finding, business_a):
    response = api_client(business_a).post(evidence_url(finding), {"note": "  "}, format="json")
    assert response.status_code == 400 and "note" in response.json()
    assert RectificationEvidence.objects.count() == 0


def test_a_note_over_2000_characters_is_400_and_2000_is_fine(finding, business_a):
    too_long = api_client(business_a).post(evidence_url(finding), {"note": "字" * 2001}, format="json")
    assert too_long.status_code == 400 and "note" in too_long.json()
    assert api_client(business_a).post(evidence_url(finding), {"note": "字" * 2000}, format="json").status_code == 201


def test_another_business_does_not_find_the_finding(finding, business_b, settings):
    assert submit(business_b, finding).status_code == 404
    assert api_client(business_b).get(evidence_url(finding)).status_code == 404
    assert RectificationEvidence.objects.count() == 0 and stored_files(settings) == []


def test_staff_may_not_submit_for_the_business(finding, inspector):
    response = api_client(inspector).post(evidence_url(finding), {"note": "代为提交"}, format="json")
    assert response.status_code == 403 and RectificationEvidence.objects.count() == 0


def test_a_rectified_finding_takes_no_evidence_409(finding, business_a, inspector, settings):
    complaint_services.finding_rectify(finding_id=finding.pk, actor=inspector, rectified_on=today())
    response = submit(business_a, finding)
    assert response.status_code == 409 and response.json()["code"] == "already_rectified"
    assert RectificationEvidence.objects.count() == 0 and stored_files(settings) == []


def test_one_submission_awaits_review_at_a_time_409(finding, business_a, inspector, settings):
    first = submitted(finding, business_a)
    second = submit(business_a, finding)
    assert second.status_code == 409 and second.json()["code"] == "evidence_pending"
    assert len(stored_files(settings)) == 1
    # Once returned, the business may send new material.
    evidence_services.evidence_return(evidence_id=first.pk, actor=inspector, reason="照片看不清许可证内容")
    assert submit(business_a, finding).status_code == 201


def test_five_files_are_taken_and_a_sixth_is_400_naming_files(finding, business_a, settings):
    def pngs(count: int) -> list:
        return [upload(png_bytes(), f"p{number}.png", "image/png") for number in range(count)]

    response = submit(business_a, finding, files=pngs(6))
    assert response.status_code == 400 and "最多上传 5 个" in response.json()["files"][0]
    assert RectificationEvidence.objects.count() == 0 and stored_files(settings) == []
    assert submit(business_a, finding, files=pngs(5)).status_code == 201
    assert RectificationEvidenceFile.objects.count() == 5


def test_a_bad_file_stores_nothing(finding, business_a, settings):
    files = [upload(jpeg_with_gps(), "IMG_1.jpg"), upload(b"#!/bin/sh\necho pwned\n", "IMG_2.jpg")]
    response = submit(business_a, finding, files=files)
    assert response.status_code == 400 and "附件 2（IMG_2.jpg）" in response.json()["files"][0]
    assert RectificationEvidence.objects.count() == 0 and RectificationEvidenceFile.objects.count() == 0
    assert stored_files(settings) == []


def test_a_failure_after_the_files_were_written_removes_them(finding, business_a, settings, monkeypatch):
    def broken(*args, **kwargs):
        assert len(stored_files(settings)) == 1
        raise RuntimeError("database went away")

    monkeypatch.setattr(evidence_services, "record_transition", broken)
    with pytest.raises(RuntimeError):
        evidence_services.evidence_submit(finding_id=finding.pk, actor=business_a, note="已整改",
                                          files=[upload(png_bytes(), "a.png", "image/png")])
    assert RectificationEvidence.objects.count() == 0 and stored_files(settings) == []


# ---------------------------------------------------------------- reviewing


def accept(user, evidence, **body):
    return api_client(user).post(f"/api/v1/rectification-evidence/{evidence.pk}/accept/", body, format="json")


def give_back(user, evidence, **body):
    return api_client(user).post(f"/api/v1/rectification-evidence/{evidence.pk}/return/", body, format="json")


def test_accepting_records_the_rectification_and_scores_it(finding, business_a, inspector, entity_a):
    evidence = submitted(finding, business_a)
    day = today() - datetime.timedelta(days=1)
    response = accept(inspector, evidence, rectified_on=str(day), review_note="现场复核属实")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted" and response.json()["reviewer"] == inspector.pk
    finding.refresh_from_db()
    assert finding.rectified_on == day  # through finding_rectify
    evidence.refresh_from_db()
    assert evidence.rectified_on == day and evidence.reviewed_at is not None
    assert list(evidence.events.values_list("action", "from_status", "to_status"))[-1] == (
        "accept", "submitted", "accepted")
    entity_rescore(entity_id=entity_a.pk)
    assert CreditEvent.objects.filter(source_type="finding", source_id=finding.pk, rule="rectified_on_time").exists()


def test_accepting_without_a_date_means_today(finding, business_a, regulator):
    evidence = submitted(finding, business_a)
    assert accept(regulator, evidence).status_code == 200
    assert Finding.objects.get(pk=finding.pk).rectified_on == today()


def test_a_date_the_finding_refuses_accepts_nothing(finding, business_a, inspector):
    evidence = submitted(finding, business_a)
    for day in (today() + datetime.timedelta(days=1), INSPECTED_ON - datetime.timedelta(days=1)):
        response = accept(inspector, evidence, rectified_on=str(day))
        assert response.status_code == 400 and "rectified_on" in response.json()
    assert RectificationEvidence.objects.get(pk=evidence.pk).status == EvidenceStatus.SUBMITTED
    assert Finding.objects.get(pk=finding.pk).rectified_on is None
    # the boundaries themselves are fine: the inspection day
    assert accept(inspector, evidence, rectified_on=str(INSPECTED_ON)).status_code == 200


def test_a_reviewed_submission_is_not_reviewed_again_409(finding, business_a, inspector):
    evidence = submitted(finding, business_a)
    assert give_back(inspector, evidence, reason="缺少整改后照片").status_code == 200
    assert accept(inspector, evidence).status_code == 409
    assert give_back(inspector, evidence, reason="再次退回").status_code == 409
    assert Finding.objects.get(pk=finding.pk).rectified_on is None


def test_returning_needs_a_reason_the_business_then_reads(finding, business_a, inspector):
    evidence = submitted(finding, business_a)
    blank = give_back(inspector, evidence, reason=" ")
    assert blank.status_code == 400 and "reason" in blank.json()
    assert give_back(inspector, evidence, reason="照片未显示许可证编号").status_code == 200
    listed = api_client(business_a).get(evidence_url(finding)).json()
    assert listed[0]["status"] == "returned" and listed[0]["review_note"] == "照片未显示许可证编号"
    page = page_client(business_a).get(f"/business/entities/{finding.inspection.entity_id}/").content.decode()
    assert "已退回" in page and "照片未显示许可证编号" in page
    assert Finding.objects.get(pk=finding.pk).rectified_on is None


def test_the_business_may_not_review_its_own_evidence(finding, business_a, business_b):
    evidence = submitted(finding, business_a)
    assert accept(business_a, evidence).status_code == 403
    assert give_back(business_a, evidence, reason="x").status_code == 403
    assert accept(business_b, evidence).status_code == 404
    assert Finding.objects.get(pk=finding.pk).rectified_on is None


def test_an_inspector_out_of_scope_finds_nothing(finding, business_a, inspector_taiyuan):
    evidence = submitted(finding, business_a)
    client = api_client(inspector_taiyuan)
    assert accept(inspector_taiyuan, evidence).status_code == 404
    assert give_back(inspector_taiyuan, evidence, reason="x").status_code == 404
    assert client.get(evidence_url(finding)).status_code == 404
    assert client.get(f"/api/v1/rectification-evidence-files/{evidence.files.get().pk}/file/").status_code == 404
    with pytest.raises(RectificationEvidence.DoesNotExist):  # the service scopes too
        evidence_services.evidence_accept(evidence_id=evidence.pk, actor=inspector_taiyuan)
    assert RectificationEvidence.objects.get(pk=evidence.pk).status == EvidenceStatus.SUBMITTED


# ---------------------------------------------------------------- files and reads


def test_the_business_and_staff_in_scope_open_the_files(finding, business_a, inspector, regulator):
    evidence = submitted(finding, business_a, files=[upload(jpeg_with_gps(), "IMG_1.jpg"),
                                                     upload(PDF, "报告.pdf", "application/pdf")])
    photo, pdf = evidence.files.order_by("position")
    for user in (business_a, inspector, regulator):
        opened = api_client(user).get(f"/api/v1/rectification-evidence-files/{photo.pk}/file/")
        assert opened.status_code == 200 and opened["Content-Type"] == "image/jpeg"
        assert opened["X-Content-Type-Options"] == "nosniff"
        assert b"".join(opened.streaming_content).startswith(b"\xff\xd8\xff")
    download = api_client(inspector).get(f"/api/v1/rectification-evidence-files/{pdf.pk}/file/")
    assert download["Content-Disposition"].startswith("attachment;") and "报告" not in download["Content-Disposition"]


def test_the_public_never_reaches_the_evidence(finding, business_a, anon_client, business_b):
    evidence = submitted(finding, business_a)
    file_url = f"/api/v1/rectification-evidence-files/{evidence.files.get().pk}/file/"
    assert anon_client.get(file_url).status_code in (401, 403)
    assert anon_client.get(evidence_url(finding)).status_code in (401, 403)
    assert anon_client.post(f"/api/v1/rectification-evidence/{evidence.pk}/accept/", {}, format="json"
                            ).status_code in (401, 403)
    assert api_client(business_b).get(file_url).status_code == 404
    public = page_client().get(f"/operators/{finding.inspection.entity.credit_code}/").content.decode()
    assert "rectification-evidence" not in public and "已在前台醒目位置公示许可证" not in public


def test_the_list_takes_a_fixed_number_of_queries(finding, business_a, inspector, django_assert_max_num_queries):
    first = submitted(finding, business_a)
    evidence_services.evidence_return(evidence_id=first.pk, actor=inspector, reason="不清楚")
    submitted(finding, business_a, files=[upload(png_bytes(), f"{n}.png", "image/png") for n in range(3)])
    client = api_client(UserFactory(username="inspector2", role=UserRole.INSPECTOR, region_codes=["1408"],
                                    sectors=["tourism"]))
    with django_assert_max_num_queries(6):
        response = client.get(evidence_url(finding))
    assert response.status_code == 200 and len(response.json()) == 2


# ---------------------------------------------------------------- the business page


def test_the_page_form_takes_a_photo_and_shows_it_submitted(finding, business_a):
    client = page_client(business_a)
    entity_page = f"/business/entities/{finding.inspection.entity_id}/"
    html = client.get(entity_page).content.decode()
    assert "提交整改材料" in html and 'enctype="multipart/form-data"' in html
    response = client.post(reverse("web:business-evidence", args=[finding.pk]), {
        f"evidence-{finding.pk}-note": "已公示许可证",
        f"evidence-{finding.pk}-files": [upload(jpeg_with_gps(), "IMG_9.jpg")]})
    assert response.status_code == 302 and response["Location"].endswith(f"#finding-{finding.pk}")
    evidence = RectificationEvidence.objects.get()
    assert evidence.files.get().kind == "jpeg"
    html = client.get(entity_page).content.decode()
    assert "已提交，等待执法检查人员审核" in html and "submitted" not in html.split("<main")[1].replace(
        "evidence-submitted", "")


def test_the_page_shows_a_refused_file_beside_the_field(finding, business_a, settings):
    response = page_client(business_a).post(reverse("web:business-evidence", args=[finding.pk]), {
        f"evidence-{finding.pk}-note": "已整改", f"evidence-{finding.pk}-files": [upload(b"MZ\x90\x00", "a.pdf")]})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_evidence-{finding.pk}-files_error"' in html and "a.pdf" in html and "<details open" in html
    assert RectificationEvidence.objects.count() == 0 and stored_files(settings) == []


def test_the_page_refuses_another_business_and_a_rectified_finding(finding, business_a, business_b, inspector):
    url = reverse("web:business-evidence", args=[finding.pk])
    assert page_client(business_b).post(url, {f"evidence-{finding.pk}-note": "x"}).status_code == 404
    complaint_services.finding_rectify(finding_id=finding.pk, actor=inspector, rectified_on=today())
    response = page_client(business_a).post(url, {f"evidence-{finding.pk}-note": "已整改"})
    assert response.status_code == 409 and "整改完成" in response.content.decode()
    assert RectificationEvidence.objects.count() == 0


# ---------------------------------------------------------------- the admin


def test_the_admin_reviews_through_the_services(finding, business_a):
    evidence = submitted(finding, business_a)
    staff = UserFactory(username="admin_regulator3", role=UserRole.REGULATOR, is_staff=True)
    client = page_client(staff)
    change = client.get(reverse("admin:complaints_rectificationevidence_change", args=[evidence.pk]))
    html = change.content.decode()
    assert change.status_code == 200 and f"/api/v1/rectification-evidence-files/{evidence.files.get().pk}/file/" in html
    assert "认可整改材料" in html and "退回整改材料" in html
    response = client.post(reverse("admin:complaints_rectificationevidence_changelist"), {
        "action": "evidence_accept", "_selected_action": [evidence.pk], "_confirm": "1",
        "rectified_on": str(today()), "review_note": ""})
    assert response.status_code == 302
    assert Finding.objects.get(pk=finding.pk).rectified_on == today()
    for model in ("rectificationevidence", "rectificationevidencefile", "rectificationevidenceevent"):
        listed = client.get(reverse(f"admin:complaints_{model}_changelist"))
        assert listed.status_code == 200 and listed.context["cl"].result_count >= 1, model
    assert RectificationEvidenceEvent.objects.filter(evidence=evidence, action="accept").exists()
    inspector_staff = UserFactory(username="staff_inspector2", role=UserRole.INSPECTOR, is_staff=True,
                                  region_codes=["14"], sectors=["tourism"])
    assert page_client(inspector_staff).get(reverse("admin:complaints_rectificationevidence_changelist")
                                            ).status_code in (302, 403)


def test_the_admin_pages_speak_chinese_and_show_no_raw_code(finding, business_a, rf):
    from django.contrib import admin
    from django.contrib.admin.utils import flatten_fieldsets, label_for_field
    from django.utils import translation

    from tests.admin.fixtures_rawcodes import code_list, raw_codes, visible_text

    # (an account named "inspector" would read as the role's code)
    inspector = UserFactory(username="zhang_jiancha", role=UserRole.INSPECTOR, region_codes=["1408"],
                            sectors=["tourism"])
    returned = submitted(finding, business_a)
    evidence_services.evidence_return(evidence_id=returned.pk, actor=inspector, reason="照片不清楚")
    evidence = submitted(finding, business_a)
    evidence_services.evidence_accept(evidence_id=evidence.pk, actor=inspector)
    staff = UserFactory(username="admin_regulator4", role=UserRole.REGULATOR, is_staff=True)
    request = rf.get("/admin/")
    request.user = staff
    untranslated = []
    with translation.override("zh-hans"):
        for model in (RectificationEvidence, RectificationEvidenceFile, RectificationEvidenceEvent):
            model_admin = admin.site._registry[model]
            row = model.objects.order_by("-pk").first()
            names = [*model_admin.get_list_display(request), *flatten_fieldsets(model_admin.get_fieldsets(request, row))]
            for inline in model_admin.get_inline_instances(request, row):
                names += [(inline, name) for name in flatten_fieldsets(inline.get_fieldsets(request, row))]
            for name in names:
                owner, field = name if isinstance(name, tuple) else (model_admin, name)
                label = str(label_for_field(field, owner.model, owner))
                if not any("\u4e00" <= char <= "\u9fff" for char in label) and label != "ID":
                    untranslated.append(f"{model.__name__}.{field}: {label}")
    assert untranslated == []
    client, codes, now = page_client(staff), code_list(), datetime.datetime.now(datetime.UTC)
    for model in ("rectificationevidence", "rectificationevidencefile", "rectificationevidenceevent"):
        row = {"rectificationevidence": evidence, "rectificationevidencefile": evidence.files.get(),
               "rectificationevidenceevent": evidence.events.order_by("-pk").first()}[model]
        for url in (reverse(f"admin:complaints_{model}_changelist"),
                    reverse(f"admin:complaints_{model}_change", args=[row.pk])):
            response = client.get(url)
            assert response.status_code == 200, url
            assert raw_codes(visible_text(response.content.decode()), codes, now) == [], url
